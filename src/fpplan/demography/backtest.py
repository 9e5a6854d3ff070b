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

import dataclasses
from dataclasses import dataclass

import numpy as np
import pandas as pd

from fpplan.data.errors import DataError, Problem
from fpplan.data.labels import ui
from fpplan.data.models.scenario import Name, Scenario
from fpplan.demography.estimate import RECENT_YEARS, _history, yearly_rates
from fpplan.demography.projection import ProjectionInputs, prepare, project
from fpplan.demography.stochastic import fit
from fpplan.demography.streaming import column, project_stochastic

TABLES = ("units", "population", "vital_history", "married_share", "population_history")  # what a back-test reads
MAX_YEARS_BACK = 10
MIN_FIT_YEARS = 6
SERIES = ("population", "women_15_49")
LEVELS = (0.8, 0.95)


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


def history_year(county) -> int:
    """The past year the back-test starts from (see the module docstring); DataError when there is none."""
    county = county.census()  # against the population table as read, not one brought forward from it
    history = county.population_history
    years = sorted(int(y) for y in history["year"].unique()) if len(history) else []
    before = [y for y in years if y < county.base_year]
    if not before:
        raise DataError([Problem(file=str(county.path / "population_history.csv"), kind="no_history",
                                 detail=f"population_history: a year before {county.base_year}")])
    within = [y for y in before if county.base_year - y <= MAX_YEARS_BACK]
    return within[0] if within else before[-1]


def _cube_frame(history: pd.DataFrame, year: int) -> pd.DataFrame:
    """The history year as a population table (year, unit_code = township, sex, age, population)."""
    rows = history[history["year"] == year]
    return pd.DataFrame({"year": year, "unit_code": rows["township_code"].to_numpy(), "sex": rows["sex"].to_numpy(),
                         "age": rows["age"].to_numpy(), "population": rows["population"].to_numpy(float)})


def backtest_inputs(county, start: int | None = None, end: int | None = None, migration_years: int | None = None
                    ) -> tuple[ProjectionInputs, Scenario, pd.DataFrame, list[str]]:
    """What a planner had in the history year ``start`` (default ``history_year``) projecting to ``end``
    (default the base year): inputs (rates from the vital history before ``start``), the no-scenario scenario,
    the rate years' vital history, and notes."""
    county = county.census()  # against the population table as read, not one brought forward from it
    start = history_year(county) if start is None else start
    end = county.base_year if end is None else end
    vital = county.vital_history
    notes = []
    earlier = vital[vital["year"] < start]
    if earlier["year"].nunique() >= 1:
        rate_vital = earlier
        window = earlier[earlier["year"] > earlier["year"].max() - RECENT_YEARS]
    else:
        rate_vital = window = vital[vital["year"] < start + RECENT_YEARS]
        notes.append(ui("note_backtest_lookahead_rates", start=start, end=start + RECENT_YEARS - 1))
    if window.empty:
        raise DataError([Problem(file=str(county.path / "vital_history.csv"), kind="no_history",
                                 detail=f"vital_history: years around {start}")])
    population = county.population_history if start != county.base_year else None
    past = dataclasses.replace(county, population=_cube_frame(population, start) if population is not None
                               else county.population, vital_history=rate_vital, base_year=start)
    inputs = prepare(past, migration_years)
    if earlier["year"].nunique() < MIN_FIT_YEARS:  # fit the uncertainty to the years up to the end: a look-ahead
        fit_years = vital[vital["year"] < end]
        notes.append(ui("note_backtest_lookahead_fit", first=int(fit_years["year"].min()), last=int(fit_years["year"].max())))
        r = inputs.rates
        yearly = yearly_rates(fit_years, r.regions, r.population, r.asfr_shape, r.standard_mx, inputs.config.base_rates)
        inputs.__dict__["uncertainty"] = fit(_history(fit_years), float(r.population.sum()), r, inputs.config, yearly)
    srb = float(window["births_male"].sum() / window["births_female"].sum())
    scenario = Scenario(name=Name(zh="回溯检验", en="back-test"), source=f"back-test from {start}",
                        srb=float(np.clip(srb, 0.81, 1.49)), migration_timing="even", horizon=end)
    return inputs, scenario, window, notes


def observed(county, year: int | None = None) -> pd.DataFrame:
    """region, population, women_15_49 in ``year`` (default the base year: the population table; else the
    population history), townships and the county."""
    if year is None or year == county.base_year:
        pop = county.township_population()
    else:
        pop = county.population_history[county.population_history["year"] == year]
    total = pop.groupby("township_code")["population"].sum()
    women = pop[(pop["sex"] == "female") & pop["age"].between(15, 49)].groupby("township_code")["population"].sum()
    frame = pd.DataFrame({"population": total, "women_15_49": women.reindex(total.index).fillna(0.0)})
    frame.loc[county.county_code] = frame.sum()
    return frame.rename_axis("region")


def compare(county, start: int, end: int, trajectories: int, seed: int | None, migration_years: int | None = None
            ) -> tuple[pd.DataFrame, ProjectionInputs, list[str]]:
    """Project ``start`` → ``end`` as a planner in ``start`` would have (``backtest_inputs``) and compare with
    what was observed in ``end``: by region (townships and the county) and series, start, observed, projected
    (deterministic), naive, the stochastic median and model intervals (none when ``trajectories`` is 0), errors."""
    county = county.census()  # the observed population is the population table's, not one brought forward
    inputs, scenario, window, notes = backtest_inputs(county, start, end, migration_years)
    r = inputs.rates
    deterministic = project(inputs, scenario, scenario_name="back-test").summary
    at_end = deterministic[(deterministic["year"] == end) & (deterministic["trajectory"] == 0)].set_index("region")
    at_start = deterministic[deterministic["year"] == start].set_index("region")
    series = None
    if trajectories:
        summary = project_stochastic(inputs, scenario, trajectories, seed=seed, scenario_name="back-test")
        series = summary.series[summary.series["year"] == end].set_index(["region", "series"])
    seen = observed(county, end)
    flows = window.groupby("township_code")[["births_male", "births_female", "deaths_male", "deaths_female",
                                              "in_migrants", "out_migrants"]].sum()
    change = (flows["births_male"] + flows["births_female"] - flows["deaths_male"] - flows["deaths_female"]
              + flows["in_migrants"] - flows["out_migrants"]) / window["year"].nunique()
    base = pd.Series(r.population.sum(axis=(1, 2)), index=r.regions)
    rate = (change.reindex(r.regions).fillna(0.0) / base).to_dict()
    county_rate = float(sum(change.reindex(r.regions).fillna(0.0)) / base.sum())
    rows = []
    for region in seen.index:  # townships and the county: a few dozen rows
        growth = (1 + rate.get(region, county_rate)) ** (end - start)
        for name in SERIES:
            row = {"region": region, "series": name, "start": at_start.loc[region, name],
                   "observed": seen.loc[region, name], "projected": at_end.loc[region, name],
                   "naive": at_start.loc[region, name] * growth}
            if series is not None:
                q = series.loc[(region, name)]
                row |= {"median": q[column(0.5)]} | {
                    f"{side}_{round(level * 100)}": q[column(tail)] for level in LEVELS
                    for side, tail in (("lower", (1 - level) / 2), ("upper", (1 + level) / 2))}
            rows.append(row)
    table = pd.DataFrame(rows)
    for method in ("projected", "naive"):
        table[f"error_{method}_pct"] = (table[method] / table["observed"] - 1) * 100
    return table, inputs, notes


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
        rows.append({"level": level, "values": n, "inside": got, "share": got / n if n else np.nan,
                     "low": low / n if n else np.nan, "high": high / n if n else np.nan, "verdict": verdict})
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
        table[f"model_inside_{k}"] = ((table["observed"] >= table[f"model_lower_{k}"])
                                      & (table["observed"] <= table[f"model_upper_{k}"]))
    townships = table[table["region"] != county.county_code]
    measures = []
    for name in SERIES:
        part = townships[townships["series"] == name]
        whole = table[(table["region"] == county.county_code) & (table["series"] == name)].iloc[0]
        measures += [{"measure": "township_mape_projected_pct", "series": name, "value": part["error_projected_pct"].abs().mean()},
                     {"measure": "township_mape_naive_pct", "series": name, "value": part["error_naive_pct"].abs().mean()},
                     {"measure": "county_error_projected_pct", "series": name, "value": whole["error_projected_pct"]},
                     {"measure": "county_error_naive_pct", "series": name, "value": whole["error_naive_pct"]}]
    coverage = coverage_table(townships)
    model_coverage = coverage_table(townships[["model_inside_80", "model_inside_95"]].set_axis(
        ["inside_80", "inside_95"], axis=1))
    notes += list(calibration.notes) + list(inputs.rates.warnings) + [inputs.uncertainty.note]
    return Backtest(first_year=start, last_year=county.base_year, table=table, summary=pd.DataFrame(measures),
                    coverage=coverage, notes=tuple(n for n in notes if n), model_coverage=model_coverage,
                    calibration=calibration)
