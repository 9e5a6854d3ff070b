"""The outputs officials read, produced once a session (tests/end_to_end/official.py) and read by several modules
(the tests that read the demo's run on one worker: tests/conftest.py ``group_of``)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.end_to_end.official import produce


@pytest.fixture(scope="session")
def demo_outputs(prepared_demo, tmp_path_factory) -> dict:
    """The demo county's outputs (its own copy of the demo with its results, only read after this)."""
    root = tmp_path_factory.mktemp("demo_outputs")
    return produce(Path(shutil.copytree(prepared_demo, root / "county")), root / "out")


@pytest.fixture(scope="session")
def second_outputs(prepared_region, tmp_path_factory) -> dict:
    """A second county's: the demo region's 演示东县 (drawn with another seed), with its region's (its own copy of
    the region with its results)."""
    root = tmp_path_factory.mktemp("second_outputs")
    folder = Path(shutil.copytree(prepared_region, root / "region")) / "650124"
    return produce(folder, root / "out", region=folder.parent)
