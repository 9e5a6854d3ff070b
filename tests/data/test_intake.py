"""fpplan init from a county office's own files (fpplan.data.intake), on two generated counties of different shapes
written as offices write them (fpplan.testing.office), never the demo's own files; then validate, a next month in
the official layout through import-reports, plan and scorecards; and every kind of bad input refused with a clear
message, exit 2 and nothing written."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from fpplan import load_county
from fpplan.cli import main
from fpplan.data.errors import DataError
from fpplan.data.intake import init_county
from fpplan.demo.shapes import write_county
from fpplan.testing.office import (
    OfficeStyle,
    census_grid,
    report_grid,
    staff_grid,
    write_csv,
    write_office_files,
    write_xlsx,
)


def office_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.is_file())


def census_total(path: Path) -> int:
    """The 总计 of the statistics bureau's table, read independently with openpyxl."""
    rows = list(openpyxl.load_workbook(path).worksheets[0].iter_rows(values_only=True))
    return next(r[1] for r in rows if r and r[0] == "总计")


@pytest.fixture(scope="module")
def small_canonical(tmp_path_factory) -> Path:
    return write_county(tmp_path_factory.mktemp("small") / "canonical", "small")


@pytest.fixture(scope="module")
def small_office(small_canonical: Path) -> Path:
    out = small_canonical.parent / "office"
    write_office_files(small_canonical, out)
    return out


@pytest.fixture(scope="module")
def small(small_office: Path) -> Path:
    target = small_office.parent / "county"
    assert main(["init", str(target), "--from", *map(str, office_files(small_office))]) == 0
    return target


def test_small_county_from_office_files(small: Path, small_office: Path, small_canonical: Path) -> None:
    assert main(["validate", str(small)]) == 0
    county = load_county(small)
    original = load_county(small_canonical)
    census = next(small_office.glob("*人口统计表.xlsx"))
    # the population total is the census table's 总计, to the person; so is each township's
    assert county.population["population"].sum() == census_total(census) == original.population["population"].sum()
    by_town = county.township_population().groupby("township_code")["population"].sum()
    expected = original.township_population().groupby("township_code")["population"].sum()
    pd.testing.assert_series_equal(by_town, expected, check_dtype=False)
    # 5-year groups are kept exactly by the split; the open group 85岁及以上 too
    ours = county.township_population().assign(group=lambda f: np.minimum(f["age"] // 5, 17))
    theirs = original.township_population().assign(group=lambda f: np.minimum(f["age"] // 5, 17))
    key = ["township_code", "sex", "group"]
    pd.testing.assert_series_equal(
        ours.groupby(key)["population"].sum(), theirs.groupby(key)["population"].sum(), check_dtype=False
    )
    assert (county.population["population"] % 1 == 0).all()  # whole persons
    # codes from the 统计用区划代码 list, names without 村委会/居委会
    assert set(county.units["code"]) == set(original.units["code"])
    assert (
        county.villages().set_index("code")["name"].to_dict() == original.villages().set_index("code")["name"].to_dict()
    )
    # staff: the office words mapped back to the same values
    staff = county.staff.set_index("staff_id").sort_index()
    truth = original.staff.set_index("staff_id").sort_index()
    for column in ("education", "title", "specialty", "licence", "sex", "birth_year"):
        assert (staff[column] == truth[column]).all(), column
    assert staff["medical"].tolist() == truth["medical"].tolist()
    # the construction plan and the reports, to the value
    plan = county.construction_plan.sort_values("completion_year")["cost_wan_yuan"].sum()
    assert plan == pytest.approx(original.construction_plan["cost_wan_yuan"].sum())
    stats = county.service_stats.set_index(["village_code", "month"]).sort_index()
    truth = original.service_stats.set_index(["village_code", "month"]).sort_index()
    assert len(stats) == len(truth)
    assert (stats["married_women_15_49"] == truth["married_women_15_49"]).all()
    assert (stats["ultrasound_checks"] == truth["ultrasound_checks"]).all()
    vital = county.vital_history.set_index(["township_code", "year"]).sort_index()
    assert (
        vital["births_male"] == original.vital_history.set_index(["township_code", "year"]).sort_index()["births_male"]
    ).all()


def test_intake_report_names_every_mapping(small: Path) -> None:
    text = (small / "导入说明.md").read_text(encoding="utf-8")
    for word, value in (
        ("大专", "大学专科"),
        ("本科", "大学本科"),
        ("妇产科", "妇科"),
        ("副高", "副高级"),
        ("无", "无职称"),
        ("注册护士", "护士"),
        ("县级指导站", "县计生指导站"),
        ("兼职", "0.5"),
    ):
        assert re.search(rf"\| {re.escape(word)} \| {re.escape(value)} \| \d+ \|", text), word
    assert "资金来源/自筹 | 自筹" in text  # the two-level header
    # totals checked, then skipped: the plan's one 合计 row (area and three money columns), the census's 总计 row and columns
    assert re.search(r"\| 建设项目规划表\.xlsx「规划表」 \| 4 \| \d+ \| 均等于各部分之和 \|", text)
    assert re.search(r"\| 清溪县2025年人口统计表\.xlsx「人口」 \| \d{2,} \| 5–\d+ \| 均等于各部分之和 \|", text)
    assert "Sprague" in text and "85岁及以上" in text and "Lx" in text  # how the open group was split
    assert "已婚比例" in text  # what is missing and what it means
    assert "| 乡镇 | 云台乡 | 430591201 |" in text


def test_next_month_official_layout_then_plan_and_scorecards(small: Path, small_office: Path, tmp_path: Path) -> None:
    county = tmp_path / "county"
    shutil.copytree(small, county)
    month = next((small_office / "下月").glob("*.xlsx"))
    assert main(["import-reports", str(county), str(month), "--no-results"]) == 0
    stats = load_county(county).service_stats  # the folder's table is unchanged; the store has the month
    assert "2026-01" not in set(stats["month"])
    from fpplan.data.workspace import Workspace

    imported = Workspace(county).county().service_stats
    january = imported[imported["month"] == "2026-01"]
    assert len(january) == 15 and january["reported_on"].notna().all()
    assert main(["validate", str(county)]) == 0
    assert main(["plan", str(county), "--out", str(tmp_path / "plan.xlsx")]) == 0
    for period in ("2026-01", "2025Q4", "2025"):
        assert main(["scorecard", str(county), "--period", period, "--level", "county"]) == 0


@pytest.mark.parametrize("census", ["tilde", "single", "long"])
def test_census_variants(census: str, small_canonical: Path, tmp_path: Path) -> None:
    style = OfficeStyle(census=census, months=("2025-11", "2025-12"), equipment=False)
    files = write_office_files(small_canonical, tmp_path / "office", style)
    path, _ = init_county(tmp_path / "county", files)
    county = load_county(path)
    original = load_county(small_canonical)
    assert county.population["population"].sum() == original.population["population"].sum()
    if census in ("tilde", "single"):  # up to 100岁及以上: every single age comes back (single) or every group
        ours = county.township_population().set_index(["township_code", "sex", "age"])["population"]
        truth = original.township_population().set_index(["township_code", "sex", "age"])["population"]
        assert (
            ours[ours.index.get_level_values("age") == 100].sum()
            == truth[truth.index.get_level_values("age") == 100].sum()
        )
        if census == "single":
            pd.testing.assert_series_equal(ours.sort_index(), truth.sort_index(), check_dtype=False)
    assert "equipment" not in {p.stem for p in path.iterdir()}
    assert "医疗设备" in (path / "导入说明.md").read_text(encoding="utf-8")  # said to be missing


def test_seed003_county(tmp_path: Path) -> None:
    canonical = write_county(tmp_path / "canonical", "seed003")
    months = tuple(str(m) for m in pd.period_range("2024-12", "2025-12", freq="M"))
    style = OfficeStyle(
        census="wide", report_format="csv", months=months, drop_elements=("migrant_women_served", "migrant_women")
    )
    files = write_office_files(canonical, tmp_path / "office", style)
    path, _ = init_county(tmp_path / "county", files, name="华阳县", code="410991")
    county_units = pd.read_csv(path / "units.csv", dtype=str)
    assert (county_units["level"] == "village").sum() == 448 and (county_units["level"] == "township").sum() == 16
    pop = pd.read_csv(path / "population.csv")
    assert pop["population"].sum() == census_total(next((tmp_path / "office").glob("*人口统计表.xlsx")))
    # the elements the reports lack are declared not collected, in exactly the agreed shape
    import yaml

    collection = yaml.safe_load((path / "config" / "collection.yaml").read_text(encoding="utf-8"))
    assert [e["element"] for e in collection["not_collected"]] == ["migrant_women", "migrant_women_served"]
    assert all(
        e["reason"] == "本县月报表无此栏目（fpplan init 据报表列判断，可修改）" for e in collection["not_collected"]
    )
    stats = pd.read_csv(path / "service_stats.csv", dtype={"village_code": str})
    assert stats["month"].nunique() == 13 and "migrant_women" not in stats
    # village names that recur across townships were resolved by their township
    text = (path / "导入说明.md").read_text(encoding="utf-8")
    assert "流动育龄妇女服务人数" in text and "collection.yaml" in text


# --- bad input --------------------------------------------------------------------------------------------------


def refused(target: Path, files: list[Path], capsys) -> str:
    """init refused with exit 2, nothing written; its printed problems."""
    capsys.readouterr()
    assert main(["init", str(target), "--from", *map(str, files)]) == 2
    assert not target.exists() and not list(target.parent.glob(f".{target.name}.init-*"))
    return capsys.readouterr().out


def test_unrecognised_file_and_duplicates(small_office: Path, tmp_path: Path, capsys) -> None:
    odd = tmp_path / "随便.csv"
    odd.write_text("甲,乙,丙\n1,2,3\n4,5,6\n", encoding="utf-8")
    census = next(small_office.glob("*人口统计表.xlsx"))
    copy = tmp_path / "人口再来一份.xlsx"
    shutil.copy(census, copy)
    month = next(small_office.glob("2025年3月*.xlsx"))
    again = tmp_path / "三月份.xlsx"
    shutil.copy(month, again)
    out = refused(tmp_path / "county", [*office_files(small_office), odd, copy, again], capsys)
    assert "无法识别这是哪一种表" in out and "随便.csv" in out
    assert "两个文件都是「人口统计表（分乡镇、性别、年龄）」" in out
    assert "2025-03的村级月报出现不止一次" in out


def test_typo_suggests_the_right_village(small_canonical: Path, small_office: Path, tmp_path: Path, capsys) -> None:
    county = load_county(small_canonical)
    grid = report_grid(county, "2025-03", county.service_stats)
    row = next(i for i, r in enumerate(grid.rows) if len(r) > 1 and r[1] == "孙家坪村")
    grid.rows[row][1] = "孙家平村"
    files = [p for p in office_files(small_office) if "2025年3月" not in p.name]
    files.append(write_xlsx(tmp_path / "三月.xlsx", {"月报": grid}))
    out = refused(tmp_path / "county", files, capsys)
    assert "「孙家平村」在清溪镇的村中不存在；最接近的：孙家坪村" in out
    assert f"{row + 1}" in out.split("孙家平村")[0].splitlines()[-1]  # its row


def test_totals_that_do_not_add_up(small_canonical: Path, small_office: Path, tmp_path: Path, capsys) -> None:
    county = load_county(small_canonical)
    grid = census_grid(county)
    total_row = next(i for i, r in enumerate(grid.rows) if r and r[0] == "总计")
    grid.rows[total_row][1] += 10
    report = report_grid(county, "2025-03", county.service_stats)
    sum_row = next(i for i, r in enumerate(report.rows) if r and r[0] == "合计")
    report.rows[sum_row][2] += 1
    files = [p for p in office_files(small_office) if "人口统计表" not in p.name and "2025年3月" not in p.name]
    files += [write_xlsx(tmp_path / "人口.xlsx", {"人口": grid}), write_xlsx(tmp_path / "三月.xlsx", {"月报": report})]
    out = refused(tmp_path / "county", files, capsys)
    lines = [line for line in out.splitlines() if "合计不符" in line]
    assert any(f" {total_row + 1} " in line and "总计/合计" in line for line in lines)  # row and column named
    assert any(f" {sum_row + 1} " in line and "已婚育龄妇女数" in line for line in lines)
    assert len(lines) == 2  # nothing else is off


def test_census_townships_must_match_the_village_list(
    small_canonical: Path, small_office: Path, tmp_path: Path, capsys
) -> None:
    county = load_county(small_canonical)
    grid = census_grid(county)
    header = next(r for r in grid.rows if r and r[0] == "年龄")
    header[header.index("云台乡")] = "云台镇"
    files = [p for p in office_files(small_office) if "人口统计表" not in p.name]
    files.append(write_xlsx(tmp_path / "人口.xlsx", {"人口": grid}))
    out = refused(tmp_path / "county", files, capsys)
    assert "人口表与村名单的乡镇不一致" in out and "「云台镇」不在村名单的乡镇中；最接近的：云台乡" in out


def test_roster_with_names_or_id_numbers_is_refused(
    small_canonical: Path, small_office: Path, tmp_path: Path, capsys
) -> None:
    county = load_county(small_canonical)
    grid = staff_grid(county)
    grid.rows[1].insert(2, "姓名")
    for row in grid.rows[2:]:
        row.insert(2, "张三")
    grid.rows[3][1] = "430591199001011234"
    files = [p for p in office_files(small_office) if "花名册" not in p.name]
    files.append(write_csv(tmp_path / "花名册.csv", grid))
    out = refused(tmp_path / "county", files, capsys)
    assert "含个人身份信息（姓名）" in out and "含个人身份信息（身份证号）" in out
    assert "430591199001011234" not in out and "张三" not in out  # never echoed


def test_unknown_word_names_allowed_values_in_chinese(
    small_canonical: Path, small_office: Path, tmp_path: Path, capsys
) -> None:
    county = load_county(small_canonical)
    grid = staff_grid(county)
    grid.rows[2][5] = "夜大"
    files = [p for p in office_files(small_office) if "花名册" not in p.name]
    files.append(write_csv(tmp_path / "花名册.csv", grid))
    out = refused(tmp_path / "county", files, capsys)
    assert "「夜大」不是允许的取值（研究生、大学本科、大学专科、中专、中专以下）" in out


def test_import_reports_refuses_a_typo_and_two_files_of_a_month(
    small: Path, small_canonical: Path, tmp_path: Path, capsys
) -> None:
    county_dir = tmp_path / "county"
    shutil.copytree(small, county_dir)
    county = load_county(small_canonical)
    stats = pd.read_csv(small_canonical / "incoming" / "village_reports_2026-01.csv", dtype={"village_code": str})
    stats["reported_on"] = pd.to_datetime(stats["reported_on"])
    grid = report_grid(county, "2026-01", stats)
    good = write_xlsx(tmp_path / "一月.xlsx", {"月报": grid})
    twice = write_xlsx(tmp_path / "一月再报.xlsx", {"月报": grid})
    row = next(i for i, r in enumerate(grid.rows) if len(r) > 1 and r[1] == "唐家洼村")
    grid.rows[row][1] = "唐家哇村"
    bad = write_xlsx(tmp_path / "一月错.xlsx", {"月报": grid})
    capsys.readouterr()
    assert main(["import-reports", str(county_dir), str(bad), "--no-results"]) == 2
    assert "最接近的：唐家洼村" in capsys.readouterr().out
    assert main(["import-reports", str(county_dir), str(good), str(twice), "--no-results"]) == 2
    assert "2026-01的村级月报出现不止一次" in capsys.readouterr().out
    assert not (county_dir / "fpplan.duckdb").exists() or main(["imports", str(county_dir)]) == 0


def test_init_refuses_a_folder_with_data(small: Path, small_office: Path) -> None:
    with pytest.raises(DataError) as error:
        init_county(small, office_files(small_office))
    assert error.value.problems[0].kind == "intake_folder_exists"


def test_a_folder_is_read_whole_without_excel_lock_files(small: Path, small_office: Path, tmp_path: Path) -> None:
    """``--from FOLDER``: every file in it and its sub-folders (here 下月, next month's report), in month order;
    an Excel lock file (~$…, left by an open workbook) is not a file of the county's."""
    office = tmp_path / "office"
    shutil.copytree(small_office, office)
    (office / "~$建设项目规划表.xlsx").write_bytes(b"\x00lock")
    target = tmp_path / "county"
    assert main(["init", str(target), "--from", str(office)]) == 0
    months = pd.read_csv(target / "service_stats.csv", dtype=str)["month"]
    assert (
        months.max() == "2026-01"
        and months.nunique() == pd.read_csv(small / "service_stats.csv", dtype=str)["month"].nunique() + 1
    )
    text = (target / "导入说明.md").read_text(encoding="utf-8")
    assert text.index("2023年2月村级") < text.index("2023年10月村级") and "~$" not in text


def test_template_filled_in_and_read_back(small_canonical: Path, tmp_path: Path) -> None:
    """fpplan template for a county, filled in as a planner would (names and words from its drop-down lists), read
    back by fpplan init: the county, its own target set and its scenario."""
    from fpplan.data.labels import enum_label

    book_path = tmp_path / "模板.xlsx"
    assert main(["template", str(book_path), "--county", str(small_canonical)]) == 0
    county = load_county(small_canonical)
    book = openpyxl.load_workbook(book_path)
    for ws in book.worksheets[2:]:  # every coded column has its drop-down list (not 说明, 取值)
        headers = [c.value for c in ws[1]]
        for coded in ("性别", "学历", "职称", "专业", "执业资格", "机构级别", "建设性质", "设备名称", "指标"):
            if coded in headers:
                letter = openpyxl.utils.get_column_letter(headers.index(coded) + 1)
                assert any(f"{letter}2:" in str(v.sqref) for v in ws.data_validations.dataValidation), (ws.title, coded)
    names = county.units.set_index("code")["name"]
    stations = county.facilities.set_index("code")["name"]
    pop = county.township_population()
    ws = book["人口"]
    for (town, sex), part in pop.groupby(["township_code", "sex"]):
        counts = part.set_index("age")["population"]
        for first in range(0, 100, 5):
            ws.append(
                [
                    2025,
                    names[town],
                    enum_label("sex", sex, "zh"),
                    f"{first}-{first + 4}岁",
                    int(counts.loc[first : first + 4].sum()),
                ]
            )
        ws.append([2025, names[town], enum_label("sex", sex, "zh"), "100岁及以上", int(counts.loc[100])])
    for p in county.construction_plan.itertuples():
        book["建设项目规划表"].append(
            [
                stations[p.station_code],
                enum_label("mode", p.mode, "zh"),
                enum_label("grade", p.target_grade, "zh"),
                p.target_floor_area_m2,
                p.start_year,
                p.completion_year,
                p.cost_wan_yuan,
                p.self_raised_wan_yuan,
                p.subsidy_requested_wan_yuan,
            ]
        )
    for s in county.staff.itertuples():
        book["技术人员"].append(
            [
                s.staff_id,
                stations[s.station_code],
                enum_label("sex", s.sex, "zh"),
                s.birth_year,
                enum_label("education", s.education, "zh"),
                enum_label("specialty", s.specialty, "zh"),
                enum_label("title", s.title, "zh"),
                enum_label("licence", s.licence, "zh"),
                "是" if s.medical else "否",
                "专职" if s.fte >= 1 else "兼职",
            ]
        )
    for v in county.vital_history.itertuples():
        book["人口变动"].append(
            [
                v.year,
                names[v.township_code],
                v.births_male,
                v.births_female,
                v.deaths_male,
                v.deaths_female,
                v.in_migrants,
                v.out_migrants,
            ]
        )
    stats = county.service_stats[county.service_stats["month"] == "2025-12"].set_index("village_code")
    elements = list(county.config["data_elements"].elements)
    village_codes = {(names[c[:9]], n): c for c, n in county.villages()[["code", "name"]].itertuples(index=False)}
    for ws in book.worksheets:
        if ws.title.startswith("月报-"):
            for row in ws.iter_rows(min_row=2):
                code = village_codes[(row[1].value, row[2].value)]
                if code in stats.index:
                    row[0].value = "2025-12"
                    for cell, e in zip(row[3:], elements):
                        cell.value = float(stats.loc[code, e])
    book["目标"].append(["已婚育龄妇女综合避孕率", "≥", 90, "县人口计生目标责任书第3条"])
    book["情景"].append(["中方案", 2025, 1.2, 76.0, 81.5, -300])
    book["情景"].append(["中方案", 2035, 1.1, 78.0, 83.0, -200])
    book.save(book_path)
    path, _ = init_county(tmp_path / "county", [book_path])
    loaded = load_county(path)
    assert loaded.population["population"].sum() == county.population["population"].sum()
    assert len(loaded.staff) == len(county.staff) and len(loaded.service_stats) == len(stats)
    catalogue = loaded.config["indicators"]
    assert catalogue.default_target_set == "own" and catalogue.target_sets["own"].extends == ("county",)
    target = catalogue.target_sets["own"].targets["contraceptive_prevalence"][0]
    assert (target.op, target.value, target.source) == (">=", 90, "县人口计生目标责任书第3条")
    medium = loaded.scenarios["medium"]
    assert medium.tfr == {2025: 1.2, 2035: 1.1} and medium.net_migration == {2025: -300, 2035: -200}
    assert medium.e0.female[2035] == 83.0 and medium.horizon == 2035
