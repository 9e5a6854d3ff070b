"""A region's plans as one workbook: a region summary sheet (one row per county and a total) and one sheet per
county (its construction plan with cost, self-raised part and subsidy requested), headers in the label table's
language with units, frozen header, A4 landscape. Each county's full plan workbook is written beside it by
``fpplan plan REGION`` (``fpplan.app.workbook.write_workbook``)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from fpplan.data.labels import label, ui

PLAN_COLUMNS = [
    "station_code",
    "mode",
    "target_grade",
    "target_floor_area_m2",
    "start_year",
    "completion_year",
    "cost_wan_yuan",
    "self_raised_wan_yuan",
    "subsidy_requested_wan_yuan",
]
MONEY = ["cost_wan_yuan", "self_raised_wan_yuan", "subsidy_requested_wan_yuan"]


def plan_summary(code: str, name: str, plan) -> dict:
    """One county's key numbers, the plan's headline (fpplan.planning.gaps.headline) as the county's own
    workbook and overview show them: population and women 15–49 in the base year and at the horizon, projects and
    money, stations short of floor area, at the horizon the WISN need and staff in post (FTE) and the staff gap
    before and after the planned hires (whole persons), hires planned."""
    h = plan.headline
    cp = plan.construction_plan
    return {
        "county": code,
        "name": name,
        "population_base": h["population_base"],
        "population_horizon": h["population_horizon"],
        "women_base": h["women_15_49_base"],
        "women_horizon": h["women_15_49_horizon"],
        "projects": len(cp),
        **{m: float(cp[m].sum()) for m in MONEY},
        "stations_short": int(plan.shortfall["first_short_year"].notna().sum()),
        "wisn_need_fte": h["wisn_need_fte"],
        "wisn_in_post_fte": h["wisn_in_post_fte"],
        "gap_before_persons": h["staff_gap_before_persons"],
        "hires_persons": h["hires_persons"],
        "gap_after_persons": h["staff_gap_after_persons"],
    }


def region_summary(names: dict[str, str], plans: dict) -> pd.DataFrame:
    """One row per county (``plan_summary``) and a totals row."""
    rows = pd.DataFrame([plan_summary(code, names.get(code, code), plan) for code, plan in plans.items()])
    total = {c: rows[c].sum() for c in rows.columns if c not in ("county", "name")}
    return pd.concat(
        [rows, pd.DataFrame([{"county": label("columns", "total"), "name": "", **total}])], ignore_index=True
    )


def write_region_workbook(names: dict[str, str], plans: dict, path: str | Path) -> Path:
    """The region summary and one construction-plan sheet per county (sheet named after the county), in the
    officials' layout (fpplan.app.workbook.write_sheets: station names, words, decimals, totals)."""
    from fpplan.app.workbook import write_sheets

    summary = region_summary(names, plans)
    summary = summary.assign(county=summary["name"].where(summary["name"] != "", summary["county"])).drop(
        columns="name"
    )
    sheets = {ui("sheet_region_summary"): (summary, [])}
    stations: dict[str, str] = {}
    for code, plan in plans.items():
        stations |= dict(zip(plan.facilities["code"], plan.facilities["name"]))
        sheets[names.get(code, code)] = (plan.construction_plan[PLAN_COLUMNS], MONEY + ["target_floor_area_m2"])
    return write_sheets(sheets, path, stations)
