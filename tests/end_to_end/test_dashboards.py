"""The dashboards in a real browser (Debian chromium driven by Playwright), served by Voila on loopback.

Each page loads on the demo county, shows its title and figures, raises no console error and makes no request
beyond loopback (any CDN use fails loudly); the scenario explorer's TFR slider changes the projected population;
choosing a township on the scorecard shows its trend; on the map, one more new site adds a suggested site and a
larger radius recolours the townships. Screenshots: tests/screenshots/."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pandas as pd
import pytest
from playwright.sync_api import sync_playwright

from fpplan.testing.browser import ARGS, CHROMIUM

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "tests" / "screenshots"
FIGURE = ".fpplan-figure svg.main-svg, .js-plotly-plot .main-svg"  # an SVG image or a figure drawn by plotly.js
PROCESSES: dict[str, subprocess.Popen] = {}  # server url → its process
POOL = 2  # overview pages rendered ahead


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(demo_with_results, tmp_path_factory):
    port = free_port()
    log = (tmp_path_factory.mktemp("log") / "voila.log").open("w")
    env = os.environ | {"FPPLAN_CULL_IDLE": "20", "FPPLAN_CULL_INTERVAL": "3"}  # closed pages' kernels go soon
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "fpplan.server.serve",
            "--port",
            str(port),
            "--data",
            str(demo_with_results),
            "--pool",
            str(POOL),
        ],
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
        env=env,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(1200):  # the workspace is prepared (results computed) before the server listens
        try:
            urllib.request.urlopen(url, timeout=2)
            break
        except OSError:
            time.sleep(0.5)
    else:
        proc.kill()
        pytest.fail("voila did not start")
    PROCESSES[url] = proc
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


def open_dashboard(browser, server: str, name: str):
    """Open a dashboard; returns the page and lists of console errors and failed/blocked requests."""
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    errors, failed = [], []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("requestfailed", lambda r: failed.append(r.url))

    def outside(request) -> None:
        url = urllib.parse.urlparse(request.url)
        if url.scheme in ("http", "https", "ws", "wss") and url.hostname not in ("127.0.0.1", "localhost"):
            failed.append(request.url)

    page.on("request", outside)  # (page.route for this hung the second page's load in Playwright 1.65)
    start = time.perf_counter()
    page.goto(f"{server}/voila/render/{urllib.parse.quote(name)}.ipynb", timeout=120_000)
    page.wait_for_selector(FIGURE, timeout=120_000)
    seconds = time.perf_counter() - start
    page.wait_for_function(READY, timeout=120_000)
    page.wait_for_load_state("networkidle", timeout=60_000)  # nothing more fetched: a late request is seen
    return page, errors, failed, seconds


# A page rendered ahead shows its figures at once; a page with live controls is ready once its widgets have come and
# adopted every figure (drawn by plotly.js in place of its image: fpplan.app.panels.live_figure).
READY = (
    "() => !document.querySelector('.fp-live') || (document.querySelector('.jupyter-widgets') !== null"
    " && [...document.querySelectorAll('.fp-live .fpplan-figure')].every(f => f.classList.contains('js-plotly-plot')))"
)


@pytest.fixture(scope="module")
def pages(browser, server):
    """Each dashboard opened once: name → (page, console errors, failed requests)."""
    opened = {}
    SHOTS.mkdir(parents=True, exist_ok=True)
    for name in NAMES:
        page, errors, failed, seconds = open_dashboard(browser, server, name)
        print(f"{name}: first render {seconds:.1f} s")
        page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
        opened[name] = (page, errors, failed)
    yield opened
    for page, _, _ in opened.values():
        page.close()


NAMES = [
    "领导总览",
    "情景分析",
    "建设规划",
    "乡镇指标",
    "技术人员月考",
    "督导与考核",
]  # 服务半径与选址: its own test below


@pytest.mark.parametrize("name", NAMES)
def test_each_dashboard_renders_offline(pages, name: str) -> None:
    page, errors, failed = pages[name]
    assert page.locator("h2", has_text=name).count() == 1
    assert page.locator(FIGURE).count() >= 1
    assert not failed, f"requests outside loopback or failed: {failed}"
    assert not errors, f"console errors: {errors}"
    assert "Traceback" not in page.content() and "error when executing" not in page.content()


def test_tfr_slider_changes_the_projected_population(pages) -> None:
    page, errors, failed = pages["情景分析"]
    headline = page.locator("#fpplan-headline")
    before = headline.inner_text()
    line = "() => { const p = document.querySelector('.js-plotly-plot .scatterlayer path.js-line'); return p && p.getAttribute('d'); }"
    first_line = page.evaluate(line)
    handle = page.locator(".widget-slider .noUi-handle").nth(0)  # the first slider: TFR in 2035
    handle.focus()
    start = time.perf_counter()
    page.keyboard.press("ArrowRight")
    page.wait_for_function(f"b => ({line})() !== b", arg=first_line, timeout=20_000)
    print(f"control change → redrawn figure: {(time.perf_counter() - start) * 1000:.0f} ms")
    for _ in range(5):
        page.keyboard.press("ArrowRight")
    page.wait_for_function(
        "b => document.querySelector('#fpplan-headline').innerText !== b", arg=before, timeout=20_000
    )
    page.wait_for_timeout(1000)
    after = headline.inner_text()
    page.screenshot(path=str(SHOTS / "情景分析-tfr.png"), full_page=True)
    population = lambda text: int(re.search(r"：([\d,]+)", text).group(1).replace(",", ""))
    assert population(after) > population(before)  # a higher TFR gives more people in 2035
    assert not errors and not failed


BAND = """() => Array.from(document.querySelectorAll('.fpplan-live-figure')).slice(0, 2).map(div => {
    const i = div.data.findIndex(t => t.fill === 'tonexty');
    return i < 1 ? null : {lower: div.data[i].y, upper: div.data[i - 1].y, name: div.data[i].name};
})"""  # the 80% band of the explorer's population and women figures: the filled trace and the edge above it


def test_the_scenario_explorer_draws_the_80_band_live(browser, server, demo_with_results) -> None:
    """The population and women 15-49 figures show the 80% band of the stored scenario (intervals.parquet, county
    rows); a TFR step redraws it (timed: key press → band redrawn in the page); stepping back recomputes the stored
    band itself."""
    import numpy as np

    from fpplan.app import results

    manifest = results.current(demo_with_results)
    stored = results.table(manifest, "intervals", manifest["plan_scenario"])
    stored = stored[stored["region"] == manifest["county"]["code"]]
    want = {series: stored[stored["series"] == series].sort_values("year") for series in ("population", "women_15_49")}
    page, errors, failed, _ = open_dashboard(browser, server, "情景分析")
    shown = page.evaluate(BAND)
    for band, series in zip(shown, ("population", "women_15_49")):
        assert "80%" in band["name"]
        np.testing.assert_allclose(band["lower"], want[series]["lower_80"], rtol=1e-9)
        np.testing.assert_allclose(band["upper"], want[series]["upper_80"], rtol=1e-9)
    assert "80%" in page.locator("#fpplan-headline").inner_text()
    lower = "() => JSON.stringify(document.querySelector('.fpplan-live-figure').data.find(t => t.fill === 'tonexty').y)"
    changed = f"b => ({lower})() !== b"
    handle = page.locator(".widget-slider .noUi-handle").nth(0)  # TFR
    handle.focus()
    times = []
    for key in ("ArrowRight", "ArrowLeft"):
        before = page.evaluate(lower)
        start = time.perf_counter()
        page.keyboard.press(key)
        page.wait_for_function(changed, arg=before, timeout=20_000)
        times.append((time.perf_counter() - start) * 1000)
        page.wait_for_timeout(1500)  # the services figures follow
    print(
        "control change → band redrawn: "
        + ", ".join(f"{t:.0f} ms" for t in times)
        + "; in the kernel: "
        + page.locator("#fpplan-timing").inner_text()
    )
    back = page.evaluate(BAND)  # TFR back at its start: the band recomputed live is the stored one
    for band, series in zip(back, ("population", "women_15_49")):
        np.testing.assert_allclose(band["lower"], want[series]["lower_80"], rtol=1e-9)
        np.testing.assert_allclose(band["upper"], want[series]["upper_80"], rtol=1e-9)
    assert max(times) < 5000  # ~150-300 ms here (benchmarks/README.md); generous for a shared machine
    page.screenshot(path=str(SHOTS / "情景分析-band.png"), full_page=True)
    assert not errors and not failed
    page.close()


def test_choosing_a_township_shows_its_trend(pages) -> None:
    page, errors, failed = pages["乡镇指标"]
    title = page.locator(".js-plotly-plot .gtitle").last
    before = title.text_content()
    select = page.locator(".widget-dropdown", has=page.locator("label", has_text="乡镇")).locator("select").first
    options = select.locator("option").all_inner_texts()
    select.select_option(label=options[3])
    page.wait_for_function(
        "b => [...document.querySelectorAll('.js-plotly-plot .gtitle')].pop().textContent !== b",
        arg=before,
        timeout=20_000,
    )
    assert options[3] in title.text_content()
    page.screenshot(path=str(SHOTS / "乡镇指标-trend.png"), full_page=True)
    assert not errors and not failed


def test_every_page_says_what_its_data_cover(pages) -> None:
    for name, (page, _, _) in pages.items():
        assert "数据截至 2025年12月" in page.locator("#fpplan-as-of").inner_text(), name


def test_a_month_imported_shows_on_the_open_dashboards(browser, server, demo_with_results) -> None:
    """The planner's monthly routine while the server runs: import next month, reload, see it."""
    from fpplan.cli import main

    [incoming] = (demo_with_results / "incoming").glob("*.csv")
    assert main(["import-reports", str(demo_with_results), str(incoming)]) == 0
    page, errors, failed, _ = open_dashboard(browser, server, "领导总览")
    assert "数据截至 2026年1月" in page.locator("#fpplan-as-of").inner_text()
    page.screenshot(path=str(SHOTS / "领导总览-2026-01.png"), full_page=True)
    assert not errors and not failed
    page.close()


def test_closed_pages_lose_their_kernels_open_ones_keep_them(browser, server) -> None:
    import psutil

    def kernels() -> int:
        count = 0
        for child in psutil.Process(PROCESSES[server].pid).children(recursive=True):
            try:
                count += "ipykernel" in " ".join(child.cmdline())
            except psutil.Error:  # a kernel that has just ended (a zombie until reaped) is not running
                pass
        return count

    kept, *_ = open_dashboard(browser, server, "乡镇指标")
    gone, *_ = open_dashboard(browser, server, "情景分析")
    gone.close()
    open_pages = 2 + 1  # the module's two pages with live controls + the kept one (pages answered ahead keep none)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and kernels() > open_pages + POOL:
        time.sleep(1)
    assert kernels() <= open_pages + POOL
    picker = kept.locator(".widget-dropdown select").first  # the kept page still answers: another period kind
    title = kept.locator(".js-plotly-plot .gtitle").nth(0)
    before = title.text_content()
    picker.select_option(index=2)
    kept.wait_for_function(
        "b => document.querySelectorAll('.js-plotly-plot .gtitle')[0].textContent !== b", arg=before, timeout=20_000
    )
    kept.close()


def test_the_overview_is_a_static_page_drawn_without_the_front_end(browser, server) -> None:
    """The landing page arrives complete (preheated): no Voila front end, no plotly renderer, no kernel connection;
    its figures are SVG images (drawn once per data version), and plotly.js-basic is loaded only when the pointer
    first reaches a figure, which then becomes interactive (hover labels) at the image's size."""
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    requests, sockets = [], []
    page.on("request", lambda r: requests.append(r.url))
    page.on("websocket", lambda ws: sockets.append(ws.url))
    page.goto(f"{server}/voila/render/{urllib.parse.quote('领导总览')}.ipynb", timeout=120_000)
    page.wait_for_selector(FIGURE, timeout=120_000)
    page.wait_for_timeout(1000)
    for name in ("population", "attention"):  # each in its own element, as an image with the figure's text, drawn
        assert page.locator(f"#fpplan-figure-{name} > .fp-wide > svg.main-svg").is_visible()  # for a desktop
        assert page.locator(f"#fpplan-figure-{name} > .fp-narrow > svg.main-svg").count() == 1  # and a phone
        assert not page.locator(f"#fpplan-figure-{name} > .fp-narrow").is_visible()
    assert "各乡镇人口预测" in page.locator("#fpplan-figure-population .fp-wide svg .gtitle").text_content()
    assert page.locator("#fpplan-figure-attention .fp-wide svg .bars path").count() >= 8  # a bar per township
    assert not [url for url in requests if url.endswith(".js")], requests  # the page needs no script file
    assert not sockets
    image_height = page.locator("#fpplan-figure-population").bounding_box()["height"]
    page.hover("#fpplan-figure-population")
    page.wait_for_selector("#fpplan-figure-population.js-plotly-plot .main-svg", timeout=30_000)
    assert any(url.endswith("plotly-basic.min.js") for url in requests)
    assert page.locator("#fpplan-figure-attention > .fp-wide > svg.main-svg").count() == 1  # the other stays an image
    assert abs(page.locator("#fpplan-figure-population").bounding_box()["height"] - image_height) <= 2
    page.hover("#fpplan-figure-attention")
    page.wait_for_selector("#fpplan-figure-attention.js-plotly-plot .bars path", timeout=30_000)
    box = page.locator("#fpplan-figure-attention .bars path").first.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)  # onto a bar: its hover label
    page.wait_for_selector("#fpplan-figure-attention .hoverlayer .hovertext", timeout=10_000)
    assert not [url for url in requests if "voila.js" in url or "jupyterlab-plotly" in url], requests
    assert not sockets
    page.close()


def test_a_quarters_scorecard_and_a_red_cells_causes(pages) -> None:
    page, errors, failed = pages["乡镇指标"]
    kind = page.locator(".widget-dropdown", has=page.locator("label", has_text="期间类型")).locator("select")
    kind.select_option(label="季度")
    page.wait_for_function(
        "() => [...document.querySelectorAll('.js-plotly-plot .gtitle')]"
        ".some(t => /20\\d\\dQ[1-4]/.test(t.textContent))",
        timeout=30_000,
    )
    cause = page.locator("#fpplan-cause")
    assert cause.count() == 1 and "原因分析" in cause.inner_text()
    assert page.get_by_text("可得性：人员缺口（WISN）与用房缺口").count() == 1
    # accessibility from the spatial coverage: the township's women within reach, its villages beyond, in words
    section = page.locator("#fpplan-cause").locator("xpath=..")
    text = section.inner_text()
    assert "可及性：服务半径内的育龄妇女" in text and "覆盖率(%)" in text and "行程时间(分钟)" in text
    assert "nan" not in text and "空间分析完成后" not in text
    assert set(re.findall(r"[A-Za-z_]{2,}", text)) <= {"WISN"}
    page.screenshot(path=str(SHOTS / "乡镇指标-quarter-causes.png"), full_page=True)
    assert not errors and not failed


def staff_ids(demo_with_results: Path) -> set[str]:
    return set(pd.read_csv(demo_with_results / "staff.csv", dtype=str)["staff_id"])


def open_every_section(page) -> int:
    """Open every section and tab of a page, each time until what it opens is there: on a page rendered ahead, a tab
    fills its section from the text it came with (fpplan.app.pages.html.inert); on a live page (once its widgets
    have come), an accordion's section is loaded by the kernel on opening (乡镇指标's demand survey, under its
    heading) and a widget tab's panel becomes the one shown. Returns how many were opened."""
    page.wait_for_function(READY, timeout=120_000)
    opened = 0
    buttons = page.locator("[data-fp-tab]")
    for i in range(buttons.count()):
        button = buttons.nth(i)
        group, value = button.get_attribute("data-fp-tab"), button.get_attribute("data-fp-value")
        button.click()
        section = f"[data-fp-section='{group}'][data-fp-value='{value}']"
        page.wait_for_function(
            f'() => {{ const s = document.querySelector("{section}");'
            " return !s.hidden && !s.querySelector(':scope > script.fp-later'); }",
            timeout=30_000,
        )
        opened += 1
    sections = page.locator(".jupyter-widget-Collapse")
    for i in range(sections.count()):
        sections.nth(i).locator(".jupyter-widget-Collapse-header").click()
        sections.nth(i).locator(".jupyter-widget-Collapse-contents h3").first.wait_for(state="visible", timeout=60_000)
        opened += 1
    tabs = page.locator(".lm-TabBar-tab")
    for i in range(tabs.count()):
        tabs.nth(i).click()
        page.wait_for_function("t => t.classList.contains('lm-mod-current')", arg=tabs.nth(i).element_handle())
        opened += 1
    return opened


def test_the_exams_page_shows_each_staff_members_results_on_this_machine(pages, demo_with_results) -> None:
    page, errors, failed = pages["技术人员月考"]
    text = page.inner_text("body")
    assert "专业集体奖惩（全年）" in text and "个人考试结果与处理" in text
    assert len({s for s in staff_ids(demo_with_results) if s in text}) >= 10  # the check below can see staff ids
    assert not errors and not failed


def test_the_construction_page_shows_rooms_survey_and_supply(pages) -> None:
    """建设规划: the sections on village rooms and schools, what the demand survey changed and contraceptive supply by
    township and year, with their tables (their cells against the workbook: tests/test_plan_page.py)."""
    page, errors, failed = pages["建设规划"]
    for element, heading in (
        ("rooms", "村服务室和人口学校达标建设"),
        ("survey", "群众需求调查对规划的影响"),
        ("supply", "避孕药具需求（按乡镇、年度）"),
    ):
        section = page.locator(f"#fpplan-section-{element}")
        assert section.locator("h3", has_text=heading).is_visible(), heading
        assert section.locator("table tbody tr").count() >= 2, heading
    page.locator("#fpplan-section-rooms").screenshot(path=str(SHOTS / "建设规划_村服务室.png"))
    assert not errors and not failed


ELEMENTS = "() => document.getElementsByTagName('*').length"


def test_the_construction_page_builds_a_station_or_sheet_when_first_chosen(browser, server) -> None:
    """建设规划 arrives with only what is shown (the other stations' figures and the other sheets are text until
    chosen: fpplan.app.pages.html.inert): choosing a station shows its figure's image, which becomes interactive on
    first touch with the page's one plotly template; each sheet's tab shows its table. The document at first paint
    holds 1,930 elements on the demo, 4,400 once everything is opened (before: all of them at once)."""
    page, errors, failed, _ = open_dashboard(browser, server, "建设规划")
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    at_first = page.evaluate(ELEMENTS)
    assert page.locator(".fpplan-figure svg.main-svg").count() == 3  # the progress, the money, the first station
    assert page.locator("#fpplan-figure-capacity-3").count() == 0
    station = page.locator("#fpplan-station")
    options = station.locator("option")
    for k in range(1, options.count()):
        name = options.nth(k).inner_text()
        station.select_option(index=k)
        figure = page.locator(f"#fpplan-figure-capacity-{k}")
        assert figure.locator("svg.main-svg").is_visible()
        assert name in figure.locator("svg.main-svg .gtitle").text_content()
        assert not page.locator(f"#fpplan-figure-capacity-{k - 1}").is_visible()  # the one shown before: hidden
    station.select_option(index=3)
    image_height = page.locator("#fpplan-figure-capacity-3").bounding_box()["height"]
    page.hover("#fpplan-figure-capacity-3")
    page.wait_for_selector("#fpplan-figure-capacity-3.js-plotly-plot .main-svg", timeout=30_000)
    drawn = page.evaluate(
        "() => { const t = JSON.parse(document.querySelector('.fp-template').textContent);"
        " const f = document.getElementById('fpplan-figure-capacity-3')._fullLayout;"
        " return [f.plot_bgcolor, t.layout.plot_bgcolor, f.xaxis.gridcolor, t.layout.xaxis.gridcolor]; }"
    )
    assert drawn[0] == drawn[1] and drawn[2] == drawn[3]  # drawn with the template every figure of the page names
    assert abs(page.locator("#fpplan-figure-capacity-3").bounding_box()["height"] - image_height) <= 2
    tabs = page.locator("[data-fp-tab='sheet']")
    for k in range(tabs.count()):
        tabs.nth(k).click()
        shown = page.locator(f"[data-fp-section='sheet'][data-fp-value='{k}']")
        assert shown.locator("table tbody tr").first.is_visible(), tabs.nth(k).inner_text()
        assert page.locator("[data-fp-section='sheet']:visible").count() == 1
    everything = page.evaluate(ELEMENTS)
    assert at_first < 0.6 * everything, (at_first, everything)
    page.screenshot(path=str(SHOTS / "建设规划-station-sheet.png"), full_page=True)
    assert [url.rsplit("/", 1)[-1] for url in requests] == ["plotly-basic.min.js"]  # nothing else is fetched
    assert not errors and not failed
    page.close()


def test_the_exams_page_builds_another_year_when_chosen(browser, county, demo_with_results) -> None:
    """技术人员月考 of a county with two years of exams (the demo's year and the same scores a year earlier): the latest
    year shown, the earlier one's figure and tables built only when chosen, with that year's results."""
    from dataclasses import replace

    from fpplan.app import results
    from fpplan.app.pages.build import render_page
    from fpplan.app.pages.serving import document
    from fpplan.app.pages.store import HEADER_MARK

    scores = county.exam_scores
    earlier = scores.assign(month=(scores["month"].str[:4].astype(int) - 1).astype(str) + scores["month"].str[4:])
    years = sorted({int(m[:4]) for m in scores["month"]})
    assert len(years) == 1  # the demo's exams: one year
    two = replace(county, exam_scores=pd.concat([earlier, scores], ignore_index=True))
    _, html = render_page(two, results.current(demo_with_results), "exams")
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.set_content(document("技术人员月考", html.replace(HEADER_MARK, "")))
    latest, before = years[0], years[0] - 1
    assert page.locator(f"#fpplan-figure-exams-{latest} svg.main-svg").is_visible()
    assert page.locator(f"#fpplan-figure-exams-{before}").count() == 0  # text until chosen
    year = page.locator("#fpplan-exam-year")
    assert year.locator("option").all_inner_texts() == [str(latest), str(before)]
    year.select_option(str(before))
    figure = page.locator(f"#fpplan-figure-exams-{before} svg.main-svg")
    assert figure.is_visible() and str(before) in figure.locator(".gtitle").text_content()
    assert not page.locator(f"#fpplan-figure-exams-{latest}").is_visible()
    section = page.locator(f"[data-fp-section='exam-year'][data-fp-value='{before}']")
    assert section.locator("h3", has_text="个人考试结果与处理").is_visible()
    staff = sorted(set(scores["staff_id"]))
    assert section.locator("table").last.locator("tbody tr").count() == len(staff)
    assert not errors
    page.close()


def test_the_supervision_page_shows_this_quarter_by_township_and_no_one(pages, demo_with_results) -> None:
    """督导与考核: the quarter's county visits done and due, villages checked, findings open and overdue by township,
    the rhythm's indicators with their targets; no inspector and no staff id."""
    page, errors, failed = pages["督导与考核"]
    text = page.inner_text("body")
    for words in (
        "本季度县级督导已完成乡镇",
        "2025Q4 县级督导（每季度每乡镇一次）",
        "逾期未整改",
        "未整改问题按检查项目",
        "近八周督导与导入",
        "县级每季度督导乡镇完成率",
        "村级服务室达标率",
        "选送区、州跟班学习骨干人数",
        "北山乡",
    ):
        assert words in text, words
    assert (
        page.locator(".fpplan-figure .gtitle:visible", has_text="各乡镇督导检查完成情况").count() == 1
    )  # an image, at once
    register = pd.read_csv(demo_with_results / "supervision.csv")
    assert not any(role in text for role in set(register["inspector"]))  # inspectors' roles are never shown
    assert not {s for s in staff_ids(demo_with_results) if re.search(rf"\b{s}\b", text)}
    page.screenshot(path=str(SHOTS / "督导与考核.png"), full_page=True)
    assert not errors and not failed


def test_pages_leave_out_every_staff_id_off_loopback(browser, demo_with_results, tmp_path) -> None:
    """Served on all addresses with a token, as a county shares it on its network, and visited at the machine's
    network address: the index lists no staff-level page, its address answers 404, and no section of any page
    (every accordion and tab opened) shows a staff id."""
    port, token, host = free_port(), "t0ken-for-the-test", network_address()
    browser = browser.browser_type.launch(
        executable_path=CHROMIUM, headless=True, args=[*ARGS[:-1], f"{ARGS[-1]} , EXCLUDE {host}"]
    )
    log = (tmp_path / "voila.log").open("w")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "fpplan.server.serve",
            "--host",
            "0.0.0.0",
            "--port",
            str(port),
            "--data",
            str(demo_with_results),
            "--token",
            token,
            "--pool",
            "0",
        ],
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://{host}:{port}"
    try:
        for _ in range(1200):
            try:
                urllib.request.urlopen(f"{base}/?token={token}", timeout=2)
                break
            except OSError:
                assert proc.poll() is None
                time.sleep(0.5)
        index = browser.new_page(viewport={"width": 1400, "height": 1000})
        index.goto(f"{base}/?token={token}", timeout=60_000)
        listed = list(index_links(index))
        assert "技术人员月考" not in listed and "数据导入" not in listed and len(listed) == 6
        assert "技术人员月考、数据导入只在本机提供" in index.inner_text("body")
        assert index.goto(f"{base}/voila/render/{urllib.parse.quote('数据导入')}.ipynb?token={token}").status == 404
        index.goto(f"{base}/?token={token}", timeout=60_000)
        withheld = index.goto(f"{base}/voila/render/{urllib.parse.quote('技术人员月考')}.ipynb?token={token}")
        assert withheld.status == 404
        index.close()
        ids = staff_ids(demo_with_results)
        for name in listed:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(f"{base}/voila/render/{urllib.parse.quote(name)}.ipynb?token={token}", timeout=120_000)
            page.wait_for_selector(FIGURE, timeout=120_000)
            print(f"{name}: {open_every_section(page)} sections and tabs opened")
            text = page.content()
            assert "数据截至" in text, name
            shown = sorted(s for s in ids if re.search(rf"\b{s}\b", text))
            assert not shown, f"{name} shows staff ids off loopback: {shown[:5]}"
            page.close()
    finally:
        browser.close()
        proc.terminate()
        proc.wait(timeout=30)
        log.close()


def network_address() -> str:
    """This machine's address on its network (what a colleague's browser would use); loopback if it has none."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect(("192.0.2.1", 9))  # no packet is sent: this only picks the outgoing interface
            return s.getsockname()[0]
        except OSError:
            return "127.0.0.1"


def test_map_controls_redraw_the_map(browser, server) -> None:
    """服务半径与选址 on its own page: renders offline; the new-sites slider adds a star; the radius slider redraws."""
    page, errors, failed, seconds = open_dashboard(browser, server, "服务半径与选址")
    print(f"服务半径与选址: first render {seconds:.1f} s")
    stars = "() => document.querySelectorAll('.js-plotly-plot')[0].querySelectorAll('path.point').length"
    fills = "() => [...document.querySelectorAll('.js-plotly-plot')[0].querySelectorAll('path.js-fill')].map(p => p.style.fill).join('|')"
    assert page.locator("h2", has_text="服务半径与选址").count() == 1
    assert "数据截至" in page.locator("#fpplan-as-of").inner_text()
    assert "育龄妇女覆盖率" in page.content() and "超出服务范围的村" in page.content()
    before_points, before_fills = page.evaluate(stars), page.evaluate(fills)
    sites = page.locator(".widget-slider .noUi-handle").nth(1)  # new sites: 1 → 2
    sites.focus()
    start = time.perf_counter()
    page.keyboard.press("ArrowRight")
    page.wait_for_function(f"b => ({stars})() !== b", arg=before_points, timeout=30_000)
    print(f"new sites → redrawn map: {(time.perf_counter() - start) * 1000:.0f} ms")
    page.locator(".widget-slider .noUi-handle").nth(0).focus()  # radius / travel time: one step up
    page.keyboard.press("ArrowRight")
    page.wait_for_function(f"b => ({fills})() !== b", arg=before_fills, timeout=30_000)
    readout = page.locator(".widget-readout").nth(0).inner_text().strip()
    assert re.fullmatch(r"\d+", readout), f"travel time / radius shown as {readout!r}, not whole minutes or km"
    page.wait_for_timeout(1000)
    page.screenshot(path=str(SHOTS / "服务半径与选址-controls.png"), full_page=True)
    assert not failed, f"requests outside loopback or failed: {failed}"
    assert not errors, f"console errors: {errors}"
    assert "Traceback" not in page.content()
    page.close()


def index_links(page) -> dict[str, str]:
    """The index's pages: title → the line saying what it is for."""
    page.wait_for_selector("#fpplan-index ul.pages a", timeout=30_000)
    return {
        a.query_selector(".page-title").inner_text().strip(): a.query_selector(".page-line").inner_text().strip()
        for a in page.query_selector_all("#fpplan-index ul.pages a")
    }


def test_the_index_lists_the_dashboards_offline(browser, server) -> None:
    """The page the README sends users to, in Chinese: the county's name, every dashboard with a line on what it is
    for, no file names or English; nothing requested beyond loopback (Voila's base page links Font Awesome from a
    CDN; the fpplan template's page.html serves it locally)."""
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    outside = []
    page.on(
        "request",
        lambda r: (
            outside.append(r.url)
            if urllib.parse.urlparse(r.url).hostname not in (None, "127.0.0.1", "localhost")
            else None
        ),
    )
    page.goto(f"{server}/", timeout=60_000)
    links = index_links(page)
    assert set(links) == {*NAMES, "服务半径与选址", "数据导入"}
    assert all(len(line) >= 10 and not line.isascii() for line in links.values()), links
    assert "演示县" in page.title() and "看板" in page.title()
    text = page.inner_text("body")
    assert "演示县" in text and ".ipynb" not in text and "Select items" not in text and "Voil" not in text
    href = page.query_selector("#fpplan-index a").get_attribute("href")
    assert href.endswith(".ipynb?") or ".ipynb?" in href  # the page itself is still the notebook
    with page.expect_popup() as popup:
        page.click("text=建设规划")
    opened = popup.value
    opened.wait_for_selector(FIGURE, timeout=120_000)
    assert "建设规划" in opened.inner_text("body")
    opened.close()
    assert not outside, outside
    page.close()


def test_the_import_page_takes_a_month_and_the_dashboards_show_it(browser, server, demo_with_results) -> None:
    """数据导入 on this machine: the demo's next month uploaded in the browser, checked, imported on confirmation; the
    page and then the overview say the data reach 2026年1月 (the import through the CLI above may have come first:
    the same file again changes nothing and the month shows all the same)."""
    [incoming] = (demo_with_results / "incoming").glob("*.csv")
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{server}/voila/render/{urllib.parse.quote('数据导入')}.ipynb", timeout=120_000)
    page.wait_for_selector("button.widget-upload", timeout=120_000)
    assert "数据导入" in page.inner_text("body") and "选择本月的月报文件" in page.inner_text("body")
    with page.expect_file_chooser() as chooser:  # the widget makes its file input when clicked
        page.click("button.widget-upload")
    chooser.value.set_files(str(incoming))
    page.wait_for_selector("text=选择文件 (1)", timeout=30_000)
    page.click("button:has-text('检查')")
    page.wait_for_selector("#fpplan-upload-ready", timeout=120_000)
    assert incoming.name in page.inner_text("body") and "2026年1月" in page.inner_text("body")
    page.click("button:has-text('确认导入')")
    page.wait_for_selector("#fpplan-import-done", timeout=600_000)
    assert "2026年1月" in page.inner_text("#fpplan-import-done")
    assert "数据截至 2026年1月" in page.locator("#fpplan-as-of").inner_text()
    page.screenshot(path=str(SHOTS / "数据导入.png"), full_page=True)
    assert not errors, errors
    page.close()
    overview, _, _, _ = open_dashboard(browser, server, "领导总览")
    assert "数据截至 2026年1月" in overview.locator("#fpplan-as-of").inner_text()
    overview.close()


def test_the_overview_on_a_phone_offers_a_png_of_itself(browser, server) -> None:
    """375 px: one column, no sideways scrolling, the figures drawn for a phone; "保存为图片" gives a PNG of the page
    (drawn on the server for this data version) and "打印/PDF" a PDF."""
    context = browser.new_context(
        viewport={"width": 375, "height": 800}, is_mobile=True, has_touch=True, device_scale_factor=2
    )
    page = context.new_page()
    page.goto(f"{server}/voila/render/{urllib.parse.quote('领导总览')}.ipynb", timeout=120_000)
    page.locator(".fp-narrow svg.main-svg").first.wait_for(timeout=120_000)
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.screenshot(path=str(SHOTS / "领导总览-375px-county.png"), full_page=True)
    href = page.locator("#fp-save-image").get_attribute("href")
    assert "width=phone" in href and "county=" not in href  # one county served: no county in the address
    png = page.request.get(urllib.parse.urljoin(page.url, href), timeout=120_000).body()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and int.from_bytes(png[16:20], "big") == 750
    assert int.from_bytes(png[20:24], "big") > 2000
    pdf = page.request.get(
        urllib.parse.urljoin(page.url, page.locator("#fp-save-pdf").get_attribute("href")), timeout=120_000
    ).body()
    assert pdf[:4] == b"%PDF"
    context.close()


def png_stats(page, png: bytes) -> dict:
    """A PNG decoded by the browser's canvas: its size, the share of pixels that are not white, the number of
    distinct colours, and how many pixels carry the page's green (#2e7d32: done, the bars) and red (#c62828:
    overdue)."""
    script = """async (data) => { const img = new Image(); img.src = 'data:image/png;base64,' + data; await img.decode();
      const c = document.createElement('canvas'); c.width = img.width; c.height = img.height;
      const g = c.getContext('2d'); g.drawImage(img, 0, 0); const d = g.getImageData(0, 0, c.width, c.height).data;
      let ink = 0, green = 0, red = 0; const colours = new Set();
      const near = (i, r, gg, b) => Math.abs(d[i] - r) + Math.abs(d[i + 1] - gg) + Math.abs(d[i + 2] - b) < 30;
      for (let i = 0; i < d.length; i += 4) { colours.add((d[i] << 16) | (d[i + 1] << 8) | d[i + 2]);
        if (d[i] < 240 || d[i + 1] < 240 || d[i + 2] < 240) ink++;
        if (near(i, 0x2e, 0x7d, 0x32)) green++; if (near(i, 0xc6, 0x28, 0x28)) red++; }
      return {width: img.width, height: img.height, ink: ink / (d.length / 4), colours: colours.size, green, red}; }"""
    import base64

    return page.evaluate(script, base64.b64encode(png).decode())


def data_month(folder: Path) -> str:
    """The month the served county's data reach, as its pages and file names write it (a month imported by an earlier
    test of this module moves it on)."""
    from fpplan.app import results
    from fpplan.data.labels import month_text

    return month_text(results.current(folder)["data_as_of"]["last_month"])


def test_the_supervision_page_on_a_phone_offers_a_png_and_a_pdf(browser, server, demo_with_results, tmp_path) -> None:
    """督导与考核 at 375 px: no sideways scrolling (its tables scroll in their own boxes), its figure drawn for a
    phone; "保存为图片" and "打印/PDF" are plain links (no pop-up) to the page drawn on the server: a PNG of the
    phone's layout, a PDF of one or more A4 pages; nothing requested beyond this machine."""
    context = browser.new_context(
        viewport={"width": 375, "height": 800},
        is_mobile=True,
        has_touch=True,
        device_scale_factor=2,
        accept_downloads=True,
    )
    page = context.new_page()
    requests, popups = [], []
    page.on("request", lambda r: requests.append(r.url))
    page.on("popup", lambda p: popups.append(p.url))
    page.goto(f"{server}/voila/render/{urllib.parse.quote('督导与考核')}.ipynb", timeout=120_000)
    page.locator("#fpplan-figure-supervision .fp-narrow svg.main-svg").wait_for(timeout=120_000)
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert not page.locator("#fpplan-figure-supervision .fp-wide svg").is_visible()
    assert 'viewBox="0 0 400 ' in page.locator("#fpplan-figure-supervision .fp-narrow").inner_html()
    boxes = page.evaluate("[...document.querySelectorAll('.fp-scroll')].map(b => [b.clientWidth, b.scrollWidth])")
    assert len(boxes) == 5 and all(0 < full <= shown + 1 <= 376 for shown, full in boxes)  # every column in view
    assert page.locator(".fp-card").count() == 4
    indicator = page.locator(".fp-rows tbody tr").first  # an indicator as a card: its name, value with unit, status
    assert indicator.locator("td.fp-text").inner_text() == "县级每季度督导乡镇完成率"
    assert re.fullmatch(r"\d+(\.\d+)? %", indicator.locator("td").nth(1).inner_text())  # report.yaml's decimals
    page.screenshot(path=str(SHOTS / "督导与考核-375px.png"), full_page=True)

    link = page.locator("#fp-save-image")
    assert link.inner_text() == "保存为图片" and link.get_attribute("target") is None
    assert link.get_attribute("download") == f"演示县_督导与考核_{data_month(demo_with_results)}.png"
    assert "supervision.png?" in link.get_attribute("href") and "width=phone" in link.get_attribute("href")
    start = time.perf_counter()
    with page.expect_download(timeout=120_000) as download:
        link.click()
    png = Path(download.value.path()).read_bytes()
    print(f"督导与考核: PNG drawn and sent in {time.perf_counter() - start:.1f} s")
    (SHOTS / "督导与考核-保存为图片.png").write_bytes(png)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    stats = png_stats(page, png)
    page_height = page.evaluate("document.documentElement.scrollHeight")
    scale = stats["width"] / 375  # 2 device pixels a CSS px, fewer for an image that would pass 16,000 px
    assert 1.7 <= scale <= 2 and stats["height"] <= 16_000
    assert 0.9 * page_height <= stats["height"] / scale <= 1.02 * page_height, (stats, page_height)  # less its links
    assert 0.03 < stats["ink"] < 0.9 and stats["colours"] > 500  # not blank, not a block: text, bars, cards
    assert stats["green"] > 2000 and stats["red"] > 200  # the bars and the done card; the overdue card and marks
    start = time.perf_counter()
    again = page.request.get(urllib.parse.urljoin(page.url, link.get_attribute("href")), timeout=120_000)
    print(f"督导与考核: PNG sent again (kept with the results) in {time.perf_counter() - start:.2f} s")
    assert again.body() == png and again.headers["content-type"] == "image/png"

    pdf_link = page.locator("#fp-save-pdf")
    assert pdf_link.inner_text() == "打印/PDF" and pdf_link.get_attribute("download").endswith(".pdf")
    start = time.perf_counter()
    with page.expect_download(timeout=120_000) as download:
        pdf_link.click()
    path = tmp_path / "supervision.pdf"
    download.value.save_as(path)
    print(f"督导与考核: PDF drawn and sent in {time.perf_counter() - start:.1f} s")
    assert path.read_bytes()[:4] == b"%PDF"
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
    assert 1 <= pages <= 4
    assert "A4" in next(line for line in info.splitlines() if line.startswith("Page size:"))
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    for words in ("督导与考核", "演示县", "本季度县级督导已完成乡镇", "北山乡", "未整改问题按检查项目"):
        assert words in text, words
    assert "保存为图片" not in text
    assert not popups
    assert all(
        urllib.parse.urlparse(url).hostname in ("127.0.0.1", "localhost")
        for url in requests
        if not url.startswith(("data:", "blob:"))
    ), requests
    context.close()


# --- 保存为图片 on the pages with controls: drawn in the browser (fpplan.app.panels.page_image) ---------------------

CHANGED = """async ([one, two]) => { const pixels = async (data) => { const img = new Image();
    img.src = 'data:image/png;base64,' + data; await img.decode(); const c = document.createElement('canvas');
    c.width = img.width; c.height = img.height; const g = c.getContext('2d'); g.drawImage(img, 0, 0);
    return g.getImageData(0, 0, c.width, c.height).data; };
  const a = await pixels(one), b = await pixels(two); if (a.length !== b.length) return -1; let changed = 0;
  for (let i = 0; i < a.length; i += 4) if (a[i] !== b[i] || a[i + 1] !== b[i + 1] || a[i + 2] !== b[i + 2]) changed++;
  return changed / (a.length / 4); }"""


def changed_share(page, first: bytes, second: bytes) -> float:
    """The share of pixels that differ between two PNGs of the same size (decoded by the browser's canvas)."""
    import base64

    share = page.evaluate(CHANGED, [base64.b64encode(png).decode() for png in (first, second)])
    assert share >= 0, "the two images differ in size"
    return share


def open_for_image(browser, server: str, name: str, scale: int = 2, user_agent: str | None = None):
    """A page with controls in a context of its own (``scale`` device pixels a CSS px), ready; with lists of
    console errors, requests that failed or left loopback, pop-ups opened, and the addresses requested."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(
        viewport={"width": 1400, "height": 1000},
        device_scale_factor=scale,
        accept_downloads=True,
        **({"user_agent": user_agent} if user_agent else {}),
    )
    page = context.new_page()
    errors, failed, popups, requests = [], [], [], []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("requestfailed", lambda r: failed.append(r.url))
    page.on("request", lambda r: requests.append(r.url))
    page.on("popup", lambda p: popups.append(p.url))
    context.on("page", lambda p: popups.append(p.url) if p is not page else None)
    page.goto(f"{server}/voila/render/{urllib.parse.quote(name)}.ipynb", timeout=120_000)
    page.wait_for_selector(FIGURE, timeout=120_000)
    page.wait_for_function(READY, timeout=120_000)
    page.wait_for_timeout(1500)
    return page, errors, failed, popups, requests


def save_image(page) -> tuple[bytes, str]:
    """Click the page's 保存为图片 and take the download: the PNG and its file name."""
    bar = page.locator("#fpplan-save-image")
    assert bar.locator("button").inner_text() == "保存为图片"
    assert page.locator("#fpplan-save-image-widget").count() == 0  # the widget's own button stays hidden beside it
    with page.expect_download(timeout=60_000) as download:
        bar.locator("button").click()
    png = Path(download.value.path()).read_bytes()
    page.wait_for_function("() => document.querySelector('#fpplan-save-image button').disabled === false")
    return png, download.value.suggested_filename


PAGE_SIZE = "(() => { const r = document.getElementById('rendered_cells'); return [r.scrollWidth, r.scrollHeight]; })()"


def check_page_image(page, png: bytes, scale: int, size: list[int] | None = None) -> dict:
    """The PNG is the page (Voila's cells, ``size`` CSS px: as they are now if not given) at ``scale`` device
    pixels a CSS px, and not blank."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    stats = png_stats(page, png)
    width, height = size or page.evaluate(PAGE_SIZE)
    assert abs(stats["width"] - width * scale) <= scale and abs(stats["height"] - height * scale) <= scale, (
        stats,
        width,
    )
    assert 0.03 < stats["ink"] < 0.9 and stats["colours"] > 1000, stats  # text, figures, tables: not blank
    return stats


def only_loopback(requests: list[str]) -> bool:
    return all(
        urllib.parse.urlparse(url).hostname in ("127.0.0.1", "localhost")
        for url in requests
        if not url.startswith(("data:", "blob:"))
    )


def test_the_scorecard_saves_itself_as_it_stands_as_a_png(browser, server, demo_with_results) -> None:
    """乡镇指标: 保存为图片 draws the page in the browser (html-to-image from the template, nothing from outside) and
    saves it by a download (no pop-up): the page at 2 device pixels a CSS px, named by page, county and data date;
    another target set chosen, the next image shows it (the heatmap recoloured)."""
    page, errors, failed, popups, requests = open_for_image(browser, server, "乡镇指标")
    start = time.perf_counter()
    before, name = save_image(page)
    print(
        f"乡镇指标: PNG drawn in the browser in {page.locator('#fpplan-save-image').get_attribute('data-ms')} ms"
        f" (click → file {time.perf_counter() - start:.1f} s), {len(before) / 1e6:.1f} MB"
    )
    assert name == f"乡镇指标_演示县_{data_month(demo_with_results)}.png"
    check_page_image(page, before, 2)
    assert any(url.endswith("/static/html-to-image/html-to-image.js") for url in requests)

    pick = page.locator(".widget-dropdown", has=page.locator("label", has_text="目标集")).locator("select")
    chosen = pick.input_value()
    counts = page.locator("#fpplan-counts").inner_text()
    pick.select_option(
        next(v for v in pick.locator("option").evaluate_all("os => os.map(o => o.value)") if v != chosen)
    )
    page.wait_for_function("b => document.querySelector('#fpplan-counts').innerText !== b", arg=counts, timeout=20_000)
    page.wait_for_timeout(1500)  # the heatmap redrawn
    after, _ = save_image(page)
    (SHOTS / "乡镇指标-保存为图片.png").write_bytes(after)
    check_page_image(page, after, 2)
    share = changed_share(page, before, after)
    print(f"乡镇指标: another target set changes {share:.1%} of the image's pixels")
    assert share > 0.01  # the heatmap's cells and the counts, not only the list's text
    assert not popups and only_loopback(requests) and not failed, (popups, failed)
    assert not errors, errors
    page.context.close()


def test_the_scenario_explorer_saves_itself_as_it_stands_as_a_png(browser, server, demo_with_results) -> None:
    """情景分析 at 1 device pixel: a TFR slider moved, the next image differs (the projection redrawn)."""
    page, errors, failed, popups, requests = open_for_image(browser, server, "情景分析", scale=1)
    before, name = save_image(page)
    assert name == f"情景分析_演示县_{data_month(demo_with_results)}.png"
    check_page_image(page, before, 1)
    headline = page.locator("#fpplan-headline").inner_text()
    page.locator(".widget-slider .noUi-handle").nth(0).focus()  # TFR in 2035
    for _ in range(5):
        page.keyboard.press("ArrowRight")
    page.wait_for_function(
        "b => document.querySelector('#fpplan-headline').innerText !== b", arg=headline, timeout=20_000
    )
    page.wait_for_timeout(2000)  # the services figures follow
    start = time.perf_counter()
    after, _ = save_image(page)
    print(
        f"情景分析: PNG drawn in the browser in {page.locator('#fpplan-save-image').get_attribute('data-ms')} ms"
        f" (click → file {time.perf_counter() - start:.1f} s)"
    )
    (SHOTS / "情景分析-保存为图片.png").write_bytes(after)
    check_page_image(page, after, 1)
    share = changed_share(page, before, after)
    print(f"情景分析: TFR +0.25 changes {share:.1%} of the image's pixels")
    assert share > 0.003  # the lines and bands redrawn (the slider's own number alone: ~0.03%)
    assert not popups and only_loopback(requests) and not failed, (popups, failed)
    assert not errors, errors
    page.context.close()


WECHAT = (
    "Mozilla/5.0 (Linux; Android 13; V2148A) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/116.0.0.0 Mobile "
    "Safari/537.36 XWEB/1160065 MMWEBSDK/20231202 MicroMessenger/8.0.47.2560(0x28002F30) WeChat/arm64"
)


def test_in_wechat_the_image_is_shown_to_press_and_hold(browser, server, demo_with_results) -> None:
    """WeChat's browser ignores ``download``: there 保存为图片 shows the PNG under the button (a long press saves or
    forwards it) and downloads nothing; no pop-up, nothing from outside."""
    page, errors, failed, popups, requests = open_for_image(browser, server, "服务半径与选址", user_agent=WECHAT)
    downloads = []
    page.on("download", lambda d: downloads.append(d.suggested_filename))
    size = page.evaluate(PAGE_SIZE)  # the image shown below the button then lengthens the page
    page.locator("#fpplan-save-image button").click()
    image = page.locator("#fpplan-save-image .fp-image-shown img")
    image.wait_for(timeout=60_000)
    assert page.locator("#fpplan-save-image .fp-image-status").inner_text() == "微信中打开后长按图片可保存或转发"
    src = image.get_attribute("src")
    assert src.startswith("data:image/png;base64,")
    import base64

    png = base64.b64decode(src.split(",", 1)[1])
    check_page_image(page, png, 2, size)
    assert image.get_attribute("alt") == f"服务半径与选址_演示县_{data_month(demo_with_results)}.png"
    page.wait_for_timeout(500)
    assert not downloads and not popups and only_loopback(requests) and not failed, (downloads, popups, failed)
    assert not errors, errors
    page.context.close()
