"""建设规划: the construction plan."""

from __future__ import annotations

import base64
import tempfile
from pathlib import Path

import ipywidgets as w

from fpplan.app import figures
from fpplan.app.panels.common import PLAN_SCENARIO, county, figure_output, model, names, redraw_output, title
from fpplan.data.labels import ui


def construction() -> w.Widget:
    from fpplan.app.workbook import write_workbook
    from fpplan.planning.plan import make_plan

    c = county()
    plan = make_plan(c, PLAN_SCENARIO, inputs=model()["inputs"])
    labels = names()
    gantt = figure_output(figures.gantt(plan.construction_plan, labels))
    stations = list(plan.construction_plan.sort_values("completion_year")["station_code"].drop_duplicates())
    picker = w.Dropdown(options=[(labels[s], s) for s in stations], value=stations[0], description=ui("station_select"))
    capacity = figure_output(figures.capacity_vs_need(plan.capacity, stations[0], labels[stations[0]]))

    def show(change):
        redraw_output(capacity, figures.capacity_vs_need(plan.capacity, change["new"], labels[change["new"]]))

    picker.observe(show, names="value")
    cash = figure_output(figures.cash_flow_bars(plan.cash_flow, labels))
    with tempfile.TemporaryDirectory() as tmp:
        data = base64.b64encode(write_workbook(plan, Path(tmp) / "plan.xlsx").read_bytes()).decode()
    link = w.HTML(f"<a download='建设规划.xlsx' style='font-size:15px' href='data:application/vnd.openxmlformats-"
                  f"officedocument.spreadsheetml.sheet;base64,{data}'>⬇ {ui('download_workbook')}</a>")
    return w.VBox([title("app_construction"), gantt, w.HBox([w.VBox([picker, capacity]), cash]), link])
