"""The plan's gaps, computed once: staff against the WISN need and the head-count norms, year by year, before
and after the recruitment plan's hires; floor area against need; and the headline numbers leaders read.

Staff gap of a station in year y (technical staff, FTE), with the roster projected by
:func:`fpplan.planning.roster.projected_roster` (today's staff minus those who reached retirement age, plus hires):

    gap = max(WISN need − WISN cadres in post,  head-count norm − technical staff in post,  0)

the larger of the two shortfalls the recruitment plan must close at the station (its WISN need in total,
:mod:`fpplan.planning.recruitment`, and the norm "按照人口数量与服务半径", seed 000 §三(三)); surpluses at one
station never offset a shortfall at another. "Before hires" counts today's roster still in post; "after hires" adds
the plan's hires in post that year. In whole persons a station's gap is ⌈gap FTE⌉ (a hire is one full-time
person). The county's gap is Σ over stations. The gap is the stations' with a head-count norm (those the
recruitment plan staffs); a unit without one (a mobile vehicle) has its row, with its staff and WISN need, but
no gap of its own: its need is met by the county's staff of the cadre (:func:`cadre_gap`, the recruitment plan's
per-cadre rule). So the rows add up to the county's technical staff and WISN need.

Column names say the unit: ``*_fte`` (全时当量) and ``*_persons`` (whole persons); floor area ``*_m2``; money
``*_wan_yuan``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

STATION_GAP_COLUMNS = [
    "station",
    "year",
    "wisn_need_fte",
    "wisn_in_post_fte",
    "wisn_hired_fte",
    "norm_fte",
    "technical_in_post_fte",
    "technical_in_post_persons",
    "technical_retired_fte",
    "technical_retired_persons",
    "technical_hired_fte",
    "technical_hired_persons",
    "gap_before_fte",
    "gap_after_fte",
    "gap_before_persons",
    "gap_after_persons",
]
COUNTY_COLUMNS = ["year", "population", "women_15_49"] + STATION_GAP_COLUMNS[2:] + ["area_gap_m2"]
EPS = 1e-9


def _persons(fte: pd.Series) -> pd.Series:
    """Whole persons to cover a gap of ``fte`` (each hire is one full-time person)."""
    return np.ceil(fte.to_numpy(float) - 1e-6).clip(min=0).astype(int)


def staff_gap(wisn: pd.DataFrame, roster: pd.DataFrame, norms: pd.DataFrame, technical_specialties) -> pd.DataFrame:
    """Per station and year: the WISN need, the head-count norm, the staff in post (WISN cadres and technical),
    retirements and hires, and the gap before and after hires (FTE and whole persons; see the module docstring).

    ``wisn``: station, cadre, year, required (FTE); ``roster``: projected_roster(...); ``norms``: station, year, norm
    (the stations planned for; without any norms every station's gap is its WISN term); ``technical_specialties``:
    the specialties counted as technical staff."""
    cadres = set(wisn["cadre"].unique())
    years = sorted(set(wisn["year"].astype(int)))
    r = roster[roster["year"].isin(years)]
    wisn_staff = r[r["specialty"].isin(cadres)].groupby(["station", "year"])[["in_post_fte", "hired_fte"]].sum()
    tech = (
        r[r["specialty"].isin(set(technical_specialties))]
        .groupby(["station", "year"])[
            ["in_post_fte", "in_post_persons", "retired_fte", "retired_persons", "hired_fte", "hired_persons"]
        ]
        .sum()
    )
    need = wisn.groupby(["station", "year"])["required"].sum()
    norm = norms.set_index(["station", "year"])["norm"].astype(float) if len(norms) else pd.Series(dtype=float)
    stations = sorted(
        set(norm.index.get_level_values(0)) | set(need.index.get_level_values(0)) | set(tech.index.get_level_values(0))
    )
    index = pd.MultiIndex.from_product([stations, years], names=["station", "year"])
    out = index.to_frame(index=False)
    out["wisn_need_fte"] = need.reindex(index, fill_value=0.0).to_numpy(float)
    out["wisn_in_post_fte"] = wisn_staff["in_post_fte"].reindex(index, fill_value=0.0).to_numpy(float)
    out["wisn_hired_fte"] = wisn_staff["hired_fte"].reindex(index, fill_value=0.0).to_numpy(float)
    out["norm_fte"] = norm.reindex(index).to_numpy(float)
    for column in ("in_post", "retired", "hired"):
        out[f"technical_{column}_fte"] = tech[f"{column}_fte"].reindex(index, fill_value=0.0).to_numpy(float)
        out[f"technical_{column}_persons"] = tech[f"{column}_persons"].reindex(index, fill_value=0).to_numpy(int)
    norm_term = out["norm_fte"].fillna(0.0)
    before = np.maximum(out["wisn_need_fte"] - out["wisn_in_post_fte"], norm_term - out["technical_in_post_fte"])
    after = np.maximum(
        out["wisn_need_fte"] - out["wisn_in_post_fte"] - out["wisn_hired_fte"],
        norm_term - out["technical_in_post_fte"] - out["technical_hired_fte"],
    )
    planned = out["norm_fte"].notna() if len(norm) else pd.Series(True, index=out.index)
    out["gap_before_fte"] = before.where(planned & (before > EPS), 0.0)
    out["gap_after_fte"] = after.where(planned & (after > EPS), 0.0)
    out["gap_before_persons"] = _persons(out["gap_before_fte"])
    out["gap_after_persons"] = _persons(out["gap_after_fte"])
    return out[STATION_GAP_COLUMNS]


def area_gap(capacity: pd.DataFrame) -> pd.Series:
    """The county's floor-area gap by year (m²): Σ over stations of the positive part of need − floor area."""
    return capacity["gap_m2"].clip(lower=0).groupby(capacity["year"]).sum()


def county_by_year(station_gap: pd.DataFrame, capacity: pd.DataFrame, county_total: pd.DataFrame) -> pd.DataFrame:
    """The county's numbers by year: population and women 15–49 (the projection's trajectory 0), the station gap
    table summed over stations (norm_fte over the stations that have one), and the floor-area gap."""
    sums = station_gap.drop(columns="station").groupby("year").sum(min_count=1)
    totals = county_total[county_total["trajectory"] == 0] if "trajectory" in county_total else county_total
    out = totals.set_index("year")[["population", "women_15_49"]].join(sums, how="inner")
    out["area_gap_m2"] = area_gap(capacity).reindex(out.index).fillna(0.0)
    out = out.reset_index()
    return out[COUNTY_COLUMNS]


def cadre_gap(wisn: pd.DataFrame, roster: pd.DataFrame) -> pd.DataFrame:
    """The county's WISN need per cadre and year against the cadre's staff in post (FTE), before and after hires
    (the recruitment plan's county-per-cadre rule): cadre, year, wisn_need_fte, in_post_fte, hired_fte,
    gap_before_fte, gap_after_fte."""
    need = (
        wisn.groupby(["cadre", "year"], as_index=False)["required"].sum().rename(columns={"required": "wisn_need_fte"})
    )
    have = roster.groupby(["specialty", "year"])[["in_post_fte", "hired_fte"]].sum()
    key = pd.MultiIndex.from_frame(need[["cadre", "year"]])
    need["in_post_fte"] = have["in_post_fte"].reindex(key, fill_value=0.0).to_numpy(float)
    need["hired_fte"] = have["hired_fte"].reindex(key, fill_value=0.0).to_numpy(float)
    need["gap_before_fte"] = (need["wisn_need_fte"] - need["in_post_fte"]).clip(lower=0.0)
    need["gap_after_fte"] = (need["wisn_need_fte"] - need["in_post_fte"] - need["hired_fte"]).clip(lower=0.0)
    return need


def headline(
    county_rows: pd.DataFrame,
    hires: pd.DataFrame,
    hire_costs: pd.DataFrame,
    subsidy: pd.DataFrame,
    money: pd.DataFrame,
    base_year: int,
    plan_year: int,
) -> dict:
    """The numbers leaders read, once: population and women 15–49 (base year, horizon), at the horizon the WISN need,
    the staff in post, retirements since the base year, the staff gap before and after hires (FTE and persons),
    the same gap at the plan year, hires planned (persons) and their yearly cost at the plan year, the floor-area
    gap (base year, horizon), money: total, subsidy requested and still to secure. Plain numbers (JSON-able).

    ``county_rows``: :func:`county_by_year`; ``hires``: one row per hire; ``hire_costs``: year, hires_wan_yuan
    (the yearly cost of the hires in post, :class:`fpplan.planning.recruitment.StaffPlan` ``costs``); ``subsidy``:
    station, subsidy_requested_wan_yuan, still_to_secure_wan_yuan; ``money``: year, total_wan_yuan, …"""
    rows = county_rows.set_index("year")
    horizon = int(rows.index.max())
    first = base_year if base_year in rows.index else int(rows.index.min())
    at_plan = plan_year if plan_year in rows.index else horizon
    h, b, p = rows.loc[horizon], rows.loc[first], rows.loc[at_plan]
    cost = hire_costs.set_index("year")["hires_wan_yuan"] if len(hire_costs) else pd.Series(dtype=float)
    return {
        "base_year": int(first),
        "plan_year": int(plan_year),
        "horizon": horizon,
        "population_base": float(b["population"]),
        "population_horizon": float(h["population"]),
        "women_15_49_base": float(b["women_15_49"]),
        "women_15_49_horizon": float(h["women_15_49"]),
        "wisn_need_fte": float(h["wisn_need_fte"]),
        "wisn_in_post_fte": float(h["wisn_in_post_fte"]),
        "technical_in_post_fte": float(h["technical_in_post_fte"]),
        "technical_in_post_persons": int(h["technical_in_post_persons"]),
        "technical_retired_fte": float(h["technical_retired_fte"]),
        "technical_retired_persons": int(h["technical_retired_persons"]),
        "staff_gap_before_fte": float(h["gap_before_fte"]),
        "staff_gap_before_persons": int(h["gap_before_persons"]),
        "staff_gap_after_fte": float(h["gap_after_fte"]),
        "staff_gap_after_persons": int(h["gap_after_persons"]),
        "plan_year_gap_before_fte": float(p["gap_before_fte"]),
        "plan_year_gap_before_persons": int(p["gap_before_persons"]),
        "plan_year_gap_after_fte": float(p["gap_after_fte"]),
        "plan_year_gap_after_persons": int(p["gap_after_persons"]),
        "hires_persons": len(hires),
        "hires_cost_plan_year_wan_yuan": float(cost.get(at_plan, 0.0)),
        "area_gap_base_m2": float(b["area_gap_m2"]),
        "area_gap_horizon_m2": float(h["area_gap_m2"]),
        "total_cost_wan_yuan": float(money["total_wan_yuan"].sum()) if len(money) else 0.0,
        "subsidy_requested_wan_yuan": float(subsidy["subsidy_requested_wan_yuan"].sum()),
        "still_to_secure_wan_yuan": float(subsidy["still_to_secure_wan_yuan"].sum()),
    }
