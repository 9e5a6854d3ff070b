"""Geography in the county folder: coordinates of villages and stations, township boundaries and roads (GeoJSON);
every bad input gives a problem naming the file and the row or feature, and nothing is written."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fpplan import load_county
from fpplan.cli import main as cli
from fpplan.data.config import default_config_dir
from fpplan.testing import problems_of
from fpplan.testing.mini import mini_tables, write_mini_county

# Mini county around (88.0°E, 43.8°N): East Town's villages east of 88.0, West Xiang's west of it.
VILLAGE_LONLAT = {"100001001": (88.05, 43.80), "100001002": (88.10, 43.82), "100002001": (87.90, 43.78)}
STATION_LONLAT = {"F01": (88.06, 43.81), "F02": (87.92, 43.79)}
EXTENT = "extent: {lon_min: 87.5, lon_max: 88.5, lat_min: 43.5, lat_max: 44.1, source: test}"


def geo_tables() -> dict:
    tables = mini_tables()
    units, fac = tables["units"], tables["facilities"]
    units["lon"] = units["code"].map(lambda c: VILLAGE_LONLAT.get(c, (None, None))[0])
    units["lat"] = units["code"].map(lambda c: VILLAGE_LONLAT.get(c, (None, None))[1])
    fac["lon"] = fac["code"].map(lambda c: STATION_LONLAT.get(c, (None, None))[0])
    fac["lat"] = fac["code"].map(lambda c: STATION_LONLAT.get(c, (None, None))[1])
    return tables


def square(lon0: float, lat0: float, lon1: float, lat1: float) -> list:
    return [[[lon0, lat0], [lon1, lat0], [lon1, lat1], [lon0, lat1], [lon0, lat0]]]


def feature(geometry_type: str, coordinates: list, **properties) -> dict:
    return {
        "type": "Feature",
        "properties": properties,
        "geometry": {"type": geometry_type, "coordinates": coordinates},
    }


def collection(*features: dict, **extra) -> dict:
    return {"type": "FeatureCollection", **extra, "features": list(features)}


GOOD_BOUNDARIES = collection(
    feature("Polygon", square(88.0, 43.7, 88.2, 43.9), code="100001"),
    feature("Polygon", square(87.8, 43.7, 88.0, 43.9), 乡镇代码="100002"),
)
# East–west trunk with a spur north; all joined at shared vertices
GOOD_ROADS = collection(
    feature("LineString", [[87.90, 43.78], [88.00, 43.80], [88.05, 43.80]], road_class="county"),
    feature("LineString", [[88.05, 43.80], [88.10, 43.82]], 道路等级="乡道"),
    feature("LineString", [[88.00, 43.80], [88.00, 43.85]], road_class="village"),
)


def write_geo(
    path: Path,
    boundaries: dict | None = GOOD_BOUNDARIES,
    roads: dict | None = GOOD_ROADS,
    tables: dict | None = None,
    extent: bool = True,
) -> Path:
    write_mini_county(path, tables or geo_tables())
    if boundaries is not None:
        (path / "乡镇边界.geojson").write_text(json.dumps(boundaries, ensure_ascii=False), encoding="utf-8")
    if roads is not None:
        (path / "roads.geojson").write_text(json.dumps(roads), encoding="utf-8")
    if extent:
        (path / "config").mkdir(exist_ok=True)
        text = (default_config_dir() / "spatial.yaml").read_text(encoding="utf-8").replace("extent: null", EXTENT)
        (path / "config" / "spatial.yaml").write_text(text, encoding="utf-8")
    return path


def test_geography_loads(tmp_path: Path) -> None:
    county = load_county(write_geo(tmp_path / "c"))
    villages = county.villages().set_index("code")
    assert villages.loc["100002001", "lon"] == pytest.approx(87.90)
    assert county.units.loc[county.units["level"] == "county", "lon"].isna().all()  # optional for non-villages
    assert county.facilities.set_index("code").loc["F03", ["lon", "lat"]].isna().all()  # a mobile van has no place
    b = county.geography.boundaries.set_index("township_code")
    assert sorted(b.index) == ["100001", "100002"]  # the Chinese property name 乡镇代码 is accepted
    assert b.loc["100001", "geometry"].area == pytest.approx(0.2 * 0.2)
    assert county.geography.roads["road_class"].tolist() == ["county", "township", "village"]  # 乡道 → township


def test_features_of_one_township_are_joined(tmp_path: Path) -> None:
    parts = collection(
        feature("Polygon", square(88.0, 43.7, 88.1, 43.9), code="100001"),
        feature("Polygon", square(88.1, 43.7, 88.2, 43.9), code=100001),
    )  # a number works too
    county = load_county(write_geo(tmp_path / "c", boundaries=parts, roads=None))
    assert county.geography.boundaries["geometry"].iloc[0].area == pytest.approx(0.2 * 0.2)


def test_villages_without_coordinates_load(tmp_path: Path) -> None:
    tables = geo_tables()
    tables["units"].loc[tables["units"]["code"] == "100002001", ["lon", "lat"]] = None
    county = load_county(write_geo(tmp_path / "c", tables=tables))
    assert county.villages().set_index("code").loc["100002001", ["lon", "lat"]].isna().all()


def test_coordinates_outside_swapped_and_half_given(tmp_path: Path) -> None:
    tables = geo_tables()
    units, fac = tables["units"], tables["facilities"]
    units.loc[units["code"] == "100001001", ["lon", "lat"]] = [43.80, 88.05]  # swapped: row 5 of units.csv
    units.loc[units["code"] == "100001002", ["lon", "lat"]] = [116.4, 39.9]  # Beijing: row 6
    units.loc[units["code"] == "100002001", "lat"] = None  # lon only: row 7
    fac.loc[fac["code"] == "F02", ["lon", "lat"]] = [89.9, 43.8]  # east of the extent: row 3 of facilities.csv
    found = problems_of(write_geo(tmp_path / "c", tables=tables))
    got = {(Path(p.file).name, p.row, p.kind) for p in found}
    assert got == {
        ("units.csv", 5, "swapped_coordinates"),
        ("units.csv", 6, "outside_extent"),
        ("units.csv", 7, "incomplete"),
        ("facilities.csv", 3, "outside_extent"),
    }
    swapped = next(p for p in found if p.kind == "swapped_coordinates")
    assert swapped.value == "43.8, 88.05" and "87.5–88.5°E" in swapped.message("en")
    assert "写反" in swapped.message("zh")


def test_self_intersecting_boundary_and_unknown_township(tmp_path: Path) -> None:
    bowtie = [[[88.0, 43.7], [88.2, 43.9], [88.2, 43.7], [88.0, 43.9], [88.0, 43.7]]]
    bad = collection(
        feature("Polygon", bowtie, code="100001"),
        feature("Polygon", square(87.8, 43.7, 88.0, 43.9), code="999999"),
        feature("Point", [88.0, 43.8], code="100002"),
        feature("Polygon", square(87.8, 43.7, 88.0, 43.9)),
    )
    found = problems_of(write_geo(tmp_path / "c", boundaries=bad, roads=None))
    by_row = {p.row: p for p in found}
    assert all(Path(p.file).name == "乡镇边界.geojson" for p in found)
    assert by_row[1].kind == "invalid_geometry" and by_row[1].detail.startswith("边界自相交（位于 88.1, 43.8）")
    assert by_row[2].kind == "unknown_reference" and by_row[2].value == "999999"
    assert by_row[3].kind == "wrong_geometry" and by_row[3].value == "Point"
    assert by_row[4].kind == "required" and by_row[4].column == "township_code"
    assert len(found) == 4


@pytest.mark.parametrize(
    "crs, coordinates, accepted",
    [
        ("urn:ogc:def:crs:EPSG::4547", None, False),  # CGCS2000 / 3-degree Gauss-Kruger CM 114E: projected metres
        ("urn:ogc:def:crs:OGC:1.3:CRS84", None, True),
        ("EPSG:4490", None, True),  # CGCS2000 geographic
        (None, square(500000, 4850000, 520000, 4870000), False),  # metres with no crs member
    ],
)
def test_boundary_file_in_another_crs_is_refused(tmp_path: Path, crs, coordinates, accepted: bool) -> None:
    extra = {"crs": {"type": "name", "properties": {"name": crs}}} if crs else {}
    features = [feature("Polygon", coordinates or square(88.0, 43.7, 88.2, 43.9), code="100001")]
    path = write_geo(tmp_path / "c", boundaries=collection(*features, **extra), roads=None)
    if accepted:
        assert len(load_county(path).geography.boundaries) == 1
        return
    found = problems_of(path)
    assert [p.kind for p in found] == ["wrong_crs"]
    assert "EPSG:4326" in found[0].message("en") and found[0].file.endswith("乡镇边界.geojson")


def test_boundary_outside_the_extent(tmp_path: Path) -> None:
    far = collection(feature("Polygon", square(88.0, 43.7, 88.9, 43.9), code="100001"))
    found = problems_of(write_geo(tmp_path / "c", boundaries=far, roads=None))
    assert [(p.kind, p.row, p.value) for p in found] == [("outside_extent", 1, "88.9, 43.7")]


def test_roads_that_do_not_connect(tmp_path: Path) -> None:
    roads = collection(
        *GOOD_ROADS["features"],
        feature("LineString", [[87.60, 43.60], [87.65, 43.62]], road_class="township"),
        feature("LineString", [[87.65, 43.62], [87.70, 43.60]], road_class="township"),
        feature("LineString", [[88.20, 43.95], [88.21, 43.95]], road_class="expressway"),
    )
    found = problems_of(write_geo(tmp_path / "c", boundaries=None, roads=roads))
    assert all(Path(p.file).name == "roads.geojson" for p in found)
    kinds = sorted((p.kind, p.row) for p in found)
    assert kinds == [("not_in_enum", 6)]  # the class is checked first; connectivity once every feature is readable
    roads["features"][5]["properties"]["road_class"] = "village"
    found = problems_of(write_geo(tmp_path / "d", boundaries=None, roads=roads))
    assert sorted((p.kind, p.row) for p in found) == [("not_connected", 4), ("not_connected", 5), ("not_connected", 6)]
    piece = next(p for p in found if p.row == 4)
    assert piece.detail.startswith("要素 4, 5 自成一片（2 条，共 6 条），与其余道路不相连")
    assert piece.message("en").startswith(
        "road not connected to the network: features 4, 5 form a separate piece (2 of 6)"
    )


def test_roads_join_within_the_snap_tolerance(tmp_path: Path) -> None:
    roads = json.loads(json.dumps(GOOD_ROADS))
    roads["features"][1]["geometry"]["coordinates"][0] = [88.05 + 5e-6, 43.80]  # ~0.4 m from the trunk's end
    assert len(load_county(write_geo(tmp_path / "c", boundaries=None, roads=roads)).geography.roads) == 3
    roads["features"][1]["geometry"]["coordinates"][0] = [88.05 + 5e-5, 43.80]  # ~4 m: apart
    assert {p.kind for p in problems_of(write_geo(tmp_path / "d", boundaries=None, roads=roads))} == {"not_connected"}


def test_cli_validate_lists_geography_problems(tmp_path: Path, capsys) -> None:
    bowtie = [[[88.0, 43.7], [88.2, 43.9], [88.2, 43.7], [88.0, 43.9], [88.0, 43.7]]]
    path = write_geo(tmp_path / "c", boundaries=collection(feature("Polygon", bowtie, code="100001")), roads=None)
    assert cli(["validate", str(path)]) == 2
    out = capsys.readouterr().out
    assert "乡镇边界.geojson" in out and "几何图形无效" in out and "Traceback" not in out
