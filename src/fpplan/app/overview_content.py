"""The leader's overview as a document computed once per data version: key-number cards, two figures as plotly
JSON, the first station to fall short. The dashboard only draws it (no engine, no pandas, no plotly import)."""

from __future__ import annotations

import json

import pandas as pd

from fpplan.app import figures
from fpplan.data.labels import ui
from fpplan.planning import facilities

CARD_COLOURS = {
    "population": "#1565c0",
    "women": "#c2185b",
    "staff": "#6a1b9a",
    "area": "#ef6c00",
    "money": "#c62828",
    "red": "#c62828",
    "amber": "#f9a825",
    "met": "#2e7d32",
}
RED, AMBER = ("red",), ("amber",)


def _figure_json(fig) -> dict:
    return json.loads(fig.to_json())


def build(county, plan, cards: pd.DataFrame, manifest: dict) -> dict:
    """Cards and figures for the overview of ``plan`` (the plan scenario) and the newest complete year's
    scorecards (township and county level). The plan's numbers are the plan's headline
    (fpplan.planning.gaps.headline), only formatted here."""
    from fpplan.indicators.scorecard import lights

    names = manifest["names"]
    h = plan.headline
    first, last = h["base_year"], h["horizon"]
    years = manifest["scored_periods"].get("year", [])
    period = years[-1] if years else None
    township = cards[(cards["level"] == "township") & (cards["period"] == period)] if period else cards.iloc[0:0]
    county_card = cards[(cards["level"] == "county") & (cards["period"] == period)] if period else cards.iloc[0:0]
    counted = lights(county_card)  # red and amber of the indicators judged (with data and a target), as the brief
    items = [
        ("population", ui("population_now", year=first), f"{h['population_base']:,.0f}"),
        ("population", ui("population_plan", year=last), f"{h['population_horizon']:,.0f}"),
        ("women", ui("women_now", year=first), f"{h['women_15_49_base']:,.0f}"),
        ("staff", ui("staff_gap", year=last), f"{h['staff_gap_before_persons']} {ui('persons')}"),
        (
            "staff",
            ui("hires_card", plan_year=h["plan_year"], year=last),
            ui("hires_card_value", hires=h["hires_persons"], after=h["staff_gap_after_persons"]),
        ),
        ("area", ui("area_gap", year=first), f"{h['area_gap_base_m2']:,.0f} m²"),
        ("money", ui("funding_gap"), f"{h['still_to_secure_wan_yuan']:,.0f} {ui('wan_yuan')}"),
    ]
    if period:
        items += [
            ("red", ui("indicators_red", period=period), f"{counted['red']} / {counted['judged']}"),
            ("amber", ui("indicators_amber", period=period), f"{counted['amber']} / {counted['judged']}"),
        ]
    summary = plan.projection.summary
    townships = summary[summary["region"] != county.county_code]
    population = figures.lines(townships, "year", "population", "region", ui("population_by_township"), names)
    codes = manifest["townships"]
    attention = figures.township_attention(
        township.assign(red=township["status"].isin(RED), amber=township["status"].isin(AMBER)),
        codes,
        names,
        ui("townships_attention", period=period or ""),
    )
    shortfall = facilities.first_shortfall(plan.capacity, plan.construction_plan).dropna(subset=["first_short_year"])
    note = ""
    if len(shortfall):
        row = shortfall.sort_values(["first_short_year", "max_gap_m2"], ascending=[True, False]).iloc[0]
        note = ui(
            "first_short_station", station=names.get(row["station"], row["station"]), year=int(row["first_short_year"])
        )
    return {
        "period": period,
        "cards": [
            {"kind": kind, "title": title, "value": value, "colour": CARD_COLOURS[kind]} for kind, title, value in items
        ],
        "note": note,
        "figures": {"population": _figure_json(population), "attention": _figure_json(attention)},
    }
