"""What the county recorded in its recent years, to stand beside a scenario's inputs: births, deaths, in- and
out-migrants, net migration and the total fertility rate those births imply, year by year.

TFR of a year = the county's recorded births ÷ Σ over ages of the women of that age at the year's start × China's
standard ASFR shape (UN WPP 2017, 2020–2025, summing to 1: ``schedules.asfr_shape``): the TFR at which the women
there were would have had the births recorded — the same estimate :func:`fpplan.demography.estimate.estimate`
makes from the mean of the last three years. Women at a year's start: brought forward from the population table
with the records (fpplan.data.forward) for the years from the population table's year to the base year; for
earlier years the population table's own women stand in (``women_from`` says which).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from fpplan.data.base.schedules import asfr_shape
from fpplan.data.forward import bring_forward

RECENT = 5
COLUMNS = ["year", "births", "deaths", "in_migrants", "out_migrants", "net_migration", "tfr", "women_from"]


def observed(county, years: int = RECENT) -> pd.DataFrame:
    """The last ``years`` recorded years of the county (``COLUMNS``; ``women_from``: ``forward`` or ``census``)."""
    vital = county.vital_history
    if vital.empty:
        return pd.DataFrame(columns=COLUMNS)
    last = int(vital["year"].max())
    chosen = vital[vital["year"] > last - years]
    totals = chosen.groupby("year")[
        ["births_male", "births_female", "deaths_male", "deaths_female", "in_migrants", "out_migrants"]
    ].sum()
    census = county.census()
    pop = census.township_population()
    women = pop[(pop["sex"] == "female") & pop["age"].between(15, 49)].groupby("age")["population"].sum()
    women_by_year = {}
    if county.base_year > census.base_year:  # brought forward: the women of every year in between
        forward = bring_forward(pop, vital, census.base_year, county.base_year)
        women_by_year = {int(y): f.groupby("age")["women"].sum() for y, f in forward.women.groupby("year")}
    shape = pd.Series(asfr_shape()[15:50], index=np.arange(15, 50))
    exposure, source = [], []
    for year in totals.index:  # five years
        w = women_by_year.get(int(year), women)
        exposure.append(float((w.reindex(shape.index, fill_value=0.0) * shape).sum()))
        source.append("forward" if int(year) in women_by_year else "census")
    births = totals["births_male"] + totals["births_female"]
    out = pd.DataFrame(
        {
            "year": totals.index.astype(int),
            "births": births.to_numpy(),
            "deaths": (totals["deaths_male"] + totals["deaths_female"]).to_numpy(),
            "in_migrants": totals["in_migrants"].to_numpy(),
            "out_migrants": totals["out_migrants"].to_numpy(),
            "net_migration": (totals["in_migrants"] - totals["out_migrants"]).to_numpy(),
            "tfr": births.to_numpy() / np.where(np.array(exposure) > 0, exposure, np.nan),
            "women_from": source,
        }
    )
    return out[COLUMNS].reset_index(drop=True)
