"""建设规划 rendered ahead, answered without a kernel: every station's capacity figure prepared (the station chosen in
the browser), the sections on village rooms, the demand survey and contraceptive supply, the workbook's sheets as
tabs, the workbook itself as a download."""

from __future__ import annotations

from fpplan.app.pages import Page
from fpplan.app.pages import html as page
from fpplan.data.labels import ui


def build(county, manifest: dict) -> Page:
    from fpplan.app.panels.construction import page_parts

    parts = page_parts(manifest)
    figures = {
        "fpplan-figure-gantt": (page.spec(parts["gantt"]), page.WIDE),
        "fpplan-figure-money": (page.spec(parts["money"]), page.HALF),
    }
    stations = parts["stations"]
    sections = []
    for k, (code, _) in enumerate(stations):
        element = f"fpplan-figure-capacity-{k}"
        figures[element] = (page.spec(parts["capacity"][code]), page.HALF)
        sections.append(page.section("station", code, page.figure(element, figures[element][0]), k == 0))
    choice = page.choice("station", ui("station_select"), stations, stations[0][0]) if stations else ""
    row = (
        f"<div class='fp-row'><div class='fp-half'>{choice}{''.join(sections)}</div>"
        f"<div class='fp-half'>{page.figure('fpplan-figure-money', figures['fpplan-figure-money'][0])}</div></div>"
    )
    body = page.static_body(
        parts["intro"],
        page.figure("fpplan-figure-gantt", figures["fpplan-figure-gantt"][0]),
        row,
        parts["sections"],
        page.tabs("sheet", parts["tables"]),
        f"<p>{parts['link']}</p>",
    )
    return Page("static", "app_construction", body, figures)
