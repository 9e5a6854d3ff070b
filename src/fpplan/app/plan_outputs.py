"""Plan + map + intervals + workbook, put together in one place: ``fpplan plan`` (a county or each county of a
region) and the results the dashboards and reports read all call :func:`projection_inputs`, :func:`plan_outputs`
and :func:`write_plan_workbook`, so every county workbook carries the same sheets and numbers: the same projection
(the migration window the back-tests chose), the map's sheets (服务半径与选址) when the county has coordinates, and
the projection intervals with their back-tested coverage."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

INTERVAL_TRAJECTORIES = 500  # stochastic trajectories behind the stored projection intervals
INTERVAL_SEED = 2025


@dataclass(frozen=True)
class PlanOutputs:
    plan: object  # fpplan.planning.plan.Plan
    spatial: dict[str, pd.DataFrame] | None  # fpplan.spatial.spatial_results; None: the county has no coordinates
    intervals: pd.DataFrame | None = None  # fpplan.demography.calibration.scenario_intervals (region codes)
    calibration: object = None  # fpplan.demography.calibration.Calibration
    unit_names: dict[str, str] | None = None  # unit code → name, for the workbook's interval sheet


def projection_inputs(county):
    """The county's calibration (rolling-origin back-tests: the net-migration window of the point forecast and the
    intervals' coverage) and the projection inputs prepared with that window: every projection of the county
    starts from these."""
    from fpplan.demography import prepare
    from fpplan.demography.calibration import calibrate

    calibration = calibrate(county)
    return calibration, prepare(county, calibration.migration_years)


def plan_outputs(county, scenario, inputs=None, calibration=None, start_year: int | None = None) -> PlanOutputs:
    """The plan of ``county`` under ``scenario`` (fpplan.planning.plan.make_plan), the map's tables for the
    plan's projection (fpplan.spatial.spatial_results) when the county has coordinates, and the calibrated
    projection intervals; ``inputs`` and ``calibration`` from :func:`projection_inputs` (computed when not given);
    ``start_year``: the plan's first year (fpplan.planning.plan.make_plan)."""
    from fpplan.data.readiness import has_coordinates
    from fpplan.data.scenarios import load_scenarios
    from fpplan.demography.calibration import scenario_intervals
    from fpplan.planning.demand import village_people
    from fpplan.planning.plan import make_plan
    from fpplan.spatial.results import spatial_results

    if inputs is None or calibration is None:
        calibration, inputs = projection_inputs(county)
    plan = make_plan(county, scenario, inputs=inputs, start_year=start_year)
    spatial = spatial_results(county, village_people(county, plan.projection)) if has_coordinates(county) else None
    chosen = load_scenarios(county)[scenario] if isinstance(scenario, str) else scenario
    intervals = scenario_intervals(inputs, chosen, calibration, INTERVAL_TRAJECTORIES, seed=INTERVAL_SEED)
    return PlanOutputs(plan, spatial, intervals, calibration, dict(zip(county.units["code"], county.units["name"])))


def write_plan_workbook(outputs: PlanOutputs, path: str | Path, tables: dict | None = None) -> Path:
    """The county's plan workbook with the map's sheets and the intervals (fpplan.app.workbook.write_workbook;
    ``tables``: the plan's officials_tables when already made)."""
    from fpplan.app.workbook import write_workbook
    from fpplan.demography.calibration import document

    intervals = None
    if outputs.intervals is not None:
        named = outputs.intervals.assign(region=outputs.intervals["region"].map(outputs.unit_names or {}))
        intervals = (named, document(outputs.calibration))
    return write_workbook(outputs.plan, path, spatial=outputs.spatial, intervals=intervals, tables=tables)
