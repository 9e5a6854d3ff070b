"""建设规划: the construction plan to the plan year, as officials table it (the same tables as the workbook)."""

from __future__ import annotations

import base64
import tempfile
from pathlib import Path

import ipywidgets as w
import pandas as pd

from fpplan.app import figures
from fpplan.app.panels.common import PLAN_SCENARIO, county, figure_output, model, names, redraw_output, title
from fpplan.data.labels import ui


def construction_data(c, scenario: str = PLAN_SCENARIO, inputs=None) -> tuple[object, dict[str, pd.DataFrame]]:
    """The heavy part, pure: the plan and its officials' tables (fpplan.planning.officials), to compute once and
    cache per data version."""
    from fpplan.planning.officials import officials_tables
    from fpplan.planning.plan import make_plan

    plan = make_plan(c, scenario, inputs=inputs)
    return plan, officials_tables(plan)


def html_table(frame: pd.DataFrame, totals: list[str] | None = None) -> w.HTML:
    """A table as officials read it: labelled headers, enumerations as words, years and whole numbers as such."""
    from fpplan.app.workbook import YEAR_COLUMNS, present

    shown = present(frame, totals or [])

    def fmt(v, year: bool):
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            return "" if v is None else v
        if pd.isna(v):
            return ""
        if year:
            return f"{v:.0f}"
        return f"{v:,.0f}" if abs(v - round(v)) < 1e-9 else f"{v:,.2f}"

    for header, code in zip(shown.columns, frame.columns):
        year = str(code) in YEAR_COLUMNS or str(code).endswith("_year")
        shown[header] = shown[header].map(lambda v, y=year: fmt(v, y))
    body = shown.to_html(index=False, border=0, classes="fpplan-table", escape=True)
    style = ("<style>.fpplan-table{border-collapse:collapse;font-size:13px}.fpplan-table th{background:#ddebf7;"
             "padding:4px 8px;border:1px solid #bbb}.fpplan-table td{padding:3px 8px;border:1px solid #ddd;"
             "text-align:right}</style>")
    return w.HTML(style + f"<div style='max-height:420px;overflow:auto'>{body}</div>")


def construction() -> w.Widget:
    from fpplan.app.workbook import write_workbook

    c = county()
    plan, tables = construction_data(c, PLAN_SCENARIO, inputs=model()["inputs"])
    labels = names() | dict(zip(plan.facilities["code"], plan.facilities["name"]))
    gantt = figure_output(figures.gantt(plan.construction_plan, labels))
    stations = list(plan.construction_plan.sort_values("completion_year")["station_code"].drop_duplicates())
    picker = w.Dropdown(options=[(labels[s], s) for s in stations], value=stations[0], description=ui("station_select"))
    capacity = figure_output(figures.capacity_vs_need(plan.capacity, stations[0], labels[stations[0]]))

    def show(change):
        redraw_output(capacity, figures.capacity_vs_need(plan.capacity, change["new"], labels[change["new"]]))

    picker.observe(show, names="value")
    money = figure_output(figures.money_by_source_bars(plan.money))
    problems = w.HTML("")
    if plan.problems:
        items = "".join(f"<li>{p.message()}</li>" for p in plan.problems)
        problems.value = f"<div style='color:#c62828'><b>{ui('plan_problems')}</b><ul>{items}</ul></div>"
    money_columns = [col for col in tables["money"].columns if ":" in col]
    pages = [
        ("sheet_plan_table", html_table(tables["construction"].drop(columns="station"),
                                        ["current_floor_area_m2", "standard_area_m2", "target_floor_area_m2",
                                         "cost_wan_yuan", "self_raised_wan_yuan", "subsidy_requested_wan_yuan"])),
        ("sheet_money", html_table(tables["money"], money_columns)),
        ("sheet_subsidy", html_table(tables["subsidy"], ["subsidy_requested_wan_yuan", "granted_wan_yuan",
                                                         "still_to_secure_wan_yuan"])),
        ("sheet_equipment", html_table(tables["equipment"], ["cost_wan_yuan"])),
        ("sheet_head_counts", html_table(tables["head_counts"][tables["head_counts"]["year"] == plan.plan_year])),
        ("sheet_structure_after", html_table(tables["structure"][tables["structure"]["year"] == plan.plan_year])),
        ("sheet_hires", html_table(tables["hires"])),
        ("sheet_training", html_table(tables["training"], ["persons", "cost_wan_yuan"])),
        ("sheet_growth", html_table(tables["growth"])),
    ]
    tabs = w.Tab(children=[page for _, page in pages])
    for k, (key, _) in enumerate(pages):
        tabs.set_title(k, ui(key))
    with tempfile.TemporaryDirectory() as tmp:
        data = base64.b64encode(write_workbook(plan, Path(tmp) / "plan.xlsx").read_bytes()).decode()
    link = w.HTML(f"<a download='建设规划.xlsx' style='font-size:15px' href='data:application/vnd.openxmlformats-"
                  f"officedocument.spreadsheetml.sheet;base64,{data}'>⬇ {ui('download_workbook')}</a>")
    year = w.HTML(f"<p style='font-size:15px'>{ui('plan_year_is', year=plan.plan_year)}</p>")
    return w.VBox([title("app_construction"), year, problems, gantt, w.HBox([w.VBox([picker, capacity]), money]), tabs,
                   link])
