"""How a projection's base rates are taken from the vital history and how its uncertainty is modelled and
calibrated (``config/uncertainty.yaml``; read by ``fpplan.demography.estimate``, ``stochastic``, ``drivers`` and
``calibration``). Every number carries its source in the shipped file."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from fpplan.data.models import Frozen, check_error


class BaseRateRules(Frozen):
    """Township base rates from the recent years of the vital history, an outlier year left out."""

    statistic: Literal["median", "trimmed_mean", "mean"] = "median"
    trim: float = Field(default=0.2, ge=0, lt=0.5)  # share cut from each end for trimmed_mean
    recent_years: int = Field(default=3, ge=1)  # fertility and mortality
    migration_years: list[int] = Field(default=[3], min_length=1)  # candidate windows; the back-test chooses
    migration_reversion: bool = False  # recent level reverts to the long one as the AR(1) forecasts
    outlier_threshold: float = Field(default=3.5, gt=0)  # modified z-score over the reference years
    outlier_reference_years: int = Field(default=10, ge=3)
    outlier_min_years: int = Field(default=5, ge=3)  # years a township needs before outliers are judged
    source: str


class FertilityShocks(Frozen):
    """The township factor on the county TFR: AR(1) around 1 with 5-year parameters (bayesTFR subnational)."""

    rho_5y: float = Field(ge=0, lt=1)
    sigma_5y: float = Field(ge=0)
    cap_by_dispersion: bool = True
    source: str


class MortalityShocks(Frozen):
    """The township offset to the county's e0: AR(1), 5-year parameters, variance a + b·(e0 − U) below U
    (bayesLife subnational); the county level: a random walk."""

    rho_5y: float = Field(ge=0, lt=1)
    a: float = Field(gt=0)
    b: float
    U: float
    county_e0_step_sd: float = Field(ge=0)  # years of e0 per year of the county's random walk
    source: str


class MigrationShocks(Frozen):
    """Township net-migration shocks fitted to the history (years before the base year)."""

    min_years: int = Field(default=6, ge=3)  # below this: fallback_sd
    fit_years: int = Field(default=15, ge=3)  # the last years of the history the shocks are fitted to
    prior_years: float = Field(default=5, ge=0)  # weight of the size-based s.d. against the township's own
    max_rho: float = Field(default=0.95, ge=0, lt=1)
    fallback_sd: float = Field(default=0.004, ge=0)  # per person a year when the history is too short
    profile_peak_sd: float = Field(default=0.0, ge=0)  # years: s.d. of the Rogers–Castro labour-force peak
    profile_decline_log_sd: float = Field(default=0.0, ge=0)  # s.d. of the log of its decline rate α2
    source: str


class LumpShocks(Frozen):
    """Uncertain timing and size of lump inflows (regiment farms)."""

    delay_years: dict[int, float]  # years late (negative: early) → probability
    size_sd: float = Field(ge=0)  # s.d. of the log of the size multiplier (median 1)
    source: str

    @model_validator(mode="after")
    def _probabilities(self) -> LumpShocks:
        if abs(sum(self.delay_years.values()) - 1) > 1e-9 or min(self.delay_years.values()) < 0:
            raise check_error("delay")
        return self


class EmpiricalErrors(Frozen):
    """Quantiles of |log(observed / projected)| of past forecasts of areas of a size, by series and horizon
    (years): series → horizon → [80% quantile, 95% quantile] (Rayer, Smith & Tayman 2009)."""

    errors: dict[str, dict[int, list[float]]]
    values: int
    source: str


class CalibrationRules(Frozen):
    """Empirical (conformal) widening of the model's intervals from rolling-origin back-tests; without enough
    of them, the empirical errors of areas of a like size."""

    enabled: bool = True
    horizons: list[int] = Field(default=[5, 10], min_length=1)  # back-test horizons used, years
    min_values: int = Field(default=20, ge=1)  # past observed values needed to calibrate
    min_fit_years: int = Field(default=6, ge=1)  # vital history years before an origin needed to use it
    trajectories: int = Field(default=200, ge=20)  # per rolling back-test
    empirical: EmpiricalErrors | None = None
    source: str


class UncertaintyConfig(Frozen):
    source: str
    base_rates: BaseRateRules
    fertility: FertilityShocks
    mortality: MortalityShocks
    migration: MigrationShocks
    lump_inflows: LumpShocks
    calibration: CalibrationRules
