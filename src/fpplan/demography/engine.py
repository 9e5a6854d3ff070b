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
from functools import cache

import numpy as np

TIMINGS = ("end", "even")


@dataclass
class Step:
    population: np.ndarray  # (..., sex, age) at the end of the step
    births: np.ndarray  # (..., sex) births during the step
    deaths: np.ndarray  # (..., sex) deaths during the step (of the exposed population and of the newborns)
    migration: np.ndarray  # (..., sex) net migrants actually added
    guarded: int  # cells where out-migration exceeded the population


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
    shape = np.broadcast_shapes(np.shape(pop), np.shape(S), np.shape(mig))
    result = run(np.broadcast_to(np.asarray(pop, dtype=float), shape), np.asarray(S, dtype=float)[None],
                 np.asarray(asfr, dtype=float)[None], np.asarray(srb, dtype=float)[None],
                 np.asarray(mig, dtype=float)[None], width, timing, fertile)
    end = result["population"][1]
    if out is not None:
        out[...] = end
        end = out
    return Step(end, result["births"][0], result["deaths"][0], result["migration"][0], int(result["guarded"][0]))


def _split(srb, width: int) -> np.ndarray:
    """Births by sex per unit of Σ asfr · (women at start + at end): width/2 · (srb, 1) / (1 + srb), (..., sex)."""
    if np.ndim(srb) == 0:
        s = float(srb)
        return np.array([s / (1 + s), 1 / (1 + s)]) * (width / 2)
    srb = np.asarray(srb, dtype=float)
    return np.stack([srb / (1 + srb), 1 / (1 + srb)], axis=-1) * (width / 2)


@cache
def _kernels():
    """The compiled loops, loaded on the first projection (``fpplan.demography.kernels``)."""
    from fpplan.demography import kernels

    return kernels


def _two(lead: tuple[int, ...]) -> tuple[int, int]:
    """The kernel's two leading axes (trajectory and region) for any leading shape (more axes merge into the first)."""
    return (1, 1) if not lead else ((1, lead[0]) if len(lead) == 1 else (int(np.prod(lead[:-1])), lead[-1]))


def _cells(values, steps: int, lead: tuple[int, ...], last: tuple[int, ...]) -> np.ndarray:
    """An input ``values`` (steps, …) broadcast to (steps, *lead, *last), seen as (steps, L1, L2, *last)."""
    values = np.asarray(values, dtype=np.float64)
    missing = len(lead) + len(last) + 1 - values.ndim  # a step's array may have fewer leading axes than lead
    if missing > 0:
        values = values.reshape(values.shape[:1] + (1,) * missing + values.shape[1:])
    full = np.broadcast_to(values, (steps,) + lead + last)
    return full if len(lead) == 2 else full.reshape((steps,) + _two(lead) + last)


def _out(array: np.ndarray, lead: tuple[int, ...]) -> np.ndarray:
    """An output (k, *lead, *last), C-contiguous, seen as (k, L1, L2, *last) (a view: the kernel writes into it)."""
    return array.reshape(array.shape[:1] + _two(lead) + array.shape[1 + len(lead):])


def run(pop0: np.ndarray, S, asfr, srb, mig, width: int = 1, timing: str = "end",
        fertile: slice = slice(None), dtype=np.float64, keep: bool = True, each=None) -> dict[str, np.ndarray]:
    """Project ``pop0[..., sex, age]`` over ``len(S)`` steps. The inputs are indexed by step (``S[t]``,
    ``asfr[t]``, ``srb[t]``, ``mig[t]``: arrays, or any object whose ``[t]`` gives the step's array) and broadcast
    against ``pop0``: S (..., sex, age), asfr (..., g), srb (...), mig (..., sex, age).

    Returns population ``[T+1, ..., sex, age]``, births, deaths and migration ``[T, ..., sex]``, guarded ``[T]``.
    ``keep=False`` keeps only the last population (``[1, ...]``) and calls ``each(t, step)`` after every step, so
    a caller can reduce the trajectories as they go (memory then does not grow with the steps; ``step.population``
    is reused two steps later, so copy what you keep).

    When S, asfr and mig are arrays of every step and every year is kept, one call of the compiled kernel
    (``fpplan.demography.kernels.project``) runs all steps; otherwise it runs step by step as the inputs are built.
    Computed in float64 (``dtype`` any other is refused).
    """
    if timing not in TIMINGS:
        raise ValueError("migration timing must be 'end' or 'even'")
    if np.dtype(dtype) != np.float64:
        raise ValueError("the engine computes in float64")
    kernels = _kernels()
    steps = len(S)
    pop = np.array(pop0, dtype=np.float64, order="C")  # C order even from a broadcast view
    shape = pop.shape
    lead, cells = shape[:-2], shape[-2:]
    flows = {k: np.empty((steps,) + shape[:-1]) for k in ("births", "deaths", "migration")}
    flat = [_out(flows[k], lead) for k in ("births", "deaths", "migration")]
    groups = np.shape(asfr[0])[-1] if steps else 0
    ages, exposed = _fertile(fertile, shape[-1], groups)
    shift = ages.start - exposed.start  # the rate of age a is asfr[..., a - shift]
    even = timing == "even"
    pops = np.empty(((steps + 1) if keep else 2,) + shape)
    pops[0] = pop
    view = _out(pops, lead)
    if keep and all(isinstance(x, np.ndarray) for x in (S, asfr, mig)) and len(S) == len(asfr) == len(mig):
        split = _split(np.asarray(srb, dtype=float) if isinstance(srb, np.ndarray) else
                       np.stack([np.asarray(srb[t], dtype=float) for t in range(steps)]), width)
        guarded = kernels.project(view, 0, _cells(S, steps, lead, cells), _cells(asfr, steps, lead, (groups,)), shift,
                                  ages.start, ages.stop, _cells(split, steps, lead, (2,)), _cells(mig, steps, lead, cells),
                                  even, *flat)
        if each is not None:
            for t in range(steps):  # a loop over projection steps, after the kernel has run them all
                each(t, Step(pops[t + 1], flows["births"][t], flows["deaths"][t], flows["migration"][t],
                             int(guarded[t])))
        return {"population": pops, **flows, "guarded": guarded.astype(int)}
    guarded = np.zeros(steps, dtype=int)
    splits = _split(srb, width) if isinstance(srb, np.ndarray) and srb.ndim == 1 else None  # one per step
    for t in range(steps):  # a loop over projection steps; each step is one call of the compiled kernel
        split = splits[t] if splits is not None else _split(srb[t], width)
        first = t if keep else t % 2
        guarded[t] = kernels.project(
            view, first, _cells(np.asarray(S[t])[None], 1, lead, cells), _cells(np.asarray(asfr[t])[None], 1, lead, (groups,)),
            shift, ages.start, ages.stop, _cells(split[None], 1, lead, (2,)), _cells(np.asarray(mig[t])[None], 1, lead, cells),
            even, *(f[t:t + 1] for f in flat))[0]
        if each is not None:
            each(t, Step(pops[(first + 1) % len(pops)], flows["births"][t], flows["deaths"][t], flows["migration"][t],
                         int(guarded[t])))
    return {"population": pops if keep else pops[steps % 2][None], **flows, "guarded": guarded}
