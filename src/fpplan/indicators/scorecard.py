"""The scorecard: every indicator's value, target, traffic light, change from the previous period and a note, for
every unit at a level and every period of a kind at once (:func:`scorecards`, what dashboards precompute), or for
one period with a forecast of the next four quarters (:func:`scorecard`).

Forecast: the indicator over the twelve months ending at each past quarter (a rolling year, so screening
campaigns and check rounds do not make a seasonal saw-tooth) is regressed on time on the indicator's bounded scale
(:mod:`fpplan.indicators.scales`: logit for a percentage, log for a non-negative rate; ordinary least squares, a
linear trend there; all unit × indicator series at once, the same numbers as statsmodels OLS ``get_prediction``);
the next four quarters are predicted with an 80% prediction interval ŷ ± t(n−2) · s · √(1 + 1/n + (x₀ − x̄)² / Sxx)
and back-transformed, so a percentage's forecast and both bounds stay within [0, 100] and a rate's stay ≥ 0. The
expected quarter is the first predicted quarter whose back-transformed trend meets the year's target, when the
current value does not (none when the trend does not get there within a year; a trend on the logit scale never
reaches 100%, so a target of 100% is never "expected").
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from fpplan.data.labels import enum_label, label, language
from fpplan.indicators import periods
from fpplan.indicators.aggregate import aggregate_windows, indicator_values, report_table, time_types
from fpplan.indicators.catalogue import (
    JUDGED,
    meets,
    resolved_targets,
    short_of_exposure,
    status,
    target_citation,
    target_text,
    targets_for,
    undecided,
)
from fpplan.indicators.coverage import complete, months_covered
from fpplan.indicators.engine import indicator_grid
from fpplan.indicators.reports import unit_map
from fpplan.indicators.scales import SCALES, from_scale, scale_of, to_scale

MIN_QUARTERS = 4
CARD_COLUMNS = [
    "unit",
    "period",
    "indicator",
    "name",
    "value",
    "lower",
    "upper",
    "unit_label",
    "target",
    "status",
    "undecided",
    "previous",
    "change",
    "numerator",
    "denominator",
    "note",
    "note_arg",
    "target_source",
]


def scorecards(
    county, level: str, kind: str, target_set: str | None = None, codes: list[str] | None = None
) -> pd.DataFrame:
    """Every unit at ``level`` × every period of ``kind`` × every indicator defined there: value (95% interval for
    survey indicators), target text and source, status (green / amber / red / small_sample / no_target / no_data:
    small_sample below the indicator's minimum exposure), undecided (the
    interval straddles the target), previous period's value and change, note (why no value, a caveat, or that the
    target is yearly). Computed in one pass (vectorized over units and periods)."""
    catalogue = county.config["indicators"]
    card = indicator_grid(county, level, kind, codes)
    if kind != periods.WEEK and len(card):  # the change from the previous period, between whole periods only
        card = with_previous(card, complete(card["period"].unique(), months_covered(county)))
    return judge(card, catalogue, target_set or catalogue.default_target_set, level, kind)


def with_previous(card: pd.DataFrame, whole: dict) -> pd.DataFrame:
    """``previous`` and ``change`` of every row: the value of the unit's indicator in the period before, where both
    periods are whole (``whole``: period → every month reported); else missing (a year against one reported month
    of the year before would read as a jump)."""
    ordered = card.sort_values(["unit", "indicator", "period"])
    grouped = ordered.groupby(["unit", "indicator"])
    previous = grouped["value"].shift(1)
    both = ordered["period"].map(whole).eq(True) & grouped["period"].shift(1).map(whole).eq(True)
    card = card.copy()
    card["previous"] = previous.where(both).reindex(card.index).astype(float)
    card["change"] = card["value"] - card["previous"]
    return card


def judge(card: pd.DataFrame, catalogue, target_set: str, level: str, kind: str) -> pd.DataFrame:
    """The traffic lights of indicator values (:func:`fpplan.indicators.engine.indicator_grid`, or a scorecard judged
    against another set) against ``target_set`` at ``level`` for periods of ``kind``: the columns of
    :data:`CARD_COLUMNS` (and any others ``card`` has). Cheap: a dashboard re-judges precomputed values when the
    user picks another target set; an ``expected_met`` computed against another set's target is kept only where the
    target is the same."""
    targets = targets_for(catalogue, target_set, level, kind)
    yearly = targets_for(catalogue, target_set, level, "year") if kind != "year" else {}
    card = card.copy()
    n = len(card)
    light, flag = np.full(n, "no_data", dtype=object), np.zeros(n, dtype=bool)
    text, cited = np.full(n, "", dtype=object), np.full(n, "", dtype=object)
    note = card["note"].to_numpy(object).copy()
    arg = card["note_arg"].to_numpy(object).copy() if "note_arg" in card else np.full(n, "", dtype=object)
    again = np.isin(note, ("annual_target", "small_sample", "pro_rata"))  # set again below for this target set
    note[again], arg[again] = "", ""
    value, lower, upper = (card[c].to_numpy(float) for c in ("value", "lower", "upper"))
    denominator = card["denominator"].to_numpy(float)
    indicator = card["indicator"].to_numpy(object)
    for code in pd.unique(indicator):  # one vectorized step per indicator (about 40)
        rows = np.flatnonzero(indicator == code)
        target, ind = targets[code], catalogue.indicators[code]
        light[rows] = status(value[rows], target, ind)
        small = short_of_exposure(ind, target, denominator[rows], kind) & np.isin(light[rows], JUDGED)
        if small.any():  # a rare event on a small base: shown, not judged
            light[rows[small]] = "small_sample"
            quiet = rows[small & (note[rows] == "")]
            note[quiet] = "small_sample"
            minimum = ind.minimum_exposure.denominator
            arg[quiet] = "" if minimum is None else f"{minimum:g}"
        flag[rows] = undecided(lower[rows], upper[rows], target)
        text[rows], cited[rows] = target_text(target), target_citation(target)
        if target is None and yearly.get(code) is not None:  # a yearly target, not judged for shorter periods
            share = pro_rata(yearly[code], ind, kind)
            if share is not None:  # … unless it accumulates over the year: progress toward it, pro rata
                light[rows] = status(value[rows], share, ind)
                text[rows], cited[rows] = target_text(share), share.source
                quiet = rows[note[rows] == ""]
                note[quiet], arg[quiet] = "pro_rata", target_text(yearly[code])
                continue
            quiet = rows[note[rows] == ""]
            note[quiet] = "annual_target"
    if "expected_met" in card and "target" in card:  # computed against another target: kept only where it is the same
        same = card["target"].to_numpy(object) == text
        card["expected_met"] = card["expected_met"].where(same, "")
    card = card.assign(status=light, undecided=flag, target=text, target_source=cited, note=note, note_arg=arg)
    if "previous" not in card:
        ordered = card.sort_values(["unit", "indicator", "period"])
        previous = ordered.groupby(["unit", "indicator"])["value"].shift(1)
        card["previous"] = previous.reindex(card.index).astype(float)
        card["change"] = card["value"] - card["previous"]
    lang = language()
    card["name"] = card["indicator"].map({c: getattr(i, lang) for c, i in catalogue.indicators.items()})
    card["unit_label"] = card["indicator"].map(
        {c: enum_label("indicator_unit", i.unit) for c, i in catalogue.indicators.items()}
    )
    return card[CARD_COLUMNS + [c for c in card.columns if c not in CARD_COLUMNS]]


def rejudge(cards: pd.DataFrame, catalogue, target_set: str) -> pd.DataFrame:
    """Precomputed scorecards of several levels and period kinds (columns ``level`` and ``kind``, as
    fpplan.app.results stores them) judged against ``target_set`` (:func:`judge`, one pass per level and kind)."""
    resolved_targets(catalogue, target_set)  # an unknown set is an error before any work
    if cards.empty:
        return cards
    parts = [
        judge(part, catalogue, target_set, level, kind) for (level, kind), part in cards.groupby(["level", "kind"])
    ]
    return pd.concat(parts).loc[cards.index]


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


def scorecard(
    county,
    level: str,
    period: str,
    target_set: str | None = None,
    with_forecast: bool = True,
    codes: list[str] | None = None,
) -> pd.DataFrame:
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
    """Per unit (and period): how many indicators are green, amber, red, on too small a sample, without data, without
    target; a unit with any red needs attention, one with amber but no red is to watch."""
    keys = [c for c in ("unit", "period") if c in card]
    counts = card.groupby(keys)["status"].value_counts().unstack(fill_value=0)
    counts = counts.reindex(
        columns=["green", "amber", "red", "small_sample", "no_data", "no_target"], fill_value=0
    ).reset_index()
    counts.columns.name = None
    counts["attention"] = np.select([counts["red"] > 0, counts["amber"] > 0], ["red", "amber"], default="green")
    return counts


def lights(card: pd.DataFrame) -> dict[str, int]:
    """How many of one unit's indicators in ``card`` are red, amber and green, and how many are judged at all (with
    data and a target: the three together); an indicator without data or target, or on too small a sample, is in
    none of them. The overview's cards and the brief's finding both say "red of judged" from these."""
    counts = card["status"].value_counts()
    out = {s: int(counts.get(s, 0)) for s in JUDGED}
    return out | {"judged": sum(out.values())}


def note_text(card: pd.DataFrame) -> pd.Series:
    """Each row's note as a sentence in the current language (the ui.note_* labels), with the undecided flag."""
    text = [label("ui", f"note_{n}").format(arg=a) if n else "" for n, a in zip(card["note"], card["note_arg"])]
    flag = card["undecided"] if "undecided" in card else pd.Series(False, index=card.index)
    extra = label("ui", "note_undecided")
    return pd.Series(
        [f"{t}；{extra}" if f and t else (extra if f else t) for t, f in zip(text, flag)], index=card.index
    )


def status_text(card: pd.DataFrame) -> pd.Series:
    return card["status"].map(lambda s: label("ui", f"status_{s}"))


# ---------------------------------------------------------------------------------------------------- forecasts


def rolling_year(
    county, level: str, quarter_ends: list[str], codes: list[str] | None = None, wide: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Report indicators over the 12 months ending at each quarter in ``quarter_ends`` (period = that quarter's id);
    ``wide``: :func:`fpplan.indicators.aggregate.report_table` if already at hand."""
    wide = report_table(county) if wide is None else wide
    units = unit_map(county, level)
    types = time_types(county)
    windows = {}
    for end in quarter_ends:  # the twelve months ending with each quarter, aggregated in one pass
        last = periods.parse(end)[1][-1]
        windows[end] = (periods.shift(last, -11), last)
    values_ = aggregate_windows(wide, types, units, windows)
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
    out = pd.DataFrame(
        {
            "n": n,
            "slope": slope,
            "intercept": intercept,
            "last_x": last_x,
            "mean": mean,
            "lower": mean - q * se,
            "upper": mean + q * se,
        }
    ).reset_index()
    return out[out["n"] >= MIN_QUARTERS].reset_index(drop=True)


def forecasts(county, level: str, period: str, target_set: str, history: int = 9) -> pd.DataFrame:
    """The forecast columns for every unit × report indicator at ``level``, from rolling years up to ``period``'s end:
    forecast_quarter, forecast, forecast_lower, forecast_upper, expected_met, trend_per_quarter."""
    columns = [
        "unit",
        "indicator",
        "forecast_quarter",
        "forecast",
        "forecast_lower",
        "forecast_upper",
        "expected_met",
        "trend_per_quarter",
    ]
    wide = report_table(county)
    if wide.empty:
        return pd.DataFrame(columns=columns)
    last_month = min(periods.parse(period)[1][-1], wide["month"].max())
    last_quarter = periods.of_months(pd.Series([last_month]), "quarter").iloc[0]
    first_month = wide["month"].min()
    ends = [
        q
        for q in periods.sequence(last_quarter, history)
        if (pd.Period(periods.parse(q)[1][-1], freq="M") - 11).strftime("%Y-%m") >= first_month
    ]
    catalogue = county.config["indicators"]
    codes = [
        c for c, i in catalogue.indicators.items() if i.data == "report" and not i.window_months and level in i.levels
    ]
    if len(ends) < MIN_QUARTERS or not codes:  # less than a year of reports: nothing to forecast from
        return pd.DataFrame(columns=columns)
    rolling = rolling_year(county, level, ends, codes, wide)
    rolling["x"] = rolling["period"].map({q: k for k, q in enumerate(ends)}).astype(float)
    return bounded_forecast(rolling, catalogue, targets_for(catalogue, target_set, level, "year"), ends[-1])[columns]


def bounded_forecast(
    rolling: pd.DataFrame, catalogue, targets: dict, last_quarter: str, horizon: int = 4, alpha: float = 0.2
) -> pd.DataFrame:
    """The forecast ``horizon`` quarters after ``last_quarter`` of every unit × indicator series in ``rolling``
    (unit, indicator, x, value, denominator), each fitted on its indicator's bounded scale
    (:mod:`fpplan.indicators.scales`: logit for a percentage, log for a non-negative rate) and back-transformed,
    so the forecast and its (1 − alpha) prediction interval stay in the indicator's range. expected_met: the first
    of the next ``horizon`` quarters whose back-transformed trend meets the year's target (``targets``:
    indicator → Target or None), when neither the current value nor the trend's value for the current quarter
    does (the trend crosses the target); trend_per_quarter: the trend's change over the
    next quarter, in the indicator's unit."""
    scale = rolling["indicator"].map({c: scale_of(i) for c, i in catalogue.indicators.items()})
    factor = rolling["indicator"].map({c: i.factor for c, i in catalogue.indicators.items()}).to_numpy(float)
    z = np.full(len(rolling), np.nan)
    for name in SCALES:  # three vectorized steps
        rows = (scale == name).to_numpy()
        z[rows] = to_scale(
            rolling["value"].to_numpy(float)[rows], rolling["denominator"].to_numpy(float)[rows], name, factor[rows]
        )
    fit = trend_forecast(rolling[["unit", "indicator", "x"]].assign(value=z), horizon=horizon, alpha=alpha)
    fit_scale = fit["indicator"].map({c: scale_of(i) for c, i in catalogue.indicators.items()}).to_numpy(object)
    fit_factor = fit["indicator"].map({c: i.factor for c, i in catalogue.indicators.items()}).to_numpy(float)
    steps = np.arange(horizon + 1)
    path_z = fit["intercept"].to_numpy()[:, None] + fit["slope"].to_numpy()[:, None] * (
        fit["last_x"].to_numpy()[:, None] + steps
    )  # the fitted last quarter, then the next ``horizon``
    path = np.full(path_z.shape, np.nan)
    mean, lower, upper = (np.full(len(fit), np.nan) for _ in range(3))
    for name in SCALES:
        rows = fit_scale == name
        f = fit_factor[rows]
        path[rows] = from_scale(path_z[rows], name, f[:, None])
        mean[rows] = from_scale(fit["mean"].to_numpy()[rows], name, f)
        lower[rows] = from_scale(fit["lower"].to_numpy()[rows], name, f)
        upper[rows] = from_scale(fit["upper"].to_numpy()[rows], name, f)
    current = rolling[rolling["x"] == rolling["x"].max()].set_index(["unit", "indicator"])["value"]
    quarters = [periods.shift(last_quarter, k) for k in range(1, horizon + 1)]
    expected = np.full(len(fit), None, dtype=object)
    indicator = fit["indicator"].to_numpy(object)
    now_all = current.reindex(  # every series' current value, looked up once
        pd.MultiIndex.from_arrays([fit["unit"].to_numpy(object), indicator])
    ).to_numpy(float)
    for code in pd.unique(fit["indicator"]):  # one vectorized check per indicator
        target = targets.get(code)
        if target is None:
            continue
        rows = np.flatnonzero(indicator == code)
        now = now_all[rows]
        missed = ~meets(now, target) & ~np.isnan(now) & ~meets(path[rows, 0], target)  # the trend itself crosses
        met = meets(path[rows, 1:], target) & missed[:, None]
        first = np.where(met.any(axis=1), met.argmax(axis=1), -1)
        expected[rows] = [quarters[k] if k >= 0 else None for k in first]
    return pd.DataFrame(
        {
            "unit": fit["unit"],
            "indicator": fit["indicator"],
            "forecast_quarter": quarters[-1],
            "forecast": mean,
            "forecast_lower": lower,
            "forecast_upper": upper,
            "expected_met": expected,
            "trend_per_quarter": path[:, 1] - path[:, 0],
        }
    )


def indicator_series(county, level: str, kind: str = "quarter", unit: str | None = None) -> pd.DataFrame:
    """Every indicator by period for the units at ``level`` (one unit if given): for trend charts."""
    frame = indicator_grid(county, level, kind)
    return frame if unit is None else frame[frame["unit"] == unit].reset_index(drop=True)


def rolling_series(county, level: str, last_quarter: str | None = None, count: int = 12) -> pd.DataFrame:
    """Report indicators over rolling years ending at each of the last ``count`` quarters that have a full year of
    reports before them (for trend charts without a seasonal saw-tooth)."""
    wide = report_table(county)
    if wide.empty:
        return pd.DataFrame(columns=["unit", "period", "indicator", "value"])
    last = last_quarter or periods.of_months(pd.Series([wide["month"].max()]), "quarter").iloc[0]
    first_end = periods.of_months(
        pd.Series([(pd.Period(wide["month"].min(), freq="M") + 11).strftime("%Y-%m")]), "quarter"
    ).iloc[0]
    ends = [q for q in periods.sequence(last, count) if q >= first_end]
    return (
        rolling_year(county, level, ends, wide=wide)
        if ends
        else pd.DataFrame(columns=["unit", "period", "indicator", "value"])
    )
