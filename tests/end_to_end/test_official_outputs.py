"""Every output an official reads, of the demo county and of a second county (the demo region's 演示东县, drawn with
another seed), scanned for English words, codes, NaN and persons in fractions (tests/end_to_end/output_scan.py says what is
allowed): the printouts of validate (clean, and with a planted error), plan, scorecard, exams and survey; every
workbook (plan, scorecard, exams, survey) cell by cell; the brief (Word) and the report (HTML text).

The scan is about form (language, codes, missing values, whole persons), not about the numbers: it holds whatever
engine computes them. Slow (a full report per county, about three minutes each): produced once a session
(tests/end_to_end/official.py), the demo's shared with tests/end_to_end/test_reports.py."""

from __future__ import annotations

import pytest

from fpplan import load_county
from fpplan.data.region import county_folders
from tests.end_to_end.output_scan import docx_text, html_text, scan_lines, scan_workbook


@pytest.fixture(scope="module", params=["demo", "second"])
def outputs(request) -> dict:
    """The outputs produced once a session (tests/end_to_end/official.py), with what the scan needs to know."""
    produced = request.getfixturevalue(f"{request.param}_outputs")
    folder, out = produced["folder"], produced["out"]
    county = load_county(folder)
    name = dict(zip(county.units["code"], county.units["name"]))[county.county_code]
    counties = [county] + (
        [load_county(f) for f in county_folders(folder.parent) if f != folder] if request.param == "second" else []
    )
    codes = set().union(*[set(c.units["code"]) | set(c.facilities["code"]) for c in counties])
    codes |= set(county.config["indicators"].indicators) | set(county.config["services"].services)
    workbooks = sorted(out.glob("*.xlsx")) + sorted(out.glob("reports/*/*.xlsx"))
    report = next(out.glob("reports/*/*分析报告.html"))
    briefs = sorted(out.glob("reports/*/*简报.docx")) + sorted(out.glob("brief/*简报.docx"))
    return {
        "county": county,
        "name": name,
        "codes": codes,
        "printed": produced["printed"],
        "workbooks": workbooks,
        "report": report,
        "briefs": briefs,
        "allowed": (f"{name}（{county.county_code}）",),
    }


def test_every_printout_is_in_the_officials_language(outputs) -> None:
    problems = []
    for key, text in outputs["printed"].items():
        problems += scan_lines(text, outputs["codes"], key, outputs["allowed"])
    assert not problems, "\n".join(problems[:40])
    printed = outputs["printed"]
    assert "演示" in printed["scorecard_county"] and outputs["name"] in printed["scorecard_county"]  # the county's name
    assert "竣工年份" in printed["validate_error"] and "早于开工年份" in printed["validate_error"]
    assert "个服务站在规划期内某年用房不足" in printed["plan"]


def test_every_workbook_cell_by_cell(outputs) -> None:
    assert {p.name for p in outputs["workbooks"]} >= {
        "plan.xlsx",
        "scorecard.xlsx",
        "scorecard_county.xlsx",
        "exams.xlsx",
        "survey.xlsx",
        "plan_medium.xlsx",
    }
    problems = []
    for path in outputs["workbooks"]:
        problems += scan_workbook(path, outputs["codes"], outputs["allowed"])
    assert not problems, "\n".join(problems[:40])


def test_the_brief_and_the_report(outputs) -> None:
    assert len(outputs["briefs"]) == 2
    problems = []
    for path in outputs["briefs"]:
        problems += scan_lines(docx_text(path), outputs["codes"], path.name, outputs["allowed"])
    page = html_text(outputs["report"].read_text(encoding="utf-8"))
    problems += scan_lines(page, outputs["codes"], outputs["report"].name, outputs["allowed"])
    assert not problems, "\n".join(problems[:40])
    assert "评价目标：先进区标准（第五篇）" in docx_text(outputs["briefs"][-1])  # --targets chose the set


def test_the_scanner_finds_what_it_looks_for(tmp_path) -> None:
    """The scan fails on each thing it forbids (a scanner that cannot fail proves nothing)."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "表"
    sheet.append(["服务站", "在岗人数(人)", "在岗人数(全时当量)", "状态"])
    sheet.append(["ZD001", 14.5, 14.5, "green"])
    sheet.append(["县站", 14, 14.5, "nan"])
    sheet.append(["县站", float("nan"), 3, "达标"])
    path = tmp_path / "x.xlsx"
    book.save(path)
    found = scan_workbook(path, {"ZD001"})
    kinds = [p.split(": ")[1] for p in found]
    assert kinds.count("fractional persons") == 1  # 14.5 persons; 14.5 全时当量 is fine
    assert "code" in kinds and "English or a code" in kinds and "missing value" in kinds
    assert not scan_lines("演示县（650123）2025年第三季度 WISN 12 km", {"650123"}, "x", ("演示县（650123）",))
    assert scan_lines("参见 seed 000", set(), "x")
