"""A region's results: each county's computed once per data version, the region summary read from them (every
number equals the county's own results, the totals their sums, each ranking sorted by its measure), recomputed only
for a county whose data changed; the 地区总览 page and the leader pages' image and PDF drawn on the server."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pandas as pd
import pytest

from fpplan.app import region_results, results
from fpplan.cli import main
from fpplan.data.errors import DataError
from fpplan.demo.region import write_demo_region

CODES = ["650123", "650124", "650125"]
NAMES = {"650123": "演示县", "650124": "演示东县", "650125": "演示西县"}


@pytest.fixture(scope="module")
def region(region_with_results: Path) -> Path:
    """The demo region, its results computed once a run (conftest: 演示县's taken with the prepared demo, the other
    two counties computed, ``outcome.computed`` and ``counties_computed == 2`` asserted there), this module's own
    copy."""
    return region_with_results


def test_each_county_row_is_its_own_results(region: Path) -> None:
    summary = region_results.current(region)
    assert summary["region"] == {"name": "演示州", "code": "6523"}
    assert [c["code"] for c in summary["counties"]] == CODES
    assert {c["code"]: c["name"] for c in summary["counties"]} == NAMES
    for row in summary["counties"]:
        manifest = results.current(region / row["folder"])
        assert row["version"] == manifest["version"]
        scenario = manifest["plan_scenario"]
        series = results.table(manifest, "county_series", scenario).set_index("year")
        assert row["population_base"] == pytest.approx(series.loc[2025, "population"])
        assert row["population_horizon"] == pytest.approx(series.loc[2035, "population"])
        assert row["women_15_49_base"] == pytest.approx(series.loc[2025, "women_15_49"])
        change = 100 * (series.loc[2035, "population"] / series.loc[2025, "population"] - 1)
        assert row["population_change_pct"] == pytest.approx(change)
        cards = results.table(manifest, "scorecards")
        year = cards[(cards["level"] == "county") & (cards["kind"] == "year") & (cards["period"] == "2025")]
        assert (row["period"], row["red"], row["amber"]) == (
            "2025",
            (year["status"] == "red").sum(),
            (year["status"] == "amber").sum(),
        )
        assert row["indicators"] == len(year) > 0
        subsidy = results.table(manifest, "officials_subsidy", scenario)
        assert row["still_to_secure_wan_yuan"] == pytest.approx(subsidy["still_to_secure_wan_yuan"].sum())
        # the same numbers as the county's own overview cards
        cards_shown = {c["title"]: c["value"] for c in results.document(manifest, "overview")["cards"]}
        assert cards_shown["2025年总人口"] == f"{row['population_base']:,.0f}"
        assert cards_shown["2025年用房面积缺口"] == f"{row['area_gap_m2']:,.0f} m²"


def test_totals_are_the_counties_sums_and_rankings_are_sorted(region: Path) -> None:
    summary = region_results.current(region)
    counties, totals = summary["counties"], summary["totals"]
    for key in (
        "population_base",
        "population_horizon",
        "women_15_49_base",
        "staff_gap",
        "area_gap_m2",
        "still_to_secure_wan_yuan",
    ):
        assert totals[key] == pytest.approx(sum(c[key] for c in counties))
    assert totals["counties_with_red"] == sum(bool(c["red"]) for c in counties)
    by_code = {c["code"]: c for c in counties}
    for measure in region_results.MEASURES:
        order = summary["rankings"][measure]
        assert sorted(order) == CODES
        brute = sorted(CODES, key=lambda code: (-by_code[code][measure], code))
        assert order == brute, measure


def test_unchanged_counties_are_not_opened_again(region: Path) -> None:
    before = region_results.current(region)
    again = region_results.ensure_region_results(region)
    assert not again.computed and again.counties_computed == 0 and again.version == before["version"]
    os.utime(region / "650124" / "units.csv")  # touched, not changed: same results, same summary
    touched = region_results.ensure_region_results(region)
    assert not touched.computed and touched.counties_computed == 0
    assert not region_results.is_stale(region, region_results.current(region))


def test_a_month_imported_in_one_county_recomputes_that_county(region: Path) -> None:
    before = region_results.current(region)
    [incoming] = (region / "650125" / "incoming").glob("*.csv")
    assert main(["import-reports", str(region / "650125"), str(incoming), "--no-results"]) == 0
    assert region_results.is_stale(region, before)
    outcome = region_results.ensure_region_results(region)
    after = region_results.current(region)
    assert outcome.computed and outcome.counties_computed == 1 and after["version"] != before["version"]
    months = {c["code"]: c["data_as_of"]["last_month"] for c in after["counties"]}
    assert months == {"650123": "2025-12", "650124": "2025-12", "650125": "2026-01"}
    assert after["data_as_of"] == {"first_month": "2025-12", "last_month": "2026-01"}
    unchanged = [c["version"] for c in after["counties"][:2]] == [c["version"] for c in before["counties"][:2]]
    assert unchanged


def test_two_counties_with_one_code_are_refused(region: Path, tmp_path: Path) -> None:
    copy = tmp_path / "region"
    shutil.copytree(region, copy, ignore=shutil.ignore_patterns("*.duckdb.wal"))
    shutil.copytree(region / "650123", copy / "650123-copy")
    with pytest.raises(DataError) as error:
        region_results.ensure_region_results(copy)
    assert [p.kind for p in error.value.problems] == ["duplicate_county"]
    assert error.value.problems[0].value == "650123"


def test_the_plans_headline_is_read_where_the_results_hold_it(region: Path, tmp_path: Path) -> None:
    """Results whose plan stores its headline numbers (one row, fpplan.planning.gaps.headline) are read as they are."""
    manifest = results.current(region / "650123")
    folder = tmp_path / "results"
    shutil.copytree(manifest["path"], folder)
    headline = {
        "base_year": 2025,
        "horizon": 2035,
        "population_base": 1000.0,
        "population_horizon": 1100.0,
        "women_15_49_base": 250.0,
        "staff_gap_before_persons": 7,
        "area_gap_base_m2": 12.5,
        "still_to_secure_wan_yuan": 3.25,
    }
    pd.DataFrame([headline]).to_parquet(folder / "scenarios" / manifest["plan_scenario"] / "headline.parquet")
    row = region_results.county_headline(manifest | {"path": str(folder)})
    assert (row["population_base"], row["population_horizon"], row["staff_gap"], row["staff_gap_unit"]) == (
        1000.0,
        1100.0,
        7.0,
        "persons",
    )
    assert row["population_change_pct"] == pytest.approx(10.0) and row["area_gap_m2"] == 12.5


def test_the_region_page_lists_every_county_in_ranking_order(region: Path) -> None:
    from fpplan.app.panels.region import region_html

    summary = region_results.current(region)
    doc = region_results.document(summary, "overview")
    assert set(doc["figures"]) == {"lights", "population"}
    if doc["images"]:  # chromium here: the figures are images at a desktop's and a phone's width
        assert set(doc["images_phone"]) == set(doc["images"])
        assert 'viewBox="0 0 400 ' in doc["images_phone"]["lights"]
    for measure in ("red", "staff_gap"):
        page = region_html(summary, doc, measure)
        names = [NAMES[code] for code in summary["rankings"][measure]]
        positions = [page.index(f"?county={code}'>{NAMES[code]}</a>") for code in summary["rankings"][measure]]
        assert positions == sorted(positions), (measure, names)
        assert page.count("class=fp-chosen") == 3
    assert "<a " not in region_html(summary, doc, "red", links=False).split("<table")[1]


def test_a_county_page_shows_the_county_its_address_names(region: Path, monkeypatch) -> None:
    from fpplan.app.panels import common

    monkeypatch.setenv("FPPLAN_DATA", str(region))
    monkeypatch.setenv("FPPLAN_REGION", "1")
    monkeypatch.setenv("QUERY_STRING", "county=650124")
    assert common.county_path() == region / "650124"
    monkeypatch.setenv("QUERY_STRING", "county=../650125")
    assert common.county_path() == region / "650123"  # not a county of the region: its first county
    monkeypatch.delenv("QUERY_STRING")
    assert common.county_path() == region / "650123"


def test_the_overview_as_an_image_and_a_pdf(region: Path, tmp_path: Path) -> None:
    from fpplan.app.printing import CHROMIUM
    from fpplan.server import export

    if not Path(CHROMIUM).exists():
        pytest.fail("Debian chromium is needed: apt-get install chromium (make test does it as root)")
    document, _, stem = export.overview_page(region / "650124")
    assert stem == "演示东县_领导总览_2025年12月"
    png = export.export_sync(document, tmp_path / "phone.png", "phone")
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert width == 750 and height > 2000  # 375 CSS px at 2 device px; cards and two figures one below another
    pdf = export.export_sync(document, tmp_path / "page.pdf")
    assert pdf.read_bytes()[:4] == b"%PDF"
    if shutil.which("pdftotext"):
        import subprocess

        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
        assert "领导总览" in text and "演示东县" in text and "保存为图片" not in text


def test_a_region_countys_supervision_page_as_an_image_and_a_pdf(region: Path, tmp_path: Path) -> None:
    """A region's county keeps no pages with its results: its 督导与考核 is rendered for the image (its figure
    drawn, nothing written), its links hidden and its scripts left out."""
    import subprocess

    from fpplan.app.pages.store import FOLDER
    from fpplan.app.printing import CHROMIUM
    from fpplan.server import export

    if not Path(CHROMIUM).exists():
        pytest.fail("Debian chromium is needed: apt-get install chromium (make test does it as root)")
    manifest = results.current(region / "650124")
    assert not (Path(manifest["path"]) / FOLDER).exists()
    document, exports, stem = export.supervision_page(region / "650124")
    assert stem == "演示东县_督导与考核_2025年12月" and exports == Path(manifest["path"]) / "exports"
    assert not (Path(manifest["path"]) / FOLDER).exists()  # nothing written
    assert "<script" not in document and "<!--fpplan-figure:" not in document
    assert "督导与考核" in document and "演示东县" in document and "本季度县级督导已完成乡镇" in document
    assert document.count('<svg class="main-svg"') == 2  # the figure at a desktop's width and at a phone's
    assert "supervision.png?county=650124" in document  # the links are there, hidden by the document's CSS
    png = export.export_sync(document, tmp_path / "phone.png", "phone").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    assert 650 <= width <= 750 and 4000 < height <= export.MAX_IMAGE_PX  # a long phone page, under chromium's limit
    pdf = export.export_sync(document, tmp_path / "page.pdf")
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
        assert "演示东县" in text and "逾期未整改" in text and "保存为图片" not in text


def test_the_server_renders_ahead_only_the_region_landing_page(tmp_path: Path) -> None:
    from fpplan.data.models.server import ServerConfig
    from fpplan.server import serve

    args = serve.command("127.0.0.1", 8866, tmp_path, None, ServerConfig(pool_size=3), landing=serve.REGION_LANDING)
    [pools] = [a.split("=", 1)[1] for a in args if a.startswith("--VoilaKernelManager.kernel_pools_config=")]
    assert json.loads(pools) == {"地区总览.ipynb": {"pool_size": 3}, "default": {"pool_size": 0}}
    root = Path(__file__).resolve().parents[2]
    county = sorted(p.name for p in serve.build_dashboards(True, tmp_path / "a", root / "dashboards").iterdir())
    region = sorted(
        p.name for p in serve.build_dashboards(True, tmp_path / "b", root / "dashboards", region=True).iterdir()
    )
    assert "地区总览.ipynb" not in county and set(region) - set(county) == {"地区总览.ipynb"}


def test_the_region_brief_and_report(region: Path, tmp_path: Path, capsys) -> None:
    """``fpplan brief REGION``: one page of the region, then each county's brief; ``fpplan report REGION``: the
    same with the ranking table, the figures and the region's indicators rolled up (Σ numerators / Σ denominators
    of the counties' own scorecards)."""
    import subprocess

    assert main(["brief", str(region), "--out", str(tmp_path / "brief")]) == 0
    pdf = tmp_path / "brief" / "演示州_地区简报.pdf"
    assert pdf.read_bytes()[:4] == b"%PDF"
    briefs = sorted(p.name for p in (tmp_path / "brief" / "各县简报").iterdir())
    assert len(briefs) == 6 and all(any(n in b for b in briefs) for n in NAMES.values())
    if shutil.which("pdftotext"):
        first = subprocess.run(
            ["pdftotext", "-f", "1", "-l", "1", str(pdf), "-"], capture_output=True, text=True, check=True
        ).stdout
        assert "演示州" in first and all(n in first for n in NAMES.values())
        summary = region_results.current(region)
        assert f"{summary['totals']['population_base']:,.0f}" in first
        every = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
        assert all(f"{n}2025年第四季度" in every for n in NAMES.values())  # each county's brief follows
    assert main(["report", str(region), "--out", str(tmp_path / "reports")]) == 0
    folder = tmp_path / "reports" / "6523_2025Q4_medium"
    info = json.loads((folder / "report.json").read_text(encoding="utf-8"))
    assert info["counties"] == 3 and info["pages"] >= 5 and "演示州_地区简报.pdf" in info["files"]
    page = (folder / "演示州_地区报告.html").read_text(encoding="utf-8")
    frames = []
    for code in CODES:
        cards = results.table(results.current(region / code), "scorecards")
        frames.append(cards[(cards["level"] == "county") & (cards["period"] == "2025Q4")])
    cards = pd.concat(frames)
    percent = cards[(cards["unit_label"] == "%") & (cards["denominator"] > 0)]
    indicator = percent["indicator"].iloc[0]
    rows = percent[percent["indicator"] == indicator]
    assert len(rows) == 3
    expected = 100 * rows["numerator"].sum() / rows["denominator"].sum()
    from fpplan.app.tables import number

    assert f"{rows['name'].iloc[0]}</td><td class='fp-num'>{number(expected, 2)}</td>" in page
    assert main(["report", str(region), "--out", str(tmp_path / "reports")]) == 2  # there already: refused


def test_a_period_a_county_lacks_is_refused_for_every_county(region: Path, tmp_path: Path, capsys) -> None:
    assert main(["brief", str(region), "--period", "1999Q1", "--out", str(tmp_path / "b")]) == 2
    text = capsys.readouterr().out
    assert text.count("1999Q1") >= 3 and not (tmp_path / "b").exists()


def test_a_large_demo_region_is_the_three_counties_again(tmp_path: Path) -> None:

    folder = write_demo_region(tmp_path / "large", 5)
    folders = sorted(p.name for p in folder.iterdir() if p.is_dir())
    assert folders == ["650123", "650124", "650125", "660003", "660004"]
    units = {f: pd.read_csv(folder / f / "units.csv", dtype=str) for f in folders}
    counties = {f: units[f].loc[units[f]["level"] == "county"].iloc[0] for f in folders}
    assert all(row["code"] == f for f, row in counties.items())
    assert [counties[f]["name"] for f in folders[3:]] == ["演示4号县", "演示5号县"]
    assert units["660003"]["name"].tolist() == units["650123"]["name"].replace("演示县", "演示4号县").tolist()
    population = {f: pd.read_csv(folder / f / "population.csv")["population"].sum() for f in ("650124", "660004")}
    assert population["650124"] == population["660004"]  # the second county's data again


def test_a_region_keeps_no_store_of_its_own(region: Path, capsys) -> None:
    from fpplan.server import serve

    with pytest.raises(SystemExit) as stop:
        serve.prepare(region, region / "x.duckdb", region=True)
    assert stop.value.code == 2 and "--store" in capsys.readouterr().out
    assert main(["brief", str(region), "--out", str(region / "b"), "--store", "x.duckdb"]) == 2
    assert "--store" in capsys.readouterr().out and not (region / "b").exists()


def test_the_counties_on_a_dask_cluster_give_the_same_rows(region: Path) -> None:
    """``scheduler:`` in region.yaml: each county a task on dask.distributed (here a LocalCluster of two processes);
    the counties' results are up to date, so each task finds them and reads the same numbers."""
    summary = region_results.current(region)
    rows = region_results._map([str(region / c) for c in CODES], "local", 2)
    assert [r["code"] for r in rows] == CODES and not any(r["computed"] for r in rows)
    for row, stored in zip(rows, summary["counties"]):
        assert {k: row[k] for k in stored} == stored


def test_a_renderer_kept_open_draws_the_same_images(region: Path, monkeypatch) -> None:
    """A region's worker keeps one chromium open for every county's figures: the images are those a fresh one draws."""
    import asyncio
    import re

    from fpplan.app import figure_images

    def drawn(images: dict) -> dict:  # what an image shows: its size, its texts, its shapes (plotly's ids are random)
        return {
            (w, name): (
                re.search(r'viewBox="[^"]*"', svg).group(0),
                re.findall(r">([^<]+)</text>", svg),
                svg.count("<path"),
            )
            for w, found in images.items()
            for name, svg in found.items()
        }

    specs = results.document(results.current(region / "650123"), "overview")["figures"]
    monkeypatch.setattr(figure_images, "_KEPT", {})  # a chromium started for this call (the run keeps one open)
    fresh = figure_images.svg_image_sets(specs)
    if not fresh:
        pytest.fail("Debian chromium is needed: apt-get install chromium (make test does it as root)")
    assert len(drawn(fresh)) == 4 and all(texts for _, texts, _ in drawn(fresh).values())
    monkeypatch.setattr(figure_images, "_KEPT", {})
    figure_images.keep_renderer_open()
    try:
        assert drawn(figure_images.svg_image_sets(specs)) == drawn(fresh)
        renderer = figure_images._KEPT["renderer"]
        assert drawn(figure_images.svg_image_sets(specs)) == drawn(fresh)
        assert figure_images._KEPT["renderer"] is renderer  # the same browser again
    finally:
        kept = figure_images._KEPT
        asyncio.run_coroutine_threadsafe(kept["renderer"].close(), kept["loop"]).result(30)
        kept["loop"].call_soon_threadsafe(kept["loop"].stop)


def test_a_bad_county_stops_the_region_with_its_problems(region: Path, tmp_path: Path, capsys) -> None:
    copy = tmp_path / "region"
    shutil.copytree(region, copy)
    before = region_results.current(copy)
    (copy / "650124" / "units.csv").write_text("code,name\n1,x\n", encoding="utf-8")
    with pytest.raises(DataError) as error:
        region_results.ensure_region_results(copy)
    assert error.value.problems and all("650124" in p.file for p in error.value.problems)
    assert region_results.current(copy)["version"] == before["version"]  # nothing published
    assert main(["brief", str(copy), "--out", str(tmp_path / "b")]) == 2
    out = capsys.readouterr().out
    assert "units.csv" in out and "Traceback" not in out and not (tmp_path / "b").exists()


def test_a_worker_freezes_what_outlives_a_county(region: Path) -> None:
    """After a county, a region's worker collects the county's garbage and freezes what is left (the modules and
    caches a worker keeps): the collector's full passes then walk only what later counties make. Its row is
    unchanged. A county computed in this process (a region of one county, a kernel) freezes nothing."""
    import gc

    gc.unfreeze()
    try:
        region_results.county_task(str(region / "650124"))
        assert gc.get_freeze_count() == 0
        row = region_results.worker_task(str(region / "650124"))
        frozen = gc.get_freeze_count()
        assert frozen > 10_000  # pandas, numpy, fpplan and their caches: far more than one county's leftovers
        assert row["code"] == "650124" and row["name"] == NAMES["650124"] and not row["computed"]
    finally:
        gc.unfreeze()
