"""The pieces a page rendered ahead is made of: its layout CSS, figures (an SVG image drawn once per data version,
interactive on first touch), choices made in the browser (a list that shows one of several prepared sections), tabs,
and where a page's live controls go.

Only the standard library: the server writes these pages for each request from what the results hold.
"""

from __future__ import annotations

import json
from html import escape

from fpplan.app.panels.common import PLOTLY_BASIC, PLOTLY_CARTESIAN
from fpplan.app.style import PLOTLY_CONFIG

FIGURE_MARK = "<!--fpplan-figure:{}-->"  # where a figure's SVG image goes (filled in once the images are drawn)
WIDE, HALF = 1200, 600  # px a figure is drawn at: the page's width, half of it (two a row)

CSS = (
    "<style>"
    ".fp-page{max-width:1240px;box-sizing:border-box;font-size:14px}"
    ".fp-page *{box-sizing:border-box}"
    ".fp-row{display:flex;flex-wrap:wrap;gap:12px;align-items:flex-start}"
    ".fp-row>.fp-half{flex:1 1 480px;min-width:0}"
    ".fpplan-figure{width:100%;max-width:100%;overflow:hidden}"
    ".fpplan-figure>svg{display:block}"
    ".fp-grid2{display:grid;grid-template-columns:repeat(2,minmax(0,1fr));gap:8px}"
    ".fp-choice{margin:6px 0;font-size:14px}.fp-choice select{font-size:14px;padding:3px;max-width:100%}"
    ".fp-tabs{display:flex;flex-wrap:wrap;gap:2px;border-bottom:1px solid #bbb;margin-top:10px}"
    ".fp-tabs button{border:1px solid #bbb;border-bottom:none;background:#f3f6fa;padding:5px 10px;font-size:13px;"
    "cursor:pointer;border-radius:4px 4px 0 0}"
    ".fp-tabs button[aria-selected=true]{background:#fff;font-weight:600}"
    "[data-fp-section][hidden]{display:none}"
    ".fpplan-table{border-collapse:collapse;font-size:13px}.fpplan-table th{background:#ddebf7;padding:4px 8px;"
    "border:1px solid #bbb}.fpplan-table td{padding:3px 8px;border:1px solid #ddd;text-align:right}"
    # a page with live controls: its static pieces and Voila's cells in one column, the controls (the first
    # cell) after the title; the controls' place is kept while they load
    "#rendered_cells>div:has(.fp-live){display:flex;flex-direction:column}"
    ".fpplan-static:has(.fp-live),.fp-live{display:contents}"
    ".fp-live>.fp-head{order:-2}.fp-live>.fp-wait{order:-1}.fp-live>.fp-body{order:1}"
    ".fp-wait{color:#888;font-size:13px;min-height:2em}"
    "#rendered_cells>div:has(.jupyter-widgets) .fp-wait{display:none}"
    "</style>"
)


def figure(element_id: str, spec: dict, embed_spec: bool = True) -> str:
    """A figure's element: its SVG image (drawn with the results, ``FIGURE_MARK``) and, on a page without a kernel,
    its specification (plotly JSON) for plotly.js to draw it interactive on first touch."""
    out = f"<div id='{element_id}' class='fpplan-figure' tabindex='0'>{FIGURE_MARK.format(element_id)}</div>"
    if embed_spec:
        spec = json.dumps(
            {"data": spec.get("data", []), "layout": spec.get("layout", {}), "config": PLOTLY_CONFIG},
            ensure_ascii=False,
        ).replace("</", "<\\/")
        out += f"<script type='application/json' id='{element_id}-spec'>{spec}</script>"
    return out


def choice(group: str, label: str, options: list[tuple[str, str]], chosen: str) -> str:
    """A list (``<select>``) that shows the section of ``group`` whose value is chosen (``sections``)."""
    items = "".join(
        f"<option value='{escape(value)}'{' selected' if value == chosen else ''}>{escape(text)}</option>"
        for value, text in options
    )
    return (
        f"<div class='fp-choice'><label>{escape(label)}：<select id='fpplan-{group}' data-fp-choice='{group}'>"
        f"{items}</select></label></div>"
    )


def section(group: str, value: str, html: str, shown: bool) -> str:
    """One of a group's prepared sections (the one chosen shown, the others hidden until chosen)."""
    return f"<div data-fp-section='{group}' data-fp-value='{escape(value)}'{'' if shown else ' hidden'}>{html}</div>"


def tabs(group: str, pages: list[tuple[str, str]]) -> str:
    """Tabs (title, html): the first shown; a tab's button shows its page."""
    buttons = "".join(
        f"<button type='button' role='tab' data-fp-tab='{group}' data-fp-value='{k}' "
        f"aria-selected='{'true' if k == 0 else 'false'}'>{escape(title)}</button>"
        for k, (title, _) in enumerate(pages)
    )
    bodies = "".join(section(group, str(k), html, k == 0) for k, (_, html) in enumerate(pages))
    return f"<div class='fp-tabs' role='tablist'>{buttons}</div>{bodies}"


def script(bundle: str = "basic") -> str:
    """The one script of a page without a kernel: lists and tabs show their sections; a figure given as an image
    becomes interactive (plotly.js loaded then, once) when the pointer or the keyboard first reaches it; a figure
    without an image (no chromium where the results were computed) is drawn when it is first shown."""
    url = PLOTLY_BASIC if bundle == "basic" else PLOTLY_CARTESIAN
    return (
        "<script>(function () { let plotly = null;"
        " const load = () => plotly || (plotly = new Promise((ok, fail) => {"
        f" const s = document.createElement('script'); s.src = '{url}';"
        " s.onload = () => ok(window.Plotly); s.onerror = fail; document.head.appendChild(s); }));"
        " const draw = el => { if (el.dataset.drawn) return; el.dataset.drawn = 'yes';"
        " const f = JSON.parse(document.getElementById(el.id + '-spec').textContent);"
        " const h = Math.round(el.getBoundingClientRect().height); if (h) f.layout.height = h;"
        " load().then(P => { el.replaceChildren(); P.newPlot(el, f.data, f.layout, f.config); }); };"
        " const shown = () => document.querySelectorAll('.fpplan-figure').forEach(el => {"
        " if (!el.querySelector('svg') && el.offsetParent && document.getElementById(el.id + '-spec')) draw(el); });"
        " document.querySelectorAll('.fpplan-figure').forEach(el => { for (const e of ['pointerenter', 'focusin',"
        " 'touchstart']) el.addEventListener(e, () => document.getElementById(el.id + '-spec') && draw(el),"
        " {once: true}); });"
        ' const show = (group, value) => document.querySelectorAll(`[data-fp-section="${group}"]`).forEach('
        " s => { s.hidden = s.dataset.fpValue !== value; });"
        " document.querySelectorAll('[data-fp-choice]').forEach(sel => sel.addEventListener('change',"
        " () => { show(sel.dataset.fpChoice, sel.value); shown(); }));"
        " document.querySelectorAll('[data-fp-tab]').forEach(b => b.addEventListener('click', () => {"
        ' document.querySelectorAll(`[data-fp-tab="${b.dataset.fpTab}"]`).forEach('
        " o => o.setAttribute('aria-selected', String(o === b))); show(b.dataset.fpTab, b.dataset.fpValue); shown(); }));"
        " shown(); })();</script>"
    )


def live_page(head: str, body: str, waiting: str) -> str:
    """A page whose controls are live (widgets of its kernel): the title first, the controls' place (Voila's
    cells, shown when they arrive; ``waiting`` until then), then the rest (figures and tables the widgets adopt)."""
    return (
        f"<div class='fp-live'><div class='fp-head fp-page'>{head}</div>"
        f"<div class='fp-wait'>{escape(waiting)}</div><div class='fp-body fp-page'>{body}</div></div>"
    )


def spec(fig) -> dict:
    """A plotly figure as plain JSON (what plotly.js and the images are drawn from)."""
    if isinstance(fig, dict):
        return fig
    return json.loads(fig.to_json())


def static_body(*parts: str) -> str:
    """A page without a kernel: its layout CSS, then its title and data date (written for each request), then
    ``parts``."""
    from fpplan.app.pages.store import HEADER_MARK

    return CSS + "<div class='fp-page'>" + HEADER_MARK + "".join(parts) + "</div>"
