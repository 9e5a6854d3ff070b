"""Nothing lost, nothing invented: every silent path from a planner's files to a confident number ends in a clear
refusal (file, row or sheet, what to do; exit 2; nothing written) or in a complete result (issue 11)."""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
import pytest

from fpplan import DataError, load_county
from fpplan.cli import main
from fpplan.testing import problems_of, snapshot


@pytest.fixture(autouse=True)
def chinese():
    """Each test starts in Chinese (``fpplan --lang en`` switches the language for the process)."""
    from fpplan.data.labels import set_language

    set_language("zh")
    yield
    set_language("zh")


def kinds(problems: list) -> set[str]:
    return {p.kind for p in problems}


def refused(argv: list[str], capsys, watched: Path) -> str:
    """Run the CLI, assert it exits 2 without a traceback and without writing anything under ``watched``;
    return what it printed."""
    before = snapshot(watched)
    assert main(argv) == 2
    assert snapshot(watched) == before
    out = capsys.readouterr()
    assert "Traceback" not in out.out + out.err
    return out.out


# --- 1. a village missing from the population table ---------------------------------------------------------


def test_a_village_missing_from_the_population_is_refused(mini: Path, capsys) -> None:
    pop = pd.read_csv(mini / "population.csv", dtype=str)
    pop[pop["unit_code"] != "100001002"].to_csv(mini / "population.csv", index=False)
    problem = next(p for p in problems_of(mini) if p.kind == "village_without_population")
    assert Path(problem.file).name == "population.csv" and problem.value == "100001002"
    assert "Nancun" in problem.detail and "East Town" in problem.detail
    assert "无常住人口" in problem.message("zh") and "uninhabited" in problem.message("en")
    out = refused(["--lang", "en", "validate", str(mini)], capsys, mini.parent)
    assert "100001002" in out and "has no population" in out


def test_a_village_marked_uninhabited_is_explicitly_empty(mini: Path) -> None:
    pop = pd.read_csv(mini / "population.csv", dtype=str)
    pop[pop["unit_code"] != "100001002"].to_csv(mini / "population.csv", index=False)
    units = pd.read_csv(mini / "units.csv", dtype=str, keep_default_na=False)
    units["uninhabited"] = ["", "", "", "", "是", ""]
    units.to_csv(mini / "units.csv", index=False)
    county = load_county(mini)
    # East Town keeps only Dongcun: 101 ages × (10 + 11)
    assert county.township_population().groupby("township_code")["population"].sum()["100001"] == 101 * 21
    assert "100001002" not in set(county.village_population()["village_code"])


def test_uninhabited_village_with_people_and_a_township_with_nowhere_to_spread(mini: Path) -> None:
    units = pd.read_csv(mini / "units.csv", dtype=str, keep_default_na=False)
    units["uninhabited"] = ["", "", "", "", "yes", ""]
    units.to_csv(mini / "units.csv", index=False)
    problem = next(p for p in problems_of(mini) if p.kind == "uninhabited_with_population")
    assert Path(problem.file).name == "units.csv" and problem.row == 6 and problem.value == "100001002"
    assert problem.detail == str(101 * 41)
    # West Xiang given as a whole while its only village is marked uninhabited
    units["uninhabited"] = ["", "", "", "", "", "yes"]
    units.to_csv(mini / "units.csv", index=False)
    pop = pd.read_csv(mini / "population.csv", dtype=str)
    pop["unit_code"] = pop["unit_code"].replace("100002001", "100002")
    pop.to_csv(mini / "population.csv", index=False)
    problem = next(p for p in problems_of(mini) if p.kind == "all_villages_uninhabited")
    assert problem.value == "100002"


# --- 2. scenarios validated with the county ------------------------------------------------------------------

GOOD_SCENARIO = """\
name: {zh: 中方案, en: medium}
tfr: {2025: 1.2, 2035: 1.3}
e0: {male: {2025: 76, 2035: 78}, female: {2025: 81, 2035: 83}}
net_migration: {2025: -20}
horizon: 2035
lump_inflows:
  - {name: 团场, township: "100002", year: 2028, size: 300}
project_completion: {F02: 2029}
"""


def write_scenario(county: Path, name: str, text: str) -> Path:
    folder = county / "config" / "scenarios"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.yaml").write_text(text, encoding="utf-8")
    return folder / f"{name}.yaml"


def test_scenarios_are_loaded_with_the_county(mini: Path) -> None:
    write_scenario(mini, "medium", GOOD_SCENARIO)
    county = load_county(mini)
    assert list(county.scenarios) == ["medium"]
    assert county.scenarios["medium"].lump_inflows[0].size == 300


def test_every_implausible_scenario_value_and_reference_is_listed_at_once(mini: Path, capsys) -> None:
    """TFR 50 and −1, e0 150, a farm of 60 million into a township that does not exist, a project moved to 1800
    and one for an unknown station, a sex ratio of 1.45: each named by file and key, in one refusal."""
    bad = (
        GOOD_SCENARIO.replace("{2025: 1.2, 2035: 1.3}", "{2025: 50, 2035: -1}")
        .replace("female: {2025: 81, 2035: 83}", "female: {2025: 81, 2035: 150}")
        .replace('township: "100002", year: 2028, size: 300', 'township: "100009", year: 2028, size: 60000000')
        .replace("{F02: 2029}", "{F02: 1800, F09: 2030}")
        + "srb: 1.45\n"
    )
    path = write_scenario(mini, "bad", bad)
    write_scenario(mini, "late", GOOD_SCENARIO.replace("horizon: 2035", "horizon: 2000"))
    problems = problems_of(mini)
    found = {(Path(p.file).name, p.kind, p.column, p.value) for p in problems}
    population = 101 * (21 + 41 + 61)
    assert found == {
        ("bad.yaml", "scenario_out_of_bounds", "tfr.2025", 50),
        ("bad.yaml", "scenario_out_of_bounds", "tfr.2035", -1),
        ("bad.yaml", "scenario_out_of_bounds", "e0.female.2035", 150),
        ("bad.yaml", "scenario_out_of_bounds", "srb", 1.45),
        ("bad.yaml", "scenario_out_of_bounds", "lump_inflows.0.size", 60000000),
        ("bad.yaml", "scenario_unknown_township", "lump_inflows.0.township", "100009"),
        ("bad.yaml", "scenario_year_outside", "project_completion.F02", 1800),
        ("bad.yaml", "scenario_unknown_station", "project_completion.F09", "F09"),
        ("late.yaml", "scenario_out_of_bounds", "horizon", 2000),
    }
    size = next(p for p in problems if p.column == "lump_inflows.0.size")
    assert size.detail == f"[0, {population * 0.5:.0f}]"  # half the county's base-year population
    horizon = next(p for p in problems if p.column == "horizon")
    assert horizon.detail == "[2026, 2075]"
    township = next(p for p in problems if p.kind == "scenario_unknown_township")
    assert "100001, 100002" in township.message("en") and "不是本县的乡镇" in township.message("zh")
    out = refused(["validate", str(mini)], capsys, mini.parent)
    assert "发现 9 个问题" in out and "config/bounds.yaml" in out and str(path) in out
    # commands that use a scenario refuse the same way and write nothing
    out = refused(["project", str(mini), "--scenario", "bad", "--out", str(mini.parent / "p.csv")], capsys, mini.parent)
    assert "e0.female.2035" in out


def test_bounds_are_configuration(mini: Path) -> None:
    """A county that defends a TFR of 4.5 raises the bound in its own config/bounds.yaml."""
    from fpplan.data.config import default_config_dir

    write_scenario(mini, "high", GOOD_SCENARIO.replace("{2025: 1.2, 2035: 1.3}", "{2025: 4.5}"))
    assert [p.column for p in problems_of(mini)] == ["tfr.2025"]
    bounds = (default_config_dir() / "bounds.yaml").read_text(encoding="utf-8").replace("max: 4.0", "max: 5.0")
    (mini / "config" / "bounds.yaml").write_text(bounds, encoding="utf-8")
    assert load_county(mini).scenarios["high"].tfr == {2025: 4.5}


def test_scenario_years_must_lie_between_base_year_and_horizon(mini: Path) -> None:
    write_scenario(
        mini, "s", GOOD_SCENARIO.replace("{2025: -20}", "{2024: -20, 2040: -10}").replace("year: 2028", "year: 2025")
    )
    found = {(p.column, p.value, p.detail) for p in problems_of(mini)}
    assert found == {
        ("net_migration.2024", 2024, "2025–2035"),
        ("net_migration.2040", 2040, "2025–2035"),
        ("lump_inflows.0.year", 2025, "2026–2035"),
    }


def test_projection_notes_are_in_the_interface_language(mini: Path) -> None:
    from fpplan.data.labels import set_language
    from fpplan.demography import prepare, project

    write_scenario(mini, "medium", GOOD_SCENARIO)
    county = load_county(mini)
    inputs = prepare(county)
    try:
        set_language("zh")
        notes = project(inputs, county.scenarios["medium"], horizon=2027).notes
        assert "迁入人口「团场」（乡镇 100002，2028年）不在预测期（2026–2027年）内：未计入" in notes
        set_language("en")
        notes = project(inputs, county.scenarios["medium"], horizon=2027).notes
        assert "lump inflow 团场 (100002, 2028) is outside the projection (2026–2027): not counted" in notes
    finally:
        set_language("zh")


# --- 3. spreadsheets as officials make them ------------------------------------------------------------------


def workbook(path: Path, sheets: dict[str, list[list]], merged: dict[str, list[str]] | None = None) -> Path:
    """An XLSX file with the given sheets (name → rows, the first row as it will be in row 1) and merged ranges."""
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
        for cells in (merged or {}).get(name, []):
            sheet.merge_cells(cells)
    book.save(path)
    return path


def rows_of_table(frame: pd.DataFrame) -> list[list]:
    return [list(frame.columns)] + frame.astype(object).where(frame.notna(), None).values.tolist()


def test_a_continuation_sheet_with_the_same_header_is_appended(mini: Path) -> None:
    from fpplan.data import read_table

    stats = pd.read_csv(mini / "service_stats.csv", dtype=str)
    rows = rows_of_table(stats)
    second = [rows[0]] + rows[4:]
    second[0] = ["村代码", "月份", *second[0][2:]]  # the same header, spelt in Chinese
    path = workbook(mini.parent / "一月.xlsx", {"Sheet1": rows[:4], "续表": second})
    frame = read_table(path, "service_stats")
    assert len(frame) == len(stats) == 6
    assert frame["village_code"].tolist() == stats["village_code"].tolist()
    # a problem on the continuation sheet is named by the sheet and the sheet's own row
    second[2][1] = "2025-13"
    workbook(path, {"Sheet1": rows[:4], "续表": second})
    with pytest.raises(DataError) as info:
        read_table(path, "service_stats")
    problem = info.value.problems[0]
    assert (problem.sheet, problem.row, problem.column, problem.value) == ("续表", 3, "month", "2025-13")
    assert info.value.table().columns.tolist() == ["file", "sheet", "row", "column", "value", "message"]


def test_a_township_code_merged_down_is_filled_but_a_merged_quantity_is_refused(mini: Path) -> None:
    facilities = pd.read_csv(mini / "facilities.csv", dtype=str)
    facilities.loc[1, "township_code"] = "100001"  # two stations in East Town …
    rows = rows_of_table(facilities)
    rows[2][3] = None  # … the second one's code left to the merged cell D2:D3
    (mini / "facilities.csv").unlink()
    path = workbook(mini / "facilities.xlsx", {"服务站": rows}, {"服务站": ["D2:D3"]})
    county = load_county(mini)
    assert county.facilities["township_code"].tolist()[:2] == ["100001", "100001"]
    rows[2][5] = None  # the floor area merged too: filling it down would count 900 m² twice
    workbook(path, {"服务站": rows}, {"服务站": ["D2:D3", "F2:F3"]})
    problem = next(p for p in problems_of(mini) if p.kind == "merged_quantity")
    assert (problem.sheet, problem.row, problem.value) == ("服务站", 2, "F2:F3")
    assert "取消合并" in problem.message("zh") and "unmerge" in problem.message("en")


@pytest.mark.parametrize(
    ("sheets", "merged", "kind", "where", "zh"),
    [
        (
            {"Sheet1": [["2025年服务站统计表"], "HEADER", "DATA"]},
            {},
            "header_not_first_row",
            ("Sheet1", 2),
            "表头应在第1行",
        ),
        (
            {"Sheet1": [["基本情况", None, None, "规模"], "HEADER", "DATA"]},
            {"Sheet1": ["A1:C1", "D1:H1"]},
            "header_not_first_row",
            ("Sheet1", 2),
            "两行表头请合并成一行",
        ),
        (
            {"Sheet1": ["HEADER", [None, None, None, None, None, "m²", None, "年"], "DATA"]},
            {},
            "two_row_header",
            ("Sheet1", 2),
            "表头只能占一行",
        ),
        (
            {"说明": [["填表说明：建筑面积按房产证填写"]], "数据": ["HEADER", "DATA"]},
            {},
            "data_not_first_sheet",
            ("说明", None),
            "移到第1个工作表",
        ),
        (
            {"数据": ["HEADER", "DATA"], "续表": ["DATA"]},
            {},
            "sheet_without_header",
            ("续表", None),
            "第2个工作表「续表」",
        ),
        (
            {"数据": ["HEADER", "DATA"], "续表": ["SHORT_HEADER", "DATA"]},
            {},
            "sheet_header_differs",
            ("续表", None),
            "第2个工作表「续表」",
        ),
        ({"数据": ["HEADER", "DATA_WIDE"]}, {}, "cell_outside_header", ("数据", 2), "没有表头"),
        ({"数据": ["HEADER_GAP", "DATA_GAP"]}, {}, "column_without_header", ("数据", None), "第C列有数据但没有表头"),
    ],
)
def test_spreadsheet_layouts_that_cannot_be_read_as_they_are(
    mini: Path, capsys, sheets, merged, kind, where, zh
) -> None:
    facilities = rows_of_table(pd.read_csv(mini / "facilities.csv", dtype=str))
    stand_in = {
        "HEADER": facilities[0],
        "SHORT_HEADER": facilities[0][:-1],
        "DATA_WIDE": facilities[1] + [None, "备注"],
        "HEADER_GAP": facilities[0][:2] + [None] + facilities[0][2:],
        "DATA_GAP": facilities[1][:2] + ["备注"] + facilities[1][2:],
    }

    def expand(row) -> list[list]:
        if isinstance(row, list):
            return [row]
        return facilities[1:] if row == "DATA" else [stand_in[row]]

    filled = {name: [r for row in rows for r in expand(row)] for name, rows in sheets.items()}
    (mini / "facilities.csv").unlink()
    workbook(mini / "facilities.xlsx", filled, merged)
    problem = next(p for p in problems_of(mini) if p.kind == kind)
    assert (problem.sheet, problem.row) == where
    assert zh in problem.message("zh") and problem.message("en")
    out = refused(["validate", str(mini)], capsys, mini.parent)
    assert zh in out


def test_a_title_row_in_a_csv_is_named(mini: Path) -> None:
    text = (mini / "staff.csv").read_text(encoding="utf-8")
    (mini / "staff.csv").write_text("2025年技术人员花名册\n" + text, encoding="utf-8")
    problem = next(p for p in problems_of(mini) if p.kind == "header_not_first_row")
    assert problem.value == 2 and problem.detail == "2025年技术人员花名册" and problem.sheet is None


# --- 4. a YAML syntax error names file, line and column ------------------------------------------------------


def test_a_yaml_syntax_error_names_file_line_and_column(mini: Path, capsys) -> None:
    path = write_scenario(mini, "medium", GOOD_SCENARIO.replace("{2025: 1.2, 2035: 1.3}", "{2025: 1.2 2035: 1.3}"))
    (mini / "config" / "standards.yaml").write_text("source: x\nhead_count: [1, 2\n", encoding="utf-8")
    problems = {Path(p.file).name: p for p in problems_of(mini)}
    scenario, standards = problems["medium.yaml"], problems["standards.yaml"]
    line = "tfr: {2025: 1.2 2035: 1.3}"  # the second key's colon is where the flow mapping breaks
    assert (scenario.kind, scenario.row, scenario.column) == ("yaml_syntax", 2, str(line.index("2035:") + 5))
    assert scenario.value == line
    assert (standards.kind, standards.row) == ("yaml_syntax", 3)
    assert "第2行第21列" in scenario.message("zh") and "line 2, column 21" in scenario.message("en")
    out = refused(["--lang", "en", "validate", str(mini)], capsys, mini.parent)
    assert str(path) in out and "YAML syntax error near line 2" in out


# --- 5. values on import --------------------------------------------------------------------------------------


@pytest.fixture
def report(mini: Path) -> Path:
    """A monthly report file beside the county folder (rows 2–7: three villages × 2025-01, 2025-02)."""
    path = mini.parent / "二月.csv"
    (mini / "service_stats.csv").rename(path)
    return path


def edit_report(path: Path, row: int, **cells: str) -> None:
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    for column, value in cells.items():
        frame.loc[row - 2, column] = value
    frame.to_csv(path, index=False)


@pytest.mark.parametrize(
    ("cells", "kind", "column", "zh"),
    [
        ({"village_code": "6.50123E+11"}, "code_scientific", "village_code", "设置为「文本」格式"),
        ({"village_code": "100001009"}, "unknown_reference", "village_code", "不存在"),
        ({"month": "2025-03"}, "month_in_future", "month", "还没有到"),
        ({"month": "0025-01", "reported_on": "0025-02-03"}, "implausible_year", "month", "0025 应为 2025"),
        ({"month": "2025-01-99"}, "bad_type", "month", "不是月份"),
        ({"reported_on": "2024-12-30"}, "reported_before_month", "reported_on", "早于所报月份"),
        ({"reported_on": "2025-03-01"}, "date_in_future", "reported_on", "还没有到"),
    ],
)
def test_report_values_that_cannot_be_true_are_refused(
    mini: Path, report: Path, monkeypatch, cells, kind, column, zh
) -> None:
    from fpplan.data import read_table, validation

    monkeypatch.setattr(validation, "today", lambda: __import__("datetime").date(2025, 2, 28))
    read_table(report, "service_stats", mini)  # as it is: clean
    edit_report(report, 4, **cells)
    with pytest.raises(DataError) as info:
        read_table(report, "service_stats", mini)
    problem = next(p for p in info.value.problems if p.kind == kind)
    assert (Path(problem.file), problem.row, problem.column) == (report, 4, column)
    assert zh in problem.message("zh") and problem.message("en")


def test_a_report_refused_on_import_leaves_the_workspace_as_it_was(mini: Path, report: Path, capsys) -> None:
    from fpplan.data.workspace import Workspace

    edit_report(report, 3, village_code="6.50123E+11")
    Workspace(mini).sync()  # the folder's own monthly tables go into the store first (the workspace's rule)
    before = snapshot(mini)
    with pytest.raises(DataError) as info:
        Workspace(mini).import_files([report])
    assert [(p.kind, p.row) for p in info.value.problems] == [("code_scientific", 3)]
    assert snapshot(mini) == before


# --- 6. outputs ------------------------------------------------------------------------------------------------


@pytest.fixture
def planned(mini: Path) -> Path:
    """The mini county with a scenario, so that project, plan and report run on it."""
    write_scenario(mini, "medium", GOOD_SCENARIO)
    write_scenario(
        mini,
        "low",
        GOOD_SCENARIO.replace("{zh: 中方案, en: medium}", "{zh: 低方案, en: low}").replace(
            "{2025: 1.2, 2035: 1.3}", "{2025: 1.0}"
        ),
    )
    plan = pd.read_csv(mini / "construction_plan.csv", dtype=str)
    plan["target_floor_area_m2"] = ["1800", "220"]  # the grades' standard areas (plan refuses less)
    plan.to_csv(mini / "construction_plan.csv", index=False)
    return mini


@pytest.mark.parametrize(
    ("argv", "kind"),
    [
        (["project", "{county}", "--out", "{out}/p.xlsx"], "output_suffix"),
        (["project", "{county}", "--out", "{out}/p"], "output_suffix"),
        (["plan", "{county}", "--out", "{out}/plan.csv"], "output_suffix"),
        (["scorecard", "{county}", "--period", "2025", "--out", "{out}/card.parquet"], "output_suffix"),
        (["project", "{county}", "--trajectories", "-5", "--out", "{out}/p.csv"], "trajectories_negative"),
        (["project", "{county}", "--scenario", "high", "--out", "{out}/p.csv"], "unknown_scenario"),
        (["plan", "{county}", "--scenario", "high", "--out", "{out}/plan.xlsx"], "unknown_scenario"),
    ],
)
def test_outputs_the_command_cannot_write_are_refused_first(planned: Path, capsys, argv, kind) -> None:
    from fpplan.data.labels import label

    out = planned.parent / "out"
    out.mkdir()
    printed = refused([a.format(county=planned, out=out) for a in argv], capsys, planned.parent)
    assert label("problems", kind).split("{")[0] in printed


def test_the_suffix_decides_the_format(planned: Path) -> None:
    out = planned.parent / "out"
    assert main(["project", str(planned), "--out", str(out / "p.parquet")]) == 0
    assert main(["project", str(planned), "--out", str(out / "p.csv")]) == 0
    assert (out / "p.parquet").read_bytes()[:4] == b"PAR1"
    pd.testing.assert_frame_equal(
        pd.read_parquet(out / "p.parquet"), pd.read_csv(out / "p.csv", dtype={"region": str}), check_dtype=False
    )


def test_an_interrupted_plan_leaves_the_previous_workbook(planned: Path, capsys, monkeypatch) -> None:
    from fpplan.app import workbook

    out = planned.parent / "out" / "plan.xlsx"
    assert main(["plan", str(planned), "--out", str(out)]) == 0
    before = snapshot(out.parent)
    calls = {"n": 0}
    present = workbook.present

    def interrupted(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 5:  # Ctrl-C while the fifth sheet is written
            raise KeyboardInterrupt
        return present(*args, **kwargs)

    monkeypatch.setattr(workbook, "present", interrupted)
    with pytest.raises(KeyboardInterrupt):
        main(["plan", str(planned), "--out", str(out)])
    assert snapshot(out.parent) == before  # the old workbook, byte for byte, and no partial file beside it
    monkeypatch.setattr(workbook, "present", present)
    assert main(["plan", str(planned), "--out", str(out)]) == 0
    assert f"将替换已有的文件 {out}" in capsys.readouterr().out


def test_a_projection_killed_while_writing_leaves_no_truncated_file(planned: Path) -> None:
    """kill -9 halfway through writing the CSV: nothing under the final name (the previous file stays)."""
    import subprocess
    import sys
    import textwrap

    out = planned.parent / "out" / "p.csv"
    out.parent.mkdir()
    out.write_text("previous\n", encoding="utf-8")
    script = textwrap.dedent(f"""
        import os, signal
        import pandas as pd
        from fpplan.cli import main
        original = pd.DataFrame.to_csv
        def half_then_killed(self, path, **kwargs):
            original(self.head(len(self) // 2), path, **kwargs)
            os.kill(os.getpid(), signal.SIGKILL)
        pd.DataFrame.to_csv = half_then_killed
        main(["project", {str(planned)!r}, "--out", {str(out)!r}])
    """)
    result = subprocess.run([sys.executable, "-c", script], check=False, capture_output=True, timeout=300)
    assert result.returncode == -9
    assert out.read_text(encoding="utf-8") == "previous\n"
    left = [p.name for p in out.parent.iterdir() if p.name != "p.csv"]
    assert len(left) == 1 and left[0].startswith(".p.partial-")  # the killed process's half file, hidden


def test_years_and_whole_numbers_are_formatted_as_such(planned: Path) -> None:
    import openpyxl

    out = planned.parent / "plan.xlsx"
    assert main(["plan", str(planned), "--out", str(out)]) == 0
    cells = [c for sheet in openpyxl.load_workbook(out) for row in sheet.iter_rows() for c in row]
    header = next(c for c in cells if c.value == "竣工年份")
    sheet = header.parent
    years = [sheet.cell(r, header.column) for r in (header.row + 1, header.row + 2)]
    assert [(y.value, y.number_format) for y in years] == [(2027, "0"), (2029, "0")]  # F02 moved to 2029


def test_a_large_stochastic_run_says_its_cost_first_and_is_refused_past_the_memory(
    planned: Path, capsys, monkeypatch
) -> None:
    import types

    import psutil

    out = planned.parent / "p.csv"
    assert main(["project", str(planned), "--trajectories", "64", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "预计：64 条轨迹 × 2 个乡镇" in printed and out.exists()
    monkeypatch.setattr(psutil, "virtual_memory", lambda: types.SimpleNamespace(available=50_000_000))
    printed = refused(
        ["project", str(planned), "--trajectories", "100000", "--out", str(planned.parent / "q.csv")],
        capsys,
        planned.parent,
    )
    assert "预计：100,000 条轨迹" in printed and "超出本机内存" in printed


# --- 7. validate reads everything the other commands read ------------------------------------------------------

_OPENED: list[set[str]] = []  # the files opened while a command runs (a stack: the innermost recording)
HASHING = {"_sha256", "version", "fingerprint"}  # opening a file to hash it (the data version) is not reading it


def _audit(event: str, args: tuple) -> None:
    if event != "open" or not _OPENED or not isinstance(args[0], (str, Path)):
        return
    frame = sys._getframe(1)
    while frame is not None:
        if frame.f_code.co_name in HASHING and "fpplan" in frame.f_code.co_filename:
            return
        frame = frame.f_back
    _OPENED[-1].add(str(Path(args[0]).resolve()))


def opened_by(run) -> set[str]:
    """Every file ``run()`` opens, by Python's audit hook (whatever module opens it, through whatever library)."""
    if not getattr(opened_by, "hooked", False):
        sys.addaudithook(_audit)
        opened_by.hooked = True
    _OPENED.append(set())
    try:
        run()
    finally:
        files = _OPENED.pop()
    return files


def test_validate_reads_everything_project_plan_scorecard_and_the_dashboards_read(tmp_path: Path, capsys) -> None:
    from fpplan.app.results import ensure_results
    from fpplan.data.config import default_config_dir
    from fpplan.data.folder import VERSION_FILES
    from fpplan.data.workspace import Workspace
    from fpplan.demo import write_demo

    county = write_demo(tmp_path / "county").resolve()
    out = tmp_path / "out"
    inputs = (str(county), str(default_config_dir().resolve()))

    def data(files: set[str]) -> set[str]:
        """The county's input files and the shipped configuration among ``files`` (not the folder itself, the store,
        .fpplan/ or a probe of whether the folder is writable)."""
        return {
            f
            for f in files
            if f.startswith(inputs)
            and Path(f).suffix.lower() in VERSION_FILES
            and not any(part.startswith(".") for part in Path(f).parts)
        }

    runs = {
        "project": lambda: main(["project", str(county), "--out", str(out / "p.csv")]),
        "plan": lambda: main(["plan", str(county), "--out", str(out / "plan.xlsx")]),
        "scorecard": lambda: main(["scorecard", str(county), "--period", "2025"]),
        "dashboards": lambda: ensure_results(Workspace(county)),
    }
    read = {name: data(opened_by(run)) for name, run in runs.items()}
    validated = data(opened_by(lambda: main(["validate", str(county)])))
    capsys.readouterr()
    scenarios = {str(p) for p in (county / "config" / "scenarios").glob("*.yaml")}
    assert scenarios and scenarios <= read["project"] and scenarios <= read["dashboards"]
    for name, files in read.items():
        assert files, name
        assert files <= validated, f"{name} reads what validate does not: {sorted(files - validated)}"


def test_validate_lists_every_problem_of_the_folder_at_once(planned: Path, capsys) -> None:
    """A village without population, a TFR of 50, a YAML typo, a title row in a workbook: one run, one list."""
    pop = pd.read_csv(planned / "population.csv", dtype=str)
    pop[pop["unit_code"] != "100001002"].to_csv(planned / "population.csv", index=False)
    write_scenario(planned, "low", GOOD_SCENARIO.replace("{2025: 1.2, 2035: 1.3}", "{2025: 50}"))
    write_scenario(planned, "typo", "name: {zh: 高, en: high\n")
    staff = rows_of_table(pd.read_csv(planned / "staff.csv", dtype=str))
    (planned / "staff.csv").unlink()
    workbook(planned / "staff.xlsx", {"花名册": [["2025年技术人员花名册"], *staff]})
    out = refused(["validate", str(planned)], capsys, planned.parent)
    found = {p.kind for p in problems_of(planned)}
    assert {"village_without_population", "scenario_out_of_bounds", "yaml_syntax", "header_not_first_row"} <= found
    assert "发现 4 个问题" in out


def test_validate_checks_the_store_against_the_county(planned: Path, capsys) -> None:
    """Reports imported into the store for a village the county has since removed: named, with the store."""
    assert main(["plan", str(planned), "--out", str(planned.parent / "plan.xlsx")]) == 0  # the store is filled
    for name, column in (("units", "code"), ("population", "unit_code"), ("service_stats", "village_code")):
        frame = pd.read_csv(planned / f"{name}.csv", dtype=str, keep_default_na=False)
        frame[frame[column] != "100001002"].to_csv(planned / f"{name}.csv", index=False)
    load_county(planned)  # the folder alone is clean
    out = refused(["validate", str(planned)], capsys, planned.parent)
    assert "fpplan.duckdb:service_stats" in out and "100001002" in out


def test_blank_lines_are_no_rows_and_keep_the_row_numbers_right(mini: Path) -> None:
    lines = (mini / "staff.csv").read_text(encoding="utf-8").splitlines()
    lines[2] = lines[2].replace("1.0", "1.5")  # the second staff member, on line 3 …
    (mini / "staff.csv").write_text("\n".join(lines[:2] + ["", ",,,,,,,,,"] + lines[2:]) + "\n", encoding="utf-8")
    problems = problems_of(mini)  # … now on line 5, after two blank lines
    assert [(p.kind, p.row, p.column) for p in problems] == [("out_of_range", 5, "fte")]


def test_an_imported_report_keeps_the_rows_of_its_continuation_sheet(mini: Path, report: Path) -> None:
    """The imported report that lost 936 of its 1,736 rows: every sheet with the first sheet's header lands."""
    from fpplan.data.workspace import Workspace

    rows = rows_of_table(pd.read_csv(report, dtype=str))
    path = workbook(mini.parent / "二月.xlsx", {"月报": rows[:3], "续表": [rows[0]] + rows[3:]})
    result = Workspace(mini).import_files([path])[0]
    assert (result.rows, result.rows_new) == (6, 6)
    stored = Workspace(mini).county(sync=False).service_stats
    assert sorted(zip(stored["village_code"], stored["month"])) == sorted((r[0], r[1]) for r in rows[1:])


def test_stations_a_scenario_adds_or_regrades_are_checked_with_the_county(mini: Path) -> None:
    added = """stations_added:
  - {code: F01, name: 团场站, level: township_general, township_code: "100009", start_year: 2020, completion_year: 2040,
     cost_wan_yuan: 10, self_raised_wan_yuan: 4, subsidy_requested_wan_yuan: 6}
grade_changes: {F09: A}
"""
    write_scenario(mini, "farm", GOOD_SCENARIO + added)
    found = {(p.kind, p.column, p.value) for p in problems_of(mini)}
    assert found == {
        ("scenario_station_exists", "stations_added.0.code", "F01"),
        ("scenario_unknown_township", "stations_added.0.township_code", "100009"),
        ("scenario_year_outside", "stations_added.0.start_year", 2020),
        ("scenario_year_outside", "stations_added.0.completion_year", 2040),
        ("scenario_unknown_station", "grade_changes.F09", "F09"),
    }


def test_a_scenario_saved_from_the_dashboard_is_checked_as_load_county_will(mini: Path) -> None:
    """A scenario that would make the county fail to load next time is not saved."""
    import yaml

    from fpplan.data.models.scenario import Scenario
    from fpplan.data.scenario_files import save_scenario

    good = Scenario.model_validate(yaml.safe_load(GOOD_SCENARIO))
    bad = good.model_copy(
        update={"tfr": {2025: 50.0}, "lump_inflows": (good.lump_inflows[0].model_copy(update={"township": "100009"}),)}
    )
    before = snapshot(mini)
    with pytest.raises(DataError) as info:
        save_scenario(mini, "typo", bad)
    assert {(p.kind, p.column) for p in info.value.problems} == {
        ("scenario_out_of_bounds", "tfr.2025"),
        ("scenario_unknown_township", "lump_inflows.0.township"),
    }
    assert snapshot(mini) == before
    path = save_scenario(mini, "kept", good)
    assert load_county(mini).scenarios["kept"] == good and path.parent.name == "scenarios"


def test_numbers_are_read_as_pandas_reads_them() -> None:
    """Numeric cells are parsed in pyarrow when every cell is a number, cell by cell otherwise: the same numbers as
    ``pd.to_numeric(errors="coerce")`` either way (a "-0" is 0)."""
    import numpy as np

    from fpplan.data.validation import numbers

    columns = [
        ["1", "-2", "+3", ".5", "5.", "1e3", "00012", "-0", None, "999999999999999999999999999999"],
        ["1", "1,000", "abc", "1.2.3", "12%", "１２", None, "-0"],
        [None, None],
        [],
    ]
    for cells in columns:
        values = pd.Series(cells, dtype=object, index=range(10, 10 + len(cells)), name="count")
        got = numbers(values)
        expected = pd.to_numeric(values, errors="coerce").astype(float)
        pd.testing.assert_series_equal(got.astype(float), expected)
        assert not np.signbit(got[values == "-0"]).any()  # no "-0" shown for a "-0"


def test_a_config_file_rewritten_is_read_again(mini: Path) -> None:
    """Config files are parsed once per content: one rewritten at once with as many bytes is read again."""
    from fpplan.data.config import load

    default = (Path(load.__code__.co_filename).parent.parent / "defaults" / "config" / "bounds.yaml").read_text("utf-8")
    own = mini / "config" / "bounds.yaml"
    own.parent.mkdir(exist_ok=True)
    own.write_text(default.replace("max: 4.0", "max: 3.0"), encoding="utf-8")
    assert load("bounds", mini).scenario.tfr.max == 3.0
    own.write_text(default.replace("max: 4.0", "max: 3.5"), encoding="utf-8")  # the same size, the same moment
    assert load("bounds", mini).scenario.tfr.max == 3.5
    assert load("bounds", None).scenario.tfr.max == 4.0


@pytest.mark.parametrize(
    ("text", "plain"),
    [
        ("code,name,population\n1, 东村 ,100\n2,西村,\n", True),
        ("code,name,population\r\n1,东村,100\r\n,,\r\n2,西村,200", True),  # CRLF, a blank row, no last line end
        ("code,name,population\n1,东村,100\n\n2,西村,200\n", True),  # an empty line: a blank row, counted
        ('code,name,population\n1,"东村,一组",100\n', False),  # a quoted cell
        ("code,name,population\n1,东村,100,多出\n", False),  # a cell outside the header
        ("code,name,\n1,东村,\n", False),  # a blank last header cell
        ("2025年村名单\ncode,name,population\n1,东村,100\n", False),  # a title row
        ("code,name,population\n", False),  # a header alone
        ("code,name,population\n,,人", False),  # a second header row (units), no last line ending
    ],
)
def test_a_plain_csv_is_read_as_the_csv_module_reads_it(text: str, plain: bool, tmp_path: Path, monkeypatch) -> None:
    """Plain CSV files are parsed by pyarrow at once; what that gives equals what Python's csv module gives line by
    line (cells, blank rows left out, row numbers, problems), and any other file is read by the csv module."""
    from fpplan.data import readers

    path = tmp_path / "units.csv"
    path.write_bytes(text.encode("utf-8"))
    fast = readers.read_raw(path)
    assert (readers._plain_csv(text, str(path)) is not None) == plain
    monkeypatch.setattr(readers, "_plain_csv", lambda *a: None)
    slow = readers.read_raw(path)
    assert [str(p) for p in fast[1]] == [str(p) for p in slow[1]]
    if slow[0] is None:
        assert fast[0] is None
    else:
        pd.testing.assert_frame_equal(fast[0], slow[0], check_exact=True)
        assert list(fast[0].index) == list(slow[0].index)
