"""Render every page ahead for one data version (called by ``fpplan.app.results.compute``)."""

from __future__ import annotations

import logging
from pathlib import Path

from fpplan.app.pages import Page
from fpplan.app.pages.html import FIGURE_MARK, script
from fpplan.app.pages.store import write_page

log = logging.getLogger(__name__)


def builders() -> dict:
    """Page key → its builder ``(county, manifest) -> Page | None`` (None: the page is not rendered ahead)."""
    from fpplan.app.pages import construction, exams, scenarios, scorecard, spatial, supervision

    return {"scenarios": scenarios.build, "construction": construction.build, "scorecard": scorecard.build,
            "spatial": spatial.build, "supervision": supervision.build, "exams": exams.build}


def write_pages(county, manifest: dict, out: Path) -> dict[str, Page]:
    """Every page for the results being written into ``out`` (``manifest``: theirs), into ``out/pages/``; their
    figures drawn as SVG images in one browser session. A page that cannot be rendered here is left to its kernel
    (rendered at each visit, as before), and the reason logged."""
    from fpplan.app.figure_images import svg_figures

    here = manifest | {"path": str(out)}
    pages: dict[str, Page] = {}
    for key, build in builders().items():
        try:
            page = build(county, here)
        except Exception:  # its kernel still renders it (and shows the error there)
            log.exception("page %s not rendered ahead: its kernel renders it at each visit", key)
            continue
        if page is not None:
            pages[key] = page
    images = svg_figures({(key, element): figure for key, page in pages.items()
                          for element, figure in page.figures.items()})
    for key, page in pages.items():
        html = page.html
        for element in page.figures:
            html = html.replace(FIGURE_MARK.format(element), images.get((key, element), ""))
        if page.kind == "static":
            html += script(page.bundle)
        write_page(out, key, page.kind, page.title, html)
    return pages
