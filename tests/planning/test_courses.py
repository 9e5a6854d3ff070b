"""Staff development in the plan (issue 26 phase 2): seed 004's 3-month course at the county station for every
township technical staff member, in equal batches over the plan's years, and each township hire in the year of
hiring, a row per year of the training plan with its cost; seed 000's 2–3 key staff a year stays the training
minimum. Hand-computed, then on the demo's plan."""

from __future__ import annotations

import pandas as pd
import pytest

from fpplan.data.models.planning import CountyStationCourse
from fpplan.planning.courses import county_station_courses
from fpplan.planning.officials import officials_tables

COURSE = CountyStationCourse(months=3, cost_wan_yuan=0.3, source="s")
FACILITIES = pd.DataFrame(
    {
        "code": ["Z", "C", "G", "M"],
        "level": ["county_station", "township_central", "township_general", "mobile_vehicle"],
    }
)


def test_batches_and_hires_by_hand() -> None:
    # at the plan year 2030: 5 nurses at C, 2 gynaecologists at G, 1 finance (not technical) at G, 4 at the county
    roster = pd.DataFrame(
        {
            "station": ["C", "G", "G", "Z", "C"],
            "specialty": ["nursing", "gynaecology", "finance", "nursing", "nursing"],
            "year": [2030, 2030, 2030, 2030, 2026],
            "in_post_persons": [5, 2, 1, 4, 6],
        }
    )
    hires = pd.DataFrame(
        {"year": [2027, 2027, 2029], "station": ["G", "Z", "C"], "specialty": ["laboratory", "nursing", "nursing"]}
    )
    c = county_station_courses(roster, hires, FACILITIES, ["nursing", "gynaecology", "laboratory"], COURSE, 2026, 2030)
    # n = 7 over 5 years: ⌊(k+1)·7/5⌋ − ⌊k·7/5⌋ = 1, 1, 2, 1, 2; hires at township stations: G 2027, C 2029
    assert c["in_post_persons"].tolist() == [1, 1, 2, 1, 2]
    assert c["hired_persons"].tolist() == [0, 1, 0, 1, 0]
    assert c["persons"].tolist() == [1, 2, 2, 2, 2]
    assert c["cost_wan_yuan"].tolist() == pytest.approx([0.3, 0.6, 0.6, 0.6, 0.6])
    assert county_station_courses(roster, hires, FACILITIES, ["nursing"], None, 2026, 2030).empty


def test_the_demo_plans_training(county) -> None:
    from fpplan.planning.plan import make_plan

    plan = make_plan(county, "medium")
    course = county.config["recruitment"].training.county_station_course
    assert course.months == 3 and "分期分批到县站进修学习" in course.source
    c = plan.courses.set_index("year")
    assert list(c.index) == list(range(plan.first_year, plan.plan_year + 1))
    # every township technical staff member still in post at the plan year, counted from the roster file by hand
    fac = county.facilities.set_index("code")["level"]
    excluded = set(county.config["standards"].technical_staff.exclude_specialties)
    age = county.config["wisn"].retirement_age
    staying = [
        p
        for p in county.staff.itertuples()
        if fac.get(p.station_code) in course.levels
        and p.specialty not in excluded
        and p.birth_year + age[p.sex] > plan.plan_year
    ]
    assert c["in_post_persons"].sum() == len(staying)
    hires = plan.recruitment
    township_hires = hires[hires["station"].map(fac).isin(course.levels) & ~hires["specialty"].isin(excluded)]
    assert c["hired_persons"].sum() == len(township_hires)
    assert c["cost_wan_yuan"].sum() == pytest.approx(0.3 * (len(staying) + len(township_hires)))
    # in the training plan, a row per year, and in the money's training category
    t = officials_tables(plan)["training"]
    rows = t[t["upgrade"] == "county_station_course"].set_index("year")
    assert rows["persons"].to_dict() == c["persons"][c["persons"] > 0].to_dict()
    training = plan.money[plan.money["category"] == "training"].set_index("year")["total_wan_yuan"]
    upgrades = plan.staff_plan.training.groupby("year")["cost_wan_yuan"].sum()
    assert training.to_dict() == pytest.approx(upgrades.add(c["cost_wan_yuan"], fill_value=0).to_dict())
    # seed 000's 2–3 key staff a year: the upgrades' minimum, met every year of the demo's plan
    trainees = plan.staff_plan.training.groupby("year").size()
    assert county.config["recruitment"].training.min_per_year == 2 and (trainees.between(2, 3)).all()
