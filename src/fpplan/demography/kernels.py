"""Compiled loops (numba) behind the projection engine: the cohort-component step fused over steps, trajectories,
townships, sexes and ages, and the interpolation of survival ratios on a grid of life tables.

Each kernel reads its inputs once and writes its outputs once (a numpy step makes a dozen passes over arrays of
the population's size), and one call runs every step whose inputs are at hand. The rules are those of
:mod:`fpplan.demography.engine` (its module docstring); this module is imported on the first projection only, so
that what never projects does not load numba. Compiled code is cached next to this file (``cache=True``): a new
process loads it instead of compiling again.
"""

from __future__ import annotations

import numpy as np
from numba import njit, types

# One signature per kernel, of any strides (layout 'A': broadcast views too) and read-only inputs, so that a kernel
# is compiled (or loaded from the cache) once, whatever views its callers pass.
_IN = {n: types.Array(types.float64, n, "A", readonly=True) for n in (2, 3, 4, 5)}
_OUT = {n: types.Array(types.float64, n, "A") for n in (3, 4, 5)}
_I = types.int64

KEEP_AFTER_OUT_MIGRATION = 1e-5  # persons left where migrants would empty a cell (ccmppWPP)
NEGATIVE_BECOMES = 5e-4  # an end-of-step cell still negative (ccmppWPP, "same as Abacus")


@njit(types.int64[:](_OUT[5], _I, _IN[5], _IN[4], _I, _I, _I, _IN[4], _IN[5], types.boolean, _OUT[4], _OUT[4],
                    _OUT[4]), cache=True, nogil=True)
def project(pops, first, S, asfr, shift, lo, hi, split, mig, even, births, deaths, added):  # pragma: no cover
    """Run ``len(births)`` steps. Step t reads the population ``pops[(first + t) % K]`` and writes its end into
    ``pops[(first + t + 1) % K]`` (K = len(pops): every year kept when K > steps, two alternating buffers when 2).
    Shapes, per step t: pops[k], S[t], mig[t] (L1, L2, sex, age); asfr[t] (L1, L2, G), the rate of age a at
    a − ``shift``; split[t] (L1, L2, sex) births by sex per unit of Σ asfr · (women at start + at end); births[t],
    deaths[t], added[t] (L1, L2, sex). Ages ``lo`` … ``hi`` − 1 give births. Returns the guarded cells per step."""
    steps = births.shape[0]
    K = pops.shape[0]
    L1, L2, _, A = pops.shape[1:]
    guarded = np.zeros(steps, np.int64)
    start = np.empty((2, A))
    late = np.empty((2, A))  # migrants joining at the end: half of them ("even") or all ("end")
    moved = np.empty(2)
    for t in range(steps):
        src = pops[(first + t) % K]
        dst = pops[(first + t + 1) % K]
        count = 0
        for i in range(L1):
            for j in range(L2):
                for s in range(2):
                    total = 0.0
                    for a in range(A):  # the guard before the step, and the migrants' timing
                        p = src[i, j, s, a]
                        m = mig[t, i, j, s, a]
                        if p + m <= 0.0:
                            if p + m < 0.0:
                                count += 1
                            m = KEEP_AFTER_OUT_MIGRATION - p
                        total += m
                        if even:
                            h = m * 0.5
                            start[s, a] = p + h
                            late[s, a] = h
                        else:
                            start[s, a] = p
                            late[s, a] = m
                    moved[s] = total
                    for a in range(1, A - 1):  # survival one age up; the open group from the last two
                        dst[i, j, s, a] = start[s, a - 1] * S[t, i, j, s, a]
                    dst[i, j, s, A - 1] = (start[s, A - 2] + start[s, A - 1]) * S[t, i, j, s, A - 1]
                    if even:
                        for a in range(1, A):
                            dst[i, j, s, a] += late[s, a]
                exposure = 0.0
                for a in range(lo, hi):  # women at the start and at the end (with the late half under "even")
                    exposure += asfr[t, i, j, a - shift] * (start[1, a] + dst[i, j, 1, a])
                for s in range(2):
                    b = exposure * split[t, i, j, s]
                    births[t, i, j, s] = b
                    dst[i, j, s, 0] = b * S[t, i, j, s, 0]
                    if even:
                        dst[i, j, s, 0] += late[s, 0]
                    survived = 0.0
                    exposed = b
                    for a in range(A):
                        survived += dst[i, j, s, a]
                        exposed += start[s, a]
                    if even:
                        survived -= moved[s] * 0.5  # the half that joined at the end neither died nor was born
                    else:
                        for a in range(A):
                            dst[i, j, s, a] += late[s, a]
                    total = moved[s]
                    for a in range(A):  # the guard after the step
                        if dst[i, j, s, a] < 0.0:
                            total += NEGATIVE_BECOMES - dst[i, j, s, a]
                            dst[i, j, s, a] = NEGATIVE_BECOMES
                    deaths[t, i, j, s] = exposed - survived
                    added[t, i, j, s] = total
        guarded[t] = count
    return guarded


@njit(_OUT[3](_IN[3], _IN[2], _OUT[3]), cache=True, nogil=True)
def interpolate(table, position, out):  # pragma: no cover
    """out[r, s, :] = table[k, s] + (position[r, s] − k) · (table[k + 1, s] − table[k, s]), k = ⌊position[r, s]⌋:
    linear interpolation between the grid's survival ratios (table (G, sex, age), position (rows, sex) already
    clipped to [0, G − 1))."""
    rows, sexes = position.shape
    A = table.shape[2]
    for r in range(rows):
        for s in range(sexes):
            x = position[r, s]
            k = int(x)
            w = x - k
            for a in range(A):
                below = table[k, s, a]
                out[r, s, a] = below + w * (table[k + 1, s, a] - below)
    return out
