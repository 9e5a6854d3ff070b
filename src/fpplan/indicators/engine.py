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

Output columns (``values``): unit, period, indicator, numerator, denominator, value, lower, upper (95% interval,
survey indicators), note, note_arg (why there is no value, or a caveat; label keys ``ui.note_<note>``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from fpplan.data.memo import per_county
from fpplan.data.models.indicators import Catalogue, Indicator
from fpplan.indicators import periods
from fpplan.indicators.catalogue import EXTRA_ELEMENTS, elements_of, evaluate
from fpplan.indicators.reports import unit_map, units_at

COLUMNS = ["unit", "period", "indicator", "numerator", "denominator", "value", "lower", "upper", "note", "note_arg"]
# the note of a unit-period that has no row from an indicator's source
ABSENT_NOTE = {"report": "no_reports", "survey": "no_survey_round", "exams": "no_exam",
               "training": "no_training_record", "submissions": "no_reports",
               "supervision": "no_supervision", "rectification": "no_rectification_due", "checklist": "no_supervision",
               "work": "no_work_record"}  # the working rhythm's (fpplan.indicators.rhythm)


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
    wide = stats.assign(population=stats["village_code"].map(village_pop).fillna(0.0).to_numpy(),
                        women_15_49=stats["village_code"].map(women).fillna(0.0).to_numpy(), reporting_villages=1.0)
    elements = [c for c in wide.columns if c not in ("village_code", "month")]
    return wide.astype({e: float for e in elements}).sort_values(["village_code", "month"], ignore_index=True)


def with_extra_elements(long: pd.DataFrame, county) -> pd.DataFrame:
    """A long table (village_code, month, element, value) with population, women_15_49 and reporting_villages added
    for every village-month that reported."""
    pop = county.population
    village_pop = pop.groupby("unit_code")["population"].sum()
    women = pop[(pop["sex"] == "female") & pop["age"].between(15, 49)].groupby("unit_code")["population"].sum()
    reported = long[["village_code", "month"]].drop_duplicates()
    extra = [reported.assign(element="population", value=reported["village_code"].map(village_pop).fillna(0.0).to_numpy()),
             reported.assign(element="women_15_49", value=reported["village_code"].map(women).fillna(0.0).to_numpy()),
             reported.assign(element="reporting_villages", value=1.0)]
    return pd.concat([long, *extra], ignore_index=True)


def aggregate_wide(wide: pd.DataFrame, types: dict[str, str], units: pd.Series, kind: str,
                   only: list[str] | None = None) -> pd.DataFrame:
    """Element values by (unit, period) from a wide table (village_code, month, element columns; blanks are
    missing values): within each village and period flows are summed, stocks averaged or their last value taken;
    villages are then summed into their unit at the level (``units``: village → unit). ``kind``: a period kind,
    or a period id to treat all rows as that one period. An element with no value in a unit-period is NaN."""
    period = periods.of_months(wide["month"], kind).to_numpy() if kind in periods.KINDS else np.full(len(wide), kind)
    data = wide.assign(period=period)
    if only is not None:
        data = data[data["period"].isin(only)]
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
    per_village = pd.concat(parts, axis=1)
    unit = per_village.index.get_level_values("village_code").map(units)
    keep = ~pd.isna(unit)
    per_village = per_village[keep]
    rolled = per_village.groupby([unit[keep], per_village.index.get_level_values("period")]).sum(min_count=1)
    rolled.index.names = ["unit", "period"]
    return rolled.reset_index()


def aggregate(long: pd.DataFrame, types: dict[str, str], units: pd.Series, kind: str,
              only: list[str] | None = None) -> pd.DataFrame:
    """:func:`aggregate_wide` for a long table (village_code, month, element, value)."""
    wide = long.pivot_table(index=["village_code", "month"], columns="element", values="value", aggfunc="sum")
    return aggregate_wide(wide.reset_index().rename_axis(columns=None), types, units, kind, only)


def ratio(indicator: Indicator, values: pd.DataFrame, months: pd.Series | int | None = None) -> pd.DataFrame:
    """numerator, denominator, value of one indicator over aggregated element columns (``values``: unit, period,
    elements). No denominator: the numerator is the value (a count). ``months``: the length of each row's period,
    for annualised indicators (default from the period id)."""
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
    return pd.DataFrame({"unit": values["unit"].to_numpy(object), "period": values["period"].to_numpy(object),
                         "numerator": num, "denominator": den, "value": value, "note": note})


def indicator_values(values: pd.DataFrame, catalogue: Catalogue, codes: list[str] | None = None,
                     months: pd.Series | int | None = None) -> pd.DataFrame:
    """The report indicators (no window) over aggregated element values: unit, period, indicator, numerator,
    denominator, value, note."""
    chosen = [c for c, ind in catalogue.indicators.items()
              if ind.data == "report" and not ind.window_months and (codes is None or c in codes)]
    if not chosen or values.empty:
        return pd.DataFrame(columns=COLUMNS)
    parts = [ratio(catalogue.indicators[c], values, months) for c in chosen]
    n = len(values)
    return pd.DataFrame({
        "unit": np.tile(values["unit"].to_numpy(object), len(chosen)),
        "period": np.tile(values["period"].to_numpy(object), len(chosen)),
        "indicator": np.repeat(chosen, n),
        **{col: np.concatenate([p[col].to_numpy() for p in parts]) for col in ("numerator", "denominator", "value", "note")},
    })


def window_values(wide: pd.DataFrame, county, level: str, kind: str, indicators: dict[str, Indicator]) -> pd.DataFrame:
    """Window indicators for every unit and every period of ``kind``: elements summed over the ``window_months``
    ending with the period's last reported month (``wide``: :func:`report_table`)."""
    if not indicators or wide.empty:
        return pd.DataFrame(columns=COLUMNS)
    needed = sorted({e for ind in indicators.values() for e in elements_of(ind.numerator) + elements_of(ind.denominator)})
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


def report_indicators(county, level: str, kind: str, codes: list[str], wide: pd.DataFrame | None = None) -> pd.DataFrame:
    """The report-based indicators in ``codes`` for every unit at ``level`` and period of ``kind``."""
    catalogue = county.config["indicators"]
    wide = report_table(county) if wide is None else wide
    plain = [c for c in codes if catalogue.indicators[c].data == "report" and not catalogue.indicators[c].window_months]
    windowed = {c: catalogue.indicators[c] for c in codes
                if catalogue.indicators[c].data == "report" and catalogue.indicators[c].window_months}
    parts = []
    if plain and not wide.empty:
        values_ = aggregate_wide(wide, time_types(county), unit_map(county, level), kind)
        parts.append(indicator_values(values_, catalogue, plain))
    parts.append(window_values(wide, county, level, kind, windowed))
    parts = [p for p in parts if len(p)]
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=COLUMNS)


def values(county, level: str, kind: str, codes: list[str] | None = None) -> pd.DataFrame:
    """Every indicator (or ``codes``) defined at ``level``, for every unit at that level and every period of
    ``kind`` that any monthly table covers: one row per unit × period × indicator, with a value or a note saying
    why there is none. Sorted by unit, period and catalogue order."""
    from fpplan.indicators import sources

    catalogue = county.config["indicators"]
    chosen = [c for c, ind in catalogue.indicators.items() if level in ind.levels and (codes is None or c in codes)]
    if kind == periods.WEEK:  # weeks: only the dated sources (fpplan.indicators.rhythm.WEEKLY)
        from fpplan.indicators.rhythm import WEEKLY

        chosen = [c for c in chosen if catalogue.indicators[c].data in WEEKLY]
    parts = [report_indicators(county, level, kind, chosen) if kind != periods.WEEK else pd.DataFrame(),
             sources.other_indicators(county, level, kind, chosen)]
    found = pd.concat([p.reindex(columns=COLUMNS) for p in parts if len(p)] or [pd.DataFrame(columns=COLUMNS)],
                      ignore_index=True)
    all_periods = sources.periods_covered(county, kind)
    grid = pd.MultiIndex.from_product([units_at(county, level), all_periods, chosen],
                                      names=["unit", "period", "indicator"]).to_frame(index=False)
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


def compute(long: pd.DataFrame, county, level: str, kind: str, only: list[str] | None = None,
            codes: list[str] | None = None) -> pd.DataFrame:
    """The plain report indicators for every unit at ``level`` and every period of ``kind`` from a long table."""
    full = with_extra_elements(long, county)
    values_ = aggregate(full, time_types(county), unit_map(county, level), kind, only)
    return indicator_values(values_, county.config["indicators"], codes)
