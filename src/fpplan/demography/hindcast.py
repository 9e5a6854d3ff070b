"""One back-test: a past population projected to a later year as a planner would have then, against what was
observed (``compare``); ``fpplan.demography.backtest`` and the calibration's rolling back-tests
(``fpplan.demography.calibration``) both run it. The method is described in :mod:`fpplan.demography.backtest`.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from fpplan.data.errors import DataError, Problem
from fpplan.data.labels import Text, ui
from fpplan.data.models.scenario import Name, Scenario
from fpplan.demography.estimate import RECENT_YEARS, _history, yearly_rates
from fpplan.demography.projection import ProjectionInputs, prepare, project
from fpplan.demography.stochastic import fit
from fpplan.demography.streaming import column, project_stochastic

MAX_YEARS_BACK = 10
MIN_FIT_YEARS = 6
SERIES = ("population", "women_15_49")
LEVELS = (0.8, 0.95)


def history_year(county) -> int:
    """The past year the back-test starts from (see the module docstring); DataError when there is none."""
    county = county.census()  # against the population table as read, not one brought forward from it
    history = county.population_history
    years = sorted(int(y) for y in history["year"].unique()) if len(history) else []
    before = [y for y in years if y < county.base_year]
    if not before:
        raise DataError(
            [
                Problem(
                    file=str(county.path / "population_history.csv"),
                    kind="no_history",
                    detail=Text("lang_history_year_before", year=county.base_year),
                )
            ]
        )
    within = [y for y in before if county.base_year - y <= MAX_YEARS_BACK]
    return within[0] if within else before[-1]


def _cube_frame(history: pd.DataFrame, year: int) -> pd.DataFrame:
    """The history year as a population table (year, unit_code = township, sex, age, population)."""
    rows = history[history["year"] == year]
    return pd.DataFrame(
        {
            "year": year,
            "unit_code": rows["township_code"].to_numpy(),
            "sex": rows["sex"].to_numpy(),
            "age": rows["age"].to_numpy(),
            "population": rows["population"].to_numpy(float),
        }
    )


def backtest_inputs(
    county, start: int | None = None, end: int | None = None, migration_years: int | None = None
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
        raise DataError(
            [
                Problem(
                    file=str(county.path / "vital_history.csv"),
                    kind="no_history",
                    detail=Text("lang_vital_years_around", year=start),
                )
            ]
        )
    population = county.population_history if start != county.base_year else None
    past = dataclasses.replace(
        county,
        population=_cube_frame(population, start) if population is not None else county.population,
        vital_history=rate_vital,
        base_year=start,
    )
    inputs = prepare(past, migration_years)
    if earlier["year"].nunique() < MIN_FIT_YEARS:  # fit the uncertainty to the years up to the end: a look-ahead
        fit_years = vital[vital["year"] < end]
        notes.append(
            ui("note_backtest_lookahead_fit", first=int(fit_years["year"].min()), last=int(fit_years["year"].max()))
        )
        r = inputs.rates
        yearly = yearly_rates(fit_years, r.regions, r.population, r.asfr_shape, r.standard_mx, inputs.config.base_rates)
        inputs.__dict__["uncertainty"] = fit(_history(fit_years), float(r.population.sum()), r, inputs.config, yearly)
    srb = float(window["births_male"].sum() / window["births_female"].sum())
    scenario = Scenario(
        name=Name(zh="回溯检验", en="back-test"),
        source=f"back-test from {start}",
        srb=float(np.clip(srb, 0.81, 1.49)),
        migration_timing="even",
        horizon=end,
    )
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


def compare(
    county, start: int, end: int, trajectories: int, seed: int | None, migration_years: int | None = None
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
    flows = window.groupby("township_code")[
        ["births_male", "births_female", "deaths_male", "deaths_female", "in_migrants", "out_migrants"]
    ].sum()
    change = (
        flows["births_male"]
        + flows["births_female"]
        - flows["deaths_male"]
        - flows["deaths_female"]
        + flows["in_migrants"]
        - flows["out_migrants"]
    ) / window["year"].nunique()
    base = pd.Series(r.population.sum(axis=(1, 2)), index=r.regions)
    rate = (change.reindex(r.regions).fillna(0.0) / base).to_dict()
    county_rate = float(sum(change.reindex(r.regions).fillna(0.0)) / base.sum())
    rows = []
    for region in seen.index:  # townships and the county: a few dozen rows
        growth = (1 + rate.get(region, county_rate)) ** (end - start)
        for name in SERIES:
            row = {
                "region": region,
                "series": name,
                "start": at_start.loc[region, name],
                "observed": seen.loc[region, name],
                "projected": at_end.loc[region, name],
                "naive": at_start.loc[region, name] * growth,
            }
            if series is not None:
                q = series.loc[(region, name)]
                row |= {"median": q[column(0.5)]} | {
                    f"{side}_{round(level * 100)}": q[column(tail)]
                    for level in LEVELS
                    for side, tail in (("lower", (1 - level) / 2), ("upper", (1 + level) / 2))
                }
            rows.append(row)
    table = pd.DataFrame(rows)
    for method in ("projected", "naive"):
        table[f"error_{method}_pct"] = (table[method] / table["observed"] - 1) * 100
    return table, inputs, notes
