"""Stations' floor area against need, year by year, and the construction plan's money.

- Need of a station in a year = the standard area of its level at the plan's target grade
  (config/standards.yaml ``floor_area``) × max(1, women 15–49 it serves / the standard's reference women):
  the national grade sets the floor, a larger catchment needs proportionally more.
- Capacity: today's floor area until the project's completion year, the target area from that year on
  (a project completing in year Y serves from Y).
- Cash flow: the given yearly disbursement, else the cost spread evenly over start … completion years.
- Ranking: m² of gap closed at completion (capacity rise, capped at the need) per 万元 of cost.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from fpplan.staffing import Standards

BUILDING_LEVELS = ("county_station", "township_central", "township_general")


def shift_completion(plan: pd.DataFrame, changes: dict[str, int]) -> pd.DataFrame:
    """The plan with some projects' completion year set to ``changes[station]`` (start years move with them)."""
    plan = plan.copy()
    for station, year in changes.items():
        row = plan["station_code"] == station
        delta = year - plan.loc[row, "completion_year"]
        plan.loc[row, "start_year"] += delta
        plan.loc[row, "completion_year"] = year
    return plan


def served_women(facilities: pd.DataFrame, projected: pd.DataFrame) -> pd.DataFrame:
    """station, year, women_15_49 served: a station serves its own township; the county station serves its
    township (the county seat). ``projected``: township_code, year, women_15_49."""
    stations = facilities[facilities["level"].isin(BUILDING_LEVELS)][["code", "township_code"]]
    merged = stations.merge(projected[["township_code", "year", "women_15_49"]], on="township_code")
    return merged.rename(columns={"code": "station"})[["station", "year", "women_15_49"]]


def capacity_timeline(facilities: pd.DataFrame, plan: pd.DataFrame, standards: Standards, served: pd.DataFrame
                      ) -> pd.DataFrame:
    """station, level, year, floor_area_m2, need_m2, gap_m2 (need − area, > 0 is a shortfall), grade."""
    fac = facilities[facilities["level"].isin(BUILDING_LEVELS)].set_index("code")
    grid = served.merge(plan.set_index("station_code"), left_on="station", right_index=True, how="left")
    grid["level"] = grid["station"].map(fac["level"])
    current = grid["station"].map(fac["floor_area_m2"])
    done = grid["completion_year"].notna() & (grid["year"] >= grid["completion_year"])
    grid["floor_area_m2"] = np.where(done, grid["target_floor_area_m2"], current)
    grid["grade"] = np.where(done, grid["target_grade"], grid["station"].map(fac["grade"]))
    target_grade = grid["target_grade"].fillna(grid["station"].map(fac["grade"]))
    standard = [standards.floor_area[lvl].get(g, np.nan) for lvl, g in zip(grid["level"], target_grade)]
    reference = grid["level"].map(lambda lvl: standards.floor_area[lvl]["reference_women_15_49"])
    grid["need_m2"] = np.asarray(standard, dtype=float) * np.maximum(1.0, grid["women_15_49"] / reference)
    grid["gap_m2"] = grid["need_m2"] - grid["floor_area_m2"]
    return grid[["station", "level", "year", "women_15_49", "floor_area_m2", "grade", "need_m2", "gap_m2"]].sort_values(
        ["station", "year"]).reset_index(drop=True)


def first_shortfall(timeline: pd.DataFrame, plan: pd.DataFrame) -> pd.DataFrame:
    """Per station: the first year it falls short, whether before its project completes, and the largest gap."""
    short = timeline[timeline["gap_m2"] > 0]
    first = short.groupby("station")["year"].min()
    last = short.groupby("station")["year"].max()
    out = timeline.groupby("station").agg(level=("level", "first"), max_gap_m2=("gap_m2", "max")).reset_index()
    out["first_short_year"] = out["station"].map(first)
    out["last_short_year"] = out["station"].map(last)
    out["completion_year"] = out["station"].map(plan.set_index("station_code")["completion_year"])
    out["short_after_completion"] = out["last_short_year"] >= out["completion_year"]
    return out.sort_values(["first_short_year", "station"], na_position="last").reset_index(drop=True)


def cash_flow(plan: pd.DataFrame, disbursement: pd.DataFrame) -> pd.DataFrame:
    """station, year, amount_wan_yuan: given disbursements, else cost spread evenly from start to completion."""
    given = set(disbursement["station_code"])
    spread = plan[~plan["station_code"].isin(given)]
    years = spread.apply(lambda r: list(range(int(r["start_year"]), int(r["completion_year"]) + 1)), axis=1)
    even = spread.assign(year=years).explode("year")
    even["amount_wan_yuan"] = even["cost_wan_yuan"] / even.groupby("station_code")["year"].transform("count")
    flows = pd.concat([even[["station_code", "year", "amount_wan_yuan"]], disbursement[["station_code", "year", "amount_wan_yuan"]]])
    flows["year"] = flows["year"].astype(int)
    return flows.rename(columns={"station_code": "station"}).sort_values(["year", "station"]).reset_index(drop=True)


def budget(plan: pd.DataFrame, timeline: pd.DataFrame) -> pd.DataFrame:
    """The projects with cost, self-raised and subsidy, the m² of gap they close and that per 万元, ranked."""
    at_completion = timeline.merge(plan[["station_code", "completion_year"]], left_on=["station", "year"],
                                   right_on=["station_code", "completion_year"])
    before = timeline.set_index(["station", "year"])["floor_area_m2"]
    rows = []
    for r in at_completion.itertuples():  # one row per project
        prior = before.get((r.station, r.year - 1), np.nan)
        if np.isnan(prior):
            prior = timeline.loc[timeline["station"] == r.station, "floor_area_m2"].iloc[0]
        closed = min(r.floor_area_m2, r.need_m2) - min(prior, r.need_m2)
        rows.append({"station_code": r.station, "gap_closed_m2": max(closed, 0.0)})
    closed = pd.DataFrame(rows, columns=["station_code", "gap_closed_m2"])
    out = plan.merge(closed, on="station_code", how="left").fillna({"gap_closed_m2": 0.0})
    out["m2_per_wan_yuan"] = out["gap_closed_m2"] / out["cost_wan_yuan"].where(out["cost_wan_yuan"] > 0)
    out["rank"] = out["m2_per_wan_yuan"].rank(ascending=False, method="min").astype("Int64")
    return out.sort_values("rank").reset_index(drop=True)
