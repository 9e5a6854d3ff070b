"""领导总览: the leader's overview, drawn from the document computed once per data version
(``fpplan.app.overview_content``): cards, the first station to fall short, two figures; "保存为图片" and "打印/PDF"
(``fpplan.app.panels.leader``).

The page is plain HTML: the kernel imports neither pandas, plotly nor ipywidgets. The figures arrive as SVG images
drawn once per data version (``fpplan.app.figure_images``), at a desktop and at a phone's width, so the page needs
no JavaScript to show them; they become interactive (plotly.js-basic, served with the template) when the pointer
first reaches them. Without images (no chromium where the results were computed) the browser draws them on load.
``overview_html`` is also what the page's image and PDF are made of (``fpplan.server.export``)."""

from __future__ import annotations

from html import escape

from fpplan.app import results as results_module
from fpplan.app.panels import leader
from fpplan.app.panels.common import STATIC_FIGURES_SCRIPT, header_html, region_mode, results
from fpplan.data.labels import month_text, ui


def file_stem(manifest: dict) -> str:
    """The image's and PDF's file name: county, page, data as of."""
    month = (manifest.get("data_as_of") or {}).get("last_month")
    return ui("leader_file_overview", county=manifest["county"]["name"], as_of=month_text(month) if month else "")


def overview_html(manifest: dict, doc: dict, toolbar: str = "") -> str:
    """The page as HTML (the layout CSS included; no script but the figures' specifications)."""
    note = f"<p id='fpplan-first-short' style='font-size:15px'>{escape(doc['note'])}</p>" if doc["note"] else ""
    images, phone = doc.get("images", {}), doc.get("images_phone", {})
    figures = "".join(
        leader.figure_html(f"fpplan-figure-{name}", spec, images.get(name), phone.get(name))
        for name, spec in doc["figures"].items()
    )
    return (
        leader.CSS
        + "<div class='fp-leader'>"
        + header_html("app_overview", manifest)
        + toolbar
        + leader.cards_html(doc["cards"])
        + note
        + figures
        + "</div>"
    )


def page_html(manifest: dict) -> str:
    """The page as a visitor gets it: the overview with its links and its one script."""
    doc = results_module.document(manifest, "overview")
    query = {"county": manifest["county"]["code"] if region_mode() else None, "v": manifest["version"][:12]}
    toolbar = leader.toolbar_html("overview", query, file_stem(manifest))
    return overview_html(manifest, doc, toolbar) + STATIC_FIGURES_SCRIPT


def overview() -> None:
    """The page from its kernel (when the server could not answer it from the results: fpplan.app.pages.serving)."""
    from IPython.display import HTML, display

    display(HTML(page_html(results())), metadata={"fpplan_static": True})  # written into the page by the template
