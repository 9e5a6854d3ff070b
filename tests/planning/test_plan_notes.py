"""The plan's notes on services planned from a population-based rate read as an official reads them: the rate's
source as document titles or 演示假设, never the planner's English remarks kept in the configuration."""

from __future__ import annotations

import re
from pathlib import Path

from fpplan import load_county
from fpplan.planning.notes import plan_notes
from fpplan.testing import variants


def test_the_notes_on_uncollected_services_cite_in_chinese(demo: Path, tmp_path: Path) -> None:
    folder = variants.not_collected(
        variants.copy(demo, tmp_path / "county"), {"migrant_women_served": "本县月报表无此栏目"}
    )
    county = load_county(folder)
    notes = [n for n in plan_notes(county, county.config["services"], True) if "流动育龄妇女服务人数" in n]
    assert len(notes) == 1, notes
    [note] = notes
    assert "每人每年 0.0687" in note  # config/population_rates.yaml: migrant_service
    assert "演示假设" in note and "《“十一五”时期计划生育优质服务新机制建设规划（最终版）》" in note
    assert not re.search(r"[A-Za-z]{3,}", note), note
