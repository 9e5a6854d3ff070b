"""Cohort-component population projection of every township: engine, life tables, scenarios, uncertainty.

Conventions (timing of births, deaths and migration within a step, the open age group, infant separation
factors) are documented in :mod:`fpplan.demography.engine` and :mod:`fpplan.data.base.lifetable`; the model of
uncertainty in :mod:`fpplan.demography.stochastic`; how base rates come from county data in
:mod:`fpplan.demography.estimate`.
"""

from fpplan.data.models.scenario import Scenario
from fpplan.data.scenarios import load_scenarios
from fpplan.demography.calibration import county_inputs
from fpplan.demography.projection import Projection, ProjectionInputs, prepare, project, reconcile
from fpplan.demography.scenarios import variants

__all__ = [
    "Projection",
    "ProjectionInputs",
    "Scenario",
    "county_inputs",
    "load_scenarios",
    "prepare",
    "project",
    "reconcile",
    "variants",
]
