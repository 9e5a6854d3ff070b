"""The workspace's store: one DuckDB file holding every monthly table of a county, each value traceable to the file
it came from.

Tables: one per monthly table of the schema (``service_stats``, ``survey``, ``exam_scores``, …: the schema's
columns and ``import_id``); ``imports`` (the log: table, absolute file path, content hash, when, who, rows
written, new, replaced, unchanged, values replaced); ``replacements`` (every value a corrected file changed: the
row's key, column, old and new value, the import that wrote the old one); ``integrity`` (row count and checksum of
each table, updated in the same transaction as the data, checked by :meth:`Store.check`); ``meta``.

Rules: the caller validates first (the lock is held only for the transaction); an import is applied in one
transaction (all or nothing, also under kill -9: DuckDB writes its log at commit); the same content again changes
nothing; a row whose key exists is replaced and each changed value is logged. DuckDB lets one process write or
several read: readers open the file read-only for the moment of a read, writers for the moment of a transaction,
and both wait a bounded time when it is busy, then say so.
"""

from __future__ import annotations

import datetime as dt
import getpass
import os
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from fpplan.data import environment
from fpplan.data.errors import DataError, Problem
from fpplan.data.labels import Text, label
from fpplan.data.schema import TABLES

SCHEMA_VERSION = "2"
BACKUPS_KEPT = 5
META = """
CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR);
CREATE TABLE IF NOT EXISTS imports (import_id INTEGER PRIMARY KEY, table_name VARCHAR, file VARCHAR, sha256 VARCHAR,
    imported_at TIMESTAMP, imported_by VARCHAR, source VARCHAR, rows INTEGER, rows_new INTEGER,
    rows_replaced INTEGER, rows_unchanged INTEGER, values_replaced INTEGER);
CREATE TABLE IF NOT EXISTS replacements (import_id INTEGER, table_name VARCHAR, row_key VARCHAR, column_name VARCHAR,
    old_value VARCHAR, new_value VARCHAR, old_import_id INTEGER);
CREATE TABLE IF NOT EXISTS integrity (table_name VARCHAR PRIMARY KEY, rows BIGINT, checksum HUGEINT);
"""
_SQL_TYPES = {"int": "DOUBLE", "float": "DOUBLE", "bool": "BOOLEAN", "date": "DATE"}


def monthly_tables() -> list[str]:
    return [name for name, table in TABLES.items() if table.monthly]


@dataclass(frozen=True)
class ImportResult:
    table: str
    file: str
    import_id: int | None  # None: the same content was imported before, nothing changed
    rows: int
    rows_new: int = 0
    rows_replaced: int = 0
    rows_unchanged: int = 0
    values_replaced: int = 0


@dataclass(frozen=True)
class Snapshot:
    """Everything the store holds, read at one moment: the monthly tables (typed, without import ids) and the log."""

    tables: dict[str, pd.DataFrame]
    imports: pd.DataFrame


class Store:
    """A county's DuckDB store at ``path``. Nothing is created until the first write; a missing folder is never
    created (a typo in a path must not start a second, empty store)."""

    def __init__(self, path: str | Path, county_code: str | None = None, wait_seconds: float | None = None):
        self.path = Path(path)
        self.county_code = county_code
        self.wait_seconds = environment.store_wait_seconds() if wait_seconds is None else wait_seconds

    # --- opening --------------------------------------------------------------------------------------------

    def problems_opening(self, write: bool) -> list[Problem]:
        """What stops the store being used at all (a folder where the file should be, a missing or read-only
        folder), as problems."""
        file = str(self.path)
        if self.path.is_dir():
            return [Problem(file=file, kind="store_is_folder")]
        if not self.path.parent.is_dir():
            return [Problem(file=file, kind="store_folder_missing", value=str(self.path.parent))]
        if write and not _writable(self.path):
            return [Problem(file=file, kind="store_read_only")]
        return []

    @property
    def exists(self) -> bool:
        return self.path.is_file()

    @contextmanager
    def connect(self, write: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        """A connection for one read (read-only) or one transaction (read-write), waiting up to ``wait_seconds``
        while another process holds the file; a damaged file or a store of another county is refused."""
        problems = self.problems_opening(write)
        if problems:
            raise DataError(problems)
        deadline = time.monotonic() + self.wait_seconds
        delay = 0.05
        while True:
            try:
                con = duckdb.connect(str(self.path), read_only=not write)
                break
            except duckdb.IOException as exc:
                text = str(exc)
                if "lock" in text.lower() and time.monotonic() < deadline:
                    time.sleep(delay)
                    delay = min(delay * 2, 0.5)
                    continue
                kind = "store_busy" if "lock" in text.lower() else "store_damaged"
                raise DataError([Problem(file=str(self.path), kind=kind, detail=_reason(kind, text))]) from None
            except duckdb.Error as exc:
                raise DataError(
                    [Problem(file=str(self.path), kind="store_damaged", detail=_reason("store_damaged", str(exc)))]
                ) from None
        try:
            if write:
                con.execute(META)
                self._claim(con)
            else:
                self._check_county(con)
            yield con
        except duckdb.IOException as exc:
            raise DataError(
                [Problem(file=str(self.path), kind="store_damaged", detail=_reason("store_damaged", str(exc)))]
            ) from None
        finally:
            con.close()

    def _claim(self, con: duckdb.DuckDBPyConnection) -> None:
        known = dict(con.execute("SELECT key, value FROM meta").fetchall())
        if not known:
            con.execute(
                "INSERT INTO meta VALUES ('schema_version', ?), ('county_code', ?), ('created_at', ?)",
                [SCHEMA_VERSION, self.county_code or "", dt.datetime.now().isoformat(timespec="seconds")],
            )
            return
        self._check_county(con, known)

    def _check_county(self, con: duckdb.DuckDBPyConnection, known: dict | None = None) -> None:
        if known is None:
            if not con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = 'meta'").fetchone()[
                0
            ]:
                raise DataError(
                    [Problem(file=str(self.path), kind="store_damaged", detail=Text("lang_store_no_tables"))]
                )
            known = dict(con.execute("SELECT key, value FROM meta").fetchall())
        theirs = known.get("county_code")
        if self.county_code and theirs and theirs != self.county_code:
            raise DataError(
                [Problem(file=str(self.path), kind="store_other_county", value=theirs, detail=self.county_code)]
            )

    # --- reading --------------------------------------------------------------------------------------------

    def snapshot(self) -> Snapshot:
        """Every monthly table and the import log, read in one short read-only connection (empty when the store
        does not exist yet)."""
        if not self.exists:
            return Snapshot({name: pd.DataFrame() for name in monthly_tables()}, _empty_imports())
        with self.connect() as con:
            present = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
            tables = {}
            for name in monthly_tables():
                if name in present:
                    key = ", ".join(f'"{k}"' for k in TABLES[name].key)
                    tables[name] = con.execute(f'SELECT * EXCLUDE (import_id) FROM "{name}" ORDER BY {key}').df()
                else:
                    tables[name] = pd.DataFrame()
            imports = con.execute("SELECT * FROM imports ORDER BY import_id").df()
        return Snapshot({name: _typed(frame, name) for name, frame in tables.items()}, imports)

    def imports(self) -> pd.DataFrame:
        if not self.exists:
            return _empty_imports()
        with self.connect() as con:
            return con.execute("SELECT * FROM imports ORDER BY import_id").df()

    def replacements(self) -> pd.DataFrame:
        with self.connect() as con:
            return con.execute("SELECT * FROM replacements ORDER BY import_id, table_name, row_key, column_name").df()

    def check(self) -> list[Problem]:
        """Integrity: the file opens, and every table's row count and checksum equal those recorded in the same
        transaction as its data. Problems name the store and what is wrong (none: the store is whole)."""
        if not self.exists:
            return []
        try:
            with self.connect() as con:
                recorded = {r[0]: (r[1], r[2]) for r in con.execute("SELECT * FROM integrity").fetchall()}
                problems = []
                for name, (rows, checksum) in recorded.items():
                    now = _fingerprint(con, name)
                    if now != (rows, checksum):
                        problems.append(
                            Problem(
                                file=str(self.path),
                                kind="store_damaged",
                                value=name,
                                detail=Text("lang_store_rows", table=label("tables", name), now=now[0], recorded=rows),
                            )
                        )
                return problems
        except DataError as error:
            return error.problems

    # --- writing --------------------------------------------------------------------------------------------

    def imported_contents(self) -> set[tuple[str, str]]:
        """(table, sha256) of every content imported so far, in one short read (none when there is no store)."""
        if not self.exists:
            return set()
        with self.connect() as con:
            return {(t, d) for t, d in con.execute("SELECT table_name, sha256 FROM imports").fetchall()}

    def already_imported(self, table: str, digest: str) -> bool:
        if not self.exists:
            return False
        with self.connect() as con:
            return bool(
                con.execute(
                    "SELECT count(*) FROM imports WHERE table_name = ? AND sha256 = ?", [table, digest]
                ).fetchone()[0]
            )

    def apply(
        self,
        table: str,
        frame: pd.DataFrame,
        file: str,
        digest: str,
        source: str = "import",
        backup_dir: Path | None = None,
    ) -> ImportResult:
        """Write a validated table (the schema's columns, typed as ``fpplan.data`` reads them) in one transaction.

        Rows whose key is new are added; rows whose key exists replace the old row and every value that differs is
        logged in ``replacements``. The same content (``digest``) imported before changes nothing. With
        ``backup_dir``, the store as it was is copied there first (the way back from a bad import)."""
        with self.connect(write=True) as con:
            return self._apply(con, table, frame, file, digest, source, backup_dir)

    def apply_all(
        self,
        items: list[tuple[str, pd.DataFrame, str, str]],
        source: str = "import",
        backup_dir: Path | None = None,
        each: Callable[[ImportResult], None] | None = None,
    ) -> list[ImportResult]:
        """Several validated tables ((table, frame, file, digest), in order) as :meth:`apply` writes each, every
        one in its own transaction, through one connection (opening the store costs ~15 ms: a county's first
        sync writes eight files). ``each``: called with every result once its transaction is committed."""
        results = []
        with self.connect(write=True) as con:
            for table, frame, file, digest in items:
                results.append(self._apply(con, table, frame, file, digest, source, backup_dir, checkpoint=False))
                if each is not None:
                    each(results[-1])
            con.execute("CHECKPOINT")  # once for all: each table's commit is durable in the log until then
        return results

    def _apply(
        self,
        con: duckdb.DuckDBPyConnection,
        table: str,
        frame: pd.DataFrame,
        file: str,
        digest: str,
        source: str,
        backup_dir: Path | None,
        checkpoint: bool = True,
    ) -> ImportResult:
        """:meth:`apply` through the open read-write connection ``con``; the store file brought up to date with the
        committed import (``checkpoint``: ~25 ms; ``apply_all`` does it once after its last table)."""
        key = list(TABLES[table].key)
        seen = con.execute("SELECT count(*) FROM imports WHERE table_name = ? AND sha256 = ?", [table, digest])
        if seen.fetchone()[0]:
            return ImportResult(table, file, None, len(frame))
        _ensure_table(con, table, frame)
        import_id = con.execute("SELECT coalesce(max(import_id), 0) + 1 FROM imports").fetchone()[0]
        if backup_dir is not None:
            self._backup(con, backup_dir, import_id - 1)
        incoming = _for_sql(frame, table)
        con.execute("BEGIN TRANSACTION")
        try:
            con.register("incoming", incoming)
            joined = " AND ".join(f't."{k}" = i."{k}"' for k in key)
            old = con.execute(f'SELECT t.* FROM "{table}" t JOIN incoming i ON {joined}').df()
            changes = _changes(old, incoming, key, table)
            rows_replaced = len(old)
            rows_unchanged = rows_replaced - changes["row_key"].nunique()
            con.execute(f'DELETE FROM "{table}" t USING incoming i WHERE {joined}')
            columns = ", ".join(f'"{c}"' for c in incoming.columns)
            con.execute(f'INSERT INTO "{table}" ({columns}, import_id) SELECT {columns}, ? FROM incoming', [import_id])
            if len(changes):
                con.register("changes", changes.assign(import_id=import_id, table_name=table))
                con.execute("""INSERT INTO replacements SELECT import_id, table_name, row_key, column_name,
                    old_value, new_value, old_import_id FROM changes""")
                con.unregister("changes")
            con.execute(
                "INSERT INTO imports VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    import_id,
                    table,
                    file,
                    digest,
                    dt.datetime.now(),
                    _user(),
                    source,
                    len(frame),
                    len(frame) - rows_replaced,
                    rows_replaced,
                    rows_unchanged,
                    len(changes),
                ],
            )
            rows, checksum = _fingerprint(con, table)
            con.execute("INSERT OR REPLACE INTO integrity VALUES (?, ?, ?)", [table, rows, checksum])
            self._before_commit()
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
        finally:
            con.unregister("incoming")
        if checkpoint:
            con.execute("CHECKPOINT")
        return ImportResult(
            table, file, import_id, len(frame), len(frame) - rows_replaced, rows_replaced, rows_unchanged, len(changes)
        )

    def _before_commit(self) -> None:
        """The last step inside an import's transaction (tests interrupt an import here)."""

    def _backup(self, con: duckdb.DuckDBPyConnection, folder: Path, import_id: int) -> None:
        """Copy the store, as it is before import ``import_id + 1``, into ``folder``; keep the newest few.

        The copy is made by DuckDB through the open connection (ATTACH, COPY FROM DATABASE): opening the store
        file a second time in this process and closing it would drop the process's lock on it (POSIX locks
        belong to the process and go with any descriptor of the file), letting another import in mid-way."""
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / f"{self.path.stem}.before-{import_id + 1:05d}.duckdb"
        partial = target.with_suffix(".partial")
        for leftover in (partial, partial.with_name(partial.name + ".wal")):
            leftover.unlink(missing_ok=True)
        database = con.execute("SELECT current_database()").fetchone()[0]
        con.execute(f"ATTACH '{partial}' AS fpplan_backup")
        try:
            con.execute(f'COPY FROM DATABASE "{database}" TO fpplan_backup')
        finally:
            con.execute("DETACH fpplan_backup")
        os.replace(partial, target)
        for old in sorted(folder.glob(f"{self.path.stem}.before-*.duckdb"))[:-BACKUPS_KEPT]:
            old.unlink()


# --- helpers ---------------------------------------------------------------------------------------------------


def _writable(path: Path) -> bool:
    """Whether the store (or, before it exists, its folder) can really be written: tried, not guessed from
    permission bits (which say yes to root on a read-only mount)."""
    if path.exists():  # never opened here: closing a second descriptor would drop this process's lock on it
        return os.access(path, os.W_OK)
    try:
        with tempfile.NamedTemporaryFile(dir=path.parent, prefix=".fpplan-probe-"):
            return True
    except OSError:
        return False


def _reason(kind: str, text: str) -> str:
    """DuckDB's reason in the user's language: held by which process (busy), or unreadable (damaged); DuckDB's
    own English first line is kept in the English text only."""
    import re

    if kind == "store_busy":
        pid = re.search(r"PID (\d+)", text)
        return Text("lang_store_locked_pid", pid=pid.group(1)) if pid else Text("lang_store_locked")
    return Text("lang_store_unreadable", reason=_first_line(text))


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else text


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return ""


def _empty_imports() -> pd.DataFrame:
    return pd.DataFrame(
        columns=[
            "import_id",
            "table_name",
            "file",
            "sha256",
            "imported_at",
            "imported_by",
            "source",
            "rows",
            "rows_new",
            "rows_replaced",
            "rows_unchanged",
            "values_replaced",
        ]
    )


def _sql_type(table: str, column: str) -> str:
    schema = TABLES[table]
    known = {c.name: c for c in schema.columns}
    if column in known:
        return _SQL_TYPES.get(known[column].kind, "VARCHAR")
    return "DOUBLE"  # a data element


def _ensure_table(con: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame) -> None:
    """Create the table on first use; add columns (new data elements) a later file brings."""
    exists = con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [table]).fetchone()[0]
    if not exists:
        columns = ", ".join(f'"{c}" {_sql_type(table, c)}' for c in frame.columns)
        key = ", ".join(f'"{k}"' for k in TABLES[table].key)
        con.execute(f'CREATE TABLE "{table}" ({columns}, import_id INTEGER, PRIMARY KEY ({key}))')
        return
    have = {
        r[0]
        for r in con.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = ?", [table]
        ).fetchall()
    }
    for column in frame.columns:
        if column not in have:
            con.execute(f'ALTER TABLE "{table}" ADD COLUMN "{column}" {_sql_type(table, column)}')


def _for_sql(frame: pd.DataFrame, table: str) -> pd.DataFrame:
    """The frame with dates as dates and booleans as booleans, ready for DuckDB."""
    out = frame.reset_index(drop=True).copy()
    for column in out.columns:
        sql = _sql_type(table, column)
        if sql == "DATE":
            out[column] = pd.to_datetime(out[column]).dt.date
        elif sql == "BOOLEAN":
            out[column] = out[column].astype("boolean")
        elif sql == "DOUBLE":
            out[column] = pd.to_numeric(out[column]).astype(float)
        else:
            out[column] = out[column].astype(object).where(out[column].notna(), None)
    return out


def _typed(frame: pd.DataFrame, table: str) -> pd.DataFrame:
    """A table as read back, typed as ``fpplan.data`` reads the same file (dates as timestamps, whole-number
    columns without blanks as integers)."""
    if frame.empty:
        return frame
    out = frame.copy()
    for column in TABLES[table].columns:
        if column.name not in out:
            continue
        if column.kind == "date":
            out[column.name] = pd.to_datetime(out[column.name])
        elif column.kind == "int" and out[column.name].notna().all():
            out[column.name] = out[column.name].astype(np.int64)
        elif column.kind == "bool":
            out[column.name] = out[column.name].astype(object).where(out[column.name].notna(), None)
    return out


def _text(values: pd.Series) -> pd.Series:
    """Values as the text the replacement log keeps (numbers without a trailing .0, dates as ISO)."""

    def one(v: object) -> object:
        if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NaT:
            return None
        if isinstance(v, float) and v.is_integer():
            return str(int(v))
        if hasattr(v, "isoformat"):
            return v.isoformat()[:10]
        return str(v)

    return values.astype(object).map(one)


def _row_keys(frame: pd.DataFrame, key: list[str]) -> pd.Series:
    parts = frame[key].astype(str)
    out = parts[key[0]]
    for k in key[1:]:
        out = out + "/" + parts[k]
    return out


def _changes(old: pd.DataFrame, new: pd.DataFrame, key: list[str], table: str) -> pd.DataFrame:
    """Every value of an existing row that the incoming row changes: row_key, column_name, old_value, new_value,
    old_import_id (vectorized over rows, a pass per column)."""
    columns = ["row_key", "column_name", "old_value", "new_value", "old_import_id"]
    if old.empty:
        return pd.DataFrame(columns=columns)
    old = old.assign(row_key=_row_keys(old, key)).set_index("row_key")
    new = new.assign(row_key=_row_keys(new, key)).set_index("row_key").reindex(old.index)
    parts = []
    for column in [c for c in new.columns if c not in key]:
        before = _text(old[column]) if column in old else pd.Series(None, index=old.index, dtype=object)
        after = _text(new[column])
        differ = (before != after) & ~(before.isna() & after.isna())
        if differ.any():
            parts.append(
                pd.DataFrame(
                    {
                        "row_key": old.index[differ],
                        "column_name": column,
                        "old_value": before[differ].to_numpy(),
                        "new_value": after[differ].to_numpy(),
                        "old_import_id": old.loc[differ, "import_id"].to_numpy(),
                    }
                )
            )
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=columns)


def _fingerprint(con: duckdb.DuckDBPyConnection, table: str) -> tuple[int, int]:
    """Row count and an order-independent checksum of every value of ``table``."""
    rows, checksum = con.execute(f'SELECT count(*), coalesce(sum(hash(t)::HUGEINT), 0) FROM "{table}" t').fetchone()
    return int(rows), int(checksum)
