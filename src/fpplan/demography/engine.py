"""The cohort-component projection step, one engine for single years and for 5-year groups.

Arrays are shaped ``(..., sex, age)`` with sex 0 = male, 1 = female; leading axes are trajectories and regions.
A step of ``width`` years on an age grid of ``width``-year groups (1 or 5):

1. Survival: the group aged g at the start, times S[g+1], is aged g+1 at the end; the open group at the end is
   (P[last−1] + P[last]) · S[last]. S comes from life tables (``lifetable.survival_ratios``) or is given.
2. Births over the step: width · Σ_g asfr[g] · (women at the start + women surviving to the end, before
   migration) / 2 (the average exposure, as demographers do). Female births = B / (1 + srb); male = B − female.
   Newborns alive at the end: births of each sex · S[0] of that sex.
3. Migration: ``timing="end"`` adds the step's net migrants after survival and births (they neither die nor give
   birth in the step); ``"even"`` adds half at the start (exposed to survival and fertility) and half at the end.
   Migrants are given by age at the end of the step.
4. Guard (ccmppWPP's): where a cell plus its net migrants would be ≤ 0, the migrants are reduced to leave
   0.00001 persons (so no cell ends negative); cells where more were to leave than there were are counted, so a
   scenario asking for more out-migrants than there are people is reported.
Deaths are the survival step's losses (exposed population + births − survivors), so P(t+1) = P(t) + B − D + M
holds exactly with M the migrants actually added.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

KEEP_AFTER_OUT_MIGRATION = 1e-5


@dataclass
class Step:
    population: np.ndarray  # (..., sex, age) at the end of the step
    births: np.ndarray  # (..., sex) births during the step
    deaths: np.ndarray  # (..., sex) deaths during the step (of the exposed population and of the newborns)
    migration: np.ndarray  # (..., sex) net migrants actually added
    guarded: int  # cells where out-migration had to be limited


def survive(pop: np.ndarray, S: np.ndarray) -> np.ndarray:
    """Survivors at the end of the step by age at the end (the first group left for births)."""
    out = np.empty(np.broadcast_shapes(pop.shape, S.shape), dtype=pop.dtype)
    np.multiply(pop[..., :-2], S[..., 1:-1], out=out[..., 1:-1])
    out[..., -1] = (pop[..., -2] + pop[..., -1]) * S[..., -1]
    return out


def _add_migrants(pop: np.ndarray, mig: np.ndarray, out: np.ndarray | None = None) -> tuple[np.ndarray, int]:
    """pop + mig, keeping at least 0.00001 persons where out-migrants would empty a cell (ccmppWPP's guard);
    also the number of cells where more people were to leave than there were."""
    total = np.add(pop, mig, out=out)
    empty = total <= 0
    if not empty.any():
        return total, 0
    guarded = int(np.count_nonzero(total < 0))
    np.copyto(total, KEEP_AFTER_OUT_MIGRATION, where=empty)
    return total, guarded


def step(pop: np.ndarray, S: np.ndarray, asfr: np.ndarray, srb: np.ndarray | float, mig: np.ndarray,
         width: int = 1, timing: str = "end", fertile: slice = slice(None), out: np.ndarray | None = None) -> Step:
    """One projection step. ``asfr[..., g]`` are births per woman per year at the ages ``fertile`` selects;
    ``out`` optionally receives the end population."""
    if timing == "even":
        start, guarded = _add_migrants(pop, mig / 2)
        late = mig / 2
    elif timing == "end":
        start, guarded, late = pop, 0, mig
    else:
        raise ValueError("migration timing must be 'end' or 'even'")
    survivors = survive(start, S)
    women = (start[..., 1, fertile] + survivors[..., 1, fertile]) / 2
    births_total = width * np.sum(asfr * women, axis=-1)
    female = births_total / (1 + np.asarray(srb, dtype=float))
    births = np.stack([births_total - female, female], axis=-1)
    survivors[..., 0] = births * S[..., 0]
    survived = survivors.sum(axis=-1)
    end, late_guarded = _add_migrants(survivors, late, out)
    deaths = start.sum(axis=-1) + births - survived
    migration = end.sum(axis=-1) - survived + (start.sum(axis=-1) - pop.sum(axis=-1))
    return Step(end, births, deaths, migration, guarded + late_guarded)


def run(pop0: np.ndarray, S, asfr, srb, mig, width: int = 1, timing: str = "end",
        fertile: slice = slice(None), dtype=np.float64) -> dict[str, np.ndarray]:
    """Project ``pop0[..., sex, age]`` over ``len(S)`` steps. The inputs are indexed by step (``S[t]``,
    ``asfr[t]``, ``srb[t]``, ``mig[t]``: arrays, or any object whose ``[t]`` gives the step's array) and broadcast
    against ``pop0``: S (..., sex, age), asfr (..., g), srb (...), mig (..., sex, age).

    Returns population ``[T+1, ..., sex, age]``, births, deaths and migration ``[T, ..., sex]``, guarded ``[T]``.
    ``dtype`` float32 halves the memory traffic of large stochastic runs (about 7 significant digits).
    """
    steps = len(S)
    pop = np.asarray(pop0, dtype=dtype)
    population = np.empty((steps + 1,) + pop.shape, dtype=dtype)
    population[0] = pop
    flows = {k: np.empty((steps,) + pop.shape[:-1], dtype=dtype) for k in ("births", "deaths", "migration")}
    guarded = np.zeros(steps, dtype=int)
    for t in range(steps):  # a loop over projection steps; everything inside is vectorized
        out = step(pop, S[t].astype(dtype, copy=False), asfr[t].astype(dtype, copy=False), srb[t],
                   np.asarray(mig[t], dtype=dtype), width, timing, fertile, out=population[t + 1])
        pop = out.population
        flows["births"][t], flows["deaths"][t], flows["migration"][t] = out.births, out.deaths, out.migration
        guarded[t] = out.guarded
    return {"population": population, **flows, "guarded": guarded}
