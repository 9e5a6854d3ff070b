"""Projection scenarios: one YAML file per scenario in a county's ``config/scenarios/`` (see
``fpplan.demography.scenarios`` for how paths are read)."""

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
    srb: float = Field(default=1.10, gt=0.8, lt=1.5)
    net_migration: Path_ | None = None
    migration_timing: Literal["end", "even"] = "even"
    lump_inflows: tuple[LumpInflow, ...] = ()
    horizon: int = 2035
    project_completion: dict[str, int] = Field(default_factory=dict)  # station code → completion year, moving a construction project
