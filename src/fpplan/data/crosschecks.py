"""Rules across tables: references exist, tables are complete, and numbers agree with each other."""

from __future__ import annotations

import numpy as np
import pandas as pd

from fpplan.data.errors import Problem
from fpplan.data.labels import label
from fpplan.data.validation import rows_of

AGES = np.arange(101)
COST_TOLERANCE_WAN_YUAN = 0.1  # rounding allowed between cost and self-raised + subsidy (demo assumption)
MAX_BIRTHS_PER_WOMAN_15_49 = 0.2  # a year's births above this share of women 15–49 are implausible


def references(frame: pd.DataFrame, column: str, known: pd.Index, file: str, what: str) -> list[Problem]:
    """Every value of ``column`` that is not among ``known`` (a parent, station or staff id that does not exist)."""
    values = frame[column]
    bad = values.notna() & ~values.isin(known)
    return [Problem(file=file, kind="unknown_reference", row=int(r), column=column, value=v, detail=what)
            for r, v in zip(rows_of(values.index[bad]), values[bad])]


def check_units(units: pd.DataFrame, file: str) -> list[Problem]:
    problems = references(units, "parent_code", pd.Index(units["code"]), file, label("tables", "units"))
    parent_level = units["parent_code"].map(units.set_index("code")["level"].to_dict())
    expected = units["level"].map({"township": "county", "village": "township"})
    wrong = expected.notna() & parent_level.notna() & (parent_level != expected)
    problems += [Problem(file=file, kind="inconsistent", row=int(r), column="parent_code", value=v,
                         detail=f"parent of a {lvl} must be a {exp}")
                 for r, v, lvl, exp in zip(rows_of(units.index[wrong]), units.loc[wrong, "parent_code"],
                                           units.loc[wrong, "level"], expected[wrong])]
    if (units["level"] == "county").sum() != 1:
        problems.append(Problem(file=file, kind="inconsistent", column="level", detail="exactly one county row is needed"))
    return problems


def check_population(pop: pd.DataFrame, units: pd.DataFrame, file: str) -> list[Problem]:
    """Units exist and are townships or villages; every sex × age 0–100 cell present; no township counted twice."""
    level = units.set_index("code")["level"]
    problems = references(pop, "unit_code", pd.Index(units["code"]), file, label("tables", "units"))
    cells = pop.groupby("unit_code").size()
    for code, n in cells[cells != 2 * len(AGES)].items():
        problems.append(Problem(file=file, kind="incomplete", column="unit_code", value=code,
                                detail=f"{code}: {n} of {2 * len(AGES)} sex × age cells (0–100, both sexes)"))
    if pop["year"].nunique() > 1:
        problems.append(Problem(file=file, kind="inconsistent", column="year", detail="one base year only"))
    parents = units.set_index("code")["parent_code"]
    given = pd.Index(pop["unit_code"].unique())
    townships = units.loc[units["level"] == "township", "code"]
    covered = set(given[given.map(level) == "township"]) | set(given[given.map(level) == "village"].map(parents))
    for code in sorted(set(townships) - covered):
        problems.append(Problem(file=file, kind="incomplete", column="unit_code", value=code,
                                detail=f"township {code} has no population (neither its own nor its villages')"))
    both = set(given[given.map(level) == "township"]) & set(given[given.map(level) == "village"].map(parents))
    for code in sorted(both):
        problems.append(Problem(file=file, kind="inconsistent", column="unit_code", value=code,
                                detail=f"township {code} is given both as a whole and by village (counted twice)"))
    return problems


def check_vital_history(vital: pd.DataFrame, township_women: pd.Series, townships: pd.Index, file: str) -> list[Problem]:
    problems = references(vital, "township_code", townships, file, label("tables", "units"))
    births = vital["births_male"] + vital["births_female"]
    women = vital["township_code"].map(township_women)
    bad = women.notna() & (births > MAX_BIRTHS_PER_WOMAN_15_49 * women)
    problems += [Problem(file=file, kind="inconsistent", row=int(r), column="births_female", value=b,
                         detail=f"{b:g} births > {MAX_BIRTHS_PER_WOMAN_15_49:.0%} of {w:g} women 15–49")
                 for r, b, w in zip(rows_of(vital.index[bad]), births[bad], women[bad])]
    return problems


def check_married_share(share: pd.DataFrame, townships: pd.Index, file: str) -> list[Problem]:
    problems = references(share, "township_code", townships, file, label("tables", "units"))
    county = share[share["township_code"].isna()]
    missing = sorted(set(range(15, 50)) - set(county["age"].astype(int)))
    if missing:
        problems.append(Problem(file=file, kind="incomplete", column="age", value=missing[0],
                                detail=f"county-wide shares missing for ages {missing[0]}–{missing[-1]} ({len(missing)} ages)"))
    return problems


def check_facilities(fac: pd.DataFrame, units: pd.DataFrame, file: str) -> list[Problem]:
    codes = pd.Index(units["code"])
    problems = references(fac, "township_code", codes, file, label("tables", "units"))
    if "serves" in fac.columns:
        served = fac["serves"].dropna().str.split(r"[;；,，、]").explode().str.strip()
        served = served[served != ""]
        problems += references(served.to_frame("serves"), "serves", codes, file, label("tables", "units"))
    return problems


def check_plan(plan: pd.DataFrame, stations: pd.Index, file: str) -> list[Problem]:
    problems = references(plan, "station_code", stations, file, label("tables", "facilities"))
    early = plan["completion_year"] < plan["start_year"]
    problems += [Problem(file=file, kind="inconsistent", row=int(r), column="completion_year", value=v,
                         detail=f"completion year {v:g} is before start year {s:g}")
                 for r, v, s in zip(rows_of(plan.index[early]), plan.loc[early, "completion_year"], plan.loc[early, "start_year"])]
    parts = plan["self_raised_wan_yuan"] + plan["subsidy_requested_wan_yuan"]
    off = (plan["cost_wan_yuan"] - parts).abs() > COST_TOLERANCE_WAN_YUAN
    problems += [Problem(file=file, kind="inconsistent", row=int(r), column="cost_wan_yuan", value=c,
                         detail=f"cost {c:g} ≠ self-raised + subsidy = {p:g} (万元)")
                 for r, c, p in zip(rows_of(plan.index[off]), plan.loc[off, "cost_wan_yuan"], parts[off])]
    return problems


def check_disbursement(disb: pd.DataFrame, plan: pd.DataFrame, file: str) -> list[Problem]:
    problems = references(disb, "station_code", pd.Index(plan["station_code"]), file, label("tables", "construction_plan"))
    totals = disb.groupby("station_code")["amount_wan_yuan"].sum()
    cost = plan.groupby("station_code")["cost_wan_yuan"].sum()
    for code, total in totals.items():
        if code in cost.index and abs(total - cost[code]) > COST_TOLERANCE_WAN_YUAN:
            problems.append(Problem(file=file, kind="inconsistent", column="amount_wan_yuan", value=code,
                                    detail=f"{code}: yearly amounts add up to {total:g}, the plan's cost is {cost[code]:g} (万元)"))
    return problems


def check_equipment(equipment: pd.DataFrame, stations: pd.Index, items: dict[str, str], file: str) -> list[Problem]:
    """Stations exist and every item is one of config/equipment.yaml (``items``: normalised code/zh/en → code)."""
    from fpplan.data.labels import normalise

    problems = references(equipment, "station_code", stations, file, label("tables", "facilities"))
    names = "、".join(dict.fromkeys(items.values()))
    bad = equipment["item"].notna() & ~equipment["item"].map(lambda v: normalise(v) in items)
    problems += [Problem(file=file, kind="not_in_enum", row=int(r), column="item", value=v, detail=names)
                 for r, v in zip(rows_of(equipment.index[bad]), equipment.loc[bad, "item"])]
    return problems
