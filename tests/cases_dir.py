"""Where the published validation cases are: tests/cases/ in the repository (copied from their sources, see
tests/cases/README.md), so that a fresh clone tests itself."""

from __future__ import annotations

from pathlib import Path

CASES = Path(__file__).resolve().parent / "cases"


def validation(*parts: str) -> Path:
    return CASES.joinpath("validation", *parts)


def data_source(*parts: str) -> Path:
    return CASES.joinpath("data-sources", *parts)
