"""督导与考核: where the county's working rhythm stands (domain.md §9) — this quarter's county supervision done and
still due by township, the villages each township checked this month, findings open and rectifications overdue,
open findings by checklist item, the last eight weeks, and the rhythm's indicators of the latest scored quarter and
year against their targets.

A leaders' page: counts by township only, never an inspector, a staff id or a finding's words. Everything is read
from the results computed once per data version (``fpplan.indicators.supervision.page_tables`` and the scorecards
of ``fpplan.app.results``). A leader page (``panels.leader``): cards and a figure that fit a phone, tables that
scroll in their own box, print CSS, "保存为图片" and "打印/PDF" (drawn on the server: ``fpplan.server.export``).
"""

from __future__ import annotations

from html import escape
from pathlib import Path

import ipywidgets as w
import pandas as pd
import plotly.graph_objects as go

from fpplan.app import figures
from fpplan.app import results as results_module
from fpplan.app.panels import leader
from fpplan.app.panels.common import county_path, figure_output, not_collected, results, title
from fpplan.app.panels.scorecard import html_table
from fpplan.app.style import STATUS_COLOURS
from fpplan.app.tables import NO_VALUE, indicator_decimals, number
from fpplan.data.labels import column_label, language, month_text, ui

GREEN, AMBER, RED, GREY = "#2e7d32", "#f9a825", "#c62828", "#9e9e9e"


def rhythm_codes(catalogue) -> list[str]:
    """The catalogue's working-rhythm indicators (fpplan.indicators.rhythm's sources)."""
    from fpplan.indicators.rhythm import SOURCES

    return [code for code, ind in catalogue.indicators.items() if ind.data in SOURCES]


def target_set(catalogue) -> str:
    """The default target set when it sets the rhythm's targets, else the rhythm's own set (work_rhythm)."""
    from fpplan.indicators.catalogue import resolved_targets

    default = catalogue.default_target_set
    if (
        set(resolved_targets(catalogue, default)) & set(rhythm_codes(catalogue))
        or "work_rhythm" not in catalogue.target_sets
    ):
        return default
    return "work_rhythm"


def township_figure(status: pd.DataFrame, labels: dict, quarter: str, month: str) -> go.Figure:
    """By township: the share of villages checked this month (bars coloured by the county's visit this quarter:
    green done, amber still due) and the findings open and overdue (second axis)."""
    x = status["township_code"].map(lambda c: labels.get(c, c))
    share = (status["villages_checked"] / status["villages_total"].where(status["villages_total"] > 0) * 100).round(1)
    fig = go.Figure(
        layout=figures._layout(
            ui("supervision_figure", period=quarter),
            barmode="group",
            height=400,
            yaxis={"title": {"text": column_label("villages_checked") + "（%）"}, "range": [0, 105]},
            yaxis2={
                "title": {"text": column_label("findings_open")},
                "overlaying": "y",
                "side": "right",
                "rangemode": "tozero",
                "tickformat": "d",
                "showgrid": False,
            },
            legend={"orientation": "h", "y": -0.2},
        )
    )
    colours = [GREEN if d else AMBER for d in status["supervision_done"]]
    fig.add_bar(
        x=x,
        y=share,
        marker_color=colours,
        name=f"{column_label('villages_checked')}（{month_text(month)}）",
        text=[ui("supervision_cards_done") if d else ui("supervision_in_progress") for d in status["supervision_done"]],
        textposition="none",
        hovertemplate="%{x}: %{y}%<br>%{text}<extra></extra>",
    )
    fig.add_scatter(
        x=x,
        y=status["findings_open"],
        mode="markers",
        marker={"color": GREY, "size": 11},
        yaxis="y2",
        name=column_label("findings_open"),
    )
    fig.add_scatter(
        x=x,
        y=status["findings_overdue"],
        mode="markers",
        marker={"color": RED, "size": 11, "symbol": "x"},
        yaxis="y2",
        name=column_label("findings_overdue"),
    )
    return fig


def _cards(status: pd.DataFrame) -> str:
    """The key numbers as the leader pages' cards (several a row on a desktop, one a row on a phone)."""
    done, due = int(status["supervision_done"].sum()), int(status["supervision_due"].sum())
    checked, villages = int(status["villages_checked"].sum()), int(status["villages_total"].sum())
    opened, overdue = int(status["findings_open"].sum()), int(status["findings_overdue"].sum())
    cards = [
        (ui("supervision_cards_done"), f"{done} / {due}", GREEN if done == due else AMBER),
        (ui("supervision_cards_checks"), f"{checked} / {villages}", GREEN if checked == villages else AMBER),
        (ui("supervision_cards_open"), f"{opened}", GREY),
        (ui("supervision_cards_overdue"), f"{overdue}", RED if overdue else GREEN),
    ]
    return leader.cards_html([{"title": t, "value": v, "colour": c} for t, v, c in cards])


def _scroll(table: str) -> str:
    """A table in a box of its own that scrolls sideways on a narrow screen (the page does not)."""
    return f"<div class='fp-scroll'>{table}</div>"


def _scores(manifest: dict, catalogue, labels: dict) -> str:
    """The rhythm's indicators at county level for the latest scored year and quarter: value, target, status."""
    from fpplan.indicators.scorecard import judge, note_text, status_text

    places = indicator_decimals(catalogue)  # each indicator's decimals (config/report.yaml)
    cards = results_module.table(manifest, "scorecards")
    codes = rhythm_codes(catalogue)
    chosen = target_set(catalogue)
    parts = []
    for kind in ("year", "quarter"):
        scored = manifest.get("scored_periods", {}).get(kind) or []
        if not scored:
            continue
        card = cards[
            (cards["level"] == "county")
            & (cards["kind"] == kind)
            & (cards["period"] == scored[-1])
            & cards["indicator"].isin(codes)
        ]
        if chosen != catalogue.default_target_set:
            card = judge(card, catalogue, chosen, "county", kind)
        colours = card["status"].map(STATUS_COLOURS).fillna("#555").tolist()
        card = card.assign(
            status=status_text(card),
            note=note_text(card),
            indicator_name=card["indicator"].map({c: getattr(i, language()) for c, i in catalogue.indicators.items()}),
            value=[number(v, places.get(c, 1)) for v, c in zip(card["value"], card["indicator"], strict=True)],
        )
        shown = card[["indicator_name", "value", "unit_label", "target", "status", "note", "target_source"]]
        parts.append(f"<h3>{ui('scorecard_title', period=scored[-1])}</h3>" + _scroll(row_cards(shown, colours)))
    return "".join(parts)


def row_cards(frame: pd.DataFrame, colours: list[str], long: tuple[str, ...] = ("note", "target_source")) -> str:
    """A table that is a table on a wide screen and one small card per row on a phone (``panels.leader``'s
    ``fp-table``: the first column as the card's title, each other cell on its own line after its column's title;
    blank cells left out; the unit after the value instead of a line of its own); ``colours``: each row's status
    colour (its status cell and its card's edge); ``long``: columns of words that wrap."""
    shown = frame.round(1).astype(object).where(frame.notna(), "")
    titles = [column_label(c) for c in frame.columns]
    head = "".join(
        f"<th class='{'fp-text' if k == 0 or c in long else ''}'>{escape(t)}</th>"
        for k, (c, t) in enumerate(zip(frame.columns, titles, strict=True))
    )
    rows = []
    for values, colour in zip(shown.itertuples(index=False), colours, strict=True):
        cells = []
        for k, (column, value) in enumerate(zip(frame.columns, values, strict=True)):
            kind = "fp-text" if k == 0 else "fp-long" if column in long else ""
            style = f" style='color:{colour};font-weight:600'" if column == "status" else ""
            unit = (
                f"<span class='fp-unit'> {escape(str(values[frame.columns.get_loc('unit_label')]))}</span>"
                if column == "value" and "unit_label" in frame and value not in ("", NO_VALUE)
                else ""
            )
            kind += " fp-wide-only" if column == "unit_label" else ""
            cells.append(f"<td class='{kind}' data-label='{escape(titles[k])}'{style}>{escape(str(value))}{unit}</td>")
        rows.append(f"<tr style='border-left:4px solid {colour}'>{''.join(cells)}</tr>")
    return f"<table class='fp-table fp-rows'><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def page_content(manifest: dict, folder) -> tuple[go.Figure | None, str, str]:
    """The page below its title: the figure by township (None without a register), the key numbers' cards (HTML)
    and the rest (tables, the rhythm's indicators), from the results ``manifest``; ``folder``: the county's (its
    configuration). The page shows the cards, then the figure, then the rest."""
    from fpplan.data.config import load

    labels = manifest["names"]
    try:
        tables = {n: results_module.table(manifest, f"supervision_{n}") for n in ("township", "items", "weeks", "info")}
    except (FileNotFoundError, OSError):
        tables = None
    if tables is None or not bool(tables["info"]["has_register"].iloc[0]):
        return None, "", not_collected("supervision_none")
    info = tables["info"].iloc[0]
    status = tables["township"]
    catalogue = load("indicators", folder)
    checklist = load("rhythm", folder).checklist
    shown = status.assign(
        township_code=status["township_code"].map(lambda c: labels.get(c, c)),
        last_visit=pd.to_datetime(status["last_visit"]).dt.strftime("%Y-%m-%d").fillna("—"),
    )
    items = tables["items"].assign(
        check_item=tables["items"]["check_item"].map(
            lambda c: getattr(checklist[c], language()) if c in checklist else c
        )
    )
    html = (
        f"<h3>{ui('supervision_quarter', period=info['quarter'])} · {ui('supervision_month', period=month_text(info['month']))}</h3>"
        + _scroll(html_table(shown.rename(columns={"township_code": "township_name"})))
        + f"<h3>{ui('supervision_items')}</h3>"
        + _scroll(html_table(items))
        + f"<h3>{ui('supervision_weeks')}</h3>"
        + _scroll(html_table(tables["weeks"]))
        + _scores(manifest, catalogue, labels)
    )
    return township_figure(status, labels, info["quarter"], info["month"]), _cards(status), html


def file_stem(manifest: dict) -> str:
    """The image's and PDF's file name: county, page, data as of."""
    month = (manifest.get("data_as_of") or {}).get("last_month")
    return ui("leader_file_supervision", county=manifest["county"]["name"], as_of=month_text(month) if month else "")


def toolbar(manifest: dict) -> str:
    """ "保存为图片" and "打印/PDF" (``panels.leader``): the page drawn on the server (``fpplan.server.export``) for
    the county and data version of ``manifest``. The county is always named: a page kept with a county's results
    may be served in a region too."""
    version = manifest.get("version") or Path(manifest["path"]).name  # (a version's folder: its first 16 digits)
    query = {"county": manifest["county"]["code"], "v": version[:12]}
    return leader.toolbar_html("supervision", query, file_stem(manifest))


def supervision_page() -> w.Widget:
    """The page from its kernel (when the server could not answer it from the results: fpplan.app.pages.serving)."""
    manifest = results()
    figure, cards, html = page_content(manifest, county_path())
    head = [title("app_supervision", manifest), w.HTML(leader.CSS + toolbar(manifest) + cards)]
    return w.VBox(head + ([figure_output(figure)] if figure is not None else []) + [w.HTML(html)])
