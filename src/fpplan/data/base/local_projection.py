"""Planar kilometres for a county: a local transverse Mercator (GRS80, scale 1 on the central meridian) centred
on the county, so that straight-line distances are true to well under 0.1% within ±100 km of the centre."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
from pyproj import CRS, Transformer

WGS84 = CRS.from_epsg(4326)


@dataclass(frozen=True)
class LocalProjection:
    """lon/lat (degrees, WGS84 ≈ CGCS2000) ↔ x/y km east/north of (lon0, lat0)."""

    lon0: float
    lat0: float

    @classmethod
    def around(cls, lon, lat) -> LocalProjection:
        """Centred on the middle of the points' bounding box (rounded to 0.01°, so the same data give the same
        projection)."""
        lon, lat = np.asarray(lon, float), np.asarray(lat, float)
        ok = np.isfinite(lon) & np.isfinite(lat)
        if not ok.any():
            raise ValueError("no coordinates to centre a projection on")
        return cls(
            round(float((lon[ok].min() + lon[ok].max()) / 2), 2), round(float((lat[ok].min() + lat[ok].max()) / 2), 2)
        )

    @cached_property
    def crs(self) -> CRS:
        return CRS.from_proj4(
            f"+proj=tmerc +lat_0={self.lat0} +lon_0={self.lon0} +k=1 +x_0=0 +y_0=0 +ellps=GRS80 +units=m +no_defs"
        )

    @cached_property
    def _forward(self) -> Transformer:
        return Transformer.from_crs(WGS84, self.crs, always_xy=True)

    @cached_property
    def _inverse(self) -> Transformer:
        return Transformer.from_crs(self.crs, WGS84, always_xy=True)

    def to_km(self, lon, lat) -> tuple[np.ndarray, np.ndarray]:
        """x, y in km (NaN where lon or lat is missing)."""
        x, y = self._forward.transform(np.asarray(lon, float), np.asarray(lat, float))
        return np.asarray(x) / 1000.0, np.asarray(y) / 1000.0

    def to_lonlat(self, x_km, y_km) -> tuple[np.ndarray, np.ndarray]:
        lon, lat = self._inverse.transform(np.asarray(x_km, float) * 1000.0, np.asarray(y_km, float) * 1000.0)
        return np.asarray(lon), np.asarray(lat)

    def geometry_to_km(self, geometry):
        """A shapely geometry in lon/lat → the same in km."""
        import shapely

        return shapely.transform(geometry, lambda xy: np.column_stack(self.to_km(xy[:, 0], xy[:, 1])))

    def geometry_to_lonlat(self, geometry):
        import shapely

        return shapely.transform(geometry, lambda xy: np.column_stack(self.to_lonlat(xy[:, 0], xy[:, 1])))
