"""Indicator values for every unit at a level and every period of a kind, at once, as DHIS2 computes them.

Monthly reports: each data element is aggregated over time within each village by its type (flows: sum; stocks:
average or last value of the period), then summed up the hierarchy village → township → county; an indicator
divides the aggregated numerator by the aggregated denominator at the level asked for (percentages are never
averaged), times the unit's factor. A zero denominator gives no value. Besides the report's elements,
``women_15_49`` and ``population`` (base-year population, a stock) and ``reporting_villages`` (1 for each village
that reported, last) are available for the village-months that reported.

``window_months`` indicators (the standard's "three years") sum their elements over the months ending with each
period's last month (cumulative sums over a unit × month grid); a window that reaches before the first report is
computed on the months there are, with a note. The other sources (sample survey, exams, training register,
submissions, vital registration, budget) are in :mod:`fpplan.indicators.sources`.

Output columns (``indicator_grid``): unit, period, indicator, numerator, denominator, value, lower, upper (95% interval,
survey indicators), note, note_arg (why there is no value, or a caveat; label keys ``ui.note_<note>``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from fpplan.data.models.indicators import Indicator, elements_of
from fpplan.indicators import periods
from fpplan.indicators.aggregate import (
    COLUMNS,
    aggregate,
    aggregate_wide,
    indicator_values,
    ratio,
    report_table,
    roll_up_report,
    time_types,
    with_extra_elements,
)
from fpplan.indicators.coverage import periods_covered
from fpplan.indicators.reports import unit_map, units_at

# the note of a unit-period that has no row from an indicator's source
ABSENT_NOTE = {
    "report": "no_reports",
    "survey": "no_survey_round",
    "exams": "no_exam",
    "training": "no_training_record",
    "submissions": "no_reports",
    "supervision": "no_supervision",
    "rectification": "no_rectification_due",
    "checklist": "no_supervision",
    "work": "no_work_record",
}  # the working rhythm's (fpplan.indicators.rhythm)


def window_values(wide: pd.DataFrame, county, level: str, kind: str, indicators: dict[str, Indicator]) -> pd.DataFrame:
    """Window indicators for every unit and every period of ``kind``: elements summed over the ``window_months``
    ending with the period's last reported month (``wide``: :func:`report_table`)."""
    if not indicators or wide.empty:
        return pd.DataFrame(columns=COLUMNS)
    needed = sorted(
        {e for ind in indicators.values() for e in elements_of(ind.numerator) + elements_of(ind.denominator)}
    )
    months = pd.period_range(wide["month"].min(), wide["month"].max(), freq="M").strftime("%Y-%m")
    units = units_at(county, level)
    unit = wide["village_code"].map(unit_map(county, level))
    table = wide.reindex(columns=needed).groupby([unit, wide["month"]]).sum()
    grid = pd.MultiIndex.from_product([units, months])
    cube = table.reindex(grid, fill_value=0.0).to_numpy().reshape(len(units), len(months), len(needed))
    cum = np.concatenate([np.zeros((len(units), 1, len(needed))), np.cumsum(cube, axis=1)], axis=1)
    period_of = periods.of_months(pd.Series(months), kind)
    ends = pd.Series(np.arange(len(months))).groupby(period_of.to_numpy()).max()  # last month index of each period
    rows = []
    for code, ind in indicators.items():  # a few window indicators
        w = ind.window_months
        start = np.maximum(ends.to_numpy() + 1 - w, 0)
        sums = cum[:, ends.to_numpy() + 1, :] - cum[:, start, :]  # (unit, period, element)
        frame = pd.DataFrame(sums.reshape(-1, len(needed)), columns=needed)
        frame.insert(0, "period", np.tile(ends.index.to_numpy(), len(units)))
        frame.insert(0, "unit", np.repeat(units, len(ends)))
        out = ratio(ind.model_copy(update={"annualise": False}), frame)
        available = np.tile(ends.to_numpy() + 1 - start, len(units))
        partial = (available < w) & (out["note"] == "")
        out["note"] = np.where(partial, "window_partial", out["note"])
        out["note_arg"] = np.where(partial, available.astype(str), "")
        rows.append(out.assign(indicator=code))
    return pd.concat(rows, ignore_index=True)


def report_indicators(
    county, level: str, kind: str, codes: list[str], wide: pd.DataFrame | None = None
) -> pd.DataFrame:
    """The report-based indicators in ``codes`` for every unit at ``level`` and period of ``kind``."""
    catalogue = county.config["indicators"]
    own = wide is None  # the county's report table: its village step kept for every level
    wide = report_table(county) if wide is None else wide
    plain = [c for c in codes if catalogue.indicators[c].data == "report" and not catalogue.indicators[c].window_months]
    windowed = {
        c: catalogue.indicators[c]
        for c in codes
        if catalogue.indicators[c].data == "report" and catalogue.indicators[c].window_months
    }
    parts = []
    if plain and not wide.empty:
        if own and kind in periods.KINDS:
            values_ = roll_up_report(county, unit_map(county, level), kind)
        else:
            values_ = aggregate_wide(wide, time_types(county), unit_map(county, level), kind)
        parts.append(indicator_values(values_, catalogue, plain))
    parts.append(window_values(wide, county, level, kind, windowed))
    parts = [p for p in parts if len(p)]
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=COLUMNS)


def indicator_grid(county, level: str, kind: str, codes: list[str] | None = None) -> pd.DataFrame:
    """Every indicator (or ``codes``) defined at ``level``, for every unit at that level and every period of
    ``kind`` that any monthly table covers: one row per unit × period × indicator, with a value or a note saying
    why there is none. Sorted by unit, period and catalogue order."""
    from fpplan.indicators import sources

    catalogue = county.config["indicators"]
    chosen = [c for c, ind in catalogue.indicators.items() if level in ind.levels and (codes is None or c in codes)]
    if kind == periods.WEEK:  # weeks: only the dated sources (fpplan.indicators.rhythm.WEEKLY)
        from fpplan.indicators.rhythm import WEEKLY

        chosen = [c for c in chosen if catalogue.indicators[c].data in WEEKLY]
    parts = [
        report_indicators(county, level, kind, chosen) if kind != periods.WEEK else pd.DataFrame(),
        sources.other_indicators(county, level, kind, chosen),
    ]
    found = pd.concat(
        [p.reindex(columns=COLUMNS) for p in parts if len(p)] or [pd.DataFrame(columns=COLUMNS)], ignore_index=True
    )
    all_periods = periods_covered(county, kind)
    grid = pd.MultiIndex.from_product(
        [units_at(county, level), all_periods, chosen], names=["unit", "period", "indicator"]
    ).to_frame(index=False)
    out = grid.merge(found, on=["unit", "period", "indicator"], how="left")
    data = out["indicator"].map({c: catalogue.indicators[c].data for c in chosen})
    absent = out["value"].isna() & out["note"].isna()
    out["note"] = out["note"].where(~absent, data.map(ABSENT_NOTE)).fillna("")
    out["note_arg"] = out["note_arg"].astype(object).fillna("").astype(str)
    out = without_uncollected(out, county)
    order = {c: k for k, c in enumerate(catalogue.indicators)}
    out = out.assign(_o=out["indicator"].map(order)).sort_values(["unit", "period", "_o"]).drop(columns="_o")
    return out.reset_index(drop=True)[COLUMNS]


def uncollected_reasons(county) -> dict[str, str]:
    """Report indicator → why it has no value: the data elements it needs that the county does not collect
    (config/collection.yaml), each with its name and reason ("流动育龄妇女服务人数：本县月报表无此栏目")."""
    collection = county.config.get("collection")
    reasons = collection.reasons() if collection is not None else {}
    if not reasons:
        return {}
    names = county.config["data_elements"].elements
    out = {}
    for code, ind in county.config["indicators"].indicators.items():
        if ind.data != "report":
            continue
        needed = dict.fromkeys(e for e in elements_of(ind.numerator) + elements_of(ind.denominator) if e in reasons)
        if needed:
            out[code] = "；".join(f"{names[e].zh if e in names else e}：{reasons[e]}" for e in needed)
    return out


def without_uncollected(card: pd.DataFrame, county) -> pd.DataFrame:
    """Rows of indicators that need an element the county does not collect: no value (never 0), note
    ``not_collected`` with the reason. A declared element is not collected even where a stray value was reported."""
    reasons = uncollected_reasons(county)
    hit = card["indicator"].isin(list(reasons)).to_numpy()
    if not hit.any():
        return card
    card = card.copy()
    card.loc[hit, ["numerator", "denominator", "value", "lower", "upper"]] = np.nan
    card.loc[hit, "note"] = "not_collected"
    card.loc[hit, "note_arg"] = card.loc[hit, "indicator"].map(reasons)
    return card


def report_values(
    long: pd.DataFrame, county, level: str, kind: str, only: list[str] | None = None, codes: list[str] | None = None
) -> pd.DataFrame:
    """The plain report indicators for every unit at ``level`` and every period of ``kind`` from a long table."""
    full = with_extra_elements(long, county)
    values_ = aggregate(full, time_types(county), unit_map(county, level), kind, only)
    return indicator_values(values_, county.config["indicators"], codes)
