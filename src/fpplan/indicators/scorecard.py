"""The scorecard: every indicator's value, target, traffic light, change from the previous period and a note, for
every unit at a level and every period of a kind at once (:func:`scorecards`, what dashboards precompute), or for
one period with a forecast of the next four quarters (:func:`scorecard`).

Forecast: the indicator over the twelve months ending at each past quarter (a rolling year, so screening
campaigns and check rounds do not make a seasonal saw-tooth) is regressed on time (ordinary least squares, linear
trend; all unit × indicator series at once, the same numbers as statsmodels OLS ``get_prediction``); the next four
quarters are predicted with an 80% prediction interval ŷ ± t(n−2) · s · √(1 + 1/n + (x₀ − x̄)² / Sxx). The expected
quarter is the first predicted quarter whose value meets the year's target, when the current value does not (none
when the trend does not get there within a year).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from fpplan.data.labels import enum_label, label, language
from fpplan.indicators import periods
from fpplan.indicators.catalogue import meets, resolved_targets, status, target_text, targets_for, terms, undecided
from fpplan.indicators.engine import aggregate_wide, indicator_values, report_table, time_types, values
from fpplan.indicators.reports import unit_map

MIN_QUARTERS = 4
CARD_COLUMNS = ["unit", "period", "indicator", "name", "value", "lower", "upper", "unit_label", "target", "status",
                "undecided", "previous", "change", "numerator", "denominator", "note", "note_arg", "target_source"]


def scorecards(county, level: str, kind: str, target_set: str | None = None, codes: list[str] | None = None
               ) -> pd.DataFrame:
    """Every unit at ``level`` × every period of ``kind`` × every indicator defined there: value (95% interval for
    survey indicators), target text and source, status (green / amber / red / no_target / no_data), undecided (the
    interval straddles the target), previous period's value and change, note (why no value, a caveat, or that the
    target is yearly). Computed in one pass (vectorized over units and periods)."""
    catalogue = county.config["indicators"]
    return judge(values(county, level, kind, codes), catalogue, target_set or catalogue.default_target_set, level, kind)


def judge(card: pd.DataFrame, catalogue, target_set: str, level: str, kind: str) -> pd.DataFrame:
    """The traffic lights of indicator values (:func:`fpplan.indicators.engine.values`, or a scorecard judged
    against another set) against ``target_set`` at ``level`` for periods of ``kind``: the columns of
    :data:`CARD_COLUMNS` (and any others ``card`` has). Cheap: a dashboard re-judges precomputed values when the
    user picks another target set."""
    targets = targets_for(catalogue, target_set, level, kind)
    yearly = targets_for(catalogue, target_set, level, "year") if kind != "year" else {}
    card = card.copy()
    n = len(card)
    light, flag = np.full(n, "no_data", dtype=object), np.zeros(n, dtype=bool)
    text, cited = np.full(n, "", dtype=object), np.full(n, "", dtype=object)
    note = card["note"].to_numpy(object).copy()
    note_arg = card["note_arg"].to_numpy(object).copy() if "note_arg" in card else np.full(n, "", dtype=object)
    note_arg[np.isin(note, ["annual_target", "pro_rata"])] = ""
    note[np.isin(note, ["annual_target", "pro_rata"])] = ""  # set again below for this target set
    value, lower, upper = (card[c].to_numpy(float) for c in ("value", "lower", "upper"))
    indicator = card["indicator"].to_numpy(object)
    for code in pd.unique(indicator):  # one vectorized step per indicator (about 40)
        rows = np.flatnonzero(indicator == code)
        target, ind = targets[code], catalogue.indicators[code]
        light[rows] = status(value[rows], target, ind)
        flag[rows] = undecided(lower[rows], upper[rows], target)
        text[rows], cited[rows] = target_text(target), "" if target is None else target.source
        if target is None and yearly.get(code) is not None:  # a yearly target, not judged for shorter periods
            share = pro_rata(yearly[code], ind, kind)
            if share is not None:  # … unless it accumulates over the year: progress toward it, pro rata
                light[rows] = status(value[rows], share, ind)
                text[rows], cited[rows] = target_text(share), share.source
                quiet = rows[note[rows] == ""]
                note[quiet], note_arg[quiet] = "pro_rata", target_text(yearly[code])
                continue
            quiet = rows[note[rows] == ""]
            note[quiet] = "annual_target"
    card = card.assign(status=light, undecided=flag, target=text, target_source=cited, note=note, note_arg=note_arg)
    if "previous" not in card:
        ordered = card.sort_values(["unit", "indicator", "period"])
        previous = ordered.groupby(["unit", "indicator"])["value"].shift(1)
        card["previous"] = previous.reindex(card.index).astype(float)
        card["change"] = card["value"] - card["previous"]
    lang = language()
    card["name"] = card["indicator"].map({c: getattr(i, lang) for c, i in catalogue.indicators.items()})
    card["unit_label"] = card["indicator"].map({c: enum_label("indicator_unit", i.unit) for c, i in catalogue.indicators.items()})
    return card[CARD_COLUMNS + [c for c in card.columns if c not in CARD_COLUMNS]]


def pro_rata(yearly, indicator, kind: str):
    """The share of a yearly target a half-year or a quarter should reach (× months / 12), for indicators that
    accumulate over the year (``pro_rata: true``: meetings held, staff sent, persons trained); None where that does
    not make sense: months, a range target, an indicator that does not accumulate, a count whose share is not whole
    (4 meetings a year: 2 by the half-year, 1 by a quarter; 2 staff sent: 1 by the half-year, none for a quarter)."""
    from fpplan.data.models.indicators import COUNT_UNITS

    if not indicator.pro_rata or yearly.op == "between" or kind not in ("quarter", "half_year"):
        return None
    share = float(yearly.value) * {"quarter": 3, "half_year": 6}[kind] / 12
    if indicator.unit in COUNT_UNITS and abs(share - round(share)) > 1e-9:
        return None
    return yearly.model_copy(update={"value": share, "period_kinds": None})


def scorecard(county, level: str, period: str, target_set: str | None = None, with_forecast: bool = True,
              codes: list[str] | None = None) -> pd.DataFrame:
    """One row per unit × indicator for ``period`` (2025, 2025S1, 2025Q3 or 2025-07): the columns of
    :func:`scorecards`, and (township and county levels, ``with_forecast``) the four-quarter forecast."""
    kind = periods.kind_of(period)
    catalogue = county.config["indicators"]
    target_set = target_set or catalogue.default_target_set
    resolved_targets(catalogue, target_set)  # an unknown set is an error before any work
    card = scorecards(county, level, kind, target_set, codes)
    card = card[card["period"] == period].reset_index(drop=True)
    if with_forecast and level != "village" and kind != periods.WEEK and len(card):
        card = card.merge(forecasts(county, level, period, target_set), on=["unit", "indicator"], how="left")
        card["expected_met"] = card["expected_met"].astype(object).where(card["expected_met"].notna(), "")
    return card


def status_counts(card: pd.DataFrame) -> pd.DataFrame:
    """Per unit (and period): how many indicators are green, amber, red, without data, without target; a unit
    with any red needs attention, one with amber but no red is to watch."""
    keys = [c for c in ("unit", "period") if c in card]
    counts = card.groupby(keys)["status"].value_counts().unstack(fill_value=0)
    counts = counts.reindex(columns=["green", "amber", "red", "no_data", "no_target"], fill_value=0).reset_index()
    counts.columns.name = None
    counts["attention"] = np.select([counts["red"] > 0, counts["amber"] > 0], ["red", "amber"], default="green")
    return counts


def note_text(card: pd.DataFrame) -> pd.Series:
    """Each row's note as a sentence in the current language (the ui.note_* labels), with the undecided flag."""
    text = [label("ui", f"note_{n}").format(arg=a) if n else "" for n, a in zip(card["note"], card["note_arg"])]
    flag = card["undecided"] if "undecided" in card else pd.Series(False, index=card.index)
    extra = label("ui", "note_undecided")
    return pd.Series([f"{t}；{extra}" if f and t else (extra if f else t) for t, f in zip(text, flag)], index=card.index)


def status_text(card: pd.DataFrame) -> pd.Series:
    return card["status"].map(lambda s: label("ui", f"status_{s}"))


# ---------------------------------------------------------------------------------------------------- forecasts

def rolling_year(county, level: str, quarter_ends: list[str], codes: list[str] | None = None,
                 wide: pd.DataFrame | None = None) -> pd.DataFrame:
    """Report indicators over the 12 months ending at each quarter in ``quarter_ends`` (period = that quarter's id);
    ``wide``: :func:`fpplan.indicators.engine.report_table` if already at hand."""
    wide = report_table(county) if wide is None else wide
    units = unit_map(county, level)
    types = time_types(county)
    frames = []
    for end in quarter_ends:  # one aggregation per window (about ten)
        last = periods.parse(end)[1][-1]
        first = (pd.Period(last, freq="M") - 11).strftime("%Y-%m")
        frames.append(aggregate_wide(wide[(wide["month"] >= first) & (wide["month"] <= last)], types, units, end))
    values_ = pd.concat(frames, ignore_index=True)
    return indicator_values(values_, county.config["indicators"], codes, months=12)


def trend_forecast(series: pd.DataFrame, horizon: int = 4, alpha: float = 0.2) -> pd.DataFrame:
    """Linear-trend forecasts of many series at once. ``series``: key columns, ``x`` (time index) and ``value``;
    one row per key with n, slope (trend per step), and the prediction ``horizon`` steps after the last x
    (mean, lower, upper; (1 − alpha) prediction interval). Fewer than MIN_QUARTERS points: no forecast."""
    from scipy import stats

    keys = [c for c in series.columns if c not in ("x", "value")]
    s = series.dropna(subset=["value"])
    g = s.groupby(keys)
    n = g["x"].size()
    xbar, ybar = g["x"].mean(), g["value"].mean()
    dx = s["x"] - s.set_index(keys).index.map(xbar).to_numpy()
    dy = s["value"] - s.set_index(keys).index.map(ybar).to_numpy()
    sxx = (dx * dx).groupby([s[k] for k in keys]).sum()
    sxy = (dx * dy).groupby([s[k] for k in keys]).sum()
    slope = sxy / sxx
    intercept = ybar - slope * xbar
    fitted = s.set_index(keys).index.map(intercept).to_numpy() + s.set_index(keys).index.map(slope).to_numpy() * s["x"]
    sse = ((s["value"] - fitted) ** 2).groupby([s[k] for k in keys]).sum()
    last_x = g["x"].max()
    x0 = last_x + horizon
    mean = intercept + slope * x0
    with np.errstate(divide="ignore", invalid="ignore"):
        se = np.sqrt(sse / (n - 2) * (1 + 1 / n + (x0 - xbar) ** 2 / sxx))
    q = stats.t.ppf(1 - alpha / 2, np.maximum(n - 2, 1))
    out = pd.DataFrame({"n": n, "slope": slope, "intercept": intercept, "last_x": last_x, "mean": mean,
                        "lower": mean - q * se, "upper": mean + q * se}).reset_index()
    return out[out["n"] >= MIN_QUARTERS].reset_index(drop=True)


def forecasts(county, level: str, period: str, target_set: str, history: int = 9) -> pd.DataFrame:
    """The forecast columns for every unit × report indicator at ``level``, from rolling years up to ``period``'s end:
    forecast_quarter, forecast, forecast_lower, forecast_upper, expected_met, trend_per_quarter."""
    columns = ["unit", "indicator", "forecast_quarter", "forecast", "forecast_lower", "forecast_upper", "expected_met",
               "trend_per_quarter"]
    wide = report_table(county)
    if wide.empty:
        return pd.DataFrame(columns=columns)
    last_month = min(periods.parse(period)[1][-1], wide["month"].max())
    last_quarter = periods.of_months(pd.Series([last_month]), "quarter").iloc[0]
    first_month = wide["month"].min()
    ends = [q for q in periods.sequence(last_quarter, history)
            if (pd.Period(periods.parse(q)[1][-1], freq="M") - 11).strftime("%Y-%m") >= first_month]
    catalogue = county.config["indicators"]
    codes = [c for c, i in catalogue.indicators.items() if i.data == "report" and not i.window_months and level in i.levels]
    if len(ends) < MIN_QUARTERS or not codes:  # less than a year of reports: nothing to forecast from
        return pd.DataFrame(columns=columns)
    rolling = rolling_year(county, level, ends, codes, wide)
    rolling["x"] = rolling["period"].map({q: k for k, q in enumerate(ends)}).astype(float)
    horizon = 4
    fit = trend_forecast(rolling[["unit", "indicator", "x", "value"]], horizon=horizon)
    targets = targets_for(catalogue, target_set, level, "year")
    current = rolling[rolling["period"] == ends[-1]].set_index(["unit", "indicator"])["value"]
    quarters = [periods.shift(ends[-1], k) for k in range(1, horizon + 1)]
    expected = []
    for row in fit.itertuples():  # one small check per unit × indicator
        target = targets.get(row.indicator)
        now = current.get((row.unit, row.indicator), np.nan)
        hit = None
        if target is not None and not meets(np.array([now]), target)[0]:
            ahead = row.intercept + row.slope * (row.last_x + np.arange(1, horizon + 1))
            met = np.flatnonzero(meets(ahead, target))
            hit = quarters[met[0]] if len(met) else None
        expected.append(hit)
    # rates and counts of non-negative numerators are not extrapolated below zero (natural growth may be negative)
    signed = {c for c in codes if any(sign < 0 for sign, _ in terms(catalogue.indicators[c].numerator))}
    floor = np.where(fit["indicator"].isin(signed), -np.inf, 0.0)
    return pd.DataFrame({"unit": fit["unit"], "indicator": fit["indicator"], "forecast_quarter": quarters[-1],
                         "forecast": np.maximum(fit["mean"], floor), "forecast_lower": np.maximum(fit["lower"], floor),
                         "forecast_upper": np.maximum(fit["upper"], floor), "expected_met": expected,
                         "trend_per_quarter": fit["slope"]})[columns]


def indicator_series(county, level: str, kind: str = "quarter", unit: str | None = None) -> pd.DataFrame:
    """Every indicator by period for the units at ``level`` (one unit if given): for trend charts."""
    frame = values(county, level, kind)
    return frame if unit is None else frame[frame["unit"] == unit].reset_index(drop=True)


def rolling_series(county, level: str, last_quarter: str | None = None, count: int = 12) -> pd.DataFrame:
    """Report indicators over rolling years ending at each of the last ``count`` quarters that have a full year of
    reports before them (for trend charts without a seasonal saw-tooth)."""
    wide = report_table(county)
    if wide.empty:
        return pd.DataFrame(columns=["unit", "period", "indicator", "value"])
    last = last_quarter or periods.of_months(pd.Series([wide["month"].max()]), "quarter").iloc[0]
    first_end = periods.of_months(pd.Series([(pd.Period(wide["month"].min(), freq="M") + 11).strftime("%Y-%m")]),
                                  "quarter").iloc[0]
    ends = [q for q in periods.sequence(last, count) if q >= first_end]
    return rolling_year(county, level, ends, wide=wide) if ends else pd.DataFrame(columns=["unit", "period", "indicator", "value"])
