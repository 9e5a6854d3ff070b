"""Every dashboard rendered ahead, once per data version, so that a visitor sees its figures at once.

With the results (``fpplan.app.results.compute``), ``build.write_pages`` renders each page that does not depend on
a control as HTML with its figures drawn as SVG images (plotly.js in headless chromium, ``figure_images``) and keeps
it with the results (``store``). Visitors get it from the server before any kernel runs (``serving``):

- pages whose controls only choose among prepared views are answered whole, without a kernel: a list shows one of
  the sections prepared for each choice (建设规划's stations and tables, 技术人员月考's years), a figure becomes
  interactive when first touched;
- pages whose controls recalculate (情景分析, 乡镇指标's causes, 服务半径与选址's map) are shown first as they are
  for the default choices, then their kernel's widgets attach: the controls appear, and the figures and tables are
  adopted by ``LiveFigure`` / ``LiveHTML`` widgets, which redraw them in place (``Plotly.react``) from lookups into
  what the results hold (scorecards of every target set, the map's coverage for every step of its slider).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Page:
    """A page rendered ahead: ``kind`` "static" (no kernel) or "live" (its kernel's widgets adopt it); ``title`` the
    label key of its title; ``html`` its body (``store.HEADER_MARK`` where the title goes, ``html.FIGURE_MARK`` where
    each figure's image goes); ``figures`` element id → (plotly JSON, width in px it is drawn at); ``bundle`` the
    plotly.js partial bundle its figures need ("basic" or "cartesian")."""

    kind: str
    title: str
    html: str
    figures: dict[str, tuple[dict, int]] = field(default_factory=dict)
    bundle: str = "basic"
