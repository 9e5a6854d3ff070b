"""The fixtures every test module shares: the demo county (its folder, a module's own copy; and loaded), the mini
county of :mod:`fpplan.testing.mini` (a fresh folder for each test), and the demo county and the demo region with
their results computed once for the whole run (every worker's copy taken from the same folder)."""

from __future__ import annotations

import fcntl
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from fpplan import load_county
from fpplan.demo import write_demo
from fpplan.startup import skip_unused_imports
from fpplan.testing.mini import write_mini_county

skip_unused_imports()  # the test processes are fpplan's own too: jsonschema's slow optional import skipped there


@pytest.fixture(scope="session", autouse=True)
def one_figure_renderer():
    """Figures drawn as images (results, pages rendered ahead) in one headless chromium kept open per worker, as a
    region's worker processes draw them (``figure_images.keep_renderer_open``; the same images as a chromium started
    for each call: tests/app/test_region_results.py), instead of a chromium started for each of a worker's dozen
    results computed; closed at the end of the run."""
    from fpplan.app import figure_images

    figure_images.keep_renderer_open()
    yield
    figure_images.close_renderer()


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    """The demo county's folder (a module's own copy of the demo written once a run: tests may change it)."""
    written = made_once(tmp_path_factory, "demo_written", write_demo)
    return Path(shutil.copytree(written, tmp_path_factory.mktemp("demo") / "county"))


@pytest.fixture(scope="session")
def demo_loaded(tmp_path_factory):
    """The demo county as written once a run, loaded and validated once (per worker); never handed out itself."""
    return load_county(made_once(tmp_path_factory, "demo_written", write_demo))


@pytest.fixture(scope="module")
def county(demo: Path, demo_loaded):
    """The demo county, loaded and validated: the run's load of the same files as a County of the module's own copy
    (its path, files and geography files there; nothing kept from the run's: tests/data/test_data.py checks it is
    what loading the copy gives)."""
    return at_folder(demo_loaded, demo)


def at_folder(county, folder: Path):
    """``county`` (loaded from the demo as written once a run) as loaded from ``folder``, a copy of those files:
    its own frames (copy-on-write: what a test changes stays its module's, ``fpplan.data.county.own_copy``)."""
    import dataclasses

    from fpplan.data.county import own_copy

    def moved(file: str | None) -> str | None:
        if file is None or not Path(file).is_relative_to(county.path):
            return file
        return str(folder / Path(file).relative_to(county.path))

    geography = dataclasses.replace(
        county.geography,
        boundary_file=moved(county.geography.boundary_file),
        road_file=moved(county.geography.road_file),
    )
    files = {name: type(file)(moved(str(file))) for name, file in county.files.items()}
    return dataclasses.replace(own_copy(county), path=folder, files=files, geography=geography)


@pytest.fixture
def mini(tmp_path: Path) -> Path:
    """The mini county's folder (1 county, 2 townships, 3 villages), written afresh for each test."""
    return write_mini_county(tmp_path / "county")


def made_once(tmp_path_factory, name: str, make: Callable[[Path], object]) -> Path:
    """The folder ``name`` made by ``make`` once for the whole run, whichever worker (pytest-xdist) asks first: the
    others wait for it (a file lock in the run's shared temporary folder). Never changed after: tests copy it."""
    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent  # the run's folder, above each worker's own
    folder, done = root / "made_once" / name, root / "made_once" / f"{name}.done"
    folder.parent.mkdir(exist_ok=True)
    with open(root / "made_once" / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not done.exists():
            shutil.rmtree(folder, ignore_errors=True)
            make(folder)
            done.touch()
    return folder


def _demo_with_results(folder: Path) -> None:
    from fpplan.app.pages.build import ensure_pages
    from fpplan.data.workspace import Workspace

    write_demo(folder)
    assert ensure_pages(Workspace(folder)).computed  # the results and the pages rendered ahead from them


def _region_with_results(folder: Path, demo: Path) -> None:
    """The demo region with its results. Its 演示县 is the demo county byte for byte (the same seed, code and name):
    it comes with the prepared demo's store and results (not its pages rendered ahead, which a region's county does
    not have), so that only the other two counties are computed (in the region's worker processes)."""
    import filecmp

    from fpplan.app import region_results
    from fpplan.demo.region import COUNTIES, write_demo_region

    write_demo_region(folder)
    county = folder / COUNTIES[0][0]
    files = sorted(str(p.relative_to(county)) for p in county.rglob("*") if p.is_file())
    assert filecmp.cmpfiles(county, demo, files, shallow=False) == (files, [], [])  # the demo county's data
    shutil.rmtree(county)
    shutil.copytree(demo, county, ignore=lambda where, names: ["pages"] if Path(where).parent.name == "results" else [])
    outcome = region_results.ensure_region_results(folder)
    assert outcome.computed and outcome.counties_computed == 2  # 演示东县, 演示西县; 演示县's results were current


@pytest.fixture(scope="session")
def prepared_demo(tmp_path_factory) -> Path:
    """The demo county's folder with its store, the results the dashboards and reports read and the pages rendered
    ahead from them, computed once a run (read-only: see ``demo_with_results``)."""
    return made_once(tmp_path_factory, "demo", _demo_with_results)


@pytest.fixture(scope="session")
def prepared_region(prepared_demo: Path, tmp_path_factory) -> Path:
    """The demo region (演示州: 演示县, 演示东县, 演示西县) with every county's results and the region's summary,
    computed once a run (read-only: see ``region_with_results``)."""
    return made_once(tmp_path_factory, "region", lambda folder: _region_with_results(folder, prepared_demo))


@pytest.fixture(scope="module")
def demo_with_results(prepared_demo: Path, tmp_path_factory) -> Path:
    """A module's own copy of the demo county with its results (the copy's data version is the original's: the
    results are current, nothing is computed again until the data change)."""
    return Path(shutil.copytree(prepared_demo, tmp_path_factory.mktemp("demo_with_results") / "county"))


@pytest.fixture(scope="module")
def region_with_results(prepared_region: Path, tmp_path_factory) -> Path:
    """A module's own copy of the demo region with its results; the region's summary already notes the copy's
    files, so that a county whose data did not change is not opened again."""
    from fpplan.app import region_results

    folder = Path(shutil.copytree(prepared_region, tmp_path_factory.mktemp("region_with_results") / "prefecture"))
    outcome = region_results.ensure_region_results(folder)
    assert not outcome.computed and outcome.counties_computed == 0  # the results came with the copy
    return folder


# --- running on every core (make test: pytest -n auto --dist loadgroup) ------------------------------------------------
# pytest-xdist's own loadgroup (xdist_group marks) cannot rename a test's node id under pytest 9, so this conftest
# schedules the groups itself: a module is one unit of work (its module-scoped fixtures made once), except the
# robustness counties (one unit each: its variants share the county's run) and the demo's official outputs (the
# report read by two modules). Units go out in the order of SLOW_FIRST, then as collected, so that no worker is left
# with a long one at the end.
SLOW_FIRST = (  # then the longest first (a run's --durations, 7 December: seconds of a unit on a loaded machine)
    "robustness:reported",  # 46, needs no shared folder: the demo is prepared meanwhile (demo_outputs)
    "demo_outputs",  # 58
    "tests/end_to_end/test_dashboards.py",  # 204
    "tests/app/test_region_results.py",  # 138
    "tests/end_to_end/test_wheel.py",  # 68
    "tests/end_to_end/test_official_outputs.py",  # 57
    "tests/data/test_intake.py",  # 54
    "tests/data/test_workspace.py",  # 48
    "tests/data/test_validation.py",  # 48
    "tests/data/test_regions.py",  # 41
    "tests/end_to_end/test_region_dashboards.py",  # 37
    "robustness:two_years",  # 34
    "tests/demography/test_uncertainty.py",  # 29
    "tests/demography/test_cluster.py",  # 28
    "tests/demo/test_shapes.py",  # 25
    "robustness:year",  # 23
    "robustness:months_1",  # 22
    "tests/app/test_uploads.py",  # 20
    "tests/server/test_page_first.py",  # 20
    "tests/app/test_explorer.py",  # 16
    "tests/server/test_serve.py",  # 15
    "tests/planning/test_officials.py",  # 15
    "tests/indicators/test_rhythm.py",  # 15
    "tests/indicators/test_collection.py",  # 15
    "tests/app/test_plan_page.py",  # 15
    "tests/planning/test_plan.py",  # 13
    "tests/data/test_forward.py",  # 12
    "tests/end_to_end/test_rhythm_done.py",  # 11
    "tests/app/test_headline.py",  # 11
    "tests/indicators/test_indicators.py",  # 11
    "tests/indicators/test_causes_access.py",  # 11
)


def group_of(nodeid: str) -> str:
    """The unit of work (run on one worker) a test belongs to."""
    module, _, name = nodeid.partition("::")
    if module == "tests/end_to_end/test_robustness.py" and "[" in name:
        from tests.end_to_end.test_robustness import COUNTY_OF

        return "robustness:" + COUNTY_OF[name[name.index("[") + 1 : name.rindex("]")]]
    if module == "tests/end_to_end/test_reports.py" or (
        module == "tests/end_to_end/test_official_outputs.py" and name.endswith("[demo]")
    ):
        return "demo_outputs"
    return module


def _rank(nodeid: str) -> int:
    group = group_of(nodeid)
    return SLOW_FIRST.index(group) if group in SLOW_FIRST else len(SLOW_FIRST)


def pytest_collection_modifyitems(config, items) -> None:
    items.sort(key=lambda item: _rank(item.nodeid))  # stable: within a unit, and among the rest, as collected


@pytest.hookimpl(tryfirst=True)
def pytest_xdist_make_scheduler(config, log):
    if config.getvalue("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class GroupScheduling(LoadScopeScheduling):
        """xdist's scope scheduling with :func:`group_of` as the scope, the units in the collection's order."""

        def _split_scope(self, nodeid: str) -> str:
            return group_of(nodeid)

    config.option.loadscopereorder = False
    return GroupScheduling(config, log)
