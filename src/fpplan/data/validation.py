"""Validating one table: headers, types, ranges, enumerations, required values and keys.

Vectorized over rows; every problem names file, row (the header is row 1), column, value and what is wrong.
Cross-table rules (references, completeness, consistency) are in :mod:`fpplan.data.crosschecks`.
"""

from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from fpplan.data.errors import Problem
from fpplan.data.labels import allowed_values, canonical_column, enum_aliases, label, language, normalise
from fpplan.data.readers import ARROW_TEXT
from fpplan.data.schema import FORBIDDEN_HEADERS, Column, Table

_BOOL = {
    normalise(k): v
    for k, v in {
        "true": True,
        "false": False,
        "yes": True,
        "no": False,
        "y": True,
        "n": False,
        "1": True,
        "0": False,
        "是": True,
        "否": False,
        "有": True,
        "无": False,
    }.items()
}
_MONTH = re.compile(r"^(\d{4})[-/.年](\d{1,2})月?(?:[-/.](\d{1,2})日?(?:[T ].*)?)?$")
SCIENTIFIC = re.compile(r"^[+-]?\d+(\.\d+)?[eE][+-]?\d+$")  # what Excel shows for a long number: 6.50123E+11
EARLIEST_YEAR = 1990  # the schema's earliest plan and report year: a month or date before it is a typo (0025)


def today() -> dt.date:
    """Today, by the machine's clock: months and dates after it are refused (tests set it)."""
    return dt.date.today()


def rows_of(index: pd.Index) -> np.ndarray:
    """Row numbers as the planner sees them in the file: the header is row 1."""
    return np.asarray(index, dtype=int) + 2


def map_headers(
    raw: pd.DataFrame,
    table: Table,
    file: str,
    elements: dict[str, str] | None = None,
    uncollected: frozenset[str] = frozenset(),
) -> tuple[pd.DataFrame, list[Problem]]:
    """Rename headers to column codes; report unknown, forbidden, duplicate and missing columns. A data element
    the county declares not collected (``uncollected``, config/collection.yaml) may be absent; any other missing
    element is named with how to declare it."""
    problems, names = [], {}
    allowed = {c.name for c in table.columns} | ({"age_group"} if table.name == "population" else set())
    element_codes = list(dict.fromkeys((elements or {}).values())) if table.data_elements else []
    for header in raw.columns:
        if normalise(header) in FORBIDDEN_HEADERS or (table.name == "staff" and canonical_column(header) == "name"):
            problems.append(Problem(file=file, kind="forbidden_column", column=header))
            continue
        code = canonical_column(header, elements if table.data_elements else None)
        if code is None or (code not in allowed and code not in element_codes):
            problems.append(Problem(file=file, kind="unknown_column", column=header))
            continue
        if code in names.values():
            problems.append(
                Problem(file=file, kind="duplicate", column=header, value=header, detail=label("ui", "column"))
            )
            continue
        names[header] = code
    frame = raw[list(names)].rename(columns=names)
    required = [c.name for c in table.columns if not c.optional]
    if table.name == "population" and "age_group" in frame.columns:
        required.remove("age")
    for name in required:
        if name not in frame.columns:
            problems.append(Problem(file=file, kind="missing_column", column=name))
    for code in element_codes:
        if code not in frame.columns and code not in uncollected:
            name = next((a for a, c in (elements or {}).items() if c == code and not a.isascii()), code)
            problems.append(Problem(file=file, kind="missing_element", column=code, detail=name))
    return frame, problems


def per_value(values: pd.Series, convert, missing: str = "none") -> pd.Series:
    """``convert`` of each value, worked out once per distinct value (a column repeats a few words or months over
    thousands of rows); a missing value gives None (``missing="keep"``: stays as it is)."""
    table = {v: convert(v) for v in pd.unique(values[values.notna()])}
    converted = values.map(table.get)
    return converted.where(values.notna(), values) if missing == "keep" else converted


def numbers(values: pd.Series) -> pd.Series:
    """Text as numbers, what is not a number missing, as ``pd.to_numeric(errors="coerce")`` reads it: parsed in
    pyarrow (C) when every cell is a number, which is nearly always; cell by cell only when one is not."""
    try:
        parsed = pc.cast(pa.array(values.to_numpy(), type=pa.string(), from_pandas=True), pa.float64())
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
        return pd.to_numeric(values, errors="coerce") + 0.0  # + 0.0: a "-0" is 0
    return pd.Series(parsed.to_numpy(zero_copy_only=False) + 0.0, index=values.index, name=values.name)


def coerce_column(values: pd.Series, column: Column, file: str) -> tuple[pd.Series, list[Problem]]:
    """Convert text to the column's type and check blanks, ranges and enumerations."""
    blank = values.isna()
    kind = column.kind
    if kind in ("int", "float"):
        typed = numbers(values)
        bad = ~blank & (typed.isna() | (typed % 1 != 0)) if kind == "int" else ~blank & typed.isna()
        detail = label("types", "integer" if kind == "int" else "number")
    elif kind == "bool":
        typed = per_value(values, lambda v: _BOOL.get(normalise(v)))
        bad = ~blank & typed.isna()
        detail = label("types", "bool")
    elif kind == "month":
        typed = per_value(values, _parse_month)
        bad = ~blank & typed.isna()
        detail = label("types", "month")
    elif kind == "date":
        text = _text(values).str.replace(r"[年月]", "-", regex=True).str.replace("日", "", regex=False)
        typed = pd.to_datetime(text, errors="coerce", format="mixed")
        bad = ~blank & typed.isna()
        detail = label("types", "date")
    elif kind.startswith("enum:"):
        enum = kind.split(":", 1)[1]
        aliases = enum_aliases(enum)
        typed = per_value(values, lambda v: aliases.get(normalise(v)))
        bad = ~blank & typed.isna()
        detail = allowed_values(enum)
    else:
        typed, bad, detail = values, pd.Series(False, index=values.index), ""
    problems = _flagged(
        values, bad, "not_in_enum" if kind.startswith("enum:") else "bad_type", file, column.name, detail
    )
    if not column.nullable:
        problems += _flagged(values, blank, "required", file, column.name)
    if kind in ("int", "float"):
        if column.min == 0:
            problems += _flagged(values, typed < 0, "negative", file, column.name)
        elif column.min is not None:
            problems += _flagged(values, typed < column.min, "out_of_range", file, column.name, _range(column))
        if column.max is not None:
            problems += _flagged(values, typed > column.max, "out_of_range", file, column.name, _range(column))
        typed = (typed.where(~bad) if bad.any() else typed).astype(float)
    if kind in ("month", "date"):
        found = _implausible_time(values, typed, kind, file, column.name)
        if column.future:
            found = [p for p in found if not p.kind.endswith("_in_future")]
        problems += found
        if found:
            typed = typed.where(~values.index.isin([_index_of(p) for p in found]))
    if kind == "str" and column.name.endswith("code"):
        problems += _flagged(values, scientific(values), "code_scientific", file, column.name)
    return typed, problems


def scientific(values: pd.Series) -> pd.Series:
    """Which cells read as a number in scientific notation (a long code as Excel shows it: 6.50123E+11)."""
    return _text(values).str.match(SCIENTIFIC.pattern, na=False)


def _text(values: pd.Series) -> pd.Series:
    """Cells as strings (blank stays missing), so that string methods work on any column (in C: ``ARROW_TEXT``)."""
    return values.astype(ARROW_TEXT)


def _index_of(problem: Problem) -> int:
    return problem.row - 2


def _implausible_time(values: pd.Series, typed: pd.Series, kind: str, file: str, column: str) -> list[Problem]:
    """Months and dates before EARLIEST_YEAR (a year like 0025) or after today (a month not over yet counts:
    reports may close before the month's end)."""
    now = today()
    if kind == "month":
        year = pd.to_numeric(typed.str[:4], errors="coerce")
        future = typed.notna() & (typed > f"{now.year:04d}-{now.month:02d}")
    else:
        year = typed.dt.year
        future = typed.notna() & (typed.dt.normalize() > pd.Timestamp(now))
    early = year.notna() & (year < EARLIEST_YEAR)
    return _flagged(values, early, "implausible_year", file, column, f"{EARLIEST_YEAR}–{now.year}") + _flagged(
        values, future & ~early, f"{kind}_in_future", file, column, now.isoformat()
    )


def reported_before_month(frame: pd.DataFrame, file: str) -> list[Problem]:
    """A report dated before the first day of the month it reports (``reported_on`` < ``month``-01)."""
    if "reported_on" not in frame or "month" not in frame:
        return []
    start = pd.to_datetime(frame["month"] + "-01", errors="coerce", format="%Y-%m-%d")
    early = frame["reported_on"].notna() & start.notna() & (frame["reported_on"] < start)
    dates = frame.loc[early, "reported_on"].dt.strftime("%Y-%m-%d")
    return [
        Problem(file=file, kind="reported_before_month", row=int(r), column="reported_on", value=d, detail=m)
        for r, d, m in zip(rows_of(dates.index), dates, frame.loc[early, "month"])
    ]


_GROUP = re.compile(r"^(\d{1,3})(?:-(\d{1,3})|\+|岁及以上|以上)?岁?$")


def _age_group_start(values: pd.Series, file: str) -> tuple[pd.Series, list[Problem]]:
    """First age of a 5-year group ('0-4', '0-4岁', '100+', '100岁及以上'); the groups must be 5 years wide."""

    def start(v: object) -> float:
        match = _GROUP.match(normalise(v)) if v is not None else None
        if not match:
            return np.nan
        first = int(match.group(1))
        last = match.group(2)
        if first % 5 or (last is not None and int(last) != first + 4) or (last is None and first != 100) or first > 100:
            return np.nan
        return float(first)

    typed = values.map(start).astype(float)
    bad = typed.isna()
    return typed, _problems(values[bad], "bad_type", file, "age_group", "0-4, 5-9, …, 95-99, 100+")


def _range(column: Column) -> str:
    low = "−∞" if column.min is None else f"{column.min:g}"
    high = "∞" if column.max is None else f"{column.max:g}"
    return f"[{low}, {high}]"


def _parse_month(value: object) -> str | None:
    if value is None:
        return None
    match = _MONTH.match(str(value).strip())
    if not match or not 1 <= int(match.group(2)) <= 12:
        return None
    if match.group(3) is not None:  # a date: its day must exist (2025-01-99 is no month)
        try:
            dt.date(max(int(match.group(1)), 1), int(match.group(2)), int(match.group(3)))
        except ValueError:
            return None
    return f"{match.group(1)}-{int(match.group(2)):02d}"


def _flagged(values: pd.Series, bad: pd.Series, kind: str, file: str, column: str, detail: str = "") -> list[Problem]:
    """:func:`_problems` of the ``values`` where ``bad`` (a boolean Series on their index) holds; nothing selected
    when none does (most columns of most files: selecting an empty part costs more than looking)."""
    return _problems(values[bad], kind, file, column, detail) if bad.any() else []


def _problems(values: pd.Series, kind: str, file: str, column: str, detail: str = "") -> list[Problem]:
    return [
        Problem(file=file, kind=kind, row=int(r), column=column, value=v, detail=detail)
        for r, v in zip(rows_of(values.index), values.tolist())
    ]


def _element_names(elements: dict[str, str] | None) -> dict[str, str]:
    """Data element code → its Chinese name (the first non-ASCII alias of ``elements``: alias → code)."""
    names: dict[str, str] = {}
    for alias, code in (elements or {}).items():
        if not alias.isascii():
            names.setdefault(code, alias)
    return names


def check_keys(frame: pd.DataFrame, table: Table, file: str) -> list[Problem]:
    """Every repeat of a key (a village twice, a staff id twice) after its first row."""
    key = [k for k in table.key if k in frame.columns]
    if not key:
        return []
    dup = frame.duplicated(key, keep="first") & frame[key].notna().any(axis=1)
    if not dup.any():
        return []
    parts = frame.loc[dup, key].astype(str)
    keys = parts[key[0]]
    for k in key[1:]:
        keys = keys + "/" + parts[k]
    detail = "/".join(label("columns", k) for k in key)
    return _problems(keys, "duplicate", file, key[-1] if len(key) == 1 else "/".join(key), detail)


def half_written(
    frame: pd.DataFrame, elements: list[str], file: str, shown_names: dict[str, str] | None = None
) -> list[Problem]:
    """Rows of a monthly report with some data elements filled and others blank (``shown_names``: element code →
    the name the message shows)."""
    present = [e for e in elements if e in frame.columns]
    blank = frame[present].isna()
    partly = (blank.any(axis=1) & ~blank.all(axis=1)).to_numpy()
    names = np.array(present)
    shown = np.array([shown_names.get(c, label("columns", c)) for c in present]) if shown_names else names
    return [
        Problem(file=file, kind="half_written", row=int(r), column=", ".join(names[b]), detail="、".join(shown[b]))
        for r, b in zip(rows_of(frame.index[partly]), blank.to_numpy()[partly])
    ]


def validate_table(
    raw: pd.DataFrame,
    table: Table,
    file: str,
    elements: dict[str, str] | None = None,
    uncollected: frozenset[str] = frozenset(),
) -> tuple[pd.DataFrame, list[Problem]]:
    """Headers, every column's type and range, and the table's key; returns the typed table (``uncollected``: see
    :func:`map_headers`)."""
    frame, problems = map_headers(raw, table, file, elements, uncollected)
    typed = {}
    for column in table.columns:
        if column.name in frame.columns:
            typed[column.name], found = coerce_column(frame[column.name], column, file)
            problems += found
    element_codes = list(dict.fromkeys((elements or {}).values())) if table.data_elements else []
    for code in element_codes:
        if code in frame.columns:
            typed[code], found = coerce_column(frame[code], Column(code, "float", nullable=True, min=0), file)
            problems += found
    if table.name == "population" and "age_group" in frame.columns and "age" not in frame.columns:
        typed["age"], found = _age_group_start(frame["age_group"], file)
        typed["age_group"] = True
        problems += found
    result = pd.DataFrame(typed, index=frame.index)
    problems += check_keys(result, table, file)
    problems += reported_before_month(result, file)
    if table.data_elements:
        problems += half_written(result, element_codes, file, _element_names(elements) if language() == "zh" else None)
    return result, problems
