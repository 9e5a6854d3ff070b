"""Configuration of the two rule sets seed 000 spells out (rules.yaml): the demand-survey roll-up and the staff
exam rewards and penalties."""

from __future__ import annotations

from typing import Literal

from fpplan.data.models import Frozen


class NeedClass(Frozen):
    code: str
    zh: str
    en: str
    min_count_share: float


class SurveyRules(Frozen):
    source: str
    classes: tuple[NeedClass, ...]
    common_problem_village_share: float


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
