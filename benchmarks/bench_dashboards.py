"""Dashboards in a real browser (Debian chromium, Playwright), several visitors at once.

    .venv/bin/python benchmarks/bench_dashboards.py [--rounds 10] [--sequential 100] [--quick]

Serves the demo county's workspace with ``fpplan.server.serve`` (results computed before the clock starts), then:
- one leader: request → first figure drawn on the overview (median of several visits), and request → page complete
  from the server (the server's part; the rest is the browser's);
- eight leaders at once (bursts ``--pause`` seconds apart): each one's request → first figure and → page complete;
  the CPU seconds the server + kernels and the browsers used during the burst (the browsers run on this same
  2-core machine, which a leader's own computer would not); server + kernels memory (RSS) during the burst;
- scenario explorer: control change → redrawn figure; ``--scenario-visits`` loads, each drawing its four figures;
- hangs: ``--sequential`` visits one after another and ``--rounds`` bursts of eight; a visit that shows no figure
  within 60 s is a hang (its kernel id and the server log are printed).
Targets (issue 10): one leader < 2 s; eight at once each < 5 s; memory for eight < 1.5 GB; redraw < 150 ms.
Nothing leaves the machine: every host but loopback resolves to nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

import psutil
from playwright.async_api import async_playwright

from fpplan.testing.browser import ARGS, CHROMIUM

ROOT = Path(__file__).resolve().parents[1]
FIGURE = ".fpplan-figure svg.main-svg, .js-plotly-plot .main-svg"  # an SVG image or a figure drawn by plotly.js
FIGURE_ROOTS = (
    ".fpplan-figure > svg.main-svg, .fpplan-figure > .fp-wide > svg.main-svg, .js-plotly-plot"  # one a figure
)
HANG_SECONDS = 60


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(county: Path, log: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "fpplan.server.serve", "--port", str(port), "--data", str(county)],
        cwd=ROOT,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(600):
        try:
            urllib.request.urlopen(url, timeout=2)
            return proc, url
        except OSError:
            time.sleep(0.5)
    proc.kill()
    raise SystemExit("voila did not start: " + log.read_text())


def server_rss_mb(proc: subprocess.Popen) -> float:
    """Resident memory of the server and every kernel it started (MB)."""
    try:
        root = psutil.Process(proc.pid)
        return sum(p.memory_info().rss for p in [root, *root.children(recursive=True)]) / 2**20
    except psutil.NoSuchProcess:
        return float("nan")


class CpuMeter:
    """CPU time (user + system) used by a set of processes while it watches them: ``sample()`` often (processes
    that end during a burst, such as kernels shut down, keep what they used until their last sample)."""

    def __init__(self, processes):
        self.processes = processes  # () -> iterable of psutil.Process
        self.first: dict[int, float] = {}
        self.last: dict[int, float] = {}
        self.sample()
        self.first = dict(self.last)

    def sample(self) -> None:
        for process in self.processes():
            try:
                times = process.cpu_times()
            except psutil.NoSuchProcess:
                continue
            self.last[process.pid] = times.user + times.system
            self.first.setdefault(process.pid, 0.0)  # started while watched: all of its time counts

    def seconds(self) -> float:
        self.sample()
        return sum(self.last[pid] - self.first.get(pid, 0.0) for pid in self.last)


def server_processes(pid: int):
    try:
        root = psutil.Process(pid)
        return [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return []


def browser_processes():
    return [p for p in psutil.process_iter(["name"]) if "chrom" in (p.info["name"] or "")]


HTML_DONE = "() => performance.getEntriesByType('navigation')[0].responseEnd / 1000"


async def visit(
    browser, url: str, name: str = "领导总览", html: list | None = None, figures: int = 1
) -> tuple[float, str | None]:
    """Seconds from request to the first ``figures`` figures drawn (inf on a hang) and the page's kernel id; the
    seconds to the complete page from the server (the server's part) are appended to ``html``."""
    context = await browser.new_context(viewport={"width": 1400, "height": 1000})
    page = await context.new_page()
    start = time.perf_counter()
    try:
        await page.goto(f"{url}/voila/render/{urllib.parse.quote(name)}.ipynb", timeout=HANG_SECONDS * 1000)
        await page.wait_for_selector(FIGURE, timeout=HANG_SECONDS * 1000)
        if figures > 1:
            await page.wait_for_function(
                f"n => document.querySelectorAll('{FIGURE_ROOTS}').length >= n",
                arg=figures,
                timeout=HANG_SECONDS * 1000,
            )
        seconds = time.perf_counter() - start
        if html is not None:
            html.append(await page.evaluate(HTML_DONE))
        return seconds, None
    except Exception:  # noqa: BLE001 (whatever stops the page, a hang: the kernel is named)
        kernel = await page.evaluate(
            "() => (document.body.innerHTML.match(/kernelId[^a-f0-9]*([a-f0-9-]{36})/) || [])[1] || null"
        )
        return float("inf"), kernel or "unknown"
    finally:
        await context.close()


async def redraw_ms(browser, url: str, presses: int = 5) -> list[float]:
    """Scenario explorer: ArrowRight on the TFR slider → the first line of the first figure changes."""
    context = await browser.new_context(viewport={"width": 1400, "height": 1000})
    page = await context.new_page()
    await page.goto(f"{url}/voila/render/{urllib.parse.quote('情景分析')}.ipynb", timeout=120_000)
    await page.wait_for_selector(FIGURE, timeout=120_000)
    await page.wait_for_timeout(1000)
    line = "() => { const p = document.querySelector('.js-plotly-plot .scatterlayer path.js-line'); return p && p.getAttribute('d'); }"
    handle = page.locator(".widget-slider .noUi-handle").nth(0)
    times = []
    for _ in range(presses):
        before = await page.evaluate(line)
        await handle.focus()
        start = time.perf_counter()
        await page.keyboard.press("ArrowRight")
        await page.wait_for_function(f"b => ({line})() !== b", arg=before, timeout=20_000)
        times.append((time.perf_counter() - start) * 1000)
        await page.wait_for_timeout(300)
    await context.close()
    return times


async def main_async(args) -> None:
    from fpplan.demo import write_demo

    with tempfile.TemporaryDirectory() as tmp:
        county = write_demo(Path(tmp) / "county")
        log = Path(tmp) / "voila.log"
        t0 = time.perf_counter()
        proc, url = start_server(county, log)
        print(f"server up (workspace synced, results computed) in {time.perf_counter() - t0:.1f} s")
        hangs, visits = [], 0
        try:
            async with async_playwright() as p:
                browser = await p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
                await visit(browser, url)  # warm-up: server templates
                ones, html = [], []
                for _ in range(5):
                    ones.append((await visit(browser, url, html=html))[0])
                    await asyncio.sleep(1)
                print(
                    f"one leader: request → first figure {statistics.median(ones):.2f} s median "
                    f"({min(ones):.2f}–{max(ones):.2f}); page complete from the server {statistics.median(html):.2f} s"
                )
                peak = 0.0
                for burst in range(args.rounds):
                    await asyncio.sleep(args.pause)  # leaders come in bursts: the pool refills in between
                    html = []
                    cpu_server = CpuMeter(lambda: server_processes(proc.pid))
                    cpu_browser = CpuMeter(browser_processes)
                    tasks = [asyncio.create_task(visit(browser, url, html=html)) for _ in range(8)]
                    while not all(t.done() for t in tasks):
                        peak = max(peak, server_rss_mb(proc))
                        cpu_server.sample()
                        cpu_browser.sample()
                        await asyncio.sleep(0.2)
                    got = [t.result() for t in tasks]
                    hangs += [k for s, k in got if s == float("inf")]
                    seconds = sorted(s for s, _ in got)
                    print(
                        f"eight at once, round {burst + 1}: first figure slowest {seconds[-1]:.2f} s, median "
                        f"{statistics.median(seconds):.2f} s; page complete from the server slowest "
                        f"{max(html, default=float('nan')):.2f} s; CPU during the burst: server+kernels "
                        f"{cpu_server.seconds():.1f} s, browsers {cpu_browser.seconds():.1f} s; "
                        f"server+kernels peak {peak:.0f} MB"
                    )
                if not args.quick:
                    redraw = await redraw_ms(browser, url)
                    print(
                        f"scenario explorer: control change → redrawn figure {statistics.median(redraw):.0f} ms median "
                        f"({min(redraw):.0f}–{max(redraw):.0f})"
                    )
                    loads = []
                    for k in range(args.scenario_visits):  # its figures are widgets: each load must draw them all
                        seconds, kernel = await visit(browser, url, "情景分析", figures=4)
                        loads.append(seconds)
                        if kernel:
                            hangs.append(kernel)
                            print(f"scenario explorer visit {k + 1}: HANG (kernel {kernel})")
                    if loads:
                        print(
                            f"scenario explorer: request → its four figures {statistics.median(loads):.2f} s median "
                            f"over {len(loads)} visits"
                        )
                    visits += len(loads)
                for k in range(args.sequential):
                    seconds, kernel = await visit(browser, url)
                    if kernel:
                        hangs.append(kernel)
                        print(f"sequential visit {k + 1}: HANG (kernel {kernel})")
                print(f"hangs: {len(hangs)} of {visits + 5 + 8 * args.rounds + args.sequential} visits")
                print(
                    f"server + kernels now: {server_rss_mb(proc):.0f} MB, "
                    f"{len(psutil.Process(proc.pid).children(recursive=True))} kernel processes"
                )
                await browser.close()
        finally:
            proc.terminate()
            proc.wait(timeout=30)
            if hangs:
                print("---- server log ----")
                print(log.read_text()[-20000:])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--pause", type=float, default=40, help="seconds between bursts (the pool refills)")
    parser.add_argument("--sequential", type=int, default=10)
    parser.add_argument("--scenario-visits", type=int, default=20, help="loads of the scenario explorer (hang check)")
    parser.add_argument("--quick", action="store_true", help="skip the scenario explorer")
    asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    main()
