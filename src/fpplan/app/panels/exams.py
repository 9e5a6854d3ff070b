"""技术人员月考: the year's monthly staff exams (seed 000 §三(三)2⑥) — each specialty's collective monthly average
against the prize and fine thresholds, the collective prizes and fines of the year, and each pseudonymous staff
member's results and consequences.

A staff-level page: its notebook carries the metadata flag ``fpplan.staff_level``, so the server leaves it out
off this machine unless the county's ``config/server.yaml`` allows staff pages (``fpplan.server.serve``). Nothing
staff-level is shown on any other page. Computed from the county's exam table (``fpplan.rules.exam_consequences``)
when the page opens and when another year is chosen.
"""

from __future__ import annotations

import ipywidgets as w
import pandas as pd
import plotly.graph_objects as go

from fpplan.app import figures
from fpplan.app.panels.common import county, figure_output, not_collected, redraw_output, results, title
from fpplan.app.panels.scorecard import html_table
from fpplan.data.labels import column_label, enum_label, ui

PEOPLE_COLUMNS = [
    "staff_id",
    "specialty",
    "exams",
    "fails",
    "unexcused_absences",
    "average_12",
    "consequence",
    "allowance_months_deducted",
    "prize_yuan",
    "prefecture_yuan",
    "reason",
]


def monthly_figure(monthly: pd.DataFrame, rules, year: int) -> go.Figure:
    """Each specialty's collective monthly average, with the collective prize thresholds as dotted lines."""
    fig = go.Figure(
        layout=figures._layout(
            ui("exams_monthly_title", year=year),
            yaxis_title=column_label("score"),
            xaxis={"title": {"text": column_label("month")}, "tickformat": "%-m月", "dtick": "M1"},
        )
    )
    for specialty, part in monthly.groupby("specialty", sort=True):
        fig.add_scatter(
            x=part["month"], y=part["average"].round(1), mode="lines+markers", name=enum_label("specialty", specialty)
        )
    for prize in rules.collective_prizes:
        fig.add_hline(y=prize.min, line_dash="dot", line_color="#9e9e9e", annotation_text=prize.zh)
    return fig


def exam_years(county) -> list[int]:
    return sorted(county.exam_scores["month"].str[:4].astype(int).unique().tolist())


def year_content(county, year: int) -> tuple[go.Figure, str]:
    """A year's figure (each specialty's monthly average against the prize thresholds) and tables (the collective
    prizes and fines, each staff member's results and consequences)."""
    from fpplan.rules import exam_consequences

    result = exam_consequences(county, year)
    tables = (
        f"<h3>{ui('exams_collective')}</h3>"
        + html_table(result["collective"], {"specialty": "specialty"})
        + f"<h3>{ui('exams_people')}</h3>"
        + html_table(result["people"][PEOPLE_COLUMNS], {"specialty": "specialty"})
    )
    return monthly_figure(result["collective_monthly"], county.config["rules"].exams, year), tables


def exams_page() -> w.Widget:
    """The page from its kernel (when the server could not answer it from the results: fpplan.app.pages.serving)."""
    manifest = results()
    years = exam_years(county())
    if not years:
        return w.VBox([title("app_exams", manifest), w.HTML(not_collected("exams_none"))])
    pick = w.Dropdown(options=years, value=years[-1], description=ui("year"))
    tables = w.HTML()

    def content(year: int):
        fig, tables.value = year_content(county(), year)
        return fig

    figure = figure_output(content(pick.value))
    pick.observe(lambda change: redraw_output(figure, content(change["new"])), names="value")
    return w.VBox([title("app_exams", manifest), pick, figure, tables])
