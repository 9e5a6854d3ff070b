"""The 数据导入 page's work, without widgets: a month's files uploaded in the browser are kept under the county's
``.fpplan/uploads/<time>/``, checked as ``fpplan import-reports`` checks them (every problem in Chinese: file, row,
column, value, what to do), and on confirmation imported through the workspace (``Workspace.import_files``: all or
nothing, logged, a backup first) and the results every page shows recomputed (``fpplan.app.results``).
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from fpplan.data.errors import DataError, Problem
from fpplan.data.labels import label, month_text, ui
from fpplan.data.readers import EXTENSIONS
from fpplan.data.workspace import FileCheck, Workspace

UPLOADS = Path(".fpplan") / "uploads"
SAFE = re.compile(r"[^\w.\-（）()]+")  # \w includes Chinese characters


@dataclass(frozen=True)
class Checked:
    """Uploaded files and what checking them found: ``problems`` (empty: ready to import) and ``files`` (what each
    file that passed holds)."""

    paths: tuple[Path, ...]
    problems: tuple[Problem, ...] = ()
    files: tuple[FileCheck, ...] = ()
    names: dict[str, str] = field(default_factory=dict)  # saved path → the name the file was uploaded with

    @property
    def ready(self) -> bool:
        return bool(self.paths) and not self.problems


def save_uploads(folder: str | Path, uploads: list[tuple[str, bytes]]) -> tuple[list[Path], dict[str, str]]:
    """Write uploaded files (name, content) into a new ``COUNTY/.fpplan/uploads/<time>/`` (names made safe, never
    outside it); returns the paths and path → original name."""
    target = Path(folder) / UPLOADS / time.strftime("%Y%m%d-%H%M%S")
    n = 0
    while target.exists():  # two uploads in one second
        n += 1
        target = target.with_name(f"{target.name.split('_')[0]}_{n}")
    target.mkdir(parents=True)
    paths, names = [], {}
    for name, content in uploads:
        safe = SAFE.sub("_", Path(name).name).strip("._") or "upload"
        path = target / safe
        path.write_bytes(bytes(content))
        paths.append(path)
        names[str(path.resolve())] = Path(name).name
    return paths, names


def check(workspace: Workspace, paths: list[Path], names: dict[str, str] | None = None) -> Checked:
    """Check the uploaded files without importing them (a file of a kind the store does not take is a problem)."""
    names = names or {}
    bad = [
        Problem(file=names.get(str(p.resolve()), p.name), kind="import_not_table", value=p.suffix)
        for p in paths
        if p.suffix.lower() not in EXTENSIONS
    ]
    good = [p for p in paths if p.suffix.lower() in EXTENSIONS]
    try:
        problems, files = workspace.check_files(good)
    except DataError as error:  # the county itself does not validate: its problems, as `fpplan validate` gives them
        problems, files = error.problems, []
    shown = [_renamed(p, names) for p in [*bad, *problems]]
    return Checked(tuple(paths), tuple(shown), tuple(files), dict(names))


def _renamed(problem: Problem, names: dict[str, str]) -> Problem:
    """A problem naming the file as the planner uploaded it."""
    from dataclasses import replace

    return (
        replace(problem, file=names.get(str(Path(problem.file).resolve()), problem.file)) if problem.file else problem
    )


def problems_table(checked: Checked) -> pd.DataFrame:
    """The problems with Chinese headers (文件, 工作表, 行, 列, 值, 问题)."""
    table = DataError(list(checked.problems)).table()
    return table.rename(columns={c: ui(c) if c != "message" else ui("problem") for c in table.columns})


def summary_lines(checked: Checked) -> list[str]:
    """One line per file that passed: its name, table, months and rows."""
    lines = []
    for f in checked.files:
        months = "、".join(month_text(m) for m in f.months) or "—"
        lines.append(
            ui(
                "upload_file_ok",
                file=checked.names.get(f.file, Path(f.file).name),
                table=label("tables", f.table),
                months=months,
                rows=f.rows,
            )
        )
    return lines


def import_checked(workspace: Workspace, checked: Checked) -> tuple[list[str], str | None]:
    """Import the checked files (refused when they had problems), then recompute the results: lines saying what
    was imported and the month the data now cover."""
    from fpplan.app.pages.build import ensure_pages

    if not checked.ready:
        raise DataError(list(checked.problems) or [Problem(file="", kind="upload_none")])
    lines = []
    for result in workspace.import_files(list(checked.paths)):
        name = checked.names.get(str(Path(result.file).resolve()), Path(result.file).name)
        if result.import_id is None:
            lines.append(f"{name}: {ui('import_unchanged')}")
        else:
            lines.append(
                f"{name}: "
                + ui(
                    "import_done",
                    table=label("tables", result.table),
                    rows=result.rows,
                    new=result.rows_new,
                    replaced=result.rows_replaced,
                    values=result.values_replaced,
                )
            )
    outcome = ensure_pages(workspace)  # the results and the dashboards' pages rendered ahead
    lines.append(
        ui(
            "results_computed" if outcome.computed else "results_ready",
            version=outcome.version[:12],
            seconds=outcome.seconds,
        )
    )
    as_of = workspace.data_as_of()
    return lines, as_of.last_month
