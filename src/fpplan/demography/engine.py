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
4. Guards (those of the UN's ccmppWPP): where a cell plus its net migrants would be ≤ 0, the migrants are
   reduced to leave 0.00001 persons; a cell still negative at the end is set to 0.0005. Every guard that fires
   is counted so that a scenario asking for more out-migrants than there are people is reported.
Deaths are the survival step's losses (exposed population − survivors), so P(t+1) = P(t) + B − D + M holds
exactly with M the migrants actually added.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

KEEP_AFTER_OUT_MIGRATION = 1e-5
FLOOR = 5e-4


@dataclass
class Step:
    population: np.ndarray  # (..., sex, age) at the end of the step
    births: np.ndarray  # (..., sex) births during the step
    deaths: np.ndarray  # (..., sex, age) by age at the end of the step (births' deaths at the first group)
    migration: np.ndarray  # (..., sex, age) net migrants actually added
    guarded: np.ndarray  # (...) number of cells where a guard fired


def survive(pop: np.ndarray, S: np.ndarray) -> np.ndarray:
    """Survivors at the end of the step by age at the end (the first group left empty for births)."""
    out = np.zeros_like(pop)
    out[..., 1:-1] = pop[..., :-2] * S[..., 1:-1]
    out[..., -1] = (pop[..., -2] + pop[..., -1]) * S[..., -1]
    return out


def _limit(pop: np.ndarray, mig: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Reduce net out-migration where it would empty a cell; returns the migrants used and a guard mask."""
    short = pop + mig <= 0
    return np.where(short, KEEP_AFTER_OUT_MIGRATION - pop, mig), short & (mig < 0)


def step(pop: np.ndarray, S: np.ndarray, asfr: np.ndarray, srb: np.ndarray | float, mig: np.ndarray,
         width: int = 1, timing: str = "end", fertile: slice = slice(None)) -> Step:
    """One projection step. ``asfr[..., g]`` are births per woman per year at the ages ``fertile`` selects."""
    if timing == "even":
        early, guard_early = _limit(pop, mig / 2)
        start = pop + early
        late_wanted = mig / 2
    elif timing == "end":
        early, guard_early = np.zeros_like(pop), np.zeros(pop.shape, dtype=bool)
        start = pop
        late_wanted = mig
    else:
        raise ValueError("migration timing must be 'end' or 'even'")
    survivors = survive(start, S)
    women = (start[..., 1, fertile] + survivors[..., 1, fertile]) / 2
    births_total = width * np.sum(asfr * women, axis=-1)
    srb = np.asarray(srb, dtype=float)
    female = births_total / (1 + srb)
    births = np.stack([births_total - female, female], axis=-1)
    survivors[..., 0] = births * S[..., 0]
    late, guard_late = _limit(survivors, late_wanted)
    end = survivors + late
    negative = end < 0
    end = np.where(negative, FLOOR, end)
    migration = early + late + np.where(negative, end - (survivors + late), 0.0)
    exposed = np.zeros_like(pop)
    exposed[..., 1:-1] = start[..., :-2]
    exposed[..., -1] = start[..., -2] + start[..., -1]
    exposed[..., 0] = births
    deaths = exposed - survivors
    guarded = (guard_early | guard_late | negative).sum(axis=(-2, -1))
    return Step(end, births, deaths, migration, guarded)


def run(pop0: np.ndarray, S: np.ndarray, asfr: np.ndarray, srb: np.ndarray, mig: np.ndarray, width: int = 1,
        timing: str = "end", fertile: slice = slice(None)) -> dict[str, np.ndarray]:
    """Project ``pop0[..., sex, age]`` over ``T`` steps; inputs indexed by step on axis 0:
    S ``[T, ..., sex, age]``, asfr ``[T, ..., g]``, srb ``[T, ...]``, mig ``[T, ..., sex, age]`` (broadcasting).

    Returns population ``[T+1, ...]``, births ``[T, ..., sex]``, deaths and migration ``[T, ..., sex, age]``,
    guarded ``[T, ...]``.
    """
    steps = S.shape[0]
    pop = np.asarray(pop0, dtype=float)
    pops, births, deaths, migs, guards = [pop], [], [], [], []
    for t in range(steps):
        out = step(pop, S[t], asfr[t], srb[t], mig[t], width, timing, fertile)
        pop = out.population
        pops.append(pop)
        births.append(out.births)
        deaths.append(out.deaths)
        migs.append(out.migration)
        guards.append(out.guarded)
    return {"population": np.stack(pops), "births": np.stack(births), "deaths": np.stack(deaths),
            "migration": np.stack(migs), "guarded": np.stack(guards)}
