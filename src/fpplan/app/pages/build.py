"""Render every page ahead for one data version: ``ensure_pages(workspace)`` brings the results up to date
(``fpplan.app.results.ensure_results``) and keeps the pages with them, under ``<version>/pages/``.

The results do not call this module (the pages are built from the panels, which read the results): what serves or
refreshes the dashboards calls ``ensure_pages`` — ``fpplan serve``, the commands that import data, the 数据导入
page. Results computed otherwise (a page's kernel finding them stale, a region's counties) have no pages until
then, and their pages are rendered by their kernels, as before."""

from __future__ import annotations

import json
import logging
from pathlib import Path

from fpplan.app.pages import Page
from fpplan.app.pages.html import FIGURE_MARK, inert, script, shared_templates
from fpplan.app.pages.store import write_page

log = logging.getLogger(__name__)


def builders() -> dict:
    """Page key → its builder ``(county, manifest) -> Page | None`` (None: the page is not rendered ahead)."""
    from fpplan.app.pages import construction, exams, scenarios, scorecard, spatial, supervision

    return {
        "scenarios": scenarios.build,
        "construction": construction.build,
        "scorecard": scorecard.build,
        "spatial": spatial.build,
        "supervision": supervision.build,
        "exams": exams.build,
    }


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
            # the visitor still gets the page (its kernel shows any error there); the command's user sees no traceback
            log.info("page %s not rendered ahead: its kernel renders it at each visit", key, exc_info=True)
            continue
        if page is not None:
            pages[key] = page
    images = svg_figures(
        {(key, element): figure for key, page in pages.items() for element, figure in page.figures.items()}
    )
    for key, page in pages.items():
        write_page(out, key, page.kind, page.title, _filled(page, {e: images.get((key, e), "") for e in page.figures}))
    return pages


def _filled(page: Page, images: dict[str, str]) -> str:
    """The page's HTML with its figures' images (element id → SVG), their templates once (``html.shared_templates``),
    its hidden sections' content made inert (``html.inert``) and, without a kernel, its one script."""
    html = page.html
    for element in page.figures:
        html = html.replace(FIGURE_MARK.format(element), images.get(element, ""))
    html = inert(shared_templates(html))
    return html + script(page.bundle) if page.kind == "static" else html


def render_page(county, manifest: dict, key: str) -> tuple[str, str] | None:
    """(title's label key, HTML without the header) of one page for results that hold no pages (a region's county:
    what its image is drawn from), its figures drawn; nothing is written. None: the page is not rendered ahead."""
    from fpplan.app.figure_images import svg_figures

    page = builders()[key](county, manifest)
    if page is None:
        return None
    return page.title, _filled(page, svg_figures(page.figures))


DONE = ".complete"  # in pages/: every page of the version written


def ensure_pages(workspace, force: bool = False):
    """The workspace's results brought up to date (``fpplan.app.results.ensure_results``; its ``Outcome`` returned)
    and their pages rendered ahead if the version has none yet (under the results' lock: one process renders them,
    the others wait and find them). A page missing or half-written when a visitor comes is rendered by its kernel."""
    from fpplan.app import results
    from fpplan.app.pages.store import FOLDER

    outcome = results.ensure_results(workspace, force=force)
    folder = Path(outcome.folder)
    if (folder / FOLDER / DONE).exists():
        return outcome
    with results._locked(results.results_root(workspace.folder)):
        if not (folder / FOLDER / DONE).exists() and folder.is_dir():
            manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
            write_pages(workspace.county(sync=False), manifest, folder)
            (folder / FOLDER).mkdir(exist_ok=True)
            (folder / FOLDER / DONE).touch()
    return outcome
