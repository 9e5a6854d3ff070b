"""Roads as a graph (networkx) and travel times over it.

Nodes are the roads' vertices, merged where they lie within ``snap_km`` of each other (so two lines join where
their ends or vertices meet; lines that cross without a shared vertex stay apart, like a bridge). Each edge is a
straight segment with ``length_km`` and ``minutes`` = length ÷ the speed of its road class × 60; between two
nodes the faster segment counts. Travel time from a place to a site = walking to the place's nearest road node
+ the shortest time over the network (Dijkstra) + walking from the site's nearest node, or walking straight
there when that is quicker.
"""

from __future__ import annotations

from collections.abc import Sequence

import networkx as nx
import numpy as np
import shapely
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree


def road_graph(lines: Sequence, classes: Sequence[str], speeds: dict[str, float], snap_km: float = 0.001) -> nx.Graph:
    """Graph of road lines (shapely LineString/MultiLineString in planar km) with their road classes.

    Node attributes ``x``, ``y`` (km); edge attributes ``length_km``, ``minutes``, ``feature`` (index of the line
    in ``lines``)."""
    parts = [(k, part) for k, line in enumerate(lines) for part in shapely.get_parts(line)]
    coords = [np.asarray(part.coords)[:, :2] for _, part in parts]
    if not coords:
        return nx.Graph()
    vertices = np.concatenate(coords)
    owner = np.concatenate([np.full(len(c), k) for (k, _), c in zip(parts, coords)])
    # merge vertices closer than snap_km (union of close pairs = connected components of the pair graph)
    pairs = cKDTree(vertices).query_pairs(snap_km, output_type="ndarray")
    n = len(vertices)
    adjacency = (
        coo_matrix((np.ones(len(pairs)), (pairs[:, 0], pairs[:, 1])), shape=(n, n))
        if len(pairs)
        else coo_matrix((n, n))
    )
    _, node = connected_components(adjacency, directed=False)
    first = np.unique(node, return_index=True)[1]
    graph = nx.Graph()
    graph.add_nodes_from((int(node[i]), {"x": float(vertices[i, 0]), "y": float(vertices[i, 1])}) for i in first)
    start = np.cumsum([0] + [len(c) for c in coords])[:-1]
    ends = np.concatenate([np.arange(s, s + len(c) - 1) for s, c in zip(start, coords)])
    a, b = node[ends], node[ends + 1]
    length = np.hypot(*(vertices[ends + 1] - vertices[ends]).T)
    speed = np.array([speeds[classes[k]] for k in owner[ends]], dtype=float)
    minutes = length / speed * 60.0
    for u, v, km, mins, k in zip(a.tolist(), b.tolist(), length.tolist(), minutes.tolist(), owner[ends].tolist()):
        if u == v:
            continue
        if graph.has_edge(u, v) and graph[u][v]["minutes"] <= mins:
            continue
        graph.add_edge(u, v, length_km=km, minutes=mins, feature=k)
    return graph


def components(graph: nx.Graph) -> list[set[int]]:
    """Features (line indices) of each connected part of the network, the largest first."""
    parts = []
    for nodes in nx.connected_components(graph):
        parts.append({d["feature"] for _, _, d in graph.subgraph(nodes).edges(data=True)})
    return sorted(parts, key=lambda p: (-len(p), min(p) if p else -1))


def node_xy(graph: nx.Graph) -> tuple[np.ndarray, np.ndarray]:
    """Node ids and their (x, y) km."""
    ids = np.fromiter(graph.nodes, dtype=int, count=graph.number_of_nodes())
    xy = np.array([(graph.nodes[i]["x"], graph.nodes[i]["y"]) for i in ids], dtype=float).reshape(-1, 2)
    return ids, xy


def travel_minutes(graph: nx.Graph, origins: np.ndarray, destinations: np.ndarray, walking_kmh: float) -> np.ndarray:
    """Minutes from each origin to each destination (arrays of x, y km; shape (n, 2) and (m, 2)) → (n, m).

    Dijkstra once from each destination's nearest node (networkx), then looked up for every origin."""
    origins, destinations = np.asarray(origins, float).reshape(-1, 2), np.asarray(destinations, float).reshape(-1, 2)
    walk = np.hypot(origins[:, None, 0] - destinations[None, :, 0], origins[:, None, 1] - destinations[None, :, 1])
    walk_minutes = walk / walking_kmh * 60.0
    if graph.number_of_nodes() == 0:
        return walk_minutes
    ids, xy = node_xy(graph)
    tree = cKDTree(xy)
    d_o, n_o = tree.query(origins)
    d_d, n_d = tree.query(destinations)
    position = {int(i): k for k, i in enumerate(ids)}
    unique = np.unique(n_d)
    over = np.full((len(unique), len(ids)), np.inf)
    for row, target in enumerate(unique):  # one Dijkstra per distinct site node
        lengths = nx.single_source_dijkstra_path_length(graph, int(ids[target]), weight="minutes")
        over[row, [position[k] for k in lengths]] = list(lengths.values())
    row_of = np.searchsorted(unique, n_d)
    network = over[row_of][:, n_o].T  # (origins, destinations)
    total = d_o[:, None] / walking_kmh * 60.0 + network + d_d[None, :] / walking_kmh * 60.0
    return np.minimum(total, walk_minutes)
