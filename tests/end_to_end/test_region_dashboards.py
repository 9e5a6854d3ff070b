"""A region served (``fpplan serve --data REGION``) in a real browser (Debian chromium driven by Playwright), on
loopback only: 地区总览 renders its figures and ranks the three counties by name, in the order of the chosen
measure; a click opens that county's 领导总览 showing its name and numbers (never another county's page from the
pool); the county overview on a 375-px phone needs no sideways scrolling and offers a PNG of itself (a real image
of the page: its size, its colours) and a PDF. Screenshots: tests/screenshots/."""

from __future__ import annotations

import base64
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from fpplan.app import region_results
from fpplan.testing.browser import ARGS, CHROMIUM

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "tests" / "screenshots"
FIGURE = ".fpplan-figure svg.main-svg:visible"
NAMES = {"650123": "演示县", "650124": "演示东县", "650125": "演示西县"}
POOL = 2


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def region(region_with_results: Path) -> Path:
    """The demo region with its results computed once a run (conftest), this module's own copy."""
    return region_with_results


@pytest.fixture(scope="module")
def server(region, tmp_path_factory):
    port = free_port()
    log = (tmp_path_factory.mktemp("log") / "voila.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "fpplan.cli", "serve", "--port", str(port), "--data", str(region), "--pool", str(POOL)],
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
        env=os.environ.copy(),
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(2400):  # every county's results are computed before the server listens
        try:
            urllib.request.urlopen(url, timeout=2)
            break
        except OSError:
            assert proc.poll() is None, "the server stopped"
            time.sleep(0.5)
    else:
        proc.kill()
        pytest.fail("voila did not start")
    yield url
    proc.terminate()
    proc.wait(timeout=20)
    log.close()


@pytest.fixture(scope="module")
def browser():
    assert Path(CHROMIUM).exists(), "Debian chromium is needed: apt-get install chromium (make test does it as root)"
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield b
        b.close()


def open_page(browser, url: str, width: int = 1280, ready: str = FIGURE):
    """A page in a fresh context (a phone's when narrow), once ``ready`` shows; returns it with lists of console
    errors and requests that failed or left loopback."""
    phone = width < 600
    context = browser.new_context(
        viewport={"width": width, "height": 800},
        is_mobile=phone,
        has_touch=phone,
        device_scale_factor=2 if phone else 1,
    )
    page = context.new_page()
    errors, failed = [], []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("requestfailed", lambda r: failed.append(r.url))
    page.on(
        "request",
        lambda r: (
            failed.append(r.url)
            if urllib.parse.urlparse(r.url).hostname not in ("127.0.0.1", "localhost", None)
            and not r.url.startswith(("data:", "blob:"))
            else None
        ),
    )
    page.goto(url, timeout=120_000)
    page.locator(ready).first.wait_for(timeout=120_000)
    return page, errors, failed


def render(server: str, name: str, query: str = "") -> str:
    return f"{server}/voila/render/{urllib.parse.quote(name)}.ipynb{query}"


def ranked_names(page) -> list[str]:
    return page.locator("#fpplan-ranking tbody td.fp-name").all_inner_texts()


def test_region_overview_ranks_the_three_counties(browser, server, region) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    page, errors, failed = open_page(browser, render(server, "地区总览"))
    print(f"地区总览: first figure {time.perf_counter() - start:.2f} s")
    assert page.locator("h2", has_text="地区总览").count() == 1 and "演示州" in page.locator("h2").inner_text()
    assert page.locator(FIGURE).count() == 2
    summary = region_results.current(region)
    assert ranked_names(page) == [NAMES[c] for c in summary["rankings"]["red"]]
    page.screenshot(path=str(SHOTS / "地区总览.png"), full_page=True)
    page.select_option("#fpplan-rank-by", "staff_gap")
    assert ranked_names(page) == [NAMES[c] for c in summary["rankings"]["staff_gap"]]
    assert page.locator("#fpplan-ranking tbody tr").first.locator("td.fp-rank").inner_text() == "1"
    assert "by=staff_gap" in page.locator("#fp-save-image").get_attribute("href")
    assert not errors and not failed, (errors, failed)
    page.context.close()


def test_a_click_opens_that_countys_overview(browser, server, region) -> None:
    summary = region_results.current(region)
    page, errors, failed = open_page(browser, render(server, "地区总览"))
    code = summary["rankings"]["red"][1]
    row = next(c for c in summary["counties"] if c["code"] == code)
    page.locator("#fpplan-ranking a", has_text=NAMES[code]).click()
    page.wait_for_url(f"**county={code}**", timeout=60_000)
    page.locator(FIGURE).first.wait_for(timeout=120_000)
    assert NAMES[code] in page.locator("h2").inner_text()
    population = page.locator(".fp-card", has_text="2025年总人口").locator(".fp-card-value").inner_text()
    assert population == f"{row['population_base']:,.0f}"
    page.screenshot(path=str(SHOTS / f"领导总览-{NAMES[code]}.png"), full_page=True)
    assert not errors and not failed, (errors, failed)
    page.context.close()


def test_each_county_page_is_its_own(browser, server) -> None:
    """Visits one after another to each county's overview each show that county (a page rendered ahead for
    another county is never given out)."""
    for code in ("650125", "650123", "650124", "650125"):
        page, errors, failed = open_page(browser, render(server, "领导总览", f"?county={code}"))
        assert NAMES[code] in page.locator("h2").inner_text()
        others = [n for c, n in NAMES.items() if c != code]
        assert not any(n in page.locator("h2").inner_text() for n in others)
        assert not errors and not failed, (errors, failed)
        page.context.close()


def image_stats(page, png: bytes) -> dict:
    """Size, the share of pixels that are not white, and how many pixels carry the overview's card blue (#1565c0)
    and red (#c62828), measured by the browser's canvas."""
    script = """async (data) => { const img = new Image(); img.src = 'data:image/png;base64,' + data; await img.decode();
      const c = document.createElement('canvas'); c.width = img.width; c.height = img.height;
      const g = c.getContext('2d'); g.drawImage(img, 0, 0); const d = g.getImageData(0, 0, c.width, c.height).data;
      let ink = 0, blue = 0, red = 0; const near = (i, r, gg, b) => Math.abs(d[i] - r) + Math.abs(d[i + 1] - gg) + Math.abs(d[i + 2] - b) < 30;
      for (let i = 0; i < d.length; i += 4) { if (d[i] < 240 || d[i + 1] < 240 || d[i + 2] < 240) ink++;
        if (near(i, 0x15, 0x65, 0xc0)) blue++; if (near(i, 0xc6, 0x28, 0x28)) red++; }
      return {width: img.width, height: img.height, ink: ink / (d.length / 4), blue, red}; }"""
    return page.evaluate(script, base64.b64encode(png).decode())


def test_the_county_overview_fits_a_phone_and_offers_a_png_and_a_pdf(browser, server, tmp_path) -> None:
    page, errors, failed = open_page(browser, render(server, "领导总览", "?county=650124"), width=375)
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert page.evaluate(
        "[...document.querySelectorAll('.fpplan-figure svg.main-svg')].filter(s => s.checkVisibility())"
        ".every(s => s.getBoundingClientRect().width <= 375)"
    )
    assert page.locator(".fp-narrow svg").first.is_visible() and not page.locator(".fp-wide svg").first.is_visible()
    page.screenshot(path=str(SHOTS / "领导总览-375px.png"), full_page=True)
    link = page.locator("#fp-save-image")
    assert link.inner_text() == "保存为图片" and link.get_attribute("download").endswith(".png")
    assert "width=phone" in link.get_attribute("href") and "county=650124" in link.get_attribute("href")
    start = time.perf_counter()
    reply = page.request.get(urllib.parse.urljoin(page.url, link.get_attribute("href")), timeout=120_000)
    print(f"PNG of the overview drawn and sent in {time.perf_counter() - start:.1f} s")
    assert reply.status == 200 and reply.headers["content-type"] == "image/png"
    png = reply.body()
    (SHOTS / "领导总览-保存为图片.png").write_bytes(png)
    stats = image_stats(page, png)
    page_height = page.evaluate("document.documentElement.scrollHeight")
    assert stats["width"] == 750  # the phone's 375 CSS px at 2 device pixels
    assert 0.7 * page_height <= stats["height"] / 2 <= 1.1 * page_height  # the page, less its links
    assert 0.03 < stats["ink"] < 0.9  # not blank, not a solid block
    assert stats["blue"] > 1000 and stats["red"] > 1000  # the cards' borders, the figures' red bars
    pdf_link = page.locator("#fp-save-pdf")
    assert pdf_link.inner_text() == "打印/PDF" and pdf_link.get_attribute("download").endswith(".pdf")
    reply = page.request.get(urllib.parse.urljoin(page.url, pdf_link.get_attribute("href")), timeout=120_000)
    pdf = reply.body()
    assert reply.status == 200 and pdf[:4] == b"%PDF"
    if shutil.which("pdfinfo"):
        path = tmp_path / "overview.pdf"
        path.write_bytes(pdf)
        info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
        pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
        assert 1 <= pages <= 3
        text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
        assert "演示东县" in text and "领导总览" in text
    assert not errors and not failed, (errors, failed)
    page.context.close()


def test_the_region_overview_fits_a_phone(browser, server) -> None:
    page, errors, failed = open_page(browser, render(server, "地区总览"), width=375)
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert len(ranked_names(page)) == 3
    page.screenshot(path=str(SHOTS / "地区总览-375px.png"), full_page=True)
    reply = page.request.get(
        urllib.parse.urljoin(page.url, page.locator("#fp-save-image").get_attribute("href")), timeout=120_000
    )
    assert reply.status == 200 and reply.body()[:8] == b"\x89PNG\r\n\x1a\n"
    stats = image_stats(page, reply.body())
    assert stats["width"] == 750 and stats["ink"] > 0.03 and stats["red"] > 1000
    assert not errors and not failed, (errors, failed)
    page.context.close()


def test_a_countys_page_with_controls_rendered_by_its_kernel_saves_itself_as_a_png(browser, server) -> None:
    """A region's county keeps no pages rendered ahead: its 情景分析 is drawn by its kernel's widgets, which bring
    their own 保存为图片 (``panels.live_figure.SaveImage``): the page drawn in the browser, downloaded (no pop-up),
    named by page, county and data date; nothing requested beyond loopback."""
    page, errors, failed = open_page(
        browser, render(server, "情景分析", "?county=650124"), ready=".fpplan-live-figure svg.main-svg"
    )
    popups = []
    page.on("popup", lambda p: popups.append(p.url))
    assert page.locator("#fpplan-save-image").count() == 0  # no page rendered ahead, hence no button of its own
    button = page.locator("#fpplan-save-image-widget button")
    button.wait_for(timeout=120_000)
    assert button.inner_text() == "保存为图片"
    page.wait_for_timeout(1500)
    with page.expect_download(timeout=60_000) as download:
        button.click()
    png = Path(download.value.path()).read_bytes()
    assert download.value.suggested_filename.startswith("情景分析_演示东县_")
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    stats = image_stats(page, png)
    width, height = page.evaluate(
        "(() => { const r = document.getElementById('rendered_cells'); return [r.scrollWidth, r.scrollHeight]; })()"
    )
    assert abs(stats["width"] - width) <= 1 and abs(stats["height"] - height) <= 1, (stats, width, height)
    assert 0.03 < stats["ink"] < 0.9, stats
    (SHOTS / "情景分析-演示东县-保存为图片.png").write_bytes(png)
    assert not popups and not errors and not failed, (popups, errors, failed)
    page.context.close()
