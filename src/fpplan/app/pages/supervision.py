"""督导与考核 rendered ahead: a page without controls, answered whole without a kernel (its figure an SVG image)."""

from __future__ import annotations

from fpplan.app.pages import Page
from fpplan.app.pages import html as page


def build(county, manifest: dict) -> Page:
    from fpplan.app.panels.supervision import page_content

    fig, body = page_content(manifest, county.path)
    if fig is None:
        return Page("static", "app_supervision", page.static_body(body))
    spec = page.spec(fig)
    element = "fpplan-figure-supervision"
    return Page("static", "app_supervision", page.static_body(page.figure(element, spec), body),
                {element: (spec, page.WIDE)})
