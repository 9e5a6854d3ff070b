"""The scenario explorer with no control touched recalculates the stored scenario itself: its numbers are the
plan's (the overview's, the command line's, the report's), on the demo and on a second county; a moved control
edits only its own part of the scenario."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from fpplan import load_county
from fpplan.app.explorer import as_slider_shows, at_start, projection_key, scenario_with, starting_values
from fpplan.data.models.scenario import NewStation
from fpplan.demo.region import write_demo_region
from fpplan.demography import load_scenarios, prepare, project
from fpplan.planning.plan import explorer_model, make_plan, project_scenario, projected_demand, recalculate


@pytest.fixture(scope="module")
def second(tmp_path_factory):
    """The second county of the demo region (its own codes, its own roster)."""
    region = write_demo_region(tmp_path_factory.mktemp("region"), 2)
    return load_county(region / "650124")


def _explorer_numbers(county, key: str, scenario=None):
    """What the explorer shows at start for stored scenario ``key`` (or ``scenario`` under that key's roster), and
    the plan of the same scenario."""
    inputs = prepare(county)
    scenarios = load_scenarios(county)
    chosen = scenario if scenario is not None else scenarios[key]
    plan = make_plan(county, chosen, inputs=inputs)
    model = explorer_model(county, {key: plan}, inputs, scenarios | {key: chosen})
    start = starting_values(chosen, inputs.rates.county_tfr, 2028)
    untouched = scenario_with(chosen, dict(start), start, model["construction_plan"], county.base_year)
    assert untouched == chosen  # no control moved: the stored scenario itself
    return recalculate(model, untouched, project_scenario(model, untouched), key), plan


@pytest.mark.parametrize("which,key", [("demo", "medium"), ("second", "medium"), ("second", "late_farms")])
def test_untouched_explorer_shows_the_plans_numbers(county, second, which, key) -> None:
    c = county if which == "demo" else second
    shown, plan = _explorer_numbers(c, key)
    ours = shown["county_by_year"].set_index("year")
    theirs = plan.county_by_year.set_index("year")
    pd.testing.assert_frame_equal(ours, theirs)
    last = int(theirs.index.max())
    assert ours.loc[last, "population"] == plan.headline["population_horizon"]
    assert ours.loc[last, "gap_before_persons"] == plan.headline["staff_gap_before_persons"]
    assert ours.loc[last, "gap_after_persons"] == plan.headline["staff_gap_after_persons"]
    assert ours.loc[plan.headline["base_year"], "area_gap_m2"] == plan.headline["area_gap_base_m2"]
    pd.testing.assert_frame_equal(
        shown["wisn"].reset_index(drop=True), plan.wisn.reset_index(drop=True), check_dtype=False
    )


def test_moved_projects_and_regrades_are_kept(county) -> None:
    """A scenario that moves a project and regrades a station: the untouched explorer keeps both (it used to
    overwrite every completion year with the construction plan's own)."""
    medium = load_scenarios(county)["medium"]
    moved = medium.model_copy(update={"project_completion": {"ZX002": 2032}, "grade_changes": {"ZS004": "A"}})
    shown, plan = _explorer_numbers(county, "medium", moved)
    pd.testing.assert_frame_equal(
        shown["capacity"].reset_index(drop=True), plan.capacity.reset_index(drop=True), check_dtype=False
    )
    pd.testing.assert_frame_equal(shown["county_by_year"], plan.county_by_year)
    assert plan.construction_plan.set_index("station_code").loc["ZX002", "completion_year"].max() == 2032


def test_a_construction_move_keeps_the_projected_demand_and_changes_only_what_it_moves(county) -> None:
    """A control that moves only construction (a project's completion) leaves the projection as it was: the
    explorer keeps its bases, volumes and county series (``projected_demand``) while such a control moves, and what
    it then shows is what computing everything afresh shows, with the moved scenario's own floor area."""
    inputs = prepare(county)
    scenarios = load_scenarios(county)
    medium = scenarios["medium"]
    model = explorer_model(county, {"medium": make_plan(county, medium, inputs=inputs)}, inputs, scenarios)
    demanded = projected_demand(model, project_scenario(model, medium))
    before = recalculate(model, medium, roster_of="medium", demanded=demanded)["county_by_year"]
    [network] = demanded["staffed"]  # WISN, norms and the station gap of the plan's network and roster, kept
    moved = medium.model_copy(update={"project_completion": {"ZX002": 2032}})
    assert projection_key(moved) == projection_key(medium)
    kept = recalculate(model, moved, roster_of="medium", demanded=demanded)
    assert list(demanded["staffed"]) == [network]  # the same network: only capacity and the county's numbers made
    fresh = recalculate(model, moved, roster_of="medium")
    for name in ("county_by_year", "capacity", "wisn", "county"):
        pd.testing.assert_frame_equal(kept[name], fresh[name])
    pd.testing.assert_frame_equal(
        kept["capacity"].reset_index(drop=True),
        make_plan(county, moved, inputs=inputs).capacity.reset_index(drop=True),
        check_dtype=False,
    )
    assert (kept["county_by_year"]["area_gap_m2"] != before["area_gap_m2"]).any()
    township = county.facilities.query("level == 'township_general'")["township_code"].iloc[0]
    station = NewStation(
        code="ZX099", name="新建服务站", level="township_general", township_code=township, start_year=2027,
        completion_year=2028, cost_wan_yuan=100, self_raised_wan_yuan=40, subsidy_requested_wan_yuan=60,
    )  # fmt: skip
    added = moved.model_copy(update={"stations_added": (station,)})  # another network: its needs made again
    changed = recalculate(model, added, roster_of="medium", demanded=demanded)
    assert len(demanded["staffed"]) == 1 and list(demanded["staffed"]) != [network]
    for name in ("county_by_year", "capacity", "wisn"):
        pd.testing.assert_frame_equal(changed[name], recalculate(model, added, roster_of="medium")[name])
    [staffed] = demanded["staffed"].values()
    assert "ZX099" in set(staffed["norms"]["station"])  # the added station has its head-count norm


def test_a_start_between_a_sliders_steps_is_still_the_start() -> None:
    """华阳县's female e0 of 80.9 on the e0 slider (steps of 0.5) shows 81.0, and its net migration of −6,460 (steps
    of 100) −6,500: the browser hands those values back. Before, the explorer took them for moves, and any control
    moved (even a construction one) changed the county's 2035 population by 53 people. They are still the start; a
    step away is a move."""
    assert as_slider_shows(80.9, 75.0, 0.5) == 81.0 and as_slider_shows(-6460.0, -52000.0, 100) == -6500.0
    assert at_start(81.0, 80.9, 75.0, 0.5) and at_start(80.9, 80.9, 75.0, 0.5)
    assert not at_start(81.5, 80.9, 75.0, 0.5) and not at_start(80.5, 80.9, 75.0, 0.5)
    assert at_start(-6500.0, -6460.0, -52000.0, 100) and not at_start(-6400.0, -6460.0, -52000.0, 100)
    assert at_start(2026, 2026, 2026, 1) and not at_start(2027, 2026, 2026, 1)


def test_a_value_the_browser_hands_back_as_a_sum_of_steps_is_the_value_set(county) -> None:
    """A slider hands a step back as a sum of steps (1.5 as 1.5000000000000007, 300 as 300.00000000000006, as the
    travel-time slider sends 50.00000000000001): the scenario (and a scenario saved from it) holds 1.5 and 300."""
    medium = load_scenarios(county)["medium"]
    start = starting_values(medium, prepare(county).rates.county_tfr, 2028)
    moved = scenario_with(
        medium, start | {"tfr": sum([0.05] * 30), "migration": 0.1 * 3 * 1000}, start, county.construction_plan, 2025
    )
    assert sum([0.05] * 30) != 1.5 and 0.1 * 3 * 1000 != 300  # what the browser's arithmetic gives
    assert repr(moved.tfr[max(moved.tfr)]) == "1.5" and repr(moved.net_migration[max(moved.net_migration)]) == "300.0"


def test_the_migration_path_is_what_made_the_populations_differ(second) -> None:
    """Why the explorer showed another 2035 population than the overview: it rebuilt net migration as the path's
    last value held from the base year (−600 a year instead of −900 → −600). Moving the control now changes only the
    path's last point."""
    inputs = prepare(second)
    medium = load_scenarios(second)["medium"]
    stored = project(inputs, medium).county_total().set_index("year").loc[2035, "population"]
    flat = medium.model_copy(update={"net_migration": {second.base_year: -600.0}})
    rebuilt = project(inputs, flat).county_total().set_index("year").loc[2035, "population"]
    assert rebuilt - stored > 1000  # the old explorer's extra people
    start = starting_values(medium, inputs.rates.county_tfr, 2028)
    assert start["migration"] == -600 and start["tfr"] == 1.30 and start["farm_size"] == 10500
    moved = scenario_with(medium, start | {"migration": -700}, start, second.construction_plan, second.base_year)
    assert moved.net_migration == {2025: -900, 2035: -700}
    assert moved.tfr == medium.tfr and moved.lump_inflows == medium.lump_inflows and not moved.project_completion
    later = scenario_with(
        medium, start | {"delay": 2, "farm_year": 2030}, start, second.construction_plan, second.base_year
    )
    last = second.construction_plan.groupby("station_code")["completion_year"].max()
    assert later.project_completion == {s: int(y) + 2 for s, y in last.items()}
    assert [f.year for f in later.lump_inflows] == [2030, 2032]
    assert np.isclose(sum(f.size for f in later.lump_inflows), 10500)


def test_the_live_band_is_the_stored_scenarios_band_and_follows_the_controls(county) -> None:
    """With no control touched the explorer's 80% band (and 95%, median) of the county's population and women
    15-49 is the stored intervals.parquet's county rows, made the same way (calibration, trajectories, seed);
    moving TFR moves it; a control that moves only construction keeps the projection's key."""
    import time

    from fpplan.app.explorer import band, projection_key
    from fpplan.app.plan_outputs import INTERVAL_SEED, INTERVAL_TRAJECTORIES, plan_outputs, projection_inputs

    calibration, inputs = projection_inputs(county)
    scenarios = load_scenarios(county)
    outputs = plan_outputs(county, "medium", inputs=inputs, calibration=calibration)
    made = {"calibration": calibration, "trajectories": INTERVAL_TRAJECTORIES, "seed": INTERVAL_SEED}
    model = explorer_model(county, {"medium": outputs.plan}, inputs, scenarios, made)
    medium = scenarios["medium"]
    start = starting_values(medium, inputs.rates.county_tfr, 2028)
    untouched = scenario_with(medium, dict(start), start, model["construction_plan"], county.base_year)
    live = band(model, untouched)
    stored = outputs.intervals[outputs.intervals["region"] == county.county_code].reset_index(drop=True)
    pd.testing.assert_frame_equal(live.reset_index(drop=True), stored, rtol=1e-9, check_dtype=False)
    assert set(live["series"]) == {"population", "women_15_49"}
    later = live[live["year"] > county.base_year]
    assert (later["lower_80"] < later["median"]).all() and (later["median"] < later["upper_80"]).all()
    assert (later["lower_95"] < later["lower_80"]).all() and (later["upper_80"] < later["upper_95"]).all()

    higher = scenario_with(
        medium, start | {"tfr": start["tfr"] + 0.4}, start, model["construction_plan"], county.base_year
    )
    began = time.perf_counter()
    moved = band(model, higher)
    seconds = time.perf_counter() - began
    print(f"live band, {INTERVAL_TRAJECTORIES} trajectories: {seconds * 1000:.0f} ms")
    assert seconds < 3.0  # ~50 ms on a quiet machine (benchmarks/README.md); generous for a shared one
    horizon = int(live["year"].max())

    def at(frame, series):
        return frame[(frame["series"] == series) & (frame["year"] == horizon)].iloc[0]

    assert at(moved, "population")["lower_80"] > at(live, "population")["lower_80"]
    assert at(moved, "population")["upper_80"] > at(live, "population")["upper_80"]
    later_start = start | {"delay": 2}
    delayed = scenario_with(medium, later_start, start, model["construction_plan"], county.base_year)
    assert delayed != untouched and projection_key(delayed) == projection_key(untouched)
    assert projection_key(higher) != projection_key(untouched)


def test_a_demographic_move_draws_the_line_at_once_and_its_own_band_after(demo_with_results) -> None:
    """A planner moving TFR sees the population line move before the band is made (the band drawn last beside
    it), then the moved scenario's own 80% band (what ``band`` gives for it) with the headline's range; moving it
    back redraws the stored band; a construction move redraws the floor area alone."""
    from fpplan.app import results
    from fpplan.app.explorer import band
    from fpplan.app.panels.scenarios import model, scenario_explorer

    page = scenario_explorer(demo_with_results)
    controls = {c.description: c for c in page.children[2].children[0].children}
    population = page.children[-1].children[0]
    headline = page.children[2].children[1].children[0]
    sent = []
    population.observe(lambda change: sent.append(change["new"]), names="figure")

    def line_and_band(figure):
        [lower] = [t for t in figure["data"] if t.get("fill") == "tonexty"]
        return np.array(figure["data"][-1]["y"], float), np.array(lower["y"], float)

    line, stored = line_and_band(population.figure)
    tfr = next(c for label, c in controls.items() if "总和生育率" in label)
    tfr.value = round(tfr.value + tfr.step, 2)
    assert len(sent) == 2
    (first_line, first_band), (second_line, second_band) = map(line_and_band, sent)
    assert first_line[-1] > line[-1]  # a higher TFR: more people in the horizon year, drawn at once
    np.testing.assert_array_equal(first_line, second_line)
    np.testing.assert_array_equal(first_band, stored)  # beside the band drawn before
    assert second_band[-1] > stored[-1]  # then its own band

    manifest = results.current(demo_with_results)
    m = model(manifest)
    base = m["scenarios"][manifest["plan_scenario"]]
    start = starting_values(base, m["inputs"].rates.county_tfr, m["inputs"].base_year + 1)
    higher = scenario_with(base, start | {"tfr": tfr.value}, start, m["construction_plan"], m["base_year"])
    own = band(m, higher)
    np.testing.assert_allclose(second_band, own[own["series"] == "population"]["lower_80"], rtol=1e-9)
    assert f"{second_band[-1]:,.0f}" in headline.html  # the headline's range is the band's

    sent.clear()
    tfr.value = round(tfr.value - tfr.step, 2)  # back at the start: the stored band, made again
    assert len(sent) == 2
    np.testing.assert_allclose(line_and_band(sent[-1])[1], stored, rtol=1e-9)
    np.testing.assert_allclose(line_and_band(sent[-1])[0], line, rtol=1e-12)

    sent.clear()
    area, areas = page.children[-1].children[3], []
    area.observe(lambda change: areas.append(change["new"]), names="figure")
    shift = next(c for label, c in controls.items() if "竣工" in label)
    shift.value = shift.value + 1  # construction only: the projection and its band kept, not drawn again
    assert sent == [] and len(areas) == 1
