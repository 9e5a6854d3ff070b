"""Counts made with numpy on a unit × period grid (report completeness, checklist indicators) and the quality
checks' wide table, against the pandas formulations they replace (groupby, pivot_table) as brute-force
references, on the demo county and on random registers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from fpplan.indicators import periods
from fpplan.indicators.quality import _wide
from fpplan.indicators.reports import report_grid, report_values, rollup
from fpplan.indicators.rhythm import _passed_per_unit
from fpplan.indicators.sources import completeness


def _completeness_by_groupby(county, kind: str, level: str) -> pd.DataFrame:
    grid = report_grid(county, county.config["quality"].timely_days)
    grid["on_time"] = grid["received"] & (grid["days_late"] <= 0)
    grid = grid.assign(
        unit=grid["village_code"].map(rollup(county, level)), period=periods.of_months(grid["month"], kind)
    )
    out = (
        grid.groupby(["unit", "period"])
        .agg(expected=("village_code", "size"), received=("received", "sum"), on_time=("on_time", "sum"))
        .reset_index()
    )
    out["completeness"] = out["received"] / out["expected"] * 100
    out["timeliness"] = out["on_time"] / out["expected"] * 100
    return out


@pytest.mark.parametrize("level", ["village", "township", "county"])
@pytest.mark.parametrize("kind", ["month", "quarter", "half_year", "year"])
def test_completeness_counts_as_groupby_does(county, level, kind) -> None:
    got = completeness(county, kind, level)
    pd.testing.assert_frame_equal(got, _completeness_by_groupby(county, kind, level), check_exact=True)
    # identity: every village is expected once a month over the months reported
    months = pd.period_range(county.service_stats["month"].min(), county.service_stats["month"].max(), freq="M")
    assert got["expected"].sum() == len(county.villages()) * len(months)
    assert (got["on_time"] <= got["received"]).all() and (got["received"] <= got["expected"]).all()


def _passed_by_groupby(latest: pd.DataFrame, units: pd.Series) -> pd.DataFrame:
    latest = latest.assign(unit=latest["unit_code"].map(units)).dropna(subset=["unit"])
    g = latest.groupby(["unit", "period"])["passed"]
    return pd.DataFrame({"numerator": g.sum(), "denominator": g.size()}).reset_index()


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_checklist_counts_as_groupby_does(seed) -> None:
    rng = np.random.default_rng(seed)
    codes = [f"v{k:02d}" for k in range(12)]
    units = pd.Series([f"t{k % 3}" for k in range(10)], index=codes[:10])  # v10, v11 belong to no unit
    quarters = ["2024Q4", "2025Q1", "2025Q2", "2025Q3"]
    pairs = pd.MultiIndex.from_product([codes, quarters]).to_frame(index=False, name=["unit_code", "period"])
    latest = pairs.sample(frac=0.6, random_state=seed).reset_index(drop=True)  # not every unit every quarter
    latest["passed"] = rng.integers(0, 2, len(latest)).astype(float)
    got = _passed_per_unit(latest, units)
    pd.testing.assert_frame_equal(got, _passed_by_groupby(latest, units), check_exact=True)
    assert got["denominator"].sum() == latest["unit_code"].isin(units.index).sum()


def test_checklist_counts_of_no_unit_at_the_level() -> None:
    latest = pd.DataFrame({"unit_code": ["v1", "v2"], "period": ["2025Q1", "2025Q1"], "passed": [1.0, 0.0]})
    units = pd.Series(["t1"], index=["v9"])
    got = _passed_per_unit(latest, units)
    assert got.empty and list(got.columns) == ["unit", "period", "numerator", "denominator"]


def test_the_quality_wide_table_is_the_pivot_of_the_reported_values(county) -> None:
    expected = (
        report_values(county)
        .pivot_table(index=["village_code", "month"], columns="element", values="value")
        .reset_index()
    )
    pd.testing.assert_frame_equal(_wide(county), expected, check_exact=True)
