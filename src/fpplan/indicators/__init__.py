"""Indicators, the monthly-report store and data quality (DHIS2-style): see engine, scorecard, store, quality."""

from fpplan.data.store import ReportStore
from fpplan.indicators.engine import compute
from fpplan.indicators.quality import quality_report
from fpplan.indicators.scorecard import indicator_series, scorecard

__all__ = ["ReportStore", "compute", "indicator_series", "quality_report", "scorecard"]
