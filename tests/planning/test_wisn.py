"""WISN formulas: the published worked case (loaded from tests/cases/validation/wisn) and hand-computed cases."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from fpplan.planning.staffing import available_hours, category_allowance, individual_allowance, wisn
from tests.cases_dir import validation

CAL = {
    "working_days": 250,
    "public_holidays": 11,
    "annual_leave": 10,
    "sick_leave": 5,
    "other_leave": 4,
    "hours_per_day": 8,
    "days_per_week": 5,
}


def test_published_worked_case() -> None:
    case = json.loads(validation("wisn", "case.json").read_text(encoding="utf-8"))
    result = wisn(
        case["calendar"],
        pd.DataFrame(case["services"]),
        pd.DataFrame(case["support"]),
        pd.DataFrame(case["additional"]),
        existing=case["existing"],
    )
    for key, expected in case["expected"].items():
        assert getattr(result, key) == pytest.approx(expected, rel=1e-6), key


@pytest.mark.parametrize(
    ("per", "hours", "cas_percent"),
    [
        ("day", 0.5, 0.5 / 8 * 100),  # per day: t / F
        ("week", 4, 4 / (8 * 5) * 100),  # per week: t / (F × days a week)
        ("month", 6, 6 * 12 / 1760 * 100),  # per month: t × 12 / AWT
        ("year", 44, 44 / 1760 * 100),  # per year: t / AWT
    ],
)
def test_each_support_unit_conversion(per: str, hours: float, cas_percent: float) -> None:
    caf = category_allowance(pd.DataFrame([{"activity": "x", "hours": hours, "per": per}]), CAL)
    assert caf == pytest.approx(1 / (1 - cas_percent / 100), rel=1e-12)


def test_six_day_week_changes_the_weekly_conversion() -> None:
    caf = category_allowance(pd.DataFrame([{"activity": "x", "hours": 4, "per": "week"}]), CAL | {"days_per_week": 6})
    assert caf == pytest.approx(1 / (1 - 4 / 48), rel=1e-12)


def test_several_services_and_cadres_by_hand() -> None:
    awt = available_hours(CAL)
    assert awt == 1760
    nursing = wisn(
        CAL,
        pd.DataFrame(
            {"activity": ["follow-up", "migrant visit"], "annual_workload": [1200, 800], "unit_time_hours": [0.5, 0.4]}
        ),
        existing=2,
    )
    lab = wisn(
        CAL,
        pd.DataFrame({"activity": ["RTI screening"], "annual_workload": [5000], "unit_time_hours": [0.3]}),
        support=pd.DataFrame([{"activity": "QC", "hours": 1, "per": "day"}]),
        additional=pd.DataFrame([{"activity": "teach", "hours_per_year": 88, "staff_count": 1}]),
        existing=0,
    )
    assert nursing.service_staff == pytest.approx((600 + 320) / 1760)
    assert nursing.caf == 1.0 and nursing.iaf == 0.0
    assert nursing.ratio == pytest.approx(2 / (920 / 1760))
    assert lab.caf == pytest.approx(1 / (1 - 1 / 8))
    assert lab.iaf == pytest.approx(0.05)
    assert lab.required == pytest.approx(1500 / 1760 * 8 / 7 + 0.05)
    assert lab.difference == pytest.approx(-lab.required) and lab.ratio == 0
    assert individual_allowance(None, awt) == 0


def test_support_beyond_all_working_time_is_refused() -> None:
    with pytest.raises(ValueError, match="no time is left"):
        category_allowance(pd.DataFrame([{"activity": "x", "hours": 8, "per": "day"}]), CAL)
