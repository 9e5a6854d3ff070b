"""The dashboards' widgets: each function builds one Voila app from the engines and the figure builders.

The county comes from ``$FPPLAN_DATA`` (``fpplan.app.serve`` sets it; default ``data/demo`` of the repository).
"""

from __future__ import annotations

import base64
import os
import tempfile
import time
from functools import cache
from pathlib import Path

import ipywidgets as w
import pandas as pd
import plotly.graph_objects as go

from fpplan.app import figures
from fpplan.data import County, load_county
from fpplan.data.labels import ui
from fpplan.demography import load_scenarios, prepare, project
from fpplan.planning import demand, facilities, staffing

PLAN_SCENARIO = "medium"
CARD = ("<div style='display:inline-block;min-width:170px;margin:6px;padding:10px 14px;border-radius:6px;"
        "background:#f3f6fa;border-left:5px solid {colour}'><div style='font-size:13px;color:#555'>{title}</div>"
        "<div style='font-size:24px;font-weight:600'>{value}</div></div>")


def county_path() -> Path:
    return Path(os.environ.get("FPPLAN_DATA") or Path(__file__).resolve().parents[3] / "data" / "demo")


@cache
def county() -> County:
    return load_county(county_path())


@cache
def model():
    """Everything the fast recalculation needs, prepared once per kernel."""
    c = county()
    return {"inputs": prepare(c), "scenarios": load_scenarios(c),
            "coefficients": demand.coefficients(c, c.config["services"]),
            "existing": c.staff.groupby(["station_code", "specialty"], as_index=False)["fte"].sum().set_axis(
                ["station", "cadre", "existing"], axis=1)}


def names() -> dict[str, str]:
    c = county()
    return dict(zip(c.units["code"], c.units["name"])) | dict(zip(c.facilities["code"], c.facilities["name"]))


def title(key: str) -> w.HTML:
    return w.HTML(f"<h2 style='margin:4px 0 8px 0'>{ui(key)}</h2>")


def figure_output(fig: go.Figure) -> w.Output:
    """A figure in an Output widget, drawn by plotly's JupyterLab renderer (the plotly.js bundled with the
    installed plotly, offline). Static figures need no FigureWidget, whose model carries plotly.js itself."""
    out = w.Output()
    with out:
        fig.show(renderer="plotly_mimetype", config={"displaylogo": False})
    return out


def redraw_output(out: w.Output, fig: go.Figure) -> None:
    """Replace the figure shown in ``out``."""
    out.clear_output(wait=True)
    with out:
        fig.show(renderer="plotly_mimetype", config={"displaylogo": False})


def recalculate(scenario) -> dict[str, pd.DataFrame]:
    """Projection → demand → WISN → floor area for one scenario, in tens of milliseconds."""
    c, m = county(), model()
    projection = project(m["inputs"], scenario)
    bases = demand.projected_bases(projection)
    volumes = demand.volumes_from(m["coefficients"], bases)
    workload = volumes.groupby(["station", "cadre", "year"], as_index=False)["workload_hours"].sum()
    wisn = staffing.wisn_table(workload, c.config["wisn"], c.facilities.set_index("code")["level"], m["existing"])
    plan = facilities.shift_completion(c.construction_plan, scenario.project_completion)
    capacity = facilities.capacity_timeline(c.facilities, plan, c.config["standards"],
                                            facilities.served_women(c.facilities, bases))
    county_rows = projection.county_total()
    return {"county": county_rows, "summary": projection.summary, "wisn": wisn, "capacity": capacity, "plan": plan}


# --- 领导总览 ---------------------------------------------------------------------------------------------------


def overview() -> w.Widget:
    from fpplan.data.store import ReportStore
    from fpplan.indicators.scorecard import scorecard

    c = county()
    result = recalculate(model()["scenarios"][PLAN_SCENARIO])
    totals = result["county"].set_index("year")
    first, last = c.base_year, int(totals.index.max())
    shortage = (result["wisn"]["required"] - result["wisn"]["existing"]).clip(lower=0).groupby(result["wisn"]["year"]).sum()
    gaps = result["capacity"].assign(gap=lambda f: f["gap_m2"].clip(lower=0)).groupby("year")["gap"].sum()
    period = str(c.base_year)
    store = ReportStore.from_county(c)
    card = scorecard(c, "township", period, store=store, with_forecast=False)
    county_card = scorecard(c, "county", period, store=store, with_forecast=False)
    met = int((county_card["status"] == "met").sum())
    cards = [
        (ui("population_now", year=first), f"{totals.loc[first, 'population']:,.0f}", "#1565c0"),
        (ui("population_plan", year=last), f"{totals.loc[last, 'population']:,.0f}", "#1565c0"),
        (ui("women_now", year=first), f"{totals.loc[first, 'women_15_49']:,.0f}", "#c2185b"),
        (ui("staff_gap", year=last), f"{shortage.loc[last]:.1f} {ui('persons')}", "#6a1b9a"),
        (ui("area_gap", year=first), f"{gaps.loc[first]:,.0f} m²", "#ef6c00"),
        (ui("funding_gap"), f"{c.construction_plan['subsidy_requested_wan_yuan'].sum():,.0f} {ui('wan_yuan')}", "#c62828"),
        (ui("indicators_met", period=period), f"{met} / {len(county_card)}", "#2e7d32"),
    ]
    kpis = w.HTML("".join(CARD.format(title=t, value=v, colour=col) for t, v, col in cards))
    summary = result["summary"]
    townships = summary[summary["region"] != c.county_code]
    population = figure_output(figures.lines(townships, "year", "population", "region", ui("population_by_township"), names()))
    missed = card[card["status"] == "missed"].groupby("unit").size().reindex(c.townships()["code"], fill_value=0)
    attention = go.Figure(layout=figures._layout(ui("townships_attention")))
    attention.add_bar(x=[names()[u] for u in missed.index], y=missed.to_numpy(), marker_color="#c62828")
    shortfall = facilities.first_shortfall(result["capacity"], result["plan"]).dropna(subset=["first_short_year"])
    first_short = shortfall.sort_values(["first_short_year", "max_gap_m2"], ascending=[True, False]).iloc[0]
    note = w.HTML("<p style='font-size:15px'>" + ui("first_short_station", station=names()[first_short["station"]],
                                                     year=int(first_short["first_short_year"])) + "</p>")
    return w.VBox([title("app_overview"), kpis, note, w.HBox([population, figure_output(attention)])])


# --- 情景分析 ---------------------------------------------------------------------------------------------------


def scenario_explorer() -> w.Widget:
    m = model()
    base = m["scenarios"][PLAN_SCENARIO]
    farms = base.lump_inflows
    style = {"description_width": "170px"}
    layout = w.Layout(width="460px")
    controls = {
        "scenario": w.Dropdown(options=[(s.name.zh, k) for k, s in m["scenarios"].items()], value=PLAN_SCENARIO,
                               description=ui("scenario"), style=style, layout=layout),
        "tfr": w.FloatSlider(value=base.tfr[max(base.tfr)], min=0.6, max=2.2, step=0.05, description=ui("tfr_2035"),
                             style=style, layout=layout),
        "e0": w.FloatSlider(value=base.e0.female[max(base.e0.female)], min=76, max=90, step=0.5,
                            description=ui("e0_female"), style=style, layout=layout),
        "migration": w.IntSlider(value=int(base.net_migration[max(base.net_migration)]), min=-3000, max=1000, step=100,
                                 description=ui("net_migration"), style=style, layout=layout),
        "farm_year": w.IntSlider(value=farms[0].year if farms else 2028, min=2026, max=2035,
                                 description=ui("farm_year"), style=style, layout=layout),
        "farm_size": w.IntSlider(value=int(sum(f.size for f in farms)), min=0, max=20000, step=500,
                                 description=ui("farm_size"), style=style, layout=layout),
        "delay": w.IntSlider(value=0, min=-2, max=5, description=ui("completion_shift"), style=style, layout=layout),
    }
    headline = w.HTML()
    timing = w.HTML()

    def draw(result: dict) -> dict[str, go.Figure]:
        totals = result["county"]
        wisn = result["wisn"].groupby("year")[["required", "existing"]].sum()
        gap = result["capacity"].assign(gap=lambda f: f["gap_m2"].clip(lower=0)).groupby("year")["gap"].sum()
        figs = {key: go.Figure(layout=figures._layout(ui(t), height=300, xaxis_title=ui("year")))
                for key, t in (("population", "county_population"), ("women", "women_15_49_title"),
                               ("staff", "staff_need_title"), ("area", "area_gap_title"))}
        figs["population"].add_scatter(x=totals["year"], y=totals["population"], mode="lines+markers",
                                       name=ui("county_population"))
        figs["women"].add_scatter(x=totals["year"], y=totals["women_15_49"], mode="lines+markers",
                                  name=ui("women_15_49_title"), line_color="#c2185b")
        figs["staff"].add_scatter(x=wisn.index, y=wisn["required"], mode="lines+markers", name=ui("required_staff"))
        figs["staff"].add_scatter(x=wisn.index, y=wisn["existing"], mode="lines", name=ui("existing_staff"), line_dash="dash")
        figs["area"].add_bar(x=gap.index, y=gap.to_numpy(), name=ui("area_gap_title"), marker_color="#ef6c00")
        last = totals.iloc[-1]
        headline.value = (f"<p id='fpplan-headline' style='font-size:16px'>{ui('population_plan', year=int(last['year']))}："
                          f"<b>{last['population']:,.0f}</b> · {ui('women_15_49_title')}：<b>{last['women_15_49']:,.0f}</b></p>")
        return figs

    def scenario_from_controls():
        chosen = m["scenarios"][controls["scenario"].value]
        first_year = min(chosen.tfr) if chosen.tfr else county().base_year
        tfr = dict(chosen.tfr or {first_year: m["inputs"].rates.county_tfr}) | {2035: controls["tfr"].value}
        e0 = chosen.e0.model_copy(update={"female": dict(chosen.e0.female) | {2035: controls["e0"].value}}) if chosen.e0 else None
        size = controls["farm_size"].value
        total = sum(f.size for f in chosen.lump_inflows) or 1
        lumps = tuple(f.model_copy(update={"year": controls["farm_year"].value + k * (f.year - chosen.lump_inflows[0].year),
                                           "size": max(size * f.size / total, 1.0)})
                      for k, f in enumerate(chosen.lump_inflows)) if size > 0 else ()
        plan = county().construction_plan
        completion = {s: int(y) + controls["delay"].value for s, y in plan.groupby("station_code")["completion_year"].max().items()}
        return chosen.model_copy(update={"tfr": tfr, "e0": e0, "lump_inflows": lumps, "project_completion": completion,
                                         "net_migration": {county().base_year: controls["migration"].value}})

    def redraw(*_):
        start = time.perf_counter()
        fresh = draw(recalculate(scenario_from_controls()))
        for key, out in outputs.items():
            redraw_output(out, fresh[key])
        timing.value = f"<small style='color:#888'>{(time.perf_counter() - start) * 1000:.0f} ms</small>"

    def choose_scenario(change):
        chosen = m["scenarios"][change["new"]]
        with controls["tfr"].hold_trait_notifications():
            controls["tfr"].value = chosen.tfr[max(chosen.tfr)] if chosen.tfr else controls["tfr"].value
        if chosen.lump_inflows:
            controls["farm_year"].value = chosen.lump_inflows[0].year
        redraw()

    outputs = {key: figure_output(fig) for key, fig in draw(recalculate(scenario_from_controls())).items()}
    controls["scenario"].observe(choose_scenario, names="value")
    for key, control in controls.items():
        if key != "scenario":
            control.observe(redraw, names="value")
    grid = w.GridBox(list(outputs.values()), layout=w.Layout(grid_template_columns="repeat(2, 1fr)"))
    return w.VBox([title("app_scenarios"), w.HBox([w.VBox(list(controls.values())), w.VBox([headline, timing])]), grid])


# --- 建设规划 ---------------------------------------------------------------------------------------------------


def construction() -> w.Widget:
    from fpplan.app.workbook import write_workbook
    from fpplan.planning.plan import make_plan

    c = county()
    plan = make_plan(c, PLAN_SCENARIO, inputs=model()["inputs"])
    labels = names()
    gantt = figure_output(figures.gantt(plan.construction_plan, labels))
    stations = list(plan.construction_plan.sort_values("completion_year")["station_code"].drop_duplicates())
    picker = w.Dropdown(options=[(labels[s], s) for s in stations], value=stations[0], description=ui("station_select"))
    capacity = figure_output(figures.capacity_vs_need(plan.capacity, stations[0], labels[stations[0]]))

    def show(change):
        redraw_output(capacity, figures.capacity_vs_need(plan.capacity, change["new"], labels[change["new"]]))

    picker.observe(show, names="value")
    cash = figure_output(figures.cash_flow_bars(plan.cash_flow, labels))
    with tempfile.TemporaryDirectory() as tmp:
        data = base64.b64encode(write_workbook(plan, Path(tmp) / "plan.xlsx").read_bytes()).decode()
    link = w.HTML(f"<a download='建设规划.xlsx' style='font-size:15px' href='data:application/vnd.openxmlformats-"
                  f"officedocument.spreadsheetml.sheet;base64,{data}'>⬇ {ui('download_workbook')}</a>")
    return w.VBox([title("app_construction"), gantt, w.HBox([w.VBox([picker, capacity]), cash]), link])


# --- 乡镇指标 ---------------------------------------------------------------------------------------------------


def township_scorecard() -> w.Widget:
    from fpplan.data.store import ReportStore
    from fpplan.indicators import periods
    from fpplan.indicators.scorecard import rolling_year, scorecard

    c = county()
    period = str(c.base_year)
    store = ReportStore.from_county(c)
    card = scorecard(c, "township", period, store=store, with_forecast=False)
    labels = names()
    heat = figure_output(figures.scorecard_heatmap(card, labels, period))
    long = store.long()
    last = periods.of_months(pd.Series([long["month"].max()]), "quarter").iloc[0]
    first_end = periods.of_months(pd.Series([(pd.Period(long["month"].min(), freq="M") + 11).strftime("%Y-%m")]), "quarter").iloc[0]
    ends = [q for q in periods.sequence(last, 12) if q >= first_end]
    trends = rolling_year(long, c, "township", ends)
    catalogue = c.config["indicators"]
    target_set = catalogue.default_target_set
    townships = list(c.townships()["code"])
    pick_township = w.Dropdown(options=[(labels[t], t) for t in townships], value=townships[0],
                               description=ui("township_select"))
    pick_indicator = w.Dropdown(options=[(i.zh, k) for k, i in catalogue.indicators.items()],
                                value="contraceptive_prevalence", description=ui("indicator_select"))

    def trend_figure() -> go.Figure:
        unit, code = pick_township.value, pick_indicator.value
        series = trends[(trends["unit"] == unit) & (trends["indicator"] == code)].sort_values("period")
        target = catalogue.indicators[code].targets.get(target_set)
        line = None if target is None else (tuple(target.value) if target.op == "between" else float(target.value))
        return figures.indicator_trend(series, ui("trend_title", township=labels[unit], indicator=catalogue.indicators[code].zh),
                                   line)

    trend = figure_output(trend_figure())

    def show(*_):
        redraw_output(trend, trend_figure())

    pick_township.observe(show, names="value")
    pick_indicator.observe(show, names="value")
    return w.VBox([title("app_scorecard"), heat, w.HBox([pick_township, pick_indicator]), trend])


__all__ = ["construction", "overview", "scenario_explorer", "township_scorecard"]
