"""The speed-ups of the indicator results keep their numbers: what one County computes is kept on that County only
(fpplan.data.memo: a changed county gives changed results, a caller cannot change what is kept), the rolling years
aggregated in one pass equal each window aggregated alone, and period ids computed once per distinct month equal
the ids written out by hand."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from fpplan.indicators import periods
from fpplan.indicators.aggregate import aggregate_wide, aggregate_windows, report_table, time_types
from fpplan.indicators.engine import indicator_grid
from fpplan.indicators.reports import report_values, unit_map
from fpplan.indicators.scorecard import rolling_year


def _sums(county, element: str, months: list[str]) -> float:
    stats = county.service_stats
    return float(stats.loc[stats["month"].isin(months), element].sum())


def _rewards_2025(county) -> pd.Series:
    grid = indicator_grid(county, "county", "year", ["rewards_paid_rate"])
    return grid[grid["period"] == "2025"].iloc[0]


def test_a_changed_county_gets_its_own_results(county):
    months = [f"2025-{m:02d}" for m in range(1, 13)]
    paid, due = _sums(county, "rewards_paid", months), _sums(county, "rewards_due", months)
    before = _rewards_2025(county)
    assert before["numerator"] == paid and before["denominator"] == due
    assert np.isclose(before["value"], paid / due * 100, rtol=1e-12)

    stats = county.service_stats.copy()
    row = stats.index[(stats["month"] == "2025-06") & stats["rewards_paid"].notna()][0]
    stats.loc[row, "rewards_paid"] += 5
    changed = replace(county, service_stats=stats)
    after = _rewards_2025(changed)
    assert after["numerator"] == paid + 5 and after["denominator"] == due
    assert np.isclose(after["value"], (paid + 5) / due * 100, rtol=1e-12)
    # the rolling year ending with 2025Q2 holds June, the one ending with 2025Q1 does not
    old = rolling_year(county, "county", ["2025Q1", "2025Q2"], ["rewards_paid_rate"]).set_index("period")
    new = rolling_year(changed, "county", ["2025Q1", "2025Q2"], ["rewards_paid_rate"]).set_index("period")
    assert new.loc["2025Q2", "numerator"] == old.loc["2025Q2", "numerator"] + 5
    assert new.loc["2025Q1", "numerator"] == old.loc["2025Q1", "numerator"]
    assert old.loc["2025Q2", "numerator"] == _sums(
        county,
        "rewards_paid",
        [
            f"{y}-{m:02d}"
            for y, m in [
                (2024, 7),
                (2024, 8),
                (2024, 9),
                (2024, 10),
                (2024, 11),
                (2024, 12),
                *((2025, k) for k in range(1, 7)),
            ]
        ],
    )
    # the first county's kept results are still its own
    again = _rewards_2025(county)
    assert again["numerator"] == paid and again["value"] == before["value"]
    long = report_values(changed)
    june = long[
        (long["village_code"] == stats.loc[row, "village_code"])
        & (long["month"] == "2025-06")
        & (long["element"] == "rewards_paid")
    ]
    assert june["value"].tolist() == [stats.loc[row, "rewards_paid"]]


def test_what_a_caller_gets_is_a_copy(county):
    villages = county.villages()
    first = villages.loc[0, "code"]
    villages.loc[0, "code"] = "changed"
    del villages["township_code"]
    kept = county.villages()
    assert kept.loc[0, "code"] == first and "township_code" in kept
    wide = report_table(county)
    total = wide["rewards_paid"].sum()
    wide["rewards_paid"] = 0.0
    assert report_table(county)["rewards_paid"].sum() == total == county.service_stats["rewards_paid"].sum()
    types = time_types(county)
    types["rewards_paid"] = "last"
    assert time_types(county)["rewards_paid"] == "sum"


def test_rolling_years_in_one_pass_equal_each_window_alone(county):
    wide, types, units = report_table(county), time_types(county), unit_map(county, "township")
    windows = {"2024Q4": ("2024-01", "2024-12"), "2025Q1": ("2024-04", "2025-03"), "2025Q4": ("2025-01", "2025-12")}
    together = aggregate_windows(wide, types, units, windows)
    alone = pd.concat(
        [
            aggregate_wide(wide[wide["month"].between(first, last)], types, units, end)
            for end, (first, last) in windows.items()
        ],
        ignore_index=True,
    )
    assert (
        together["period"].tolist() == alone["period"].tolist() and together["unit"].tolist() == alone["unit"].tolist()
    )
    pd.testing.assert_frame_equal(together, alone[together.columns], check_exact=False, rtol=1e-12, atol=1e-12)
    # a flow over a window is the sum of its twelve months in the township's villages
    township = units.dropna().iloc[0]
    villages = units.index[units == township]
    in_2024 = wide[wide["village_code"].isin(villages) & wide["month"].str.startswith("2024")]
    row = together[(together["unit"] == township) & (together["period"] == "2024Q4")].iloc[0]
    assert np.isclose(row["rewards_paid"], in_2024["rewards_paid"].sum(), rtol=1e-12)


def test_period_ids_of_many_months():
    months = pd.Series(["2024-12", "2025-01", "2025-06", "2025-07"] * 40, index=np.arange(160) * 2, name="month")
    assert periods.of_months(months, "quarter").tolist() == ["2024Q4", "2025Q1", "2025Q2", "2025Q3"] * 40
    assert periods.of_months(months, "half_year").tolist() == ["2024S2", "2025S1", "2025S1", "2025S2"] * 40
    assert periods.of_months(months, "year").tolist() == ["2024", "2025", "2025", "2025"] * 40
    assert periods.of_months(months, "quarter").index.equals(months.index)
    assert periods.shift("2025-01", -1) == "2024-12" and periods.shift("2025S2", 3) == "2027S1"
    assert periods.shift("2025Q4", -8) == "2023Q4" and periods.shift("2025-11", 14) == "2027-01"
