"""The plan starts now: a census population brought forward with the recorded births, deaths and migration
(fpplan.data.forward), the plan's first year after it, the recent records beside the scenarios."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from fpplan import DataError, load_county
from fpplan.data.base.schedules import asfr_shape
from fpplan.data.forward import allocate, bring_forward, cohort_step, to_villages
from fpplan.demography.observed import observed
from fpplan.planning.plan import make_plan
from fpplan.testing import variants

FLOWS = ["births_male", "births_female", "deaths_male", "deaths_female", "in_migrants", "out_migrants"]


def _hand_case():
    pop = np.zeros((1, 2, 101))
    pop[0, 0, 30], pop[0, 0, 99], pop[0, 0, 100] = 100, 10, 5
    pop[0, 1, 30] = 100
    mx = np.zeros((2, 101))
    mx[:, 100] = 1.0  # every death in the open age group
    profile = np.zeros((2, 101))
    profile[:, 31] = 0.5  # every migrant aged 31, half of them women
    return pop, mx, profile


def test_one_cohort_step_by_hand() -> None:
    pop, mx, profile = _hand_case()
    flows = np.array([[4, 6, 3, 0, 10, 20]], float)
    after, short = cohort_step(pop, flows, mx, profile)
    expected = np.zeros((2, 101))
    expected[0, 0], expected[1, 0] = 4, 6  # the year's births at age 0
    expected[0, 31] = expected[1, 31] = 100 + 5 - 10  # aged 30 → 31, +5 in, −10 out, each sex
    expected[0, 100] = 10 + 5 - 3  # 99 and 100+ join the open group, 3 deaths there
    assert np.allclose(after[0], expected) and short[0] == 0
    assert after.sum() == pytest.approx(215 + 10 - 3 + 10 - 20)


def test_a_capped_share_goes_to_the_other_cells_and_totals_stay_exact() -> None:
    pop, mx, profile = _hand_case()
    flows = np.array([[4, 6, 3, 0, 10, 220]], float)  # 220 out-migrants; the age-31 cells hold 210
    after, short = cohort_step(pop, flows, mx, profile)
    assert short[0] == 0 and (after >= -1e-9).all()
    assert after[0, :, 31] == pytest.approx([0, 0], abs=1e-9)
    assert after.sum() == pytest.approx(215 + 10 - 3 + 10 - 220)
    # the 10 beyond the age-31 cells come from the others in proportion to what they hold (4, 6 and 12 of 22)
    assert after[0, 0, 0] == pytest.approx(4 - 10 * 4 / 22) and after[0, 0, 100] == pytest.approx(12 - 10 * 12 / 22)
    amounts, shortfall = allocate(np.array([50.0]), np.array([[1.0, 1.0]]), np.array([[10.0, 20.0]]))
    assert amounts.tolist() == [[10.0, 20.0]] and shortfall.tolist() == [20.0]  # more than there is: what is left


@pytest.fixture(scope="module")
def census(demo: Path, tmp_path_factory) -> Path:
    """The demo's population table dated 2020 (a census) with vital history recorded to 2025."""
    return variants.census_base(variants.copy(demo, tmp_path_factory.mktemp("census") / "county"))


def test_the_census_is_brought_forward_to_the_latest_complete_year(census: Path) -> None:
    county = load_county(census)
    assert (county.census_year, county.base_year) == (2020, 2025)
    vital = variants.read(census, "vital_history").astype({f: float for f in FLOWS} | {"year": int})
    applied = vital[(vital["year"] >= 2020) & (vital["year"] <= 2024)]
    change = (
        (
            applied["births_male"]
            + applied["births_female"]
            - applied["deaths_male"]
            - applied["deaths_female"]
            + applied["in_migrants"]
            - applied["out_migrants"]
        )
        .groupby(applied["township_code"])
        .sum()
    )
    start = variants.read(census, "population").astype({"population": float}).groupby("unit_code")["population"].sum()
    units = variants.read(census, "units").set_index("code")["parent_code"]
    start = start.groupby(start.index.map(units)).sum()  # villages to their townships
    now = county.township_population().groupby("township_code")["population"].sum()
    assert np.allclose(now.sort_index(), (start + change).sort_index(), rtol=0, atol=1e-6)
    assert county.population["population"].sum() == pytest.approx(start.sum() + change.sum(), abs=1e-6)
    assert (county.population["year"] == 2025).all() and (county.population["population"] >= 0).all()
    # the population table as read stays at hand (back-test, notes)
    assert county.census().base_year == 2020
    assert county.census().population["population"].sum() == pytest.approx(start.sum())


def test_villages_keep_their_share_of_each_cohort(census: Path) -> None:
    county = load_county(census)
    before = county.census().village_population()
    after = county.village_population()
    k = county.base_year - county.census_year

    def share(frame, sex, age):
        cell = frame[(frame["sex"] == sex) & (frame["age"] == age)].set_index("village_code")["population"]
        return cell / cell.groupby(
            frame.drop_duplicates("village_code").set_index("village_code")["township_code"].reindex(cell.index)
        ).transform("sum")

    assert np.allclose(
        share(after, "female", 40), share(before, "female", 40 - k).reindex(share(after, "female", 40).index)
    )
    # every township's villages add up to the township brought forward
    forward = bring_forward(county.census().township_population(), county.vital_history, 2020, 2025).population
    back = to_villages(before, forward, k).groupby(["township_code", "sex", "age"])["population"].sum()
    assert np.allclose(
        back.to_numpy(), forward.set_index(["township_code", "sex", "age"])["population"].reindex(back.index).to_numpy()
    )


def test_nothing_is_planned_before_the_plan_starts(census: Path) -> None:
    county = load_county(census)
    plan = make_plan(county, "medium")
    assert plan.first_year == 2026 and plan.projection.inputs.base_year == 2025
    assert int(plan.years[0]) == 2025  # 现状 is the base year
    assert (plan.recruitment["year"] >= 2026).all() and len(plan.recruitment)
    assert plan.equipment_purchases.empty or (plan.equipment_purchases["purchase_year"] >= 2026).all()
    training = plan.staff_plan.training
    assert training.empty or (training["year"] >= 2026).all()
    other = ("training", "equipment")
    assert (plan.money.loc[plan.money["category"].isin(other), "year"] >= 2026).all()
    with pytest.raises(DataError) as info:
        make_plan(county, "medium", start_year=2025)
    assert info.value.problems[0].kind == "start_before_base"


def test_a_configured_start_year_sets_the_base_year(census: Path, tmp_path: Path) -> None:
    folder = variants.copy(census, tmp_path / "county")
    (folder / "config" / "timeline.yaml").write_text("source: test\nstart_year: 2024\n", encoding="utf-8")
    county = load_county(folder)
    assert county.base_year == 2023
    assert make_plan(county, "medium").first_year == 2024
    (folder / "config" / "timeline.yaml").write_text("source: test\nstart_year: 2020\n", encoding="utf-8")
    with pytest.raises(DataError) as info:
        load_county(folder)
    assert info.value.problems[0].kind == "start_before_base"


def test_a_year_missing_between_census_and_now_is_named(census: Path, tmp_path: Path) -> None:
    folder = variants.copy(census, tmp_path / "county")
    vital = variants.read(folder, "vital_history")
    gone = (vital["year"] == "2022") & (vital["township_code"] == "650123004")
    variants.write(folder, "vital_history", vital[~gone])
    with pytest.raises(DataError) as info:
        load_county(folder)
    [problem] = info.value.problems
    assert problem.kind == "vital_history_gap" and problem.value == 2022 and problem.detail == "650123004"
    assert "2022" in problem.message("zh") and "650123004" in problem.message("zh")


def test_recent_records_and_the_tfr_they_imply(census: Path) -> None:
    county = load_county(census)
    table = observed(county)
    assert table["year"].tolist() == [2021, 2022, 2023, 2024, 2025]
    vital = county.vital_history
    row = vital[vital["year"] == 2025]
    births = float((row["births_male"] + row["births_female"]).sum())
    women = county.population[(county.population["sex"] == "female") & county.population["age"].between(15, 49)]
    exposure = (women.groupby("age")["population"].sum() * asfr_shape()[15:50]).sum()  # women at the start of 2025
    last = table.set_index("year").loc[2025]
    assert last["births"] == births and last["tfr"] == pytest.approx(births / exposure)
    assert last["net_migration"] == float((row["in_migrants"] - row["out_migrants"]).sum())
    assert set(table["women_from"]) == {"forward"}


def test_the_demo_is_not_moved(county) -> None:
    """The demo's population table (2025) is newer than its vital history (to 2024): nothing to bring forward."""
    assert county.base_year == county.census_year == 2025
    assert county.population is county.census_population
    assert isinstance(county.population, pd.DataFrame)


def test_a_township_without_records_since_the_census_keeps_the_census_year_and_says_so(
    census: Path, tmp_path: Path
) -> None:
    from fpplan.data.readiness import readiness

    folder = variants.copy(census, tmp_path / "county")
    vital = variants.read(folder, "vital_history")
    variants.write(
        folder, "vital_history", vital[~((vital["township_code"] == "650123004") & (vital["year"] >= "2020"))]
    )
    county = load_county(folder)
    assert county.base_year == 2020
    assert any("缺少乡镇 650123004" in line and "人口未向后推算" in line for line in readiness(county))
