"""Periods with ISO-like ids, as DHIS2 names them: ``2025`` (year), ``2025S1`` (half-year), ``2025Q1`` (quarter),
``2025-01`` (month). Months are the unit of the reports; every other period is a set of months."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

_ID = re.compile(r"^(\d{4})(?:(S)([12])|(Q)([1-4])|-(\d{2}))?$")
KINDS = ("month", "quarter", "half_year", "year")


def parse(period: str) -> tuple[str, list[str]]:
    """(kind, months 'YYYY-MM') of a period id; ValueError for anything else."""
    match = _ID.match(str(period))
    if not match:
        raise ValueError(f"not a period id: {period!r} (use 2025, 2025S1, 2025Q1 or 2025-01)")
    year, _, half, _, quarter, month = match.groups()
    if half:
        first, count, kind = (int(half) - 1) * 6 + 1, 6, "half_year"
    elif quarter:
        first, count, kind = (int(quarter) - 1) * 3 + 1, 3, "quarter"
    elif month:
        if not 1 <= int(month) <= 12:
            raise ValueError(f"not a period id: {period!r}")
        first, count, kind = int(month), 1, "month"
    else:
        first, count, kind = 1, 12, "year"
    return kind, [f"{year}-{m:02d}" for m in range(first, first + count)]


def kind_of(period: str) -> str:
    return parse(period)[0]


def of_months(months: pd.Series, kind: str) -> pd.Series:
    """The period id of each month ('YYYY-MM') for a period kind (vectorized)."""
    year = months.str[:4]
    month = months.str[5:7].astype(int)
    if kind == "month":
        return months
    if kind == "quarter":
        return year + "Q" + ((month - 1) // 3 + 1).astype(str)
    if kind == "half_year":
        return year + "S" + ((month - 1) // 6 + 1).astype(str)
    if kind == "year":
        return year
    raise ValueError(f"period kind must be one of {KINDS}")


def shift(period: str, steps: int) -> str:
    """The period ``steps`` periods after (negative: before) ``period``, of the same kind."""
    kind, months = parse(period)
    per = pd.Period(months[0], freq="M")
    width = {"month": 1, "quarter": 3, "half_year": 6, "year": 12}[kind]
    first = per + steps * width
    return of_months(pd.Series([first.strftime("%Y-%m")]), kind).iloc[0]


def months_in(period: str) -> int:
    return len(parse(period)[1])


def sequence(last: str, count: int) -> list[str]:
    """``count`` consecutive periods ending with ``last``."""
    return [shift(last, -k) for k in np.arange(count - 1, -1, -1)]
