"""Issue 26's "done when", on a fresh demo through the commands a county runs: the county scorecard for 2025 carries
a value and a target with its source for supervision, meetings, self-governance, village rooms and population
schools up to standard, publicity, skills competitions and staff sent for training (`fpplan scorecard DATA --level
county --period 2025`), some of them recounted by hand from the demo's files; and the plan workbook (`fpplan plan`)
plans the village rooms, shows what the demand survey changed and the contraceptive supply by township and year."""

from __future__ import annotations

import contextlib
import io

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook

from fpplan.cli import main

ITEMS = {  # what the issue names → the indicators that carry it
    "supervision": ["county_supervision_coverage", "township_check_coverage", "rectification_on_time"],
    "meetings": ["townships_meeting_quota"],
    "self-governance": ["self_governance_meeting_rate", "representatives_meeting_rate", "self_governance_villages"],
    "village rooms": ["village_rooms_standard"],
    "population schools": ["population_schools_standard"],
    "publicity": ["publicity_board_villages", "slogans_villages"],
    "skills competitions": ["skills_competition_quarters"],
    "staff sent": ["staff_sent"],
}


def _run(argv: list[str]) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        assert main(argv) == 0, out.getvalue()[-2000:]
    return out.getvalue()


@pytest.fixture(scope="module")
def card(demo, tmp_path_factory) -> pd.DataFrame:
    path = tmp_path_factory.mktemp("card") / "county.csv"
    _run(["scorecard", str(demo), "--level", "county", "--period", "2025", "--out", str(path)])
    return pd.read_csv(path, dtype={"unit": str}).set_index("indicator")


@pytest.mark.parametrize("item", list(ITEMS))
def test_the_county_scorecard_carries_each_item(card, item) -> None:
    for code in ITEMS[item]:
        row = card.loc[code]
        assert np.isfinite(row["value"]), code
        assert isinstance(row["target"], str) and row["target"], code
        assert isinstance(row["target_source"], str) and "《" in row["target_source"], code  # a document's title
        assert row["status"] in ("green", "amber", "red"), code


def test_values_recounted_from_the_demos_files(demo, card) -> None:
    rooms = pd.read_csv(demo / "village_rooms.csv", dtype=str)
    rooms = rooms[rooms["year"] == "2025"]
    assert card.loc["village_rooms_standard", "value"] == pytest.approx(
        100 * (rooms["room"] == "up_to_standard").mean()
    )
    assert card.loc["population_schools_standard", "value"] == pytest.approx(
        100 * (rooms["school"] == "up_to_standard").mean()
    )
    work = pd.read_csv(demo / "work_register.csv", dtype={"unit_code": str, "month": str})
    year = work[work["month"].str.startswith("2025")]
    assert card.loc["staff_sent", "value"] == year.loc[year["element"] == "staff_sent", "amount"].sum()
    competitions = year[year["element"] == "skills_competitions"]
    quarters = pd.PeriodIndex(competitions.loc[competitions["amount"] > 0, "month"], freq="M").quarter.unique()
    assert card.loc["skills_competition_quarters", "value"] == pytest.approx(100 * len(quarters) / 4)
    meetings = year[year["element"] == "township_meetings"].groupby("unit_code")["amount"].sum()
    townships = pd.read_csv(demo / "units.csv", dtype=str).query("level == 'township'")["code"]
    assert card.loc["townships_meeting_quota", "value"] == pytest.approx(
        100 * (meetings.reindex(townships, fill_value=0) >= 4).mean()
    )


def test_the_plan_workbook_plans_rooms_survey_and_supply(demo, tmp_path) -> None:
    path = tmp_path / "plan.xlsx"
    _run(["plan", str(demo), "--out", str(path)])
    book = load_workbook(path, read_only=True)
    assert {"村服务室与人口学校规划", "村服务室与人口学校逐年", "需求调查对规划的影响", "避孕药具需求"} <= set(
        book.sheetnames
    )
    townships = set(pd.read_csv(demo / "units.csv", dtype=str).query("level == 'township'")["name"])
    rooms = list(book["村服务室与人口学校规划"].iter_rows(values_only=True))
    assert {r[0] for r in rooms[1:]} >= townships
    effect = list(book["需求调查对规划的影响"].iter_rows(values_only=True))
    changed = [r for r in effect[1:] if isinstance(r[4], (int, float)) and r[4] > 0]
    assert changed and all(r[6] > r[5] for r in changed)  # volume with the survey above the volume without
    supply = list(book["避孕药具需求"].iter_rows(values_only=True))
    assert {r[0] for r in supply[1:] if isinstance(r[1], int)} == townships
    assert sorted({r[1] for r in supply[1:] if isinstance(r[1], int)}) == list(range(2026, 2031))
