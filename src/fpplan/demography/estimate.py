"""Base rates from a county's data: township fertility, mortality and migration, with the fallbacks used.

The county tables have births and deaths by township and year but not by the mother's or the deceased's age,
so age patterns come from standard schedules scaled to the observed levels (the fallback the issue names):
- fertility: China's ASFR shape (WPP 2017, 2020-2025) scaled so that the township's base-year women would have
  had its observed births (mean of the last three history years) → a township TFR;
- mortality: China's 2020-2025 mx (WPP 2017) times a township factor k = observed deaths / expected deaths;
- migration: each township's mean net migration (in − out) over the last three years; age pattern
  Rogers–Castro. Without history for a township, county rates are used and a warning says so.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from fpplan.data.labels import ui
from fpplan.demography.schedules import asfr_shape, rogers_castro, standard_mx

RECENT_YEARS = 3
MIGRATION_MAX_AGE = 90


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
    married_share: np.ndarray  # (R, 35) ages 15–49
    history: pd.DataFrame  # county totals by year: births, deaths, net_migration, population (back-cast)
    warnings: tuple[str, ...] = field(default=())


def _recent(vital: pd.DataFrame) -> pd.DataFrame:
    last = vital["year"].max()
    recent = vital[vital["year"] > last - RECENT_YEARS]
    return recent.groupby("township_code").mean(numeric_only=True)


def estimate(county) -> BaseRates:
    """Estimate base rates for every township of ``county`` (a validated County)."""
    warnings: list[str] = []
    pop = county.township_population()
    regions = np.array(sorted(pop["township_code"].unique()))
    cube = (pop.pivot_table(index="township_code", columns=["sex", "age"], values="population", aggfunc="sum")
            .reindex(index=regions, columns=pd.MultiIndex.from_product([["male", "female"], range(101)]), fill_value=0.0)
            .to_numpy().reshape(len(regions), 2, 101))
    shape = asfr_shape()
    std = standard_mx()
    recent = _recent(county.vital_history).reindex(regions)
    missing = recent.index[recent.isna().any(axis=1)]
    if len(missing):
        warnings.append(ui("note_no_vital_history", townships=", ".join(missing)))
    births = (recent["births_male"] + recent["births_female"]).to_numpy()
    exposure = cube[:, 1, :] @ shape  # births a TFR of 1 would give
    county_tfr = float(np.nansum(births) / exposure[~np.isnan(births)].sum())
    tfr = np.where(np.isnan(births), county_tfr, births / np.where(exposure > 0, exposure, np.nan))
    expected_deaths = (cube * std[None]).sum(axis=(1, 2))
    deaths = (recent["deaths_male"] + recent["deaths_female"]).to_numpy()
    county_k = np.nansum(deaths) / expected_deaths[~np.isnan(deaths)].sum()
    k = np.where(np.isnan(deaths), county_k, deaths / expected_deaths)
    net = (recent["in_migrants"] - recent["out_migrants"]).fillna(0.0).to_numpy()
    warnings += [ui("note_fertility_method"), ui("note_mortality_method"), ui("note_migration_method")]
    migration = rogers_castro()
    migration[MIGRATION_MAX_AGE:] = 0  # the constant term would take out-migrants from near-empty oldest cells
    profile = np.stack([migration, migration]) / (2 * migration.sum())
    return BaseRates(
        regions=regions, population=cube, tfr=np.nan_to_num(tfr, nan=county_tfr), county_tfr=county_tfr,
        asfr_shape=shape, mortality_factor=k, standard_mx=std, net_migration=net, migration_profile=profile,
        married_share=_married(county.married_share, regions), history=_history(county.vital_history),
        warnings=tuple(warnings),
    )


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
    return pd.DataFrame({
        "births": by_year["births_male"] + by_year["births_female"],
        "deaths": by_year["deaths_male"] + by_year["deaths_female"],
        "net_migration": by_year["in_migrants"] - by_year["out_migrants"],
    })
