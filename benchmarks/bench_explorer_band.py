"""The scenario explorer's live uncertainty band in a real browser (Debian chromium, Playwright), one visitor.

    .venv/bin/python benchmarks/bench_explorer_band.py [--presses 10]

Serves the demo county with ``fpplan.server.serve`` (results computed before the clock starts), opens 情景分析, waits for
its figures, then presses ArrowRight and ArrowLeft on the TFR slider in turn (the band moves away from the stored
one and back) and times each key press → the population figure's 80% band redrawn in the page; the kernel's own
split (projection, band, total with staff and floor area) is read from the page after each. Target (issue 27):
the band redrawn within 300 ms of a change. Nothing leaves the machine.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_dashboards import ARGS, CHROMIUM, FIGURE, start_server

LOWER = "() => JSON.stringify(document.querySelector('.fpplan-live-figure').data.find(t => t.fill === 'tonexty').y)"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--presses", type=int, default=10)
    args = parser.parse_args()
    from fpplan.demo import write_demo

    with tempfile.TemporaryDirectory() as tmp:
        county = write_demo(Path(tmp) / "county")
        proc, url = start_server(county, Path(tmp) / "voila.log")
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
                page = browser.new_page(viewport={"width": 1400, "height": 1000})
                page.goto(f"{url}/voila/render/{urllib.parse.quote('情景分析')}.ipynb", timeout=120_000)
                page.wait_for_selector(FIGURE, timeout=120_000)
                page.wait_for_timeout(3000)  # the page settles; the band's warm-up thread has run
                handle = page.locator(".widget-slider .noUi-handle").nth(0)  # TFR
                handle.focus()
                times, kernel = [], []
                for k in range(args.presses):
                    before = page.evaluate(LOWER)
                    start = time.perf_counter()
                    page.keyboard.press("ArrowRight" if k % 2 == 0 else "ArrowLeft")
                    page.wait_for_function(f"b => ({LOWER})() !== b", arg=before, timeout=20_000)
                    times.append((time.perf_counter() - start) * 1000)
                    page.wait_for_timeout(1500)  # staff and floor area follow; the timing text is final
                    kernel.append(page.locator("#fpplan-timing").inner_text())
                browser.close()
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    print(
        f"key press → band redrawn: median {statistics.median(times):.0f} ms ({min(times):.0f}–{max(times):.0f}), "
        f"{args.presses} presses; load average {os.getloadavg()[0]:.1f}"
    )
    print("in the kernel, each press: " + " | ".join(kernel))


if __name__ == "__main__":
    main()
