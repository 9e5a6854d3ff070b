"""Everything the map dashboard and the workbook show, from a County in one call: ``spatial_results``.

Village people by year: each village's base-year share of its township's women 15–49 (and married women 15–49)
× the township's projection (fpplan.planning.demand.village_bases and projected_bases). Migrant women: the
village's mean monthly ``migrant_women`` over the last 12 months of reports as a share of its married women,
else spatial.yaml's ``mobile.migrant_share``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import shapely

from fpplan.data.base.local_projection import LocalProjection
from fpplan.data.base.road_network import node_xy, road_graph
from fpplan.data.memo import per_county
from fpplan.data.models.spatial import SpatialConfig
from fpplan.spatial import coverage as cov
from fpplan.spatial.distance import Metric
from fpplan.spatial.siting import choose_sites

CIRCLE_SEGMENTS = 24  # quarter-circle segments of a drawn service radius


def county_projection(county) -> LocalProjection:
    """The local transverse Mercator of the county: centred on its configured extent, else on its places."""
    extent = county.config["spatial"].extent
    if extent is not None:
        return LocalProjection(
            round((extent.lon_min + extent.lon_max) / 2, 2), round((extent.lat_min + extent.lat_max) / 2, 2)
        )
    frames = [f[["lon", "lat"]] for f in (county.units, county.facilities) if "lon" in f]
    both = pd.concat(frames)
    return LocalProjection.around(both["lon"], both["lat"])


def metric_for(county, projection: LocalProjection) -> Metric:
    """Straight line × detour, or travel time over the county's roads (spatial.yaml ``method``)."""
    cfg: SpatialConfig = county.config["spatial"]
    roads = county.geography.roads
    method = cfg.method if cfg.method != "auto" else ("travel_time" if len(roads) else "distance")
    if method == "travel_time" and not len(roads):
        method = "distance"  # no road file: fall back (the results' meta row says which was used)
    graph = None
    if method == "travel_time":
        lines = [projection.geometry_to_km(g) for g in roads["geometry"]]
        graph = road_graph(lines, list(roads["road_class"]), dict(cfg.travel.road_speed_kmh), cfg.travel.snap_m / 1000)
    return Metric(method, cfg.detour_factor.value, graph, cfg.travel.walking_kmh.value)


def _xy(frame: pd.DataFrame, projection: LocalProjection) -> pd.DataFrame:
    lon = frame["lon"] if "lon" in frame else pd.Series(np.nan, index=frame.index)
    lat = frame["lat"] if "lat" in frame else pd.Series(np.nan, index=frame.index)
    x, y = projection.to_km(lon.to_numpy(float), lat.to_numpy(float))
    return frame.assign(lon=lon.to_numpy(float), lat=lat.to_numpy(float), x_km=x, y_km=y)


def _places(county, projection: LocalProjection) -> pd.DataFrame:
    """Every place coverage is counted for (villages, and townships without villages), with names and x/y."""
    places = county.places().rename(columns={"code": "village_code"})
    units = county.units.set_index("code")
    cols = [c for c in ("name", "lon", "lat") if c in units]
    places = places.join(units[cols], on="village_code")
    places = _xy(places, projection)
    places["township_name"] = places["township_code"].map(units["name"]) if "name" in units else places["township_code"]
    return places.assign(known=np.isfinite(places["x_km"]) & np.isfinite(places["y_km"]))


def _stations(county, projection: LocalProjection, threshold: float | None, unit: str) -> pd.DataFrame:
    cfg: SpatialConfig = county.config["spatial"]
    fac = county.facilities
    fac = _xy(fac[fac["level"].isin(list(cfg.reach))].reset_index(drop=True), projection)
    fac = fac[np.isfinite(fac["x_km"])].reset_index(drop=True)
    reach = {level: (r.radius_km if unit == "km" else r.minutes) for level, r in cfg.reach.items()}
    fac["threshold"] = float(threshold) if threshold is not None else fac["level"].map(reach).astype(float)
    fac["standard_year"] = cov.standard_year(fac, county.construction_plan, cfg.standard_grade).to_numpy()
    staff = county.staff.groupby("station_code")["fte"].sum()
    fac["staff"] = fac["code"].map(staff).fillna(0.0)
    return fac


def spatial_results(
    county, people: pd.DataFrame, threshold: float | None = None, new_sites: int | None = None, year: int | None = None
) -> dict[str, pd.DataFrame]:
    """Coverage, villages beyond reach, mobile vehicles, suggested sites, the plan check and the map's geometry.

    ``threshold``: one radius (km) or travel time (min) for every station instead of spatial.yaml's per-level
    reach; ``new_sites``: how many new stations to site (default spatial.yaml ``siting.new_sites``); ``year``: the
    year the sites and the plan check use (default the last of ``people``); ``people``: the women of every village and
    year (``fpplan.planning.demand.village_people`` of a projection: village_code, township_code, year,
    women_15_49, married_women_15_49, migrant_women). Tables (all sorted): meta, places, station_places, access, stations,
    townships, county, rounds, vehicles, sites, plan_check, boundaries, roads, catchments."""
    cfg: SpatialConfig = county.config["spatial"]
    own = None if threshold is None else float(threshold)  # the setting's key
    setting = _setting(county, own)
    metric, places, stations, cost = setting.metric, setting.places.copy(deep=False), setting.stations, setting.cost
    years = np.sort(people["year"].unique())
    year = int(year if year is not None else years[-1])
    tables = cov.coverage(places, stations, cost, people)
    access = tables["access"].merge(
        people[["village_code", "year", "migrant_women"]], on=["village_code", "year"], how="left"
    )
    tables["access"] = access
    rounds, vehicles = _vehicles(county, access, places, stations, metric, years)
    vehicles["vehicles_existing"] = int((county.facilities["level"] == "mobile_vehicle").sum())
    new_sites = cfg.siting.new_sites if new_sites is None else int(new_sites)
    new_threshold = (
        threshold
        if threshold is not None
        else (
            cfg.reach[cfg.siting.new_level].radius_km
            if metric.unit == "km"
            else cfg.reach[cfg.siting.new_level].minutes
        )
    )
    sites, plan_check = _siting(county, places, stations, people, own, year, new_sites, float(new_threshold))
    meta = pd.DataFrame(
        [
            {
                "method": metric.method,
                "unit": metric.unit,
                "year": year,
                "new_sites": new_sites,
                "new_sites_gain": float(sites.attrs["total_gain"]),
                "threshold": threshold,
                "new_threshold": float(new_threshold),
                "detour_factor": metric.detour_factor,
                "base_year": int(years[0]),
            }
        ]
    )
    geometry = {name: table.copy(deep=False) for name, table in setting.geometry.items()}
    station_places = stations[
        [
            "code",
            "name",
            "level",
            "township_code",
            "grade",
            "floor_area_m2",
            "lon",
            "lat",
            "x_km",
            "y_km",
            "threshold",
            "standard_year",
            "staff",
        ]
    ]
    return {
        "meta": meta,
        "places": places,
        "station_places": station_places,
        **tables,
        "rounds": rounds,
        "vehicles": vehicles,
        "sites": sites,
        "plan_check": plan_check,
        **geometry,
    }


@dataclass(frozen=True)
class _Setting:
    """What the map's tables start from that no scenario changes: the projection, the metric (the road graph),
    the places, the stations with their threshold, the cost from every place to every station, the geometry."""

    metric: Metric
    places: pd.DataFrame
    stations: pd.DataFrame
    cost: np.ndarray
    geometry: dict[str, pd.DataFrame]


@per_county
def _setting(county, threshold: float | None) -> _Setting:
    """The :class:`_Setting` of ``county`` with ``threshold`` (see :func:`spatial_results`): the same for every
    scenario's people, so made once per County and threshold (three scenarios' maps, a slider's steps)."""
    frame = county_projection(county)
    metric = metric_for(county, frame)
    places = _places(county, frame)
    stations = _stations(county, frame, threshold, metric.unit)
    cost = metric.matrix(places[["x_km", "y_km"]].to_numpy(float), stations[["x_km", "y_km"]].to_numpy(float))
    cost.flags.writeable = False  # shared by every scenario's map
    return _Setting(metric, places, stations, cost, _geometry(county, frame, stations, metric))


@per_county
def _candidate_costs(
    county, threshold: float | None, year: int, new_threshold: float
) -> tuple[pd.DataFrame, np.ndarray]:
    """The siting's candidates (the stations open in ``year``, then every village with coordinates as a new site
    reaching ``new_threshold``) and the cost from every village with coordinates to each, in thresholds
    (unreachable by road: 1e6): the same for every scenario's people, so made once per County and setting."""
    setting = _setting(county, threshold)
    places, stations, metric = setting.places, setting.stations, setting.metric
    known = places[places["known"]].reset_index(drop=True)
    open_now = stations[stations["opening_year"] <= year]
    candidates = pd.concat(
        [
            pd.DataFrame(
                {
                    "id": open_now["code"],
                    "x_km": open_now["x_km"],
                    "y_km": open_now["y_km"],
                    "threshold": open_now["threshold"],
                }
            ),
            pd.DataFrame(
                {"id": known["village_code"], "x_km": known["x_km"], "y_km": known["y_km"], "threshold": new_threshold}
            ),
        ],
        ignore_index=True,
    )
    xy = known[["x_km", "y_km"]].to_numpy(float)
    cost = (
        metric.matrix(xy, candidates[["x_km", "y_km"]].to_numpy(float))
        / candidates["threshold"].to_numpy(float)[None, :]
    )
    cost = np.nan_to_num(cost, nan=1e6)  # unreachable by road
    cost.flags.writeable = False  # shared by every scenario's siting
    return candidates, cost


def _vehicles(county, access, places, stations, metric: Metric, years) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Rounds and vehicles for the villages beyond reach; travel from the nearest vehicle base (the station of a
    mobile vehicle's township; every station when the county lists no vehicle)."""
    cfg: SpatialConfig = county.config["spatial"]
    fac = county.facilities
    base_townships = fac.loc[fac["level"] == "mobile_vehicle", "township_code"].dropna().unique()
    bases = stations[stations["township_code"].isin(base_townships)]
    bases = bases if len(bases) else stations
    beyond = access[access["access"] == "beyond"]
    codes = beyond["village_code"].unique()
    xy = places.set_index("village_code").loc[codes, ["x_km", "y_km"]].to_numpy(float)
    one_way = metric.matrix(xy, bases[["x_km", "y_km"]].to_numpy(float)).min(axis=1) if len(codes) else np.array([])
    hours = 2 * (one_way / 60.0 if metric.unit == "min" else one_way / cfg.mobile.speed_kmh.value)
    beyond = beyond.assign(travel_hours=beyond["village_code"].map(dict(zip(codes, hours))))
    return cov.mobile_rounds(beyond, cfg.mobile, years)


def _siting(
    county, places, stations, people, threshold: float | None, year: int, new_sites: int, new_threshold: float
):
    """Suggested new sites (maximal covering of women 15–49 in ``year``, every open station kept) and the plan
    check (women covered by the construction plan's stations against the best as many sites)."""
    known = places[places["known"]].reset_index(drop=True)
    weight = people[people["year"] == year].set_index("village_code")["women_15_49"]
    demand = pd.DataFrame(
        {
            "id": known["village_code"],
            "x_km": known["x_km"],
            "y_km": known["y_km"],
            "weight": known["village_code"].map(weight).fillna(0.0).to_numpy(),
        }
    )
    open_now = stations[stations["opening_year"] <= year]
    candidates, cost = _candidate_costs(county, threshold, year, new_threshold)
    base = choose_sites(demand, candidates, 0, "coverage", radius_km=1.0, existing=open_now["code"], cost=cost)
    best = choose_sites(demand, candidates, new_sites, "coverage", radius_km=1.0, existing=open_now["code"], cost=cost)
    ids = pd.Index(candidates["id"])
    within = cost <= 1.0
    covered_before = within[:, ids.get_indexer(open_now["code"])].any(axis=1)
    names = places.set_index("village_code")
    rows = []
    for rank, site in enumerate(best.chosen, start=1):
        col = ids.get_loc(site)
        rows.append(
            {
                "rank": rank,
                "site": site,
                "site_name": names.loc[site, "name"] if "name" in names else site,
                "township_code": names.loc[site, "township_code"],
                "lon": names.loc[site, "lon"],
                "lat": names.loc[site, "lat"],
                "x_km": names.loc[site, "x_km"],
                "y_km": names.loc[site, "y_km"],
                "year": year,
                "threshold": new_threshold,
                "women_within": float(demand["weight"][within[:, col]].sum()),
                "gain_women": float(demand["weight"][within[:, col] & ~covered_before].sum()),
            }
        )
    sites = pd.DataFrame(
        rows,
        columns=[
            "rank",
            "site",
            "site_name",
            "township_code",
            "lon",
            "lat",
            "x_km",
            "y_km",
            "year",
            "threshold",
            "women_within",
            "gain_women",
        ],
    )
    sites.attrs["total_gain"] = best.objective - base.objective  # women newly covered by all new sites together
    planned = [s for s in county.construction_plan["station_code"].unique() if s in set(stations["code"])]
    plan_cols = ids.get_indexer(planned)
    plan_covered = float(demand["weight"][within[:, plan_cols].any(axis=1)].sum()) if planned else 0.0
    k = len(planned)
    optimum = choose_sites(demand, candidates, k, "coverage", radius_km=1.0, cost=cost) if k else None
    plan_check = pd.DataFrame(
        [
            {
                "year": year,
                "stations": k,
                "plan_covered": plan_covered,
                "best_covered": optimum.objective if optimum else 0.0,
                "plan_efficiency": plan_covered / optimum.objective if optimum and optimum.objective > 0 else np.nan,
                "women_15_49": float(demand["weight"].sum()),
                "best_sites": ";".join(optimum.chosen) if optimum else "",
                "plan_sites": ";".join(planned),
            }
        ]
    )
    return sites, plan_check


def _vertices(key: str, values, geometries) -> pd.DataFrame:
    """Outline vertices of (Multi)Polygons or lines as rows (key, part, x_km, y_km), one part per ring/line."""
    keep = [(v, g) for v, g in zip(values, geometries) if g is not None and not g.is_empty]
    if not keep:
        return pd.DataFrame(columns=[key, "part", "x_km", "y_km"])
    parts, index = shapely.get_parts([g for _, g in keep], return_index=True)
    polygon = shapely.get_type_id(parts) == 3
    rings = np.where(polygon, shapely.get_exterior_ring(np.where(polygon, parts, None)), parts)
    xy, ring = shapely.get_coordinates(rings, return_index=True)
    first = np.r_[0, np.flatnonzero(np.diff(index)) + 1]  # part number within its geometry
    number = np.arange(len(parts)) - np.repeat(first, np.diff(np.r_[first, len(parts)]))
    owner = np.array([v for v, _ in keep], dtype=object)
    return pd.DataFrame({key: owner[index[ring]], "part": number[ring], "x_km": xy[:, 0], "y_km": xy[:, 1]})


def _geometry(county, frame: LocalProjection, stations: pd.DataFrame, metric: Metric) -> dict[str, pd.DataFrame]:
    """Township outlines, roads and each station's catchment, in km: a circle of radius threshold ÷ detour
    (distance), or the roads reachable within the travel time buffered by what is left to walk, at most 1.5 km."""
    geo = county.geography
    townships = [frame.geometry_to_km(g) for g in geo.boundaries["geometry"]]
    outline = shapely.union_all(townships) if townships else None
    boundaries = _vertices("township_code", geo.boundaries["township_code"], townships)
    roads = _vertices("feature", geo.roads["feature"], [frame.geometry_to_km(g) for g in geo.roads["geometry"]])
    roads.insert(1, "road_class", roads["feature"].map(dict(zip(geo.roads["feature"], geo.roads["road_class"]))))
    shapes = []
    for s in stations.itertuples():
        if metric.method == "distance":
            shape = shapely.Point(s.x_km, s.y_km).buffer(s.threshold / metric.detour_factor, CIRCLE_SEGMENTS)
        else:
            shape = _isochrone(metric, (s.x_km, s.y_km), s.threshold)
        shapes.append(shape.intersection(outline) if outline is not None and shape is not None else shape)
    catchments = _vertices("station", stations["code"], shapes)
    return {"boundaries": boundaries, "roads": roads, "catchments": catchments}


def _isochrone(metric: Metric, xy: tuple[float, float], minutes: float):
    """Area within ``minutes`` of a point: every road node reached in time t, buffered by the walk left
    (minutes − t) at walking speed, capped at 1.5 km, joined with the reached road segments."""
    import networkx as nx

    graph = metric.graph
    ids, nodes = node_xy(graph)
    start = int(ids[np.argmin(np.hypot(nodes[:, 0] - xy[0], nodes[:, 1] - xy[1]))])
    walk = float(np.hypot(*(np.array(xy) - nodes[ids == start][0]))) / metric.walking_kmh * 60
    reached = nx.single_source_dijkstra_path_length(graph, start, cutoff=max(minutes - walk, 0), weight="minutes")
    node = np.fromiter(reached, dtype=int, count=len(reached))
    t = np.fromiter(reached.values(), dtype=float, count=len(reached))
    at = nodes[pd.Index(ids).get_indexer(node)]
    radius = np.clip((minutes - walk - t) / 60 * metric.walking_kmh, 0.3, 1.5)
    pieces = list(shapely.buffer(shapely.points(at), radius, quad_segs=8))
    edges = np.array(list(graph.subgraph(node.tolist()).edges()), dtype=int).reshape(-1, 2)
    if len(edges):
        index = pd.Index(ids)
        lines = shapely.linestrings(
            np.stack([nodes[index.get_indexer(edges[:, 0])], nodes[index.get_indexer(edges[:, 1])]], 1)
        )
        pieces += list(shapely.buffer(lines, 0.6))
    return shapely.union_all(pieces + [shapely.Point(xy).buffer(0.5)]).simplify(0.1)
