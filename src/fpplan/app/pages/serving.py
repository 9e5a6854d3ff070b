"""Pages answered from what the results hold, before (or instead of) any kernel: Voila's ``prelaunch_hook``.

Voila calls the hook for every page it renders for a visitor, before it starts the page's kernel
(``VoilaConfiguration.prelaunch_hook``, set by ``with_pages`` when ``fpplan.server.voila_app`` starts). Voila refuses
the hook in its configuration beside a preheated pool (``serve --pool N``: the pool's pages do not pass through
it); here a pooled page is simply rendered by its kernel, so the hook is set once the pool is configured. For a
dashboard whose notebook names
its page (metadata ``fpplan.page``) and whose results are up to date:

- a page without controls that need a kernel (``static``: 领导总览, 地区总览, 建设规划, 督导与考核, 技术人员月考, and
  服务半径与选址 of a county without coordinates) is answered at once with the page the results hold: no kernel is
  started, no front end is loaded;
- a page with live controls (``live``: 情景分析, 乡镇指标, 服务半径与选址) gets its figures and tables into the notebook's
  metadata (``fpplan.static_html``), which the fpplan template writes into the page before it waits for the kernel:
  the visitor sees them while the kernel starts; its widgets then adopt them (``panels.live_figure``).

Where the results are missing or older than the data (files changed behind the server's back), the notebook runs
as before: its kernel brings the results up to date (once, under a lock) and shows the page itself. A region's
county pages show the county their address names (``?county=``), as their kernels would.
"""

from __future__ import annotations

import logging
from html import escape
from pathlib import Path
from urllib.parse import parse_qs

log = logging.getLogger(__name__)

DOCUMENT = (
    "<!DOCTYPE html><html lang='zh'><head><meta charset='utf-8'>"
    "<meta name='viewport' content='width=device-width, initial-scale=1'><title>{title}</title>"
    "<link rel='icon' href='data:;base64,='><style>body{{margin:0;background:#fff;color:#000}}"
    ".fpplan-static{{font-family:'Noto Sans CJK SC','Microsoft YaHei',sans-serif;padding:8px 16px}}</style>"
    "</head><body><div class='fpplan-static'>{body}</div></body></html>"
)


def document(title: str, body: str) -> str:
    """A static page as a whole HTML document (no script file, no style sheet: everything is in ``body``)."""
    return DOCUMENT.format(title=escape(title), body=body)


def county_folder(query: str) -> Path:
    """The county a request is for: the served county, or in a region the one its address names."""
    from fpplan.app.panels.common import data_path, region_mode

    if region_mode():
        from fpplan.app.region_results import county_folder as of_region

        return of_region(data_path(), (parse_qs(query).get("county") or [None])[0])
    return data_path()


def fresh_manifest(folder: Path) -> dict | None:
    """The county's results in use, or None when there are none or the data changed since (the kernel then
    recomputes them)."""
    from fpplan.app import results
    from fpplan.app.panels.common import store_path

    manifest = results.current(folder)
    if manifest is None or results.is_stale(folder, manifest, store_path()):
        return None
    return manifest


def page(key: str, query: str = "") -> tuple[str, str, str] | None:
    """(kind, title's label key, HTML) of page ``key`` for a request with this query string, from the results in use; None when they
    are missing or stale, or the page was not rendered ahead."""
    from fpplan.app.panels.common import data_path

    if key == "region":
        from fpplan.app import region_results
        from fpplan.app.panels.region import page_html

        summary = region_results.current(data_path())
        if summary is None or region_results.is_stale(data_path(), summary):
            return None
        return "static", "app_region", page_html(summary)
    manifest = fresh_manifest(county_folder(query))
    if manifest is None:
        return None
    if key == "overview":
        from fpplan.app.panels.overview import page_html

        return "static", "app_overview", page_html(manifest)
    from fpplan.app.pages.store import read_page

    return read_page(manifest, key)


def prelaunch(handler, notebook, cwd: str):
    """Voila's prelaunch hook (see the module's docstring): a static page answered here (``tornado.web.Finish``),
    a live page's figures put into its notebook for the template; anything else untouched."""
    from tornado import web

    meta = notebook.metadata.get("fpplan") or {}
    key = meta.get("page")
    if not key:
        return notebook
    try:
        found = page(key, handler.request.query if handler is not None else "")
    except Exception:  # a page the results cannot give is rendered by its kernel, as before
        log.exception("page %s not answered from the results: its kernel renders it", key)
        return notebook
    if found is None:
        return notebook
    kind, title, html = found
    if kind == "static":
        from fpplan.data.labels import ui

        raise web.Finish(document(ui(title), html))
    notebook.metadata["fpplan"]["static_html"] = html
    return notebook


def with_pages(init_handlers):
    """Voila's ``init_handlers`` with the hook set first (after Voila's own checks; see the module's docstring)."""

    def handlers(self) -> list:
        self.voila_configuration.prelaunch_hook = prelaunch
        return init_handlers(self)

    return handlers
