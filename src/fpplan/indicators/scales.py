"""The scale an indicator is forecast on, so that a forecast and its interval stay in the indicator's range.

- ``logit`` — a percentage (unit ``percent``) lies in [0, 100]: the trend is fitted to logit(p), p = value / 100,
  and forecasts are back-transformed with the logistic function (a logistic trend). A value of 0 or 100% is moved
  half a case inside the range (p = 0.5 / denominator, or 1 − 0.5 / denominator: Cox's empirical-logit
  correction, D. R. Cox, *The analysis of binary data*, 1970), so that it has a logit.
- ``log`` — a rate, ratio or count whose numerator cannot be negative (per mille, per 100, ratio, count, yuan) lies
  in [0, ∞): the trend is fitted to log(value) and back-transformed with exp; a 0 is moved to half a case
  (0.5 / denominator × the unit's factor).
- ``linear`` — a rate whose numerator has a minus sign (natural growth: births − deaths) may be negative: no
  transformation.

The back-transform is monotone, so the bounds of a prediction interval on the fitted scale are the bounds of the
interval on the indicator's scale (same coverage); the back-transformed centre is the forecast's median.
"""

from __future__ import annotations

import numpy as np

from fpplan.data.models.indicators import terms

SCALES = ("logit", "log", "linear")


def scale_of(indicator) -> str:
    """``logit`` for a percentage, ``linear`` for a rate with a subtracted term, else ``log``."""
    if indicator.unit == "percent":
        return "logit"
    if indicator.numerator and any(sign < 0 for sign, _ in terms(indicator.numerator)):
        return "linear"
    return "log"


def bounds_of(indicator) -> tuple[float, float]:
    """The range an indicator's values (and forecasts) lie in: [0, 100] for a percentage, [0, ∞) for a
    non-negative rate, unbounded for a signed one."""
    return {"logit": (0.0, 100.0), "log": (0.0, np.inf), "linear": (-np.inf, np.inf)}[scale_of(indicator)]


def to_scale(value, denominator, scale: str, factor: float) -> np.ndarray:
    """Values (in the indicator's unit) on the fitted scale; ``denominator`` (NaN for a count) fixes the half-case
    correction at the range's ends."""
    v = np.asarray(value, dtype=float)
    den = np.asarray(denominator, dtype=float)
    half = np.where(np.isfinite(den) & (den > 0), 0.5 / np.where(den > 0, den, 1.0), 0.5)
    if scale == "logit":
        p = np.clip(v / factor, half, 1 - half)
        p = np.clip(p, 1e-12, 1 - 1e-12)  # a denominator below 1 (half ≥ 0.5) still gives a finite logit
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.log(p / (1 - p))
    if scale == "log":
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.log(np.maximum(v, half * factor))
    return v


def from_scale(z, scale: str, factor: float) -> np.ndarray:
    """The inverse of :func:`to_scale` (logistic, exp or identity), in the indicator's unit."""
    z = np.asarray(z, dtype=float)
    if scale == "logit":
        with np.errstate(over="ignore"):
            return factor / (1 + np.exp(-z))
    if scale == "log":
        with np.errstate(over="ignore"):
            return np.exp(z)
    return z
