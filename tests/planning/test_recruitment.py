"""The recruitment plan (integer program) on hand cases: a two-station roster whose smallest plan is known by hand,
one that no plan can meet (with the explanation), training as an option; and the head-count norms with their
population and radius terms."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from fpplan.data.config import load
from fpplan.data.models.planning import RecruitmentConfig, Standards, StructureRule
from fpplan.planning.recruitment import evaluate, explain, hire_profiles, plan_staff
from fpplan.planning.staffing import county_norm, head_count_norms

SHIPPED = load("standards")
RETIREMENT = {"male": 60, "female": 55}
YEARS = np.arange(2026, 2029)


def standards(*rules: StructureRule) -> Standards:
    return SHIPPED.model_copy(
        update={
            "technical_staff": SHIPPED.technical_staff.model_copy(update={"exclude_specialties": ("finance",)}),
            "structure": rules,
            "licence_by_specialty": {"nursing": ("nurse",), "gynaecology": ("physician", "assistant_physician")},
        }
    )


BACHELOR = StructureRule(
    code="bachelor", field="education", values=("postgraduate", "bachelor"), min_share=0.2, source="seed 000"
)
LICENSED = StructureRule(
    code="licensed_assistant_physician",
    field="licence",
    values=("physician", "assistant_physician"),
    min_count=2,
    source="seed 000",
)
SECONDARY = StructureRule(
    code="at_least_secondary",
    field="education",
    values=("postgraduate", "bachelor", "associate", "secondary_vocational"),
    min_share=1.0,
    source="seed 000",
)


def config(max_trainees: int = 0, upgrades: tuple = ()) -> RecruitmentConfig:
    return RecruitmentConfig.model_validate(
        {
            "source": "test",
            "hiring": {
                "education": ["bachelor", "associate"],
                "titles": ["junior"],
                "annual_cost_wan_yuan": {"junior": 6.0},
            },
            "training": {"max_per_year": max_trainees, "upgrades": list(upgrades)},
        }
    )


def roster(extra: list | None = None) -> pd.DataFrame:
    """C1 (central): three nurses; G1 (general): a gynaecologist (physician) and a nurse who retires in 2027
    (born 1972, women retire at 55)."""
    rows = [
        ["S1", "C1", "nursing", "associate", "junior", True, "nurse", 1.0, "female", 1980],
        ["S2", "C1", "nursing", "associate", "junior", True, "nurse", 1.0, "female", 1981],
        ["S3", "C1", "nursing", "associate", "junior", True, "nurse", 1.0, "female", 1982],
        ["S4", "G1", "gynaecology", "associate", "junior", True, "physician", 1.0, "female", 1990],
        ["S5", "G1", "nursing", "associate", "junior", True, "nurse", 1.0, "female", 1972],
    ] + (extra or [])
    return pd.DataFrame(
        rows,
        columns=[
            "staff_id",
            "station_code",
            "specialty",
            "education",
            "title",
            "medical",
            "licence",
            "fte",
            "sex",
            "birth_year",
        ],
    )


NORMS = pd.DataFrame([(s, y, n) for s, n in (("C1", 4), ("G1", 2)) for y in YEARS], columns=["station", "year", "norm"])
REQUIRED = pd.DataFrame({"station": "C1", "cadre": "nursing", "year": YEARS, "required": 2.0})


def test_the_smallest_plan_is_the_one_found_by_hand() -> None:
    # 2026: C1 has 3 of 4 → one hire there. Bachelor ≥ 20% of 5 + k technical staff needs k/(5 + k) ≥ 0.2 → k = 2.
    # Licensed ≥ 2 with one physician → one hire is a licensed gynaecologist. 2027: G1's nurse retires, so the
    # second 2026 hire must already be at G1 (else a third hire in 2027). Smallest plan: 2 hires, both in 2026,
    # one at C1 and one at G1, both bachelors, one a licensed gynaecologist.
    std = standards(BACHELOR, LICENSED)
    plan = plan_staff(roster(), REQUIRED, NORMS, std, config(), RETIREMENT, YEARS)
    assert plan.feasible and plan.shortfalls.empty
    hires = plan.hires
    assert len(hires) == 2
    assert hires["year"].tolist() == [2026, 2026]
    assert sorted(hires["station"]) == ["C1", "G1"]
    assert (hires["education"] == "bachelor").all()
    licensed = hires[hires["licence"].isin(["physician", "assistant_physician"])]
    assert len(licensed) >= 1 and (licensed["specialty"] == "gynaecology").all()
    # the plan's own check, rule by rule, year by year
    assert plan.head_counts["met"].all() and plan.structure["met"].all() and plan.wisn["met"].all()
    g1 = plan.head_counts.set_index(["station", "year"])
    assert g1.loc[("G1", 2027), "in_post"] == 1 and g1.loc[("G1", 2027), "staff"] == 2


def test_no_single_hire_meets_the_rules_brute_force() -> None:
    # every one-hire plan (year × station × qualification) fails some rule in some year: 2 is the minimum
    std = standards(BACHELOR, LICENSED)
    profiles = hire_profiles(["nursing", "gynaecology"], std, config())
    for year, station, p in itertools.product(YEARS, ["C1", "G1"], profiles.itertuples()):
        hire = pd.DataFrame(
            [
                {
                    "hire_id": "H1",
                    "year": year,
                    "station": station,
                    "specialty": p.specialty,
                    "education": p.education,
                    "title": p.title,
                    "licence": p.licence,
                    "medical": p.medical,
                    "annual_cost_wan_yuan": 6.0,
                }
            ]
        )
        check = evaluate(
            roster(),
            hire,
            pd.DataFrame(columns=["staff_id", "year", "field", "to_value"]),
            REQUIRED,
            NORMS,
            std,
            RETIREMENT,
            YEARS,
        )
        assert not (check["head_counts"]["met"].all() and check["structure"]["met"].all())


def test_rules_no_plan_can_meet_are_explained() -> None:
    # a person below 中专 at G1 and no training: "everyone at least 中专" fails by exactly that person every year
    # (hires are all qualified; they cannot change it)
    below = [["S6", "G1", "nursing", "below_secondary", "junior", True, "nurse", 1.0, "female", 1985]]
    std = standards(BACHELOR, LICENSED, SECONDARY)
    plan = plan_staff(roster(below), REQUIRED, NORMS, std, config(), RETIREMENT, YEARS)
    assert not plan.feasible
    short = plan.shortfalls
    assert set(short["constraint"]) == {"structure"} and set(short["rule"]) == {"at_least_secondary"}
    assert short["year"].tolist() == [2026, 2027, 2028]
    assert short["short_by"].tolist() == pytest.approx([1.0, 1.0, 1.0])
    zh = explain(short, lang="zh")
    assert zh[0] == "2026年其他人员具备中专以上学历：还差 1 人（折合全时）"
    assert explain(short, lang="en")[0] == "2026: everyone else at least secondary vocational short by 1 FTE"


def test_training_the_person_in_post_is_chosen_when_allowed() -> None:
    below = [["S6", "G1", "nursing", "below_secondary", "junior", True, "nurse", 1.0, "female", 1985]]
    std = standards(BACHELOR, LICENSED, SECONDARY)
    upgrade = {
        "code": "education_secondary",
        "field": "education",
        "from": ["below_secondary"],
        "to": "secondary_vocational",
        "cost_wan_yuan": 0.8,
    }
    plan = plan_staff(roster(below), REQUIRED, NORMS, std, config(1, (upgrade,)), RETIREMENT, YEARS)
    assert plan.feasible
    assert plan.training[["staff_id", "year", "to_value"]].values.tolist() == [["S6", 2026, "secondary_vocational"]]
    # S6 keeps G1 at 2 after the 2027 retirement, so 2 hires still suffice: 6 technical staff, 2 bachelors
    assert len(plan.hires) == 2 and plan.structure["met"].all()
    assert plan.costs.set_index("year").loc[2026, "training_wan_yuan"] == pytest.approx(0.8)


def test_rules_holding_only_in_the_plan_year_leave_time_to_train() -> None:
    # two people below 中专, one trainee a year: impossible in 2026, possible by 2028 when the rule holds then
    below = [
        ["S6", "G1", "nursing", "below_secondary", "junior", True, "nurse", 1.0, "female", 1985],
        ["S7", "C1", "nursing", "below_secondary", "junior", True, "nurse", 1.0, "female", 1986],
    ]
    upgrade = {
        "code": "education_secondary",
        "field": "education",
        "from": ["below_secondary"],
        "to": "secondary_vocational",
        "cost_wan_yuan": 0.8,
    }
    every = plan_staff(
        roster(below), REQUIRED, NORMS, standards(BACHELOR, SECONDARY), config(1, (upgrade,)), RETIREMENT, YEARS
    )
    assert not every.feasible
    assert every.shortfalls.set_index("year")["short_by"].to_dict() == pytest.approx({2026: 1.0})
    by_plan_year = SECONDARY.model_copy(update={"holds": "plan_year"})
    later = plan_staff(
        roster(below), REQUIRED, NORMS, standards(BACHELOR, by_plan_year), config(1, (upgrade,)), RETIREMENT, YEARS
    )
    assert later.feasible and sorted(later.training["staff_id"]) == ["S6", "S7"]
    assert (later.training["year"] <= 2028).all()


def test_wisn_need_and_hiring_quota() -> None:
    # laboratory need of 2.5 FTE at G1 from 2027 and nobody in laboratory: 3 lab hires by 2027 at the latest;
    # a quota of 1 hire a year cannot deliver bachelors (2 in 2026) and three lab staff by 2027
    need = pd.concat(
        [REQUIRED, pd.DataFrame({"station": "G1", "cadre": "laboratory", "year": [2027, 2028], "required": 2.5})]
    )
    std = standards(BACHELOR, LICENSED)
    plan = plan_staff(roster(), need, NORMS, std, config(), RETIREMENT, YEARS)
    assert plan.feasible
    lab = plan.hires[plan.hires["specialty"] == "laboratory"]
    assert len(lab) == 3 and (lab["year"] <= 2027).all()
    quota = config().model_copy(update={"hiring": config().hiring.model_copy(update={"max_per_year": 1})})
    capped = plan_staff(roster(), need, NORMS, std, quota, RETIREMENT, YEARS)
    assert not capped.feasible and len(capped.shortfalls)


def test_head_count_norms_with_population_and_radius_terms() -> None:
    facilities = pd.DataFrame(
        {
            "code": ["Z", "C", "G1", "G2"],
            "township_code": ["T0", "T1", "T2", "T3"],
            "level": ["county_station", "township_central", "township_general", "township_general"],
        }
    )
    served = pd.DataFrame(
        {"station": ["Z", "C", "G1", "G2"], "year": 2030, "women_15_49": [9000.0, 9500.0, 3100.0, 7000.0]}
    )
    county = pd.DataFrame({"year": [2030], "women_15_49": [45000.0]})
    radius = pd.Series({"Z": 60.0, "C": 47.0, "G1": 10.0, "G2": 50.0})
    norms = head_count_norms(facilities, served, county, radius, SHIPPED).set_index("station")
    # county station: basis county, 20 + ⌈(45,000 − 40,000)/4,000⌉ = 22 (no radius term)
    assert norms.loc["Z", ["women_15_49", "women_term", "radius_term", "norm"]].tolist() == [45000.0, 2, 0, 22]
    # central: 4 + ⌈3,500/3,000⌉ + ⌈17/15⌉ = 4 + 2 + 2 = 8
    assert norms.loc["C", ["women_term", "radius_term", "norm"]].tolist() == [2, 2, 8]
    # general: 2 + ⌈100/2,000⌉ = 3; 2 + 2 + 2 = 6 capped at the maximum 3
    assert norms.loc["G1", "norm"] == 3 and norms.loc["G2", ["women_term", "radius_term", "norm"]].tolist() == [2, 2, 3]
    assert county_norm(norms.reset_index()).set_index("year").loc[2030, "norm"] == 22 + 8 + 3 + 3
