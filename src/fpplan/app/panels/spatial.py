"""服务半径与选址: the coverage map, villages beyond reach, mobile vehicles and suggested sites.

A thin drawer: every number comes from ``fpplan.spatial.spatial_results`` on the workspace's county and the plan
scenario's projection, computed once per data version with the results for every step of the radius / travel-time
slider and every number of new sites at the configured reach (``fpplan.app.pages.spatial``: a control moved is a
lookup); a setting outside those (another radius and another number of sites together) is computed here and kept
in the kernel. Suggested sites are chosen for the projection's last year; the year slider shows coverage by year.
Every figure comes from ``fpplan.app.maps``; the floor-area gap and the indicator statuses are read from the
precomputed results (``fpplan.app.results``).
"""

from __future__ import annotations

from functools import cache, lru_cache

import ipywidgets as w
import numpy as np
import pandas as pd

from fpplan.app import maps
from fpplan.app import results as results_module
from fpplan.app.panels.common import CARD, county, header_html, names, results, title
from fpplan.app.panels.live_figure import LiveFigure, LiveHTML, SaveImage
from fpplan.app.tables import CODE_COLUMNS, header
from fpplan.data.labels import enum_label, label, ui


@cache
def _projection():
    """The plan scenario's projection, from the inputs prepared with the results (tens of milliseconds)."""
    import pickle

    from fpplan.demography import project

    manifest = results()
    with results_module.file(manifest, "model.pickle").open("rb") as handle:
        model = pickle.load(handle)
    key = manifest["plan_scenario"]
    return project(model["inputs"], model["scenarios"][key], scenario_name=key)


def stored(manifest: dict) -> dict[str, pd.DataFrame] | None:
    """The map's tables for the default setting, computed with the results (``spatial_*`` of the plan scenario);
    None when the county has no coordinates."""
    folder = results_module.file(manifest, "", scenario=manifest["plan_scenario"])
    files = sorted(folder.glob("spatial_*.parquet"))
    return {f.stem.removeprefix("spatial_"): pd.read_parquet(f) for f in files} or None


@cache
def _base():
    """What every setting of the map shares (fpplan.spatial.base.SpatialBase), made at the first setting the
    results did not compute."""
    from fpplan.planning.demand import village_people
    from fpplan.spatial.results import SpatialBase

    return SpatialBase(county(), village_people(county(), _projection()))


@lru_cache(maxsize=32)
def spatial(threshold: float | None, new_sites: int | None, year: int | None) -> dict[str, pd.DataFrame]:
    """``fpplan.spatial.spatial_results`` of the county and the plan scenario for one setting."""
    from fpplan.spatial.results import setting_results

    return setting_results(_base(), threshold=threshold, new_sites=new_sites, year=year)


@cache
def _gaps() -> pd.DataFrame:
    """Floor-area gap by station and year (the plan scenario's capacity timeline, precomputed)."""
    manifest = results()
    return results_module.table(manifest, "capacity", scenario=manifest["plan_scenario"])[["station", "year", "gap_m2"]]


@cache
def _cards() -> pd.DataFrame:
    return results_module.table(results(), "scorecards")


def _indicators() -> list[tuple[str, str]]:
    """(name, code) of the indicators scored for townships."""
    cards = _cards()
    if not len(cards) or "level" not in cards:
        return []
    part = cards[cards["level"] == "township"].drop_duplicates("indicator")
    return list(zip(part["name"], part["indicator"]))


def _status(indicator: str) -> dict[str, str]:
    """Township → status of ``indicator`` in the latest scored year (the township scorecard, precomputed)."""
    cards = _cards()
    part = (
        cards[(cards["level"] == "township") & (cards["indicator"] == indicator)]
        if "level" in cards
        else cards.iloc[:0]
    )
    if not len(part):
        return {}
    period = sorted(p for p in part["period"].astype(str).unique() if p.isdigit())[-1:] or [part["period"].max()]
    part = part[part["period"].astype(str) == str(period[0])]
    return dict(zip(part["unit"], part["status"]))


def _table(frame: pd.DataFrame, columns: list[str], labels: dict[str, str]) -> str:
    shown = frame[columns].copy()
    for column in shown.columns:
        if column in CODE_COLUMNS:  # names, under 乡镇 / 村 / 服务站 (fpplan.app.tables.header), not codes
            shown[column] = shown[column].map(lambda v: labels.get(v, v))
        elif column == "access":
            shown[column] = shown[column].map(lambda v: enum_label("access", v))
        elif pd.api.types.is_float_dtype(shown[column]):
            shown[column] = shown[column].map(lambda v: "" if pd.isna(v) else f"{v:,.0f}")
    shown.columns = [header(c) for c in shown.columns]
    return (
        "<div style='max-height:260px;overflow:auto'>"
        + shown.to_html(index=False, border=0, classes="fpplan-table")
        + "</div>"
        "<style>.fpplan-table{border-collapse:collapse;font-size:13px}.fpplan-table td,.fpplan-table th"
        "{padding:3px 8px;border-bottom:1px solid #ddd;text-align:right}</style>"
    )


MAP, GROWTH, CARDS, BEYOND, SITES, PLAN, NOTE, HEADER = (
    "fpplan-figure-map",
    "fpplan-figure-growth",
    "fpplan-map-cards",
    "fpplan-beyond",
    "fpplan-sites",
    "fpplan-plan-check",
    "fpplan-reach-note",
    "fpplan-header",
)


def slider_steps(meta: pd.Series) -> list[float]:
    """The radius (km) or travel-time (min) slider's steps: every value it can take."""
    km = meta["unit"] == "km"
    return [float(v) for v in np.arange(5 if km else 10, (60 if km else 120) + 1, 5)]


def on_step(value: float, steps: list[float]) -> float:
    """The slider's step nearest ``value``: the browser hands a step back as a sum of steps (50.00000000000001 for
    50), which would miss the setting kept for 50 and compute it again (~2 s in a fresh kernel)."""
    return min(steps, key=lambda step: abs(step - value))


NEW_SITES = range(6)  # the new-sites slider's range


def lookup_key(threshold: float | None, new_sites: int) -> str:
    return f"{'' if threshold is None else float(threshold)}|{int(new_sites)}"


def load_lookup(manifest: dict, first: dict[str, pd.DataFrame]) -> dict[str, dict[str, pd.DataFrame]]:
    """The map's tables for each setting computed with the results (``pages/spatial_lookup.pickle``: every step of
    the slider at the configured number of new sites, every number of new sites at the configured reach); the
    tables no setting changes (places, outlines, roads) taken from ``first``."""
    import pickle

    path = results_module.file(manifest, "pages/spatial_lookup.pickle")
    meta = first["meta"].iloc[0]
    table = {lookup_key(None, int(meta["new_sites"])): first}
    if path.exists():
        with path.open("rb") as handle:
            for key, tables in pickle.load(handle).items():
                table[key] = {name: first[name] for name in SHARED} | tables
    return table


SHARED = ("places", "boundaries", "roads")  # the same for every setting (stored once)


def map_figure(
    r: dict[str, pd.DataFrame], year: int, labels: dict, colour: str, size: str, paths: dict | None = None
) -> dict:
    """The map of one setting (plotly JSON)."""
    gaps = None
    if size == "gap":
        g = _gaps()
        gaps = g[g["year"] == year].set_index("station")["gap_m2"].to_dict()
    status = _status(colour) if colour else None
    return maps.coverage_map(r, year, labels, status=status, size=size, gaps=gaps, paths=paths)


def draw(
    r: dict[str, pd.DataFrame],
    year: int,
    labels: dict,
    plan: pd.DataFrame,
    colour: str,
    size: str,
    paths: dict | None = None,
    fig: dict | None = None,
) -> dict:
    """What the page shows for one setting: the map (``fig``, when already made: ``map_figure``) and the coverage
    figure (plotly JSON), the cards, the plan check, the suggested sites and the villages beyond reach (HTML)."""
    facilities = r["station_places"]
    fig = fig if fig is not None else map_figure(r, year, labels, colour, size, paths)
    short = {s: labels.get(t, s) for s, t in zip(facilities["code"], facilities["township_code"])}
    growth = maps.coverage_growth(r["county"], plan, short)
    gain = r["meta"]["new_sites_gain"].iloc[0]
    cards = coverage_cards(r, year) + CARD.format(
        colour="#ffb300", title=ui("suggested_card", n=len(r["sites"])), value=f"{gain:,.0f} {ui('persons')}"
    )
    access = r["access"]
    beyond = access[(access["year"] == year) & (access["access"] != "covered")].sort_values("cost", ascending=False)
    beyond_html = f"<h4>{ui('beyond_table_title')}</h4>" + _table(
        beyond,
        ["village_code", "township_code", "nearest_station", "cost", "access", "women_15_49", "married_women_15_49"],
        labels,
    )
    sites_html = f"<h4>{ui('sites_table_title')}</h4>" + _table(
        r["sites"], ["rank", "site", "township_code", "women_within", "gain_women"], labels
    )
    check = r["plan_check"].iloc[0]
    plan_html = (
        f"<p style='font-size:14px'>{ui('plan_check_text', n=int(check['stations']), plan=check['plan_covered'], best=check['best_covered'], share=check['plan_efficiency'])}</p>"
        if check["stations"]
        else ""
    )
    return {"map": fig, "growth": growth, "cards": cards, "beyond": beyond_html, "sites": sites_html, "plan": plan_html}


def reach_note(facilities: pd.DataFrame, km: bool) -> str:
    reach = facilities.drop_duplicates("level")
    unit = "km" if km else ui("minutes_short")
    return (
        f"<small style='color:#777'>{label('columns', 'reach')}: "
        + "；".join(
            f"{enum_label('station_level', lvl)} {t:g} {unit}" for lvl, t in zip(reach["level"], reach["threshold"])
        )
        + "</small>"
    )


def first_view(manifest: dict, first: dict[str, pd.DataFrame]) -> dict:
    """The page before any control moves: the configured reach and number of sites, the last year, coloured by
    coverage, stations sized by staff."""
    plan = results_module.table(manifest, "construction_plan", scenario=manifest["plan_scenario"])
    year = int(first["county"]["year"].max())
    return draw(first, year, manifest["names"], plan, "", "staff") | {
        "note": reach_note(first["station_places"], first["meta"].iloc[0]["unit"] == "km")
    }


def spatial_panel() -> w.Widget:
    manifest = results()
    first = stored(manifest)
    if first is None:
        return seat_panel(manifest)
    labels = names()
    plan = results_module.table(manifest, "construction_plan", scenario=manifest["plan_scenario"])
    lookup = load_lookup(manifest, first)
    paths: dict[int, dict] = {}  # the outlines of each setting's tables, made once
    meta = first["meta"].iloc[0]
    years = sorted(first["county"]["year"].unique())
    km = meta["unit"] == "km"
    default = meta["new_threshold"]
    style, layout = {"description_width": "150px"}, w.Layout(width="420px")
    controls = {
        "threshold": w.FloatSlider(
            value=default,
            min=5 if km else 10,
            max=60 if km else 120,
            step=5,
            readout_format=".0f",  # whole minutes or kilometres (the steps are 5): "40", not "40.00"
            description=ui("radius_control_km" if km else "radius_control_min"),
            style=style,
            layout=layout,
        ),
        "new_sites": w.IntSlider(
            value=int(meta["new_sites"]),
            min=NEW_SITES[0],
            max=NEW_SITES[-1],
            description=ui("new_sites_control"),
            style=style,
            layout=layout,
        ),
        "year": w.SelectionSlider(
            options=years, value=years[-1], description=ui("year_control"), style=style, layout=layout
        ),
        "colour": w.Dropdown(
            options=[(ui("colour_coverage"), "")] + _indicators(),
            value="",
            description=ui("colour_by"),
            style=style,
            layout=layout,
        ),
        "size": w.ToggleButtons(
            options=[(ui("station_size_staff"), "staff"), (ui("station_size_gap"), "gap")],
            value="staff",
            style={"button_width": "200px"},
        ),
    }
    touched = {"threshold": False}
    view = first_view(manifest, first)
    outputs = {
        "map": LiveFigure(view["map"], target=MAP, bundle="cartesian"),
        "growth": LiveFigure(view["growth"], target=GROWTH, bundle="cartesian"),
        "cards": LiveHTML(view["cards"], target=CARDS),
        "beyond": LiveHTML(view["beyond"], target=BEYOND),
        "sites": LiveHTML(view["sites"], target=SITES),
        "plan": LiveHTML(view["plan"], target=PLAN),
    }

    steps = slider_steps(meta)

    def current() -> dict[str, pd.DataFrame]:
        threshold = on_step(float(controls["threshold"].value), steps) if touched["threshold"] else None
        key = lookup_key(threshold, int(controls["new_sites"].value))
        if key not in lookup:  # not computed with the results: computed now, once
            lookup[key] = spatial(threshold, int(controls["new_sites"].value), None)
        return lookup[key]

    def redraw(change=None):
        if change is not None and change.get("owner") is controls["threshold"]:
            touched["threshold"] = True
        r = current()
        if id(r) not in paths:
            paths[id(r)] = maps.map_paths(r)
        year, colour, size = int(controls["year"].value), controls["colour"].value, controls["size"].value
        fig = map_figure(r, year, labels, colour, size, paths[id(r)])
        outputs["map"].figure = fig  # sent first: the page redraws it while the rest is made and follows
        shown = draw(r, year, labels, plan, colour, size, paths[id(r)], fig=fig)
        for key in ("growth", "cards", "beyond", "sites", "plan"):
            setattr(outputs[key], "figure" if key == "growth" else "html", shown[key])

    for control in controls.values():
        control.observe(redraw, names="value")
    note = LiveHTML(view["note"], target=NOTE)
    left = w.VBox([*controls.values(), note, outputs["cards"]], layout=w.Layout(flex="0 0 440px", width="440px"))
    outputs["map"].layout = w.Layout(flex="1 1 0%", min_width="0")
    heading = LiveHTML(header_html("app_spatial", manifest), target=HEADER)
    return w.VBox(
        [
            heading,
            SaveImage("app_spatial", manifest),
            w.HBox([left, outputs["map"]]),
            w.HBox([outputs["growth"], w.VBox([outputs["plan"], outputs["sites"]])]),
            outputs["beyond"],
        ]
    )


@cache
def _seat() -> dict[str, pd.DataFrame]:
    from fpplan.planning.demand import village_people
    from fpplan.spatial.seat import seat_results

    return seat_results(county(), village_people(county(), _projection()))


def coverage_cards(r: dict[str, pd.DataFrame], year: int) -> str:
    """The year's coverage, villages and women beyond reach, and vehicles needed (existing), as cards."""
    row = r["county"].set_index("year").loc[year]
    vehicles = r["vehicles"].set_index("year").loc[year]
    return "".join(
        [
            CARD.format(colour="#1565c0", title=ui("coverage_card", year=year), value=f"{row['share_covered']:.1%}"),
            CARD.format(
                colour="#c62828",
                title=ui("beyond_card"),
                value=f"{int(row['villages_beyond'])} · {row['women_beyond']:,.0f} {ui('persons')}",
            ),
            CARD.format(
                colour="#6a1b9a",
                title=ui("vehicles_card"),
                value=f"{int(vehicles['vehicles_needed'])}（{int(vehicles['vehicles_existing'])}）",
            ),
        ]
    )


def seat_year_html(r: dict[str, pd.DataFrame], y: int, labels: dict) -> str:
    """A year of the seat-distance coverage: cards, townships, villages beyond reach."""
    cards = coverage_cards(r, y)
    towns = r["townships"][r["townships"]["year"] == y]
    access = r["access"]
    beyond = access[(access["year"] == y) & (access["access"] != "covered")].sort_values("cost", ascending=False)
    beyond = beyond.rename(columns={"cost": "distance_km"})
    return (
        f"<div>{cards}</div><h4>{ui('seat_townships_title', year=y)}</h4>"
        + _table(towns, ["township_code", "women_15_49", "women_covered", "women_beyond", "villages_beyond"], labels)
        + f"<h4>{ui('beyond_table_title')}</h4>"
        + _table(
            beyond,
            ["village_code", "township_code", "distance_km", "access", "women_15_49", "married_women_15_49"],
            labels,
        )
    )


def seat_note(r: dict[str, pd.DataFrame]) -> str:
    reach = r["station_places"].drop_duplicates("level")
    return (
        f"<p style='font-size:15px'>{ui('seat_method')}</p><p style='font-size:14px;color:#555'>"
        f"{ui('absent_geography')}</p><small style='color:#777'>{label('columns', 'reach')}: "
        + "；".join(
            f"{enum_label('station_level', lvl)} {t:g} km" for lvl, t in zip(reach["level"], reach["threshold"])
        )
        + "</small>"
    )


def seat_panel(manifest: dict) -> w.Widget:
    """The page of a county without coordinates: coverage from each village's distance to its township seat
    (fpplan.spatial.seat), by year; how to add coordinates for the map. (Rendered ahead without a kernel:
    fpplan.app.pages.spatial; this is the page from its kernel.)"""
    r = _seat()
    labels = names()
    years = sorted(int(y) for y in r["county"]["year"].unique())
    year = w.SelectionSlider(
        options=years,
        value=years[-1],
        description=ui("year_control"),
        style={"description_width": "150px"},
        layout=w.Layout(width="420px"),
    )
    body = w.HTML()

    def show(change=None) -> None:
        body.value = seat_year_html(r, int(year.value), labels)

    show()
    year.observe(show, names="value")
    return w.VBox([title("app_spatial", manifest), w.HTML(seat_note(r)), year, body])
