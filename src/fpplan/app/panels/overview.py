"""领导总览: the leader's overview, drawn from the document computed once per data version
(``fpplan.app.overview_content``): cards, the first station to fall short, two figures. The kernel imports
neither pandas nor plotly: it reads JSON and hands the page HTML and plotly mime bundles (inside an Output widget:
Voila's page fails on a plotly bundle at the top level, "r.setData is not a function")."""

from __future__ import annotations

from fpplan.app import results as results_module
from fpplan.app.panels.common import CARD, header_html, plotly_bundle, results


def overview() -> None:
    from IPython.display import HTML, display

    manifest = results()
    doc = results_module.document(manifest, "overview")
    cards = "".join(CARD.format(title=c["title"], value=c["value"], colour=c["colour"]) for c in doc["cards"])
    note = f"<p id='fpplan-first-short' style='font-size:15px'>{doc['note']}</p>" if doc["note"] else ""
    display(HTML(header_html("app_overview", manifest) + f"<div id='fpplan-cards'>{cards}</div>" + note))
    import ipywidgets as w

    out = w.Output()
    with out:
        for spec in doc["figures"].values():
            display(plotly_bundle(spec), raw=True)
    display(out)
