"""The brief's content is a pure function of the results: hand-made tables in, numbers and sentences out (no Word,
no browser)."""

from __future__ import annotations

import pandas as pd
import pytest

from fpplan.app.brief import content_from, key_rows, light_rows, to_docx
from fpplan.data.labels import set_language

MANIFEST = {
    "county": {"code": "C", "name": "甲县"},
    "base_year": 2025,
    "version": "abcdef0123456789",
    "names": {"C": "甲县", "T1": "东乡", "T2": "西乡", "S1": "县站", "S2": "东乡站"},
    "townships": ["T1", "T2"],
    "scenarios": {"medium": {"zh": "中方案", "en": "medium"}},
    "data_as_of": {"last_month": "2025-12"},
}


def _card(period: str, rows: list[tuple[str, str, str, float, str]]) -> pd.DataFrame:
    kind = "quarter" if "Q" in period else "year"
    return pd.DataFrame(
        [
            {
                "unit": u,
                "level": lvl,
                "indicator": i,
                "name": i.upper(),
                "value": v,
                "status": s,
                "target": "≥ 90",
                "unit_label": "%",
                "period": period,
                "kind": kind,
            }
            for lvl, u, i, v, s in rows
        ]
    )


@pytest.fixture
def tables() -> dict[str, pd.DataFrame]:
    # the plan's numbers (fpplan.planning.gaps.headline, county_by_year): the brief only formats them
    headline = pd.DataFrame(
        [
            {
                "base_year": 2025,
                "plan_year": 2030,
                "horizon": 2035,
                "population_base": 100_000.0,
                "population_horizon": 110_000.0,
                "women_15_49_base": 25_000.0,
                "women_15_49_horizon": 23_000.0,
                "wisn_need_fte": 9.0,
                "wisn_in_post_fte": 6.5,
                "technical_retired_persons": 2,
                "staff_gap_before_fte": 2.5,
                "staff_gap_before_persons": 3,
                "staff_gap_after_fte": 0.5,
                "staff_gap_after_persons": 1,
                "hires_persons": 4,
                "area_gap_base_m2": 120.0,
                "area_gap_horizon_m2": 45.0,
                "total_cost_wan_yuan": 200.0,
                "subsidy_requested_wan_yuan": 150.0,
                "still_to_secure_wan_yuan": 50.5,
            }
        ]
    )
    by_year = pd.DataFrame(
        {
            "year": [2025, 2035],
            "gap_before_fte": [0.0, 2.5],
            "gap_before_persons": [0, 3],
            "gap_after_fte": [0.0, 0.5],
            "gap_after_persons": [0, 1],
        }
    )
    shortfall = pd.DataFrame(
        {"station": ["S1", "S2"], "first_short_year": [2025.0, 2031.0], "max_gap_m2": [120.0, 45.0]}
    )
    now = _card(
        "2025Q3",
        [
            ("county", "C", "cpr", 88.0, "red"),
            ("county", "C", "fu", 91.0, "green"),
            ("county", "C", "srb", 95.0, "amber"),
            ("township", "T1", "cpr", 80.0, "red"),
            ("township", "T2", "cpr", 92.0, "green"),
            ("township", "T1", "fu", 85.0, "red"),
            ("township", "T2", "fu", 89.0, "amber"),
            ("township", "T1", "srb", 95.0, "green"),
            ("township", "T2", "srb", 96.0, "green"),
        ],
    )
    before = _card(
        "2025Q2",
        [
            ("county", "C", "cpr", 91.0, "green"),
            ("county", "C", "fu", 80.0, "red"),
            ("county", "C", "srb", 94.0, "amber"),
            ("township", "T1", "cpr", 91.0, "red"),
        ],
    )
    return {
        "headline": headline,
        "county_by_year": by_year,
        "shortfall": shortfall,
        "scorecards": pd.concat([before, now], ignore_index=True),
    }


def test_key_numbers_against_the_plan(tables) -> None:
    set_language("zh")
    c = content_from(tables, MANIFEST, "2025Q3", "medium", "2026-01-01")
    k = c["key"]
    assert k["population"] == (100_000.0, 110_000.0) and k["women_15_49"] == (25_000.0, 23_000.0)
    assert k["staff_gap_persons"] == (0, 3) and k["staff_gap_after_persons"] == (0, 1) and k["hires_persons"] == 4
    assert k["area_gap_m2"] == (120.0, 45.0)
    assert k["still_to_secure_wan_yuan"] == 50.5 and k["subsidy_requested_wan_yuan"] == 150.0
    assert k["total_cost_wan_yuan"] == 200.0
    header, rows = key_rows(c)
    assert header == ["项目", "现状（2025年）", "2035年（预测）"]
    assert rows[0][1:] == ["100,000", "110,000"] and rows[2][1:] == ["0", "3"] and rows[3][1:] == ["0", "1"]
    assert rows[4][1:] == ["—", "4"] and rows[6][1] == "50.50"


def test_red_and_amber_indicators_with_their_townships(tables) -> None:
    set_language("zh")
    c = content_from(tables, MANIFEST, "2025Q3", "medium", "2026-01-01")
    flagged = {f["indicator"]: f for f in c["flagged"]}
    assert list(flagged) == ["cpr", "srb", "fu"]  # red first, then amber, then green with township reds
    assert flagged["cpr"]["red_townships"] == ["东乡"] and flagged["fu"]["amber_townships"] == ["西乡"]
    assert flagged["srb"]["red_townships"] == [] and flagged["srb"]["status"] == "amber"
    header, rows, statuses = light_rows(c)
    assert (
        header[-1] == "接近涉及乡镇"
        and rows[0][:3] == ["CPR", "88.00%", "未达标"]
        and statuses == ["red", "amber", "green"]
    )


def test_what_changed_the_first_station_short_and_the_findings(tables) -> None:
    set_language("zh")
    c = content_from(tables, MANIFEST, "2025Q3", "medium", "2026-01-01")
    ch = c["changes"]
    assert ch["previous"] == "2025Q2" and ch["to_red"] == ["CPR"] and ch["to_green"] == ["FU"]
    assert (ch["township_red_now"], ch["township_red_before"]) == (2, 1)
    assert c["first_short"] == {"station": "县站", "year": 2025, "max_gap_m2": 120.0, "stations_short": 2}
    assert c["lights"] == {
        "total": 3,
        "red": 1,
        "amber": 1,
        "worst_township": "东乡",
        "worst_count": 2,
        "small_sample": [],
    }
    findings = c["findings"]
    assert 3 <= len(findings) <= 5
    assert "100,000" in findings[0] and "110,000" in findings[0] and "增加10,000" in findings[0]
    assert "1项未达标、1项接近目标" in findings[1] and "东乡（2项）" in findings[1]
    assert "共需技术人员9.0全时当量，原有人员届时在岗6.5全时当量（2人到龄退休）" in findings[2]
    assert "未计新招聘缺3人，到2030年规划招聘4人后2035年缺1人" in findings[2]
    assert "县站自2025年起" in findings[3]
    assert "200.00万元" in findings[4] and "50.50万元" in findings[4]


def test_no_previous_period_is_said_so_and_word_holds_the_same(tables, tmp_path) -> None:
    from docx import Document

    set_language("zh")
    tables["scorecards"] = tables["scorecards"][tables["scorecards"]["period"] == "2025Q3"]
    c = content_from(tables, MANIFEST, "2025Q3", "medium", "2026-01-01")
    assert c["changes"] is None
    path = to_docx(c, tmp_path / "brief.docx")
    document = Document(path)
    text = "\n".join(p.text for p in document.paragraphs)
    assert "甲县2025年第三季度计划生育工作简报" in text and "无上期数据可比" in text
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    assert "110,000" in cells and "东乡" in cells and "CPR" in cells
