"""The dashboards' widgets: one module per dashboard (overview, scenarios, construction, scorecard), each
building one Voila app from the engines and the figure builders; what they share is here.

The county comes from ``$FPPLAN_DATA`` (``fpplan.app.serve`` sets it; default ``data/demo`` of the repository).
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

import ipywidgets as w
import pandas as pd
import plotly.graph_objects as go

from fpplan.data import County, load_county
from fpplan.data.labels import ui
from fpplan.demography import load_scenarios, prepare, project
from fpplan.planning import demand, facilities, staffing

PLAN_SCENARIO = "medium"
CARD = ("<div style='display:inline-block;min-width:170px;margin:6px;padding:10px 14px;border-radius:6px;"
        "background:#f3f6fa;border-left:5px solid {colour}'><div style='font-size:13px;color:#555'>{title}</div>"
        "<div style='font-size:24px;font-weight:600'>{value}</div></div>")


def county_path() -> Path:
    return Path(os.environ.get("FPPLAN_DATA") or Path(__file__).resolve().parents[4] / "data" / "demo")


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
