"""How far a place is from a station: road km (straight line on the local projection × a detour factor) or
travel minutes over the road network (fpplan.data.base.road_network). One ``Metric`` object carries the choice."""

from __future__ import annotations

from dataclasses import dataclass, field

import networkx as nx
import numpy as np

from fpplan.data.base.road_network import travel_minutes


def straight_km(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Euclidean km between every row of ``a`` (n, 2) and of ``b`` (m, 2) → (n, m)."""
    a, b = np.asarray(a, float).reshape(-1, 2), np.asarray(b, float).reshape(-1, 2)
    return np.hypot(a[:, None, 0] - b[None, :, 0], a[:, None, 1] - b[None, :, 1])


@dataclass(frozen=True)
class Metric:
    """``method`` "distance": cost = straight km × ``detour_factor`` (unit km); "travel_time": minutes over
    ``graph`` with ``walking_kmh`` off-road (unit min)."""

    method: str = "distance"
    detour_factor: float = 1.0
    graph: nx.Graph | None = field(default=None, compare=False)
    walking_kmh: float = 4.0

    def __post_init__(self) -> None:
        if self.method not in ("distance", "travel_time"):
            raise ValueError(f"method must be 'distance' or 'travel_time', not {self.method!r}")
        if self.method == "travel_time" and self.graph is None:
            raise ValueError("travel_time needs a road graph")

    @property
    def unit(self) -> str:
        return "km" if self.method == "distance" else "min"

    def matrix(self, origins: np.ndarray, destinations: np.ndarray) -> np.ndarray:
        """Cost from every origin to every destination ((n, 2) and (m, 2) km arrays) → (n, m); NaN where a
        coordinate is missing."""
        origins, destinations = (
            np.asarray(origins, float).reshape(-1, 2),
            np.asarray(destinations, float).reshape(-1, 2),
        )
        if self.method == "distance":
            return straight_km(origins, destinations) * self.detour_factor
        out = np.full((len(origins), len(destinations)), np.nan)
        ok_o, ok_d = np.isfinite(origins).all(1), np.isfinite(destinations).all(1)
        if ok_o.any() and ok_d.any():
            out[np.ix_(ok_o, ok_d)] = travel_minutes(self.graph, origins[ok_o], destinations[ok_d], self.walking_kmh)
        return out
