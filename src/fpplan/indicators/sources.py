"""Indicators whose numbers do not come from the monthly village report, each where a county really has them:

- survey: sample-survey rounds (county.survey_rounds): Σ yes / Σ asked of the rounds in the period, over the units
  surveyed within the unit, with a 95% Wilson score interval (statsmodels ``proportion_confint``, method "wilson";
  Wilson 1927, recommended over the normal interval for proportions near 100% and small samples);
- exams: the stations' monthly closed-book exams (county.exam_scores): exams passed (score ≥ rules.yaml
  ``pass_mark``) / exams sat; staff count in their station's township (the county station's in the county seat);
- training: the training register (county.training_register) for the indicator's group: persons trained in the
  period / persons in post (average over the period's months);
- submissions: village reports received within ``timely_days`` of the month's end / reports expected;
- vital_registration: statistics accuracy 100 × (1 − Σ|reported − registered| / Σ registered) births, per year,
  townships summed for the county;
- budget: the year's family-planning budget / that year's population (yuan a head; before the base year taken back
  through the vital history), county and years only.

Each returns the layout of :data:`fpplan.indicators.aggregate.COLUMNS`; rows without a value carry a note.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from fpplan.data.memo import per_county
from fpplan.indicators import periods
from fpplan.indicators.aggregate import COLUMNS, aggregate_wide, ratio
from fpplan.indicators.coverage import periods_covered
from fpplan.indicators.reports import report_grid, rollup


def wilson(yes: np.ndarray, n: np.ndarray, alpha: float = 0.05) -> tuple[np.ndarray, np.ndarray]:
    """The Wilson score interval of yes / n (arrays; NaN where n is 0)."""
    from statsmodels.stats.proportion import proportion_confint

    yes, n = np.asarray(yes, dtype=float), np.asarray(n, dtype=float)
    ok = n > 0
    lower, upper = np.full(yes.shape, np.nan), np.full(yes.shape, np.nan)
    if ok.any():
        lower[ok], upper[ok] = proportion_confint(yes[ok], n[ok], alpha=alpha, method="wilson")
    return lower, upper


def survey_values(county, level: str, kind: str, indicators: dict) -> pd.DataFrame:
    rounds = county.survey_rounds
    if not indicators or rounds.empty:
        return pd.DataFrame(columns=COLUMNS)
    unit = rounds["unit_code"].map(rollup(county, level))
    data = rounds.assign(unit=unit, period=periods.of_months(rounds["month"], kind)).dropna(subset=["unit"])
    sums = data.groupby(["unit", "period", "question"], as_index=False)[["yes_count", "sample_size"]].sum()
    lower, upper = wilson(sums["yes_count"], sums["sample_size"])
    rows = []
    for code, ind in indicators.items():  # one per survey question
        part = sums["question"] == ind.question
        mine = sums[part]  # the question's rows, selected once
        rows.append(
            pd.DataFrame(
                {
                    "unit": mine["unit"],
                    "period": mine["period"],
                    "indicator": code,
                    "numerator": mine["yes_count"],
                    "denominator": mine["sample_size"],
                    "value": mine["yes_count"] / mine["sample_size"] * ind.factor,
                    "lower": lower[part.to_numpy()] * ind.factor,
                    "upper": upper[part.to_numpy()] * ind.factor,
                    "note": "",
                }
            )
        )
    return pd.concat(rows, ignore_index=True)


def exam_values(county, level: str, kind: str, indicators: dict) -> pd.DataFrame:
    exams = county.exam_scores
    exams = exams[(exams["exam_type"] == "monthly") & exams["score"].notna()]
    if not indicators or exams.empty or level == "village":
        return pd.DataFrame(columns=COLUMNS)
    township = county.staff.set_index("staff_id")["station_code"].map(
        county.facilities.set_index("code")["township_code"]
    )
    unit = exams["staff_id"].map(township).map(rollup(county, level))
    passed = exams["score"] >= county.config["rules"].exams.pass_mark
    data = pd.DataFrame({"unit": unit, "period": periods.of_months(exams["month"], kind), "passed": passed, "sat": 1})
    sums = data.dropna(subset=["unit"]).groupby(["unit", "period"], as_index=False)[["passed", "sat"]].sum()
    rows = [
        pd.DataFrame(
            {
                "unit": sums["unit"],
                "period": sums["period"],
                "indicator": code,
                "numerator": sums["passed"],
                "denominator": sums["sat"],
                "value": sums["passed"] / sums["sat"] * ind.factor,
                "note": "",
            }
        )
        for code, ind in indicators.items()
    ]
    return pd.concat(rows, ignore_index=True)


def training_values(county, level: str, kind: str, indicators: dict) -> pd.DataFrame:
    register = county.training_register
    if not indicators or register.empty:
        return pd.DataFrame(columns=COLUMNS)
    rows = []
    for code, ind in indicators.items():  # one per training group
        wide = _training_wide(county, ind.group)
        if wide is None:
            continue
        values = aggregate_wide(wide, {"in_post": "average", "trained": "sum"}, rollup(county, level), kind)
        rows.append(ratio(ind, values).assign(indicator=code))
    return pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(columns=COLUMNS)


@per_county
def _training_wide(county, group: str) -> pd.DataFrame | None:
    """The training register's rows of ``group`` as the wide table :func:`aggregate` makes of them (village_code,
    month, in_post, trained), the same for every level and period kind; None when the group has no row."""
    register = county.training_register
    part = register[register["group"] == group]
    if part.empty:
        return None
    long = part.rename(columns={"unit_code": "village_code"}).melt(
        id_vars=["village_code", "month"], value_vars=["in_post", "trained"], var_name="element"
    )
    wide = long.pivot_table(index=["village_code", "month"], columns="element", values="value", aggfunc="sum")
    return wide.reset_index().rename_axis(columns=None)


def timeliness_values(county, level: str, kind: str, indicators: dict) -> pd.DataFrame:
    if not indicators or county.service_stats.empty:
        return pd.DataFrame(columns=COLUMNS)
    c = completeness(county, kind, level)
    return pd.concat(
        [
            pd.DataFrame(
                {
                    "unit": c["unit"],
                    "period": c["period"],
                    "indicator": code,
                    "numerator": c["on_time"],
                    "denominator": c["expected"],
                    "value": c["on_time"] / c["expected"] * ind.factor,
                    "note": "",
                }
            )
            for code, ind in indicators.items()
        ],
        ignore_index=True,
    )


@per_county
def completeness(county, kind: str = "month", level: str = "township") -> pd.DataFrame:
    """unit, period, expected, received, on_time, completeness %, timeliness % (on time of expected).

    Expected: every village, every month from the first to the last month reported; on time: received within
    quality.yaml ``timely_days`` after the month's end."""
    grid = report_grid(county, county.config["quality"].timely_days)
    unit = grid["village_code"].map(rollup(county, level)).to_numpy(dtype=object)
    kept = ~pd.isna(unit)
    if not kept.any():  # nothing reported (or no village in a unit): the empty table pandas makes of it
        grid["on_time"] = grid["received"] & (grid["days_late"] <= 0)
        grid = grid.assign(unit=unit, period=periods.of_months(grid["month"], kind))
        out = (
            grid.groupby(["unit", "period"])
            .agg(expected=("village_code", "size"), received=("received", "sum"), on_time=("on_time", "sum"))
            .reset_index()
        )
    else:  # counted on the unit × period grid, in the order groupby gives (unit, then period)
        received = grid["received"].to_numpy(dtype=bool)[kept]
        on_time = received & (grid["days_late"].to_numpy(dtype=float)[kept] <= 0)
        own_unit, units = pd.factorize(unit[kept], sort=True)
        own_period, ids = pd.factorize(periods.of_months(grid["month"], kind).to_numpy(dtype=object)[kept], sort=True)
        key = own_unit.astype(np.int64) * len(ids) + own_period
        size = len(units) * len(ids)
        expected = np.bincount(key, minlength=size)
        present = np.flatnonzero(expected)
        out = pd.DataFrame(
            {
                "unit": units[present // len(ids)],
                "period": ids[present % len(ids)],
                "expected": expected[present],
                "received": np.bincount(key[received], minlength=size)[present],
                "on_time": np.bincount(key[on_time], minlength=size)[present],
            }
        )
    out["completeness"] = out["received"] / out["expected"] * 100
    out["timeliness"] = out["on_time"] / out["expected"] * 100
    return out


@per_county
def report_months_per_year(county) -> pd.Series:
    """Year → how many of its months the county's monthly reports hold (1–12)."""
    months = county.service_stats["month"].astype(str).drop_duplicates()
    return months.str[:4].astype(int).value_counts().sort_index()


@per_county
def statistics_accuracy(county) -> pd.DataFrame:
    """township_code, year, reported births (monthly reports), registered births (vital history), births_gap =
    |reported − registered| (births, 差数), discrepancy % = births_gap / registered × 100 (差错率) and accuracy % =
    100 − discrepancy, for the years both cover: a year's births registered against the births reported in all
    twelve of its months (a year whose reports began in December is not compared with the whole year's
    registrations). The indicator (``accuracy_values``) sums the same births_gap."""
    counted = report_months_per_year(county)
    stats = county.service_stats
    year = stats["month"].astype(str).str[:4].astype(int).rename("year")
    whole = year.isin(counted.index[counted == 12])
    stats, year = stats[whole], year[whole]
    births = stats[["births_male", "births_female"]].sum(axis=1, min_count=1)
    parent = county.villages().set_index("code")["township_code"]
    reported = (
        births.groupby([stats["village_code"].map(parent).rename("township_code"), year]).sum().rename("reported")
    )
    vital = county.vital_history.set_index(["township_code", "year"])
    registered = (vital["births_male"] + vital["births_female"]).rename("registered")
    out = pd.concat([reported, registered], axis=1, join="inner").reset_index()
    out["births_gap"] = (out["reported"] - out["registered"]).abs()
    out["discrepancy"] = out["births_gap"] / out["registered"] * 100
    out["accuracy"] = 100 - out["discrepancy"]
    return out


def _yearly_notes(county, level: str, kind: str, code: str, years_with_value: set[str], why) -> pd.DataFrame:
    """Note rows for every unit × period of ``kind`` that has no value: year_only for other kinds, else ``why(year)``
    → (note, note_arg)."""
    from fpplan.indicators.reports import units_at

    all_periods = periods_covered(county, kind)
    missing = [p for p in all_periods if kind != "year" or p not in years_with_value]
    notes = [("year_only", "") if kind != "year" else why(int(p)) for p in missing]
    units = units_at(county, level)
    return pd.DataFrame(
        {
            "unit": np.repeat(units, len(missing)),
            "period": np.tile(missing, len(units)),
            "indicator": code,
            "note": np.tile([n for n, _ in notes], len(units)),
            "note_arg": np.tile([a for _, a in notes], len(units)),
        }
    )


def accuracy_values(county, level: str, kind: str, indicators: dict) -> pd.DataFrame:
    rows = []
    vital_years = county.vital_history["year"]
    last = int(vital_years.max()) if len(vital_years) else None

    counted = report_months_per_year(county)

    def why(year: int) -> tuple[str, str]:
        if last is not None and year > last:
            return ("vital_until", str(last))
        if 0 < counted.get(year, 0) < 12:  # part of a year reported: not compared with a whole year registered
            return ("reports_part_year", str(int(counted[year])))
        return ("no_vital_year", str(year))

    a = statistics_accuracy(county) if kind == "year" and level != "village" else pd.DataFrame()
    for code, ind in indicators.items():
        have: set[str] = set()
        if len(a):
            unit = a["township_code"].map(rollup(county, level))
            sums = a.assign(unit=unit, period=a["year"].astype(str), gap=a["births_gap"])
            sums = sums.groupby(["unit", "period"], as_index=False)[["gap", "registered"]].sum()
            rows.append(
                pd.DataFrame(
                    {
                        "unit": sums["unit"],
                        "period": sums["period"],
                        "indicator": code,
                        "numerator": sums["registered"] - sums["gap"],
                        "denominator": sums["registered"],
                        "value": (1 - sums["gap"] / sums["registered"]) * ind.factor,
                        "note": "",
                    }
                )
            )
            have = set(sums["period"])
        rows.append(_yearly_notes(county, level, kind, code, have, why))
    return pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(columns=COLUMNS)


def _population_by_year(county) -> pd.Series:
    """The county's population of each year: the base year's, the years before taken back through the vital history
    (fpplan.data.forward.county_population); a later year has the base year's, the latest known."""
    from fpplan.data.forward import county_population

    base = pd.DataFrame({"year": [county.base_year], "population": [float(county.population["population"].sum())]})
    known = county_population(base, county.vital_history)
    years = range(int(known.index.min()), max(int(county.budget["year"].max()), county.base_year) + 1)
    return known.reindex(years).ffill()


def budget_values(county, level: str, kind: str, indicators: dict) -> pd.DataFrame:
    rows = []
    for code, ind in indicators.items():
        have: set[str] = set()
        if kind == "year" and level == "county" and len(county.budget):
            b = county.budget
            people = _population_by_year(county).reindex(b["year"]).to_numpy()
            rows.append(
                pd.DataFrame(
                    {
                        "unit": county.county_code,
                        "period": b["year"].astype(str),
                        "indicator": code,
                        "numerator": b["fp_budget_yuan"],
                        "denominator": people,
                        "value": b["fp_budget_yuan"] / people * ind.factor,
                        "note": "",
                    }
                )
            )
            have = set(b["year"].astype(str))
        rows.append(_yearly_notes(county, level, kind, code, have, lambda year: ("no_budget", str(year))))
    return pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(columns=COLUMNS)


SOURCES = {
    "survey": survey_values,
    "exams": exam_values,
    "training": training_values,
    "submissions": timeliness_values,
    "vital_registration": accuracy_values,
    "budget": budget_values,
}


def _rhythm_sources() -> dict:
    from fpplan.indicators import rhythm  # the working rhythm's registers (supervision, work, village rooms)

    return rhythm.SOURCES


SOURCES |= _rhythm_sources()


def other_indicators(county, level: str, kind: str, codes: list[str]) -> pd.DataFrame:
    """The non-report indicators among ``codes``, for every unit at ``level`` and period of ``kind``."""
    catalogue = county.config["indicators"]
    parts = []
    for data, compute in SOURCES.items():
        chosen = {c: catalogue.indicators[c] for c in codes if catalogue.indicators[c].data == data}
        if chosen:
            parts.append(compute(county, level, kind, chosen))
    parts = [p.reindex(columns=COLUMNS) for p in parts if len(p)]
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=COLUMNS)
