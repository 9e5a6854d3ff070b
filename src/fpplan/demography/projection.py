"""Projecting a county's townships under a scenario: ``prepare`` once, then ``project`` as often as a slider moves.

``project`` runs the cohort-component engine (single years 0–100+, one-year steps, migration timing from the
scenario) over (trajectory, township) at once and keeps every cell; how fertility, mortality, migration and lump
inflows are built is in :mod:`fpplan.demography.drivers`. Stochastic runs of any size are reduced to quantiles
as they go by :mod:`fpplan.demography.streaming`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from fpplan.data.labels import ui
from fpplan.data.models.scenario import Scenario
from fpplan.demography import stochastic
from fpplan.demography.drivers import check_output, drivers
from fpplan.demography.estimate import BaseRates, estimate, rules

SEX = np.array(["male", "female"])


@dataclass(frozen=True)
class ProjectionInputs:
    """Everything ``project`` needs, estimated once from a County."""

    county_code: str
    base_year: int
    rates: BaseRates
    config: object = None  # config/uncertainty.yaml (fpplan.data.models.uncertainty.UncertaintyConfig)

    @property
    def regions(self) -> np.ndarray:
        return self.rates.regions

    @cached_property
    def uncertainty(self) -> stochastic.Uncertainty:
        """Fitted on first use (only stochastic runs need it; deterministic ones skip statsmodels)."""
        return stochastic.fit(self.rates.history, float(self.rates.population.sum()), self.rates, self.config)


def prepare(county, migration_years: int | None = None) -> ProjectionInputs:
    """Base rates of ``county`` (``fpplan.demography.estimate``); ``migration_years``: the net-migration window
    (default: the first of config ``base_rates.migration_years``). The county's own projections start from
    ``fpplan.demography.calibration.county_inputs``, which passes the window its back-tests chose."""
    return ProjectionInputs(county.county_code, county.base_year, estimate(county, migration_years), rules(county))


def project(
    inputs: ProjectionInputs,
    scenario: Scenario,
    horizon: int | None = None,
    trajectories: int = 0,
    seed: int | None = None,
    scenario_name: str = "",
) -> Projection:
    """Project every township from the base year to ``horizon`` (default: the scenario's), keeping every
    trajectory's full detail (``fpplan.demography.drivers`` says how inputs are built).

    ``trajectories`` > 0 draws that many stochastic trajectories (fertility, mortality, migration; see
    fpplan.demography.stochastic) from ``numpy.random.default_rng(seed)``; 0 gives one deterministic run. Large
    stochastic runs belong in ``fpplan.demography.streaming.project_stochastic``, which keeps summaries only.
    """
    d = drivers(inputs, scenario, horizon, trajectories, seed)
    out = d.run()
    check_output(d.regions, d.years, out["population"], (out["births"], out["deaths"], out["migration"]))
    notes = list(d.notes)
    if out["guarded"].sum():
        notes.append(ui("note_out_migration_limited", n=int(out["guarded"].sum())))
    return Projection(
        inputs=inputs,
        scenario=scenario,
        scenario_name=scenario_name or scenario.name.en,
        years=d.years,
        raw=out,
        stochastic=trajectories > 0,
        notes=tuple(notes),
    )


@dataclass(frozen=True)
class Projection:
    """A projection's arrays and tidy views. ``raw['population']`` is (year, trajectory, region, sex, age)."""

    inputs: ProjectionInputs
    scenario: Scenario
    scenario_name: str
    years: np.ndarray
    raw: dict
    stochastic: bool
    notes: tuple[str, ...]

    @property
    def array(self) -> np.ndarray:
        """Population shaped (trajectory, region, year, sex, age)."""
        return self.raw["population"].transpose(1, 2, 0, 3, 4)

    @property
    def regions(self) -> np.ndarray:
        return self.inputs.regions

    @cached_property
    def population(self) -> pd.DataFrame:
        """Tidy: scenario, trajectory, region, year, sex, age, population."""
        a = self.array
        index = pd.MultiIndex.from_product(
            [range(a.shape[0]), self.regions, self.years, SEX, range(101)],
            names=["trajectory", "region", "year", "sex", "age"],
        )
        frame = pd.DataFrame({"population": a.reshape(-1)}, index=index).reset_index()
        frame.insert(0, "scenario", self.scenario_name)
        return frame

    def series(self) -> dict[str, np.ndarray]:
        """Derived series shaped (trajectory, region, year); flows of the last year are NaN."""
        pop = self.array
        n, r = pop.shape[:2]
        total = pop.sum(axis=(3, 4))
        women = pop[..., 1, 15:50]
        married = (women * self.inputs.rates.married_share[None, :, None, :]).sum(-1)

        def flow(name: str, axes: tuple[int, ...]) -> np.ndarray:
            values = self.raw[name].sum(axis=axes).transpose(1, 2, 0)
            return np.concatenate([values, np.full((n, r, 1), np.nan)], axis=2)

        births, deaths, migration = (flow(name, (3,)) for name in ("births", "deaths", "migration"))
        mid = (total + np.concatenate([total[:, :, 1:], np.full((n, r, 1), np.nan)], axis=2)) / 2
        young, working, old = pop[..., :15].sum((3, 4)), pop[..., 15:65].sum((3, 4)), pop[..., 65:].sum((3, 4))
        return {
            "population": total,
            "births": births,
            "deaths": deaths,
            "net_migration": migration,
            "women_15_49": women.sum(-1),
            "married_women_15_49": married,
            "natural_growth_per_mille": (births - deaths) / mid * 1000,
            "mechanical_growth_per_mille": migration / mid * 1000,
            "dependency_ratio": (young + old) / working * 100,
            "median_age": median_age(pop.sum(axis=3)),
        }

    @cached_property
    def summary(self) -> pd.DataFrame:
        """Tidy yearly series per trajectory and region, plus county-total rows (region = county code)."""
        s = self.series()
        n, r, y = s["population"].shape
        frame = pd.DataFrame({k: v.reshape(-1) for k, v in s.items()})
        frame.insert(0, "year", np.tile(self.years, n * r))
        frame.insert(0, "region", np.tile(np.repeat(self.regions, y), n))
        frame.insert(0, "trajectory", np.repeat(np.arange(n), r * y))
        frame.insert(0, "scenario", self.scenario_name)
        return pd.concat([frame, self.county_total()], ignore_index=True)

    def county_total(self) -> pd.DataFrame:
        """The county's yearly series (all townships together) per trajectory; region = county code."""
        summed = {k: v.sum(axis=2, keepdims=True) for k, v in self.raw.items() if k != "guarded"}
        county = Projection(
            self.inputs, self.scenario, self.scenario_name, self.years, summed, self.stochastic, self.notes
        )
        s = county.series()
        s["married_women_15_49"] = self.series()["married_women_15_49"].sum(axis=1, keepdims=True)
        n, _, y = s["population"].shape
        frame = pd.DataFrame({k: v.reshape(-1) for k, v in s.items()})
        frame.insert(0, "year", np.tile(self.years, n))
        frame.insert(0, "region", self.inputs.county_code)
        frame.insert(0, "trajectory", np.repeat(np.arange(n), y))
        frame.insert(0, "scenario", self.scenario_name)
        return frame

    def intervals(self, series: str = "population", levels: tuple[float, ...] = (0.8, 0.95)) -> pd.DataFrame:
        """Median and central intervals over trajectories, by region (and county) and year."""
        table = self.summary.groupby(["region", "year"])[series]
        out = table.median().rename("median").to_frame()
        for level in levels:
            tail = (1 - level) / 2
            out[f"lower_{round(level * 100)}"] = table.quantile(tail)
            out[f"upper_{round(level * 100)}"] = table.quantile(1 - tail)
        return out.reset_index()


def median_age(pop: np.ndarray) -> np.ndarray:
    """Median age over the last axis (single ages 0–100), interpolated within the median year of age."""
    cum = np.cumsum(pop, axis=-1)
    half = cum[..., -1:] / 2
    idx = np.argmax(cum >= half, axis=-1)
    before = np.take_along_axis(
        np.concatenate([np.zeros(pop.shape[:-1] + (1,)), cum[..., :-1]], -1), idx[..., None], -1
    )[..., 0]
    inside = np.take_along_axis(pop, idx[..., None], -1)[..., 0]
    return idx + np.divide(half[..., 0] - before, inside, out=np.full(inside.shape, 0.5), where=inside > 0)


def reconcile(array: np.ndarray, control: np.ndarray) -> np.ndarray:
    """Rake township populations (..., region, sex, age) proportionally so that each sex × age sums over the
    regions to the county ``control`` (..., sex, age)."""
    total = array.sum(axis=-3, keepdims=True)
    factor = np.divide(control[..., None, :, :], total, out=np.ones_like(total), where=total > 0)
    return array * factor
