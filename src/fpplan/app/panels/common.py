"""What the dashboards share: where the county is, its precomputed results, the header every page shows, and how
a figure is put on the page.

The county folder comes from ``$FPPLAN_DATA`` (``fpplan.server.serve`` sets it; default ``data/demo`` of the
current folder), its store from ``$FPPLAN_STORE`` (default inside the folder); when the server serves a region
(``$FPPLAN_REGION``), ``$FPPLAN_DATA`` is the region's folder and a page shows the county its address names
(``?county=650124``); all three read by ``fpplan.data.environment``. Pages read the results computed once
per data version (``fpplan.app.results``); this module imports nothing heavy, so the landing page starts fast.
"""

from __future__ import annotations

import os
from functools import cache
from html import escape
from pathlib import Path

from fpplan.app import results as results_module
from fpplan.app.style import PLOTLY_CONFIG
from fpplan.data import environment
from fpplan.data.labels import month_text, ui

PLOTLY_MIME = "application/vnd.plotly.v1+json"
REGION_PAGE = "地区总览.ipynb"  # the region's landing page, beside the county pages
CARD = (
    "<div style='display:inline-block;min-width:170px;margin:6px;padding:10px 14px;border-radius:6px;"
    "background:#f3f6fa;border-left:5px solid {colour}'><div style='font-size:13px;color:#555'>{title}</div>"
    "<div style='font-size:24px;font-weight:600'>{value}</div></div>"
)


def data_path() -> Path:
    """The folder served: a county's, or a region's (``$FPPLAN_REGION`` set by the server)."""
    return environment.data_folder()


def region_mode() -> bool:
    return environment.region_mode()


def query_county() -> str | None:
    """The county code the page was asked for (``?county=650124``: Voila gives a kernel started for one visitor the
    request's query string; a page rendered ahead has none)."""
    from urllib.parse import parse_qs

    return (parse_qs(os.environ.get("QUERY_STRING", "")).get("county") or [None])[0]


def not_collected(key: str) -> str:
    """A page's notice that the county keeps no such records (label ``key``): where the page has no figure, its
    first content (``data-fp-empty``: what a browser test or benchmark waits for instead)."""
    return f"<p data-fp-empty>{ui(key)}</p>"


def county_path() -> Path:
    """The county folder a page shows: the served county, or in a region the county of the request's query
    string (the region's first county without one)."""
    if region_mode():
        from fpplan.app.region_results import county_folder

        return county_folder(data_path(), query_county())
    return data_path()


def store_path() -> Path | None:
    return environment.store_file()


@cache
def county():
    """The county a page shows, with its monthly tables from the store (read-only: no import), loaded once per
    kernel and only when a section needs it."""
    from fpplan.data.workspace import Workspace

    return Workspace(county_path(), store_path()).county(sync=False)


def results() -> dict:
    """The manifest of the current results; recomputed first (once, under a lock) if the data changed since."""
    folder = county_path()
    manifest = results_module.current(folder)
    if results_module.is_stale(folder, manifest, store_path()):
        from fpplan.data.workspace import Workspace

        results_module.ensure_results(Workspace(folder, store_path()))
        manifest = results_module.current(folder)
    return manifest


def header_html(key: str, manifest: dict) -> str:
    """The page title and what the data cover: "数据截至 2026年1月 · 最近导入 2026-01-05 10:12"."""
    as_of = manifest["data_as_of"]
    parts = []
    if as_of.get("last_month"):
        parts.append(ui("data_as_of", month=month_text(as_of["last_month"])))
    if as_of.get("last_import"):
        parts.append(ui("last_import", when=as_of["last_import"].replace("T", " ")))
    line = " · ".join(parts)
    county = manifest.get("county", {}).get("name")
    named = f"<span class='fpplan-county'> · {escape(county)}</span>" if county else ""
    back = (
        f"<div class='fp-back' style='font-size:13px;margin:2px 0'><a href='{REGION_PAGE}'>← "
        f"{ui('region_back')}</a></div>"
        if region_mode()
        else ""
    )
    return (
        f"{back}<h2 style='margin:4px 0 2px 0'>{ui(key)}{named}</h2>"
        f"<div id='fpplan-as-of' style='color:#555;font-size:13px;margin-bottom:8px'>{line}</div>"
    )


def plotly_bundle(spec: dict) -> dict:
    """A figure (plotly JSON) as the mime bundle JupyterLab's plotly renderer draws (offline: the plotly.js that
    comes with the installed plotly), without importing plotly's renderer machinery in the kernel."""
    return {PLOTLY_MIME: {"data": spec.get("data", []), "layout": spec.get("layout", {}), "config": PLOTLY_CONFIG}}


PLOTLY_BASIC = "../templates/fpplan/static/plotly/plotly-basic.min.js"  # from /voila/render/<page>.ipynb
PLOTLY_CARTESIAN = "../templates/fpplan/static/plotly/plotly-cartesian.min.js"  # the same with heatmaps
# One script per static page: a figure given as an image (fpplan.app.figure_images) becomes interactive when the
# pointer or the keyboard first reaches it (plotly.js-basic loaded then, once); a figure without one is drawn at once.
STATIC_FIGURES_SCRIPT = (
    "<script>(function () { let plotly = null;"
    " const load = () => plotly || (plotly = new Promise((ok, fail) => {"
    " const s = document.createElement('script'); s.src = '" + PLOTLY_BASIC + "';"
    " s.onload = () => ok(window.Plotly); s.onerror = fail; document.head.appendChild(s); }));"
    " const draw = el => { if (el.dataset.drawn) return; el.dataset.drawn = 'yes';"
    " const f = JSON.parse(document.getElementById(el.id + '-spec').textContent);"
    " const h = Math.round(el.getBoundingClientRect().height); if (h) f.layout.height = h;"  # as tall as the image
    " load().then(P => { el.replaceChildren(); P.newPlot(el, f.data, f.layout, f.config); }); };"
    " const whenShown = el => el.offsetParent ? draw(el) : setTimeout(() => whenShown(el), 25);"
    " document.querySelectorAll('.fpplan-figure').forEach(el => { if (!el.querySelector('svg'))"
    " return whenShown(el); for (const e of ['pointerenter', 'focusin', 'touchstart'])"
    " el.addEventListener(e, () => draw(el), {once: true}); }); })();</script>"
)


def static_figure_html(element_id: str, spec: dict, image: str | None = None) -> str:
    """A figure (plotly JSON: scatter and bar traces) for a page written into the HTML by the template (no widget,
    no kernel round trip): its SVG image when there is one, interactive on first touch, else drawn on load by the
    template's small plotly.js. ``STATIC_FIGURES_SCRIPT`` follows the page's figures once."""
    import json

    figure = json.dumps(
        {"data": spec.get("data", []), "layout": spec.get("layout", {}), "config": PLOTLY_CONFIG}, ensure_ascii=False
    ).replace("</", "<\\/")
    return (
        f"<div id='{element_id}' class='fpplan-figure' tabindex='0'>{image or ''}</div>"
        f"<script type='application/json' id='{element_id}-spec'>{figure}</script>"
    )


# --- widget helpers (they import ipywidgets and plotly; pages with controls use them) ----------------------------


def title(key: str, manifest: dict | None = None):
    import ipywidgets as w

    return w.HTML(header_html(key, manifest or results()))


def figure_output(fig):
    """A figure in an Output widget, as a plotly mime bundle."""
    import ipywidgets as w

    out = w.Output()
    redraw_output(out, fig)
    return out


def redraw_output(out, fig) -> None:
    """Replace the figure shown in ``out``."""
    import json

    from IPython.display import display

    spec = json.loads(fig.to_json()) if hasattr(fig, "to_json") else fig
    out.clear_output(wait=True)
    with out:
        display(plotly_bundle(spec), raw=True)


@cache
def names() -> dict[str, str]:
    return results()["names"]
