"""The county station's course for township technical staff (seed 004 第六篇, 《全县计划生育工作要点》: "组织乡级技术人员
分期分批到县站进修学习，时间3个月", 全员参与), a row per year of the training plan with its cost.

- Who: the technical staff (技术人员) of the stations of the course's levels (township central and general
  stations) still in post at the plan year (today's roster projected, :mod:`fpplan.planning.roster`), each once; and
  each hire at such a station, in the year of hiring.
- When: those in post in equal batches over the plan's Y years (分期分批): year k (0 … Y−1) takes
  ⌊(k+1)·n/Y⌋ − ⌊k·n/Y⌋ of the n persons.
- Cost: persons × the course's cost per person (config/recruitment.yaml ``training.county_station_course``), the
  county's own money, in the training category of the plan's money.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

COLUMNS = ["year", "in_post_persons", "hired_persons", "persons", "cost_wan_yuan"]


def county_station_courses(
    roster: pd.DataFrame,
    hires: pd.DataFrame,
    facilities: pd.DataFrame,
    technical,
    course,
    first_year: int,
    plan_year: int,
) -> pd.DataFrame:
    """year, in_post_persons, hired_persons, persons, cost_wan_yuan for each year first_year … plan_year (module
    docstring); no rows when the config has no course.

    ``roster``: station, specialty, year, in_post_persons (today's staff still in post); ``hires``: year, station,
    specialty (one row per hire); ``technical``: the specialties counted as technical staff."""
    if course is None or plan_year < first_year:
        return pd.DataFrame({c: pd.Series(dtype=int if c != "cost_wan_yuan" else float) for c in COLUMNS})
    stations = set(facilities.loc[facilities["level"].isin(course.levels), "code"])
    years = np.arange(first_year, plan_year + 1)
    mine = roster["station"].isin(stations) & roster["specialty"].isin(list(technical))
    n = int(roster.loc[mine & (roster["year"] == plan_year), "in_post_persons"].sum())
    k = np.arange(len(years))
    batches = (k + 1) * n // len(years) - k * n // len(years)
    hired = hires[hires["station"].isin(stations) & hires["specialty"].isin(list(technical))]
    hired = hired.groupby("year").size().reindex(years, fill_value=0).to_numpy(int)
    out = pd.DataFrame({"year": years, "in_post_persons": batches, "hired_persons": hired, "persons": batches + hired})
    out["cost_wan_yuan"] = out["persons"] * float(course.cost_wan_yuan)
    return out[COLUMNS]
