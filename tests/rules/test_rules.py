"""Seed 000's staff exam rules and demand-survey roll-up on boundary cases."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from fpplan import load_county
from fpplan.data.config import default_config_dir
from fpplan.data.labels import ui
from fpplan.rules import exam_consequences, survey_rollup
from fpplan.testing.mini import mini_tables, write_mini_county

MONTHS = [f"2025-{m:02d}" for m in range(1, 13)]


def county_with_exams(tmp_path, scores: dict[str, list], staff_rows: pd.DataFrame | None = None, extra=None):
    tables = mini_tables()
    if staff_rows is not None:
        tables["staff"] = staff_rows
    rows = []
    for sid, values in scores.items():
        for month, v in zip(MONTHS, values):
            excused = isinstance(v, str) and v == "excused"
            rows.append([sid, month, "monthly", None if v in (None, "excused") else v, "true" if excused else "false"])
    exams = pd.DataFrame(rows, columns=["staff_id", "month", "exam_type", "score", "excused"])
    if extra is not None:
        exams = pd.concat([exams, extra], ignore_index=True)
    tables["exam_scores"] = exams
    return load_county(write_mini_county(tmp_path / "c", tables))


def staff(ids_specialties: list[tuple[str, str]]) -> pd.DataFrame:
    base = mini_tables()["staff"].iloc[0]
    return pd.DataFrame([base.to_dict() | {"staff_id": i, "specialty": s} for i, s in ids_specialties])


def test_individual_tiers_at_exactly_2_3_6_8_fails(tmp_path) -> None:
    def fails(n: int) -> list:
        return [59] * n + [60] * (12 - n)  # 60 passes: the pass mark is inclusive

    people = {"A1": fails(1), "A2": fails(2), "A3": fails(3), "A6": fails(6), "A8": fails(8)}
    roster = staff([(s, "nursing") for s in people])
    result = exam_consequences(county_with_exams(tmp_path, people, roster), 2025)["people"].set_index("staff_id")
    assert result["fails"].to_dict() == {"A1": 1, "A2": 2, "A3": 3, "A6": 6, "A8": 8}
    assert result["tier_fails"].to_dict() == {"A1": 0, "A2": 2, "A3": 3, "A6": 6, "A8": 8}
    assert result["allowance_months_deducted"].to_dict() == {"A1": 0, "A2": 3, "A3": 12, "A6": 12, "A8": 12}
    assert result.loc["A8", "consequence"] == "学岗或待岗并经济处罚"
    assert result.loc["A1", "reason"] == ""


PEOPLE = {
    "G1": [80] * 12,
    "G2": [80] * 12,
    "N1": [75] * 12,
    "N2": [None] + [75] * 11,
    "L1": [75] * 12,
    "U1": [70] * 12,
    "U2": [70, 70, "excused"] + [70] * 9,
}
ROSTER = [
    ("G1", "gynaecology"),
    ("G2", "gynaecology"),
    ("N1", "nursing"),
    ("N2", "nursing"),
    ("L1", "laboratory"),
    ("U1", "ultrasound"),
    ("U2", "ultrasound"),
]


def test_absences_and_collective_prize_boundaries(tmp_path) -> None:
    # gynaecology: G1 and G2 score 80 → collective 80 → first prize (80 inclusive)
    # nursing: N1 75 every month, N2 absent unexcused in January (0 in the collective) → January (75 + 0)/2 = 37.5
    # laboratory: L1 75 → second prize (75–80 includes 75); ultrasound U1 70 → third prize; U2 excused in March
    out = exam_consequences(county_with_exams(tmp_path, PEOPLE, staff(ROSTER)), 2025)
    m = out["collective_monthly"].set_index(["specialty", "month"])
    assert m.loc[("ultrasound", "2025-03"), "average"] == 70 and m.loc[("nursing", "2025-01"), "average"] == 37.5
    assert "fine_yuan" not in m and "prize_yuan" not in m  # the yearly reading: no monthly prizes, the fine only yearly
    y = out["collective"].set_index("specialty")
    assert len(out["collective"]) == 4  # one row a specialty: a prize and a fine appear once a year
    # nursing's 12-exam collective average: (12 × 75 + 11 × 75 + 0) / 24 = 71.875: third prize, no fine
    assert y.loc["nursing", "year_average"] == pytest.approx(71.875)
    assert y["prize_yuan"].to_dict() == {"gynaecology": 500, "laboratory": 300, "nursing": 200, "ultrasound": 200}
    assert y["fine_yuan"].sum() == 0
    p = out["people"].set_index("staff_id")
    assert p.loc["N2", "unexcused_absences"] == 1 and p.loc["N2", "allowance_months_deducted"] == 1
    assert p.loc["U2", "unexcused_absences"] == 0 and p.loc["U2", "allowance_months_deducted"] == 0


def test_monthly_reading_of_the_collective_prizes(tmp_path) -> None:
    county = county_with_exams(tmp_path, PEOPLE, staff(ROSTER))
    rules = (default_config_dir() / "rules.yaml").read_text(encoding="utf-8")
    (county.path / "config").mkdir()
    (county.path / "config" / "rules.yaml").write_text(
        rules.replace("collective_reading: yearly", "collective_reading: monthly"), encoding="utf-8"
    )
    out = exam_consequences(load_county(county.path), 2025)
    m = out["collective_monthly"].set_index(["specialty", "month"])
    assert m.loc[("gynaecology", "2025-01"), "prize_yuan"] == 500 and m.loc[("nursing", "2025-01"), "prize_yuan"] == 0
    y = out["collective"].set_index("specialty")["prize_yuan"]
    # a prize every month: gynaecology 12 × 500; nursing 11 × 300 (January's 37.5 wins nothing)
    assert y.to_dict() == {"gynaecology": 6000, "laboratory": 3600, "nursing": 3300, "ultrasound": 2400}


def test_collective_fine_below_65(tmp_path) -> None:
    people = {"L1": [64] * 12, "L2": [66] * 12, "N1": [64.9] * 12}
    roster = staff([("L1", "laboratory"), ("L2", "laboratory"), ("N1", "nursing")])
    c = exam_consequences(county_with_exams(tmp_path, people, roster), 2025)["collective"].set_index("specialty")
    assert c.loc["laboratory", "year_average"] == 65 and c.loc["laboratory", "fine_yuan"] == 0
    assert c.loc["nursing", "fine_yuan"] == 500 and c.loc["nursing", "prize_yuan"] == 0


def test_individual_prizes_eligibility_ranking_and_prefecture_bonus(tmp_path) -> None:
    people = {"G1": [90] * 12, "G2": [85] * 12, "G3": [80] * 12, "N1": [80] * 12, "L1": [79.9] * 12, "U1": [95] * 12}
    roster = staff(
        [
            ("G1", "gynaecology"),
            ("G2", "gynaecology"),
            ("G3", "gynaecology"),
            ("N1", "nursing"),
            ("L1", "laboratory"),
            ("U1", "ultrasound"),
        ]
    )
    pref = pd.DataFrame(
        [
            ["G3", "2025-06", "prefecture", 85, "false"],
            ["N1", "2025-06", "prefecture", 84, "false"],
            ["L1", "2025-07", "prefecture", 50, "false"],
        ],
        columns=["staff_id", "month", "exam_type", "score", "excused"],
    )
    p = exam_consequences(county_with_exams(tmp_path, people, roster, pref), 2025)["people"].set_index("staff_id")
    assert p["prize_yuan"].to_dict() == {"G1": 200, "G2": 150, "G3": 0, "L1": 0, "N1": 150, "U1": 200}
    assert p.loc["G3", "prefecture_yuan"] == 200 and p.loc["N1", "prefecture_yuan"] == 0  # 85 inclusive
    assert ui("reason_prefecture_failed") in p.loc["L1", "reason"] and "差旅费不予报销" in p.loc["L1", "reason"]


def test_survey_rollup_classes_and_common_problems(tmp_path) -> None:
    tables = mini_tables()
    rows = [
        ["100001001", "2025-01", "contraception_info", 50],
        ["100001002", "2025-02", "contraception_info", 20],
        ["100002001", "2025-04", "contraception_info", 10],
        ["100001001", "2025-05", "male_health", 12],
        ["100002001", "2025-07", "infertility", 6],
        ["100001001", "2025-08", "policy_information", 2],
    ]
    tables["survey"] = pd.DataFrame(rows, columns=["village_code", "month", "need", "count"])
    r = survey_rollup(load_county(write_mini_county(tmp_path / "s", tables)), 2025)
    county = r["county"].set_index("need")
    # shares of 100 needs: 80% core, 12% main, 6% main (≥ 6%), 2% latent
    assert county["class"].to_dict() == {
        "contraception_info": "core",
        "male_health": "main",
        "infertility": "main",
        "policy_information": "latent",
    }
    q = r["township_quarterly"].set_index(["township_code", "quarter", "need"])["count"]
    assert q[("100001", "2025Q1", "contraception_info")] == 70 and q[("100002", "2025Q2", "contraception_info")] == 10
    common = r["common_problems"]
    # township 100001 has two villages: only contraception_info is raised by both (≥ 80%)
    assert common[common["township_code"] == "100001"]["need"].tolist() == ["contraception_info"]
    assert np.isclose(common[common["township_code"] == "100002"]["village_share"], 1.0).all()
