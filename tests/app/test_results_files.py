"""The tables kept with the results as Parquet: mixed object columns become text, a missing value stays missing."""

from __future__ import annotations

import numpy as np
import pandas as pd

from fpplan.app.results import _parquet


def test_a_missing_value_in_a_text_column_stays_missing(tmp_path) -> None:
    frame = pd.DataFrame({"forecast_quarter": ["2026Q1", np.nan, None], "code": [650123, "650124", pd.NA]})
    _parquet(frame, tmp_path / "t.parquet")
    back = pd.read_parquet(tmp_path / "t.parquet")
    assert back["forecast_quarter"].tolist()[0] == "2026Q1"
    assert back["forecast_quarter"].isna().tolist() == [False, True, True]  # not the text "nan"
    assert back["code"].tolist()[:2] == ["650123", "650124"] and pd.isna(back["code"].iloc[2])
