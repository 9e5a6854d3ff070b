"""The demo county's geography: coordinates of every village, township seat and station, township boundaries and
a small road network, generated deterministically (docs/demo-county.md).

Layout (planar km on a local transverse Mercator centred at ``CENTRE``, in the north piedmont of the Tianshan in
Xinjiang, as the demo's code 650123 suggests): the county seat 城关镇 in the middle, the other seats on a ring
around it. Each township's villages lie outward from its seat, at a straight-line distance of ``distance_km`` ÷
the detour factor of spatial.yaml, so that ``distance_km`` (road km to the township station) is the straight line
× detour computed from the coordinates; the remote villages (26–58 km) of 沙湾乡, 东湖乡 and 北山乡 lie along a
narrow valley running out from the seat: the mountainous fringe. Township boundaries are the Voronoi cells of all
seats and villages (shapely), joined by township and clipped to the county outline (the smoothed union of 6-km
buffers around every place). Roads: a provincial road through 红星乡, the county seat and 柳树镇; county roads from
the county seat to every other seat; and in each township a tree of township roads (village roads in the
mountain valleys) linking its seat and villages (networkx minimum spanning tree).
"""

from __future__ import annotations

import json
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd
import shapely
import yaml

from fpplan.data.base.local_projection import LocalProjection
from fpplan.data.config import default_config_dir

CENTRE = (87.90, 44.05)  # lon, lat (demo assumption)
# township suffix → seat (x, y) km from the centre and the direction (degrees, counter-clockwise from east) its
# villages spread to; None: all around (the county seat). Demo assumption.
SEATS = {
    "001": ((0.0, 0.0), None),
    "002": ((-23.0, 6.0), 165.0),
    "003": ((22.0, 8.0), 20.0),
    "004": ((-18.0, -19.0), 225.0),
    "005": ((2.0, -23.0), 270.0),
    "006": ((-2.0, 23.0), 90.0),
    "007": ((24.0, -14.0), 325.0),
    "008": ((-21.0, 25.0), 125.0),
}
FRINGE = ("004", "007", "008")  # townships with a mountain valley of remote villages
SPREAD_DEG = 65.0  # villages within ± this of their township's direction
VALLEY_DEG = 6.0  # the remote villages within ± this of it
MIN_SEPARATION_KM = 1.2  # no two places closer
BUFFER_KM = 3.0  # the county outline: places and the seats' hull buffered by this, then closed by SMOOTH_KM
SMOOTH_KM = 4.0


def _place_villages(villages: pd.DataFrame, detour: float, rng: np.random.Generator) -> pd.DataFrame:
    """x_km, y_km of every village: straight distance distance_km ÷ detour from its seat, outward, nearer its own
    seat than any other where a direction allows it, no two places closer than MIN_SEPARATION_KM."""
    seats = {s: np.array(xy) for s, (xy, _) in SEATS.items()}
    placed = [xy for xy in seats.values()]
    xs, ys = [], []
    for v in villages.itertuples():
        suffix = v.township_code[-3:]
        seat, direction = seats[suffix], SEATS[suffix][1]
        radius = float(v.distance_km) / detour
        far = suffix in FRINGE and float(v.distance_km) > 25
        tries = rng.uniform(-1, 1, 60)
        if direction is None:
            bearings = np.degrees(np.pi * tries)
        else:
            bearings = direction + tries * (VALLEY_DEG if far else SPREAD_DEG)
        points = seat + radius * np.column_stack([np.cos(np.radians(bearings)), np.sin(np.radians(bearings))])
        own = np.hypot(*(points - seat).T)
        others = np.min([np.hypot(*(points - s).T) for k, s in seats.items() if k != suffix], axis=0)
        spacing = np.min(
            np.hypot(
                points[:, None, 0] - np.array(placed)[None, :, 0], points[:, None, 1] - np.array(placed)[None, :, 1]
            ),
            axis=1,
        )
        good = (own < others - 1.0) & (spacing >= MIN_SEPARATION_KM)
        best = int(np.argmax(good)) if good.any() else int(np.argmax(others - own + spacing))
        placed.append(points[best])
        xs.append(points[best][0])
        ys.append(points[best][1])
    return villages.assign(x_km=xs, y_km=ys)


def _boundaries(
    seats: pd.DataFrame, villages: pd.DataFrame, roads: list[tuple[str, np.ndarray]]
) -> tuple[shapely.Geometry, dict[str, shapely.Geometry]]:
    """County outline (places, the seats' hull and the township roads' valleys, buffered) and township polygons
    (km)."""
    points = np.vstack([seats[["x_km", "y_km"]].to_numpy(), villages[["x_km", "y_km"]].to_numpy()])
    owner = np.concatenate([seats["code"].to_numpy(), villages["township_code"].to_numpy()])
    core = shapely.convex_hull(shapely.multipoints(seats[["x_km", "y_km"]].to_numpy())).buffer(BUFFER_KM)
    valleys = shapely.buffer(shapely.linestrings([v for c, v in roads if c in ("township", "village")]), BUFFER_KM)
    outline = shapely.union_all([*shapely.buffer(shapely.points(points), BUFFER_KM), *valleys, core])
    outline = outline.buffer(SMOOTH_KM).buffer(-SMOOTH_KM).simplify(0.2)
    cells = shapely.get_parts(shapely.voronoi_polygons(shapely.multipoints(points), extend_to=outline, ordered=True))
    townships = {}
    for code in seats["code"]:
        joined = shapely.union_all(cells[owner == code]).intersection(outline)
        townships[code] = shapely.make_valid(joined.simplify(0.1))
    return outline, townships


def _roads(seats: pd.DataFrame, villages: pd.DataFrame) -> list[tuple[str, np.ndarray]]:
    """(road_class, vertices km) of every road."""
    at = seats.set_index("code")[["x_km", "y_km"]]
    code = lambda suffix: seats["code"].iloc[0][:-3] + suffix
    roads = [("provincial", at.loc[[code("002"), code("001"), code("003")]].to_numpy())]
    for suffix in ("004", "005", "006", "007", "008"):
        a, b = at.loc[code("001")].to_numpy(), at.loc[code(suffix)].to_numpy()
        bend = (a + b) / 2 + np.array([-(b - a)[1], (b - a)[0]]) * 0.08  # a gentle bend
        roads.append(("county", np.vstack([a, bend, b])))
    for township, part in villages.groupby("township_code", sort=True):
        nodes = np.vstack([at.loc[township].to_numpy(), part[["x_km", "y_km"]].to_numpy()])
        remote = np.concatenate([[False], part["distance_km"].astype(float).to_numpy() > 25])
        graph = nx.Graph()
        d = np.hypot(nodes[:, None, 0] - nodes[None, :, 0], nodes[:, None, 1] - nodes[None, :, 1])
        graph.add_weighted_edges_from((i, j, d[i, j]) for i in range(len(nodes)) for j in range(i + 1, len(nodes)))
        for i, j in sorted(tuple(sorted(e)) for e in nx.minimum_spanning_tree(graph).edges()):
            roads.append(("village" if remote[i] or remote[j] else "township", nodes[[i, j]]))
    return roads


def _feature_collection(features: list[dict]) -> str:
    return json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False, separators=(",", ":"))


def _rounded(geometry: shapely.Geometry) -> shapely.Geometry:
    """lon/lat to 5 decimals (about a metre), kept valid."""
    return shapely.set_precision(geometry, 1e-5)


def add_geography(tables: dict[str, pd.DataFrame], out: Path, seed: int = 2025) -> dict[str, pd.DataFrame]:
    """Add lon/lat to the units and facilities tables; write 乡镇边界.geojson, 道路.geojson and config/spatial.yaml
    (the default with the demo's extent) to ``out``. Returns the tables."""
    rng = np.random.default_rng([seed, 14])
    spatial = yaml.safe_load((default_config_dir() / "spatial.yaml").read_text(encoding="utf-8"))
    detour = float(spatial["detour_factor"]["value"])
    projection = LocalProjection(*CENTRE)
    units, facilities = tables["units"].copy(), tables["facilities"].copy()
    county = units.loc[units["level"] == "county", "code"].iloc[0]
    seats = pd.DataFrame([(county + s, xy[0], xy[1]) for s, (xy, _) in SEATS.items()], columns=["code", "x_km", "y_km"])
    villages = units[units["level"] == "village"].assign(township_code=lambda f: f["parent_code"])
    villages = _place_villages(villages, detour, rng)
    road_lines = _roads(seats, villages)
    outline, townships = _boundaries(seats, villages, road_lines)
    xy = pd.concat([seats, villages[["code", "x_km", "y_km"]]]).set_index("code")
    xy.loc[county] = xy.loc[county + "001"]
    lon, lat = projection.to_lonlat(xy["x_km"], xy["y_km"])
    where = pd.DataFrame({"lon": np.round(lon, 5), "lat": np.round(lat, 5)}, index=xy.index)
    units = units.join(where, on="code")
    room = facilities["level"] == "village_room"
    first_village = villages.groupby("township_code")["code"].first()
    site = facilities["township_code"].where(~room, facilities["township_code"].map(first_village))
    site = site.where(facilities["level"] != "mobile_vehicle")  # a vehicle has no fixed place
    facilities = facilities.assign(lon=site.map(where["lon"]), lat=site.map(where["lat"]))
    boundaries = [
        {
            "type": "Feature",
            "properties": {"code": code, "name": name},
            "geometry": shapely.geometry.mapping(_rounded(projection.geometry_to_lonlat(townships[code]))),
        }
        for code, name in units.loc[units["level"] == "township", ["code", "name"]].itertuples(index=False)
    ]
    (out / "乡镇边界.geojson").write_text(_feature_collection(boundaries), encoding="utf-8")
    roads = []
    for k, (road_class, vertices) in enumerate(road_lines):
        lon, lat = projection.to_lonlat(vertices[:, 0], vertices[:, 1])
        roads.append(
            {
                "type": "Feature",
                "properties": {"id": k + 1, "road_class": road_class},
                "geometry": {"type": "LineString", "coordinates": np.round(np.column_stack([lon, lat]), 5).tolist()},
            }
        )
    (out / "道路.geojson").write_text(_feature_collection(roads), encoding="utf-8")
    box = shapely.bounds(projection.geometry_to_lonlat(outline.buffer(5.0)))
    extent = (
        f"extent: {{lon_min: {box[0]:.2f}, lon_max: {box[2]:.2f}, lat_min: {box[1]:.2f}, lat_max: {box[3]:.2f}, "
        'source: "demo county: its outline\'s bounding box plus 5 km"}'
    )
    (out / "config").mkdir(exist_ok=True)
    text = (default_config_dir() / "spatial.yaml").read_text(encoding="utf-8")
    (out / "config" / "spatial.yaml").write_text(text.replace("extent: null", extent), encoding="utf-8")
    return {**tables, "units": units, "facilities": facilities}
