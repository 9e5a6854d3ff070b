"""The pieces a page rendered ahead is made of: its layout CSS, figures (an SVG image drawn once per data version,
interactive on first touch), choices made in the browser (a list that shows one of several prepared sections), tabs,
and where a page's live controls go.

Only the standard library: the server writes these pages for each request from what the results hold.
"""

from __future__ import annotations

import hashlib
import json
import re
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
    its specification (plotly JSON) for plotly.js to draw it interactive on first touch; its layout's template (the
    same 7 KB in every figure of a page) named, and kept once on the page (``shared_templates``)."""
    out = f"<div id='{element_id}' class='fpplan-figure' tabindex='0'>{FIGURE_MARK.format(element_id)}</div>"
    if embed_spec:
        layout = dict(spec.get("layout", {}))
        template = layout.pop("template", None)
        if template is not None:
            text = _json(template)
            layout["template"] = name = "fpplan-template-" + hashlib.sha1(text.encode()).hexdigest()[:12]
            out += f"<script type='application/json' id='{name}' class='fp-template'>{text}</script>"
        out += (
            f"<script type='application/json' id='{element_id}-spec'>"
            f"{_json({'data': spec.get('data', []), 'layout': layout, 'config': PLOTLY_CONFIG})}</script>"
        )
    return out


def _json(value) -> str:
    """JSON for a data block in the page (``</`` escaped: nothing in it ends the block)."""
    return json.dumps(value, ensure_ascii=False).replace("</", "<\\/")


_TEMPLATE = re.compile(
    r"<script type='application/json' id='(fpplan-template-[0-9a-f]+)' class='fp-template'>.*?</script>"
)


def shared_templates(html: str) -> str:
    """The page's HTML with each figure's template (``figure``) once, at its end (outside any hidden section)."""
    kept = {match.group(1): match.group(0) for match in _TEMPLATE.finditer(html)}
    return _TEMPLATE.sub("", html) + "".join(kept.values())


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
    """One of a group's prepared sections: the one chosen shown; the others hidden and inert until first chosen (their
    HTML kept as text, ``LATER``, made a JSON string by ``inert`` once their figures' images are filled in)."""
    if shown:
        return f"<div data-fp-section='{group}' data-fp-value='{escape(value)}'>{html}</div>"
    return f"<div data-fp-section='{group}' data-fp-value='{escape(value)}' hidden>{LATER.format(html)}</div>"


# A hidden section's content until the page is written: ``inert`` turns it into a JSON string in a data block that
# the browser reads as one text node (no elements built, styled, laid out or painted: 建设规划's seven other
# stations' figures and eight other sheets, 技术人员月考's other years); ``script`` puts it in when first chosen.
LATER = "<!--fpplan-later-->{}<!--/fpplan-later-->"
_LATER = re.compile(r"<!--fpplan-later-->(.*?)<!--/fpplan-later-->", re.DOTALL)


def inert(html: str) -> str:
    """The page's HTML with each hidden section's content (``LATER``, figures' images filled in) as a JSON string in a
    ``<script type='application/json' class='fp-later'>``: nothing in it can end the block (every ``</`` and ``<!--``
    escaped, as JSON allows)."""

    def block(match: re.Match) -> str:
        content = match.group(1)
        if LATER.split("{}")[0] in content:
            raise ValueError("a hidden section inside another")
        text = _json(content).replace("<!--", "<\\u0021--")
        return f"<script type='application/json' class='fp-later'>{text}</script>"

    return _LATER.sub(block, html)


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
    """The one script of a page without a kernel: lists and tabs show their sections (a hidden one's content put in
    when it is first chosen: ``inert``); a figure given as an image becomes interactive (plotly.js loaded then, once) when the pointer or the keyboard first reaches it; a figure
    without an image (no chromium where the results were computed) is drawn when it is first shown."""
    url = PLOTLY_BASIC if bundle == "basic" else PLOTLY_CARTESIAN
    return (
        "<script>(function () { let plotly = null;"
        " const load = () => plotly || (plotly = new Promise((ok, fail) => {"
        f" const s = document.createElement('script'); s.src = '{url}';"
        " s.onload = () => ok(window.Plotly); s.onerror = fail; document.head.appendChild(s); }));"
        " const draw = el => { if (el.dataset.drawn) return; el.dataset.drawn = 'yes';"
        " const f = JSON.parse(document.getElementById(el.id + '-spec').textContent);"
        # the layout's template, kept once on the page (shared_templates)
        " if (typeof f.layout.template === 'string')"
        " f.layout.template = JSON.parse(document.getElementById(f.layout.template).textContent);"
        " const h = Math.round(el.getBoundingClientRect().height); if (h) f.layout.height = h;"
        " load().then(P => { el.replaceChildren(); P.newPlot(el, f.data, f.layout, f.config); }); };"
        " const shown = () => document.querySelectorAll('.fpplan-figure').forEach(el => {"
        " if (!el.querySelector('svg') && el.offsetParent && document.getElementById(el.id + '-spec')) draw(el); });"
        # one listener for every figure, also those of sections put in later
        " const touched = e => { const el = e.target.closest && e.target.closest('.fpplan-figure');"
        " if (el && document.getElementById(el.id + '-spec')) draw(el); };"
        " for (const e of ['pointerover', 'focusin', 'touchstart']) document.addEventListener(e, touched, {passive: true});"
        # a hidden section's content (a JSON string: html.inert) put in when it is first chosen
        " const open = s => { const later = s.querySelector(':scope > script.fp-later');"
        " if (later) s.innerHTML = JSON.parse(later.textContent); };"
        ' const show = (group, value) => document.querySelectorAll(`[data-fp-section="${group}"]`).forEach('
        " s => { s.hidden = s.dataset.fpValue !== value; if (!s.hidden) open(s); });"
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
