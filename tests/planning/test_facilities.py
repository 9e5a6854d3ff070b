"""Capacity timeline and budget on a two-station, three-project case computed by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from fpplan.data.config import load
from fpplan.planning.facilities import budget, capacity_timeline, cash_flow, first_shortfall, shift_completion

STANDARDS = load("standards")  # township_central A 600 m² for 8,000 women; township_general B 220 m² for 4,000

FACILITIES = pd.DataFrame(
    {
        "code": ["C", "G"],
        "level": ["township_central", "township_general"],
        "township_code": ["T1", "T2"],
        "floor_area_m2": [300.0, 100.0],
        "grade": ["B", "C"],
    }
)
PLAN = pd.DataFrame(
    {
        "station_code": ["C", "C", "G"],
        "mode": ["extend", "extend", "new_build"],
        "target_grade": ["B", "A", "B"],
        "target_floor_area_m2": [450.0, 600.0, 220.0],
        "start_year": [2025, 2028, 2026],
        "completion_year": [2026, 2029, 2027],
        "cost_wan_yuan": [60.0, 90.0, 50.0],
        "self_raised_wan_yuan": [20.0, 30.0, 10.0],
        "subsidy_requested_wan_yuan": [40.0, 60.0, 40.0],
    }
)
YEARS = np.arange(2025, 2031)
# central serves 8,000 women until 2027, then 10,000 (need 600 × 10,000/8,000 = 750); general 3,000 (need 220)
SERVED = pd.DataFrame(
    {
        "station": ["C"] * 6 + ["G"] * 6,
        "year": np.r_[YEARS, YEARS],
        "women_15_49": [8000, 8000, 8000, 10000, 10000, 10000] + [3000] * 6,
    }
)


@pytest.fixture
def timeline() -> pd.DataFrame:
    return capacity_timeline(FACILITIES, PLAN, STANDARDS, SERVED)


def test_capacity_and_gap_by_hand(timeline) -> None:
    c = timeline[timeline["station"] == "C"].set_index("year")
    assert c["floor_area_m2"].tolist() == [300, 450, 450, 450, 600, 600]
    assert c["need_m2"].tolist() == [600, 600, 600, 750, 750, 750]
    assert c["gap_m2"].tolist() == [300, 150, 150, 300, 150, 150]
    assert c.loc[2029, "grade"] == "A" and c.loc[2026, "grade"] == "B"
    g = timeline[timeline["station"] == "G"].set_index("year")
    assert g["floor_area_m2"].tolist() == [100, 100, 220, 220, 220, 220]
    assert g["gap_m2"].tolist() == [120, 120, 0, 0, 0, 0]


def test_first_shortfall(timeline) -> None:
    s = first_shortfall(timeline, PLAN).set_index("station")
    assert s.loc["C", "first_short_year"] == 2025 and s.loc["C", "short_after_completion"]
    assert s.loc["G", "last_short_year"] == 2026 and not s.loc["G", "short_after_completion"]


def test_budget_ranks_by_gap_closed_per_wan_yuan(timeline) -> None:
    b = budget(PLAN, timeline).set_index(["station_code", "completion_year"])
    # C 2026: min(450,600) − min(300,600) = 150 m² for 60 万元 = 2.5; C 2029: 600 − 450 = 150 for 90 = 1.667;
    # G 2027: 220 − 100 = 120 for 50 = 2.4
    assert b["gap_closed_m2"].to_dict() == {("C", 2026): 150, ("G", 2027): 120, ("C", 2029): 150}
    assert b["rank"].to_dict() == {("C", 2026): 1, ("G", 2027): 2, ("C", 2029): 3}
    assert b.loc[("C", 2029), "m2_per_wan_yuan"] == pytest.approx(150 / 90)


def test_cash_flow_spreads_or_uses_the_disbursement() -> None:
    given = pd.DataFrame({"station_code": ["G"], "year": [2026], "amount_wan_yuan": [50.0]})
    flows = cash_flow(PLAN, given).set_index(["station", "year"])["amount_wan_yuan"]
    # C: 60 over 2025–2026 (30 + 30) and 90 over 2028–2029 (45 + 45); G as given
    assert flows.to_dict() == {("C", 2025): 30, ("C", 2026): 30, ("G", 2026): 50, ("C", 2028): 45, ("C", 2029): 45}
    assert flows.sum() == PLAN["cost_wan_yuan"].sum()


def test_moving_a_project_later_moves_its_capacity(timeline) -> None:
    later = shift_completion(PLAN, {"G": 2029})
    assert later.loc[2, ["start_year", "completion_year"]].tolist() == [2028, 2029]
    moved = capacity_timeline(FACILITIES, later, STANDARDS, SERVED)
    g = moved[moved["station"] == "G"].set_index("year")
    assert g["gap_m2"].tolist() == [120, 120, 120, 120, 0, 0]
