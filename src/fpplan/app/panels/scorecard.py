"""乡镇指标: the township scorecard."""

from __future__ import annotations

import ipywidgets as w
import pandas as pd
import plotly.graph_objects as go

from fpplan.app import figures
from fpplan.app.panels.common import county, figure_output, names, redraw_output, title
from fpplan.data.labels import ui


def township_scorecard() -> w.Widget:
    from fpplan.data.store import ReportStore
    from fpplan.indicators import periods
    from fpplan.indicators.scorecard import rolling_year, scorecard

    c = county()
    period = str(c.base_year)
    store = ReportStore.from_county(c)
    card = scorecard(c, "township", period, store=store, with_forecast=False)
    labels = names()
    heat = figure_output(figures.scorecard_heatmap(card, labels, period))
    long = store.long()
    last = periods.of_months(pd.Series([long["month"].max()]), "quarter").iloc[0]
    first_end = periods.of_months(pd.Series([(pd.Period(long["month"].min(), freq="M") + 11).strftime("%Y-%m")]), "quarter").iloc[0]
    ends = [q for q in periods.sequence(last, 12) if q >= first_end]
    trends = rolling_year(long, c, "township", ends)
    catalogue = c.config["indicators"]
    target_set = catalogue.default_target_set
    townships = list(c.townships()["code"])
    pick_township = w.Dropdown(options=[(labels[t], t) for t in townships], value=townships[0],
                               description=ui("township_select"))
    pick_indicator = w.Dropdown(options=[(i.zh, k) for k, i in catalogue.indicators.items()],
                                value="contraceptive_prevalence", description=ui("indicator_select"))

    def trend_figure() -> go.Figure:
        unit, code = pick_township.value, pick_indicator.value
        series = trends[(trends["unit"] == unit) & (trends["indicator"] == code)].sort_values("period")
        target = catalogue.indicators[code].targets.get(target_set)
        line = None if target is None else (tuple(target.value) if target.op == "between" else float(target.value))
        return figures.indicator_trend(series, ui("trend_title", township=labels[unit], indicator=catalogue.indicators[code].zh),
                                   line)

    trend = figure_output(trend_figure())

    def show(*_):
        redraw_output(trend, trend_figure())

    pick_township.observe(show, names="value")
    pick_indicator.observe(show, names="value")
    return w.VBox([title("app_scorecard"), heat, w.HBox([pick_township, pick_indicator]), trend])
