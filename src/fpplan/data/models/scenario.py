"""Projection scenarios: one YAML file per scenario in a county's ``config/scenarios/`` (see
``fpplan.demography.scenarios`` for how paths are read), and the plausible bounds every scenario is held to
(``config/bounds.yaml``; checked against the county by ``fpplan.data.scenarios``)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from fpplan.data.models import Frozen, check_error

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


class NewStation(Frozen):
    """A station the scenario adds to the plan, with the project that builds it (e.g. a general station for a
    regiment farm). ``target_floor_area_m2``: None takes the standard area of the grade at the level."""

    code: str
    name: str
    level: Literal["county_station", "township_central", "township_general"]
    township_code: str
    floor_area_m2: float = Field(default=0, ge=0)
    mode: Literal["new_build", "extend", "renovate_extend"] = "new_build"
    target_grade: Literal["A", "B", "C"] = "B"
    target_floor_area_m2: float | None = Field(default=None, ge=0)
    start_year: int
    completion_year: int
    cost_wan_yuan: float = Field(ge=0)
    self_raised_wan_yuan: float = Field(ge=0)
    subsidy_requested_wan_yuan: float = Field(ge=0)

    @model_validator(mode="after")
    def _consistent(self) -> NewStation:
        if self.completion_year < self.start_year:
            raise check_error("years_order", completion=self.completion_year, start=self.start_year)
        if abs(self.cost_wan_yuan - self.self_raised_wan_yuan - self.subsidy_requested_wan_yuan) > 0.1:
            raise check_error("cost_parts")
        return self


class Scenario(Frozen):
    name: Name
    source: str = "demo assumption"
    tfr: Path_ | None = None
    e0: E0Path | None = None
    srb: float = Field(default=1.10, gt=0.8, lt=1.5)  # what a sex ratio can be; config/bounds.yaml: what is plausible
    net_migration: Path_ | None = None
    migration_timing: Literal["end", "even"] = "even"
    lump_inflows: tuple[LumpInflow, ...] = ()
    horizon: int = 2035
    project_completion: dict[str, int] = Field(
        default_factory=dict
    )  # station code → completion year, moving a construction project
    grade_changes: dict[str, Literal["A", "B", "C"]] = Field(
        default_factory=dict
    )  # station code → target grade of its last project
    stations_added: tuple[NewStation, ...] = ()


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
