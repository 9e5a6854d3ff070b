"""建设规划: the construction plan."""

from __future__ import annotations

import base64

import ipywidgets as w

from fpplan.app import figures
from fpplan.app import results as results_module
from fpplan.app.panels.common import figure_output, names, redraw_output, results, title
from fpplan.data.labels import ui


def construction() -> w.Widget:
    manifest = results()
    scenario = manifest["plan_scenario"]
    construction_plan = results_module.table(manifest, "construction_plan", scenario)
    capacity_table = results_module.table(manifest, "capacity", scenario)
    cash_flow = results_module.table(manifest, "cash_flow", scenario)
    labels = names()
    gantt = figure_output(figures.gantt(construction_plan, labels))
    stations = list(construction_plan.sort_values("completion_year")["station_code"].drop_duplicates())
    picker = w.Dropdown(options=[(labels[s], s) for s in stations], value=stations[0], description=ui("station_select"))
    capacity = figure_output(figures.capacity_vs_need(capacity_table, stations[0], labels[stations[0]]))

    def show(change):
        redraw_output(capacity, figures.capacity_vs_need(capacity_table, change["new"], labels[change["new"]]))

    picker.observe(show, names="value")
    cash = figure_output(figures.cash_flow_bars(cash_flow, labels))
    data = base64.b64encode(results_module.file(manifest, "plan.xlsx", scenario).read_bytes()).decode()
    link = w.HTML(f"<a download='建设规划.xlsx' style='font-size:15px' href='data:application/vnd.openxmlformats-"
                  f"officedocument.spreadsheetml.sheet;base64,{data}'>⬇ {ui('download_workbook')}</a>")
    return w.VBox([title("app_construction", manifest), gantt, w.HBox([w.VBox([picker, capacity]), cash]), link])
