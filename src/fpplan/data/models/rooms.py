"""Configuration of the village service rooms (村服务室) and population schools (人口学校) the plan brings to
standard by the plan year (rooms.yaml): how the work is spread over the plan's years, what each kind of work costs
and how it is paid. Every number carries its source."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from fpplan.data.models import Frozen


class WorkCost(Frozen):
    """The cost of one piece of work (万元 per village) and where the figure comes from."""

    cost_wan_yuan: float = Field(ge=0)
    source: str


class RoomsConfig(Frozen):
    """``schedule``: ``even`` (each township brings an equal share of its villages to standard every year) or
    ``worst_first`` (the county does an equal share every year, the townships with the lowest share up to standard
    first); within a township rooms (schools) to build come before those to upgrade. ``costs``: room_build,
    room_upgrade, school_build, school_upgrade. ``merged_clinic_share``: a room merged with the village clinic
    (二室合一) is upgraded at this share of the upgrade cost (the clinic's building is shared). ``subsidy_share``:
    the part sought from upper levels, the rest self-raised."""

    source: str
    schedule: Literal["even", "worst_first"] = "even"
    schedule_source: str
    costs: dict[Literal["room_build", "room_upgrade", "school_build", "school_upgrade"], WorkCost]
    merged_clinic_share: float = Field(default=1.0, ge=0, le=1)
    merged_clinic_source: str = ""
    subsidy_share: float = Field(ge=0, le=1)
    subsidy_source: str
