"""领导总览: the leader's overview, drawn from the document computed once per data version
(``fpplan.app.overview_content``): cards, the first station to fall short, two figures.

The page is plain HTML: the kernel imports neither pandas, plotly nor ipywidgets. The figures arrive as SVG images
drawn once per data version (``fpplan.app.figure_images``), so the page needs no JavaScript to show them; they
become interactive (plotly.js-basic, served with the template) when the pointer first reaches them. Without images
(no chromium where the results were computed) the browser draws them on load."""

from __future__ import annotations

from html import escape

from fpplan.app import results as results_module
from fpplan.app.panels.common import CARD, STATIC_FIGURES_SCRIPT, header_html, results, static_figure_html


def overview() -> None:
    from IPython.display import HTML, display

    manifest = results()
    doc = results_module.document(manifest, "overview")
    cards = "".join(CARD.format(title=escape(c["title"]), value=escape(c["value"]), colour=c["colour"]) for c in doc["cards"])
    note = f"<p id='fpplan-first-short' style='font-size:15px'>{escape(doc['note'])}</p>" if doc["note"] else ""
    images = doc.get("images", {})
    figures = "".join(static_figure_html(f"fpplan-figure-{name}", spec, images.get(name))
                      for name, spec in doc["figures"].items())
    page = (header_html("app_overview", manifest) + f"<div id='fpplan-cards'>{cards}</div>" + note + figures
            + STATIC_FIGURES_SCRIPT)
    display(HTML(page), metadata={"fpplan_static": True})  # written into the page by the fpplan template
