"""Periods, aggregation types, the traffic-light legend rules and the scorecard on hand-computed cases."""

from __future__ import annotations

import copy

import numpy as np
import pandas as pd
import pytest
import yaml

from fpplan import DataError, load_county
from fpplan.data.config import default_config_dir
from fpplan.data.models.indicators import Catalogue, Indicator, Target, terms
from fpplan.indicators import periods
from fpplan.indicators.aggregate import aggregate
from fpplan.indicators.catalogue import resolved_targets, status, target_text, undecided
from fpplan.indicators.engine import report_values
from fpplan.indicators.scorecard import scorecard, scorecards, status_counts, trend_forecast
from fpplan.testing.mini import mini_tables, write_mini_county

CATALOGUE = yaml.safe_load((default_config_dir() / "indicators.yaml").read_text(encoding="utf-8"))


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
    [
        ["v1", "2025-01", "births", 3],
        ["v1", "2025-02", "births", 5],
        ["v2", "2025-01", "births", 1],
        ["v3", "2025-02", "births", 7],
        ["v1", "2025-01", "women", 100],
        ["v1", "2025-02", "women", 110],
        ["v2", "2025-01", "women", 50],
        ["v2", "2025-02", "women", 70],
        ["v3", "2025-01", "women", 40],
        ["v3", "2025-02", "women", 60],
        ["v1", "2025-01", "flag", 0],
        ["v1", "2025-02", "flag", 1],
        ["v2", "2025-01", "flag", 1],
        ["v3", "2025-01", "flag", 1],
    ],
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
def indicator_county(tmp_path):
    """The mini county with reports crafted so that village percentages and the township percentage differ."""
    tables = mini_tables()
    stats = tables["service_stats"]
    # village 100001001: 90 users of 100 married women; village 100001002: 10 of 10 (100%)
    stats.loc[stats["village_code"] == "100001001", ["contraceptive_users", "married_women_15_49"]] = [90.0, 100.0]
    stats.loc[stats["village_code"] == "100001002", ["contraceptive_users", "married_women_15_49"]] = [10.0, 10.0]
    stats.loc[stats["village_code"] == "100002001", ["married_women_15_49", "contraceptive_users"]] = [0.0, 0.0]
    return load_county(write_mini_county(tmp_path / "mini", tables))


def test_percentages_are_computed_from_summed_parts_not_averaged(indicator_county) -> None:
    long = indicator_county.service_stats.melt(
        id_vars=["village_code", "month", "reported_on"], var_name="element"
    ).drop(columns="reported_on")
    village = report_values(long, indicator_county, "village", "year", codes=["contraceptive_prevalence"]).set_index(
        "unit"
    )["value"]
    township = report_values(long, indicator_county, "township", "year", codes=["contraceptive_prevalence"]).set_index(
        "unit"
    )["value"]
    assert village["100001001"] == pytest.approx(90.0) and village["100001002"] == pytest.approx(100.0)
    assert township["100001"] == pytest.approx(100 * 100 / 110)  # (90 + 10) / (100 + 10)
    assert township["100001"] != pytest.approx((90.0 + 100.0) / 2)  # the average of village percentages, 95
    assert np.isnan(village["100002001"]) and np.isnan(township["100002"])  # zero denominator: no value


# ------------------------------------------------------------------------------------------ the traffic light


def indicator(direction: str, unit: str = "percent", legend: dict | None = None) -> Indicator:
    return Indicator(zh="x", en="x", numerator="a", direction=direction, unit=unit, legend=legend, source="test")


def light(values, op, target, ind) -> list[str]:
    return status(np.array(values, dtype=float), Target(op=op, value=target, source="t"), ind).tolist()


AMBER_UNIT = {"basis": "unit", "bands": [{"from": 0, "to": 0.05, "status": "amber"}, {"from": 0.05, "status": "red"}]}


def test_a_ratio_on_the_boundary_and_beyond() -> None:
    ratio = indicator("lower", "ratio")
    # births : abortions ratio ≤ 0.25: 0.25 is on it (green), 0.31 a clear miss (red, the case), no legend
    assert light([0.25, 0.2500000000001, 0.31, 0.44, 0.10], "<=", 0.25, ratio) == [
        "green",
        "green",
        "red",
        "red",
        "green",
    ]
    # with an amber band of 0.05 beyond the target: [0.25, 0.30) amber, from 0.30 red
    banded = indicator("lower", "ratio", AMBER_UNIT)
    assert light([0.25, 0.27, 0.2999, 0.30, 0.31], "<=", 0.25, banded) == ["green", "amber", "amber", "red", "red"]


def test_a_per_mille_rate_on_the_boundary_and_beyond() -> None:
    per_mille = indicator("lower", "per_mille")
    # complication rate ≤ 1‰ (以下 includes 1): 1.0 green; 5.38‰ red (the case); 1.001 already red
    assert light([1.0, 5.38, 1.001, 0.0], "<=", 1, per_mille) == ["green", "red", "red", "green"]
    # a strict "< 1": 1.0 itself misses; no legend, so red
    assert light([1.0, 0.999], "<", 1, per_mille) == ["red", "green"]


def test_a_yuan_amount_on_the_boundary_and_beyond() -> None:
    yuan = indicator("higher", "yuan")
    assert light([2.0, 1.99, 0.0, 8.4], ">=", 2, yuan) == ["green", "red", "red", "green"]
    # a legend relative to the target: up to 10% short is amber: 1.85 (7.5% short) amber, 1.8 (10%) red, 1.7 red
    banded = indicator(
        "higher",
        "yuan",
        {
            "basis": "percent_of_target",
            "bands": [{"from": 0, "to": 10, "status": "amber"}, {"from": 10, "status": "red"}],
        },
    )
    assert light([2.0, 1.85, 1.8, 1.7], ">=", 2, banded) == ["green", "amber", "red", "red"]


def test_a_range_on_the_boundary_and_beyond() -> None:
    srb = indicator(
        "range",
        "per_100",
        {"basis": "unit", "bands": [{"from": 0, "to": 1, "status": "amber"}, {"from": 1, "status": "red"}]},
    )
    # 103–107 both inclusive; 102.5 and 107.5 are half a point outside (amber); 108 and 102 one point (red); 113 red
    assert light([103, 107, 105, 102.5, 107.5, 108, 102, 113.06], "between", (103, 107), srb) == [
        "green",
        "green",
        "green",
        "amber",
        "amber",
        "red",
        "red",
        "red",
    ]


def test_percent_point_legend_and_the_states_of_their_own() -> None:
    prevalence = indicator(
        "higher",
        "percent",
        {"basis": "unit", "bands": [{"from": 0, "to": 5, "status": "amber"}, {"from": 5, "status": "red"}]},
    )
    assert light([95, 94.9, 90.0001, 90, 80, np.nan], ">=", 95, prevalence) == [
        "green",
        "amber",
        "amber",
        "red",
        "red",
        "no_data",
    ]
    assert status(np.array([50.0, np.nan]), None, prevalence).tolist() == ["no_target", "no_data"]
    assert light([0, 1], "<=", 0, indicator("lower", "count")) == ["green", "red"]  # no accident in three years
    assert target_text(Target(op=">=", value=95, source="t")) == "≥ 95"
    assert target_text(Target(op="between", value=(103, 107), source="t")) == "103–107"
    assert terms("a + b - c") == [(1, "a"), (1, "b"), (-1, "c")]
    with pytest.raises(ValueError):
        terms("a * b")


def test_an_interval_straddling_the_target_is_undecided() -> None:
    t = Target(op=">=", value=90, source="t")
    assert undecided(np.array([86.0, 91.0, 80.0]), np.array([93.0, 95.0, 89.0]), t).tolist() == [True, False, False]
    r = Target(op="between", value=(103, 107), source="t")
    assert undecided(np.array([101.0, 104.0]), np.array([109.0, 106.0]), r).tolist() == [True, False]


def bad_catalogue(change) -> str:
    data = copy.deepcopy(CATALOGUE)
    change(data)
    with pytest.raises(ValueError) as error:
        Catalogue.model_validate(data)
    return str(error.value)


@pytest.mark.parametrize(
    "bands, words",
    [
        ([{"from": 0, "to": 5, "status": "amber"}, {"from": 6, "status": "red"}], "gap between 5 and 6"),
        ([{"from": 0, "to": 5, "status": "amber"}, {"from": 4, "status": "red"}], "overlap"),
        ([{"from": 1, "to": 5, "status": "amber"}, {"from": 5, "status": "red"}], "must start at 0"),
        ([{"from": 0, "to": 5, "status": "red"}, {"from": 5, "status": "amber"}], "must be red"),
        ([{"from": 0, "to": 5, "status": "amber"}, {"from": 5, "to": 9, "status": "red"}], "open to infinity"),
        ([{"from": 0, "status": "amber"}, {"from": 5, "status": "red"}], "open-ended but band 2 follows"),
    ],
)
def test_legend_bands_are_checked_on_loading_naming_the_indicator(bands, words) -> None:
    def change(data):
        data["indicators"]["follow_up_rate"]["legend"] = {"basis": "unit", "bands": bands}

    message = bad_catalogue(change)
    assert "indicator follow_up_rate" in message and words in message


def test_targets_are_checked_against_direction_sets_and_cycles() -> None:
    def wrong_op(data):
        data["target_sets"]["seed001_article5"]["targets"]["complication_rate"]["op"] = ">="

    assert "target set seed001_article5, indicator complication_rate" in bad_catalogue(wrong_op)

    def cycle(data):
        data["target_sets"]["a"] = {"zh": "a", "en": "a", "source": "x", "extends": ["b"]}
        data["target_sets"]["b"] = {"zh": "b", "en": "b", "source": "x", "extends": ["a"]}

    assert "extends itself" in bad_catalogue(cycle)

    def unknown(data):
        data["target_sets"]["seed003_county"]["targets"]["nonsense"] = {"op": ">=", "value": 1, "source": "x"}

    assert "'nonsense' is not an indicator" in bad_catalogue(unknown)

    def twice(data):
        data["target_sets"]["seed004_county"]["targets"]["per_capita_budget"] = [
            {"op": ">=", "value": 2, "levels": ["county"], "source": "x"},
            {"op": ">=", "value": 3, "levels": ["county"], "source": "y"},
        ]

    assert "two targets apply" in bad_catalogue(twice)


def test_a_bad_legend_in_a_county_config_is_a_data_error(tmp_path) -> None:
    folder = write_mini_county(tmp_path / "c")
    data = copy.deepcopy(CATALOGUE)
    data["indicators"]["complication_rate"]["legend"] = {"bands": [{"from": 0, "to": 1, "status": "amber"}]}
    (folder / "config").mkdir()
    (folder / "config" / "indicators.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(DataError) as error:
        load_county(folder)
    text = error.value.table().to_string()
    assert "indicators.yaml" in text and "complication_rate" in text


def test_a_county_composes_its_own_set() -> None:
    data = copy.deepcopy(CATALOGUE)
    data["target_sets"]["ours"] = {
        "zh": "本县",
        "en": "ours",
        "source": "县目标责任书",
        "extends": ["seed001_article3", "seed001_article5", "seed004_county"],
        "targets": {"contraceptive_prevalence": {"op": ">=", "value": 90, "source": "第3条"}},
    }
    resolved = resolved_targets(Catalogue.model_validate(data), "ours")
    assert resolved["abortion_birth_ratio"][0].value == 0.25  # only article 3 states it
    assert resolved["policy_compliant_birth_rate_3y"][0].value == 97  # article 5 overrides article 3's 95
    assert resolved["contraceptive_prevalence"][0].value == 90  # the county's own
    assert resolved["natural_growth_rate"][0].value == 7.5  # seed 004
    assert "gyn_screening_rate" not in resolved  # nobody states one: no target, never a borrowed one


# ------------------------------------------------------------------------------------------ scorecards


def test_scorecard_on_the_mini_county(indicator_county) -> None:
    card = scorecard(indicator_county, "township", "2025Q1", with_forecast=False)
    assert card[card["indicator"] == "report_timeliness"]["unit"].tolist() == ["100001", "100002"]
    row = card[(card["unit"] == "100001") & (card["indicator"] == "contraceptive_prevalence")].iloc[0]
    assert row["value"] == pytest.approx(100 * 100 / 110) and row["status"] == "green" and row["target"] == "≥ 85"
    catalogue = indicator_county.config["indicators"].indicators
    assert set(card["indicator"]) == {c for c, i in catalogue.items() if "township" in i.levels}
    timely = card[(card["unit"] == "100001") & (card["indicator"] == "report_timeliness")].iloc[0]
    assert timely["value"] == 100 and timely["denominator"] == 2 * 2  # 2 villages × the 2 months reported, on time
    assert len(card) == 2 * len(set(card["indicator"]))  # every unit × indicator, a value or a note
    assert (card["value"].notna() | (card["note"] != "")).all()
    with pytest.raises(ValueError, match="unknown target set"):
        scorecard(indicator_county, "township", "2025Q1", target_set="nope")


@pytest.mark.parametrize("period", ["2025-01", "2025Q1", "2025S1", "2025"])
def test_every_period_kind(indicator_county, period) -> None:
    card = scorecard(indicator_county, "county", period, with_forecast=False).set_index("indicator")
    months = len(periods.parse(period)[1])
    # births in the reports: each village-month 1 boy + 1 girl; January only for the month, both months otherwise
    n = 3 * 2 * (1 if months == 1 else 2)
    assert card.loc["sex_ratio_at_birth", "numerator"] + card.loc["sex_ratio_at_birth", "denominator"] == n
    # rh coverage has only a yearly target: other periods say so instead of judging a part-year coverage (the mini
    # county serves 1 woman a village-month out of thousands: a year's coverage far below 95% is red)
    rh = card.loc["rh_service_coverage"]
    assert (rh["status"], rh["note"]) == (("red", "") if months == 12 else ("no_target", "annual_target"))


def test_scorecards_of_all_periods_match_the_single_period(indicator_county) -> None:
    every = scorecards(indicator_county, "township", "month")
    assert sorted(every["period"].unique()) == ["2025-01", "2025-02"]
    one = scorecard(indicator_county, "township", "2025-02", with_forecast=False)
    feb = every[every["period"] == "2025-02"].reset_index(drop=True)
    pd.testing.assert_frame_equal(one[feb.columns], feb)
    row = feb[(feb["unit"] == "100001") & (feb["indicator"] == "report_timeliness")].iloc[0]
    jan = every[
        (every["period"] == "2025-01") & (every["unit"] == "100001") & (every["indicator"] == "report_timeliness")
    ]
    assert row["previous"] == jan["value"].iloc[0] and row["change"] == row["value"] - row["previous"]


def test_status_counts_show_red_and_amber_apart() -> None:
    card = pd.DataFrame(
        {"unit": ["A", "A", "A", "B", "B", "C"], "status": ["green", "red", "green", "amber", "green", "green"]}
    )
    counts = status_counts(card).set_index("unit")
    assert counts.loc["A", "red"] == 1 and counts.loc["A", "attention"] == "red"  # one red is never fine
    assert counts.loc["B", "amber"] == 1 and counts.loc["B", "attention"] == "amber"
    assert counts.loc["C", "attention"] == "green"


def test_trend_forecast_by_hand_and_against_statsmodels() -> None:
    import statsmodels.api as sm

    hand = pd.DataFrame({"unit": "A", "indicator": "x", "x": np.arange(5.0), "value": [80.0, 81.0, 82.0, 83.0, 84.0]})
    f = trend_forecast(hand, horizon=4).iloc[0]
    assert f["slope"] == pytest.approx(1.0) and f["mean"] == pytest.approx(88.0)  # +1 a quarter, 4 quarters on
    rng = np.random.default_rng(1)
    y = 50 + 0.7 * np.arange(9) + rng.normal(0, 1.5, 9)
    series = pd.DataFrame({"unit": "B", "indicator": "y", "x": np.arange(9.0), "value": y})
    ours = trend_forecast(series, horizon=4, alpha=0.2).iloc[0]
    fit = sm.OLS(y, sm.add_constant(np.arange(9.0))).fit()
    frame = fit.get_prediction(np.array([[1.0, 12.0]])).summary_frame(alpha=0.2).iloc[0]
    assert ours["mean"] == pytest.approx(frame["mean"]) and ours["lower"] == pytest.approx(frame["obs_ci_lower"])
    assert ours["upper"] == pytest.approx(frame["obs_ci_upper"])
    assert trend_forecast(series.head(3)).empty  # fewer than four points: no forecast


def test_cli_scorecard_every_period_kind(indicator_county, tmp_path, capsys) -> None:
    from fpplan.cli import main

    out = tmp_path / "card.csv"
    assert (
        main(["scorecard", str(indicator_county.path), "--level", "township", "--period", "2025Q1", "--out", str(out)])
        == 0
    )
    card = pd.read_csv(out, dtype={"unit": str})
    row = card[(card["unit"] == "100001") & (card["indicator"] == "contraceptive_prevalence")].iloc[0]
    assert row["value"] == pytest.approx(100 * 100 / 110) and row["status"] == "green"
    assert "达标" in capsys.readouterr().out
    for period in ("2025-02", "2025S1", "2025"):
        assert main(["scorecard", str(indicator_county.path), "--level", "county", "--period", period]) == 0
    assert (
        main(["scorecard", str(indicator_county.path), "--period", "2025Q7"]) == 2
    )  # a bad period id: a problem table, no traceback
    assert "2025Q7" in capsys.readouterr().out
