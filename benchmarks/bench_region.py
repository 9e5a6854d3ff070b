"""A region of many counties (default 100: the demo's three counties again and again under new codes,
``fpplan.demo.region.write_demo_region``): every county's results and the region summary computed
(``fpplan.app.region_results.ensure_region_results``: worker processes, or the dask cluster ``region.yaml`` names),
then the region served (``fpplan serve``) and 地区总览 opened in headless chromium: request → first figure, the
page's image drawn on the server, a county's overview opened from the ranking.

Run: ``.venv/bin/python benchmarks/bench_region.py [--counties 100] [--workers 2] [--folder DIR]`` (the region is
generated in a temporary folder unless ``--folder`` names one; it is not kept).
"""

from __future__ import annotations

import argparse
import os
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

from fpplan.testing.browser import ARGS, CHROMIUM

ROOT = Path(__file__).resolve().parents[1]


def cpu_seconds() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def compute(folder: Path, workers: int | None) -> None:
    from fpplan.app.region_results import current, ensure_region_results

    start, cpu = time.perf_counter(), cpu_seconds()
    print(f"load average before: {load()}", flush=True)
    outcome = ensure_region_results(folder, workers=workers)
    wall, used = time.perf_counter() - start, cpu_seconds() - cpu
    n = len(current(folder)["counties"])
    print(
        f"| {n} counties, results computed ({outcome.counties_computed}) | {wall:.0f} s | CPU {used:.0f} s "
        f"({used / max(n, 1):.1f} s a county) | load average after {load()} |",
        flush=True,
    )
    start = time.perf_counter()
    again = ensure_region_results(folder, workers=workers)
    print(
        f"| again, nothing changed ({again.counties_computed} computed) | {time.perf_counter() - start:.1f} s |",
        flush=True,
    )


def serve_and_open(folder: Path, visits: int) -> None:
    from playwright.sync_api import sync_playwright

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    log = open(tempfile.mktemp(suffix=".log"), "w")  # noqa: SIM115
    proc = subprocess.Popen(
        [sys.executable, "-m", "fpplan.cli", "serve", "--data", str(folder), "--port", str(port), "--pool", "2"],
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(1200):
            try:
                urllib.request.urlopen(base, timeout=2)
                break
            except OSError:
                time.sleep(0.5)
        time.sleep(25)  # the pool fills (two pages rendered ahead)
        page_url = f"{base}/voila/render/{urllib.parse.quote('地区总览')}.ipynb"
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
            times = []
            for _ in range(visits):
                context = browser.new_context(viewport={"width": 1280, "height": 900})
                page = context.new_page()
                start = time.perf_counter()
                page.goto(page_url, timeout=120_000)
                page.locator(".fpplan-figure svg.main-svg:visible").first.wait_for(timeout=120_000)
                times.append(time.perf_counter() - start)
                rows = page.locator("#fpplan-ranking tbody tr").count()
                size = len(page.content())
                if len(times) == 1:
                    image = urllib.parse.urljoin(page.url, page.locator("#fp-save-image").get_attribute("href"))
                    start = time.perf_counter()
                    reply = page.request.get(image.replace("width=phone", "width=desktop"), timeout=300_000)
                    first_png = time.perf_counter() - start
                    start = time.perf_counter()
                    page.request.get(image.replace("width=phone", "width=desktop"), timeout=300_000)
                    cached_png = time.perf_counter() - start
                    png = reply.body()
                    height = int.from_bytes(png[20:24], "big")
                    start = time.perf_counter()
                    page.locator("#fpplan-ranking a").first.click()
                    page.locator(".fpplan-figure svg.main-svg:visible").first.wait_for(timeout=120_000)
                    county_page = time.perf_counter() - start
                context.close()
                time.sleep(21)  # the pool refills 20 s after a visitor takes a page
            browser.close()
        print(
            f"| 地区总览: request → first figure (median of {visits}) | {statistics.median(times):.2f} s "
            f"({min(times):.2f}–{max(times):.2f}) | {rows} counties ranked, page {size / 1e6:.2f} MB |"
        )
        print(
            f"| its image (desktop, {height:,} px tall): drawn on the server | {first_png:.1f} s, then {cached_png:.2f} s |"
        )
        print(f"| a county's 领导总览 from the ranking (rendered for the visitor) | {county_page:.2f} s |")
        print(f"load average after: {load()}")
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        log.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--counties", type=int, default=100)
    parser.add_argument("--workers", type=int, default=None, help="worker processes (default: one per core)")
    parser.add_argument("--folder", default=None, help="an existing (or new) region folder to use")
    parser.add_argument("--visits", type=int, default=5)
    parser.add_argument("--no-serve", action="store_true")
    args = parser.parse_args()
    from fpplan.demo.region import write_demo_region

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(args.folder or Path(tmp) / "region")
        if not (folder / "region.yaml").exists():
            start = time.perf_counter()
            write_demo_region(folder, args.counties)
            print(f"region of {args.counties} counties written in {time.perf_counter() - start:.1f} s", flush=True)
        compute(folder, args.workers)
        if not args.no_serve:
            serve_and_open(folder, args.visits)
