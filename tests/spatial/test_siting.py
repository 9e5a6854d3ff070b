"""choose_sites against brute force: every subset of p new sites evaluated independently (nearest open site; a
transportation LP by scipy's linprog when capacities bind), with and without existing sites."""

from __future__ import annotations

from itertools import combinations

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import linprog

from fpplan.spatial import choose_sites


def instance(seed: int, n: int = 12, m: int = 7) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    demand = pd.DataFrame(
        {
            "id": [f"v{i}" for i in range(n)],
            "x_km": rng.uniform(0, 40, n),
            "y_km": rng.uniform(0, 30, n),
            "weight": rng.integers(50, 900, n).astype(float),
        }
    )
    sites = pd.DataFrame(
        {"id": [f"s{j}" for j in range(m)], "x_km": rng.uniform(0, 40, m), "y_km": rng.uniform(0, 30, m)}
    )
    return demand, sites


def distances(demand, sites) -> np.ndarray:
    return np.hypot(
        demand["x_km"].to_numpy()[:, None] - sites["x_km"].to_numpy()[None, :],
        demand["y_km"].to_numpy()[:, None] - sites["y_km"].to_numpy()[None, :],
    )


def transport(w, d, cap, open_sites, radius=None) -> float:
    """Best split of demand over open sites with capacities (scipy linprog, HiGHS inside scipy): least Σ w d x
    with every demand served, or (radius) most weight covered within radius."""
    n, k = len(w), len(open_sites)
    dd = d[:, open_sites]
    a_cap = np.zeros((k, n * k))
    a_one = np.zeros((n, n * k))
    for j in range(k):
        a_cap[j, j::k] = w
    for i in range(n):
        a_one[i, i * k : (i + 1) * k] = 1
    if radius is None:
        res = linprog(
            (w[:, None] * dd).ravel(), A_ub=a_cap, b_ub=cap[open_sites], A_eq=a_one, b_eq=np.ones(n), bounds=(0, 1)
        )
        return res.fun if res.success else np.inf
    ok = (dd <= radius).ravel()
    res = linprog(
        -(np.repeat(w, k)),
        A_ub=np.vstack([a_cap, a_one]),
        b_ub=np.concatenate([cap[open_sites], np.ones(n)]),
        bounds=[(0, 1 if o else 0) for o in ok],
    )
    return -res.fun


def brute(demand, sites, p, objective, radius=None, existing=(), cap=None) -> float:
    w, d = demand["weight"].to_numpy(float), distances(demand, sites)
    ids = list(sites["id"])
    fixed = [ids.index(e) for e in existing]
    free = [j for j in range(len(ids)) if j not in fixed]
    best = np.inf if objective == "p_median" else -np.inf
    for subset in combinations(free, p):
        open_sites = fixed + list(subset)
        if cap is not None:
            value = transport(w, d, cap, open_sites, radius if objective == "coverage" else None)
        elif objective == "p_median":
            value = float((w * d[:, open_sites].min(axis=1)).sum())
        else:
            value = float(w[d[:, open_sites].min(axis=1) <= radius].sum())
        best = min(best, value) if objective == "p_median" else max(best, value)
    return best


def evaluate(demand, sites, open_ids, objective, radius=None) -> float:
    """The objective of a given set of open sites, nearest site rule (independent of the solver's output)."""
    w, d = demand["weight"].to_numpy(float), distances(demand, sites)
    cols = [list(sites["id"]).index(s) for s in open_ids]
    nearest = d[:, cols].min(axis=1)
    return float((w * nearest).sum()) if objective == "p_median" else float(w[nearest <= radius].sum())


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("p", [1, 2, 3])
@pytest.mark.parametrize("existing", [(), ("s0",), ("s1", "s4")])
def test_p_median_matches_brute_force(seed: int, p: int, existing: tuple) -> None:
    demand, sites = instance(seed)
    result = choose_sites(demand, sites, p, "p_median", existing=existing)
    expected = brute(demand, sites, p, "p_median", existing=existing)
    assert result.objective == pytest.approx(expected, rel=1e-9)
    assert len(result.chosen) == p and not set(result.chosen) & set(existing)
    assert set(result.open) == set(result.chosen) | set(existing)
    assert evaluate(demand, sites, result.open, "p_median") == pytest.approx(expected, rel=1e-9)
    assert result.assignment["site"].isin(result.open).all() and len(result.assignment) == len(demand)


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("p", [1, 2, 3])
@pytest.mark.parametrize("existing", [(), ("s2",)])
@pytest.mark.parametrize("radius", [6.0, 11.0])
def test_coverage_matches_brute_force(seed: int, p: int, existing: tuple, radius: float) -> None:
    demand, sites = instance(seed)
    result = choose_sites(demand, sites, p, "coverage", radius_km=radius, existing=existing)
    expected = brute(demand, sites, p, "coverage", radius=radius, existing=existing)
    assert result.objective == pytest.approx(expected, rel=1e-9)
    assert evaluate(demand, sites, result.open, "coverage", radius) == pytest.approx(expected, rel=1e-9)
    covered = result.assignment.loc[result.assignment["covered"], "demand"]
    assert demand.set_index("id").loc[covered, "weight"].sum() == pytest.approx(expected)


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("p", [1, 3, 5])
@pytest.mark.parametrize("radius", [9.0, 25.0, 60.0])
def test_coverage_with_twins_and_far_reach_matches_brute_force(seed: int, p: int, radius: float) -> None:
    """Candidates at the same place (twins), demand with no weight, and reaches where one site covers much or all
    of the county (a slider's long travel times): the model solved without the covered demand and without the
    candidates another covers all of (``siting._covering``) keeps the full model's optimum, opens exactly p new
    sites, and of twins opens the first."""
    demand, sites = instance(seed, n=10, m=5)
    sites = pd.concat([sites, sites.assign(id=[f"t{j}" for j in range(len(sites))])], ignore_index=True)
    demand.loc[demand.index[:2], "weight"] = 0.0
    result = choose_sites(demand, sites, p, "coverage", radius_km=radius, existing=("s0",))
    expected = brute(demand, sites, p, "coverage", radius=radius, existing=("s0",))
    assert result.objective == pytest.approx(expected, rel=1e-9)
    assert evaluate(demand, sites, result.open, "coverage", radius) == pytest.approx(expected, rel=1e-9)
    assert len(result.chosen) == p and "s0" not in result.chosen and len(set(result.open)) == p + 1
    assert all(f"s{j}" in result.open for j in range(5) if f"t{j}" in result.open)


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("existing", [(), ("s2",), ("s1", "s4")])
def test_coverage_with_no_new_site_is_the_existing_sites(seed: int, existing: tuple) -> None:
    """p = 0 (no integer program to solve): the existing sites open, each demand point at its nearest."""
    demand, sites = instance(seed)
    result = choose_sites(demand, sites, 0, "coverage", radius_km=8.0, existing=existing)
    assert result.chosen == [] and result.open == list(existing)
    w, d = demand["weight"].to_numpy(float), distances(demand, sites)
    cols = [list(sites["id"]).index(e) for e in existing]
    expected = float(w[d[:, cols].min(axis=1) <= 8.0].sum()) if cols else 0.0
    assert result.objective == pytest.approx(expected, rel=1e-12)
    if cols:
        nearest = np.asarray(sites["id"])[np.array(cols)[d[:, cols].argmin(axis=1)]]
        got = result.assignment.set_index("demand").loc[demand["id"], "site"].to_numpy()
        assert (got == nearest).all()
    with_capacity = choose_sites(demand, sites, 0, "coverage", radius_km=8.0, existing=existing, capacity=1e9)
    assert with_capacity.open == list(existing) and with_capacity.objective == pytest.approx(expected, rel=1e-9)


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("existing", [(), ("s3",)])
def test_capacitated_p_median_matches_brute_force(seed: int, existing: tuple) -> None:
    demand, sites = instance(seed, n=9, m=6)
    total = demand["weight"].sum()
    cap = np.full(len(sites), total / 2.6)  # three open sites are needed to hold everyone
    result = choose_sites(
        demand, sites, 3 - len(existing), "p_median", existing=existing, capacity=dict(zip(sites["id"], cap))
    )
    expected = brute(demand, sites, 3 - len(existing), "p_median", existing=existing, cap=cap)
    assert result.objective == pytest.approx(expected, rel=1e-6)
    served = (result.assignment["weight"] * result.assignment["share"]).groupby(result.assignment["site"]).sum()
    assert (served <= total / 2.6 + 1e-6).all()  # no site over its capacity
    assert result.assignment.groupby("demand")["share"].sum().to_numpy() == pytest.approx(1.0)
    # without the capacity the answer is at least as good
    assert (
        choose_sites(demand, sites, 3 - len(existing), "p_median", existing=existing).objective
        <= result.objective + 1e-9
    )


@pytest.mark.parametrize("seed", range(3))
def test_capacitated_coverage_matches_brute_force(seed: int) -> None:
    demand, sites = instance(seed, n=9, m=6)
    cap = np.full(len(sites), 900.0)
    result = choose_sites(demand, sites, 2, "coverage", radius_km=12.0, capacity=900.0)
    expected = brute(demand, sites, 2, "coverage", radius=12.0, cap=cap)
    assert result.objective == pytest.approx(expected, rel=1e-6)
    assert result.objective <= 2 * 900.0 + 1e-6


def test_hand_case_and_inputs() -> None:
    # three villages on a line at 0, 10, 30 km (weights 1, 1, 5); candidates at 0, 10, 30: the one median is 30
    # (10·1 + 30·1 = 40 against 10·1 + 30·5... at 0: 0 + 10 + 150 = 160; at 10: 10 + 0 + 100 = 110; at 30: 30 + 20 = 50)
    demand = pd.DataFrame({"id": ["a", "b", "c"], "x_km": [0.0, 10.0, 30.0], "y_km": 0.0, "weight": [1.0, 1.0, 5.0]})
    sites = pd.DataFrame({"id": ["A", "B", "C"], "x_km": [0.0, 10.0, 30.0], "y_km": 0.0})
    best = choose_sites(demand, sites, 1)
    assert best.chosen == ["C"] and best.objective == pytest.approx(50.0)
    # with A already open, the next site is C again: a and b go to A (0 + 10), c to C
    assert choose_sites(demand, sites, 1, existing=["A"]).objective == pytest.approx(10.0)
    covering = choose_sites(demand, sites, 1, "coverage", radius_km=10.0)
    assert covering.chosen == ["C"] and covering.objective == pytest.approx(5.0)
    assert choose_sites(demand, sites, 0, "coverage", radius_km=10.0, existing=["B"]).objective == pytest.approx(2.0)
    with pytest.raises(ValueError, match="not among the candidates"):
        choose_sites(demand, sites, 1, existing=["Z"])
    with pytest.raises(ValueError, match="p = 3"):
        choose_sites(demand, sites, 3, existing=["A"])
    with pytest.raises(ValueError, match="radius_km"):
        choose_sites(demand, sites, 1, "coverage")
