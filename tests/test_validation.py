"""Nothing lost, nothing invented: every silent path from a planner's files to a confident number ends in a clear
refusal (file, row or sheet, what to do; exit 2; nothing written) or in a complete result (issue 11)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd
import pytest

from fpplan import DataError, load_county
from fpplan.cli import main

from mini_county import write_mini_county


@pytest.fixture
def mini(tmp_path: Path) -> Path:
    return write_mini_county(tmp_path / "county")


def snapshot(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` (relative path → sha256): compared before and after a refused command."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def problems_of(path: Path) -> list:
    with pytest.raises(DataError) as info:
        load_county(path)
    return info.value.problems


def kinds(problems: list) -> set[str]:
    return {p.kind for p in problems}


def refused(argv: list[str], capsys, watched: Path) -> str:
    """Run the CLI, assert it exits 2 without a traceback and without writing anything under ``watched``;
    return what it printed."""
    before = snapshot(watched)
    assert main(argv) == 2
    assert snapshot(watched) == before
    out = capsys.readouterr()
    assert "Traceback" not in out.out + out.err
    return out.out


# --- 1. a village missing from the population table ---------------------------------------------------------


def test_a_village_missing_from_the_population_is_refused(mini: Path, capsys) -> None:
    pop = pd.read_csv(mini / "population.csv", dtype=str)
    pop[pop["unit_code"] != "100001002"].to_csv(mini / "population.csv", index=False)
    problem = next(p for p in problems_of(mini) if p.kind == "village_without_population")
    assert Path(problem.file).name == "population.csv" and problem.value == "100001002"
    assert "Nancun" in problem.detail and "East Town" in problem.detail
    assert "无常住人口" in problem.message("zh") and "uninhabited" in problem.message("en")
    out = refused(["--lang", "en", "validate", str(mini)], capsys, mini.parent)
    assert "100001002" in out and "has no population" in out


def test_a_village_marked_uninhabited_is_explicitly_empty(mini: Path) -> None:
    pop = pd.read_csv(mini / "population.csv", dtype=str)
    pop[pop["unit_code"] != "100001002"].to_csv(mini / "population.csv", index=False)
    units = pd.read_csv(mini / "units.csv", dtype=str, keep_default_na=False)
    units["uninhabited"] = ["", "", "", "", "是", ""]
    units.to_csv(mini / "units.csv", index=False)
    county = load_county(mini)
    # East Town keeps only Dongcun: 101 ages × (10 + 11)
    assert county.township_population().groupby("township_code")["population"].sum()["100001"] == 101 * 21
    assert "100001002" not in set(county.village_population()["village_code"])


def test_uninhabited_village_with_people_and_a_township_with_nowhere_to_spread(mini: Path) -> None:
    units = pd.read_csv(mini / "units.csv", dtype=str, keep_default_na=False)
    units["uninhabited"] = ["", "", "", "", "yes", ""]
    units.to_csv(mini / "units.csv", index=False)
    problem = next(p for p in problems_of(mini) if p.kind == "uninhabited_with_population")
    assert Path(problem.file).name == "units.csv" and problem.row == 6 and problem.value == "100001002"
    assert problem.detail == str(101 * 41)
    # West Xiang given as a whole while its only village is marked uninhabited
    units["uninhabited"] = ["", "", "", "", "", "yes"]
    units.to_csv(mini / "units.csv", index=False)
    pop = pd.read_csv(mini / "population.csv", dtype=str)
    pop["unit_code"] = pop["unit_code"].replace("100002001", "100002")
    pop.to_csv(mini / "population.csv", index=False)
    problem = next(p for p in problems_of(mini) if p.kind == "all_villages_uninhabited")
    assert problem.value == "100002"
