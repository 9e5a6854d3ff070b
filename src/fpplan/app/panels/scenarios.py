"""情景分析: the scenario explorer (live recalculation). The controls start at the chosen scenario's own values
and change it only when moved (fpplan.app.explorer); the numbers come from fpplan.planning.plan.recalculate, the
plan's chain, and the 80% band of the county's population and women 15-49 from fpplan.app.explorer.band (the stored
intervals' own calibration, trajectories and seed); they are only drawn here."""

from __future__ import annotations

import threading
import time

import ipywidgets as w

from fpplan.app import figures
from fpplan.app import results as results_module
from fpplan.app.explorer import (
    at_start,
    band,
    band_legend,
    control_ranges,
    projection_key,
    scenario_with,
    starting_values,
    warm_up,
)
from fpplan.app.panels.common import county_path, header_html, results
from fpplan.app.panels.live_figure import LiveFigure, LiveHTML, SaveImage, values
from fpplan.data.config import load
from fpplan.data.errors import DataError
from fpplan.data.labels import ui
from fpplan.data.models.scenario import Name
from fpplan.data.scenario_files import save_scenario
from fpplan.planning.plan import project_scenario, projected_demand, recalculate


def model(manifest: dict) -> dict:
    """What the live recalculation needs, prepared once per data version by fpplan.app.results."""
    import pickle

    with results_module.file(manifest, "model.pickle").open("rb") as handle:
        return pickle.load(handle)


FIGURES = ("population", "women", "staff", "area")  # the explorer's figures, in the page's order
TARGETS = {key: f"fpplan-figure-{key}" for key in FIGURES}  # their elements on a page rendered ahead
HEADLINE, RECORDED, HEADER = "fpplan-headline-box", "fpplan-observed-box", "fpplan-header"


def _figure(title_key: str, *traces: dict, persons: bool = False) -> dict:
    """Plain plotly JSON (no plotly import, no validation: the figures follow every control move); ``persons``:
    its values are counts of people, shown whole where a point is pointed at (a projection's 167,829, not 167,829.4)."""
    yaxis = {"hoverformat": ",.0f"} if persons else {}
    layout = figures._layout(ui(title_key), height=300, xaxis={"title": {"text": ui("year")}}, yaxis=yaxis)
    return {"data": list(traces), "layout": layout}


def _line(x, y, name: str, **style) -> dict:
    return {"type": "scatter", "x": values(x), "y": values(y), "mode": "lines+markers", "name": name, **style}


def _band_traces(interval, series: str, colour: str, legend_80: str) -> list[dict]:
    """The 80% band of ``series`` (an upper edge and a lower edge filled up to it), or none without a band."""
    if interval is None:
        return []
    b = interval[interval["series"] == series]
    edge = {"type": "scatter", "x": values(b["year"]), "mode": "lines", "line": {"width": 0}, "hoverinfo": "x+y"}
    return [
        edge | {"y": values(b["upper_80"]), "showlegend": False, "name": ui("interval_80")},
        edge | {"y": values(b["lower_80"]), "fill": "tonexty", "fillcolor": colour, "name": legend_80},
    ]


def population_figures(totals, interval, legend_80: str) -> dict[str, dict]:
    """The figures of the projection alone (drawn first when a control moves) with their 80% bands."""
    years = totals["year"]
    return {
        "population": _figure(
            "county_population",
            *_band_traces(interval, "population", "rgba(21,101,192,0.25)", legend_80),
            _line(years, totals["population"], ui("county_population")),
            persons=True,
        ),
        "women": _figure(
            "women_15_49_title",
            *_band_traces(interval, "women_15_49", "rgba(194,24,91,0.2)", legend_80),
            _line(years, totals["women_15_49"], ui("women_15_49_title"), line={"color": "#c2185b"}),
            persons=True,
        ),
    }


def headline_html(totals, interval) -> str:
    """The population and women 15-49 at the horizon, with their 80% ranges."""
    last = totals.iloc[-1]

    def at_horizon(series: str) -> str:
        if interval is None:
            return ""
        row = interval[(interval["series"] == series) & (interval["year"] == last["year"])].iloc[0]
        return ui(
            "explorer_band_range",
            interval=ui("interval_80"),
            low=f"{row['lower_80']:,.0f}",
            high=f"{row['upper_80']:,.0f}",
        )

    return (
        f"<p id='fpplan-headline' style='font-size:16px'>{ui('population_plan', year=int(last['year']))}："
        f"<b>{last['population']:,.0f}</b>{at_horizon('population')} · {ui('women_15_49_title')}："
        f"<b>{last['women_15_49']:,.0f}</b>{at_horizon('women_15_49')}</p>"
    )


def services_figures(result: dict) -> dict[str, dict]:
    """The figures of what follows from the projection: the plan's staff numbers by year (WISN need, staff in
    post, gap before hires) and the floor-area gap (fpplan.planning.gaps.county_by_year)."""
    c = result["county_by_year"]
    return {
        "staff": _figure(
            "staff_need_title",
            _line(c["year"], c["wisn_need_fte"], ui("staff_need_line")),
            _line(c["year"], c["wisn_in_post_fte"], ui("staff_in_post_line"), mode="lines", line={"dash": "dash"}),
            {
                "type": "bar",
                "x": values(c["year"]),
                "y": values(c["gap_before_persons"]),
                "name": ui("staff_gap_line"),
                "marker": {"color": "#6a1b9a"},
                "opacity": 0.5,
            },
        ),
        "area": _figure(
            "area_gap_title",
            {
                "type": "bar",
                "x": values(c["year"]),
                "y": values(c["area_gap_m2"]),
                "name": ui("area_gap_title"),
                "marker": {"color": "#ef6c00"},
            },
        ),
    }


FIRST_VIEW = "pages/scenarios_first.json"  # the first view as fpplan.app.pages.scenarios kept it


def first_view(manifest: dict, m: dict, computed: bool = False) -> tuple[dict[str, dict], str, object]:
    """What the explorer shows before any control moves: the plan scenario recalculated (its plan's own numbers),
    its stored 80% band (the county's rows of its intervals), the figures and the headline. Read from the results
    where they keep it (``FIRST_VIEW``: a kernel then needs no projection to start), else (or ``computed``) made."""
    import json

    plan_scenario = manifest["plan_scenario"]
    stored = results_module.table(manifest, "intervals", plan_scenario) if m.get("band") else None
    if stored is not None:  # the stored band itself (what band() gives for the scenario unchanged)
        stored = stored[stored["region"] == manifest["county"]["code"]]
    kept = results_module.file(manifest, FIRST_VIEW)
    if kept.exists() and not computed:
        view = json.loads(kept.read_text(encoding="utf-8"))
        return view["figures"], view["headline"], stored
    first = recalculate(m, m["scenarios"][plan_scenario], roster_of=plan_scenario)
    legend_80 = band_legend(m) if m.get("band") else ui("interval_80")
    figs = population_figures(first["county"], stored, legend_80) | services_figures(first)
    return figs, headline_html(first["county"], stored), stored


def scenario_explorer(data_dir=None, store=None) -> w.Widget:
    """The scenario dashboard's controls and figures; in a notebook, for the county folder ``data_dir`` (its results
    brought up to date first), on a dashboard for the served county."""
    from pathlib import Path

    if data_dir is None:
        manifest, folder = results(), county_path()
    else:
        from fpplan.data.workspace import Workspace

        folder = Path(data_dir)
        manifest = results_module.current(folder)  # a notebook's open_county has just brought them up to date
        if manifest is None:
            results_module.ensure_results(Workspace(folder, store))
            manifest = results_module.current(folder)
    m = model(manifest)
    plan_scenario = manifest["plan_scenario"]
    base = m["scenarios"][plan_scenario]
    first_year = m["inputs"].base_year + 1  # a lump inflow arrives after the base year
    start = starting_values(base, m["inputs"].rates.county_tfr, first_year)
    every = [starting_values(sc, m["inputs"].rates.county_tfr, first_year) for sc in m["scenarios"].values()]
    ranges = control_ranges(
        load("bounds", folder), m["inputs"].base_year, base.horizon, float(m["inputs"].rates.population.sum()), every
    )

    style = {"description_width": "170px"}
    layout = w.Layout(width="460px")
    controls = {
        "scenario": w.Dropdown(
            options=[(s.name.zh, k) for k, s in m["scenarios"].items()],
            value=plan_scenario,
            description=ui("scenario"),
            style=style,
            layout=layout,
        ),
        "tfr": w.FloatSlider(
            value=start["tfr"],
            **ranges["tfr"],
            step=0.05,
            description=ui("tfr_at", year=base.horizon),
            style=style,
            layout=layout,
        ),
        "e0": w.FloatSlider(
            value=start["e0"], **ranges["e0"], step=0.5, description=ui("e0_female"), style=style, layout=layout
        ),
        "migration": w.FloatSlider(
            value=start["migration"],
            **ranges["migration"],
            step=100,
            readout_format=".0f",
            description=ui("net_migration"),
            style=style,
            layout=layout,
        ),
        "farm_year": w.IntSlider(
            value=start["farm_year"], **ranges["farm_year"], description=ui("farm_year"), style=style, layout=layout
        ),
        "farm_size": w.FloatSlider(
            value=start["farm_size"],
            **ranges["farm_size"],
            step=500,
            readout_format=".0f",
            description=ui("farm_size"),
            style=style,
            layout=layout,
        ),
        "delay": w.IntSlider(value=0, min=-2, max=5, description=ui("completion_shift"), style=style, layout=layout),
    }
    legend_80 = band_legend(m) if m.get("band") else ui("interval_80")
    timing = w.HTML()
    save_name = w.Text(placeholder=ui("scenario_name"), layout=w.Layout(width="220px"))
    save_button = w.Button(description=ui("save_scenario"), icon="save")
    save_message = w.HTML()

    # what the last projection key (the demographic controls) decides, each part made when first needed: the
    # projection, its band, its projected demand; a control that moves only construction reuses them all
    kept: dict[str, dict] = {}
    drawn: dict[str, object] = {"band": None}  # the band the population figures show now

    def part(scenario, name: str, make):
        entry = kept.get(key := projection_key(scenario))
        if entry is None:
            kept.clear()  # only the last: a slider's path is not revisited often enough to keep more
            entry = kept[key] = {}
        if name not in entry:
            entry[name] = make()
        return entry[name]

    def scenario_from_controls():
        """The chosen scenario as the moved controls change it (unchanged while none is moved)."""
        chosen = m["scenarios"][controls["scenario"].value]
        now = {
            key: start[key]
            if at_start(controls[key].value, start[key], controls[key].min, controls[key].step)
            else controls[key].value
            for key in start
        }
        return scenario_with(chosen, now, start, m["construction_plan"], m["base_year"])

    def draw_population(totals, interval) -> None:
        for key, fig in population_figures(totals, interval, legend_80).items():
            outputs[key].figure = fig  # sent at once: the page redraws it while the rest is computed
        drawn["band"] = interval

    def redraw(*_):
        """The projection's lines first (what a planner moving a control looks at: beside the band drawn last
        until the moved scenario's own is made, ~50-100 ms later), then its band and the headline with its
        ranges, then staff and floor area."""
        began = time.perf_counter()
        scenario = scenario_from_controls()
        projection = part(scenario, "projection", lambda: project_scenario(m, scenario))
        totals = projection.county_total()
        projected = time.perf_counter()
        if m.get("band") and "band" not in kept[projection_key(scenario)]:
            draw_population(totals, drawn["band"])
        interval = part(scenario, "band", lambda: band(m, scenario))
        banded = time.perf_counter()
        draw_population(totals, interval)
        headline.html = headline_html(totals, interval)
        demanded = part(scenario, "demanded", lambda: projected_demand(m, projection))  # after the population
        recalculated = recalculate(m, scenario, roster_of=controls["scenario"].value, demanded=demanded)
        for key, fig in services_figures(recalculated).items():
            outputs[key].figure = fig
        timing.value = (
            "<small id='fpplan-timing' style='color:#888'>"
            + ui(
                "explorer_band_timing",
                projection=f"{(projected - began) * 1000:.0f}",
                band=f"{(banded - projected) * 1000:.0f}",
                total=f"{(time.perf_counter() - began) * 1000:.0f}",
            )
            + "</small>"
        )

    def choose_scenario(change):
        """Every control to the chosen scenario's own values, then one redraw."""
        start.update(starting_values(m["scenarios"][change["new"]], m["inputs"].rates.county_tfr, first_year))
        for key, value in start.items():
            controls[key].unobserve(redraw, names="value")
            controls[key].value = value
            controls[key].observe(redraw, names="value")
        redraw()

    def save(_):
        key = save_name.value.strip()
        scenario = scenario_from_controls().model_copy(update={"name": Name(zh=key, en=key)})
        try:
            path = save_scenario(folder, key, scenario)
        except DataError as error:
            save_message.value = "<br>".join(
                f"<span style='color:#c62828'>{p.message()}</span>" for p in error.problems
            )
            return
        m["scenarios"][key] = scenario
        controls["scenario"].options = [(s.name.zh, k) for k, s in m["scenarios"].items()]
        save_message.value = f"<span style='color:#2e7d32'>{ui('scenario_saved', name=key, path=path.name)}</span>"

    save_button.on_click(save)
    figs, first_headline, stored = first_view(manifest, m)
    if stored is not None:
        kept[projection_key(m["scenarios"][plan_scenario])] = {"band": stored}
    drawn["band"] = stored
    # on a page rendered ahead these adopt its figures and tables (fpplan.app.pages.scenarios); elsewhere they draw
    outputs = {key: LiveFigure(fig, target=TARGETS[key], bundle="cartesian") for key, fig in figs.items()}
    headline = LiveHTML(first_headline, target=HEADLINE)
    controls["scenario"].observe(choose_scenario, names="value")
    for key, control in controls.items():
        if key != "scenario":
            control.observe(redraw, names="value")
    if m.get("band"):  # the first control move then costs what every other does
        threading.Thread(target=warm_up, args=(m, m["scenarios"][plan_scenario]), daemon=True).start()
    grid = w.GridBox(list(outputs.values()), layout=w.Layout(grid_template_columns="repeat(2, 1fr)"))
    saving = w.HBox([save_name, save_button, save_message])
    recorded = LiveHTML(observed_html(manifest), target=RECORDED)  # what the county recorded, beside the assumptions
    heading = LiveHTML(header_html("app_scenarios", manifest), target=HEADER)
    image = SaveImage("app_scenarios", manifest)  # hidden where the page rendered ahead has its own
    return w.VBox(
        [heading, image, w.HBox([w.VBox(list(controls.values())), w.VBox([headline, timing, recorded])]), saving, grid]
    )


def observed_html(manifest: dict) -> str:
    """The recent records (births, deaths, migration, the TFR they imply) as a small table, from the results."""
    from fpplan.app.observed_view import format_observed

    path = results_module.file(manifest, "observed.parquet")
    if not path.exists():
        return ""
    table = format_observed(results_module.table(manifest, "observed"))
    return (
        f"<div id='fpplan-observed'><h4 style='margin:6px 0'>{ui('observed_title')}</h4>"
        + table.to_html(index=False, border=0, classes="fpplan-observed")
        + "</div><style>.fpplan-observed{border-collapse:collapse;font-size:13px}.fpplan-observed td,"
        ".fpplan-observed th{padding:2px 8px;border-bottom:1px solid #ddd;text-align:right}</style>"
    )
