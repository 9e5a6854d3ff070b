"""The dashboards' index (Voila's tree page) in Chinese: the county's name, one line on what each page is for (the
label table's ``index_pages``, keyed by the notebook's name), the pages kept on this machine, and what the county's
data do not allow. Written by ``fpplan.server.serve`` into the template as ``tree-lab.html`` (a Jinja template extending
the fpplan ``page.html``, which serves Font Awesome locally): nothing is requested beyond the server.
"""

from __future__ import annotations

import html
from pathlib import Path

from fpplan.data.labels import label, ui

ORDER = ("领导总览", "情景分析", "建设规划", "乡镇指标", "服务半径与选址", "技术人员月考", "数据导入")
ICONS = {
    "领导总览": "fa-chart-line",
    "情景分析": "fa-sliders-h",
    "建设规划": "fa-building",
    "乡镇指标": "fa-th-list",
    "服务半径与选址": "fa-map-marked-alt",
    "技术人员月考": "fa-user-graduate",
    "数据导入": "fa-file-upload",
}
STYLE = """
  <style>
    body { background-color: var(--jp-layout-color0); font-family: "Noto Sans CJK SC", "Microsoft YaHei", sans-serif; }
    #fpplan-index { width: 80%; max-width: 980px; margin: 40px auto; }
    #fpplan-index h1 { font-size: 24px; margin: 0 0 4px 0; color: var(--jp-ui-font-color0); }
    #fpplan-index .lead { color: #555; font-size: 14px; margin-bottom: 16px; }
    #fpplan-index ul.pages { list-style: none; margin: 0; padding: 0; border: 1px solid #ddd; border-radius: 6px; }
    #fpplan-index ul.pages > li { border-bottom: 1px solid #e5e5e5; }
    #fpplan-index ul.pages > li:last-child { border-bottom: none; }
    #fpplan-index ul.pages > li:hover { background: #f3f6fa; }
    #fpplan-index ul.pages a { display: block; padding: 12px 16px; text-decoration: none; color: inherit; }
    #fpplan-index .page-title { font-size: 17px; font-weight: 600; color: #1565c0; }
    #fpplan-index .page-title i { width: 26px; }
    #fpplan-index .page-line { display: block; margin-left: 26px; color: #444; font-size: 14px; }
    #fpplan-index .aside { color: #555; font-size: 13px; margin-top: 14px; }
    #fpplan-index .aside li { margin: 3px 0; }
  </style>
"""


def pages_of(folder: Path) -> list[str]:
    """The dashboards in ``folder`` (notebook names without .ipynb), in the index's order."""
    names = [p.stem for p in folder.glob("*.ipynb")]
    return sorted(names, key=lambda n: (ORDER.index(n) if n in ORDER else len(ORDER), n))


def tree_template(pages: list[str], county_name: str, withheld: list[str], notes: list[str]) -> str:
    """The Jinja text of ``tree.html``: Voila fills in ``base_url``, ``frontend`` and ``query`` (the login token)."""
    items = []
    for name in pages:
        href = "{{ base_url }}{{ frontend }}/render/" + html.escape(name) + ".ipynb?{{ query }}"
        items.append(
            f'      <li><a href="{href}" target="_blank"><span class="page-title"><i class="fa '
            f'{ICONS.get(name, "fa-book")}"></i>{html.escape(name)}</span>'
            f'<span class="page-line">{html.escape(label("index_pages", name))}</span></a></li>'
        )
    aside = []
    if withheld:
        aside.append(f'<p class="aside">{html.escape(ui("index_withheld", pages="、".join(withheld)))}</p>')
    if notes:
        aside.append(
            f'<div class="aside"><b>{html.escape(ui("not_assessed_title"))}</b><ul>'
            + "".join(f"<li>{html.escape(n)}</li>" for n in notes)
            + "</ul></div>"
        )
    title = html.escape(ui("index_title", county=county_name))
    return (
        "\n".join(
            [
                '{% extends "page.html" %}',
                "{% block title %}" + title + "{% endblock %}",
                "{% block stylesheets %}{{ super() }}" + STYLE + "{% endblock %}",
                "{% block body %}",
                '<div id="fpplan-index">',
                f"  <h1>{title}</h1>",
                f'  <div class="lead">{html.escape(ui("index_lead"))}</div>',
                '  <ul class="pages">',
                *items,
                "  </ul>",
                *aside,
                "</div>",
                "{% endblock %}",
            ]
        )
        + "\n"
    )


def write_tree(template_dir: Path, dashboards: Path, county_name: str, withheld: list[str], notes: list[str]) -> Path:
    """Write the index for the pages this server shows into the template folder ``template_dir``: as
    ``tree-lab.html`` (what Voila renders by default, in place of its JupyterLab file browser) and ``tree.html``
    (``classic_tree``)."""
    text = tree_template(pages_of(dashboards), county_name, withheld, notes)
    for name in ("tree.html", "tree-lab.html"):
        (template_dir / name).write_text(text, encoding="utf-8")
    return template_dir / "tree-lab.html"
