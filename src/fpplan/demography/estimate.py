"""Base rates from a county's data: township fertility, mortality and migration, with the fallbacks used.

The county tables have births and deaths by township and year but not by the mother's or the deceased's age,
so age patterns come from standard schedules scaled to the observed levels (the fallback the issue names):
- fertility: China's ASFR shape (WPP 2017, 2020-2025) scaled so that the township's base-year women would have
  had its observed births → a township TFR;
- mortality: China's 2020-2025 mx (WPP 2017) times a township factor k = observed deaths / expected deaths;
- migration: each township's net migration (in − out) a year; age pattern Rogers–Castro.
Each is a yearly value per township; the township's rate is the ``statistic`` (median, trimmed mean or mean;
``config/uncertainty.yaml`` ``base_rates``) of its recent years (``recent_years``; migration over the window
``migration_years`` chooses), leaving out every year whose modified z-score 0.6745·|x − median| / MAD over the
township's ``outlier_reference_years`` exceeds ``outlier_threshold`` (Iglewicz & Hoaglin 1993) and does so too
against the median of its own window of recent years (with the same MAD): a spike — a mortality crisis, a
migration surge — never sets a township's rates, while a lasting change of level (every recent year moved
together, as Curaçao's migration turning from −2,900 to +1,000 a year in 2002) is the township's new level, not
an outlier. The notes say which years were left out.
Without history for a township, county rates are used and a warning says so.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from fpplan.data.base.schedules import MIGRATION_MAX_AGE, asfr_shape, rogers_castro, standard_mx
from fpplan.data.labels import ui

RECENT_YEARS = 3  # the default of config/uncertainty.yaml base_rates.recent_years (the back-test's rate window)
MAD_TO_SD = 0.6745  # modified z-score (Iglewicz & Hoaglin 1993)
MEAN_ABS_TO_SD = 1.253314  # where the MAD is 0: the mean absolute deviation × √(π/2), as fpplan.indicators.quality


@dataclass(frozen=True)
class BaseRates:
    regions: np.ndarray  # township codes (R,)
    population: np.ndarray  # (R, sex, age) base year
    tfr: np.ndarray  # (R,) estimated township TFR
    county_tfr: float
    asfr_shape: np.ndarray  # (age,) sums to 1
    mortality_factor: np.ndarray  # (R,) k on the standard mx
    standard_mx: np.ndarray  # (sex, age)
    net_migration: np.ndarray  # (R,) persons a year
    migration_profile: np.ndarray  # (sex, age) sums to 1 over both sexes
    married_share: np.ndarray  # (R, 35) ages 15–49 (NaN: no data)
    history: pd.DataFrame  # county totals by year: births, deaths, net_migration
    warnings: tuple[str, ...] = field(default=())
    yearly: pd.DataFrame | None = None  # township_code, year, tfr, k, net (persons), outlier_k, outlier_net
    statistic: str = "mean"
    migration_years: int = RECENT_YEARS
    net_migration_long: np.ndarray | None = None  # (R,) mean over the last ``fit_years`` years, outliers left out
    migration_rho: float = 0.0  # yearly AR(1) persistence of net migration per person (pooled over townships)
    migration_reversion: bool = False  # the deterministic path reverts from the recent to the long level

    def net_migration_path(self, steps: int) -> np.ndarray:
        """Each township's net migrants in each step (steps, R): its recent level held, or, with
        ``migration_reversion``, long + ρ^(t+1)·(recent − long) (the AR(1) forecast of the stochastic model)."""
        if not self.migration_reversion or self.net_migration_long is None:
            return np.broadcast_to(self.net_migration, (steps, len(self.net_migration)))
        decay = self.migration_rho ** np.arange(1, steps + 1)[:, None]
        return self.net_migration_long + decay * (self.net_migration - self.net_migration_long)


def rules(county):
    """The county's base-rate and uncertainty configuration (``config/uncertainty.yaml``; the package default)."""
    config = getattr(county, "config", None) or {}
    if "uncertainty" in config:
        return config["uncertainty"]
    from fpplan.data.config import load

    return load("uncertainty")


def _cube(pop: pd.DataFrame, regions: np.ndarray) -> np.ndarray:
    return (
        pop.pivot_table(index="township_code", columns=["sex", "age"], values="population", aggfunc="sum")
        .reindex(index=regions, columns=pd.MultiIndex.from_product([["male", "female"], range(101)]), fill_value=0.0)
        .to_numpy()
        .reshape(len(regions), 2, 101)
    )


def yearly_rates(
    vital: pd.DataFrame,
    regions: np.ndarray,
    cube: np.ndarray,
    shape: np.ndarray,
    std: np.ndarray,
    cfg,
    migration_years: int | None = None,
) -> pd.DataFrame:
    """Each township's yearly TFR (births / base-year women × shape), mortality factor k (deaths / expected
    deaths of the base-year population) and net migrants, with the outlier flags of k and of net migration per
    person (modified z-score over the township's reference years; see the module docstring)."""
    exposure = pd.Series(cube[:, 1, :] @ shape, index=regions)
    expected = pd.Series((cube * std[None]).sum(axis=(1, 2)), index=regions)
    size = pd.Series(cube.sum(axis=(1, 2)), index=regions)
    v = vital[vital["township_code"].isin(regions)]
    code = v["township_code"]
    out = (
        pd.DataFrame(
            {
                "township_code": code.to_numpy(),
                "year": v["year"].to_numpy(int),
                "tfr": ((v["births_male"] + v["births_female"]) / code.map(exposure).where(lambda e: e > 0)).to_numpy(
                    float
                ),
                "k": ((v["deaths_male"] + v["deaths_female"]) / code.map(expected).where(lambda e: e > 0)).to_numpy(
                    float
                ),
                "net": (v["in_migrants"] - v["out_migrants"]).to_numpy(float),
            }
        )
        .sort_values(["township_code", "year"])
        .reset_index(drop=True)
    )
    out["net_rate"] = out["net"] / out["township_code"].map(size).where(lambda s: s > 0).to_numpy(float)
    migration_years = migration_years or cfg.migration_years[0]
    last = out.groupby("township_code")["year"].transform("max")
    reference = out["year"] > last - cfg.outlier_reference_years
    for column, flag, window in (("k", "outlier_k", cfg.recent_years), ("net_rate", "outlier_net", migration_years)):
        local = out["year"] > last - window
        out[flag] = _outliers(out["township_code"], out[column].where(reference), local.to_numpy(), cfg)
    return out


def _outliers(group: pd.Series, values: pd.Series, local: np.ndarray, cfg) -> np.ndarray:
    """Values whose modified z-score exceeds the threshold within their group, both against the group's median
    and against the median of the group's ``local`` values (NaN values are not judged)."""
    by = values.groupby(group)
    deviation = (values - by.transform("median")).abs()
    mad = deviation.groupby(group).transform("median")
    mean_abs = deviation.groupby(group).transform("mean")
    scale = np.where(mad > 0, mad / MAD_TO_SD, mean_abs * MEAN_ABS_TO_SD)

    def z(dev: pd.Series) -> np.ndarray:
        return np.divide(dev.to_numpy(float), scale, out=np.zeros(len(values)), where=scale > 0)

    local_median = values.where(local).groupby(group).transform("median")
    enough = (by.transform("count") >= cfg.outlier_min_years).to_numpy()
    return (
        (z(deviation) > cfg.outlier_threshold)
        & (z((values - local_median).abs()) > cfg.outlier_threshold)
        & enough
        & values.notna().to_numpy()
    )


def _statistic(frame: pd.DataFrame, column: str, years: int, flag: str | None, cfg, regions: np.ndarray) -> pd.Series:
    """Per township: the configured statistic of ``column`` over its last ``years`` years, flagged years left out
    (all flagged: the median of the unflagged years of the reference window)."""
    last = frame.groupby("township_code")["year"].transform("max")
    recent = frame[(frame["year"] > last - years)]
    kept = recent[~recent[flag]] if flag else recent
    by = kept.groupby("township_code")[column]
    if cfg.statistic == "median":
        value = by.median()
    elif cfg.statistic == "trimmed_mean":
        from scipy.stats import trim_mean

        value = by.apply(lambda x: trim_mean(x.dropna(), cfg.trim) if x.notna().any() else np.nan)
    else:
        value = by.mean()
    if flag:
        fallback = frame[~frame[flag]].groupby("township_code")[column].median()
        value = value.reindex(regions).fillna(fallback.reindex(regions))
    return value.reindex(regions)


def estimate(county, migration_years: int | None = None) -> BaseRates:
    """Estimate base rates for every township of ``county`` (a validated County); ``migration_years``: the net
    migration window (default: the first of config ``base_rates.migration_years``)."""
    cfg = rules(county).base_rates
    warnings: list[str] = []
    pop = county.township_population()
    regions = np.array(sorted(pop["township_code"].unique()))
    cube = _cube(pop, regions)
    shape = asfr_shape()
    std = standard_mx()
    vital = county.vital_history[county.vital_history["year"] < county.base_year]
    if vital.empty:  # a back-test whose history starts at its base year (its rates from the years after)
        vital = county.vital_history
    window = migration_years or cfg.migration_years[0]
    yearly = yearly_rates(vital, regions, cube, shape, std, cfg, window)
    tfr = _statistic(yearly, "tfr", cfg.recent_years, None, cfg, regions).to_numpy()
    k = _statistic(yearly, "k", cfg.recent_years, "outlier_k", cfg, regions).to_numpy()
    net = _statistic(yearly, "net", window, "outlier_net", cfg, regions).to_numpy()
    mig = rules(county).migration
    long = _statistic(
        yearly, "net", mig.fit_years, "outlier_net", cfg.model_copy(update={"statistic": "mean"}), regions
    ).to_numpy()
    rho = migration_persistence(yearly, regions, mig.fit_years, mig.max_rho)
    missing = regions[np.isnan(tfr) | np.isnan(k)]
    if len(missing):
        warnings.append(ui("note_no_vital_history", townships=", ".join(missing)))
    exposure = cube[:, 1, :] @ shape
    known = ~np.isnan(tfr)
    county_tfr = float((tfr[known] * exposure[known]).sum() / exposure[known].sum()) if known.any() else 1.0
    expected = (cube * std[None]).sum(axis=(1, 2))
    known_k = ~np.isnan(k)
    county_k = float((k[known_k] * expected[known_k]).sum() / expected[known_k].sum()) if known_k.any() else 1.0
    last = yearly.groupby("township_code")["year"].transform("max")
    left_out = yearly[
        (yearly["outlier_k"] & (yearly["year"] > last - cfg.recent_years))
        | (yearly["outlier_net"] & (yearly["year"] > last - window))
    ]
    if len(left_out):
        warnings.append(
            ui(
                "note_outlier_years",
                years="; ".join(f"{code} {year}" for code, year in zip(left_out["township_code"], left_out["year"])),
            )
        )
    warnings.append(
        ui(
            "note_base_rate_statistic",
            statistic=ui(f"statistic_{cfg.statistic}"),
            years=cfg.recent_years,
            migration_years=window,
        )
    )
    warnings += [ui("note_fertility_method"), ui("note_mortality_method"), ui("note_migration_method")]
    migration = rogers_castro()
    migration[MIGRATION_MAX_AGE:] = 0  # the constant term would take out-migrants from near-empty oldest cells
    profile = np.stack([migration, migration]) / (2 * migration.sum())
    return BaseRates(
        regions=regions,
        population=cube,
        tfr=np.nan_to_num(tfr, nan=county_tfr),
        county_tfr=county_tfr,
        asfr_shape=shape,
        mortality_factor=np.nan_to_num(k, nan=county_k),
        standard_mx=std,
        net_migration=np.nan_to_num(net, nan=0.0),
        migration_profile=profile,
        married_share=_married(county.married_share, regions),
        history=_history(vital),
        warnings=tuple(warnings),
        yearly=yearly,
        statistic=cfg.statistic,
        migration_years=window,
        net_migration_long=np.where(np.isnan(long), np.nan_to_num(net), long),
        migration_rho=rho,
        migration_reversion=cfg.migration_reversion,
    )


def migration_persistence(yearly: pd.DataFrame, regions: np.ndarray, fit_years: int, max_rho: float) -> float:
    """The AR(1) coefficient of yearly net migration per person around each township's mean over its last
    ``fit_years`` years, pooled over townships (Σ d_t·d_(t−1) / Σ d_(t−1)²), in [0, ``max_rho``]; 0 without
    pairs of years."""
    if yearly is None or yearly.empty:
        return 0.0
    recent = yearly[yearly["year"] > yearly["year"].max() - fit_years]
    wide = recent.pivot_table(index="year", columns="township_code", values="net_rate").reindex(columns=regions)
    dev = (wide - wide.mean()).to_numpy()
    now, before = dev[1:], dev[:-1]
    pairs = ~np.isnan(now) & ~np.isnan(before)
    if not pairs.any():
        return 0.0
    return float(np.clip((now[pairs] * before[pairs]).sum() / max((before[pairs] ** 2).sum(), 1e-300), 0.0, max_rho))


def _married(share: pd.DataFrame, regions: np.ndarray) -> np.ndarray:
    """Married shares (R, 35); NaN (no data, never 0) where the county has none (a back-test's folder)."""
    county = share[share["township_code"].isna()].set_index("age")["share"].reindex(range(15, 50)).to_numpy()
    out = np.tile(county, (len(regions), 1))
    own = share[share["township_code"].notna()]
    if len(own):
        wide = own.pivot(index="township_code", columns="age", values="share").reindex(columns=range(15, 50))
        for i, code in enumerate(regions):
            if code in wide.index:
                out[i] = wide.loc[code].fillna(pd.Series(county, index=range(15, 50))).to_numpy()
    return out


def _history(vital: pd.DataFrame) -> pd.DataFrame:
    by_year = vital.groupby("year").sum(numeric_only=True)
    return pd.DataFrame(
        {
            "births": by_year["births_male"] + by_year["births_female"],
            "deaths": by_year["deaths_male"] + by_year["deaths_female"],
            "net_migration": by_year["in_migrants"] - by_year["out_migrants"],
        }
    )
