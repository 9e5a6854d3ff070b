"""Equipment against the 甲级 standard: the gap and its cost on a hand case, when it is bought and how it is paid,
and the inventory validated like every table."""

from __future__ import annotations

import pandas as pd
import pytest

from fpplan import DataError, load_county
from fpplan.data.config import load
from fpplan.planning.equipment import gap_table, purchases, standard_table
from fpplan.testing.mini import mini_tables, write_mini_county

CONFIG = load("equipment")
FACILITIES = pd.DataFrame(
    {"code": ["G1", "V1"], "level": ["township_general", "mobile_vehicle"], "township_code": ["T1", "T1"]}
)
VILLAGES = pd.Series({"T1": 5})


def inventory(rows) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["station_code", "item", "quantity", "year_acquired"])


def test_gap_and_cost_by_hand() -> None:
    # general station standard (shipped): B-ultrasound 1, urine 1, blood 1, computers 2, one kit per village (5).
    # Held: a B-ultrasound of 2010 (12-year life: out of service by 2030), a 2025 computer, three 2025 kits.
    held = inventory(
        [
            ("G1", "b_ultrasound", 1, 2010),
            ("G1", "computer", 1, 2025),
            ("G1", "village_medical_kit", 3, 2025),
            ("V1", "service_vehicle", 1, 2020),
        ]
    )
    standard = standard_table(FACILITIES, VILLAGES, CONFIG)
    gap = gap_table(standard, held, CONFIG, 2030).set_index(["station", "item"])
    assert gap.loc[("G1", "village_medical_kit"), "standard_quantity"] == 5
    assert gap.loc[("G1", "b_ultrasound"), ["quantity", "usable_quantity", "gap_quantity"]].tolist() == [1, 0, 1]
    expected = {"b_ultrasound": 1, "urine_analyser": 1, "blood_analyser": 1, "computer": 1, "village_medical_kit": 2}
    assert gap.loc["G1", "gap_quantity"].to_dict() == expected
    # 15 + 2 + 6 + 0.4 + 2 × 0.05 = 23.5 万元; the vehicle (2020, 15 years) is usable, its portable B-ultrasound missing
    assert gap.loc["G1", "cost_wan_yuan"].sum() == pytest.approx(23.5)
    assert gap.loc[("V1", "service_vehicle"), "gap_quantity"] == 0
    assert gap.loc[("V1", "portable_ultrasound"), "cost_wan_yuan"] == pytest.approx(8.0)


def test_bought_with_the_new_building_and_split_by_source() -> None:
    standard = standard_table(FACILITIES, VILLAGES, CONFIG)
    gap = gap_table(standard, inventory([]), CONFIG, 2030)
    plan = pd.DataFrame({"station_code": ["G1"], "completion_year": [2028]})
    buy = purchases(gap, plan, 2026, CONFIG)
    assert set(buy.loc[buy["station"] == "G1", "purchase_year"]) == {2028}  # equips the new building
    assert set(buy.loc[buy["station"] == "V1", "purchase_year"]) == {2026}  # no project: the first plan year
    assert buy["cost_wan_yuan"].sum() == pytest.approx(gap["cost_wan_yuan"].sum())
    assert (buy["self_raised_wan_yuan"] + buy["subsidy_wan_yuan"]).sum() == pytest.approx(buy["cost_wan_yuan"].sum())
    assert buy["self_raised_wan_yuan"].sum() == pytest.approx(CONFIG.self_raised_share * buy["cost_wan_yuan"].sum())


def test_inventory_is_validated_and_names_are_accepted(tmp_path) -> None:
    tables = mini_tables()
    tables["equipment"] = inventory(
        [
            ("F01", "B超", 1, 2020),
            ("F01", "laser sword", 1, 2020),
            ("F02", "computer", -2, 2021),
            ("F09", "computer", 1, None),
        ]
    )
    with pytest.raises(DataError) as error:
        load_county(write_mini_county(tmp_path / "bad", tables))
    found = {(p.row, p.column, p.kind) for p in error.value.problems}
    assert found == {(3, "item", "not_in_enum"), (4, "quantity", "negative"), (5, "station_code", "unknown_reference")}
    message = next(p for p in error.value.problems if p.kind == "not_in_enum").message("en")
    assert "laser sword" in message and "b_ultrasound" in message
    tables["equipment"] = inventory([("F01", "B超", 1, 2020), ("F02", "Computer", 2, None)])
    county = load_county(write_mini_county(tmp_path / "good", tables))
    assert county.equipment["item"].tolist() == ["b_ultrasound", "computer"]
    assert county.equipment["quantity"].tolist() == [1, 2]
