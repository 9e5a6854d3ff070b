"""督导与考核 rendered ahead: a page without controls, answered whole without a kernel; a leader page
(``panels.leader``): its figure an SVG image drawn at a desktop's width and at a phone's (the screen's width
choosing), "保存为图片" and "打印/PDF" after the title, then the key numbers, the figure and the tables."""

from __future__ import annotations

from fpplan.app.pages import Page
from fpplan.app.pages import html as page

ELEMENT = "fpplan-figure-supervision"
PHONE = ELEMENT + "-phone"  # the phone's copy of the figure (its image only: the element is the desktop's)


def build(county, manifest: dict) -> Page:
    from fpplan.app.figure_images import PHONE_WIDTH
    from fpplan.app.panels import leader
    from fpplan.app.panels.supervision import page_content, toolbar

    fig, cards, body = page_content(manifest, county.path)
    head = leader.CSS + toolbar(manifest) + cards
    if fig is None:
        return Page("static", "app_supervision", page.static_body(head, body))
    spec = page.spec(fig)
    figure = leader.figure_html(
        ELEMENT, spec, page.FIGURE_MARK.format(ELEMENT), page.FIGURE_MARK.format(PHONE), whole=True
    )
    return Page(
        "static",
        "app_supervision",
        page.static_body(head, figure, body),
        {ELEMENT: (spec, page.WIDE), PHONE: (spec, PHONE_WIDTH)},
    )
