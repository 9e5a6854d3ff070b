"""情景分析 rendered ahead: the plan scenario as it stands (its four figures with the stored 80% bands, the headline,
the recent records) shown while the kernel starts; its controls then attach and the figures are redrawn in place
as they move (``panels.scenarios``)."""

from __future__ import annotations

from fpplan.app.pages import Page
from fpplan.app.pages import html as page
from fpplan.app.pages.store import HEADER_MARK
from fpplan.app.panels import page_image
from fpplan.data.labels import ui


def build(county, manifest: dict) -> Page:
    import json
    from pathlib import Path

    from fpplan.app.panels.live_figure import default_template
    from fpplan.app.panels.scenarios import (
        FIGURES,
        FIRST_VIEW,
        HEADER,
        HEADLINE,
        RECORDED,
        TARGETS,
        first_view,
        model,
        observed_html,
    )

    m = model(manifest)
    figs, headline, _ = first_view(manifest, m, computed=True)
    kept = Path(manifest["path"]) / FIRST_VIEW  # the kernels start from it (no projection needed to show the page)
    kept.parent.mkdir(parents=True, exist_ok=True)
    kept.write_text(
        json.dumps({"figures": figs, "headline": headline}, ensure_ascii=False, allow_nan=False), encoding="utf-8"
    )
    template = default_template()  # what the live figures add to each layout
    figures = {
        TARGETS[k]: ({"data": figs[k]["data"], "layout": {"template": template, **figs[k]["layout"]}}, page.HALF)
        for k in FIGURES
    }
    grid = "<div class='fp-grid2'>" + "".join(page.figure(TARGETS[k], {}, embed_spec=False) for k in FIGURES) + "</div>"
    body = (
        f"<div class='fp-row'><div id='{HEADLINE}' class='fp-half'>{headline}</div>"
        f"<div id='{RECORDED}' class='fp-half'>{observed_html(manifest)}</div></div>" + grid
    )
    head = f"<div id='{HEADER}'>{HEADER_MARK}</div>" + page_image.page_html("app_scenarios", manifest)
    html = page.CSS + page.live_page(head, body, ui("pages_controls_loading"))
    return Page("live", "app_scenarios", html, figures, "cartesian")
