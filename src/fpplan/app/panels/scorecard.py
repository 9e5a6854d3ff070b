"""乡镇指标: the township scorecard of any period (month, quarter, half-year, year) and target set, what stands behind
a red cell (Tanahashi stages, trend and forecast), and, for leaders, the staff exams and the demand survey.

The tables come from pure functions the lead can precompute per data version: ``scorecards(county, "township",
kind, target_set)``, ``rolling_series``, ``forecasts``, ``causes``, ``exam_consequences``, ``survey_rollup``.
"""

from __future__ import annotations

from functools import cache

import ipywidgets as w
import pandas as pd

from fpplan.app import figures
from fpplan.app.panels.common import (
    PLAN_SCENARIO,
    county,
    figure_output,
    model,
    names,
    recalculate,
    redraw_output,
    title,
)
from fpplan.data.labels import column_label, enum_label, language, ui
from fpplan.indicators import periods

LEVEL = "township"
KINDS = ("year", "half_year", "quarter", "month")


@cache
def cards(kind: str, target_set: str) -> pd.DataFrame:
    from fpplan.indicators.scorecard import scorecards

    return scorecards(county(), LEVEL, kind, target_set)


@cache
def trends() -> pd.DataFrame:
    from fpplan.indicators.scorecard import rolling_series

    return rolling_series(county(), LEVEL)


@cache
def forecast_table(period: str, target_set: str) -> pd.DataFrame:
    from fpplan.indicators.scorecard import forecasts

    return forecasts(county(), LEVEL, period, target_set)


@cache
def plan_tables() -> dict[str, pd.DataFrame]:
    return recalculate(model()["scenarios"][PLAN_SCENARIO])


def html_table(frame: pd.DataFrame, enums: dict[str, str] | None = None, digits: int = 1) -> str:
    """A small table as HTML with the label table's headers (and enumeration words)."""
    if frame is None or frame.empty:
        return "<p>—</p>"
    shown = frame.copy()
    for column, enum in (enums or {}).items():
        if column in shown:
            shown[column] = shown[column].map(lambda v, e=enum: enum_label(e, v) if isinstance(v, str) else v)
    shown = shown.rename(columns=column_label).round(digits).fillna("")
    return shown.to_html(index=False, border=0, classes="fpplan-table")


def _period_options(kind: str) -> list[str]:
    from fpplan.indicators.sources import periods_covered

    return periods_covered(county(), kind)


def township_scorecard() -> w.Widget:
    c = county()
    catalogue = c.config["indicators"]
    labels = names()
    pick_kind = w.Dropdown(options=[(ui(f"kind_{k}"), k) for k in KINDS], value="year", description=ui("period_kind"))
    first = _period_options("year")
    year = str(c.base_year) if str(c.base_year) in first else first[-1]
    pick_period = w.Dropdown(options=first, value=year, description=ui("period_select"))
    pick_set = w.Dropdown(options=[(s.zh, k) for k, s in catalogue.target_sets.items()],
                          value=catalogue.default_target_set, description=ui("target_set_select"))
    counts_html = w.HTML()

    def card_now() -> pd.DataFrame:
        card = cards(pick_kind.value, pick_set.value)
        return card[card["period"] == pick_period.value]

    def heat_figure():
        return figures.scorecard_heatmap(card_now(), labels, pick_period.value)

    def show_counts() -> None:
        from fpplan.indicators.scorecard import status_counts

        counts = status_counts(card_now())
        counts["unit"] = counts["unit"].map(labels)
        counts = counts.rename(columns={"unit": "name"})
        counts_html.value = html_table(counts.drop(columns=["period"]), {"attention": "status"})

    show_counts()
    heat = figure_output(heat_figure())

    townships = list(c.townships()["code"])
    pick_township = w.Dropdown(options=[(labels[t], t) for t in townships], value=townships[0],
                               description=ui("township_select"))
    pick_indicator = w.Dropdown(description=ui("indicator_select"), layout=w.Layout(width="420px"))
    cause_html = w.HTML()

    def indicator_options() -> None:
        """The township's indicators, the red ones first (then amber), as 'name (status)'."""
        card = card_now()
        here = card[card["unit"] == pick_township.value]
        order = {"red": 0, "amber": 1, "green": 2, "no_target": 3, "no_data": 4}
        here = here.assign(_o=here["status"].map(order)).sort_values(["_o"], kind="stable")
        current = pick_indicator.value
        options = [(f"{n}（{enum_label('status', s)}）", i) for n, s, i in zip(here["name"], here["status"], here["indicator"])]
        pick_indicator.options = options
        codes = [i for _, i in options]
        pick_indicator.value = current if current in codes else (codes[0] if codes else None)

    def trend_figure():
        unit, code = pick_township.value, pick_indicator.value
        t = trends()
        series = t[(t["unit"] == unit) & (t["indicator"] == code)].sort_values("period")
        if series.empty:  # survey, exams, windows: the period kind's own series
            card = cards(pick_kind.value, pick_set.value)
            series = card[(card["unit"] == unit) & (card["indicator"] == code)].sort_values("period")
        from fpplan.indicators.catalogue import targets_for

        target = targets_for(catalogue, pick_set.value, LEVEL, "year").get(code)
        line = None if target is None else (tuple(target.value) if target.op == "between" else float(target.value))
        return figures.indicator_trend(series, ui("trend_title", township=labels[unit],
                                                  indicator=getattr(catalogue.indicators[code], language())), line)

    def show_causes() -> None:
        from fpplan.indicators.causes import causes

        code = pick_indicator.value
        if code is None:
            cause_html.value = ""
            return
        plan = plan_tables()
        period = pick_period.value
        tables = causes(c, pick_township.value, code, period, cards(pick_kind.value, pick_set.value),
                        plan["wisn"], plan["capacity"], forecast=forecast_table(period, pick_set.value))
        parts = [f"<h3>{ui('cause_title', township=labels[pick_township.value], indicator=getattr(catalogue.indicators[code], language()))}</h3>"]
        sections = [("cause_availability", "availability_staff", {"cadre": "specialty"}),
                    (None, "availability_floor_area", {}),
                    ("cause_accessibility", "accessibility", {}),
                    ("cause_acceptability", "acceptability", {"status": "status"}),
                    ("cause_contact", "contact", {"status": "status"}),
                    ("cause_effective", "effective", {"status": "status"}),
                    ("cause_trend", "forecast", {})]
        for heading, key, enums in sections:
            if key not in tables:
                continue
            table = tables[key]
            if key in ("availability_staff", "availability_floor_area", "forecast"):
                table = table.assign(**({"station": table["station"].map(labels)} if "station" in table else {}))
            if key == "accessibility":
                table = table.head(8)
            parts.append((f"<h4>{ui(heading)}</h4>" if heading else "") + html_table(table, enums))
        cause_html.value = "".join(parts)

    indicator_options()
    trend = figure_output(trend_figure())
    show_causes()

    def period_changed(*_):
        options = _period_options(pick_kind.value)
        keep = pick_period.value if pick_period.value in options else options[-1]
        pick_period.unobserve(view_changed, names="value")
        pick_period.options, pick_period.value = options, keep
        pick_period.observe(view_changed, names="value")
        view_changed()

    def view_changed(*_):
        show_counts()
        redraw_output(heat, heat_figure())
        indicator_options()
        show_causes()

    def cell_changed(*_):
        if pick_indicator.value is None:
            return
        redraw_output(trend, trend_figure())
        show_causes()

    pick_kind.observe(period_changed, names="value")
    pick_period.observe(view_changed, names="value")
    pick_set.observe(view_changed, names="value")
    pick_township.observe(lambda *_: (indicator_options(), cell_changed()), names="value")
    pick_indicator.observe(cell_changed, names="value")
    leaders = w.Tab(children=[exams_panel(), survey_panel()])
    leaders.set_title(0, ui("tab_exams"))
    leaders.set_title(1, ui("tab_survey"))
    return w.VBox([title("app_scorecard"), w.HBox([pick_kind, pick_period, pick_set]), counts_html, heat,
                   w.HTML(f"<h3>{ui('cause_pick')}</h3>"), w.HBox([pick_township, pick_indicator]), trend, cause_html,
                   leaders])


def exams_panel() -> w.Widget:
    """The year's staff exams: each pseudonymous staff id's results and consequences, collective prizes and fines."""
    from fpplan.rules import exam_consequences

    c = county()
    years = sorted(c.exam_scores["month"].str[:4].astype(int).unique()) or [c.base_year]
    pick = w.Dropdown(options=years, value=years[-1], description=ui("year"))
    out = w.HTML()

    def show(*_):
        result = exam_consequences(c, pick.value)
        people = result["people"][["staff_id", "specialty", "exams", "fails", "unexcused_absences", "average_12",
                                   "consequence", "allowance_months_deducted", "prize_yuan", "prefecture_yuan", "reason"]]
        out.value = (f"<h3>{ui('exams_title')}</h3><h4>{ui('exams_collective')}</h4>"
                     + html_table(result["collective"], {"specialty": "specialty"})
                     + f"<h4>{ui('exams_people')}</h4>" + html_table(people, {"specialty": "specialty"}))

    show()
    pick.observe(show, names="value")
    return w.VBox([pick, out])


def survey_panel() -> w.Widget:
    """The demand survey of a period: needs by class, township quarters and the common problems to feed back."""
    from fpplan.rules import survey_rollup

    c = county()
    options = [p for kind in ("year", "half_year", "quarter") for p in
               sorted(periods.of_months(c.survey["month"].drop_duplicates(), kind).unique())] if len(c.survey) else []
    pick = w.Dropdown(options=options, value=options[0] if options else None, description=ui("period_select"))
    out = w.HTML()
    labels = names()

    def show(*_):
        if pick.value is None:
            return
        result = survey_rollup(c, pick.value)
        common = result["common_problems"].assign(township_code=lambda f: f["township_code"].map(labels))
        township = result["township_quarterly"].assign(township_code=lambda f: f["township_code"].map(labels))
        enums = {"need": "need", "class": "need_class"}
        out.value = (f"<h3>{ui('survey_title')}</h3><h4>{ui('survey_county')}</h4>" + html_table(result["county"], enums, 3)
                     + f"<h4>{ui('survey_common')}</h4>" + html_table(common, enums, 2)
                     + f"<h4>{ui('survey_township')}</h4>" + html_table(township, enums))

    show()
    pick.observe(show, names="value")
    return w.VBox([pick, out])

