"""Every step's inputs of a projection, for every township and trajectory, kept as small factors.

``drivers(inputs, scenario, …)`` turns a county's base rates and a scenario into :class:`Drivers`: the base
population, the county TFR of each trajectory and step (scenario path × stochastic multipliers), each
township's ASFR pattern, survival ratios, net migration (each township's own recent level plus its population
share of the county-level excess over their sum) and lump inflows. Chance enters only through county-level
shocks drawn up front for all trajectories (trajectories × steps, see ``fpplan.demography.stochastic``), so a
group of townships (``Drivers.take``) projects the same way alone or with the rest of the county: that is what
lets stochastic runs go chunk by chunk, in-process or on a cluster, and give the same result.

Fertility: each township's ASFR = county TFR × (township TFR / county TFR) × the standard shape. Mortality: the
scenario's e0 path (Brass logit on China's 2020-2025 table, the same for every township) or, without one, each
township's estimated table (deterministic) or the county-average table around which α walks (stochastic).
Lump inflows are added in their township in the step that ends in their arrival year.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from fpplan.data.labels import ui
from fpplan.demography import engine, stochastic
from fpplan.demography.lifetable import single_year_survival
from fpplan.demography.scenarios import along
from fpplan.demography.schedules import alpha_for_e0, alpha_of, brass_mx, rogers_castro

FERTILE = slice(15, 50)
SEXES = np.array([0, 1])
PRECOMPUTE_BYTES = 8 * 2**20  # below this, every step's fertility and migrants are built at once


class PerStep:
    """A step-indexed input built on demand, so (step × trajectory × region × sex × age) arrays never exist."""

    def __init__(self, steps: int, build):
        self.steps, self.build = steps, build

    def __len__(self) -> int:
        return self.steps

    def __getitem__(self, t: int) -> np.ndarray:
        return self.build(t)


@dataclass(frozen=True)
class Drivers:
    """The inputs of every step, by trajectory (n) and township (R); see the module docstring."""

    regions: np.ndarray  # (R,) township codes
    years: np.ndarray  # (steps + 1,) base year … horizon
    population: np.ndarray  # (R, sex, age) base year
    fertility: np.ndarray  # (n, steps) county TFR of each trajectory in each step
    pattern: np.ndarray  # (R, 35) township ASFR at ages 15–49 per unit of county TFR
    survival: np.ndarray  # (n or 1, steps or 1, R or 1, sex, age) survival ratios
    net_migration: np.ndarray  # (R,) each township's own net migrants a year
    migration_excess: np.ndarray  # (n, steps) county net migration − Σ township nets, shared by population
    population_share: np.ndarray  # (R,) share of the county's base population
    migration_profile: np.ndarray  # (sex, age) age–sex pattern of net migrants, sums to 1
    lump_step: np.ndarray  # (L,) the step in which a lump inflow arrives (unique step × township pairs)
    lump_region: np.ndarray  # (L,) its township's index
    lump_persons: np.ndarray  # (L, sex, age) persons arriving
    srb: np.ndarray  # (steps,) male births per female birth
    timing: str  # migration timing, "end" or "even"
    married_share: np.ndarray  # (R, 35) share of women married at ages 15–49
    notes: tuple[str, ...] = ()

    @property
    def trajectories(self) -> int:
        return self.fertility.shape[0]

    @property
    def steps(self) -> int:
        return len(self.years) - 1

    def take(self, index: np.ndarray | slice) -> Drivers:
        """The drivers of the townships at ``index`` (positions), projecting exactly as they do in the whole."""
        positions = np.arange(len(self.regions))[index]
        keep = np.isin(self.lump_region, positions)
        remap = np.full(len(self.regions), -1)
        remap[positions] = np.arange(len(positions))
        survival = self.survival[:, :, positions] if self.survival.shape[2] > 1 else self.survival
        return dataclasses.replace(
            self, regions=self.regions[positions], population=self.population[positions],
            pattern=self.pattern[positions], survival=survival, net_migration=self.net_migration[positions],
            population_share=self.population_share[positions], lump_step=self.lump_step[keep],
            lump_region=remap[self.lump_region[keep]], lump_persons=self.lump_persons[keep],
            married_share=self.married_share[positions])

    def run(self, keep: bool = True, each=None) -> dict[str, np.ndarray]:
        """Project the base population over every step (``fpplan.demography.engine.run``; ``keep`` and
        ``each`` as there). Arrays are shaped (…, trajectory, township, sex, age)."""
        n, regions = self.trajectories, len(self.regions)
        shape = (n, regions) + self.population.shape[1:]
        last_survival = self.survival.shape[1] - 1
        S = [self.survival[:, min(t, last_survival)] for t in range(self.steps)]  # views
        net = self.net_migration + self.migration_excess[:, :, None] * self.population_share  # (n, steps, R)
        lump_steps = set(self.lump_step.tolist())
        if n * self.steps * regions * (2 * 101 + 35) * 8 <= PRECOMPUTE_BYTES:  # small runs: every step at once
            asfr = (self.fertility[:, :, None, None] * self.pattern).swapaxes(0, 1)  # (steps, n, R, 35)
            mig = np.ascontiguousarray((net[..., None, None] * self.migration_profile).swapaxes(0, 1))
            for t in lump_steps:
                now = self.lump_step == t
                mig[t][:, self.lump_region[now]] += self.lump_persons[now]
            return engine.run(np.broadcast_to(self.population, shape), S, asfr, self.srb, mig, width=1,
                              timing=self.timing, fertile=FERTILE, keep=keep, each=each)
        asfr = PerStep(self.steps, lambda t: self.fertility[:, t, None, None] * self.pattern)
        buffer = np.empty(shape)

        def migrants(t: int) -> np.ndarray:
            np.multiply(net[:, t, :, None, None], self.migration_profile, out=buffer)
            if t in lump_steps:  # one row per township arriving in this step
                now = self.lump_step == t
                buffer[:, self.lump_region[now]] += self.lump_persons[now]
            return buffer

        return engine.run(np.broadcast_to(self.population, shape), S, asfr, self.srb, PerStep(self.steps, migrants),
                          width=1, timing=self.timing, fertile=FERTILE, keep=keep, each=each)


def _e0_key(scenario, years: np.ndarray) -> tuple:
    return (tuple(scenario.e0.male.items()), tuple(scenario.e0.female.items()), int(years[0]), len(years))


def _e0_alpha(scenario, years: np.ndarray, standard: np.ndarray) -> np.ndarray | None:
    """Brass α for each step year and sex (steps, 2) matching the scenario's e0 path, or None."""
    if scenario.e0 is None:
        return None
    return _alpha_cached(_e0_key(scenario, years), standard.tobytes())


@lru_cache(maxsize=64)
def _e0_survival(key: tuple, standard_bytes: bytes) -> np.ndarray:
    """Survival ratios (steps, sex, age) of a deterministic e0 path: the same on every call with that path, so a
    slider that moves only fertility or migration does not rebuild life tables."""
    standard = np.frombuffer(standard_bytes).reshape(2, 101)
    survival = single_year_survival(brass_mx(standard, _alpha_cached(key, standard_bytes)), sex=SEXES)
    survival.setflags(write=False)
    return survival


def survival_from_alpha(standard: np.ndarray, alpha: np.ndarray, block: int = 64) -> np.ndarray:
    """Survival ratios (n, steps, sex, age) from Brass α (n, steps, sex), built ``block`` trajectories at a time
    so the life tables' temporaries stay small however many trajectories there are."""
    out = np.empty(alpha.shape + (standard.shape[-1],))
    for first in range(0, len(alpha), block):  # blocks of trajectories, each vectorized
        out[first:first + block] = single_year_survival(brass_mx(standard, alpha[first:first + block]), sex=SEXES)
    return out


@lru_cache(maxsize=64)
def _alpha_cached(key: tuple, standard_bytes: bytes) -> np.ndarray:
    male, female, first, count = key
    years = np.arange(first, first + count)
    standard = np.frombuffer(standard_bytes).reshape(2, 101)
    target = np.stack([along(dict(male), years), along(dict(female), years)], axis=1)
    alpha = alpha_for_e0(np.broadcast_to(standard, target.shape + (101,)), target, sex=SEXES)
    alpha.setflags(write=False)
    return alpha


def lump_profile(lump, township_population: np.ndarray) -> np.ndarray:
    """Age–sex structure (sex, age) of an arriving community, summing to 1."""
    if lump.profile == "like_township":
        return township_population / township_population.sum()
    shape = rogers_castro()
    return np.stack([lump.male_share * shape, (1 - lump.male_share) * shape])


def drivers(inputs, scenario, horizon: int | None = None, trajectories: int = 0, seed: int | None = None) -> Drivers:
    """The drivers of projecting ``inputs`` (``fpplan.demography.ProjectionInputs``) under ``scenario`` from the
    base year to ``horizon`` (default: the scenario's). ``trajectories`` > 0 draws that many stochastic
    trajectories from ``numpy.random.default_rng(seed)`` (fertility, mortality, migration shocks in that order;
    ``fpplan.demography.stochastic``); 0 gives one deterministic run."""
    r = inputs.rates
    horizon = horizon or scenario.horizon
    steps = horizon - inputs.base_year
    if steps < 1:
        raise ValueError("the horizon must be after the base year")
    years = np.arange(inputs.base_year, horizon)  # step t runs from years[t] to years[t] + 1
    n = max(trajectories, 1)
    rng = np.random.default_rng(seed)
    stochastic_run = trajectories > 0

    tfr_path = along(scenario.tfr, years) if scenario.tfr else np.full(steps, r.county_tfr)
    fertility = np.broadcast_to(tfr_path, (n, steps))
    if stochastic_run:
        fertility = fertility * stochastic.fertility_multipliers(inputs.uncertainty, n, steps, rng)

    alpha = _e0_alpha(scenario, years, r.standard_mx)
    if alpha is None and not stochastic_run:
        fixed = single_year_survival(r.standard_mx[None] * r.mortality_factor[:, None, None], sex=SEXES)
        survival = fixed[None, None]  # (1, 1, R, sex, age)
    elif alpha is not None and not stochastic_run:
        survival = _e0_survival(_e0_key(scenario, years), r.standard_mx.tobytes())[None, :, None]  # (1, steps, 1, sex, age)
    else:
        if alpha is None:  # estimated tables: expressed as α around the county-average factor
            base_mx = r.standard_mx * np.average(r.mortality_factor, weights=r.population.sum(axis=(1, 2)))
            alpha = np.broadcast_to(alpha_of(base_mx, r.standard_mx, sex=SEXES), (steps, 2))
        a = alpha + stochastic.alpha_walk(inputs.uncertainty, n, steps, rng)[:, :, None]
        survival = survival_from_alpha(r.standard_mx, a)[:, :, None]  # (n, steps, 1, sex, age)

    total = along(scenario.net_migration, years) if scenario.net_migration else np.full(steps, r.net_migration.sum())
    totals = np.broadcast_to(total, (n, steps))
    if stochastic_run:
        totals = totals + stochastic.migration_shocks(inputs.uncertainty, n, steps, float(r.population.sum()), rng)

    notes = list(r.warnings)
    lumps: dict[tuple[int, int], np.ndarray] = {}
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
        key = (t, int(where[0]))
        lumps[key] = lumps.get(key, 0.0) + lump.size * lump_profile(lump, r.population[where[0]])
    keys = sorted(lumps)
    return Drivers(
        regions=r.regions, years=np.arange(inputs.base_year, horizon + 1), population=r.population,
        fertility=np.ascontiguousarray(fertility), pattern=(r.tfr / r.county_tfr)[:, None] * r.asfr_shape[FERTILE],
        survival=survival, net_migration=r.net_migration,
        migration_excess=np.ascontiguousarray(totals - r.net_migration.sum()),
        population_share=r.population.sum(axis=(1, 2)) / r.population.sum(), migration_profile=r.migration_profile,
        lump_step=np.array([k[0] for k in keys], dtype=int), lump_region=np.array([k[1] for k in keys], dtype=int),
        lump_persons=np.array([lumps[k] for k in keys]).reshape(len(keys), 2, 101), srb=np.full(steps, scenario.srb),
        timing=scenario.migration_timing, married_share=r.married_share, notes=tuple(notes))
