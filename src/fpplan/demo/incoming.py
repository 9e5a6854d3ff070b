"""Next month's village reports for the demo county, written apart in ``incoming/`` for the planner's monthly
routine (``fpplan import-reports COUNTY COUNTY/incoming/…``): the month after the last reported one, every
village's values as in the same month a year before (demo assumption: a county's January looks like its last
January), received 1–5 days after the month."""

from __future__ import annotations

import numpy as np
import pandas as pd


def next_month_reports(stats: pd.DataFrame, rng: np.random.Generator) -> tuple[str, pd.DataFrame]:
    """(month id, reports) for the month after the last one in ``stats`` (the service_stats table)."""
    last = pd.Period(stats["month"].max(), freq="M")
    month, same_last_year = last + 1, (last + 1 - 12).strftime("%Y-%m")
    rows = stats[stats["month"] == same_last_year].copy()
    rows["month"] = month.strftime("%Y-%m")
    received = month.to_timestamp(how="end").normalize() + pd.to_timedelta(rng.integers(1, 6, len(rows)), unit="D")
    rows["reported_on"] = received.strftime("%Y-%m-%d")
    return month.strftime("%Y-%m"), rows.reset_index(drop=True)
