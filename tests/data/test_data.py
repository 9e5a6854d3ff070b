"""The county loader: formats, headers, and every validation rule with the message it must give."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from fpplan import DataError, load_county
from fpplan.data import read_table
from fpplan.testing import problems_of
from fpplan.testing.mini import mini_tables


def only(problems: list, kind: str) -> list:
    return [p for p in problems if p.kind == kind]


def break_table(path: Path, name: str, change) -> None:
    """Apply ``change`` to a table file: it mutates the frame, or returns a new one."""
    frame = pd.read_csv(path / f"{name}.csv", dtype=str, keep_default_na=False)
    changed = change(frame)
    (frame if changed is None else changed).to_csv(path / f"{name}.csv", index=False)


def test_mini_county_loads_typed(mini: Path) -> None:
    county = load_county(mini)
    assert county.base_year == 2025
    assert county.county_code == "100"
    # 101 ages × (10 men + 11 women) in village 1 and (20 + 21) in village 2; (30 + 31) in village 3.
    totals = county.township_population().groupby("township_code")["population"].sum()
    assert totals.to_dict() == {"100001": 101 * (21 + 41), "100002": 101 * 61}
    assert county.staff["medical"].tolist() == [True, True, False]
    assert county.staff["birth_year"].dtype == np.int64
    assert county.exam_scores["score"].isna().tolist() == [False, True]
    assert county.disbursement.empty and county.budget.empty
    assert set(county.villages()["township_code"]) == {"100001", "100002"}


def test_gbk_and_xlsx_load_the_same_as_utf8(mini: Path, tmp_path: Path) -> None:
    reference = load_county(mini)
    gbk, xlsx = tmp_path / "gbk", tmp_path / "xlsx"
    shutil.copytree(mini, gbk)
    shutil.copytree(mini, xlsx)
    units = pd.read_csv(mini / "units.csv", dtype=str, keep_default_na=False)
    units["name"] = ["演示县", "东镇", "西乡", "东村", "南社区", "西村"]
    units.to_csv(gbk / "units.csv", index=False, encoding="gbk")
    for name in ("units", "staff", "service_stats"):
        frame = pd.read_csv(gbk / f"{name}.csv", dtype=str, keep_default_na=False, encoding="gb18030")
        (xlsx / f"{name}.csv").unlink()
        frame.to_excel(xlsx / f"{name}.xlsx", index=False)
    for other in (load_county(gbk), load_county(xlsx)):
        assert other.units["name"].tolist() == units["name"].tolist()
        pd.testing.assert_frame_equal(other.staff, reference.staff)
        pd.testing.assert_frame_equal(other.service_stats, reference.service_stats)


def test_chinese_headers_file_names_and_values(mini: Path) -> None:
    staff = pd.read_csv(mini / "staff.csv", dtype=str)
    staff.columns = [
        "人员编号",
        "服务站代码",
        "专业",
        "学历",
        "职称",
        "医学专业",
        "执业资格",
        "折合全时",
        "性别",
        "出生年份",
    ]
    staff["专业"] = ["妇科", "B超", "财务"]
    staff["医学专业"] = ["是", "是", "否"]
    staff["性别"] = ["女", "男", "女"]
    (mini / "staff.csv").unlink()
    staff.to_csv(mini / "技术人员.csv", index=False)
    facilities = pd.read_csv(mini / "facilities.csv", dtype=str)
    facilities = facilities.rename(columns={"floor_area_m2": "建筑面积（m²）", "level": "级别"})
    facilities["级别"] = ["县计生指导站", "一般乡服务站", "流动服务车"]
    facilities.to_csv(mini / "facilities.csv", index=False)
    county = load_county(mini)
    assert county.staff["specialty"].tolist() == ["gynaecology", "ultrasound", "finance"]
    assert county.staff["medical"].tolist() == [True, True, False]
    assert county.facilities["level"].tolist() == ["county_station", "township_general", "mobile_vehicle"]
    assert county.facilities["floor_area_m2"].tolist() == [900.0, 120.0, 0.0]


def test_five_year_groups_are_split_preserving_totals(mini: Path) -> None:
    pop = pd.read_csv(mini / "population.csv")
    pop["age_group"] = np.where(
        pop["age"] == 100, "100+", (pop["age"] // 5 * 5).astype(str) + "-" + (pop["age"] // 5 * 5 + 4).astype(str)
    )
    grouped = pop.groupby(["year", "unit_code", "sex", "age_group"], as_index=False)["population"].sum()
    grouped.to_csv(mini / "population.csv", index=False)
    county = load_county(mini)
    assert len(county.population) == 3 * 2 * 101
    # a flat population stays flat under Sprague (exact for single-year polynomials up to degree 3)
    first = county.population.query("unit_code == '100001001' and sex == 'male'")["population"].to_numpy()
    np.testing.assert_allclose(first, 10.0, atol=1e-9)
    assert county.population["population"].sum() == pytest.approx(pop["population"].sum())


def test_clean_problems_report_everything_at_once(mini: Path) -> None:
    """A wrong column, a Chinese header typo, a negative count, a duplicate village, a half-written month."""
    units = pd.read_csv(mini / "units.csv", dtype=str, keep_default_na=False)
    pd.concat([units, units.iloc[[3]]]).to_csv(mini / "units.csv", index=False)  # village 100001001 twice (row 8)
    break_table(mini, "vital_history", lambda f: f.rename(columns={"in_migrants": "inmigrants"}))
    break_table(mini, "population", lambda f: f.__setitem__("population", f["population"].where(f.index != 7, "-3")))
    break_table(mini, "service_stats", lambda f: f.__setitem__("deaths", f["deaths"].where(f.index != 2, "")))
    break_table(mini, "staff", lambda f: f.rename(columns={"education": "学厉"}))
    problems = problems_of(mini)
    kinds = {(p.kind, Path(p.file).name, p.row, p.column) for p in problems}
    assert ("duplicate", "units.csv", 8, "code") in kinds
    assert ("unknown_column", "vital_history.csv", None, "inmigrants") in kinds
    assert ("missing_column", "vital_history.csv", None, "in_migrants") in kinds
    assert ("negative", "population.csv", 9, "population") in kinds
    assert ("half_written", "service_stats.csv", 4, "deaths") in kinds
    assert ("unknown_column", "staff.csv", None, "学厉") in kinds
    negative = only(problems, "negative")[0]
    assert negative.value == "-3"
    assert "负数" in negative.message("zh") and "negative" in negative.message("en")


@pytest.mark.parametrize(
    ("table", "column", "row", "bad", "kind"),
    [
        ("units", "level", 3, "city", "not_in_enum"),
        ("units", "parent_code", 4, "999", "unknown_reference"),
        ("population", "age", 2, "101", "out_of_range"),
        ("population", "age", 2, "ten", "bad_type"),
        ("population", "population", 5, "", "required"),
        ("married_share", "share", 3, "1.2", "out_of_range"),
        ("facilities", "grade", 2, "AAA", "not_in_enum"),
        ("staff", "station_code", 3, "F99", "unknown_reference"),
        ("staff", "fte", 2, "1.5", "out_of_range"),
        ("staff", "medical", 2, "maybe", "bad_type"),
        ("service_stats", "month", 2, "2025-13", "bad_type"),
        ("service_stats", "village_code", 3, "100001", "unknown_reference"),
        ("service_stats", "iud_insertions", 2, "-1", "negative"),
        ("survey", "need", 2, "remedial", "not_in_enum"),
        ("exam_scores", "score", 2, "105", "out_of_range"),
        ("exam_scores", "staff_id", 3, "S9", "unknown_reference"),
        ("vital_history", "township_code", 2, "100001001", "unknown_reference"),
        ("construction_plan", "completion_year", 2, "2024", "inconsistent"),
        ("construction_plan", "cost_wan_yuan", 3, "70", "inconsistent"),
    ],
)
def test_each_rule_names_file_row_column_and_value(mini: Path, table, column, row, bad, kind) -> None:
    break_table(mini, table, lambda f: f.__setitem__(column, f[column].where(f.index != row - 2, bad)))
    found = [p for p in problems_of(mini) if p.kind == kind]
    assert found, f"no {kind} problem"
    hit = found[0]
    assert Path(hit.file).name == f"{table}.csv"
    assert hit.row == row and hit.column == column
    assert str(hit.value) == bad or kind == "required"
    assert hit.message("zh") and hit.message("en")


def test_incomplete_population_and_births_implausible(mini: Path) -> None:
    pop = pd.read_csv(mini / "population.csv", dtype=str)
    pop.drop(index=[0, 1]).to_csv(mini / "population.csv", index=False)
    break_table(mini, "vital_history", lambda f: f.__setitem__("births_male", ["5000", "3"]))
    problems = problems_of(mini)
    incomplete = only(problems, "incomplete")
    assert (
        incomplete[0].value == "100001001"
        and "只有200个" in incomplete[0].detail
        and "应为202个" in incomplete[0].detail
    )
    births = only(problems, "inconsistent")
    assert births[0].row == 2 and births[0].column == "births_female"


def test_personal_identifiers_are_refused(mini: Path) -> None:
    break_table(mini, "staff", lambda f: f.insert(1, "姓名", ["张三", "李四", "王五"]))
    problem = only(problems_of(mini), "forbidden_column")[0]
    assert problem.column == "姓名" and "个人身份" in problem.message("zh")


def test_missing_empty_binary_and_badly_encoded_files(mini: Path) -> None:
    (mini / "vital_history.csv").unlink()
    (mini / "survey.csv").unlink()  # optional: a county without a demand survey
    (mini / "staff.csv").write_bytes(b"")
    (mini / "exam_scores.csv").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    (mini / "married_share.csv").write_bytes(b"township_code,age,share\n\xff\xff\xff,15,0.1\n")
    problems = problems_of(mini)
    by_file = {Path(p.file).name: p.kind for p in problems}
    assert by_file["vital_history.csv"] == "missing_file" and "survey.csv" not in by_file
    assert by_file["staff.csv"] == "empty_file"
    assert by_file["exam_scores.csv"] == "unreadable"
    assert by_file["married_share.csv"] == "unreadable"
    with pytest.raises(DataError) as info:
        load_county(mini / "nowhere")
    assert info.value.problems[0].kind == "missing_folder"


def test_config_error_names_file_and_key(mini: Path) -> None:
    (mini / "config").mkdir()
    (mini / "config" / "data_elements.yaml").write_text(
        "source: x\nelements:\n  births: {zh: 出生, en: births, time: median}\n", encoding="utf-8"
    )
    problem = only(problems_of(mini), "config")[0]
    assert problem.file.endswith("data_elements.yaml") and "elements.births.time" in problem.detail


def test_source_files_are_never_modified(mini: Path) -> None:
    break_table(mini, "units", lambda f: f.__setitem__("level", f["level"].where(f.index != 1, "city")))
    digest = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in mini.iterdir()}
    problems_of(mini)
    assert digest == {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in mini.iterdir()}


def test_read_table_checks_a_single_report_file(mini: Path) -> None:
    stats = read_table(mini / "service_stats.csv", "service_stats")
    assert len(stats) == 6 and stats["month"].tolist()[:2] == ["2025-01", "2025-02"]
    tables = mini_tables()
    tables["service_stats"].loc[0, ["month", "reported_on"]] = ["2025年3月", "2025年4月5日"]
    tables["service_stats"].to_csv(mini / "reports.csv", index=False)
    assert read_table(mini / "reports.csv", "service_stats")["month"][0] == "2025-03"


def test_cli_validate_exit_codes(mini: Path, capsys) -> None:
    from fpplan.cli import main

    assert main(["validate", str(mini)]) == 0
    break_table(mini, "units", lambda f: f.__setitem__("level", f["level"].where(f.index != 1, "city")))
    assert main(["--lang", "en", "validate", str(mini)]) == 2
    out = capsys.readouterr().out
    assert "1 problems found" in out and "units.csv" in out and "'city' is not an allowed value" in out


def test_the_county_fixture_is_what_loading_the_modules_copy_gives(county, demo: Path) -> None:
    """The ``county`` fixture (the demo loaded once a run, as a County of the module's copy: tests/conftest.py) has
    every field loading the module's copy gives: tables equal, the same path, files and geography files."""
    import dataclasses

    loaded = load_county(demo)
    assert county.path == loaded.path == demo
    for field in dataclasses.fields(loaded):
        mine, theirs = getattr(county, field.name), getattr(loaded, field.name)
        if isinstance(theirs, pd.DataFrame):
            pd.testing.assert_frame_equal(mine, theirs, obj=field.name)
        elif field.name == "geography":
            for part in ("boundaries", "roads"):
                pd.testing.assert_frame_equal(getattr(mine, part), getattr(theirs, part), obj=part)
            assert (mine.boundary_file, mine.road_file) == (theirs.boundary_file, theirs.road_file)
            assert str(demo) in str(mine.road_file)
        else:
            assert mine == theirs, field.name
    assert county.files and all(str(demo) in str(file) for file in county.files.values())
    assert county.census().base_year == loaded.census().base_year
    frames = [f.name for f in dataclasses.fields(loaded) if isinstance(getattr(loaded, f.name), pd.DataFrame)]
    for a in frames:  # fields that are one frame when loaded (a table not brought forward) are one here too
        for b in frames:
            assert (getattr(county, a) is getattr(county, b)) == (getattr(loaded, a) is getattr(loaded, b)), (a, b)


def test_a_county_read_again_unchanged_is_not_read_again_and_each_reader_has_its_own(mini: Path, monkeypatch) -> None:
    """A county read whole is kept for the process: the same place, files and day give the same County without
    reading a file; each reader's tables are its own; a file rewritten at once with as many bytes, another day or a
    copy elsewhere is read."""
    from fpplan.data import county as county_module
    from fpplan.data import validation

    first = load_county(mini)
    reads = []
    real = county_module._read_county
    monkeypatch.setattr(county_module, "_read_county", lambda *a: reads.append(a[0]) or real(*a))
    again = load_county(mini)
    assert reads == []
    for name in ("units", "population", "staff"):
        pd.testing.assert_frame_equal(getattr(again, name), getattr(first, name))
    again.units.loc[again.units.index[0], "name"] = "改过的名字"  # a reader's change stays its own
    assert load_county(mini).units["name"].iloc[0] == first.units["name"].iloc[0] != "改过的名字"
    assert reads == []

    units = (mini / "units.csv").read_text(encoding="utf-8")
    (mini / "units.csv").write_text(units.replace("East Town", "East Tawn"), encoding="utf-8")  # as many bytes
    assert "East Tawn" in set(load_county(mini).units["name"]) and reads == [mini]
    monkeypatch.setattr(validation, "today", lambda: __import__("datetime").date(2031, 1, 1))
    load_county(mini)
    assert len(reads) == 2
    copy = Path(shutil.copytree(mini, mini.parent / "copy"))
    assert load_county(copy).path == copy and reads[-1] == copy
