"""The report store: validated, atomic, idempotent imports with a replacement log."""

from __future__ import annotations

import hashlib
import subprocess
import sys
import textwrap
from pathlib import Path

import pandas as pd
import pytest

from fpplan import DataError
from fpplan.data.store import ReportStore

from mini_county import mini_tables


@pytest.fixture
def report(tmp_path: Path) -> Path:
    path = tmp_path / "reports_2025_01.csv"
    mini_tables()["service_stats"].to_csv(path, index=False)
    return path


def snapshot(store: ReportStore) -> dict[str, list]:
    return {name: store.table(name).values.tolist() for name in ("reports", "submissions", "imports", "replacements")}


def test_import_then_reimport_changes_nothing(tmp_path: Path, report: Path) -> None:
    store = ReportStore(tmp_path / "w.duckdb")
    first = store.import_file(report)
    assert first.import_id == 1 and first.rows == 6 and first.values_replaced == 0
    assert first.values_written == 6 * len(mini_tables()["service_stats"].columns[3:])
    before = snapshot(store)
    again = store.import_file(report)
    assert again.import_id is None
    assert snapshot(store) == before


def test_corrected_file_replaces_and_logs(tmp_path: Path, report: Path) -> None:
    store = ReportStore(tmp_path / "w.duckdb")
    store.import_file(report)
    corrected = pd.read_csv(report, dtype=str)
    corrected = corrected[corrected["month"] == "2025-01"]
    corrected.loc[corrected.index[0], "iud_insertions"] = "7"
    fixed = tmp_path / "reports_2025_01_fixed.csv"
    corrected.to_csv(fixed, index=False)
    result = store.import_file(fixed)
    assert result.import_id == 2 and result.values_replaced == 1
    log = store.table("replacements")
    assert log[["village_code", "month", "element", "old_value", "new_value", "old_import_id"]].values.tolist() == [
        ["100001001", "2025-01", "iud_insertions", 1.0, 7.0, 1]]
    imports = store.table("imports")
    assert imports["file"].tolist() == [str(report), str(fixed)] and imports["values_replaced"].tolist() == [0, 1]
    values = store.long().set_index(["village_code", "month", "element"])["value"]
    assert values[("100001001", "2025-01", "iud_insertions")] == 7 and values[("100001001", "2025-02", "iud_insertions")] == 1


def test_a_bad_file_changes_nothing_and_names_its_problems(tmp_path: Path, report: Path) -> None:
    store = ReportStore(tmp_path / "w.duckdb")
    store.import_file(report)
    before = snapshot(store)
    bad = pd.read_csv(report, dtype=str)
    bad.loc[1, "deaths"] = "-2"
    bad.loc[2, "month"] = "2025-1x"
    bad_path = tmp_path / "bad.csv"
    bad.to_csv(bad_path, index=False)
    digest = hashlib.sha256(bad_path.read_bytes()).hexdigest()
    with pytest.raises(DataError) as info:
        store.import_file(bad_path)
    kinds = {(p.kind, p.row, p.column) for p in info.value.problems}
    assert ("negative", 3, "deaths") in kinds and ("bad_type", 4, "month") in kinds
    assert snapshot(store) == before
    assert hashlib.sha256(bad_path.read_bytes()).hexdigest() == digest  # the source file is never modified


def test_failure_mid_import_rolls_back(tmp_path: Path, report: Path, monkeypatch) -> None:
    store = ReportStore(tmp_path / "w.duckdb")
    store.import_file(report)
    before = snapshot(store)
    changed = pd.read_csv(report, dtype=str).assign(iud_insertions="9")
    changed.to_csv(tmp_path / "changed.csv", index=False)

    def fail(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(store, "_log", fail)  # the last step inside the transaction
    with pytest.raises(RuntimeError):
        store.import_file(tmp_path / "changed.csv")
    assert snapshot(store) == before


def test_a_process_killed_mid_import_leaves_the_database_as_it_was(tmp_path: Path, report: Path) -> None:
    db = tmp_path / "w.duckdb"
    store = ReportStore(db)
    store.import_file(report)
    before = snapshot(store)
    store.close()
    changed = pd.read_csv(report, dtype=str).assign(iud_insertions="9")
    changed.to_csv(tmp_path / "changed.csv", index=False)
    script = textwrap.dedent(f"""
        import os
        from fpplan.data.store import ReportStore
        store = ReportStore({str(db)!r})
        store._log = lambda *a, **k: os._exit(9)  # killed after the new values are written, before COMMIT
        store.import_file({str(tmp_path / "changed.csv")!r})
    """)
    assert subprocess.run([sys.executable, "-c", script], check=False).returncode == 9
    assert snapshot(ReportStore(db)) == before


def test_store_from_county_holds_the_county_reports(tmp_path: Path) -> None:
    from fpplan import load_county

    from mini_county import write_mini_county

    county = load_county(write_mini_county(tmp_path / "c"))
    store = ReportStore.from_county(county)
    assert len(store.long()) == county.service_stats.iloc[:, 3:].notna().sum().sum()
    assert len(store.submissions()) == 6


def test_cli_import_reports(tmp_path: Path, report: Path, capsys) -> None:
    from fpplan.cli import main

    db = tmp_path / "w.duckdb"
    assert main(["--lang", "en", "import-reports", str(db), str(report)]) == 0
    assert main(["--lang", "en", "import-reports", str(db), str(report)]) == 0
    out = capsys.readouterr().out
    assert "imported 6 rows" in out and "already imported (same content): nothing changed" in out
    bad = tmp_path / "bad.csv"
    pd.read_csv(report, dtype=str).assign(deaths="-1").to_csv(bad, index=False)
    assert main(["import-reports", str(db), str(bad)]) == 2
    assert "负数" in capsys.readouterr().out
