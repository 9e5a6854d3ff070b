"""服务半径与选址 rendered ahead.

With coordinates: the map at the configured reach (its figure, cards, the plan check, suggested sites, villages
beyond reach) shown while the kernel starts; the map's tables for every step of the radius / travel-time slider
(at the configured number of new sites) and for every number of new sites (at the configured reach) computed now
and kept (``pages/spatial_lookup.pickle``), so that the kernel's controls look them up (``panels.spatial``).
Without coordinates: coverage by distance to the township seat, every year prepared, the year chosen in the
browser (no kernel).
"""

from __future__ import annotations

import pickle
from pathlib import Path

from fpplan.app.pages import Page
from fpplan.app.pages import html as page
from fpplan.app.pages.store import FOLDER, HEADER_MARK
from fpplan.app.panels import page_image
from fpplan.data.labels import ui

MAP_WIDTH = 780  # px: the page's width less the controls' column


def projection(manifest: dict):
    """The plan scenario's projection, from the inputs kept with the results (as the map's results were made)."""
    from fpplan.app import results as results_module
    from fpplan.demography import project

    with results_module.file(manifest, "model.pickle").open("rb") as handle:
        model = pickle.load(handle)
    key = manifest["plan_scenario"]
    return project(model["inputs"], model["scenarios"][key], scenario_name=key)


def lookup(county, manifest: dict, first: dict) -> dict:
    """The map's tables of every setting the page looks up (see the module's docstring), less the tables no
    setting changes."""
    from fpplan.app.panels.spatial import NEW_SITES, SHARED, lookup_key, slider_steps
    from fpplan.planning.demand import village_people
    from fpplan.spatial.results import SpatialBase, setting_results

    # the women of every village and year, the metric, places, stations and their costs, once
    base = SpatialBase(county, village_people(county, projection(manifest)))
    meta = first["meta"].iloc[0]
    settings = [(t, int(meta["new_sites"])) for t in slider_steps(meta)]
    settings += [(None, n) for n in NEW_SITES if n != int(meta["new_sites"])]
    out = {}
    for threshold, new_sites in settings:
        tables = setting_results(base, threshold=threshold, new_sites=new_sites)
        out[lookup_key(threshold, new_sites)] = {k: v for k, v in tables.items() if k not in SHARED}
    return out


def build(county, manifest: dict) -> Page:
    from fpplan.app.panels import spatial as panel

    first = panel.stored(manifest)
    if first is None:
        return seat_page(county, manifest)
    folder = Path(manifest["path"]) / FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "spatial_lookup.pickle").open("wb") as handle:
        pickle.dump(lookup(county, manifest, first), handle)
    view = panel.first_view(manifest, first)
    figures = {panel.MAP: (page.spec(view["map"]), MAP_WIDTH), panel.GROWTH: (page.spec(view["growth"]), page.HALF)}
    body = (
        f"<div class='fp-row'><div style='flex:0 0 440px;max-width:100%'><div id='{panel.NOTE}'>{view['note']}"
        f"</div><div id='{panel.CARDS}'>{view['cards']}</div></div><div style='flex:1 1 0%;min-width:0'>"
        f"{page.figure(panel.MAP, {}, embed_spec=False)}</div></div>"
        f"<div class='fp-row'><div class='fp-half'>{page.figure(panel.GROWTH, {}, embed_spec=False)}</div>"
        f"<div class='fp-half'><div id='{panel.PLAN}'>{view['plan']}</div><div id='{panel.SITES}'>{view['sites']}"
        f"</div></div></div><div id='{panel.BEYOND}'>{view['beyond']}</div>"
    )
    head = f"<div id='{panel.HEADER}'>{HEADER_MARK}</div>" + page_image.page_html("app_spatial", manifest)
    html = page.CSS + page.live_page(head, body, ui("pages_controls_loading"))
    return Page("live", "app_spatial", html, figures, "cartesian")


def seat_page(county, manifest: dict) -> Page:
    """A county without coordinates: every year's coverage from the distances to the township seats."""
    from fpplan.app.panels.spatial import seat_note, seat_year_html
    from fpplan.planning.demand import village_people
    from fpplan.spatial.seat import seat_results

    r = seat_results(county, village_people(county, projection(manifest)))
    years = sorted(int(y) for y in r["county"]["year"].unique())
    labels = manifest["names"]
    choice = page.choice("seat-year", ui("year_control"), [(str(y), str(y)) for y in years], str(years[-1]))
    sections = [page.section("seat-year", str(y), seat_year_html(r, y, labels), y == years[-1]) for y in years]
    return Page("static", "app_spatial", page.static_body(seat_note(r), choice, *sections))
