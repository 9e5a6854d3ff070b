"""One call from a county and a scenario to every planning table: demand, staff need, standards, recruitment,
floor area against need, and the construction plan's money (``fpplan plan``)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from fpplan.data.errors import DataError, Problem
from fpplan.demography import Scenario, load_scenarios, prepare, project
from fpplan.planning import demand, facilities, staffing


@dataclass(frozen=True)
class Plan:
    scenario: str
    years: np.ndarray
    projection: object  # fpplan.demography.Projection
    volumes: pd.DataFrame  # station, service, cadre, year, volume, workload_hours
    rates: pd.DataFrame  # township_code, service, annual_volume, base, base_value, rate
    wisn: pd.DataFrame  # station, cadre, year, workload_hours, …, required, existing, difference, ratio
    head_count: pd.DataFrame
    structure: pd.DataFrame
    recruitment: pd.DataFrame
    capacity: pd.DataFrame  # station, level, year, women_15_49, floor_area_m2, grade, need_m2, gap_m2
    shortfall: pd.DataFrame
    construction_plan: pd.DataFrame
    budget: pd.DataFrame
    cash_flow: pd.DataFrame


def make_plan(county, scenario: str | Scenario = "medium", projection=None, inputs=None) -> Plan:
    """Every planning table for ``county`` under ``scenario`` (a name from config/scenarios or a Scenario).

    ``inputs`` (from ``fpplan.demography.prepare``) and ``projection`` may be passed to reuse them."""
    if isinstance(scenario, str):
        scenarios = load_scenarios(county)
        if scenario not in scenarios:
            raise DataError([Problem(file=str(Path(county.path) / "config" / "scenarios"), kind="unknown_reference",
                                     value=scenario, detail=", ".join(scenarios))])
        name, scenario = scenario, scenarios[scenario]
    else:
        name = scenario.name.en
    cfg = county.config
    services, standards, wisn_config = cfg["services"], cfg["standards"], cfg["wisn"]
    projection = projection or project(inputs or prepare(county), scenario, scenario_name=name)
    years = projection.years
    volumes = demand.volumes(county, services, projection)
    workload = volumes.groupby(["station", "cadre", "year"], as_index=False)["workload_hours"].sum()
    existing = county.staff.groupby(["station_code", "specialty"], as_index=False)["fte"].sum()
    existing.columns = ["station", "cadre", "existing"]
    levels = county.facilities.set_index("code")["level"]
    wisn = staffing.wisn_table(workload, wisn_config, levels, existing)
    required = wisn.groupby(["cadre", "year"], as_index=False)["required"].sum()
    plan_table = facilities.shift_completion(county.construction_plan, scenario.project_completion)
    served = facilities.served_women(county.facilities, demand.projected_bases(projection))
    capacity = facilities.capacity_timeline(county.facilities, plan_table, standards, served)
    return Plan(
        scenario=name, years=years, projection=projection, volumes=volumes, rates=demand.service_rates(county, services),
        wisn=wisn, head_count=staffing.head_count_check(county.staff, county.facilities, standards),
        structure=staffing.structure_check(county.staff, standards),
        recruitment=staffing.recruitment_plan(county.staff, required, standards, wisn_config, years),
        capacity=capacity, shortfall=facilities.first_shortfall(capacity, plan_table), construction_plan=plan_table,
        budget=facilities.budget(plan_table, capacity), cash_flow=facilities.cash_flow(plan_table, county.disbursement),
    )


def recalculate(model: dict, scenario: Scenario) -> dict[str, pd.DataFrame]:
    """Projection → demand → WISN → floor area for one scenario in tens of milliseconds, from what
    ``fpplan.app.results`` prepared once (``model``: inputs, coefficients, existing staff, facilities,
    construction_plan and the wisn and standards config). What the scenario explorer redraws as a control moves."""
    config = model["config"]
    projection = project(model["inputs"], scenario)
    bases = demand.projected_bases(projection)
    volumes = demand.volumes_from(model["coefficients"], bases)
    workload = volumes.groupby(["station", "cadre", "year"], as_index=False)["workload_hours"].sum()
    fac = model["facilities"]
    wisn = staffing.wisn_table(workload, config["wisn"], fac.set_index("code")["level"], model["existing"])
    plan = facilities.shift_completion(model["construction_plan"], scenario.project_completion)
    capacity = facilities.capacity_timeline(fac, plan, config["standards"], facilities.served_women(fac, bases))
    return {"county": projection.county_total(), "summary": projection.summary, "wisn": wisn, "capacity": capacity,
            "plan": plan}
