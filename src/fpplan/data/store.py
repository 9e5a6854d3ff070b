"""The report store: monthly village reports in one DuckDB file, every number traceable to the file it came from.

Tables: ``reports`` (village_code, month, element, value, import_id), ``submissions`` (village_code, month,
reported_on, import_id), ``imports`` (the log: file, content hash, when, who, rows, values written and replaced)
and ``replacements`` (each value a corrected file changed: old and new value, old and new import).
An import is validated first (fpplan.data.read_table) and applied in one transaction: a bad file changes nothing;
the same content imported again changes nothing; a corrected file for a village-month replaces that
village-month's values and logs what it replaced. Source files are only read.
"""

from __future__ import annotations

import datetime as dt
import getpass
import hashlib
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from fpplan.data import read_table

SCHEMA = """
CREATE TABLE IF NOT EXISTS imports (import_id INTEGER PRIMARY KEY, file VARCHAR, sha256 VARCHAR, imported_at TIMESTAMP,
    imported_by VARCHAR, rows INTEGER, values_written INTEGER, values_replaced INTEGER);
CREATE TABLE IF NOT EXISTS reports (village_code VARCHAR, month VARCHAR, element VARCHAR, value DOUBLE,
    import_id INTEGER, PRIMARY KEY (village_code, month, element));
CREATE TABLE IF NOT EXISTS submissions (village_code VARCHAR, month VARCHAR, reported_on DATE, import_id INTEGER,
    PRIMARY KEY (village_code, month));
CREATE TABLE IF NOT EXISTS replacements (import_id INTEGER, village_code VARCHAR, month VARCHAR, element VARCHAR,
    old_value DOUBLE, new_value DOUBLE, old_import_id INTEGER);
"""


@dataclass(frozen=True)
class ImportResult:
    file: str
    import_id: int | None  # None when the same content was imported before
    rows: int
    values_written: int
    values_replaced: int


class ReportStore:
    """A DuckDB report store (a file path, or ``":memory:"``)."""

    def __init__(self, path: str | Path = ":memory:"):
        self.path = str(path)
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self.con = duckdb.connect(self.path)
        self.con.execute(SCHEMA)

    @classmethod
    def from_county(cls, county) -> ReportStore:
        """An in-memory store holding the county's service_stats (no import step needed)."""
        store = cls()
        store._apply(county.service_stats, str(Path(county.path) / "service_stats.csv"), "county folder")
        return store

    def close(self) -> None:
        self.con.close()

    def import_file(self, path: str | Path, county_dir: str | Path | None = None) -> ImportResult:
        """Validate and import one report file (CSV/XLSX, the service_stats layout); raises DataError."""
        path = Path(path)
        digest = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else ""
        frame = read_table(path, "service_stats", county_dir)
        seen = self.con.execute("SELECT count(*) FROM imports WHERE sha256 = ?", [digest]).fetchall()[0][0]
        if seen:
            return ImportResult(str(path), None, len(frame), 0, 0)
        return self._apply(frame, str(path), digest)

    def _apply(self, frame: pd.DataFrame, file: str, digest: str) -> ImportResult:
        elements = [c for c in frame.columns if c not in ("village_code", "month", "reported_on")]
        long = frame.melt(id_vars=["village_code", "month"], value_vars=elements, var_name="element")
        long = long.dropna(subset=["value"])
        submitted = frame[["village_code", "month", "reported_on"]]
        con = self.con
        con.execute("BEGIN TRANSACTION")
        try:
            import_id = con.execute("SELECT coalesce(max(import_id), 0) + 1 FROM imports").fetchall()[0][0]
            con.register("incoming", long)
            con.register("incoming_submissions", submitted)
            con.execute("""INSERT INTO replacements SELECT ?, r.village_code, r.month, r.element, r.value, i.value,
                r.import_id FROM reports r JOIN incoming i USING (village_code, month, element)
                WHERE r.value IS DISTINCT FROM i.value""", [import_id])
            replaced = con.execute("SELECT count(*) FROM replacements WHERE import_id = ?", [import_id]).fetchall()[0][0]
            # a corrected village-month replaces all of that village-month's values
            con.execute("""DELETE FROM reports WHERE (village_code, month) IN
                (SELECT DISTINCT village_code, month FROM incoming)""")
            con.execute("INSERT INTO reports SELECT village_code, month, element, value, ? FROM incoming", [import_id])
            con.execute("""INSERT OR REPLACE INTO submissions SELECT village_code, month, CAST(reported_on AS DATE), ?
                FROM incoming_submissions""", [import_id])
            self._log(import_id, file, digest, len(frame), len(long), replaced)
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
        finally:
            con.unregister("incoming")
            con.unregister("incoming_submissions")
        return ImportResult(file, import_id, len(frame), len(long), replaced)

    def _log(self, import_id: int, file: str, digest: str, rows: int, written: int, replaced: int) -> None:
        self.con.execute("INSERT INTO imports VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                         [import_id, file, digest, dt.datetime.now(), getpass.getuser(), rows, written, replaced])

    def long(self) -> pd.DataFrame:
        """Every stored value: village_code, month, element, value."""
        return self.con.execute("SELECT village_code, month, element, value FROM reports ORDER BY ALL").df()

    def submissions(self) -> pd.DataFrame:
        return self.con.execute("SELECT village_code, month, reported_on FROM submissions ORDER BY ALL").df()

    def table(self, name: str) -> pd.DataFrame:
        return self.con.execute(f"SELECT * FROM {name} ORDER BY ALL").df()
