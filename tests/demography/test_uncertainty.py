"""Township-level uncertainty, centred intervals, robust base rates and calibration (issue 24).

The real-data test: UN WPP areas as the townships of two counties (tests/cases/wpp_backtest/, sources in its
README), each back-tested from 2005 to 2015 and from 2010 to 2020; the intervals must hold a share of the observed
values inside the central 95% binomial range of their level, the point forecast must beat naive growth on total
population, and nothing may be NaN."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.stats import binom

from fpplan import load_county
from fpplan.cli import main
from fpplan.data.base.lifetable import single_year_survival
from fpplan.data.base.schedules import standard_mx
from fpplan.data.errors import DataError
from fpplan.demo import write_demo
from fpplan.demography import load_scenarios, prepare, project
from fpplan.demography.backtest import backtest, load_backtest_county
from fpplan.demography.calibration import Calibration, conformal, scores
from fpplan.demography.drivers import drivers
from fpplan.demography.hindcast import compare
from fpplan.demography.stochastic import per_year
from fpplan.demography.streaming import project_stochastic
from tests.wpp_counties import write_county

CASES = (("small", 2015), ("small", 2020), ("midsize", 2015), ("midsize", 2020))


@pytest.fixture(scope="module")
def wpp(tmp_path_factory):
    """The four real-data back-tests (300 trajectories each; calibration from the back-tests before each origin)."""
    root = tmp_path_factory.mktemp("wpp")
    out = {}
    for county, year in CASES:
        c = load_backtest_county(write_county(root, county, year))
        out[(county, year)] = (c, backtest(c, trajectories=300, seed=24))
    return out


def _townships(wpp) -> pd.DataFrame:
    return pd.concat([r.table[r.table["region"] != c.county_code] for c, r in wpp.values()], ignore_index=True)


def test_wpp_intervals_hold_their_level_over_two_origins(wpp) -> None:
    t = _townships(wpp)
    assert {r.first_year for _, r in wpp.values()} == {2005, 2010}
    n = len(t)
    assert n == 246  # (20 + 41 + 20 + 42) townships × 2 series (the Central African Republic left out in 2015)
    for level in (80, 95):
        inside = int(t[f"inside_{level}"].sum())
        low, high = binom.ppf(0.025, n, level / 100), binom.ppf(0.975, n, level / 100)
        assert low <= inside <= high, (level, inside, low, high)


def test_wpp_point_forecast_beats_naive_growth_and_nothing_is_nan(wpp) -> None:
    t = _townships(wpp)
    population = t[t["series"] == "population"]
    assert population["error_projected_pct"].abs().mean() < population["error_naive_pct"].abs().mean()
    columns = ["projected", "median", "lower_80", "upper_80", "lower_95", "upper_95"]
    assert np.isfinite(t[columns].to_numpy(float)).all()
    for _, r in wpp.values():
        assert r.calibration.method == "calibrated" and r.calibration.backtests["target"].max() <= r.first_year


def test_wpp_model_intervals_are_township_level_and_calibration_reports_them(wpp) -> None:
    # before calibration the model's own township intervals are far wider than the county-level shocks gave
    # (median 80% width 1.3–1.8% in the issue); calibration states the model's and its own coverage
    t = _townships(wpp)
    width = (t["model_upper_80"] / t["model_lower_80"] - 1) * 100
    assert width.median() > 3
    for _, r in wpp.values():
        cov = r.calibration.coverage.set_index("level")
        assert (cov["values"] >= 20).all() and cov["share"].between(0, 1).all()


def test_crisis_year_never_sets_rates_and_never_turns_into_nan(wpp) -> None:
    c, result = wpp[("midsize", 2020)]
    code = "990200140"  # the Central African Republic: 2009 deaths five times a normal year
    table = result.table.set_index(["region", "series"])
    assert np.isfinite(table.loc[(code, "population"), "projected"])
    inputs = prepare(
        dataclasses.replace(
            c,
            population=c.population_history[c.population_history["year"] == 2010].rename(
                columns={"township_code": "unit_code"}
            ),
            vital_history=c.vital_history[c.vital_history["year"] < 2010],
            base_year=2010,
        )
    )
    r = inputs.rates
    i = list(r.regions).index(code)
    yearly = r.yearly[r.yearly["township_code"] == code].set_index("year")
    assert yearly.loc[2009, "outlier_k"] and not yearly.loc[[2007, 2008], "outlier_k"].any()
    assert r.mortality_factor[i] == pytest.approx(np.median(yearly.loc[[2007, 2008], "k"]))
    assert any("990200140 2009" in w for w in r.warnings)


def test_survival_stays_in_range_and_a_nan_input_names_the_township(tmp_path) -> None:
    S = single_year_survival(standard_mx() * 14.3, sex=np.array([0, 1]))  # the crisis factor of the issue
    assert np.isfinite(S).all() and (S >= 0).all() and (S <= 1).all()
    S = single_year_survival(standard_mx() * 1e6, sex=np.array([0, 1]))  # everyone dies: 0, not 0/0
    assert np.isfinite(S).all() and (S[:, 1:] == 0).all()
    county = load_county(write_demo(tmp_path / "demo"))
    inputs = prepare(county)
    bad = dataclasses.replace(
        inputs.rates, net_migration=np.where(inputs.rates.regions == "650123004", np.nan, inputs.rates.net_migration)
    )
    scenario = load_scenarios(county)["medium"]
    with pytest.raises(DataError) as error:
        project(dataclasses.replace(inputs, rates=bad), scenario)
    problem = error.value.problems[0]
    assert (
        problem.kind == "projection_not_finite" and problem.value == "650123004" and problem.column == "net_migration"
    )
    assert "2025" in problem.detail


def test_yearly_ar1_parameters_keep_the_five_year_stationary_variance() -> None:
    rho, sigma = per_year(0.92464, 0.04522)
    assert rho == pytest.approx(0.92464**0.2)
    assert sigma == pytest.approx(0.04522 * np.sqrt((1 - 0.92464**0.4) / (1 - 0.92464**2)))
    assert sigma**2 / (1 - rho**2) == pytest.approx(0.04522**2 / (1 - 0.92464**2))


@pytest.fixture(scope="module")
def demo_projection(county):
    return county, prepare(county), load_scenarios(county)["medium"]


def test_median_trajectory_is_centred_on_the_deterministic_projection(demo_projection) -> None:
    county, inputs, scenario = demo_projection
    point = project(inputs, scenario).summary.set_index(["region", "year"])["population"]
    band = project_stochastic(inputs, scenario, 1000, seed=3).intervals().set_index(["region", "year"])
    point = point.reindex(band.index)
    gap = (band["median"] - point).abs()
    width = band["upper_80"] - band["lower_80"]
    year = band.index.get_level_values("year")
    region = band.index.get_level_values("region")
    later = year > county.base_year
    # everywhere: the deterministic projection inside its own 80% interval (the issue: outside for 89 of 114)
    assert ((point >= band["lower_80"]) & (point <= band["upper_80"]))[later].all()
    # away from a regiment farm's uncertain arrival (its township and the county, arrival year and the two after,
    # where arrived / not yet arrived make the distribution bimodal): the median within 0.5% of the deterministic
    # value and within a tenth of the 80% interval's width
    arriving = np.zeros(len(band), dtype=bool)
    for lump in scenario.lump_inflows:
        near = (year >= lump.year) & (year <= lump.year + 2)
        arriving |= near & ((region == lump.township) | (region == county.county_code))
    steady = later & ~arriving
    assert (gap[steady] / point[steady]).max() < 0.005
    assert (gap[steady] <= 0.1 * width[steady]).all()


def test_township_migration_shocks_sum_to_the_county_draw(demo_projection) -> None:
    _, inputs, scenario = demo_projection
    d = drivers(inputs, scenario, trajectories=50, seed=4)
    _, _, own = d.shocks.draw(50, d.steps)
    own = own + d.county_migration[:, :, None] * d.shocks.migration_loading
    np.testing.assert_allclose(own.sum(axis=2), d.county_migration, atol=1e-6)
    assert d.shocks.migration_loading.sum() == pytest.approx(1.0)
    # the same township draws whichever chunk of townships it is projected with
    part = d.take(np.array([2, 5]))
    np.testing.assert_allclose(part.shocks.draw(50, d.steps)[2], d.shocks.draw(50, d.steps)[2][:, :, [2, 5]])


def test_migrant_profiles_are_drawn_once_and_are_the_draws_own(demo_projection, monkeypatch) -> None:
    """The profiles kept between runs (drivers.TownshipShocks.profiles) are the ones drawn afresh; another seed,
    another chunk of townships or another number of trajectories draws its own; nothing can change a kept one."""
    from fpplan.demography import drivers as module
    from fpplan.demography import stochastic

    _, inputs, scenario = demo_projection
    monkeypatch.setattr(module, "_PROFILES", {})
    made = []
    draw = stochastic.migration_profiles
    monkeypatch.setattr(stochastic, "migration_profiles", lambda *a: made.append(1) or draw(*a))
    d = drivers(inputs, scenario, trajectories=40, seed=4)
    first = d.shocks.profiles(40)
    assert first.shape[:2] == (40, len(d.regions)) and len(made) == 1
    again = drivers(inputs, scenario.model_copy(update={"srb": 1.08}), trajectories=40, seed=4)
    assert again.shocks.profiles(40) is first and len(made) == 1  # another scenario: the same draws, not drawn again
    monkeypatch.setattr(module, "_PROFILES", {})
    np.testing.assert_array_equal(d.shocks.profiles(40), first)  # what is kept is what is drawn
    assert len(made) == 2 and not first.flags.writeable
    other = drivers(inputs, scenario, trajectories=40, seed=5).shocks.profiles(40)
    assert not np.array_equal(other, first)
    part = d.take(np.array([2, 5])).shocks.profiles(40)
    np.testing.assert_array_equal(part, first[:, [2, 5]])  # a township's own draws, whichever chunk it is in
    assert d.shocks.profiles(20).shape[0] == 20 and len(module._PROFILES) == module.PROFILES_KEPT


def test_demo_backtest_coverage_inside_its_binomial_range(demo_projection) -> None:
    county = demo_projection[0]
    result = backtest(county, trajectories=300, seed=2025)
    assert result.calibration.method == "empirical"  # no history before 2015: errors of areas of a like size
    for row in result.coverage.itertuples():
        assert row.verdict == "about", row


def test_conformal_factor_and_scores_by_hand() -> None:
    frame = pd.DataFrame(
        {"observed": [110.0, 95.0], "median": [100.0, 100.0], "upper_80": [105.0, 120.0], "lower_80": [90.0, 90.0]}
    )
    s = scores(frame, 80)
    assert s == pytest.approx([np.log(1.1) / np.log(1.05), np.log(100 / 95) / np.log(100 / 90)])
    values = np.arange(1, 11, dtype=float)
    assert conformal(values, 0.8) == 9.0  # ⌈11 · 0.8⌉ = 9th smallest
    assert conformal(values, 0.95) == 10.0  # ⌈11 · 0.95⌉ = 11 > 10: the largest
    cal = Calibration({80: 2.0, 95: 1.0}, pd.DataFrame(), pd.DataFrame(), calibrated=True)
    wide = cal.apply(frame.assign(series="population", lower_95=80.0, upper_95=125.0), 10)
    assert wide["upper_80"].tolist() == pytest.approx([100 * 1.05**2, 100 * 1.2**2])


def test_backtest_reads_only_the_folder_and_needs_only_its_tables(tmp_path, capsys) -> None:
    folder = write_demo(tmp_path / "demo")
    for name in ("survey.csv", "exam_scores.csv", "staff.csv", "facilities.csv", "construction_plan.csv"):
        (folder / name).unlink()
    before = sorted(p.relative_to(folder) for p in folder.rglob("*"))
    assert (
        main(["--lang", "en", "backtest", str(folder), "--trajectories", "100", "--out", str(tmp_path / "bt.csv")]) == 0
    )
    assert sorted(p.relative_to(folder) for p in folder.rglob("*")) == before  # no .fpplan, store or backup
    assert "back-test: 2015 → 2025" in capsys.readouterr().out


def test_compare_is_deterministic_without_trajectories(demo_projection) -> None:
    county = demo_projection[0]
    table = compare(county, 2015, 2025, 0, None)[0]
    assert "median" not in table and np.isfinite(table["projected"]).all()
    assert Path(county.path).exists()
