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

A heatmap's cell labels (``texttemplate`` "%{text}": the scorecard's values) are drawn here in one pass
(``HEATMAP_LABELS``), where plotly.js builds, styles and measures them node by node at every redraw (~75 ms of the
scorecard's ~110 ms redraw for its 448 cells on a 2-core machine, against ~13 ms here): the same place, size and
colour as plotly.js's own (tests/app/test_live_figure_labels.py compares them label by label).

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

HEATMAP_LABELS = r"""
// A heatmap's cell labels drawn in one pass after plotly.js has drawn its cells (see the module's docstring):
// plotly.js's own rules (traces/heatmap/plot.js of the bundled v4): each label at its cell's centre; one size for
// all, the largest whole one that fits the narrowest cell, at most the layout's font size; #444 on a light cell and
// white on a dark one (plotly's Color.contrast); cells without a label skipped. Only where that is all plotly.js would
// do ("%{text}", automatic font, a colour scale of plain colours, text without markup); else plotly.js draws them.
const fpplanLabels = (() => {
  const SPACING = 1.3;  // plotly.js's LINE_SPACING
  const rgb = (c) => {
    let m = /^#([0-9a-f]{6})$/i.exec(c);
    if (m) return [0, 2, 4].map((i) => parseInt(m[1].slice(i, i + 2), 16));
    m = /^#([0-9a-f]{3})$/i.exec(c);
    if (m) return [...m[1]].map((h) => parseInt(h + h, 16));
    m = /^rgba?\(([^)]*)\)$/i.exec(String(c).replace(/\s/g, ""));
    if (m) {
      const v = m[1].split(",").map(Number);
      if (v.length === 3 || (v.length === 4 && v[3] === 1)) return v.slice(0, 3);
    }
    return null;
  };
  // the colour of z on the trace's scale (linear between its stops, as plotly.js's colour scale function)
  const scaleOf = (trace) => {
    const scale = trace.colorscale, lo = trace.zmin, hi = trace.zmax;
    if (!Array.isArray(scale) || typeof lo !== "number" || typeof hi !== "number" || !(hi > lo)) return null;
    const stops = scale.map(([p, c]) => [Number(p), rgb(c)]);
    if (stops.some(([p, c]) => !c || !Number.isFinite(p))) return null;
    return (z) => {
      const t = Math.min(1, Math.max(0, (z - lo) / (hi - lo)));
      let k = 0;
      while (k < stops.length - 2 && t > stops[k + 1][0]) k++;
      const [p0, c0] = stops[k], [p1, c1] = stops[k + 1] || stops[k];
      const f = p1 > p0 ? Math.min(1, Math.max(0, (t - p0) / (p1 - p0))) : 0;
      return c0.map((v, i) => Math.round(v + f * (c1[i] - v)));
    };
  };
  const plain = (text) => text == null || !/[<>&]/.test(String(text));
  const own = (trace) =>
    trace.type === "heatmap" && trace.texttemplate === "%{text}" && trace.textfont === undefined &&
    !trace.reversescale && !trace.xgap && !trace.ygap && scaleOf(trace) !== null &&
    (trace.text || []).every((row) => (row || []).every(plain));
  // the figure's data as plotly.js gets it (the labels this draws left out) and the indices of those traces
  const split = (data) => {
    const mine = data.map((trace, i) => (own(trace) ? i : -1)).filter((i) => i >= 0);
    if (!mine.length) return { data, mine };
    return { data: data.map((trace, i) => (mine.includes(i) ? { ...trace, texttemplate: undefined } : trace)), mine };
  };
  const contrast = ([r, g, b]) => ((r * 299 + g * 587 + b * 114) / 1000 < 128 ? "#fff" : "#444");
  const draw = (gd, mine) => {
    for (const cd of gd.calcdata || []) {
      const cell = cd[0], trace = cell.trace;
      if (!mine.includes(trace.index) || trace.texttemplate) continue;  // plotly.js drew these (a resize, an export)
      const group = [...gd.querySelectorAll("g.hm")].find((g) => g.__data__ && g.__data__[0].trace === trace);
      if (!group) continue;
      group.querySelectorAll(":scope > g.heatmap-label").forEach((g) => g.remove());
      const plot = gd._fullLayout._plots[trace.xaxis + trace.yaxis];
      const xa = plot.xaxis, ya = plot.yaxis, colour = scaleOf(gd.data[trace.index]);
      const background = rgb(gd._fullLayout.plot_bgcolor) || [255, 255, 255];
      const z = cell.z, text = cell.text || [], xs = cell.x, ys = cell.y, labels = [];
      for (let r = 0; r < z.length; r++) {
        let yc;
        if (cell.yCenter) yc = cell.yCenter[r];
        else { if (r + 1 === z.length && ys[r + 1] === undefined) continue; yc = (ys[r] + ys[r + 1]) / 2; }
        const y = Math.round(ya.c2p(yc));
        if (y < 0 || y > ya._length) continue;
        for (let c = 0; c < z[r].length; c++) {
          let xc;
          if (cell.xCenter) xc = cell.xCenter[c];
          else { if (c + 1 === z[r].length && xs[c + 1] === undefined) continue; xc = (xs[c] + xs[c + 1]) / 2; }
          const x = Math.round(xa.c2p(xc));
          if (x < 0 || x > xa._length) continue;
          const t = text[r] && text[r][c];
          if (t === undefined || t === false || t === null || t === "") continue;
          const v = z[r][c];
          labels.push({ x, y, t: String(t), fill: contrast(v === undefined ? background : colour(v)) });
        }
      }
      let size = gd._fullLayout.font.size;
      let dx = Infinity, dy = Infinity, chars = 0;
      labels.forEach((a, i) => {
        chars = Math.max(chars, a.t.length);
        const b = labels[i + 1];
        if (!b) return;
        const sx = Math.abs(b.x - a.x), sy = Math.abs(b.y - a.y);
        if (sx) dx = Math.min(dx, sx);
        if (sy) dy = Math.min(dy, sy);
      });
      if (Number.isFinite(dx) && Number.isFinite(dy)) {
        size = Math.min(Math.floor(dx / chars / (SPACING / 2)), Math.floor(dy / SPACING), size);
      }
      if (!(size > 0) || !Number.isFinite(size)) continue;
      const shift = size * (SPACING / 2 - 1);  // one line: its baseline below the centre, as plotly.js sets it
      const g = document.createElementNS("http://www.w3.org/2000/svg", "g");
      g.setAttribute("class", "heatmap-label");
      g.setAttribute("text-anchor", "middle");
      Object.assign(g.style, {
        fontFamily: gd._fullLayout.font.family, fontSize: `${size}px`, fontWeight: "normal", fontStyle: "normal",
        fontVariant: "normal", whiteSpace: "pre", pointerEvents: "none",
      });
      g.innerHTML = labels.map((a) => `<text x="${a.x}" y="${a.y - shift}" style="fill:${a.fill}">${a.t}</text>`).join("");
      group.appendChild(g);
    }
  };
  return { split, draw };
})();
"""

ESM = (
    HEATMAP_LABELS
    + """
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
    let mine = [];  // the traces whose cell labels are drawn here (fpplanLabels), not by plotly.js
    let listening = false;
    const draw = () => {
      const f = model.get("figure");
      if (!drawn) { div.replaceChildren(); drawn = true; }  // the image goes: plotly.js draws the same figure
      const given = fpplanLabels.split(f.data || []);
      mine = given.mine;
      Plotly.react(div, given.data, { template, ...(f.layout || {}) }, config);
      // the figure as given, labels and all, for what copies it (the mode bar's PNG, a resize draws them itself)
      mine.forEach((i) => { div.data[i].texttemplate = f.data[i].texttemplate; });
      if (!listening) {  // after every drawing of plotly.js from now on (this one, a resize, a zoom)
        listening = true;
        div.on("plotly_afterplot", () => fpplanLabels.draw(div, mine));
        fpplanLabels.draw(div, mine);
      }
    };
    if (target) idle(() => drawn || draw()); else draw();
    model.on("change:figure", draw);
    const resized = new ResizeObserver(() => div.offsetParent && Plotly.Plots.resize(div));
    resized.observe(div);
    return () => { resized.disconnect(); Plotly.purge(div); };
  },
};
"""
)


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
