"""Indicators of the county's working rhythm (domain.md §9), from the supervision register, the work register and
the village rooms table, for every unit at a level and every period of a kind at once:

- supervision (``cycle``): every unit at level ``cycle.of`` inspected by level ``cycle.by`` in every cycle — the
  county each township once a quarter, each township office its villages once a month (seed 000 第二篇 ⑴强化督导
  检查). Value: unit × cycle pairs done / due, where due are the cycles lying wholly in the period, begun after the
  register's first month and ended by its last month (:func:`covered_until`);
- rectification: findings (failed items) whose deadline falls in the period and has passed, closed on or before it
  / all of them (seed 004: 发现问题，限期整改);
- checklist: units whose latest inspection of ``item`` in the period passed / units inspected on it;
- work: the work register's elements (config/rhythm.yaml; the report's elements may be named too) as numerator /
  denominator, aggregated like the report (flows summed, stocks last or averaged, then summed up the units); with
  ``per_year`` the denominator's persons owe that many checks a year (× months / 12; a period shorter than one
  cycle has no value); or a ``cycle`` (each unit reaching ``quota`` every cycle: meetings held every month …);
- village_rooms: villages whose room (or population school) is up to standard at the year's end / villages listed
  (years only).

Each returns the layout of :data:`fpplan.indicators.aggregate.COLUMNS`; periods without a value carry a note.
"""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd

from fpplan.data.memo import per_county
from fpplan.data.models.indicators import elements_of
from fpplan.indicators import periods
from fpplan.indicators.aggregate import COLUMNS, aggregate_wide, time_types
from fpplan.indicators.catalogue import evaluate
from fpplan.indicators.coverage import covered_until, month_end, months_of, periods_covered
from fpplan.indicators.reports import rollup, units_at

MONTHS = {"month": 1, "quarter": 3, "half_year": 6, "year": 12}
AGGREGATE = {"sum": "sum", "last": "last", "average": "mean"}
WEEKLY = ("checklist", "rectification")  # the sources whose data are dated: they have week values


def passed(values: pd.Series) -> pd.Series:
    """A yes/no column as 1.0 / 0.0 (blank: NaN), whether read from a file (Python booleans) or from the store."""
    if values.dtype == bool:
        return values.astype(float)
    raw = values.to_numpy(dtype=object)
    blank = pd.isna(raw)
    out = np.full(len(raw), np.nan)
    out[~blank] = raw[~blank].astype(bool)  # bool(v) of each, in C
    return pd.Series(out, index=values.index, name=values.name)


def _empty() -> pd.DataFrame:
    return pd.DataFrame(columns=COLUMNS)


def _notes(units: list[str], chosen: list[str], code: str, note: str, arg: str = "") -> pd.DataFrame:
    return pd.DataFrame(
        {
            "unit": np.repeat(units, len(chosen)),
            "period": np.tile(chosen, len(units)),
            "indicator": code,
            "note": note,
            "note_arg": arg,
        }
    )


def _periods(county, kind: str) -> list[str]:
    return periods_covered(county, kind)


# ------------------------------------------------------------------------------------------------ duty every cycle


@functools.lru_cache(maxsize=256)
def _cycle_periods(every: str, kind: str | None, first: str, last: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The cycles of kind ``every`` lying wholly inside [``first``, ``last``] (months): the ones due; and the period
    of kind ``kind`` each begins in (none without ``kind``). Text in, text out: kept for the next level and
    indicator asking."""
    span = pd.Series(pd.period_range(first, last, freq="M").strftime("%Y-%m"))
    length = periods.of_months(span, every).value_counts()
    cycles = pd.Series(sorted(length.index[length == MONTHS[every]]), dtype=object)  # cut cycles are not due
    if kind is None:
        return tuple(cycles), ()
    starts = cycles.map(lambda c: periods.parse(c)[1][0])
    return tuple(cycles), tuple(periods.of_months(starts, kind).to_numpy())


def _due_cycles(every: str, first: str, last: str) -> pd.Series:
    """The cycles of kind ``every`` lying wholly inside [``first``, ``last``] (months): the ones due."""
    return pd.Series(list(_cycle_periods(every, None, first, last)[0]), dtype=object)


@per_county
def _cycles_done(
    county, source: str, what: tuple, bases: tuple, every: str, quota: float, time: str, first: str, last: str
) -> pd.DataFrame:
    """base, cycle: the base units of ``bases`` that reached ``quota`` in each cycle due (their values over the
    cycle aggregated by ``time``: sum, last, average). ``source``: "supervision" (``what``: the inspecting level,
    the inspected level: one event per inspection) or "work" (``what``: the work register's element). The same
    for every level and period kind asked: computed once per County."""
    if source == "supervision":
        by, of = what
        register = county.supervision
        month = months_of(register["date"])
        chosen = register["inspector_level"] == by
        base = register.loc[chosen, "unit_code"].map(rollup(county, of))
        events = pd.DataFrame({"base": base, "month": month[chosen], "value": 1.0}).dropna(subset=["base"])
    else:
        part = county.work_register[county.work_register["element"] == what[0]]
        events = pd.DataFrame({"base": part["unit_code"], "month": part["month"], "value": part["amount"]})
    cycles = _due_cycles(every, first, last)
    e = events[events["base"].isin(bases)]
    e = e.assign(cycle=periods.of_months(e["month"], every))
    e = e[e["cycle"].isin(cycles)]
    total = e.sort_values("month").groupby(["base", "cycle"])["value"].agg(AGGREGATE[time])
    return total[total >= quota - 1e-9].reset_index()[["base", "cycle"]]


def cycle_values(
    done: pd.DataFrame,
    bases: pd.Series,
    units: list[str],
    every: str,
    kind: str,
    all_periods: list[str],
    first: str,
    last: str,
) -> pd.DataFrame:
    """unit, period, numerator (unit × cycle pairs done), denominator (due), value (%), note, note_arg.

    ``done``: base, cycle: the pairs done (:func:`_cycles_done`: the base's values over the cycle reached the
    duty's quota); ``bases``: every base unit that owes the duty → its unit at the level asked for; ``every``: the
    cycle kind. Due: the cycles wholly inside [``first``, ``last``] (months) and inside the period."""
    cols = ["unit", "period", "numerator", "denominator", "value", "note", "note_arg"]
    if MONTHS[every] > MONTHS.get(kind, 0):  # a week or a month of a quarterly duty: not judged
        return _notes(units, all_periods, "", f"cycle_{every}").drop(columns="indicator").reindex(columns=cols)
    cycles, of_period = _cycle_periods(every, kind, first, last)
    due = pd.Series(list(of_period), dtype=object).value_counts()  # cycles due in each period
    judged = [p for p in all_periods if p in due.index]
    units_ = np.asarray(units, dtype=object)
    # pairs done, counted on the unit × judged-period grid (a base or cycle outside it counts nowhere)
    unit_of = pd.Index(units_).get_indexer(done["base"].map(bases).to_numpy(dtype=object))
    period_of = pd.Index(judged, dtype=object).get_indexer(
        pd.Series(list(of_period), index=list(cycles), dtype=object).reindex(done["cycle"].to_numpy(dtype=object))
    )
    kept = (unit_of >= 0) & (period_of >= 0)
    numerator = np.bincount(unit_of[kept] * len(judged) + period_of[kept], minlength=len(units_) * len(judged)).astype(
        float
    )
    owed = bases.value_counts().reindex(units_).fillna(0).to_numpy()  # base units owing the duty, per unit
    denominator = np.repeat(owed, len(judged)) * np.tile(due.reindex(judged).to_numpy(), len(units_))
    with np.errstate(divide="ignore", invalid="ignore"):
        value = np.where(denominator > 0, numerator / denominator * 100, np.nan)
    frame = pd.DataFrame(
        {
            "unit": np.repeat(units_, len(judged)),
            "period": np.tile(np.asarray(judged, dtype=object), len(units_)),
            "numerator": numerator,
            "denominator": denominator,
            "value": value,
            "note": np.where(denominator > 0, "", "zero_denominator"),
            "note_arg": "",
        }
    )
    # a period whose last cycles are still running: the value counts the cycles due so far
    running = [p for p in due.index if periods.parse(p)[1][-1] > last] if kind in MONTHS else []
    frame.loc[frame["period"].isin(running) & (frame["note"] == ""), "note"] = "cycle_pending"
    pending = [
        p for p in all_periods if p not in due.index and periods.parse(p)[1][-1] > last >= periods.parse(p)[1][0]
    ]
    return pd.concat(
        [frame[cols], _notes(units, pending, "", "cycle_pending").drop(columns="indicator").reindex(columns=cols)],
        ignore_index=True,
    )


def _bases(county, of: str, level: str) -> pd.Series:
    """Every unit at level ``of`` → its unit at ``level`` (empty when ``of`` is coarser than ``level``)."""
    order = {"village": 0, "township": 1, "county": 2}
    if order[of] > order[level]:
        return pd.Series(dtype=object)
    codes = units_at(county, of)
    return rollup(county, level).reindex(codes).dropna()


def supervision_values(county, level: str, kind: str, indicators: dict) -> pd.DataFrame:
    register, last = county.supervision, covered_until(county, "supervision")
    if not indicators or register.empty or last is None:
        return _empty()
    month = months_of(register["date"])
    rows = []
    for code, ind in indicators.items():
        cycle = ind.cycle
        bases = _bases(county, cycle.of, level)
        if bases.empty:
            continue
        first = month.min()
        if MONTHS[cycle.every] > MONTHS.get(kind, 0):  # not judged in a period this short: nothing to count
            done = pd.DataFrame(columns=["base", "cycle"])
        else:
            what = (cycle.by, cycle.of)
            done = _cycles_done(
                county, "supervision", what, tuple(bases.index), cycle.every, cycle.quota, "sum", first, last
            )
        out = cycle_values(done, bases, units_at(county, level), cycle.every, kind, _periods(county, kind), first, last)
        rows.append(out.assign(indicator=code))
    return pd.concat(rows, ignore_index=True) if rows else _empty()


# --------------------------------------------------------------------------------------- findings and checklist


@per_county
def findings(county, as_of: pd.Timestamp | None = None) -> pd.DataFrame:
    """Every finding of the supervision register (a failed item to rectify, config/rhythm.yaml): unit_code, township_code, date, inspector_level,
    check_item, deadline, closed_on, status (open / closed), due (deadline passed by ``as_of``, default the end of
    the supervision register's last month), on_time (closed on or before the deadline), overdue (open past its deadline)."""
    s = county.supervision
    columns = [
        "unit_code",
        "township_code",
        "date",
        "inspector_level",
        "check_item",
        "deadline",
        "closed_on",
        "status",
        "due",
        "on_time",
        "overdue",
    ]
    if s.empty:
        return pd.DataFrame(columns=columns)
    as_of = as_of if as_of is not None else month_end(covered_until(county, "supervision"))
    rectify = s["check_item"].map({c: i.rectify for c, i in county.config["rhythm"].checklist.items()}).fillna(True)
    failed = s[(passed(s["passed"]) == 0) & rectify.astype(bool)]
    deadline = pd.to_datetime(failed.get("deadline", pd.Series(pd.NaT, index=failed.index)))
    closed = pd.to_datetime(failed.get("closed_on", pd.Series(pd.NaT, index=failed.index)))
    closed = closed.where(closed <= as_of)  # closed after the day looked at: still open that day
    out = pd.DataFrame(
        {
            "unit_code": failed["unit_code"],
            "township_code": failed["unit_code"].map(rollup(county, "township")),
            "date": pd.to_datetime(failed["date"]),
            "inspector_level": failed["inspector_level"],
            "check_item": failed["check_item"],
            "deadline": deadline,
            "closed_on": closed,
        }
    )
    out["status"] = np.where(out["closed_on"].notna(), "closed", "open")
    out["due"] = out["deadline"] <= as_of
    out["on_time"] = out["closed_on"].notna() & (out["closed_on"] <= out["deadline"])
    out["overdue"] = (out["status"] == "open") & out["due"]
    out = out[out["date"] <= as_of]
    return out.sort_values(["date", "unit_code", "check_item"], ignore_index=True)[columns]


def rectification_values(county, level: str, kind: str, indicators: dict) -> pd.DataFrame:
    f = findings(county)
    f = f[f["due"]]
    if not indicators or f.empty:
        return _empty()
    unit = f["unit_code"].map(rollup(county, level))
    data = pd.DataFrame(
        {"unit": unit, "period": periods.of_dates(f["deadline"], kind), "on_time": f["on_time"], "due": 1}
    )
    sums = data.dropna(subset=["unit"]).groupby(["unit", "period"], as_index=False)[["on_time", "due"]].sum()
    return pd.concat(
        [
            pd.DataFrame(
                {
                    "unit": sums["unit"],
                    "period": sums["period"],
                    "indicator": code,
                    "numerator": sums["on_time"].astype(float),
                    "denominator": sums["due"].astype(float),
                    "value": sums["on_time"] / sums["due"] * ind.factor,
                    "note": "",
                }
            )
            for code, ind in indicators.items()
        ],
        ignore_index=True,
    )


@per_county
def _latest_checks(county, item: str, kind: str) -> pd.DataFrame:
    """unit_code, period, passed: each unit's latest inspection on ``item`` in each period of ``kind`` (1.0 passed;
    0.0 failed or blank), the same for every level asked: computed once per County."""
    s = county.supervision
    part = pd.DataFrame(
        {
            "unit_code": s["unit_code"],
            "period": _inspection_periods(county, kind),
            "date": s["date"],
            "passed": _passed_checks(county),
        }
    )
    part = part[(s["check_item"] == item).to_numpy()].sort_values("date")
    return part.groupby(["unit_code", "period"])["passed"].last().reset_index()


@per_county
def _inspection_periods(county, kind: str) -> pd.Series:
    """The period of ``kind`` of every inspection in the supervision register."""
    return periods.of_dates(county.supervision["date"], kind)


@per_county
def _passed_checks(county) -> pd.Series:
    """Every inspection's result: 1.0 passed, 0.0 failed or blank."""
    return passed(county.supervision["passed"]).fillna(0.0)


def checklist_values(county, level: str, kind: str, indicators: dict) -> pd.DataFrame:
    s = county.supervision
    if not indicators or s.empty:
        return _empty()
    rows = []
    for code, ind in indicators.items():
        sums = _passed_per_unit(_latest_checks(county, ind.item, kind), rollup(county, level))
        rows.append(sums.assign(indicator=code, value=sums["numerator"] / sums["denominator"] * ind.factor, note=""))
    return pd.concat(rows, ignore_index=True)


def _passed_per_unit(latest: pd.DataFrame, units: pd.Series) -> pd.DataFrame:
    """unit, period, numerator (units passed), denominator (units inspected): ``latest`` (:func:`_latest_checks`)
    summed into each unit of ``units`` (unit code → its unit at the level), in unit then period order — what
    ``groupby(["unit", "period"])`` gives, counted with numpy on the unit × period grid."""
    unit = latest["unit_code"].map(units)
    kept = unit.notna().to_numpy()
    if not kept.any():  # nothing inspected at this level: the empty table groupby makes
        latest = latest.assign(unit=unit).dropna(subset=["unit"])
        g = latest.groupby(["unit", "period"])["passed"]
        return pd.DataFrame({"numerator": g.sum(), "denominator": g.size()}).reset_index()
    own_unit, codes = pd.factorize(unit[kept], sort=True)
    own_period, ids = pd.factorize(latest["period"][kept], sort=True)
    key = own_unit.astype(np.int64) * len(ids) + own_period
    size = len(codes) * len(ids)
    denominator = np.bincount(key, minlength=size)
    present = np.flatnonzero(denominator)
    passed = latest["passed"].to_numpy(dtype=float)[kept]  # 1.0 or 0.0: the sums are exact in any order
    return pd.DataFrame(
        {
            "unit": codes.take(present // len(ids)),
            "period": ids.take(present % len(ids)),
            "numerator": np.bincount(key, weights=passed, minlength=size)[present],
            "denominator": denominator[present],
        }
    )


# ------------------------------------------------------------------------------------------------- work register


def work_long(county, elements: list[str]) -> pd.DataFrame:
    """village_code (any unit's code), month, element, value: the work register's and the report's values of
    ``elements``."""
    work = county.work_register.rename(columns={"unit_code": "village_code", "amount": "value"})
    work = work[work["element"].isin(elements)]
    wanted = sorted((set(elements) - set(work["element"])) & set(county.service_stats.columns))
    stats = county.service_stats
    report = stats[["village_code", "month", *wanted]].melt(id_vars=["village_code", "month"], var_name="element")
    report = report.dropna(subset=["value"]).astype({"value": float})
    return pd.concat([work[["village_code", "month", "element", "value"]], report], ignore_index=True)


@per_county
def work_wide(county, elements: tuple[str, ...]) -> pd.DataFrame:
    """:func:`work_long` as a wide table (village_code, month, one column per element; values of a unit-month
    summed), the same for every level and period kind; empty when nothing is recorded."""
    long = work_long(county, list(elements))
    if long.empty:
        return long
    wide = long.pivot_table(index=["village_code", "month"], columns="element", values="value", aggfunc="sum")
    return wide.reset_index().rename_axis(columns=None)


def work_types(county) -> dict[str, str]:
    return time_types(county) | {c: e.time for c, e in county.config["rhythm"].elements.items()}


def work_values(county, level: str, kind: str, indicators: dict) -> pd.DataFrame:
    register, last = county.work_register, covered_until(county, "work_register")
    if not indicators or register.empty or last is None:
        return _empty()
    types = work_types(county)
    recorded = set(register["element"].unique())  # the elements the register has rows of
    first = register["month"].min()
    rows = []
    for code, ind in indicators.items():
        if ind.cycle is not None:
            element = elements_of(ind.numerator)[0]
            bases = _bases(county, ind.cycle.of, level)
            if element not in recorded or bases.empty:
                continue
            every = ind.cycle.every
            if MONTHS[every] > MONTHS.get(kind, 0):  # not judged in a period this short: nothing to count
                done = pd.DataFrame(columns=["base", "cycle"])
            else:
                time = types.get(element, "sum")
                key = (element,)
                done = _cycles_done(county, "work", key, tuple(bases.index), every, ind.cycle.quota, time, first, last)
            out = cycle_values(done, bases, units_at(county, level), every, kind, _periods(county, kind), first, last)
            rows.append(out.assign(indicator=code))
    ratios = {code: ind for code, ind in indicators.items() if ind.cycle is None}
    if ratios and kind in MONTHS:
        needed = sorted(
            {e for ind in ratios.values() for e in elements_of(ind.numerator) + elements_of(ind.denominator)}
        )
        wide = work_wide(county, tuple(needed))
        values = (
            aggregate_wide(wide, types, rollup(county, level), kind)
            if len(wide)
            else pd.DataFrame(columns=["unit", "period"])
        )
        values = _with_zeros(county, values, level, kind, needed, types)
        rows += [_work_ratio(county, level, kind, code, ind, values) for code, ind in ratios.items()]
    rows = [r for r in rows if len(r)]
    return pd.concat(rows, ignore_index=True) if rows else _empty()


def _with_zeros(
    county, values: pd.DataFrame, level: str, kind: str, elements: list[str], types: dict[str, str]
) -> pd.DataFrame:
    """Every unit × period the register covers (its first month to the data's last), with 0 for the flows it records
    (a meeting, a course, a person sent) where no entry says otherwise: the register lists what happened. Stocks
    (staff in post) stay missing where not recorded."""
    order = {"village": 0, "township": 1, "county": 2}
    config = county.config["rhythm"].elements
    flows = [
        e
        for e in elements
        if e in config
        and types.get(e, "sum") == "sum"
        and order[config[e].level] <= order[level]
        and (county.work_register["element"] == e).any()
    ]
    if not flows:
        return values
    span = pd.Series(
        pd.period_range(county.work_register["month"].min(), covered_until(county, "work_register"), freq="M").strftime(
            "%Y-%m"
        )
    )
    covered = span.groupby(periods.of_months(span, kind)).size()
    whole = covered[covered == MONTHS[kind]].index
    grid = pd.MultiIndex.from_product([units_at(county, level), whole], names=["unit", "period"]).to_frame(index=False)
    out = grid.merge(values, on=["unit", "period"], how="outer")
    inside = out["period"].isin(whole)
    for e in flows:
        out[e] = (out[e] if e in out else pd.Series(np.nan, index=out.index)).mask(inside, lambda v: v.fillna(0.0))
    return out


def _work_ratio(county, level: str, kind: str, code: str, ind, values: pd.DataFrame) -> pd.DataFrame:
    """numerator / denominator over the elements (``values``: unit, period, element columns; a count without
    denominator), the denominator's persons owing ``per_year`` checks a year; a unit-period where none of the
    numerator's elements was recorded has no value."""
    top = elements_of(ind.numerator)
    if ind.per_year and MONTHS[kind] < 12 / ind.per_year - 1e-9:  # a month of a quarterly check: not judged
        cycle = {1: "year", 2: "half_year", 4: "quarter"}.get(int(ind.per_year), "month")
        return _notes(units_at(county, level), _periods(county, kind), code, f"cycle_{cycle}")
    values = values[values.reindex(columns=top).notna().any(axis=1)].reset_index(drop=True)
    if values.empty:
        return _empty()
    num = evaluate(ind.numerator, values).to_numpy()
    out = pd.DataFrame({"unit": values["unit"], "period": values["period"], "indicator": code, "numerator": num})
    if not ind.denominator:
        return out.assign(denominator=np.nan, value=num * ind.factor, note="")
    den = evaluate(ind.denominator, values).to_numpy()
    note = np.full(len(values), "", dtype=object)
    if ind.per_year:
        months = values["period"].map({p: periods.months_in(p) for p in values["period"].unique()}).to_numpy(float)
        den = den * ind.per_year * months / 12
        short = months < 12 / ind.per_year - 1e-9
        den = np.where(short, np.nan, den)
        note[short] = "cycle_" + {1: "year", 2: "half_year", 4: "quarter"}.get(int(ind.per_year), "month")
    with np.errstate(divide="ignore", invalid="ignore"):
        value = np.where(den > 0, num / np.where(den > 0, den, 1.0) * ind.factor, np.nan)
    note[(note == "") & ~(den > 0)] = "zero_denominator"
    return out.assign(denominator=den, value=value, note=note, note_arg="")


# ------------------------------------------------------------------------------------------ village rooms, schools


def room_values(county, level: str, kind: str, indicators: dict) -> pd.DataFrame:
    """Years only: villages whose room (school) is up to standard at the year's end / villages listed that year."""
    rooms = county.village_rooms
    all_periods = _periods(county, kind)
    units = units_at(county, level)
    rows = []
    for code, ind in indicators.items():
        if kind != "year":
            rows.append(_notes(units, all_periods, code, "year_only"))
            continue
        have: list[str] = []
        if len(rooms):
            unit = rooms["village_code"].map(rollup(county, level))
            data = pd.DataFrame(
                {
                    "unit": unit,
                    "period": rooms["year"].astype(str),
                    "ok": (rooms[ind.item] == "up_to_standard").astype(float),
                }
            ).dropna(subset=["unit"])
            sums = data.groupby(["unit", "period"], as_index=False).agg(
                numerator=("ok", "sum"), denominator=("ok", "size")
            )
            rows.append(
                sums.assign(indicator=code, value=sums["numerator"] / sums["denominator"] * ind.factor, note="")
            )
            have = sorted(set(sums["period"]))
        missing = [p for p in all_periods if p not in have]
        for p in missing:
            rows.append(_notes(units, [p], code, "no_room_status", p))
    return pd.concat(rows, ignore_index=True) if rows else _empty()


SOURCES = {
    "supervision": supervision_values,
    "rectification": rectification_values,
    "checklist": checklist_values,
    "work": work_values,
    "village_rooms": room_values,
}
