"""The demand survey drives the plan (issue 26, phase 2; seed 000 第五篇 三(一)): needs classed over the year by their
share of the year's needs and of the villages raising them, unlawful needs flagged and never planned for, core needs
raising the volume of their services by the configured uplift from the year after the survey, and so the WISN staff
need — against a hand-computed case and on the demo's plan."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook

from fpplan import load_county
from fpplan.data.config import load
from fpplan.planning import staffing, survey_effect
from fpplan.rules import survey_rollup
from fpplan.rules.survey import need_classes
from fpplan.testing.mini import mini_tables, write_mini_county

RULES = load("rules").survey  # core ≥ 15% of the year's needs and ≥ 50% of villages; main ≥ 6% and ≥ 25%; general ≥ 3%


def test_the_shipped_rule_and_vocabulary_quote_seed_000() -> None:
    assert RULES.rounds_per_year == 2 and len(RULES.contents) == 3
    assert set(RULES.channels) == {"primary", "auxiliary", "supplementary"}
    assert "悄悄话室咨询记录" in RULES.channels["supplementary"].through_zh
    assert [(c.code, c.min_count_share, c.min_village_share) for c in RULES.classes] == [
        ("core", 0.15, 0.5),
        ("main", 0.06, 0.25),
        ("general", 0.03, 0.0),
        ("latent", 0.0, 0.0),
    ]
    assert RULES.uplift["core"].uplift == pytest.approx(0.10) and "demo assumption" in RULES.uplift["core"].source
    assert "人口与计划生育法" in RULES.conflicts["fetal_sex_identification"].source


def test_classes_by_share_of_needs_and_of_villages() -> None:
    # 4 villages; 200 needs in the year
    survey = pd.DataFrame(
        [
            ["A", "gyn_screening", 60],
            ["B", "gyn_screening", 20],  # 40%, 2 of 4 villages: core
            ["A", "male_health", 80],  # 40% of needs but 1 of 4 villages (25%): main
            ["C", "infertility", 10],  # 5%: general
            ["D", "fetal_sex_identification", 30],
        ],  # 15%, 1 village: main, and unlawful
        columns=["village_code", "need", "count"],
    )
    c = need_classes(survey, 4, RULES).set_index("need")
    assert c["class"].to_dict() == {
        "gyn_screening": "core",
        "male_health": "main",
        "infertility": "general",
        "fetal_sex_identification": "main",
    }
    assert c["count_share"].to_dict() == pytest.approx(
        {"gyn_screening": 0.4, "male_health": 0.4, "infertility": 0.05, "fetal_sex_identification": 0.15}
    )
    assert c["conflict"].to_dict() == {
        "gyn_screening": False,
        "male_health": False,
        "infertility": False,
        "fetal_sex_identification": True,
    }


def test_a_quarter_takes_the_class_of_its_year(tmp_path) -> None:
    tables = mini_tables()  # 3 villages
    rows = [
        ["100001001", "2025-01", "male_health", 40],
        ["100001002", "2025-01", "male_health", 10],
        ["100002001", "2025-05", "contraception_info", 150],
    ]
    tables["survey"] = pd.DataFrame(rows, columns=["village_code", "month", "need", "count"])
    county = load_county(write_mini_county(tmp_path / "q", tables))
    q1 = survey_rollup(county, "2025Q1")["county"].set_index("need")
    # in Q1 male health is every need (100%); over the year 50 of 200 = 25% from 2 of 3 villages: core
    assert q1.loc["male_health", "count_share"] == pytest.approx(1.0)
    assert q1.loc["male_health", "class"] == "core"
    year = survey_rollup(county, 2025)["county"].set_index("need")
    # contraception information: 75% of needs but 1 of 3 villages (33%): main, in Q1's roll-up too
    assert year.loc["contraception_info", "class"] == "main" and year.loc["male_health", "class"] == "core"


def test_uplift_of_each_service_by_hand() -> None:
    classes = pd.DataFrame(
        {
            "need": [
                "contraception_info",
                "policy_information",
                "male_health",
                "fetal_sex_identification",
                "gyn_screening",
            ],
            "class": ["core", "core", "general", "core", "main"],
            "conflict": [False, False, False, True, False],
        }
    )
    rules = RULES.model_copy(
        update={"services": dict(RULES.services) | {"fetal_sex_identification": ("ultrasound_check",)}}
    )
    services = {"counselling", "contraceptive_measures", "male_health", "ultrasound_check", "gyn_screening"}
    u = survey_effect.service_uplift(classes, rules, services).set_index("service")
    # two core needs ask for counselling: +10% once, not +20%
    assert u.loc["counselling", "uplift"] == pytest.approx(0.10) and u.loc["counselling", "class"] == "core"
    assert u.loc["counselling", "needs"] == "contraception_info;policy_information"
    assert u.loc["contraceptive_measures", "uplift"] == pytest.approx(0.10)
    assert u.loc["male_health", "uplift"] == 0 and u.loc["gyn_screening", "uplift"] == 0
    # an unlawful need raises nothing, even where a county maps it to a service
    assert "ultrasound_check" not in u.index


def test_volumes_and_staff_need_with_the_survey_by_hand() -> None:
    volumes = pd.DataFrame(
        {
            "station": ["S"] * 4,
            "service": ["counselling", "counselling", "iud_insertion", "iud_insertion"],
            "cadre": ["health_education", "health_education", "gynaecology", "gynaecology"],
            "year": [2025, 2026, 2025, 2026],
            "volume": [1000.0, 1000.0, 400.0, 400.0],
        }
    )
    volumes["workload_hours"] = volumes["volume"] * np.where(volumes["service"] == "counselling", 0.3, 0.5)
    raised = survey_effect.apply(volumes, {"counselling": 1.1}, 2025)
    # the survey's year stays as reported; from 2026 counselling is 1,100 (330 hours); IUD insertions unchanged
    assert raised["volume"].tolist() == pytest.approx([1000, 1100, 400, 400])
    assert raised["workload_hours"].tolist() == pytest.approx([300, 330, 200, 200])
    uplift = pd.DataFrame(
        {"service": ["counselling"], "needs": ["contraception_info"], "class": ["core"], "uplift": [0.1]}
    )
    e = survey_effect.effect_table(volumes, raised, uplift, 2026, 1600.0, 1.25).set_index("service")
    # staff need = hours / AWT × CAF: 300 / 1600 × 1.25 = 0.234375 → 330 / 1600 × 1.25 = 0.2578125
    assert e.loc["counselling", ["staff_without_fte", "staff_with_fte"]].tolist() == pytest.approx(
        [0.234375, 0.2578125]
    )
    assert e.loc["iud_insertion", ["volume_without", "volume_with", "uplift"]].tolist() == [400, 400, 0]
    assert survey_effect.apply(volumes, {}, None) is volumes


@pytest.fixture(scope="module")
def plan(county):
    from fpplan.planning.plan import make_plan

    return make_plan(county, "medium")


def test_the_demo_plan_uses_the_surveys_core_needs(county, plan) -> None:
    assert plan.survey.year == 2025 and plan.survey.months == 12
    classes = plan.survey.classes.set_index("need")
    assert classes.loc["fetal_sex_identification", "conflict"]  # the demo's few unlawful requests are flagged
    raised = set(plan.survey.uplift.loc[plan.survey.uplift["uplift"] > 0, "service"])
    core = classes.index[(classes["class"] == "core") & ~classes["conflict"]]
    expected = {s for need in core for s in RULES.services.get(need, ())}
    assert raised == expected and raised  # contraception information and gynaecological screening in the demo
    keys = ["station", "service", "cadre", "year"]
    both = plan.volumes_without_survey.merge(plan.volumes, on=keys, suffixes=("_without", "_with"))
    factor = np.where(both["service"].isin(raised) & (both["year"] > 2025), 1.1, 1.0)
    np.testing.assert_allclose(both["volume_with"], both["volume_without"] * factor)
    # the plan's WISN is the survey's: each station and cadre's need rises by the added hours / AWT × CAF
    wisn = plan.config["wisn"]
    awt = staffing.available_hours(wisn.calendar)
    caf = staffing.category_allowance([s.model_dump() for s in wisn.support], wisn.calendar)
    added = (
        (both["workload_hours_with"] - both["workload_hours_without"])
        .groupby([both["station"], both["cadre"], both["year"]])
        .sum()
    )
    year = plan.survey_wisn["year"]
    assert plan.survey_wisn["with_fte"] - plan.survey_wisn["without_fte"] == pytest.approx(
        added.xs(year, level="year").sum() / awt * caf, rel=1e-6, abs=0.05
    )  # the individual allowance may move
    e = plan.survey_change.set_index("service")
    assert e.loc["gyn_screening", "volume_with"] == pytest.approx(1.1 * e.loc["gyn_screening", "volume_without"])
    assert e.loc["gyn_screening", "staff_with_fte"] == pytest.approx(1.1 * e.loc["gyn_screening", "staff_without_fte"])


def test_the_workbook_shows_what_the_survey_changed(plan, tmp_path) -> None:
    from fpplan.app.workbook import write_workbook

    book = load_workbook(write_workbook(plan, tmp_path / "plan.xlsx"), read_only=True)
    rows = list(book["需求调查对规划的影响"].iter_rows(values_only=True))
    headers = rows[0]
    assert headers[:5] == ("服务项目", "专业类别", "对应的群众需求", "需求分类", "服务量上调(%)")
    row = next(r for r in rows if r[0] == "妇科病普查")
    assert row[3] == "核心需求" and row[4] == 10
    assert row[headers.index("计入需求调查的服务量(人次)")] == round(
        1.1 * row[headers.index("未计需求调查的服务量(人次)")]
    )
    note = next(r[0] for r in rows if isinstance(r[0], str) and r[0].startswith("群众需求调查"))
    assert "非医学需要的胎儿性别鉴定" in note and "不列入规划" in note and "核心需求10%" in note


def test_without_a_survey_nothing_is_raised(demo, tmp_path) -> None:
    from fpplan.planning.plan import make_plan
    from fpplan.testing import variants

    county = load_county(variants.drop(variants.copy(demo, tmp_path / "county"), "survey"))
    plan = make_plan(county, "medium")
    assert plan.survey.year is None and plan.survey.uplift.empty
    pd.testing.assert_frame_equal(plan.volumes, plan.volumes_without_survey)
    assert plan.survey_wisn["with_fte"] == pytest.approx(plan.survey_wisn["without_fte"])


def test_a_misspelt_service_in_the_survey_rules_is_named(tmp_path) -> None:
    import yaml

    from fpplan import DataError
    from fpplan.data.config import default_config_dir

    folder = write_mini_county(tmp_path / "c")
    rules = yaml.safe_load((default_config_dir() / "rules.yaml").read_text(encoding="utf-8"))
    rules["survey"]["services"]["gyn_screening"] = ["gyn_screenings"]
    (folder / "config").mkdir(exist_ok=True)
    (folder / "config" / "rules.yaml").write_text(yaml.safe_dump(rules, allow_unicode=True), encoding="utf-8")
    with pytest.raises(DataError) as error:
        load_county(folder)
    problem = next(p for p in error.value.problems if p.value == "gyn_screenings")
    assert problem.file.endswith("rules.yaml") and problem.column == "survey.services.gyn_screening"
