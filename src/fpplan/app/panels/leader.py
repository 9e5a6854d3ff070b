"""What the leader pages (领导总览, 地区总览, 督导与考核) share: a layout that fits a phone (one column below 600 px, no sideways
scrolling, figures drawn at a phone's width), print CSS, and the two links "保存为图片" and "打印/PDF".

The image and the PDF of a static page are made on the server, once per data version, by headless chromium
(``fpplan.server.export``) and fetched with plain links (``download`` names the file; no pop-up, no
``window.open``): in WeChat's browser the link shows the image, which a long press saves or forwards. Nothing here
imports anything heavy (the landing page's kernel uses it)."""

from __future__ import annotations

import json
from html import escape
from urllib.parse import urlencode

from fpplan.app.style import PLOTLY_CONFIG

PHONE_MAX_PX = 600  # below this width the page is one column and shows the figures drawn for a phone
EXPORT_URL = "../../fpplan/export/"  # from /voila/render/<page>.ipynb (any base URL)

CSS = (
    "<style>"
    ".fp-leader{max-width:1240px;box-sizing:border-box;overflow-wrap:anywhere}"
    ".fp-leader *{box-sizing:border-box}"
    ".fp-leader h2{font-size:22px}"
    ".fp-cards{display:flex;flex-wrap:wrap;gap:8px;margin:6px 0}"
    ".fp-card{flex:1 1 170px;max-width:100%;padding:10px 14px;border-radius:6px;background:#f3f6fa;"
    "border-left:5px solid #1565c0}"
    ".fp-card-title{font-size:13px;color:#555}.fp-card-value{font-size:24px;font-weight:600}"
    ".fp-toolbar{display:flex;flex-wrap:wrap;gap:8px;margin:4px 0 10px 0}"
    ".fp-toolbar a{display:inline-block;padding:6px 14px;border:1px solid #1565c0;border-radius:4px;"
    "color:#1565c0;text-decoration:none;font-size:14px;background:#fff}"
    ".fp-toolbar a:active{background:#e3f2fd}"
    ".fp-hint{font-size:12px;color:#777;align-self:center}"
    ".fpplan-figure{width:100%;max-width:100%;overflow:hidden}"
    ".fp-narrow{display:none}"
    ".fp-table{border-collapse:collapse;width:100%;font-size:14px;margin:6px 0 12px 0}"
    ".fp-table th,.fp-table td{border-bottom:1px solid #e0e0e0;padding:4px 6px;text-align:right;white-space:nowrap}"
    ".fp-table th{background:#f3f6fa;font-weight:600}"
    ".fp-table td.fp-text,.fp-table th.fp-text{text-align:left}"
    ".fp-table td.fp-chosen{background:#fff8e1;font-weight:600}"
    ".fp-rank-by{margin:6px 0;font-size:14px}.fp-rank-by select{font-size:14px;padding:3px;max-width:100%}"
    # a table wider than the screen scrolls inside its own box, not the page (督导与考核's tables)
    ".fp-scroll{max-width:100%;overflow-x:auto;-webkit-overflow-scrolling:touch;margin:4px 0 10px 0}"
    ".fp-table td.fp-long{white-space:normal;min-width:10em;text-align:left}.fp-unit{display:none}"
    f"@media (max-width:{PHONE_MAX_PX}px){{"
    ".fp-leader h2{font-size:19px}"
    ".fp-card{flex:1 1 100%}.fp-card-value{font-size:21px}"
    ".fp-wide{display:none}.fp-narrow{display:block}"
    # the ranking table as one small card per county: each cell on its own line, its column's title before it
    ".fp-table thead{display:none}.fp-table,.fp-table tbody,.fp-table tr,.fp-table td{display:block;width:100%}"
    ".fp-table tr{border:1px solid #e0e0e0;border-radius:6px;margin:0 0 8px 0;padding:4px 8px}"
    ".fp-table td{border:none;padding:2px 0;text-align:right;white-space:normal}"
    ".fp-table td::before{content:attr(data-label);float:left;color:#555;font-weight:400;padding-right:8px}"
    ".fp-table td.fp-text{text-align:left;font-size:16px;font-weight:600}.fp-table td.fp-text::before{content:none}"
    ".fp-table td.fp-rank{float:left;width:auto;padding-right:8px}"
    # a phone shows each county's rank, name, the chosen measure and its red and amber indicators
    ".fp-table td[data-key]:not(.fp-chosen):not([data-key=red]):not([data-key=amber]){display:none}"
    # a table of numbers in small type, its headers wrapped (督导与考核's fit a 375-px screen); one too wide
    # scrolls in its box; a table of words (fp-rows) shows every cell
    ".fp-scroll .fpplan-table{font-size:12px}.fp-scroll .fpplan-table th,.fp-scroll .fpplan-table td{padding:3px 4px}"
    ".fp-rows td:empty,.fp-rows td.fp-wide-only{display:none}.fp-rows .fp-unit{display:inline}"
    ".fp-table td.fp-long{min-width:0;text-align:right}"
    "}"
    "@media print{"
    "@page{size:A4 portrait;margin:12mm}"
    ".fp-toolbar,.fp-rank-by,.fp-hint,.fp-back{display:none !important}"
    ".fp-table{font-size:11px}.fp-table th{white-space:normal}.fp-table th,.fp-table td{padding:3px 4px}"
    ".fp-card,.fpplan-figure,.fp-table tr{break-inside:avoid;page-break-inside:avoid}"
    # on paper the figures' phone copies, two a row: their text stays readable at A4's width
    ".fp-wide{display:none}.fp-narrow{display:block}"
    ".fpplan-figure{display:inline-block;width:49%;vertical-align:top}"
    # a page's one figure (fp-whole) across the sheet, as drawn for a desktop
    ".fpplan-figure.fp-whole{display:block;width:100%}.fp-whole .fp-wide{display:block}.fp-whole .fp-narrow{display:none}"
    ".fp-table thead{display:table-header-group}"
    ".fp-scroll{overflow:visible}.fpplan-table{font-size:10px;width:100%}.fpplan-table thead{display:table-header-group}"
    ".fpplan-table tr{break-inside:avoid;page-break-inside:avoid}"
    "body{-webkit-print-color-adjust:exact;print-color-adjust:exact}"
    "}"
    "</style>"
)


def cards_html(cards: list[dict]) -> str:
    """Key-number cards (title, value, colour) that wrap: several a row on a desktop, one a row on a phone."""
    return (
        "<div id='fpplan-cards' class='fp-cards'>"
        + "".join(
            f"<div class='fp-card' style='border-left-color:{c['colour']}'><div class='fp-card-title'>{escape(c['title'])}"
            f"</div><div class='fp-card-value'>{escape(c['value'])}</div></div>"
            for c in cards
        )
        + "</div>"
    )


def figure_html(element_id: str, spec: dict, wide: str | None, narrow: str | None, whole: bool = False) -> str:
    """A figure for a static page: its SVG drawn at a desktop width and at a phone's, the page's width choosing
    (CSS); interactive on first touch (``common.STATIC_FIGURES_SCRIPT``). Without images: drawn on load. ``whole``:
    the page's one figure, printed across the sheet (not two a row)."""
    figure = json.dumps(
        {"data": spec.get("data", []), "layout": spec.get("layout", {}), "config": PLOTLY_CONFIG}, ensure_ascii=False
    ).replace("</", "<\\/")
    images = (
        f"<div class='fp-wide'>{wide}</div><div class='fp-narrow'>{narrow}</div>" if wide and narrow else wide or ""
    )
    return (
        f"<div id='{element_id}' class='fpplan-figure{' fp-whole' if whole else ''}' tabindex='0'>{images}</div>"
        f"<script type='application/json' id='{element_id}-spec'>{figure}</script>"
    )


def export_link(page: str, fmt: str, query: dict) -> str:
    """The address of a page's image or PDF, relative to the page (``fpplan.server.export.ExportHandler``)."""
    return f"{EXPORT_URL}{page}.{fmt}?" + urlencode({k: v for k, v in query.items() if v is not None})


def toolbar_html(page: str, query: dict, file_stem: str) -> str:
    """ "保存为图片" and "打印/PDF" as plain links. The image is the phone's layout on a phone and the desktop's on a
    wider screen (a short script picks it; without script the phone's)."""
    image = export_link(page, "png", query | {"width": "phone"})
    pdf = export_link(page, "pdf", query)
    from fpplan.data.labels import ui

    return (
        f"<div class='fp-toolbar'><a id='fp-save-image' href='{escape(image)}' download='{escape(file_stem)}.png'>"
        f"{escape(ui('leader_save_image'))}</a><a id='fp-save-pdf' href='{escape(pdf)}' "
        f"download='{escape(file_stem)}.pdf'>{escape(ui('leader_print_pdf'))}</a>"
        f"<span class='fp-hint'>{escape(ui('leader_image_hint'))}</span></div>"
        f"<script>(function () {{ if (window.innerWidth > {PHONE_MAX_PX}) {{"
        " const a = document.getElementById('fp-save-image');"
        " a.href = a.href.replace('width=phone', 'width=desktop'); } })();</script>"
    )
