"""The red-cell view's accessibility stage from fpplan.spatial's coverage (computed once with the results): the
township's women 15–49 within reach and its villages beyond, as officials read them."""

from __future__ import annotations

import re

import pytest

from fpplan.indicators.causes import SPATIAL_TABLES, causes, causes_inputs


@pytest.fixture(scope="module")
def spatial(county):
    from fpplan.planning.demand import village_people
    from fpplan.planning.plan import make_plan
    from fpplan.spatial.results import spatial_results

    plan = make_plan(county, "medium")
    return {
        name: table
        for name, table in spatial_results(county, village_people(county, plan.projection)).items()
        if name in SPATIAL_TABLES
    }


def test_the_township_coverage_and_its_villages_beyond_reach(county, spatial) -> None:
    """城关镇 (650123001) in 2025: the summary is the spatial township row, and it adds up from the villages — women
    covered = Σ women of its covered villages; villages beyond = its villages whose nearest open station is beyond
    the threshold, listed by name with the nearest station's name, farthest first."""
    from fpplan.indicators.scorecard import scorecards

    card = scorecards(county, "township", "quarter")
    out = causes(
        county.config["indicators"],
        causes_inputs(county),
        "650123001",
        "contraceptive_prevalence",
        "2025Q3",
        card,
        spatial=spatial,
    )
    access = spatial["access"]
    here = access[(access["township_code"] == "650123001") & (access["year"] == 2025)]
    row = out["accessibility"].iloc[0]
    assert row["year"] == 2025 and row["villages_total"] == len(here) == 24
    assert row["women_15_49"] == pytest.approx(here["women_15_49"].sum())
    assert row["women_covered"] == pytest.approx(here.loc[here["access"] == "covered", "women_15_49"].sum())
    assert row["share_covered_pct"] == pytest.approx(100 * row["women_covered"] / row["women_15_49"])
    assert row["women_beyond"] + row["women_covered"] == pytest.approx(row["women_15_49"])  # every village located
    beyond = here[here["access"] == "beyond"]
    far = out["accessibility_villages"]
    assert row["villages_beyond"] == len(far) == len(beyond) > 0
    names = dict(zip(county.units["code"], county.units["name"]))
    stations = dict(zip(county.facilities["code"], county.facilities["name"]))
    assert set(far["village_name"]) == {names[c] for c in beyond["village_code"]}
    assert set(far["station_name"]) <= set(stations.values())
    unit = "cost_min" if "cost_min" in far else "cost_km"
    assert far[unit].is_monotonic_decreasing
    assert (far[unit] > 40 if unit == "cost_min" else far[unit] > 0).all()  # beyond spatial.yaml's 40 minutes
    # a later year the plan covers, and a period before the projection: the nearest year
    later = causes(
        county.config["indicators"],
        causes_inputs(county),
        "650123001",
        "contraceptive_prevalence",
        "2030",
        card,
        spatial=spatial,
    )["accessibility"]
    assert later["year"].iloc[0] == 2030
    early = causes(
        county.config["indicators"],
        causes_inputs(county),
        "650123001",
        "contraceptive_prevalence",
        "2024Q1",
        card,
        spatial=spatial,
    )["accessibility"]
    assert early["year"].iloc[0] == 2025


def test_the_cause_tables_read_as_officials_read_them(county, spatial) -> None:
    """Headers, names and words, no code column, no NaN row: the page's HTML text has no English but WISN."""
    from fpplan.app.panels.scorecard import CAUSE_SECTIONS, cause_table
    from fpplan.app.results import complete_periods, scorecard_tables
    from fpplan.data.labels import set_language
    from fpplan.planning.plan import make_plan

    set_language("zh")
    cards = scorecard_tables(county, complete_periods(county.service_stats["month"]))
    card = cards[(cards["level"] == "township") & (cards["kind"] == "quarter")]
    plan = make_plan(county, "medium")
    names = dict(zip(county.units["code"], county.units["name"])) | dict(
        zip(county.facilities["code"], county.facilities["name"])
    )
    period = card["period"].max()
    out = causes(
        county.config["indicators"],
        causes_inputs(county),
        "650123001",
        "rti_screening_rate",
        period,
        card,
        plan.wisn,
        plan.capacity,
        forecast=card[card["period"] == period],
        spatial=spatial,
    )
    assert {"accessibility", "accessibility_villages", "availability_staff", "forecast"} <= set(out)
    page = "".join(cause_table(out[key], key, names) for _, key in CAUSE_SECTIONS if key in out)
    text = re.sub(r"<[^>]+>", " ", page)
    assert set(re.findall(r"[A-Za-z_]{2,}", text)) <= {"WISN"}
    assert not re.search(r"\bnan\b|None", text)
    for code in ("650123001", "ZD001", "rti_screening_rate"):
        assert code not in text
    assert "县计生指导站" in text and "行程时间(分钟)" in text and "覆盖率(%)" in text


def test_without_coordinates_the_villages_distances(county) -> None:
    from fpplan.indicators.scorecard import scorecards

    inputs = causes_inputs(county)
    out = causes(
        county.config["indicators"],
        inputs,
        "650123004",
        "contraceptive_prevalence",
        "2025",
        scorecards(county, "township", "year"),
        spatial=None,
    )
    assert "accessibility" not in out
    far = out["accessibility_villages"]
    assert list(far.columns) == ["village_name", "distance_km"] and far["distance_km"].is_monotonic_decreasing
