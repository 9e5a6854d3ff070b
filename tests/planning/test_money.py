"""Money by year and source on a hand case: each station's cash flow in its own split of self-raised to subsidy,
equipment and training in their years; subsidy still to secure."""

from __future__ import annotations

import pandas as pd
import pytest

from fpplan.planning.facilities import cash_flow
from fpplan.planning.money import money_by_source, still_to_secure, subsidy_status

PLAN = pd.DataFrame(
    {
        "station_code": ["A", "B"],
        "start_year": [2026, 2026],
        "completion_year": [2027, 2027],
        "cost_wan_yuan": [100.0, 50.0],
        "self_raised_wan_yuan": [40.0, 10.0],
        "subsidy_requested_wan_yuan": [60.0, 40.0],
    }
)
DISBURSEMENT = pd.DataFrame({"station_code": ["A", "A"], "year": [2026, 2027], "amount_wan_yuan": [30.0, 70.0]})
EQUIPMENT = pd.DataFrame(
    {
        "station": ["B"],
        "purchase_year": [2027],
        "cost_wan_yuan": [10.0],
        "self_raised_wan_yuan": [3.0],
        "subsidy_wan_yuan": [7.0],
    }
)
TRAINING = pd.DataFrame({"year": [2026, 2027], "training_wan_yuan": [1.0, 0.0]})


def test_money_by_year_and_source_by_hand() -> None:
    m = money_by_source(PLAN, cash_flow(PLAN, DISBURSEMENT), EQUIPMENT, TRAINING).set_index(["year", "category"])
    # A: 30 and 70 at 40% self-raised → 12 + 18, 28 + 42; B: 25 a year at 20% → 5 + 20
    assert m.loc[(2026, "construction"), ["self_raised_wan_yuan", "subsidy_wan_yuan"]].tolist() == pytest.approx(
        [17, 38]
    )
    assert m.loc[(2027, "construction"), ["self_raised_wan_yuan", "subsidy_wan_yuan"]].tolist() == pytest.approx(
        [33, 62]
    )
    assert m.loc[(2027, "equipment"), "total_wan_yuan"] == pytest.approx(10)
    assert m.loc[(2026, "training"), ["self_raised_wan_yuan", "subsidy_wan_yuan"]].tolist() == [1.0, 0.0]
    assert (2027, "training") not in m.index  # nothing spent: no row
    build = m.xs("construction", level="category")
    assert build["self_raised_wan_yuan"].sum() == pytest.approx(PLAN["self_raised_wan_yuan"].sum())
    assert build["subsidy_wan_yuan"].sum() == pytest.approx(PLAN["subsidy_requested_wan_yuan"].sum())


def test_still_to_secure_by_hand() -> None:
    granted = pd.DataFrame({"station_code": ["A", "B"], "year": [2026, 2026], "amount_wan_yuan": [50.0, 60.0]})
    s = subsidy_status(PLAN, granted, EQUIPMENT).set_index("station")
    # A asked 60, got 50 → 10; B asked 40 + 7 (equipment), got 60 → 0 (a surplus does not pay for A)
    assert s["subsidy_requested_wan_yuan"].tolist() == pytest.approx([60, 47])
    assert s["still_to_secure_wan_yuan"].tolist() == pytest.approx([10, 0])
    assert still_to_secure(PLAN, granted.iloc[:0]) == pytest.approx(100)
