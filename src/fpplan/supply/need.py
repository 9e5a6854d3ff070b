"""The contraceptive supply a plan needs (药具需求), by township and year: the projection's married women 15–49 ×
prevalence × the method mix, turned into units with the CYP factors (:func:`fpplan.supply.cyp.supply_need`, steady
state, no stock-keeping buffer).

- Mix: each method's share of the CYP given out in the county's latest year of the supply table (commodities given
  out and the report's IUD insertions and sterilisations, :func:`fpplan.supply.cyp.distributed`), the usual proxy
  for the share of users; a county without the supply table takes config/contraceptives.yaml ``default_mix`` (the
  report's procedures alone would leave out every commodity).
- Prevalence: the reports' contraceptive users / married women 15–49 by township in their last year (a township
  without it takes the county's); a county whose reports do not count users takes ``default_prevalence``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from fpplan.supply.cyp import NEED, distributed, method_mix, prevalence, supply_need


@dataclass(frozen=True)
class SupplyPlan:
    """``need``: township_code, year, method, users, units_needed, cyp; ``mix``: method, share; ``mix_year``: the
    supply table's year the mix is from (None: config's ``default_mix``); ``prevalence``: by township_code and
    ``county``; ``prevalence_from``: ``reports`` or ``config``."""

    need: pd.DataFrame
    mix: pd.DataFrame
    mix_year: int | None
    prevalence: pd.Series
    prevalence_from: str


def county_mix(county) -> tuple[pd.DataFrame, int | None]:
    """method, share: the CYP mix of the supply table's latest year, or the config's default mix (year None)."""
    config = county.config["contraceptives"]
    supply = county.contraceptive_supply
    if county.has("contraceptive_supply") and len(supply):
        year = int(supply["month"].astype(str).str[:4].max())
        given = distributed(county, "county", "year")
        mix = method_mix(given[given["period"] == str(year)])
        if len(mix):
            return mix, year
    return pd.DataFrame({"method": list(config.default_mix), "share": list(config.default_mix.values())}), None


def county_prevalence(county) -> tuple[pd.Series, str]:
    """Prevalence by township (and ``county``) from the reports, or the config's default (``config``)."""
    stats = county.service_stats
    config = county.config["contraceptives"]
    counted = (
        {"contraceptive_users", "married_women_15_49"} <= set(stats.columns)
        and len(stats)
        and stats["contraceptive_users"].notna().any()
        and stats["married_women_15_49"].notna().any()
    )
    if counted:
        rate = prevalence(county).replace([np.inf, -np.inf], np.nan).dropna().clip(0, 1)
        if "county" in rate:
            return rate, "reports"
    if config.default_prevalence is None:
        raise ValueError("no contraceptive users in the reports and no default_prevalence in contraceptives.yaml")
    return pd.Series({"county": config.default_prevalence}), "config"


def supply_plan(county, bases: pd.DataFrame, years) -> SupplyPlan:
    """The supply needed in ``years`` by township (``bases``: township_code, year, married_women_15_49, from
    :func:`fpplan.planning.demand.projected_bases`)."""
    mix, mix_year = county_mix(county)
    rate, rate_from = county_prevalence(county)
    married = bases[bases["year"].isin(list(years))][["township_code", "year", "married_women_15_49"]]
    need = (
        supply_need(married, rate, mix, county.config["contraceptives"].methods)
        if len(married)
        else pd.DataFrame(columns=NEED)
    )
    return SupplyPlan(need, mix, mix_year, rate, rate_from)
