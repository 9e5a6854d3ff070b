"""Configuration of the indicators: the monthly report's data elements (data_elements.yaml), the indicator
catalogue with its target sets (indicators.yaml) and the data-quality checks (quality.yaml)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from fpplan.data.models import Frozen


class DataElement(Frozen):
    zh: str
    en: str
    time: Literal["sum", "average", "last"]


class DataElements(Frozen):
    source: str
    elements: dict[str, DataElement]


class Target(Frozen):
    op: Literal[">=", "<=", ">", "<", "between"]
    value: float | tuple[float, float]


class TargetSet(Frozen):
    zh: str
    en: str
    source: str


class Indicator(Frozen):
    """A ratio of data elements, or (``computed``) one of the values the quality checks and the budget give."""

    zh: str
    en: str
    numerator: str = ""
    denominator: str = ""
    computed: Literal["report_timeliness", "statistics_accuracy", "per_capita_budget"] | None = None
    factor: float = Field(default=100, gt=0)
    annualise: bool = False
    targets: dict[str, Target] = Field(default_factory=dict)
    source: str


class Catalogue(Frozen):
    source: str
    default_target_set: str
    margin: float = 5
    target_sets: dict[str, TargetSet]
    indicators: dict[str, Indicator]


class ValidationRule(Frozen):
    code: str
    left: str
    op: Literal["<=", ">=", "==", "<", ">"]
    right: str
    missing: Literal["skip", "zero"] = "skip"  # a side with a missing element: skip the check, or count it as 0
    source: str


class QualityConfig(Frozen):
    source: str
    timely_days: int
    outlier_threshold: float
    outlier_min_months: int
    outlier_min_difference: float = 0
    validation_rules: tuple[ValidationRule, ...]
