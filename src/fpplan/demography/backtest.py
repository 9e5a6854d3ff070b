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
from fpplan.demography.estimate import RECENT_YEARS
from fpplan.demography.projection import ProjectionInputs, prepare, project
from fpplan.demography.stochastic import fit
from fpplan.demography.streaming import column, project_stochastic

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


def backtest_inputs(county) -> tuple[ProjectionInputs, Scenario, pd.DataFrame, list[str]]:
    """What a planner had in the history year: inputs, the no-scenario scenario, the rate years' vital history."""
    county = county.census()
    start = history_year(county)
    vital = county.vital_history
    notes = []
    earlier = vital[vital["year"] < start]
    if earlier["year"].nunique() >= 1:
        window = earlier[earlier["year"] > earlier["year"].max() - RECENT_YEARS]
    else:
        window = vital[vital["year"] < start + RECENT_YEARS]
        notes.append(ui("note_backtest_lookahead_rates", start=start, end=start + RECENT_YEARS - 1))
    if window.empty:
        raise DataError([Problem(file=str(county.path / "vital_history.csv"), kind="no_history",
                                 detail=f"vital_history: years around {start}")])
    past = dataclasses.replace(county, population=_cube_frame(county.population_history, start), vital_history=window,
                               base_year=start)
    inputs = prepare(past)
    fit_years = earlier if earlier["year"].nunique() >= MIN_FIT_YEARS else vital[vital["year"] < county.base_year]
    if fit_years is not earlier:
        notes.append(ui("note_backtest_lookahead_fit", first=int(fit_years["year"].min()), last=int(fit_years["year"].max())))
    totals = fit_years.groupby("year").sum(numeric_only=True)
    history = pd.DataFrame({"births": totals["births_male"] + totals["births_female"],
                            "deaths": totals["deaths_male"] + totals["deaths_female"],
                            "net_migration": totals["in_migrants"] - totals["out_migrants"]})
    inputs.__dict__["uncertainty"] = fit(history, float(inputs.rates.population.sum()))  # the cached property
    srb = float(window["births_male"].sum() / window["births_female"].sum())
    scenario = Scenario(name=Name(zh="回溯检验", en="back-test"), source=f"back-test from {start}",
                        srb=float(np.clip(srb, 0.81, 1.49)), migration_timing="even", horizon=county.base_year)
    return inputs, scenario, window, notes


def _observed(county) -> pd.DataFrame:
    """region, population, women_15_49 observed in the base year, townships and the county."""
    pop = county.township_population()
    total = pop.groupby("township_code")["population"].sum()
    women = pop[(pop["sex"] == "female") & pop["age"].between(15, 49)].groupby("township_code")["population"].sum()
    frame = pd.DataFrame({"population": total, "women_15_49": women.reindex(total.index).fillna(0.0)})
    frame.loc[county.county_code] = frame.sum()
    return frame.rename_axis("region")


def backtest(county, trajectories: int = 1000, seed: int | None = 2025) -> Backtest:
    """Project the county's history year to its base year and compare with the observed base-year population."""
    from scipy.stats import binom

    county = county.census()  # the observed population is the population table's, not one brought forward
    inputs, scenario, window, notes = backtest_inputs(county)
    start, end = inputs.base_year, county.base_year
    r = inputs.rates
    deterministic = project(inputs, scenario, scenario_name="back-test").summary
    at_end = deterministic[(deterministic["year"] == end) & (deterministic["trajectory"] == 0)].set_index("region")
    at_start = deterministic[deterministic["year"] == start].set_index("region")
    summary = project_stochastic(inputs, scenario, trajectories, seed=seed, scenario_name="back-test")
    series = summary.series[summary.series["year"] == end].set_index(["region", "series"])
    observed = _observed(county)

    flows = window.groupby("township_code")[["births_male", "births_female", "deaths_male", "deaths_female",
                                              "in_migrants", "out_migrants"]].sum()
    change = (flows["births_male"] + flows["births_female"] - flows["deaths_male"] - flows["deaths_female"]
              + flows["in_migrants"] - flows["out_migrants"]) / window["year"].nunique()
    base = pd.Series(r.population.sum(axis=(1, 2)), index=r.regions)
    rate = (change.reindex(r.regions).fillna(0.0) / base).to_dict()
    county_rate = float(sum(change.reindex(r.regions).fillna(0.0)) / base.sum())
    rows = []
    for region in observed.index:  # townships and the county: a dozen rows
        growth = (1 + rate.get(region, county_rate)) ** (end - start)
        for name in SERIES:
            q = series.loc[(region, name)]
            rows.append({"region": region, "series": name, "start": at_start.loc[region, name],
                         "observed": observed.loc[region, name], "projected": at_end.loc[region, name],
                         "naive": at_start.loc[region, name] * growth,
                         **{f"{side}_{round(level * 100)}": q[column(tail)] for level in LEVELS
                            for side, tail in (("lower", (1 - level) / 2), ("upper", (1 + level) / 2))}})
    table = pd.DataFrame(rows)
    for method in ("projected", "naive"):
        table[f"error_{method}_pct"] = (table[method] / table["observed"] - 1) * 100
    for level in LEVELS:
        k = round(level * 100)
        table[f"inside_{k}"] = (table["observed"] >= table[f"lower_{k}"]) & (table["observed"] <= table[f"upper_{k}"])
    townships = table[table["region"] != county.county_code]
    measures = []
    for name in SERIES:
        part = townships[townships["series"] == name]
        whole = table[(table["region"] == county.county_code) & (table["series"] == name)].iloc[0]
        measures += [{"measure": "township_mape_projected_pct", "series": name, "value": part["error_projected_pct"].abs().mean()},
                     {"measure": "township_mape_naive_pct", "series": name, "value": part["error_naive_pct"].abs().mean()},
                     {"measure": "county_error_projected_pct", "series": name, "value": whole["error_projected_pct"]},
                     {"measure": "county_error_naive_pct", "series": name, "value": whole["error_naive_pct"]}]
    coverage = []
    for level in LEVELS:
        inside = int(townships[f"inside_{round(level * 100)}"].sum())
        n = len(townships)
        low, high = binom.ppf(0.025, n, level), binom.ppf(0.975, n, level)
        verdict = "about" if low <= inside <= high else ("too_narrow" if inside < low else "too_wide")
        coverage.append({"level": level, "values": n, "inside": inside, "share": inside / n, "low": low / n,
                         "high": high / n, "verdict": verdict})
    notes += list(inputs.rates.warnings[-3:]) + [inputs.uncertainty.note]
    return Backtest(first_year=start, last_year=end, table=table, summary=pd.DataFrame(measures),
                    coverage=pd.DataFrame(coverage), notes=tuple(n for n in notes if n))
