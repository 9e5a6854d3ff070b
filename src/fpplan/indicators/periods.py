"""Periods with ISO-like ids, as DHIS2 names them: ``2025`` (year), ``2025S1`` (half-year), ``2025Q1`` (quarter),
``2025-01`` (month), and ``2025W07`` (ISO 8601 week: Monday to Sunday, week 1 holds the year's first Thursday).
Months are the unit of the reports; year, half-year and quarter are sets of months. A week is a set of days (it may
straddle two months): it is used where the data are dated (the supervision register, imports), through
:func:`of_dates` and :func:`bounds`."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

_ID = re.compile(r"^(\d{4})(?:(S)([12])|(Q)([1-4])|-(\d{2}))?$")
_WEEK = re.compile(r"^(\d{4})W(\d{2})$")
KINDS = ("month", "quarter", "half_year", "year")  # the kinds made of whole months
WEEK = "week"


def parse(period: str) -> tuple[str, list[str]]:
    """(kind, months 'YYYY-MM') of a period id; a week's months are those its days fall in. ValueError for anything
    else."""
    if _WEEK.match(str(period)):
        first, last = bounds(period)
        return WEEK, sorted({first.strftime("%Y-%m"), last.strftime("%Y-%m")})
    match = _ID.match(str(period))
    if not match:
        raise ValueError(f"not a period id: {period!r} (use 2025, 2025S1, 2025Q1, 2025-01 or 2025W07)")
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
    """The period id of each month ('YYYY-MM') for a period kind (vectorized; computed once per distinct month, a
    table's many rows share a few dozen months)."""
    if kind == "month":
        return months
    if len(months) > 64:
        codes, distinct = pd.factorize(months)
        if len(distinct) < len(months) // 2 and (codes >= 0).all():
            ids = _of_months(pd.Series(distinct, dtype=months.dtype, name=months.name), kind)
            return pd.Series(
                ids.to_numpy()[codes] if ids.dtype == object else ids.array.take(codes),
                index=months.index,
                name=ids.name,
                dtype=ids.dtype,
            )
    return _of_months(months, kind)


def _of_months(months: pd.Series, kind: str) -> pd.Series:
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
    if kind == WEEK:
        year, week, _ = (bounds(period)[0] + pd.Timedelta(days=7 * int(steps))).isocalendar()
        return f"{year}W{week:02d}"
    width = {"month": 1, "quarter": 3, "half_year": 6, "year": 12}[kind]
    index = int(months[0][:4]) * 12 + int(months[0][5:7]) - 1 + int(steps) * width  # months since year 0
    year, month = divmod(index, 12)
    return {
        "month": f"{year:04d}-{month + 1:02d}",
        "quarter": f"{year}Q{month // 3 + 1}",
        "half_year": f"{year}S{month // 6 + 1}",
        "year": f"{year}",
    }[kind]


def months_in(period: str) -> float:
    """The length of a period in months (a week: 7 days of an average Gregorian month, 7 × 12 / 365.2425)."""
    kind, months = parse(period)
    return 7 * 12 / 365.2425 if kind == WEEK else len(months)


def bounds(period: str) -> tuple[pd.Timestamp, pd.Timestamp]:
    """The first and the last day of a period (any kind)."""
    week = _WEEK.match(str(period))
    if week:
        year, number = int(week.group(1)), int(week.group(2))
        if not 1 <= number <= weeks_in(year):
            raise ValueError(f"not a period id: {period!r} ({year} has {weeks_in(year)} ISO weeks)")
        first = pd.Timestamp.fromisocalendar(year, number, 1)
        return first, first + pd.Timedelta(days=6)
    months = parse(period)[1]
    return pd.Timestamp(f"{months[0]}-01"), pd.Period(months[-1], freq="M").to_timestamp(how="end").normalize()


def weeks_in(year: int) -> int:
    """52 or 53: the ISO week of 28 December (always in the year's last week)."""
    return int(pd.Timestamp(year=year, month=12, day=28).isocalendar()[1])


def of_dates(dates: pd.Series, kind: str) -> pd.Series:
    """The period id of each date for any kind, weeks included (vectorized; ISO weeks: ``2025W07``; a date early in
    January may belong to the previous year's last week)."""
    dates = pd.to_datetime(pd.Series(dates))
    if kind == WEEK:
        iso = dates.dt.isocalendar()
        return iso["year"].astype(str) + "W" + iso["week"].astype(int).astype(str).str.zfill(2)
    if dates.dt.tz is not None:
        return of_months(dates.dt.strftime("%Y-%m"), kind)
    months = dates.to_numpy().astype("datetime64[M]").astype(str).astype(object)  # 'YYYY-MM' (strftime is per date)
    months[dates.isna().to_numpy()] = np.nan
    return of_months(pd.Series(months, index=dates.index, name=dates.name), kind)


def sequence(last: str, count: int) -> list[str]:
    """``count`` consecutive periods ending with ``last``."""
    return [shift(last, -k) for k in np.arange(count - 1, -1, -1)]
