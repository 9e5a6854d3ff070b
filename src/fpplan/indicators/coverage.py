"""What the monthly tables cover: the months of the reports, survey rounds, exams and training register and of the
working-rhythm registers, the periods and ISO weeks that hold them, and the month the data are "as of". Every
indicator source asks this module which periods it owes a value (or a note) for.
"""

from __future__ import annotations

import pandas as pd

from fpplan.data.memo import per_county
from fpplan.indicators import periods

MONTHLY_TABLES = ("service_stats", "survey_rounds", "exam_scores", "training_register")


@per_county
def periods_covered(county, kind: str) -> list[str]:
    """Every period of ``kind`` that holds a month of any monthly table (reports, survey rounds, exams, training, the
    working-rhythm registers)."""
    if kind == periods.WEEK:  # weeks: where the data are dated (the supervision register)
        return register_weeks(county)
    months = pd.Series(sorted(months_covered(county)), dtype=object)
    if months.empty:
        return []
    return sorted(periods.of_months(months, kind).unique())


@per_county
def months_covered(county) -> frozenset[str]:
    """Every month ('YYYY-MM') that holds a row of any monthly table or working-rhythm register."""
    months = pd.concat(
        [*(getattr(county, t)["month"] for t in MONTHLY_TABLES if len(getattr(county, t))), register_months(county)],
        ignore_index=True,
    )
    return frozenset(months.astype(str).unique())


def complete(period_ids, months: frozenset[str]) -> dict[str, bool]:
    """Period → whether its every month is in ``months`` (a year of one reported month is not a year to compare
    with); one check per distinct period."""
    return {p: set(periods.parse(p)[1]) <= months for p in period_ids}


@per_county
def register_months(county) -> pd.Series:
    """Every month the working-rhythm registers cover (supervision dates, work register, contraceptive supply)."""
    parts = [county.work_register["month"], county.contraceptive_supply["month"]]
    if len(county.supervision):
        parts.append(months_of(county.supervision["date"]))
    parts = [p.astype(str) for p in parts if len(p)]
    return pd.concat(parts, ignore_index=True) if parts else pd.Series(dtype=object)


@per_county
def register_weeks(county) -> list[str]:
    """The ISO weeks of the supervision register's visits and of its findings' deadlines up to the data's last
    month."""
    s = county.supervision
    if s.empty:
        return []
    dates = pd.to_datetime(s["date"])
    deadlines = pd.to_datetime(s["deadline"]).dropna() if "deadline" in s else pd.Series(dtype="datetime64[ns]")
    deadlines = deadlines[deadlines <= month_end(covered_until(county, "supervision"))]
    return sorted(periods.of_dates(pd.concat([dates, deadlines], ignore_index=True), periods.WEEK).unique())


@per_county
def covered_until(county, table: str) -> str | None:
    """The last month a register covers (supervision: its last visit's month): its indicators judge the cycles and
    deadlines up to there, so that reports imported before the register do not turn its next month into misses."""
    frame = getattr(county, table)
    if frame.empty:
        return None
    return months_of(frame["date"]).max() if table == "supervision" else str(frame["month"].max())


def as_of_month(county) -> str | None:
    """The last month any monthly table covers: what the data are "as of" (a cycle ending later is still running)."""
    found = [str(getattr(county, t)["month"].max()) for t in MONTHLY_TABLES if len(getattr(county, t))]
    months = register_months(county)
    if len(months):
        found.append(months.max())
    return max(found) if found else None


def months_of(dates: pd.Series) -> pd.Series:
    """'YYYY-MM' of each date (vectorized through numpy months)."""
    return pd.Series(pd.to_datetime(dates).to_numpy().astype("datetime64[M]").astype(str), index=dates.index)


def month_end(month: str) -> pd.Timestamp:
    return pd.Period(month, freq="M").to_timestamp(how="end").normalize()
