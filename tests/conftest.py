"""Fixtures many test modules share: the demo county written once per module, and loaded."""

from __future__ import annotations

from pathlib import Path

import pytest

from fpplan import load_county
from fpplan.demo import write_demo


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    """The demo county's folder (a module's own copy: tests may change it)."""
    return write_demo(tmp_path_factory.mktemp("demo") / "county")


@pytest.fixture(scope="module")
def county(demo: Path):
    """The demo county, loaded and validated."""
    return load_county(demo)
