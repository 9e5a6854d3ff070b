"""Projecting a county's townships under a scenario: ``prepare`` once, then ``project`` as often as a slider moves.

``project`` runs the cohort-component engine (single years 0–100+, one-year steps, migration timing from the
scenario) over (trajectory, township) at once. Fertility: each township's ASFR = scenario TFR path × the
township's estimated relative fertility × the standard shape. Mortality: the scenario's e0 path (Brass logit on
China's 2020-2025 table, the same for every township) or, without one, each township's estimated table.
Migration: each township keeps its recent net migration and the difference between the scenario's county total
and their sum is shared in proportion to population; lump inflows are added in their township in the step that
ends in their arrival year, so they are counted in that year's population.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property, lru_cache

import numpy as np
import pandas as pd

from fpplan.data.labels import ui
from fpplan.data.models.scenario import Scenario
from fpplan.demography import engine, stochastic
from fpplan.demography.estimate import BaseRates, estimate
from fpplan.demography.lifetable import single_year_survival
from fpplan.demography.scenarios import along
from fpplan.demography.schedules import alpha_for_e0, alpha_of, brass_mx, rogers_castro

FERTILE = slice(15, 50)
SEX = np.array(["male", "female"])


class PerStep:
    """A step-indexed input built on demand, so (step × trajectory × region × sex × age) arrays never exist."""

    def __init__(self, steps: int, build):
        self.steps, self.build = steps, build

    def __len__(self) -> int:
        return self.steps

    def __getitem__(self, t: int) -> np.ndarray:
        return self.build(t)


@dataclass(frozen=True)
class ProjectionInputs:
    """Everything ``project`` needs, estimated once from a County."""

    county_code: str
    base_year: int
    rates: BaseRates

    @property
    def regions(self) -> np.ndarray:
        return self.rates.regions

    @cached_property
    def uncertainty(self) -> stochastic.Uncertainty:
        """Fitted on first use (only stochastic runs need it; deterministic ones skip statsmodels)."""
        return stochastic.fit(self.rates.history, float(self.rates.population.sum()))


def prepare(county) -> ProjectionInputs:
    return ProjectionInputs(county.county_code, county.base_year, estimate(county))


def _e0_alpha(scenario: Scenario, years: np.ndarray, standard: np.ndarray) -> np.ndarray | None:
    """Brass α for each step year and sex (steps, 2) matching the scenario's e0 path, or None."""
    if scenario.e0 is None:
        return None
    key = (tuple(scenario.e0.male.items()), tuple(scenario.e0.female.items()), int(years[0]), len(years))
    return _alpha_cached(key, standard.tobytes())


@lru_cache(maxsize=64)
def _alpha_cached(key: tuple, standard_bytes: bytes) -> np.ndarray:
    male, female, first, count = key
    years = np.arange(first, first + count)
    standard = np.frombuffer(standard_bytes).reshape(2, 101)
    target = np.stack([along(dict(male), years), along(dict(female), years)], axis=1)
    alpha = alpha_for_e0(np.broadcast_to(standard, target.shape + (101,)), target, sex=np.array([0, 1]))
    alpha.setflags(write=False)
    return alpha


def project(inputs: ProjectionInputs, scenario: Scenario, horizon: int | None = None, trajectories: int = 0,
            seed: int | None = None, scenario_name: str = "") -> Projection:
    """Project every township from the base year to ``horizon`` (default: the scenario's).

    ``trajectories`` > 0 draws that many stochastic trajectories (fertility, mortality, migration; see
    fpplan.demography.stochastic) from ``numpy.random.default_rng(seed)``; 0 gives one deterministic run.
    """
    r = inputs.rates
    horizon = horizon or scenario.horizon
    steps = horizon - inputs.base_year
    if steps < 1:
        raise ValueError("the horizon must be after the base year")
    years = np.arange(inputs.base_year, horizon)  # step t runs from years[t] to years[t] + 1
    n = max(trajectories, 1)
    rng = np.random.default_rng(seed)
    stochastic_run = trajectories > 0
    n_regions = len(r.regions)

    tfr_path = along(scenario.tfr, years) if scenario.tfr else np.full(steps, r.county_tfr)
    fert = np.broadcast_to(tfr_path, (n, steps))
    if stochastic_run:
        fert = fert * stochastic.fertility_multipliers(inputs.uncertainty, n, steps, rng)
    pattern = (r.tfr / r.county_tfr)[:, None] * r.asfr_shape[FERTILE]  # (R, 35)
    asfr = PerStep(steps, lambda t: fert[:, t, None, None] * pattern)

    alpha = _e0_alpha(scenario, years, r.standard_mx)
    if alpha is None and not stochastic_run:
        fixed = single_year_survival(r.standard_mx[None] * r.mortality_factor[:, None, None], sex=np.array([0, 1]))
        S = PerStep(steps, lambda t: fixed)
    else:
        if alpha is None:  # estimated tables: expressed as α around the county-average factor
            base_mx = r.standard_mx * np.average(r.mortality_factor, weights=r.population.sum(axis=(1, 2)))
            alpha = np.broadcast_to(alpha_of(base_mx, r.standard_mx, sex=np.array([0, 1])), (steps, 2))
        a = np.broadcast_to(alpha, (n, steps, 2))
        if stochastic_run:
            a = a + stochastic.alpha_walk(inputs.uncertainty, n, steps, rng)[:, :, None]
        survival = single_year_survival(brass_mx(r.standard_mx, a), sex=np.array([0, 1]))  # (n, steps, 2, 101)
        S = PerStep(steps, lambda t: survival[:, t, None])

    total = along(scenario.net_migration, years) if scenario.net_migration else np.full(steps, r.net_migration.sum())
    totals = np.broadcast_to(total, (n, steps))
    if stochastic_run:
        totals = totals + stochastic.migration_shocks(inputs.uncertainty, n, steps, float(r.population.sum()), rng)
    pop_share = r.population.sum(axis=(1, 2)) / r.population.sum()
    region_net = r.net_migration + (totals - r.net_migration.sum())[:, :, None] * pop_share  # (n, steps, R)
    lumps: dict[int, np.ndarray] = {}
    notes = list(r.warnings)
    for lump in scenario.lump_inflows:
        t = lump.year - inputs.base_year - 1
        where = np.flatnonzero(r.regions == lump.township)
        if not len(where):
            notes.append(ui("note_lump_unknown_township", name=lump.name, township=lump.township))
            continue
        if not 0 <= t < steps:
            notes.append(ui("note_lump_outside", name=lump.name, township=lump.township, year=lump.year,
                            first=inputs.base_year + 1, last=horizon))
            continue
        lumps.setdefault(t, np.zeros((n_regions, 2, 101)))[where[0]] += lump.size * _lump_profile(lump, r.population[where[0]])
    mig = PerStep(steps, lambda t: region_net[:, t, :, None, None] * r.migration_profile + lumps.get(t, 0.0))

    srb = np.full(steps, scenario.srb)
    out = engine.run(np.broadcast_to(r.population, (n,) + r.population.shape), S, asfr, srb, mig, width=1,
                     timing=scenario.migration_timing, fertile=FERTILE,
                     dtype=np.float32 if stochastic_run else np.float64)
    if out["guarded"].sum():
        notes.append(ui("note_out_migration_limited", n=int(out["guarded"].sum())))
    return Projection(inputs=inputs, scenario=scenario, scenario_name=scenario_name or scenario.name.en,
                      years=np.arange(inputs.base_year, horizon + 1), raw=out, stochastic=stochastic_run,
                      notes=tuple(notes))


def _lump_profile(lump, township_population: np.ndarray) -> np.ndarray:
    """Age–sex structure (sex, age) of an arriving community, summing to 1."""
    if lump.profile == "like_township":
        return township_population / township_population.sum()
    shape = rogers_castro()
    return np.stack([lump.male_share * shape, (1 - lump.male_share) * shape])


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
        index = pd.MultiIndex.from_product([range(a.shape[0]), self.regions, self.years, SEX, range(101)],
                                           names=["trajectory", "region", "year", "sex", "age"])
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
            "population": total, "births": births, "deaths": deaths, "net_migration": migration,
            "women_15_49": women.sum(-1), "married_women_15_49": married,
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
        county = Projection(self.inputs, self.scenario, self.scenario_name, self.years, summed, self.stochastic, self.notes)
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
    before = np.take_along_axis(np.concatenate([np.zeros(pop.shape[:-1] + (1,)), cum[..., :-1]], -1), idx[..., None], -1)[..., 0]
    inside = np.take_along_axis(pop, idx[..., None], -1)[..., 0]
    return idx + np.divide(half[..., 0] - before, inside, out=np.full(inside.shape, 0.5), where=inside > 0)


def reconcile(array: np.ndarray, control: np.ndarray) -> np.ndarray:
    """Rake township populations (..., region, sex, age) proportionally so that each sex × age sums over the
    regions to the county ``control`` (..., sex, age)."""
    total = array.sum(axis=-3, keepdims=True)
    factor = np.divide(control[..., None, :, :], total, out=np.ones_like(total), where=total > 0)
    return array * factor
