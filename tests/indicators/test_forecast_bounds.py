"""Forecasts stay in their indicator's range: a percentage on the logit scale, a non-negative rate on the log scale,
intervals back-transformed with them; "expected to meet" only from such a forecast."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from fpplan.data.config import load
from fpplan.data.models.indicators import Target
from fpplan.indicators import periods
from fpplan.indicators.scales import bounds_of, from_scale, scale_of, to_scale
from fpplan.indicators.scorecard import bounded_forecast, forecasts, rolling_year, trend_forecast

CATALOGUE = load("indicators")


def series(code: str, values, denominator=1000.0, unit: str = "A") -> pd.DataFrame:
    values = np.asarray(values, dtype=float)
    return pd.DataFrame(
        {
            "unit": unit,
            "indicator": code,
            "x": np.arange(len(values), dtype=float),
            "value": values,
            "denominator": denominator,
        }
    )


def test_the_scale_of_each_kind_of_indicator() -> None:
    ind = CATALOGUE.indicators
    assert scale_of(ind["petitions_closed_rate"]) == "logit" and bounds_of(ind["petitions_closed_rate"]) == (0, 100)
    assert scale_of(ind["complication_rate"]) == "log" and bounds_of(ind["complication_rate"])[0] == 0
    assert scale_of(ind["abortion_birth_ratio"]) == "log"
    assert scale_of(ind["natural_growth_rate"]) == "linear"  # births − deaths may be negative


def test_the_transformations_by_hand() -> None:
    assert to_scale([50.0], [100.0], "logit", 100.0)[0] == pytest.approx(0.0)
    assert to_scale([80.0], [100.0], "logit", 100.0)[0] == pytest.approx(np.log(4))  # 0.8 / 0.2
    # 100% of 200 is moved half a case inside: p = 1 − 0.5/200 = 0.9975
    assert to_scale([100.0], [200.0], "logit", 100.0)[0] == pytest.approx(np.log(0.9975 / 0.0025))
    # 0‰ of 2,000 operations is half a case: 0.5 / 2000 × 1000 = 0.25‰
    assert to_scale([0.0], [2000.0], "log", 1000.0)[0] == pytest.approx(np.log(0.25))
    z = np.array([-30.0, -2.0, 0.0, 3.0, 40.0])
    assert np.all((from_scale(z, "logit", 100.0) >= 0) & (from_scale(z, "logit", 100.0) <= 100))
    assert np.all(from_scale(z, "log", 1000.0) > 0)


def test_a_series_approaching_100_never_crosses_it() -> None:
    """96, 97, 98, 99, 99.5, 99.8: a straight line reaches 101.7 four quarters on; the logistic trend stays below 100,
    and so does its upper bound. A target of 100% is never "expected"; one of 99.9% is, when the trend gets there."""
    rolling = series("petitions_closed_rate", [96, 97, 98, 99, 99.5, 99.8])
    straight = trend_forecast(rolling[["unit", "indicator", "x", "value"]], horizon=4).iloc[0]
    assert straight["mean"] > 100 and straight["upper"] > 100  # what the linear trend said
    for target in (100.0, 99.9):
        out = bounded_forecast(
            rolling, CATALOGUE, {"petitions_closed_rate": Target(op=">=", value=target, source="t")}, "2025Q3"
        ).iloc[0]
        assert 99.8 < out["forecast"] < 100 and out["forecast_upper"] < 100 and out["forecast_lower"] > 0
        assert out["forecast_lower"] < out["forecast"] < out["forecast_upper"]
        assert out["forecast_quarter"] == "2026Q3"
        if target == 100.0:
            assert out["expected_met"] is None
        else:
            assert out["expected_met"] in {"2025Q4", "2026Q1", "2026Q2", "2026Q3"}


def test_bounded_forecast_is_statsmodels_on_the_logit_scale_back_transformed() -> None:
    import statsmodels.api as sm

    values = np.array([90.0, 91.5, 92.0, 94.0, 94.5, 95.5, 97.0])
    den = 400.0
    out = bounded_forecast(series("follow_up_rate", values, den), CATALOGUE, {}, "2025Q3").iloc[0]
    z = np.log(values / (100 - values))
    fit = sm.OLS(z, sm.add_constant(np.arange(7.0))).fit()
    frame = fit.get_prediction(np.array([[1.0, 10.0]])).summary_frame(alpha=0.2).iloc[0]

    def expit(v):
        return 100 / (1 + np.exp(-v))

    assert out["forecast"] == pytest.approx(expit(frame["mean"]))
    assert out["forecast_lower"] == pytest.approx(expit(frame["obs_ci_lower"]))
    assert out["forecast_upper"] == pytest.approx(expit(frame["obs_ci_upper"]))


def test_a_falling_rate_is_not_forecast_below_zero() -> None:
    """A complication rate falling 3, 2, 1, 0.5, 0 ‰: the straight line goes below zero; the log trend does not, and a
    rate of 0 has a value on the log scale (half a case)."""
    rolling = series("complication_rate", [3.0, 2.0, 1.0, 0.5, 0.0], denominator=4000.0)
    straight = trend_forecast(rolling[["unit", "indicator", "x", "value"]], horizon=4).iloc[0]
    assert straight["mean"] < 0
    out = bounded_forecast(
        rolling, CATALOGUE, {"complication_rate": Target(op="<=", value=1, source="t")}, "2025Q3"
    ).iloc[0]
    assert 0 < out["forecast_lower"] <= out["forecast"] < 1
    assert out["expected_met"] is None  # the current value already meets ≤ 1‰


def test_a_trend_moving_away_is_never_expected_to_meet() -> None:
    """19.9, 19.95, 19.9, 19.85, 19.8 against ≥ 20: the line falls; no quarter is "expected"."""
    rolling = series("male_share_rh", [19.9, 19.95, 19.9, 19.85, 19.8])
    out = bounded_forecast(rolling, CATALOGUE, {"male_share_rh": Target(op=">=", value=20, source="t")}, "2025Q3")
    assert out["expected_met"].iloc[0] is None


def test_no_forecast_of_the_demo_leaves_its_range(county) -> None:
    """Every forecast the demo's township and county scorecards can carry (four quarters after each quarter with a
    year of reports behind it): percentages within [0, 100], other non-negative rates ≥ 0, bounds too; the straight
    line on the same rolling years went beyond 100% (so the check has teeth)."""
    catalogue = county.config["indicators"]
    quarters = sorted(periods.of_months(county.service_stats["month"], "quarter").unique())
    checked, straight_over = 0, 0
    for level in ("township", "county"):
        for quarter in quarters:
            ahead = forecasts(county, level, quarter, catalogue.default_target_set)
            if ahead.empty:
                continue
            for code, part in ahead.groupby("indicator"):
                low, high = bounds_of(catalogue.indicators[code])
                values = part[["forecast", "forecast_lower", "forecast_upper"]].to_numpy(float)
                assert np.isfinite(values).all(), (level, quarter, code)
                assert (values >= low - 1e-9).all() and (values <= high + 1e-9).all(), (level, quarter, code)
                checked += values.size
        codes = [
            c
            for c, i in catalogue.indicators.items()
            if i.data == "report" and not i.window_months and i.unit == "percent" and level in i.levels
        ]
        rolling = rolling_year(county, level, quarters[3:], codes)
        rolling["x"] = rolling["period"].map({q: k for k, q in enumerate(quarters[3:])}).astype(float)
        line = trend_forecast(rolling[["unit", "indicator", "x", "value"]], horizon=4)
        straight_over += int((line[["mean", "upper"]] > 100).to_numpy().sum())
    assert checked > 1000 and straight_over > 0
