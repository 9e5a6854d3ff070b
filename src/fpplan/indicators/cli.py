"""``fpplan import-reports`` and ``fpplan scorecard``."""

from __future__ import annotations

from pathlib import Path

from fpplan.data import load_county
from fpplan.errors import DataError
from fpplan.indicators.scorecard import scorecard
from fpplan.indicators.store import ReportStore
from fpplan.labels import column_label, label


def run_import_reports(db: str, files: list[str]) -> int:
    """Import each file in its own transaction; a bad file is reported and changes nothing (exit 2)."""
    store = ReportStore(db)
    problems = []
    try:
        for file in files:
            try:
                result = store.import_file(file)
            except DataError as error:
                problems += error.problems
                continue
            if result.import_id is None:
                print(f"{file}: {label('ui', 'import_unchanged')}")
            else:
                print(f"{file}: {label('ui', 'import_done').format(rows=result.rows, values=result.values_written, replaced=result.values_replaced)}")
    finally:
        store.close()
    if problems:
        raise DataError(problems)
    return 0


def run_scorecard(data_dir: str, level: str, period: str, target_set: str | None, out: str | None) -> int:
    county = load_county(data_dir)
    card = scorecard(county, level, period, target_set)
    columns = ["unit", "name", "value", "target", "status", "change", "forecast", "expected_met"]
    shown = card.reindex(columns=columns)
    shown["status"] = shown["status"].map(lambda s: label("ui", f"status_{s}"))
    print(shown.round(2).to_string(index=False))
    if out:
        path = Path(out)
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.suffix == ".xlsx":
            card.rename(columns=column_label).to_excel(path, index=False)
        else:
            card.to_csv(path, index=False)
        print(path)
    return 0
