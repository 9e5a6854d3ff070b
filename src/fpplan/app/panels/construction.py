"""建设规划: the construction plan to the plan year, as officials table it (the same tables as the workbook),
read from the results computed once per data version (``fpplan.app.results``: ``officials_*`` tables made by
the pure ``fpplan.planning.officials.officials_tables``)."""

from __future__ import annotations

import base64

import ipywidgets as w
import pandas as pd

from fpplan.app import figures
from fpplan.app import results as results_module
from fpplan.app.panels.common import figure_output, names, redraw_output, results, title
from fpplan.data.labels import ui

PLAN_TOTALS = ["current_floor_area_m2", "standard_area_m2", "target_floor_area_m2", "cost_wan_yuan",
               "self_raised_wan_yuan", "subsidy_requested_wan_yuan"]


def html_table(frame: pd.DataFrame, totals: list[str] | None = None) -> w.HTML:
    """A table as officials read it: labelled headers, enumerations as words, years and whole numbers as such."""
    from fpplan.app.tables import YEAR_COLUMNS
    from fpplan.app.workbook import present

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
    manifest = results()
    scenario = manifest["plan_scenario"]

    def table(name: str) -> pd.DataFrame:
        return results_module.table(manifest, name, scenario)

    construction_plan, capacity_table = table("construction_plan"), table("capacity")
    info = table("plan_info")
    plan_year = int(info["plan_year"].iloc[0])
    labels = names() | dict(zip(table("officials_construction")["station"], table("officials_construction")["station_name"]))
    gantt = figure_output(figures.gantt(construction_plan, labels))
    stations = list(construction_plan.sort_values("completion_year")["station_code"].drop_duplicates())
    picker = w.Dropdown(options=[(labels[s], s) for s in stations], value=stations[0], description=ui("station_select"))
    capacity = figure_output(figures.capacity_vs_need(capacity_table, stations[0], labels[stations[0]]))

    def show(change):
        redraw_output(capacity, figures.capacity_vs_need(capacity_table, change["new"], labels[change["new"]]))

    picker.observe(show, names="value")
    money = figure_output(figures.money_by_source_bars(table("money")))
    problems = info["problem"].dropna()
    warning = w.HTML("")
    if len(problems):
        items = "".join(f"<li>{p}</li>" for p in problems)
        warning.value = f"<div id='fpplan-plan-problems' style='color:#c62828'><b>{ui('plan_problems')}</b><ul>{items}</ul></div>"
    notes = w.HTML(plan_notes_html(manifest, scenario))  # what the plan could not take from the county's data
    money_table = table("officials_money")
    heads, structure = table("officials_head_counts"), table("officials_structure")
    pages = [
        ("sheet_plan_table", html_table(table("officials_construction").drop(columns="station"), PLAN_TOTALS)),
        ("sheet_money", html_table(money_table, [c for c in money_table.columns if ":" in c])),
        ("sheet_subsidy", html_table(table("officials_subsidy"), ["subsidy_requested_wan_yuan", "granted_wan_yuan",
                                                                  "still_to_secure_wan_yuan"])),
        ("sheet_equipment", html_table(table("officials_equipment"), ["purchase_cost_wan_yuan"])),
        ("sheet_head_counts", html_table(heads[heads["year"] == plan_year])),
        ("sheet_structure_after", html_table(structure[structure["year"] == plan_year])),
        ("sheet_hires", html_table(table("officials_hires"))),
        ("sheet_training", html_table(table("officials_training"), ["persons", "training_wan_yuan"])),
        ("sheet_growth", html_table(table("officials_growth"))),
    ]
    tabs = w.Tab(children=[page for _, page in pages])
    for k, (key, _) in enumerate(pages):
        tabs.set_title(k, ui(key))
    data = base64.b64encode(results_module.file(manifest, "plan.xlsx", scenario).read_bytes()).decode()
    link = w.HTML(f"<a download='建设规划.xlsx' style='font-size:15px' href='data:application/vnd.openxmlformats-"
                  f"officedocument.spreadsheetml.sheet;base64,{data}'>⬇ {ui('download_workbook')}</a>")
    year = w.HTML(f"<p id='fpplan-plan-year' style='font-size:15px'>{ui('plan_year_is', year=plan_year)}</p>")
    return w.VBox([title("app_construction", manifest), year, warning, notes, gantt,
                   w.HBox([w.VBox([picker, capacity]), money]), tabs, link])


def plan_notes_html(manifest: dict, scenario: str) -> str:
    """The plan's notes (services from population-based rates, equipment not reported …) as a list; empty when the
    plan has none or the results predate them."""
    import html

    path = results_module.file(manifest, "plan_notes.parquet", scenario)
    notes = results_module.table(manifest, "plan_notes", scenario)["note"].dropna() if path.exists() else []
    if not len(notes):
        return ""
    items = "".join(f"<li>{html.escape(n)}</li>" for n in notes)
    return f"<div id='fpplan-plan-notes' style='color:#555;font-size:14px'><ul>{items}</ul></div>"
