"""One call from a county and a scenario to every planning table: demand, staff need, head-count norms and the
recruitment plan to the plan year, floor area against need, equipment, and the plan's money by year and source
(``fpplan plan``)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from fpplan.data.config import config_path
from fpplan.data.errors import DataError, Problem
from fpplan.demography import Scenario, load_scenarios, prepare, project
from fpplan.planning import demand, equipment, facilities, money, notes, recruitment, staffing


@dataclass(frozen=True)
class Plan:
    scenario: str
    years: np.ndarray
    projection: object  # fpplan.demography.Projection
    volumes: pd.DataFrame  # station, service, cadre, year, volume, workload_hours
    rates: pd.DataFrame  # township_code, service, annual_volume, base, base_value, rate
    wisn: pd.DataFrame  # station, cadre, year, workload_hours, …, required, existing, difference, ratio
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
    norms: pd.DataFrame  # station, level, year, women_15_49, radius_km, norm_min, women_term, radius_term, norm_max, norm
    staff_plan: recruitment.StaffPlan
    equipment: pd.DataFrame  # station, level, item, standard_quantity, quantity, usable_quantity, gap_quantity, …
    equipment_purchases: pd.DataFrame  # station, item, purchase_year, gap_quantity, cost, self-raised, subsidy
    money: pd.DataFrame  # year, category, self_raised_wan_yuan, subsidy_wan_yuan, total_wan_yuan
    subsidy: pd.DataFrame  # station, subsidy_requested_wan_yuan, granted_wan_yuan, still_to_secure_wan_yuan
    problems: tuple[Problem, ...]  # what stops the plan being handed in (targets below standard, unmeetable rules)
    county_name: str
    config: dict  # the county's configuration the plan was made with
    first_year: int = 0  # the plan's first year: nothing is hired, trained or bought before it
    equipment_reported: bool = True  # False: no equipment file, equipment left out of the gap and the money
    notes: tuple[str, ...] = ()  # what the plan could not take from the county's data, and what it used instead


def make_plan(county, scenario: str | Scenario = "medium", projection=None, inputs=None,
              start_year: int | None = None) -> Plan:
    """Every planning table for ``county`` under ``scenario`` (a name from config/scenarios or a Scenario).

    ``inputs`` (from ``fpplan.demography.prepare``) and ``projection`` may be passed to reuse them. A scenario that
    names unknown stations raises DataError; ``start_year``: the plan's first year (default config/timeline.yaml,
    else the year after the base year; never the base year or before: DataError); a plan that cannot be handed in
    (a target area below its grade's standard, rules no hiring plan can meet) comes back with its ``problems``
    (``fpplan plan`` refuses it)."""
    path = Path(county.path)
    scenario_file = str(path / "config" / "scenarios")
    if isinstance(scenario, str):
        scenarios = load_scenarios(county)
        if scenario not in scenarios:
            raise DataError([Problem(file=scenario_file, kind="unknown_reference", value=scenario,
                                     detail=", ".join(scenarios))])
        name, scenario = scenario, scenarios[scenario]
        scenario_file = str(path / "config" / "scenarios" / f"{name}.yaml")
    else:
        name = scenario.name.en
    cfg = county.config
    services, standards, wisn_config = cfg["services"], cfg["standards"], cfg["wisn"]
    fac, plan_table, found = facilities.apply_scenario(county.facilities, county.construction_plan, scenario,
                                                       standards, county.townships()["code"], scenario_file)
    if found:
        raise DataError(found)
    projection = projection or project(inputs or prepare(county), scenario, scenario_name=name)
    years = projection.years
    volumes = demand.volumes(county, services, projection)
    workload = volumes.groupby(["station", "cadre", "year"], as_index=False)["workload_hours"].sum()
    existing = county.staff.groupby(["station_code", "specialty"], as_index=False)["fte"].sum()
    existing.columns = ["station", "cadre", "existing"]
    wisn = staffing.wisn_table(workload, wisn_config, fac.set_index("code")["level"], existing)
    served = facilities.served_women(fac, demand.projected_bases(projection))
    capacity = facilities.capacity_timeline(fac, plan_table, standards, served)
    plan_year = standards.plan_year or int(plan_table["completion_year"].max())
    first_year = notes.plan_start(county, start_year)
    county_women = projection.county_total()
    county_women = county_women[county_women["trajectory"] == 0][["year", "women_15_49"]]
    norms = staffing.head_count_norms(fac, served, county_women, staffing.station_radius(county.places(), fac), standards)
    norms = norms[norms["year"] <= plan_year].reset_index(drop=True)
    staff_plan = recruitment.plan_staff(county.staff, wisn[["station", "cadre", "year", "required"]],
                                        norms[norms["year"] >= first_year], standards, cfg["recruitment"],
                                        wisn_config.retirement_age, np.arange(first_year, plan_year + 1))
    villages = county.villages().groupby("township_code").size()
    reported = county.has("equipment")
    gap = equipment.gap_table(equipment.standard_table(fac, villages, cfg["equipment"]), county.equipment,
                              cfg["equipment"], plan_year) if reported else equipment.not_reported()
    purchases = equipment.purchases(gap, plan_table, first_year, cfg["equipment"])
    flows = facilities.cash_flow(plan_table, county.disbursement)
    problems = facilities.below_standard(plan_table, fac, standards,
                                         county.files.get("construction_plan", str(path / "construction_plan.csv")))
    config_of = {"structure": "standards", "head_count": "standards", "wisn_cadre": "wisn", "wisn_station": "wisn",
                 "hire_cap": "recruitment", "training_min": "recruitment"}
    problems += [Problem(file=str(config_path(path, config_of[r.constraint])), kind="unmeetable",
                         column=r.rule or r.constraint, value=r.short_by, detail=text)
                 for r, text in zip(staff_plan.shortfalls.itertuples(), recruitment.explain(
                     staff_plan.shortfalls, dict(zip(fac["code"], fac["name"]))))]
    return Plan(
        scenario=name, years=years, projection=projection, volumes=volumes, rates=demand.service_rates(county, services),
        wisn=wisn, head_count=staffing.head_count_check(county.staff, fac, standards),
        structure=staffing.structure_check(county.staff, standards), recruitment=staff_plan.hires,
        capacity=capacity, shortfall=facilities.first_shortfall(capacity, plan_table), construction_plan=plan_table,
        budget=facilities.budget(plan_table, capacity), cash_flow=flows, plan_year=plan_year, facilities=fac,
        norms=norms, staff_plan=staff_plan, equipment=gap, equipment_purchases=purchases,
        money=money.money_by_source(plan_table, flows, purchases, staff_plan.costs),
        subsidy=money.subsidy_status(plan_table, county.subsidy_granted, purchases), problems=tuple(problems),
        county_name=str(county.units.loc[county.units["level"] == "county", "name"].iloc[0]), config=cfg,
        first_year=first_year, equipment_reported=reported, notes=notes.plan_notes(county, services, reported),
    )


def project_scenario(model: dict, scenario: Scenario):
    """The scenario's projection from the prepared ``model`` (the first step of ``recalculate``)."""
    return project(model["inputs"], scenario)


def recalculate(model: dict, scenario: Scenario, projection=None) -> dict[str, pd.DataFrame]:
    """Projection → demand → WISN → floor area for one scenario in tens of milliseconds, from what
    ``fpplan.app.results`` prepared once (``model``: inputs, coefficients, existing staff, facilities,
    construction_plan and the wisn and standards config). What the scenario explorer redraws as a control moves
    (``projection``: the scenario's projection when already made, e.g. to draw the population first)."""
    config = model["config"]
    projection = projection if projection is not None else project_scenario(model, scenario)
    bases = demand.projected_bases(projection)
    volumes = demand.volumes_from(model["coefficients"], bases)
    workload = volumes.groupby(["station", "cadre", "year"], as_index=False)["workload_hours"].sum()
    fac = model["facilities"]
    wisn = staffing.wisn_table(workload, config["wisn"], fac.set_index("code")["level"], model["existing"])
    plan = facilities.shift_completion(model["construction_plan"], scenario.project_completion)
    capacity = facilities.capacity_timeline(fac, plan, config["standards"], facilities.served_women(fac, bases))
    return {"county": projection.county_total(), "summary": projection.summary, "wisn": wisn, "capacity": capacity,
            "plan": plan}
