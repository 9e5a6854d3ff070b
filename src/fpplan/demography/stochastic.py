"""Uncertainty for stochastic projections, fitted to the county's vital history with statsmodels.

Model (documented assumptions):
- Fertility: the log of the county's crude birth rate is modelled as an AR(1) around a linear trend
  (statsmodels ARIMA(1,0,0) with trend "ct"); its AR coefficient φ and innovation s.d. σ drive multiplicative
  deviations exp(u_t) of every township's TFR around the scenario path, u_t = φ·u_(t−1) + σ·ε_t, u_0 = 0.
- Migration: the county's yearly net migration around its mean; its s.d. relative to the county population
  gives i.i.d. shocks to the yearly net-migration totals (ARIMA(0,0,0), i.e. white noise around the path).
- Mortality: a random walk on the Brass logit level α (drift in the scenario's e0 path), step s.d.
  ``ALPHA_STEP_SD`` (demo assumption giving about ±1.5 years of e0 at 80% after ten years).
Draws come from the ``numpy.random.Generator`` passed in, so a seed reproduces the trajectories.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from fpplan.data.labels import ui

ALPHA_STEP_SD = 0.03
FALLBACK = {"phi": 0.5, "sigma": 0.05, "migration_sd": 0.002}  # when the history is too short to fit


@dataclass(frozen=True)
class Uncertainty:
    phi: float  # AR(1) coefficient of log fertility deviations
    sigma: float  # innovation s.d. of log fertility
    migration_sd: float  # s.d. of yearly net migration per person of the population
    alpha_sd: float = ALPHA_STEP_SD
    note: str = ""


def fit(history: pd.DataFrame, population: float) -> Uncertainty:
    """Fit the fertility and migration uncertainty to the county's yearly history (≥ 6 years)."""
    if len(history) < 6:
        return Uncertainty(**FALLBACK, note=ui("note_uncertainty_fallback"))
    from statsmodels.tsa.arima.model import ARIMA

    cbr = np.log(history["births"].to_numpy(dtype=float) / population)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = ARIMA(cbr, order=(1, 0, 0), trend="ct").fit()
    phi = float(np.clip(result.params[2], -0.95, 0.95))
    sigma = float(np.sqrt(result.params[3]))
    migration = history["net_migration"].to_numpy(dtype=float)
    migration_sd = float(np.std(migration, ddof=1) / population)
    return Uncertainty(phi=phi, sigma=sigma, migration_sd=migration_sd,
                       note=ui("note_uncertainty_fit", phi=phi, sigma=sigma))


def fertility_multipliers(u: Uncertainty, trajectories: int, steps: int, rng: np.random.Generator) -> np.ndarray:
    """exp(AR(1)) multipliers of the TFR path, shaped (trajectories, steps)."""
    shocks = rng.normal(0.0, u.sigma, (trajectories, steps))
    dev = np.zeros((trajectories, steps))
    prev = np.zeros(trajectories)
    for t in range(steps):  # a loop over projection years; trajectories are vectorized
        prev = u.phi * prev + shocks[:, t]
        dev[:, t] = prev
    return np.exp(dev)


def alpha_walk(u: Uncertainty, trajectories: int, steps: int, rng: np.random.Generator) -> np.ndarray:
    """Random-walk deviations of Brass α, shaped (trajectories, steps)."""
    return np.cumsum(rng.normal(0.0, u.alpha_sd, (trajectories, steps)), axis=1)


def migration_shocks(u: Uncertainty, trajectories: int, steps: int, population: float,
                     rng: np.random.Generator) -> np.ndarray:
    """Additive shocks (persons) to the county's yearly net migration, shaped (trajectories, steps)."""
    return rng.normal(0.0, u.migration_sd * population, (trajectories, steps))
