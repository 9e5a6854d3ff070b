"""One plan, computed once, per county, scenario and data version (``make_plan``): every number leaders see is in
it and every reader (overview, brief, report, workbook, scenario explorer, notebooks) only formats it.

The chain: the scenario's stations and construction plan → projection → service volumes, raised where the demand
survey's core needs ask (:mod:`fpplan.planning.survey_effect`) → WISN need by station × cadre × year and the
head-count norms → the roster projected year by year (today's staff minus those who reach retirement age,
:mod:`fpplan.planning.roster`) → the recruitment plan against that roster (:mod:`fpplan.planning.recruitment`) →
staff in post, need, gap before and after hires by station and year and for the county (:mod:`fpplan.planning.gaps`)
→ floor area against need, equipment, the village rooms and schools brought to standard
(:mod:`fpplan.planning.rooms`), the county station's course (:mod:`fpplan.planning.courses`) and money by year and
source (construction, equipment, village rooms, staff, training) → the headline numbers (``Plan.headline``); beside
them the contraceptive supply needed by township and year (:mod:`fpplan.supply.need`). ``recalculate`` runs the
same chain without the integer program for the scenario explorer.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd

from fpplan.data.config import config_path
from fpplan.data.crosschecks import uninhabited
from fpplan.data.errors import DataError, Problem
from fpplan.data.forward import county_population
from fpplan.data.memo import per_county
from fpplan.data.scenarios import unknown_scenario
from fpplan.demography import Scenario, county_inputs, load_scenarios, project
from fpplan.planning import (
    courses,
    demand,
    equipment,
    facilities,
    gaps,
    money,
    notes,
    recruitment,
    rooms,
    roster,
    staffing,
    survey_effect,
)
from fpplan.supply.need import supply_plan


@dataclass(frozen=True)
class Plan:
    """Every planning table of one scenario. Units are in the column names: ``*_fte`` full-time equivalents
    (全时当量), ``*_persons`` whole persons, ``*_m2``, ``*_wan_yuan``."""

    scenario: str
    years: np.ndarray  # base year … horizon
    projection: object  # fpplan.demography.Projection
    volumes: pd.DataFrame  # station, service, cadre, year, volume, workload_hours
    rates: pd.DataFrame  # township_code, service, annual_volume, base, base_value, rate
    wisn: pd.DataFrame  # station, cadre, year, workload_hours, …, required, existing (FTE in post that year before hires), difference, ratio
    head_count: pd.DataFrame  # today's technical staff per station against the level's minimum
    structure: pd.DataFrame  # today's structure rules
    recruitment: pd.DataFrame  # one row per hire (fpplan.planning.recruitment.StaffPlan.hires)
    capacity: pd.DataFrame  # station, level, year, women_15_49, floor_area_m2, grade, need_m2, gap_m2
    shortfall: pd.DataFrame
    construction_plan: pd.DataFrame  # as the scenario leaves it (moved, regraded, added projects)
    budget: pd.DataFrame
    cash_flow: pd.DataFrame  # station, year, amount_wan_yuan (construction)
    plan_year: int
    facilities: pd.DataFrame  # the stations, with any the scenario adds
    norms: (
        pd.DataFrame
    )  # station, level, year, women_15_49, radius_km, norm_min, women_term, radius_term, norm_max, norm (every year)
    staff_plan: recruitment.StaffPlan
    equipment: pd.DataFrame  # station, level, item, standard_quantity, quantity, usable_quantity, gap_quantity, …
    equipment_purchases: pd.DataFrame  # station, item, purchase_year, gap_quantity, cost, self-raised, subsidy
    money: pd.DataFrame  # year, category (construction, equipment, staff, training), self_raised_wan_yuan, subsidy_wan_yuan, total_wan_yuan
    subsidy: pd.DataFrame  # station, subsidy_requested_wan_yuan, granted_wan_yuan, still_to_secure_wan_yuan
    problems: tuple[Problem, ...]  # what stops the plan being handed in (targets below standard, unmeetable rules)
    county_name: str
    config: dict  # the county's configuration the plan was made with
    roster: pd.DataFrame  # fpplan.planning.roster.projected_roster with the plan's hires: station, specialty, year, in_post_*, retired_*, hired_*, staff_*
    station_gap: (
        pd.DataFrame
    )  # fpplan.planning.gaps.staff_gap: station × year, need, norm, in post, gap before/after hires
    cadre_gap: pd.DataFrame  # fpplan.planning.gaps.cadre_gap: cadre × year, county WISN need against staff in post
    county_by_year: (
        pd.DataFrame
    )  # fpplan.planning.gaps.county_by_year: the county's staff and floor-area numbers by year
    per_capita: pd.DataFrame  # fpplan.planning.money.per_capita: budget and plan spending per head, by year
    headline: dict  # fpplan.planning.gaps.headline: the numbers leaders read (JSON-able)
    first_year: int = 0  # the plan's first year: nothing is hired, trained or bought before it
    equipment_reported: bool = True  # False: no equipment file, equipment left out of the gap and the money
    notes: tuple[str, ...] = ()  # what the plan could not take from the county's data, and what it used instead
    # village service rooms and population schools (fpplan.planning.rooms): works one per village and kind, by
    # township (now, to build, to upgrade, cost), by township and year; rooms_assessed False: no village_rooms table
    room_works: pd.DataFrame = field(default_factory=pd.DataFrame)
    rooms_by_township: pd.DataFrame = field(default_factory=pd.DataFrame)
    rooms_by_year: pd.DataFrame = field(default_factory=pd.DataFrame)
    rooms_assessed: bool = True
    township_names: dict = field(default_factory=dict)  # township code → name, for the tables by township
    # the demand survey's effect (fpplan.planning.survey_effect): what the survey brought (year, classes, uplift by
    # service), the volumes without it, per service at the plan year volume and staff need without and with it, and
    # the county's WISN need at the plan year without and with it (survey_wisn: without_fte, with_fte)
    survey: survey_effect.SurveyInputs | None = None
    volumes_without_survey: pd.DataFrame = field(default_factory=pd.DataFrame)
    survey_change: pd.DataFrame = field(default_factory=pd.DataFrame)
    survey_wisn: dict = field(default_factory=dict)
    supply: object = None  # fpplan.supply.need.SupplyPlan: contraceptive supply needed by township and year (药具需求)
    courses: pd.DataFrame = field(
        default_factory=pd.DataFrame
    )  # fpplan.planning.courses: the county station's course by year


def scenario_network(
    fac: pd.DataFrame, construction_plan: pd.DataFrame, scenario: Scenario, standards, townships, scenario_file: str
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The stations and construction plan as ``scenario`` leaves them (moved, regraded, added projects); unknown
    stations are a DataError."""
    fac, plan_table, found = facilities.apply_scenario(
        fac, construction_plan, scenario, standards, townships, scenario_file
    )
    if found:
        raise DataError(found)
    return fac, plan_table


def needs(
    volumes: pd.DataFrame,
    bases: pd.DataFrame,
    county_total: pd.DataFrame,
    fac: pd.DataFrame,
    plan_table: pd.DataFrame,
    config: dict,
    places: pd.DataFrame,
    in_post: pd.DataFrame,
) -> dict[str, pd.DataFrame]:
    """What the projection asks of the network: WISN by station × cadre × year (``existing``: the roster in post
    that year, before hires), the capacity timeline and the head-count norms of every year.

    ``bases``, ``county_total``: the projection's population bases (``demand.projected_bases``) and county series
    (``Projection.county_total``); ``in_post``: station, specialty, year, in_post_fte
    (:func:`fpplan.planning.roster.projected_roster`)."""
    staffed = network_needs(volumes, bases, county_total, fac, config, places, in_post)
    capacity = facilities.capacity_timeline(fac, plan_table, config["standards"], staffed["served"])
    return {"wisn": staffed["wisn"], "capacity": capacity, "norms": staffed["norms"]}


def network_needs(
    volumes: pd.DataFrame,
    bases: pd.DataFrame,
    county_total: pd.DataFrame,
    fac: pd.DataFrame,
    config: dict,
    places: pd.DataFrame,
    in_post: pd.DataFrame,
) -> dict[str, pd.DataFrame]:
    """The part of :func:`needs` the construction plan does not change: WISN, the women each station serves and
    the head-count norms."""
    wisn = wisn_of(volumes, config, fac, in_post)
    served = facilities.served_women(fac, bases)
    county_women = county_total[county_total["trajectory"] == 0][["year", "women_15_49"]]
    norms = staffing.head_count_norms(
        fac, served, county_women, staffing.station_radius(places, fac), config["standards"]
    )
    return {"wisn": wisn, "served": served, "norms": norms}


def wisn_of(volumes: pd.DataFrame, config: dict, fac: pd.DataFrame, in_post: pd.DataFrame) -> pd.DataFrame:
    """WISN by station × cadre × year of ``volumes`` against the roster in post that year (``in_post``)."""
    workload = volumes.groupby(["station", "cadre", "year"], as_index=False)["workload_hours"].sum()
    existing = in_post[["station", "specialty", "year", "in_post_fte"]].set_axis(
        ["station", "cadre", "year", "existing"], axis=1
    )
    return staffing.wisn_table(workload, config["wisn"], fac.set_index("code")["level"], existing)


def technical_specialties(specialties, standards) -> list[str]:
    """The specialties counted as technical staff (技术人员): all but those standards.yaml leaves out."""
    return sorted(set(specialties) - set(standards.technical_staff.exclude_specialties))


def staff_tables(
    wisn: pd.DataFrame,
    projected: pd.DataFrame,
    norms: pd.DataFrame,
    capacity: pd.DataFrame,
    county_total: pd.DataFrame,
    standards,
) -> dict[str, pd.DataFrame]:
    """The station gap, the cadre gap and the county's numbers by year (fpplan.planning.gaps) of one scenario."""
    station_gap = station_gap_of(wisn, projected, norms, standards)
    return {
        "station_gap": station_gap,
        "county_by_year": gaps.county_by_year(station_gap, capacity, county_total),
        "cadre_gap": gaps.cadre_gap(wisn, projected),
    }


def station_gap_of(wisn: pd.DataFrame, projected: pd.DataFrame, norms: pd.DataFrame, standards) -> pd.DataFrame:
    """The staff gap by station and year (``gaps.staff_gap``) over the technical specialties."""
    tech = technical_specialties(set(projected["specialty"]) | set(wisn["cadre"]), standards)
    return gaps.staff_gap(wisn, projected, norms, tech)


NO_HIRES = pd.DataFrame(
    {"year": pd.Series(dtype=int), "station": pd.Series(dtype=object), "specialty": pd.Series(dtype=object)}
)


@per_county
def _roster_today(county, years: tuple[int, ...], retirement: tuple[tuple[str, int], ...]) -> pd.DataFrame:
    """The county's roster in post in each of ``years`` without hires (``retirement``: the retirement ages' items):
    every scenario with the same years asks for the same."""
    return roster.projected_roster(county.staff, NO_HIRES, years, dict(retirement), as_of=county.base_year)


def make_plan(
    county, scenario: str | Scenario = "medium", projection=None, inputs=None, start_year: int | None = None
) -> Plan:
    """Every planning table for ``county`` under ``scenario`` (a name from config/scenarios or a Scenario).

    ``inputs`` (from ``fpplan.demography.county_inputs``) and ``projection`` may be passed to reuse them. A scenario that
    names unknown stations raises DataError; ``start_year``: the plan's first year (default config/timeline.yaml,
    else the year after the base year; never the base year or before: DataError); a plan that cannot be handed in
    (a target area below its grade's standard, rules no hiring plan can meet) comes back with its ``problems``
    (``fpplan plan`` refuses it)."""
    path = Path(county.path)
    scenario_file = str(path / "config" / "scenarios")
    if isinstance(scenario, str):
        scenarios = load_scenarios(county)
        if scenario not in scenarios:
            raise DataError([unknown_scenario(path, scenario, scenarios)])
        name, scenario = scenario, scenarios[scenario]
        scenario_file = str(path / "config" / "scenarios" / f"{name}.yaml")
    else:
        name = scenario.name.en
    cfg = county.config
    services, standards, wisn_config = cfg["services"], cfg["standards"], cfg["wisn"]
    fac, plan_table = scenario_network(
        county.facilities, county.construction_plan, scenario, standards, county.townships()["code"], scenario_file
    )
    projection = projection or project(inputs or county_inputs(county), scenario, scenario_name=name)
    years = projection.years
    survey = _survey_inputs(county)
    bases = demand.projected_bases(projection)
    volumes_without = demand.volumes_from(demand.coefficients(county, services), bases)
    volumes = survey_effect.apply(volumes_without, survey.factors(), survey.year)
    retirement = wisn_config.retirement_age
    tenure = roster.hire_tenure(retirement, cfg["recruitment"].hiring.age_at_hire)
    today = _roster_today(county, tuple(int(y) for y in years), tuple(sorted(retirement.items())))
    need = needs(volumes, bases, projection.county_total(), fac, plan_table, cfg, county.places(), today)
    wisn, capacity, norms = need["wisn"], need["capacity"], need["norms"]
    plan_year = standards.plan_year or int(plan_table["completion_year"].max())
    at_plan_year = plan_year if plan_year in set(years) else int(years[-1])
    wisn_without = wisn_of(volumes_without, cfg, fac, today)
    calendar = staffing.available_hours(wisn_config.calendar)
    caf = staffing.category_allowance([s.model_dump() for s in wisn_config.support], wisn_config.calendar)
    effect = survey_effect.effect_table(volumes_without, volumes, survey.uplift, at_plan_year, calendar, caf)
    first_year = notes.plan_start(county, start_year)
    in_plan = norms[(norms["year"] >= first_year) & (norms["year"] <= plan_year)]
    staff_plan = recruitment.plan_staff(
        county.staff,
        wisn[["station", "cadre", "year", "required"]],
        in_plan,
        standards,
        cfg["recruitment"],
        retirement,
        np.arange(first_year, plan_year + 1),
        tenure,
    )
    projected = roster.projected_roster(county.staff, staff_plan.hires, years, retirement, tenure, county.base_year)
    county_total = projection.county_total()
    staff = staff_tables(wisn, projected, norms, capacity, county_total, standards)
    villages = county.villages().groupby("township_code").size()
    reported = county.has("equipment")
    gap = (
        equipment.gap_table(
            equipment.standard_table(fac, villages, cfg["equipment"]), county.equipment, cfg["equipment"], plan_year
        )
        if reported
        else equipment.not_reported()
    )
    purchases = equipment.purchases(gap, plan_table, first_year, cfg["equipment"])
    flows = facilities.cash_flow(plan_table, county.disbursement)
    problems = facilities.below_standard(
        plan_table, fac, standards, county.files.get("construction_plan", str(path / "construction_plan.csv"))
    )
    config_of = {
        "structure": "standards",
        "head_count": "standards",
        "wisn_cadre": "wisn",
        "wisn_station": "wisn",
        "hire_cap": "recruitment",
        "training_min": "recruitment",
    }
    problems += [
        Problem(
            file=str(config_path(path, config_of[r.constraint])),
            kind="unmeetable",
            column=r.rule or r.constraint,
            value=r.short_by,
            detail=text,
        )
        for r, text in zip(
            staff_plan.shortfalls.itertuples(),
            recruitment.explain(staff_plan.shortfalls, dict(zip(fac["code"], fac["name"]))),
        )
    ]
    village_plan = _village_rooms(county, first_year, plan_year)
    room_money = rooms.money(village_plan["works"])
    course = courses.county_station_courses(
        today,
        staff_plan.hires,
        fac,
        technical_specialties(set(county.staff["specialty"]) | set(staff_plan.hires["specialty"]), standards),
        cfg["recruitment"].training.county_station_course,
        first_year,
        plan_year,
    )
    spending = money.money_by_source(plan_table, flows, purchases, staff_plan.costs, rooms=room_money, courses=course)
    subsidy = money.subsidy_status(plan_table, county.subsidy_granted, purchases, rooms=room_money)
    population = county_population(county_total[county_total["trajectory"] == 0], county.vital_history)
    return Plan(
        scenario=name,
        years=years,
        projection=projection,
        volumes=volumes,
        rates=demand.service_rates(county, services),
        wisn=wisn,
        head_count=staffing.head_count_check(county.staff, fac, standards),
        structure=staffing.structure_check(county.staff, standards),
        recruitment=staff_plan.hires,
        capacity=capacity,
        shortfall=facilities.first_shortfall(capacity, plan_table),
        construction_plan=plan_table,
        budget=facilities.budget(plan_table, capacity),
        cash_flow=flows,
        plan_year=plan_year,
        facilities=fac,
        norms=norms,
        staff_plan=staff_plan,
        equipment=gap,
        equipment_purchases=purchases,
        money=spending,
        subsidy=subsidy,
        problems=tuple(problems),
        county_name=str(county.units.loc[county.units["level"] == "county", "name"].iloc[0]),
        config=cfg,
        roster=projected,
        station_gap=staff["station_gap"],
        cadre_gap=staff["cadre_gap"],
        county_by_year=staff["county_by_year"],
        per_capita=money.per_capita(county.budget, population, spending),
        headline=gaps.headline(
            staff["county_by_year"], staff_plan.hires, staff_plan.costs, subsidy, spending, county.base_year, plan_year
        ),
        first_year=first_year,
        equipment_reported=reported,
        notes=notes.plan_notes(county, services, reported),
        room_works=village_plan["works"],
        rooms_by_township=village_plan["by_township"],
        rooms_by_year=village_plan["by_year"],
        rooms_assessed=village_plan["assessed"],
        township_names=dict(zip(county.townships()["code"], county.townships()["name"])),
        courses=course,
        supply=supply_plan(county, demand.projected_bases(projection), range(first_year, plan_year + 1)),
        survey=survey,
        volumes_without_survey=volumes_without,
        survey_change=effect,
        survey_wisn={
            "year": at_plan_year,
            "without_fte": float(wisn_without.loc[wisn_without["year"] == at_plan_year, "required"].sum()),
            "with_fte": float(wisn.loc[wisn["year"] == at_plan_year, "required"].sum()),
        },
    )


def village_rooms(county, first_year: int, plan_year: int) -> dict:
    """The village rooms and schools brought to standard (:mod:`fpplan.planning.rooms`) over the inhabited
    villages: works, by_township, by_year, assessed (False without the village_rooms table: no rows, and a note)."""
    villages = county.villages()
    villages = villages[~uninhabited(villages).to_numpy()][["code", "township_code"]]
    assessed = county.has("village_rooms")
    table = county.village_rooms if assessed else county.village_rooms.iloc[:0]
    works = rooms.works(table, villages, county.config["rooms"], first_year, plan_year)
    township = rooms.by_township(table, villages, works)
    return {
        "works": works,
        "by_township": township if assessed else township.iloc[:0],
        "by_year": rooms.by_year(works),
        "assessed": assessed,
    }


@per_county
def _kept_survey_inputs(county) -> survey_effect.SurveyInputs:
    return survey_effect.survey_inputs(county)


def _survey_inputs(county) -> survey_effect.SurveyInputs:
    """:func:`fpplan.planning.survey_effect.survey_inputs`, made once per County (every scenario's plan and the
    explorer ask for it); each caller gets its own (shallow, copy-on-write) copies of its tables."""
    kept = _kept_survey_inputs(county)
    return replace(kept, classes=kept.classes.copy(deep=False), uplift=kept.uplift.copy(deep=False))


@per_county
def _kept_village_rooms(county, first_year: int, plan_year: int) -> dict:
    return village_rooms(county, first_year, plan_year)


def _village_rooms(county, first_year: int, plan_year: int) -> dict:
    """:func:`village_rooms`, made once per County and span (the same in every scenario whose plan year is the
    same); each caller gets its own (shallow, copy-on-write) copies of the tables."""
    kept = _kept_village_rooms(county, first_year, plan_year)
    return {k: v.copy(deep=False) if isinstance(v, pd.DataFrame) else v for k, v in kept.items()}


def explorer_model(county, plans: dict, inputs, scenarios: dict, band: dict | None = None) -> dict:
    """What the scenario explorer needs to recalculate any scenario live (``recalculate``), prepared once per data
    version: the projection inputs, the service coefficients, the stations, construction plan and places, the
    config, and per scenario the roster projected with that scenario's hires (aggregated: no person). ``band``:
    how the stored intervals were made (calibration, trajectories, seed), so the explorer's live band is theirs
    (``fpplan.app.explorer.band``)."""
    return {
        "inputs": inputs,
        "scenarios": dict(scenarios),
        "band": band,
        "coefficients": demand.coefficients(county, county.config["services"]),
        "survey": _survey_inputs(county),
        "rosters": {key: plan.roster for key, plan in plans.items()},
        "facilities": county.facilities,
        "construction_plan": county.construction_plan,
        "places": county.places(),
        "townships": county.townships()["code"].tolist(),
        "config": {k: county.config[k] for k in ("wisn", "standards")},
        "county_code": county.county_code,
        "base_year": county.base_year,
    }


def project_scenario(model: dict, scenario: Scenario):
    """The scenario's projection from the prepared ``model`` (the first step of ``recalculate``)."""
    return project(model["inputs"], scenario)


def projected_demand(model: dict, projection) -> dict:
    """What ``recalculate`` takes from the projection alone: the projection, its population bases, the service
    volumes they bring (with the demand survey's effect) and the county's series. Every scenario that differs only
    in its construction projects shares them: the scenario explorer keeps them while such a control moves.

    ``staffed``: what ``recalculate`` made of them for the last network and roster it was asked for
    (:func:`network_needs` and the station gap), kept with them: a scenario that moves only construction projects
    leaves both as they were, and only its capacity and the county's numbers are made again."""
    bases = demand.projected_bases(projection)
    volumes = demand.volumes_from(model["coefficients"], bases)
    survey = model.get("survey")
    if survey is not None:
        volumes = survey_effect.apply(volumes, survey.factors(), survey.year)
    county_total = projection.county_total()
    return {"projection": projection, "bases": bases, "volumes": volumes, "county": county_total, "staffed": {}}


def recalculate(
    model: dict,
    scenario: Scenario,
    projection=None,
    roster_of: str | None = None,
    demanded: dict | None = None,
) -> dict[str, pd.DataFrame]:
    """The same chain as ``make_plan`` without the recruitment program, for one scenario in tens of milliseconds,
    from what :func:`explorer_model` prepared once. What the scenario explorer redraws as a control moves
    (``projection``: the scenario's projection when already made, e.g. to draw the population first;
    ``demanded``: its :func:`projected_demand`, when kept; ``roster_of``: the stored scenario whose projected
    roster, with its hires, the staff are counted from).

    Returns the county's series, the summary, WISN, capacity, the construction plan and the county's numbers by
    year (``county_by_year``, :func:`fpplan.planning.gaps.county_by_year`: for the stored scenario unchanged, the
    plan's own numbers)."""
    config = model["config"]
    if demanded is None:
        projection = projection if projection is not None else project_scenario(model, scenario)
        demanded = projected_demand(model, projection)
    projection, county_total = demanded["projection"], demanded["county"]
    fac, plan_table = scenario_network(
        model["facilities"], model["construction_plan"], scenario, config["standards"], model["townships"], "scenario"
    )
    rosters = model["rosters"]
    key = roster_of if roster_of in rosters else next(iter(rosters))
    projected = rosters[key]
    network = (key, hashlib.sha256(pd.util.hash_pandas_object(fac).to_numpy().tobytes()).hexdigest())
    kept = demanded["staffed"]
    if network not in kept:
        staffed = network_needs(
            demanded["volumes"], demanded["bases"], county_total, fac, config, model["places"], projected
        )
        staffed["station_gap"] = station_gap_of(staffed["wisn"], projected, staffed["norms"], config["standards"])
        kept.clear()  # the last network only: a construction move keeps it
        kept[network] = staffed
    staffed = kept[network]
    capacity = facilities.capacity_timeline(fac, plan_table, config["standards"], staffed["served"])
    county_by_year = gaps.county_by_year(staffed["station_gap"], capacity, county_total)
    return {
        "county": county_total,
        "summary": projection.summary,
        "wisn": staffed["wisn"],
        "capacity": capacity,
        "plan": plan_table,
        "county_by_year": county_by_year,
    }
