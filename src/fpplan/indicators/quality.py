"""Data quality of the monthly village reports, as DHIS2 checks it: completeness and timeliness, validation
rules, outliers (modified z-score), and statistics accuracy against the population data."""

from __future__ import annotations

import numpy as np
import pandas as pd

from fpplan.data.store import ReportStore
from fpplan.indicators import periods
from fpplan.indicators.catalogue import evaluate, terms


def _report_grid(county, store: ReportStore) -> pd.DataFrame:
    """Every village × month from the first to the last month reported, with received, reported_on and
    days_late (days after month end beyond ``timely_days``)."""
    subs = store.submissions()
    months = pd.period_range(subs["month"].min(), subs["month"].max(), freq="M").strftime("%Y-%m")
    villages = county.villages()[["code", "township_code"]].rename(columns={"code": "village_code"})
    grid = villages.merge(pd.DataFrame({"month": months}), how="cross").merge(
        subs, on=["village_code", "month"], how="left", indicator=True)
    month_end = pd.PeriodIndex(grid["month"], freq="M").to_timestamp(how="end").normalize()
    grid["received"] = grid.pop("_merge") == "both"
    grid["days_late"] = (pd.to_datetime(grid["reported_on"]) - month_end).dt.days - county.config["quality"].timely_days
    return grid


def completeness(county, store: ReportStore | None = None, kind: str = "month", level: str = "township") -> pd.DataFrame:
    """unit, period, expected, received, on_time, completeness %, timeliness % (on time of expected).

    Expected: every village, every month from the first to the last month reported; on time: received within
    ``timely_days`` after the month's end."""
    grid = _report_grid(county, store or ReportStore.from_county(county))
    grid["on_time"] = grid["received"] & (grid["days_late"] <= 0)
    unit = {"village": grid["village_code"], "township": grid["township_code"],
            "county": pd.Series(county.county_code, index=grid.index)}[level]
    grid = grid.assign(unit=unit, period=periods.of_months(grid["month"], kind))
    out = grid.groupby(["unit", "period"]).agg(expected=("village_code", "size"), received=("received", "sum"),
                                               on_time=("on_time", "sum")).reset_index()
    out["completeness"] = out["received"] / out["expected"] * 100
    out["timeliness"] = out["on_time"] / out["expected"] * 100
    return out


def missing_and_late(county, store: ReportStore | None = None) -> pd.DataFrame:
    """Every village-month report that is missing or late: village_code, township_code, month, problem, days_late."""
    grid = _report_grid(county, store or ReportStore.from_county(county))
    late = grid["received"] & (grid["days_late"] > 0)
    grid["problem"] = np.where(~grid["received"], "missing", np.where(late, "late", ""))
    return grid[~grid["received"] | late][["village_code", "township_code", "month", "problem", "days_late"]].reset_index(drop=True)


def validation_violations(county, store: ReportStore | None = None) -> pd.DataFrame:
    """Village-months breaking a validation rule: village_code, month, rule, left, op, right."""
    long = (store or ReportStore.from_county(county)).long()
    wide = long.pivot_table(index=["village_code", "month"], columns="element", values="value").reset_index()
    ops = {"<=": np.less_equal, ">=": np.greater_equal, "==": np.isclose, "<": np.less, ">": np.greater}
    rows = []
    for rule in county.config["quality"].validation_rules:
        left, right = evaluate(rule.left, wide), evaluate(rule.right, wide)
        needed = [n for _, n in [*terms(rule.left), *terms(rule.right)]]
        present = wide.reindex(columns=needed).notna().all(axis=1) if rule.missing == "skip" else True
        broken = present & ~ops[rule.op](left, right)
        rows.append(wide.loc[broken, ["village_code", "month"]].assign(rule=rule.code, left=left[broken], op=rule.op,
                                                                       right=right[broken]))
    return pd.concat(rows, ignore_index=True) if rows else pd.DataFrame()


def outliers(county, store: ReportStore | None = None) -> pd.DataFrame:
    """Values whose modified z-score 0.6745·(x − median)/MAD (Iglewicz & Hoaglin 1993) over the village's own
    history of that element exceeds the threshold. Values are first divided by the element's seasonal index
    for their calendar month (from all villages), so campaign months (screening, B-ultrasound rounds) are not
    outliers by design. Where MAD is 0 the mean absolute deviation × 1.253314 stands in; constant series have
    none. Differences smaller than ``outlier_min_difference`` are not outliers (a rare event's 1 against a median
    of 0 is not a keying error)."""
    cfg = county.config["quality"]
    long = (store or ReportStore.from_county(county)).long()
    calendar_month = long["month"].str[5:7]
    # seasonal index: the median village value of each calendar month (robust to one village's error) over the
    # element's mean of those medians
    pattern = long.groupby([long["element"], calendar_month.rename("calendar_month")])["value"].median()
    index = pattern / pattern.groupby(level="element").transform("mean")
    seasonal = pd.MultiIndex.from_arrays([long["element"], calendar_month]).map(index.to_dict().get)
    seasonal = pd.Series(seasonal, index=long.index, dtype=float)
    adjusted = long["value"] / seasonal.where(seasonal > 0, 1.0)
    keys = [long["village_code"], long["element"]]
    median = adjusted.groupby(keys).transform("median")
    deviation = (adjusted - median).abs()
    mad = deviation.groupby(keys).transform("median")
    meanad = deviation.groupby(keys).transform("mean")
    count = adjusted.groupby(keys).transform("size")
    z = np.where(mad > 0, 0.6745 * deviation / mad.where(mad > 0), deviation / (1.253314 * meanad.where(meanad > 0)))
    out = long.assign(expected=median * seasonal, z=z)
    big = (out["value"] - out["expected"]).abs() >= cfg.outlier_min_difference
    flagged = (count >= cfg.outlier_min_months) & (out["z"] > cfg.outlier_threshold) & big
    return out[flagged].sort_values("z", ascending=False).reset_index(drop=True)


def statistics_accuracy(county, store: ReportStore | None = None) -> pd.DataFrame:
    """township_code, year, reported births (monthly reports), registered births (vital history), discrepancy %
    and accuracy % = 100 − discrepancy, for the years both cover."""
    long = (store or ReportStore.from_county(county)).long()
    births = long[long["element"].isin(["births_male", "births_female"])]
    parent = county.villages().set_index("code")["township_code"]
    reported = births.groupby([births["village_code"].map(parent).rename("township_code"),
                               births["month"].str[:4].astype(int).rename("year")])["value"].sum().rename("reported")
    vital = county.vital_history.set_index(["township_code", "year"])
    registered = (vital["births_male"] + vital["births_female"]).rename("registered")
    out = pd.concat([reported, registered], axis=1, join="inner").reset_index()
    out["discrepancy"] = (out["reported"] - out["registered"]).abs() / out["registered"] * 100
    out["accuracy"] = 100 - out["discrepancy"]
    return out


def quality_report(county, store: ReportStore | None = None) -> dict[str, pd.DataFrame]:
    """Every data-quality table at once (one store built for all)."""
    store = store or ReportStore.from_county(county)
    return {
        "completeness": completeness(county, store, kind="year"),
        "missing_and_late": missing_and_late(county, store),
        "validation": validation_violations(county, store),
        "outliers": outliers(county, store),
        "statistics_accuracy": statistics_accuracy(county, store),
    }
