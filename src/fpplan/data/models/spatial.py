"""Configuration of the spatial engines (spatial.yaml): the county's extent, how distance is measured, each
station level's reach, road speeds, the mobile vehicles' rounds and the siting defaults (fpplan.spatial)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from fpplan.data.models import Frozen, check_error

BASES = ("women_15_49", "married_women_15_49", "migrant_women")


class Sourced(Frozen):
    """A number with where it comes from."""

    value: float = Field(gt=0)
    source: str


class Extent(Frozen):
    """The county's bounding box in WGS84 degrees: every coordinate must fall inside it."""

    lon_min: float = Field(ge=-180, le=180)
    lon_max: float = Field(ge=-180, le=180)
    lat_min: float = Field(ge=-90, le=90)
    lat_max: float = Field(ge=-90, le=90)
    source: str = ""

    @model_validator(mode="after")
    def _ordered(self) -> Extent:
        if self.lon_min >= self.lon_max or self.lat_min >= self.lat_max:
            raise check_error("extent")
        return self


class Reach(Frozen):
    """How far a station of one level serves: road km (straight line × detour factor) or minutes of travel."""

    radius_km: float = Field(gt=0)
    minutes: float = Field(gt=0)
    source: str


class Travel(Frozen):
    walking_kmh: Sourced
    road_speed_kmh: dict[str, float]  # by road class (the roads file's `road_class`)
    speeds_source: str
    snap_m: float = Field(default=1.0, gt=0)  # line ends closer than this join (metres)


class Round(Frozen):
    """A round of visits the mobile vehicles make to every village beyond reach, in the given months."""

    months: tuple[int, ...]
    base: Literal["women_15_49", "married_women_15_49", "migrant_women"]
    uptake: float = Field(gt=0, le=1)
    minutes_per_person: float = Field(gt=0)
    source: str

    @model_validator(mode="after")
    def _months(self) -> Round:
        if not self.months or any(not 1 <= m <= 12 for m in self.months) or len(set(self.months)) != len(self.months):
            raise check_error("months")
        return self


class Mobile(Frozen):
    working_days_per_year: Sourced
    hours_per_day: Sourced
    speed_kmh: Sourced  # a vehicle's speed when distances are straight line × detour (no road file)
    team_size: Sourced  # staff serving at once in a village (people served in parallel)
    migrant_share: Sourced  # migrant women as a share of married women 15–49 where the reports say nothing
    rounds: dict[str, Round]


class Siting(Frozen):
    new_level: Literal["township_general", "township_central"] = "township_general"
    new_sites: int = Field(default=1, ge=0, le=10)
    source: str = ""


class SpatialConfig(Frozen):
    source: str
    extent: Extent | None = None  # None: mainland China (CHINA_EXTENT)
    method: Literal["auto", "distance", "travel_time"] = "auto"
    detour_factor: Sourced
    reach: dict[Literal["county_station", "township_central", "township_general", "village_room"], Reach]
    standard_grade: dict[str, Literal["A", "B", "C"]]  # by level: the grade a station must reach
    standard_source: str
    travel: Travel
    mobile: Mobile
    siting: Siting = Siting()

    @model_validator(mode="after")
    def _detour(self) -> SpatialConfig:
        if self.detour_factor.value < 1:
            raise check_error("detour")
        return self


# Mainland China with Hainan, as a bounding box (national territory extremes, rounded outward).
CHINA_EXTENT = Extent(
    lon_min=73.4,
    lon_max=135.1,
    lat_min=18.1,
    lat_max=53.6,
    source="mainland China and Hainan, bounding box of the national territory's extreme points",
)
