"""Data quality of the monthly village reports: the WHO Data Quality Review battery (WHO, *Data quality review: a
toolkit for facility data quality assessment*, Module 1, 2017; defaults as in the WHO Data Quality Tool for DHIS2),
thresholds in config/quality.yaml:

1. completeness and timeliness of reporting (benchmark 90%);
2. internal consistency: outliers — moderate (2–3 SD from the village's yearly mean) and extreme (≥ 3 SD), and
   the modified z-score (|0.6745 (x − median) / MAD| > 3.5, Iglewicz & Hoaglin 1993); consistency over time (a
   year against the mean of the preceding three, a township's ratio more than 33% off the county's); consistency
   between related data (a pair's ratio more than 10% off its expected value); internal rules (follow-ups done ≤
   due …, the validation rules);
3. external comparison of denominators: a reported denominator (married women 15–49) against the same quantity
   from the population data or the projection, flagged beyond 10%.

Every function takes the County's tables (no store) and returns tables.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from fpplan.data.labels import ui
from fpplan.data.memo import per_county
from fpplan.data.models.indicators import terms
from fpplan.indicators.aggregate import aggregate, time_types
from fpplan.indicators.catalogue import evaluate
from fpplan.indicators.reports import KEYS, report_grid, report_values, rollup, unit_map
from fpplan.indicators.sources import completeness, report_months_per_year, statistics_accuracy

__all__ = [
    "completeness",
    "consistency_over_time",
    "denominators",
    "missing_and_late",
    "outliers",
    "quality_report",
    "quality_summary",
    "relations",
    "sd_outliers",
    "statistics_accuracy",
    "statistics_accuracy_note",
    "validation_violations",
]


def missing_and_late(county) -> pd.DataFrame:
    """Every village-month report that is missing or late: village_code, township_code, month, problem, days_late."""
    grid = report_grid(county, county.config["quality"].timely_days)
    late = grid["received"] & (grid["days_late"] > 0)
    grid["problem"] = np.where(~grid["received"], "missing", np.where(late, "late", ""))
    return grid[~grid["received"] | late][
        ["village_code", "township_code", "month", "problem", "days_late"]
    ].reset_index(drop=True)


@per_county
def _wide(county) -> pd.DataFrame:
    """:func:`report_values` as a wide table (its pivot: village_code, month, one column per element reported,
    in name order; the village-months with a value), taken from the report's own rows (one per village-month)."""
    stats, long = county.service_stats, report_values(county)
    elements = sorted(c for c in stats.columns if c not in KEYS and stats[c].notna().any())
    if not elements:  # nothing reported: the pivot of an empty table
        return long.pivot_table(index=["village_code", "month"], columns="element", values="value").reset_index()
    keys = stats[["village_code", "month"]].astype(long[["village_code", "month"]].dtypes)  # the long table's text
    values = stats[elements].astype(float)
    wide = pd.concat([keys, values], axis=1)[values.notna().any(axis=1).to_numpy()]
    wide = wide.sort_values(["village_code", "month"], ignore_index=True)
    return wide.rename_axis(columns="element")


def validation_violations(county) -> pd.DataFrame:
    """Village-months breaking a validation rule: village_code, month, rule, left, op, right."""
    wide = _wide(county)
    ops = {"<=": np.less_equal, ">=": np.greater_equal, "==": np.isclose, "<": np.less, ">": np.greater}
    rows = []
    for rule in county.config["quality"].validation_rules:  # a few rules
        left, right = evaluate(rule.left, wide), evaluate(rule.right, wide)
        needed = [n for _, n in [*terms(rule.left), *terms(rule.right)]]
        present = wide.reindex(columns=needed).notna().all(axis=1) if rule.missing == "skip" else True
        broken = present & ~ops[rule.op](left, right)
        rows.append(
            wide.loc[broken, ["village_code", "month"]].assign(
                rule=rule.code, left=left[broken], op=rule.op, right=right[broken]
            )
        )
    columns = ["village_code", "month", "rule", "left", "op", "right"]
    return pd.concat(rows, ignore_index=True)[columns] if rows else pd.DataFrame(columns=columns)


def group_codes(*keys) -> np.ndarray:
    """One integer per row for the combination of its ``keys`` (equal-length columns without missing values), ordered as the sorted
    combinations are (the groups ``groupby(keys)`` forms, in its order): grouping by these integers again and again
    is much cheaper than by the text columns, and gives the same groups with their rows in the same order."""
    codes = np.zeros(len(keys[0]) if keys else 0, dtype=np.int64)
    for key in keys:
        own, uniques = pd.factorize(key if isinstance(key, pd.Series) else np.asarray(key, dtype=object), sort=True)
        codes = codes * max(len(uniques), 1) + own
    return codes


def _calendar_months(month: pd.Series) -> np.ndarray:
    """The calendar month ("01" … "12") of each "YYYY-MM", as text, computed once per distinct month."""
    own, uniques = pd.factorize(month)  # the column as it is (text arrays factorize without becoming objects)
    uniques = np.asarray(uniques, dtype=object)
    return np.array([u[5:7] for u in uniques], dtype=object)[own] if len(uniques) else np.array([], dtype=object)


def _seasonal(long: pd.DataFrame) -> pd.Series:
    """Each value's seasonal index: the median village value of its element and calendar month (robust to one
    village's error) over the element's mean of those medians."""
    element, elements = pd.factorize(long["element"], sort=True)
    calendar, months = pd.factorize(_calendar_months(long["month"]), sort=True)
    grouped = long["value"].groupby(element * max(len(months), 1) + calendar)  # (element, calendar month), sorted
    medians = grouped.median()
    element_mean = medians.groupby(medians.index.to_numpy() // max(len(months), 1)).mean()  # months in order
    mean = element_mean.reindex(np.arange(len(elements))).to_numpy(float)
    with np.errstate(divide="ignore", invalid="ignore"):  # an element never reported but as 0: no index
        seasonal = grouped.transform("median").to_numpy(float) / mean[element]
    return pd.Series(seasonal, index=long.index, dtype=float)


@per_county
def _seasonal_of(county) -> pd.Series:
    """:func:`_seasonal` of the county's reported values (:func:`fpplan.indicators.reports.report_values`)."""
    return _seasonal(report_values(county))


@per_county
def _village_elements(county) -> np.ndarray:
    """:func:`group_codes` of the reported values' village and element (each village's history of an element)."""
    long = report_values(county)
    return group_codes(long["village_code"], long["element"])


def outliers(county) -> pd.DataFrame:
    """Values whose modified z-score 0.6745·(x − median)/MAD (Iglewicz & Hoaglin 1993) over the village's own
    history of that element exceeds ``outlier_threshold``. Values are first divided by the element's seasonal index
    for their calendar month (from all villages), so campaign months (screening, B-ultrasound rounds) are not
    outliers by design. Where MAD is 0 the mean absolute deviation × 1.253314 stands in; constant series have
    none. Differences smaller than ``outlier_min_difference`` are not outliers (a rare event's 1 against a median
    of 0 is not a keying error)."""
    cfg = county.config["quality"]
    long = report_values(county)
    seasonal = _seasonal_of(county)
    adjusted = long["value"] / seasonal.where(seasonal > 0, 1.0)
    keys = _village_elements(county)  # the village's history of the element
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


def sd_outliers(county) -> pd.DataFrame:
    """WHO DQR outliers: values at least ``outlier_moderate_sd`` (moderate, below ``outlier_extreme_sd``) or
    ``outlier_extreme_sd`` (extreme) standard deviations from the mean of the village's values of that element in
    that year (seasonally adjusted as for :func:`outliers`; sample SD; differences below
    ``outlier_min_difference`` ignored): village_code, month, element, value, expected, sd_distance, severity."""
    cfg = county.config["quality"]
    long = report_values(county)
    seasonal = _seasonal_of(county)
    adjusted = long["value"] / seasonal.where(seasonal > 0, 1.0)
    own, months = pd.factorize(long["month"])
    year = np.array([int(m[:4]) for m in months], dtype=np.int64)[own] if len(months) else np.zeros(0, np.int64)
    keys = _village_elements(county) * 10000 + year  # the village's element in each year
    mean = adjusted.groupby(keys).transform("mean")
    sd = adjusted.groupby(keys).transform("std")
    distance = ((adjusted - mean).abs() / sd.where(sd > 0)).fillna(0.0)
    out = long.assign(expected=mean * seasonal, sd_distance=distance)
    big = (out["value"] - out["expected"]).abs() >= cfg.outlier_min_difference
    out["severity"] = np.select(
        [distance >= cfg.outlier_extreme_sd, distance >= cfg.outlier_moderate_sd], ["extreme", "moderate"], default=""
    )
    return out[big & (out["severity"] != "")].sort_values("sd_distance", ascending=False).reset_index(drop=True)


def consistency_over_time(county, year: int, level: str = "township") -> pd.DataFrame:
    """For each element in ``consistency_elements``: the year's value (flows summed, stocks averaged) against the
    mean of the preceding ``consistency_years`` years there are; each unit's ratio against the county's ratio,
    flagged when more than ``consistency_threshold_percent`` apart: unit, element, value, previous_mean,
    years_compared, ratio, county_ratio, difference_percent, flagged."""
    cfg = county.config["quality"]
    long = report_values(county)
    long = long[long["element"].isin(cfg.consistency_elements)]
    long = long[long["month"].str[:4].astype(int).between(year - cfg.consistency_years, year)]
    types = time_types(county)
    frames = []
    for lvl in (level, "county"):
        values = aggregate(long, types, unit_map(county, lvl), "year").melt(
            id_vars=["unit", "period"], var_name="element"
        )
        frames.append(values.assign(level=lvl))
    values = pd.concat(frames, ignore_index=True)
    now = values[values["period"] == str(year)].set_index(["level", "unit", "element"])["value"]
    before = values[values["period"] != str(year)].groupby(["level", "unit", "element"])["value"].agg(["mean", "count"])
    out = pd.concat(
        [now.rename("value"), before.rename(columns={"mean": "previous_mean", "count": "years_compared"})],
        axis=1,
        join="inner",
    ).reset_index()
    out["ratio"] = out["value"] / out["previous_mean"].where(out["previous_mean"] > 0)
    county_ratio = out[out["level"] == "county"].set_index("element")["ratio"]
    out = out[out["level"] == level].drop(columns="level")
    out["county_ratio"] = out["element"].map(county_ratio).astype(float)  # float also when no year came before
    out["difference_percent"] = (out["ratio"].astype(float) / out["county_ratio"] - 1) * 100
    out["flagged"] = out["difference_percent"].abs() > cfg.consistency_threshold_percent
    return out.reset_index(drop=True)


def of_year(long: pd.DataFrame, year: int) -> pd.DataFrame:
    """The rows of ``long`` whose month ("YYYY-MM") is in ``year``: its months picked among the few distinct ones."""
    months = long["month"].unique()
    return long[long["month"].isin([m for m in months if isinstance(m, str) and m[:4] == str(year)])]


def relations(county, year: int, level: str = "township") -> pd.DataFrame:
    """Consistency between related data: for each configured pair, a / b summed over the year and unit, against the
    expected ratio: unit, relation, a, b, ratio, expected, difference_percent, flagged (beyond its threshold)."""
    cfg = county.config["quality"]
    long = report_values(county)
    long = of_year(long, year)
    if long.empty or not cfg.relations:
        return pd.DataFrame(
            columns=["unit", "relation", "a", "b", "ratio", "expected", "difference_percent", "flagged"]
        )
    values = aggregate(long, time_types(county), unit_map(county, level), "year")
    rows = []
    for rel in cfg.relations:  # a few pairs
        a, b = evaluate(rel.a, values), evaluate(rel.b, values)
        ratio = a / b.where(b > 0)
        diff = (ratio / rel.expected - 1) * 100
        rows.append(
            pd.DataFrame(
                {
                    "unit": values["unit"],
                    "relation": rel.code,
                    "a": a,
                    "b": b,
                    "ratio": ratio,
                    "expected": rel.expected,
                    "difference_percent": diff,
                    "flagged": diff.abs() > rel.threshold_percent,
                }
            )
        )
    return pd.concat(rows, ignore_index=True)


def expected_denominators(county) -> pd.DataFrame:
    """Base-year quantities from the population data, per township: population, women_15_49, married_women_15_49
    (women × the married share by age, the township's own where given, else county-wide)."""
    pop = county.township_population()
    women = pop[(pop["sex"] == "female") & pop["age"].between(15, 49)]
    share = county.married_share
    own = share.dropna(subset=["township_code"]).set_index(["township_code", "age"])["share"]
    general = share[share["township_code"].isna()].set_index("age")["share"]
    key = pd.MultiIndex.from_frame(women[["township_code", "age"]])
    married_share = pd.Series(key.map(own.to_dict().get), index=women.index, dtype=float).fillna(
        women["age"].map(general)
    )
    return (
        pd.DataFrame(
            {
                "population": pop.groupby("township_code")["population"].sum(),
                "women_15_49": women.groupby("township_code")["population"].sum(),
                "married_women_15_49": (women["population"] * married_share.fillna(0.0))
                .groupby(women["township_code"])
                .sum(),
            }
        )
        .rename_axis("township_code")
        .reset_index()
        .assign(year=county.base_year)
    )


def denominators(county, projection_summary: pd.DataFrame | None = None) -> pd.DataFrame:
    """Reported denominators against the population data (base year) or the projection (``projection_summary``:
    Projection.summary, trajectory 0 or the median): township_code, year, element, reported, expected, ratio,
    difference_percent, flagged (beyond the check's ``threshold_percent``, WHO DQR default 10%)."""
    cfg = county.config["quality"]
    if not cfg.denominators:
        return pd.DataFrame(
            columns=[
                "township_code",
                "year",
                "element",
                "reported",
                "expected",
                "ratio",
                "difference_percent",
                "flagged",
            ]
        )
    long = report_values(county)
    reported = aggregate(
        long[long["element"].isin([d.element for d in cfg.denominators])],
        time_types(county),
        unit_map(county, "township"),
        "year",
    ).rename(columns={"unit": "township_code"})
    reported["year"] = reported.pop("period").astype(int)
    if projection_summary is not None:
        s = projection_summary.groupby(["region", "year"], as_index=False).median(numeric_only=True)
        expected = s.rename(columns={"region": "township_code"})
        expected = expected[expected["township_code"].isin(county.townships()["code"])]
    else:
        expected = expected_denominators(county)
    rows = []
    for check in cfg.denominators:
        if check.element not in reported or check.expected not in expected:
            continue
        both = (
            reported[["township_code", "year", check.element]]
            .rename(columns={check.element: "reported"})
            .merge(
                expected[["township_code", "year", check.expected]].rename(columns={check.expected: "expected"}),
                on=["township_code", "year"],
            )
        )
        ratio = both["reported"] / both["expected"].where(both["expected"] > 0)
        rows.append(
            pd.DataFrame(
                {
                    "township_code": both["township_code"],
                    "year": both["year"],
                    "element": check.element,
                    "reported": both["reported"],
                    "expected": both["expected"],
                    "ratio": ratio,
                    "difference_percent": (ratio - 1) * 100,
                    "flagged": ((ratio - 1) * 100).abs() > check.threshold_percent,
                }
            )
        )
    return pd.concat(rows, ignore_index=True) if rows else pd.DataFrame()


def quality_summary(county, year: int, tables: dict[str, pd.DataFrame] | None = None) -> pd.DataFrame:
    """The battery for one year per township and the county: metric, unit, value, threshold, flagged."""
    cfg = county.config["quality"]
    t = tables or quality_report(county, year)
    rows = []
    comp = completeness(county, "year", "township")
    comp = pd.concat([comp, completeness(county, "year", "county")], ignore_index=True)
    comp = comp[comp["period"] == str(year)]
    for metric, threshold in (("completeness", cfg.completeness_threshold), ("timeliness", cfg.timeliness_threshold)):
        rows.append(
            pd.DataFrame(
                {
                    "unit": comp["unit"],
                    "metric": metric,
                    "value": comp[metric],
                    "threshold": threshold,
                    "flagged": comp[metric] < threshold,
                }
            )
        )
    long = report_values(county)
    long = of_year(long, year)
    values_per_unit = pd.concat(
        [long["village_code"].map(rollup(county, lvl)).value_counts() for lvl in ("township", "county")]
    )
    sd = t["sd_outliers"]
    sd = sd[sd["month"].str[:4] == str(year)]
    for severity in ("moderate", "extreme"):
        part = sd[sd["severity"] == severity]
        count = pd.concat(
            [part["village_code"].map(rollup(county, lvl)).value_counts() for lvl in ("township", "county")]
        )
        share = count.reindex(values_per_unit.index, fill_value=0) / values_per_unit * 100
        rows.append(
            pd.DataFrame(
                {
                    "unit": share.index,
                    "metric": f"outliers_{severity}",
                    "value": share.to_numpy(),
                    "threshold": np.nan,
                    "flagged": False,
                }
            )
        )
    cons = t["consistency_over_time"]
    rows.append(
        cons.groupby("unit")
        .agg(value=("flagged", "sum"))
        .reset_index()
        .assign(metric="consistency_over_time_flags", threshold=0, flagged=lambda f: f["value"] > 0)
    )
    rel = t["relations"]
    if len(rel):
        rows.append(
            rel.groupby("unit")
            .agg(value=("flagged", "sum"))
            .reset_index()
            .assign(metric="relation_flags", threshold=0, flagged=lambda f: f["value"] > 0)
        )
    viol = t["validation"]
    viol = viol[viol["month"].str[:4] == str(year)]
    broken = viol["village_code"].map(rollup(county, "township")).value_counts()
    rows.append(
        pd.DataFrame(
            {
                "unit": broken.index,
                "metric": "validation_violations",
                "value": broken.to_numpy(),
                "threshold": 0,
                "flagged": True,
            }
        )
    )
    den = t["denominators"]
    if len(den):
        den = den[den["year"] == year]
        rows.append(
            pd.DataFrame(
                {
                    "unit": den["township_code"],
                    "metric": "denominator_" + den["element"],
                    "value": den["difference_percent"],
                    "threshold": np.nan,
                    "flagged": den["flagged"],
                }
            )
        )
    return pd.concat(rows, ignore_index=True)[["unit", "metric", "value", "threshold", "flagged"]]


def statistics_accuracy_note(county) -> str:
    """Why the statistics-accuracy table (``statistics_accuracy``) has no row, or "" when it has: no year has both
    all twelve months of reports and the vital registration."""
    if len(statistics_accuracy(county)):
        return ""
    counted = report_months_per_year(county)
    whole = "、".join(str(y) for y in counted.index[counted == 12]) or ui("accuracy_none")
    registered = county.vital_history["year"]
    vital = ui("accuracy_vital_until", year=int(registered.max())) if len(registered) else ui("accuracy_none")
    return ui("accuracy_no_year", whole=whole, vital=vital)


def quality_report(
    county, year: int | None = None, projection_summary: pd.DataFrame | None = None
) -> dict[str, pd.DataFrame]:
    """Every data-quality table at once (``year``: for the yearly checks; default the last year reported)."""
    long_months = county.service_stats["month"]
    year = year or (int(long_months.max()[:4]) if len(long_months) else county.base_year)
    return {
        "completeness": completeness(county, kind="year"),
        "missing_and_late": missing_and_late(county),
        "validation": validation_violations(county),
        "outliers": outliers(county),
        "sd_outliers": sd_outliers(county),
        "consistency_over_time": consistency_over_time(county, year),
        "relations": relations(county, year),
        "denominators": denominators(county, projection_summary),
        "statistics_accuracy": statistics_accuracy(county),
    }
