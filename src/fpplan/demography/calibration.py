"""Calibration shown, not assumed: rolling-origin back-tests over every origin the county's history allows, and
intervals widened (or narrowed) so that they hold their level on those back-tests.

Origins and targets (``pairs``): every year of the population history (and the base year) as a target, every
earlier such year at a horizon of ``calibration.horizons`` years as its origin, when the vital history has at
least ``min_fit_years`` years before the origin (rates and uncertainty from before the origin only). Each pair is
projected as ``fpplan backtest`` projects (``fpplan.demography.backtest.compare``).

Point forecast (``choose_migration_years``): the net-migration window of ``base_rates.migration_years`` with the
smallest mean absolute percentage error of the townships' total population over those back-tests (deterministic
runs) when it beats the first window by more than one standard error; else (and without back-tests) the first.

Intervals (split-conformal with normalised scores; Vovk, Gammerman & Shafer 2005, Lei et al. 2018; the empirical
intervals of past forecast errors of Rayer, Smith & Tayman 2009, scaled by each township's own model spread): for
every past observed value and level L, the score s = |log(observed / median)| / w_L, where w_L is the log
half-width of the model's L interval on the side the value fell; the factor λ_L is the ⌈(n + 1)·L⌉-th smallest of
the n scores; the calibrated interval is median · (bound / median)^λ_L. The back-tested coverage stated beside
each interval is leave-one-origin-out: each origin's values judged with λ computed from the other origins only.

With fewer than ``min_values`` scores of its own, a county's intervals are at least as wide as the shipped
empirical errors of areas of township size (``calibration.empirical``: quantiles of |log(observed / projected)|
by series and horizon, from fpplan's back-tests of UN WPP areas; Rayer, Smith & Tayman 2009): bounds
min(model, median·e^(−q)) and max(model, median·e^q); without those, the model's intervals, and the notes say so.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from fpplan.data.labels import ui

LEVELS = (0.8, 0.95)


@dataclass(frozen=True)
class Calibration:
    """How the county's intervals are calibrated and how they did (see the module docstring)."""

    factors: dict[int, float]  # level (80, 95) → λ; 1 when not calibrated
    coverage: pd.DataFrame  # level, values, inside, share (calibrated, leave-one-origin-out), model_inside, model_share
    backtests: pd.DataFrame = field(repr=False)  # origin, target, horizon, region, series, observed, median, bounds
    migration_years: int = 3
    calibrated: bool = False
    notes: tuple[str, ...] = ()
    empirical: object = None  # fpplan.data.models.uncertainty.EmpiricalErrors, used when not calibrated

    @property
    def method(self) -> str:
        """calibrated (own back-tests) | empirical (errors of areas of a like size) | model."""
        return "calibrated" if self.calibrated else ("empirical" if self.empirical is not None else "model")

    def coverage_text(self, level: int, lang: str | None = None) -> str:
        """What backs the ``level`` % interval, in words (zh/en): its back-tested coverage, or the published errors
        it rests on, or that it was not back-tested."""
        text = (lambda key, **f: ui(key, **f)) if lang is None else (lambda key, **f: _ui(lang, key, **f))
        row = self.coverage[self.coverage["level"] == level]
        if self.method == "empirical":
            return text("coverage_empirical", level=level, values=self.empirical.values)
        if row.empty or not row["values"].iloc[0] or not np.isfinite(row["share"].iloc[0]):
            return text("coverage_none", level=level)
        r = row.iloc[0]
        return text(
            "coverage_note", level=level, share=f"{r['share']:.0%}", inside=int(r["inside"]), values=int(r["values"])
        )

    def apply(self, frame: pd.DataFrame, horizon) -> pd.DataFrame:
        """``frame``'s intervals (columns series, median, lower_80 … upper_95) as this calibration gives them;
        ``horizon``: years since the origin of each row (array or number)."""
        if self.method == "calibrated":
            return widen(frame, self.factors)
        if self.method == "model":
            return frame.copy()
        out = frame.copy()
        median = out["median"].to_numpy(float)
        horizon = np.broadcast_to(np.asarray(horizon, dtype=float), len(out))
        for i, level in enumerate((80, 95)):
            q = np.zeros(len(out))
            for name, table in self.empirical.errors.items():
                rows = (out["series"] == name).to_numpy()
                q[rows] = _by_horizon(table, i, horizon[rows])
            out[f"lower_{level}"] = np.minimum(out[f"lower_{level}"].to_numpy(float), median * np.exp(-q))
            out[f"upper_{level}"] = np.maximum(out[f"upper_{level}"].to_numpy(float), median * np.exp(q))
        return out


def _by_horizon(table: dict[int, list[float]], index: int, horizon: np.ndarray) -> np.ndarray:
    """A quantile at ``horizon`` years: linear between 0 and the tabulated horizons, and beyond the last along
    the last segment."""
    known = sorted(table)
    x = np.array([0.0] + [float(h) for h in known])
    y = np.array([0.0] + [table[h][index] for h in known])
    slope = (y[-1] - y[-2]) / (x[-1] - x[-2])
    return np.where(horizon <= x[-1], np.interp(horizon, x, y), y[-1] + slope * (horizon - x[-1]))


def _ui(lang: str, key: str, **fields) -> str:
    from fpplan.data.labels import label

    return label("ui", key, lang).format(**fields)


def pairs(county, until: int, horizons: list[int], min_fit_years: int) -> list[tuple[int, int]]:
    """(origin, target) back-tests the history allows with targets up to ``until`` (see the module docstring)."""
    history = county.population_history
    years = sorted({int(y) for y in history["year"].unique()} | {int(county.base_year)}) if len(history) else []
    vital = sorted(int(y) for y in county.vital_history["year"].unique())
    return [
        (o, t)
        for t in years
        if t <= until
        for o in years
        if o < t and (t - o) in horizons and sum(y < o for y in vital) >= min_fit_years
    ]


def _config(county):
    from fpplan.demography.estimate import rules

    return rules(county).calibration


def choose_migration_years(county, chosen_pairs: list[tuple[int, int]]) -> tuple[int, pd.DataFrame]:
    """The net-migration window for the point forecast, and each window's MAPE (township total population over
    the deterministic back-tests ``chosen_pairs``). The first window of ``base_rates.migration_years`` stays unless
    another's MAPE is lower by more than one standard error of the paired differences over the back-tests (the
    one-standard-error rule, Hastie, Tibshirani & Friedman 2009 §7.10: a few back-tests do not justify a change
    that noise alone could explain)."""
    from fpplan.demography.estimate import rules
    from fpplan.demography.hindcast import compare

    candidates = list(rules(county).base_rates.migration_years)
    if len(candidates) == 1 or not chosen_pairs:
        return candidates[0], pd.DataFrame({"migration_years": candidates[:1], "mape_pct": [np.nan]})
    by_pair = np.array(
        [
            [
                compare(county, o, t, 0, None, years)[0]
                .query("series == 'population' and region != @county.county_code")["error_projected_pct"]
                .abs()
                .mean()
                for o, t in chosen_pairs
            ]
            for years in candidates
        ]
    )  # (windows, back-tests)
    table = pd.DataFrame({"migration_years": candidates, "mape_pct": by_pair.mean(axis=1)})
    gain = by_pair[0] - by_pair  # positive: better than the first window
    se = (
        gain.std(axis=1, ddof=1) / np.sqrt(len(chosen_pairs))
        if len(chosen_pairs) > 1
        else np.full(len(candidates), np.inf)
    )
    table["gain_pct"], table["standard_error"] = gain.mean(axis=1), se
    better = table[(table["gain_pct"] > table["standard_error"])]
    chosen = int(better.loc[better["gain_pct"].idxmax(), "migration_years"]) if len(better) else candidates[0]
    return chosen, table


def rolling(
    county, chosen_pairs: list[tuple[int, int]], trajectories: int, seed: int | None, migration_years: int | None
) -> pd.DataFrame:
    """The model's back-tests of ``chosen_pairs``: origin, target, horizon and ``compare``'s township rows."""
    from fpplan.demography.hindcast import compare

    frames = []
    for o, t in chosen_pairs:  # a loop over back-tests (a handful), each projected vectorized
        table = compare(county, o, t, trajectories, seed, migration_years)[0]
        frames.append(table[table["region"] != county.county_code].assign(origin=o, target=t, horizon=t - o))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def scores(frame: pd.DataFrame, level: int) -> np.ndarray:
    """|log(observed / median)| / the log half-width of the model's ``level`` interval on the observed side."""
    e = np.log(frame["observed"].to_numpy(float) / frame["median"].to_numpy(float))
    upper = np.log(frame[f"upper_{level}"].to_numpy(float) / frame["median"].to_numpy(float))
    lower = np.log(frame["median"].to_numpy(float) / frame[f"lower_{level}"].to_numpy(float))
    width = np.where(e > 0, upper, lower)
    return np.divide(np.abs(e), width, out=np.full(len(e), np.inf), where=width > 0)


def conformal(values: np.ndarray, level: float) -> float:
    """The ⌈(n + 1)·level⌉-th smallest value (the largest when that exceeds n)."""
    ordered = np.sort(values[np.isfinite(values)] if np.isfinite(values).any() else values)
    rank = int(np.ceil((len(ordered) + 1) * level))
    return float(ordered[min(rank, len(ordered)) - 1])


def migration_window(county) -> int:
    """The net-migration window of the county's point forecast, chosen by its back-tests (choose_migration_years
    over every pair the history allows; the first configured window without any)."""
    county = county.census()  # back-tests against populations as read, never one brought forward
    cfg = _config(county)
    chosen = pairs(county, county.base_year, cfg.horizons, cfg.min_fit_years) if cfg.enabled else []
    return choose_migration_years(county, chosen)[0]


def county_inputs(county):
    """The projection inputs every projection of ``county`` starts from (the plan, the map, ``fpplan project``,
    the regions): its base rates with the net-migration window its back-tests chose."""
    from fpplan.demography.projection import prepare

    return prepare(county, migration_window(county))


def calibrate(
    county, until: int | None = None, trajectories: int | None = None, seed: int | None = 2025
) -> Calibration:
    """Back-test every pair the history allows with targets up to ``until`` (default: the base year), choose the
    migration window and compute the interval factors and their leave-one-origin-out coverage."""
    county = county.census()  # back-tests against populations as read, never one brought forward
    cfg = _config(county)
    until = county.base_year if until is None else until
    chosen = pairs(county, until, cfg.horizons, cfg.min_fit_years) if cfg.enabled else []
    years, windows = choose_migration_years(county, chosen)
    notes = [ui("note_migration_window", years=years)] if len(windows) > 1 else []
    frame = rolling(county, chosen, trajectories or cfg.trajectories, seed, years) if chosen else pd.DataFrame()
    levels = [round(level * 100) for level in LEVELS]
    if frame.empty or len(frame) < cfg.min_values:
        notes.append(
            ui("note_empirical", min=cfg.min_values, values=cfg.empirical.values)
            if cfg.empirical
            else ui("note_not_calibrated", min=cfg.min_values)
        )
        coverage = pd.DataFrame(
            {
                "level": levels,
                "values": len(frame),
                "inside": 0,
                "share": np.nan,
                "model_inside": 0,
                "model_share": np.nan,
            }
        )
        if not frame.empty:
            for i, level in enumerate(levels):
                inside = int((scores(frame, level) <= 1).sum())
                coverage.loc[i, ["inside", "share", "model_inside", "model_share"]] = [
                    inside,
                    inside / len(frame),
                    inside,
                    inside / len(frame),
                ]
        return Calibration({level: 1.0 for level in levels}, coverage, frame, years, False, tuple(notes), cfg.empirical)
    factors, rows = {}, []
    origin = frame["origin"].to_numpy()
    for level in levels:
        s = scores(frame, level)
        factors[level] = conformal(s, level / 100)
        inside = 0
        for o in np.unique(origin):  # leave one origin out: a loop over the handful of origins
            others = s[origin != o]
            factor = conformal(others, level / 100) if len(others) >= cfg.min_values else factors[level]
            inside += int((s[origin == o] <= factor).sum())
        model = int((s <= 1).sum())
        rows.append(
            {
                "level": level,
                "values": len(s),
                "inside": inside,
                "share": inside / len(s),
                "model_inside": model,
                "model_share": model / len(s),
            }
        )
    origins = ", ".join(
        f"{o}→{t}" for o, t in sorted({(int(a), int(b)) for a, b in zip(frame["origin"], frame["target"])})
    )
    notes.append(ui("note_calibrated", values=len(frame), origins=origins, f80=factors[80], f95=factors[95]))
    return Calibration(factors, pd.DataFrame(rows), frame, years, True, tuple(notes))


def widen(frame: pd.DataFrame, factors: dict[int, float]) -> pd.DataFrame:
    """``frame``'s intervals (median, lower_L, upper_L) calibrated: median · (bound / median)^λ_L."""
    out = frame.copy()
    median = out["median"].to_numpy(float)
    for level, factor in factors.items():
        for side in ("lower", "upper"):
            bound = out[f"{side}_{level}"].to_numpy(float)
            ratio = np.divide(bound, median, out=np.ones(len(median)), where=median > 0)
            out[f"{side}_{level}"] = median * np.power(np.maximum(ratio, 1e-12), factor)
    return out


INTERVAL_SERIES = ("population", "women_15_49")


def scenario_intervals(
    inputs,
    scenario,
    calibration: Calibration,
    trajectories: int = 500,
    seed: int | None = 2025,
    horizon: int | None = None,
) -> pd.DataFrame:
    """The intervals every page, report and sheet shows (one number, one place): by region (townships and the
    county), series (``INTERVAL_SERIES``) and year, the stochastic median and the 80% and 95% intervals as
    ``calibration`` gives them (``Calibration.apply``, horizon = year − base year), with the interval method and
    each level's back-tested coverage (share, and the number of past values it rests on)."""
    from fpplan.demography.streaming import project_stochastic

    summary = project_stochastic(inputs, scenario, trajectories, seed=seed, horizon=horizon)
    frames = [summary.intervals(name).assign(series=name) for name in INTERVAL_SERIES]
    return _calibrated(pd.concat(frames, ignore_index=True), calibration, inputs.base_year)


COUNTY_BANDS = ((0, 0, 101), (1, 0, 101), (1, 15, 50))  # (sex, first age, age after the last): men, women, women 15-49


def county_intervals(
    inputs,
    scenario,
    calibration: Calibration,
    trajectories: int = 500,
    seed: int | None = 2025,
    horizon: int | None = None,
    threads: int = 1,
) -> pd.DataFrame:
    """The county's rows of :func:`scenario_intervals` alone (the layout and the calibration of that table), fast
    enough to follow a slider: the same trajectories (same draws for the same ``trajectories`` and ``seed``),
    projected in one call of the compiled engine that keeps only the county's population and women 15-49 of each
    trajectory and year (``engine.run(bands=…)``), then the same quantiles (``streaming.quantiles``). For the same
    scenario, trajectories and seed it equals scenario_intervals' county rows to rounding (``threads``: the
    trajectories split among that many threads, the same numbers)."""
    from fpplan.demography.drivers import drivers
    from fpplan.demography.streaming import QUANTILES, quantiles

    d = drivers(inputs, scenario, horizon, trajectories, seed)
    sums = d.run(keep=False, bands=COUNTY_BANDS, threads=threads)["sums"]  # (year, trajectory, band)
    frames = []
    for name, values in (("population", sums[..., 0] + sums[..., 1]), ("women_15_49", sums[..., 2])):
        q = quantiles(values.T)  # (quantile, year)
        frame = pd.DataFrame({"region": inputs.county_code, "year": d.years, "median": q[QUANTILES.index(0.5)]})
        for level in LEVELS:
            tail = round((1 - level) / 2, 4)
            frame[f"lower_{round(level * 100)}"] = q[QUANTILES.index(tail)]
            frame[f"upper_{round(level * 100)}"] = q[QUANTILES.index(round(1 - tail, 4))]
        frames.append(frame.assign(series=name))
    return _calibrated(pd.concat(frames, ignore_index=True), calibration, inputs.base_year)


def _calibrated(frame: pd.DataFrame, calibration: Calibration, base_year: int) -> pd.DataFrame:
    """Model intervals (region, year, series, median, lower_80 … upper_95) as ``calibration`` gives them, with the
    method and the back-tested coverage of each level."""
    out = calibration.apply(frame, frame["year"].to_numpy() - base_year)
    out["method"] = calibration.method
    cov = calibration.coverage.set_index("level")
    for level in (80, 95):
        share = cov["share"].get(level, np.nan) if calibration.method == "calibrated" else np.nan
        out[f"coverage_{level}"] = share
    out["coverage_values"] = (
        int(cov["values"].max())
        if calibration.method == "calibrated" and len(cov)
        else (calibration.empirical.values if calibration.method == "empirical" else 0)
    )
    return out[
        [
            "region",
            "series",
            "year",
            "median",
            "lower_80",
            "upper_80",
            "lower_95",
            "upper_95",
            "method",
            "coverage_80",
            "coverage_95",
            "coverage_values",
        ]
    ]


def document(calibration: Calibration) -> dict:
    """The calibration as stored with the results (JSON): method, factors, coverage, the legend and coverage
    sentences in both languages, notes."""
    return {
        "method": calibration.method,
        "factors": {str(k): v for k, v in calibration.factors.items()},
        "migration_years": calibration.migration_years,
        "coverage": calibration.coverage.replace({np.nan: None}).to_dict(orient="records"),
        "text": {
            str(level): {lang: calibration.coverage_text(level, lang) for lang in ("zh", "en")} for level in (80, 95)
        },
        "legend": {str(level): {lang: legend(calibration, level, lang) for lang in ("zh", "en")} for level in (80, 95)},
        "notes": list(calibration.notes),
        "backtests": sorted(
            {
                f"{int(o)}→{int(t)}"
                for o, t in zip(calibration.backtests.get("origin", []), calibration.backtests.get("target", []))
            }
        ),
    }


def legend(calibration: Calibration, level: int, lang: str | None = None) -> str:
    """A fan chart's legend entry: the interval and what backs it, short."""
    text = (lambda key, **f: ui(key, **f)) if lang is None else (lambda key, **f: _ui(lang, key, **f))
    row = calibration.coverage[calibration.coverage["level"] == level]
    if calibration.method == "calibrated" and len(row):
        r = row.iloc[0]
        return text("legend_backtested", level=level, share=f"{r['share']:.0%}", values=int(r["values"]))
    if calibration.method == "empirical":
        return text("legend_empirical", level=level, values=calibration.empirical.values)
    return text("legend_untested", level=level)
