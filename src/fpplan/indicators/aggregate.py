"""Element values aggregated as DHIS2 does, and the ratio an indicator makes of them: the base every indicator
source builds on (the monthly report's indicators in :mod:`fpplan.indicators.engine`, the other sources in
:mod:`fpplan.indicators.sources` and :mod:`fpplan.indicators.rhythm`, the data quality checks).

Each data element is aggregated over time within each village by its type (flows: sum; stocks: average or last
value of the period), then summed up the hierarchy village → township → county; an indicator divides the
aggregated numerator by the aggregated denominator at the level asked for (percentages are never averaged), times
the unit's factor. A zero denominator gives no value.

``COLUMNS``: the layout of every source's indicator values: unit, period, indicator, numerator, denominator, value,
lower, upper (95% interval, survey indicators), note, note_arg (why there is no value, or a caveat; label keys
``ui.note_<note>``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from fpplan.data.memo import per_county
from fpplan.data.models.indicators import EXTRA_ELEMENTS, Catalogue, Indicator
from fpplan.indicators import periods
from fpplan.indicators.catalogue import evaluate

COLUMNS = ["unit", "period", "indicator", "numerator", "denominator", "value", "lower", "upper", "note", "note_arg"]


@per_county
def time_types(county) -> dict[str, str]:
    return {code: e.time for code, e in county.config["data_elements"].elements.items()} | EXTRA_ELEMENTS


@per_county
def report_table(county) -> pd.DataFrame:
    """The monthly reports as a wide table (village_code, month, one float column per data element) with the extra
    elements: population and women_15_49 (base-year population data) and reporting_villages (1) on every
    village-month that reported. Sorted by village and month."""
    stats = county.service_stats.drop(columns=["reported_on"], errors="ignore")
    pop = county.population
    village_pop = pop.groupby("unit_code")["population"].sum()
    women = pop[(pop["sex"] == "female") & pop["age"].between(15, 49)].groupby("unit_code")["population"].sum()
    wide = stats.assign(
        population=stats["village_code"].map(village_pop).fillna(0.0).to_numpy(),
        women_15_49=stats["village_code"].map(women).fillna(0.0).to_numpy(),
        reporting_villages=1.0,
    )
    elements = [c for c in wide.columns if c not in ("village_code", "month")]
    return wide.astype({e: float for e in elements}).sort_values(["village_code", "month"], ignore_index=True)


def with_extra_elements(long: pd.DataFrame, county) -> pd.DataFrame:
    """A long table (village_code, month, element, value) with population, women_15_49 and reporting_villages added
    for every village-month that reported."""
    pop = county.population
    village_pop = pop.groupby("unit_code")["population"].sum()
    women = pop[(pop["sex"] == "female") & pop["age"].between(15, 49)].groupby("unit_code")["population"].sum()
    reported = long[["village_code", "month"]].drop_duplicates()
    extra = [
        reported.assign(element="population", value=reported["village_code"].map(village_pop).fillna(0.0).to_numpy()),
        reported.assign(element="women_15_49", value=reported["village_code"].map(women).fillna(0.0).to_numpy()),
        reported.assign(element="reporting_villages", value=1.0),
    ]
    return pd.concat([long, *extra], ignore_index=True)


def aggregate_wide(
    wide: pd.DataFrame, types: dict[str, str], units: pd.Series, kind: str, only: list[str] | None = None
) -> pd.DataFrame:
    """Element values by (unit, period) from a wide table (village_code, month, element columns; blanks are
    missing values): within each village and period flows are summed, stocks averaged or their last value taken;
    villages are then summed into their unit at the level (``units``: village → unit). ``kind``: a period kind,
    or a period id to treat all rows as that one period. An element with no value in a unit-period is NaN."""
    period = periods.of_months(wide["month"], kind).to_numpy() if kind in periods.KINDS else np.full(len(wide), kind)
    data = wide.assign(period=period)
    if only is not None:
        data = data[data["period"].isin(only)]
    return _aggregate_periods(data, types, units)


def aggregate_windows(
    wide: pd.DataFrame, types: dict[str, str], units: pd.Series, windows: dict[str, tuple[str, str]]
) -> pd.DataFrame:
    """:func:`aggregate_wide` of each window at once (``windows``: period id → its first and last month, 'YYYY-MM';
    windows may overlap, e.g. rolling years): unit, period, elements, in the order of ``windows`` then by unit —
    the rows :func:`aggregate_wide` gives for each window alone (``kind`` the window's id), one after the other."""
    month = wide["month"].to_numpy()
    rows = [np.flatnonzero((month >= first) & (month <= last)) for first, last in windows.values()]
    ids = list(windows)
    data = wide.take(np.concatenate(rows)).assign(period=np.repeat(np.array(ids, dtype=object), [len(r) for r in rows]))
    out = _aggregate_periods(data, types, units)
    order = out["period"].map({p: k for k, p in enumerate(ids)}).to_numpy()
    return out.iloc[np.lexsort((out["unit"].to_numpy(), order))].reset_index(drop=True)


def _aggregate_periods(data: pd.DataFrame, types: dict[str, str], units: pd.Series) -> pd.DataFrame:
    """:func:`aggregate_wide` of ``data`` whose ``period`` column is set."""
    return _roll_up(_per_village(data, types), units)


@per_county
def report_per_village(county, kind: str) -> pd.DataFrame:
    """The first step of :func:`aggregate_wide` on the county's :func:`report_table` for periods of ``kind``: each
    village's elements in each period, the same for every level (rolled up by :func:`roll_up_report`)."""
    wide = report_table(county)
    data = wide.assign(period=periods.of_months(wide["month"], kind).to_numpy())
    return _per_village(data, time_types(county))


def roll_up_report(county, units: pd.Series, kind: str) -> pd.DataFrame:
    """``aggregate_wide(report_table(county), time_types(county), units, kind)``, its village step made once per
    County and period kind."""
    return _roll_up(report_per_village(county, kind), units)


def _per_village(data: pd.DataFrame, types: dict[str, str]) -> pd.DataFrame:
    """Each village's elements in each period of ``data`` (its ``period`` column set): flows summed, stocks
    averaged or their last value taken."""
    elements = [c for c in data.columns if c not in ("village_code", "month", "period")]
    by_type = {t: [e for e in elements if types.get(e, "sum") == t] for t in ("sum", "average", "last")}
    g = data.sort_values("month").groupby(["village_code", "period"], sort=False)
    parts = []
    if by_type["sum"]:
        parts.append(g[by_type["sum"]].sum(min_count=1))
    if by_type["average"]:
        parts.append(g[by_type["average"]].mean())
    if by_type["last"]:
        parts.append(g[by_type["last"]].last())
    return pd.concat(parts, axis=1)


def _roll_up(per_village: pd.DataFrame, units: pd.Series) -> pd.DataFrame:
    """Villages' period values (:func:`_per_village`) summed into their unit (``units``: village → unit)."""
    unit = per_village.index.get_level_values("village_code").map(units)
    keep = ~pd.isna(unit)
    per_village = per_village[keep]
    rolled = per_village.groupby([unit[keep], per_village.index.get_level_values("period")]).sum(min_count=1)
    rolled.index.names = ["unit", "period"]
    return rolled.reset_index()


def aggregate(
    long: pd.DataFrame, types: dict[str, str], units: pd.Series, kind: str, only: list[str] | None = None
) -> pd.DataFrame:
    """:func:`aggregate_wide` for a long table (village_code, month, element, value)."""
    wide = long.pivot_table(index=["village_code", "month"], columns="element", values="value", aggfunc="sum")
    return aggregate_wide(wide.reset_index().rename_axis(columns=None), types, units, kind, only)


def ratio(indicator: Indicator, values: pd.DataFrame, months: pd.Series | int | None = None) -> pd.DataFrame:
    """numerator, denominator, value of one indicator over aggregated element columns (``values``: unit, period,
    elements). No denominator: the numerator is the value (a count). ``months``: the length of each row's period,
    for annualised indicators (default from the period id)."""
    return pd.DataFrame(
        {
            "unit": values["unit"].to_numpy(object),
            "period": values["period"].to_numpy(object),
            **_ratio_arrays(indicator, values, months),
        }
    )


def _ratio_arrays(
    indicator: Indicator, values: pd.DataFrame, months: pd.Series | int | None = None
) -> dict[str, np.ndarray]:
    """:func:`ratio`'s numerator, denominator, value and note as arrays."""
    num = evaluate(indicator.numerator, values).to_numpy()
    if indicator.denominator:
        den = evaluate(indicator.denominator, values).to_numpy()
        with np.errstate(divide="ignore", invalid="ignore"):
            value = np.where(den > 0, num / np.where(den > 0, den, 1.0) * indicator.factor, np.nan)
    else:
        den = np.full(len(values), np.nan)
        value = num * indicator.factor
    if indicator.annualise:
        months = values["period"].map(periods.months_in).to_numpy() if months is None else np.asarray(months)
        value = value * 12 / months
    note = np.where(np.isnan(value) & (den == 0), "zero_denominator", "")
    return {"numerator": num, "denominator": den, "value": value, "note": note}


def indicator_values(
    values: pd.DataFrame, catalogue: Catalogue, codes: list[str] | None = None, months: pd.Series | int | None = None
) -> pd.DataFrame:
    """The report indicators (no window) over aggregated element values: unit, period, indicator, numerator,
    denominator, value, note."""
    chosen = [
        c
        for c, ind in catalogue.indicators.items()
        if ind.data == "report" and not ind.window_months and (codes is None or c in codes)
    ]
    if not chosen or values.empty:
        return pd.DataFrame(columns=COLUMNS)
    if months is None and any(catalogue.indicators[c].annualise for c in chosen):
        months = values["period"].map(periods.months_in).to_numpy()  # once for all annualised indicators
    parts = [_ratio_arrays(catalogue.indicators[c], values, months) for c in chosen]
    n = len(values)
    return pd.DataFrame(
        {
            "unit": np.tile(values["unit"].to_numpy(object), len(chosen)),
            "period": np.tile(values["period"].to_numpy(object), len(chosen)),
            "indicator": np.repeat(chosen, n),
            **{col: np.concatenate([p[col] for p in parts]) for col in ("numerator", "denominator", "value", "note")},
        }
    )
