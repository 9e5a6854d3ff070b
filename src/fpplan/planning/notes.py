"""What a plan could not take from the county's own data, and what it used instead: sentences in the current
language for the workbook, the CLI and the dashboards (``Plan.notes``)."""

from __future__ import annotations

from fpplan.data.config import config_path
from fpplan.data.documents import official_source
from fpplan.data.errors import DataError, Problem
from fpplan.data.labels import ui
from fpplan.data.models.planning import ServicesConfig
from fpplan.planning.demand import uncollected_services


def plan_notes(county, services: ServicesConfig, equipment_reported: bool) -> tuple[str, ...]:
    """One sentence per service planned from a population-based rate (its element not collected), one when the
    county reported no equipment, one when it has no village_rooms table (its rooms and schools not assessed)."""
    out = []
    reasons = county.config["collection"].reasons() if county.config.get("collection") is not None else {}
    elements = county.config["data_elements"].elements
    rates = county.config["population_rates"].rates
    for name, element in uncollected_services(county, services).items():
        rate = rates[name]
        out.append(
            ui(
                "plan_note_population_rate",
                element=elements[element].zh if element in elements else element,
                reason=reasons[element],
                rate=f"{rate.per_person_year:g}",
                source=official_source(rate.source),  # document titles; 演示假设, not the planner's remarks
            )
        )
    if not equipment_reported:
        out.append(ui("plan_note_equipment_not_reported"))
    if not county.has("village_rooms"):
        out.append(ui("plan_note_rooms_not_assessed"))
    return tuple(out)


def plan_start(county, start_year: int | None = None) -> int:
    """The plan's first year: ``start_year`` (``fpplan plan --start-year``), else config/timeline.yaml's
    ``start_year``, else recruitment.yaml's ``first_year``, else the year after the base year. Nothing is hired,
    trained or bought before it; a start in the base year or before is refused (the base year is 现状)."""
    cfg = county.config
    timeline = cfg.get("timeline")
    chosen = [
        (start_year, "--start-year"),
        (timeline.start_year if timeline is not None else None, str(config_path(county.path, "timeline"))),
        (cfg["recruitment"].first_year, str(config_path(county.path, "recruitment"))),
    ]
    for year, where in chosen:
        if year is not None:
            if year <= county.base_year:
                raise DataError(
                    [
                        Problem(
                            file=where,
                            kind="start_before_base",
                            column="start_year",
                            value=year,
                            detail=str(county.base_year),
                        )
                    ]
                )
            return int(year)
    return county.base_year + 1
