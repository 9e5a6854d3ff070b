"""Head-count norms and structure rules on rosters crafted to sit exactly on each threshold."""

from __future__ import annotations

import pandas as pd
import pytest

from fpplan.data.config import load
from fpplan.planning.staffing import head_count_check, people_to_meet, structure_check

SIX = (
    "bachelor",
    "associate",
    "associate_senior_title",
    "intermediate_title",
    "medical",
    "licensed_assistant_physician",
)
SHIPPED = load("standards")
# the six share and count rules of seed 000 §三(三) (the "everyone" rules are tested in test_recruitment.py)
STANDARDS = SHIPPED.model_copy(update={"structure": tuple(r for r in SHIPPED.structure if r.code in SIX)})


def roster(n: int, **columns) -> pd.DataFrame:
    base = {
        "staff_id": [f"S{i}" for i in range(n)],
        "station_code": "F1",
        "specialty": "nursing",
        "education": "secondary_vocational",
        "title": "junior",
        "medical": False,
        "licence": "none",
        "fte": 1.0,
        "sex": "female",
        "birth_year": 1990,
    }
    frame = pd.DataFrame({k: base[k] for k in base})
    for column, values in columns.items():
        frame[column] = values
    return frame


def rule_row(table: pd.DataFrame, code: str) -> pd.Series:
    return table.set_index("rule").loc[code]


def test_every_share_rule_exactly_on_its_threshold_is_met() -> None:
    # 20 staff: 4 bachelor (20%), 6 associate (30%), 2 associate-senior (10%), 6 intermediate (30%),
    # 14 medical (70%), 5 licensed assistant physicians or above (a count)
    staff = roster(
        20,
        education=["bachelor"] * 4 + ["associate"] * 6 + ["secondary_vocational"] * 10,
        title=["associate_senior"] * 2 + ["intermediate"] * 6 + ["junior"] * 12,
        medical=[True] * 14 + [False] * 6,
        licence=["physician"] * 2 + ["assistant_physician"] * 3 + ["none"] * 15,
    )
    table = structure_check(staff, STANDARDS)
    assert table["met"].all()
    assert table["people_needed"].sum() == 0
    assert rule_row(table, "bachelor")["value"] == pytest.approx(0.20)


def test_one_below_each_threshold_is_missed_with_the_people_it_takes() -> None:
    staff = roster(
        20,
        education=["bachelor"] * 3 + ["associate"] * 5 + ["secondary_vocational"] * 12,
        title=["associate_senior"] * 1 + ["intermediate"] * 5 + ["junior"] * 14,
        medical=[True] * 13 + [False] * 7,
        licence=["physician"] * 1 + ["assistant_physician"] * 3 + ["none"] * 16,
    )
    table = structure_check(staff, STANDARDS)
    assert not table["met"].any()
    # (3 + k)/(20 + k) ≥ 0.2 → k ≥ 1.25 → 2; (5 + k)/(20 + k) ≥ 0.3 → k ≥ 1.43 → 2; (1 + k)/(20 + k) ≥ 0.1 → 2;
    # (5 + k)/(20 + k) ≥ 0.3 → 2; (13 + k)/(20 + k) ≥ 0.7 → k ≥ 3.33 → 4; licensed 4 of 5 → 1
    assert table.set_index("rule")["people_needed"].to_dict() == {
        "bachelor": 2,
        "associate": 2,
        "associate_senior_title": 2,
        "intermediate_title": 2,
        "medical": 4,
        "licensed_assistant_physician": 1,
    }


def test_people_to_meet_is_the_smallest_sufficient_number() -> None:
    rule = STANDARDS.structure[0]  # bachelor ≥ 20%
    for count, total in [(0, 10), (3, 20), (7, 45), (9, 45)]:
        k = people_to_meet(count, total, rule)
        assert (count + k) / (total + k) >= 0.2 - 1e-12
        assert k == 0 or (count + k - 1) / (total + k - 1) < 0.2


def test_head_count_norms_by_level() -> None:
    facilities = pd.DataFrame(
        {"code": ["C1", "G1", "G2"], "level": ["township_central", "township_general", "township_general"]}
    )
    staff = roster(6, station_code=["C1", "C1", "C1", "C1", "G1", "G2"])
    table = head_count_check(staff, facilities, STANDARDS).set_index("station")
    assert table.loc["C1", "met"] and table.loc["C1", "missing"] == 0  # exactly 4
    assert not table.loc["G1", "met"] and table.loc["G1", "missing"] == 1  # 1 of at least 2
