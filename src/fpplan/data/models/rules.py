"""Configuration of the two rule sets seed 000 spells out (rules.yaml): the demand-survey roll-up and the staff
exam rewards and penalties."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from fpplan.data.models import Frozen, check_error


class NeedClass(Frozen):
    """A class of need (核心/主要/一般/潜在需求): a need of the year takes the first class, in the listed order,
    whose ``min_count_share`` (its share of all needs reported in the county in the year) and ``min_village_share``
    (the share of the county's villages that raised it) it both reaches."""

    code: str
    zh: str
    en: str
    min_count_share: float = Field(ge=0, le=1)
    min_village_share: float = Field(default=0.0, ge=0, le=1)


class Named(Frozen):
    zh: str
    en: str


class Channel(Frozen):
    """A channel the survey collects needs through (主渠道/辅渠道/补充渠道) and who or what it is."""

    zh: str
    en: str
    through_zh: str
    through_en: str


class Conflict(Frozen):
    """A need that conflicts with law or policy (与现行法律法规相抵触): flagged, never planned for; ``source``: the law
    or rule it conflicts with."""

    source: str


class Uplift(Frozen):
    """How much a need of a class raises the planned volume of the services it asks for (0.1 = +10%)."""

    uplift: float = Field(ge=0)
    source: str


class SurveyRules(Frozen):
    source: str
    rounds_per_year: int = Field(default=2, ge=1)
    contents: tuple[Named, ...] = ()
    channels: dict[str, Channel] = Field(default_factory=dict)
    methods: tuple[Named, ...] = ()
    classes: tuple[NeedClass, ...]
    class_source: str = ""
    common_problem_village_share: float
    conflicts: dict[str, Conflict] = Field(default_factory=dict)
    services: dict[str, tuple[str, ...]] = Field(
        default_factory=dict
    )  # need → the services (services.yaml) it asks for
    services_source: str = ""
    uplift: dict[str, Uplift] = Field(default_factory=dict)  # need class → the volume uplift of its services

    @model_validator(mode="after")
    def _known_classes(self) -> SurveyRules:
        unknown = sorted(set(self.uplift) - {c.code for c in self.classes})
        if unknown:
            raise check_error("uplift_classes", names="、".join(unknown))
        return self


class Tier(Frozen):
    fails: int
    zh: str
    en: str
    allowance_months: int


class Prize(Frozen):
    min: float
    zh: str
    en: str
    yuan: float


class Fine(Frozen):
    below: float
    yuan: float


class IndividualPrizes(Frozen):
    group: tuple[str, ...]
    yuan: tuple[float, ...]


class Bonus(Frozen):
    min_score: float
    yuan: float


class ExamRules(Frozen):
    source: str
    pass_mark: float
    individual_tiers: tuple[Tier, ...]
    absence_allowance_months: int
    collective_specialties: tuple[str, ...]
    collective_reading: Literal["yearly", "monthly"] = "yearly"
    collective_prizes: tuple[Prize, ...]
    collective_fine: Fine
    individual_prize_min_average: float
    individual_prizes: tuple[IndividualPrizes, ...]
    prefecture_bonus: Bonus


class RulesConfig(Frozen):
    survey: SurveyRules
    exams: ExamRules
