"""Where new stations should stand: p-median and maximal covering location, solved to optimality as mixed-integer
programs with HiGHS (highspy), existing sites kept open, an optional capacity per site.

Formulations (Daskin, *Network and Discrete Location*, 2nd ed., 2013, ch. 5–6; ReVelle & Swain 1970 for the
p-median, Church & ReVelle 1974 for maximal covering), demand i with weight w_i, candidate j, cost d_ij:

- p-median: minimise Σ_ij w_i d_ij x_ij subject to Σ_j x_ij = 1, x_ij ≤ y_j, Σ_{j new} y_j = p, y_j = 1 for the
  existing sites, y binary, x ∈ [0, 1]; with capacity c_j also Σ_i w_i x_ij ≤ c_j y_j (demand may then be split
  between sites).
- maximal covering: maximise Σ_i w_i z_i subject to z_i ≤ Σ_{j: d_ij ≤ r} y_j, z ∈ [0, 1], the same count and
  existing-site rows; with capacity the covered weight is assigned, x_ij for d_ij ≤ r, Σ_j x_ij ≤ 1,
  Σ_i w_i x_ij ≤ c_j y_j, and the objective is Σ w_i x_ij.

Maximal covering without capacities is solved on the part the choice can change (``_covering``: the demand no
existing site covers, the candidates whose demand points no other candidate covers all of): the same optimum from a
far smaller model.
The reported objective is recomputed from the chosen sites (nearest open site; or the solver's split of demand
when capacities bind), so it does not carry the solver's tolerance.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse

from fpplan.spatial.distance import straight_km

OBJECTIVES = ("p_median", "coverage")


@dataclass(frozen=True)
class SiteChoice:
    """``chosen``: the new sites (candidate ids, in candidate order); ``open``: existing + chosen; ``objective``:
    Σ weight × cost to the assigned site (p_median) or the weight covered (coverage); ``assignment``: one row
    per demand and site it is served by (demand, site, cost, weight, share, covered)."""

    chosen: list[str]
    open: list[str]
    objective: float
    assignment: pd.DataFrame
    kind: str


def _highs():
    """A silent HiGHS instance (its first construction in a process prints a banner on the C level stdout)."""
    import highspy

    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), 1)
            h = highspy.Highs()
    finally:
        os.dup2(saved, 1)
        os.close(saved)
    h.setOptionValue("output_flag", False)
    # one thread: these models are small, and HiGHS's idle workers spin, which starved a busy 2-core machine
    h.setOptionValue("threads", 1)
    h.setOptionValue("mip_rel_gap", 0.0)
    h.setOptionValue("mip_abs_gap", 1e-9)
    return h


def _solve(
    cost: np.ndarray,
    matrix: sparse.spmatrix,
    row_lower: np.ndarray,
    row_upper: np.ndarray,
    col_lower: np.ndarray,
    col_upper: np.ndarray,
    integer: np.ndarray,
) -> np.ndarray:
    """min cost·v subject to row_lower ≤ A v ≤ row_upper, bounds, integrality; returns v."""
    import highspy

    a = sparse.csc_matrix(matrix)
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = a.shape[1], a.shape[0]
    lp.col_cost_, lp.col_lower_, lp.col_upper_ = cost, col_lower, col_upper
    lp.row_lower_, lp.row_upper_ = row_lower, row_upper
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_, lp.a_matrix_.index_, lp.a_matrix_.value_ = a.indptr, a.indices, a.data
    lp.integrality_ = [highspy.HighsVarType.kInteger if i else highspy.HighsVarType.kContinuous for i in integer]
    h = _highs()
    h.passModel(lp)
    h.run()
    status = h.getModelStatus()
    if status != highspy.HighsModelStatus.kOptimal:
        raise ValueError(f"no optimal siting: HiGHS says {h.modelStatusToString(status)} (capacities too small?)")
    return np.asarray(h.getSolution().col_value)


def _capacities(capacity, ids: pd.Index) -> np.ndarray | None:
    if capacity is None:
        return None
    if isinstance(capacity, Mapping | pd.Series):
        values = pd.Series(capacity, dtype=float).reindex(ids)
        if values.isna().any():
            raise ValueError(f"no capacity for candidates {list(ids[values.isna()])}")
        return values.to_numpy(float)
    return np.full(len(ids), float(capacity))


def choose_sites(
    demand: pd.DataFrame,
    candidates: pd.DataFrame,
    p: int,
    objective: str = "p_median",
    radius_km: float | None = None,
    existing: Iterable[str] = (),
    capacity=None,
    cost: np.ndarray | None = None,
) -> SiteChoice:
    """The ``p`` new sites among ``candidates`` (id, x_km, y_km) that best serve ``demand`` (id, x_km, y_km,
    weight), with the ``existing`` candidate ids open as well; the true optimum of the integer program.

    ``objective``: "p_median" (least Σ weight × distance to the nearest open site) or "coverage" (most weight
    within ``radius_km`` of an open site). ``capacity``: one number, or a mapping candidate id → capacity (in
    weight units). ``cost``: a (demand × candidates) matrix to use instead of straight-line km (e.g. travel
    minutes; ``radius_km`` is then in the same unit)."""
    if objective not in OBJECTIVES:
        raise ValueError(f"objective must be one of {OBJECTIVES}, not {objective!r}")
    if objective == "coverage" and radius_km is None:
        raise ValueError("coverage needs radius_km")
    ids = pd.Index(candidates["id"].astype(str))
    existing = [str(e) for e in existing]
    unknown = [e for e in existing if e not in ids]
    if unknown:
        raise ValueError(f"existing sites {unknown} are not among the candidates")
    is_existing = ids.isin(existing)
    if not 0 <= p <= int((~is_existing).sum()):
        raise ValueError(f"p = {p}, but {int((~is_existing).sum())} candidates are not already open")
    w = demand["weight"].to_numpy(float)
    d = (
        straight_km(demand[["x_km", "y_km"]].to_numpy(float), candidates[["x_km", "y_km"]].to_numpy(float))
        if cost is None
        else np.asarray(cost, float)
    )
    if d.shape != (len(demand), len(ids)) or not np.isfinite(d).all() or not np.isfinite(w).all():
        raise ValueError("every demand point and candidate needs finite coordinates (or costs) and weights")
    cap = _capacities(capacity, ids)
    if objective == "p_median":
        y = _p_median(w, d, p, is_existing, cap)
    elif p == 0 and cap is None:  # nothing to choose: the existing sites, each demand point at its nearest
        y = is_existing, None
    else:
        y = _coverage(w, d <= radius_km, p, is_existing, cap)
    open_mask, x = y
    chosen = [s for s, o, e in zip(ids, open_mask, is_existing) if o and not e]
    assignment = _assignment(demand, ids, w, d, open_mask, x, radius_km if objective == "coverage" else None)
    if objective == "p_median":
        value = float((assignment["weight"] * assignment["share"] * assignment["cost"]).sum())
    else:
        value = float((assignment["weight"] * assignment["share"] * assignment["covered"]).sum())
    return SiteChoice(chosen=chosen, open=list(ids[open_mask]), objective=value, assignment=assignment, kind=objective)


def _count_rows(m: int, p: int, is_existing: np.ndarray, offset: int, width: int):
    """Σ_{j new} y_j = p as one row over ``width`` columns (y first, at ``offset``)."""
    row = sparse.csr_matrix(
        (
            np.ones(int((~is_existing).sum())),
            (np.zeros(int((~is_existing).sum()), int), offset + np.flatnonzero(~is_existing)),
        ),
        shape=(1, width),
    )
    return row, np.array([p], float), np.array([p], float)


def _p_median(w, d, p, is_existing, cap):
    n, m = d.shape
    nx_ = n * m
    width = m + nx_
    i_idx, j_idx = np.divmod(np.arange(nx_), m)
    xcol = m + np.arange(nx_)
    assign = sparse.csr_matrix((np.ones(nx_), (i_idx, xcol)), shape=(n, width))
    link = sparse.csr_matrix(
        (np.concatenate([np.ones(nx_), -np.ones(nx_)]), (np.tile(np.arange(nx_), 2), np.concatenate([xcol, j_idx]))),
        shape=(nx_, width),
    )
    count, c_lo, c_hi = _count_rows(m, p, is_existing, 0, width)
    blocks = [assign, link, count]
    lower = [np.ones(n), np.full(nx_, -np.inf), c_lo]
    upper = [np.ones(n), np.zeros(nx_), c_hi]
    if cap is not None:
        caprow = sparse.csr_matrix(
            (
                np.concatenate([w[i_idx], -cap]),
                (np.concatenate([j_idx, np.arange(m)]), np.concatenate([xcol, np.arange(m)])),
            ),
            shape=(m, width),
        )
        blocks.append(caprow)
        lower.append(np.full(m, -np.inf))
        upper.append(np.zeros(m))
    cost = np.concatenate([np.zeros(m), (w[:, None] * d).reshape(-1)])
    v = _solve(
        cost,
        sparse.vstack(blocks),
        np.concatenate(lower),
        np.concatenate(upper),
        np.concatenate([is_existing.astype(float), np.zeros(nx_)]),
        np.ones(width),
        np.concatenate([np.ones(m, bool), np.zeros(nx_, bool)]),
    )
    open_mask = v[:m] > 0.5
    return open_mask, (v[m:].reshape(n, m) if cap is not None else None)


def _coverage(w, within, p, is_existing, cap):
    if cap is None:
        return _covering(w, within, p, is_existing), None
    n, m = within.shape
    pi, pj = np.nonzero(within)
    k = len(pi)
    width = m + k
    xcol = m + np.arange(k)
    once = sparse.csr_matrix((np.ones(k), (pi, xcol)), shape=(n, width))
    link = sparse.csr_matrix(
        (np.concatenate([np.ones(k), -np.ones(k)]), (np.tile(np.arange(k), 2), np.concatenate([xcol, pj]))),
        shape=(k, width),
    )
    caprow = sparse.csr_matrix(
        (np.concatenate([w[pi], -cap]), (np.concatenate([pj, np.arange(m)]), np.concatenate([xcol, np.arange(m)]))),
        shape=(m, width),
    )
    count, c_lo, c_hi = _count_rows(m, p, is_existing, 0, width)
    cost = np.concatenate([np.zeros(m), -w[pi]])
    v = _solve(
        cost,
        sparse.vstack([once, link, caprow, count]),
        np.concatenate([np.full(n + k + m, -np.inf), c_lo]),
        np.concatenate([np.ones(n), np.zeros(k + m), c_hi]),
        np.concatenate([is_existing.astype(float), np.zeros(k)]),
        np.ones(width),
        np.concatenate([np.ones(m, bool), np.zeros(k, bool)]),
    )
    x = np.zeros((n, m))
    x[pi, pj] = v[m:]
    return v[:m] > 0.5, x


def _covering(w, within, p, is_existing) -> np.ndarray:
    """The open sites of maximal covering without capacities (Church & ReVelle 1974), solved on what the choice can
    change: the demand no existing site covers (with a weight), and the new candidates that cover some of it, less
    those that cover only what another covers too (a subset of another's demand points; of candidates covering the
    same points, the first). Whatever the choice, the rest is fixed: a demand point an existing site covers is
    covered, and a candidate left out can be swapped for the one that covers all it covers at no loss. So the
    optimum is the full model's (tests/spatial/test_siting.py: against brute force), from a model that is a small
    fraction of its size where stations reach far (a slider's long travel times: 200 ms → a few ms). When no more
    than ``p`` candidates are left, all of them open, and the first others in candidate order make up ``p``."""
    open_mask = is_existing.copy()
    rows = np.flatnonzero(~within[:, is_existing].any(axis=1) & (w > 0))
    cols = np.flatnonzero(~is_existing & within[rows].any(axis=0))
    cols = cols[_undominated(within[np.ix_(rows, cols)])]
    if len(cols) <= p:
        open_mask[cols] = True
        open_mask[np.flatnonzero(~open_mask)[: p - len(cols)]] = True
        return open_mask
    sub = within[np.ix_(rows, cols)]
    n, m = sub.shape
    width = m + n
    zcol = m + np.arange(n)
    pi, pj = np.nonzero(sub)
    cover = sparse.csr_matrix(
        (
            np.concatenate([np.ones(n), -np.ones(len(pi))]),
            (np.concatenate([np.arange(n), pi]), np.concatenate([zcol, pj])),
        ),
        shape=(n, width),
    )
    count, c_lo, c_hi = _count_rows(m, p, np.zeros(m, bool), 0, width)
    v = _solve(
        np.concatenate([np.zeros(m), -w[rows]]),
        sparse.vstack([cover, count]),
        np.concatenate([np.full(n, -np.inf), c_lo]),
        np.concatenate([np.zeros(n), c_hi]),
        np.zeros(width),
        np.ones(width),
        np.concatenate([np.ones(m, bool), np.zeros(n, bool)]),
    )
    open_mask[cols[v[:m] > 0.5]] = True
    return open_mask


def _undominated(covers: np.ndarray) -> np.ndarray:
    """The columns of ``covers`` (demand × candidate, True where covered) whose set of demand points is no other's
    subset; of equal sets, the first. Pairs sharing a point come from a sparse product, so a county's thousands of
    villages never make a dense candidate × candidate table."""
    m = covers.shape[1]
    a = sparse.csc_matrix(covers, dtype=np.int32)
    size = np.asarray(a.sum(axis=0)).ravel()
    shared = (a.T @ a).tocoo()  # j, k, points both cover
    j, k = shared.row, shared.col
    inside = (shared.data == size[j]) & (j != k)  # j's points all k's
    beaten = inside & ((size[k] > size[j]) | (k < j))  # k covers more, or the same points and comes first
    keep = np.ones(m, bool)
    keep[j[beaten]] = False
    return keep


def _assignment(demand, ids, w, d, open_mask, x, radius) -> pd.DataFrame:
    """demand, site, cost, weight, share, covered: the nearest open site, or the solver's split under capacity."""
    if x is None:
        cols = np.flatnonzero(open_mask)
        if len(cols) == 0:
            rows, sites, share = np.arange(len(w)), np.full(len(w), -1), np.ones(len(w))
        else:
            rows, sites, share = np.arange(len(w)), cols[np.argmin(d[:, cols], axis=1)], np.ones(len(w))
    else:
        x = np.where(x > 1e-9, x, 0.0)
        rows, sites = np.nonzero(x)
        share = x[rows, sites]
        if radius is not None:  # uncovered remainder of each demand point
            rest = 1.0 - x.sum(axis=1)
            left = np.flatnonzero(rest > 1e-9)
            rows, sites, share = (
                np.concatenate([rows, left]),
                np.concatenate([sites, np.full(len(left), -1)]),
                np.concatenate([share, rest[left]]),
            )
    has = sites >= 0
    cost = np.where(has, d[rows, np.where(has, sites, 0)], np.nan)
    frame = pd.DataFrame(
        {
            "demand": demand["id"].astype(str).to_numpy()[rows],
            "site": np.where(has, np.asarray(ids, dtype=object)[np.where(has, sites, 0)], None),
            "cost": cost,
            "weight": w[rows],
            "share": share,
        }
    )
    frame["covered"] = has & (frame["cost"] <= radius) if radius is not None else has
    return frame.sort_values(["demand", "site"], na_position="last", kind="stable").reset_index(drop=True)
