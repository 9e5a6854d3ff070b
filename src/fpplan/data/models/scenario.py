"""Projection scenarios: one YAML file per scenario in a county's ``config/scenarios/`` (see
``fpplan.demography.scenarios`` for how paths are read), and the plausible bounds every scenario is held to
(``config/bounds.yaml``; checked against the county by ``fpplan.data.scenarios``)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from fpplan.data.models import Frozen

Path_ = dict[int, float]


class Name(Frozen):
    zh: str
    en: str


class E0Path(Frozen):
    male: Path_
    female: Path_


class LumpInflow(Frozen):
    """A whole community arriving in ``year`` (present in that year's population) and settling in ``township``."""

    name: str
    township: str
    year: int
    size: float = Field(gt=0)
    male_share: float = Field(default=0.5, ge=0, le=1)
    profile: Literal["working_age", "like_township"] = "working_age"


class Scenario(Frozen):
    name: Name
    source: str = "demo assumption"
    tfr: Path_ | None = None
    e0: E0Path | None = None
    srb: float = Field(default=1.10, gt=0)
    net_migration: Path_ | None = None
    migration_timing: Literal["end", "even"] = "even"
    lump_inflows: tuple[LumpInflow, ...] = ()
    horizon: int = 2035
    project_completion: dict[str, int] = Field(default_factory=dict)  # station code → completion year, moving a construction project


class Bound(Frozen):
    """A plausible range; a value outside it is refused as a likely typo. ``source`` says why these numbers."""

    min: float | None = None
    max: float | None = None
    source: str


class ScenarioBounds(Frozen):
    tfr: Bound  # children per woman
    e0: Bound  # years, either sex
    srb: Bound  # male births per female birth
    horizon_years: Bound  # horizon − base year
    lump_inflow_share: Bound  # one lump inflow's size / the county's base-year population
    net_migration_share: Bound  # |yearly county net migration| / the county's base-year population


class Bounds(Frozen):
    source: str
    scenario: ScenarioBounds
