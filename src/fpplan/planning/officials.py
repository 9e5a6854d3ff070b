"""The plan as officials table it: the 建设项目规划表, money by year and source, equipment, head counts by year,
the structure rules after hiring, the recruitment and training plans, and the projection's growth rates.

Pure functions of a :class:`fpplan.planning.plan.Plan` returning tables with column codes (labels and formats are
the workbook's and the dashboard's business); the workbook (``fpplan.app.workbook``) and the construction
dashboard both show these, so the heavy part can be computed once and cached.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from fpplan.data.labels import language
from fpplan.planning.facilities import standard_area

LEVEL_ORDER = {
    "county_station": 0,
    "township_central": 1,
    "township_general": 2,
    "mobile_vehicle": 3,
    "village_room": 4,
}
CATEGORIES = ("construction", "equipment", "village_rooms", "staff", "training")
FUNDING = ("self_raised", "subsidy")


def names(plan) -> dict[str, str]:
    return dict(zip(plan.facilities["code"], plan.facilities["name"]))


def construction_table(plan) -> pd.DataFrame:
    """The 建设项目规划表: one row per project, county station first, then central and general stations, each by
    completion year: seq, station, station_name, level, current_floor_area_m2, mode, target_grade,
    standard_area_m2, target_floor_area_m2, below_standard, completion_year, cost_wan_yuan, self_raised_wan_yuan,
    subsidy_requested_wan_yuan."""
    fac = plan.facilities.set_index("code")
    p = plan.construction_plan.copy()
    p["standard_area_m2"] = standard_area(p, plan.facilities, plan.config["standards"])
    p["level"] = p["station_code"].map(fac["level"])
    p["station_name"] = p["station_code"].map(fac["name"])
    p["current_floor_area_m2"] = p["station_code"].map(fac["floor_area_m2"])
    p["below_standard"] = p["target_floor_area_m2"] < p["standard_area_m2"] - 1e-9
    p = p.sort_values(
        ["level", "completion_year", "station_code"], key=lambda s: s.map(LEVEL_ORDER) if s.name == "level" else s
    )
    p.insert(0, "seq", np.arange(1, len(p) + 1))
    columns = [
        "seq",
        "station_code",
        "station_name",
        "level",
        "current_floor_area_m2",
        "mode",
        "target_grade",
        "standard_area_m2",
        "target_floor_area_m2",
        "below_standard",
        "completion_year",
        "cost_wan_yuan",
        "self_raised_wan_yuan",
        "subsidy_requested_wan_yuan",
    ]
    return p[columns].rename(columns={"station_code": "station"}).reset_index(drop=True)


def money_table(plan) -> pd.DataFrame:
    """One row per year: for each category (construction, equipment, training) its self-raised and subsidy part,
    then the year's self-raised, subsidy and total (万元). Columns ``<category>:<funding>`` and
    ``total:<funding>``, ``total:total``."""
    m = plan.money
    wide = m.pivot_table(
        index="year",
        columns="category",
        values=["self_raised_wan_yuan", "subsidy_wan_yuan"],
        aggfunc="sum",
        fill_value=0.0,
    )
    out = pd.DataFrame({"year": wide.index.astype(int)})
    for category in CATEGORIES:
        for funding in FUNDING:
            key = (f"{funding}_wan_yuan", category)
            if key in wide.columns and (category not in ("staff", "training") or funding == "self_raised"):
                out[f"{category}:{funding}"] = wide[key].to_numpy()
    for funding in FUNDING:
        out[f"total:{funding}"] = m.groupby("year")[f"{funding}_wan_yuan"].sum().reindex(out["year"]).to_numpy()
    out["total:total"] = out["total:self_raised"] + out["total:subsidy"]
    return out


def equipment_table(plan) -> pd.DataFrame:
    """Equipment per station and item with a standard: held, usable at the plan year, gap, price, cost and the
    purchase year; items by their names in config/equipment.yaml."""
    lang = language()
    items = plan.config["equipment"].items
    e = plan.equipment.merge(
        plan.equipment_purchases[["station", "item", "purchase_year"]], on=["station", "item"], how="left"
    )
    e.insert(1, "station_name", e["station"].map(names(plan)))
    e["item"] = e["item"].map(lambda code: getattr(items[code], lang) if code in items else code)
    e = e.sort_values(["level", "station"], key=lambda s: s.map(LEVEL_ORDER) if s.name == "level" else s, kind="stable")
    return e.drop(columns="station").rename(columns={"cost_wan_yuan": "purchase_cost_wan_yuan"}).reset_index(drop=True)


def head_count_table(plan) -> pd.DataFrame:
    """Technical staff per station and year up to the plan year after the recruitment plan, against the norm
    "按照人口数量与服务半径", with the norm's terms; a county row per year (Σ). Staff and norm in FTE (全时当量):
    in_post_fte, hired_fte, staff_fte, norm_fte."""
    h = plan.staff_plan.head_counts.merge(
        plan.norms[["station", "year", "level", "women_15_49", "radius_km", "norm_min", "women_term", "radius_term"]],
        on=["station", "year"],
        how="left",
    )
    h.insert(1, "station_name", h["station"].map(names(plan)))
    h["women_15_49"] = h["women_15_49"].round()
    total = h.groupby("year", as_index=False)[["in_post", "hired", "staff", "norm"]].sum()
    total["station_name"] = plan.county_name
    total["level"] = ""
    total["met"] = total["staff"] >= total["norm"] - 1e-9
    h = pd.concat([h, total], ignore_index=True)
    h["order"] = h["level"].map(LEVEL_ORDER).fillna(9)
    columns = [
        "station_name",
        "level",
        "year",
        "women_15_49",
        "radius_km",
        "norm_min",
        "women_term",
        "radius_term",
        "norm",
        "in_post",
        "hired",
        "staff",
        "met",
    ]
    fte = {"norm": "norm_fte", "in_post": "in_post_fte", "hired": "hired_fte", "staff": "staff_fte"}
    return (
        h.sort_values(["year", "order", "station"], kind="stable")[columns].rename(columns=fte).reset_index(drop=True)
    )


def structure_table(plan) -> pd.DataFrame:
    """Each structure rule in each year after hiring and training: qualified, technical staff, value, threshold,
    whether the rule must hold that year, met (as :func:`structure_shown` writes them)."""
    s = structure_shown(plan.staff_plan.structure)
    return s[["rule", "year", *SHOWN, "holds", "binding", "met"]]


def structure_today_table(plan) -> pd.DataFrame:
    """Each structure rule on the technical staff in post today (``staffing.structure_check``): qualified,
    technical staff, value, threshold, met and the people still needed to meet it."""
    s = structure_shown(plan.structure)
    return s[["rule", *SHOWN, "met", "people_needed"]].assign(people_needed=s["people_needed"].astype(int))


SHOWN = ("measured_in", "qualified_staff", "technical_staff", "value", "threshold")  # structure_shown's columns


def structure_shown(structure: pd.DataFrame) -> pd.DataFrame:
    """Structure rows as officials read them: a share rule (学历、职称 …不少于 x%) counts full-time equivalents, a
    count rule (执业助理医师以上不少于5人) whole persons, so each row says which (``measured_in``: fte, persons) and
    shows its qualified and technical staff that way (FTE to one decimal, persons whole); value and threshold as a
    percentage or a number of persons."""
    share = structure["kind"] == "share"
    out = structure.assign(measured_in=np.where(share, "fte", "persons"))
    for column, shown in (("qualified", "qualified_staff"), ("staff", "technical_staff")):
        out[shown] = [_fte_or_persons(v, s) for v, s in zip(structure[column], share)]
    for column in ("value", "threshold"):
        out[column] = [_share_or_count(v, s) for v, s in zip(structure[column], share)]
    return out


def _fte_or_persons(value: float, share: bool) -> str:
    if pd.isna(value):
        return ""
    return f"{value:.1f}" if share else f"{value:.0f}"


def _share_or_count(value: float, share: bool) -> str:
    if pd.isna(value):
        return ""
    return f"{value:.1%}" if share else f"{value:.0f}"


def hires_table(plan) -> pd.DataFrame:
    """The recruitment plan: one row per hire with year, station, specialty, education, title, licence."""
    h = plan.recruitment.copy()
    h.insert(3, "station_name", h["station"].map(names(plan)))
    return h.drop(columns="station")


def training_table(plan) -> pd.DataFrame:
    """Training of staff in post, counted by year, station, specialty and training (no person shown); then in each
    year the county station's course for township technical staff (Plan.courses: station_name 各乡镇服务站, upgrade
    ``county_station_course``)."""
    from fpplan.data.labels import ui

    t = plan.staff_plan.training
    out = t.groupby(["year", "station", "specialty", "upgrade"], as_index=False).agg(
        persons=("staff_id", "size"), training_wan_yuan=("cost_wan_yuan", "sum")
    )
    out.insert(1, "station_name", out["station"].map(names(plan)))
    out = out.drop(columns="station")
    c = plan.courses
    if c is None or c.empty:
        return out
    course = pd.DataFrame(
        {
            "year": c["year"],
            "station_name": ui("township_stations"),
            "specialty": None,
            "upgrade": "county_station_course",
            "persons": c["persons"],
            "training_wan_yuan": c["cost_wan_yuan"],
        }
    )
    course = course[course["persons"] > 0]
    both = pd.concat([out.assign(order=0), course.assign(order=1)], ignore_index=True)
    return both.sort_values(["year", "order"], kind="stable").drop(columns="order").reset_index(drop=True)


def growth_table(plan) -> pd.DataFrame:
    """The county's projected population with births, deaths, net migration and the growth rates (‰ a year:
    natural, mechanical and total; "根据人口机械增长率和人口自然增长率测算", seed 000 §三(二)1)."""
    c = plan.projection.county_total()
    c = c[c["trajectory"] == 0]
    out = c[
        [
            "year",
            "population",
            "women_15_49",
            "births",
            "deaths",
            "net_migration",
            "natural_growth_per_mille",
            "mechanical_growth_per_mille",
        ]
    ].copy()
    out["total_growth_per_mille"] = out["natural_growth_per_mille"] + out["mechanical_growth_per_mille"]
    persons = ["population", "women_15_49", "births", "deaths", "net_migration"]
    out[persons] = out[persons].round()
    rates = ["natural_growth_per_mille", "mechanical_growth_per_mille", "total_growth_per_mille"]
    out[rates] = out[rates].round(2)
    return out[out["year"] <= max(plan.plan_year, int(out["year"].min()))].reset_index(drop=True)


def subsidy_table(plan) -> pd.DataFrame:
    """Subsidy requested, granted and still to secure per station; the village rooms and schools as one row."""
    from fpplan.data.labels import label
    from fpplan.planning.money import ROOMS_ROW

    s = plan.subsidy.copy()
    s.insert(0, "station_name", s["station"].map(names(plan) | {ROOMS_ROW: label("tables", "village_rooms")}))
    return s.drop(columns="station")


def rooms_table(plan) -> pd.DataFrame:
    """村服务室与人口学校规划, one row per township: villages, villages not assessed, rooms and schools up to standard
    now, to build, to upgrade, the cost and its split (万元), then one column per plan year (named by the year): the
    rooms and schools brought to standard that year. No rows when the county has no village_rooms table."""
    t = plan.rooms_by_township
    years = [str(y) for y in range(plan.first_year or plan.plan_year, plan.plan_year + 1)]
    out = t.rename(columns={"villages": "villages_total", "cost_wan_yuan": "works_cost_wan_yuan"})
    done = plan.rooms_by_year.assign(
        works=plan.rooms_by_year[["rooms_built", "rooms_upgraded", "schools_built", "schools_upgraded"]].sum(axis=1)
    )
    per_year = done.groupby(["township_code", "year"])["works"].sum().unstack(fill_value=0)  # the pivot, cheaper
    per_year.columns = [str(int(c)) for c in per_year.columns]
    per_year = per_year.reindex(index=out["township_code"], columns=years, fill_value=0).astype(int)
    out = pd.concat([out.reset_index(drop=True), per_year.reset_index(drop=True)], axis=1)
    out.insert(0, "township_name", out["township_code"].map(plan.township_names))
    return out.drop(columns="township_code")


def rooms_by_year_table(plan) -> pd.DataFrame:
    """The rooms' and schools' works by township and year: built, upgraded, cost and its split (万元)."""
    t = plan.rooms_by_year.rename(columns={"cost_wan_yuan": "works_cost_wan_yuan"}).sort_values(
        ["year", "township_code"]
    )
    t.insert(0, "township_name", t["township_code"].map(plan.township_names))
    return t.drop(columns="township_code").reset_index(drop=True)


HEADLINE_ORDER = (
    "population_base",
    "population_horizon",
    "women_15_49_base",
    "women_15_49_horizon",
    "wisn_need_fte",
    "wisn_in_post_fte",
    "technical_in_post_fte",
    "technical_in_post_persons",
    "technical_retired_fte",
    "technical_retired_persons",
    "staff_gap_before_fte",
    "staff_gap_before_persons",
    "plan_year_gap_before_fte",
    "plan_year_gap_before_persons",
    "hires_persons",
    "plan_year_gap_after_fte",
    "plan_year_gap_after_persons",
    "staff_gap_after_fte",
    "staff_gap_after_persons",
    "hires_cost_plan_year_wan_yuan",
    "area_gap_base_m2",
    "area_gap_horizon_m2",
    "total_cost_wan_yuan",
    "subsidy_requested_wan_yuan",
    "still_to_secure_wan_yuan",
)


def headline_table(plan) -> pd.DataFrame:
    """The headline numbers (Plan.headline) one per row: headline_item (a code; its label in ``enums.headline``
    takes the headline's years), headline_value."""
    h = plan.headline
    return pd.DataFrame({"headline_item": list(HEADLINE_ORDER), "headline_value": [h[k] for k in HEADLINE_ORDER]})


def _rounded(frame: pd.DataFrame) -> pd.DataFrame:
    """People to whole persons, FTE and money to two decimals, m² to whole metres (the plan's own numbers,
    rounded only to be read)."""
    out = frame.copy()
    for column in out.columns:
        if column in ("population", "women_15_49") or column.endswith("_m2"):
            out[column] = out[column].round()
        elif column.endswith(("_fte", "_yuan")):
            out[column] = out[column].round(2)
    return out


def staff_by_year_table(plan) -> pd.DataFrame:
    """The county's staff, need, gap before and after hires and floor-area gap by year (Plan.county_by_year)."""
    return _rounded(plan.county_by_year)


def station_gap_table(plan) -> pd.DataFrame:
    """Each station's staff gap by year (Plan.station_gap), with the station's name, stations in level order."""
    g = plan.station_gap.copy()
    level = g["station"].map(plan.facilities.set_index("code")["level"])
    g.insert(1, "station_name", g["station"].map(names(plan)))
    g = g.assign(order=level.map(LEVEL_ORDER).fillna(9)).sort_values(["year", "order", "station"], kind="stable")
    return _rounded(g.drop(columns=["order", "station"]).reset_index(drop=True))


def survey_effect_table(plan) -> pd.DataFrame:
    """需求调查对规划的影响, one row per service at the plan year: cadre, the needs asking for it, their class, the
    uplift (%), the county's volume and the service's staff need (FTE) without and with the survey
    (Plan.survey_change)."""
    e = plan.survey_change.copy()
    if e.empty:
        return e
    e["uplift_percent"] = e.pop("uplift") * 100
    columns = [
        "service",
        "cadre",
        "needs",
        "class",
        "uplift_percent",
        "volume_without",
        "volume_with",
        "staff_without_fte",
        "staff_with_fte",
    ]
    return e[columns]


def supply_table(plan) -> pd.DataFrame:
    """药具需求 by township and year (Plan.supply.need): township_name, year, method, users, units_needed, cyp; the
    townships in code order."""
    need = (
        plan.supply.need
        if plan.supply is not None
        else pd.DataFrame(columns=["township_code", "year", "method", "users", "units_needed", "cyp"])
    )
    t = need.sort_values(["township_code", "year", "method"]).copy()
    t.insert(0, "township_name", t["township_code"].map(plan.township_names))
    return t.drop(columns="township_code").reset_index(drop=True)


def officials_tables(plan) -> dict[str, pd.DataFrame]:
    """Every table the workbook and the construction dashboard show, by key."""
    return {
        "construction": construction_table(plan),
        "money": money_table(plan),
        "subsidy": subsidy_table(plan),
        "equipment": equipment_table(plan),
        "head_counts": head_count_table(plan),
        "structure": structure_table(plan),
        "structure_today": structure_today_table(plan),
        "hires": hires_table(plan),
        "training": training_table(plan),
        "growth": growth_table(plan),
        "shortfalls": plan.staff_plan.shortfalls,
        "headline": headline_table(plan),
        "staff_by_year": staff_by_year_table(plan),
        "station_gap": station_gap_table(plan),
        "per_capita": _rounded(plan.per_capita),
        "rooms": rooms_table(plan),
        "rooms_by_year": rooms_by_year_table(plan),
        "survey_effect": survey_effect_table(plan),
        "supply": supply_table(plan),
    }
