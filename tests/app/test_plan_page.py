"""The 建设规划 page's sections on village rooms and schools, what the demand survey changed and contraceptive supply
(fpplan.app.plan_sections): each table equals the plan workbook's sheet cell for cell (the page as rendered ahead,
parsed back from its HTML, against the workbook the results wrote, read with openpyxl), the paragraphs quote the
engine's numbers, and a county that hands in no rooms, survey or supply table gets sections that say what was not
collected instead of zeros. Everything an official reads is scanned for English, codes and NaN."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from openpyxl import load_workbook

from fpplan.app import results
from fpplan.data.workspace import Workspace
from tests.end_to_end.output_scan import html_text, scan_lines

SHEETS = {
    "rooms": "村服务室与人口学校规划",
    "rooms_by_year": "村服务室与人口学校逐年",
    "survey_effect": "需求调查对规划的影响",
    "supply": "避孕药具需求",
}
SECTION_TABLES = {
    "fpplan-section-rooms": ["rooms", "rooms_by_year"],
    "fpplan-section-survey": ["survey_effect"],
    "fpplan-section-supply": ["supply"],
}


class Sections(HTMLParser):
    """The page's sections: element id → {"text": paragraph, "tables": [rows of cell texts, header first]}."""

    def __init__(self) -> None:
        super().__init__()
        self.sections: dict[str, dict] = {}
        self.current: dict | None = None
        self.cell: list[str] | None = None
        self.in_p = False

    def handle_starttag(self, tag, attrs) -> None:
        attrs = dict(attrs)
        if tag == "section" and attrs.get("id", "").startswith("fpplan-section-"):
            self.current = self.sections[attrs["id"]] = {"text": "", "tables": [], "heading": ""}
        elif self.current is None:
            return
        elif tag == "table":
            self.current["tables"].append([])
        elif tag == "tr":
            self.current["tables"][-1].append([])
        elif tag in ("td", "th"):
            self.cell = []
        elif tag == "p":
            self.in_p = True

    def handle_endtag(self, tag) -> None:
        if self.current is None:
            return
        if tag in ("td", "th"):
            self.current["tables"][-1][-1].append("".join(self.cell))
            self.cell = None
        elif tag == "p":
            self.in_p = False
        elif tag == "section":
            self.current = None

    def handle_data(self, data) -> None:
        if self.current is None:
            return
        if self.cell is not None:
            self.cell.append(data)
        elif self.in_p:
            self.current["text"] += data
        elif not self.current["tables"]:
            self.current["heading"] += data


def page_sections(manifest: dict, page: str | None = None) -> dict[str, dict]:
    """The construction page's sections: of the page rendered ahead with the results, or of ``page`` (its HTML)."""
    if page is None:
        page = json.loads((Path(manifest["path"]) / "pages" / "construction.json").read_text(encoding="utf-8"))["html"]
    parser = Sections()
    parser.feed(page)
    return parser.sections


def sheet_rows(book, name: str) -> tuple[list[list], list[str] | None]:
    """A sheet's table (header and rows up to the first empty row: the note comes after it), each cell with its
    number format; and the note."""
    rows = list(book[name].iter_rows())
    table = []
    for row in rows:
        if all(c.value is None for c in row):
            break
        table.append([(c.value, c.number_format) for c in row])
    note = [r[0].value for r in rows[len(table) :] if r[0].value is not None]
    return table, note[0] if note else None


def same_cell(text: str, value, number_format: str) -> bool:
    """The page's cell says what the workbook's cell shows: blank as blank, words as words, a number equal to the
    cell's value with the decimals of its number format."""
    if value is None:
        return text == ""
    if isinstance(value, str):
        return text == value
    decimals = len(number_format.split(".")[1]) if "." in number_format else 0
    shown = text.replace(",", "")
    return (len(shown.split(".")[1]) if "." in shown else 0) == decimals and float(shown) == pytest.approx(
        value, abs=1e-9
    )


def assert_tables_equal(sections: dict, book) -> None:
    for element, keys in SECTION_TABLES.items():
        tables = sections[element]["tables"]
        assert len(tables) == len(keys), element
        for key, page in zip(keys, tables):
            sheet, _ = sheet_rows(book, SHEETS[key])
            assert len(page) == len(sheet) >= 2, key  # header and every row (a totals row included)
            assert page[0] == [v for v, _ in sheet[0]], key
            for r, (page_row, sheet_row) in enumerate(zip(page[1:], sheet[1:]), start=2):
                assert len(page_row) == len(sheet_row)
                for c, (text, (value, fmt)) in enumerate(zip(page_row, sheet_row)):
                    assert same_cell(text, value, fmt), (key, r, c, text, value, fmt)


def scanned(sections: dict, manifest: dict) -> list[str]:
    codes = set(manifest["names"]) | set(manifest["townships"])
    text = "\n".join(
        s["heading"] + "\n" + s["text"] + "\n" + "\n".join(" ".join(row) for t in s["tables"] for row in t)
        for s in sections.values()
    )
    return scan_lines(html_text(text), codes, "建设规划")


@pytest.fixture(scope="module")
def manifest(demo_with_results: Path) -> dict:
    from fpplan.app.pages.build import ensure_pages

    ensure_pages(Workspace(demo_with_results))
    return results.current(demo_with_results)


def test_the_pages_sections_are_the_workbooks_sheets_cell_for_cell(manifest) -> None:
    sections = page_sections(manifest)
    assert [s["heading"] for s in sections.values()] == [
        "村服务室和人口学校达标建设",
        "群众需求调查对规划的影响",
        "避孕药具需求（按乡镇、年度）",
    ]
    book = load_workbook(results.plan_workbook(manifest, manifest["plan_scenario"]))
    assert_tables_equal(sections, book)
    supply = sections["fpplan-section-supply"]["tables"][0]
    assert supply[0][:3] == ["乡镇名称", "年份", "口服避孕药(周期)"] and supply[0][-2:] == [
        "使用人数(人)",
        "避孕保护年(对·年)",
    ]
    assert all(re.fullmatch(r"[\d,]+", v) for row in supply[1:-1] for v in row[2:])  # whole units and persons
    assert not scanned(sections, manifest)


def test_the_paragraphs_quote_the_engines_numbers(manifest) -> None:
    sections = page_sections(manifest)
    scenario = manifest["plan_scenario"]
    money = results.table(manifest, "money", scenario)
    rooms = money[money["category"] == "village_rooms"]
    text = sections["fpplan-section-rooms"]["text"]
    # the plan's money for the rooms (the engine's, by year and source) is what the paragraph says they cost
    assert f"共需经费{rooms['total_wan_yuan'].sum():.2f}万元" in text
    assert (
        f"其中自筹{rooms['self_raised_wan_yuan'].sum():.2f}万元、上级补助{rooms['subsidy_wan_yuan'].sum():.2f}万元"
        in text
    )
    by_township = results.table(manifest, "officials_rooms", scenario)
    assert f"全县{by_township['villages_total'].sum()}个村" in text
    assert f"需新建{by_township['rooms_to_build'].sum()}个、改造{by_township['rooms_to_upgrade'].sum()}个" in text
    survey = sections["fpplan-section-survey"]["text"]
    assert survey.startswith("群众需求调查：2025年（12个月的调查数据）") and "核心需求10%" in survey
    supply = results.table(manifest, "officials_supply", scenario)
    condoms = supply.loc[supply["method"] == "condoms", "units_needed"]
    cyp = supply.groupby(["township_name", "year"])["cyp"].sum().round().sum()
    years = f"{supply['year'].min()}—{supply['year'].max()}年"
    said = sections["fpplan-section-supply"]["text"]
    assert said.startswith(years + "全县共需") and f"折合避孕保护年{cyp:,.0f}对·年" in said
    # the total of the condoms as shown (each township and year whole) is within half a condom a row of the engine's
    total = int(re.search(r"避孕套([\d,]+)只", said)[1].replace(",", ""))
    assert abs(total - condoms.sum()) <= 0.5 * len(condoms)
    assert "方法构成按本县2025年药具发放" in said


def test_a_county_without_rooms_survey_or_supply_data_says_what_was_not_collected(demo: Path, tmp_path) -> None:
    from fpplan.app.pages import construction
    from fpplan.testing import variants

    folder = variants.copy(demo, tmp_path / "county")
    for table in ("village_rooms", "survey", "contraceptive_supply"):
        variants.drop(folder, table)
    results.ensure_results(Workspace(folder))
    manifest = results.current(folder)
    # the page as ensure_pages renders it ahead (its figures' images left out: only its sections are read)
    sections = page_sections(manifest, construction.build(Workspace(folder).county(), manifest).html)
    book = load_workbook(results.plan_workbook(manifest, manifest["plan_scenario"]))
    rooms, survey, supply = (sections[f"fpplan-section-{k}"] for k in ("rooms", "survey", "supply"))
    # no table of zeros: the section says what is missing, in the words of the note under the workbook's sheet
    for section, sheet in ((rooms, "rooms"), (survey, "survey_effect")):
        table, note = sheet_rows(book, SHEETS[sheet])
        assert section["tables"] == [] and len(table) == 1, sheet  # the sheet: its header, no row
        assert section["text"] == f"未采集：{note}"
    assert "未评估" in rooms["text"] and "没有群众需求调查表" in survey["text"]
    # supply is still needed: estimated with the configured method mix, and the section says so first
    assert supply["text"].startswith("未采集：本县没有避孕药具发放表") and "方法构成按配置" in supply["text"]
    table, _ = sheet_rows(book, SHEETS["supply"])
    assert len(supply["tables"]) == 1 and len(supply["tables"][0]) == len(table)
    for r, (page_row, sheet_row) in enumerate(zip(supply["tables"][0][1:], table[1:])):
        assert all(same_cell(t, v, f) for t, (v, f) in zip(page_row, sheet_row)), r
    assert not scanned(sections, manifest)


def test_the_report_and_the_plan_command_say_the_same(manifest, county) -> None:
    """notebooks/04_建设规划 prints the same sections whole (the report's table style, no scrolling box); `fpplan plan`
    ends with the same paragraphs."""
    from fpplan.app.plan_sections import sections_html
    from fpplan.app.printouts import plan_lines
    from fpplan.planning.plan import make_plan

    page = page_sections(manifest)
    parser = Sections()
    parser.feed(sections_html(manifest, report=True))
    assert parser.sections == page
    report = sections_html(manifest, report=True)
    assert "max-height" not in report and report.count("<table class='fp-table'>") == 4
    notebook = Path(__file__).resolve().parents[2] / "notebooks" / "04_建设规划.ipynb"
    assert "sections_html(session.manifest, scenario, report=True)" in notebook.read_text(encoding="utf-8")
    lines = plan_lines(make_plan(county, manifest["plan_scenario"]), "plan.xlsx")
    for element, section in page.items():
        assert f"{section['heading']}：{section['text']}" in lines, element
