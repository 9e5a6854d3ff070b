"""Checks worked out once per distinct value (the rhythm tables' names, roles and answers) and problem rows
selected only when a rule finds some: the same as the per-row versions they replace."""

from __future__ import annotations

import numpy as np
import pandas as pd

from fpplan.data.labels import normalise
from fpplan.data.rhythm_checks import _each
from fpplan.data.validation import _flagged, _problems


def test_each_value_as_a_per_row_map() -> None:
    names = {"四查": "four_checks", "visit": "visit"}
    values = pd.Series(["四查", " Visit ", None, "四查", "unknown", np.nan, "visit"], index=range(10, 17))
    got = _each(values, lambda v: names.get(normalise(v)))
    expected = values.map(lambda v: names.get(normalise(v)))  # the per-row map it replaces (None comes back NaN)
    assert [None if pd.isna(v) else v for v in expected] == got.tolist()
    assert got.tolist() == ["four_checks", "visit", None, "four_checks", None, None, "visit"]
    assert got.index.equals(values.index)
    known = _each(values, lambda v: normalise(v) in names, bool)
    assert known.dtype == bool and known.tolist() == [True, True, False, True, False, False, True]
    calls = []
    _each(values, lambda v: calls.append(v))
    assert calls == ["四查", " Visit ", "unknown", "visit", None]  # each distinct value once, then the missing


def test_flagged_rows_as_problems_of_the_selected_values() -> None:
    values = pd.Series(["1", "-2", "x", None], index=[0, 1, 2, 3])
    bad = pd.Series([False, True, True, False], index=values.index)
    assert _flagged(values, bad, "negative", "f.csv", "n") == _problems(values[bad], "negative", "f.csv", "n")
    assert [p.row for p in _flagged(values, bad, "negative", "f.csv", "n")] == [3, 4]  # the header is row 1
    assert _flagged(values, bad & False, "negative", "f.csv", "n") == []
