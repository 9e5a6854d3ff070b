"""The region's overview (地区总览) as a document computed once per region version: the region's key-number cards,
every county's row of the ranking table (numbers formatted, the values the ranking sorts by), the counties' order
by each measure, and two figures (plotly JSON and SVG images at a desktop and a phone width). The numbers are the
region summary's (``fpplan.app.region_results``); nothing is computed here but their formatting."""

from __future__ import annotations

import json

import plotly.graph_objects as go

from fpplan.app.overview_content import CARD_COLOURS
from fpplan.app.style import AXIS_NUMBERS, FONT, STATUS_COLOURS
from fpplan.app.tables import NO_VALUE, number
from fpplan.data.labels import ui

ROW_HEIGHT = 22  # px per county in the figures (they grow with the region)
FIGURE_MAX = 30  # counties a figure shows at most (those first by its measure; the table has them all)
# the ranking table's columns: key, decimals (None: the column is text)
COLUMNS = (
    ("population_base", 0),
    ("population_horizon", 0),
    ("population_change_pct", 1),
    ("women_15_49_base", 0),
    ("red", 0),
    ("amber", 0),
    ("staff_gap", None),
    ("area_gap_m2", 0),
    ("still_to_secure_wan_yuan", 0),
)


def years_text(years: list[int]) -> str:
    return str(years[0]) if len(set(years)) == 1 else f"{min(years)}—{max(years)}"


def staff_text(value: float, unit: str) -> str:
    """A staff gap as the county overview shows it: whole persons, or FTE to one decimal (results from before the
    plan counted persons)."""
    return f"{number(value, 0 if unit == 'persons' else 1)} {ui('persons')}"


def change_text(pct: float | None) -> str:
    return NO_VALUE if pct is None else f"{'+' if pct > 0 else ''}{number(pct, 1)}%"


def cell_text(county: dict, key: str, decimals: int | None) -> str:
    if key == "staff_gap":
        return staff_text(county["staff_gap"], county["staff_gap_unit"])
    if key == "population_change_pct":
        return change_text(county[key])
    if key in ("red", "amber") and county[key] is not None:
        return f"{county[key]} / {county['indicators']}"
    return number(county[key], decimals)


def build(summary: dict) -> dict:
    """Cards, ranking table, measures and figures of the region page (see the module docstring)."""
    from fpplan.app import figure_images

    t = summary["totals"]
    first, last = years_text(t["base_years"]), years_text(t["horizons"])
    period = "、".join(t["periods"]) or NO_VALUE
    unit = "persons" if t["staff_gap_units"] == ["persons"] else "fte"
    cards = [
        ("population", ui("region_population_now", year=first), number(t["population_base"])),
        (
            "population",
            ui("region_population_plan", year=last),
            f"{number(t['population_horizon'])}（{change_text(t['population_change_pct'])}）",
        ),
        ("women", ui("region_women_now", year=first), number(t["women_15_49_base"])),
        ("staff", ui("region_staff_gap", year=last), staff_text(t["staff_gap"], unit)),
        ("area", ui("region_area_gap", year=first), f"{number(t['area_gap_m2'])} m²"),
        ("money", ui("region_funding_gap"), f"{number(t['still_to_secure_wan_yuan'])} {ui('wan_yuan')}"),
        ("red", ui("region_counties_red", period=period), f"{t['counties_with_red']} / {t['counties']}"),
    ]
    titles = {
        "population_base": ui("region_column_population_base", year=first),
        "population_horizon": ui("region_column_population_horizon", year=last),
    }
    columns = [{"key": key, "title": titles.get(key) or ui(f"region_measure_{key}")} for key, _ in COLUMNS]
    rows = [
        {
            "code": c["code"],
            "name": c["name"],
            "cells": {key: cell_text(c, key, d) for key, d in COLUMNS},
            "values": {m: c[m] for m in summary["measures"]},
        }
        for c in summary["counties"]
    ]
    figures = {"lights": lights_figure(summary, period), "population": population_figure(summary, first, last)}
    images = figure_images.svg_image_sets(figures)
    return {
        "cards": [
            {"kind": kind, "title": title, "value": value, "colour": CARD_COLOURS[kind]} for kind, title, value in cards
        ],
        "columns": columns,
        "rows": rows,
        "measures": [{"key": m, "title": ui(f"region_measure_{m}")} for m in summary["measures"]],
        "rankings": summary["rankings"],
        "figures": figures,
        "images": images.get(figure_images.WIDTH, {}),
        "images_phone": images.get(figure_images.PHONE_WIDTH, {}),
    }


def _layout(title: str, n: int) -> dict:
    """Horizontal bars, one row per county: the title above the bars (as many lines as it has), the legend below."""
    return {
        "title": {"text": title, "yref": "paper", "y": 1, "yanchor": "bottom", "automargin": True, "pad": {"b": 8}},
        "font": {"family": FONT},
        "barmode": "stack",
        "height": 130 + ROW_HEIGHT * n,
        "margin": {"l": 90, "r": 20, "t": 30, "b": 70},
        "legend": {
            "orientation": "h",
            "yref": "container",
            "y": 0,
            "yanchor": "bottom",
            "x": 0,
            "traceorder": "normal",
        },
        "yaxis": {"autorange": "reversed", "automargin": True},
        "xaxis": {"automargin": True, **AXIS_NUMBERS},  # the bars' values
    }


def _json(fig: go.Figure) -> dict:
    return json.loads(fig.to_json())


def _first(order: list[dict], title: str) -> tuple[list[dict], str]:
    """At most FIGURE_MAX counties, the title saying so when there are more."""
    if len(order) <= FIGURE_MAX:
        return order, title
    return order[:FIGURE_MAX], f"{title}<br><sup>{ui('region_figure_first', n=FIGURE_MAX, total=len(order))}</sup>"


def lights_figure(summary: dict, period: str) -> dict:
    """Red and amber county indicators by county, in the order of the default ranking (most red first)."""
    by_code = {c["code"]: c for c in summary["counties"]}
    order, title = _first(
        [by_code[code] for code in summary["rankings"][summary["measures"][0]]],
        ui("region_figure_lights", period=period),
    )
    names = [c["name"] for c in order]
    fig = go.Figure(layout=_layout(title, len(order)))
    for status in ("red", "amber"):
        fig.add_bar(
            y=names,
            x=[c[status] or 0 for c in order],
            orientation="h",
            name=ui(f"region_measure_{status}"),
            marker_color=STATUS_COLOURS[status],
        )
    return _json(fig)


def population_figure(summary: dict, first: str, last: str) -> dict:
    """Each county's population change from the base year to the horizon (%), largest growth first."""
    by_code = {c["code"]: c for c in summary["counties"]}
    order, title = _first(
        [
            by_code[code]
            for code in summary["rankings"]["population_change_pct"]
            if by_code[code]["population_change_pct"] is not None
        ],
        ui("region_figure_population", first=first, last=last),
    )
    fig = go.Figure(layout=_layout(title, len(order)))
    fig.add_bar(
        y=[c["name"] for c in order],
        x=[round(c["population_change_pct"], 1) for c in order],
        orientation="h",
        marker_color=CARD_COLOURS["population"],
        showlegend=False,
        text=[change_text(c["population_change_pct"]) for c in order],
        textposition="auto",
    )
    return _json(fig)
