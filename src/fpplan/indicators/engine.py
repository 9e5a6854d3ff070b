"""Rolling reports up and computing indicators, as DHIS2 does: each data element is aggregated over time within
each village by its type (flows: sum; stocks: average or last value of the period), then summed up the hierarchy
village → township → county; an indicator divides the aggregated numerator by the aggregated denominator at the
level asked for (percentages are never averaged). A zero denominator gives no value (NaN).

Besides the report's elements, ``women_15_49`` and ``population`` come from the county's base-year population
data (a stock, the same every month) and ``reporting_villages`` is 1 for each village that reported (last).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from fpplan.data.models.indicators import Catalogue
from fpplan.indicators import periods
from fpplan.indicators.catalogue import EXTRA_ELEMENTS, evaluate


def time_types(county) -> dict[str, str]:
    return {code: e.time for code, e in county.config["data_elements"].elements.items()} | EXTRA_ELEMENTS


def with_extra_elements(long: pd.DataFrame, county) -> pd.DataFrame:
    """Add women_15_49, population (for every village and month present) and reporting_villages."""
    pop = county.population
    village_pop = pop.groupby("unit_code")["population"].sum()
    women = pop[(pop["sex"] == "female") & pop["age"].between(15, 49)].groupby("unit_code")["population"].sum()
    months = pd.Series(sorted(long["month"].unique()), name="month")
    villages = county.villages()["code"]
    grid = pd.MultiIndex.from_product([villages, months], names=["village_code", "month"]).to_frame(index=False)
    extra = [grid.assign(element="population", value=grid["village_code"].map(village_pop).fillna(0.0)),
             grid.assign(element="women_15_49", value=grid["village_code"].map(women).fillna(0.0))]
    reported = long[["village_code", "month"]].drop_duplicates().assign(element="reporting_villages", value=1.0)
    return pd.concat([long, *extra, reported], ignore_index=True)


def unit_map(county, level: str) -> pd.Series:
    """village code → the code of its unit at ``level`` (village, township or county)."""
    villages = county.villages()
    if level == "village":
        return pd.Series(villages["code"].to_numpy(), index=villages["code"])
    if level == "township":
        return pd.Series(villages["township_code"].to_numpy(), index=villages["code"])
    if level == "county":
        return pd.Series(county.county_code, index=villages["code"])
    raise ValueError("level must be village, township or county")


def aggregate(long: pd.DataFrame, types: dict[str, str], units: pd.Series, kind: str,
              only: list[str] | None = None) -> pd.DataFrame:
    """Element values by (unit, period): rows unit × period, one column per element.

    ``long``: village_code, month, element, value; ``types``: element → sum/average/last; ``units``: village →
    unit at the level; ``kind``: month, quarter, half_year or year, or a period id to treat all of ``long`` as
    that one period (e.g. a rolling year); ``only``: keep these period ids."""
    period = periods.of_months(long["month"], kind) if kind in periods.KINDS else kind
    data = long.assign(period=period)
    if only is not None:
        data = data[data["period"].isin(only)]
    data = data.assign(time=data["element"].map(types).fillna("sum"))
    keys = ["village_code", "period", "element"]
    parts = [
        data[data["time"] == "sum"].groupby(keys)["value"].sum(),
        data[data["time"] == "average"].groupby(keys)["value"].mean(),
        data[data["time"] == "last"].sort_values("month").groupby(keys)["value"].last(),
    ]
    per_village = pd.concat(parts).rename("value").reset_index()
    per_village["unit"] = per_village["village_code"].map(units)
    rolled = per_village.groupby(["unit", "period", "element"])["value"].sum()
    return rolled.unstack("element").reset_index()


def indicator_values(values: pd.DataFrame, catalogue: Catalogue, codes: list[str] | None = None,
                     months: pd.Series | int | None = None) -> pd.DataFrame:
    """unit, period, indicator, numerator, denominator, value (factor × num / den; NaN when den is 0).

    ``months``: the length of each row's period, for annualised indicators (default: from the period id)."""
    rows = []
    months = values["period"].map(periods.months_in) if months is None else months
    for code, ind in catalogue.indicators.items():
        if ind.computed or (codes is not None and code not in codes):
            continue
        num = evaluate(ind.numerator, values)
        den = evaluate(ind.denominator, values)
        scale = ind.factor * (12 / months if ind.annualise else 1)
        value = np.where(den > 0, num / den.where(den > 0) * scale, np.nan)
        rows.append(pd.DataFrame({"unit": values["unit"], "period": values["period"], "indicator": code,
                                  "numerator": num, "denominator": den, "value": value}))
    return pd.concat(rows, ignore_index=True)


def compute(long: pd.DataFrame, county, level: str, kind: str, only: list[str] | None = None,
            codes: list[str] | None = None) -> pd.DataFrame:
    """Indicators of the county's catalogue for every unit at ``level`` and every period of ``kind``."""
    full = with_extra_elements(long, county)
    values = aggregate(full, time_types(county), unit_map(county, level), kind, only)
    return indicator_values(values, county.config["indicators"], codes)
