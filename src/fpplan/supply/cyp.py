"""Contraceptive supply (避孕药具发放, one of the five functions "五位一体", seed 000 第五篇 三(二)): couple-years of
protection (CYP) of what was given out, the method mix, and the supply a projected population needs. Pure
functions of tables and config/contraceptives.yaml (``methods``: code → Method with ``cyp_per_unit``).

- CYP (USAID; Stover, Bertrand & Shelton 2000): Σ over methods of units given out × CYP per unit (15 cycles of pills,
  120 condoms or 4 DMPA doses give 1 CYP; a Cu-T 380A IUD inserted gives 4.6; sterilisation 10.3 in Asia outside
  India, Bangladesh and Nepal). Procedures the monthly report counts (IUD insertions, sterilisations: a method's
  ``report_element``) are read from the report, the rest from the supply table.
- Method mix: each method's share of the CYP of a period (the protection it gave), the usual proxy where users by
  method are not counted.
- Supply needed, steady state: users of a method = married women 15–49 × prevalence × the method's share; a year's
  units = users / CYP per unit (a user of pills needs 15 cycles a year, one of the IUD an insertion every 4.6
  years on average, so users / 4.6 insertions a year keep the stock of users). No stock-keeping buffer is added.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from fpplan.indicators import periods
from fpplan.indicators.reports import rollup

DISTRIBUTED = ["unit", "period", "method", "units", "cyp"]
NEED = ["township_code", "year", "method", "users", "units_needed", "cyp"]


def cyp(quantities: pd.DataFrame, methods: dict) -> pd.DataFrame:
    """``quantities`` (any key columns, ``method``, ``units``) with ``cyp`` = units × the method's CYP per unit.
    A method not in ``methods`` is a ValueError (the data layer names it first)."""
    unknown = sorted(set(quantities["method"]) - set(methods))
    if unknown:
        raise ValueError(f"methods without a CYP factor: {', '.join(unknown)}")
    factor = quantities["method"].map({code: m.cyp_per_unit for code, m in methods.items()}).astype(float)
    return quantities.assign(cyp=quantities["units"].astype(float) * factor)


def distributed(county, level: str = "township", kind: str = "year") -> pd.DataFrame:
    """Units given out and their CYP by unit at ``level``, period of ``kind`` and method: the supply table's
    commodities and the report's procedures (``report_element``), summed over villages and months."""
    methods = county.config["contraceptives"].methods
    units = rollup(county, level)
    supply = county.contraceptive_supply
    parts = [
        pd.DataFrame(
            {
                "unit": supply["unit_code"].map(units),
                "month": supply["month"],
                "method": supply["method"],
                "units": supply["units_distributed"].astype(float),
            }
        )
    ]
    stats = county.service_stats
    for code, method in methods.items():  # the two or three procedures the report counts
        if method.report_element and method.report_element in stats:
            parts.append(
                pd.DataFrame(
                    {
                        "unit": stats["village_code"].map(units),
                        "month": stats["month"],
                        "method": code,
                        "units": stats[method.report_element].astype(float),
                    }
                )
            )
    data = pd.concat(parts, ignore_index=True).dropna(subset=["unit", "units"])
    if data.empty:
        return pd.DataFrame(columns=DISTRIBUTED)
    data["period"] = periods.of_months(data["month"].astype(str), kind)
    sums = data.groupby(["unit", "period", "method"], as_index=False)["units"].sum()
    return cyp(sums, methods)[DISTRIBUTED]


def method_mix(table: pd.DataFrame, by: list[str] | None = None) -> pd.DataFrame:
    """Each method's share of the CYP within each group of ``by`` (columns of ``table``; none: the whole table):
    ``by`` columns, method, share (summing to 1 in each group; a group with no CYP has no rows)."""
    by = list(by or [])
    sums = table.groupby([*by, "method"], as_index=False)["cyp"].sum()
    total = sums.groupby(by)["cyp"].transform("sum") if by else sums["cyp"].sum()
    sums = sums.assign(share=sums["cyp"] / total)
    return sums[sums["share"].notna() & np.isfinite(sums["share"])][[*by, "method", "share"]].reset_index(drop=True)


def prevalence(county, year: int | None = None) -> pd.Series:
    """Contraceptive prevalence among married women 15–49 by township (the reports' users / married women, averaged
    over the year's months; the last reported year by default), and a ``county`` entry for the whole county."""
    stats = county.service_stats
    year = int(stats["month"].str[:4].max()) if year is None else year
    part = stats[stats["month"].str[:4].astype(int) == year]
    township = part["village_code"].map(rollup(county, "township"))
    sums = part.groupby(township)[["contraceptive_users", "married_women_15_49"]].sum()
    out = (sums["contraceptive_users"] / sums["married_women_15_49"]).rename_axis("township_code")
    out.loc["county"] = sums["contraceptive_users"].sum() / sums["married_women_15_49"].sum()
    return out


def supply_need(
    married_women: pd.DataFrame, prevalence: float | pd.Series, mix: pd.DataFrame, methods: dict
) -> pd.DataFrame:
    """The units of each method a year needs, by township and year (steady state; see the module docstring).

    ``married_women``: township_code, year, married_women_15_49 (the projection's; ``fpplan.planning.demand.
    projected_bases`` renamed); ``prevalence``: one share for all or a Series by township_code (a missing township
    takes the ``county`` entry); ``mix``: method, share (one county-wide mix) or township_code, method, share.
    Returns township_code, year, method, users, units_needed, cyp (= users: a year's protection for each user)."""
    base = married_women[["township_code", "year", "married_women_15_49"]]
    if isinstance(prevalence, pd.Series):
        rate = base["township_code"].map(prevalence)
        rate = rate.fillna(prevalence.get("county", np.nan))
    else:
        rate = pd.Series(float(prevalence), index=base.index)
    users = base.assign(users=base["married_women_15_49"].to_numpy(float) * rate.to_numpy(float))
    on = ["township_code"] if "township_code" in mix else []
    table = users.merge(mix, on=on, how="inner") if on else users.merge(mix, how="cross")
    table["users"] = table["users"] * table["share"]
    per_unit = table["method"].map({code: m.cyp_per_unit for code, m in methods.items()}).astype(float)
    table["units_needed"] = table["users"] / per_unit
    table["cyp"] = table["users"]
    return table.sort_values(["township_code", "year", "method"], ignore_index=True)[NEED]
