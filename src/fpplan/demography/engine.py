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


def guard(pop: np.ndarray, mig: np.ndarray, scratch: np.ndarray | None = None) -> tuple[np.ndarray, int]:
    """ccmppWPP's guard before the step: migrants where pop + mig ≤ 0 become 0.00001 − pop. Returns the
    migrants to use and the number of cells where more were to leave than there were (pop + mig < 0)."""
    total = np.add(pop, mig, out=scratch)
    if total.min() > 0:
        return mig, 0
    empty = total <= 0
    guarded = int(np.count_nonzero(total < 0))
    return np.where(empty, KEEP_AFTER_OUT_MIGRATION - pop, mig), guarded


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
         width: int = 1, timing: str = "end", fertile: slice = slice(None), out: np.ndarray | None = None,
         scratch: np.ndarray | None = None) -> Step:
    """One projection step (the module docstring gives the rules). ``asfr[..., g]`` are births per woman per year
    at the ages ``fertile`` selects; ``mig`` are the step's net migrants by age at the end of the step; ``out``
    optionally receives the end population and ``scratch`` (the population's shape) saves an allocation."""
    if timing not in TIMINGS:
        raise ValueError("migration timing must be 'end' or 'even'")
    mig, guarded = guard(pop, mig, scratch)
    shape = np.broadcast_shapes(pop.shape, S.shape, np.shape(mig))
    end = out if out is not None else np.empty(shape, dtype=pop.dtype)
    if timing == "even":
        half = mig / 2
        start = pop + half
        survive(start, S, out=end)
        end[..., 1:] += half[..., 1:]
    else:
        start = pop
        survive(start, S, out=end)
    ages, exposed = _fertile(fertile, pop.shape[-1], np.shape(asfr)[-1])
    women = start[..., 1, ages] + end[..., 1, ages]
    births_total = width * np.einsum("...a,...a->...", np.broadcast_to(asfr[..., exposed], women.shape), women) / 2
    female = births_total / (1 + np.asarray(srb, dtype=pop.dtype))
    births = np.stack([births_total - female, female], axis=-1)
    end[..., 0] = births * S[..., 0]
    if timing == "even":
        end[..., 0] += half[..., 0]
        survived = end.sum(axis=-1) - half.sum(axis=-1)
    else:
        survived = end.sum(axis=-1)
        end += mig
    added = np.broadcast_to(mig, shape).sum(axis=-1)
    if end.min() < 0:
        negative = end < 0
        added = added + np.where(negative, NEGATIVE_BECOMES - end, 0.0).sum(axis=-1)
        end[negative] = NEGATIVE_BECOMES
    deaths = np.broadcast_to(start, shape).sum(axis=-1) + births - survived
    return Step(end, births, deaths, added, guarded)


def run(pop0: np.ndarray, S, asfr, srb, mig, width: int = 1, timing: str = "end",
        fertile: slice = slice(None), dtype=np.float64, keep: bool = True, each=None) -> dict[str, np.ndarray]:
    """Project ``pop0[..., sex, age]`` over ``len(S)`` steps. The inputs are indexed by step (``S[t]``,
    ``asfr[t]``, ``srb[t]``, ``mig[t]``: arrays, or any object whose ``[t]`` gives the step's array) and broadcast
    against ``pop0``: S (..., sex, age), asfr (..., g), srb (...), mig (..., sex, age).

    Returns population ``[T+1, ..., sex, age]``, births, deaths and migration ``[T, ..., sex]``, guarded ``[T]``.
    ``keep=False`` keeps only the last population (``[1, ...]``) and calls ``each(t, step)`` after every step, so
    a caller can reduce the trajectories as they go (memory then does not grow with the steps).
    """
    steps = len(S)
    pop = np.array(pop0, dtype=dtype)
    if keep:
        population = np.empty((steps + 1,) + pop.shape, dtype=dtype)
        population[0] = pop
    buffers = [np.empty_like(pop), np.empty_like(pop)]  # the end population alternates between two buffers
    scratch = np.empty_like(pop)
    flows = {k: np.empty((steps,) + pop.shape[:-1], dtype=dtype) for k in ("births", "deaths", "migration")}
    guarded = np.zeros(steps, dtype=int)
    for t in range(steps):  # a loop over projection steps; everything inside is vectorized
        target = population[t + 1] if keep else buffers[t % 2]
        out = step(pop, np.asarray(S[t], dtype=dtype), np.asarray(asfr[t], dtype=dtype), srb[t],
                   np.asarray(mig[t], dtype=dtype), width, timing, fertile, out=target, scratch=scratch)
        pop = out.population
        flows["births"][t], flows["deaths"][t], flows["migration"][t] = out.births, out.deaths, out.migration
        guarded[t] = out.guarded
        if each is not None:
            each(t, out)
    return {"population": population if keep else pop[None], **flows, "guarded": guarded}
