"""本县目标: the county's own targets by default, composed from its documents (seed 001 article 5, seed 003's
pre-pregnancy targets, seed 004's work targets), each citing its own document by title; the one conflict resolved and
stated; selectable in the brief, the report and the notebooks."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from fpplan.data.config import load
from fpplan.data.documents import cite, title
from fpplan.data.labels import set_language
from fpplan.data.models.indicators import Target
from fpplan.indicators.catalogue import resolved_targets, status, target_citation, target_text
from fpplan.indicators.scorecard import rejudge, scorecard

CATALOGUE = load("indicators")
SOURCES = Path(__file__).parents[1] / "cases" / "assessment_sources"


def normalise(text: str) -> str:
    return re.sub(r"[\s,，、;；:：.。“”\"'()（）…%]", "", text)


def test_the_default_is_the_countys_own_set() -> None:
    assert CATALOGUE.default_target_set == "county" and CATALOGUE.target_sets["county"].zh == "本县目标"
    own = {code: t[0] for code, t in resolved_targets(CATALOGUE, "county").items()}
    article5 = resolved_targets(CATALOGUE, "seed001_article5")
    assert set(article5) < set(own)  # every item of the standard, and more
    assert (own["natural_growth_rate"].op, own["natural_growth_rate"].value) == ("<=", 7.5)
    assert own["prepregnancy_check_coverage"].value == 85 and own["eugenics_rh_knowledge"].value == 90
    assert own["per_capita_budget"].value == 2
    srb = own["sex_ratio_at_birth"]
    assert (srb.op, srb.value, srb.aim.value, srb.period_kinds) == ("<=", 125, 120, ("year",))
    # the conflict: article 5's line 95 (not seed 004's 100, which the set overrides), 100 as the aim
    accuracy = own["statistics_accuracy"]
    assert (accuracy.value, accuracy.aim.value) == (95, 100)
    assert resolved_targets(CATALOGUE, "seed004_county")["statistics_accuracy"][0].value == 100
    assert own["sex_ratio_at_birth_3y"].value == (103, 107)  # the standard's three-year range stands beside it


def test_each_target_cites_its_own_document_by_title() -> None:
    set_language("zh")
    own = {code: t[0] for code, t in resolved_targets(CATALOGUE, "county").items()}
    cited = {code: target_citation(t) for code, t in own.items()}
    assert all(c.startswith("《") and "seed" not in c for c in cited.values())
    assert cited["contraceptive_prevalence"] == "《关于创建国家计划生育优质服务先进区的实施方案》二8"
    assert cited["natural_growth_rate"] == "《全县计划生育工作要点》第一篇 二 主要目标"
    assert cited["prepregnancy_check_coverage"] == "《计划生育优质服务经验材料》三3 明确目标抓节点"
    assert cited["statistics_accuracy"] == (
        "《关于创建国家计划生育优质服务先进区的实施方案》二15；力争：《全县计划生育工作要点》第一篇 二 主要目标"
    )
    assert target_text(own["sex_ratio_at_birth"]) == "≤ 125，力争120"


def test_the_county_sets_own_words_are_in_its_documents() -> None:
    """The set's own targets (and aims) quote their documents: the words and the number are there."""
    files = {"seed 001 第五篇": "seed001_article5.txt", "seed 004": "seed004_county.txt"}
    seed004 = CATALOGUE.target_sets["seed004_county"].targets["sex_ratio_at_birth"][0]
    quoted = [t for ts in CATALOGUE.target_sets["county"].targets.values() for t in ts]
    pairs = [(t.document, t.source, t.value) for t in quoted]
    pairs += [(t.aim.document or t.document, t.aim.source, t.aim.value) for t in quoted + [seed004] if t.aim]
    pairs[-1] = ("seed 004", seed004.aim.source, seed004.aim.value)
    for document, source, value in pairs:
        text = normalise((SOURCES / files[document]).read_text(encoding="utf-8"))
        _, _, quote = source.partition(": ")
        words = re.sub(r"\([^)]*\)", "", quote)
        assert normalise(words) in text, (document, quote)
        assert float(value) in {float(n) for n in re.findall(r"\d+(?:\.\d+)?", words)}


@pytest.mark.parametrize(
    "value, expected",
    [(118.0, "green"), (120.0, "green"), (123.0, "amber"), (125.0, "amber"), (125.5, "red"), (np.nan, "no_data")],
)
def test_the_sex_ratio_as_seed_004_states_it(value, expected) -> None:
    """控制在120左右 (the aim) and 确保…控制在125以内 (the line, 以内 including 125)."""
    srb = resolved_targets(CATALOGUE, "county")["sex_ratio_at_birth"][0]
    assert status(np.array([value]), srb, CATALOGUE.indicators["sex_ratio_at_birth"])[0] == expected


def test_statistics_accuracy_between_the_line_and_the_aim_is_amber() -> None:
    accuracy = resolved_targets(CATALOGUE, "county")["statistics_accuracy"][0]
    assert status(np.array([94.0, 95.0, 99.5, 100.0]), accuracy).tolist() == ["red", "amber", "amber", "green"]


def test_an_aim_must_ask_more_than_the_line() -> None:
    with pytest.raises(ValueError, match="aim"):
        Target(op="<=", value=120, aim={"value": 125, "source": "x"}, source="x")
    with pytest.raises(ValueError, match="aim"):
        Target(op=">=", value=95, aim={"value": 90, "source": "x"}, source="x")


def test_document_titles_and_free_text() -> None:
    set_language("zh")
    assert title("seed 004") == "《全县计划生育工作要点》"
    assert title("《县政府目标责任书》") == "《县政府目标责任书》"  # a county's own document is its title
    assert cite("seed 000 §三(三)") == "《“十一五”时期计划生育优质服务新机制建设规划（最终版）》三(三)"
    assert cite("seed 001 第五篇") == "《关于创建国家计划生育优质服务先进区的实施方案》"
    assert "seed" not in cite("seed 003, seed 004")


def test_the_default_county_scorecard_carries_the_countys_work_targets(county) -> None:
    card = scorecard(county, "county", "2025", with_forecast=False).set_index("indicator")
    growth = card.loc["natural_growth_rate"]
    assert growth["target"] == "≤ 7.5" and growth["status"] in ("green", "red")
    assert growth["status"] == ("green" if growth["value"] <= 7.5 else "red")
    assert card.loc["prepregnancy_check_coverage", "target"] == "≥ 85"
    assert card.loc["prepregnancy_check_coverage", "target_source"].startswith("《计划生育优质服务经验材料》")
    assert card.loc["sex_ratio_at_birth", "status"] != "no_target"
    article5 = scorecard(county, "county", "2025", target_set="seed001_article5", with_forecast=False)
    assert article5.set_index("indicator").loc["natural_growth_rate", "status"] == "no_target"


def test_rejudging_stored_cards_against_another_set(county) -> None:
    from fpplan.app.results import complete_periods, scorecard_tables

    cards = scorecard_tables(county, complete_periods(county.service_stats["month"]))
    other = rejudge(cards, CATALOGUE, "seed001_article5")
    assert other.index.equals(cards.index) and (other["value"].fillna(-1) == cards["value"].fillna(-1)).all()
    direct = scorecard(county, "county", "2025", target_set="seed001_article5", with_forecast=False)
    mine = other[(other["level"] == "county") & (other["period"] == "2025")]
    pd.testing.assert_series_equal(
        mine.set_index("indicator")["status"].sort_index(),
        direct.set_index("indicator")["status"].sort_index(),
        check_names=False,
    )
    with pytest.raises(ValueError):
        rejudge(cards, CATALOGUE, "no_such_set")


def test_brief_refuses_an_unknown_target_set_before_any_work(demo, tmp_path, capsys) -> None:
    from fpplan.cli import main

    assert main(["brief", str(demo), "--targets", "no_such_set", "--out", str(tmp_path / "b")]) == 2
    out = capsys.readouterr().out
    assert "no_such_set" in out and "county（本县目标）" in out
    assert not (tmp_path / "b").exists() and not (demo / ".fpplan" / "results").exists()
