"""Indicators of a region's counties, rolled up county → region the DHIS2 way, and the counties ranked.

Each county's scorecard comes from the public ``fpplan.indicators.scorecard.scorecard`` (its own catalogue, store
and targets). The region's value of an indicator is Σ numerators / Σ denominators over its counties, times the
scale each county applied (the factor, and the annualisation of a shorter period, read back from the counties'
own value = numerator / denominator × scale): percentages are never averaged, so a large county weighs as its
people do. Units at the chosen level are ranked by the share of their indicators with a target that are met
(ties: fewer missed, then code).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from fpplan.indicators.catalogue import JUDGED  # the traffic lights of catalogue.status


@dataclass(frozen=True)
class RegionScorecard:
    cards: pd.DataFrame  # every county's scorecard rows, with a ``county`` column
    region: pd.DataFrame  # indicator, name, numerator, denominator, value, target, units_met, units_counted
    ranking: pd.DataFrame  # rank, county, unit, indicators_green, …_amber, …_red, …_with_target, share_met


def roll_up(cards: pd.DataFrame) -> pd.DataFrame:
    """Region rows from county scorecard rows (columns indicator, numerator, denominator, value, status,
    name, target): Σ numerator / Σ denominator × the counties' scale."""
    rows = cards.dropna(subset=["numerator", "denominator"])
    every = pd.Index(cards["indicator"].unique(), name="indicator")  # one row per indicator, with a value or not
    sums = rows.groupby("indicator")[["numerator", "denominator"]].sum().reindex(every)
    usable = rows[(rows["numerator"] != 0) & (rows["denominator"] > 0) & rows["value"].notna()]
    scale = (usable["value"] * usable["denominator"] / usable["numerator"]).groupby(usable["indicator"]).median()
    value = np.where(
        sums["denominator"] > 0,
        sums["numerator"] / sums["denominator"].where(sums["denominator"] > 0) * scale.reindex(sums.index).fillna(1.0),
        np.nan,
    )
    met = cards.assign(met=cards["status"] == "green").groupby("indicator")["met"].sum()
    counted = cards[cards["status"].isin(JUDGED)].groupby("indicator").size()
    first = cards.drop_duplicates("indicator").set_index("indicator")
    out = pd.DataFrame(
        {
            "name": first["name"].reindex(sums.index),
            "numerator": sums["numerator"],
            "denominator": sums["denominator"],
            "value": value,
            "target": first["target"].reindex(sums.index),
            "units_met": met.reindex(sums.index).fillna(0).astype(int),
            "units_counted": counted.reindex(sums.index).fillna(0).astype(int),
        }
    )
    return out.reset_index()


def rank(cards: pd.DataFrame) -> pd.DataFrame:
    """Units ranked by their share of indicators met among those with a target and a value."""
    counts = pd.crosstab([cards["county"], cards["unit"]], cards["status"]).reindex(columns=list(JUDGED), fill_value=0)
    counts.columns = [f"indicators_{c}" for c in JUDGED]
    counts["indicators_with_target"] = counts.sum(axis=1)
    total = counts["indicators_with_target"]
    counts["share_met"] = counts["indicators_green"] / total.where(total > 0)
    counts = counts.reset_index().sort_values(["share_met", "indicators_red", "unit"], ascending=[False, True, True])
    counts.insert(0, "rank", np.arange(1, len(counts) + 1))
    return counts.reset_index(drop=True)


def region_scorecard(counties: dict, level: str, period: str, target_set: str | None = None) -> RegionScorecard:
    """Every county's scorecard at ``level`` for ``period``, the region roll-up and the ranking of the units."""
    from fpplan.indicators.scorecard import scorecard

    cards = pd.concat(
        [scorecard(county, level, period, target_set).assign(county=code) for code, county in counties.items()],
        ignore_index=True,
    )  # a handful of counties
    cards.insert(0, "county", cards.pop("county"))
    return RegionScorecard(cards=cards, region=roll_up(cards), ranking=rank(cards))
