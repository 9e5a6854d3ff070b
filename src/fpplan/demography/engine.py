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
from itertools import pairwise

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


def step(
    pop: np.ndarray,
    S: np.ndarray,
    asfr: np.ndarray,
    srb: np.ndarray | float,
    mig: np.ndarray,
    width: int = 1,
    timing: str = "end",
    fertile: slice = slice(None),
    out: np.ndarray | None = None,
) -> Step:
    """One projection step (the module docstring gives the rules). ``asfr[..., g]`` are births per woman per year
    at the ages ``fertile`` selects; ``mig`` are the step's net migrants by age at the end of the step; ``out``
    optionally receives the end population. Inputs broadcast against each other."""
    shape = np.broadcast_shapes(np.shape(pop), np.shape(S), np.shape(mig))
    result = run(
        np.broadcast_to(np.asarray(pop, dtype=float), shape),
        np.asarray(S, dtype=float)[None],
        np.asarray(asfr, dtype=float)[None],
        np.asarray(srb, dtype=float)[None],
        np.asarray(mig, dtype=float)[None],
        width,
        timing,
        fertile,
    )
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
def compiled():
    """The compiled loop (``fpplan.demography.kernels``), loaded on the first projection of a process: ~0.3 s of
    CPU (numba and the machine code cached next to the module; compiled once, a few seconds, where there is no
    cache yet). A server may call it ahead of a visitor."""
    from fpplan.demography import kernels

    return kernels


def _two(lead: tuple[int, ...]) -> tuple[int, int]:
    """The kernel's two leading axes (trajectory and region) for any leading shape (more axes merge into the first)."""
    return (1, 1) if not lead else ((1, lead[0]) if len(lead) == 1 else (int(np.prod(lead[:-1])), lead[-1]))


def _cells(values, lead: tuple[int, ...], last: tuple[int, ...]) -> np.ndarray:
    """An input ``values`` (k, …) that broadcasts against (k, *lead, *last), as the kernel reads it: C-contiguous
    (k, L1, L2, *last) with axes of length 1 where ``values`` is the same along them (broadcast views are made
    compact again, so the same table for every township is never copied)."""
    x = np.asarray(values, dtype=np.float64)
    missing = 1 + len(lead) + len(last) - x.ndim  # a step's array may have fewer leading axes than lead
    if missing > 0:
        x = x.reshape(x.shape[:1] + (1,) * missing + x.shape[1:])
    x = x[tuple(slice(0, 1) if stride == 0 and size > 1 else slice(None) for stride, size in zip(x.strides, x.shape))]
    np.broadcast_shapes(x.shape[1:], lead + last)  # a ValueError when they do not broadcast
    if x.shape[x.ndim - len(last) :] != last:
        x = np.broadcast_to(x, x.shape[: x.ndim - len(last)] + last)
    middle = x.shape[1 : 1 + len(lead)]
    if len(lead) < 2:
        x = x.reshape(x.shape[:1] + (1,) * (2 - len(lead)) + x.shape[1:])
    elif len(lead) > 2:
        if any(size > 1 for size in middle[:-1]):
            x = np.broadcast_to(x, x.shape[:1] + lead + last)
        x = x.reshape(x.shape[:1] + (int(np.prod(x.shape[1 : len(lead)])), x.shape[len(lead)]) + last)
    return np.ascontiguousarray(x)


def _out(array: np.ndarray, lead: tuple[int, ...]) -> np.ndarray:
    """An output (k, *lead, *last), C-contiguous, seen as (k, L1, L2, *last) (a view: the kernel writes into it)."""
    return array.reshape(array.shape[:1] + _two(lead) + array.shape[1 + len(lead) :])


@dataclass(frozen=True)
class Scaled:
    """A step-indexed input kept as factors, so that (step × trajectory × region × sex × age) arrays never exist:
    step t is ``scale[t]`` (over the leading axes) times ``pattern`` (over the leading axes and the ``cells`` last
    ones), plus the ``arrivals`` of step t: (step, index into the leading axes, values over the last axes), e.g. a
    regiment farm arriving in its township."""

    scale: np.ndarray  # (steps, …leading axes, broadcasting)
    pattern: np.ndarray  # (…leading axes, broadcasting, *last axes)
    cells: int  # how many of pattern's axes are the last axes (age groups: 1; sex and age: 2)
    arrivals: tuple[np.ndarray, np.ndarray, np.ndarray] | None = (
        None  # step (m,), leading index (m, axes), values (m, *last)
    )

    def __len__(self) -> int:
        return len(self.scale)

    def __getitem__(self, t: int) -> np.ndarray:
        """Step t as an array (the arrivals' leading indices must lie within scale[t] × pattern's leading axes)."""
        scale = np.asarray(self.scale[t], dtype=float)
        value = scale.reshape(scale.shape + (1,) * self.cells) * self.pattern
        if self.arrivals is not None:
            step, index, values = self.arrivals
            now = step == t
            np.add.at(value, tuple(index[now].T), values[now])
        return value


@dataclass(frozen=True)
class Interpolated:
    """Survival ratios of every step read off a grid of life tables: step t, at the leading index ``…`` and sex
    s, is ``table[k, s] + w · (table[k + 1, s] − table[k, s])`` where ``position[t][…, s]`` = k + w (0 ≤ k + w <
    G − 1; ``fpplan.demography.stochastic.SurvivalGrid.positions``)."""

    table: np.ndarray  # (G, sex, age)
    position: np.ndarray  # (steps, …leading axes, broadcasting, sex)

    def __len__(self) -> int:
        return len(self.position)

    def __getitem__(self, t: int) -> np.ndarray:
        x = np.asarray(self.position[t], dtype=float)
        k = x.astype(int)
        below = self.table[k, np.arange(self.table.shape[1])]
        return below + (x - k)[..., None] * (self.table[k + 1, np.arange(self.table.shape[1])] - below)


NONE_AT = np.zeros((0, 3), dtype=np.int64)


def _factors(values, lead: tuple[int, ...], last: tuple[int, ...], t: slice) -> tuple[np.ndarray, np.ndarray]:
    """The kernel's (values, scale) of a step-indexed input over the steps ``t``: a Scaled input's factors, or the
    input itself (arrays, or anything indexed by step, one step at a time) with the scale 1."""
    if isinstance(values, Scaled):
        return _cells(values.pattern[None], lead, last), _cells(values.scale[t], lead, ())
    if isinstance(values, np.ndarray):
        return _cells(values[t], lead, last), ONE
    return _cells(np.asarray(values[t.start])[None], lead, last), ONE


def _arrivals(values, lead: tuple[int, ...], last: tuple[int, ...], t: slice) -> tuple[np.ndarray, np.ndarray]:
    """The arrivals of a Scaled input in the steps ``t`` as the kernel reads them: (step − t.start, L1 index, L2
    index) sorted by L1 index, L2 index and step, and their values (rows, *last)."""
    if getattr(values, "arrivals", None) is None:
        return NONE_AT, np.zeros((0,) + last)
    step, index, arriving = values.arrivals
    now = (step >= t.start) & (step < t.stop)
    index = np.asarray(index, dtype=np.int64)[now].reshape(-1, len(lead))
    if len(lead) > 2:
        first = np.ravel_multi_index(tuple(index[:, :-1].T), lead[:-1])
    else:
        first = index[:, 0] if len(lead) == 2 else np.zeros(len(index), dtype=np.int64)
    if len(lead) and ((index < 0) | (index >= np.array(lead))).any():
        raise ValueError("an arrival's index lies outside the projected population")
    at = np.stack([step[now] - t.start, first, index[:, -1] if lead else np.zeros(len(index), dtype=np.int64)], axis=1)
    order = np.lexsort((at[:, 0], at[:, 2], at[:, 1]))  # by L1 index, L2 index, step: the kernel's loop order
    values = np.broadcast_to(np.asarray(arriving, dtype=np.float64)[now], (len(at),) + last)
    return np.ascontiguousarray(at[order], dtype=np.int64), np.ascontiguousarray(values[order])


ONE = np.ones((1, 1, 1))
NO_POSITION = np.zeros((0, 1, 1, 2))
NO_BANDS = np.zeros((0, 3), dtype=np.int64)
NO_SUMS = np.zeros((0, 1, 1))


def _survival(S, lead: tuple[int, ...], last: tuple[int, ...], t: slice) -> tuple[np.ndarray, np.ndarray]:
    """The kernel's (survival, position) over the steps ``t``."""
    if isinstance(S, Interpolated):
        position = _cells(S.position[t], lead, last[:1])
        if position.size and not (position.min() >= 0 and position.max() < len(S.table) - 1):
            raise ValueError("survival positions must lie in [0, G - 1) of the grid")
        return np.ascontiguousarray(S.table[:, None, None], dtype=np.float64), position
    if isinstance(S, np.ndarray):
        return _cells(S[t], lead, last), NO_POSITION
    return _cells(np.asarray(S[t.start])[None], lead, last), NO_POSITION


def run(
    pop0: np.ndarray,
    S,
    asfr,
    srb,
    mig,
    width: int = 1,
    timing: str = "end",
    fertile: slice = slice(None),
    dtype=np.float64,
    keep: bool = True,
    each=None,
    bands: tuple[tuple[int, int, int], ...] = (),
    threads: int = 1,
) -> dict[str, np.ndarray]:
    """Project ``pop0[..., sex, age]`` over ``len(S)`` steps. The inputs are indexed by step (``S[t]``,
    ``asfr[t]``, ``srb[t]``, ``mig[t]``) and broadcast against ``pop0``: S (..., sex, age), asfr (..., g), srb
    (...), mig (..., sex, age). Each is an array of every step, a factored form (``Scaled`` for asfr and mig,
    ``Interpolated`` for S: nothing of the population's size is built for them), or any object whose ``[t]``
    gives the step's array.

    Returns population ``[T+1, ..., sex, age]``, births, deaths and migration ``[T, ..., sex]``, guarded ``[T]``.
    ``keep=False`` keeps only the last population (``[1, ...]``) and calls ``each(t, step)`` after every step, so
    a caller can reduce the trajectories as they go (memory then does not grow with the steps; ``step.population``
    is reused two steps later, so copy what you keep). ``bands`` ((sex, first age, age after the last), …) adds
    ``sums`` [T+1, …leading axes but the last, band]: the population of each band summed over the last leading
    axis (the regions), every year, computed as the steps go.

    Without ``each`` (or with every year kept), inputs of every step at hand run as one call of the compiled
    kernel (``fpplan.demography.kernels.project``); otherwise it runs step by step. ``threads`` > 1 splits the
    trajectories (first leading axis) of such a call among that many threads (the same numbers: each row is
    projected alone). Computed in float64 (``dtype`` any other is refused).
    """
    if timing not in TIMINGS:
        raise ValueError("migration timing must be 'end' or 'even'")
    if np.dtype(dtype) != np.float64:
        raise ValueError("the engine computes in float64")
    kernels = compiled()
    steps = len(S)
    pop = np.array(pop0, dtype=np.float64, order="C")  # C order even from a broadcast view
    shape = pop.shape
    lead, cells = shape[:-2], shape[-2:]
    flows = {k: np.empty((steps,) + shape[:-1]) for k in ("births", "deaths", "migration")}
    flat = [_out(flows[k], lead) for k in ("births", "deaths", "migration")]
    groups = (asfr.pattern.shape if isinstance(asfr, Scaled) else np.shape(asfr[0]))[-1] if steps else 0
    ages, exposed = _fertile(fertile, shape[-1], groups)
    shift = ages.start - exposed.start  # the rate of age a is asfr[..., a - shift]
    even = timing == "even"
    pops = np.empty(((steps + 1) if keep else 2,) + shape)
    pops[0] = pop
    view = _out(pops, lead)
    band_index = np.array(bands, dtype=np.int64).reshape(-1, 3)
    if len(band_index) and not (
        np.isin(band_index[:, 0], (0, 1)).all()
        and (band_index[:, 1] >= 0).all()
        and (band_index[:, 1] <= band_index[:, 2]).all()
        and (band_index[:, 2] <= shape[-1]).all()
    ):
        raise ValueError("bands are (sex 0 or 1, first age, age after the last) within the age groups")
    sums = np.empty((steps + 1,) + _two(lead)[:1] + (len(band_index),)) if len(band_index) else None
    if sums is not None:
        whole = view[0]
        sums[0] = np.stack([whole[:, :, sex, lo:hi].sum(axis=(1, 2)) for sex, lo, hi in band_index], axis=-1)
    at_once = (each is None or keep) and all(isinstance(x, (np.ndarray, Scaled, Interpolated)) for x in (S, asfr, mig))
    splits = _split(
        srb if isinstance(srb, np.ndarray) else np.stack([np.asarray(srb[t], dtype=float) for t in range(steps)]), width
    )
    blocks = [slice(0, steps)] if at_once else [slice(t, t + 1) for t in range(steps)]
    guarded = np.zeros(steps, dtype=int)
    for t in blocks:  # one block of every step, or a loop over projection steps (one kernel call each)
        first = t.start if keep else t.start % 2
        survival, position = _survival(S, lead, cells, t)
        rates, rate_scale = _factors(asfr, lead, (groups,), t)
        migrants, migrant_scale = _factors(mig, lead, cells, t)
        arrive_at, arriving = _arrivals(mig, lead, cells, t)
        args = (
            view,
            first,
            survival,
            position,
            rates,
            rate_scale,
            shift,
            ages.start,
            ages.stop,
            _cells(splits[t], lead, (2,)),
            migrants,
            migrant_scale,
            arrive_at,
            arriving,
            even,
            *(f[t] for f in flat),
            band_index if sums is not None else NO_BANDS,
            sums[1:][t] if sums is not None else NO_SUMS,
        )
        rows = view.shape[1]
        parts = min(max(int(threads), 1), rows) if at_once else 1
        if parts == 1:
            guarded[t] = kernels.project(*args, 0, rows)
        else:
            from concurrent.futures import ThreadPoolExecutor

            edges = np.linspace(0, rows, parts + 1).astype(int)
            with ThreadPoolExecutor(parts) as pool:  # disjoint trajectories; the loop releases the GIL
                runs = [pool.submit(kernels.project, *args, int(a), int(b)) for a, b in pairwise(edges)]
                guarded[t] = sum(run.result() for run in runs)
        if each is not None and not at_once:
            each(
                t.start,
                Step(
                    pops[(first + 1) % len(pops)],
                    flows["births"][t.start],
                    flows["deaths"][t.start],
                    flows["migration"][t.start],
                    int(guarded[t.start]),
                ),
            )
    if each is not None and at_once:
        for t in range(steps):  # a loop over projection steps, after the kernel has run them all
            each(t, Step(pops[t + 1], flows["births"][t], flows["deaths"][t], flows["migration"][t], int(guarded[t])))
    out = {"population": pops if keep else pops[steps % 2][None], **flows, "guarded": guarded}
    if sums is not None:
        out["sums"] = sums.reshape((steps + 1,) + (lead[:-1] if len(lead) > 1 else ()) + (len(band_index),))
    return out
