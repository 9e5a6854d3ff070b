"""The cohort-component projection step, one engine for single years and for 5-year groups.

It reproduces the UN Population Division's ccmppWPP (``project_ccmpp_loop_over_time`` calling
``project_ccmpp_z_by_z``), in both of its migration timings and with its two guards, as that code applies them.
Arrays are shaped ``(..., sex, age)`` with sex 0 = male, 1 = female; leading axes are trajectories and regions.
A step of ``width`` years on an age grid of ``width``-year groups (1 or 5):

0. Guard before the step: wherever the start population at age x plus the step's net migrants at age x (same
   age index, same sex) is ≤ 0, the migrants there become 0.00001 − the start population (so even an empty cell
   with no migrants gets 0.00001 persons, as in the UN code). Cells where more were to leave than there were
   (sum < 0) are counted, so a scenario asking for more out-migrants than there are people is reported.
1. ``timing="even"``: half of the (guarded) migrants join the start population (exposed to survival and
   fertility); ``"end"``: none do.
2. Survival: the group aged g at the start, times S[g+1], is aged g+1 at the end; the open group at the end is
   (P[last−1] + P[last]) · S[last]. S comes from life tables (``lifetable.survival_ratios``) or is given.
3. ``"even"``: the other half of the migrants joins the end-of-step population *before births are computed*,
   so the women exposed at the end include them.
4. Births: width · Σ_g asfr[g] · (women at the start + women at the end) / 2, over the fertile ages (the first
   and the open age group never give births, as in the UN code). Female births = B / (1 + srb); male = B − female.
   Newborns alive at the end: births of each sex · S[0] (plus, under ``"even"``, half of the age-0 migrants).
5. ``"end"``: all migrants are added now (they neither die nor give birth in the step).
6. Guard after the step: a cell of the end population that is negative becomes 0.0005 persons.

Deaths are the survival step's losses (exposed population + births − survivors) and migration is what was
actually added (guarded migrants + the 0.0005 corrections), so P(t+1) = P(t) + B − D + M holds exactly.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

KEEP_AFTER_OUT_MIGRATION = 1e-5  # persons left where migrants would empty a cell (ccmppWPP)
NEGATIVE_BECOMES = 5e-4  # an end-of-step cell still negative (ccmppWPP, "same as Abacus")
TIMINGS = ("end", "even")


@dataclass
class Step:
    population: np.ndarray  # (..., sex, age) at the end of the step
    births: np.ndarray  # (..., sex) births during the step
    deaths: np.ndarray  # (..., sex) deaths during the step (of the exposed population and of the newborns)
    migration: np.ndarray  # (..., sex) net migrants actually added
    guarded: int  # cells where out-migration exceeded the population


def survive(pop: np.ndarray, S: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """Survivors at the end of the step by age at the end (the first group left for births)."""
    if out is None:
        out = np.empty(np.broadcast_shapes(pop.shape, S.shape), dtype=pop.dtype)
    np.multiply(pop[..., :-2], S[..., 1:-1], out=out[..., 1:-1])
    np.multiply(pop[..., -2] + pop[..., -1], S[..., -1], out=out[..., -1])
    return out


def guard(pop: np.ndarray, mig: np.ndarray, work: np.ndarray | None = None) -> tuple[np.ndarray, int]:
    """ccmppWPP's guard before the step: migrants where pop + mig ≤ 0 become 0.00001 − pop. Returns the
    migrants to use (in ``work`` when given and needed; ``mig`` itself is never changed) and the number of cells
    where more were to leave than there were (pop + mig < 0)."""
    total = np.add(pop, mig, out=work)
    lowest = total.min()
    if lowest > 0:
        return mig, 0
    guarded = int(np.count_nonzero(total < 0)) if lowest < 0 else 0
    empty = total <= 0
    np.copyto(total, mig)  # total's buffer now holds the guarded migrants
    np.subtract(KEEP_AFTER_OUT_MIGRATION, pop, out=total, where=empty)
    return total, guarded


def _fertile(fertile: slice, ages: int, groups: int) -> tuple[slice, slice]:
    """The ages that give births (never the first nor the open group) and the matching slice of asfr."""
    lo, hi, stride = fertile.indices(ages)
    if stride != 1:
        raise ValueError("fertile ages must be a contiguous slice")
    if hi - lo != groups:
        raise ValueError(f"asfr has {groups} ages, the fertile slice {hi - lo}")
    first, last = max(lo, 1), min(hi, ages - 1)
    return slice(first, last), slice(first - lo, last - lo)


def step(pop: np.ndarray, S: np.ndarray, asfr: np.ndarray, srb: np.ndarray | float, mig: np.ndarray,
         width: int = 1, timing: str = "end", fertile: slice = slice(None), out: np.ndarray | None = None) -> Step:
    """One projection step (the module docstring gives the rules). ``asfr[..., g]`` are births per woman per year
    at the ages ``fertile`` selects; ``mig`` are the step's net migrants by age at the end of the step; ``out``
    optionally receives the end population. Inputs broadcast against each other."""
    if timing not in TIMINGS:
        raise ValueError("migration timing must be 'end' or 'even'")
    shape = np.broadcast_shapes(pop.shape, S.shape, np.shape(mig))
    pop = np.broadcast_to(np.asarray(pop, dtype=float), shape)
    mig = np.broadcast_to(np.asarray(mig, dtype=pop.dtype), shape)
    end = out if out is not None else np.empty(shape, dtype=pop.dtype)
    ages, exposed = _fertile(fertile, shape[-1], np.shape(asfr)[-1])
    return _step(pop, S, np.asarray(asfr)[..., exposed], _split(srb, width), mig, timing == "even", ages, end,
                 (np.empty(shape), np.empty(shape), np.empty(shape)))


def _split(srb, width: int) -> np.ndarray:
    """Births by sex per unit of Σ asfr · (women at start + at end): width/2 · (srb, 1) / (1 + srb), (..., sex)."""
    if np.ndim(srb) == 0:
        s = float(srb)
        return np.array([s / (1 + s), 1 / (1 + s)]) * (width / 2)
    srb = np.asarray(srb, dtype=float)
    return np.stack([srb / (1 + srb), 1 / (1 + srb)], axis=-1) * (width / 2)


def _step(pop: np.ndarray, S: np.ndarray, asfr: np.ndarray, split: np.ndarray, mig: np.ndarray, even: bool,
          ages: slice, end: np.ndarray, work: tuple[np.ndarray, np.ndarray, np.ndarray]) -> Step:
    """``step`` with its checks done once: pop, mig, end and the three work arrays all have the full shape; asfr
    is already cut to the ages that give births. Few numpy calls, no temporaries of the population's size."""
    mig, guarded = guard(pop, mig, work[0])
    if even:
        half = np.multiply(mig, 0.5, out=work[1])
        start = np.add(pop, half, out=work[2])
        survive(start, S, out=end)
        end[..., 1:] += half[..., 1:]
    else:
        start = pop
        survive(start, S, out=end)
    births = np.vecdot(asfr, start[..., 1, ages] + end[..., 1, ages])[..., None] * split  # (..., sex)
    np.multiply(births, S[..., 0], out=end[..., 0])
    added = mig.sum(axis=-1)
    if even:
        end[..., 0] += half[..., 0]
        survived = end.sum(axis=-1) - added * 0.5  # the half that joined at the end neither died nor was born
    else:
        survived = end.sum(axis=-1)
        end += mig
    if end.min() < 0:
        negative = end < 0
        added = added + np.where(negative, NEGATIVE_BECOMES - end, 0.0).sum(axis=-1)
        end[negative] = NEGATIVE_BECOMES
    deaths = start.sum(axis=-1) + births - survived
    return Step(end, births, deaths, added, guarded)


def run(pop0: np.ndarray, S, asfr, srb, mig, width: int = 1, timing: str = "end",
        fertile: slice = slice(None), dtype=np.float64, keep: bool = True, each=None) -> dict[str, np.ndarray]:
    """Project ``pop0[..., sex, age]`` over ``len(S)`` steps. The inputs are indexed by step (``S[t]``,
    ``asfr[t]``, ``srb[t]``, ``mig[t]``: arrays, or any object whose ``[t]`` gives the step's array) and broadcast
    against ``pop0``: S (..., sex, age), asfr (..., g), srb (...), mig (..., sex, age).

    Returns population ``[T+1, ..., sex, age]``, births, deaths and migration ``[T, ..., sex]``, guarded ``[T]``.
    ``keep=False`` keeps only the last population (``[1, ...]``) and calls ``each(t, step)`` after every step, so
    a caller can reduce the trajectories as they go (memory then does not grow with the steps; ``step.population``
    is reused two steps later, so copy what you keep).
    """
    if timing not in TIMINGS:
        raise ValueError("migration timing must be 'end' or 'even'")
    steps = len(S)
    pop = np.array(pop0, dtype=dtype, order="C")  # C order even from a broadcast view (else trajectories vary fastest)
    shape = pop.shape
    if keep:
        population = np.empty((steps + 1,) + shape, dtype=dtype)
        population[0] = pop
    buffers = (np.empty(shape, dtype), np.empty(shape, dtype))  # the end population alternates between two buffers
    work = (np.empty(shape, dtype), np.empty(shape, dtype), np.empty(shape, dtype))
    flows = {k: np.empty((steps,) + shape[:-1], dtype=dtype) for k in ("births", "deaths", "migration")}
    guarded = np.zeros(steps, dtype=int)
    ages = exposed = None
    even = timing == "even"
    splits = _split(srb, width) if isinstance(srb, np.ndarray) and srb.ndim == 1 else None  # one per step
    for t in range(steps):  # a loop over projection steps; everything inside is vectorized
        rates, m = np.asarray(asfr[t], dtype=dtype), np.asarray(mig[t], dtype=dtype)
        if ages is None:
            ages, exposed = _fertile(fertile, shape[-1], rates.shape[-1])
        if m.shape != shape:
            m = np.broadcast_to(m, shape)
        split = splits[t] if splits is not None else _split(srb[t], width)
        out = _step(pop, np.asarray(S[t], dtype=dtype), rates[..., exposed], split, m, even, ages,
                    population[t + 1] if keep else buffers[t % 2], work)
        pop = out.population
        flows["births"][t], flows["deaths"][t], flows["migration"][t] = out.births, out.deaths, out.migration
        guarded[t] = out.guarded
        if each is not None:
            each(t, out)
    return {"population": population if keep else pop[None], **flows, "guarded": guarded}
