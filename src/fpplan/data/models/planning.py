"""Configuration of the planning engines: WISN inputs (wisn.yaml), national standards (standards.yaml), the
services that drive demand (services.yaml), the recruitment plan's choices (recruitment.yaml) and the equipment
standard (equipment.yaml)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from fpplan.data.models import Frozen, check_error


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
    """Technical staff (FTE) a station of one level must have, "按照人口数量与服务半径" (seed 000 §三(三)):
    norm = min(max, min + ⌈(women − reference_women)⁺ / women_per_extra_staff⌉
                        + ⌈(radius − reference_radius)⁺ / radius_km_per_extra_staff⌉).
    A term whose step is not given is 0. ``basis``: the women counted are those of the station's own township or
    of the whole county (the county station)."""

    min: int = Field(ge=0)
    max: int | None = Field(default=None, ge=0)
    basis: Literal["own_township", "county"] = "own_township"
    reference_women_15_49: float = Field(default=0, ge=0)
    women_per_extra_staff: float | None = Field(default=None, gt=0)
    reference_radius_km: float = Field(default=0, ge=0)
    radius_km_per_extra_staff: float | None = Field(default=None, gt=0)
    source: str = ""
    terms_source: str = ""


class StructureRule(Frozen):
    """A rule on the county's technical staff: a share (of FTE) or a count (of persons) qualified.
    ``holds``: every_year (from the plan's first year) or plan_year (only by the plan year: rules that only
    training the people in post can meet)."""

    code: str
    field: str
    values: tuple[str | bool, ...]
    min_share: float | None = Field(default=None, ge=0, le=1)
    min_count: int | None = Field(default=None, ge=0)
    holds: Literal["every_year", "plan_year"] = "every_year"
    source: str


class TechnicalStaff(Frozen):
    """Who counts as technical staff (技术人员) and how: by FTE, without the named specialties."""

    exclude_specialties: tuple[str, ...] = ()
    source: str = ""


class Standards(Frozen):
    source: str
    plan_year: int | None = None  # None: the construction plan's last completion year
    technical_staff: TechnicalStaff = TechnicalStaff()
    head_count: dict[str, HeadCount]
    structure: tuple[StructureRule, ...]
    medical_specialties: tuple[str, ...] = ("gynaecology", "ultrasound", "laboratory", "nursing", "pharmacy")
    licence_by_specialty: dict[str, tuple[str, ...]] = Field(default_factory=dict)
    licence_source: str = ""
    floor_area: dict[str, dict[str, float]]
    floor_area_standard: str = ""
    floor_area_source: str = ""
    scale_need_by_women_served: bool = True


class Upgrade(Frozen):
    """Training a person in post up one level on one field (seed 000 §三(三)2③: 2–3 key staff a year to the
    prefecture), from any of ``from_`` to ``to``; only for ``specialties`` when given."""

    code: str
    field: Literal["education", "title", "licence"]
    from_: tuple[str, ...] = Field(alias="from")
    to: str
    specialties: tuple[str, ...] = ()
    cost_wan_yuan: float = Field(ge=0)
    source: str = ""


class CountyStationCourse(Frozen):
    """Township technical staff trained at the county station for ``months`` months, in batches over the plan's
    years (seed 004 第六篇: 组织乡级技术人员分期分批到县站进修学习，时间3个月): the staff of stations of ``levels``;
    ``cost_wan_yuan`` per person (tuition, board, travel)."""

    months: int = Field(default=3, ge=1)
    levels: tuple[str, ...] = ("township_central", "township_general")
    cost_wan_yuan: float = Field(ge=0)
    source: str


class Training(Frozen):
    min_per_year: int = Field(default=0, ge=0)
    max_per_year: int = Field(default=3, ge=0)
    source: str = ""
    upgrades: tuple[Upgrade, ...] = ()
    county_station_course: CountyStationCourse | None = None


class Hiring(Frozen):
    """What a new hire can be: education and title choices (licence: one matching the specialty), and the yearly
    cost of a hire by title (salary and on-costs, 万元)."""

    specialties: tuple[str, ...] = ()  # empty: every specialty with need or counted as technical staff
    education: tuple[str, ...]
    titles: tuple[str, ...]
    annual_cost_wan_yuan: dict[str, float]
    max_per_year: int | None = Field(default=None, ge=0)
    age_at_hire: int = Field(default=30, ge=16, le=70)  # a hire retires at the earlier retirement age (sex unknown)
    age_at_hire_source: str = ""
    source: str = ""


class RecruitmentConfig(Frozen):
    source: str
    first_year: int | None = None  # None: the year after the base year
    solver_time_limit_s: float = Field(default=30, gt=0)
    hiring: Hiring
    training: Training = Training()


class EquipmentItem(Frozen):
    """One kind of equipment: its zh/en name (loading accepts either), unit price (万元) and, when given, its
    service life (years: an item older than that by the plan year is replaced)."""

    zh: str
    en: str
    unit_price_wan_yuan: float = Field(ge=0)
    service_life_years: int | None = Field(default=None, gt=0)
    source: str


class StandardQuantity(Frozen):
    """Quantity of an item a station must hold: so many per station plus so many per village of its township
    (village medical kits)."""

    per_station: int = Field(default=0, ge=0)
    per_village: float = Field(default=0, ge=0)


class EquipmentConfig(Frozen):
    """The equipment standard (甲级, seed 000 §三(二)2) by station level, with prices, and how it is paid."""

    source: str
    standard: str
    procurement: str
    self_raised_share: float = Field(ge=0, le=1)
    self_raised_source: str
    items: dict[str, EquipmentItem]
    standard_by_level: dict[str, dict[str, int | StandardQuantity]]

    @model_validator(mode="after")
    def _known_items(self) -> EquipmentConfig:
        unknown = sorted({i for level in self.standard_by_level.values() for i in level} - set(self.items))
        if unknown:
            raise check_error("standard_items", names="、".join(unknown))
        return self

    def quantity(self, level: str, item: str) -> StandardQuantity:
        q = self.standard_by_level.get(level, {}).get(item, 0)
        return q if isinstance(q, StandardQuantity) else StandardQuantity(per_station=q)


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


class IntakeRule(Frozen):
    method: str
    source: str


class MarriedShareDefault(Frozen):
    source: str
    by_age: dict[int, float]


class SourcedValue(Frozen):
    value: float
    source: str


class DefaultScenario(Frozen):
    tfr: float
    tfr_source: str
    e0_male: float
    e0_female: float
    e0_source: str
    horizon_years: int = 10


class IntakeConfig(Frozen):
    """config/intake.yaml: how ``fpplan init`` reads a county's office files (fpplan.data.intake)."""

    source: str
    open_age_group: IntakeRule
    closed_age_groups: IntakeRule
    married_share: MarriedShareDefault
    part_time_fte: SourcedValue
    default_scenario: DefaultScenario
