"""The compiled loop (numba) behind the projection engine: the cohort-component step fused over steps, trajectories,
townships, sexes and ages, reading its inputs as factors (survival interpolated on a grid of life tables, migrants
as scale × pattern + arrivals).

It reads its inputs once and writes its outputs once (a numpy step makes a dozen passes over arrays of
the population's size), and one call runs every step whose inputs are at hand. The rules are those of
:mod:`fpplan.demography.engine` (its module docstring); this module is imported on the first projection only
(``engine.compiled``: ~0.3 s of CPU once per process, numba and the cached machine code), so that what never
projects does not load numba. Compiled code is cached next to this file (``cache=True``): a new
process loads it instead of compiling again.

Inputs are C-contiguous and broadcast inside the kernel: an input axis of length 1 serves every step, trajectory
or township (so the same survival table for every township is never copied). Floating-point sums may be
reassociated (``fastmath`` reassoc/contract only: no assumption about NaN or infinities), which lets them use
vector instructions; results move in the 16th digit.
"""

from __future__ import annotations

import numpy as np
from numba import njit, types

# One signature (C-contiguous, inputs read-only), so that the kernel is compiled, or loaded from the cache, once.
_IN = {n: types.Array(types.float64, n, "C", readonly=True) for n in (3, 4, 5)}
_OUT = {n: types.Array(types.float64, n, "C") for n in (3, 4, 5)}
_INDEX = types.Array(types.int64, 2, "C", readonly=True)
_I = types.int64
FASTMATH = {"reassoc", "contract"}

KEEP_AFTER_OUT_MIGRATION = 1e-5  # persons left where migrants would empty a cell (ccmppWPP)
NEGATIVE_BECOMES = 5e-4  # an end-of-step cell still negative (ccmppWPP, "same as Abacus")


@njit(
    types.int64[:](
        _OUT[5],
        _I,
        _IN[5],
        _IN[4],
        _IN[4],
        _IN[3],
        _I,
        _I,
        _I,
        _IN[4],
        _IN[5],
        _IN[3],
        _INDEX,
        _IN[3],
        types.boolean,
        _OUT[4],
        _OUT[4],
        _OUT[4],
        _INDEX,
        _OUT[3],
        _I,
        _I,
    ),
    cache=True,
    nogil=True,
    fastmath=FASTMATH,
)
def project(
    pops,
    first,
    survival,
    position,
    asfr,
    asfr_scale,
    shift,
    lo,
    hi,
    split,
    mig,
    mig_scale,
    arrive_at,
    arriving,
    even,
    births,
    deaths,
    added,
    bands,
    sums,
    i_start,
    i_stop,
):  # pragma: no cover
    """Run ``len(births)`` steps. Step t reads the population ``pops[(first + t) % K]`` and writes its end into
    ``pops[(first + t + 1) % K]`` (K = len(pops): every year kept when K > steps, two alternating buffers when 2).
    pops[k] is (L1, L2, sex, age): trajectories (or any leading axes) × regions. An input's axis of length 1
    serves every step, trajectory or region along it. Per step t, trajectory i, region j and sex s:

    - survival ratios: ``survival[t, i, j, s]`` (age), or, when ``position`` is not empty, read off the grid
      ``survival[:, 0, 0, s]`` at ``position[t, i, j, s]`` (linear between the two tables around it);
    - fertility: ``asfr_scale[t, i, j] · asfr[t, i, j, a − shift]`` at ages ``lo`` … ``hi`` − 1 (0 < lo,
      hi < age groups); ``split[t, i, j, s]``: births by sex per unit of Σ asfr · (women at start + at end);
    - migrants: ``mig_scale[t, i, j] · mig[t, i, j, s]`` plus ``arriving[q, s]`` for every row q of ``arrive_at``
      (t, i, j), sorted by i, j and t (each row goes through every step before the next: it stays in the cache);
    - flows into ``births``, ``deaths``, ``added`` [t, i, j, s]; and, when ``sums`` is not empty, the end
      population summed over regions within each band (sex, first age, age after the last) of ``bands`` into
      ``sums[t, i, band]``.

    Only the trajectories (first leading index) ``i_start`` … ``i_stop`` − 1 are projected: calls on disjoint
    ranges may run at once in threads (the loop releases the GIL). Returns the guarded cells of each step."""
    steps = births.shape[0]
    K = pops.shape[0]
    L2, _, A = pops.shape[2:]
    interpolated = position.shape[0] > 0
    summing = sums.shape[0] > 0
    guarded = np.zeros(steps, np.int64)
    here = np.empty((2, A))  # the start population exposed to survival and fertility
    moving = np.empty((2, A))  # the step's migrants, then as guarded
    women_end = np.empty(A)  # women at the end, as births see them
    first_late = np.empty(2)  # migrants joining the newborn cell at the end, per sex
    newborn_ratio = np.empty(2)
    exposed = np.empty(2)  # start population: who could die in the step (births added below)
    survived = np.empty(2)  # survivors at the end, without the migrants who join at the end
    moved = np.empty(2)  # migrants actually added
    half = 0.5 if even else 0.0  # the share of the migrants exposed in the step
    q = 0  # the next arrival (sorted by trajectory, region and step: the order of the loops below)
    while q < arrive_at.shape[0] and arrive_at[q, 1] < i_start:
        q += 1
    if summing:
        sums[:, i_start:i_stop, :] = 0.0
    for i in range(i_start, i_stop):  # each row (trajectory × region) through every step while it is in the cache
        iS, iP, iA, iF = (
            min(i, survival.shape[1] - 1),
            min(i, position.shape[1] - 1),
            min(i, asfr.shape[1] - 1),
            min(i, asfr_scale.shape[1] - 1),
        )
        iB, iM, iN = min(i, split.shape[1] - 1), min(i, mig.shape[1] - 1), min(i, mig_scale.shape[1] - 1)
        for j in range(L2):
            jS, jP, jA, jF = (
                min(j, survival.shape[2] - 1),
                min(j, position.shape[2] - 1),
                min(j, asfr.shape[2] - 1),
                min(j, asfr_scale.shape[2] - 1),
            )
            jB, jM, jN = min(j, split.shape[2] - 1), min(j, mig.shape[2] - 1), min(j, mig_scale.shape[2] - 1)
            for t in range(steps):
                src = pops[(first + t) % K]
                dst = pops[(first + t + 1) % K]
                tS, tP = min(t, survival.shape[0] - 1), min(t, position.shape[0] - 1)
                tA, tF, tB = min(t, asfr.shape[0] - 1), min(t, asfr_scale.shape[0] - 1), min(t, split.shape[0] - 1)
                tM, tN = min(t, mig.shape[0] - 1), min(t, mig_scale.shape[0] - 1)
                count = 0
                scale = mig_scale[tN, iN, jN]
                for s in range(2):
                    m_row = mig[tM, iM, jM, s]
                    g_row = moving[s]
                    for a in range(A):
                        g_row[a] = scale * m_row[a]
                while q < arrive_at.shape[0] and arrive_at[q, 1] == i and arrive_at[q, 2] == j and arrive_at[q, 0] == t:
                    for s in range(2):
                        for a in range(A):
                            moving[s, a] += arriving[q, s, a]
                    q += 1
                for s in range(2):
                    if interpolated:
                        x = position[tP, iP, jP, s]
                        k = int(x)
                        w = x - k
                        below, above = survival[k, 0, 0, s], survival[k + 1, 0, 0, s]
                    else:
                        w = 0.0
                        below = above = survival[tS, iS, jS, s]
                    p_row, d_row, start_row, g_row = src[i, j, s], dst[i, j, s], here[s], moving[s]
                    total_moved = 0.0
                    total_start = 0.0
                    total_survived = 0.0
                    for a in range(A):  # the guard before the step; the exposed start population
                        p = p_row[a]
                        m = g_row[a]
                        count += 1 if p + m < 0.0 else 0
                        m = KEEP_AFTER_OUT_MIGRATION - p if p + m <= 0.0 else m
                        g_row[a] = m
                        total_moved += m
                        x = p + half * m
                        start_row[a] = x
                        total_start += x
                    for a in range(1, A):  # survival one age up (the open group from the last two), the guard after
                        ratio = below[a] + w * (above[a] - below[a])
                        v = (start_row[a - 1] + (start_row[a] if a == A - 1 else 0.0)) * ratio
                        m = g_row[a]
                        total_survived += v
                        women_end[a] = v + half * m
                        end = v + (half * m if even else m)
                        fix = NEGATIVE_BECOMES - end if end < 0.0 else 0.0
                        total_moved += fix
                        d_row[a] = end + fix
                    first_late[s] = g_row[0] * 0.5 if even else g_row[0]
                    newborn_ratio[s] = below[0] + w * (above[0] - below[0])
                    moved[s] = total_moved
                    exposed[s] = total_start
                    survived[s] = total_survived
                exposure = 0.0  # Σ asfr · (women at the start + at the end)
                rates = asfr[tA, iA, jA]
                for a in range(lo, hi):
                    exposure += rates[a - shift] * (here[1, a] + women_end[a])
                exposure *= asfr_scale[tF, iF, jF]
                for s in range(2):  # births, the newborns alive at the end, the flows
                    b = exposure * split[tB, iB, jB, s]
                    v = b * newborn_ratio[s]
                    end = v + first_late[s]
                    if end < 0.0:
                        moved[s] += NEGATIVE_BECOMES - end
                        end = NEGATIVE_BECOMES
                    dst[i, j, s, 0] = end
                    births[t, i, j, s] = b
                    deaths[t, i, j, s] = exposed[s] + b - (survived[s] + v)
                    added[t, i, j, s] = moved[s]
                if summing:
                    for band in range(bands.shape[0]):
                        row = dst[i, j, bands[band, 0]]
                        total = 0.0
                        for a in range(bands[band, 1], bands[band, 2]):
                            total += row[a]
                        sums[t, i, band] += total
                guarded[t] += count
    return guarded
