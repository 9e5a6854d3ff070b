"""领导总览: the leader's overview, drawn from the document computed once per data version
(``fpplan.app.overview_content``): cards, the first station to fall short, two figures.

The page is plain HTML: the kernel imports neither pandas, plotly nor ipywidgets, and the figures are drawn in the
browser by the small plotly.js bundle served with the template (``fpplan.app.panels.common.plotly_html``), so they
appear as soon as the page has loaded, without the widget round trip or the 4.8 MB full plotly.js."""

from __future__ import annotations

from html import escape

from fpplan.app import results as results_module
from fpplan.app.panels.common import CARD, PLOTLY_SCRIPT, header_html, plotly_html, results


def overview() -> None:
    from IPython.display import HTML, display

    manifest = results()
    doc = results_module.document(manifest, "overview")
    cards = "".join(CARD.format(title=escape(c["title"]), value=escape(c["value"]), colour=c["colour"]) for c in doc["cards"])
    note = f"<p id='fpplan-first-short' style='font-size:15px'>{escape(doc['note'])}</p>" if doc["note"] else ""
    figures = "".join(plotly_html(f"fpplan-figure-{name}", spec) for name, spec in doc["figures"].items())
    page = header_html("app_overview", manifest) + f"<div id='fpplan-cards'>{cards}</div>" + note + PLOTLY_SCRIPT + figures
    display(HTML(page), metadata={"fpplan_static": True})  # written into the page by the fpplan template
