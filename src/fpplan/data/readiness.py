"""What the later commands can and cannot do with a county's data: the optional tables it did not hand in, the
months of monthly reports against what each use of them needs, the data elements it does not collect, and a
population brought forward from an older census. ``fpplan validate`` prints these sentences; the dashboards' index
shows the missing tables."""

from __future__ import annotations

import pandas as pd

from fpplan.data.labels import ui

# optional tables whose absence changes what can be assessed, in the order they are named
ABSENT_ORDER = (
    "survey",
    "exam_scores",
    "survey_rounds",
    "training_register",
    "equipment",
    "subsidy_granted",
    "disbursement",
    "budget",
    "population_history",
)
# months of reports each use needs (the engines' own thresholds: planning.demand, indicators.scorecard)
QUARTER_MONTHS = 3
YEAR_MONTHS = 12
TREND_MONTHS = 15  # four rolling years ending at quarter ends (indicators.scorecard.MIN_QUARTERS)
SEASONAL_MIN_MONTHS = 24  # ETS with a 12-month season needs two full cycles to start its seasonal states
FORECAST_MIN_MONTHS = 6  # fewer months of reports: no forecast at all (planning.demand)


def has_coordinates(county) -> bool:
    """At least one village and one station have lon/lat (the map needs both)."""
    units, fac = county.units, county.facilities
    return all("lon" in f and f["lon"].notna().any() for f in (units[units["level"] == "village"], fac))


def not_assessed(county) -> list[str]:
    """One sentence per optional table the county did not hand in (and for missing coordinates): what cannot be
    assessed, or what stands in for it."""
    out = [ui(f"absent_{name}") for name in ABSENT_ORDER if not county.has(name)]
    if not has_coordinates(county):
        out.append(ui("absent_geography"))
    return out


def report_months(county) -> list[str]:
    """What the months of monthly reports allow: the scorecards of a quarter and of a year, the service rates,
    the indicators' trend forecast and the seasonal forecast of service volumes."""
    months = sorted(pd.unique(county.service_stats["month"])) if len(county.service_stats) else []
    n = len(months)
    if not n:
        return [ui("ready_no_reports")]
    out = [ui("ready_months", n=n, first=months[0], last=months[-1])]
    if n < QUARTER_MONTHS:
        out.append(ui("ready_short_quarter", need=QUARTER_MONTHS))
    if n < YEAR_MONTHS:
        out.append(ui("ready_short_year", need=YEAR_MONTHS))
    if n < TREND_MONTHS:
        out.append(ui("ready_short_trend", need=TREND_MONTHS))
    if n < FORECAST_MIN_MONTHS:
        out.append(ui("ready_no_forecast", need=FORECAST_MIN_MONTHS))
    elif n < SEASONAL_MIN_MONTHS:
        out.append(ui("ready_level_forecast", need=SEASONAL_MIN_MONTHS))
    return out


def uncollected(county) -> list[str]:
    """One sentence per data element the county does not collect."""
    model = county.config.get("collection")
    names = county.config["data_elements"].elements
    return [
        ui("ready_not_collected", element=names[n.element].zh if n.element in names else n.element, reason=n.reason)
        for n in (model.not_collected if model is not None else ())
    ]


def brought_forward(county) -> list[str]:
    """The population brought forward from an older census, when it was."""
    if county.census_year is None:
        return []
    if county.census_year == county.base_year:
        vital = county.vital_history
        later = vital[vital["year"] >= county.census_year]
        timeline = county.config.get("timeline")
        if later.empty or (timeline is not None and not timeline.bring_forward):
            return []
        towns = set(county.township_population()["township_code"])
        missing = sorted(towns - set(later["township_code"]))  # records after the census, but not for every township
        return [ui("ready_not_forward", census=county.census_year, townships="、".join(missing))] if missing else []
    return [
        ui(
            "ready_brought_forward",
            census=county.census_year,
            base=county.base_year,
            last=county.base_year - 1,
            start=county.base_year + 1,
        )
    ]


def readiness(county) -> list[str]:
    """Every sentence above, in order: population, reports, elements not collected, tables not handed in."""
    return brought_forward(county) + report_months(county) + uncollected(county) + not_assessed(county)
