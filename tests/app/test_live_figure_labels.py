"""A live heatmap's cell labels drawn by the page's figure widget (``live_figure.HEATMAP_LABELS``) instead of by
plotly.js: in headless chromium, the scorecard's heatmap drawn by plotly.js alone (its own labels) and by the widget
(its module run with a stand-in for its kernel's model) give the same labels — text, place, size, colour, font — at
the first drawing, after a redraw with other values and after a resize; a figure it does not handle is left to
plotly.js."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from playwright.sync_api import sync_playwright

from fpplan.app.figures import scorecard_heatmap_spec
from fpplan.app.panels.live_figure import ESM, default_template
from fpplan.data.shipped import plotly_cartesian
from fpplan.testing.browser import ARGS, CHROMIUM

pytestmark = pytest.mark.browser
STATUSES = ["green", "amber", "red", "small_sample", "no_target", "no_data"]

# Both figures drawn at the same width; the labels of each: text, x, y, font size, fill and family as drawn.
DRAW = """async ([esm, first, second, template]) => {
  const mod = await import(URL.createObjectURL(new Blob([esm], { type: "text/javascript" })));
  const plotlyDiv = document.getElementById("plotly"), widget = document.getElementById("widget");
  const handlers = {};
  let figure = first;
  const model = {
    get: (key) => ({ figure, config: { displaylogo: false }, template, target: "", plotly_url: "" })[key],
    on: (event, handler) => { handlers[event] = handler; }, send() {},
  };
  await mod.default.render({ model, el: widget });
  const drawn = widget.querySelector(".js-plotly-plot");
  const labels = (root) => [...root.querySelectorAll("g.heatmap-label text")].map((t) => {
    const style = getComputedStyle(t);
    return [t.textContent, Number(t.getAttribute("x")), Number(t.getAttribute("y")), style.fontSize, style.fill,
            style.fontFamily];
  });
  const both = async (fig) => {
    await Plotly.react(plotlyDiv, fig.data, { template, ...fig.layout }, { displaylogo: false });
    return { plotly: labels(plotlyDiv), widget: labels(drawn), groups: drawn.querySelectorAll("g.heatmap-label").length };
  };
  const out = { first: await both(first) };
  out.kept = drawn.data[0].texttemplate;  // the figure as given, for the mode bar's PNG
  figure = second;
  handlers["change:figure"]();
  out.second = await both(second);
  plotlyDiv.style.width = widget.style.width = "760px";
  await Plotly.Plots.resize(plotlyDiv);
  await Plotly.Plots.resize(drawn);
  out.resized = { plotly: labels(plotlyDiv), widget: labels(drawn) };
  return out;
}"""


def card(seed: int, units: int = 6, indicators: int = 14) -> pd.DataFrame:
    """A scorecard of every status, values of every width (a missing one, a flagged one)."""
    rng = np.random.default_rng(seed)
    rows = []
    for u in range(units):
        for i in range(indicators):
            status = STATUSES[rng.integers(len(STATUSES))]
            value = np.nan if status == "no_data" else float(rng.choice([0.3, 7.25, 88.1, 100.0, -1.5]))
            rows.append(
                {
                    "unit": f"6501230{u:02d}",
                    "indicator": f"i{i:02d}",
                    "name": f"指标{i}",
                    "period": "2025",
                    "status": status,
                    "value": value,
                    "undecided": bool(rng.random() < 0.1),
                }
            )
    return pd.DataFrame(rows)


def draw(page, first: dict, second: dict) -> dict:
    return page.evaluate(DRAW, [ESM, first, second, default_template()])


@pytest.fixture(scope="module")
def page():
    assert Path(CHROMIUM).exists(), "Debian chromium is needed: apt-get install chromium (make test does it as root)"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        page = browser.new_page(viewport={"width": 1300, "height": 900})
        yield page
        browser.close()


def fresh(page) -> None:
    page.set_content("<div id='plotly' style='width:1100px'></div><div id='widget' style='width:1100px'></div>")
    page.add_script_tag(content=plotly_cartesian().read_text(encoding="utf-8"))


def test_the_widget_draws_plotlys_labels(page) -> None:
    names = {f"6501230{u:02d}": f"乡镇{u}" for u in range(6)}
    first = scorecard_heatmap_spec(card(1), names, "2025")
    second = scorecard_heatmap_spec(card(2), names, "2025")
    fresh(page)
    out = draw(page, json.loads(json.dumps(first)), json.loads(json.dumps(second)))
    for step in ("first", "second", "resized"):
        plotly, widget = out[step]["plotly"], out[step]["widget"]
        assert widget == plotly, step
    shown = out["first"]["plotly"]
    texts = [t for row in first["data"][0]["text"] for t in row if t]
    assert sorted(label[0] for label in shown) == sorted(texts)  # every cell with a value, none without
    assert {label[4] for label in shown} == {"rgb(255, 255, 255)", "rgb(68, 68, 68)"}  # white on dark, #444 on light
    assert out["first"]["groups"] == 1 and out["second"]["groups"] == 1  # drawn by the widget, in one pass
    assert out["first"]["plotly"] != out["second"]["plotly"]  # the redraw shows the other values
    assert out["kept"] == "%{text}"


def test_a_figure_it_does_not_handle_is_left_to_plotly(page) -> None:
    """Labels with a font of their own: plotly.js draws them (one group per label, as it does)."""
    names = {f"6501230{u:02d}": f"乡镇{u}" for u in range(3)}
    figure = scorecard_heatmap_spec(card(3, units=3, indicators=5), names, "2025")
    figure["data"][0]["textfont"] = {"size": 9}
    fresh(page)
    out = draw(page, figure, figure)
    assert out["first"]["widget"] == out["first"]["plotly"] and len(out["first"]["plotly"]) > 5
    assert out["first"]["groups"] == len(out["first"]["plotly"])
    assert {label[3] for label in out["first"]["plotly"]} == {"9px"}
