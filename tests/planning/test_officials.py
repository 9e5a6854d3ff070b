"""The plan to the plan year on the demo county: the 建设项目规划表 as officials lay it out (read back with openpyxl),
money by year and source adding up to the costs, subsidy still to secure, the staff rules met at the plan year,
and bad input refused with nothing written."""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from fpplan import load_county
from fpplan.app.workbook import write_workbook
from fpplan.cli import main
from fpplan.planning import money
from fpplan.planning.officials import officials_tables
from fpplan.planning.plan import make_plan


@pytest.fixture(scope="module")
def plan(county):
    return make_plan(county, "medium")


@pytest.fixture(scope="module")
def book(plan, tmp_path_factory):
    return openpyxl.load_workbook(write_workbook(plan, tmp_path_factory.mktemp("book") / "plan.xlsx"))


def test_plan_table_layout_read_back(county, plan, book) -> None:
    sheet = book["建设项目规划表"]
    assert sheet["A1"].value == "演示县计划生育县乡服务站建设项目规划表（2026—2030年）"
    headers = [c.value for c in sheet[2]]
    assert headers == [
        "序号",
        "服务站名称",
        "级别",
        "现有建筑面积(m²)",
        "建设方式",
        "目标等级",
        "等级标准面积(m²)",
        "目标建筑面积(m²)",
        "低于等级标准",
        "竣工年份",
        "总投资(万元)",
        "自筹(万元)",
        "争取上级补助(万元)",
    ]
    rows = [[c.value for c in r] for r in sheet.iter_rows(min_row=3, max_row=2 + len(county.construction_plan))]
    table = pd.DataFrame(rows, columns=headers)
    fac = county.facilities.set_index("name")
    # names, levels and today's floor area come from facilities.csv; the county station first, then by level
    assert table["服务站名称"].tolist()[0] == "县计生指导站"
    assert table["级别"].tolist() == ["县计生指导站"] + ["乡中心服务站"] * 2 + ["一般乡服务站"] * 5
    assert table["现有建筑面积(m²)"].tolist() == fac.loc[table["服务站名称"], "floor_area_m2"].tolist()
    # the standard area of the target grade (standards.yaml) beside the target area
    standard = {("县计生指导站", "甲级"): 1800, ("乡中心服务站", "甲级"): 600, ("一般乡服务站", "乙级"): 220}
    assert table["等级标准面积(m²)"].tolist() == [
        standard[(lvl, g)] for lvl, g in zip(table["级别"], table["目标等级"])
    ]
    assert set(table["低于等级标准"]) == {"否"}
    # sources per project, as in construction_plan.csv
    plan_rows = county.construction_plan.set_index("station_code").loc[fac.loc[table["服务站名称"], "code"]]
    assert table["自筹(万元)"].tolist() == plan_rows["self_raised_wan_yuan"].tolist()
    assert table["争取上级补助(万元)"].tolist() == plan_rows["subsidy_requested_wan_yuan"].tolist()
    assert table["竣工年份"].tolist() == plan_rows["completion_year"].tolist()
    totals = [c.value for c in sheet[3 + len(table)]]
    assert totals[1] == "合计" and totals[10:13] == [1110, 390, 720]
    assert totals[3] == sum(table["现有建筑面积(m²)"])
    # print-ready: A4 landscape, fit to width, title and header rows repeated; years shown as years
    assert sheet.page_setup.orientation == "landscape" and sheet.page_setup.paperSize == 9
    assert sheet.sheet_properties.pageSetUpPr.fitToPage and sheet.page_setup.fitToHeight == 0
    assert sheet.print_title_rows == "$1:$2" and sheet.freeze_panes == "A3"
    assert sheet.cell(3, 10).number_format == "0"
    assert "《农村计划生育服务机构基础设施建设标准》" in sheet.cell(5 + len(table), 1).value


def test_money_by_year_and_source_adds_up_to_the_costs(plan, book) -> None:
    m = plan.money
    build = m[m["category"] == "construction"]
    assert build["self_raised_wan_yuan"].sum() == pytest.approx(plan.construction_plan["self_raised_wan_yuan"].sum())
    assert build["subsidy_wan_yuan"].sum() == pytest.approx(plan.construction_plan["subsidy_requested_wan_yuan"].sum())
    # each year's construction money is the cash flow of that year
    flows = plan.cash_flow.groupby("year")["amount_wan_yuan"].sum()
    assert build.set_index("year")["total_wan_yuan"].to_dict() == pytest.approx(flows.to_dict())
    equip = m[m["category"] == "equipment"]
    assert equip["total_wan_yuan"].sum() == pytest.approx(plan.equipment["cost_wan_yuan"].sum())
    assert (m["total_wan_yuan"] - m["self_raised_wan_yuan"] - m["subsidy_wan_yuan"]).abs().max() < 1e-9
    # the sheet: one row per year, a totals row equal to the whole money
    sheet = book["年度资金（按来源）"]
    headers = [c.value for c in sheet[1]]
    assert headers[:3] == ["年份", "房屋建设·自筹(万元)", "房屋建设·上级补助(万元)"]
    years = [r[0].value for r in sheet.iter_rows(min_row=2) if isinstance(r[0].value, int)]
    assert years == list(range(2026, 2031))
    total = next(r for r in sheet.iter_rows(min_row=2) if r[0].value == "合计")
    assert total[headers.index("合计·合计(万元)")].value == pytest.approx(m["total_wan_yuan"].sum())
    assert sheet.cell(2, 1).number_format == "0"


def test_subsidy_still_to_secure(county, plan) -> None:
    # demo: 720 万元 requested for buildings, 150 + 90 + 48 = 288 granted (subsidy_granted.csv)
    assert money.still_to_secure(county.construction_plan, county.subsidy_granted) == pytest.approx(720 - 288)
    s = plan.subsidy.set_index("station")
    assert s.loc["ZD001", "still_to_secure_wan_yuan"] == pytest.approx(
        s.loc["ZD001", "subsidy_requested_wan_yuan"] - 150
    )
    granted = pd.DataFrame({"station_code": ["ZS008"], "year": [2026], "amount_wan_yuan": [500.0]})
    # more granted than asked at a station does not pay for another station
    assert money.still_to_secure(county.construction_plan, granted) == pytest.approx(720 - 48)


def test_staff_rules_met_at_the_plan_year_by_the_recruitment_plan(plan, book) -> None:
    assert plan.plan_year == 2030 and plan.staff_plan.feasible and not plan.problems and not plan.staff_plan.notes
    final = plan.staff_plan.structure.query("year == 2030")
    assert final["met"].all() and len(final) == 8
    assert plan.staff_plan.head_counts["met"].all() and plan.staff_plan.wisn["met"].all()
    hires = officials_tables(plan)["hires"]
    assert (
        len(hires) > 0
        and hires[["year", "station_name", "specialty", "education", "title", "licence"]].notna().all().all()
    )
    sheet = book["招聘计划"]
    headers = [c.value for c in sheet[1]]
    assert {"学历", "职称", "执业资格", "专业", "服务站名称"} <= set(headers)
    assert {"人员结构（招聘后）", "人员配备（逐年）", "医疗设备", "人口增长率", "培训计划"} <= set(book.sheetnames)
    growth = [c.value for c in book["人口增长率"][1]]
    assert "人口自然增长率(‰)" in growth and "人口机械增长率(‰)" in growth
    # no person of the roster in the officials' tables: training is counted, not listed
    assert "人员编号" not in [c.value for c in book["培训计划"][1]]


def test_dashboard_tables_show_years_as_years(plan) -> None:
    from fpplan.app.panels.construction import html_table

    html = html_table(officials_tables(plan)["construction"]).value
    assert "<td>2028</td>" in html and "2,028" not in html and "<td>1,800</td>" in html


def test_a_target_below_its_standard_is_refused(demo, tmp_path) -> None:
    bad = tmp_path / "county"
    shutil.copytree(demo, bad)
    plan = pd.read_csv(bad / "construction_plan.csv")
    plan.loc[plan["station_code"] == "ZS005", "target_floor_area_m2"] = 180  # general B needs 220
    plan.to_csv(bad / "construction_plan.csv", index=False)
    made = make_plan(load_county(bad), "medium")
    assert [(p.kind, p.row, p.value) for p in made.problems] == [("below_standard", 6, 180)]
    assert "220" in made.problems[0].message("zh")
    assert officials_tables(made)["construction"].set_index("station").loc["ZS005", "below_standard"]
    out = tmp_path / "plan.xlsx"
    assert main(["plan", str(bad), "--out", str(out)]) == 2
    assert not out.exists()


def test_rules_no_plan_can_meet_are_refused_in_words(demo, tmp_path, capsys) -> None:
    bad = tmp_path / "county"
    shutil.copytree(demo, bad)
    (bad / "config" / "recruitment.yaml").write_text(
        (Path(__file__).parents[2] / "src/fpplan/defaults/config/recruitment.yaml")
        .read_text(encoding="utf-8")
        .replace("max_per_year: null", "max_per_year: 2"),
        encoding="utf-8",
    )
    out = tmp_path / "plan.xlsx"
    assert main(["--lang", "en", "plan", str(bad), "--out", str(out)]) == 2
    printed = capsys.readouterr().out
    assert "no hiring plan can meet this" in printed and "Traceback" not in printed
    assert not out.exists()


def test_a_structure_rule_is_shown_in_its_own_measure() -> None:
    """A share rule counts full-time equivalents and a count rule whole persons: each row says which, with its
    qualified and technical staff that way and its value and threshold as a percentage or a number of persons (the
    report printed "33.00 5.00" for 执业助理医师以上不少于5人 under an FTE header)."""
    from fpplan.planning.officials import structure_shown

    rules = pd.DataFrame(
        {
            "rule": ["undergraduate", "assistant_physicians"],
            "qualified": [10.5, 33.0],
            "staff": [73.5, 78.0],
            "value": [10.5 / 73.5, 33.0],
            "threshold": [0.2, 5.0],
            "kind": ["share", "count"],
        }
    )
    shown = structure_shown(rules)
    assert shown["measured_in"].tolist() == ["fte", "persons"]
    assert shown["qualified_staff"].tolist() == ["10.5", "33"] and shown["technical_staff"].tolist() == ["73.5", "78"]
    assert shown["value"].tolist() == ["14.3%", "33"] and shown["threshold"].tolist() == ["20.0%", "5"]


def test_todays_structure_and_head_count_tables_read_in_whole_persons(plan) -> None:
    from fpplan.app.tables import present
    from fpplan.data.labels import set_language

    set_language("zh")
    today = officials_tables(plan)["structure_today"]
    cells = present(today).cells
    assert list(cells.columns[:4]) == ["标准", "计量", "符合标准", "技术人员"]
    count = plan.structure["kind"].eq("count").to_numpy()
    assert set(cells.loc[count, "计量"]) == {"人"} and set(cells.loc[~count, "计量"]) == {"全时当量"}
    for column in ("符合标准", "技术人员", "现状", "标准值"):
        assert not cells.loc[count, column].str.contains(r"\.").any()  # whole persons
    assert cells.loc[~count, "现状"].str.endswith("%").all()
    assert (today["people_needed"] == plan.structure["people_needed"]).all()
    heads = present(plan.head_count.drop(columns="source")).cells  # the report's 人员配备标准（现状）
    for column in ("标准最少人数(人)", "标准最多人数(人)"):  # whole persons (the maximum printed "3.0")
        shown = heads[column][heads[column] != "—"]
        assert len(shown) and not shown.str.contains(r"\.").any()
