"""Configuration of the county's working rhythm and its contraceptive supply: the supervision checklist and the
work register's elements (rhythm.yaml), the contraceptive methods with their couple-years-of-protection factors
(contraceptives.yaml). Every item, element and factor carries its source."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from fpplan.data.models import Frozen, check_error


class ChecklistItem(Frozen):
    """One item a supervisor checks (督导检查项目): at units of ``level`` (villages or townships). ``rectify``: a
    failed item is a finding to rectify by a deadline (false: only recorded, e.g. what a village builds "where
    conditions allow")."""

    zh: str
    en: str
    level: Literal["village", "township"] = "village"
    rectify: bool = True
    source: str


class WorkElement(Frozen):
    """One count of the work register (工作台账), recorded at units of ``level``; ``time``: how months add up (sum:
    flows such as meetings held; last: stocks such as staff in post, the period's last month; average)."""

    zh: str
    en: str
    unit_zh: str = ""
    unit_en: str = ""
    level: Literal["village", "township", "county"]
    time: Literal["sum", "average", "last"] = "sum"
    source: str


class RhythmConfig(Frozen):
    source: str
    checklist: dict[str, ChecklistItem]
    elements: dict[str, WorkElement]


class Method(Frozen):
    """A contraceptive method: its unit (cycle, piece, dose, insertion, procedure), the couple-years of protection
    (CYP) one unit gives — as ``units_per_cyp`` (resupply methods: 15 cycles of pills = 1 CYP) or ``cyp_per_unit``
    (long-acting methods: 4.6 CYP per Cu-T 380A inserted), exactly one of them — and, for procedures the monthly
    report already counts, the report's data element (``report_element``) to read instead of the supply table."""

    zh: str
    en: str
    unit_zh: str
    unit_en: str
    units_per_cyp: float | None = Field(default=None, gt=0)
    cyp_per_unit_value: float | None = Field(default=None, gt=0, alias="cyp_per_unit")
    report_element: str | None = None
    source: str

    @model_validator(mode="after")
    def _one_factor(self) -> Method:
        if (self.units_per_cyp is None) == (self.cyp_per_unit_value is None):
            raise check_error("cyp")
        return self

    @property
    def cyp_per_unit(self) -> float:
        return self.cyp_per_unit_value if self.cyp_per_unit_value is not None else 1.0 / self.units_per_cyp


class ContraceptivesConfig(Frozen):
    """The methods; and what the plan's supply need uses where the county's data do not say: ``default_mix`` (each
    method's share of users, summing to 1) for a county without the supply table, ``default_prevalence`` (users
    among married women 15–49) for one whose reports do not count users; each with its source."""

    source: str
    methods: dict[str, Method]
    default_mix: dict[str, float] = Field(default_factory=dict)
    default_mix_source: str = ""
    default_prevalence: float | None = Field(default=None, ge=0, le=1)
    default_prevalence_source: str = ""

    @model_validator(mode="after")
    def _mix(self) -> ContraceptivesConfig:
        unknown = sorted(set(self.default_mix) - set(self.methods))
        if unknown:
            raise check_error("mix_methods", names="、".join(unknown))
        if self.default_mix and abs(sum(self.default_mix.values()) - 1) > 1e-6:
            raise check_error("mix_sum", total=f"{sum(self.default_mix.values()):g}")
        if any(v < 0 for v in self.default_mix.values()):
            raise check_error("mix_negative")
        return self
