"""The indicator catalogue (config/indicators.yaml): expressions over data elements, the targets of a target set
(composed through ``extends``), and the traffic light of a value against its target.

Traffic light (DHIS2 legend sets, read against a target): green when the target is met (and its ``aim``, if it has
one: a value that holds the line but misses the aim is amber); otherwise the distance
beyond the target d ≥ 0 (higher is better: target − value; lower is better: value − target; a range: distance to
the nearer bound; in the indicator's unit, or in % of the target) falls in one band of the indicator's legend,
[from, to), amber or red; no legend: red. No value: ``no_data``; no target: ``no_target``; a value resting on less
than the indicator's ``minimum_exposure`` (a rare event on a small base): ``small_sample`` (样本不足), not judged.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from fpplan.data.models.indicators import Catalogue, Indicator, Target, terms

STATUSES = ("green", "amber", "red", "small_sample", "no_target", "no_data")
JUDGED = ("green", "amber", "red")
# a value within this relative distance of its target counts as on it (95.00000000000001 meets 95)
TOLERANCE = 1e-9


def evaluate(expression: str, values: pd.DataFrame) -> pd.Series:
    """An expression over the columns (data elements) of ``values``; a missing element counts as 0."""
    total = np.zeros(len(values))
    for sign, name in terms(expression):
        if name in values:
            total = total + sign * values[name].to_numpy(dtype=float)
    return pd.Series(total, index=values.index)


def resolved_targets(catalogue: Catalogue, target_set: str) -> dict[str, tuple[Target, ...]]:
    """The targets of ``target_set`` with everything it extends: indicator → its targets. Later sets in
    ``extends`` override earlier ones (indicator by indicator); the set's own targets override them all."""
    if target_set not in catalogue.target_sets:
        raise ValueError(f"unknown target set {target_set!r}: {', '.join(catalogue.target_sets)}")
    tset = catalogue.target_sets[target_set]
    out: dict[str, tuple[Target, ...]] = {}
    for parent in tset.extends:
        out.update(resolved_targets(catalogue, parent))
    out.update(
        {code: tuple(_with_document(t, tset.document) for t in targets) for code, targets in tset.targets.items()}
    )
    return out


def _with_document(target: Target, document: str | None) -> Target:
    """The target with its document (its own, else its set's) and its aim's (its own, else the target's)."""
    doc = target.document or document
    aim = target.aim
    if aim is not None and aim.document is None:
        aim = aim.model_copy(update={"document": doc})
    return (
        target
        if (doc, aim) == (target.document, target.aim)
        else target.model_copy(update={"document": doc, "aim": aim})
    )


def target_for(targets: tuple[Target, ...] | None, level: str, kind: str) -> Target | None:
    """The most specific target that applies to ``level`` and period ``kind`` (None: no target)."""
    applying = [t for t in targets or () if t.applies(level, kind)]
    return max(applying, key=lambda t: t.specificity) if applying else None


def targets_for(catalogue: Catalogue, target_set: str, level: str, kind: str) -> dict[str, Target | None]:
    """indicator → the target that applies at ``level`` for periods of ``kind`` (None where the set has none)."""
    resolved = resolved_targets(catalogue, target_set)
    return {code: target_for(resolved.get(code), level, kind) for code in catalogue.indicators}


def target_text(target: Target | None) -> str:
    """``≥ 95``, ``103–107``; with an aim ``≤ 125，力争120`` (the label table's ui.target_aim)."""
    if target is None:
        return ""
    if target.op == "between":
        return f"{target.value[0]:g}–{target.value[1]:g}"
    text = f"{ {'>=': '≥', '<=': '≤'}.get(target.op, target.op) } {float(target.value):g}"
    if target.aim is not None:
        from fpplan.data.labels import ui

        text = ui("target_aim", target=text, aim=f"{target.aim.value:g}")
    return text


def target_citation(target: Target | None) -> str:
    """Where a target is stated, as officials cite it: the document's title and the item (``《…实施方案》二1``), and
    the aim's (``；力争：《全县计划生育工作要点》第一篇 二``)."""
    from fpplan.data.documents import cite_item

    if target is None:
        return ""
    text = cite_item(target.document, target.source)
    if target.aim is not None:
        from fpplan.data.labels import ui

        text += ui("target_aim_source", source=cite_item(target.aim.document, target.aim.source))
    return text


def meets(value: np.ndarray, target: Target) -> np.ndarray:
    """Whether each value meets the target (NaN: False); values within TOLERANCE of a bound count as on it."""
    v = np.asarray(value, dtype=float)
    if target.op == "between":
        lo, hi = target.value
        return (v >= lo - _tol(lo)) & (v <= hi + _tol(hi))
    t = float(target.value)
    return {">=": v >= t - _tol(t), "<=": v <= t + _tol(t), ">": v > t + _tol(t), "<": v < t - _tol(t)}[target.op]


def _tol(t: float) -> float:
    return TOLERANCE * max(1.0, abs(t))


def distance(value: np.ndarray, target: Target) -> np.ndarray:
    """How far each value lies beyond the target on the worse side (0 on the bound), in the indicator's unit."""
    v = np.asarray(value, dtype=float)
    if target.op == "between":
        lo, hi = target.value
        return np.maximum(np.maximum(lo - v, v - hi), 0.0)
    t = float(target.value)
    return np.maximum(t - v if target.op in (">=", ">") else v - t, 0.0)


def status(value: pd.Series | np.ndarray, target: Target | None, indicator: Indicator | None = None) -> np.ndarray:
    """green / amber / red / no_target / no_data for each value (see the module docstring)."""
    v = np.asarray(value, dtype=float)
    if target is None:
        return np.where(np.isnan(v), "no_data", "no_target").astype(object)
    legend = indicator.legend if indicator is not None else None
    light = np.full(v.shape, "red", dtype=object)
    if legend is not None:
        d = distance(v, target)
        if legend.basis == "percent_of_target":
            reference = np.mean(target.value) if target.op == "between" else abs(float(target.value))
            d = d / reference * 100
        for band in legend.bands:
            inside = (d >= band.start - _tol(band.start)) & (
                d < (np.inf if band.end is None else band.end - _tol(band.end))
            )
            light = np.where(inside, band.status, light)
    light = np.where(meets(v, target), "green", light)
    if target.aim is not None:  # the line held, the aim not reached
        aim = target.model_copy(update={"value": target.aim.value, "aim": None})
        light = np.where((light == "green") & ~meets(v, aim), "amber", light)
    return np.where(np.isnan(v), "no_data", light).astype(object)


def short_of_exposure(indicator: Indicator, target: Target | None, denominator, kind: str) -> np.ndarray:
    """Whether each value rests on less than the indicator's minimum exposure for periods of ``kind`` (False where
    the indicator has none, or the target is zero: one event misses "none at all" on any base)."""
    d = np.asarray(denominator, dtype=float)
    rule = indicator.minimum_exposure
    if rule is None or target is None or (target.op != "between" and float(target.value) == 0):
        return np.zeros(d.shape, dtype=bool)
    short = np.zeros(d.shape, dtype=bool)
    if rule.period_kinds is not None and kind not in rule.period_kinds:
        short[:] = True
    if rule.denominator is not None:
        short |= ~(d >= rule.denominator)
    return short


def undecided(lower: np.ndarray, upper: np.ndarray, target: Target | None) -> np.ndarray:
    """A survey value's 95% interval holds values that meet the target and values that miss it: the sample is too
    small to tell met from missed."""
    lo, hi = np.asarray(lower, dtype=float), np.asarray(upper, dtype=float)
    if target is None:
        return np.zeros(lo.shape, dtype=bool)
    both = meets(lo, target) != meets(hi, target)
    if target.op == "between":  # an interval wider than the range on both sides
        both |= (lo < target.value[0]) & (hi > target.value[1])
    return both & ~np.isnan(lo) & ~np.isnan(hi)
