"""A county's geography: village and station coordinates (``lon``, ``lat`` columns of units and facilities), an
optional township-boundary file and an optional road file (GeoJSON, WGS84/CGCS2000 longitude–latitude).

Files: ``boundaries.geojson`` / ``乡镇边界.geojson`` (Polygon or MultiPolygon features whose property ``code`` /
``township_code`` / 乡镇代码 names a township; several features of one township are joined) and ``roads.geojson``
/ ``道路.geojson`` (LineString or MultiLineString features with a ``road_class`` / 道路等级 property, one of the
classes of spatial.yaml's ``travel.road_speed_kmh``). Checks, each problem naming the file and the row (tables) or
the feature number (GeoJSON, first feature = 1): every coordinate inside the county's extent (spatial.yaml), lon
and lat not swapped, both or neither given; the file in longitude–latitude (a ``crs`` member other than
CRS84/EPSG:4326/EPSG:4490, or coordinates that are not degrees, refuse the file); every boundary a valid polygon
(shapely ``is_valid``; ``explain_validity`` says why not) of a known township; every road joined to the rest of the
network (networkx connected components). A village without coordinates is allowed: coverage lists it as unknown.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import shapely
from shapely.validation import explain_validity

from fpplan.data.errors import Problem
from fpplan.data.labels import Text, canonical_column, enum_aliases, enum_label, normalise
from fpplan.data.models.spatial import CHINA_EXTENT, Extent
from fpplan.data.readers import find_table_files
from fpplan.data.reasons import exception_text, validity_text
from fpplan.data.validation import rows_of

GEO_FILES = ("boundaries", "roads")
SUFFIXES = (".geojson", ".json")
ACCEPTED_EPSG = (4326, 4490)  # WGS84, CGCS2000 (the same to a metre or so for this purpose)


def _frame(columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})


@dataclass(frozen=True)
class Geography:
    """``boundaries``: township_code, geometry (shapely, lon/lat); ``roads``: feature (number in the file),
    road_class, geometry (lon/lat). Empty frames when the county has no such file."""

    boundaries: pd.DataFrame = field(default_factory=lambda: _frame(["township_code", "geometry"]))
    roads: pd.DataFrame = field(default_factory=lambda: _frame(["feature", "road_class", "geometry"]))
    boundary_file: str | None = None
    road_file: str | None = None

    @property
    def has_roads(self) -> bool:
        return len(self.roads) > 0


def find_geo_files(county_dir: Path) -> tuple[dict[str, Path], list[Problem]]:
    """boundaries / roads → file, by stem in English or Chinese (``roads.geojson``, ``道路.geojson``)."""
    return find_table_files(county_dir, SUFFIXES, GEO_FILES)


def _extent_text(extent: Extent) -> str:
    return Text(
        "lang_geo_extent",
        lon_min=f"{extent.lon_min:g}",
        lon_max=f"{extent.lon_max:g}",
        lat_min=f"{extent.lat_min:g}",
        lat_max=f"{extent.lat_max:g}",
    )


def _inside(lon: np.ndarray, lat: np.ndarray, e: Extent) -> np.ndarray:
    return (lon >= e.lon_min) & (lon <= e.lon_max) & (lat >= e.lat_min) & (lat <= e.lat_max)


def check_coordinates(frame: pd.DataFrame, file: str, extent: Extent | None) -> list[Problem]:
    """lon/lat of a typed table: both or neither given; inside the extent; not swapped."""
    if "lon" not in frame and "lat" not in frame:
        return []
    extent = extent or CHINA_EXTENT
    lon = frame["lon"] if "lon" in frame else pd.Series(np.nan, index=frame.index)
    lat = frame["lat"] if "lat" in frame else pd.Series(np.nan, index=frame.index)
    problems = []
    half = lon.isna() != lat.isna()
    for r, column in zip(rows_of(frame.index[half]), np.where(lon[half].isna(), "lon", "lat")):
        problems.append(
            Problem(file=file, kind="incomplete", row=int(r), column=str(column), detail=Text("lang_geo_lonlat_both"))
        )
    both = lon.notna() & lat.notna()
    x, y = lon[both].to_numpy(float), lat[both].to_numpy(float)
    outside = ~_inside(x, y, extent)
    swapped = outside & _inside(y, x, extent)
    for r, a, b, s in zip(rows_of(frame.index[both][outside]), x[outside], y[outside], swapped[outside]):
        problems.append(
            Problem(
                file=file,
                kind="swapped_coordinates" if s else "outside_extent",
                row=int(r),
                column="lon",
                value=f"{a:g}, {b:g}",
                detail=_extent_text(extent),
            )
        )
    return problems


def read_geojson(path: Path) -> tuple[list[dict] | None, list[Problem]]:
    """The features of a GeoJSON FeatureCollection in lon/lat, or the problem that refuses the file."""
    file = str(path)
    try:
        data = json.loads(path.read_bytes().decode("utf-8-sig"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        return None, [Problem(file=file, kind="unreadable", detail=exception_text(exc))]
    if (
        not isinstance(data, dict)
        or data.get("type") != "FeatureCollection"
        or not isinstance(data.get("features"), list)
    ):
        return None, [Problem(file=file, kind="unreadable", detail=Text("lang_geo_not_collection"))]
    crs = (data.get("crs") or {}).get("properties", {}).get("name") if isinstance(data.get("crs"), dict) else None
    if crs is not None and not _accepted_crs(str(crs)):
        return None, [Problem(file=file, kind="wrong_crs", value=str(crs), detail=str(crs))]
    features = data["features"]
    for number, feature in enumerate(features, start=1):
        try:
            coords = shapely.get_coordinates(shapely.geometry.shape(feature["geometry"]))
        except Exception:  # noqa: BLE001, S112 (a broken geometry is reported per feature later)
            continue
        if len(coords) and (np.abs(coords[:, 0]) > 180).any() | (np.abs(coords[:, 1]) > 90).any():
            x, y = coords[0]
            return None, [
                Problem(
                    file=file,
                    kind="wrong_crs",
                    row=number,
                    column="feature",
                    value=f"{x:g}, {y:g}",
                    detail=Text("lang_geo_not_degrees", x=f"{x:g}", y=f"{y:g}"),
                )
            ]
    return features, []


def _accepted_crs(name: str) -> bool:
    if "crs84" in name.lower().replace(":", ""):
        return True
    try:
        from pyproj import CRS

        return CRS.from_user_input(name).to_epsg() in ACCEPTED_EPSG
    except Exception:  # an unknown CRS name is not an accepted one  # noqa: BLE001
        return False


def _geometry(feature: Any, number: int, allowed: tuple[str, ...], file: str) -> tuple[Any, list[Problem]]:
    geometry = feature.get("geometry") if isinstance(feature, dict) else None
    kind = geometry.get("type") if isinstance(geometry, dict) else None
    if kind not in allowed:
        return None, [
            Problem(
                file=file,
                kind="wrong_geometry",
                row=number,
                column="feature",
                value=str(kind),
                detail=Text("lang_geo_polygons" if "Polygon" in allowed else "lang_geo_lines"),
            )
        ]
    try:
        shape = shapely.geometry.shape(geometry)
    except Exception:  # malformed coordinates  # noqa: BLE001
        return None, [
            Problem(file=file, kind="invalid_geometry", row=number, column="feature", detail=Text("lang_geo_malformed"))
        ]
    if shape.is_empty:
        return None, [
            Problem(file=file, kind="invalid_geometry", row=number, column="feature", detail=Text("lang_geo_empty"))
        ]
    return shape, []


def _vertices_inside(shape, number: int, file: str, extent: Extent) -> list[Problem]:
    xy = shapely.get_coordinates(shape)
    outside = ~_inside(xy[:, 0], xy[:, 1], extent)
    if not outside.any():
        return []
    x, y = xy[outside][0]
    kind = "swapped_coordinates" if _inside(xy[:, 1], xy[:, 0], extent).all() else "outside_extent"
    return [
        Problem(file=file, kind=kind, row=number, column="feature", value=f"{x:g}, {y:g}", detail=_extent_text(extent))
    ]


def _property(feature: dict, codes: tuple[str, ...]) -> Any:
    for key, value in (feature.get("properties") or {}).items():
        if canonical_column(key) in codes:
            return value
    return None


def _code_text(value: Any) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def read_boundaries(path: Path, townships: pd.Index, extent: Extent | None) -> tuple[pd.DataFrame, list[Problem]]:
    """township_code, geometry (features of one township joined); problems per feature."""
    file, extent = str(path), extent or CHINA_EXTENT
    features, problems = read_geojson(path)
    if features is None:
        return Geography().boundaries, problems
    rows = []
    for number, feature in enumerate(features, start=1):
        shape, found = _geometry(feature, number, ("Polygon", "MultiPolygon"), file)
        problems += found
        code = _code_text(_property(feature, ("code", "township_code"))) if isinstance(feature, dict) else None
        if code is None:
            problems.append(Problem(file=file, kind="required", row=number, column="township_code"))
        elif code not in townships:
            problems.append(
                Problem(
                    file=file,
                    kind="unknown_reference",
                    row=number,
                    column="township_code",
                    value=code,
                    detail=Text("lang_geo_townships"),
                )
            )
        if shape is None:
            continue
        if not shape.is_valid:
            problems.append(
                Problem(
                    file=file,
                    kind="invalid_geometry",
                    row=number,
                    column="feature",
                    value=code,
                    detail=validity_text(explain_validity(shape)),
                )
            )
            continue
        problems += _vertices_inside(shape, number, file, extent)
        rows.append((code, shape))
    if problems:
        return Geography().boundaries, problems
    frame = pd.DataFrame(rows, columns=["township_code", "geometry"])
    joined = frame.groupby("township_code", sort=True)["geometry"].agg(lambda g: shapely.union_all(list(g)))
    return joined.reset_index(), []


def read_roads(
    path: Path, extent: Extent | None, speeds: dict[str, float], snap_m: float = 1.0
) -> tuple[pd.DataFrame, list[Problem]]:
    """feature, road_class, geometry; problems per feature, including roads not joined to the network."""
    from fpplan.data.base.local_projection import LocalProjection
    from fpplan.data.base.road_network import components, road_graph

    file, extent = str(path), extent or CHINA_EXTENT
    features, problems = read_geojson(path)
    if features is None:
        return Geography().roads, problems
    aliases = enum_aliases("road_class") | {normalise(k): k for k in speeds}
    rows = []
    for number, feature in enumerate(features, start=1):
        shape, found = _geometry(feature, number, ("LineString", "MultiLineString"), file)
        problems += found
        raw = _property(feature, ("road_class",)) if isinstance(feature, dict) else None
        road_class = aliases.get(normalise(raw)) if raw is not None else None
        if raw is None:
            problems.append(Problem(file=file, kind="required", row=number, column="road_class"))
        elif road_class not in speeds:
            problems.append(
                Problem(
                    file=file,
                    kind="not_in_enum",
                    row=number,
                    column="road_class",
                    value=raw,
                    detail="、".join(enum_label("road_class", k) for k in speeds),
                )
            )
        if shape is None:
            continue
        if not shape.is_valid or shapely.length(shape) == 0:
            problems.append(
                Problem(
                    file=file,
                    kind="invalid_geometry",
                    row=number,
                    column="feature",
                    detail=validity_text(explain_validity(shape))
                    if not shape.is_valid
                    else Text("lang_geo_zero_length"),
                )
            )
            continue
        problems += _vertices_inside(shape, number, file, extent)
        rows.append((number, road_class, shape))
    if problems:
        return Geography().roads, problems
    frame = pd.DataFrame(rows, columns=["feature", "road_class", "geometry"])
    xy = shapely.get_coordinates(list(frame["geometry"]))
    projection = LocalProjection.around(xy[:, 0], xy[:, 1])
    lines = [projection.geometry_to_km(g) for g in frame["geometry"]]
    graph = road_graph(lines, list(frame["road_class"]), dict(speeds), snap_m / 1000.0)
    parts = components(graph)
    numbers = frame["feature"].to_numpy()
    for part in parts[1:]:
        shown = ", ".join(str(numbers[k]) for k in sorted(part))
        for k in sorted(part):
            problems.append(
                Problem(
                    file=file,
                    kind="not_connected",
                    row=int(numbers[k]),
                    column="feature",
                    value=int(numbers[k]),
                    detail=Text("lang_geo_separate", features=shown, n=len(part), total=len(frame)),
                )
            )
    return (Geography().roads if problems else frame), problems


def load_geography(
    county_dir: Path, units: pd.DataFrame | None, config: dict[str, Any]
) -> tuple[Geography, list[Problem]]:
    """The county's boundary and road files, checked. ``units`` is the validated units table (None when it
    failed its own checks: boundary codes are then not checked against townships)."""
    files, problems = find_geo_files(county_dir)
    spatial = config.get("spatial")
    extent = spatial.extent if spatial is not None else None
    boundaries, roads = Geography().boundaries, Geography().roads
    if "boundaries" in files:
        townships = pd.Index(units.loc[units["level"] == "township", "code"]) if units is not None else None
        if townships is not None:
            boundaries, found = read_boundaries(files["boundaries"], townships, extent)
            problems += found
    if "roads" in files and spatial is not None:
        roads, found = read_roads(files["roads"], extent, spatial.travel.road_speed_kmh, spatial.travel.snap_m)
        problems += found
    return Geography(
        boundaries=boundaries,
        roads=roads,
        boundary_file=str(files["boundaries"]) if "boundaries" in files else None,
        road_file=str(files["roads"]) if "roads" in files else None,
    ), problems
