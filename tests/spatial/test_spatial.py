"""Distances (straight line × detour; travel time on a three-edge road network by hand), coverage on a hand-drawn
five-village county, the mobile rounds by hand, and the demo county's geography and results (identities)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import shapely
from pyproj import Geod

from fpplan.data.base.road_network import road_graph
from fpplan.data.models.spatial import Mobile
from fpplan.spatial import LocalProjection, Metric, spatial_results
from fpplan.spatial.coverage import coverage, mobile_rounds, standard_year
from fpplan.spatial.results import SpatialBase, county_projection, setting_results

SPEEDS = {"national": 60.0, "county": 40.0, "village": 20.0}


def test_straight_line_times_detour_matches_the_geodesic() -> None:
    projection = LocalProjection(87.9, 44.05)
    lon = np.array([87.70, 88.15, 87.95])
    lat = np.array([44.30, 43.85, 44.05])
    x, y = projection.to_km(lon, lat)
    metric = Metric("distance", detour_factor=1.3)
    km = metric.matrix(np.column_stack([x, y])[:2], np.column_stack([x, y])[2:])
    _, _, metres = Geod(ellps="GRS80").inv(lon[:2], lat[:2], lon[[2, 2]], lat[[2, 2]])
    np.testing.assert_allclose(km[:, 0], metres / 1000 * 1.3, rtol=2e-4)  # a local TM keeps lengths near its centre
    back = projection.to_lonlat(x, y)
    np.testing.assert_allclose(back, [lon, lat], atol=1e-9)
    assert metric.unit == "km"


def test_travel_time_on_a_three_edge_network_by_hand() -> None:
    # P(0,0) —national 10 km— Q(10,0) —village 5 km— R(10,5); Q —county 20 km— S(30,0)
    lines = [
        shapely.LineString([(0, 0), (10, 0)]),
        shapely.LineString([(10, 0), (10, 5)]),
        shapely.LineString([(10, 0), (30, 0)]),
    ]
    graph = road_graph(lines, ["national", "village", "county"], SPEEDS)
    assert graph.number_of_nodes() == 4 and graph.number_of_edges() == 3
    metric = Metric("travel_time", graph=graph, walking_kmh=4.0)
    origins = np.array([[10, 6], [31, 0], [0.5, 0], [np.nan, 1]])
    minutes = metric.matrix(origins, np.array([[0, 0], [30, 0]]))
    # (10,6): walk 1 km to R = 15 min, R→Q 5 km at 20 = 15, Q→P 10 km at 60 = 10  → 40; to S: 15 + 15 + 30 = 60
    # (31,0): walk 1 km to S = 15, S→Q 30, Q→P 10 → 55; to S: walking 1 km = 15
    # (0.5,0): walk 0.5 km = 7.5 to P; to S: 7.5 + 10 + 30 = 47.5
    expected = [[40.0, 60.0], [55.0, 15.0], [7.5, 47.5]]
    np.testing.assert_allclose(minutes[:3], expected)
    assert np.isnan(minutes[3]).all()  # no coordinates, no time
    assert metric.unit == "min"
    # walking straight is used when quicker than the roads: from (5, 0.2) to (5, -0.2) is 0.4 km = 6 min
    assert metric.matrix(np.array([[5, 0.2]]), np.array([[5, -0.2]]))[0, 0] == pytest.approx(6.0)


def five_villages():
    villages = pd.DataFrame(
        {
            "village_code": ["v1", "v2", "v3", "v4", "v5"],
            "township_code": ["t1"] * 3 + ["t2"] * 2,
            "x_km": [4.0, 8.0, 16.0, 27.0, np.nan],
            "y_km": [3.0, 0.0, 0.0, 4.0, np.nan],
        }
    )
    villages["known"] = villages["x_km"].notna()
    stations = pd.DataFrame(
        {
            "code": ["A", "B"],
            "level": ["township_general", "township_general"],
            "grade": ["C", "B"],
            "opening_year": [1999, 2027],
            "x_km": [0.0, 30.0],
            "y_km": [0.0, 0.0],
            "threshold": [10.0, 10.0],
        }
    )
    plan = pd.DataFrame({"station_code": ["A"], "target_grade": ["B"], "completion_year": [2027]})
    stations["standard_year"] = standard_year(stations, plan, {"township_general": "B"}).to_numpy()
    women = {"v1": 100.0, "v2": 200.0, "v3": 300.0, "v4": 400.0, "v5": 500.0}
    people = pd.DataFrame(
        [(v, y, w, w / 2) for y in (2026, 2027) for v, w in women.items()],
        columns=["village_code", "year", "women_15_49", "married_women_15_49"],
    )
    return villages, stations, people


def test_coverage_of_five_villages_by_hand() -> None:
    villages, stations, people = five_villages()
    metric = Metric("distance", detour_factor=1.25)
    cost = metric.matrix(villages[["x_km", "y_km"]].to_numpy(), stations[["x_km", "y_km"]].to_numpy())
    # v1: 5 km straight → 6.25 road to A; v2: 8 → 10.0 (at the radius: within); v3: 16 → 20 to A, 14 → 17.5 to B;
    # v4: 5 → 6.25 to B (open from 2027); v5: no coordinates
    assert cost[:4, 0].tolist()[:2] == pytest.approx([6.25, 10.0])
    out = coverage(villages, stations, cost, people)
    access = out["access"].set_index(["village_code", "year"])["access"]
    assert access.xs(2026, level="year").tolist() == ["covered", "covered", "beyond", "beyond", "unknown"]
    assert access.xs(2027, level="year").tolist() == ["covered", "covered", "beyond", "covered", "unknown"]
    county = out["county"].set_index("year")
    assert county.loc[2026, ["women_covered", "women_beyond", "women_unknown"]].tolist() == [300.0, 700.0, 500.0]
    assert county.loc[2027, ["women_covered", "women_beyond", "women_unknown"]].tolist() == [700.0, 300.0, 500.0]
    assert county.loc[2026, "share_covered"] == pytest.approx(300 / 1500)
    assert county.loc[2027, "married_covered"] == pytest.approx(350.0)
    # A is grade C until its B-grade building completes in 2027; B opens at grade B in 2027
    assert county["women_standard"].tolist() == [0.0, 700.0]
    assert county["stations_open"].tolist() == [1, 2] and county["stations_standard"].tolist() == [0, 2]
    st = out["stations"].set_index(["station", "year"])
    assert st.loc[("A", 2026), ["villages_within", "women_within", "married_within"]].tolist() == [2, 300.0, 150.0]
    assert st.loc[("B", 2026), "women_within"] == 400.0 and not st.loc[("B", 2026), "open"]
    towns = out["townships"].set_index(["township_code", "year"])
    assert towns.loc[("t2", 2027), "share_covered"] == pytest.approx(400 / 900)
    nearest = out["access"].set_index(["village_code", "year"])
    assert nearest.loc[("v3", 2026), "nearest_station"] == "A" and nearest.loc[("v3", 2027), "nearest_station"] == "B"
    assert nearest.loc[("v3", 2027), "cost"] == pytest.approx(17.5)
    assert pd.isna(nearest.loc[("v5", 2026), "nearest_station"])


def test_mobile_rounds_by_hand() -> None:
    config = Mobile.model_validate(
        {
            "working_days_per_year": {"value": 24, "source": "t"},
            "hours_per_day": {"value": 5, "source": "t"},
            "speed_kmh": {"value": 40, "source": "t"},
            "team_size": {"value": 2, "source": "t"},
            "migrant_share": {"value": 0.1, "source": "t"},
            "rounds": {
                "a": {
                    "months": [3],
                    "base": "married_women_15_49",
                    "uptake": 1.0,
                    "minutes_per_person": 60,
                    "source": "t",
                },
                "b": {
                    "months": [3, 9],
                    "base": "migrant_women",
                    "uptake": 0.5,
                    "minutes_per_person": 30,
                    "source": "t",
                },
            },
        }
    )
    beyond = pd.DataFrame(
        {
            "village_code": ["x"],
            "year": [2030],
            "travel_hours": [2.0],
            "women_15_49": [150.0],
            "married_women_15_49": [100.0],
            "migrant_women": [10.0],
        }
    )
    rounds, vehicles = mobile_rounds(beyond, config, years=[2029, 2030])
    # March: trip 2 h + a: 100 × 1 h ÷ 2 = 50 h + b: 10 × 0.5 × 0.5 h ÷ 2 = 1.25 h → 53.25 h = 10.65 days;
    # September: 2 + 1.25 = 3.25 h = 0.65 days; the March trip is shared by a and b (1 h each)
    r = rounds.set_index("round")
    assert r.loc["a", ["travel_hours", "service_hours", "vehicle_days"]].tolist() == pytest.approx([1.0, 50.0, 10.2])
    assert r.loc["b", ["travel_hours", "service_hours", "vehicle_days"]].tolist() == pytest.approx([3.0, 2.5, 1.1])
    assert r.loc["b", "visits"] == pytest.approx(10.0)
    v = vehicles.set_index("year")
    assert v.loc[2030, "vehicle_days"] == pytest.approx(11.3) and v.loc[2030, "peak_month"] == 3
    assert v.loc[2030, "vehicles_needed"] == 6  # ⌈10.65 ÷ (24 ÷ 12)⌉
    assert v.loc[2029, "vehicles_needed"] == 0 and v.loc[2029, "vehicle_days"] == 0.0


def test_demo_distances_agree_with_coordinates(county) -> None:
    projection = county_projection(county)
    villages = county.villages()
    fac = county.facilities
    stations = fac[fac["level"].isin(["county_station", "township_central", "township_general"])]
    at = stations.drop_duplicates("township_code").set_index("township_code")[["lon", "lat"]]
    vx, vy = projection.to_km(villages["lon"], villages["lat"])
    sx, sy = projection.to_km(at.loc[villages["township_code"], "lon"], at.loc[villages["township_code"], "lat"])
    detour = county.config["spatial"].detour_factor.value
    np.testing.assert_allclose(np.hypot(vx - sx, vy - sy) * detour, villages["distance_km"], atol=0.06)
    far = villages[villages["distance_km"] > 25]
    assert set(far["township_code"].str[-3:]) >= {"004", "007", "008"}


def test_demo_villages_lie_in_their_township(county) -> None:
    boundaries = county.geography.boundaries.set_index("township_code")["geometry"]
    assert len(boundaries) == 8 and all(g.is_valid for g in boundaries)
    villages = county.villages()
    points = shapely.points(villages["lon"], villages["lat"])
    inside = shapely.contains(boundaries.loc[villages["township_code"]].to_numpy(), points)
    assert inside.all(), villages.loc[~inside, "code"].tolist()
    projection = county_projection(county)
    area = sum(projection.geometry_to_km(g).area for g in boundaries)
    assert 3500 < area < 4700  # about the 3,860 km² of the demo county's units row
    assert county.geography.roads["road_class"].isin(["provincial", "county", "township", "village"]).all()


@pytest.fixture(scope="module")
def people(county):
    from fpplan.demography import load_scenarios, prepare, project
    from fpplan.planning.demand import village_people

    return village_people(county, project(prepare(county), load_scenarios(county)["medium"]))


@pytest.fixture(scope="module")
def results(county, people):
    return spatial_results(county, people)


def test_demo_results_identities(county, results) -> None:
    c = results["county"]
    np.testing.assert_allclose(c["women_covered"] + c["women_beyond"] + c["women_unknown"], c["women_15_49"])
    assert (c["women_standard"] <= c["women_covered"] + 1e-9).all()
    assert c["stations_standard"].is_monotonic_increasing  # the plan's projects only add stations at standard
    last_completion = county.construction_plan["completion_year"].max()
    done = c[c["year"] >= last_completion]
    np.testing.assert_allclose(done["women_standard"], done["women_covered"])  # every station at standard
    assert (c.loc[c["year"] < county.construction_plan["completion_year"].min(), "women_standard"] == 0).all()
    # the villages' women add up to the projected townships' women
    from fpplan.demography import load_scenarios, prepare, project
    from fpplan.planning.demand import projected_bases

    bases = projected_bases(project(prepare(county), load_scenarios(county)["medium"]))
    np.testing.assert_allclose(c.set_index("year")["women_15_49"], bases.groupby("year")["women_15_49"].sum())
    access = results["access"]
    assert len(access) == len(county.places()) * c["year"].nunique()  # no village dropped
    t = results["townships"].groupby("year")[["women_covered", "women_beyond"]].sum()
    np.testing.assert_allclose(t.to_numpy(), c.set_index("year")[["women_covered", "women_beyond"]].to_numpy())


def test_demo_remote_villages_are_beyond_reach(county, people, results) -> None:
    access = results["access"]
    base = access[access["year"] == access["year"].min()].set_index("village_code")
    far = county.villages().query("distance_km > 30")["code"]
    assert (base.loc[far, "access"] == "beyond").all()
    assert results["meta"]["method"].iloc[0] == "travel_time"  # the demo has a road file
    # with straight line × detour instead, the beyond villages are those farther than 25 km from every station
    cfg = county.config["spatial"].model_copy(update={"method": "distance"})
    plain = dataclasses.replace(county, config={**county.config, "spatial": cfg})
    by_km = spatial_results(plain, people, new_sites=0)
    first = by_km["access"][by_km["access"]["year"] == 2025].set_index("village_code")
    assert (first.loc[first["access"] == "covered", "cost"] <= 30 + 1e-9).all()
    assert (first.loc[first["access"] == "beyond", "cost"] > 25).all()
    assert set(far) <= set(first.index[first["access"] == "beyond"])


@pytest.mark.parametrize("method", ["travel_time", "distance"])
def test_one_base_gives_each_setting_the_tables_of_a_fresh_call(county, people, method) -> None:
    """Many settings from one SpatialBase (its cost matrix, catchments and plan-check optimum kept between
    settings, in any order, repeats included) give exactly the tables of a fresh spatial_results call each (on a
    County with nothing kept)."""
    if method == "distance":
        cfg = county.config["spatial"].model_copy(update={"method": "distance"})
        county = dataclasses.replace(county, config={**county.config, "spatial": cfg})
    base = SpatialBase(county, people)
    settings = [(None, None, None), (30.0, 1, None), (None, 0, None), (15.0, 3, 2030), (30.0, 2, None), (None, 1, None)]
    for threshold, new_sites, year in settings:
        got = setting_results(base, threshold, new_sites, year)
        want = spatial_results(dataclasses.replace(county), people, threshold, new_sites, year)  # nothing kept
        assert list(got) == list(want) and got["meta"]["method"].iloc[0] == method
        for name in want:
            pd.testing.assert_frame_equal(got[name], want[name], check_exact=True, obj=name)
        assert got["sites"].attrs == want["sites"].attrs
    # each station's catchment made once for each threshold it had (its level's reach, 30 and 15)
    reach = base.stations["threshold"]
    made = {("catchment", i, t) for i, r in enumerate(reach) for t in (r, 30.0, 15.0)}
    assert {k for k in base.map.memo if k[0] == "catchment"} == made
    # the plan check's optimum once per (threshold, year): (reach, 2035), (30, 2035), (15, 2030)
    assert {k for k in base.memo if k[0] == "optimum"} == {
        ("optimum", None, 2035),
        ("optimum", 30.0, 2035),
        ("optimum", 15.0, 2030),
    }


def test_demo_vehicles_sites_and_plan_check(results) -> None:
    vehicles = results["vehicles"]
    assert (vehicles["vehicles_needed"] >= 1).all() and (vehicles["vehicles_existing"] == 2).all()
    rounds = results["rounds"]
    per_year = rounds.groupby("year")["vehicle_days"].sum()
    np.testing.assert_allclose(per_year, vehicles.set_index("year")["vehicle_days"])
    sites = results["sites"]
    assert len(sites) == 1 and sites["gain_women"].iloc[0] > 0
    beyond_last = results["access"].query("year == 2035 and access == 'beyond'")
    assert sites["gain_women"].iloc[0] <= beyond_last["women_15_49"].sum()
    check = results["plan_check"].iloc[0]
    assert check["stations"] == 8 and check["plan_covered"] <= check["best_covered"] + 1e-6
    assert 0.5 < check["plan_efficiency"] <= 1.0


def test_workbook_gets_the_map_tables(county, results, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    from fpplan.app.workbook import write_workbook
    from fpplan.planning.plan import make_plan

    path = write_workbook(make_plan(county, "medium"), tmp_path / "plan.xlsx", spatial=results)
    book = load_workbook(path, read_only=True)
    for sheet in ("全县覆盖", "服务站覆盖", "超出服务范围的村", "流动服务车", "建议站址", "规划站点检验"):
        assert sheet in book.sheetnames
    beyond = list(book["超出服务范围的村"].iter_rows(values_only=True))
    assert len(beyond) - 1 == int((results["access"]["access"] != "covered").sum())
    assert "行程时间(分钟)" in beyond[0] and "超出服务范围" in beyond[1]
    vehicles = list(book["流动服务车"].iter_rows(values_only=True))
    needed = vehicles[0].index("需要服务车(辆)")
    assert [r[needed] for r in vehicles[1:]] == results["vehicles"]["vehicles_needed"].tolist()


def test_every_scenarios_map_shares_one_county_map_and_keeps_its_own_people(county, people) -> None:
    """Another scenario's people (every village's women scaled) on the same County: the county's map (projection,
    costs, catchments) is made once and shared, each scenario's tables are those of a fresh call, and neither
    changes what the other gets."""
    other = people.assign(
        women_15_49=people["women_15_49"] * 1.3, married_women_15_49=people["married_women_15_49"] * 0.7
    )
    first = spatial_results(county, people)
    second = spatial_results(county, other)
    assert SpatialBase(county, other).map is SpatialBase(county, people).map  # once per County
    assert SpatialBase(dataclasses.replace(county), people).map is not SpatialBase(county, people).map
    assert not first["townships"].equals(second["townships"])  # the people count
    for got, who in ((first, people), (second, other), (spatial_results(county, people), people)):
        want = spatial_results(dataclasses.replace(county), who)
        for name in want:
            pd.testing.assert_frame_equal(got[name], want[name], check_exact=True, obj=name)
