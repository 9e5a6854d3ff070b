"""What one visit of a page costs the browser: its bytes, its elements, the renderer's main-thread work, its paint.

    .venv/bin/python benchmarks/bench_page_weight.py --data FOLDER [--pages 建设规划,技术人员月考,领导总览] [--visits 7]

Serves FOLDER (results and pages computed before) with ``fpplan.server.serve``, then for each page: the bytes of its
HTML, and over ``--visits`` fresh browser contexts one after another (medians): the elements in the document once
loaded, the renderer main thread's CPU time (Chrome DevTools ``Performance.getMetrics`` in thread time:
``TaskDuration``, of which ``LayoutDuration``, ``RecalcStyleDuration``, ``ScriptDuration``; it includes ~15 ms of
Playwright's own scripts on every page) and the page's first contentful paint. Unlike ``bench_pages.py`` it times
no burst: what it gives is what each of eight visitors at once adds to the CPU they share.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
from pathlib import Path

from playwright.async_api import async_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_dashboards import ARGS, CHROMIUM, start_server
from bench_pages import FIRST, FIRST_PAINT, page_url

METRICS = ("TaskDuration", "LayoutDuration", "RecalcStyleDuration", "ScriptDuration")


async def visit(browser, address: str) -> dict[str, float]:
    context = await browser.new_context(viewport={"width": 1400, "height": 1000})
    page = await context.new_page()
    cdp = await context.new_cdp_session(page)
    await cdp.send("Performance.enable", {"timeDomain": "threadTicks"})
    response = await page.goto(address, wait_until="load", timeout=120_000)
    await page.wait_for_selector(FIRST, timeout=120_000)
    await page.wait_for_timeout(1000)  # whatever follows the first paint
    metrics = {m["name"]: m["value"] for m in (await cdp.send("Performance.getMetrics"))["metrics"]}
    out = {name: metrics[name] * 1000 for name in METRICS}
    out["elements"] = await page.evaluate("() => document.getElementsByTagName('*').length")
    out["paint"] = await page.evaluate(FIRST_PAINT)
    out["bytes"] = len(await response.body())
    await context.close()
    return out


async def main_async(args) -> None:
    data = Path(args.data).resolve()
    with tempfile.TemporaryDirectory() as tmp:
        proc, url = start_server(data, Path(tmp) / "voila.log")
        try:
            async with async_playwright() as p:
                browser = await p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
                for name in args.pages.split(","):
                    address = page_url(url, name)
                    await visit(browser, address)  # warm-up
                    visits = []
                    for _ in range(args.visits):
                        visits.append(await visit(browser, address))
                        await asyncio.sleep(0.5)
                    med = {key: statistics.median(v[key] for v in visits) for key in visits[0]}
                    print(
                        f"{name}: {med['bytes'] / 1000:.1f} KB, {med['elements']:.0f} elements; main thread "
                        f"{med['TaskDuration']:.0f} ms (layout {med['LayoutDuration']:.0f}, style "
                        f"{med['RecalcStyleDuration']:.0f}, script {med['ScriptDuration']:.0f}); first paint "
                        f"{med['paint']:.0f} ms",
                        flush=True,
                    )
                await browser.close()
        finally:
            proc.terminate()
            proc.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True, help="a county folder (results and pages computed)")
    parser.add_argument("--pages", default="建设规划,技术人员月考,领导总览")
    parser.add_argument("--visits", type=int, default=7)
    asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    main()
