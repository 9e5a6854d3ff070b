"""What a plan could not take from the county's own data, and what it used instead: sentences in the current
language for the workbook, the CLI and the dashboards (``Plan.notes``)."""

from __future__ import annotations

from fpplan.data.labels import ui
from fpplan.data.models.planning import ServicesConfig
from fpplan.planning.demand import uncollected_services


def plan_notes(county, services: ServicesConfig, equipment_reported: bool) -> tuple[str, ...]:
    """One sentence per service planned from a population-based rate (its element not collected), and one when
    the county reported no equipment."""
    out = []
    reasons = county.config["collection"].reasons() if county.config.get("collection") is not None else {}
    elements = county.config["data_elements"].elements
    rates = county.config["population_rates"].rates
    for name, element in uncollected_services(county, services).items():
        rate = rates[name]
        out.append(ui("plan_note_population_rate", element=elements[element].zh if element in elements else element,
                      reason=reasons[element],
                      rate=f"{rate.per_person_year:g}", source=rate.source))
    if not equipment_reported:
        out.append(ui("plan_note_equipment_not_reported"))
    return tuple(out)
