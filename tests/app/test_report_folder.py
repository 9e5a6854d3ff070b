"""What a report is for, checked before anything runs; one folder per county, period and scenario, replaced whole."""

from __future__ import annotations

import pytest

from fpplan.app.reports import _put_in_place, folder_name, print_css
from fpplan.app.results import period_of, scenario_of
from fpplan.app.tables import period_text
from fpplan.data.errors import DataError
from fpplan.data.labels import set_language

MANIFEST = {
    "path": "/x/county/.fpplan/results/abc",
    "county": {"code": "650123", "name": "演示县"},
    "plan_scenario": "medium",
    "scenarios": {"medium": {"zh": "中方案"}, "low": {"zh": "低方案"}},
    "scored_periods": {
        "year": ["2024", "2025"],
        "half_year": ["2025S1"],
        "quarter": ["2025Q2", "2025Q3"],
        "month": ["2025-09"],
    },
}


def test_periods_and_scenarios_are_checked_with_a_clear_message() -> None:
    set_language("zh")
    assert period_of(MANIFEST, None) == "2025Q3"  # the newest complete quarter
    assert [period_of(MANIFEST, p) for p in ("2025", "2025S1", "2025Q2")] == ["2025", "2025S1", "2025Q2"]
    with pytest.raises(DataError) as error:
        period_of(MANIFEST, "2025Q4")
    problem = error.value.problems[0]
    assert problem.kind == "unknown_period" and problem.file == "/x/county" and "2025Q3" in problem.message()
    with pytest.raises(DataError) as error:
        period_of(MANIFEST, "Q3-2025")
    assert error.value.problems[0].kind == "bad_period"
    assert scenario_of(MANIFEST, None) == "medium" and scenario_of(MANIFEST, "low") == "low"
    with pytest.raises(DataError) as error:
        scenario_of(MANIFEST, "high")
    assert error.value.problems[0].message("zh") == "没有名为「high」的情景（config/scenarios/ 中有：medium, low）"
    assert error.value.problems[0].message("en") == "there is no scenario 'high' (config/scenarios/ has: medium, low)"


def test_one_folder_per_county_period_and_scenario_replaced_whole(tmp_path) -> None:
    assert folder_name(MANIFEST, "2025Q3", "medium") == "650123_2025Q3_medium"
    assert folder_name(MANIFEST, "2025", "medium") != folder_name(MANIFEST, "2025Q3", "medium")
    target = tmp_path / "650123_2025Q3_medium"
    target.mkdir()
    (target / "old.pdf").write_text("old")
    staging = tmp_path / ".new"
    staging.mkdir()
    (staging / "new.pdf").write_text("new")
    _put_in_place(staging, target)
    assert [p.name for p in target.iterdir()] == ["new.pdf"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["650123_2025Q3_medium"]  # nothing old left beside it


def test_periods_as_officials_write_them_and_the_page_numbers() -> None:
    set_language("zh")
    assert [period_text(p) for p in ("2025", "2025S2", "2025Q3", "2025-07")] == [
        "2025年",
        "2025年下半年",
        "2025年第三季度",
        "2025年7月",
    ]
    css = print_css()
    assert "size:A4 portrait" in css and "size:A4 landscape" in css and "counter(pages)" in css
    assert ".modebar" in css and "display:table-header-group" in css
