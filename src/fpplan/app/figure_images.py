"""Figures as SVG images, drawn once per data version so that a page can show them without any JavaScript.

The leader's overview is the page everyone opens at once; drawing its figures with plotly.js in each visitor's
browser costs about a CPU-second per visit (benchmarks/README.md). Here plotly.js itself draws them, once, in
headless chromium (kaleido), with the template's vendored plotly.js-basic and no MathJax: the same figure the page
would draw, nothing fetched from outside the machine. Where chromium (or kaleido) is missing, no images are made
and the page draws the figures in the browser as before.
"""

from __future__ import annotations

import asyncio
import logging
import re
from pathlib import Path

from fpplan.app.printing import CHROMIUM, NO_PROXY

WIDTH = 1280  # px the SVG is drawn at; it scales to the page's width (viewBox)
TIMEOUT_SECONDS = 60

log = logging.getLogger(__name__)


PHONE_WIDTH = 400  # px the phone's copy is drawn at: its text stays legible on a 375-px screen


def svg_images(specs: dict[str, dict], width: int = WIDTH) -> dict[str, str]:
    """``{name: svg}`` for each figure (plotly JSON with ``data`` and ``layout``; its layout's height is kept), or
    ``{}`` where they cannot be drawn here (the reason is logged; pages then draw the figures themselves)."""
    return svg_image_sets(specs, (width,)).get(width, {})


def svg_image_sets(specs: dict[str, dict], widths: tuple[int, ...] = (WIDTH, PHONE_WIDTH)) -> dict[int, dict[str, str]]:
    """``{width: {name: svg}}``: every figure drawn at each width in one browser session (the phone's copy keeps
    the figure's height), or ``{}`` where they cannot be drawn here."""
    drawn = svg_figures({(width, name): (spec, width) for width in widths for name, spec in specs.items()})
    return {width: {name: drawn[width, name] for name in specs} for width in widths} if drawn else {}


def svg_image_sets_soon(specs: dict[str, dict], widths: tuple[int, ...] = (WIDTH, PHONE_WIDTH)):
    """:func:`svg_image_sets` begun in a thread of its own: a Future whose ``result()`` is what it returns. The
    caller goes on computing while chromium draws (most of a drawing is waiting for the browser: a county's
    results write their other tables meanwhile, instead of leaving the core idle)."""
    from concurrent.futures import ThreadPoolExecutor

    pool = ThreadPoolExecutor(1, thread_name_prefix="fpplan-figure-images")
    try:
        return pool.submit(svg_image_sets, specs, widths)
    finally:
        pool.shutdown(wait=False)  # the thread ends with its one task


def svg_figures(figures: dict) -> dict:
    """``{key: svg}`` for ``{key: (spec, width)}``: each figure (plotly JSON; its layout's height kept) drawn at its
    own width, all in one browser session, or ``{}`` where they cannot be drawn here (the reason is logged)."""
    if not figures:
        return {}
    try:
        import kaleido
    except ImportError:
        log.info("kaleido is not installed: figures are drawn in the browser")
        return {}
    if not Path(CHROMIUM).exists():
        log.info("chromium is not installed (%s): figures are drawn in the browser", CHROMIUM)
        return {}

    async def calc(renderer) -> list[bytes]:
        return [
            await renderer.calc_fig(
                spec, opts={"format": "svg", "width": width, "height": spec.get("layout", {}).get("height") or 400}
            )
            for spec, width in figures.values()
        ]

    async def draw() -> list[bytes]:
        async with _renderer(kaleido) as renderer:
            return await calc(renderer)

    from kaleido.errors import JavascriptError, KaleidoError

    try:
        images = iter(_draw_kept(kaleido, calc) if _KEPT.get("on") else _run(draw()))
    except (RuntimeError, OSError, TimeoutError, KaleidoError, JavascriptError) as error:  # browser failed or hung
        log.warning("figures not drawn as images (%s: %s): they are drawn in the browser", type(error).__name__, error)
        return {}
    return {key: responsive(next(images).decode("utf-8")) for key in figures}


RELOAD_EVERY = 16  # figures drawn in a tab before kaleido reloads it (plotly.js parsed again)


def _renderer(kaleido):
    """Headless chromium with the template's plotly.js-cartesian (the traces of plotly.js-basic and heatmaps: the
    same plotly.js 4.1.1, so the same drawing of a scatter or a bar), its tab reloaded every ``RELOAD_EVERY``
    figures rather than after each (kaleido's own way: a county's eight figures then cost 0.1 CPU-s of chromium,
    not 0.6; a region's worker keeping the renderer open still starts afresh now and then)."""
    from fpplan.data.shipped import plotly_cartesian

    class Renderer(kaleido.Kaleido):
        drawn = 0

        async def _return_kaleido_tab(self, tab) -> None:
            self.drawn += 1
            if self.drawn % RELOAD_EVERY:
                await self.tabs_ready.put(tab)  # the page keeps plotly.js for the next figure
            else:
                await super()._return_kaleido_tab(tab)

    return Renderer(
        n=1,
        timeout=TIMEOUT_SECONDS,
        plotlyjs=str(plotly_cartesian()),
        mathjax=False,
        path=CHROMIUM,
        proxy_server=NO_PROXY,
    )


_KEPT: dict = {}  # this process's open renderer and the event loop (in a thread of its own) it runs in


def keep_renderer_open() -> None:
    """Keep one headless chromium open for the rest of this process instead of one per call: a region's worker
    processes draw many counties' figures (``fpplan.app.region_results``); starting chromium costs ~2 s each time."""
    _KEPT["on"] = True


def close_renderer() -> None:
    """Close the renderer kept open (``keep_renderer_open``) and its event loop, and draw with a chromium per call
    again: for a process that goes on after its drawing (a test run) rather than exiting with the browser."""
    if "renderer" in _KEPT:
        asyncio.run_coroutine_threadsafe(_KEPT["renderer"].close(), _KEPT["loop"]).result(30)
    if "loop" in _KEPT:
        _KEPT["loop"].call_soon_threadsafe(_KEPT["loop"].stop)
    _KEPT.clear()


def _draw_kept(kaleido, calc) -> list[bytes]:
    """``calc(renderer)`` on the renderer kept open (opened at first use; dropped, to be opened again, if it fails)."""
    import threading

    if "loop" not in _KEPT:
        loop = asyncio.new_event_loop()
        threading.Thread(target=loop.run_forever, daemon=True, name="fpplan-figure-images").start()
        _KEPT["loop"] = loop

    async def run() -> list[bytes]:
        if "renderer" not in _KEPT:
            renderer = _renderer(kaleido)
            await renderer.open()
            _KEPT["renderer"] = renderer
        try:
            return await asyncio.wait_for(calc(_KEPT["renderer"]), TIMEOUT_SECONDS)
        except BaseException:
            renderer = _KEPT.pop("renderer")
            try:
                await asyncio.wait_for(renderer.close(), 10)
            except Exception as error:  # noqa: BLE001 — a broken browser is left to exit with this process
                log.info("figure renderer not closed (%s)", error)
            raise

    return asyncio.run_coroutine_threadsafe(run(), _KEPT["loop"]).result()


def responsive(svg: str) -> str:
    """The SVG scaled to its container's width (its viewBox keeps the proportions), instead of a fixed size."""
    return re.sub(r'^<svg([^>]*?) width="[\d.]+" height="[\d.]+"', r'<svg\1 width="100%"', svg, count=1)


def _run(coroutine):
    """Run ``coroutine`` to the end, also from code that already runs in an event loop (a notebook's kernel)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()
