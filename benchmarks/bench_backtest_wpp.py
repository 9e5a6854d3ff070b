"""The back-test on real published data: UN WPP areas as the "townships" of two counties (small areas of a large
township's size, and mid-size countries), each projected from 2005 to 2015 and from 2010 to 2020
(tests/cases/wpp_backtest/, built by tests/wpp_counties.py). Reports, pooled over the four cases, the share of
observed values (total population and women 15–49 of every township) inside the 80% and 95% intervals with the
central 95% binomial range of each level, and the MAPE of the projection and of naive growth.

Run: ``.venv/bin/python benchmarks/bench_backtest_wpp.py [--trajectories 1000]``.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.stats import binom

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from wpp_counties import write_county

from fpplan.demography.backtest import backtest, load_backtest_county

CASES = (("small", 2015), ("small", 2020), ("midsize", 2015), ("midsize", 2020))


def run(trajectories: int = 1000, seed: int = 2025, cases=CASES) -> tuple[pd.DataFrame, dict]:
    """Every case's back-test table (townships only, with case columns) and the runs' notes."""
    tables, notes = [], {}
    with tempfile.TemporaryDirectory() as tmp:
        for county, year in cases:
            c = load_backtest_county(write_county(Path(tmp), county, year))
            result = backtest(c, trajectories, seed)
            t = result.table[result.table["region"] != c.county_code].assign(
                county=county, origin=result.first_year, target=result.last_year
            )
            tables.append(t)
            notes[(county, year)] = result
    return pd.concat(tables, ignore_index=True), notes


def empirical(trajectories: int = 0) -> pd.DataFrame:
    """Quantiles of |log(observed / projected)| of every back-test of the small areas (1985–2020, horizons 5 and
    10): what config/uncertainty.yaml ``calibration.empirical`` ships."""
    from fpplan.demography.calibration import pairs
    from fpplan.demography.hindcast import compare

    with tempfile.TemporaryDirectory() as tmp:
        c = load_backtest_county(write_county(Path(tmp), "small", 2020))
        frames = []
        for o, t in pairs(c, 2020, [5, 10], 6):
            table = compare(c, o, t, 0, None)[0]
            frames.append(table[table["region"] != c.county_code].assign(horizon=t - o))
    f = pd.concat(frames)
    f["e"] = np.log(f["observed"] / f["projected"]).abs()
    print(len(f), "values")
    return f.groupby(["series", "horizon"])["e"].quantile([0.8, 0.95]).unstack().round(4)


def coverage(table: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for level in (80, 95):
        n, inside = len(table), int(table[f"inside_{level}"].sum())
        low, high = binom.ppf(0.025, n, level / 100), binom.ppf(0.975, n, level / 100)
        rows.append(
            {
                "level": level,
                "values": n,
                "inside": inside,
                "share": inside / n,
                "low": low / n,
                "high": high / n,
                "ok": low <= inside <= high,
            }
        )
    return pd.DataFrame(rows)


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--trajectories", type=int, default=1000)
    p.add_argument("--empirical", action="store_true", help="print the shipped empirical error quantiles and stop")
    args = p.parse_args()
    if args.empirical:
        print(empirical())
        return
    start = time.perf_counter()
    table, results = run(args.trajectories)
    seconds = time.perf_counter() - start
    print(f"{len(results)} cases, {args.trajectories} trajectories, {seconds:.1f} s")
    print(coverage(table).round(3).to_string(index=False))
    model = table[["model_inside_80", "model_inside_95"]].set_axis(["inside_80", "inside_95"], axis=1)
    print("model intervals before calibration:")
    print(coverage(model).round(3).to_string(index=False))
    width = (table["model_upper_80"] / table["model_lower_80"] - 1) * 100
    print(f"median width of the model's 80% interval: {width.median():.1f}%")
    for keys, part in table.groupby(["county", "target"]):
        c = coverage(part)
        print(keys, "80%:", f"{c['share'][0]:.0%}", "95%:", f"{c['share'][1]:.0%}")
    mape = table.assign(p=table["error_projected_pct"].abs(), n=table["error_naive_pct"].abs())
    print(
        mape.groupby(["series", "county", "target"])[["p", "n"]]
        .mean()
        .round(2)
        .rename(columns={"p": "MAPE projected %", "n": "MAPE naive %"})
        .to_string()
    )
    print(mape.groupby("series")[["p", "n"]].mean().round(2).to_string())
    print("NaN in projected:", int(np.isnan(table["projected"]).sum()))


if __name__ == "__main__":
    main()
