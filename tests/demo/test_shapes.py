"""Generated counties of other shapes (fpplan.demo.shapes): valid, the shape asked for, deterministic, fast."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from fpplan import load_county
from fpplan.cli import main
from fpplan.demo.county import TOWNSHIPS
from fpplan.demo.shapes import write_county


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> Path:
    return write_county(tmp_path_factory.mktemp("small") / "county", "small")


@pytest.fixture(scope="module")
def seed003(tmp_path_factory) -> Path:
    start = time.perf_counter()
    path = write_county(tmp_path_factory.mktemp("seed003") / "county", "seed003")
    assert time.perf_counter() - start < 15  # vectorized: a few seconds on an idle machine
    return path


def test_small_shape(small: Path) -> None:
    county = load_county(small)
    assert len(county.townships()) == 3 and len(county.villages()) == 15
    levels = county.facilities["level"].value_counts()
    assert levels["county_station"] == 1 and levels["township_general"] == 2
    assert "township_central" not in levels and "mobile_vehicle" not in levels
    assert county.county_code == "430591" and county.units.iloc[0]["name"] == "清溪县"
    # no demo names: none of the demo's township names, and village names end as Chinese village names do
    assert not set(county.townships()["name"]) & set(TOWNSHIPS["name"])
    assert county.villages()["name"].str.endswith(("村", "社区")).all()
    assert county.service_stats["month"].nunique() == 36
    assert 40_000 < county.population["population"].sum() < 46_000
    assert len(county.staff) == 8 + 2 * 3


def test_seed003_shape(seed003: Path) -> None:
    county = load_county(seed003)
    assert len(county.townships()) == 16 and len(county.villages()) == 448
    total = county.population["population"].sum()
    assert abs(total - 840_600) < 0.01 * 840_600  # Poisson draws around seed 003's 840,600
    levels = county.facilities["level"].value_counts()
    assert levels["county_station"] == 1 and levels["township_central"] == 4 and levels["township_general"] == 11
    assert levels["mobile_vehicle"] == 3
    # every township has its station and every station but the mobile ones a project
    assert set(county.construction_plan["station_code"]) == set(
        county.facilities.loc[county.facilities["level"].str.startswith(("county", "township")), "code"]
    )
    # village names recur across townships (as in real counties) but never within one
    villages = county.villages()
    assert not villages.duplicated(["township_code", "name"]).any()
    assert villages["name"].duplicated().any()


def test_same_bytes_and_cli(small: Path, tmp_path: Path) -> None:
    assert main(["demo", str(tmp_path / "again"), "--shape", "small"]) == 0
    files = sorted(p.relative_to(small) for p in small.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(tmp_path / "again") for p in (tmp_path / "again").rglob("*") if p.is_file())
    for rel in files:
        assert (small / rel).read_bytes() == (tmp_path / "again" / rel).read_bytes(), rel


def test_commands_run_on_both_shapes(small: Path, seed003: Path, tmp_path: Path) -> None:
    for folder in (small, seed003):
        assert main(["plan", str(folder), "--out", str(tmp_path / f"{folder.parent.name}.xlsx")]) == 0
        for period in ("2025-11", "2025Q3", "2025"):
            assert main(["scorecard", str(folder), "--period", period, "--level", "county"]) == 0
