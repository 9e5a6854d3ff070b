"""Where supervision stands now (the 督导与考核 page, domain.md §9 "周调度、月督查、季考核"): for the quarter and the
month of the data's last month, by township, the county's visit done or still due, the villages the township
checked, the findings open and overdue; open findings by checklist item; the last weeks' inspections, findings and
imports (ISO weeks). Counts only: no inspector, no free text (a finding's words may name people).
"""

from __future__ import annotations

import pandas as pd

from fpplan.indicators import periods
from fpplan.indicators.coverage import as_of_month, month_end
from fpplan.indicators.reports import rollup
from fpplan.indicators.rhythm import findings

TOWNSHIP_COLUMNS = [
    "township_code",
    "supervision_due",
    "supervision_done",
    "last_visit",
    "villages_total",
    "villages_checked",
    "findings_open",
    "findings_overdue",
]


def township_status(county, month: str | None = None) -> pd.DataFrame:
    """One row per township for the quarter holding ``month`` (default the data's last month): supervision_due (1:
    the county owes it a visit this quarter), supervision_done (1 when visited, itself or one of its villages),
    last_visit (date or NaT), villages_total, villages_checked (by the township office in ``month``), findings_open and
    findings_overdue (open past the deadline at ``month``'s end). The county's row sums them."""
    month = month or as_of_month(county)
    townships = county.townships()["code"]
    out = pd.DataFrame({"township_code": townships})
    if month is None:
        return out.reindex(columns=TOWNSHIP_COLUMNS)
    quarter = periods.of_months(pd.Series([month]), "quarter").iloc[0]
    s = county.supervision
    date = pd.to_datetime(s["date"]) if len(s) else pd.Series(dtype="datetime64[ns]")
    township = s["unit_code"].map(rollup(county, "township")) if len(s) else pd.Series(dtype=object)
    in_quarter = (
        (periods.of_dates(date, "quarter") == quarter) & (date <= month_end(month)) if len(s) else township.astype(bool)
    )
    by_county = s[in_quarter & (s["inspector_level"] == "county")] if len(s) else s
    visits = pd.to_datetime(by_county["date"]).groupby(township[by_county.index]).max()
    checked = s[(periods.of_dates(date, "month") == month) & (s["inspector_level"] == "township")] if len(s) else s
    villages = county.villages()
    checked_villages = checked.loc[checked["unit_code"].isin(villages["code"]), "unit_code"].drop_duplicates()
    f = findings(county, month_end(month))
    open_ = f[f["status"] == "open"]
    out["supervision_due"] = 1
    out["last_visit"] = pd.to_datetime(visits.reindex(out["township_code"]).to_numpy())
    out["supervision_done"] = out["last_visit"].notna().astype(int)
    out["villages_total"] = out["township_code"].map(villages.groupby("township_code").size()).fillna(0).astype(int)
    out["villages_checked"] = (
        out["township_code"].map(checked_villages.map(rollup(county, "township")).value_counts()).fillna(0).astype(int)
    )
    out["findings_open"] = out["township_code"].map(open_.groupby("township_code").size()).fillna(0).astype(int)
    overdue = open_[open_["overdue"].astype(bool)]  # (an empty object column would select columns, not rows)
    out["findings_overdue"] = out["township_code"].map(overdue.groupby("township_code").size()).fillna(0).astype(int)
    return out[TOWNSHIP_COLUMNS]


def open_by_item(county, month: str | None = None) -> pd.DataFrame:
    """Open findings at ``month``'s end (default the data's last month) by checklist item: check_item, findings_open,
    findings_overdue, most first."""
    month = month or as_of_month(county)
    f = findings(county, month_end(month)) if month else findings(county)
    open_ = f[f["status"] == "open"]
    out = (
        open_.groupby("check_item")
        .agg(findings_open=("status", "size"), findings_overdue=("overdue", "sum"))
        .reset_index()
    )
    return out.sort_values(["findings_open", "check_item"], ascending=[False, True], ignore_index=True)


def weekly(county, imports: pd.DataFrame | None = None, weeks: int = 8, month: str | None = None) -> pd.DataFrame:
    """The last ``weeks`` ISO weeks up to ``month``'s end (default the data's last month): week, inspections (visits:
    distinct unit × date × level), findings_opened, findings_closed, imports (the workspace's import log,
    ``imported_at``; 0 when not given)."""
    month = month or as_of_month(county)
    if month is None:
        return pd.DataFrame(columns=["week", "inspections", "findings_opened", "findings_closed", "imports"])
    last = periods.of_dates(pd.Series([month_end(month)]), periods.WEEK).iloc[0]
    chosen = periods.sequence(last, weeks)
    s = county.supervision
    visits = s.drop_duplicates(["unit_code", "date", "inspector_level"]) if len(s) else s
    inspections = periods.of_dates(visits["date"], periods.WEEK).value_counts() if len(s) else pd.Series(dtype=int)
    f = findings(county)
    opened = periods.of_dates(f["date"], periods.WEEK).value_counts() if len(f) else pd.Series(dtype=int)
    closed = f["closed_on"].dropna()
    closed = periods.of_dates(closed, periods.WEEK).value_counts() if len(closed) else pd.Series(dtype=int)
    logged = (
        periods.of_dates(imports["imported_at"], periods.WEEK).value_counts()
        if imports is not None and len(imports)
        else pd.Series(dtype=int)
    )
    out = pd.DataFrame({"week": chosen})
    for name, counts in (
        ("inspections", inspections),
        ("findings_opened", opened),
        ("findings_closed", closed),
        ("imports", logged),
    ):
        out[name] = out["week"].map(counts).fillna(0).astype(int)
    return out


def page_tables(county, imports: pd.DataFrame | None = None) -> dict[str, pd.DataFrame]:
    """What the 督导与考核 page shows, computed once per data version (fpplan.app.results): township (by township),
    items (open findings by checklist item), weeks (the last eight weeks), info (month and quarter looked at)."""
    month = as_of_month(county)
    quarter = periods.of_months(pd.Series([month]), "quarter").iloc[0] if month else None
    return {
        "township": township_status(county, month),
        "items": open_by_item(county, month),
        "weeks": weekly(county, imports, month=month),
        "info": pd.DataFrame({"month": [month], "quarter": [quarter], "has_register": [len(county.supervision) > 0]}),
    }
