"""Configuration of the planning engines: WISN inputs (wisn.yaml), national standards (standards.yaml) and the
services that drive demand (services.yaml)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from fpplan.data.models import Frozen


class Calendar(Frozen):
    working_days: float
    public_holidays: float
    annual_leave: float
    sick_leave: float
    other_leave: float
    hours_per_day: float = Field(gt=0)
    days_per_week: float = Field(default=5, gt=0)


class Support(Frozen):
    activity: str
    hours: float = Field(ge=0)
    per: Literal["day", "week", "month", "year"]


class Additional(Frozen):
    activity: str
    hours_per_year: float = Field(ge=0)
    staff_count: float = Field(ge=0)
    levels: tuple[str, ...] = ()


class WisnConfig(Frozen):
    source: str
    calendar: Calendar
    support: tuple[Support, ...] = ()
    additional: tuple[Additional, ...] = ()
    retirement_age: dict[str, int]
    retirement_source: str


class HeadCount(Frozen):
    min: int
    max: int | None = None
    source: str = ""


class StructureRule(Frozen):
    code: str
    field: str
    values: tuple[str | bool, ...]
    min_share: float | None = Field(default=None, ge=0, lt=1)
    min_count: int | None = Field(default=None, ge=0)
    source: str


class Standards(Frozen):
    source: str
    head_count: dict[str, HeadCount]
    structure: tuple[StructureRule, ...]
    floor_area: dict[str, dict[str, float]]


class Service(Frozen):
    element: str
    base: Literal["married_women_15_49", "women_15_49", "births", "population", "men_15_64"]
    cadre: str
    unit_time_hours: float
    where: Literal["own", "central", "county", "mobile"] = "own"


class ServicesConfig(Frozen):
    source: str
    mobile_distance_km: float = 25
    rate_months: int = 12
    services: dict[str, Service]
