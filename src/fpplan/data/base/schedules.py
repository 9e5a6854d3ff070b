"""Model age schedules: migration (Rogers–Castro), fertility (a standard ASFR shape), mortality (Brass logit).

Each returns a shape on single ages 0–100 (or 5-year groups via ``to_groups``) that scenarios scale.
"""

from __future__ import annotations

import numpy as np

from fpplan.data.agesplit import split_groups
from fpplan.data.base.lifetable import life_table

AGES = np.arange(101)

# Rogers & Castro (1981) model migration schedule, the "standard" parameters of Rogers, Castro & Lea (2005):
# childhood a1·exp(−α1·x), labour-force peak a2·exp(−α2(x−μ2) − exp(−λ2(x−μ2))), constant c.
ROGERS_CASTRO = {"a1": 0.02, "alpha1": 0.10, "a2": 0.06, "alpha2": 0.10, "mu2": 20.0, "lambda2": 0.40, "c": 0.003}
# no migrants from this age on: the schedule's constant term would take out-migrants from near-empty oldest cells
MIGRATION_MAX_AGE = 90

# China's ASFR shape, 2020-2025, UN WPP 2017 percentASFR (country 156), per cent by 5-year group 15-19 … 45-49.
CHINA_ASFR_PERCENT = [1.849, 30.5194, 35.5494, 20.0222, 8.1799, 3.5991, 0.281]

# Standard mortality: China 2020-2025, UN WPP 2017 medium variant mx (mxM/mxF, country 156), ages 0, 1, 5, …, 100+.
CHINA_MX_2020 = {
    "male": [
        0.0097049452,
        0.0003946589,
        0.0002830834,
        0.0002289752,
        0.0003402151,
        0.0004987852,
        0.0006973074,
        0.00086101,
        0.0010871122,
        0.0015159204,
        0.0022839916,
        0.0038595355,
        0.0065138611,
        0.012249372,
        0.022320878,
        0.040983311,
        0.070149074,
        0.10368877,
        0.1618358894,
        0.2377478198,
        0.3213003703,
        0.4260695603,
    ],
    "female": [
        0.0077271282,
        0.0003345705,
        0.0002653905,
        0.0001845176,
        0.0002737777,
        0.0003688411,
        0.0004727828,
        0.0006261891,
        0.0008071217,
        0.0011778471,
        0.001692644,
        0.0027383615,
        0.0046124433,
        0.0086559342,
        0.015686185,
        0.029066839,
        0.04971373,
        0.084463414,
        0.137576252,
        0.2015979369,
        0.2853027865,
        0.3550077518,
    ],
}
ABRIDGED_AGES = np.array([0, 1] + list(range(5, 101, 5)))


def rogers_castro(ages: np.ndarray = AGES, params: dict[str, float] | None = None) -> np.ndarray:
    """The model migration schedule at ``ages`` (x + 0.5 used as the age), normalised to sum to 1."""
    p = ROGERS_CASTRO | (params or {})
    x = np.asarray(ages, dtype=float) + 0.5
    m = (
        p["a1"] * np.exp(-p["alpha1"] * x)
        + p["a2"] * np.exp(-p["alpha2"] * (x - p["mu2"]) - np.exp(-p["lambda2"] * (x - p["mu2"])))
        + p["c"]
    )
    return m / m.sum()


def to_groups(single: np.ndarray, width: int = 5) -> np.ndarray:
    """Sum single ages 0–100 into groups 0–4 … 95–99 and 100+ (last axis)."""
    closed = single[..., :100].reshape(*single.shape[:-1], 100 // width, width).sum(-1)
    return np.concatenate([closed, single[..., 100:]], axis=-1)


def asfr_shape(percent: list[float] | np.ndarray = CHINA_ASFR_PERCENT) -> np.ndarray:
    """A single-year ASFR pattern over ages 0–100 summing to 1 (TFR 1), from per-cent shares of 15-19 … 45-49,
    split smoothly to single years (Sprague on the groups 0-4 … 95-99)."""
    groups = np.zeros(21)
    groups[3:10] = np.asarray(percent, dtype=float) / 100
    single = split_groups(groups)
    single[:15] = 0
    single[50:] = 0
    single = np.clip(single, 0, None)
    return single / single.sum()


def single_year_mx(abridged: np.ndarray) -> np.ndarray:
    """Abridged mx (0, 1–4, 5–9, …, 100+) to single ages 0–100 by log-linear interpolation between group midpoints."""
    mids = np.array([0.5, 3.0] + [a + 2.5 for a in range(5, 100, 5)] + [100.5])
    log = np.log(np.asarray(abridged, dtype=float))
    out = np.array([np.interp(AGES + 0.5, mids, row) for row in log.reshape(-1, log.shape[-1])])
    out = out.reshape(*log.shape[:-1], 101)
    out[..., 0] = log[..., 0]
    out[..., 100] = log[..., -1]
    return np.exp(out)


def standard_mx() -> np.ndarray:
    """Single-year standard mx shaped (sex, age) from CHINA_MX_2020."""
    return single_year_mx(np.array([CHINA_MX_2020["male"], CHINA_MX_2020["female"]]))


def brass_mx(standard: np.ndarray, alpha: np.ndarray, beta: float = 1.0) -> np.ndarray:
    """Brass relational logit: logit(1 − l(x)) = α + β·logit_standard(1 − l(x)); returns single-year mx.

    ``standard`` (..., age) single-year mx; ``alpha`` broadcasts over the leading axes. lx is converted back to mx
    by m = −ln(p) for ages below the open group (constant hazard within the year), open group mx kept from the
    standard scaled by the change in the last closed age's hazard.
    """
    sex = np.broadcast_to(np.array([0, 1]), standard.shape[:-1]) if standard.shape[-2:-1] == (2,) else 1
    lx = life_table(standard, np.ones(standard.shape[-1]), sex=sex)["lx"]  # once, on the standard's own shape
    ys = 0.5 * np.log((1 - lx[..., 1:]) / lx[..., 1:])
    alpha = np.asarray(alpha, dtype=float)[..., None]
    l_new = 1 / (1 + np.exp(2 * (alpha + beta * ys)))
    l_all = np.concatenate([np.ones(l_new.shape[:-1] + (1,)), l_new], axis=-1)
    p = np.clip(l_all[..., 1:] / l_all[..., :-1], 1e-12, 1)
    mx = -np.log(p)
    ratio = mx[..., -1] / np.broadcast_to(-np.log(lx[..., -1] / lx[..., -2]), mx[..., -1].shape)
    open_mx = standard[..., -1] * ratio
    return np.concatenate([mx, open_mx[..., None]], axis=-1)


def alpha_for_e0(standard: np.ndarray, target_e0: np.ndarray, sex: np.ndarray | int) -> np.ndarray:
    """Brass α (β = 1) whose life table from ``standard`` has e0 = ``target_e0`` (vectorized bisection)."""
    target = np.asarray(target_e0, dtype=float)
    lo = np.full(target.shape, -3.0)
    hi = np.full(target.shape, 3.0)
    widths = np.ones(standard.shape[-1])
    for _ in range(60):  # e0 falls as α rises
        mid = (lo + hi) / 2
        e = life_table(brass_mx(standard, mid), widths, sex=sex)["ex"][..., 0]
        lo = np.where(e > target, mid, lo)
        hi = np.where(e > target, hi, mid)
    return (lo + hi) / 2


def mx_for_e0(standard: np.ndarray, target_e0: np.ndarray, sex: np.ndarray | int) -> np.ndarray:
    """Single-year mx whose life table has e0 = ``target_e0`` (Brass logit on ``standard``)."""
    return brass_mx(standard, alpha_for_e0(standard, target_e0, sex))


def alpha_of(mx: np.ndarray, standard: np.ndarray, sex: np.ndarray | int, age: int = 60) -> np.ndarray:
    """The Brass α (β = 1) of a table relative to ``standard``: Y(x) − Ys(x) at ``age``."""
    ones = np.ones(mx.shape[-1])
    logit = lambda l: 0.5 * np.log((1 - l) / l)
    return logit(life_table(mx, ones, sex=sex)["lx"][..., age]) - logit(
        life_table(standard, ones, sex=sex)["lx"][..., age]
    )
