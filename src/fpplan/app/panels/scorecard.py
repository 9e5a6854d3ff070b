"""乡镇指标: the township scorecard of any scored period (year, half-year, quarter) against any target set, what stands
behind a red cell (Tanahashi stages: WISN staff gap and floor-area gap, distance, the related indicators, trend and
forecast), and, for leaders, the demand survey (the staff exams, staff-level, are a page of their own:
``fpplan.app.panels.exams``).

Read from the results computed once per data version (``fpplan.app.results``: scorecards, trends, the plan
scenario's WISN and capacity, the cause analysis's facilities and villages); another target set re-judges the
precomputed values (``fpplan.indicators.scorecard.judge``). The survey is computed from the county
when its section is first opened (``fpplan.rules``).
"""

from __future__ import annotations

from functools import cache

import ipywidgets as w
import pandas as pd
import plotly.graph_objects as go

from fpplan.app import figures
from fpplan.app import results as results_module
from fpplan.app.panels.common import (
    county,
    county_path,
    figure_output,
    names,
    redraw_output,
    results,
    title,
)
from fpplan.data.labels import column_label, enum_label, language, ui

LEVEL = "township"
KINDS = ("year", "half_year", "quarter", "month")
ORDER = {"red": 0, "amber": 1, "green": 2, "small_sample": 3, "no_target": 4, "no_data": 5}


@cache
def catalogue():
    from fpplan.data.config import load

    return load("indicators", county_path())


@cache
def precomputed() -> dict[str, pd.DataFrame]:
    manifest = results()
    cards = results_module.table(manifest, "scorecards")
    out = {"cards": cards[cards["level"] == LEVEL], "trends": results_module.table(manifest, "trends")}
    scenario = manifest.get("plan_scenario")
    for name in ("wisn", "capacity"):
        try:
            out[name] = results_module.table(manifest, name, scenario=scenario)
        except (FileNotFoundError, OSError):
            out[name] = None
    from fpplan.indicators.causes import SPATIAL_TABLES

    spatial = {}
    for name in SPATIAL_TABLES:  # the map's coverage, computed once with the plan (absent without coordinates)
        try:
            spatial[name] = results_module.table(manifest, f"spatial_{name}", scenario=scenario)
        except (FileNotFoundError, OSError):
            spatial = {}
            break
    out["spatial"] = spatial or None
    for name in ("facilities", "villages"):
        try:
            out[name] = results_module.table(manifest, f"causes_{name}")
        except (FileNotFoundError, OSError):  # results computed before these tables existed
            from fpplan.indicators.causes import causes_inputs

            out[name] = causes_inputs(county())[name]
    return out


@cache
def judged(kind: str, target_set: str) -> pd.DataFrame:
    """The precomputed scorecards of ``kind``, judged against ``target_set``."""
    from fpplan.indicators.scorecard import judge

    cards = precomputed()["cards"]
    card = cards[cards["kind"] == kind]
    if target_set == catalogue().default_target_set:
        return card
    return judge(card, catalogue(), target_set, LEVEL, kind)


def html_table(frame: pd.DataFrame | None, enums: dict[str, str] | None = None, digits: int = 1) -> str:
    """A small table as HTML with the label table's headers (and enumeration words)."""
    if frame is None or frame.empty:
        return "<p>—</p>"
    shown = frame.copy()
    for column, enum in (enums or {}).items():
        if column in shown:
            shown[column] = shown[column].map(lambda v, e=enum: enum_label(e, v) if isinstance(v, str) else v)
    shown = shown.round(digits).astype(object).where(shown.notna(), "").rename(columns=column_label)
    return shown.to_html(index=False, border=0, classes="fpplan-table")


CAUSE_SECTIONS = (("cause_availability", "availability_staff"), (None, "availability_floor_area"),
                  ("cause_accessibility", "accessibility"), (None, "accessibility_villages"),
                  ("cause_acceptability", "acceptability"), ("cause_contact", "contact"),
                  ("cause_effective", "effective"), ("cause_trend", "forecast"))
CAUSE_ROWS = 8  # villages beyond reach shown (the farthest first)


def cause_table(table: pd.DataFrame, key: str, names: dict) -> str:
    """One table of the cause analysis as officials read it (fpplan.app.tables: names for codes, words for statuses
    and specialties, numbers to their decimals, the indicator's own decimals for its values, — for a blank)."""
    from fpplan.app import tables as officials

    if table is None or table.empty:
        return f"<p>{ui('no_rows')}</p>"
    table = table.drop(columns=[c for c in ("indicator", "note") if c in table])  # codes: the name and status say it
    if key == "accessibility_villages":
        table = table.head(CAUSE_ROWS)
    if key == "forecast" and "expected_met" in table:
        table = table.assign(expected_met=table["expected_met"].map(
            lambda q: officials.period_text(q) if isinstance(q, str) and q else ""),
            forecast_quarter=table["forecast_quarter"].map(lambda q: officials.period_text(q) if isinstance(q, str) else q))
    return officials.html_table(table, names=names)


def township_scorecard() -> w.Widget:
    manifest = results()
    cat = catalogue()
    labels = names()
    scored = manifest["scored_periods"]
    have = set(precomputed()["cards"].get("kind", pd.Series(dtype=object)))
    kinds = [k for k in KINDS if scored.get(k) and k in have]
    if not kinds:  # not one complete quarter of reports yet: say so instead of an empty page
        months = manifest.get("periods", {}).get("month", [])
        return w.VBox([title("app_scorecard", manifest), w.HTML(
            f"<p id='fpplan-no-scorecard' style='font-size:15px'>{ui('scorecard_none', n=len(months))}</p>")])
    pick_kind = w.Dropdown(options=[(ui(f"kind_{k}"), k) for k in kinds], value=kinds[0], description=ui("period_kind"))
    pick_period = w.Dropdown(options=list(reversed(scored[kinds[0]])), description=ui("period_select"))
    pick_set = w.Dropdown(options=[(getattr(s, language()), k) for k, s in cat.target_sets.items()],
                          value=cat.default_target_set, description=ui("target_set_select"))
    counts_html = w.HTML()

    def card_now() -> pd.DataFrame:
        card = judged(pick_kind.value, pick_set.value)
        return card[card["period"] == pick_period.value]

    def heat_figure() -> go.Figure:
        return figures.scorecard_heatmap(card_now(), labels, pick_period.value)

    def show_counts() -> None:
        from fpplan.indicators.scorecard import status_counts

        counts = status_counts(card_now()).drop(columns=["period"])
        counts.insert(0, "name", counts.pop("unit").map(labels))
        counts_html.value = html_table(counts, {"attention": "status"})

    show_counts()
    heat = figure_output(heat_figure())
    townships = manifest["townships"]
    pick_township = w.Dropdown(options=[(labels[t], t) for t in townships], value=townships[0],
                               description=ui("township_select"))
    pick_indicator = w.Dropdown(description=ui("indicator_select"), layout=w.Layout(width="460px"))
    cause_html = w.HTML()
    quiet = {"on": False}

    def indicator_options() -> None:
        """The township's indicators, red first, then amber, as 'name (status)'."""
        here = card_now()
        here = here[here["unit"] == pick_township.value]
        here = here.assign(_o=here["status"].map(ORDER)).sort_values("_o", kind="stable")
        current = pick_indicator.value
        options = [(f"{n}（{enum_label('status', s)}）", i) for n, s, i in zip(here["name"], here["status"], here["indicator"])]
        codes = [i for _, i in options]
        quiet["on"] = True  # the caller redraws once
        pick_indicator.options = options
        pick_indicator.value = current if current in codes else (codes[0] if codes else None)
        quiet["on"] = False

    def trend_figure() -> go.Figure:
        from fpplan.indicators.catalogue import targets_for

        unit, code = pick_township.value, pick_indicator.value
        trends = precomputed()["trends"]
        series = trends[(trends["unit"] == unit) & (trends["indicator"] == code)].sort_values("period")
        if series.empty:  # survey, exams, windows: the period kind's own series
            card = judged(pick_kind.value, pick_set.value)
            series = card[(card["unit"] == unit) & (card["indicator"] == code)].sort_values("period")
        target = targets_for(cat, pick_set.value, LEVEL, "year").get(code)
        line = None if target is None else (tuple(target.value) if target.op == "between" else float(target.value))
        return figures.indicator_trend(series, ui("trend_title", township=labels[unit],
                                                  indicator=getattr(cat.indicators[code], language())), line)

    def show_causes() -> None:
        from fpplan.indicators.causes import causes

        code = pick_indicator.value
        if code is None:
            cause_html.value = ""
            return
        data = precomputed()
        card = judged(pick_kind.value, pick_set.value)
        tables = causes(cat, data, pick_township.value, code, pick_period.value, card, data["wisn"], data["capacity"],
                        forecast=card[card["period"] == pick_period.value], spatial=data["spatial"])
        heading = ui("cause_title", township=labels[pick_township.value], indicator=getattr(cat.indicators[code], language()))
        from fpplan.app.tables import css

        parts = [f"<style>{css()}</style><h3 id='fpplan-cause'>{heading}</h3>"]
        for key_heading, key in CAUSE_SECTIONS:
            if key not in tables:
                continue
            parts.append((f"<h4>{ui(key_heading)}</h4>" if key_heading else "") + cause_table(tables[key], key, labels))
        cause_html.value = "".join(parts)

    def cell_changed(*_) -> None:
        if pick_indicator.value is None or quiet["on"]:
            return
        redraw_output(trend, trend_figure())
        show_causes()

    def view_changed(*_) -> None:
        show_counts()
        redraw_output(heat, heat_figure())
        indicator_options()
        cell_changed()

    def kind_changed(*_) -> None:
        pick_period.unobserve(view_changed, names="value")
        pick_period.options = list(reversed(scored[pick_kind.value]))
        pick_period.observe(view_changed, names="value")
        view_changed()

    indicator_options()
    trend = figure_output(trend_figure())
    show_causes()
    pick_kind.observe(kind_changed, names="value")
    pick_period.observe(view_changed, names="value")
    pick_set.observe(view_changed, names="value")
    pick_township.observe(lambda *_: (indicator_options(), cell_changed()), names="value")
    pick_indicator.observe(cell_changed, names="value")
    survey, open_survey = survey_panel()
    leaders = w.Accordion(children=[survey], selected_index=None)
    leaders.set_title(0, ui("tab_survey"))
    leaders.observe(lambda change: None if change["new"] is None else open_survey(), names="selected_index")
    from fpplan.app.tables import css, status_legend

    legend = w.HTML(f"<style>{css()}</style>{status_legend()}")
    return w.VBox([title("app_scorecard", manifest), w.HBox([pick_kind, pick_period, pick_set]), counts_html, heat, legend,
                   w.HTML(f"<h3>{ui('cause_pick')}</h3>"), w.HBox([pick_township, pick_indicator]), trend, cause_html,
                   leaders])


def survey_panel() -> tuple[w.Widget, object]:
    """The demand survey of a period: needs by class, the common problems to feed back, township quarters
    (computed when its section is first opened); returns the section and what opens it."""
    from fpplan.indicators import periods

    pick = w.Dropdown(description=ui("period_select"))
    out = w.HTML()
    labels = names()

    def show(*_) -> None:
        from fpplan.rules import survey_rollup

        result = survey_rollup(county(), pick.value)
        common = result["common_problems"].assign(township_code=lambda f: f["township_code"].map(labels))
        township = result["township_quarterly"].assign(township_code=lambda f: f["township_code"].map(labels))
        enums = {"need": "need", "class": "need_class"}
        out.value = (f"<h3>{ui('survey_title')}</h3><h4>{ui('survey_county')}</h4>" + html_table(result["county"], enums, 3)
                     + f"<h4>{ui('survey_common')}</h4>" + html_table(common, enums, 2)
                     + f"<h4>{ui('survey_township')}</h4>" + html_table(township, enums))

    def first(*_) -> None:
        months = county().survey["month"].drop_duplicates()
        options = [p for kind in ("year", "half_year", "quarter") for p in sorted(periods.of_months(months, kind).unique())]
        if options and not pick.options:
            pick.options, pick.value = options, options[0]
            pick.observe(show, names="value")
            show()

    return w.VBox([pick, out]), first
