"""The fixtures every test module shares: the demo county (its folder, a module's own copy; and loaded) and the mini
county of :mod:`fpplan.testing.mini` (a fresh folder for each test)."""

from __future__ import annotations

from pathlib import Path

import pytest

from fpplan import load_county
from fpplan.demo import write_demo
from fpplan.testing.mini import write_mini_county


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    """The demo county's folder (a module's own copy: tests may change it)."""
    return write_demo(tmp_path_factory.mktemp("demo") / "county")


@pytest.fixture(scope="module")
def county(demo: Path):
    """The demo county, loaded and validated."""
    return load_county(demo)


@pytest.fixture
def mini(tmp_path: Path) -> Path:
    """The mini county's folder (1 county, 2 townships, 3 villages), written afresh for each test."""
    return write_mini_county(tmp_path / "county")
