"""Staff need: WHO's Workload Indicators of Staffing Need (WISN), the head-count norms "按照人口数量与服务半径"
and the structure rules of seed 000 §三(三) (the recruitment plan that meets them is
:mod:`fpplan.planning.recruitment`).

WISN (WHO, *Workload Indicators of Staffing Need, user's manual*, 2010):
- available working time AWT = [A − (B + C + D + E)] × F (A working days, B public holidays, C annual leave,
  D sick leave, E other leave, F hours a day);
- standard workload SW = AWT / unit time; staff for health-service activities = Σ annual workload / SW;
- category allowance standard CAS% of a support activity: per day t/F·100, per week t/(F·days a week)·100,
  per month t·12/AWT·100, per year t/AWT·100; CAF = 1 / (1 − ΣCAS%/100);
- individual allowance IAF = Σ (hours a year × staff doing it) / AWT;
- required = service staff × CAF + IAF; difference = existing − required; ratio = existing / required.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from fpplan.data.models.planning import Calendar, Standards, StructureRule, WisnConfig


@dataclass(frozen=True)
class WisnResult:
    available_hours: float
    service_staff: float
    caf: float
    iaf: float
    required: float
    difference: float | None
    ratio: float | None


def available_hours(calendar) -> float:
    """AWT = [A − (B + C + D + E)] × F."""
    c = calendar if isinstance(calendar, Calendar) else Calendar(**calendar)
    return (c.working_days - (c.public_holidays + c.annual_leave + c.sick_leave + c.other_leave)) * c.hours_per_day


def category_allowance(support: pd.DataFrame | None, calendar) -> float:
    """CAF = 1 / (1 − ΣCAS%/100), each support activity's CAS% converted from its unit as the WISN manual does."""
    if support is None or len(support) == 0:
        return 1.0
    c = calendar if isinstance(calendar, Calendar) else Calendar(**calendar)
    awt = available_hours(c)
    per_unit = {
        "day": 100 / c.hours_per_day,
        "week": 100 / (c.hours_per_day * c.days_per_week),
        "month": 12 * 100 / awt,
        "year": 100 / awt,
    }
    cas = pd.DataFrame(support)["hours"].to_numpy(float) * pd.DataFrame(support)["per"].map(per_unit).to_numpy(float)
    total = cas.sum()
    if total >= 100:
        raise ValueError(f"support activities take {total:.1f}% of working time: no time is left for services")
    return 1 / (1 - total / 100)


def individual_allowance(additional: pd.DataFrame | None, awt: float) -> float:
    """IAF = Σ (hours a year × staff doing it) / AWT."""
    if additional is None or len(additional) == 0:
        return 0.0
    a = pd.DataFrame(additional)
    return float((a["hours_per_year"] * a["staff_count"]).sum() / awt)


def wisn(calendar, services, support=None, additional=None, existing=None) -> WisnResult:
    """WISN for one cadre. ``services``: activity, annual_workload, unit_time_hours; ``support``: activity, hours,
    per; ``additional``: activity, hours_per_year, staff_count; ``existing``: staff in post (FTE)."""
    awt = available_hours(calendar)
    s = pd.DataFrame(services)
    service_staff = float((s["annual_workload"] * s["unit_time_hours"]).sum() / awt)
    caf = category_allowance(support, calendar)
    iaf = individual_allowance(additional, awt)
    required = service_staff * caf + iaf
    difference = None if existing is None else existing - required
    ratio = None if existing is None or required == 0 else existing / required
    return WisnResult(awt, service_staff, caf, iaf, required, difference, ratio)


def wisn_table(
    workload: pd.DataFrame, config: WisnConfig, station_levels: pd.Series, existing: pd.DataFrame
) -> pd.DataFrame:
    """WISN for every station × cadre × year at once.

    ``workload``: station, cadre, year, workload_hours (Σ annual workload × unit time); ``station_levels``: station
    code → level; ``existing``: station, cadre, existing (FTE), with a ``year`` column when the staff in post
    change by year (the projected roster). Same formulas as :func:`wisn`.
    """
    awt = available_hours(config.calendar)
    caf = category_allowance([s.model_dump() for s in config.support], config.calendar)
    extra = pd.DataFrame([a.model_dump() for a in config.additional])
    w = workload.copy()
    level = w["station"].map(station_levels)
    iaf_by_level = {
        lvl: individual_allowance(extra[[lvl in ls for ls in extra["levels"]]], awt) if len(extra) else 0.0
        for lvl in level.unique()
    }
    # the individual allowance goes to the cadre with the most work at the station (its senior staff do it)
    lead = w.groupby(["station", "year"])["workload_hours"].idxmax()
    w["available_hours"] = awt
    w["service_staff"] = w["workload_hours"] / awt
    w["caf"] = caf
    w["iaf"] = 0.0
    w.loc[lead, "iaf"] = level.loc[lead].map(iaf_by_level).to_numpy()
    w["required"] = w["service_staff"] * w["caf"] + w["iaf"]
    keys = ["station", "cadre"] + (["year"] if "year" in existing else [])
    w = w.merge(existing[keys + ["existing"]], on=keys, how="left").fillna({"existing": 0.0})
    w["difference"] = w["existing"] - w["required"]
    w["ratio"] = np.where(w["required"] > 0, w["existing"] / w["required"].where(w["required"] > 0, 1), np.nan)
    return w


def technical(staff: pd.DataFrame, standards: Standards) -> pd.Series:
    """True for the technical staff (技术人员): every specialty but those the config leaves out (finance, other)."""
    return ~staff["specialty"].isin(standards.technical_staff.exclude_specialties)


def with_licence_match(staff: pd.DataFrame, standards: Standards) -> pd.DataFrame:
    """The roster with ``licence_matches``: the person's licence is one the config lists for the specialty
    ("其他人员应取得相应的专业资格", seed 000 §三(三)); a specialty the config does not list needs none."""
    allowed = pd.DataFrame(
        [(s, lic) for s, lics in standards.licence_by_specialty.items() for lic in lics],
        columns=["specialty", "licence"],
    ).assign(licence_matches=True)
    out = staff.drop(columns="licence_matches", errors="ignore").merge(allowed, on=["specialty", "licence"], how="left")
    unlisted = ~out["specialty"].isin(list(standards.licence_by_specialty))
    out["licence_matches"] = out["licence_matches"].fillna(False).astype(bool) | unlisted.to_numpy()
    return out.set_axis(staff.index)


def qualified(staff: pd.DataFrame, rule: StructureRule) -> np.ndarray:
    """Who meets ``rule`` (its field's value is one of its values); the roster needs ``licence_matches`` for the
    licence-matches-specialty rule (:func:`with_licence_match`)."""
    return staff[rule.field].isin(rule.values).to_numpy()


def station_radius(places: pd.DataFrame, facilities: pd.DataFrame) -> pd.Series:
    """Service radius (km) of each station: its township's farthest village from the station (``distance_km`` of
    units.csv; 0 where no distance is given)."""
    farthest = places.groupby("township_code")["distance_km"].max()
    return facilities.set_index("code")["township_code"].map(farthest).fillna(0.0).astype(float)


def head_count_norms(
    facilities: pd.DataFrame, served: pd.DataFrame, county_women: pd.DataFrame, radius: pd.Series, standards: Standards
) -> pd.DataFrame:
    """Technical staff (FTE) each station must have in each year, "按照人口数量与服务半径" (seed 000 §三(三)).

    norm = min(max, min + ⌈(women − reference)⁺ / women_per_extra_staff⌉ + ⌈(radius − reference)⁺ / km_per_extra⌉)
    (see :class:`fpplan.data.models.planning.HeadCount`). ``served``: station, year, women_15_49 of its own
    township; ``county_women``: year, women_15_49 of the county (stations whose basis is the county);
    ``radius``: station → km. Returns station, level, year, women_15_49, radius_km, norm_min, women_term,
    radius_term, norm_max, norm, source."""
    fac = facilities[facilities["level"].isin(list(standards.head_count))].set_index("code")
    grid = served[served["station"].isin(fac.index)].copy()
    grid["level"] = grid["station"].map(fac["level"])
    cfg = pd.DataFrame([{"level": lvl, **h.model_dump()} for lvl, h in standards.head_count.items()]).set_index("level")
    c = cfg.reindex(grid["level"]).reset_index(drop=True).set_index(grid.index)
    county = grid["year"].map(county_women.set_index("year")["women_15_49"])
    grid["women_15_49"] = np.where(c["basis"] == "county", county, grid["women_15_49"])
    grid["radius_km"] = grid["station"].map(radius).fillna(0.0).to_numpy()

    def term(value: pd.Series, reference: pd.Series, step: pd.Series) -> np.ndarray:
        extra = np.ceil(np.maximum(value - reference, 0.0) / step.astype(float) - 1e-9)
        return np.where(step.notna(), np.maximum(extra, 0.0), 0.0).astype(int)

    grid["norm_min"] = c["min"].astype(int)
    grid["women_term"] = term(grid["women_15_49"], c["reference_women_15_49"], c["women_per_extra_staff"])
    grid["radius_term"] = term(grid["radius_km"], c["reference_radius_km"], c["radius_km_per_extra_staff"])
    grid["norm_max"] = c["max"].astype("Int64")
    raw = grid["norm_min"] + grid["women_term"] + grid["radius_term"]
    grid["norm"] = np.where(grid["norm_max"].notna(), np.minimum(raw, grid["norm_max"].fillna(0).astype(int)), raw)
    grid["source"] = (c["source"] + "; " + c["terms_source"]).str.strip("; ")
    columns = [
        "station",
        "level",
        "year",
        "women_15_49",
        "radius_km",
        "norm_min",
        "women_term",
        "radius_term",
        "norm_max",
        "norm",
        "source",
    ]
    return grid[columns].sort_values(["station", "year"]).reset_index(drop=True)


def county_norm(norms: pd.DataFrame) -> pd.DataFrame:
    """The county's technical staff by the norms: year, norm (Σ of the stations' norms, seed 000 §三(三)
    "我县计划生育技术服务人员应达到＊＊人")."""
    return norms.groupby("year", as_index=False)["norm"].sum()


def head_count_check(staff: pd.DataFrame, facilities: pd.DataFrame, standards: Standards) -> pd.DataFrame:
    """Technical staff (FTE) per station today against the minimum of its level: met, and how many are missing.
    Units without a head-count norm (mobile vehicles) that have technical staff are listed too (norm blank, nothing
    missing), so the rows add up to the county's technical staff."""
    counts = staff[technical(staff, standards)].groupby("station_code")["fte"].sum()
    rows = []
    for level, norm in standards.head_count.items():
        for code in facilities.loc[facilities["level"] == level, "code"]:
            have = float(counts.get(code, 0.0))
            rows.append(
                {
                    "station": code,
                    "level": level,
                    "staff": have,
                    "norm_min": norm.min,
                    "norm_max": norm.max,
                    "missing": max(0.0, norm.min - have),
                    "met": have >= norm.min - 1e-9,
                    "source": norm.source,
                }
            )
    normed = {r["station"] for r in rows}
    level = facilities.set_index("code")["level"]
    for code, have in counts.items():
        if code not in normed:
            rows.append(
                {
                    "station": code,
                    "level": level.get(code, ""),
                    "staff": float(have),
                    "norm_min": np.nan,
                    "norm_max": np.nan,
                    "missing": 0.0,
                    "met": True,
                    "source": "",
                }
            )
    return pd.DataFrame(rows)


def people_to_meet(count: float, total: float, rule: StructureRule) -> int:
    """How many qualified people must join (new hires counting in the total) for ``rule`` to hold.

    Share rule: the smallest k with (count + k) / (total + k) ≥ t, i.e. k = ⌈(t·total − count)/(1 − t)⌉; a rule
    on everyone (t = 1) cannot be met by hiring: the answer is then the unqualified people in post, who must gain
    the qualification (or leave)."""
    if rule.min_count is not None:
        return max(0, math.ceil(rule.min_count - count - 1e-9))
    t = rule.min_share
    if t >= 1:
        return max(0, math.ceil(total - count - 1e-9))
    return max(0, math.ceil((t * total - count) / (1 - t) - 1e-9))


def structure_check(staff: pd.DataFrame, standards: Standards) -> pd.DataFrame:
    """Each structure rule on the county's technical staff today: value (share of FTE, or count of persons),
    threshold, met, people needed to meet it."""
    tech = with_licence_match(staff[technical(staff, standards)], standards)
    fte = tech["fte"].to_numpy(float)
    rows = []
    for rule in standards.structure:
        ok = qualified(tech, rule)
        if rule.min_count is not None:
            count, total, value, threshold = float(ok.sum()), float(len(tech)), float(ok.sum()), rule.min_count
        else:
            count, total = float(fte[ok].sum()), float(fte.sum())
            value, threshold = (count / total if total else 0.0), rule.min_share
        needed = people_to_meet(count, total, rule)
        rows.append(
            {
                "rule": rule.code,
                "qualified": count,
                "staff": total,
                "value": value,
                "threshold": threshold,
                "kind": "count" if rule.min_count is not None else "share",
                "met": needed == 0,
                "people_needed": needed,
                "source": rule.source,
            }
        )
    return pd.DataFrame(rows)
