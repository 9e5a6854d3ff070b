"""Every dashboard in a real browser (Debian chromium, Playwright): first figure and control → redraw, page by page.

    .venv/bin/python benchmarks/bench_pages.py --data FOLDER [--pages 情景分析,建设规划] [--visits 5] [--bursts 1]

Serves FOLDER (a county, or a region: then 地区总览 and the county pages of its first county) with
``fpplan.server.serve`` (its results computed before the clock starts; compute them first for a fair start), then for
each page:
- one visitor: request → first figure drawn (an SVG image or a plotly.js figure; median of ``--visits`` fresh
  browser contexts, one after another);
- eight at once (``--bursts`` bursts of eight fresh contexts, ``--pause`` seconds apart): the eight visitors'
  browsers are opened first (a leader's phone is on before the link is pressed), then the eight requests go at
  once; each one's request → first figure as Playwright sees it, and as each page records it: the first frame after
  its first figure was in the document (``FIGURE_PAINTED``), timed from the moment the request was made (the page's
  ``performance.timeOrigin`` against this process's clock: a navigation the browser starts late counts) and from its
  navigation start; and its first contentful paint. Playwright's own polling of eight pages lags what the page shows
  by up to seconds on a loaded machine. With
  ``--cold-browsers`` each visitor's context is opened inside the burst, as bench_dashboards.py does (the eight
  contexts' own start-up, ~1.1–1.3 CPU-s each in chromium, then shares the two cores with the pages timed);
  server + kernels memory (RSS) at its peak during the burst;
- each control: the control moved (a key press on a slider, a choice in a list) → the figure it changes redrawn
  in the page (timed in the page: from just before the input to the first frame after the figure's DOM changed),
  ``--presses`` times, alternating directions;
- the load average (1 minute) before and after each page's measurements (the machine is shared).
Targets (issue 27): first figure < 1 s for one visitor and < 3 s each for eight at once; redraw < 150 ms.
Nothing leaves the machine: every host but loopback resolves to nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

from playwright.async_api import async_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_dashboards import ARGS, CHROMIUM, HANG_SECONDS, server_rss_mb, start_server

FIGURE = ".fpplan-figure svg.main-svg, .js-plotly-plot .main-svg"  # an SVG image or a figure drawn by plotly.js
# the first content of a page: a figure, or (服务半径与选址 of a county without coordinates, which has none) its year,
# or the notice that the county keeps no such records (督导与考核, 技术人员月考 of a county without them)
FIRST = FIGURE + ", [data-fp-section='seat-year']:not([hidden]) div, [data-fp-empty]"
ROOTS = ".fpplan-figure, .js-plotly-plot:not(.fpplan-figure)"  # one element a figure, in the page's order
# The signature of the page's i-th visible figure: its paths, fills, texts and images (a redraw changes at least one;
# a choice that shows another prepared figure changes which one is visible).
SIGNATURE = (
    """(i) => { const el = [...document.querySelectorAll('ROOTS')].filter(e => e.offsetParent !== null)[i];
  if (!el) return null;
  let h = 0, n = 0; const add = s => { for (let k = 0; k < s.length; k++) { h = (h * 31 + s.charCodeAt(k)) | 0; } n += s.length; };
  el.querySelectorAll('path, text, image, rect').forEach(p => { add(p.getAttribute('d') || ''); add(p.getAttribute('style') || '');
    add(p.textContent || ''); add(String((p.getAttribute('href') || '').length)); });
  return n + ':' + h; }"""
).replace("ROOTS", ROOTS)
# Resolves at the figure's first change (ms from the press, in the page); its later changes (a band that follows
# the line) go on being noted in window.__fpplanLast: the figure's last change, read before the next press.
WATCH = (
    """([i, before]) => new Promise(done => {
  const sig = SIGNATURE;
  let last = before, first = true;
  window.__fpplanLast = -1;
  const check = () => { const now = sig(i); if (now === last) return; last = now;
    requestAnimationFrame(() => setTimeout(() => { const t = performance.now() - window.__fpplanT0;
      window.__fpplanLast = t; if (first) { first = false; done(t); } }, 0)); };
  const observer = new MutationObserver(check);
  observer.observe(document.body, {subtree: true, childList: true, attributes: true, characterData: true});
  window.__fpplanStop = () => observer.disconnect();
  window.__fpplanWatching = true;
  setTimeout(() => { if (first) { first = false; observer.disconnect(); done(-1); } }, 20000); })"""
).replace("SIGNATURE", SIGNATURE)


def server_pss_mb(proc) -> float:
    """Proportional memory of the server and its kernels (MB): shared pages (numpy's, numba's and pyarrow's libraries
    every kernel maps) counted once in all, unlike the sum of RSS."""
    import psutil

    try:
        root = psutil.Process(proc.pid)
        return sum(p.memory_full_info().pss for p in [root, *root.children(recursive=True)]) / 2**20
    except psutil.Error:
        return float("nan")


@dataclass
class Control:
    """A control of a page: how to move it (forward, back) and which figure (index among the page's figures) it
    redraws."""

    name: str
    kind: str  # "key": a slider's handle focused, then ArrowRight/ArrowLeft; "select": a list's option chosen
    selector: str  # the slider handle or the <select>
    figure: int
    nth: int = 0


# Every page's controls (the pages' own elements; ipywidgets sliders and lists or the static pages' plain ones).
CONTROLS = {
    "情景分析": [
        Control("TFR 2035 slider → population figure", "key", ".widget-slider .noUi-handle", 0, 0),
        Control("female e0 slider → population figure", "key", ".widget-slider .noUi-handle", 0, 1),
        Control("completion shift → floor-area figure", "key", ".widget-slider .noUi-handle", 3, 5),
    ],
    "建设规划": [Control("station → capacity figure", "select", "#fpplan-station, .widget-dropdown select", 1, 0)],
    "乡镇指标": [
        Control("period → heatmap", "select", ".widget-dropdown select", 0, 1),
        Control("target set → heatmap", "select", ".widget-dropdown select", 0, 2),
        Control("period kind → heatmap", "select", ".widget-dropdown select", 0, 0),
        Control("township → trend", "select", ".widget-dropdown select", 1, 3),
    ],
    "服务半径与选址": [
        Control("new sites slider → map", "key", ".widget-slider .noUi-handle", 0, 1),
        Control("year slider → map", "key", ".widget-slider .noUi-handle", 0, 2),
        Control("travel time slider → map", "key", ".widget-slider .noUi-handle", 0, 0),
    ],
    "技术人员月考": [Control("year → monthly figure", "select", "#fpplan-exam-year, .widget-dropdown select", 0, 0)],
}
SETTLED = ", settled"  # a control's last redraw of its figure (bench_pages.redraws)
COUNTY_PAGES = ["领导总览", "情景分析", "建设规划", "乡镇指标", "服务半径与选址", "督导与考核", "技术人员月考"]


def page_url(url: str, name: str, query: str = "") -> str:
    return f"{url}/voila/render/{urllib.parse.quote(name)}.ipynb" + (f"?{query}" if query else "")


async def open_visitor(browser):
    """A visitor's browser open on a blank page, the figure's paint recorded in every page it opens."""
    context = await browser.new_context(viewport={"width": 1400, "height": 1000})
    await context.add_init_script(FIGURE_PAINTED)
    return await context.new_page()


async def first_figure(browser, address: str, paints: list | None = None, page=None) -> float:
    """Seconds from the request to the first figure drawn, as Playwright sees it, in a fresh context (``page``: one
    opened before; inf: none within the hang limit). ``paints`` gets what the page itself records, in seconds: (its
    first figure painted, from the moment the request was made — the page's clock, ``performance.timeOrigin``,
    against this process's; the same from the page's navigation start; its first contentful paint from there). On a
    loaded machine Playwright sees the figure up to seconds later than the page paints it."""
    page = page or await open_visitor(browser)
    start, asked = time.perf_counter(), time.time()
    try:
        await page.goto(address, timeout=HANG_SECONDS * 1000, wait_until="commit")
        await page.wait_for_selector(FIRST, timeout=HANG_SECONDS * 1000)
        seconds = time.perf_counter() - start
        if paints is not None:
            await page.wait_for_function("() => window.__fpplanFigurePainted !== undefined", timeout=10_000)
            origin, figure, paint = await page.evaluate(
                f"() => [performance.timeOrigin, window.__fpplanFigurePainted, ({FIRST_PAINT})()]"
            )
            from_request = (origin + figure) / 1000 - asked
            paints.append((from_request, *(t / 1000 if t is not None else float("nan") for t in (figure, paint))))
        return seconds
    except Exception:  # noqa: BLE001 — a hang or an error page: no figure
        if paints is not None:
            paints.append((float("inf"),) * 3)
        return float("inf")
    finally:
        await page.context.close()


# In every page a visitor opens: the time (ms from its navigation start) of the first frame after the page's first
# figure (FIRST) was in the document — what the visitor sees, without Playwright's polling.
FIGURE_PAINTED = (
    """(() => { const seen = () => { if (!document.querySelector(FIRST)) return false;
  requestAnimationFrame(() => setTimeout(() => { window.__fpplanFigurePainted = performance.now(); }, 0)); return true; };
  const observer = new MutationObserver(() => { if (seen()) observer.disconnect(); });
  observer.observe(document, {subtree: true, childList: true, attributes: true}); })();"""
).replace("FIRST", json.dumps(FIRST))

FIRST_PAINT = (
    "() => { const p = performance.getEntriesByName('first-contentful-paint')[0]; return p ? p.startTime : null; }"
)


async def move(page, control: Control, forward: bool) -> None:
    target = page.locator(control.selector).nth(control.nth)
    if control.kind == "key":
        await target.focus()
        await page.evaluate("window.__fpplanT0 = performance.now()")
        await page.keyboard.press("ArrowRight" if forward else "ArrowLeft")
    else:
        count = await target.locator("option").count()
        index = await target.evaluate("s => s.selectedIndex")
        await page.evaluate("window.__fpplanT0 = performance.now()")
        await target.select_option(index=(index + 1) % count if forward else (index - 1) % count)


async def redraws(browser, address: str, controls: list[Control], presses: int) -> dict[str, list[float]]:
    """Control → figure redrawn (ms, in the page) for each control, ``presses`` times each; and (under the
    control's name + SETTLED) its last change within the 1.5 s after the press (the explorer's band after its
    line)."""
    context = await browser.new_context(viewport={"width": 1400, "height": 1000})
    page = await context.new_page()
    await page.goto(address, timeout=120_000)
    await page.wait_for_selector(FIRST, timeout=120_000)
    out = {}
    for control in controls:
        try:
            await page.locator(control.selector).nth(control.nth).wait_for(timeout=60_000)
        except Exception:  # noqa: BLE001
            out[control.name] = []
            continue
        if (
            control.kind == "select"
            and await page.locator(control.selector).nth(control.nth).locator("option").count() < 2
        ):
            out[control.name] = []  # one choice only (e.g. one year of exams): nothing to redraw
            continue
        await page.wait_for_timeout(3000)  # the page settles (widgets attached, warm-up done)
        times, settled = [], []
        for k in range(presses):
            before = await page.evaluate(f"({SIGNATURE})({control.figure})")
            watch = asyncio.ensure_future(page.evaluate(WATCH, [control.figure, before]))
            await page.wait_for_function("() => window.__fpplanWatching")
            await page.evaluate("window.__fpplanWatching = false")
            await move(page, control, forward=k % 2 == 0)
            times.append(await watch)
            await page.wait_for_timeout(1500)  # whatever follows the first figure settles
            settled.append(await page.evaluate("() => { window.__fpplanStop(); return window.__fpplanLast; }"))
        out[control.name] = times
        if any(s > t + 1 for s, t in zip(settled, times)):  # the figure changed again after its first redraw
            out[control.name + SETTLED] = settled
    await context.close()
    return out


async def measure(url: str, proc, pages: list[tuple[str, str]], args) -> list[dict]:
    rows = []
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        for name, query in pages:
            address = page_url(url, name, query)
            row = {"page": name, "load_before": os.getloadavg()[0]}
            await first_figure(browser, address)  # warm-up: templates, the OS's file cache
            ones = []
            for _ in range(args.visits):
                ones.append(await first_figure(browser, address))
                await asyncio.sleep(1)
            row["one"] = ones
            bursts, peak, peak_pss, paints = [], 0.0, 0.0, []
            for _ in range(args.bursts):
                await asyncio.sleep(args.pause)  # pools refill, kernels of the last visits settle
                if args.cold_browsers:
                    visitors = [None] * 8
                else:  # the eight visitors' browsers are open before they press the link
                    visitors = await asyncio.gather(*(open_visitor(browser) for _ in range(8)))
                    await asyncio.sleep(1)
                tasks = [asyncio.create_task(first_figure(browser, address, paints, v)) for v in visitors]
                while not all(t.done() for t in tasks):
                    peak = max(peak, server_rss_mb(proc))
                    await asyncio.sleep(0.2)
                bursts.append(sorted(t.result() for t in tasks))
                await asyncio.sleep(5)  # the eight pages' kernels have started and built their widgets
                peak_pss = max(peak_pss, server_pss_mb(proc))
            row["eight"], row["rss_peak_mb"], row["pss_after_burst_mb"] = bursts, peak, peak_pss
            row["eight_first_paint"] = (
                paints  # each visitor's (figure painted from the request; from navigation start; FCP)
            )
            if name in CONTROLS and args.presses:
                row["controls"] = await redraws(browser, address, CONTROLS[name], args.presses)
            row["load_after"] = os.getloadavg()[0]
            row["rss_after_mb"] = server_rss_mb(proc)
            rows.append(row)
            print(summary(row), flush=True)
            await asyncio.sleep(args.pause)
        await browser.close()
    return rows


def summary(row: dict) -> str:
    ones = row["one"]
    text = f"{row['page']}: one visitor {statistics.median(ones):.2f} s ({min(ones):.2f}–{max(ones):.2f})"
    for burst in row["eight"]:
        text += f"; eight at once slowest {burst[-1]:.2f} s, median {statistics.median(burst):.2f} s"
    if row.get("eight_first_paint"):
        asked = sorted(p[0] for p in row["eight_first_paint"])
        figures = sorted(p[1] for p in row["eight_first_paint"])
        paints = sorted(p[2] for p in row["eight_first_paint"])
        text += (
            f" (in the pages: figure painted, from the request, slowest {asked[-1]:.2f} s, median"
            f" {statistics.median(asked):.2f} s; from navigation start slowest {figures[-1]:.2f} s;"
            f" first paint slowest {paints[-1]:.2f} s)"
        )
    text += (
        f"; server+kernels RSS peak {row['rss_peak_mb']:.0f} MB (PSS 5 s after the burst "
        f"{row['pss_after_burst_mb']:.0f} MB), RSS after the page's measurements {row['rss_after_mb']:.0f} MB"
    )
    for name, times in row.get("controls", {}).items():
        good = [t for t in times if t >= 0]
        text += (
            f"; {name}: {statistics.median(good):.0f} ms ({min(good):.0f}–{max(good):.0f})"
            if good
            else f"; {name}: not measured (one choice only, or no redraw)"
        )
    return text + f"; load {row['load_before']:.1f} → {row['load_after']:.1f}"


async def main_async(args) -> None:
    from fpplan.data.region import county_folders, is_region_folder

    data = Path(args.data).resolve()
    region = is_region_folder(data)
    names = args.pages.split(",") if args.pages else (["地区总览"] + COUNTY_PAGES if region else COUNTY_PAGES)
    query = f"county={county_folders(data)[0].name}" if region else ""
    pages = [(n, "" if n == "地区总览" else query) for n in names]
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(args.log) if args.log else Path(tmp) / "voila.log"
        t0 = time.perf_counter()
        proc, url = start_server(data, log)
        print(f"server up in {time.perf_counter() - t0:.1f} s; {url}", flush=True)
        await asyncio.sleep(args.pause)  # the pools fill
        try:
            rows = await measure(url, proc, pages, args)
        finally:
            proc.terminate()
            proc.wait(timeout=30)
        if args.json:
            Path(args.json).write_text(json.dumps(rows, ensure_ascii=False, indent=1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True, help="a county or region folder (results computed)")
    parser.add_argument("--pages", help="comma-separated page names (default: every page)")
    parser.add_argument("--visits", type=int, default=5)
    parser.add_argument("--bursts", type=int, default=1)
    parser.add_argument("--pause", type=float, default=25)
    parser.add_argument("--presses", type=int, default=6)
    parser.add_argument("--log", help="keep the server's log in this file")
    parser.add_argument(
        "--cold-browsers", action="store_true", help="open each visitor's browser context inside the burst"
    )
    parser.add_argument("--json", help="write the measurements to this file")
    asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    main()
