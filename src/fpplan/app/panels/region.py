"""地区总览: the region's overview, the landing page when the server serves a region folder. A static page drawn from
the document computed once per region version (``fpplan.app.region_content``): the region's cards, the counties
ranked by a chosen measure (a county's name opens its 领导总览), two figures; "保存为图片" and "打印/PDF".

Choosing the measure re-orders the table in the browser (a short script over the ranking the document holds: no
kernel round trip) and points the image and PDF links at the same order, which the server draws
(``fpplan.server.export``). The kernel imports neither pandas, plotly nor ipywidgets."""

from __future__ import annotations

import json
from html import escape
from urllib.parse import quote

from fpplan.app import region_results
from fpplan.app.panels import leader
from fpplan.app.panels.common import STATIC_FIGURES_SCRIPT, data_path
from fpplan.data.labels import month_text, ui

COUNTY_PAGE = "领导总览.ipynb"


def summary() -> dict:
    """The region summary in use; recomputed first (changed counties only, under a lock) if any county's data
    changed since."""
    folder = data_path()
    current = region_results.current(folder)
    if region_results.is_stale(folder, current):
        region_results.ensure_region_results(folder)
        current = region_results.current(folder)
    return current


def as_of_text(summary: dict) -> str:
    first, last = summary["data_as_of"]["first_month"], summary["data_as_of"]["last_month"]
    if first is None:
        return ""
    if first == last:
        return ui("data_as_of", month=month_text(first))
    return ui("region_as_of_range", first=month_text(first), last=month_text(last))


def file_stem(summary: dict) -> str:
    """The image's and PDF's file name: region, page, data as of."""
    month = summary["data_as_of"]["last_month"]
    return ui("leader_file_region", region=summary["region"]["name"], as_of=month_text(month) if month else "")


def ordered_rows(doc: dict, by: str) -> list[dict]:
    by_code = {row["code"]: row for row in doc["rows"]}
    return [by_code[code] for code in doc["rankings"][by]]


def table_html(doc: dict, by: str, links: bool) -> str:
    """The ranking table in the order of ``by`` (its column marked); each row carries its measures' values."""
    head = (
        f"<th class='fp-text'>{escape(ui('region_rank'))}</th><th class='fp-text'>{escape(ui('region_county'))}"
        "</th>" + "".join(f"<th data-key='{c['key']}'>{escape(c['title'])}</th>" for c in doc["columns"])
    )
    body = []
    for rank, row in enumerate(ordered_rows(doc, by), start=1):
        name = escape(row["name"])
        if links:  # a plain link: the county's overview, its county named in the address
            name = f"<a href='{quote(COUNTY_PAGE)}?county={quote(row['code'])}'>{name}</a>"
        cells = "".join(
            f"<td data-key='{c['key']}' data-label='{escape(c['title'])}'"
            f"{' class=fp-chosen' if c['key'] == by else ''}>{escape(row['cells'][c['key']])}</td>"
            for c in doc["columns"]
        )
        body.append(
            f"<tr data-code='{escape(row['code'])}'><td class='fp-text fp-rank'>{rank}</td>"
            f"<td class='fp-text fp-name'>{name}</td>{cells}</tr>"
        )
    return (
        f"<table id='fpplan-ranking' class='fp-table'><thead><tr>{head}</tr></thead>"
        f"<tbody>{''.join(body)}</tbody></table>"
    )


def measure_html(doc: dict, by: str) -> str:
    options = "".join(
        f"<option value='{m['key']}'{' selected' if m['key'] == by else ''}>{escape(m['title'])}</option>"
        for m in doc["measures"]
    )
    return (
        f"<div class='fp-rank-by'><label>{escape(ui('region_rank_by'))}："
        f"<select id='fpplan-rank-by'>{options}</select></label></div>"
    )


# re-orders the table by the chosen measure's ranking, marks its column, and points the image and PDF links at it
RANK_SCRIPT = (
    "<script>(function () { const rankings = JSON.parse(document.getElementById('fpplan-rankings')"
    ".textContent); const select = document.getElementById('fpplan-rank-by');"
    " const body = document.querySelector('#fpplan-ranking tbody');"
    " select.addEventListener('change', () => { const by = select.value;"
    " const rows = new Map([...body.rows].map(r => [r.dataset.code, r]));"
    " rankings[by].forEach((code, i) => { const r = rows.get(code);"
    " r.querySelector('.fp-rank').textContent = i + 1; body.appendChild(r);"
    " r.querySelectorAll('td[data-key]').forEach(td => td.classList.toggle('fp-chosen', td.dataset.key === by));"
    " }); for (const id of ['fp-save-image', 'fp-save-pdf']) { const a = document.getElementById(id);"
    " if (!a) continue; const u = new URL(a.href); u.searchParams.set('by', by); a.href = u.toString(); } });"
    " })();</script>"
)


def region_html(summary: dict, doc: dict, by: str | None = None, toolbar: str = "", links: bool = True) -> str:
    """The page as HTML (layout CSS included; no script but the figures' specifications and the rankings)."""
    by = by if by in doc["rankings"] else summary["measures"][0]
    region = summary["region"]["name"]
    header = (
        f"<h2 style='margin:4px 0 2px 0'>{escape(ui('app_region'))}<span class='fpplan-county'> · "
        f"{escape(region)}</span></h2><div id='fpplan-as-of' style='color:#555;font-size:13px;margin-bottom:8px'>"
        f"{escape(ui('region_counties_line', region=region, n=summary['totals']['counties']))} · "
        f"{escape(as_of_text(summary))}</div>"
    )
    images, phone = doc.get("images", {}), doc.get("images_phone", {})
    figures = "".join(
        leader.figure_html(f"fpplan-figure-{name}", spec, images.get(name), phone.get(name))
        for name, spec in doc["figures"].items()
    )
    rankings = json.dumps(doc["rankings"], ensure_ascii=False).replace("</", "<\\/")
    return (
        leader.CSS
        + "<div class='fp-leader'>"
        + header
        + toolbar
        + leader.cards_html(doc["cards"])
        + figures
        + f"<h3 style='margin:12px 0 4px 0'>{escape(ui('region_ranking'))}</h3>"
        + measure_html(doc, by)
        + table_html(doc, by, links)
        + f"<script type='application/json' id='fpplan-rankings'>{rankings}</script></div>"
    )


def page_html(current: dict) -> str:
    """The page as a visitor gets it (``current``: the region summary in use)."""
    doc = region_results.document(current, "overview")
    by = current["measures"][0]
    toolbar = leader.toolbar_html("region", {"by": by, "v": current["version"][:12]}, file_stem(current))
    return region_html(current, doc, by, toolbar) + RANK_SCRIPT + STATIC_FIGURES_SCRIPT


def region_page() -> None:
    """The page from its kernel (when the server could not answer it from the summary: fpplan.app.pages.serving)."""
    from IPython.display import HTML, display

    display(HTML(page_html(summary())), metadata={"fpplan_static": True})  # written into the page by the template
