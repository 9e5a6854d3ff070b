"""Village service rooms and population schools in the plan (issue 26, phase 2): every village brought to standard
by the plan year ("村级服务室和人口学校应全部达标", seed 001 第五篇), scheduled, costed and paid for, against a
hand-computed county of six villages; the demo's plan money and subsidy still to secure include them; a county
without the village_rooms table has them "not assessed" and nothing invented."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook

from fpplan import load_county
from fpplan.data.models.rooms import RoomsConfig
from fpplan.planning import rooms
from fpplan.testing.by_hand import rooms_cost

CONFIG = {
    "source": "s",
    "schedule": "even",
    "schedule_source": "s",
    "subsidy_share": 0.4,
    "subsidy_source": "s",
    "merged_clinic_share": 0.5,
    "merged_clinic_source": "s",
    "costs": {
        "room_build": {"cost_wan_yuan": 3.0, "source": "s"},
        "room_upgrade": {"cost_wan_yuan": 1.0, "source": "s"},
        "school_build": {"cost_wan_yuan": 1.5, "source": "s"},
        "school_upgrade": {"cost_wan_yuan": 0.5, "source": "s"},
    },
}
VILLAGES = pd.DataFrame(
    {"code": ["V1", "V2", "V3", "V4", "V5", "V6"], "township_code": ["T1", "T1", "T1", "T1", "T2", "T2"]}
)
STATUS = pd.DataFrame(
    [
        ["V1", 2024, "up_to_standard", "false", "up_to_standard"],  # superseded by its 2025 row
        ["V1", 2025, "none", "", "up_to_standard"],
        ["V2", 2025, "below_standard", "true", "below_standard"],
        ["V3", 2025, "up_to_standard", "false", "none"],
        ["V4", 2025, "below_standard", "false", "up_to_standard"],
        ["V5", 2025, "none", "", "none"],
    ],  # V6 is not listed: not assessed
    columns=["village_code", "year", "room", "merged_clinic", "school"],
)


def planned(schedule: str = "even", status: pd.DataFrame = STATUS) -> pd.DataFrame:
    return rooms.works(status, VILLAGES, RoomsConfig(**CONFIG | {"schedule": schedule}), 2026, 2028)


def test_even_schedule_by_hand() -> None:
    w = planned().set_index(["village_code", "kind"])
    # T1 rooms: V1 build, then the upgrades V2, V4 → ⌊r·3/3⌋: 2026, 2027, 2028; T2: V5 built 2026
    # T1 schools: V3 build (r=0 → 2026), V2 upgrade (r=1 of 2 → ⌊3/2⌋ = 1 → 2027); T2: V5 built 2026
    expected = {
        ("V1", "room"): ("build", 2026, 3.0),
        ("V2", "room"): ("upgrade", 2027, 0.5),  # merged: half of 1.0
        ("V4", "room"): ("upgrade", 2028, 1.0),
        ("V5", "room"): ("build", 2026, 3.0),
        ("V3", "school"): ("build", 2026, 1.5),
        ("V2", "school"): ("upgrade", 2027, 0.5),
        ("V5", "school"): ("build", 2026, 1.5),
    }
    assert len(w) == len(expected)
    for key, (action, year, cost) in expected.items():
        assert (w.loc[key, "action"], w.loc[key, "year"]) == (action, year), key
        assert w.loc[key, "cost_wan_yuan"] == pytest.approx(cost), key
    assert w["cost_wan_yuan"].sum() == pytest.approx(11.0)
    np.testing.assert_allclose(w["subsidy_wan_yuan"], w["cost_wan_yuan"] * 0.4)
    np.testing.assert_allclose(w["self_raised_wan_yuan"] + w["subsidy_wan_yuan"], w["cost_wan_yuan"])
    money = rooms.money(planned()).set_index("year")
    assert money["subsidy_wan_yuan"].to_dict() == pytest.approx({2026: 9.0 * 0.4, 2027: 0.4, 2028: 0.4})


def test_worst_first_schedule_by_hand() -> None:
    w = planned("worst_first").set_index(["village_code", "kind"])["year"]
    # rooms up to standard now: T1 1 of 4, T2 0 of 1 → T2 first; 4 works over 3 years → ⌊r·3/4⌋ = 0, 0, 1, 2
    assert [w[("V5", "room")], w[("V1", "room")], w[("V2", "room")], w[("V4", "room")]] == [2026, 2026, 2027, 2028]
    # schools: T1 2 of 4, T2 0 of 1 → V5, then V3 (build), V2 (upgrade): ⌊r·3/3⌋
    assert [w[("V5", "school")], w[("V3", "school")], w[("V2", "school")]] == [2026, 2027, 2028]


def test_by_township_and_by_year() -> None:
    works = planned()
    t = rooms.by_township(STATUS, VILLAGES, works).set_index("township_code")
    assert t.loc["T1"].drop(["cost_wan_yuan", "self_raised_wan_yuan", "subsidy_wan_yuan"]).to_dict() == {
        "villages": 4,
        "villages_not_assessed": 0,
        "rooms_up_to_standard": 1,
        "rooms_to_build": 1,
        "rooms_to_upgrade": 2,
        "schools_up_to_standard": 2,
        "schools_to_build": 1,
        "schools_to_upgrade": 1,
    }
    assert t.loc["T2", ["villages", "villages_not_assessed", "rooms_up_to_standard", "rooms_to_build"]].tolist() == [
        2,
        1,
        0,
        1,
    ]
    assert t["cost_wan_yuan"].to_dict() == pytest.approx({"T1": 6.5, "T2": 4.5})
    y = rooms.by_year(works).set_index(["township_code", "year"])
    assert y.loc[("T1", 2026), ["rooms_built", "rooms_upgraded", "schools_built", "schools_upgraded"]].tolist() == [
        1,
        0,
        1,
        0,
    ]
    assert y.loc[("T1", 2027), "cost_wan_yuan"] == pytest.approx(1.0)
    assert y.loc[("T2", 2026), "cost_wan_yuan"] == pytest.approx(4.5)


def test_a_status_of_a_plan_year_starts_the_works_after_it() -> None:
    later = STATUS.assign(year=STATUS["year"].replace({2025: 2026}))
    years = planned(status=later)["year"]
    assert years.min() == 2027 and years.max() == 2028
    assert planned(status=STATUS[STATUS["room"] == "up_to_standard"].iloc[:0]).empty


def test_the_demo_plan_pays_for_its_rooms(county) -> None:
    from fpplan.planning.plan import make_plan

    plan = make_plan(county, "medium")
    hand = rooms_cost(county)
    assert hand["cost"] > 0
    m = plan.money[plan.money["category"] == "village_rooms"]
    assert m["total_wan_yuan"].sum() == pytest.approx(hand["cost"])
    assert m["subsidy_wan_yuan"].sum() == pytest.approx(hand["subsidy"])
    assert set(m["year"]) <= set(range(plan.first_year, plan.plan_year + 1))
    row = plan.subsidy.set_index("station").loc["village_rooms"]
    assert row["still_to_secure_wan_yuan"] == pytest.approx(hand["subsidy"])
    assert plan.headline["still_to_secure_wan_yuan"] == pytest.approx(plan.subsidy["still_to_secure_wan_yuan"].sum())
    # every listed village up to standard at the plan year: now + to build + to upgrade = villages, room and school
    t = plan.rooms_by_township
    for kind in ("rooms", "schools"):
        assert (
            t[f"{kind}_up_to_standard"] + t[f"{kind}_to_build"] + t[f"{kind}_to_upgrade"]
            == t["villages"] - t["villages_not_assessed"]
        ).all()
    assert t["villages"].sum() == len(county.villages())


def test_the_workbook_sheet(county, tmp_path) -> None:
    from fpplan.app.workbook import write_workbook
    from fpplan.planning.plan import make_plan

    plan = make_plan(county, "medium")
    book = load_workbook(write_workbook(plan, tmp_path / "plan.xlsx"), read_only=True)
    rows = list(book["村服务室与人口学校规划"].iter_rows(values_only=True))
    headers = rows[0]
    assert headers[:4] == ("乡镇名称", "村数", "未评估村数(个)", "服务室现已达标(个)")
    assert headers[-5:] == ("2026", "2027", "2028", "2029", "2030")
    body = [r for r in rows[1:] if r[0] in plan.township_names.values()]
    assert len(body) == len(county.townships())
    total = next(r for r in rows if r[0] == "合计")
    cost = headers.index("建设改造经费(万元)")
    assert total[cost] == pytest.approx(rooms_cost(county)["cost"])
    # each year's works add up to all the works
    works = sum(
        total[headers.index(h)]
        for h in ("服务室需新建(个)", "服务室需改造(个)", "人口学校需新建(所)", "人口学校需改造(所)")
    )
    assert sum(total[-5:]) == works
    note = next(r[0] for r in rows if isinstance(r[0], str) and r[0].startswith("各年份列为"))
    assert "演示假设" in note and "村级服务室和人口学校应全部达标" in note
    money = next(iter(book["年度资金（按来源）"].iter_rows(values_only=True)))
    assert "村服务室和人口学校·上级补助(万元)" in money


def test_without_the_table_the_rooms_are_not_assessed(demo, tmp_path) -> None:
    from fpplan.planning.plan import make_plan
    from fpplan.testing import variants

    folder = variants.copy(demo, tmp_path / "county")
    (folder / "village_rooms.csv").unlink()
    county = load_county(folder)
    assert not county.has("village_rooms")
    plan = make_plan(county, "medium")
    assert not plan.rooms_assessed and plan.rooms_by_township.empty and plan.room_works.empty
    assert "village_rooms" not in set(plan.money["category"]) and "village_rooms" not in set(plan.subsidy["station"])
    assert any("未评估" in n for n in plan.notes)


def test_rooms_and_survey_made_once_per_county_each_plan_its_own_copy(county) -> None:
    """The village rooms and the survey's inputs are the same in every scenario: made once per County, equal to
    what village_rooms and survey_inputs give, and a plan changing its copy changes no other plan's."""
    from fpplan.planning import survey_effect
    from fpplan.planning.plan import _survey_inputs, _village_rooms, village_rooms

    first = _village_rooms(county, 2026, 2030)
    fresh = village_rooms(county, 2026, 2030)
    for key in ("works", "by_township", "by_year"):
        pd.testing.assert_frame_equal(first[key], fresh[key], check_exact=True)
    assert first["assessed"] == fresh["assessed"]
    first["works"]["cost_wan_yuan"] = -1.0  # one plan's copy changed …
    second = _village_rooms(county, 2026, 2030)
    pd.testing.assert_frame_equal(second["works"], fresh["works"], check_exact=True)  # … not the next one's
    survey, again = _survey_inputs(county), survey_effect.survey_inputs(county)
    assert survey.year == again.year and survey.months == again.months
    pd.testing.assert_frame_equal(survey.uplift, again.uplift, check_exact=True)
    pd.testing.assert_frame_equal(survey.classes, again.classes, check_exact=True)
    survey.uplift["uplift"] = 9.0
    assert (_survey_inputs(county).uplift["uplift"] < 9.0).all()
