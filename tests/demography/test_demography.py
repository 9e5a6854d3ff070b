"""Independent checks of the demography engine and of projecting the demo county."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import brentq

from fpplan.data.base.lifetable import e0, life_table, single_year_survival
from fpplan.data.base.schedules import asfr_shape, mx_for_e0, standard_mx
from fpplan.demography import load_scenarios, prepare, project, reconcile, variants
from fpplan.demography.engine import run, step


@pytest.fixture(scope="module")
def inputs(county):
    return prepare(county)


@pytest.fixture(scope="module")
def scenarios(county):
    return load_scenarios(county)


def test_e0_of_a_constant_hazard_table_by_hand() -> None:
    # mx = m at every age, ax = 0.5: p = (1 − m/2)/(1 + m/2), l_x = p^x, L_x = l_x (1 + p)/2 for x < 100, L_100 = l_100/m
    m = 0.02
    p = (1 - m / 2) / (1 + m / 2)
    x = np.arange(100)
    by_hand = np.sum(p**x * (1 + p) / 2) + p**100 / m
    assert e0(np.full(101, m), np.ones(101), sex=1) == pytest.approx(by_hand, rel=1e-12)


def test_abridged_table_by_hand() -> None:
    # two closed groups and an open one: widths 1, 4, open; a0 from Coale–Demeny (female, m0 < 0.107)
    mx = np.array([0.05, 0.01, 0.2])
    table = life_table(mx, np.array([1, 4, 1.0]), sex=1)
    a0, a1 = 0.053 + 2.8 * 0.05, 1.522 - 1.518 * 0.05
    q0 = 0.05 / (1 + (1 - a0) * 0.05)
    q1 = 4 * 0.01 / (1 + (4 - a1) * 0.01)
    l1, l5 = 1 - q0, (1 - q0) * (1 - q1)
    L = [l1 + a0 * q0, 4 * l5 + a1 * (l1 - l5), l5 / 0.2]
    np.testing.assert_allclose(table["Lx"], L, rtol=1e-12)
    assert table["ex"][0] == pytest.approx(sum(L), rel=1e-12)


def test_brass_hits_the_target_life_expectancy() -> None:
    mx = mx_for_e0(standard_mx(), np.array([72.0, 84.0]), sex=np.array([0, 1]))
    np.testing.assert_allclose(e0(mx, np.ones(101), sex=np.array([0, 1])), [72.0, 84.0], atol=1e-6)


def _closed_female_case():
    mx = mx_for_e0(standard_mx(), np.array([78.0, 82.0]), sex=np.array([0, 1]))
    S = single_year_survival(mx, sex=np.array([0, 1]))
    asfr = 1.9 * asfr_shape()
    return S, asfr


def test_leslie_matrix_projection_equals_the_engine() -> None:
    S, asfr = _closed_female_case()
    srb = 1.06
    pf = 1 / (1 + srb)
    # the female Leslie matrix of the engine's conventions, built independently
    A = np.zeros((101, 101))
    A[np.arange(1, 100), np.arange(0, 99)] = S[1, 1:100]
    A[100, 99] = A[100, 100] = S[1, 100]
    next_asfr = np.r_[asfr[1:], 0.0]
    next_s = np.r_[S[1, 1:], 0.0]
    A[0, :] = (asfr + next_asfr * next_s) / 2 * pf * S[1, 0]
    A[0, 99] = (asfr[99] + asfr[100] * S[1, 100]) / 2 * pf * S[1, 0]
    A[0, 100] = (asfr[100] + asfr[100] * S[1, 100]) / 2 * pf * S[1, 0]
    rng = np.random.default_rng(0)
    pop0 = rng.uniform(100, 1000, (2, 101))
    steps = 25
    out = run(
        pop0,
        np.broadcast_to(S, (steps, 2, 101)),
        np.broadcast_to(asfr, (steps, 101)),
        np.full(steps, srb),
        np.zeros((steps, 2, 101)),
    )
    female = pop0[1]
    for _ in range(steps):
        female = A @ female
    np.testing.assert_allclose(out["population"][-1, 1], female, rtol=1e-12)


def test_closed_population_converges_to_lotka_growth_rate() -> None:
    S, asfr = _closed_female_case()
    srb = 1.06
    pf = 1 / (1 + srb)
    ell = np.cumprod(np.r_[1.0, S[1, 1:100]])  # survival from age 0 to x (closed ages)
    next_asfr = np.r_[asfr[1:100], 0.0]
    b = (asfr[:100] + next_asfr * np.r_[S[1, 1:100], 0.0]) / 2 * pf * S[1, 0]  # daughters per woman of age x
    x = np.arange(100)
    lam = brentq(lambda g: np.sum(b * ell * g ** -(x + 1.0)) - 1, 0.5, 1.5)  # discrete Lotka equation
    steps = 1500  # the second eigenvalue is 0.97 of λ: the oscillation fades to 1e-19
    out = run(
        np.full((2, 101), 1000.0),
        np.broadcast_to(S, (steps, 2, 101)),
        np.broadcast_to(asfr, (steps, 101)),
        np.full(steps, srb),
        np.zeros((steps, 2, 101)),
    )
    girls = out["population"][:, 1, 0]  # the newborn cohort grows at λ once the population is stable
    assert girls[-1] / girls[-2] == pytest.approx(lam, abs=1e-10)
    women = out["population"][:, 1, 15:50].sum(axis=1)
    assert women[-1] / women[-2] == pytest.approx(lam, abs=1e-10)
    assert np.log(lam) < 0  # TFR 1.9 is below replacement


def test_guard_limits_out_migration_and_reports_it() -> None:
    pop = np.full((2, 3), 10.0)
    S = np.ones((2, 3))
    mig = np.zeros((2, 3))
    mig[0, 1] = -50.0
    out = step(pop, S, np.zeros(3), 1.05, mig)
    assert out.guarded == 1
    assert out.population[0, 1] == pytest.approx(1e-5)
    np.testing.assert_allclose(
        out.population.sum(), pop.sum() + out.births.sum() - out.deaths.sum() + out.migration.sum()
    )


def test_balancing_equation_holds_for_every_township_and_year(inputs, scenarios) -> None:
    proj = project(inputs, scenarios["medium"])
    s = proj.summary.sort_values(["region", "year"])
    for _, g in s.groupby("region"):
        p = g["population"].to_numpy()
        flows = (g["births"] - g["deaths"] + g["net_migration"]).to_numpy()[:-1]
        np.testing.assert_allclose(p[1:], p[:-1] + flows, rtol=1e-12)
    townships = s[s["region"] != inputs.county_code].groupby("year")["population"].sum()
    county = s[s["region"] == inputs.county_code].set_index("year")["population"]
    np.testing.assert_allclose(townships, county, rtol=1e-12)


def test_regiment_farms_arrive_in_their_townships(inputs, scenarios) -> None:
    medium = project(inputs, scenarios["medium"]).summary.set_index(["region", "year"])
    late = project(inputs, scenarios["late_farms"]).summary.set_index(["region", "year"])
    farm = scenarios["medium"].lump_inflows[0]
    jump = (
        medium.loc[(farm.township, farm.year), "population"] - medium.loc[(farm.township, farm.year - 1), "population"]
    )
    assert jump > 0.9 * farm.size
    assert (
        late.loc[(farm.township, farm.year), "population"]
        < medium.loc[(farm.township, farm.year), "population"] - 0.9 * farm.size
    )
    other = "650123002"
    assert medium.loc[(other, 2030), "population"] == pytest.approx(late.loc[(other, 2030), "population"], rel=1e-3)


def test_married_women_and_derived_series(inputs, scenarios, county) -> None:
    s = project(inputs, scenarios["medium"]).summary
    base = s[(s["region"] == inputs.county_code) & (s["year"] == county.base_year)].iloc[0]
    women = county.population[(county.population.sex == "female") & county.population.age.between(15, 49)]
    assert base["women_15_49"] == pytest.approx(women["population"].sum())
    share = county.married_share[county.married_share.township_code.isna()].set_index("age")["share"]
    assert 0.5 * base["women_15_49"] < base["married_women_15_49"] < share.max() * base["women_15_49"]
    assert 35 < base["median_age"] < 55 and 30 < base["dependency_ratio"] < 80


def test_tfr_variants_order_the_population(inputs, scenarios) -> None:
    v = variants(scenarios["medium"])
    final = {
        k: project(inputs, sc).summary.query("region == @inputs.county_code")["population"].iloc[-1]
        for k, sc in v.items()
    }
    assert final["low"] < final["medium"] < final["high"]


def test_stochastic_trajectories_are_reproducible_and_bracket_the_median(inputs, scenarios) -> None:
    a = project(inputs, scenarios["medium"], trajectories=200, seed=7)
    b = project(inputs, scenarios["medium"], trajectories=200, seed=7)
    np.testing.assert_array_equal(a.array, b.array)
    iv = a.intervals("population").query("region == @inputs.county_code").iloc[-1]
    assert iv["lower_95"] < iv["lower_80"] < iv["median"] < iv["upper_80"] < iv["upper_95"]


def test_reconcile_rakes_to_the_county_control() -> None:
    rng = np.random.default_rng(3)
    townships = rng.uniform(1, 100, (4, 2, 101))
    control = townships.sum(axis=0) * 1.1
    raked = reconcile(townships, control)
    np.testing.assert_allclose(raked.sum(axis=0), control)
    np.testing.assert_allclose(raked / townships, 1.1)


def test_cli_project_writes_the_tidy_result(county, tmp_path: Path) -> None:
    from fpplan.cli import main

    out = tmp_path / "proj.csv"
    assert main(["project", str(county.path), "--scenario", "medium", "--out", str(out)]) == 0
    frame = pd.read_csv(out, dtype={"region": str})
    assert list(frame.columns) == ["scenario", "trajectory", "region", "year", "sex", "age", "population"]
    assert frame["year"].min() == 2025 and frame["year"].max() == 2035
    assert main(["project", str(county.path), "--scenario", "nope", "--out", str(out)]) == 2
