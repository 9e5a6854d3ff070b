"""Variants of the demo county that a real county may look like: an optional table missing, a short history of
monthly reports, a census base year older than the vital statistics, no geography, a data element not collected.
Each function changes a copy of the demo folder in place (tests/end_to_end/test_robustness.py, tests/indicators/test_collection.py)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd

OPTIONAL_FILES = {
    "survey": ["survey.csv"],
    "exam_scores": ["exam_scores.csv"],
    "survey_rounds": ["survey_rounds.csv"],
    "training_register": ["training_register.csv"],
    "equipment": ["equipment.csv"],
    "subsidy_granted": ["subsidy_granted.csv"],
    "disbursement": ["disbursement.csv"],
    "budget": ["budget.csv"],
    "population_history": ["population_history.csv"],
    "village_rooms": ["village_rooms.csv"],
    "contraceptive_supply": ["contraceptive_supply.csv"],
    "registers": ["supervision.csv", "work_register.csv"],  # the working rhythm's registers (supervision, work)
    "geography": ["乡镇边界.geojson", "道路.geojson"],
}


def copy(demo: Path, dest: Path) -> Path:
    """A copy of the demo folder without its store or results (a county as handed over)."""
    shutil.copytree(demo, dest, ignore=shutil.ignore_patterns("fpplan.duckdb*", ".fpplan"))
    return dest


def read(folder: Path, table: str) -> pd.DataFrame:
    return pd.read_csv(folder / f"{table}.csv", dtype=str, keep_default_na=False)


def write(folder: Path, table: str, frame: pd.DataFrame) -> None:
    frame.to_csv(folder / f"{table}.csv", index=False)


def drop(folder: Path, table: str) -> Path:
    """Remove an optional table's file(s); ``geography`` also removes every lon/lat column."""
    for name in OPTIONAL_FILES[table]:
        (folder / name).unlink()
    if table == "geography":
        for name in ("units", "facilities"):
            write(folder, name, read(folder, name).drop(columns=["lon", "lat"]))
    return folder


def last_months(folder: Path, months: int) -> Path:
    """Keep only the last ``months`` months of the monthly village reports."""
    stats = read(folder, "service_stats")
    keep = sorted(stats["month"].unique())[-months:]
    write(folder, "service_stats", stats[stats["month"].isin(keep)])
    return folder


def census_base(folder: Path, year: int = 2020, vital_to: int = 2025) -> Path:
    """The population table dated ``year`` (a census), the vital history extended to ``vital_to`` (each added year
    repeats the last recorded one, births and deaths by sex, in- and out-migrants)."""
    pop = read(folder, "population")
    write(folder, "population", pop.assign(year=str(year)))
    vital = read(folder, "vital_history")
    last = vital[vital["year"] == vital["year"].max()]
    added = [last.assign(year=str(y)) for y in range(int(vital["year"].max()) + 1, vital_to + 1)]
    write(folder, "vital_history", pd.concat([vital, *added], ignore_index=True))
    return folder


def not_collected(folder: Path, elements: dict[str, str]) -> Path:
    """Drop the columns of ``elements`` from the monthly reports and declare them (element → reason) in
    config/collection.yaml, as `fpplan init` writes it."""
    stats = read(folder, "service_stats")
    write(folder, "service_stats", stats.drop(columns=list(elements)))
    lines = ["not_collected:"] + [f"  - element: {e}\n    reason: {r}" for e, r in elements.items()]
    (folder / "config" / "collection.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder
