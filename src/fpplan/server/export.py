"""The leader pages (领导总览, 地区总览, 督导与考核) as an image (PNG) and a PDF, drawn on the server once per data version and
stored with the results (``<results version>/exports/``), so that a leader can pass the page on in a WeChat group.

A static page is the same for every visitor of a data version, so its picture is too: the page's own HTML
(``panels.overview.overview_html``, ``panels.region.region_html``: the same cards, table and SVG figures, without
the links and scripts; 督导与考核 as rendered ahead with the results, ``fpplan.app.pages``, its links hidden and
its scripts left out) is opened in headless chromium (driven over the DevTools protocol by ``choreographer``, the
MIT-licensed driver kaleido is built on), at a phone's width (375 CSS px, drawn at twice the pixels, the mobile
layout) or a desktop's (1280 px), and captured whole; the PDF is chromium's print of it (A4, the pages' print
CSS). Nothing is fetched: the page is a local file, and every request but ``file://`` goes to a dead proxy.

``ExportHandler`` serves them at ``/fpplan/export/overview.png?width=phone|desktop[&county=CODE]``,
``/fpplan/export/region.pdf?by=MEASURE``, ``/fpplan/export/supervision.png?county=CODE`` …, behind the server's login, with ``Content-Disposition: inline`` (a
plain link shows the image; in WeChat's browser a long press saves or forwards it; ``download`` on the link names
the file elsewhere)."""

from __future__ import annotations

import asyncio
import base64
import os
import re
import tempfile
from pathlib import Path
from urllib.parse import quote

from jupyter_server.base.handlers import JupyterHandler
from tornado import web

from fpplan.app.printing import CHROMIUM, NO_PROXY
from fpplan.app.style import FONT

# width name → (CSS px, device pixels per CSS px, mobile layout)
WIDTHS = {"phone": (375, 2, True), "desktop": (1280, 1, False)}
MAX_IMAGE_PX = 16_000  # taller images are drawn at fewer device pixels (chromium's limit is near 16,384)
TIMEOUT_SECONDS = 90
PAGES = ("overview", "region", "supervision")
_locks: dict[Path, asyncio.Lock] = {}


def page_document(body: str, title: str) -> str:
    """A leader page's HTML as a document of its own: the page's fonts and margins (as the template gives them),
    white, nothing to fetch."""
    return (
        f"<!DOCTYPE html><html lang='zh'><head><meta charset='utf-8'><title>{title}</title>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<style>html,body{{margin:0;background:#fff;color:#000;font-family:{FONT}}}"
        ".fpplan-static{padding:8px 16px}a{color:inherit;text-decoration:none}"
        ".fp-back,.fp-toolbar{display:none !important}</style></head>"
        f"<body><div class='fpplan-static'>{body}</div></body></html>"
    )


async def _draw(document: str, width: str | None, pdf: bool) -> bytes:
    """The document as a PNG at ``width`` (one of WIDTHS) or as a PDF, by headless chromium."""
    import choreographer

    with tempfile.TemporaryDirectory(prefix="fpplan-export-") as tmp:
        page = Path(tmp) / "page.html"
        page.write_text(document, encoding="utf-8")
        async with choreographer.Browser(path=CHROMIUM, headless=True, proxy_server=NO_PROXY) as browser:
            tab = await browser.create_tab("about:blank")
            css_px, scale, mobile = WIDTHS[width or "desktop"]
            await tab.send_command(
                "Emulation.setDeviceMetricsOverride",
                params={"width": css_px, "height": 200, "deviceScaleFactor": scale, "mobile": mobile},
            )
            await tab.send_command("Page.enable")
            loaded = tab.subscribe_once("Page.loadEventFired")
            await tab.send_command("Page.navigate", params={"url": page.as_uri()})
            await loaded
            if pdf:
                await tab.send_command("Emulation.clearDeviceMetricsOverride")
                reply = await tab.send_command(
                    "Page.printToPDF", params={"printBackground": True, "preferCSSPageSize": True}
                )
                return base64.b64decode(reply["result"]["data"])
            metrics = await tab.send_command("Page.getLayoutMetrics")
            height = int(metrics["result"]["cssContentSize"]["height"]) + 1
            shown = min(float(scale), MAX_IMAGE_PX / height)
            reply = await tab.send_command(
                "Page.captureScreenshot",
                params={
                    "format": "png",
                    "captureBeyondViewport": True,
                    "fromSurface": True,
                    "clip": {"x": 0, "y": 0, "width": css_px, "height": height, "scale": shown / scale},
                },
            )
            return base64.b64decode(reply["result"]["data"])


async def export(document: str, target: Path, width: str | None = None) -> Path:
    """``target`` (.png at ``width``, or .pdf) drawn from ``document`` unless it is there already (one drawing at a
    time per file; written aside and renamed)."""
    lock = _locks.setdefault(target, asyncio.Lock())
    async with lock:
        if not target.exists():
            data = await asyncio.wait_for(_draw(document, width, target.suffix == ".pdf"), TIMEOUT_SECONDS)
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = target.with_name(f".{target.name}.{os.getpid()}")
            tmp.write_bytes(data)
            os.replace(tmp, target)
    return target


def export_sync(document: str, target: Path, width: str | None = None) -> Path:
    """``export`` from code that is not in an event loop (commands, tests)."""
    from fpplan.app.figure_images import _run

    return _run(export(document, target, width))


# --- the pages ----------------------------------------------------------------------------------------------------


def overview_page(county_folder: Path) -> tuple[str, Path, str]:
    """(document, folder of its exports, file stem) of a county's 领导总览 as its results stand."""
    from fpplan.app import results
    from fpplan.app.panels.overview import file_stem, overview_html

    manifest = results.current(county_folder)
    doc = results.document(manifest, "overview")
    stem = file_stem(manifest)
    return page_document(overview_html(manifest, doc), stem), Path(manifest["path"]) / "exports", stem


def region_page(region_folder: Path, by: str | None) -> tuple[str, Path, str, str]:
    """(document, folder of its exports, file stem, measure) of the region's 地区总览 ranked by ``by``."""
    from fpplan.app import region_results
    from fpplan.app.panels.region import file_stem, region_html

    summary = region_results.current(region_folder)
    doc = region_results.document(summary, "overview")
    by = by if by in doc["rankings"] else summary["measures"][0]
    stem = file_stem(summary)
    return (
        page_document(region_html(summary, doc, by, links=False), stem),
        Path(summary["path"]) / "exports",
        stem,
        by,
    )


def supervision_page(county_folder: Path, store: Path | None = None) -> tuple[str, Path, str]:
    """(document, folder of its exports, file stem) of a county's 督导与考核 as its results stand: the page kept
    with the results (``fpplan.app.pages``), or, for results that keep no pages (a region's county), the page
    rendered here (its figure drawn; nothing written)."""
    from fpplan.app import results
    from fpplan.app.pages.store import HEADER_MARK, read_page
    from fpplan.app.panels.common import header_html
    from fpplan.app.panels.supervision import file_stem

    manifest = results.current(county_folder)
    found = read_page(manifest, "supervision")
    if found is None:
        from fpplan.app.pages.build import render_page
        from fpplan.data.workspace import Workspace

        title, html = render_page(Workspace(county_folder, store).county(sync=False), manifest, "supervision")
        html = html.replace(HEADER_MARK, header_html(title, manifest))
    else:
        html = found[2]
    stem = file_stem(manifest)
    return page_document(_SCRIPT.sub("", html), stem), Path(manifest["path"]) / "exports", stem


_SCRIPT = re.compile(
    r"<script\b[^>]*>.*?</script>", re.DOTALL
)  # a page's scripts (its figures' specifications among them)


def _fresh(page: str, county: str | None) -> Path:
    """The folder whose results the page shows, its results brought up to date first (as a page's visit does)."""
    from fpplan.app import region_results, results
    from fpplan.app.panels.common import data_path, region_mode, store_path

    data = data_path()
    if page == "region":
        if region_results.is_stale(data, region_results.current(data)):
            region_results.ensure_region_results(data)
        return data
    folder = region_results.county_folder(data, county) if region_mode() else data
    store = None if region_mode() else store_path()
    if results.is_stale(folder, results.current(folder), store):
        from fpplan.data.workspace import Workspace

        if page == "supervision" and not region_mode():  # the page is kept with the results, as serving does
            from fpplan.app.pages.build import ensure_pages

            ensure_pages(Workspace(folder, store))
        else:
            results.ensure_results(Workspace(folder, store))
    return folder


class ExportHandler(JupyterHandler):
    """``GET /fpplan/export/(overview|region|supervision).(png|pdf)``: the page's image or PDF (see the module docstring),
    behind the same login as the pages (a token off loopback)."""

    @web.authenticated
    async def get(self, page: str, fmt: str) -> None:
        from fpplan.app.panels.common import region_mode

        width = self.get_argument("width", "phone")
        if (
            page not in PAGES
            or fmt not in ("png", "pdf")
            or width not in WIDTHS
            or (page == "region" and not region_mode())
        ):
            raise web.HTTPError(404)
        county, by = self.get_argument("county", None), self.get_argument("by", None)
        folder = await asyncio.get_running_loop().run_in_executor(None, _fresh, page, county)
        if page == "region":
            document, exports, stem, by = region_page(folder, by)
            name = f"region_{by}"
        elif page == "supervision":
            from fpplan.app.panels.common import store_path

            store = None if region_mode() else store_path()
            document, exports, stem = await asyncio.get_running_loop().run_in_executor(
                None, supervision_page, folder, store
            )
            name = "supervision"
        else:
            document, exports, stem = overview_page(folder)
            name = "overview"
        target = exports / (f"{name}_{width}.png" if fmt == "png" else f"{name}.pdf")
        path = await export(document, target, width if fmt == "png" else None)
        self.set_header("Content-Type", "image/png" if fmt == "png" else "application/pdf")
        self.set_header("Content-Disposition", f"inline; filename*=UTF-8''{quote(stem)}.{fmt}")
        self.set_header("Cache-Control", "no-cache")
        self.finish(path.read_bytes())
