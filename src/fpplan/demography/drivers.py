"""Every step's inputs of a projection, for every township and trajectory, kept as small factors.

``drivers(inputs, scenario, …)`` turns a county's base rates and a scenario into :class:`Drivers`: the base
population, the county TFR of each trajectory and step (scenario path × stochastic multipliers), each
township's ASFR pattern, its mortality level, net migration (each township's own recent level plus its population
share of the county-level excess over their sum) and lump inflows. A stochastic run adds the shocks of
``fpplan.demography.stochastic``: county-level ones drawn up front (trajectories × steps), and township-level ones
drawn, in ``Drivers.run``, from generators keyed by the township's position, so that a group of townships
(``Drivers.take``) projects the same way alone or with the rest of the county: that is what lets stochastic runs
go chunk by chunk, in-process or on a cluster, and give the same result. The only township quantity that needs
every township, the sum of the idiosyncratic migration shocks (which the townships' own parts are conditioned on),
is computed up front (trajectories × steps).

Every stochastic driver is its deterministic counterpart plus a shock with median 0 (or a factor with median 1),
around the same township rates: the intervals are centred on the deterministic projection.

Fertility: each township's ASFR = county TFR × (township TFR / county TFR) × the standard shape (× the township
factor). Mortality: the scenario's e0 path (Brass logit on China's 2020-2025 table, the same for every township)
or, without one, each township's estimated table (mx = standard × k); stochastic runs move the level θ (Brass α,
or log k) by the county walk and the township offset and read survival from ``stochastic.SurvivalGrid``. Lump
inflows are added in their township in the step that ends in their arrival year (stochastic: delayed and scaled).
Before a run every input is checked finite; a projection with a NaN or infinite value raises DataError naming the
township, year and input (``check_finite``), never a silent number.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from fpplan.data.base.lifetable import single_year_survival
from fpplan.data.base.schedules import alpha_for_e0, brass_mx, rogers_castro
from fpplan.data.errors import DataError, Problem
from fpplan.data.labels import ui
from fpplan.demography import engine, stochastic
from fpplan.demography.scenarios import along

FERTILE = slice(15, 50)
SEXES = np.array([0, 1])


@dataclass(frozen=True)
class TownshipShocks:
    """What a stochastic run needs to draw each township's own shocks (``stochastic`` module docstring)."""

    entropy: int  # seed of the township generators (with the township's position and the component)
    position: np.ndarray  # (R,) each township's position in the county (keys its generators)
    fertility_rho: float
    fertility_sigma: float
    mortality_rho: float
    mortality_sigma: np.ndarray  # (R, sex) innovation s.d. in units of θ (e0 s.d. / the slope of e0 in θ)
    migration_rho: float
    migration_sd: np.ndarray  # (R,) idiosyncratic innovation s.d., persons a year
    migration_loading: np.ndarray  # (R,) share of the county's migration draw
    migration_weight: np.ndarray  # (R,) share of the idiosyncratic sum each township gives back (Σ over the county = 1)
    migration_sum: np.ndarray  # (n, steps) the county's idiosyncratic migration shocks summed over every township
    profile_peak_sd: float = 0.0  # years (Rogers–Castro μ2)
    profile_decline_log_sd: float = 0.0  # log of α2

    def take(self, positions: np.ndarray) -> TownshipShocks:
        return dataclasses.replace(
            self,
            position=self.position[positions],
            mortality_sigma=self.mortality_sigma[positions],
            migration_sd=self.migration_sd[positions],
            migration_loading=self.migration_loading[positions],
            migration_weight=self.migration_weight[positions],
        )

    def draw(self, n: int, steps: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Fertility factors, mortality offsets θ (per sex) and migration shocks (persons) of these townships,
        shaped (n, steps, R), (n, steps, R, sex), (n, steps, R). A loop over townships draws each from its own
        generator; everything else is vectorized."""

        def normals(component: str) -> np.ndarray:
            return (
                np.stack(
                    [stochastic.township_normals(self.entropy, p, component, n, steps) for p in self.position], axis=-1
                )
                if len(self.position)
                else np.zeros((n, steps, 0))
            )

        fertility = 1 + stochastic.ar1(normals("fertility") * self.fertility_sigma, self.fertility_rho)
        offset = stochastic.ar1(normals("mortality"), self.mortality_rho)[..., None] * self.mortality_sigma
        own = stochastic.ar1(normals("migration") * self.migration_sd, self.migration_rho)
        migration = own - self.migration_sum[:, :, None] * self.migration_weight
        return np.maximum(fertility, 0.0), offset, migration

    def profiles(self, n: int) -> np.ndarray | None:
        """Each trajectory's and township's migrant age profile (n, R, sex, age), or None when it is fixed; read-only.

        They depend on the seed, the townships and the two spreads only, never on the scenario: the last ones made
        are kept (``PROFILES_KEPT``), so that the scenario explorer's band, run again at every move of a control,
        draws them once (~13 ms of its ~80 ms for the demo's 200 trajectories on a 2-core machine)."""
        if not (self.profile_peak_sd or self.profile_decline_log_sd) or not len(self.position):
            return None
        key = (self.entropy, self.position.tobytes(), n, self.profile_peak_sd, self.profile_decline_log_sd)
        found = _PROFILES.get(key)
        if found is None:
            from fpplan.data.base.schedules import ROGERS_CASTRO
            from fpplan.demography.estimate import MIGRATION_MAX_AGE

            z = np.stack([stochastic.township_normals(self.entropy, p, "profile", n, 2) for p in self.position], axis=1)
            peak = ROGERS_CASTRO["mu2"] + self.profile_peak_sd * z[..., 0]
            decline = ROGERS_CASTRO["alpha2"] * np.exp(self.profile_decline_log_sd * z[..., 1])
            found = stochastic.migration_profiles(peak, decline, MIGRATION_MAX_AGE)
            found.setflags(write=False)
            _PROFILES[key] = found
            while len(_PROFILES) > PROFILES_KEPT:
                _PROFILES.pop(next(iter(_PROFILES)))
        return found


PROFILES_KEPT = 2  # the explorer asks for one; one more for another seed or county (~2.6 MB at 200 × 8 townships)
_PROFILES: dict[tuple, np.ndarray] = {}


@dataclass(frozen=True)
class MortalityShocks:
    """Stochastic mortality: each trajectory's, township's and year's level θ on ``grid``."""

    grid: stochastic.SurvivalGrid
    theta: np.ndarray  # (steps or 1, R or 1, sex) deterministic level: Brass α of the e0 path, or log k
    county: np.ndarray  # (n, steps, sex) the county walk in θ

    def take(self, positions: np.ndarray) -> MortalityShocks:
        return dataclasses.replace(self, theta=self.theta[:, positions] if self.theta.shape[1] > 1 else self.theta)


@dataclass(frozen=True)
class Drivers:
    """The inputs of every step, by trajectory (n) and township (R); see the module docstring."""

    regions: np.ndarray  # (R,) township codes
    years: np.ndarray  # (steps + 1,) base year … horizon
    population: np.ndarray  # (R, sex, age) base year
    fertility: np.ndarray  # (n, steps) county TFR of each trajectory in each step
    pattern: np.ndarray  # (R, 35) township ASFR at ages 15–49 per unit of county TFR
    survival: np.ndarray  # (1, steps or 1, R or 1, sex, age) deterministic survival ratios
    net_migration: np.ndarray  # (steps, R) each township's own net migrants in each step
    migration_excess: (
        np.ndarray
    )  # (n, steps) deterministic county net migration − Σ township nets, shared by population
    population_share: np.ndarray  # (R,) share of the county's base population
    migration_profile: np.ndarray  # (sex, age) age–sex pattern of net migrants, sums to 1
    lump_step: np.ndarray  # (L,) the step in which a lump inflow arrives
    lump_region: np.ndarray  # (L,) its township's index
    lump_persons: np.ndarray  # (L, sex, age) persons arriving
    srb: np.ndarray  # (steps,) male births per female birth
    timing: str  # migration timing, "end" or "even"
    married_share: np.ndarray  # (R, 35) share of women married at ages 15–49
    notes: tuple[str, ...] = ()
    county_migration: np.ndarray | None = None  # (n, steps) the county's stochastic migration draw, persons
    mortality: MortalityShocks | None = None
    shocks: TownshipShocks | None = None
    lump_delay: np.ndarray | None = None  # (n, L) years
    lump_size: np.ndarray | None = None  # (n, L) multiplier

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
            self,
            regions=self.regions[positions],
            population=self.population[positions],
            pattern=self.pattern[positions],
            survival=survival,
            net_migration=self.net_migration[:, positions],
            population_share=self.population_share[positions],
            lump_step=self.lump_step[keep],
            lump_region=remap[self.lump_region[keep]],
            lump_persons=self.lump_persons[keep],
            married_share=self.married_share[positions],
            mortality=self.mortality.take(positions) if self.mortality is not None else None,
            shocks=self.shocks.take(positions) if self.shocks is not None else None,
            lump_delay=self.lump_delay[:, keep] if self.lump_delay is not None else None,
            lump_size=self.lump_size[:, keep] if self.lump_size is not None else None,
        )

    def run(self, keep: bool = True, each=None, bands: tuple = (), threads: int = 1) -> dict[str, np.ndarray]:
        """Project the base population over every step (``fpplan.demography.engine.run``; ``keep``, ``each``,
        ``bands`` and ``threads`` as there). Arrays are shaped (…, trajectory, township, sex, age). Every step's inputs go to the
        engine as factors (``engine.Scaled``, ``engine.Interpolated``): nothing of the population's size is built
        for them."""
        check_finite(self)
        n, regions, steps = self.trajectories, len(self.regions), self.steps
        shape = (n, regions) + self.population.shape[1:]
        fertility_factor, offset, own = self.shocks.draw(n, steps) if self.shocks is not None else (None, None, None)
        profile = self.shocks.profiles(n) if self.shocks is not None else None
        profile = self.migration_profile if profile is None else profile
        net = self.net_migration + self.migration_excess[:, :, None] * self.population_share  # (n, steps, R)
        if self.county_migration is not None:
            net = net + self.county_migration[:, :, None] * (
                self.shocks.migration_loading if self.shocks is not None else self.population_share
            )
        if own is not None:
            net = net + own
        level = self.fertility.T[:, :, None]  # (steps, n, 1): the county TFR
        if fertility_factor is not None:
            level = level * fertility_factor.transpose(1, 0, 2)  # (steps, n, R)
        asfr = engine.Scaled(level, self.pattern, cells=1)
        mig = engine.Scaled(net.transpose(1, 0, 2), profile, cells=2, arrivals=self._arrivals())
        if self.mortality is not None:  # each trajectory's, township's and year's level θ read off the grid
            m = self.mortality
            theta = (
                m.theta[np.minimum(np.arange(steps), m.theta.shape[0] - 1)][:, None]
                + m.county.transpose(1, 0, 2)[:, :, None, :]
            )  # (steps, n, R or 1, sex)
            if offset is not None:
                theta = theta + offset.transpose(1, 0, 2, 3)
            S = engine.Interpolated(m.grid.survival, m.grid.positions(theta))
        else:  # the same tables for every trajectory
            table = (
                self.survival
                if self.survival.shape[1] in (1, steps)
                else self.survival[:, np.minimum(np.arange(steps), self.survival.shape[1] - 1)]
            )
            S = np.moveaxis(table, 1, 0)
            S = np.broadcast_to(S, (steps,) + S.shape[1:])  # (steps, 1, R or 1, sex, age), a view
        return engine.run(
            np.broadcast_to(self.population, shape),
            S,
            asfr,
            self.srb,
            mig,
            width=1,
            timing=self.timing,
            fertile=FERTILE,
            keep=keep,
            each=each,
            bands=bands,
            threads=threads,
        )

    def _arrivals(self) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
        """The lump inflows as ``engine.Scaled`` arrivals: (step, (trajectory, township), persons (sex, age)) for
        every trajectory: deterministic lumps arrive in their step; stochastic ones in their step plus each
        trajectory's delay, scaled by its size draw."""
        n, steps = self.trajectories, self.steps
        parts = []
        for lump in range(len(self.lump_step)):  # a loop over lump inflows (a few regiment farms)
            region, persons = int(self.lump_region[lump]), self.lump_persons[lump]
            if self.lump_delay is None:
                step, size = np.full(n, self.lump_step[lump]), np.ones(n)
            else:
                step, size = np.maximum(self.lump_step[lump] + self.lump_delay[:, lump], 0), self.lump_size[:, lump]
            arrive = step < steps
            trajectories = np.flatnonzero(arrive)
            parts.append(
                (
                    step[arrive],
                    np.stack([trajectories, np.full(len(trajectories), region)], axis=1),
                    size[arrive, None, None] * persons,
                )
            )
        if not parts:
            return None
        return tuple(np.concatenate([p[k] for p in parts]) for k in range(3))


def check_finite(d: Drivers) -> None:
    """DataError naming the township, year and input of every non-finite input of a projection."""
    if all(
        np.isfinite(values).all()
        for values in (d.survival, d.population, d.pattern, d.net_migration, d.fertility, d.migration_excess)
    ):
        return  # checked as they are (the same table for every township is never broadcast to all of them)
    regions = len(d.regions)
    survival = np.broadcast_to(d.survival, d.survival.shape[:2] + (regions,) + d.survival.shape[3:])
    per_township = {
        "population": d.population.reshape(regions, -1),
        "fertility": d.pattern,
        "mortality": np.moveaxis(survival, 2, 0).reshape(regions, -1),
        "net_migration": d.net_migration.T,
    }
    problems = [
        not_finite(code, int(d.years[0]), name)
        for name, values in per_township.items()
        for code in d.regions[~np.isfinite(values).all(axis=1)]
    ]
    problems += [
        not_finite("*", int(d.years[0]), name)
        for name, values in (("fertility", d.fertility), ("net_migration", d.migration_excess))
        if not np.isfinite(values).all()
    ]
    if problems:
        raise DataError(problems)


def not_finite(township: str, year: int, what: str) -> Problem:
    return Problem(
        file="", kind="projection_not_finite", column=what, value=township, detail=f"{year}, {ui('input_' + what)}"
    )


def check_output(regions: np.ndarray, years: np.ndarray, population: np.ndarray, flows=None) -> None:
    """DataError naming township and year wherever a projected population (year, …, region, sex, age) is not
    finite. ``flows`` (births, deaths, migration of every step, from finite inputs) answer first: a cell of a
    step's end that is not finite makes its sex's survivors or migrants, hence its deaths or migration, not finite,
    so finite flows from a finite start population mean a finite projection."""
    if flows is not None and all(np.isfinite(f).all() for f in flows) and np.isfinite(population[0]).all():
        return
    if np.isfinite(population).all():
        return
    by = np.moveaxis(population, -3, 1).reshape(population.shape[0], population.shape[-3], -1)
    bad = ~np.isfinite(by).all(axis=2)
    raise DataError([not_finite(str(regions[r]), int(years[y]), "projection") for y, r in zip(*np.nonzero(bad))][:50])


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
        out[first : first + block] = single_year_survival(brass_mx(standard, alpha[first : first + block]), sex=SEXES)
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
    trajectories from ``numpy.random.default_rng(seed)`` (county fertility, mortality and migration shocks, lump
    draws and the township generators' entropy, in that order; ``fpplan.demography.stochastic``); 0 gives one
    deterministic run."""
    r = inputs.rates
    horizon = horizon or scenario.horizon
    steps = horizon - inputs.base_year
    if steps < 1:
        raise ValueError("the horizon must be after the base year")
    years = np.arange(inputs.base_year, horizon)  # step t runs from years[t] to years[t] + 1
    n = max(trajectories, 1)
    rng = np.random.default_rng(seed)
    stochastic_run = trajectories > 0
    u = inputs.uncertainty if stochastic_run else None

    tfr_path = along(scenario.tfr, years) if scenario.tfr else np.full(steps, r.county_tfr)
    fertility = np.broadcast_to(tfr_path, (n, steps))
    if stochastic_run:
        fertility = fertility * stochastic.fertility_multipliers(u, n, steps, rng)

    alpha = _e0_alpha(scenario, years, r.standard_mx)
    k = np.clip(r.mortality_factor, np.exp(stochastic.PROPORTIONAL[0]), np.exp(stochastic.PROPORTIONAL[1]))
    if alpha is None:
        survival = single_year_survival(r.standard_mx[None] * k[:, None, None], sex=SEXES)[None, None]  # (1, 1, R, …)
    else:
        survival = _e0_survival(_e0_key(scenario, years), r.standard_mx.tobytes())[None, :, None]  # (1, steps, 1, …)
    mortality, slope = None, None
    if stochastic_run:
        grid = stochastic.survival_grid(r.standard_mx, "proportional" if alpha is None else "brass")
        regions = len(r.regions)
        if alpha is None:  # each township's own level log k, the county's its population-weighted mean
            theta = np.broadcast_to(np.log(k)[None, :, None], (1, regions, 2))
            weights = np.maximum(r.population.sum(axis=(1, 2)), 1e-9)
            county_theta = np.full(2, np.log(np.average(k, weights=weights)))
        else:  # the scenario's e0 path, the same for every township
            theta = np.asarray(alpha)[:, None, :]
            county_theta = np.asarray(alpha)[0]
        slope = grid.slope(np.broadcast_to(theta[0], (regions, 2)))  # (R, sex) e0 years per unit of θ
        walk = stochastic.e0_walk(u, n, steps, rng)[:, :, None] / grid.slope(county_theta)  # (n, steps, sex)
        mortality = MortalityShocks(grid=grid, theta=theta, county=walk)

    own = r.net_migration_path(steps)  # (steps, R)
    total = along(scenario.net_migration, years) if scenario.net_migration else own.sum(axis=1)
    totals = np.broadcast_to(total, (n, steps))
    county_migration = (
        stochastic.migration_shocks(u, n, steps, float(r.population.sum()), rng) if stochastic_run else None
    )

    notes = list(r.warnings)
    chosen = []
    for lump in scenario.lump_inflows:
        t = lump.year - inputs.base_year - 1
        where = np.flatnonzero(r.regions == lump.township)
        if not len(where):
            notes.append(ui("note_lump_unknown_township", name=lump.name, township=lump.township))
            continue
        if not 0 <= t < steps:
            notes.append(
                ui(
                    "note_lump_outside",
                    name=lump.name,
                    township=lump.township,
                    year=lump.year,
                    first=inputs.base_year + 1,
                    last=horizon,
                )
            )
            continue
        chosen.append((t, int(where[0]), lump.size * lump_profile(lump, r.population[where[0]])))
    lump_delay = lump_size = None
    if stochastic_run:
        lump_delay, lump_size = stochastic.lump_draws(u, n, len(chosen), rng)

    shocks = None
    if stochastic_run:
        entropy = int(rng.integers(2**62))
        shocks = _township_shocks(u, r, entropy, n, steps, slope)
        notes.append(ui("note_township_uncertainty"))
    return Drivers(
        regions=r.regions,
        years=np.arange(inputs.base_year, horizon + 1),
        population=r.population,
        fertility=np.ascontiguousarray(fertility),
        pattern=(r.tfr / r.county_tfr)[:, None] * r.asfr_shape[FERTILE],
        survival=survival,
        net_migration=np.ascontiguousarray(own),
        migration_excess=np.ascontiguousarray(totals - own.sum(axis=1)),
        population_share=r.population.sum(axis=(1, 2)) / r.population.sum(),
        migration_profile=r.migration_profile,
        lump_step=np.array([c[0] for c in chosen], dtype=int),
        lump_region=np.array([c[1] for c in chosen], dtype=int),
        lump_persons=np.array([c[2] for c in chosen]).reshape(len(chosen), 2, 101),
        srb=np.full(steps, scenario.srb),
        timing=scenario.migration_timing,
        married_share=r.married_share,
        notes=tuple(notes),
        county_migration=county_migration,
        mortality=mortality,
        shocks=shocks,
        lump_delay=lump_delay,
        lump_size=lump_size,
    )


def _township_shocks(u, r, entropy: int, n: int, steps: int, slope: np.ndarray) -> TownshipShocks:
    """The townships' shock parameters, and the sum over every township of their idiosyncratic migration shocks
    (drawn here as the chunks will draw them)."""
    regions = len(r.regions)
    size = r.population.sum(axis=(1, 2))
    sd = u.township_migration_sd if u.township_migration_sd is not None else np.zeros(regions)
    loading = (
        u.township_migration_loading if u.township_migration_loading is not None else size / max(size.sum(), 1e-300)
    )
    variance = sd**2
    weight = variance / variance.sum() if variance.sum() > 0 else np.zeros(regions)
    innovations = np.zeros((n, steps))
    for p in range(regions):  # a loop over townships, each from its own generator (see the module docstring)
        if sd[p] > 0:
            innovations += sd[p] * stochastic.township_normals(entropy, p, "migration", n, steps)
    return TownshipShocks(
        entropy=entropy,
        position=np.arange(regions),
        fertility_rho=u.fertility_rho,
        fertility_sigma=u.fertility_sigma,
        mortality_rho=u.mortality_rho,
        mortality_sigma=u.mortality_sigma / np.abs(slope),
        migration_rho=u.migration_rho,
        migration_sd=sd,
        migration_loading=loading,
        migration_weight=weight,
        migration_sum=stochastic.ar1(innovations, u.migration_rho),
        profile_peak_sd=u.profile_peak_sd,
        profile_decline_log_sd=u.profile_decline_log_sd,
    )
