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

from fpplan.app import figures
from fpplan.app import results as results_module
from fpplan.app.panels.common import county, county_path, header_html, names, results
from fpplan.app.panels.live_figure import LiveFigure, LiveHTML, SaveImage
from fpplan.data.labels import column_label, enum_label, language, ui

LEVEL = "township"
KINDS = ("year", "half_year", "quarter", "month")
ORDER = {"red": 0, "amber": 1, "green": 2, "small_sample": 3, "no_target": 4, "no_data": 5}


@cache
def catalogue():
    from fpplan.data.config import load

    return load("indicators", county_path())


def load_tables(manifest: dict, county_of=None) -> dict[str, pd.DataFrame]:
    """What the page reads from the results: township scorecards (judged against every target set when the results
    hold them: ``fpplan.app.pages.scorecard``), trends, the plan scenario's WISN and capacity, the map's coverage and
    the cause analysis's facilities and villages (``county_of()``: the county, for results made before these)."""
    cards = results_module.table(manifest, "scorecards")
    out = {"cards": cards[cards["level"] == LEVEL], "trends": results_module.table(manifest, "trends")}
    every = results_module.file(manifest, "pages/scorecard_cards.parquet")
    out["every_set"] = pd.read_parquet(every) if every.exists() else None
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

            out[name] = causes_inputs((county_of or county)())[name]
    return out


@cache
def precomputed() -> dict[str, pd.DataFrame]:
    return load_tables(results())


def every_set(cards: pd.DataFrame, cat) -> pd.DataFrame:
    """The township scorecards judged against every target set of the catalogue (column ``target_set``), kept with
    the results so that choosing a set is a lookup (``fpplan.indicators.scorecard.judge``)."""
    from fpplan.indicators.scorecard import judge

    parts = []
    for target_set in cat.target_sets:
        for kind, card in cards.groupby("kind", sort=False):
            judged_card = card if target_set == cat.default_target_set else judge(card, cat, target_set, LEVEL, kind)
            parts.append(judged_card.assign(target_set=target_set, kind=kind))
    return pd.concat(parts, ignore_index=True) if parts else cards.assign(target_set=pd.Series(dtype=object))


class Views:
    """The page's lookups: the scorecard of a period kind and target set (from the results' every-set table, else
    judged once and kept), each period's card."""

    def __init__(self, tables: dict, cat) -> None:
        self.tables, self.cat = tables, cat
        self._judged: dict[tuple[str, str], pd.DataFrame] = {}
        every = tables.get("every_set")
        if every is not None:
            for (kind, target_set), card in every.groupby(["kind", "target_set"], sort=False):
                self._judged[kind, target_set] = card.drop(columns="target_set")

    def judged(self, kind: str, target_set: str) -> pd.DataFrame:
        if (kind, target_set) not in self._judged:
            from fpplan.indicators.scorecard import judge

            card = self.tables["cards"][self.tables["cards"]["kind"] == kind]
            if target_set != self.cat.default_target_set:
                card = judge(card, self.cat, target_set, LEVEL, kind)
            self._judged[kind, target_set] = card
        return self._judged[kind, target_set]

    def card(self, kind: str, target_set: str, period: str) -> pd.DataFrame:
        card = self.judged(kind, target_set)
        return card[card["period"] == period]


HEATMAP, TREND, COUNTS, CAUSES, LEGEND, HEADER = (
    "fpplan-figure-heatmap",
    "fpplan-figure-trend",
    "fpplan-counts",
    "fpplan-causes-box",
    "fpplan-legend",
    "fpplan-header",
)


def counts_html(card: pd.DataFrame, labels: dict) -> str:
    from fpplan.indicators.scorecard import status_counts

    counts = status_counts(card).drop(columns=["period"])
    counts.insert(0, "name", counts.pop("unit").map(labels))
    return html_table(counts, {"attention": "status"})


def indicator_options(card: pd.DataFrame, township: str) -> list[tuple[str, str]]:
    """The township's indicators, red first, then amber, as 'name (status)'."""
    here = card[card["unit"] == township]
    here = here.assign(_o=here["status"].map(ORDER)).sort_values("_o", kind="stable")
    return [
        (f"{n}（{enum_label('status', s)}）", i) for n, s, i in zip(here["name"], here["status"], here["indicator"])
    ]


def trend_figure(views: Views, kind: str, target_set: str, unit: str, code: str, labels: dict):
    from fpplan.indicators.catalogue import targets_for

    cat = views.cat
    trends = views.tables["trends"]
    series = trends[(trends["unit"] == unit) & (trends["indicator"] == code)].sort_values("period")
    if series.empty:  # survey, exams, windows: the period kind's own series
        card = views.judged(kind, target_set)
        series = card[(card["unit"] == unit) & (card["indicator"] == code)].sort_values("period")
    target = targets_for(cat, target_set, LEVEL, "year").get(code)
    line = None if target is None else (tuple(target.value) if target.op == "between" else float(target.value))
    return figures.indicator_trend_spec(
        series, ui("trend_title", township=labels[unit], indicator=getattr(cat.indicators[code], language())), line
    )


def causes_html(
    views: Views, kind: str, target_set: str, period: str, unit: str, code: str | None, labels: dict
) -> str:
    from fpplan.indicators.causes import causes

    if code is None:
        return ""
    data, cat = views.tables, views.cat
    card = views.judged(kind, target_set)
    tables = causes(
        cat,
        data,
        unit,
        code,
        period,
        card,
        data["wisn"],
        data["capacity"],
        forecast=card[card["period"] == period],
        spatial=data["spatial"],
    )
    heading = ui("cause_title", township=labels[unit], indicator=getattr(cat.indicators[code], language()))
    from fpplan.app.tables import css

    parts = [f"<style>{css()}</style><h3 id='fpplan-cause'>{heading}</h3>"]
    for key_heading, key in CAUSE_SECTIONS:
        if key not in tables:
            continue
        parts.append((f"<h4>{ui(key_heading)}</h4>" if key_heading else "") + cause_table(tables[key], key, labels))
    return "".join(parts)


def legend_html() -> str:
    from fpplan.app.tables import css, status_legend

    return f"<style>{css()}</style>{status_legend()}"


def kinds_scored(manifest: dict, tables: dict) -> list[str]:
    scored = manifest["scored_periods"]
    have = set(tables["cards"].get("kind", pd.Series(dtype=object)))
    return [k for k in KINDS if scored.get(k) and k in have]


def first_view(manifest: dict, views: Views) -> dict:
    """The page's default choices (the first period kind's newest period, the default target set, the first
    township and its first indicator, red first) and what they show: counts, heatmap, trend, causes."""
    labels, kinds = manifest["names"], kinds_scored(manifest, views.tables)
    kind, target_set, township = kinds[0], views.cat.default_target_set, manifest["townships"][0]
    period = manifest["scored_periods"][kind][-1]
    card = views.card(kind, target_set, period)
    options = indicator_options(card, township)
    code = options[0][1] if options else None
    return {
        "kind": kind,
        "period": period,
        "target_set": target_set,
        "township": township,
        "indicator": code,
        "counts": counts_html(card, labels),
        "heatmap": figures.scorecard_heatmap_spec(card, labels, period),
        "trend": trend_figure(views, kind, target_set, township, code, labels) if code else None,
        "causes": causes_html(views, kind, target_set, period, township, code, labels),
    }


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


CAUSE_SECTIONS = (
    ("cause_availability", "availability_staff"),
    (None, "availability_floor_area"),
    ("cause_accessibility", "accessibility"),
    (None, "accessibility_villages"),
    ("cause_acceptability", "acceptability"),
    ("cause_contact", "contact"),
    ("cause_effective", "effective"),
    ("cause_trend", "forecast"),
)
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
        table = table.assign(
            expected_met=table["expected_met"].map(
                lambda q: officials.period_text(q) if isinstance(q, str) and q else ""
            ),
            forecast_quarter=table["forecast_quarter"].map(
                lambda q: officials.period_text(q) if isinstance(q, str) else q
            ),
        )
    return officials.html_table(table, names=names)


def township_scorecard(parts: bool = False):
    """The page's widgets (``parts``: the page without and the survey section apart, for a page rendered ahead
    whose cells place them). On a page rendered ahead the figures and tables are adopted (``fpplan.app.pages``)."""
    manifest = results()
    cat = catalogue()
    labels = manifest["names"]
    scored = manifest["scored_periods"]
    views = Views(precomputed(), cat)
    kinds = kinds_scored(manifest, views.tables)
    heading = LiveHTML(header_html("app_scorecard", manifest), target=HEADER)
    if not kinds:  # not one complete quarter of reports yet: say so instead of an empty page
        months = manifest.get("periods", {}).get("month", [])
        page = w.VBox(
            [
                heading,
                LiveHTML(
                    f"<p id='fpplan-no-scorecard' style='font-size:15px'>{ui('scorecard_none', n=len(months))}</p>",
                    target="fpplan-no-scorecard-box",
                ),
            ]
        )
        return (page, w.VBox([])) if parts else page
    first = first_view(manifest, views)
    pick_kind = w.Dropdown(
        options=[(ui(f"kind_{k}"), k) for k in kinds], value=first["kind"], description=ui("period_kind")
    )
    pick_period = w.Dropdown(
        options=list(reversed(scored[first["kind"]])), value=first["period"], description=ui("period_select")
    )
    pick_set = w.Dropdown(
        options=[(getattr(s, language()), k) for k, s in cat.target_sets.items()],
        value=first["target_set"],
        description=ui("target_set_select"),
    )
    townships = manifest["townships"]
    pick_township = w.Dropdown(
        options=[(labels[t], t) for t in townships], value=first["township"], description=ui("township_select")
    )
    options = indicator_options(views.card(first["kind"], first["target_set"], first["period"]), first["township"])
    pick_indicator = w.Dropdown(
        options=options, value=first["indicator"], description=ui("indicator_select"), layout=w.Layout(width="460px")
    )
    counts = LiveHTML(first["counts"], target=COUNTS)
    heat = LiveFigure(first["heatmap"], target=HEATMAP, bundle="cartesian")
    trend = LiveFigure(first["trend"] or {}, target=TREND, bundle="cartesian")
    cause_html = LiveHTML(first["causes"], target=CAUSES)
    quiet = {"on": False}

    def card_now() -> pd.DataFrame:
        return views.card(pick_kind.value, pick_set.value, pick_period.value)

    def set_indicator_options() -> None:
        current = pick_indicator.value
        options = indicator_options(card_now(), pick_township.value)
        codes = [i for _, i in options]
        quiet["on"] = True  # the caller redraws once
        pick_indicator.options = options
        pick_indicator.value = current if current in codes else (codes[0] if codes else None)
        quiet["on"] = False

    def cell_changed(*_) -> None:
        if pick_indicator.value is None or quiet["on"]:
            return
        trend.figure = trend_figure(
            views, pick_kind.value, pick_set.value, pick_township.value, pick_indicator.value, labels
        )  # the figure first, then the causes
        cause_html.html = causes_html(
            views, pick_kind.value, pick_set.value, pick_period.value, pick_township.value, pick_indicator.value, labels
        )

    def view_changed(*_) -> None:
        card = card_now()
        heat.figure = figures.scorecard_heatmap_spec(card, labels, pick_period.value)
        counts.html = counts_html(card, labels)
        set_indicator_options()
        cell_changed()

    def kind_changed(*_) -> None:
        pick_period.unobserve(view_changed, names="value")
        pick_period.options = list(reversed(scored[pick_kind.value]))
        pick_period.observe(view_changed, names="value")
        view_changed()

    pick_kind.observe(kind_changed, names="value")
    pick_period.observe(view_changed, names="value")
    pick_set.observe(view_changed, names="value")
    pick_township.observe(lambda *_: (set_indicator_options(), cell_changed()), names="value")
    pick_indicator.observe(cell_changed, names="value")
    survey, open_survey = survey_panel()
    leaders = w.Accordion(children=[survey], selected_index=None)
    leaders.set_title(0, ui("tab_survey"))
    leaders.observe(lambda change: None if change["new"] is None else open_survey(), names="selected_index")
    legend = LiveHTML(legend_html(), target=LEGEND)
    page = w.VBox(
        [
            heading,
            SaveImage("app_scorecard", manifest),
            w.HBox([pick_kind, pick_period, pick_set]),
            counts,
            heat,
            legend,
            w.HTML(f"<h3 class='fp-pick-cell'>{ui('cause_pick')}</h3>"),
            w.HBox([pick_township, pick_indicator]),
            trend,
            cause_html,
        ]
    )
    if parts:
        return page, leaders
    page.children = (*page.children, leaders)
    return page


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
        out.value = (
            f"<h3>{ui('survey_title')}</h3><h4>{ui('survey_county')}</h4>"
            + html_table(result["county"], enums, 3)
            + f"<h4>{ui('survey_common')}</h4>"
            + html_table(common, enums, 2)
            + f"<h4>{ui('survey_township')}</h4>"
            + html_table(township, enums)
        )

    def first(*_) -> None:
        months = county().survey["month"].drop_duplicates()
        options = [
            p for kind in ("year", "half_year", "quarter") for p in sorted(periods.of_months(months, kind).unique())
        ]
        if options and not pick.options:
            pick.options, pick.value = options, options[0]
            pick.observe(show, names="value")
            show()

    return w.VBox([pick, out]), first
