"""Staff need: WHO's Workload Indicators of Staffing Need (WISN), the head-count norms and structure rules of
seed 000 §三(三), and a recruitment plan.

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
    per_unit = {"day": 100 / c.hours_per_day, "week": 100 / (c.hours_per_day * c.days_per_week),
                "month": 12 * 100 / awt, "year": 100 / awt}
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


def wisn_table(workload: pd.DataFrame, config: WisnConfig, station_levels: pd.Series, existing: pd.DataFrame
               ) -> pd.DataFrame:
    """WISN for every station × cadre × year at once.

    ``workload``: station, cadre, year, workload_hours (Σ annual workload × unit time); ``station_levels``: station
    code → level; ``existing``: station, cadre, existing (FTE). Same formulas as :func:`wisn`.
    """
    awt = available_hours(config.calendar)
    caf = category_allowance([s.model_dump() for s in config.support], config.calendar)
    extra = pd.DataFrame([a.model_dump() for a in config.additional])
    w = workload.copy()
    level = w["station"].map(station_levels)
    iaf_by_level = {lvl: individual_allowance(extra[[lvl in ls for ls in extra["levels"]]], awt) if len(extra) else 0.0
                    for lvl in level.unique()}
    # the individual allowance goes to the cadre with the most work at the station (its senior staff do it)
    lead = w.groupby(["station", "year"])["workload_hours"].idxmax()
    w["available_hours"] = awt
    w["service_staff"] = w["workload_hours"] / awt
    w["caf"] = caf
    w["iaf"] = 0.0
    w.loc[lead, "iaf"] = level.loc[lead].map(iaf_by_level).to_numpy()
    w["required"] = w["service_staff"] * w["caf"] + w["iaf"]
    w = w.merge(existing, on=["station", "cadre"], how="left").fillna({"existing": 0.0})
    w["difference"] = w["existing"] - w["required"]
    w["ratio"] = np.where(w["required"] > 0, w["existing"] / w["required"].where(w["required"] > 0, 1), np.nan)
    return w


def head_count_check(staff: pd.DataFrame, facilities: pd.DataFrame, standards: Standards) -> pd.DataFrame:
    """Technical staff per station against the norm for its level: met, and how many people are missing."""
    counts = staff.groupby("station_code").size()
    rows = []
    for level, norm in standards.head_count.items():
        for code in facilities.loc[facilities["level"] == level, "code"]:
            have = int(counts.get(code, 0))
            rows.append({"station": code, "level": level, "staff": have, "norm_min": norm.min, "norm_max": norm.max,
                         "missing": max(0, norm.min - have), "met": have >= norm.min, "source": norm.source})
    return pd.DataFrame(rows)


def people_to_meet(count: int, total: int, rule: StructureRule) -> int:
    """How many qualified people must join (new hires counting in the total) for ``rule`` to hold.

    Share rule: the smallest k with (count + k) / (total + k) ≥ t, i.e. k = ⌈(t·total − count)/(1 − t)⌉."""
    if rule.min_count is not None:
        return max(0, rule.min_count - count)
    t = rule.min_share
    return max(0, math.ceil((t * total - count) / (1 - t) - 1e-9))


def structure_check(staff: pd.DataFrame, standards: Standards) -> pd.DataFrame:
    """Each structure rule on the county's technical staff: value, threshold, met, people needed to meet it."""
    total = len(staff)
    rows = []
    for rule in standards.structure:
        count = int(staff[rule.field].isin(rule.values).sum())
        share = count / total if total else 0.0
        threshold = rule.min_count if rule.min_count is not None else rule.min_share
        value = count if rule.min_count is not None else share
        needed = people_to_meet(count, total, rule)
        rows.append({"rule": rule.code, "qualified": count, "staff": total, "value": value, "threshold": threshold,
                     "kind": "count" if rule.min_count is not None else "share", "met": needed == 0,
                     "people_needed": needed, "source": rule.source})
    return pd.DataFrame(rows)


def recruitment_plan(staff: pd.DataFrame, required: pd.DataFrame, standards: Standards, config: WisnConfig,
                     years: np.ndarray) -> pd.DataFrame:
    """Hires by year and specialty so the workload (WISN, county total per cadre) is covered after retirements,
    with how many of them must hold each qualification for the structure rules to hold.

    ``required``: cadre, year, required (FTE). Staff retire in the year they reach the retirement age of their
    sex. Hires stay; qualifications of hires are counted towards the structure rules.
    """
    retire_year = staff["birth_year"] + staff["sex"].map(config.retirement_age)
    rows = []
    hired: dict[str, float] = {}
    for year in years:  # a loop over plan years (about ten)
        in_post = staff[retire_year > year]
        have = in_post.groupby("specialty")["fte"].sum()
        need = required[required["year"] == year].set_index("cadre")["required"]
        for cadre in sorted(set(need.index) | set(have.index)):
            gap = math.ceil(need.get(cadre, 0.0) - have.get(cadre, 0.0) - hired.get(cadre, 0.0) - 1e-9)
            if gap > 0:
                hired[cadre] = hired.get(cadre, 0.0) + gap
                rows.append({"year": int(year), "specialty": cadre, "hires": gap,
                             "retired_so_far": int((retire_year[staff["specialty"] == cadre] <= year).sum())})
        total_hires = int(sum(hired.values()))
        for rule in standards.structure:
            count = int(in_post[rule.field].isin(rule.values).sum())
            needed = people_to_meet(count, len(in_post) + total_hires, rule)
            if needed:
                rows.append({"year": int(year), "specialty": "", "hires": 0, "qualification": rule.code,
                             "qualified_needed": needed})
    return pd.DataFrame(rows, columns=["year", "specialty", "hires", "retired_so_far", "qualification",
                                       "qualified_needed"])
