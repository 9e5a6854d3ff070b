"""Pages rendered ahead with the results (fpplan.app.pages): what each page holds, the lookups its controls use
(against the engines called independently), and the server's hook that answers a page before any kernel starts."""

from __future__ import annotations

import base64
import json
import os
import pickle
import re
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from fpplan.app import results
from fpplan.data.workspace import Workspace


@pytest.fixture(scope="module")
def manifest(demo_with_results: Path) -> dict:
    """The demo county's results (computed once for the module), pages included."""
    from fpplan.app.pages.build import ensure_pages

    ensure_pages(Workspace(demo_with_results))
    return results.current(demo_with_results)


def stored(manifest: dict, key: str) -> dict:
    return json.loads((Path(manifest["path"]) / "pages" / f"{key}.json").read_text(encoding="utf-8"))


def test_pages_are_rendered_once_per_version_by_ensure_pages(manifest, demo_with_results: Path) -> None:
    from fpplan.app.pages.build import DONE, ensure_pages

    pages = Path(manifest["path"]) / "pages"
    assert (pages / DONE).exists()
    before = {p.name: p.stat().st_mtime_ns for p in pages.iterdir()}
    assert len(before) >= 7  # six pages and the mark
    outcome = ensure_pages(Workspace(demo_with_results))
    assert not outcome.computed and Path(outcome.folder) == Path(manifest["path"])
    assert {p.name: p.stat().st_mtime_ns for p in pages.iterdir()} == before  # nothing written again


def test_every_page_is_kept_with_the_results_with_its_figures_drawn(manifest) -> None:
    kinds = {
        key: stored(manifest, key)["kind"]
        for key in ("scenarios", "construction", "scorecard", "spatial", "supervision", "exams")
    }
    assert kinds == {
        "scenarios": "live",
        "scorecard": "live",
        "spatial": "live",
        "construction": "static",
        "supervision": "static",
        "exams": "static",
    }
    for key, kind in kinds.items():
        html = stored(manifest, key)["html"]
        assert "<!--fpplan-figure:" not in html, key  # every figure's image filled in
        assert html.count('<svg class="main-svg"') >= 1, key
        if kind == "live":  # its kernel makes it interactive; its one script is 保存为图片's (panels.page_image)
            assert html.count("<script>") == 1 and "id='fpplan-save-image'" in html, key
        else:
            assert "<script>" in html and "fpplan-save-image" not in html, key  # the server draws their images
    scenarios = stored(manifest, "scenarios")["html"]
    for element in (
        "fpplan-figure-population",
        "fpplan-figure-women",
        "fpplan-figure-staff",
        "fpplan-figure-area",
        "fpplan-headline",
        "fpplan-observed",
    ):
        assert f"id='{element}'" in scenarios, element


def test_the_construction_page_holds_every_stations_figure_and_every_sheet(manifest) -> None:
    html = stored(manifest, "construction")["html"]
    plan = results.table(manifest, "construction_plan", manifest["plan_scenario"])
    stations = plan["station_code"].unique()
    assert len(stations) >= 2
    for k, code in enumerate(stations):  # one section, with its own figure, per station; the first one shown
        assert f"data-fp-section='station' data-fp-value='{code}'" in html
        assert f"id='fpplan-figure-capacity-{k}'" in html
        assert manifest["names"][code] in html
    assert html.count("data-fp-section='station'") == len(stations)
    assert html.count(" hidden>") >= len(stations) - 1
    assert html.count("data-fp-tab='sheet'") == 9 and "建设项目规划表" in html
    assert "base64," in html  # the workbook itself


LATER_SECTION = re.compile(
    r"<div data-fp-section='([^']*)' data-fp-value='([^']*)' hidden><script type='application/json' "
    r"class='fp-later'>(.*?)</script></div>",
    re.DOTALL,
)


def test_the_construction_pages_hidden_sections_are_inert_text_until_chosen(manifest) -> None:
    """The seven stations not shown first and the eight sheets not shown first are each one JSON string (the browser
    builds no element of theirs until one is chosen); each holds its figure's image and specification; the
    document itself holds the three figures shown first, and the plotly template every figure shares once."""
    from fpplan.app.panels.construction import page_parts

    html = stored(manifest, "construction")["html"]
    plan = results.table(manifest, "construction_plan", manifest["plan_scenario"])
    stations = list(plan.sort_values("completion_year")["station_code"].drop_duplicates())
    later = {(group, value): json.loads(text) for group, value, text in LATER_SECTION.findall(html)}
    assert set(later) == {("station", code) for code in stations[1:]} | {("sheet", str(k)) for k in range(1, 9)}
    for k, code in enumerate(stations[1:], start=1):
        content = later["station", code]
        assert f"id='fpplan-figure-capacity-{k}'" in content and f"id='fpplan-figure-capacity-{k}-spec'" in content
        assert content.count('<svg class="main-svg"') == 1 and manifest["names"][code] in content
    assert all("<table" in later["sheet", str(k)] for k in range(1, 9))
    document = LATER_SECTION.sub("", html)  # what the browser builds at once
    assert document.count('<svg class="main-svg"') == 3  # the plan's progress, the money, the first station
    assert f"data-fp-value='{stations[0]}'><div id='fpplan-figure-capacity-0'" in document
    # each figure's specification names the one template kept on the page: plotly.py's own, given once
    templates = re.findall(r"<script type='application/json' id='([^']*)' class='fp-template'>(.*?)</script>", html)
    assert len(templates) == 1 and templates[0][0] in document
    want = json.loads(page_parts(manifest)["capacity"][stations[1]].to_json())["layout"]["template"]
    assert json.loads(templates[0][1]) == want
    specs = re.findall(r"id='fpplan-figure-[^']*-spec'>(.*?)</script>", document + "".join(later.values()))
    assert len(specs) == 2 + len(stations)
    assert {json.loads(spec)["layout"]["template"] for spec in specs} == {templates[0][0]}


def test_a_hidden_sections_text_gives_back_its_html_exactly() -> None:
    """``inert``: whatever a section holds (a data block's end, a comment, quotes, backslashes, Chinese) comes back
    from its JSON string unchanged, and nothing in the string can end the block early."""
    from fpplan.app.pages import html as page

    content = '<p>乡镇 "甲" \'b\' \\ </p><!-- x --><script type=\'application/json\'>{"a": "<\\/b>"}</script></SCRIPT>'
    shown = page.section("g", "1", "<p>shown</p>", True)
    out = page.inert(shown + page.section("g", "2", content, False))
    assert out.startswith(shown)  # the section shown is left as it is
    [(group, value, text)] = LATER_SECTION.findall(out)
    assert (group, value) == ("g", "2") and json.loads(text) == content
    assert "</" not in text and "<!--" not in text
    with pytest.raises(ValueError):
        page.inert(page.section("g", "3", page.section("h", "1", "x", False), False))


def test_a_pages_figures_share_one_template_block() -> None:
    from fpplan.app.pages import html as page

    one = {"data": [{"type": "bar", "y": [1]}], "layout": {"template": {"layout": {"font": {"size": 12}}}}}
    other = {"data": [], "layout": {"template": {"layout": {"font": {"size": 14}}}, "title": {"text": "</b>"}}}
    body = page.figure("f1", one) + page.section("s", "2", page.figure("f2", one) + page.figure("f3", other), False)
    out = page.inert(page.shared_templates(body))
    blocks = re.findall(r"<script type='application/json' id='([^']*)' class='fp-template'>(.*?)</script>", out)
    assert [json.loads(text) for _, text in blocks] == [one["layout"]["template"], other["layout"]["template"]]
    assert LATER_SECTION.sub("", out).endswith(
        "".join(m.group(0) for m in re.finditer(r"<script[^>]*fp-template.*?</script>", out))
    )
    specs = dict(re.findall(r"id='(f\d)-spec'>(.*?)</script>", out + json.loads(LATER_SECTION.findall(out)[0][2])))
    names = {key: json.loads(spec)["layout"]["template"] for key, spec in specs.items()}
    assert names["f1"] == names["f2"] == blocks[0][0] and names["f3"] == blocks[1][0]
    assert json.loads(specs["f3"])["layout"]["title"]["text"] == "</b>"


def test_the_exam_page_holds_each_year(manifest, county) -> None:
    html = stored(manifest, "exams")["html"]
    years = sorted(county.exam_scores["month"].str[:4].unique())
    assert [y for y in years if f"data-fp-value='{y}'" in html] == years
    staff = set(county.exam_scores["staff_id"])
    assert any(s in html for s in staff)  # the staff-level page itself (served on this machine only)
    assert not any(
        s in stored(manifest, key)["html"]
        for key in ("supervision", "construction", "scorecard", "scenarios", "spatial")
        for s in staff
    )


def test_every_target_sets_scorecard_is_a_lookup_equal_to_judging_it_again(manifest, county) -> None:
    from fpplan.indicators.scorecard import rejudge

    every = pd.read_parquet(Path(manifest["path"]) / "pages" / "scorecard_cards.parquet")
    cards = results.table(manifest, "scorecards")
    township = cards[cards["level"] == "township"]
    cat = county.config["indicators"]
    assert set(every["target_set"]) == set(cat.target_sets) and len(cat.target_sets) >= 2
    key = ["kind", "period", "unit", "indicator"]
    for target_set in cat.target_sets:
        want = rejudge(township, cat, target_set).sort_values(key).reset_index(drop=True)
        got = every[every["target_set"] == target_set].sort_values(key).reset_index(drop=True)
        assert len(got) == len(want)
        assert (got["status"].to_numpy() == want["status"].to_numpy()).all(), target_set
        assert np.allclose(got["value"].to_numpy(float), want["value"].to_numpy(float), equal_nan=True)


def test_the_maps_slider_steps_are_lookups_equal_to_computing_them(manifest, county) -> None:
    """Every step of the travel-time slider and every number of new sites is kept; a step's tables are those
    fpplan.spatial.spatial_results gives for that travel time, called again here."""
    from fpplan.app.pages.spatial import projection
    from fpplan.app.panels.spatial import NEW_SITES, SHARED, load_lookup, lookup_key, slider_steps
    from fpplan.app.panels.spatial import stored as first_tables
    from fpplan.planning.demand import village_people
    from fpplan.spatial import spatial_results

    first = first_tables(manifest)
    lookup = load_lookup(manifest, first)
    meta = first["meta"].iloc[0]
    steps = slider_steps(meta)
    assert steps[0] == 10 and steps[-1] == 120 and len(steps) == 23  # minutes by road on the demo
    assert {lookup_key(t, int(meta["new_sites"])) for t in steps} <= set(lookup)
    assert {lookup_key(None, n) for n in NEW_SITES} <= set(lookup)
    people = village_people(county, projection(manifest))
    # the lookup's settings come from one SpatialBase; each equals, table by table and exactly, a fresh call
    for threshold, new_sites in ((30.0, int(meta["new_sites"])), (120.0, int(meta["new_sites"])), (None, 0), (None, 3)):
        again = spatial_results(county, people, threshold=threshold, new_sites=new_sites)
        kept = lookup[lookup_key(threshold, new_sites)]
        assert set(kept) == set(again)
        for name in set(again) - set(SHARED):  # the shared ones are the stored first setting's (from Parquet)
            pd.testing.assert_frame_equal(kept[name], again[name], check_exact=True, obj=f"{threshold} {name}")
    shorter, longer = lookup[lookup_key(20.0, 1)]["county"], lookup[lookup_key(90.0, 1)]["county"]
    assert (longer["share_covered"].to_numpy() >= shorter["share_covered"].to_numpy() - 1e-12).all()
    assert (longer["share_covered"] > shorter["share_covered"]).any()


def test_a_step_the_browser_hands_back_as_a_sum_of_steps_is_the_kept_setting(
    manifest, demo_with_results, monkeypatch
) -> None:
    """The browser sends the travel-time slider's 50 as 50.00000000000001 (its steps summed): the page shows the
    setting kept for 50, never computes one afresh (which took ~2 s in a fresh kernel, the map still at 45)."""
    from fpplan.app.panels import spatial

    monkeypatch.setenv("FPPLAN_DATA", str(demo_with_results))
    monkeypatch.delenv("FPPLAN_REGION", raising=False)
    monkeypatch.delenv("FPPLAN_STORE", raising=False)

    def afresh(*setting):
        raise AssertionError(f"a setting computed afresh: {setting}")

    monkeypatch.setattr(spatial, "spatial", afresh)
    page = spatial.spatial_panel()
    travel = page.children[2].children[0].children[0]
    shown = page.children[2].children[1]
    for value in (45, 50.00000000000001, 55.00000000000001, 49.99999999999999):
        travel.value = value
        assert f"行程 {round(value)} 分钟" in shown.figure["layout"]["title"]["text"]
    assert spatial.on_step(50.00000000000001, [45.0, 50.0, 55.0]) == 50.0


def test_the_map_is_plain_json_with_its_coordinates_as_typed_arrays(manifest) -> None:
    import plotly.graph_objects as go

    from fpplan.app import maps
    from fpplan.app.panels.spatial import stored as first_tables

    first = first_tables(manifest)
    year = int(first["county"]["year"].max())
    spec = maps.coverage_map(first, year, manifest["names"])
    json.dumps(spec, allow_nan=False)  # strict JSON: coordinates (and their NaN gaps) are inside base64 strings
    township = spec["data"][0]
    xs = np.frombuffer(base64.b64decode(township["x"]["bdata"]), dtype="<f8")
    code = min(first["boundaries"]["township_code"].unique())
    outline = first["boundaries"][first["boundaries"]["township_code"] == code]
    assert np.allclose(xs[~np.isnan(xs)], outline["x_km"].to_numpy(float))
    assert township["name"] == manifest["names"][code]
    assert go.Figure(spec).layout.yaxis.scaleanchor == "x"  # what plotly.py accepts as a figure
    # a station's staff in full-time equivalents, said so (never a bare "18.5" persons), its women in persons
    stations = [t for t in spec["data"] if t.get("mode") == "markers+text"]
    for hover in (h for t in stations for h in t["hovertext"]):
        assert "技术人员数(全时当量): " in hover and "范围内育龄妇女(人): " in hover, hover
    # every station's catchment in one trace: one closed part per ring, all counter-clockwise (overlaps filled once)
    (catchments,) = [t for t in spec["data"] if t.get("name") == "服务范围"]
    cx, cy = (np.frombuffer(base64.b64decode(catchments[k]["bdata"]), dtype="<f8") for k in ("x", "y"))
    ends = np.flatnonzero(np.isnan(cx))
    assert len(ends) == first["catchments"].groupby(["station", "part"]).ngroups > 1
    assert np.isnan(cy[ends]).all() and ends[-1] == len(cx) - 1
    for x, y in zip(np.split(cx, ends[:-1] + 1), np.split(cy, ends[:-1] + 1)):
        x, y = x[:-1], y[:-1]
        assert np.sum(x * np.roll(y, -1) - np.roll(x, -1) * y) > 0  # twice the signed area: counter-clockwise


def fake_handler(query: str = ""):
    return type("Handler", (), {"request": type("Request", (), {"query": query})()})()


def notebook(key: str):
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.metadata["fpplan"] = {"page": key}
    return nb


def test_the_server_answers_a_static_page_and_fills_a_live_one_before_any_kernel(
    manifest, demo_with_results, monkeypatch
) -> None:
    from tornado import web

    from fpplan.app.pages.serving import prelaunch

    monkeypatch.setenv("FPPLAN_DATA", str(demo_with_results))
    monkeypatch.delenv("FPPLAN_REGION", raising=False)
    monkeypatch.delenv("FPPLAN_STORE", raising=False)
    with pytest.raises(web.Finish) as answered:
        prelaunch(fake_handler(), notebook("construction"), str(demo_with_results))
    page = answered.value.args[0]
    assert page.startswith("<!DOCTYPE html>") and "<title>建设规划</title>" in page
    assert "数据截至 2025年12月" in page and "<script src" not in page
    for key in ("overview", "supervision", "exams"):
        with pytest.raises(web.Finish):
            prelaunch(fake_handler(), notebook(key), str(demo_with_results))
    live = prelaunch(fake_handler(), notebook("scenarios"), str(demo_with_results))
    assert "fpplan-figure-population" in live.metadata["fpplan"]["static_html"]
    assert "数据截至 2025年12月" in live.metadata["fpplan"]["static_html"]
    other = notebook("")
    assert prelaunch(fake_handler(), other, str(demo_with_results)) is other  # a page of its own (数据导入): untouched


def test_data_changed_behind_the_servers_back_leave_the_page_to_its_kernel(
    manifest, demo_with_results, monkeypatch
) -> None:
    from fpplan.app.pages.serving import prelaunch

    monkeypatch.setenv("FPPLAN_DATA", str(demo_with_results))
    monkeypatch.delenv("FPPLAN_REGION", raising=False)
    staff = demo_with_results / "staff.csv"
    later = time.time() + 5
    os.utime(staff, (later, later))  # a file touched: the results may be out of date
    try:
        for key in ("construction", "scenarios", "overview"):
            nb = notebook(key)
            assert (
                prelaunch(fake_handler(), nb, str(demo_with_results)) is nb
                and "static_html" not in nb.metadata["fpplan"]
            )
    finally:
        results.ensure_results(Workspace(demo_with_results))  # the fingerprint brought up to date for the other tests


def test_live_widgets_adopt_the_pages_elements() -> None:
    from fpplan.app.panels.live_figure import LiveFigure, LiveHTML

    figure = LiveFigure({"data": [], "layout": {}}, target="fpplan-figure-map", bundle="cartesian")
    assert figure.target == "fpplan-figure-map" and figure.plotly_url.endswith("plotly-cartesian.min.js")
    assert LiveFigure({"data": []}).plotly_url.endswith("plotly-basic.min.js") and LiveFigure({"data": []}).target == ""
    html = LiveHTML("<p>x</p>", target="fpplan-counts")
    assert html.html == "<p>x</p>" and html.target == "fpplan-counts"


def test_the_lookup_file_is_a_plain_pickle_of_tables(manifest) -> None:
    with (Path(manifest["path"]) / "pages" / "spatial_lookup.pickle").open("rb") as handle:
        lookup = pickle.load(handle)
    assert all(isinstance(t, pd.DataFrame) for tables in lookup.values() for t in tables.values())
    assert not any({"places", "boundaries", "roads"} & set(tables) for tables in lookup.values())


def test_a_county_without_exam_scores_or_a_supervision_register_says_so(mini: Path, tmp_path: Path) -> None:
    """技术人员月考 and 督导与考核 of a county that keeps no such records: the notice, marked as the page's first
    content (``data-fp-empty``, what a browser benchmark waits for where there is no figure), no figure."""
    from fpplan import load_county
    from fpplan.app.pages import exams as exams_page
    from fpplan.app.panels.supervision import page_content
    from fpplan.data.labels import set_language

    set_language("zh")
    (mini / "exam_scores.csv").unlink()
    exams = exams_page.build(load_county(mini), {})
    assert "<p data-fp-empty>本县尚未填报技术人员月考成绩。</p>" in exams.html and not exams.figures
    figure, cards, html = page_content({"names": {}, "path": str(tmp_path)}, mini)  # results without a register
    assert figure is None and cards == "" and html == "<p data-fp-empty>本县尚无督导检查记录（督导检查记录表）</p>"
