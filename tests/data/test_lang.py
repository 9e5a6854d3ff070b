"""Every problem a county user can meet is in Chinese by default and in English with ``--lang en`` (issues 22, 23):
bad configuration values (pydantic's error types and the models' own checks), broken geography files, unreadable
tables, a damaged store, survey rounds with more yes answers than persons asked, a wrong period, a failing report
notebook. Each message names the file, the row or key, the value and what to do."""

from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from fpplan import DataError, load_county
from fpplan.cli import main
from fpplan.data.config import default_config_dir
from fpplan.data.labels import set_language
from fpplan.testing.mini import mini_tables, write_mini_county

CJK = re.compile(r"[\u4e00-\u9fff]")
# three English words in a row (a sentence), after paths, YAML key paths and codes are taken out
ENGLISH = re.compile(r"\b[A-Za-z]{2,}\b(?:[\s,'’]+\b[A-Za-z]{2,}\b){2,}")
NOT_PROSE = re.compile(r"\S*[/\\._]\S*|fpplan validate")


def english_sentence(text: str) -> str | None:
    match = ENGLISH.search(NOT_PROSE.sub(" ", text))
    return match.group(0) if match else None


def assert_chinese(message: str) -> None:
    assert CJK.search(message), message
    assert english_sentence(message) is None, f"English in {message!r}: {english_sentence(message)!r}"


def assert_english(message: str, *names: str) -> None:
    """No Chinese (``names``: the county's own names the message quotes) and English words."""
    for name in names:
        message = message.replace(name, "")
    assert not CJK.search(message), message
    assert re.search(r"[A-Za-z]{2,}\s+[A-Za-z]{2,}", message), message


@pytest.fixture(autouse=True)
def chinese():
    set_language("zh")
    yield
    set_language("zh")


def refused(path: Path) -> list:
    with pytest.raises(DataError) as info:
        load_county(path)
    return info.value.problems


def both(path: Path) -> tuple[list, list]:
    """The problems of loading ``path`` in Chinese, then in English (``fpplan --lang en`` sets the language before
    anything is read); the problems found in Chinese read the same in English with ``message("en")``."""
    zh = refused(path)
    set_language("en")
    en = refused(path)
    set_language("zh")
    assert [p.message("en") for p in zh] == [p.message("en") for p in en]
    return zh, en


def own_config(county: Path, name: str, edit) -> None:
    """The county's own copy of a default config file, edited as text."""
    (county / "config").mkdir(exist_ok=True)
    text = (default_config_dir() / f"{name}.yaml").read_text(encoding="utf-8")
    (county / "config" / f"{name}.yaml").write_text(edit(text), encoding="utf-8")


# --- configuration: pydantic's error types and the models' own checks ------------------------------------------------


def test_configuration_values_are_explained_in_chinese_and_english(tmp_path: Path) -> None:
    county = write_mini_county(tmp_path / "c")
    own_config(
        county,
        "spatial",
        lambda t: t.replace(
            "extent: null", "extent: {lon_min: 80, lon_max: 90, lat_min: 40, lat_max: 45, source: test, colour: red}"
        ),
    )
    own_config(county, "wisn", lambda t: t + "\nworking_days_typo: 250\n")
    zh, en = both(county)
    found = {Path(p.file).name: p for p in zh}
    extra = found["spatial.yaml"]
    assert extra.column == "extent.colour" and extra.value == "red" and extra.row is None
    assert extra.message() == (
        "配置错误：「extent.colour」不是可用的项（是否拼写有误？可用的项见 fpplan 自带的同名配置文件）：请改正或删去"
    )
    assert found["wisn.yaml"].column == "working_days_typo" and found["wisn.yaml"].value == 250
    for problem in zh:
        assert_chinese(problem.message())
    for problem in en:
        assert_english(problem.message("en"))
    assert {p.column for p in en} == {p.column for p in zh}


@pytest.mark.parametrize(
    "yaml_value, words_zh, words_en",
    [
        ("detour_factor: {value: abc, source: t}", "应为数字", "should be a number"),
        ("detour_factor: {value: 0.5, source: t}", "不能小于 1", "at least 1"),
        ("detour_factor: {value: -1, source: t}", "须大于 0", "greater than 0"),
        ("detour_factor: {source: t}", "缺少必需的项", "is required"),
    ],
)
def test_each_kind_of_configuration_mistake(tmp_path: Path, yaml_value: str, words_zh, words_en) -> None:
    county = write_mini_county(tmp_path / "c")
    default = (default_config_dir() / "spatial.yaml").read_text(encoding="utf-8")
    line = next(x for x in default.splitlines() if x.startswith("detour_factor:"))
    own_config(county, "spatial", lambda t: t.replace(line, yaml_value))
    zh, en = both(county)
    assert all(p.file.endswith("spatial.yaml") for p in zh)
    assert any(words_zh in p.message() for p in zh), [p.message() for p in zh]
    assert any(words_en in p.message("en") for p in en), [p.message("en") for p in en]
    for p in zh:
        assert_chinese(p.message())
    for p in en:
        assert_english(p.message("en"))


def test_a_literal_choice_lists_the_allowed_values(tmp_path: Path) -> None:
    county = write_mini_county(tmp_path / "c")
    own_config(county, "indicators", lambda t: t.replace("unit: per_mille", "unit: permille", 1))
    zh, en = both(county)
    problem = next(p for p in zh if p.column and p.column.endswith(".unit"))
    assert problem.value == "permille" and problem.file.endswith("indicators.yaml")
    assert "须是以下之一：'percent' / 'per_mille' / " in problem.message()
    assert "should be one of 'percent' / 'per_mille' / " in problem.message("en")
    assert problem.message("en") == next(p for p in en if p.column == problem.column).message("en")


def test_a_models_own_check_is_translated(tmp_path: Path) -> None:
    """A target 'between' with its bounds reversed and a default target set that does not exist."""
    county = write_mini_county(tmp_path / "c")
    own_config(county, "indicators", lambda t: t.replace("default_target_set: county", "default_target_set: nosuch"))
    zh, en = both(county)
    texts = [p.message() for p in zh if p.file.endswith("indicators.yaml")]
    assert "配置错误：默认目标集（default_target_set）「nosuch」不是已定义的目标集" in texts
    assert "configuration error: default_target_set 'nosuch' is not a target set" in [p.message("en") for p in en]


# --- geography files ---------------------------------------------------------------------------------------------


def square(lon0: float, lat0: float, lon1: float, lat1: float) -> list:
    return [[[lon0, lat0], [lon1, lat0], [lon1, lat1], [lon0, lat1], [lon0, lat0]]]


def test_geography_problems_in_chinese(tmp_path: Path) -> None:
    county = write_mini_county(tmp_path / "c")
    bowtie = [[[88.0, 43.7], [88.2, 43.9], [88.2, 43.7], [88.0, 43.9], [88.0, 43.7]]]
    features = [
        {"type": "Feature", "properties": {"code": "100001"}, "geometry": {"type": "Polygon", "coordinates": bowtie}},
        {"type": "Feature", "properties": {"code": "100002"}, "geometry": {"type": "Point", "coordinates": [88, 43]}},
        {
            "type": "Feature",
            "properties": {"code": "999"},
            "geometry": {"type": "Polygon", "coordinates": square(87.8, 43.7, 88.0, 43.9)},
        },
    ]
    (county / "乡镇边界.geojson").write_text(
        json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8"
    )
    (county / "roads.geojson").write_text('{"type": "FeatureCollection", "features": [', encoding="utf-8")
    zh, en = both(county)
    by = {(Path(p.file).name, p.row): p for p in zh}
    assert (
        by[("乡镇边界.geojson", 1)].message()
        == "几何图形无效：边界自相交（位于 88.1, 43.8）：请在 GIS 中修复后重新导出"
    )
    assert by[("乡镇边界.geojson", 2)].message() == "几何类型「Point」不对，应为 面（Polygon 或 MultiPolygon）"
    assert by[("乡镇边界.geojson", 3)].message() == "「999」在本县的乡镇中不存在"
    assert by[("roads.geojson", None)].message().startswith("无法读取文件：JSON 格式错误（第1行第")
    for p in zh:
        assert_chinese(p.message())
    en_texts = [p.message("en") for p in en]
    assert (
        "invalid geometry: the boundary crosses itself (at 88.1, 43.8): repair it in the GIS and export it again"
        in en_texts
    )
    for text in en_texts:
        assert not CJK.search(text), text


# --- tables that cannot be read -----------------------------------------------------------------------------------


def test_unreadable_tables_and_two_files_for_one_table(tmp_path: Path) -> None:
    county = write_mini_county(tmp_path / "c")
    (county / "survey.csv").write_bytes(b"PK\x03\x04\x00\x00binary")  # an Excel file renamed .csv
    (county / "exam_scores.csv").write_bytes(b"staff_id,month\n" + b"\xff\xfe\xfa\xfb\n")
    (county / "budget.xlsx").write_bytes(b"not a workbook")
    (county / "行政区划.csv").write_text((county / "units.csv").read_text(encoding="utf-8"), encoding="utf-8")
    zh, en = both(county)
    by = {Path(p.file).name: p for p in zh}
    assert by["survey.csv"].message().startswith("无法读取文件：内容是二进制数据，不是 CSV 文本表格")
    assert "既不是 UTF-8 也不是 GBK/GB18030" in by["exam_scores.csv"].message()
    assert "不是有效的 XLSX 工作簿" in by["budget.xlsx"].message()
    twice = next(p for p in zh if p.kind == "duplicate_file")
    assert {twice.value, twice.detail} == {"units.csv", "行政区划.csv"}
    assert "是同一种表的两个文件：请只保留一个" in twice.message()
    for p in zh:
        assert_chinese(p.message())
    for p in en:
        assert not CJK.search(p.message("en").replace(p.detail, "").replace(str(p.value), "")), p.message("en")


# --- the county's tables: survey rounds and population groups -------------------------------------------------------


def test_more_yes_answers_than_persons_asked(tmp_path: Path) -> None:
    tables = mini_tables()
    tables["survey_rounds"] = pd.DataFrame(
        [["100001001", "2025-01", "satisfaction", 20, 21]],
        columns=["unit_code", "month", "question", "sample_size", "yes_count"],
    )
    zh, en = both(write_mini_county(tmp_path / "c", tables))
    problem = next(p for p in zh if p.kind == "inconsistent")
    assert (Path(problem.file).name, problem.row, problem.column, problem.value) == (
        "survey_rounds.csv",
        2,
        "yes_count",
        21,
    )
    assert problem.message() == "不一致：肯定回答人数 21 大于调查人数 20：请核对这两列"
    assert next(p for p in en if p.kind == "inconsistent").message("en") == (
        "inconsistent: 21 yes answers exceed the sample size 20: check these two columns"
    )


def test_a_missing_table_names_its_chinese_file_name(tmp_path: Path) -> None:
    county = write_mini_county(tmp_path / "c")
    (county / "facilities.csv").unlink()
    zh, en = both(county)
    problem = next(p for p in zh if p.kind == "missing_file")
    assert problem.message() == "缺少必需的文件（服务站.csv 或 服务站.xlsx（也可用 facilities.csv））"
    assert next(p for p in en if p.kind == "missing_file").message("en") == (
        "required file is missing (facilities.csv or facilities.xlsx)"
    )


# --- the store --------------------------------------------------------------------------------------------------------


def test_a_damaged_store_is_explained(tmp_path: Path, capsys) -> None:
    county = write_mini_county(tmp_path / "c")
    (county / "fpplan.duckdb").write_bytes(b"this is not a database" * 100)
    assert main(["validate", str(county)]) == 2
    out = capsys.readouterr().out
    line = next(x for x in out.splitlines() if "fpplan.duckdb" in x)
    assert "数据库已损坏（无法作为 fpplan 数据库打开）：可用「fpplan imports 县文件夹 --restore」" in line
    assert_chinese(line.split("fpplan.duckdb", 1)[1])
    assert main(["--lang", "en", "validate", str(county)]) == 2
    out = capsys.readouterr().out
    assert "the store is damaged (it cannot be opened as an fpplan store: " in out


# --- the command line: a period that does not exist ---------------------------------------------------------------------


def test_a_wrong_period_is_named_as_such(tmp_path: Path, capsys) -> None:
    county = write_mini_county(tmp_path / "c")
    assert main(["scorecard", str(county), "--period", "2025X1"]) == 2
    out = capsys.readouterr().out
    assert "「2025X1」不是报告期" in out and "not a period id" not in out
    assert main(["--lang", "en", "scorecard", str(county), "--period", "2025X1"]) == 2
    assert "'2025X1' is not a period" in capsys.readouterr().out


# --- fpplan report: a failing notebook and the terminal -----------------------------------------------------------------


def _notebook(path: Path, source: str) -> Path:
    book = nbformat.v4.new_notebook()
    parameters = nbformat.v4.new_code_cell("x = 1")
    parameters.metadata["tags"] = ["parameters"]
    book.cells = [parameters, nbformat.v4.new_code_cell(source)]
    book.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(book, path)
    return path


def test_a_failing_notebook_is_a_chinese_data_error_and_the_terminal_stays_quiet(tmp_path: Path, capfd) -> None:
    from fpplan.app.reports import run_notebook

    out = tmp_path / "out"
    out.mkdir()
    good = _notebook(tmp_path / "01_好.ipynb", "print('好')")
    bad = _notebook(tmp_path / "02_坏.ipynb", "raise ZeroDivisionError('boom')")
    # an unknown parameter and no black: papermill's English warnings must not reach the terminal
    assert run_notebook(good, out, {"x": 2, "unknown": 3}).exists()
    with pytest.raises(DataError) as info:
        run_notebook(bad, out, {"x": 2})
    problem = info.value.problems[0]
    assert (problem.file, problem.kind, problem.value, problem.row) == ("02_坏.ipynb", "notebook_failed", "02_坏", 3)
    message = problem.message()
    assert message.startswith("报告中的分析「02_坏」在第 3 个单元格运行出错，报告未生成：这是 fpplan 程序的问题")
    assert message.endswith("（原始错误：ZeroDivisionError: boom）")
    assert_chinese(message.split("（原始错误")[0])
    terminal = capfd.readouterr()
    assert "WARNING" not in terminal.err and "Passed unrecognized parameters" not in terminal.err, terminal.err
    assert "Black is not installed" not in terminal.err and "frozen modules" not in terminal.err, terminal.err
    assert "Kernel is running over TCP" not in terminal.err, terminal.err


def test_a_data_error_inside_a_notebook_points_to_validate() -> None:
    from fpplan.app.reports import notebook_failure

    problem = notebook_failure(Path("/x/03_服务需求与人员.ipynb"), 4, "DataError", "2 problem(s) in the county data: …")
    assert problem.message() == (
        "报告中的分析「03_服务需求与人员」（第 4 个单元格）发现县数据有问题：请先运行「fpplan validate 县文件夹」，"
        "按列出的问题改正数据后再生成报告"
    )
    assert_chinese(problem.message())
    assert_english(problem.message("en"), "03_服务需求与人员")


@pytest.mark.parametrize(
    "line, reason",
    [
        ("detour_factor: {value: 1.2, source: t", "花括号 { } 不成对，或其中缺少逗号"),
        ("detour_factor: value: 1.2", "此处不能有冒号（冒号后是否缺空格？缩进是否对齐？文字中的冒号请加引号）"),
        ("\tdetour_factor: {value: 1.2, source: t}", "用了不允许的字符（如制表符 Tab：请改用空格缩进）"),
    ],
)
def test_a_yaml_syntax_error_says_what_is_wrong(tmp_path: Path, line: str, reason: str) -> None:
    county = write_mini_county(tmp_path / "c")
    default = (default_config_dir() / "spatial.yaml").read_text(encoding="utf-8")
    old = next(x for x in default.splitlines() if x.startswith("detour_factor:"))
    own_config(county, "spatial", lambda t: t.replace(old, line))
    problem = next(p for p in refused(county) if p.file.endswith("spatial.yaml"))
    assert problem.kind == "yaml_syntax" and problem.row is not None
    assert f"（{reason}）" in problem.message()
    assert_chinese(problem.message())
    assert "YAML syntax error near line" in problem.message("en")


def test_a_period_without_reports_prints_no_empty_table(tmp_path: Path, capsys) -> None:
    """pandas prints an empty table as 'Empty DataFrame / Columns: … / Index: []': the scorecard of a period with no
    reports says 本期无此项记录 instead."""
    county = write_mini_county(tmp_path / "c")
    assert main(["scorecard", str(county), "--period", "2031Q1"]) == 0
    out = capsys.readouterr().out
    assert "Empty DataFrame" not in out and "Index: []" not in out
    assert out.splitlines()[:2] == ["2031年第一季度 指标达标情况", "本期无此项记录"]
