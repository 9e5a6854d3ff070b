"""Stations' floor area against need, year by year, and the construction plan's money.

- Need of a station in a year = the standard area of its level at the plan's target grade
  (config/standards.yaml ``floor_area``) × max(1, women 15–49 it serves / the standard's reference women):
  the national grade sets the floor, a larger catchment needs proportionally more. The scaling is a config choice
  (``scale_need_by_women_served``; off: the standard area alone).
- A project whose target area is below its grade's standard area is flagged (:func:`below_standard`).
- Capacity: today's floor area until the project's completion year, the target area from that year on
  (a project completing in year Y serves from Y).
- Cash flow: the given yearly disbursement, else the cost spread evenly over start … completion years.
- Ranking: m² of gap closed at completion (capacity rise, capped at the need) per 万元 of cost.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from fpplan.data.errors import Problem
from fpplan.data.labels import enum_label, label, ui
from fpplan.data.models.planning import Standards

BUILDING_LEVELS = ("county_station", "township_central", "township_general")


def shift_completion(plan: pd.DataFrame, changes: dict[str, int]) -> pd.DataFrame:
    """The plan with a station's (last) project completing in ``changes[station]``; its start year moves with it."""
    plan = plan.copy()
    last = plan.groupby("station_code")["completion_year"].transform("max") == plan["completion_year"]
    target = plan["station_code"].map(changes)
    move = last & target.notna()
    delta = (target - plan["completion_year"]).where(move, 0).astype(int)
    plan["start_year"] += delta
    plan["completion_year"] += delta
    return plan


def served_women(facilities: pd.DataFrame, projected: pd.DataFrame) -> pd.DataFrame:
    """station, year, women_15_49 served: a station serves its own township; the county station serves its
    township (the county seat); stations sharing a township (one added by a scenario) share its women equally.
    ``projected``: township_code, year, women_15_49."""
    stations = facilities[facilities["level"].isin(BUILDING_LEVELS)][["code", "township_code"]]
    merged = stations.merge(projected[["township_code", "year", "women_15_49"]], on="township_code")
    merged["women_15_49"] = merged["women_15_49"] / merged["township_code"].map(
        stations["township_code"].value_counts()
    )
    return merged.rename(columns={"code": "station"})[["station", "year", "women_15_49"]]


def apply_scenario(
    facilities: pd.DataFrame, plan: pd.DataFrame, scenario, standards: Standards, townships, file: str
) -> tuple[pd.DataFrame, pd.DataFrame, list[Problem]]:
    """The stations and the construction plan as a scenario changes them: projects moved (``project_completion``),
    a station's last project aimed at another grade (``grade_changes``: the target area becomes the grade's
    standard area; cost, self-raised and subsidy scale with the area, at the project's cost per m²) and stations
    added with their projects (``stations_added``). Unknown stations or townships, or an added code that exists,
    are problems (``file``: the scenario)."""
    problems = [
        Problem(
            file=file, kind="unknown_reference", column=key, value=code, detail=label("tables", "construction_plan")
        )
        for key, codes in (
            ("project_completion", scenario.project_completion),
            ("grade_changes", scenario.grade_changes),
        )
        for code in codes
        if code not in set(plan["station_code"])
    ]
    added = pd.DataFrame([s.model_dump() for s in scenario.stations_added])
    if len(added):
        problems += [
            Problem(
                file=file, kind="duplicate", column="stations_added", value=c, detail=label("columns", "station_code")
            )
            for c in added["code"]
            if c in set(facilities["code"])
        ]
        problems += [
            Problem(
                file=file, kind="unknown_reference", column="stations_added", value=t, detail=label("tables", "units")
            )
            for t in added["township_code"]
            if t not in set(townships)
        ]
    if problems:
        return facilities, plan, problems
    plan = shift_completion(plan, scenario.project_completion)
    if scenario.grade_changes:
        plan = plan.copy()
        last = plan.groupby("station_code")["completion_year"].transform("max") == plan["completion_year"]
        change = last & plan["station_code"].isin(list(scenario.grade_changes))
        plan.loc[change, "target_grade"] = plan.loc[change, "station_code"].map(scenario.grade_changes)
        area = standard_area(plan[change], facilities, standards)
        ratio = area / plan.loc[change, "target_floor_area_m2"].where(plan.loc[change, "target_floor_area_m2"] > 0)
        for column in ("cost_wan_yuan", "self_raised_wan_yuan", "subsidy_requested_wan_yuan"):
            plan.loc[change, column] = plan.loc[change, column] * ratio.fillna(1.0)
        plan.loc[change, "target_floor_area_m2"] = area
    if len(added):
        # a new station's columns the scenario does not give (e.g. coordinates) are unknown, not invented
        new_fac = added.assign(serves="", grade="none", opening_year=added["completion_year"]).reindex(
            columns=facilities.columns
        )
        facilities = pd.concat([facilities, new_fac], ignore_index=True)
        standard = standard_area(added.rename(columns={"code": "station_code"}), facilities, standards)
        added["target_floor_area_m2"] = added["target_floor_area_m2"].fillna(standard)
        dtypes = plan.dtypes.to_dict()
        plan = pd.concat([plan, added.rename(columns={"code": "station_code"})[list(plan.columns)]], ignore_index=True)
        plan = plan.astype(dtypes)
    return facilities, plan, []


def capacity_timeline(
    facilities: pd.DataFrame, plan: pd.DataFrame, standards: Standards, served: pd.DataFrame
) -> pd.DataFrame:
    """station, level, year, women_15_49, floor_area_m2, grade, need_m2, gap_m2 (> 0 is a shortfall).

    A station's area and grade are today's until its first project completes, then those of the latest
    project completed by that year; its need is set by the grade of its last project (the plan's target)."""
    fac = facilities[facilities["level"].isin(BUILDING_LEVELS)].set_index("code")
    grid = served.copy()
    grid["level"] = grid["station"].map(fac["level"])
    grid["floor_area_m2"] = grid["station"].map(fac["floor_area_m2"])
    grid["grade"] = grid["station"].map(fac["grade"])
    done = grid.reset_index().merge(plan, left_on="station", right_on="station_code")
    done = done[done["completion_year"] <= done["year"]].sort_values("completion_year").groupby("index").last()
    grid.loc[done.index, "floor_area_m2"] = done["target_floor_area_m2"]
    grid.loc[done.index, "grade"] = done["target_grade"]
    final = plan.sort_values("completion_year").groupby("station_code")["target_grade"].last()
    target_grade = grid["station"].map(final).fillna(grid["station"].map(fac["grade"]))
    standard = [standards.floor_area[lvl].get(g, np.nan) for lvl, g in zip(grid["level"], target_grade)]
    reference = grid["level"].map(lambda lvl: standards.floor_area[lvl]["reference_women_15_49"])
    scale = np.maximum(1.0, grid["women_15_49"] / reference) if standards.scale_need_by_women_served else 1.0
    grid["need_m2"] = np.asarray(standard, dtype=float) * scale
    grid["gap_m2"] = grid["need_m2"] - grid["floor_area_m2"]
    return (
        grid[["station", "level", "year", "women_15_49", "floor_area_m2", "grade", "need_m2", "gap_m2"]]
        .sort_values(["station", "year"])
        .reset_index(drop=True)
    )


def standard_area(plan: pd.DataFrame, facilities: pd.DataFrame, standards: Standards) -> pd.Series:
    """The standard floor area (m²) of each project's target grade at its station's level (NaN: no standard)."""
    level = plan["station_code"].map(facilities.set_index("code")["level"])
    return pd.Series(
        [standards.floor_area.get(lvl, {}).get(g, np.nan) for lvl, g in zip(level, plan["target_grade"])],
        index=plan.index,
        dtype=float,
    )


def below_standard(plan: pd.DataFrame, facilities: pd.DataFrame, standards: Standards, file: str) -> list[Problem]:
    """Projects whose target floor area is below the standard area of their grade (bad input for the plan)."""
    standard = standard_area(plan, facilities, standards)
    level = plan["station_code"].map(facilities.set_index("code")["level"])
    low = standard.notna() & (plan["target_floor_area_m2"] < standard - 1e-9)
    return [
        Problem(
            file=file,
            kind="below_standard",
            row=int(r) + 2,
            column="target_floor_area_m2",
            value=area,
            detail=ui(
                "grade_standard",
                station=code,
                level=enum_label("station_level", lvl),
                grade=enum_label("grade", g),
                area=f"{a:g}",
            ),
        )
        for r, code, area, lvl, g, a in zip(
            plan.index[low],
            plan.loc[low, "station_code"],
            plan.loc[low, "target_floor_area_m2"],
            level[low],
            plan.loc[low, "target_grade"],
            standard[low],
        )
    ]


def first_shortfall(timeline: pd.DataFrame, plan: pd.DataFrame) -> pd.DataFrame:
    """Per station: the first year it falls short, whether before its project completes, and the largest gap."""
    short = timeline[timeline["gap_m2"] > 0]
    first = short.groupby("station")["year"].min()
    last = short.groupby("station")["year"].max()
    out = timeline.groupby("station").agg(level=("level", "first"), max_gap_m2=("gap_m2", "max")).reset_index()
    out["first_short_year"] = out["station"].map(first)
    out["last_short_year"] = out["station"].map(last)
    out["completion_year"] = out["station"].map(plan.groupby("station_code")["completion_year"].max())
    out["short_after_completion"] = out["last_short_year"] >= out["completion_year"]
    return out.sort_values(["first_short_year", "station"], na_position="last").reset_index(drop=True)


def cash_flow(plan: pd.DataFrame, disbursement: pd.DataFrame) -> pd.DataFrame:
    """station, year, amount_wan_yuan: a station's given disbursements, else each project's cost spread evenly
    over its start … completion years."""
    spread = plan[~plan["station_code"].isin(set(disbursement["station_code"]))]
    spans = spread["completion_year"] - spread["start_year"] + 1
    even = spread.loc[spread.index.repeat(spans)].copy()
    even["year"] = even["start_year"] + even.groupby(level=0).cumcount()
    even["amount_wan_yuan"] = even["cost_wan_yuan"] / even.index.map(spans)
    flows = pd.concat(
        [even[["station_code", "year", "amount_wan_yuan"]], disbursement[["station_code", "year", "amount_wan_yuan"]]]
    )
    flows = flows.groupby(["station_code", "year"], as_index=False)["amount_wan_yuan"].sum()
    flows["year"] = flows["year"].astype(int)
    return flows.rename(columns={"station_code": "station"}).sort_values(["year", "station"]).reset_index(drop=True)


def budget(plan: pd.DataFrame, timeline: pd.DataFrame) -> pd.DataFrame:
    """Every project with cost, self-raised and subsidy, the m² of gap it closes in its completion year
    (capacity rise, each side capped at the need) and that per 万元, ranked."""
    area = timeline.set_index(["station", "year"])
    first_year = timeline.groupby("station")["year"].min()
    out = plan.copy()
    keys = list(zip(out["station_code"], out["completion_year"]))
    before_keys = [(s, max(y - 1, first_year.get(s, y))) for s, y in keys]
    after = area.reindex(keys)
    before = area.reindex(before_keys)
    need = after["need_m2"].to_numpy()
    closed = np.minimum(after["floor_area_m2"].to_numpy(), need) - np.minimum(before["floor_area_m2"].to_numpy(), need)
    out["gap_closed_m2"] = np.nan_to_num(np.maximum(closed, 0.0))
    out["m2_per_wan_yuan"] = out["gap_closed_m2"] / out["cost_wan_yuan"].where(out["cost_wan_yuan"] > 0)
    out["rank"] = out["m2_per_wan_yuan"].rank(ascending=False, method="min").astype("Int64")
    return out.sort_values(["rank", "station_code"]).reset_index(drop=True)
