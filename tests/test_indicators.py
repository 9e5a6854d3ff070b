"""Periods, aggregation types and indicators on hand-computed village → county, month → year cases."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from fpplan import load_county
from fpplan.data.models.indicators import Target
from fpplan.indicators import periods
from fpplan.indicators.catalogue import status, terms
from fpplan.indicators.engine import aggregate, compute
from fpplan.indicators.scorecard import forecast, scorecard

from mini_county import mini_tables, write_mini_county


def test_period_ids() -> None:
    assert periods.parse("2025") == ("year", [f"2025-{m:02d}" for m in range(1, 13)])
    assert periods.parse("2025S2")[1] == [f"2025-{m:02d}" for m in range(7, 13)]
    assert periods.parse("2025Q1")[1] == ["2025-01", "2025-02", "2025-03"]
    assert periods.parse("2025-11") == ("month", ["2025-11"])
    for bad in ("2025Q5", "2025-13", "25", "2025S3"):
        with pytest.raises(ValueError):
            periods.parse(bad)
    months = pd.Series(["2024-12", "2025-01", "2025-07"])
    assert periods.of_months(months, "quarter").tolist() == ["2024Q4", "2025Q1", "2025Q3"]
    assert periods.of_months(months, "half_year").tolist() == ["2024S2", "2025S1", "2025S2"]
    assert periods.shift("2025Q1", -1) == "2024Q4" and periods.shift("2025", 1) == "2026"
    assert periods.sequence("2025Q2", 3) == ["2024Q4", "2025Q1", "2025Q2"]


LONG = pd.DataFrame(
    # two villages of township T1, one of T2; two months of 2025
    [["v1", "2025-01", "births", 3], ["v1", "2025-02", "births", 5], ["v2", "2025-01", "births", 1],
     ["v3", "2025-02", "births", 7],
     ["v1", "2025-01", "women", 100], ["v1", "2025-02", "women", 110], ["v2", "2025-01", "women", 50],
     ["v2", "2025-02", "women", 70], ["v3", "2025-01", "women", 40], ["v3", "2025-02", "women", 60],
     ["v1", "2025-01", "flag", 0], ["v1", "2025-02", "flag", 1], ["v2", "2025-01", "flag", 1], ["v3", "2025-01", "flag", 1]],
    columns=["village_code", "month", "element", "value"],
)
TYPES = {"births": "sum", "women": "average", "flag": "last"}
TOWNSHIP = pd.Series({"v1": "T1", "v2": "T1", "v3": "T2"})
COUNTY = pd.Series({"v1": "C", "v2": "C", "v3": "C"})


def test_each_aggregation_type_by_hand() -> None:
    t = aggregate(LONG, TYPES, TOWNSHIP, "year").set_index("unit")
    # sum: T1 3 + 5 + 1 = 9; average over months per village then summed: (100+110)/2 + (50+70)/2 = 165;
    # last: v1's February 1 + v2's January 1 = 2
    assert t.loc["T1", "births"] == 9 and t.loc["T1", "women"] == 165 and t.loc["T1", "flag"] == 2
    assert t.loc["T2", "births"] == 7 and t.loc["T2", "women"] == 50 and t.loc["T2", "flag"] == 1
    c = aggregate(LONG, TYPES, COUNTY, "year").set_index("unit")
    assert c.loc["C", "births"] == 16 and c.loc["C", "women"] == 215 and c.loc["C", "flag"] == 3
    m = aggregate(LONG, TYPES, COUNTY, "month").set_index("period")
    assert m.loc["2025-01", "women"] == 190 and m.loc["2025-02", "women"] == 240


@pytest.fixture
def mini(tmp_path):
    """The mini county with reports crafted so that village percentages and the township percentage differ."""
    tables = mini_tables()
    stats = tables["service_stats"]
    # village 100001001: 90 users of 100 married women; village 100001002: 10 of 10 (100%)
    stats.loc[stats["village_code"] == "100001001", ["contraceptive_users", "married_women_15_49"]] = [90.0, 100.0]
    stats.loc[stats["village_code"] == "100001002", ["contraceptive_users", "married_women_15_49"]] = [10.0, 10.0]
    stats.loc[stats["village_code"] == "100002001", ["married_women_15_49", "contraceptive_users"]] = [0.0, 0.0]
    return load_county(write_mini_county(tmp_path / "mini", tables))


def test_percentages_are_computed_from_summed_parts_not_averaged(mini) -> None:
    long = mini.service_stats.melt(id_vars=["village_code", "month", "reported_on"], var_name="element").drop(columns="reported_on")
    village = compute(long, mini, "village", "year", codes=["contraceptive_prevalence"]).set_index("unit")["value"]
    township = compute(long, mini, "township", "year", codes=["contraceptive_prevalence"]).set_index("unit")["value"]
    assert village["100001001"] == pytest.approx(90.0) and village["100001002"] == pytest.approx(100.0)
    assert township["100001"] == pytest.approx(100 * 100 / 110)  # (90 + 10) / (100 + 10)
    assert township["100001"] != pytest.approx((90.0 + 100.0) / 2)  # the average of village percentages, 95
    assert np.isnan(village["100002001"]) and np.isnan(township["100002"])  # zero denominator: no value


def test_status_operators_and_margin() -> None:
    values = pd.Series([96.0, 95.0, 91.0, 80.0, np.nan])
    assert status(values, Target(op=">=", value=95), 5).tolist() == ["met", "met", "within_margin", "missed", "no_value"]
    assert status(pd.Series([105.0, 110.0, 120.0]), Target(op="between", value=(103, 107)), 5).tolist() == [
        "met", "within_margin", "missed"]
    assert status(pd.Series([1.0, 0.5]), Target(op="<", value=1), 5).tolist()[1] == "met"
    assert terms("a + b - c") == [(1, "a"), (1, "b"), (-1, "c")]
    with pytest.raises(ValueError):
        terms("a * b")


def test_forecast_finds_the_quarter_the_target_is_met() -> None:
    series = pd.DataFrame({"period": ["2024Q1", "2024Q2", "2024Q3", "2024Q4", "2025Q1"],
                           "value": [80.0, 81.0, 82.0, 83.0, 84.0]})  # +1 a quarter
    f = forecast(series, Target(op=">=", value=86.5))
    assert f["trend_per_quarter"] == pytest.approx(1.0)
    assert f["expected_met"] == "2025Q4"  # 85, 86, 87 → the third quarter ahead
    assert f["forecast"] == pytest.approx(88.0) and f["forecast_lower"] <= 88.0 <= f["forecast_upper"]


def test_scorecard_on_the_mini_county(mini) -> None:
    card = scorecard(mini, "township", "2025Q1", with_forecast=False)
    assert card[card["indicator"] == "report_timeliness"]["unit"].tolist() == ["100001", "100002"]
    row = card[(card["unit"] == "100001") & (card["indicator"] == "contraceptive_prevalence")].iloc[0]
    assert row["value"] == pytest.approx(100 * 100 / 110) and row["status"] == "met" and row["target"] == ">= 85"
    catalogue = mini.config["indicators"].indicators
    assert {c for c, i in catalogue.items() if not i.computed} | {"report_timeliness"} == set(card["indicator"])
    timely = card[(card["unit"] == "100001") & (card["indicator"] == "report_timeliness")].iloc[0]
    assert timely["value"] == 100 and timely["denominator"] == 2 * 2  # 2 villages × the 2 months reported, on time
    with pytest.raises(ValueError, match="unknown target set"):
        scorecard(mini, "township", "2025Q1", target_set="nope")


def test_per_capita_budget_and_statistics_accuracy_rows(tmp_path) -> None:
    tables = mini_tables()
    tables["budget"] = pd.DataFrame({"year": [2025], "fp_budget_yuan": [25_423.0]})
    county = load_county(write_mini_county(tmp_path / "b", tables))
    card = scorecard(county, "county", "2025", with_forecast=False).set_index("indicator")
    people = county.population["population"].sum()  # 101 × (21 + 41 + 61) = 12,423
    assert card.loc["per_capita_budget", "value"] == pytest.approx(25_423 / people)
    assert card.loc["per_capita_budget", "status"] == "met"  # ≥ 2 yuan a head


def test_cli_scorecard_writes_the_table(mini, tmp_path, capsys) -> None:
    from fpplan.cli import main

    out = tmp_path / "card.csv"
    assert main(["scorecard", str(mini.path), "--level", "township", "--period", "2025Q1", "--out", str(out)]) == 0
    card = pd.read_csv(out, dtype={"unit": str})
    row = card[(card["unit"] == "100001") & (card["indicator"] == "contraceptive_prevalence")].iloc[0]
    assert row["value"] == pytest.approx(100 * 100 / 110)
    assert "达标" in capsys.readouterr().out
