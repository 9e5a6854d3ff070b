"""Figure builders return the traces and values they were given."""

from __future__ import annotations

import numpy as np
import pandas as pd

from fpplan.app import figures


def test_pyramid_puts_men_left_and_women_right() -> None:
    pop = pd.DataFrame({"sex": ["male", "female"] * 2, "age": [0, 0, 1, 1], "population": [5.0, 4.0, 3.0, 2.0]})
    fig = figures.pyramid(pop, "T", 2025)
    men, women = fig.data
    assert list(men.x) == [-5.0, -3.0] and list(women.x) == [4.0, 2.0]
    assert "T" in fig.layout.title.text and "2025" in fig.layout.title.text
    # men are drawn to the left but read as persons: the axis says 5 either side, never −5, and so does the hover
    assert list(men.customdata) == [5.0, 3.0] and "customdata" in men.hovertemplate
    assert list(fig.layout.xaxis.tickvals) == [-4.0, -2.0, 0.0, 2.0, 4.0]
    assert list(fig.layout.xaxis.ticktext) == ["4", "2", "0", "2", "4"]
    assert list(fig.layout.xaxis.range) == [-5.25, 5.25]  # centred on 0: both sides on one scale


def test_each_townships_pyramid_has_its_own_mirrored_axis() -> None:
    pop = pd.DataFrame(
        {
            "township_code": ["A"] * 4 + ["B"] * 4,
            "sex": ["male", "female"] * 4,
            "age": [0, 0, 7, 7] * 2,
            "population": [2100.0, 1900.0, 800.0, 700.0, 40.0, 310.0, 20.0, 30.0],
        }
    )
    fig = figures.pyramids(pop, ["A", "B"], {"A": "甲", "B": "乙"}, 2025)
    assert list(fig.layout.xaxis.ticktext) == ["2,000", "1,000", "0", "1,000", "2,000"]
    assert list(fig.layout.xaxis2.ticktext) == ["200", "0", "200"]  # a small subplot: not crowded
    assert list(fig.data[0].x[:2]) == [-2100.0, -800.0] and list(fig.data[0].customdata) == [2100.0, 800.0] + [0.0] * 19


def test_fan_chart_bands_and_median() -> None:
    band = pd.DataFrame(
        {
            "year": [2025, 2026],
            "median": [10.0, 11.0],
            "lower_80": [9.5, 10.0],
            "upper_80": [10.5, 12.0],
            "lower_95": [9.0, 9.0],
            "upper_95": [11.0, 13.0],
        }
    )
    fig = figures.fan_chart(band)
    assert len(fig.data) == 5 and list(fig.data[-1].y) == [10.0, 11.0]


def test_scorecard_heatmap_colours_by_status() -> None:
    card = pd.DataFrame(
        {
            "unit": ["A", "A", "B", "B"],
            "indicator": ["x", "y", "x", "y"],
            "name": ["X", "Y", "X", "Y"],
            "value": [96.0, 1.5, 80.0, np.nan],
            "status": ["green", "red", "amber", "no_data"],
            "undecided": [False, False, True, False],
        }
    )
    fig = figures.scorecard_heatmap(card, {"A": "甲", "B": "乙"}, "2025")
    heat = fig.data[0]
    statuses = list(figures.STATUS_COLOURS)
    assert heat.z.tolist() == [
        [statuses.index("green"), statuses.index("red")],
        [statuses.index("amber"), statuses.index("no_data")],
    ]
    assert list(heat.y) == ["甲", "乙"] and heat.text[1][1] == "" and heat.text[1][0] == "80.0?"
    # each status's cells get its own colour: the scale is a step per status
    colour = {c: col for c, (pos, col) in zip(range(len(statuses)), heat.colorscale[::2])}
    assert colour[statuses.index("red")] == figures.STATUS_COLOURS["red"]


def test_gantt_spans_start_to_end_of_completion_year() -> None:
    plan = pd.DataFrame(
        {
            "station_code": ["S"],
            "mode": ["new_build"],
            "target_grade": ["B"],
            "start_year": [2026],
            "completion_year": [2027],
        }
    )
    bar = figures.gantt(plan, {"S": "站"}).data[0]
    assert list(bar.base) == [2026] and list(bar.x) == [2] and list(bar.y) == ["站"]


def test_figures_become_svg_images_drawn_by_plotly() -> None:
    """Bars of 1, 2 and 4 on an axis from 0 to 5 are drawn 1:2:4 tall, in an SVG that scales to its container."""
    import re

    from fpplan.app.figure_images import svg_images

    spec = {
        "data": [{"type": "bar", "x": ["甲", "乙", "丙"], "y": [1, 2, 4]}],
        "layout": {"title": {"text": "测试图"}, "height": 300, "yaxis": {"range": [0, 5]}},
    }
    svg = svg_images({"bars": spec}, width=800)["bars"]
    assert svg.startswith('<svg class="main-svg"') and 'width="100%"' in svg and 'viewBox="0 0 800 300"' in svg
    assert "测试图" in svg and all(f">{name}<" in svg for name in "甲乙丙")
    bars = [
        (float(top), float(bottom))
        for bottom, top in re.findall(r'<path d="M[\d.]+,([\d.]+)V([\d.]+)H[\d.]+V[\d.]+Z"', svg)
    ]
    heights = [bottom - top for top, bottom in bars]
    assert len(heights) == 3 and np.allclose(np.array(heights) / heights[0], [1, 2, 4], atol=0.02)


def test_figures_drawn_one_after_another_in_one_tab_are_each_their_own(monkeypatch) -> None:
    """Five figures in one browser session, its tab reloaded after every second one (not after each): each image
    shows its own bars (1:2:k), and the tab was reloaded twice."""
    import re

    from kaleido._kaleido_tab._tab import _KaleidoTab

    from fpplan.app import figure_images

    reloads = []
    reload = _KaleidoTab.reload

    async def counted(self):
        reloads.append(1)
        return await reload(self)

    monkeypatch.setattr(_KaleidoTab, "reload", counted)
    monkeypatch.setattr(figure_images, "RELOAD_EVERY", 2)
    monkeypatch.setattr(figure_images, "_KEPT", {})  # a browser session of its own (the run keeps one open)
    specs = {
        f"f{k}": {
            "data": [{"type": "bar", "x": ["甲", "乙", "丙"], "y": [1, 2, k]}],
            "layout": {"title": {"text": f"图{k}"}, "height": 300, "yaxis": {"range": [0, 6]}},
        }
        for k in range(1, 6)
    }
    images = figure_images.svg_images(specs, width=800)
    assert len(reloads) == 2
    for k in range(1, 6):
        svg = images[f"f{k}"]
        assert f">图{k}<" in svg and not any(f">图{j}<" in svg for j in range(1, 6) if j != k)
        tops = [float(b) - float(t) for b, t in re.findall(r'<path d="M[\d.]+,([\d.]+)V([\d.]+)H[\d.]+V[\d.]+Z"', svg)]
        assert len(tops) == 3 and np.allclose(np.array(tops) / tops[0], [1, 2, k], atol=0.02)


def test_without_chromium_figures_are_left_to_the_browser(monkeypatch) -> None:
    from fpplan.app import figure_images
    from fpplan.app.panels.common import static_figure_html

    monkeypatch.setattr(figure_images, "CHROMIUM", "/nonexistent/chromium")
    spec = {"data": [{"type": "bar", "x": ["a"], "y": [1]}], "layout": {"title": {"text": "</script>"}}}
    assert figure_images.svg_images({"bars": spec}) == {}
    page = static_figure_html("f", spec)  # drawn by the page's script: an empty element and the figure as JSON
    assert page.startswith("<div id='f' class='fpplan-figure' tabindex='0'></div>")
    assert '</script>"' not in page and "<\\/script>" in page  # the title cannot end the script element
    with_image = static_figure_html("f", spec, "<svg class='main-svg'></svg>")
    assert "tabindex='0'><svg class='main-svg'></svg></div>" in with_image


def test_live_figure_values_are_strict_json() -> None:
    import json

    from fpplan.app.panels.live_figure import values

    out = values(pd.Series([1, np.nan, 2.5]))
    assert out == [1.0, None, 2.5] and json.dumps(out, allow_nan=False) == "[1.0, null, 2.5]"


def test_scenario_explorer_redraws_its_figures_in_place(demo_with_results) -> None:
    """Moving the 2035 TFR down lowers the projected 2035 population in the same figure widget; every figure's
    JSON is strict (no NaN), with the plotly template sent once beside it."""
    import json

    import ipywidgets as w

    from fpplan.app.panels.live_figure import LiveFigure
    from fpplan.app.panels.scenarios import scenario_explorer

    page = scenario_explorer(demo_with_results)
    live = [c for c in page.children[-1].children if isinstance(c, LiveFigure)]
    assert len(live) == 4 and all(json.dumps(f.figure, allow_nan=False) for f in live)
    population = live[0]
    assert population.figure["layout"]["title"]["text"] == "全县总人口" and population.template["layout"]
    controls = next(
        c for c in page.children if isinstance(c, w.Box) and c.children and isinstance(c.children[0], w.Box)
    )
    tfr = next(c for c in controls.children[0].children if isinstance(c, w.FloatSlider))
    before = population.figure["data"][0]["y"][-1]
    tfr.value = tfr.min
    after = population.figure["data"][0]["y"][-1]
    assert page.children[-1].children[0] is population and after < before
    first_year = population.figure["data"][0]["x"][0]
    assert population.figure["data"][0]["x"][-1] == 2035 and first_year < 2035


def test_value_axes_read_as_officials_write_numbers() -> None:
    """The explorer's population figure drawn by plotly (an SVG image, as a page rendered ahead shows it): its value
    axis reads 160,000 and 180,000, never plotly's English 160k; the years stay 2030; a point pointed at shows whole
    persons; and a figure's own y-axis settings keep the rule."""
    import re

    from fpplan.app.figure_images import svg_images
    from fpplan.app.panels.scenarios import population_figures

    totals = pd.DataFrame(
        {"year": [2025, 2030, 2035], "population": [160_000.4, 175_000.6, 181_000.2], "women_15_49": [1.5e4] * 3}
    )
    spec = population_figures(totals, None, "80%")["population"]
    ticks = re.findall(r'class="[xy]tick"[^>]*>.*?>([^<]+)</text>', svg_images({"p": spec}, width=800)["p"])
    assert "160,000" in ticks and "180,000" in ticks and "2030" in ticks, ticks
    assert not [t for t in ticks if t.endswith("k")], ticks
    assert spec["layout"]["yaxis"]["hoverformat"] == ",.0f"
    layout = figures._layout("t", yaxis={"tickformat": ".0%"})
    assert layout["yaxis"] == {"exponentformat": "none", "separatethousands": True, "tickformat": ".0%"}
