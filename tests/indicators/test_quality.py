"""Data-quality checks on boundary cases: timeliness at exactly timely_days, validation rules, outliers,
statistics accuracy."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from fpplan import load_county
from fpplan.indicators.quality import (
    completeness,
    missing_and_late,
    outliers,
    statistics_accuracy,
    statistics_accuracy_note,
    validation_violations,
)
from fpplan.testing.mini import mini_tables, write_mini_county


@pytest.fixture
def quality_county(tmp_path):
    tables = mini_tables()
    stats = tables["service_stats"]
    # timely_days = 10: January ends on the 31st; 2025-02-10 is exactly 10 days late → on time; 02-11 is late
    stats.loc[0, "reported_on"] = "2025-02-10"
    stats.loc[2, "reported_on"] = "2025-02-11"
    stats.loc[4, "contraceptive_users"] = 5.0  # more users than married women (1): a validation violation
    tables["service_stats"] = stats.drop(index=5)  # village 100002001 never sent February
    return load_county(write_mini_county(tmp_path / "c", tables))


def test_completeness_and_timeliness_boundaries(quality_county) -> None:
    c = completeness(quality_county, kind="month", level="county").set_index("period")
    assert c.loc["2025-01", "expected"] == 3 and c.loc["2025-01", "received"] == 3
    assert c.loc["2025-01", "on_time"] == 2  # 02-10 on time, 02-11 late, 02-05 on time
    assert c.loc["2025-02", "received"] == 2 and c.loc["2025-02", "completeness"] == pytest.approx(200 / 3)
    problems = missing_and_late(quality_county).set_index(["village_code", "month"])
    assert problems.loc[("100001002", "2025-01"), "problem"] == "late"
    assert problems.loc[("100001002", "2025-01"), "days_late"] == 1
    assert problems.loc[("100002001", "2025-02"), "problem"] == "missing"
    assert len(problems) == 2


def test_validation_rule_violation(quality_county) -> None:
    v = validation_violations(quality_county)
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
    quality_county = load_county(write_mini_county(tmp_path / "o", tables))
    found = outliers(quality_county)
    assert found[["village_code", "month", "element", "value"]].values.tolist() == [
        ["100001001", "2025-09", "counselling", 120.0]
    ]
    # by hand: every village follows the same seasonal pattern, so after dividing by the seasonal index all of
    # the village's 24 values are equal but the error; MAD = 0, so the mean absolute deviation d/24 stands in:
    # z = d / (1.253314 · d / 24) = 24 / 1.253314
    assert found["z"].iloc[0] == pytest.approx(24 / 1.253314)


def test_statistics_accuracy_against_vital_history(tmp_path) -> None:
    tables = mini_tables()
    stats = tables["service_stats"]
    stats["month"] = stats["month"].str.replace("2025", "2024")
    stats["reported_on"] = stats["reported_on"].str.replace("2025", "2024")
    # the rest of 2024 reported too, without births: the year's births are those of January and February
    rest = stats.drop_duplicates("village_code").assign(births_male=0.0, births_female=0.0)
    later = [rest.assign(month=f"2024-{m:02d}", reported_on=f"2024-{m:02d}-05") for m in range(3, 13)]
    tables["service_stats"] = pd.concat([stats, *later], ignore_index=True)
    quality_county = load_county(write_mini_county(tmp_path / "a", tables))
    acc = statistics_accuracy(quality_county).set_index("township_code")
    # township 100001: 2 villages × 2 months × (1 + 1) births reported = 8; registered 5 + 4 = 9
    assert acc.loc["100001", "reported"] == 8 and acc.loc["100001", "registered"] == 9
    assert acc.loc["100001", "accuracy"] == pytest.approx(100 - 100 / 9)
    assert acc.loc["100001", "births_gap"] == 1 and acc.loc["100001", "discrepancy"] == pytest.approx(100 / 9)
    assert statistics_accuracy_note(quality_county) == ""


def test_part_of_a_year_reported_is_not_compared_with_the_whole_year_registered(tmp_path) -> None:
    """Reports of January and February 2024 only, the whole of 2024 registered: no accuracy of 7% for a year of
    two months' births (the office-file county whose reports began in December read 7.46%); the scorecard and the
    report say why."""
    from fpplan.indicators.scorecard import scorecard

    tables = mini_tables()
    stats = tables["service_stats"]
    stats["month"] = stats["month"].str.replace("2025", "2024")
    stats["reported_on"] = stats["reported_on"].str.replace("2025", "2024")
    quality_county = load_county(write_mini_county(tmp_path / "p", tables))
    assert statistics_accuracy(quality_county).empty
    note = statistics_accuracy_note(quality_county)
    assert note == "无可比较的年份：统计准确率按整年比较（月报满12个月的年份：无；生命登记数据：截至2024年）"
    card = scorecard(quality_county, "county", "2024", with_forecast=False).set_index("indicator")
    row = card.loc["statistics_accuracy"]
    assert np.isnan(row["value"]) and row["status"] == "no_data"
    assert (row["note"], row["note_arg"]) == ("reports_part_year", "2")


def monthly_county(tmp_path, months, values: dict[str, list]):
    """The mini county with one report per village and month; ``values``: element → one value per row (villages ×
    months, village by village)."""
    tables = mini_tables()
    base = tables["service_stats"].drop_duplicates("village_code")
    stats = pd.concat([base.assign(month=m, reported_on=f"{m}-05") for m in months], ignore_index=True)
    stats = stats.sort_values(["village_code", "month"], ignore_index=True)
    for element, column in values.items():
        stats[element] = column
    tables["service_stats"] = stats
    return load_county(write_mini_county(tmp_path / "q", tables))


def test_sd_outliers_moderate_and_extreme_by_hand(tmp_path) -> None:
    months = [f"2024-{m:02d}" for m in range(1, 13)]
    # village 1: eleven 10s and one 40 → mean 12.5, sample SD √75, distance 27.5 / √75 = 3.175: extreme;
    # village 2: ten 10s and two 40s (May, June) → mean 15, SD √(1500/11), distance 25 / 11.677 = 2.141: moderate
    # (each calendar month's median over the villages stays 10: no seasonal adjustment)
    v1, v2, v3 = [10] * 11 + [40], [10] * 4 + [40, 40] + [10] * 6, [10] * 12
    quality_county = monthly_county(tmp_path, months, {"counselling": v1 + v2 + v3})
    from fpplan.indicators.quality import sd_outliers

    found = sd_outliers(quality_county)
    found = found[found["element"] == "counselling"].set_index(["village_code", "month"])
    assert found.loc[("100001001", "2024-12"), "severity"] == "extreme"
    assert found.loc[("100001001", "2024-12"), "sd_distance"] == pytest.approx(27.5 / 75**0.5)
    assert found.loc[("100001002", "2024-05"), "severity"] == "moderate"
    assert found.loc[("100001002", "2024-06"), "sd_distance"] == pytest.approx(25 / (1500 / 11) ** 0.5)
    assert len(found) == 3


def test_consistency_over_time_and_related_data_by_hand(tmp_path) -> None:
    from fpplan.indicators.quality import consistency_over_time, relations

    months = ["2022-01", "2023-01", "2024-01", "2025-01"]
    # follow-ups done: township 100001 20 a year throughout; township 100002 10, 10, 10, then 20
    quality_county = monthly_county(
        tmp_path, months, {"followups_done": [10] * 4 + [10] * 4 + [10, 10, 10, 20], "followups_due": [30] * 12}
    )
    c = consistency_over_time(quality_county, 2025).set_index(["unit", "element"])
    # county: 40 against the mean of 30 → 1.333; 100001: 20 / 20 = 1 (−25%); 100002: 20 / 10 = 2 (+50% > 33%)
    t1, t2 = c.loc[("100001", "followups_done")], c.loc[("100002", "followups_done")]
    assert t1["ratio"] == 1 and t1["county_ratio"] == pytest.approx(4 / 3) and t1["years_compared"] == 3
    assert t1["difference_percent"] == pytest.approx(-25) and not t1["flagged"]
    assert t2["difference_percent"] == pytest.approx(50) and t2["flagged"]
    r = relations(quality_county, 2025).set_index(["unit", "relation"])
    # the mini reports 1 user in total but 1 woman + 1 man served: a ratio of 0.5, flagged beyond 10%
    assert (
        r.loc[("100001", "users_total_eq_parts"), "ratio"] == 0.5
        and r.loc[("100001", "users_total_eq_parts"), "flagged"]
    )
    assert not r.loc[("100002", "births_order_eq_sex"), "flagged"]  # 1 + 1 + 0 births by order = 1 boy + 1 girl


def test_reported_denominators_against_the_population(tmp_path) -> None:
    from fpplan.indicators.quality import denominators

    tables = mini_tables()
    shares = tables["married_share"]["share"].sum()  # every age 15–49 has the same number of women in a village
    # women per single age: 11, 21, 31 in the three villages; report exactly that for the first township, 20% more
    # for the second
    reported = {"100001001": 11 * shares, "100001002": 21 * shares, "100002001": 31 * shares * 1.2}
    stats = tables["service_stats"]
    stats["married_women_15_49"] = stats["village_code"].map(reported)
    stats["contraceptive_users"] = 1.0
    quality_county = load_county(write_mini_county(tmp_path / "d", tables))
    d = denominators(quality_county).set_index("township_code")
    assert d.loc["100001", "expected"] == pytest.approx(32 * shares) and d.loc["100001", "ratio"] == pytest.approx(1)
    assert d.loc["100002", "difference_percent"] == pytest.approx(20) and d.loc["100002", "flagged"]
    assert not d.loc["100001", "flagged"]


def test_group_codes_are_the_groups_pandas_forms() -> None:
    """group_codes: one integer per combination, ordered as the sorted combinations (by hand), and the same
    partition and order as groupby(...).ngroup() on a larger random table."""
    import numpy as np

    from fpplan.indicators.quality import group_codes

    village = pd.Series(["b", "a", "b", "a", "c"], dtype="str")
    element = pd.Series(["x", "y", "x", "x", "y"], dtype="str")
    # sorted combinations: (a,x)=0, (a,y)=1, (b,x)=2, (c,y)=3 … with three villages and two elements: 2v + e
    assert group_codes(village, element).tolist() == [2 * 1 + 0, 2 * 0 + 1, 2 * 1 + 0, 2 * 0 + 0, 2 * 2 + 1]
    rng = np.random.default_rng(3)
    frame = pd.DataFrame(
        {
            "v": rng.choice([f"v{i:03d}" for i in range(40)], 5000),
            "e": rng.choice(["users", "iud", "visits"], 5000),
            "x": rng.normal(size=5000),
        }
    )
    codes = group_codes(frame["v"], frame["e"])
    expected = frame.groupby(["v", "e"]).ngroup().to_numpy()
    assert (pd.factorize(codes, sort=True)[0] == expected).all()  # the same groups, in the same order
    by_codes = frame["x"].groupby(codes).transform("median").to_numpy()
    by_text = frame.groupby(["v", "e"])["x"].transform("median").to_numpy()
    assert (by_codes == by_text).all()
