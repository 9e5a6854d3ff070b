"""Plan + map + workbook, put together in one place: ``fpplan plan`` (a county or each county of a region) and the
results the dashboards and reports read all call :func:`plan_outputs` and :func:`write_plan_workbook`, so every
county workbook carries the same sheets, the map's (服务半径与选址) among them when the county has coordinates."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd


@dataclass(frozen=True)
class PlanOutputs:
    plan: object  # fpplan.planning.plan.Plan
    spatial: dict[str, pd.DataFrame] | None  # fpplan.spatial.spatial_results; None: the county has no coordinates


def plan_outputs(county, scenario, inputs=None) -> PlanOutputs:
    """The plan of ``county`` under ``scenario`` (fpplan.planning.plan.make_plan) and the map's tables for the
    plan's projection (fpplan.spatial.spatial_results) when the county has coordinates."""
    from fpplan.planning.plan import make_plan
    from fpplan.spatial.results import has_coordinates, spatial_results

    plan = make_plan(county, scenario, inputs=inputs)
    spatial = spatial_results(county, projection=plan.projection) if has_coordinates(county) else None
    return PlanOutputs(plan, spatial)


def write_plan_workbook(outputs: PlanOutputs, path: str | Path) -> Path:
    """The county's plan workbook with the map's sheets (fpplan.app.workbook.write_workbook)."""
    from fpplan.app.workbook import write_workbook

    return write_workbook(outputs.plan, path, spatial=outputs.spatial)
