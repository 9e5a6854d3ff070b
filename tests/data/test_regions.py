"""A region of three counties validates, projects, plans and scores; indicators roll up county → region as DHIS2
does (Σ numerators / Σ denominators); a bad region is refused with every problem, each with its file."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook

from fpplan import load_county
from fpplan.cli import main
from fpplan.data.errors import DataError
from fpplan.data.region import is_county_folder, is_region_folder, load_counties, load_region
from fpplan.demo.region import write_demo_region
from fpplan.demography import load_scenarios, prepare, project
from fpplan.indicators.regions import rank, roll_up

CODES = ["650123", "650124", "650125"]


@pytest.fixture(scope="module")
def region_dir(tmp_path_factory) -> Path:
    return write_demo_region(tmp_path_factory.mktemp("region") / "prefecture")


def test_region_folder_is_told_from_a_county_folder(region_dir: Path) -> None:
    assert is_region_folder(region_dir) and not is_county_folder(region_dir)
    assert is_county_folder(region_dir / "650124") and not is_region_folder(region_dir / "650124")
    region = load_region(region_dir)
    assert list(region.counties) == CODES and region.code == "6523" and region.name == "演示州"
    assert region.county_names()["650125"] == "演示西县"
    assert load_counties(region_dir / "650123")[0] is None


def test_cli_validates_a_region(region_dir: Path, capsys) -> None:
    assert main(["--lang", "en", "validate", str(region_dir)]) == 0
    text = capsys.readouterr().out
    assert "3 counties" in text and text.count("the data is clean") == 4


def test_region_projection_is_each_county_projected(region_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "p.csv"
    assert main(["project", str(region_dir), "--out", str(out)]) == 0
    frame = pd.read_csv(out, dtype={"county": str, "region": str})
    assert list(frame.columns[:2]) == ["county", "scenario"] and sorted(frame["county"].unique()) == CODES
    county = load_county(region_dir / "650124")
    alone = project(prepare(county), load_scenarios(county)["medium"]).population
    mine = frame[frame["county"] == "650124"].drop(columns="county").reset_index(drop=True)
    np.testing.assert_allclose(mine["population"].to_numpy(), alone["population"].to_numpy(), rtol=1e-12)
    assert mine.groupby("year")["population"].sum().iloc[0] == pytest.approx(county.population["population"].sum())


def test_region_stochastic_summaries_per_county(region_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "s.csv"
    assert main(["project", str(region_dir), "--trajectories", "20", "--out", str(out)]) == 0
    groups = pd.read_csv(out, dtype={"county": str, "region": str})
    series = pd.read_csv(tmp_path / "s_series.csv", dtype={"county": str, "region": str})
    assert sorted(groups["county"].unique()) == CODES
    totals = series[
        (series["region"] == series["county"]) & (series["series"] == "population") & (series["year"] == 2025)
    ]
    assert len(totals) == 3 and (totals["q025"] == totals["q975"]).all()  # the base year is known


def test_roll_up_sums_numerators_and_denominators_never_averages() -> None:
    cards = pd.DataFrame(
        {
            "county": ["a", "b", "a", "b"],
            "unit": ["a", "b", "a", "b"],
            "indicator": ["cpr", "cpr", "pcb", "pcb"],
            "name": ["CPR"] * 2 + ["budget"] * 2,
            "target": [">= 85"] * 2 + [">= 2"] * 2,
            "numerator": [90.0, 10.0, 500.0, 0.0],
            "denominator": [100.0, 100.0, 100.0, 300.0],
            "value": [90.0, 10.0, 5.0, 0.0],
            "status": ["green", "red", "green", "red"],
        }
    )
    region = roll_up(cards).set_index("indicator")
    assert region.loc["cpr", "value"] == pytest.approx(100 * (90 + 10) / 200)  # 50%, the mean of 90% and 10% too
    assert region.loc["pcb", "value"] == pytest.approx(500 / 400)  # 1.25 yuan a head, not the mean 2.5
    assert region.loc["cpr", "units_met"] == 1 and region.loc["cpr", "units_counted"] == 2
    ranking = rank(cards)
    assert ranking["unit"].tolist() == ["a", "b"] and ranking["share_met"].tolist() == [1.0, 0.0]


def test_cli_scores_and_ranks_the_counties(region_dir: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "score.csv"
    assert (
        main(["--lang", "en", "scorecard", str(region_dir), "--level", "county", "--period", "2025", "--out", str(out)])
        == 0
    )
    text = capsys.readouterr().out
    assert "rank" in text and "share met" in text and "650124" not in text  # words and names, not codes
    rows = pd.read_csv(out, dtype={"county": str, "unit": str})
    counties = rows[rows["county"].isin(CODES)]
    region = rows[rows["county"] == "6523"].set_index("indicator")
    assert set(counties["unit"]) == set(CODES) and len(region) == counties["indicator"].nunique()
    cpr = counties[counties["indicator"] == "contraceptive_prevalence"]
    want = 100 * cpr["numerator"].sum() / cpr["denominator"].sum()
    assert region.loc["contraceptive_prevalence", "value"] == pytest.approx(want, rel=1e-12)
    assert cpr["value"].min() <= want <= cpr["value"].max()


def test_cli_plans_a_region(region_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "plan.xlsx"
    assert main(["--lang", "en", "plan", str(region_dir), "--out", str(out)]) == 0
    book = load_workbook(out, read_only=True)
    assert book.sheetnames[0] == "region summary" and len(book.sheetnames) == 4
    summary = pd.read_excel(out, sheet_name=0)
    assert len(summary) == 4 and summary.iloc[-1, 0] == "total"
    money = next(c for c in summary.columns if c.startswith("total investment"))
    assert summary[money].iloc[-1] == pytest.approx(summary[money].iloc[:3].sum())
    from fpplan.data.labels import ui

    map_sheets = {
        ui(k, "en")
        for k in (
            "sheet_spatial_county",
            "sheet_spatial_coverage",
            "sheet_spatial_beyond",
            "sheet_spatial_vehicles",
            "sheet_spatial_sites",
            "sheet_spatial_plan_check",
        )
    }
    for k, code in enumerate(CODES):
        county_book = tmp_path / f"plan_{code}.xlsx"
        names = load_workbook(county_book, read_only=True).sheetnames
        assert map_sheets <= set(names), code  # each county's workbook carries the map, as the county's own does
        # the summary's staff numbers are the county workbook's headline
        headline = pd.read_excel(county_book, sheet_name=ui("sheet_headline", "en")).set_index("item")["value"]
        hires = next(v for i, v in headline.items() if i.startswith("hires planned"))
        gap = next(v for i, v in headline.items() if i.startswith("staff gap 2035 before hires (persons)"))
        row = summary.iloc[k]
        assert row[next(c for c in summary.columns if c.startswith("hires planned"))] == hires
        assert row[next(c for c in summary.columns if c.startswith("gap before hires"))] == gap


def _copy_region(region_dir: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "region"
    shutil.copytree(region_dir, copy)
    return copy


def test_two_counties_with_one_code_are_refused(region_dir: Path, tmp_path: Path, capsys) -> None:
    bad = tmp_path / "region"  # the region's file and one county twice: each command opens every county
    bad.mkdir()
    shutil.copy2(region_dir / "region.yaml", bad / "region.yaml")
    shutil.copytree(region_dir / "650123", bad / "650123")
    shutil.copytree(bad / "650123", bad / "650123_again")
    with pytest.raises(DataError) as error:
        load_region(bad)
    (problem,) = error.value.problems
    assert problem.kind == "duplicate_county" and problem.value == "650123"
    assert problem.file.endswith("units.csv") and "650123_again" in problem.file
    out = tmp_path / "out" / "p.csv"
    for argv in (
        ["validate", str(bad)],
        ["project", str(bad), "--out", str(out)],
        ["scorecard", str(bad), "--level", "county", "--period", "2025", "--out", str(out)],
    ):
        assert main(["--lang", "en", *argv]) == 2
        text = capsys.readouterr().out
        assert "two counties of the region have the same code '650123'" in text and "Traceback" not in text
    assert not out.parent.exists()


def test_empty_missing_and_broken_regions_name_their_files(region_dir: Path, tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "region.yaml").write_text("name: {zh: 空州}\ncode: '9'\n", encoding="utf-8")
    with pytest.raises(DataError) as error:
        load_region(empty)
    assert [p.kind for p in error.value.problems] == ["empty_region"]
    with pytest.raises(DataError) as error:
        load_region(tmp_path / "nowhere")
    assert error.value.problems[0].kind == "missing_region"
    broken = _copy_region(region_dir, tmp_path)
    (broken / "region.yaml").write_text("name: {zh: 州}\ncolour: red\n", encoding="utf-8")
    vital = broken / "650124" / "vital_history.csv"
    frame = pd.read_csv(vital, dtype=str)
    frame.loc[3, "births_male"] = "-4"
    frame.to_csv(vital, index=False)
    with pytest.raises(DataError) as error:
        load_region(broken)
    files = {Path(p.file).name for p in error.value.problems}
    assert "region.yaml" in files and "vital_history.csv" in files
    row = next(p for p in error.value.problems if Path(p.file).name == "vital_history.csv")
    assert row.row == 5 and row.column == "births_male"
