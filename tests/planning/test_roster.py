"""The roster projected year by year and the plan's staff gaps: brute-force counts of who is still in post,
retirements that move the gap by exactly their FTE, hires that retire too, and the headline numbers."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from fpplan.data.config import config_path
from fpplan.planning.gaps import staff_gap
from fpplan.planning.plan import make_plan
from fpplan.planning.recruitment import plan_staff
from fpplan.planning.roster import hire_tenure, projected_roster
from tests.planning.test_recruitment import NORMS, RETIREMENT, SECONDARY, YEARS, config, roster, standards


@pytest.fixture(scope="module")
def plan(county):
    return make_plan(county, "medium")


def brute_force(staff: pd.DataFrame, hires: pd.DataFrame, years, retirement: dict, tenure: int | None, as_of: int):
    """Person by person, year by year: (station, specialty, year) → (FTE, persons) in post, and retired (everyone
    listed is in post in the roster's year ``as_of``)."""
    in_post, retired = {}, {}
    for y in years:
        for r in staff.itertuples():
            key = (r.station_code, r.specialty, int(y))
            leaves = r.birth_year + retirement[r.sex]
            target = in_post if y < leaves or y == as_of else retired
            fte, persons = target.get(key, (0.0, 0))
            target[key] = (fte + r.fte, persons + 1)
        for h in hires.itertuples():
            key = (h.station, h.specialty, int(y))
            if h.year <= y and (tenure is None or y < h.year + tenure):
                fte, persons = in_post.get(key, (0.0, 0))
                in_post[key] = (fte + 1.0, persons + 1)
    return in_post, retired


def test_staff_in_post_is_the_brute_force_count(county, plan) -> None:
    """Every station × specialty × year of the demo: today's roster still in post plus the hires entered."""
    retirement = county.config["wisn"].retirement_age
    tenure = hire_tenure(retirement, county.config["recruitment"].hiring.age_at_hire)
    in_post, retired = brute_force(county.staff, plan.recruitment, plan.years, retirement, tenure, county.base_year)
    r = plan.roster.set_index(["station", "specialty", "year"])
    for key, (fte, persons) in in_post.items():
        assert r.loc[key, "staff_fte"] == pytest.approx(fte) and r.loc[key, "staff_persons"] == persons
    for key, (fte, persons) in retired.items():
        assert r.loc[key, "retired_fte"] == pytest.approx(fte) and r.loc[key, "retired_persons"] == persons
    assert r["staff_fte"].sum() == pytest.approx(sum(v[0] for v in in_post.values()))
    # what the issue saw: 13.0 of the demo's 43.5 FTE reach retirement age by 2035
    horizon = plan.roster[plan.roster["year"] == 2035]
    assert county.staff["fte"].sum() == 43.5 and horizon["retired_fte"].sum() == pytest.approx(13.0)
    # the WISN table's staff in post is the projected roster, not today's roster held constant
    wisn = plan.wisn.groupby("year")["existing"].sum()
    assert wisn.loc[2025] > wisn.loc[2035]
    cadres = set(plan.wisn["cadre"])
    mask = plan.roster["specialty"].isin(cadres) & plan.roster["station"].isin(set(plan.wisn["station"]))
    assert wisn.loc[2035] == pytest.approx(plan.roster[mask & (plan.roster["year"] == 2035)]["in_post_fte"].sum())


def test_the_recruitment_plan_sees_the_same_roster(plan) -> None:
    """The integer program's own check (recruitment.evaluate) counts the same technical staff per station and year
    as the projected roster."""
    heads = plan.staff_plan.head_counts.set_index(["station", "year"])
    gap = plan.station_gap.set_index(["station", "year"]).loc[heads.index]
    assert np.allclose(heads["in_post"], gap["technical_in_post_fte"])
    assert np.allclose(heads["hired"], gap["technical_hired_fte"])


def test_gap_is_the_larger_shortfall_station_by_station() -> None:
    """By hand: S1 needs 5.5 FTE by WISN (3 in post) and 4 by the norm (3.5 technical in post) → 2.5; S2 needs
    1.5 by WISN (2 in post) and 3 by the norm (2 in post) → 1.0 (S1's surplus never offsets S2); after one hire
    at S1: 1.5 and 1.0 → whole persons 2 and 1."""
    wisn = pd.DataFrame(
        {"station": ["S1", "S1", "S2"], "cadre": ["gyn", "nur", "gyn"], "year": 2030, "required": [4.0, 1.5, 1.5]}
    )
    r = pd.DataFrame(
        {
            "station": ["S1", "S1", "S1", "S2"],
            "specialty": ["gyn", "nur", "edu", "gyn"],
            "year": 2030,
            "in_post_fte": [2.0, 1.0, 0.5, 2.0],
            "in_post_persons": [2, 1, 1, 2],
            "retired_fte": 0.0,
            "retired_persons": 0,
            "hired_fte": [1.0, 0.0, 0.0, 0.0],
            "hired_persons": [1, 0, 0, 0],
        }
    )
    norms = pd.DataFrame({"station": ["S1", "S2"], "year": 2030, "norm": [4, 3]})
    g = staff_gap(wisn, r, norms, ["gyn", "nur", "edu"]).set_index("station")
    assert g.loc["S1", "gap_before_fte"] == pytest.approx(2.5) and g.loc["S2", "gap_before_fte"] == pytest.approx(1.0)
    assert g.loc["S1", "gap_after_fte"] == pytest.approx(1.5) and g.loc["S2", "gap_after_fte"] == pytest.approx(1.0)
    assert list(g["gap_before_persons"]) == [3, 1] and list(g["gap_after_persons"]) == [2, 1]


def test_retirements_raise_the_gap_by_their_fte(county, plan) -> None:
    """Every county-station technical member still in post in 2035 (11.5 FTE) made to reach retirement age in 2027:
    the county's gap before hires grows by exactly 11.5 FTE in every year from 2027 and by nothing before; staff in
    post fall by 11.5."""
    standards_ = county.config["standards"]
    retirement = county.config["wisn"].retirement_age
    staff = county.staff.copy()
    leaves = staff["birth_year"] + staff["sex"].map(retirement)
    technical = ~staff["specialty"].isin(standards_.technical_staff.exclude_specialties)
    chosen = (staff["station_code"] == "ZD001") & technical & (leaves > 2035)
    assert staff.loc[chosen, "fte"].sum() == 11.5
    staff.loc[chosen, "birth_year"] = 2027 - staff.loc[chosen, "sex"].map(retirement)
    moved = make_plan(dataclasses.replace(county, staff=staff), "medium", projection=plan.projection)
    before = plan.county_by_year.set_index("year")
    after = moved.county_by_year.set_index("year")
    change = after["gap_before_fte"] - before["gap_before_fte"]
    assert np.allclose(change.loc[2027:], 11.5) and np.allclose(change.loc[:2026], 0.0)
    assert np.allclose(before["technical_in_post_fte"].loc[2027:] - after["technical_in_post_fte"].loc[2027:], 11.5)
    assert moved.headline["staff_gap_before_fte"] == pytest.approx(plan.headline["staff_gap_before_fte"] + 11.5)
    # the recruitment plan replaces them: more hires, and no gap left in the plan years
    assert moved.headline["hires_persons"] >= plan.headline["hires_persons"] + 11
    plan_years = after.loc[2026 : moved.plan_year]
    assert (plan_years["gap_after_fte"] == 0).all()


def test_after_hires_no_gap_is_left_in_the_plan_years(plan) -> None:
    """The plan meets each station's WISN need and head-count norm from its first year to the plan year; after it
    retirements open the gap again, and the headline says so."""
    c = plan.county_by_year.set_index("year")
    assert plan.problems == ()
    assert (c.loc[2026 : plan.plan_year, "gap_after_fte"] == 0).all()
    assert c.loc[plan.plan_year, "gap_before_persons"] <= plan.headline["hires_persons"]
    h = plan.headline
    assert h["horizon"] == 2035 and h["staff_gap_before_fte"] == pytest.approx(c.loc[2035, "gap_before_fte"])
    assert h["staff_gap_before_persons"] == int(plan.station_gap.query("year == 2035")["gap_before_persons"].sum())
    assert h["technical_retired_fte"] == pytest.approx(c.loc[2035, "technical_retired_fte"])
    assert h["hires_persons"] == len(plan.recruitment)


def test_hires_retire_too() -> None:
    """C1 (norm 4, three nurses) and G1 (norm 2; its nurse reaches 55 in 2027): with hires staying for good, one hire
    at C1 in 2026 and one at G1 in 2027; when a hire stays one year only, C1 hires every year and G1 in 2027 and
    2028; two years: C1 in 2026 and 2028, G1 in 2027."""
    std = standards(SECONDARY)  # every hire and person in post meets it: only the norms bind
    empty = pd.DataFrame(columns=["station", "cadre", "year", "required"])

    def hires(tenure):
        p = plan_staff(roster(), empty, NORMS, std, config(), RETIREMENT, YEARS, tenure)
        assert p.feasible and p.head_counts["met"].all()
        return sorted(zip(p.hires["year"], p.hires["station"])), p

    assert hires(None)[0] == [(2026, "C1"), (2027, "G1")]
    one, p1 = hires(1)
    assert one == [(2026, "C1"), (2027, "C1"), (2027, "G1"), (2028, "C1"), (2028, "G1")]
    assert hires(2)[0] == [(2026, "C1"), (2027, "G1"), (2028, "C1")]
    # the hires' yearly cost counts the hires in post that year: 1, 2, 2 hires of 6 万元
    assert list(p1.costs["hires_wan_yuan"]) == [6.0, 12.0, 12.0]
    r = projected_roster(roster(), p1.hires, YEARS, RETIREMENT, 1).groupby(["station", "year"])["staff_fte"].sum()
    assert r.loc["G1"].tolist() == [2.0, 2.0, 2.0] and r.loc["C1"].tolist() == [4.0, 4.0, 4.0]
    assert hire_tenure({"male": 60, "female": 55}, 30) == 25


def test_staff_costs_and_training_in_money_by_year(county, plan) -> None:
    """The hires' yearly cost is in money by year (the demo's 19 hires, two of them for the demand survey's core needs,
    cost 122 万元 a year by 2030), the county's
    own money; at least two trainees a year (seed 000: 每年坚持选送2至3名)."""
    staff = plan.money[plan.money["category"] == "staff"].set_index("year")
    hires = plan.recruitment
    for year in range(2026, plan.plan_year + 1):
        assert staff.loc[year, "total_wan_yuan"] == pytest.approx(
            hires.loc[hires["year"] <= year, "annual_cost_wan_yuan"].sum()
        )
    assert staff.loc[2030, "self_raised_wan_yuan"] == pytest.approx(122.0) and (staff["subsidy_wan_yuan"] == 0).all()
    trainees = plan.staff_plan.training.groupby("year").size().reindex(range(2026, plan.plan_year + 1), fill_value=0)
    assert (trainees >= 2).all() and (trainees <= 3).all()
    assert county.config["recruitment"].training.min_per_year == 2
    assert "每年坚持选送2至3名" in config_path(county.path, "recruitment").read_text(encoding="utf-8")


def test_per_capita_budget_over_each_years_population(county, plan) -> None:
    """2025 over the base population; 2023 and 2024 over the population taken back through the vital history
    (which reaches the demo's 2015 population history exactly); plan spending over the projected population."""
    pc = plan.per_capita.set_index("year")
    base = county.population["population"].sum()
    v = county.vital_history.groupby("year").sum(numeric_only=True)
    change = (
        v["births_male"]
        + v["births_female"]
        - v["deaths_male"]
        - v["deaths_female"]
        + v["in_migrants"]
        - v["out_migrants"]
    )
    assert pc.loc[2025, "population"] == base
    assert pc.loc[2024, "population"] == base - change.loc[2024]
    assert pc.loc[2023, "population"] == base - change.loc[2024] - change.loc[2023]
    assert base - change.sum() == county.population_history["population"].sum()
    budget = county.budget.set_index("year")["fp_budget_yuan"]
    assert pc.loc[2023, "budget_per_capita_yuan"] == pytest.approx(budget.loc[2023] / pc.loc[2023, "population"])
    c = plan.county_by_year.set_index("year")
    total = plan.money.groupby("year")["total_wan_yuan"].sum()
    assert pc.loc[2030, "plan_spending_per_capita_yuan"] == pytest.approx(
        total.loc[2030] * 1e4 / c.loc[2030, "population"]
    )
    assert np.isnan(pc.loc[2030, "fp_budget_yuan"])  # no budget given: no data, not 0


def test_every_head_count_of_today_agrees(plan) -> None:
    """Today's technical staff is one number: the head-count check (every unit, mobile vehicles too), the structure
    rules' FTE and the plan's base-year staff in post (the roster's own year: everyone listed is in post)."""
    today = plan.head_count["staff"].sum()
    shares = plan.structure.loc[plan.structure["kind"] == "share", "staff"]
    base = plan.county_by_year.set_index("year").loc[2025]
    assert today == 39.5 and (shares == today).all() and base["technical_in_post_fte"] == today
    assert base["wisn_need_fte"] == pytest.approx(plan.wisn.query("year == 2025")["required"].sum())
    assert base["wisn_in_post_fte"] == pytest.approx(plan.wisn.query("year == 2025")["existing"].sum())


def test_the_per_capita_indicator_is_the_plans(county, plan) -> None:
    """The scorecard's 人均计划生育事业费 divides each year's budget by that year's population, as the plan does."""
    from fpplan.indicators.sources import budget_values

    indicators = {"per_capita_budget": county.config["indicators"].indicators["per_capita_budget"]}
    values = budget_values(county, "county", "year", indicators).dropna(subset=["value"])
    mine = values.set_index(values["period"].astype(int))["value"]
    plans = plan.per_capita.set_index("year")["budget_per_capita_yuan"]
    assert len(mine) == 3 and np.allclose(mine, plans.reindex(mine.index))
    assert mine.loc[2023] != pytest.approx(
        county.budget.set_index("year").loc[2023, "fp_budget_yuan"] / county.population["population"].sum()
    )


def test_population_taken_back_stops_where_the_history_does() -> None:
    """Each history year changes the population by births − deaths + in − out = 10 − 4 + 6 = 12: 2024 has 988,
    2023 976; 2022 is missing, so 2021 cannot be taken back (absent, not guessed)."""
    from fpplan.data.forward import county_population

    projected = pd.DataFrame({"year": [2025, 2026], "population": [1000.0, 1010.0]})
    vital = pd.DataFrame(
        {
            "year": [2021, 2023, 2024],
            "township_code": "T",
            "births_male": 5,
            "births_female": 5,
            "deaths_male": 2,
            "deaths_female": 2,
            "in_migrants": 10,
            "out_migrants": 4,
        }
    )
    population = county_population(projected, vital)
    assert population.to_dict() == {2023: 976.0, 2024: 988.0, 2025: 1000.0, 2026: 1010.0}


def test_the_training_minimum_trains_whoever_can_be_trained() -> None:
    """Two trainees a year (seed 000) with one upgrade possible in the whole roster (S4, the only junior
    gynaecologist, to intermediate title): one trainee in the first year, and the years short of the minimum are
    reported, not a refused plan."""
    upgrade = {
        "code": "title_intermediate",
        "field": "title",
        "from": ["junior"],
        "to": "intermediate",
        "specialties": ["gynaecology"],
        "cost_wan_yuan": 0.6,
    }
    cfg = config(max_trainees=3, upgrades=(upgrade,))
    cfg = cfg.model_copy(update={"training": cfg.training.model_copy(update={"min_per_year": 2})})
    empty = pd.DataFrame(columns=["station", "cadre", "year", "required"])
    p = plan_staff(roster(), empty, NORMS, standards(SECONDARY), cfg, RETIREMENT, YEARS, 25)
    assert p.feasible and list(p.training["staff_id"]) == ["S4"]
    short = p.training_shortfalls.set_index("year")["short_by"]
    trained_in = int(p.training["year"].iloc[0])
    assert short.sum() == 2 * len(YEARS) - 1 and short.get(trained_in, 0) == 1
