"""What the map's tables of every setting share: ``SpatialBase(county, people)`` (its people-free part, the
``CountyMap``, once per County: every scenario's map shares it); ``fpplan.spatial.results`` computes a setting (one
radius or travel time for every station, a number of new sites, a year) from it.

Shared: the county's local projection, the metric (straight line × detour, or travel time over its road graph),
the places with x/y, the stations with x/y, their configured reach, standard year and staff, one cost matrix from
every place to every station and to every place (a new site stands at a village), the township outlines and roads,
and each station's road-network travel times for its catchment. A setting only changes which of these costs count
as within reach, so none of them is computed again for it; the pieces two settings share are kept: a catchment of
the same station and threshold in the county map's ``memo``, the plan check's best sites for the same threshold and
year in the base's.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import shapely

from fpplan.data.base.local_projection import LocalProjection
from fpplan.data.base.road_network import node_xy, road_graph
from fpplan.data.memo import per_county
from fpplan.data.models.spatial import SpatialConfig
from fpplan.spatial import coverage as cov
from fpplan.spatial.distance import Metric

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


class CountyMap:
    """What no setting and no scenario changes: everything of ``SpatialBase`` but the people (see the module's
    docstring), once per County (:func:`county_map`: the three scenarios' maps and every step of the page's slider
    share it). ``memo``: the pieces that depend on the county alone (each station's road times, its catchment at a
    threshold)."""

    def __init__(self, county) -> None:
        self.config: SpatialConfig = county.config["spatial"]
        self.frame = county_projection(county)
        self.metric = metric_for(county, self.frame)
        self.places = _places(county, self.frame)
        self.stations = _stations(county, self.frame, self.metric.unit)
        places_xy = self.places[["x_km", "y_km"]].to_numpy(float)
        stations_xy = self.stations[["x_km", "y_km"]].to_numpy(float)
        self.cost = self.metric.matrix(places_xy, np.concatenate([stations_xy, places_xy]))
        self.cost.flags.writeable = False  # shared by every scenario and setting
        geo = county.geography
        townships = [self.frame.geometry_to_km(g) for g in geo.boundaries["geometry"]]
        self.outline = shapely.union_all(townships) if townships else None
        self.boundaries = vertices("township_code", geo.boundaries["township_code"], townships)
        roads = vertices("feature", geo.roads["feature"], [self.frame.geometry_to_km(g) for g in geo.roads["geometry"]])
        roads.insert(1, "road_class", roads["feature"].map(dict(zip(geo.roads["feature"], geo.roads["road_class"]))))
        self.roads = roads
        self.memo: dict = {}  # pieces two settings share that depend on the county alone

    def station_cost(self) -> np.ndarray:
        """(places × stations) cost."""
        return self.cost[:, : len(self.stations)]

    def catchment(self, station: int, threshold: float):
        """The area station number ``station`` serves within ``threshold``, inside the county's outline: a circle of
        radius threshold ÷ detour (distance), or the roads reachable within the travel time buffered by what is
        left to walk, at most 1.5 km (``_isochrone``)."""
        key = ("catchment", station, float(threshold))
        if key not in self.memo:
            x, y = self.stations["x_km"].iat[station], self.stations["y_km"].iat[station]
            if self.metric.method == "distance":
                shape = shapely.Point(x, y).buffer(threshold / self.metric.detour_factor, CIRCLE_SEGMENTS)
            else:
                shape = self._isochrone(station, threshold)
            self.memo[key] = (
                shape.intersection(self.outline) if self.outline is not None and shape is not None else shape
            )
        return self.memo[key]

    def _isochrone(self, station: int, minutes: float):
        """Area within ``minutes`` of a station: every road node reached in time t, buffered by the walk left
        (minutes − t) at walking speed, capped at 1.5 km, joined with the reached road segments."""
        ids, nodes, walk, lengths, xy = self._network(station)
        cutoff = max(minutes - walk, 0)
        # the nodes a Dijkstra cut off at ``cutoff`` reaches, in its order, with their times
        reached = {n: t for n, t in lengths.items() if t <= cutoff}
        node = np.fromiter(reached, dtype=int, count=len(reached))
        t = np.fromiter(reached.values(), dtype=float, count=len(reached))
        index = pd.Index(ids)
        at = nodes[index.get_indexer(node)]
        radius = np.clip((minutes - walk - t) / 60 * self.metric.walking_kmh, 0.3, 1.5)
        pieces = list(shapely.buffer(shapely.points(at), radius, quad_segs=8))
        edges = np.array(list(self.metric.graph.subgraph(node.tolist()).edges()), dtype=int).reshape(-1, 2)
        if len(edges):
            lines = shapely.linestrings(
                np.stack([nodes[index.get_indexer(edges[:, 0])], nodes[index.get_indexer(edges[:, 1])]], 1)
            )
            pieces += list(shapely.buffer(lines, 0.6))
        return shapely.union_all(pieces + [shapely.Point(xy).buffer(0.5)]).simplify(0.1)

    def _network(self, station: int):
        """The road nodes (ids, x/y), the walk from the station to its nearest node (min), the travel time from
        that node to every node it reaches (Dijkstra with no cutoff, in the order found: a cutoff's nodes are those
        within it, in the same order) and the station's x/y; once per station."""
        import networkx as nx

        if "nodes" not in self.memo:
            self.memo["nodes"] = node_xy(self.metric.graph)
        ids, nodes = self.memo["nodes"]
        key = ("network", station)
        if key not in self.memo:
            xy = (self.stations["x_km"].iat[station], self.stations["y_km"].iat[station])
            start = int(ids[np.argmin(np.hypot(nodes[:, 0] - xy[0], nodes[:, 1] - xy[1]))])
            walk = float(np.hypot(*(np.array(xy) - nodes[ids == start][0]))) / self.metric.walking_kmh * 60
            lengths = nx.single_source_dijkstra_path_length(self.metric.graph, start, weight="minutes")
            self.memo[key] = (walk, lengths, xy)
        return (ids, nodes, *self.memo[key])


@per_county
def county_map(county) -> CountyMap:
    """The county's :class:`CountyMap`, made once per County."""
    return CountyMap(county)


class SpatialBase:
    """The parts of ``spatial_results`` no setting changes, for one county and its people (see the module's
    docstring): the county's :class:`CountyMap` (``map``; its tables and methods read through this object) and
    ``people``'s years; ``memo``: the pieces two settings share that depend on the people (the plan check's best
    sites for a threshold and year).

    ``places``: every place coverage is counted for (village_code, township_code, name, lon, lat, x_km, y_km,
    township_name, known); ``stations``: the stations of the levels with a reach that have coordinates, with
    ``threshold`` their level's configured reach (km or min, the metric's unit), ``standard_year`` and ``staff``
    (FTE); ``cost``: (places × (stations then places)) km or minutes, NaN where a place has no coordinates;
    ``boundaries``, ``roads``: the map's outlines (``vertices`` rows); ``years``: the years of ``people``."""

    def __init__(self, county, people: pd.DataFrame) -> None:
        self.county, self.people = county, people
        self.map = county_map(county)
        m = self.map
        self.config, self.frame, self.metric = m.config, m.frame, m.metric
        self.places, self.stations, self.cost = m.places, m.stations, m.cost
        self.outline, self.boundaries, self.roads = m.outline, m.boundaries, m.roads
        self.station_cost, self.catchment = m.station_cost, m.catchment
        self.years = np.sort(people["year"].unique())
        self.memo: dict = {}


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


def _stations(county, projection: LocalProjection, unit: str) -> pd.DataFrame:
    """The stations of the levels with a reach that have coordinates; ``threshold``: their level's reach."""
    cfg: SpatialConfig = county.config["spatial"]
    fac = county.facilities
    fac = _xy(fac[fac["level"].isin(list(cfg.reach))].reset_index(drop=True), projection)
    fac = fac[np.isfinite(fac["x_km"])].reset_index(drop=True)
    reach = {level: (r.radius_km if unit == "km" else r.minutes) for level, r in cfg.reach.items()}
    fac["threshold"] = fac["level"].map(reach).astype(float)
    fac["standard_year"] = cov.standard_year(fac, county.construction_plan, cfg.standard_grade).to_numpy()
    staff = county.staff.groupby("station_code")["fte"].sum()
    fac["staff"] = fac["code"].map(staff).fillna(0.0)
    return fac


def vertices(key: str, values, geometries) -> pd.DataFrame:
    """Outline vertices of (Multi)Polygons or lines as rows (key, part, x_km, y_km), one part per ring/line (a
    polygon's exterior ring counter-clockwise)."""
    keep = [(v, g) for v, g in zip(values, geometries) if g is not None and not g.is_empty]
    if not keep:
        return pd.DataFrame(columns=[key, "part", "x_km", "y_km"])
    parts, index = shapely.get_parts([g for _, g in keep], return_index=True)
    parts = shapely.orient_polygons(parts)  # exterior rings counter-clockwise, whatever made the geometry
    polygon = shapely.get_type_id(parts) == 3
    rings = np.where(polygon, shapely.get_exterior_ring(np.where(polygon, parts, None)), parts)
    xy, ring = shapely.get_coordinates(rings, return_index=True)
    first = np.r_[0, np.flatnonzero(np.diff(index)) + 1]  # part number within its geometry
    number = np.arange(len(parts)) - np.repeat(first, np.diff(np.r_[first, len(parts)]))
    owner = np.array([v for v, _ in keep], dtype=object)
    return pd.DataFrame({key: owner[index[ring]], "part": number[ring], "x_km": xy[:, 0], "y_km": xy[:, 1]})
