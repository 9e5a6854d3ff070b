"""The back-test: the demo's 2015 population is consistent with its 2025 population and vital history; projecting
2015 → 2025 with fpplan's method is reported against what happened, beside a naive growth-rate forecast, with the
share of observed values inside the intervals and a verdict that follows the binomial bounds."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.stats import binom

from fpplan.cli import main
from fpplan.demo import write_demo
from fpplan.demography.backtest import backtest
from fpplan.demography.hindcast import backtest_inputs


@pytest.fixture(scope="module")
def result(county):
    return backtest(county, trajectories=300, seed=1)


def test_demo_2015_population_balances_with_the_vital_history(county) -> None:
    history = county.population_history
    assert set(history["year"]) == {2015} and len(history) == 8 * 2 * 101
    assert (history["population"] >= 0).all() and (history["population"] == history["population"].round()).all()
    vital = county.vital_history.groupby("township_code").sum(numeric_only=True)
    change = (
        vital["births_male"]
        + vital["births_female"]
        - vital["deaths_male"]
        - vital["deaths_female"]
        + vital["in_migrants"]
        - vital["out_migrants"]
    )
    now = county.township_population().groupby("township_code")["population"].sum()
    then = history.groupby("township_code")["population"].sum()
    np.testing.assert_allclose(then, now - change.reindex(now.index), atol=0.5)  # to the person
    # the cohorts aged 10+ in 2025 were there in 2015, ten years younger: same order of size
    pop = county.township_population()
    older = pop[pop["age"].between(30, 59)].groupby("sex")["population"].sum()
    younger = history[history["age"].between(20, 49)].groupby("sex")["population"].sum()
    assert np.all(np.abs(younger / older - 1) < 0.15)


def test_backtest_starts_from_what_a_planner_had(county) -> None:
    inputs, scenario, window, notes = backtest_inputs(county)
    assert inputs.base_year == 2015 and scenario.horizon == 2025 and scenario.tfr is None
    assert sorted(window["year"].unique()) == [2015, 2016, 2017]
    assert any("用到了回溯期内的数据" in n for n in notes)  # a look-ahead, said so
    assert inputs.rates.population.sum() == pytest.approx(county.population_history["population"].sum())


def test_backtest_table_is_consistent(result, county) -> None:
    t = result.table
    assert result.first_year == 2015 and result.last_year == 2025
    np.testing.assert_allclose(t["error_projected_pct"], (t["projected"] / t["observed"] - 1) * 100)
    np.testing.assert_allclose(t["error_naive_pct"], (t["naive"] / t["observed"] - 1) * 100)
    code = county.county_code
    for series in ("population", "women_15_49"):
        part = t[t["series"] == series]
        townships, whole = part[part["region"] != code], part[part["region"] == code].iloc[0]
        for column in ("start", "observed", "projected"):
            assert whole[column] == pytest.approx(townships[column].sum(), rel=1e-9)
    assert (t["lower_95"] <= t["lower_80"]).all() and (t["upper_80"] <= t["upper_95"]).all()
    observed = county.township_population()
    assert t[(t["region"] == code) & (t["series"] == "population")]["observed"].iloc[0] == pytest.approx(
        observed["population"].sum()
    )


def test_fpplan_beats_the_naive_forecast_on_the_demo(result) -> None:
    s = result.summary.set_index(["measure", "series"])["value"]
    for series in ("population", "women_15_49"):
        assert s[("township_mape_projected_pct", series)] < s[("township_mape_naive_pct", series)]
    assert abs(s[("county_error_projected_pct", "population")]) < 2


def test_coverage_shares_and_verdicts_follow_the_binomial(result, county) -> None:
    townships = result.table[result.table["region"] != county.county_code]
    for row in result.coverage.itertuples():
        k = round(row.level * 100)
        assert row.inside == townships[f"inside_{k}"].sum() and row.values == len(townships)
        low, high = binom.ppf(0.025, row.values, row.level), binom.ppf(0.975, row.values, row.level)
        want = "about" if low <= row.inside <= high else ("too_narrow" if row.inside < low else "too_wide")
        assert row.verdict == want


def test_cli_backtest_reports_and_refuses_without_history(county, tmp_path: Path, capsys) -> None:
    out = tmp_path / "bt.csv"
    assert main(["--lang", "en", "backtest", str(county.path), "--trajectories", "100", "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "back-test: 2015 → 2025" in text and "share of observed values inside the 80% interval" in text
    assert len(pd.read_csv(out)) == 18
    bare = tmp_path / "bare"
    write_demo(bare)
    (bare / "population_history.csv").unlink()
    assert main(["--lang", "en", "backtest", str(bare), "--out", str(tmp_path / "no.csv")]) == 2
    assert "too short for a back-test" in capsys.readouterr().out and not (tmp_path / "no.csv").exists()
