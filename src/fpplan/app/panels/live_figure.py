"""Figures and HTML that follow a control: redrawn in place when their data change (the pages with controls).

An ``Output`` with a plotly mime bundle (``common.figure_output``) builds a new plot at every change; here the
figure is a widget whose ``figure`` (plain plotly JSON: ``data`` and ``layout``) is sent as it changes and drawn by
``Plotly.react`` into the same element, by a plotly.js partial bundle from the template's static folder
(plotly.js-basic: scatter and bar; plotly.js-cartesian: also heatmaps). Elsewhere (JupyterLab: the planner's
notebooks), the widget asks its kernel for that file once per page.

A page rendered ahead (``fpplan.app.pages``) already shows each figure as an SVG image and each table as HTML in an
element of its own: a widget given that element's id (``target``) adopts it instead of drawing itself — the figure
is drawn there by plotly.js when the browser is idle (the image replaced by the same figure, now interactive) and
redrawn there at each change; ``LiveHTML`` replaces the element's content. Where the element is missing (a
notebook; a page rendered by its kernel alone) the widget draws in its own place.

``SaveImage``: the pages' 保存为图片 (``fpplan.app.panels.page_image``) for a page that has no button of its own.
"""

from __future__ import annotations

from functools import cache

import anywidget
import numpy as np
import traitlets

from fpplan.app.panels import page_image
from fpplan.app.panels.common import PLOTLY_BASIC, PLOTLY_CARTESIAN
from fpplan.app.style import PLOTLY_CONFIG
from fpplan.data.shipped import html_to_image, plotly_basic, plotly_cartesian

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
const idle = (f) => (window.requestIdleCallback ? requestIdleCallback(f, { timeout: 2000 }) : setTimeout(f, 50));
export default {
  async render({ model, el }) {
    const target = model.get("target") ? document.getElementById(model.get("target")) : null;
    let div = target;
    if (target) {  // the page's own element (an SVG image of the same figure): drawn there, nothing here
      el.style.display = "none";
    } else {
      div = document.createElement("div");
      el.appendChild(div);
    }
    div.classList.add("fpplan-live-figure");
    const Plotly = await plotly(model);
    const config = model.get("config");
    const template = model.get("template");  // the plotly.py template the other figures have, sent once
    let drawn = !target;
    const draw = () => {
      const f = model.get("figure");
      if (!drawn) { div.replaceChildren(); drawn = true; }  // the image goes: plotly.js draws the same figure
      Plotly.react(div, f.data || [], { template, ...(f.layout || {}) }, config);
    };
    if (target) idle(() => drawn || draw()); else draw();
    model.on("change:figure", draw);
    const resized = new ResizeObserver(() => div.offsetParent && Plotly.Plots.resize(div));
    resized.observe(div);
    return () => { resized.disconnect(); Plotly.purge(div); };
  },
};
"""


class LiveFigure(anywidget.AnyWidget):
    """A plotly figure (plain JSON) redrawn in place whenever ``figure`` is set; ``target``: the id of the page's
    element to draw in (its image adopted), else its own; ``bundle``: "basic" (scatter and bar traces) or
    "cartesian" (also heatmaps)."""

    _esm = ESM
    figure = traitlets.Dict().tag(sync=True)
    config = traitlets.Dict(PLOTLY_CONFIG).tag(sync=True)
    template = traitlets.Dict().tag(sync=True)
    target = traitlets.Unicode("").tag(sync=True)
    plotly_url = traitlets.Unicode(PLOTLY_BASIC).tag(sync=True)  # relative to a Voila page (/voila/render/...)

    def __init__(self, figure: dict, target: str = "", bundle: str = "basic", **kwargs) -> None:
        url = PLOTLY_BASIC if bundle == "basic" else PLOTLY_CARTESIAN
        super().__init__(figure=figure, template=default_template(), target=target, plotly_url=url, **kwargs)
        self._bundle = bundle
        self.on_msg(self._send_plotly)

    def _send_plotly(self, _widget, content, _buffers) -> None:
        if content.get("need") == "plotly":  # the page could not load the file: send its text
            path = plotly_basic() if self._bundle == "basic" else plotly_cartesian()
            self.send({"plotly_source": path.read_text(encoding="utf-8")})


LIVE_HTML_ESM = """
export default {
  render({ model, el }) {
    const target = model.get("target") ? document.getElementById(model.get("target")) : null;
    const host = target || el;
    if (target) el.style.display = "none";  // the page's own element shows it: replaced at each change
    const show = () => { host.innerHTML = model.get("html"); };
    if (!target) show();
    model.on("change:html", show);
  },
};
"""


class LiveHTML(anywidget.AnyWidget):
    """HTML that follows a control: ``html`` written into the page's element ``target`` at each change (the
    element already shows the first value), else into its own place."""

    _esm = LIVE_HTML_ESM
    html = traitlets.Unicode("").tag(sync=True)
    target = traitlets.Unicode("").tag(sync=True)

    def __init__(self, html: str = "", target: str = "", **kwargs) -> None:
        super().__init__(html=html, target=target, **kwargs)


@cache
def default_template() -> dict:
    """plotly.py's default template as plotly.js reads it (what ``go.Figure`` would have added to the layout)."""
    import plotly.io as pio

    return pio.templates[pio.templates.default].to_plotly_json()


def values(column) -> list:
    """A column as a JSON list for a figure: numbers as floats, missing values as null (JSON has no NaN)."""
    array = np.asarray(column, dtype=float)
    return np.where(np.isnan(array), None, array).tolist()


SAVE_IMAGE_ESM = (
    page_image.SCRIPT
    + """
export default {
  render({ model, el }) {
    if (document.getElementById(model.get("page_bar"))) {  // the page rendered ahead has its own button
      el.style.display = "none";
      return;
    }
    el.innerHTML = model.get("html");
    const bar = el.querySelector(".fp-image-bar");
    const fromKernel = () => new Promise((ok) => {
      model.on("msg:custom", (msg) => {
        if (msg.library_source) ok(URL.createObjectURL(new Blob([msg.library_source], { type: "text/javascript" })));
      });
      model.send({ need: "html-to-image" });
    });
    const library = () => fpplanImageLibrary(document.body.dataset.voila ? model.get("library_url") : "", fromKernel);
    bar.querySelector("button").addEventListener("click", () => fpplanSaveImage(bar, library));
  },
};
"""
)


class SaveImage(anywidget.AnyWidget):
    """保存为图片 for a page with controls (``fpplan.app.panels.page_image``), shown where the page has no button of
    its own (a page rendered by its kernel alone, a notebook); the library from the template, else from the
    kernel."""

    _esm = SAVE_IMAGE_ESM
    html = traitlets.Unicode("").tag(sync=True)
    page_bar = traitlets.Unicode(page_image.BAR).tag(sync=True)
    library_url = traitlets.Unicode(page_image.LIBRARY_URL).tag(sync=True)

    def __init__(self, title_key: str, manifest: dict, **kwargs) -> None:
        html = page_image.bar_html(title_key, manifest, element_id=page_image.BAR + "-widget")
        super().__init__(html=html, **kwargs)
        self.on_msg(self._send_library)

    def _send_library(self, _widget, content, _buffers) -> None:
        if content.get("need") == "html-to-image":  # the page could not load the file: send its text
            self.send({"library_source": html_to_image().read_text(encoding="utf-8")})
