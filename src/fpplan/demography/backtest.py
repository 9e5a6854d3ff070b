"""Projections that prove themselves: project a past population to the base year with the method fpplan uses and
compare with what happened (``fpplan backtest``).

From the county's ``population_history`` (a past year B by township, sex and age; the latest year ten or fewer
years before the base year T, else the earliest) and ``vital_history``:
- rates as ``fpplan.demography.estimate`` takes them, from the ``RECENT_YEARS`` history years before B; a history
  that starts at B (the demo's) gives only the first years from B on, a look-ahead the notes say;
- the projection a planner would have run in B: no scenario (TFR held at the estimated level, township mortality
  and net migration held at their estimated levels, the sex ratio at birth of those years, 'even' timing),
  deterministic, plus ``trajectories`` stochastic trajectories streamed to quantiles (uncertainty fitted to the
  vital history before B, or to all of it when that is under six years, another look-ahead the notes say);
- a naive forecast to beat: each township's yearly growth rate over the same years, (births − deaths + in − out)
  / population, compounded from B to T; women 15–49 grow at their township's rate.
Compared with the observed base-year population: by township, the error (%) of the total and of women 15–49,
projected and naive, and whether the observed value lies in the 80% and 95% intervals; overall, the mean absolute
percentage errors and the share of observed values inside each interval, with whether that share is "about" the
level (inside the central 95% of a binomial with that many values) or the intervals are too narrow or too wide.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from fpplan.demography.hindcast import LEVELS, SERIES, compare, history_year

TABLES = ("units", "population", "vital_history", "married_share", "population_history")  # what a back-test reads


@dataclass(frozen=True)
class Backtest:
    first_year: int
    last_year: int
    table: pd.DataFrame  # region, series, start, observed, projected, naive, lower_80 … upper_95, errors, inside_80/95
    summary: pd.DataFrame  # measure, series, value
    coverage: pd.DataFrame  # level, values, inside, share, low, high, verdict (about / too_narrow / too_wide)
    notes: tuple[str, ...]
    model_coverage: pd.DataFrame | None = None  # the same for the model's intervals before calibration
    calibration: object = None  # fpplan.demography.calibration.Calibration (back-tests before the history year)


def load_backtest_county(path):
    """The county folder's tables a back-test reads (``TABLES``; married shares optional), validated; the folder
    is only read: no store, no import, nothing written (``fpplan.data.county.load_county``)."""
    from fpplan.data.county import load_county

    return load_county(path, only=TABLES, optional=("married_share",))


def _inside(table: pd.DataFrame) -> pd.DataFrame:
    for level in LEVELS:
        k = round(level * 100)
        table[f"inside_{k}"] = (table["observed"] >= table[f"lower_{k}"]) & (table["observed"] <= table[f"upper_{k}"])
    return table


def coverage_table(inside: pd.DataFrame) -> pd.DataFrame:
    """level, values, inside, share, the central 95% binomial range of the share, verdict; ``inside`` has one
    boolean column inside_80 / inside_95 per level, one row per observed value."""
    from scipy.stats import binom

    rows = []
    for level in LEVELS:
        k = round(level * 100)
        n, got = len(inside), int(inside[f"inside_{k}"].sum())
        low, high = binom.ppf(0.025, n, level), binom.ppf(0.975, n, level)
        verdict = "about" if low <= got <= high else ("too_narrow" if got < low else "too_wide")
        rows.append(
            {
                "level": level,
                "values": n,
                "inside": got,
                "share": got / n if n else np.nan,
                "low": low / n if n else np.nan,
                "high": high / n if n else np.nan,
                "verdict": verdict,
            }
        )
    return pd.DataFrame(rows)


def backtest(county, trajectories: int = 1000, seed: int | None = 2025) -> Backtest:
    """Project the county's history year to its base year and compare with the observed base-year population.

    Intervals are calibrated on the back-tests that end at or before the history year (what a planner had then;
    ``fpplan.demography.calibration``), so the coverage reported here is out of sample; the model's own intervals
    (``model_lower_80`` …) and their coverage are reported beside them."""
    from fpplan.demography.calibration import calibrate

    county = county.census()  # the observed population is the population table's, not one brought forward
    start = history_year(county)
    calibration = calibrate(county, until=start, seed=seed)
    table, inputs, notes = compare(county, start, county.base_year, trajectories, seed, calibration.migration_years)
    model = table[[c for c in table.columns if c.startswith(("lower_", "upper_"))]].add_prefix("model_")
    table = _inside(pd.concat([calibration.apply(table, county.base_year - start), model], axis=1))
    for level in LEVELS:
        k = round(level * 100)
        table[f"model_inside_{k}"] = (table["observed"] >= table[f"model_lower_{k}"]) & (
            table["observed"] <= table[f"model_upper_{k}"]
        )
    townships = table[table["region"] != county.county_code]
    measures = []
    for name in SERIES:
        part = townships[townships["series"] == name]
        whole = table[(table["region"] == county.county_code) & (table["series"] == name)].iloc[0]
        measures += [
            {
                "measure": "township_mape_projected_pct",
                "series": name,
                "value": part["error_projected_pct"].abs().mean(),
            },
            {"measure": "township_mape_naive_pct", "series": name, "value": part["error_naive_pct"].abs().mean()},
            {"measure": "county_error_projected_pct", "series": name, "value": whole["error_projected_pct"]},
            {"measure": "county_error_naive_pct", "series": name, "value": whole["error_naive_pct"]},
        ]
    coverage = coverage_table(townships)
    model_coverage = coverage_table(
        townships[["model_inside_80", "model_inside_95"]].set_axis(["inside_80", "inside_95"], axis=1)
    )
    notes += list(calibration.notes) + list(inputs.rates.warnings) + [inputs.uncertainty.note]
    return Backtest(
        first_year=start,
        last_year=county.base_year,
        table=table,
        summary=pd.DataFrame(measures),
        coverage=coverage,
        notes=tuple(n for n in notes if n),
        model_coverage=model_coverage,
        calibration=calibration,
    )
