"""The County's monthly tables as the indicator engines read them (pure pandas: no store, no file).

- :func:`report_values`: the monthly village reports as a long table (village_code, month, element, value);
- :func:`submissions`: when each village-month was received (village_code, month, reported_on);
- :func:`report_grid`: every village × month from the first to the last month reported, received or not;
- :func:`rollup`: any unit code (county, township, village) → its unit at a level.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from fpplan.data.memo import per_county

KEYS = ("village_code", "month", "reported_on")


@per_county
def report_values(county) -> pd.DataFrame:
    """village_code, month, element, value: every value reported (blanks left out), sorted."""
    stats = county.service_stats
    elements = [c for c in stats.columns if c not in KEYS]
    long = stats.melt(id_vars=["village_code", "month"], value_vars=elements, var_name="element")
    long = long.dropna(subset=["value"]).astype({"value": float})
    return long.sort_values(["village_code", "month", "element"], ignore_index=True)


@per_county
def submissions(county) -> pd.DataFrame:
    """village_code, month, reported_on (NaT where the date is blank)."""
    subs = county.service_stats[["village_code", "month", "reported_on"]].copy()
    subs["reported_on"] = pd.to_datetime(subs["reported_on"])
    return subs.sort_values(["village_code", "month"], ignore_index=True)


@per_county
def report_grid(county, timely_days: int) -> pd.DataFrame:
    """Every village × month from the first to the last month reported: village_code, township_code, month,
    received, reported_on, days_late (days after the month's end beyond ``timely_days``; ≤ 0 is on time)."""
    subs = submissions(county)
    villages = county.villages()[["code", "township_code"]].rename(columns={"code": "village_code"})
    if subs.empty:
        return villages.assign(month="", received=False, reported_on=pd.NaT, days_late=np.nan).iloc[:0]
    months = pd.period_range(subs["month"].min(), subs["month"].max(), freq="M").strftime("%Y-%m")
    grid = villages.merge(pd.DataFrame({"month": months}), how="cross").merge(
        subs, on=["village_code", "month"], how="left", indicator=True
    )
    ends = {
        m: p.to_timestamp(how="end").normalize()
        for m, p in zip(months, pd.period_range(months[0], months[-1], freq="M"))
    }
    month_end = pd.to_datetime(grid["month"].map(ends))
    grid["received"] = grid.pop("_merge") == "both"
    grid["days_late"] = (grid["reported_on"] - month_end).dt.days - timely_days
    return grid


@per_county
def rollup(county, level: str) -> pd.Series:
    """Unit code → the code of the unit at ``level`` that contains it: villages map to themselves, their township or
    the county; townships to themselves or the county (to nothing at village level); the county to itself."""
    units = county.units
    code = units["code"]
    parent = units.set_index("code")["parent_code"]
    lvl = units["level"].to_numpy()
    if level == "village":
        out = np.where(lvl == "village", code, None)
    elif level == "township":
        out = np.where(lvl == "village", code.map(parent), np.where(lvl == "township", code, None))
    elif level == "county":
        out = np.full(len(code), county.county_code, dtype=object)
    else:
        raise ValueError("level must be village, township or county")
    return pd.Series(out, index=code.to_numpy()).dropna()


@per_county
def unit_map(county, level: str) -> pd.Series:
    """village code → the code of its unit at ``level`` (village, township or county)."""
    villages = county.villages()
    return rollup(county, level).reindex(villages["code"].to_numpy())


@per_county
def units_at(county, level: str) -> list[str]:
    """The codes of every unit at ``level``."""
    if level == "county":
        return [county.county_code]
    return county.units.loc[county.units["level"] == level, "code"].tolist()
