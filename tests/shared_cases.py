"""Where the published validation cases are: ../shared next to the repository, or $FPPLAN_SHARED."""

from __future__ import annotations

import os
from pathlib import Path


def shared_dir() -> Path:
    path = Path(os.environ.get("FPPLAN_SHARED", Path(__file__).resolve().parents[2] / "shared"))
    if not (path / "validation").is_dir():
        raise FileNotFoundError(f"the shared validation cases are missing at {path} (set FPPLAN_SHARED)")
    return path


def validation(*parts: str) -> Path:
    return shared_dir().joinpath("validation", *parts)
