"""Indicators (DHIS2-style): periods, the catalogue and its target sets, the engine over the County's monthly tables,
the scorecard with traffic lights and forecasts, growth rates from the projection, data quality, red-cell causes."""

from fpplan.indicators.engine import indicator_grid, report_values
from fpplan.indicators.quality import quality_report
from fpplan.indicators.scorecard import indicator_series, scorecard, scorecards, status_counts

__all__ = [
    "indicator_grid",
    "indicator_series",
    "quality_report",
    "report_values",
    "scorecard",
    "scorecards",
    "status_counts",
]
