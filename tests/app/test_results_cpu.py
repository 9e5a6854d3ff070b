"""A county's results for less CPU, with the same outputs (issue 28: a region of 100 counties): the plan workbook
written when first asked for, as it was written before; no backups while the first sync fills an empty store
(a later import still keeps one, and the way back works); object columns stored as text the way they were."""

from __future__ import annotations

import decimal
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd

from fpplan.app import results
from fpplan.data import labels
from fpplan.data.workspace import Workspace
from tests.data.test_workspace import next_month, store_state


def cells(path: Path) -> list:
    """Every sheet's name, freeze panes, merged cells, column widths and every cell's value and look."""
    book = openpyxl.load_workbook(path)
    out = []
    for sheet in book.worksheets:
        widths = {k: v.width for k, v in sheet.column_dimensions.items()}
        out.append((sheet.title, sheet.freeze_panes, sorted(str(r) for r in sheet.merged_cells.ranges), widths))
        for row in sheet.iter_rows():
            for c in row:
                look = (c.number_format, repr(c.font), repr(c.fill), repr(c.border), repr(c.alignment))
                out.append((c.coordinate, c.value, *look))
    return out


def test_the_plan_workbook_is_written_when_first_asked_for_as_before(demo_with_results: Path, tmp_path: Path) -> None:
    from fpplan.app.plan_outputs import plan_outputs, projection_inputs, write_plan_workbook
    from fpplan.planning.officials import officials_tables

    manifest = results.current(demo_with_results)
    # a scenario the pages rendered ahead do not offer for download (建设规划 embeds the plan scenario's workbook)
    scenario = next(s for s in manifest["scenarios"] if s != manifest["plan_scenario"])
    book = results.file(manifest, results.WORKBOOK, scenario)
    assert not book.exists()  # computing the results and the pages wrote none: nobody asked yet
    labels.set_language("en")  # a reader in English gets the workbook of the results (computed in Chinese)
    try:
        path = results.plan_workbook(manifest, scenario)
    finally:
        labels.set_language("zh")
    assert path == book and path.is_file()
    stamp = path.stat().st_mtime_ns
    assert results.plan_workbook(manifest, scenario).stat().st_mtime_ns == stamp  # written once, then read
    county = Workspace(demo_with_results).county(sync=False)
    calibration, inputs = projection_inputs(county)
    outputs = plan_outputs(county, scenario, inputs=inputs, calibration=calibration)
    direct = write_plan_workbook(outputs, tmp_path / "direct.xlsx", officials_tables(outputs.plan))
    mine, theirs = cells(path), cells(direct)
    assert mine == theirs  # what compute wrote before, cell by cell
    assert "招聘计划" in [c[0] for c in mine if len(c) == 4]  # its sheets named in Chinese


def test_the_first_sync_keeps_no_backup_a_later_import_does(mini: Path, tmp_path: Path) -> None:
    workspace = Workspace(mini)
    workspace.county()  # first use: the folder's three monthly files into a new store
    assert len(workspace.imports()) == 3
    backups = mini / ".fpplan" / "backups"
    assert not list(backups.glob("*.duckdb"))  # nothing was there to go back to
    first = store_state(workspace)
    workspace.import_files([next_month(tmp_path)])
    assert len(list(backups.glob("*.duckdb"))) == 1
    workspace.restore()  # the state before the last import: the folder's files as the first sync left them
    assert store_state(Workspace(mini)) == first


def test_object_columns_are_stored_as_text_as_before() -> None:
    def before(v):  # the element-by-element conversion this replaces
        if v is None or isinstance(v, str):
            return v
        return None if pd.api.types.is_scalar(v) and pd.isna(v) else str(v)

    columns = {
        "text": pd.Series(["650123001", None, np.nan, "乡镇", pd.NA], dtype=object),
        "mixed": pd.Series([1, "a", 2.5, True, None], dtype=object),
        "odd": pd.Series([pd.NaT, decimal.Decimal("1.10"), [1, 2], np.float64("nan"), np.int64(7)], dtype=object),
        "empty": pd.Series([None, np.nan, None, pd.NA, None], dtype=object),
    }
    for name, column in columns.items():
        got = results.as_text(column)
        assert got.dtype == object and got.index.equals(column.index), name
        assert got.tolist() == [before(v) for v in column], name
    assert results.as_text(columns["mixed"]).tolist() == ["1", "a", "2.5", "True", None]
    assert results.as_text(pd.Series([], dtype=object)).tolist() == []


def test_plan_writes_the_plan_the_current_results_keep_and_computes_it_when_the_data_change(
    demo_with_results: Path, tmp_path: Path, monkeypatch, capsys
) -> None:
    """``fpplan plan`` on a county whose results are current for its data writes the plan those results kept (the
    results' own workbook of it, cell by cell: the test above has it equal to a plan computed afresh; the printout
    of that plan) without computing it again; once the data change, or in another language than the results', the
    kept plan is not used and the command computes it."""
    import shutil

    from fpplan.app.printouts import plan_lines
    from fpplan.cli import main
    from fpplan.planning import plan as plan_module

    folder = Path(shutil.copytree(demo_with_results, tmp_path / "county"))
    manifest = results.current(folder)
    scenario = next(s for s in manifest["scenarios"] if s != manifest["plan_scenario"])  # as the test above
    made = []
    make_plan = plan_module.make_plan
    monkeypatch.setattr(plan_module, "make_plan", lambda *a, **k: made.append(1) or make_plan(*a, **k))

    def plan(out: Path) -> str:
        capsys.readouterr()
        assert main(["plan", str(folder), "--scenario", scenario, "--out", str(out)]) == 0
        return capsys.readouterr().out

    printed = plan(tmp_path / "kept.xlsx")
    assert made == []  # the results are current: nothing computed
    assert cells(tmp_path / "kept.xlsx") == cells(results.plan_workbook(manifest, scenario))
    kept, _ = results.stored_plan(Workspace(folder), scenario)
    assert printed.strip() == "\n".join(plan_lines(kept.plan, tmp_path / "kept.xlsx"))

    labels.set_language("en")  # the results were computed in Chinese: their plan is not an English one
    try:
        assert results.stored_plan(Workspace(folder), scenario) is None
    finally:
        labels.set_language("zh")

    facilities = pd.read_csv(folder / "facilities.csv", dtype=str)
    facilities.loc[0, "floor_area_m2"] = str(int(facilities.loc[0, "floor_area_m2"]) + 500)
    facilities.to_csv(folder / "facilities.csv", index=False)  # another version of the data: results not current
    assert results.stored_plan(Workspace(folder), scenario) is None
    changed = plan(tmp_path / "changed.xlsx")
    assert made == [1]  # computed
    assert changed != printed  # the larger floor area shows
