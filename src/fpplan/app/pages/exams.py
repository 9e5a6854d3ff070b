"""技术人员月考 rendered ahead: every year's figure and tables prepared, the year chosen in the browser (no kernel).

A staff-level page: it is kept with the county's results on this machine and served only where its notebook is
(``fpplan.server.serve`` leaves it out off this machine unless the county shares staff pages)."""

from __future__ import annotations

from fpplan.app.pages import Page
from fpplan.app.pages import html as page
from fpplan.app.panels.common import not_collected
from fpplan.data.labels import ui


def build(county, manifest: dict) -> Page:
    from fpplan.app.panels.exams import exam_years, year_content

    years = exam_years(county)
    if not years:
        return Page("static", "app_exams", page.static_body(not_collected("exams_none")))
    figures, sections = {}, []
    for year in years:
        fig, tables = year_content(county, year)
        element = f"fpplan-figure-exams-{year}"
        figures[element] = (page.spec(fig), page.WIDE)
        sections.append(
            page.section("exam-year", str(year), page.figure(element, figures[element][0]) + tables, year == years[-1])
        )
    choice = page.choice("exam-year", ui("year"), [(str(y), str(y)) for y in reversed(years)], str(years[-1]))
    return Page("static", "app_exams", page.static_body(choice, *sections), figures)
