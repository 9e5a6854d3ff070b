"""乡镇指标: the township scorecard of any scored period (year, half-year, quarter), and one township's
indicator over rolling years; both read from the results computed once per data version."""

from __future__ import annotations

import ipywidgets as w
import plotly.graph_objects as go

from fpplan.app import figures
from fpplan.app import results as results_module
from fpplan.app.panels.common import county_path, figure_output, names, redraw_output, results, title
from fpplan.data.labels import ui


def township_scorecard() -> w.Widget:
    from fpplan.data.config import load

    manifest = results()
    cards = results_module.table(manifest, "scorecards")
    cards = cards[cards["level"] == "township"]
    trends = results_module.table(manifest, "trends")
    catalogue = load("indicators", county_path())
    target_set = catalogue.default_target_set
    labels = names()
    scored = manifest["scored_periods"]
    periods = [p for kind in ("year", "half_year", "quarter") for p in reversed(scored.get(kind, []))]
    pick_period = w.Dropdown(options=[(p, p) for p in periods], value=periods[0], description=ui("period_select"))

    def heat_figure() -> go.Figure:
        period = pick_period.value
        return figures.scorecard_heatmap(cards[cards["period"] == period], labels, period)

    heat = figure_output(heat_figure())
    townships = manifest["townships"]
    pick_township = w.Dropdown(options=[(labels[t], t) for t in townships], value=townships[0],
                               description=ui("township_select"))
    pick_indicator = w.Dropdown(options=[(i.zh, k)
                                         for k, i in catalogue.indicators.items() if not i.computed],
                                value="contraceptive_prevalence", description=ui("indicator_select"))

    def trend_figure() -> go.Figure:
        unit, code = pick_township.value, pick_indicator.value
        series = trends[(trends["unit"] == unit) & (trends["indicator"] == code)].sort_values("period")
        target = catalogue.indicators[code].targets.get(target_set)
        line = None if target is None else (tuple(target.value) if target.op == "between" else float(target.value))
        return figures.indicator_trend(series, ui("trend_title", township=labels[unit],
                                                  indicator=catalogue.indicators[code].zh), line)

    trend = figure_output(trend_figure())
    pick_period.observe(lambda *_: redraw_output(heat, heat_figure()), names="value")
    pick_township.observe(lambda *_: redraw_output(trend, trend_figure()), names="value")
    pick_indicator.observe(lambda *_: redraw_output(trend, trend_figure()), names="value")
    return w.VBox([title("app_scorecard", manifest), pick_period, heat, w.HBox([pick_township, pick_indicator]), trend])
