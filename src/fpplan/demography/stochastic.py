"""Uncertainty for stochastic projections: county-level and township-level shocks, fitted to the county's vital
history (``fit``) with the parameters of ``config/uncertainty.yaml``.

County level (one draw per trajectory, shared by the townships):
- fertility: the log of the county's crude birth rate as an AR(1) around a linear trend (statsmodels AutoReg,
  one lag, trend "ct", conditional least squares); its φ and innovation σ drive multiplicative deviations exp(u_t)
  of the TFR path,
  u_t = φ·u_(t−1) + σ·ε_t, u_0 = 0;
- mortality: a random walk of the county's e0 (``county_e0_step_sd`` years a year);
- migration: the county's yearly net migration per person as an AR(1) (ρ pooled over the townships, see below)
  whose innovation s.d. is the county's own.

Township level (each township its own draw, around the township's own deterministic rates, so that the median
trajectory stays on the deterministic projection):
- fertility: the township's TFR = county TFR × r_i (its estimated relative level, as deterministic) × f_i,t, with
  f − 1 an AR(1) around μ = 1 (Ševčíková, Raftery & Gerland 2018, bayesTFR's subnational scaled model:
  ρ = 0.92464, σ = 0.04522 per five years; per year ρ₁ = ρ^(1/5), σ₁ = σ·√((1 − ρ^(2/5)) / (1 − ρ²)), which keeps
  the stationary variance); σ capped so that the stationary s.d. is no larger than the townships' observed
  dispersion of r_i. (bayesTFR lets r_i itself converge to 1; here the factor reverts to 1 around the township's
  own level, which the deterministic projection holds.)
- mortality: an offset δ to the county's e0, δ_t = ρ·δ_(t−1) + ε_t, Var ε = a + b·(e0 − U) below e0 = U, else a
  (bayesLife ``e0.predict.subnat``, method ar1, default ar.pars; Ševčíková & Raftery 2021), per year as for
  fertility; converted to the township's mortality level through the slope of e0 in it (``SurvivalGrid``).
- migration: the township's yearly net migration per person around its base level as an AR(1) with ρ pooled over
  townships; its innovations split into a share a_i of the county's innovation (a_i = cov(township, county) /
  var(county) over the history, so Σ a_i = 1: the townships' correlation through their common part) and an
  idiosyncratic part with the township's own s.d., shrunk toward the s.d. its population size predicts (log s.d.
  on log population across townships; small areas move more, Rayer, Smith & Tayman 2009); the idiosyncratic
  parts are conditioned to sum to zero (Gaussian conditioning: each less its variance share of their sum), so
  the townships add up to the county's draw.
- the age pattern of each township's net migrants (no county table gives migrants' ages): Rogers–Castro with the
  labour-force peak μ2 moved by ``profile_peak_sd`` years and its decline α2 scaled by exp(``profile_decline_log_sd``
  · z), one draw per trajectory and township (medians: the standard schedule the deterministic run uses);
- lump inflows (regiment farms): arrival delayed by a drawn number of years (``delay_years``) and size times a
  log-normal multiplier with median 1 (``size_sd``).

Township draws come from generators keyed by (seed entropy, township position, component), so a township's
trajectories are the same whichever chunk of townships it is projected with (``fpplan.demography.streaming``).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from fpplan.data.base.lifetable import life_table, single_year_survival
from fpplan.data.labels import ui
from fpplan.demography.estimate import migration_persistence

FALLBACK = {"phi": 0.5, "sigma": 0.05}  # county fertility when the history is too short to fit
ALPHA_STEP_SD = 0.03  # kept for callers of alpha_walk (Brass α random walk, demo assumption)
COMPONENTS = {"fertility": 0, "mortality": 1, "migration": 2, "profile": 3}


def per_year(rho_5y: float, sigma_5y: float) -> tuple[float, float]:
    """Yearly AR(1) parameters with the same stationary variance as the 5-year ones: ρ₁ = ρ^(1/5),
    σ₁ = σ·√((1 − ρ^(2/5)) / (1 − ρ²))."""
    rho1 = rho_5y**0.2
    if rho_5y >= 1:
        return rho1, sigma_5y / np.sqrt(5)
    return rho1, sigma_5y * float(np.sqrt((1 - rho_5y**0.4) / (1 - rho_5y**2)))


@dataclass(frozen=True)
class Uncertainty:
    phi: float  # county: AR(1) coefficient of log fertility deviations
    sigma: float  # county: innovation s.d. of log fertility
    migration_sd: float  # county: innovation s.d. of yearly net migration per person of the county
    migration_rho: float = 0.0  # AR(1) coefficient of net migration per person (county and townships)
    e0_step_sd: float = 0.37  # county: e0 random-walk step, years
    fertility_rho: float = 0.0  # township factor, per year
    fertility_sigma: float = 0.0
    mortality_rho: float = 0.0  # township e0 offset, per year
    mortality_sigma: float = 0.0  # years of e0
    township_migration_sd: np.ndarray | None = None  # (R,) idiosyncratic innovation s.d., persons a year
    township_migration_loading: np.ndarray | None = None  # (R,) share of the county's innovation, Σ = 1
    profile_peak_sd: float = 0.0  # years
    profile_decline_log_sd: float = 0.0
    lump_delays: tuple[tuple[int, float], ...] = ((0, 1.0),)
    lump_size_sd: float = 0.0
    alpha_sd: float = ALPHA_STEP_SD
    note: str = ""


def fit(
    history: pd.DataFrame, population: float, rates=None, config=None, yearly: pd.DataFrame | None = None
) -> Uncertainty:
    """Fit the uncertainty: the county's fertility to its yearly ``history`` (≥ 6 years; births, net_migration),
    the townships' to ``yearly`` (``fpplan.demography.estimate.yearly_rates``; default ``rates.yearly``) with the
    parameters of ``config`` (``config/uncertainty.yaml``; default: the package's)."""
    if config is None:
        from fpplan.data.config import load

        config = load("uncertainty")
    if len(history) < 6:
        phi, sigma, note = FALLBACK["phi"], FALLBACK["sigma"], ui("note_uncertainty_fallback")
    else:
        from statsmodels.tsa.ar_model import AutoReg

        cbr = np.log(history["births"].to_numpy(dtype=float) / population)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = AutoReg(cbr, lags=1, trend="ct").fit()
        phi = float(np.clip(result.params[2], -0.95, 0.95))
        sigma = float(np.sqrt(result.sigma2))
        note = ui("note_uncertainty_fit", phi=phi, sigma=sigma)
    out = {
        "phi": phi,
        "sigma": sigma,
        "e0_step_sd": config.mortality.county_e0_step_sd,
        "profile_peak_sd": config.migration.profile_peak_sd,
        "profile_decline_log_sd": config.migration.profile_decline_log_sd,
        "lump_delays": tuple(sorted(config.lump_inflows.delay_years.items())),
        "lump_size_sd": config.lump_inflows.size_sd,
        "note": note,
    }
    if rates is None:  # county level only
        sd = history["net_migration"].std(ddof=1) / population if len(history) > 1 else config.migration.fallback_sd
        return Uncertainty(migration_sd=float(sd), **out)
    yearly = rates.yearly if yearly is None else yearly
    out |= _fertility(rates, config.fertility) | _mortality(rates, config.mortality)
    out |= _migration(rates, yearly, config.migration)
    return Uncertainty(**out)


def _fertility(rates, cfg) -> dict:
    sigma = cfg.sigma_5y
    ratio = rates.tfr / rates.county_tfr
    if cfg.cap_by_dispersion and len(ratio) > 1:
        sigma = min(sigma, float(np.std(ratio, ddof=1)) * np.sqrt(1 - cfg.rho_5y**2))
    rho, sigma = per_year(cfg.rho_5y, sigma)
    return {"fertility_rho": rho, "fertility_sigma": sigma}


def county_e0(rates) -> float:
    """The county's e0 (both sexes averaged) under its population-weighted mortality factor."""
    k = np.average(rates.mortality_factor, weights=np.maximum(rates.population.sum(axis=(1, 2)), 1e-9))
    return float(life_table(rates.standard_mx * k, np.ones(101), sex=np.array([0, 1]))["ex"][:, 0].mean())


def _mortality(rates, cfg) -> dict:
    e0 = county_e0(rates)
    variance = cfg.a if e0 >= cfg.U else cfg.a + cfg.b * (e0 - cfg.U)
    rho, sigma = per_year(cfg.rho_5y, float(np.sqrt(max(variance, 0.0))))
    return {"mortality_rho": rho, "mortality_sigma": sigma}


def _migration(rates, yearly: pd.DataFrame, cfg) -> dict:
    """Township and county migration shocks (see the module docstring), persons a year."""
    regions = rates.regions
    size = np.maximum(rates.population.sum(axis=(1, 2)), 1.0)
    total = float(size.sum())
    share = size / total
    fallback = {
        "migration_sd": cfg.fallback_sd,
        "migration_rho": 0.0,
        "township_migration_sd": cfg.fallback_sd * size,
        "township_migration_loading": share,
    }
    if yearly is None or yearly.empty:
        return fallback
    last = yearly["year"].max()
    recent = yearly[yearly["year"] > last - cfg.fit_years]
    wide = recent.pivot_table(index="year", columns="township_code", values="net_rate").reindex(columns=regions)
    have = wide.notna().sum()
    known = (have >= cfg.min_years).to_numpy()
    if known.sum() == 0:
        return fallback
    dev = wide - wide.mean()
    now, before = dev.to_numpy()[1:], dev.to_numpy()[:-1]
    rho = migration_persistence(yearly, regions, cfg.fit_years, cfg.max_rho)
    innovations = (now - rho * before) * size  # persons, (years − 1, R)
    rows = ~np.isnan(innovations[:, known]).any(axis=1)
    u = np.nan_to_num(innovations[rows][:, known])
    if len(u) < 2:
        return fallback
    county = u.sum(axis=1)
    var_county = float(county.var(ddof=1))
    loading = np.zeros(len(regions))
    if var_county > 0:
        loading[known] = ((u - u.mean(0)) * (county - county.mean())[:, None]).sum(0) / (len(u) - 1) / var_county
    else:
        loading[known] = share[known] / share[known].sum()
    own = np.full(len(regions), np.nan)
    own[known] = (u - np.outer(county, loading[known])).std(axis=0, ddof=1) / size[known]
    predicted = _size_prediction(own, size, cfg.fallback_sd)
    k = len(u)
    sd = np.where(
        np.isnan(own),
        predicted,
        np.sqrt((k * np.nan_to_num(own) ** 2 + cfg.prior_years * predicted**2) / (k + cfg.prior_years)),
    )
    return {
        "migration_sd": float(np.sqrt(var_county)) / total,
        "migration_rho": rho,
        "township_migration_sd": sd * size,
        "township_migration_loading": loading,
    }


def _size_prediction(own: np.ndarray, size: np.ndarray, fallback: float) -> np.ndarray:
    """The s.d. per person a township's population predicts: log s.d. on log population across townships
    (ordinary least squares; a constant with fewer than three townships; ``fallback`` with none)."""
    ok = ~np.isnan(own) & (own > 0)
    if ok.sum() == 0:
        return np.full(len(size), fallback)
    if ok.sum() < 3:
        return np.full(len(size), float(np.exp(np.log(own[ok]).mean())))
    slope, intercept = np.polyfit(np.log(size[ok]), np.log(own[ok]), 1)
    slope = min(slope, 0.0)  # larger areas never more volatile per person than the fit of smaller ones
    return np.exp(intercept + slope * np.log(size))


# --- draws ---------------------------------------------------------------------------------------------------


def ar1(innovations: np.ndarray, rho: float, axis: int = 1) -> np.ndarray:
    """x_t = ρ·x_(t−1) + innovation_t along ``axis`` (steps), x_(−1) = 0. A loop over projection years only."""
    x = np.moveaxis(np.array(innovations, dtype=float), axis, 0)
    for t in range(1, len(x)):
        x[t] += rho * x[t - 1]
    return np.moveaxis(x, 0, axis)


def fertility_multipliers(u: Uncertainty, trajectories: int, steps: int, rng: np.random.Generator) -> np.ndarray:
    """exp(AR(1)) multipliers of the county TFR path, shaped (trajectories, steps)."""
    return np.exp(ar1(rng.normal(0.0, u.sigma, (trajectories, steps)), u.phi))


def alpha_walk(u: Uncertainty, trajectories: int, steps: int, rng: np.random.Generator) -> np.ndarray:
    """Random-walk deviations of Brass α, shaped (trajectories, steps)."""
    return np.cumsum(rng.normal(0.0, u.alpha_sd, (trajectories, steps)), axis=1)


def e0_walk(u: Uncertainty, trajectories: int, steps: int, rng: np.random.Generator) -> np.ndarray:
    """Random-walk deviations of the county's e0 (years), shaped (trajectories, steps)."""
    return np.cumsum(rng.normal(0.0, u.e0_step_sd, (trajectories, steps)), axis=1)


def migration_shocks(
    u: Uncertainty, trajectories: int, steps: int, population: float, rng: np.random.Generator
) -> np.ndarray:
    """The county's net-migration deviations (persons a year), AR(1), shaped (trajectories, steps)."""
    return ar1(rng.normal(0.0, u.migration_sd * population, (trajectories, steps)), u.migration_rho)


def township_normals(entropy: int, township: int, component: str, trajectories: int, steps: int) -> np.ndarray:
    """Standard normal draws (trajectories, steps) of one township and component (``steps``: any second size),
    from a generator keyed by (entropy, township position, component): the same whichever other townships are
    projected with it."""
    rng = np.random.default_rng([entropy, int(township), COMPONENTS[component]])
    return rng.standard_normal((trajectories, steps))


def migration_profiles(peak: np.ndarray, decline: np.ndarray, max_age: int) -> np.ndarray:
    """Rogers–Castro net-migration profiles (..., sex, age), both sexes alike, summing to 1, with the labour-force
    peak μ2 = ``peak`` and decline α2 = ``decline`` (arrays of the same shape; the other parameters standard), no
    migrants from ``max_age`` on (as ``fpplan.demography.estimate``)."""
    from fpplan.data.base.schedules import AGES
    from fpplan.data.base.schedules import ROGERS_CASTRO as p

    x = AGES + 0.5
    mu, alpha = np.asarray(peak)[..., None], np.asarray(decline)[..., None]
    m = (
        p["a1"] * np.exp(-p["alpha1"] * x)
        + p["a2"] * np.exp(-alpha * (x - mu) - np.exp(-p["lambda2"] * (x - mu)))
        + p["c"]
    )
    m[..., max_age:] = 0
    m = m / (2 * m.sum(axis=-1, keepdims=True))
    return np.stack([m, m], axis=-2)


def lump_draws(
    u: Uncertainty, trajectories: int, lumps: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Each lump inflow's delay in years and size multiplier, shaped (trajectories, lumps)."""
    delays = np.array([d for d, _ in u.lump_delays])
    probabilities = np.array([p for _, p in u.lump_delays])
    delay = rng.choice(delays, size=(trajectories, lumps), p=probabilities / probabilities.sum())
    size = np.exp(rng.normal(0.0, u.lump_size_sd, (trajectories, lumps)))
    return delay.astype(int), size


# --- survival as a function of a mortality level -------------------------------------------------------------


@dataclass(frozen=True)
class SurvivalGrid:
    """Survival ratios and e0 on a grid of a one-parameter family of life tables, interpolated linearly: the
    family ``proportional`` (mx = standard × exp(θ), θ the log of the mortality factor) or ``brass`` (Brass logit
    α = θ on the standard). Lets every trajectory × township × year have its own mortality level at the cost of
    an interpolation instead of a life table."""

    family: str
    start: float
    step: float
    survival: np.ndarray  # (G, sex, age)
    e0: np.ndarray  # (G, sex)

    def lookup(self, theta: np.ndarray) -> np.ndarray:
        """Survival ratios (..., sex, age) at ``theta`` (..., sex); θ beyond the grid is held at its ends. (A
        projection does not build these: it hands ``positions`` to the compiled engine, ``engine.Interpolated``.)"""
        position = self.positions(theta)
        low = position.astype(int)
        weight = (position - low)[..., None]
        sex = np.arange(2)
        below = self.survival[low, sex]
        return below + weight * (self.survival[low + 1, sex] - below)

    def positions(self, theta: np.ndarray) -> np.ndarray:
        """Where ``theta`` falls on the grid, in table rows (k + w: between tables k and k + 1), held at its ends."""
        return np.clip((np.asarray(theta, dtype=float) - self.start) / self.step, 0, len(self.survival) - 1 - 1e-9)

    def e0_at(self, theta: np.ndarray) -> np.ndarray:
        """e0 (..., sex) at ``theta`` (..., sex)."""
        position = np.clip((np.asarray(theta) - self.start) / self.step, 0, len(self.e0) - 1 - 1e-9)
        low = position.astype(int)
        sex = np.arange(2)
        return self.e0[low, sex] + (position - low) * (self.e0[low + 1, sex] - self.e0[low, sex])

    def slope(self, theta: np.ndarray) -> np.ndarray:
        """de0/dθ (..., sex) at ``theta`` (central difference over two grid steps; never 0)."""
        h = 2 * self.step
        d = (self.e0_at(theta + h) - self.e0_at(theta - h)) / (2 * h)
        return np.where(np.abs(d) > 1e-6, d, -1e-6)


PROPORTIONAL = (np.log(0.02), np.log(60.0), 0.01)
BRASS = (-3.0, 3.0, 0.005)
_GRIDS: dict[tuple, SurvivalGrid] = {}


def survival_grid(standard: np.ndarray, family: str) -> SurvivalGrid:
    """The grid of ``family`` on ``standard`` (sex, age) mx, built once per standard and family."""
    key = (family, standard.tobytes())
    if key not in _GRIDS:
        from fpplan.data.base.schedules import brass_mx

        lo, hi, step = PROPORTIONAL if family == "proportional" else BRASS
        theta = np.arange(lo, hi + step / 2, step)
        sexes = np.array([0, 1])
        if family == "proportional":
            mx = standard[None] * np.exp(theta)[:, None, None]
        else:
            mx = brass_mx(standard, np.broadcast_to(theta[:, None], (len(theta), 2)))
        table = life_table(mx, np.ones(standard.shape[-1]), sex=sexes)
        survival = single_year_survival(mx, sex=sexes)
        _GRIDS[key] = SurvivalGrid(family, float(lo), float(step), survival, table["ex"][..., 0])
    return _GRIDS[key]
