"""The 数据导入 page's work without a browser (fpplan.app.uploads): files uploaded are kept inside the county's
.fpplan/uploads/, checked with every problem in Chinese naming the file as uploaded, imported only when clean, and
the results recomputed to show the month."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from fpplan import DataError
from fpplan.app import results
from fpplan.app.uploads import Checked, check, import_checked, problems_table, save_uploads, summary_lines
from fpplan.data.workspace import Workspace
from fpplan.testing import variants


@pytest.fixture(scope="module")
def folder(demo: Path, tmp_path_factory) -> Path:
    return variants.copy(demo, tmp_path_factory.mktemp("uploads") / "county")


def test_uploads_stay_inside_the_county_folder(folder: Path) -> None:
    paths, names = save_uploads(folder, [("../../x 月报.csv", b"a,b\n"), ("报表.xlsx", b"")])
    for path in paths:
        assert path.resolve().is_relative_to((folder / ".fpplan" / "uploads").resolve())
    assert [p.name for p in paths] == ["x_月报.csv", "报表.xlsx"]
    assert sorted(names.values()) == ["x 月报.csv", "报表.xlsx"]


def test_a_bad_file_is_named_as_uploaded_and_nothing_is_imported(folder: Path) -> None:
    [incoming] = (folder / "incoming").glob("*.csv")
    frame = pd.read_csv(incoming, dtype=str, keep_default_na=False)
    frame.loc[3, "village_code"] = "650123999999"  # no such village
    frame.loc[5, "iud_insertions"] = "-2"
    workspace = Workspace(folder)
    before = workspace.imports()
    paths, names = save_uploads(folder, [("一月月报.csv", frame.to_csv(index=False).encode())])
    checked = check(workspace, paths, names)
    assert not checked.ready and not checked.files
    table = problems_table(checked)
    assert list(table.columns)[:2] == ["文件", "行"] or "文件" in table.columns
    assert set(table["文件"]) == {"一月月报.csv"}
    rows = dict(zip(table["列"], table["行"]))
    assert rows["village_code"] == 5 and rows["iud_insertions"] == 7  # header is row 1
    assert all(not m.isascii() for m in table["问题"])
    with pytest.raises(DataError):
        import_checked(workspace, checked)
    assert len(workspace.imports()) == len(before)


def test_a_clean_month_is_imported_and_the_results_show_it(folder: Path) -> None:
    [incoming] = (folder / "incoming").glob("*.csv")
    workspace = Workspace(folder)
    paths, names = save_uploads(folder, [(incoming.name, incoming.read_bytes())])
    checked = check(workspace, paths, names)
    assert checked.ready and [f.months for f in checked.files] == [("2026-01",)]
    rows = len(pd.read_csv(incoming))
    [line] = summary_lines(checked)
    assert incoming.name in line and "2026年1月" in line and f"{rows} 行" in line
    lines, month = import_checked(workspace, checked)
    assert month == "2026-01" and any(str(rows) in line for line in lines)
    manifest = results.current(folder)
    assert manifest["data_as_of"]["last_month"] == "2026-01"
    assert "2026-01" in set(workspace.county(sync=False).service_stats["month"])
    empty = Checked(paths=())
    with pytest.raises(DataError) as info:
        import_checked(workspace, empty)
    assert info.value.problems[0].kind == "upload_none"
