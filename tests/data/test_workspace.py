"""The county workspace: one store that every reader reads, imports that are validated, atomic, idempotent and
logged, a store that is refused when it is damaged, busy or misplaced, and results computed once per data version."""

from __future__ import annotations

import ast
import dataclasses
import hashlib
import json
import os
import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from fpplan import DataError
from fpplan.app.results import current, ensure_results
from fpplan.cli import main
from fpplan.data.workspace import STORE_NAME, Workspace
from fpplan.testing.mini import mini_tables, write_mini_county


def next_month(tmp_path: Path, month: str = "2025-03", value: float = 2.0, name: str = "reports_2025_03.csv") -> Path:
    """Reports of every mini village for ``month``, every element ``value``."""
    stats = mini_tables()["service_stats"]
    rows = stats[stats["month"] == "2025-01"].assign(month=month, reported_on=f"{month}-06")
    rows.loc[:, stats.columns[3:]] = value
    path = tmp_path / name
    rows.to_csv(path, index=False)
    return path


def store_state(workspace: Workspace) -> dict:
    snapshot = workspace.store.snapshot()
    return {name: frame.astype(str).values.tolist() for name, frame in snapshot.tables.items()} | {
        "imports": len(snapshot.imports),
        "replacements": len(workspace.store.replacements()),
    }


def test_first_use_imports_the_folder_monthly_tables_once(mini: Path) -> None:
    workspace = Workspace(mini)
    loaded = workspace.county()
    log = workspace.imports()
    assert log["table_name"].tolist() == ["service_stats", "survey", "exam_scores"]
    assert log["source"].tolist() == ["folder"] * 3 and log["rows"].tolist() == [6, 2, 2]
    assert (mini / STORE_NAME).is_file()
    assert len(loaded.service_stats) == 6 and set(loaded.service_stats["month"]) == {"2025-01", "2025-02"}
    Workspace(mini).county()  # a second use: nothing new
    assert len(Workspace(mini).imports()) == 3


def test_the_contents_imported_are_read_at_once(mini: Path, tmp_path: Path) -> None:
    """imported_contents: (table, sha256) of every import, the same answers as already_imported file by file."""
    workspace = Workspace(mini)
    assert workspace.store.imported_contents() == set()  # no store yet
    workspace.county()
    workspace.import_files([next_month(tmp_path)])
    digests = {
        name: hashlib.sha256((mini / f"{name}.csv").read_bytes()).hexdigest()
        for name in ("service_stats", "survey", "exam_scores")
    }
    month = hashlib.sha256((tmp_path / "reports_2025_03.csv").read_bytes()).hexdigest()
    seen = workspace.store.imported_contents()
    assert seen == {(name, d) for name, d in digests.items()} | {("service_stats", month)}
    for table, digest in seen:
        assert workspace.store.already_imported(table, digest)
    assert not workspace.store.already_imported("survey", month)


def test_a_month_imported_is_read_by_everyone(mini: Path, tmp_path: Path) -> None:
    workspace = Workspace(mini)
    workspace.county()
    report = next_month(tmp_path)
    before = report.read_bytes()
    [result] = workspace.import_files([report])
    assert (result.table, result.rows, result.rows_new, result.rows_replaced) == ("service_stats", 3, 3, 0)
    stats = Workspace(mini).county().service_stats
    assert sorted(stats["month"].unique()) == ["2025-01", "2025-02", "2025-03"]
    assert stats.loc[stats["month"] == "2025-03", "iud_insertions"].tolist() == [2.0, 2.0, 2.0]
    log = Workspace(mini).imports().iloc[-1]
    assert log["file"] == str(report.resolve()) and log["sha256"] == hashlib.sha256(before).hexdigest()
    assert report.read_bytes() == before  # the source file is only read
    [again] = Workspace(mini).import_files([report])
    assert again.import_id is None and len(Workspace(mini).imports()) == 4


def test_a_corrected_village_month_replaces_and_logs_each_value(mini: Path, tmp_path: Path) -> None:
    workspace = Workspace(mini)
    workspace.import_files([next_month(tmp_path)])
    fixed = pd.read_csv(next_month(tmp_path), dtype=str)
    fixed.loc[0, "iud_insertions"] = "7"
    fixed.loc[1, "reported_on"] = "2025-04-20"  # only the date received changes: timeliness is scored
    path = tmp_path / "reports_2025_03_fixed.csv"
    fixed.to_csv(path, index=False)
    [result] = workspace.import_files([path])
    assert (result.rows_replaced, result.rows_unchanged, result.values_replaced) == (3, 1, 2)
    log = workspace.store.replacements()
    got = log[["row_key", "column_name", "old_value", "new_value"]].values.tolist()
    assert sorted(got) == [
        ["100001001/2025-03", "iud_insertions", "2", "7"],
        ["100001002/2025-03", "reported_on", "2025-03-06", "2025-04-20"],
    ]
    assert log["old_import_id"].tolist() == [4, 4]
    stats = workspace.county().service_stats.set_index(["village_code", "month"])
    assert stats.loc[("100001001", "2025-03"), "iud_insertions"] == 7


def test_a_bad_file_changes_nothing_and_names_every_problem(mini: Path, tmp_path: Path) -> None:
    workspace = Workspace(mini)
    workspace.county()
    before = store_state(workspace)
    bad = pd.read_csv(next_month(tmp_path), dtype=str)
    bad.loc[0, "deaths"] = "-2"
    bad.loc[1, "village_code"] = "100009009"  # a village the county does not have
    path = tmp_path / "bad.csv"
    bad.to_csv(path, index=False)
    good = next_month(tmp_path, "2025-04", name="good.csv")
    with pytest.raises(DataError) as info:
        workspace.import_files([good, path])  # one bad file: the good one is not imported either
    found = {(p.kind, p.row, p.column, p.value) for p in info.value.problems}
    assert ("negative", 2, "deaths", "-2") in found
    assert ("unknown_reference", 3, "village_code", "100009009") in found
    assert all(p.file == str(path.resolve()) for p in info.value.problems)
    assert store_state(workspace) == before


def test_imports_are_checked_against_the_county_the_workspace_holds(mini: Path, tmp_path: Path, monkeypatch) -> None:
    """Three months imported: no config file and no county table is read again (the workspace holds the validated
    County); the codes are still checked, against that County."""
    import fpplan.data.config
    import fpplan.data.county

    workspace = Workspace(mini)
    held = workspace.county()
    reads: list[str] = []
    read_yaml, read_raw = fpplan.data.config.read_yaml, fpplan.data.county.read_raw
    monkeypatch.setattr(
        fpplan.data.config, "read_yaml", lambda path, *a: reads.append(Path(path).name) or read_yaml(path, *a)
    )
    monkeypatch.setattr(
        fpplan.data.county, "read_raw", lambda path, *a: reads.append(Path(path).name) or read_raw(path, *a)
    )
    files = [next_month(tmp_path, f"2025-0{m}", name=f"r{m}.csv") for m in (3, 4, 5)]
    assert [r.rows_new for r in workspace.import_files(files)] == [3, 3, 3]
    assert sorted(reads) == ["r3.csv", "r4.csv", "r5.csv"]  # each file's own rows; no yaml, no units.csv
    smaller = dataclasses.replace(held, units=held.units[held.units["code"] != "100001002"])
    workspace._static = smaller  # a county without one of the villages: its rows are refused, as in any import
    with pytest.raises(DataError) as info:
        workspace.import_files([next_month(tmp_path, "2025-06", name="r6.csv")])
    assert {(p.kind, p.value) for p in info.value.problems} == {("unknown_reference", "100001002")}


def test_where_the_county_belongs_a_file_is_refused_before_anything_is_opened(tmp_path: Path, capsys) -> None:
    january, february = next_month(tmp_path, name="一月.csv"), next_month(tmp_path, name="二月.csv")
    assert main(["--lang", "en", "import-reports", str(january), str(february)]) == 2
    out = capsys.readouterr().out
    assert "not a county data folder" in out and str(january) in out
    assert sorted(p.name for p in tmp_path.iterdir()) == ["一月.csv", "二月.csv"]
    with pytest.raises(DataError) as info:
        Workspace(tmp_path / "no-such-county")
    assert info.value.problems[0].kind == "missing_folder"
    assert not (tmp_path / "no-such-county").exists()


def test_store_paths_that_cannot_be_used(mini: Path, tmp_path: Path) -> None:
    (tmp_path / "folder.duckdb").mkdir()
    cases = {
        "store_is_folder": tmp_path / "folder.duckdb",
        "store_folder_missing": tmp_path / "typo" / STORE_NAME,
        "store_read_only": Path("/proc") / STORE_NAME,
    }
    for kind, store in cases.items():
        with pytest.raises(DataError) as info:
            Workspace(mini, store=store).county()
        assert [p.kind for p in info.value.problems] == [kind], kind
    assert not (tmp_path / "typo").exists()
    assert main(["imports", str(mini), "--store", str(tmp_path / "typo" / STORE_NAME)]) == 2


def test_a_store_of_another_county_is_refused(mini: Path, tmp_path: Path) -> None:
    Workspace(mini).county()
    other = mini_tables()
    other["units"].loc[0, "code"] = "200"
    other["units"].loc[other["units"]["parent_code"] == "100", "parent_code"] = "200"
    second = write_mini_county(tmp_path / "other", other)
    with pytest.raises(DataError) as info:
        Workspace(second, store=mini / STORE_NAME).county()
    assert info.value.problems[0].kind == "store_other_county"


def test_a_busy_store_waits_then_says_so(mini: Path, tmp_path: Path, monkeypatch) -> None:
    Workspace(mini).county()
    monkeypatch.setenv("FPPLAN_STORE_WAIT", "1")
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(f"""
        import duckdb, time
        con = duckdb.connect({str(mini / STORE_NAME)!r})
        print("holding", flush=True)
        time.sleep(30)
    """),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "holding"
        start = time.monotonic()
        with pytest.raises(DataError) as info:
            Workspace(mini).import_files([next_month(tmp_path)])
        assert info.value.problems[0].kind == "store_busy"
        assert 0.9 < time.monotonic() - start < 10
        assert "请稍后再试" in info.value.problems[0].message("zh")
    finally:
        holder.kill()
        holder.wait()


def test_imports_at_once_all_land(mini: Path, tmp_path: Path) -> None:
    """Four imports started together: each waits for the store and none is lost (an import that opened the store
    file a second time once dropped its lock and let another overwrite it: 1 run in 6)."""
    Workspace(mini).county()
    files = [next_month(tmp_path, f"2025-0{m}", name=f"r{m}.csv") for m in (3, 4, 5, 6)]
    script = (
        "import sys\nfrom fpplan.data.workspace import Workspace\nWorkspace(sys.argv[1]).import_files([sys.argv[2]])"
    )
    procs = [
        subprocess.Popen([sys.executable, "-c", script, str(mini), str(f)], stderr=subprocess.PIPE, text=True)
        for f in files
    ]
    outcomes = [(p.wait(timeout=300), p.stderr.read()) for p in procs]
    assert [code for code, _ in outcomes] == [0, 0, 0, 0], outcomes
    months = Workspace(mini).county().service_stats["month"]
    assert sorted(months.unique()) == ["2025-01", "2025-02", "2025-03", "2025-04", "2025-05", "2025-06"]
    assert sorted(Workspace(mini).imports()["import_id"]) == [1, 2, 3, 4, 5, 6, 7]


def test_readers_keep_working_while_an_import_runs(mini: Path, tmp_path: Path) -> None:
    """A reader in another process (a dashboard, a notebook) reads snapshots while imports run; it never fails and
    only ever sees whole imports."""
    Workspace(mini).county()
    reader = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(f"""
        import time
        from fpplan.data.workspace import Workspace
        print("reading", flush=True)
        end, counts = time.monotonic() + 8, set()
        while time.monotonic() < end:
            counts.add(len(Workspace({str(mini)!r}).county(sync=False).service_stats))
        print(sorted(counts), flush=True)
    """),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert reader.stdout.readline().strip() == "reading"
    for m in (3, 4, 5):
        Workspace(mini).import_files([next_month(tmp_path, f"2025-0{m}", name=f"r{m}.csv")])
    out, err = reader.communicate(timeout=300)
    assert reader.returncode == 0, err
    seen = set(ast.literal_eval(out.strip()))  # the list the reader printed
    assert seen and seen <= {6, 9, 12, 15}


def test_killed_mid_import_leaves_the_store_as_it_was(mini: Path, tmp_path: Path) -> None:
    workspace = Workspace(mini)
    workspace.county()
    before = store_state(workspace)
    script = textwrap.dedent(f"""
        import os
        from fpplan.data.store import Store
        from fpplan.data.workspace import Workspace
        Store._before_commit = lambda self: os.kill(os.getpid(), 9)  # killed with every row written, before COMMIT
        Workspace({str(mini)!r}).import_files([{str(next_month(tmp_path))!r}])
    """)
    assert subprocess.run([sys.executable, "-c", script], check=False).returncode == -9
    assert store_state(Workspace(mini)) == before
    assert Workspace(mini).check() == []


def test_a_damaged_store_is_named_and_the_way_back_works(mini: Path, tmp_path: Path, capsys) -> None:
    workspace = Workspace(mini)
    workspace.import_files([next_month(tmp_path)])
    whole = store_state(workspace)
    workspace.import_files([next_month(tmp_path, "2025-04", name="r4.csv")])
    store = mini / STORE_NAME
    size = store.stat().st_size
    with store.open("r+b") as handle:
        handle.truncate(size // 2)
    assert main(["--lang", "en", "imports", str(mini), "--check"]) == 2
    out = capsys.readouterr().out
    assert "damaged" in out and "--restore" in out
    assert main(["imports", str(mini), "--restore"]) == 0  # the state before the last import
    assert store_state(Workspace(mini)) == whole
    assert main(["imports", str(mini), "--check"]) == 0
    assert main(["imports", str(mini), "--rebuild"]) == 0  # every logged file again, in order
    rebuilt = Workspace(mini)
    assert sorted(rebuilt.county().service_stats["month"].unique()) == ["2025-01", "2025-02", "2025-03", "2025-04"]


def test_a_changed_checksum_is_detected(mini: Path) -> None:
    Workspace(mini).county()
    con = duckdb.connect(str(mini / STORE_NAME))
    con.execute("UPDATE service_stats SET iud_insertions = 99 WHERE month = '2025-01'")  # behind fpplan's back
    con.close()
    problems = Workspace(mini).check()
    assert [p.kind for p in problems] == ["store_damaged"] and problems[0].value == "service_stats"


def test_the_folder_file_is_imported_again_when_it_changes(mini: Path) -> None:
    Workspace(mini).county()
    stats = pd.read_csv(mini / "service_stats.csv", dtype=str)
    stats.loc[0, "deaths"] = "5"
    stats.to_csv(mini / "service_stats.csv", index=False)
    workspace = Workspace(mini)
    loaded = workspace.county()
    assert workspace.imports()["source"].tolist()[-1] == "folder" and len(workspace.imports()) == 4
    assert loaded.service_stats.set_index(["village_code", "month"]).loc[("100001001", "2025-01"), "deaths"] == 5


def test_results_are_computed_once_per_version_of_the_data(demo_with_results: Path) -> None:
    county = demo_with_results  # its results computed once for the run (tests/conftest.py: computed, asserted)
    first = ensure_results(Workspace(county))
    assert not first.computed  # a copy of the data with its results: the same version, nothing computed again
    manifest = current(county)
    assert manifest["data_as_of"]["last_month"] == "2025-12" and manifest["version"] == first.version
    again = ensure_results(Workspace(county))
    assert not again.computed and again.version == first.version
    [incoming] = (county / "incoming").glob("*.csv")
    Workspace(county).import_files([incoming])
    after = ensure_results(Workspace(county))
    assert after.computed and after.version != first.version
    manifest = current(county)
    assert manifest["data_as_of"]["last_month"] == "2026-01"
    assert "2026-01" in manifest["scored_periods"]["month"]
    shutil.rmtree(first.folder, ignore_errors=True)
    assert os.path.isdir(manifest["path"])
    assert not ensure_results(Workspace(county)).computed


def test_the_first_sync_writes_every_file_in_its_own_transaction_through_one_connection(
    mini: Path, tmp_path: Path, monkeypatch
) -> None:
    """apply_all: one read-write connection for the first sync's files, each file its own import (ids 1, 2, 3),
    each mirrored in imports.jsonl once committed; the store the same as with the files applied one by one."""
    from fpplan.data.store import Store

    other = tmp_path / "other"
    shutil.copytree(mini, other)
    opened = []
    connect = Store.connect
    monkeypatch.setattr(Store, "connect", lambda self, write=False: opened.append(write) or connect(self, write))
    Workspace(mini).county()
    assert opened.count(True) == 1  # one read-write connection for the three files
    log = [json.loads(line) for line in (mini / ".fpplan" / "imports.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [(e["import_id"], e["table"], e["source"]) for e in log] == [
        (1, "service_stats", "folder"),
        (2, "survey", "folder"),
        (3, "exam_scores", "folder"),
    ]
    for e in log:
        assert e["sha256"] == hashlib.sha256(Path(e["file"]).read_bytes()).hexdigest()
    # the same files applied one by one, each through its own connection
    monkeypatch.setattr(
        Store,
        "apply_all",
        lambda self, items, source, each: [each(r) or r for r in (self.apply(*item, source=source) for item in items)],
    )
    opened.clear()
    Workspace(other).county()
    assert opened.count(True) == 3
    ours, theirs = Workspace(mini).store.snapshot(), Workspace(other).store.snapshot()
    for name, frame in ours.tables.items():
        pd.testing.assert_frame_equal(frame, theirs.tables[name], check_exact=True)
    columns = ["import_id", "table_name", "sha256", "source", "rows", "rows_new", "rows_replaced"]
    pd.testing.assert_frame_equal(ours.imports[columns], theirs.imports[columns], check_exact=True)
