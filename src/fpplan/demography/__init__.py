"""Cohort-component population projection of every township: engine, life tables, scenarios, uncertainty.

Conventions (timing of births, deaths and migration within a step, the open age group, infant separation
factors) are documented in :mod:`fpplan.demography.engine` and :mod:`fpplan.demography.lifetable`; the model of
uncertainty in :mod:`fpplan.demography.stochastic`; how base rates come from county data in
:mod:`fpplan.demography.estimate`.
"""

from fpplan.demography.projection import Projection, ProjectionInputs, prepare, project, reconcile
from fpplan.demography.scenarios import Scenario, load_scenarios, variants

__all__ = ["Projection", "ProjectionInputs", "Scenario", "load_scenarios", "prepare", "project", "reconcile", "variants"]
