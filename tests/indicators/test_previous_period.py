"""The change from the previous period is taken between whole periods only: a year against a year with one reported
month would read as a jump."""

from __future__ import annotations

import numpy as np
import pandas as pd

from fpplan.indicators.coverage import complete
from fpplan.indicators.scorecard import with_previous


def test_change_only_between_whole_periods() -> None:
    months = frozenset(["2024-12"] + [f"2025-{m:02d}" for m in range(1, 13)] + [f"2026-{m:02d}" for m in range(1, 13)])
    whole = complete(["2024", "2025", "2026"], months)
    assert whole == {"2024": False, "2025": True, "2026": True}
    card = pd.DataFrame(
        {
            "unit": ["A", "A", "A", "B", "B"],
            "indicator": ["x"] * 5,
            "period": ["2025", "2024", "2026", "2024", "2025"],
            "value": [97.5, 8.4, 96.0, 7.0, 90.0],
        }
    )
    got = with_previous(card, whole)
    assert np.isnan(got["previous"][0]) and np.isnan(got["change"][0])  # 2025 against the one-month 2024: none
    assert got["previous"][2] == 97.5 and abs(got["change"][2] - (96.0 - 97.5)) < 1e-12  # 2026 against 2025
    assert got[["previous", "change"]].iloc[[1, 3, 4]].isna().all().all()  # nothing before, or a part year before
    assert got["value"].tolist() == card["value"].tolist()  # the rows keep their order
