"""Rare events judged where they mean something: below an indicator's minimum exposure (config) a value is shown with
the status 样本不足 (small_sample), a state of its own like no data — never red, never counted as missed."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from fpplan.data.config import load
from fpplan.data.labels import enum_label, set_language
from fpplan.data.models.indicators import Exposure, Target
from fpplan.indicators.catalogue import short_of_exposure
from fpplan.indicators.regions import rank, roll_up
from fpplan.indicators.scorecard import judge, note_text, scorecard, status_counts

CATALOGUE = load("indicators")


def _values(rows: list[tuple[str, str, float, float]]) -> pd.DataFrame:
    """unit, indicator, numerator, denominator → the columns judge reads (value = numerator / denominator × factor)."""
    frame = pd.DataFrame(rows, columns=["unit", "indicator", "numerator", "denominator"])
    factor = frame["indicator"].map({c: i.factor for c, i in CATALOGUE.indicators.items()})
    return frame.assign(
        period="2025-07",
        value=frame["numerator"] / frame["denominator"] * factor,
        lower=np.nan,
        upper=np.nan,
        note="",
        note_arg="",
    )


def test_one_complication_in_a_month_is_a_small_sample_not_red() -> None:
    """1 in 175 operations is 5.71‰ against ≤ 1‰: below 1,000 operations (the config's minimum) it is shown and not
    judged; 2 in 2,266 (0.88‰) is green and 5 in 2,000 (2.5‰) red: both rest on enough operations."""
    card = judge(
        _values(
            [
                ("A", "complication_rate", 1, 175),
                ("B", "complication_rate", 2, 2266),
                ("C", "complication_rate", 5, 2000),
                ("D", "complication_rate", 0, 300),
            ]
        ),
        CATALOGUE,
        "seed001_article5",
        "county",
        "month",
    ).set_index("unit")
    assert card.loc["A", "value"] == pytest.approx(1000 / 175) and card.loc["A", "status"] == "small_sample"
    assert card.loc["B", "status"] == "green" and card.loc["C", "status"] == "red"
    assert card.loc["D", "status"] == "small_sample"  # 0 in 300 is no evidence of meeting ≤ 1‰ either
    set_language("zh")
    assert note_text(card.reset_index()).iloc[0] == "样本不足（分母少于1000），罕见事件不据此评判"
    assert enum_label("status", "small_sample") == "样本不足"


def test_a_target_of_none_at_all_is_judged_on_any_base() -> None:
    """Article 3: 没有计划外多孩出生 (≤ 0): one unplanned birth among 300 misses it; article 5's ≤ 0.1% needs 1,000."""
    values = _values([("A", "unplanned_higher_order_birth_rate", 1, 300)])
    assert judge(values, CATALOGUE, "seed001_article3", "county", "quarter")["status"].iloc[0] == "red"
    assert judge(values, CATALOGUE, "seed001_article5", "county", "quarter")["status"].iloc[0] == "small_sample"


def test_a_minimum_by_period_kind() -> None:
    ind = CATALOGUE.indicators["complication_rate"].model_copy(
        update={"minimum_exposure": Exposure(period_kinds=("year",), source="t")}
    )
    target = Target(op="<=", value=1, source="t")
    assert short_of_exposure(ind, target, [5000.0], "quarter").tolist() == [True]
    assert short_of_exposure(ind, target, [5000.0], "year").tolist() == [False]
    with pytest.raises(ValueError):
        Exposure(source="nothing to require")


def test_counts_and_roll_ups_keep_it_apart() -> None:
    card = pd.DataFrame(
        {
            "county": "X",
            "unit": ["A"] * 4,
            "period": "2025",
            "indicator": ["a", "b", "c", "d"],
            "name": list("abcd"),
            "target": "≤ 1",
            "numerator": [1.0, 1, 1, 1],
            "denominator": [100.0, 1000, 1000, 1000],
            "value": [10.0, 1, 1, 1],
            "status": ["small_sample", "green", "red", "no_data"],
        }
    )
    counts = status_counts(card).iloc[0]
    assert (counts["small_sample"], counts["red"], counts["green"], counts["no_data"]) == (1, 1, 1, 1)
    ranked = rank(card).iloc[0]
    assert ranked["indicators_with_target"] == 2 and ranked["share_met"] == 0.5  # judged: green and red only
    assert roll_up(card).set_index("indicator").loc["a", "units_counted"] == 0


def test_the_demo_quarter_shows_the_complication_rate_as_small_sample(county) -> None:
    """The demo county's 2025Q3: 1 complication among about 575 operations (1.74‰) — shown, 样本不足, not red; over the
    year 2025 (about 2,270 operations) it is judged."""
    quarter = scorecard(county, "county", "2025Q3", with_forecast=False).set_index("indicator")
    row = quarter.loc["complication_rate"]
    assert row["denominator"] < 1000 and row["value"] == pytest.approx(row["numerator"] / row["denominator"] * 1000)
    assert row["value"] > 1 and row["status"] == "small_sample"
    year = scorecard(county, "county", "2025", with_forecast=False).set_index("indicator").loc["complication_rate"]
    assert year["denominator"] >= 1000 and year["status"] in ("green", "red")
    months = scorecard(county, "township", "2025-07", with_forecast=False)
    months = months[months["indicator"] == "complication_rate"]
    assert (months["status"] != "red").all()  # no township has 1,000 operations in a month


def test_the_brief_does_not_list_it_red_and_says_why(county) -> None:
    from fpplan.app.brief import content_from
    from fpplan.app.results import complete_periods, scorecard_tables

    set_language("zh")
    cards = scorecard_tables(county, complete_periods(county.service_stats["month"]))
    headline = pd.DataFrame(
        [
            {  # the plan's numbers: any will do, the brief only formats them
                "base_year": 2025,
                "plan_year": 2030,
                "horizon": 2035,
                "population_base": 1.0,
                "population_horizon": 1.0,
                "women_15_49_base": 1.0,
                "women_15_49_horizon": 1.0,
                "wisn_need_fte": 1.0,
                "wisn_in_post_fte": 1.0,
                "technical_retired_persons": 0,
                "staff_gap_before_fte": 0.0,
                "staff_gap_before_persons": 0,
                "staff_gap_after_fte": 0.0,
                "staff_gap_after_persons": 0,
                "hires_persons": 0,
                "area_gap_base_m2": 0.0,
                "area_gap_horizon_m2": 0.0,
                "total_cost_wan_yuan": 0.0,
                "subsidy_requested_wan_yuan": 0.0,
                "still_to_secure_wan_yuan": 0.0,
            }
        ]
    )
    by_year = pd.DataFrame(
        {
            "year": [2025, 2035],
            "gap_before_fte": 0.0,
            "gap_before_persons": 0,
            "gap_after_fte": 0.0,
            "gap_after_persons": 0,
        }
    )
    plan = {
        "headline": headline,
        "county_by_year": by_year,
        "shortfall": pd.DataFrame({"station": [], "first_short_year": [], "max_gap_m2": []}),
        "scorecards": cards,
    }
    manifest = {
        "county": {"code": county.county_code, "name": "演示县"},
        "base_year": 2025,
        "version": "0" * 16,
        "names": dict(zip(county.units["code"], county.units["name"])),
        "townships": county.townships()["code"].tolist(),
        "scenarios": {"medium": {"zh": "中", "en": "m"}},
    }
    c = content_from(plan, manifest, "2025Q3", "medium", "2026-01-01")
    assert "complication_rate" not in [f["indicator"] for f in c["flagged"] if f["status"] == "red"]
    assert "手术并发症发生率" in c["lights"]["small_sample"]
    sentence = [s for s in c["findings"] if "样本不足" in s]
    assert len(sentence) == 1 and "手术并发症发生率" in sentence[0] and "未达标" in sentence[0]  # with the lights
