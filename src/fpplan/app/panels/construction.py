"""建设规划: the construction plan to the plan year, as officials table it (the same tables as the workbook),
read from the results computed once per data version (``fpplan.app.results``: ``officials_*`` tables made by
the pure ``fpplan.planning.officials.officials_tables``)."""

from __future__ import annotations

import base64

import ipywidgets as w
import pandas as pd

from fpplan.app import figures
from fpplan.app import results as results_module
from fpplan.app.panels.common import figure_output, redraw_output, results, title
from fpplan.data.labels import ui

PLAN_TOTALS = [
    "current_floor_area_m2",
    "standard_area_m2",
    "target_floor_area_m2",
    "cost_wan_yuan",
    "self_raised_wan_yuan",
    "subsidy_requested_wan_yuan",
]


def html_table(frame: pd.DataFrame, totals: list[str] | None = None) -> w.HTML:
    """A table as officials read it, as a widget (``table_html``)."""
    return w.HTML(table_html(frame, totals))


def table_html(frame: pd.DataFrame, totals: list[str] | None = None) -> str:
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
    style = (
        "<style>.fpplan-table{border-collapse:collapse;font-size:13px}.fpplan-table th{background:#ddebf7;"
        "padding:4px 8px;border:1px solid #bbb}.fpplan-table td{padding:3px 8px;border:1px solid #ddd;"
        "text-align:right}</style>"
    )
    return style + f"<div style='max-height:420px;overflow:auto'>{body}</div>"


def page_parts(manifest: dict) -> dict:
    """The page's pieces from the results of the plan scenario: ``intro`` (plan year, what stops the plan, its
    notes; HTML), ``gantt`` and ``money`` (figures), ``stations`` (code, name) in completion order and ``capacity``
    (station code → its figure), ``sections`` (HTML: village rooms and schools, what the demand survey changed,
    contraceptive supply; fpplan.app.plan_sections), ``tables`` (title, HTML) as the workbook's sheets, ``link``
    (the workbook)."""
    scenario = manifest["plan_scenario"]

    def table(name: str) -> pd.DataFrame:
        return results_module.table(manifest, name, scenario)

    construction_plan, capacity_table = table("construction_plan"), table("capacity")
    info = table("plan_info")
    plan_year = int(info["plan_year"].iloc[0])
    officials = table("officials_construction")
    labels = manifest["names"] | dict(zip(officials["station"], officials["station_name"]))
    stations = list(construction_plan.sort_values("completion_year")["station_code"].drop_duplicates())
    problems = info["problem"].dropna()
    warning = ""
    if len(problems):
        items = "".join(f"<li>{p}</li>" for p in problems)
        warning = (
            f"<div id='fpplan-plan-problems' style='color:#c62828'><b>{ui('plan_problems')}</b><ul>{items}</ul></div>"
        )
    intro = (
        f"<p id='fpplan-plan-year' style='font-size:15px'>{ui('plan_year_is', year=plan_year)}</p>"
        + warning
        + plan_notes_html(manifest, scenario)
    )  # what the plan could not take from the county's data
    money_table = table("officials_money")
    heads, structure = table("officials_head_counts"), table("officials_structure")
    tables = [
        ("sheet_plan_table", table_html(officials.drop(columns="station"), PLAN_TOTALS)),
        ("sheet_money", table_html(money_table, [c for c in money_table.columns if ":" in c])),
        (
            "sheet_subsidy",
            table_html(
                table("officials_subsidy"),
                ["subsidy_requested_wan_yuan", "granted_wan_yuan", "still_to_secure_wan_yuan"],
            ),
        ),
        ("sheet_equipment", table_html(table("officials_equipment"), ["purchase_cost_wan_yuan"])),
        ("sheet_head_counts", table_html(heads[heads["year"] == plan_year])),
        ("sheet_structure_after", table_html(structure[structure["year"] == plan_year])),
        ("sheet_hires", table_html(table("officials_hires"))),
        ("sheet_training", table_html(table("officials_training"), ["persons", "training_wan_yuan"])),
        ("sheet_growth", table_html(table("officials_growth"))),
    ]
    data = base64.b64encode(results_module.plan_workbook(manifest, scenario).read_bytes()).decode()
    link = (
        f"<a download='建设规划.xlsx' style='font-size:15px' href='data:application/vnd.openxmlformats-"
        f"officedocument.spreadsheetml.sheet;base64,{data}'>⬇ {ui('download_workbook')}</a>"
    )
    from fpplan.app.plan_sections import sections_html

    return {
        "intro": intro,
        "gantt": figures.gantt(construction_plan, labels),
        "sections": sections_html(manifest, scenario),  # village rooms, the demand survey, contraceptive supply
        "money": figures.money_by_source_bars(table("money")),
        "stations": [(s, labels[s]) for s in stations],
        "capacity": {s: figures.capacity_vs_need(capacity_table, s, labels[s]) for s in stations},
        "tables": [(ui(key), html) for key, html in tables],
        "link": link,
    }


def construction() -> w.Widget:
    """The page from its kernel (when the server could not answer it from the results: fpplan.app.pages.serving)."""
    manifest = results()
    parts = page_parts(manifest)
    stations = parts["stations"]
    picker = w.Dropdown(
        options=[(name, code) for code, name in stations], value=stations[0][0], description=ui("station_select")
    )
    capacity = figure_output(parts["capacity"][stations[0][0]])
    picker.observe(lambda change: redraw_output(capacity, parts["capacity"][change["new"]]), names="value")
    tabs = w.Tab(children=[w.HTML(html) for _, html in parts["tables"]])
    for k, (name, _) in enumerate(parts["tables"]):
        tabs.set_title(k, name)
    return w.VBox(
        [
            title("app_construction", manifest),
            w.HTML(parts["intro"]),
            figure_output(parts["gantt"]),
            w.HBox([w.VBox([picker, capacity]), figure_output(parts["money"])]),
            w.HTML(parts["sections"]),
            tabs,
            w.HTML(parts["link"]),
        ]
    )


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
