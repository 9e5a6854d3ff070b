"""Rules across tables: references exist, tables are complete, and numbers agree with each other."""

from __future__ import annotations

import numpy as np
import pandas as pd

from fpplan.data.errors import Problem
from fpplan.data.labels import enum_label, label, ui
from fpplan.data.validation import rows_of

AGES = np.arange(101)
COST_TOLERANCE_WAN_YUAN = 0.1  # rounding allowed between cost and self-raised + subsidy (demo assumption)
MAX_BIRTHS_PER_WOMAN_15_49 = 0.2  # a year's births above this share of women 15–49 are implausible


def references(frame: pd.DataFrame, column: str, known: pd.Index, file: str, what: str) -> list[Problem]:
    """Every value of ``column`` that is not among ``known`` (a parent, station or staff id that does not exist)."""
    values = frame[column]
    bad = values.notna() & ~values.isin(known)
    return [
        Problem(file=file, kind="unknown_reference", row=int(r), column=column, value=v, detail=what)
        for r, v in zip(rows_of(values.index[bad]), values[bad])
    ]


def check_units(units: pd.DataFrame, file: str) -> list[Problem]:
    problems = references(units, "parent_code", pd.Index(units["code"]), file, label("tables", "units"))
    parent_level = units["parent_code"].map(units.set_index("code")["level"].to_dict())
    expected = units["level"].map({"township": "county", "village": "township"})
    wrong = expected.notna() & parent_level.notna() & (parent_level != expected)
    problems += [
        Problem(
            file=file,
            kind="inconsistent",
            row=int(r),
            column="parent_code",
            value=v,
            detail=ui("detail_parent_level", level=enum_label("level", lvl), parent=enum_label("level", exp)),
        )
        for r, v, lvl, exp in zip(
            rows_of(units.index[wrong]), units.loc[wrong, "parent_code"], units.loc[wrong, "level"], expected[wrong]
        )
    ]
    if (units["level"] == "county").sum() != 1:
        problems.append(Problem(file=file, kind="inconsistent", column="level", detail=ui("detail_one_county")))
    return problems


def check_population(pop: pd.DataFrame, units: pd.DataFrame, file: str) -> list[Problem]:
    """Units exist and are townships or villages; every sex × age 0–100 cell present; no township counted twice."""
    level = units.set_index("code")["level"]
    problems = references(pop, "unit_code", pd.Index(units["code"]), file, label("tables", "units"))
    cells = pop.groupby("unit_code").size()
    for code, n in cells[cells != 2 * len(AGES)].items():
        problems.append(
            Problem(
                file=file,
                kind="incomplete",
                column="unit_code",
                value=code,
                detail=ui("detail_age_cells", code=code, n=n, total=2 * len(AGES)),
            )
        )
    if pop["year"].nunique() > 1:
        problems.append(Problem(file=file, kind="inconsistent", column="year", detail=ui("detail_one_base_year")))
    parents = units.set_index("code")["parent_code"]
    given = pd.Index(pop["unit_code"].unique())
    townships = units.loc[units["level"] == "township", "code"]
    covered = set(given[given.map(level) == "township"]) | set(given[given.map(level) == "village"].map(parents))
    for code in sorted(set(townships) - covered):
        problems.append(
            Problem(
                file=file,
                kind="incomplete",
                column="unit_code",
                value=code,
                detail=ui("detail_township_no_population", code=code),
            )
        )
    both = set(given[given.map(level) == "township"]) & set(given[given.map(level) == "village"].map(parents))
    for code in sorted(both):
        problems.append(
            Problem(
                file=file,
                kind="inconsistent",
                column="unit_code",
                value=code,
                detail=ui("detail_township_twice", code=code),
            )
        )
    return problems


def uninhabited(units: pd.DataFrame) -> pd.Series:
    """Per unit, whether it is marked as having no resident population (column ``uninhabited``; blank = no)."""
    if "uninhabited" not in units:
        return pd.Series(False, index=units.index)
    return units["uninhabited"].map(lambda v: v is True or v == 1)


def check_village_population(pop: pd.DataFrame, units: pd.DataFrame, file: str, units_file: str) -> list[Problem]:
    """Every village of a township given by village has its population, unless marked ``uninhabited`` (a
    village left out would silently shrink its township's projection and every number under it); a village
    marked uninhabited has none; a township given as a whole has at least one inhabited village to spread over."""
    villages = units[units["level"] == "village"]
    empty = uninhabited(units)[villages.index]
    given = pop.groupby("unit_code")["population"].sum()
    by_village = set(villages.loc[villages["code"].isin(given.index), "parent_code"])
    names = units.set_index("code")["name"]
    missing = villages[~villages["code"].isin(given.index) & ~empty & villages["parent_code"].isin(by_village)]
    problems = [
        Problem(
            file=file,
            kind="village_without_population",
            column="unit_code",
            value=code,
            detail=f"{name}, {names.get(parent, parent)}",
        )
        for code, name, parent in zip(missing["code"], missing["name"], missing["parent_code"])
    ]
    people = villages["code"].map(given).fillna(0.0)
    wrong = empty & (people > 0)
    problems += [
        Problem(
            file=units_file,
            kind="uninhabited_with_population",
            row=int(r),
            column="uninhabited",
            value=code,
            detail=f"{n:g}",
        )
        for r, code, n in zip(rows_of(villages.index[wrong]), villages.loc[wrong, "code"], people[wrong])
    ]
    whole = set(given.index) & set(units.loc[units["level"] == "township", "code"])
    inhabited = set(villages.loc[~empty, "parent_code"])
    with_villages = set(villages["parent_code"])
    for code in sorted((whole & with_villages) - inhabited):
        problems.append(Problem(file=units_file, kind="all_villages_uninhabited", column="uninhabited", value=code))
    return problems


def check_vital_history(
    vital: pd.DataFrame, township_women: pd.Series, townships: pd.Index, file: str
) -> list[Problem]:
    problems = references(vital, "township_code", townships, file, label("tables", "units"))
    births = vital["births_male"] + vital["births_female"]
    women = vital["township_code"].map(township_women)
    bad = women.notna() & (births > MAX_BIRTHS_PER_WOMAN_15_49 * women)
    problems += [
        Problem(
            file=file,
            kind="inconsistent",
            row=int(r),
            column="births_female",
            value=b,
            detail=ui(
                "detail_births_women", births=f"{b:g}", share=f"{MAX_BIRTHS_PER_WOMAN_15_49:.0%}", women=f"{w:g}"
            ),
        )
        for r, b, w in zip(rows_of(vital.index[bad]), births[bad], women[bad])
    ]
    return problems


def check_married_share(share: pd.DataFrame, townships: pd.Index, file: str) -> list[Problem]:
    problems = references(share, "township_code", townships, file, label("tables", "units"))
    county = share[share["township_code"].isna()]
    missing = sorted(set(range(15, 50)) - set(county["age"].astype(int)))
    if missing:
        problems.append(
            Problem(
                file=file,
                kind="incomplete",
                column="age",
                value=missing[0],
                detail=ui("detail_shares_missing", first=missing[0], last=missing[-1], n=len(missing)),
            )
        )
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
    problems += [
        Problem(
            file=file,
            kind="inconsistent",
            row=int(r),
            column="completion_year",
            value=v,
            detail=ui("detail_completion_before_start", completion=f"{v:g}", start=f"{s:g}"),
        )
        for r, v, s in zip(
            rows_of(plan.index[early]), plan.loc[early, "completion_year"], plan.loc[early, "start_year"]
        )
    ]
    parts = plan["self_raised_wan_yuan"] + plan["subsidy_requested_wan_yuan"]
    off = (plan["cost_wan_yuan"] - parts).abs() > COST_TOLERANCE_WAN_YUAN
    problems += [
        Problem(
            file=file,
            kind="inconsistent",
            row=int(r),
            column="cost_wan_yuan",
            value=c,
            detail=ui("detail_cost_parts", cost=f"{c:g}", parts=f"{p:g}"),
        )
        for r, c, p in zip(rows_of(plan.index[off]), plan.loc[off, "cost_wan_yuan"], parts[off])
    ]
    return problems


def check_disbursement(disb: pd.DataFrame, plan: pd.DataFrame, file: str) -> list[Problem]:
    problems = references(
        disb, "station_code", pd.Index(plan["station_code"]), file, label("tables", "construction_plan")
    )
    totals = disb.groupby("station_code")["amount_wan_yuan"].sum()
    cost = plan.groupby("station_code")["cost_wan_yuan"].sum()
    for code, total in totals.items():
        if code in cost.index and abs(total - cost[code]) > COST_TOLERANCE_WAN_YUAN:
            problems.append(
                Problem(
                    file=file,
                    kind="inconsistent",
                    column="amount_wan_yuan",
                    value=code,
                    detail=ui("detail_disbursement_total", code=code, total=f"{total:g}", cost=f"{cost[code]:g}"),
                )
            )
    return problems


def check_equipment(equipment: pd.DataFrame, stations: pd.Index, items: dict[str, str], file: str) -> list[Problem]:
    """Stations exist and every item is one of config/equipment.yaml (``items``: normalised code/zh/en → code)."""
    from fpplan.data.labels import normalise

    problems = references(equipment, "station_code", stations, file, label("tables", "facilities"))
    names = "、".join(dict.fromkeys(items.values()))
    bad = equipment["item"].notna() & ~equipment["item"].map(lambda v: normalise(v) in items)
    problems += [
        Problem(file=file, kind="not_in_enum", row=int(r), column="item", value=v, detail=names)
        for r, v in zip(rows_of(equipment.index[bad]), equipment.loc[bad, "item"])
    ]
    return problems
