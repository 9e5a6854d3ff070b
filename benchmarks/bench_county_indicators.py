"""One county's indicator results, as ``fpplan.app.results.compute`` makes them for ``fpplan results``, ``fpplan
plan`` and the region view (issue 28): the scorecards of every complete period, level and kind with their forecasts
(``scorecard_tables``), the trend series (``trend_table``), the data-quality report (``quality_report``), the
cause analysis' inputs and the 督导与考核 page's tables (``supervision.page_tables``), for a County already loaded.

Target: ≤ 3 CPU-seconds a county on the demo county (``fpplan demo``), so that with the plans, maps and workbooks a
region of 100 counties fits in 5 minutes on 2 cores (benchmarks/README.md).

Run: ``.venv/bin/python benchmarks/bench_county_indicators.py [COUNTY_FOLDER] [--repeat 3] [--dump FILE.pickle]``
(default: the demo county, written to a temporary folder)
(``--dump`` writes every table, so that two versions of the code can be compared table by table). Each repeat loads
the county afresh (not counted), so that nothing computed in one repeat is reused by the next.
"""

from __future__ import annotations

import argparse
import pickle
import tempfile
import time
from pathlib import Path


def indicator_results(county) -> dict:
    """Every indicator table ``fpplan.app.results.compute`` writes for ``county``, by the name of its file."""
    from fpplan.app.results import complete_periods, scorecard_tables, trend_table
    from fpplan.indicators.causes import causes_inputs
    from fpplan.indicators.quality import quality_report
    from fpplan.indicators.supervision import page_tables

    out = {
        "scorecards": scorecard_tables(county, complete_periods(county.service_stats["month"])),
        "trends": trend_table(county),
    }
    out |= {f"causes_{k}": v for k, v in causes_inputs(county).items()}
    out |= {f"quality_{k}": v for k, v in quality_report(county).items()}
    out |= {f"supervision_{k}": v for k, v in page_tables(county).items()}
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("folder", nargs="?", default=None)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--dump", default=None)
    parser.add_argument("--target", type=float, default=3.0, help="CPU seconds a county")
    args = parser.parse_args()
    from fpplan.data.county import load_county

    with tempfile.TemporaryDirectory() as tmp:
        if args.folder is None:
            from fpplan.demo import write_demo

            args.folder = str(write_demo(Path(tmp) / "county"))
        times, tables = [], None
        for _ in range(args.repeat):
            county = load_county(args.folder)
            cpu, wall = time.process_time(), time.perf_counter()
            tables = indicator_results(county)
            times.append((time.process_time() - cpu, time.perf_counter() - wall))
    best = min(t[0] for t in times)
    print(
        f"{args.folder}: CPU "
        + ", ".join(f"{c:.2f}" for c, _ in times)
        + " s; wall "
        + ", ".join(f"{w:.2f}" for _, w in times)
        + f" s; best CPU {best:.2f} s, target {args.target:.1f} s "
        f"({best / args.target:.2f}× the target)"
    )
    if args.dump:
        with open(args.dump, "wb") as handle:
            pickle.dump(tables, handle)


if __name__ == "__main__":
    main()
