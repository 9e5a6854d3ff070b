"""Configuration of the indicators: the monthly report's data elements (data_elements.yaml), the indicator
catalogue with its target sets (indicators.yaml) and the data-quality checks (quality.yaml).

The traffic light of an indicator (the DHIS2 way): its direction says which side of the target is better; a value
that meets the target is green; a value that misses it is placed by how far beyond the target it lies (in the
indicator's own unit, or in % of the target) in the bands of the indicator's legend: amber where the legend says so,
red otherwise. Without a legend every miss is red. Bands are half-open [from, to), start at 0, end at infinity
(no ``to``), with no gaps and no overlaps; the last band is red (a far miss is never amber). Checked on loading.
"""

from __future__ import annotations

import re
from itertools import pairwise
from typing import Literal

from pydantic import Field, field_validator, model_validator

from fpplan.data.models import Frozen, check_error, check_errors

# the elements every report indicator may use besides config/data_elements.yaml's, with their time aggregation
EXTRA_ELEMENTS = {"women_15_49": "average", "population": "average", "reporting_villages": "last"}
_TERM = re.compile(r"\s*([+-]?)\s*([A-Za-z_][A-Za-z0-9_]*)\s*")


def terms(expression: str) -> list[tuple[int, str]]:
    """``"a + b - c"`` → [(1, "a"), (1, "b"), (−1, "c")]; ValueError for anything else."""
    out, pos = [], 0
    while pos < len(expression):
        match = _TERM.match(expression, pos)
        if not match or match.end() == pos or (out and not match.group(1)):
            raise ValueError(f"cannot read {expression!r}: use data elements joined by + or -")
        out.append((-1 if match.group(1) == "-" else 1, match.group(2)))
        pos = match.end()
    return out


def elements_of(expression: str) -> list[str]:
    return [name for _, name in terms(expression)] if expression else []


LEVELS = ("village", "township", "county")
PERIOD_KINDS = ("month", "quarter", "half_year", "year")
# unit → factor applied to numerator / denominator
UNIT_FACTORS = {
    "percent": 100.0,
    "per_mille": 1000.0,
    "ratio": 1.0,
    "per_100": 100.0,
    "yuan": 1.0,
    "count": 1.0,
    "times": 1.0,
    "persons": 1.0,
}
COUNT_UNITS = ("count", "times", "persons")  # whole events or persons: a pro-rata target must be whole
# a range indicator (neither more nor less is better in itself) may still have a one-sided target (seed 004: SRB <= 125)
DIRECTION_OPS = {"higher": (">=", ">"), "lower": ("<=", "<"), "range": ("between", "<=", "<", ">=", ">")}


class DataElement(Frozen):
    zh: str
    en: str
    time: Literal["sum", "average", "last"]


class DataElements(Frozen):
    source: str
    elements: dict[str, DataElement]


class Band(Frozen):
    """One band of a legend over the distance beyond the target: [from, to); no ``to`` = infinity."""

    start: float = Field(alias="from", ge=0)
    end: float | None = Field(default=None, alias="to")
    status: Literal["amber", "red"]


class Legend(Frozen):
    """How far beyond its target a missed value lies, in the indicator's unit (``unit``) or in % of the target
    (``percent_of_target``), and the colour of each band."""

    basis: Literal["unit", "percent_of_target"] = "unit"
    bands: tuple[Band, ...]


class Aim(Frozen):
    """What a source asks beyond the line it sets ("力争达到100%", "控制在120左右"): a value on the same side of the
    target as the target's operator; a value that meets the target but not its aim is amber."""

    value: float
    document: str | None = None
    source: str


class Target(Frozen):
    """A target: operator and value (two values for a range); optionally only for some levels and period kinds
    (none given: all); ``source`` cites where it is stated ("<where>: <the source's own words>"), ``document`` the
    document it is stated in (an id of the label table's ``documents``; default: its target set's), ``aim`` what
    the source asks beyond the line."""

    op: Literal[">=", "<=", ">", "<", "between"]
    value: float | tuple[float, float]
    levels: tuple[Literal["village", "township", "county"], ...] | None = None
    period_kinds: tuple[Literal["month", "quarter", "half_year", "year"], ...] | None = None
    document: str | None = None
    aim: Aim | None = None
    source: str

    @model_validator(mode="after")
    def _value_fits_op(self) -> Target:
        if self.op == "between":
            if not isinstance(self.value, tuple) or self.value[0] > self.value[1]:
                raise check_error("between_values")
            if self.aim is not None:
                raise check_error("between_aim")
        elif isinstance(self.value, tuple):
            raise check_error("one_value", op=self.op)
        elif self.aim is not None and (self.aim.value - float(self.value)) * (1 if self.op in (">=", ">") else -1) < 0:
            raise check_error("aim", aim=f"{self.aim.value:g}", op=self.op, value=f"{self.value:g}")
        return self

    def applies(self, level: str, kind: str) -> bool:
        return (self.levels is None or level in self.levels) and (
            self.period_kinds is None or kind in self.period_kinds
        )

    @property
    def specificity(self) -> int:
        return (self.levels is not None) + (self.period_kinds is not None)


class TargetSet(Frozen):
    """Targets as one source states them, or a county's own composition: ``extends`` other sets (later ones
    override earlier ones) and ``targets`` overrides them all. ``document``: the document its targets are stated in
    (an id of the label table's ``documents``, which gives its title)."""

    zh: str
    en: str
    source: str
    document: str | None = None
    extends: tuple[str, ...] = ()
    targets: dict[str, tuple[Target, ...]] = Field(default_factory=dict)

    @field_validator("targets", mode="before")
    @classmethod
    def _one_or_many(cls, value):
        if isinstance(value, dict):
            return {k: [v] if isinstance(v, dict) else v for k, v in value.items()}
        return value


class Exposure(Frozen):
    """The least a rate must rest on before it is judged against a target (rare events): a ``denominator`` of at
    least this much (operations, births …) and, if given, only periods of ``period_kinds``. Below it the value is
    shown and its status is ``small_sample`` (样本不足), never a colour. Not applied to a target of zero (none at all:
    one event misses it on any base). ``source``: the reasoning or where the rule is stated."""

    denominator: float | None = Field(default=None, gt=0)
    period_kinds: tuple[Literal["month", "quarter", "half_year", "year"], ...] | None = None
    source: str

    @model_validator(mode="after")
    def _something(self) -> Exposure:
        if self.denominator is None and self.period_kinds is None:
            raise check_error("exposure")
        return self


class Cycle(Frozen):
    """A duty done every cycle for every unit (the working rhythm, domain.md §9): each unit at level ``of`` must
    reach ``quota`` (the element of a work indicator aggregated over the cycle by its time type; inspections by level
    ``by`` for a supervision indicator) in every cycle (``every``). The value over a period is the share of unit ×
    cycle pairs done among those due: the cycles lying wholly in the period, begun after the register's first month
    and ended by the register's last month (a cycle still running is not yet due); a period shorter than the cycle has
    no value (“按季度考核，本期不评”)."""

    every: Literal["month", "quarter", "half_year", "year"]
    of: Literal["village", "township", "county"]
    quota: float = Field(default=1, gt=0)
    by: Literal["county", "township"] | None = None


class Indicator(Frozen):
    """An indicator: where its data come from (``data``), numerator and denominator (data elements of that source
    joined by + or -; no denominator: a count), the unit (which fixes the factor), the direction, the legend.

    ``data``: report (the monthly village report), survey (sample-survey rounds: ``question``), exams (staff exams:
    share of sat exams passed), training (training register: ``group``), submissions (reports on time),
    vital_registration (reported births against registered births), budget (per-capita budget); the working
    rhythm (fpplan.indicators.rhythm): supervision (``cycle``: inspections done), rectification (findings closed by
    their deadline), checklist (units passing ``item`` at their latest inspection), work (the work register:
    numerator / denominator over its elements and the report's, or a ``cycle``), village_rooms (``item`` room or
    school up to standard, years only).
    ``per_year``: a work indicator's checks due per person a year (the denominator's persons × per_year × the
    period's months / 12; periods shorter than 12 / per_year months have no value). ``pro_rata``: at half-years,
    quarters and months a yearly target is applied pro rata (× months / 12; for counts only where that is whole).
    ``window_months``: the value over that many months ending with the period (e.g. 36 for "three years").
    ``levels``: the levels the indicator is defined at. ``stage``: Tanahashi stage it measures; ``related``: the
    indicators that stand behind it (shown from a red cell). ``minimum_exposure``: below it, 样本不足 instead of a
    colour (:class:`Exposure`)."""

    zh: str
    en: str
    data: Literal[
        "report",
        "survey",
        "exams",
        "training",
        "submissions",
        "vital_registration",
        "budget",
        "supervision",
        "rectification",
        "checklist",
        "work",
        "village_rooms",
    ] = "report"
    numerator: str = ""
    denominator: str = ""
    question: str | None = None
    group: str | None = None
    cycle: Cycle | None = None
    item: str | None = None
    per_year: float | None = Field(default=None, gt=0)
    pro_rata: bool = False
    unit: Literal["percent", "per_mille", "ratio", "per_100", "yuan", "count", "times", "persons"] = "percent"
    direction: Literal["higher", "lower", "range"]
    legend: Legend | None = None
    window_months: int | None = Field(default=None, ge=2)
    annualise: bool = False
    levels: tuple[Literal["village", "township", "county"], ...] = LEVELS
    stage: Literal["availability", "accessibility", "acceptability", "contact", "effective", "information"] = "contact"
    related: tuple[str, ...] = ()
    minimum_exposure: Exposure | None = None
    source: str

    @property
    def factor(self) -> float:
        return UNIT_FACTORS[self.unit]

    @model_validator(mode="after")
    def _data_needs(self) -> Indicator:
        for expression in (self.numerator, self.denominator):
            try:
                elements_of(expression)
            except ValueError:
                raise check_error("expression", expression=expression) from None
        if self.data == "report" and not self.numerator:
            raise check_error("numerator")
        if self.data == "survey" and not self.question:
            raise check_error("question")
        if self.data == "training" and not self.group:
            raise check_error("group")
        if self.data == "supervision" and (self.cycle is None or self.cycle.by is None):
            raise check_error("cycle")
        if self.data == "work" and not self.numerator:
            raise check_error("work_numerator")
        if self.data in ("checklist", "village_rooms") and not self.item:
            raise check_error("item", data=self.data)
        if self.data == "village_rooms" and self.item not in ("room", "school"):
            raise check_error("room_item")
        return self


class Catalogue(Frozen):
    source: str
    default_target_set: str
    indicators: dict[str, Indicator]
    target_sets: dict[str, TargetSet]

    @model_validator(mode="after")
    def _consistent(self) -> Catalogue:
        problems: list[tuple[str, dict]] = []
        for code, ind in self.indicators.items():
            problems += legend_problems(code, ind)
            problems += [("related", {"code": code, "related": r}) for r in ind.related if r not in self.indicators]
        if self.default_target_set not in self.target_sets:
            problems.append(("default_set", {"name": self.default_target_set}))
        for name, tset in self.target_sets.items():
            problems += [
                ("extends_unknown", {"set": name, "name": e}) for e in tset.extends if e not in self.target_sets
            ]
            for code, targets in tset.targets.items():
                if code not in self.indicators:
                    problems.append(("target_unknown", {"set": name, "code": code}))
                    continue
                problems += target_problems(name, code, self.indicators[code], targets)
        problems += cycle_problems(self.target_sets)
        if problems:
            raise check_errors(problems)
        return self


def legend_problems(code: str, ind: Indicator) -> list[tuple[str, dict]]:
    """Bands start at 0, each begins where the previous ends (no gap, no overlap), only the last is open-ended and
    it is red."""
    if ind.legend is None:
        return []
    bands, where = ind.legend.bands, {"code": code}
    if not bands:
        return [("legend_empty", where)]
    problems = []
    if bands[0].start != 0:
        problems.append(("legend_start", where | {"start": f"{bands[0].start:g}"}))
    for k, (band, after) in enumerate(pairwise(bands), start=1):
        if band.end is None:
            problems.append(("legend_open", where | {"k": k, "next": k + 1}))
        elif band.end <= band.start:
            problems.append(("legend_reversed", where | {"k": k, "start": f"{band.start:g}", "end": f"{band.end:g}"}))
        elif after.start > band.end:
            problems.append(("legend_gap", where | {"end": f"{band.end:g}", "start": f"{after.start:g}"}))
        elif after.start < band.end:
            problems.append(
                ("legend_overlap", where | {"k": k, "next": k + 1, "start": f"{after.start:g}", "end": f"{band.end:g}"})
            )
    if bands[-1].end is not None:
        problems.append(("legend_end", where | {"end": f"{bands[-1].end:g}"}))
    if bands[-1].status != "red":
        problems.append(("legend_red", where))
    return problems


def target_problems(set_name: str, code: str, ind: Indicator, targets: tuple[Target, ...]) -> list[tuple[str, dict]]:
    where = {"set": set_name, "code": code}
    problems = [
        ("target_op", where | {"op": t.op, "direction": ind.direction, "ops": " / ".join(DIRECTION_OPS[ind.direction])})
        for t in targets
        if t.op not in DIRECTION_OPS[ind.direction]
    ]
    if ind.legend is not None and ind.legend.basis == "percent_of_target":
        problems += [("target_zero", where) for t in targets if t.op != "between" and float(t.value) == 0]
    problems += [
        ("target_level", where | {"level": lvl}) for t in targets for lvl in (t.levels or ()) if lvl not in ind.levels
    ]
    for i, a in enumerate(targets):
        for b in targets[i + 1 :]:
            if (
                a.specificity == b.specificity
                and _overlap(a.levels, b.levels)
                and _overlap(a.period_kinds, b.period_kinds)
            ):
                problems.append(("target_twice", where))
    return problems


def _overlap(a: tuple | None, b: tuple | None) -> bool:
    return a is None or b is None or bool(set(a) & set(b))


def cycle_problems(sets: dict[str, TargetSet]) -> list[tuple[str, dict]]:
    problems = []
    for start in sets:
        seen, stack = set(), [start]
        while stack:
            name = stack.pop()
            for parent in sets[name].extends if name in sets else ():
                if parent == start:
                    problems.append(("extends_itself", {"set": start, "through": name}))
                    stack = []
                    break
                if parent not in seen:
                    seen.add(parent)
                    stack.append(parent)
    return problems


class ValidationRule(Frozen):
    code: str
    left: str
    op: Literal["<=", ">=", "==", "<", ">"]
    right: str
    missing: Literal["skip", "zero"] = "skip"  # a side with a missing element: skip the check, or count it as 0
    source: str


class Relation(Frozen):
    """Two related data elements (sums over a year and unit) expected in a ratio ``expected`` (WHO DQR
    'consistency between related data'): flagged when off by more than ``threshold_percent``."""

    code: str
    a: str
    b: str
    expected: float = 1.0
    threshold_percent: float
    source: str


class DenominatorCheck(Frozen):
    """A reported denominator (a data element) against the same quantity from the population data / projection
    (``expected``: women_15_49, married_women_15_49, population or births)."""

    element: str
    expected: Literal["women_15_49", "married_women_15_49", "population", "births"]
    threshold_percent: float
    source: str


class QualityConfig(Frozen):
    source: str
    timely_days: int
    completeness_threshold: float = 90
    timeliness_threshold: float = 90
    outlier_moderate_sd: float = 2
    outlier_extreme_sd: float = 3
    outlier_threshold: float
    outlier_min_months: int
    outlier_min_difference: float = 0
    consistency_threshold_percent: float = 33
    consistency_years: int = 3
    consistency_elements: tuple[str, ...] = ()
    validation_rules: tuple[ValidationRule, ...]
    relations: tuple[Relation, ...] = ()
    denominators: tuple[DenominatorCheck, ...] = ()
