"""Data-quality checks on boundary cases: timeliness at exactly timely_days, validation rules, outliers,
statistics accuracy."""

from __future__ import annotations

import pandas as pd
import pytest

from fpplan import load_county
from fpplan.indicators.quality import (
    completeness,
    missing_and_late,
    outliers,
    statistics_accuracy,
    validation_violations,
)

from mini_county import mini_tables, write_mini_county


@pytest.fixture
def county(tmp_path):
    tables = mini_tables()
    stats = tables["service_stats"]
    # timely_days = 10: January ends on the 31st; 2025-02-10 is exactly 10 days late → on time; 02-11 is late
    stats.loc[0, "reported_on"] = "2025-02-10"
    stats.loc[2, "reported_on"] = "2025-02-11"
    stats.loc[4, "contraceptive_users"] = 5.0  # more users than married women (1): a validation violation
    tables["service_stats"] = stats.drop(index=5)  # village 100002001 never sent February
    return load_county(write_mini_county(tmp_path / "c", tables))


def test_completeness_and_timeliness_boundaries(county) -> None:
    c = completeness(county, kind="month", level="county").set_index("period")
    assert c.loc["2025-01", "expected"] == 3 and c.loc["2025-01", "received"] == 3
    assert c.loc["2025-01", "on_time"] == 2  # 02-10 on time, 02-11 late, 02-05 on time
    assert c.loc["2025-02", "received"] == 2 and c.loc["2025-02", "completeness"] == pytest.approx(200 / 3)
    problems = missing_and_late(county).set_index(["village_code", "month"])
    assert problems.loc[("100001002", "2025-01"), "problem"] == "late"
    assert problems.loc[("100001002", "2025-01"), "days_late"] == 1
    assert problems.loc[("100002001", "2025-02"), "problem"] == "missing"
    assert len(problems) == 2


def test_validation_rule_violation(county) -> None:
    v = validation_violations(county)
    row = v[v["rule"] == "users_le_married"]
    assert row[["village_code", "month", "left", "right"]].values.tolist() == [["100002001", "2025-01", 5.0, 1.0]]
    assert set(v["rule"]) == {"users_le_married"}


def test_outliers_by_modified_z_score(tmp_path) -> None:
    tables = mini_tables()
    months = pd.period_range("2024-01", "2025-12", freq="M").astype(str)
    base = tables["service_stats"].drop_duplicates("village_code")
    stats = pd.concat([base.assign(month=m, reported_on=f"{m}-28") for m in months], ignore_index=True)
    stats = stats.sort_values(["village_code", "month"], ignore_index=True)
    stats["counselling"] = [10, 12, 11, 9, 10, 11, 13, 10, 9, 11, 10, 12] * 6
    stats.loc[20, "counselling"] = 120  # a keying error in the first village's 2025-09 report
    tables["service_stats"] = stats
    county = load_county(write_mini_county(tmp_path / "o", tables))
    found = outliers(county)
    assert found[["village_code", "month", "element", "value"]].values.tolist() == [
        ["100001001", "2025-09", "counselling", 120.0]]
    # by hand: every village follows the same seasonal pattern, so after dividing by the seasonal index all of
    # the village's 24 values are equal but the error; MAD = 0, so the mean absolute deviation d/24 stands in:
    # z = d / (1.253314 · d / 24) = 24 / 1.253314
    assert found["z"].iloc[0] == pytest.approx(24 / 1.253314)


def test_statistics_accuracy_against_vital_history(tmp_path) -> None:
    tables = mini_tables()
    stats = tables["service_stats"]
    stats["month"] = stats["month"].str.replace("2025", "2024")
    stats["reported_on"] = stats["reported_on"].str.replace("2025", "2024")
    tables["service_stats"] = stats
    county = load_county(write_mini_county(tmp_path / "a", tables))
    acc = statistics_accuracy(county).set_index("township_code")
    # township 100001: 2 villages × 2 months × (1 + 1) births reported = 8; registered 5 + 4 = 9
    assert acc.loc["100001", "reported"] == 8 and acc.loc["100001", "registered"] == 9
    assert acc.loc["100001", "accuracy"] == pytest.approx(100 - 100 / 9)
