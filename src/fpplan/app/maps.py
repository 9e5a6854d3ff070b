"""Map figures drawn from the county's own geometry, offline: plain plotly scatter traces on x/y km axes (a local
transverse Mercator), no tile server, no map style, nothing fetched. They take ``spatial_results`` tables and
reshape them only."""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd
from plotly.colors import get_colorscale, sample_colorscale

from fpplan.app.figures import _layout
from fpplan.app.style import FONT, STATUS_COLOURS
from fpplan.data.labels import column_label, enum_label, label, ui

COVERAGE_SCALE = "RdYlGn"
COVERAGE_RANGE = (0.5, 1.0)  # share covered mapped to the colour scale (below 0.5: the reddest)
ROAD_STYLE = {
    "national": (3.0, "#b71c1c"),
    "provincial": (2.6, "#d84315"),
    "county": (1.8, "#ef6c00"),
    "township": (1.0, "#8d8d8d"),
    "village": (0.8, "#a1887f"),
}
LEVEL_SYMBOL = {"county_station": "square", "township_central": "diamond", "township_general": "circle"}


def _paths(frame: pd.DataFrame, key: str) -> dict:
    """key value → (x, y) float arrays of every part's vertices, parts separated by NaN (a gap for plotly.js).

    Arrays, not lists: plotly sends them as typed arrays; a figure of some thousand floats as JSON lists in an
    Output widget hung Voila's page load over the IPC kernel transport (measured here with Voila 0.5)."""
    out = {}
    for value, group in frame.groupby(key, sort=True):
        part = group["part"].to_numpy()
        breaks = np.flatnonzero(part[1:] != part[:-1]) + 1
        xs = np.insert(group["x_km"].to_numpy(float), breaks, np.nan)
        ys = np.insert(group["y_km"].to_numpy(float), breaks, np.nan)
        out[value] = (np.append(xs, np.nan), np.append(ys, np.nan))
    return out


def map_paths(results: dict[str, pd.DataFrame]) -> dict[str, dict]:
    """The map's outlines as drawable paths: township boundaries, catchments by station, roads by class."""
    roads = results["roads"]
    by_class = {}
    for road_class in [c for c in ROAD_STYLE if c in set(roads["road_class"])]:
        group = roads[roads["road_class"] == road_class].assign(
            part=lambda f: f["feature"].astype(str) + "/" + f["part"].astype(str)
        )
        by_class[road_class] = _paths(group.assign(key=road_class), "key")[road_class]
    catchments = list(_paths(results["catchments"], "station").values())
    return {
        "boundaries": _paths(results["boundaries"], "township_code"),
        # every station's catchment in one path (each part closed and filled by itself: plotly.js's "toself" with
        # gaps): one trace instead of one a station, the same drawing (the parts all counter-clockwise, as
        # ``spatial.base.vertices`` gives them, so overlaps are filled once, never cut out)
        "catchments": tuple(np.concatenate([xy[k] for xy in catchments]) for k in (0, 1)) if catchments else None,
        "roads": by_class,
    }


@cache
def _coverage_scale() -> list:
    return get_colorscale(COVERAGE_SCALE)


def coverage_colours(shares: list[float]) -> list[str]:
    """Each share covered as its colour on the coverage scale (``COVERAGE_RANGE`` spread over the whole scale)."""
    lo, hi = COVERAGE_RANGE
    return sample_colorscale(_coverage_scale(), list(np.clip((np.asarray(shares, float) - lo) / (hi - lo), 0, 1)))


def _reach_text(meta: pd.Series) -> str:
    if pd.isna(meta["threshold"]):
        return ui("reach_by_level")
    return ui("reach_km" if meta["unit"] == "km" else "reach_min", value=float(meta["threshold"]))


def typed(values) -> dict:
    """Numbers as plotly.js's typed-array form (``{"dtype": "f8", "bdata": base64}``, plotly.js ≥ 2.28): a figure
    of thousands of vertices is a short string, built in microseconds, never a long JSON list (missing as NaN)."""
    import base64

    return {"dtype": "f8", "bdata": base64.b64encode(np.ascontiguousarray(values, dtype="<f8").tobytes()).decode()}


def _scatter(**trace) -> dict:
    return {"type": "scatter", **trace}


def coverage_map(
    results: dict[str, pd.DataFrame],
    year: int,
    names: dict[str, str] | None = None,
    status: dict[str, str] | None = None,
    size: str = "staff",
    gaps: dict[str, float] | None = None,
    height: int = 680,
    paths: dict | None = None,
) -> dict:
    """Townships coloured by the share of women 15–49 covered in ``year`` (or by an indicator status per
    township, ``status``), service catchments, roads, villages within and beyond reach, stations sized by staff
    (or by ``gaps``, floor-area gap m², when ``size="gap"``), and the suggested sites. Plain plotly JSON with typed
    arrays (``go.Figure`` takes it as it is): built in milliseconds, so the map follows its sliders (``paths``:
    ``map_paths(results)``, kept by a caller that draws the same geometry again)."""
    names = names or {}
    meta = results["meta"].iloc[0]
    data: list[dict] = []
    layout = _layout(
        ui("map_title", year=year, reach=_reach_text(meta)),
        height=height,
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
        plot_bgcolor="white",
        legend={"orientation": "v", "x": 1.0, "xanchor": "left"},
        xaxis={"visible": False},
        yaxis={"visible": False, "scaleanchor": "x", "scaleratio": 1},
    )
    towns = results["townships"][results["townships"]["year"] == year]
    share_of = dict(zip(towns["township_code"], towns["share_covered"]))
    women_of = dict(zip(towns["township_code"], towns["women_15_49"]))
    paths = paths if paths is not None else map_paths(results)
    outlines = paths["boundaries"]
    shares = {code: share_of.get(code, np.nan) for code in outlines}
    known = [code for code, share in shares.items() if pd.notna(share)]
    scale = dict(zip(known, coverage_colours([shares[c] for c in known]))) if known else {}
    for code, (xs, ys) in outlines.items():
        share = shares[code]
        if status is not None:
            colour = STATUS_COLOURS.get(status.get(code, "no_value"), "#e0e0e0")
        elif pd.notna(share):
            colour = scale[code]
        else:
            colour = "#eeeeee"
        women = women_of.get(code, np.nan)
        hover = (
            (
                f"{names.get(code, code)}<br>{label('columns', 'share_covered')}: {share:.1%}<br>"
                f"{label('columns', 'women_15_49')}: {women:,.0f}"
            )
            if pd.notna(share)
            else names.get(code, code)
        )
        data.append(
            _scatter(
                x=typed(xs),
                y=typed(ys),
                mode="lines",
                fill="toself",
                fillcolor=_alpha(colour, 0.55),
                line={"color": "#546e7a", "width": 1.2},
                name=names.get(code, code),
                hoverinfo="text",
                hovertext=hover,
                hoveron="fills+points",
                showlegend=False,
            )
        )
    if paths["catchments"] is not None:
        xs, ys = paths["catchments"]
        data.append(
            _scatter(
                x=typed(xs),
                y=typed(ys),
                mode="lines",
                fill="toself",
                fillcolor="rgba(21,101,192,0.10)",
                line={"color": "rgba(21,101,192,0.45)", "width": 1, "dash": "dot"},
                hoverinfo="skip",
                name=ui("legend_catchment"),
            )
        )
    for road_class, (xs, ys) in paths["roads"].items():
        width, colour = ROAD_STYLE[road_class]
        data.append(
            _scatter(
                x=typed(xs),
                y=typed(ys),
                mode="lines",
                line={"color": colour, "width": width},
                hoverinfo="skip",
                name=enum_label("road_class", road_class),
                legendgroup="roads",
            )
        )
    access = results["access"][results["access"]["year"] == year]
    places = results["places"].set_index("village_code")
    for kind, style in (
        ("covered", {"color": "#1565c0", "size": 5, "symbol": "circle"}),
        ("beyond", {"color": "#c62828", "size": 9, "symbol": "x"}),
    ):
        part = access[access["access"] == kind]
        at = places.loc[part["village_code"]]
        unit = "km" if meta["unit"] == "km" else ui("minutes_short")
        women_word = label("columns", "women_15_49")
        text = [
            f"{n}<br>{names.get(s, s)}: {c:.0f} {unit}<br>{women_word}: {w:,.0f}"
            for n, s, c, w in zip(
                at["name"].tolist(),
                part["nearest_station"].tolist(),
                part["cost"].tolist(),
                part["women_15_49"].tolist(),
            )
        ]
        data.append(
            _scatter(
                x=typed(at["x_km"]),
                y=typed(at["y_km"]),
                mode="markers",
                marker=style,
                hoverinfo="text",
                hovertext=text,
                name=f"{ui('legend_' + kind)}（{len(part)}）",
            )
        )
    unknown = int((access["access"] == "unknown").sum())
    if unknown:  # no place to draw them: named in the legend so they are never silently missing
        data.append(
            _scatter(
                x=[None],
                y=[None],
                mode="markers",
                marker={"color": "#757575", "symbol": "question"},
                name=f"{ui('legend_unknown')}（{unknown}）",
            )
        )
    stations = results["station_places"]
    stats = results["stations"][results["stations"]["year"] == year]
    within = dict(zip(stats["station"].tolist(), stats["women_within"].tolist()))
    words = {k: column_label(k) for k in ("women_within", "staff", "gap_m2")}  # with their units (staff in FTE)
    value = stations["code"].map(gaps or {}).fillna(0.0).clip(lower=0) if size == "gap" else stations["staff"]
    marker_size = (10 + 26 * np.sqrt(value / value.max())).to_numpy(float) if value.max() > 0 else None
    for level, group in stations.groupby("level", sort=False):
        text = [
            f"{n}<br>{enum_label('station_level', level)}<br>{words['women_within']}: {within.get(c, 0):,.0f}"
            f"<br>{words['staff']}: {s:.1f}" + (f"<br>{words['gap_m2']}: {gaps.get(c, 0):,.0f}" if gaps else "")
            for n, c, s in zip(group["name"].tolist(), group["code"].tolist(), group["staff"].tolist())
        ]
        rows = stations.index.get_indexer(group.index)
        data.append(
            _scatter(
                x=typed(group["x_km"]),
                y=typed(group["y_km"]),
                mode="markers+text",
                text=group["name"].tolist(),
                textposition="top center",
                textfont={"size": 10, "family": FONT},
                marker={
                    "size": typed(marker_size[rows]) if marker_size is not None else 14,
                    "color": "#263238",
                    "symbol": LEVEL_SYMBOL.get(level, "circle"),
                    "line": {"color": "white", "width": 1.5},
                },
                hoverinfo="text",
                hovertext=text,
                name=enum_label("station_level", level),
            )
        )
    sites = results["sites"]
    if len(sites):
        text = [
            f"{n}<br>{label('columns', 'gain_women')}: {g:,.0f}"
            for n, g in zip(sites["site_name"].tolist(), sites["gain_women"].tolist())
        ]
        data.append(
            _scatter(
                x=typed(sites["x_km"]),
                y=typed(sites["y_km"]),
                mode="markers",
                hoverinfo="text",
                hovertext=text,
                marker={"symbol": "star", "size": 22, "color": "#ffb300", "line": {"color": "#5d4037", "width": 1.5}},
                name=ui("legend_suggested"),
            )
        )
    if status is None:  # the colour scale of the townships
        lo, hi = COVERAGE_RANGE
        data.append(
            _scatter(
                x=[None],
                y=[None],
                mode="markers",
                showlegend=False,
                hoverinfo="skip",
                marker={
                    "colorscale": _coverage_scale(),
                    "cmin": lo,
                    "cmax": hi,
                    "color": [lo],
                    "colorbar": {
                        "title": {"text": label("columns", "share_covered")},
                        "tickformat": ".0%",
                        "x": -0.02,
                        "xanchor": "right",
                        "len": 0.6,
                        "thickness": 14,
                    },
                },
            )
        )
    return {"data": data, "layout": layout}


def _alpha(colour: str, alpha: float) -> str:
    """'rgb(r, g, b)' or '#rrggbb' → 'rgba(r, g, b, alpha)'."""
    if colour.startswith("#"):
        r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    else:
        r, g, b = (int(float(v)) for v in colour[colour.index("(") + 1 : colour.index(")")].split(",")[:3])
    return f"rgba({r},{g},{b},{alpha})"


def coverage_growth(
    county_table: pd.DataFrame, completions: pd.DataFrame | None = None, names: dict[str, str] | None = None
) -> dict:
    """Share of women 15–49 covered by any open station and by stations at standard, by year, with the
    construction plan's completions marked (``names``: station code → the short name to write there). Plain
    plotly JSON (``go.Figure`` takes it as it is)."""
    layout = _layout(
        ui("coverage_growth_title"),
        xaxis={"title": {"text": ui("year")}},
        height=340,
        yaxis={"tickformat": ".0%", "range": [0, 1.02]},
    )
    years = county_table["year"].to_numpy(float)
    data = [
        _scatter(
            x=typed(years),
            y=typed(county_table["share_covered"]),
            mode="lines+markers",
            name=label("columns", "share_covered"),
            line={"color": "#1565c0"},
        ),
        _scatter(
            x=typed(years),
            y=typed(county_table["share_standard"]),
            mode="lines+markers",
            line={"shape": "hv", "color": "#2e7d32"},
            name=label("columns", "share_standard"),
        ),
    ]
    shapes, annotations = [], []
    if completions is not None and len(completions):
        for year, group in completions.groupby("completion_year"):
            text = "、".join((names or {}).get(s, s) for s in group["station_code"])
            shapes.append(
                {
                    "type": "line",
                    "x0": year,
                    "x1": year,
                    "xref": "x",
                    "y0": 0,
                    "y1": 1,
                    "yref": "y domain",
                    "line": {"dash": "dot", "color": "#9e9e9e"},
                }
            )
            annotations.append(
                {
                    "x": year,
                    "y": 0.45,
                    "text": text,
                    "showarrow": False,
                    "textangle": -90,
                    "xanchor": "left",
                    "yanchor": "middle",
                    "font": {"size": 10, "color": "#616161"},
                }
            )
    return {"data": data, "layout": layout | {"shapes": shapes, "annotations": annotations}}
