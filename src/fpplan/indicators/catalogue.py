"""The indicator catalogue (config/indicators.yaml): numerator and denominator over data elements, factor,
targets by named target set, and how a value meets its target."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from fpplan.data.models.indicators import Target

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


def evaluate(expression: str, values: pd.DataFrame) -> pd.Series:
    """An expression over the columns (data elements) of ``values``; a missing element counts as 0."""
    total = pd.Series(0.0, index=values.index)
    for sign, name in terms(expression):
        total = total + sign * values.get(name, 0.0)
    return total


def status(value: pd.Series, target: Target | None, margin: float) -> pd.Series:
    """met / within_margin / missed / no_target / no_value for each value."""
    v = value.to_numpy(dtype=float)
    if target is None:
        return pd.Series(np.where(np.isnan(v), "no_value", "no_target"), index=value.index)
    met = meets(v, target)
    if target.op == "between":
        lo, hi = target.value
        distance = np.maximum(lo - v, v - hi)
    else:
        distance = np.abs(v - float(target.value))
    result = np.where(met, "met", np.where(distance <= margin, "within_margin", "missed"))
    return pd.Series(np.where(np.isnan(v), "no_value", result), index=value.index)


def meets(value: np.ndarray, target: Target) -> np.ndarray:
    if target.op == "between":
        lo, hi = target.value
        return (value >= lo) & (value <= hi)
    t = float(target.value)
    return {">=": value >= t, "<=": value <= t, ">": value > t, "<": value < t}[target.op]
