"""乡镇指标 rendered ahead: the newest period's township scorecard (counts, heatmap, legend), the first township's
first indicator (red first) with its trend and causes, shown while the kernel starts; the controls then attach.
With it, the scorecards judged against every target set are kept (``pages/scorecard_cards.parquet``), so that a
period, period kind or target set chosen is a lookup (``panels.scorecard.Views``)."""

from __future__ import annotations

from fpplan.app.pages import Page
from fpplan.app.pages import html as page
from fpplan.app.pages.store import FOLDER, HEADER_MARK
from fpplan.app.panels import page_image
from fpplan.data.labels import ui

SURVEY_AFTER = "<style>#rendered_cells [cell-index='2']{order:2}</style>"  # the survey's cell below the page


def build(county, manifest: dict) -> Page:
    from pathlib import Path

    from fpplan.app.panels import scorecard as panel
    from fpplan.data.config import load

    cat = load("indicators", county.path)
    tables = panel.load_tables(manifest, county_of=lambda: county)
    every = panel.every_set(tables["cards"], cat)
    (Path(manifest["path"]) / FOLDER).mkdir(parents=True, exist_ok=True)
    every.to_parquet(Path(manifest["path"]) / FOLDER / "scorecard_cards.parquet", index=False)
    tables["every_set"] = every
    views = panel.Views(tables, cat)
    head = f"<div id='{panel.HEADER}'>{HEADER_MARK}</div>" + page_image.page_html("app_scorecard", manifest)
    if not panel.kinds_scored(manifest, tables):
        months = manifest.get("periods", {}).get("month", [])
        text = f"<p id='fpplan-no-scorecard' style='font-size:15px'>{ui('scorecard_none', n=len(months))}</p>"
        return Page("static", "app_scorecard", page.static_body(text))
    first = panel.first_view(manifest, views)
    figures = {panel.HEATMAP: (page.spec(first["heatmap"]), page.WIDE)}
    trend = ""
    if first["trend"] is not None:
        figures[panel.TREND] = (page.spec(first["trend"]), page.WIDE)
        trend = page.figure(panel.TREND, {}, embed_spec=False)
    body = (
        f"<div id='{panel.COUNTS}'>{first['counts']}</div>"
        + page.figure(panel.HEATMAP, {}, embed_spec=False)
        + f"<div id='{panel.LEGEND}'>{panel.legend_html()}</div>"
        + trend
        + f"<div id='{panel.CAUSES}'>{first['causes']}</div>"
    )
    html = page.CSS + SURVEY_AFTER + page.live_page(head, body, ui("pages_controls_loading"))
    return Page("live", "app_scorecard", html, figures, "cartesian")
