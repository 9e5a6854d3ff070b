"""A county folder is a workspace: its tables and configuration, and one store (``fpplan.duckdb`` in the folder,
or ``--store PATH``) that holds every table arriving month by month. Every reader (CLI, notebooks, reports,
dashboards) reads the county through it, so a month imported today is what everyone sees.

- The folder's own monthly tables (``service_stats``, ``survey``, ``exam_scores``, …) are imported into the store
  the first time the workspace is used, and again (as an import, logged) whenever their content changes.
- ``import_files`` validates every file first (types, ranges, keys, and against the county: villages and staff
  that exist), with no lock held; then applies each file in one transaction (``fpplan.data.store``), keeping the
  store as it was before in ``.fpplan/backups/``.
- ``county()`` is the validated County with its monthly tables read from the store.
- ``version()`` names the state of the data: a hash of the folder's input files, the store's import log and
  fpplan's version. Results computed from the data are kept per version (``fpplan.app.results``).

Workspace state besides the store lives in ``COUNTY/.fpplan/`` (backups, results, locks); source files are only
read.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path

import pandas as pd

from fpplan.data.county import County, element_aliases, load_county, read_table_checked, with_all_elements
from fpplan.data.crosschecks import references
from fpplan.data.errors import DataError, Problem
from fpplan.data.folder import STATE_DIR, STORE_NAME, input_digests, sha256
from fpplan.data.labels import canonical_column, label
from fpplan.data.readers import EXTENSIONS, find_table_files, read_raw
from fpplan.data.schema import TABLES
from fpplan.data.store import ImportResult, Store, monthly_tables


@cache
def fpplan_version() -> str:
    """fpplan's release and a digest of its own code and shipped defaults: results computed by other code (a
    newer release, or the same release edited in place) never pass for this code's."""
    from importlib import resources
    from importlib.metadata import PackageNotFoundError, version

    try:
        release = version("fpplan")
    except PackageNotFoundError:
        release = "0"
    digest = hashlib.sha256(release.encode())
    root = Path(str(resources.files("fpplan")))
    for path in sorted(p for p in root.rglob("*") if p.suffix in (".py", ".yaml", ".ipynb") and p.is_file()):
        digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    return f"{release}+{digest.hexdigest()[:12]}"


@dataclass(frozen=True)
class DataAsOf:
    """What the data cover: the last month reported and when the store last changed."""

    last_month: str | None
    last_import: pd.Timestamp | None


@dataclass(frozen=True)
class FileCheck:
    """A file that passed its checks: the monthly table it holds, its rows and months."""

    file: str
    table: str
    rows: int
    months: tuple[str, ...]


class Workspace:
    """The county folder ``folder`` and its store. A missing folder is refused, never created; a file given
    where the folder belongs is refused before anything is opened."""

    def __init__(self, folder: str | Path, store: str | Path | None = None):
        folder = Path(folder)
        if not folder.exists():
            raise DataError([Problem(file=str(folder), kind="missing_folder")])
        if not folder.is_dir():
            raise DataError([Problem(file=str(folder), kind="not_a_folder")])
        self.folder = folder.resolve()
        self.state = self.folder / STATE_DIR
        self._static: County | None = None
        store_path = Path(store).resolve() if store is not None else self.folder / STORE_NAME
        self.store = Store(store_path)
        problems = self.store.problems_opening(write=False)  # a folder where the file belongs, a typo in its folder
        if problems:
            raise DataError(problems)

    # --- the county ---------------------------------------------------------------------------------------

    def static_county(self) -> County:
        """The county's own tables from the folder, validated; its monthly tables are left empty (they are the
        store's)."""
        if self._static is None:
            self._static = load_county(self.folder, stored={}, store_name=str(self.store.path))
            self.store.county_code = self._static.county_code
        return self._static

    def county(self, sync: bool = True) -> County:
        """The validated county with its monthly tables from the store (the folder's own monthly files are
        imported first when ``sync``; read-only readers pass ``sync=False``). The store's rows are checked again
        against the county as it is now (a village removed since its reports were imported is named)."""
        base = self.static_county()
        if sync:
            self.sync()
        snapshot = self.store.snapshot()
        problems = []
        tables = {}
        for name, frame in snapshot.tables.items():
            if len(frame):
                problems += against_county(frame, name, base, f"{self.store.path}:{name}")
                tables[name] = frame
        if problems:
            raise DataError(problems)
        if "service_stats" in tables:
            tables["service_stats"] = with_all_elements(tables["service_stats"], base.config)
        return replace(base, absent=base.absent - set(tables), **tables)

    def sync(self) -> list[ImportResult]:
        """Import the folder's own monthly tables whose content the store has not seen (first use, or edited):
        validated like any import; a bad folder file is refused with its problems and changes nothing."""
        county = self.static_county()
        files, _ = find_table_files(self.folder)
        pending, problems = [], []
        seen = self.store.imported_contents()  # one read for every table
        for name in monthly_tables():
            path = files.get(name)
            if path is None:
                continue
            digest = sha256(path)
            if (name, digest) in seen:
                continue
            found, frame, _ = self._validated(path, county, name)
            problems += found
            pending.append((name, frame, path, digest))
        if problems:
            raise DataError(problems)
        # into a store with no import yet (first use) nothing is there to go back to: every state between the
        # folder's files would be its own files again at the next sync, so no backups (a second each on a region),
        # and the files go in through one connection, each in its own transaction
        if seen or not pending:
            return [self._apply(name, frame, path, digest, "folder") for name, frame, path, digest in pending]
        digests = {str(path): digest for _, _, path, digest in pending}
        return self.store.apply_all(
            [(name, frame, str(path), digest) for name, frame, path, digest in pending],
            source="folder",
            each=lambda result: self._log(result, digests[result.file], "folder"),
        )

    # --- imports ------------------------------------------------------------------------------------------

    def import_files(self, files: list[str | Path], table: str | None = None) -> list[ImportResult]:
        """Validate every file (all problems of all files at once; nothing is written if one is bad), then import
        each in its own transaction. ``table``: the monthly table the files hold (default: recognised from each
        file's header)."""
        problems, ready = self._checked(files, table)
        problems += _same_months(ready)
        if problems:
            raise DataError(problems)
        self.sync()  # the folder's own monthly files first, so that an import given now is the later one
        return [self._apply(name, frame, path, sha256(path), "import") for path, frame, name in ready]

    def check_files(self, files: list[str | Path], table: str | None = None) -> tuple[list[Problem], list[FileCheck]]:
        """Validate files as ``import_files`` would, writing nothing: every problem of every file, and for each
        file that passed, what it holds (table, rows, months)."""
        problems, ready = self._checked(files, table)
        return problems, [
            FileCheck(
                str(path), name, len(frame), tuple(sorted(frame["month"].dropna().unique()) if "month" in frame else [])
            )
            for path, frame, name in ready
            if frame is not None
        ]

    def _checked(self, files: list[str | Path], table: str | None) -> tuple[list[Problem], list[tuple]]:
        """Every problem of every file, and (path, frame, table) of each file without one, checked against the
        County the workspace holds."""
        county = self.static_county()
        problems: list[Problem] = []
        ready = []
        for file in files:
            path = Path(file).resolve()
            found, frame, name = self._validated(path, county, table)
            problems += found
            if not found:
                ready.append((path, frame, name))
        return problems, ready

    def _apply(
        self, name: str, frame: pd.DataFrame, path: Path, digest: str, source: str, backup: bool = True
    ) -> ImportResult:
        """One file into the store (its previous state kept in .fpplan/backups/ unless ``backup`` is False), then
        the log's mirror in .fpplan/imports.jsonl, which lets a damaged store be rebuilt from its source files."""
        folder = self.state / "backups" if backup else None
        result = self.store.apply(name, frame, str(path), digest, source=source, backup_dir=folder)
        self._log(result, digest, source)
        return result

    def _log(self, result: ImportResult, digest: str, source: str) -> None:
        """An import just committed, mirrored in .fpplan/imports.jsonl (nothing when nothing was imported)."""
        if result.import_id is None:
            return
        self.state.mkdir(exist_ok=True)
        entry = {
            "import_id": result.import_id,
            "table": result.table,
            "file": result.file,
            "sha256": digest,
            "source": source,
            "store": str(self.store.path),
        }
        with (self.state / "imports.jsonl").open("a", encoding="utf-8") as log:
            log.write(json.dumps(entry, ensure_ascii=False) + "\n")

    def _validated(
        self, path: Path, county: County, table: str | None
    ) -> tuple[list[Problem], pd.DataFrame | None, str]:
        if not path.exists():
            return [Problem(file=str(path), kind="missing_file", detail=path.name)], None, ""
        if path.is_dir():
            return [Problem(file=str(path), kind="import_is_folder")], None, ""
        if path.suffix.lower() not in EXTENSIONS:
            return [Problem(file=str(path), kind="import_not_table", value=path.suffix)], None, ""
        if path.resolve() == self.store.path.resolve():
            return [Problem(file=str(path), kind="import_is_store")], None, ""
        name = table or recognise_table(path, county)
        if name in (None, "service_stats"):  # the official monthly report as townships send it
            from fpplan.data.intake.monthly import read_official

            official = read_official(path, county)
            if official is not None:
                frame, problems = official
                return problems, frame, "service_stats"
        if name is None:
            return [Problem(file=str(path), kind="import_unknown_table", detail=_tables_named())], None, ""
        if name not in monthly_tables():
            return [Problem(file=str(path), kind="import_not_monthly", value=name, detail=_tables_named())], None, name
        frame, problems = read_table_checked(path, name, county=county)  # against the County held: codes too
        if frame is None:
            return problems, None, name
        return problems, _columns_of(frame, name), name

    # --- what the store says ------------------------------------------------------------------------------

    def imports(self) -> pd.DataFrame:
        return self.store.imports()

    def check(self) -> list[Problem]:
        """Problems with the store (damaged, of another county); none when it is whole or does not exist yet."""
        try:
            self.static_county()
        except DataError:
            pass  # the folder's own problems are validate's business; the store is checked on its own
        return self.store.check()

    def restore(self) -> tuple[Path, Path]:
        """Put back the store as it was before the last import (the newest backup); the current file is kept
        beside it as ``*.replaced-<time>.duckdb``. Returns (backup used, where the replaced store is)."""
        backups = sorted((self.state / "backups").glob(f"{self.store.path.stem}.before-*.duckdb"))
        if not backups:
            raise DataError([Problem(file=str(self.state / "backups"), kind="restore_none")])
        saved = self._set_aside()
        shutil.copy2(backups[-1], self.store.path.with_suffix(".restoring"))
        os.replace(self.store.path.with_suffix(".restoring"), self.store.path)
        backups[-1].unlink()
        return backups[-1], saved

    def rebuild(self) -> int:
        """Rebuild the store from the log's mirror (.fpplan/imports.jsonl): every logged file, in order, whose
        content is unchanged. A file that is gone or changed is named and nothing is replaced."""
        log_file = self.state / "imports.jsonl"
        entries = (
            [json.loads(line) for line in log_file.read_text(encoding="utf-8").splitlines()]
            if log_file.exists()
            else []
        )
        entries = [e for e in entries if Path(e["store"]) == self.store.path]
        county = self.static_county()
        problems, ready = [], []
        for entry in entries:
            path = Path(entry["file"])
            if not path.is_file() or sha256(path) != entry["sha256"]:
                problems.append(Problem(file=str(path), kind="rebuild_missing", value=entry["import_id"]))
                continue
            found, frame, _ = self._validated(path, county, entry["table"])
            problems += found
            ready.append((entry, frame))
        if problems:
            raise DataError(problems)
        saved = self._set_aside() if self.store.exists else None
        fresh = Store(self.store.path, county.county_code, self.store.wait_seconds)
        try:
            for entry, frame in ready:
                fresh.apply(entry["table"], frame, entry["file"], entry["sha256"], source=entry["source"])
        except BaseException:
            if saved is not None:
                os.replace(saved, self.store.path)
            raise
        return len(ready)

    def _set_aside(self) -> Path:
        stamp = pd.Timestamp.now().strftime("%Y%m%d-%H%M%S")
        saved = self.store.path.with_name(f"{self.store.path.stem}.replaced-{stamp}.duckdb")
        if self.store.path.exists():
            os.replace(self.store.path, saved)
        wal = self.store.path.with_name(self.store.path.name + ".wal")
        if wal.exists():
            os.replace(wal, saved.with_name(saved.name + ".wal"))
        return saved

    def data_as_of(self, county: County | None = None) -> DataAsOf:
        imports = self.store.imports()
        stats = (county or self.county(sync=False)).service_stats
        last_month = str(stats["month"].max()) if len(stats) else None
        last_import = pd.Timestamp(imports["imported_at"].max()) if len(imports) else None
        return DataAsOf(last_month, last_import)

    def version(self) -> str:
        """A hash naming this state of the data: every input file's content, the store's import log, fpplan's
        version. Results computed from the data are valid for one version."""
        digest = hashlib.sha256(fpplan_version().encode())
        for name, digest_of_file in input_digests(self.folder):
            digest.update(name.encode() + b"\0" + digest_of_file.encode())
        log = self.store.imports()
        for import_id, digest_of_file in zip(log["import_id"], log["sha256"]):
            digest.update(f"{import_id}:{digest_of_file}".encode())
        return digest.hexdigest()


def _same_months(ready: list[tuple[Path, pd.DataFrame, str]]) -> list[Problem]:
    """Two files of one import giving the same table and month: which one is meant cannot be told."""
    seen: dict[tuple[str, str], Path] = {}
    problems = []
    for path, frame, name in ready:
        if frame is None or "month" not in frame:
            continue
        for month in sorted(set(frame["month"].dropna().astype(str))):
            if (name, month) in seen:
                problems.append(
                    Problem(
                        file=str(path),
                        kind="intake_duplicate_month",
                        value=month,
                        detail=f"{seen[(name, month)].name}、{path.name}",
                    )
                )
            seen[(name, month)] = path
    return problems


def recognise_table(path: Path, county: County) -> str | None:
    """The monthly table a file holds, from its header: the one whose required columns are all present."""
    raw, _ = read_raw(path)
    if raw is None:
        return None
    elements = element_aliases(county.config)
    headers = {canonical_column(h, elements) for h in raw.columns}
    element_codes = set(elements.values())
    matches = []
    for name in monthly_tables():
        table = TABLES[name]
        required = {c.name for c in table.columns if not c.optional and not c.nullable}
        if required <= headers and (not table.data_elements or headers & element_codes):
            matches.append(name)
    return matches[0] if len(matches) == 1 else None


def against_county(frame: pd.DataFrame, table: str, county: County, file: str) -> list[Problem]:
    """A monthly table's references checked against the county: villages and staff that exist."""
    villages = pd.Index(county.villages()["code"])
    if "village_code" in frame:
        return references(frame, "village_code", villages, file, "villages")
    if "staff_id" in frame:
        return references(frame, "staff_id", pd.Index(county.staff["staff_id"]), file, "staff")
    return []


def _columns_of(frame: pd.DataFrame, table: str) -> pd.DataFrame:
    """A monthly table's frame with its schema columns first, without the index."""
    known = [c.name for c in TABLES[table].columns if c.name in frame.columns]
    rest = [c for c in frame.columns if c not in known]
    return frame[known + rest].reset_index(drop=True)


def _tables_named() -> str:
    """The monthly tables as ``--table`` takes them, each with its name: service_stats（村级月报）、…"""
    return "、".join(f"{name}（{label('tables', name)}）" for name in monthly_tables())
