"""A figure that follows a control: redrawn in place when its data change, for the scenario explorer.

An ``Output`` with a plotly mime bundle (``common.figure_output``) builds a new plot at every change; here the
figure is a widget whose ``figure`` (plain plotly JSON: ``data`` and ``layout``) is sent as it changes and drawn by
``Plotly.react`` into the same element, by plotly.js-basic (scatter and bar traces) from the template's static
folder. Elsewhere (JupyterLab: the planner's notebooks), the widget asks its kernel for that file once per page.
"""

from __future__ import annotations

from functools import cache

import anywidget
import numpy as np
import traitlets

from fpplan.app.panels.common import PLOTLY_BASIC
from fpplan.app.style import PLOTLY_CONFIG
from fpplan.data.shipped import plotly_basic

ESM = """
const LOADED = "__fpplanPlotly";
function addScript(src, ok, failed) {
  const amd = window.define;  // plotly's bundle registers with an AMD loader where there is one: not here
  window.define = undefined;
  const script = document.createElement("script");
  script.src = src;
  script.onload = () => { window.define = amd; window.Plotly ? ok(window.Plotly) : failed(); };
  script.onerror = () => { window.define = amd; failed(); };
  document.head.appendChild(script);
}
function plotly(model) {
  if (window.Plotly) return Promise.resolve(window.Plotly);
  window[LOADED] = window[LOADED] || new Promise((ok, fail) => {
    const fromKernel = () => {
      model.on("msg:custom", (msg) => {
        if (msg.plotly_source) {
          addScript(URL.createObjectURL(new Blob([msg.plotly_source], { type: "text/javascript" })), ok, fail);
        }
      });
      model.send({ need: "plotly" });
    };
    if (!document.body.dataset.voila) return fromKernel();  // the file is served by Voila's fpplan template only
    addScript(new URL(model.get("plotly_url"), document.baseURI).href, ok, fromKernel);
  });
  return window[LOADED];
}
export default {
  async render({ model, el }) {
    const div = document.createElement("div");
    div.className = "fpplan-live-figure";
    el.appendChild(div);
    const Plotly = await plotly(model);
    const config = model.get("config");
    const template = model.get("template");  // the plotly.py template the other figures have, sent once
    const draw = () => {
      const f = model.get("figure");
      Plotly.react(div, f.data || [], { template, ...(f.layout || {}) }, config);
    };
    draw();
    model.on("change:figure", draw);
    const resized = new ResizeObserver(() => div.offsetParent && Plotly.Plots.resize(div));
    resized.observe(div);
    return () => { resized.disconnect(); Plotly.purge(div); };
  },
};
"""


class LiveFigure(anywidget.AnyWidget):
    """A plotly figure (plain JSON, scatter and bar traces) redrawn in place whenever ``figure`` is set."""

    _esm = ESM
    figure = traitlets.Dict().tag(sync=True)
    config = traitlets.Dict(PLOTLY_CONFIG).tag(sync=True)
    template = traitlets.Dict().tag(sync=True)
    plotly_url = traitlets.Unicode(PLOTLY_BASIC).tag(sync=True)  # relative to a Voila page (/voila/render/...)

    def __init__(self, figure: dict, **kwargs) -> None:
        super().__init__(figure=figure, template=default_template(), **kwargs)
        self.on_msg(self._send_plotly)

    def _send_plotly(self, _widget, content, _buffers) -> None:
        if content.get("need") == "plotly":  # the page could not load the file: send its text
            self.send({"plotly_source": plotly_basic().read_text(encoding="utf-8")})


@cache
def default_template() -> dict:
    """plotly.py's default template as plotly.js reads it (what ``go.Figure`` would have added to the layout)."""
    import plotly.io as pio

    return pio.templates[pio.templates.default].to_plotly_json()


def values(column) -> list:
    """A column as a JSON list for a figure: numbers as floats, missing values as null (JSON has no NaN)."""
    array = np.asarray(column, dtype=float)
    return np.where(np.isnan(array), None, array).tolist()
