"""The scorecard: for a level and period, every indicator's value, target, status, change from the previous
period, and a forecast of the next four quarters with the quarter the target is expected to be met.

Forecast: the indicator over the twelve months ending at each past quarter (a rolling year, so screening
campaigns and check rounds do not make a seasonal saw-tooth) is regressed on time (statsmodels OLS, linear
trend); the next four quarters are predicted with an 80% prediction interval. The expected quarter is the first
predicted quarter whose value meets the target, when the current value does not (none when the trend does not
get there within a year).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from fpplan.data.labels import language
from fpplan.data.store import ReportStore
from fpplan.indicators import periods
from fpplan.indicators.catalogue import meets, status
from fpplan.indicators.engine import aggregate, compute, indicator_values, time_types, unit_map, with_extra_elements

MIN_QUARTERS = 4


def _long(county, store: ReportStore | None) -> pd.DataFrame:
    return (store or ReportStore.from_county(county)).long()


def target_text(target) -> str:
    if target is None:
        return ""
    if target.op == "between":
        return f"{target.value[0]:g}–{target.value[1]:g}"
    return f"{target.op} {float(target.value):g}"


def rolling_year(long: pd.DataFrame, county, level: str, quarter_ends: list[str]) -> pd.DataFrame:
    """Indicators over the 12 months ending at each quarter in ``quarter_ends`` (period = that quarter's id)."""
    full = with_extra_elements(long, county)
    units = unit_map(county, level)
    frames = []
    for end in quarter_ends:  # one aggregation per window (about ten)
        last = periods.parse(end)[1][-1]
        first = (pd.Period(last, freq="M") - 11).strftime("%Y-%m")
        window = full[(full["month"] >= first) & (full["month"] <= last)]
        frames.append(aggregate(window, time_types(county), units, end))
    values = pd.concat(frames, ignore_index=True)
    return indicator_values(values, county.config["indicators"], months=12)


def forecast(series: pd.DataFrame, target, horizon: int = 4, alpha: float = 0.2) -> dict[str, float | str | None]:
    """Linear-trend forecast of one indicator's rolling-year series (columns period, value)."""
    import statsmodels.api as sm

    s = series.dropna(subset=["value"])
    if len(s) < MIN_QUARTERS:
        return {}
    x = np.arange(len(s), dtype=float)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = sm.OLS(s["value"].to_numpy(float), sm.add_constant(x)).fit()
        ahead = np.arange(len(s), len(s) + horizon, dtype=float)
        frame = fit.get_prediction(sm.add_constant(ahead, has_constant="add")).summary_frame(alpha=alpha)
    last = s["period"].iloc[-1]
    quarters = [periods.shift(last, k) for k in range(1, horizon + 1)]
    expected = None
    if target is not None and not meets(np.array([s["value"].iloc[-1]]), target)[0]:
        hit = np.flatnonzero(meets(np.maximum(frame["mean"].to_numpy(), 0.0), target))
        expected = quarters[hit[0]] if len(hit) else None
    # indicators are rates and counts: a trend is not extrapolated below zero
    mean, lower, upper = (max(float(frame[c].iloc[-1]), 0.0) for c in ("mean", "obs_ci_lower", "obs_ci_upper"))
    return {"forecast_quarter": quarters[-1], "forecast": mean, "forecast_lower": lower, "forecast_upper": upper,
            "expected_met": expected, "trend_per_quarter": float(fit.params[1])}


def scorecard(county, level: str, period: str, target_set: str | None = None, store: ReportStore | None = None,
              with_forecast: bool = True) -> pd.DataFrame:
    """One row per unit × indicator: value, target, status, previous value, change, and (township and county
    levels) the four-quarter forecast."""
    catalogue = county.config["indicators"]
    target_set = target_set or catalogue.default_target_set
    if target_set not in catalogue.target_sets:
        raise ValueError(f"unknown target set {target_set!r}: {', '.join(catalogue.target_sets)}")
    kind = periods.kind_of(period)
    previous = periods.shift(period, -1)
    store = store or ReportStore.from_county(county)
    long = store.long()
    values = pd.concat([compute(long, county, level, kind, only=[period, previous]),
                        computed_values(county, store, level, kind, [period, previous])], ignore_index=True)
    now = values[values["period"] == period].drop(columns="period")
    before = values[values["period"] == previous].set_index(["unit", "indicator"])["value"]
    card = now.assign(previous=pd.MultiIndex.from_frame(now[["unit", "indicator"]]).map(before.to_dict().get))
    card["previous"] = card["previous"].astype(float)
    card["change"] = card["value"] - card["previous"]
    lang = language()
    card["name"] = card["indicator"].map(lambda c: getattr(catalogue.indicators[c], lang))
    card["target"] = card["indicator"].map(lambda c: target_text(catalogue.indicators[c].targets.get(target_set)))
    card["status"] = "no_target"
    for code, ind in catalogue.indicators.items():
        rows = card["indicator"] == code
        card.loc[rows, "status"] = status(card.loc[rows, "value"], ind.targets.get(target_set), catalogue.margin)
    if with_forecast and level != "village":
        card = card.merge(forecasts(county, long, level, period, target_set), on=["unit", "indicator"], how="left")
    card.insert(1, "period", period)
    return card.sort_values(["unit", "indicator"]).reset_index(drop=True)


def computed_values(county, store: ReportStore, level: str, kind: str, wanted: list[str]) -> pd.DataFrame:
    """The catalogue's computed indicators (report timeliness, statistics accuracy, per-capita budget) in the
    layout of indicator values: unit, period, indicator, numerator, denominator, value."""
    from fpplan.indicators.quality import completeness, statistics_accuracy

    catalogue = county.config["indicators"]
    rows = []
    for code, ind in catalogue.indicators.items():
        if ind.computed == "report_timeliness":
            c = completeness(county, store, kind, level)
            rows.append(pd.DataFrame({"unit": c["unit"], "period": c["period"], "numerator": c["on_time"],
                                      "denominator": c["expected"], "value": c["timeliness"]}).assign(indicator=code))
        elif ind.computed == "statistics_accuracy" and kind == "year" and level != "village":
            a = statistics_accuracy(county, store)
            unit = a["township_code"] if level == "township" else pd.Series(county.county_code, index=a.index)
            sums = a.assign(unit=unit, period=a["year"].astype(str), gap=(a["reported"] - a["registered"]).abs())
            sums = sums.groupby(["unit", "period"], as_index=False)[["gap", "registered"]].sum()
            rows.append(sums.assign(indicator=code, numerator=sums["registered"] - sums["gap"],
                                    denominator=sums["registered"],
                                    value=100 * (1 - sums["gap"] / sums["registered"])).drop(columns=["gap", "registered"]))
        elif ind.computed == "per_capita_budget" and kind == "year" and level == "county" and len(county.budget):
            people = county.population["population"].sum()
            b = county.budget
            rows.append(pd.DataFrame({"unit": county.county_code, "period": b["year"].astype(str), "indicator": code,
                                      "numerator": b["fp_budget_yuan"], "denominator": people,
                                      "value": b["fp_budget_yuan"] / people * ind.factor}))
    out = pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(columns=["unit", "period", "indicator"])
    return out[out["period"].isin(wanted)]


def forecasts(county, long: pd.DataFrame, level: str, period: str, target_set: str, history: int = 9) -> pd.DataFrame:
    """The forecast columns for every unit × indicator at ``level``, from rolling years up to ``period``'s end."""
    last_month = periods.parse(period)[1][-1]
    last_quarter = periods.of_months(pd.Series([last_month]), "quarter").iloc[0]
    first_month = long["month"].min()
    ends = [q for q in periods.sequence(last_quarter, history)
            if (pd.Period(periods.parse(q)[1][-1], freq="M") - 11).strftime("%Y-%m") >= first_month]
    if not ends:  # less than a year of reports: nothing to forecast from
        return pd.DataFrame(columns=["unit", "indicator", "forecast_quarter", "forecast", "forecast_lower",
                                     "forecast_upper", "expected_met", "trend_per_quarter"])
    rolling = rolling_year(long, county, level, ends)
    catalogue = county.config["indicators"]
    rows = []
    for (unit, code), series in rolling.groupby(["unit", "indicator"]):  # units × indicators (about 150)
        rows.append({"unit": unit, "indicator": code,
                     **forecast(series.sort_values("period"), catalogue.indicators[code].targets.get(target_set))})
    return pd.DataFrame(rows)


def indicator_series(county, level: str, kind: str = "quarter", unit: str | None = None,
                     store: ReportStore | None = None) -> pd.DataFrame:
    """Every indicator by period for the units at ``level`` (one unit if given): for trend charts."""
    values = compute(_long(county, store), county, level, kind)
    return values if unit is None else values[values["unit"] == unit].reset_index(drop=True)
