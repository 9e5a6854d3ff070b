"""Every output an official reads of a county, produced once a session for the tests that read them
(tests/end_to_end/test_official_outputs.py scans them, tests/end_to_end/test_reports.py reads the report as a person
does): the printouts of validate (clean, and with a planted error), plan, scorecard, exams and survey; every workbook;
the brief (Word, PDF) of the brief command; the quarterly report (papermill, chromium: the slow part) with its brief."""

from __future__ import annotations

import contextlib
import io
import shutil
from pathlib import Path

import pandas as pd

from fpplan.app import results
from fpplan.app.reports import run_report
from fpplan.cli import main

PERIOD, SCENARIO = "2025Q3", "medium"
REPORT_DATE = "2026-01-01"  # the date the report's cover carries


def run(argv: list[str]) -> tuple[int, str]:
    """A command in this process: its exit code and what it printed (stderr, the progress bars, left out)."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        code = main(argv)
    return code, out.getvalue()


def planted_error(folder: Path, into: Path) -> Path:
    """A copy of the county whose first project completes before it starts."""
    shutil.copytree(folder, into, ignore=shutil.ignore_patterns(".fpplan", "*.duckdb*"))
    plan = pd.read_csv(into / "construction_plan.csv", dtype=str)
    plan.loc[0, "completion_year"] = str(int(plan.loc[0, "start_year"]) - 2)
    plan.to_csv(into / "construction_plan.csv", index=False)
    return into


def produce(folder: Path, out: Path, region: Path | None = None) -> dict:
    """Every command an official's outputs come from, run on the county ``folder`` (and on its ``region``'s folder,
    the region's printouts and workbooks), each asserted to succeed, into ``out``; the report last, into
    ``out/reports/<county>_<period>_<scenario>/``, with the results it was made from. Returns what was printed
    (command → text), the report's folder and the results' manifest."""
    out.mkdir(parents=True)
    runs = {
        "validate": ["validate", str(folder)],
        "plan": ["plan", str(folder), "--out", str(out / "plan.xlsx")],
        "scorecard": ["scorecard", str(folder), "--period", PERIOD, "--out", str(out / "scorecard.xlsx")],
        "scorecard_county": [
            "scorecard",
            str(folder),
            "--level",
            "county",
            "--period",
            "2025",
            "--out",
            str(out / "scorecard_county.xlsx"),
        ],
        "exams": ["exams", str(folder), "--year", "2025", "--out", str(out / "exams.xlsx")],
        "survey": ["survey", str(folder), "--period", PERIOD, "--out", str(out / "survey.xlsx")],
        "brief": [
            "brief",
            str(folder),
            "--period",
            "2025",
            "--targets",
            "seed001_article5",
            "--out",
            str(out / "brief"),
        ],
    }
    if region is not None:
        runs["region_scorecard"] = [
            "scorecard",
            str(region),
            "--level",
            "county",
            "--period",
            "2025",
            "--out",
            str(out / "region_scorecard.xlsx"),
        ]
        runs["region_plan"] = ["plan", str(region), "--out", str(out / "region_plan.xlsx")]
    printed: dict[str, str] = {}
    for key, argv in runs.items():
        code, printed[key] = run(argv)
        assert code == 0, (key, printed[key][-2000:])
    code, printed["validate_error"] = run(["validate", str(planted_error(folder, out.parent / "bad"))])
    assert code == 2
    report = io.StringIO()
    with contextlib.redirect_stdout(report), contextlib.redirect_stderr(io.StringIO()):
        assert run_report(str(folder), SCENARIO, str(out / "reports"), period=PERIOD, date=REPORT_DATE) == 0
    printed["report"] = report.getvalue()
    manifest = results.current(folder)
    [report_folder] = (out / "reports").iterdir()
    return {"folder": folder, "out": out, "printed": printed, "report_folder": report_folder, "manifest": manifest}
