"""What a county does not collect or report: declared elements, indicators without data, services from
population-based rates, equipment not reported."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from openpyxl import load_workbook

from fpplan import DataError, load_county
from fpplan.data.config import default_config_dir
from fpplan.indicators.scorecard import note_text, scorecard
from fpplan.planning.plan import make_plan
from fpplan.testing import variants
from fpplan.testing.by_hand import rooms_cost

REASON = "本县月报表无此栏目（fpplan init 据报表列判断，可修改）"
UNCOLLECTED = {
    "migrant_women_served": REASON,
    "informed_choice_village": "本县不统计",
    "married_women_registered": "本县无信息系统",
}


@pytest.fixture(scope="module")
def uncollected(demo: Path, tmp_path_factory) -> Path:
    folder = variants.copy(demo, tmp_path_factory.mktemp("uncollected") / "county")
    return variants.not_collected(folder, UNCOLLECTED)


def test_an_undeclared_missing_element_names_file_column_and_how_to_declare(demo: Path, tmp_path: Path) -> None:
    folder = variants.copy(demo, tmp_path / "county")
    stats = variants.read(folder, "service_stats")
    variants.write(folder, "service_stats", stats.drop(columns=["migrant_women_served"]))
    with pytest.raises(DataError) as info:
        load_county(folder)
    [problem] = info.value.problems
    assert problem.kind == "missing_element" and problem.column == "migrant_women_served"
    assert Path(problem.file).name == "service_stats.csv"
    message = problem.message("zh")
    assert "config/collection.yaml" in message and "not_collected" in message and "流动育龄妇女服务人数" in message


def test_collection_must_name_known_elements_and_rates_must_cover_uncollected_services(
    uncollected: Path, tmp_path: Path
) -> None:
    folder = variants.copy(uncollected, tmp_path / "county")
    with (folder / "config" / "collection.yaml").open("a", encoding="utf-8") as handle:
        handle.write("  - element: migrant_women_servd\n    reason: typo\n")
    rates = yaml.safe_load((default_config_dir() / "population_rates.yaml").read_text(encoding="utf-8"))
    del rates["rates"]["migrant_service"]
    (folder / "config" / "population_rates.yaml").write_text(
        yaml.safe_dump(rates, allow_unicode=True), encoding="utf-8"
    )
    with pytest.raises(DataError) as info:
        load_county(folder)
    kinds = {p.kind: p for p in info.value.problems}
    assert set(kinds) == {"unknown_element", "no_population_rate"}
    assert kinds["unknown_element"].value == "migrant_women_servd"
    assert kinds["unknown_element"].column == "not_collected.3.element"
    assert kinds["no_population_rate"].value == "migrant_service"
    assert kinds["no_population_rate"].column == "migrant_women_served"


def test_indicators_of_uncollected_elements_are_no_data_with_the_reason(uncollected: Path) -> None:
    county = load_county(uncollected)
    assert county.service_stats["migrant_women_served"].isna().all()  # a blank column, never 0
    card = scorecard(county, "county", "2025").set_index("indicator")
    notes = note_text(card.reset_index()).set_axis(card.index)
    for code, element in (
        ("migrant_service_rate", "流动育龄妇女服务人数"),
        ("informed_choice_villages", "实行避孕方法知情选择"),
        ("married_women_info_coverage", "已婚育龄妇女信息录入数"),
    ):
        row = card.loc[code]
        assert row["status"] == "no_data" and np.isnan(row["value"]), code
        assert row["note"] == "not_collected" and element in notes[code], code
    assert REASON in notes["migrant_service_rate"] and "本县不统计" in notes["informed_choice_villages"]
    # an indicator whose elements the county does collect is computed as before
    assert card.loc["migrant_certificate_rate", "status"] != "no_data"
    assert np.isfinite(card.loc["migrant_certificate_rate", "value"])


def test_uncollected_services_are_planned_from_population_rates(uncollected: Path, tmp_path: Path) -> None:
    county = load_county(uncollected)
    plan = make_plan(county, "medium")
    rate = county.config["population_rates"].rates["migrant_service"].per_person_year
    rates = plan.rates[plan.rates["service"] == "migrant_service"]
    assert (rates["rate_from"] == "population_rate").all() and np.allclose(rates["rate"], rate)
    assert (plan.rates.loc[plan.rates["service"] != "migrant_service", "rate_from"] == "reports").all()
    # the county's yearly volume = rate × the projected married women 15–49 of every township, year by year
    volume = plan.volumes[plan.volumes["service"] == "migrant_service"].groupby("year")["volume"].sum()
    county_series = plan.projection.county_total()
    married = county_series[county_series["trajectory"] == 0].set_index("year")["married_women_15_49"]
    assert np.allclose(volume.to_numpy(), rate * married.reindex(volume.index).to_numpy(), rtol=1e-9)
    assert any("流动育龄妇女服务人数" in n and "0.0687" in n and REASON in n for n in plan.notes)
    from fpplan.app.workbook import write_workbook

    book = load_workbook(write_workbook(plan, tmp_path / "plan.xlsx"), read_only=True)
    first = book[book.sheetnames[0]]
    cells = [c for row in first.iter_rows(values_only=True) for c in row if isinstance(c, str)]
    assert any("流动育龄妇女服务人数" in c and "按人口计算" in c for c in cells)


def test_without_an_equipment_file_no_purchase_is_invented(demo: Path, tmp_path: Path) -> None:
    folder = variants.drop(variants.copy(demo, tmp_path / "county"), "equipment")
    county = load_county(folder)
    assert not county.has("equipment") and county.has("construction_plan")
    plan = make_plan(county, "medium")
    assert not plan.equipment_reported and plan.equipment.empty and plan.equipment_purchases.empty
    assert "equipment" not in set(plan.money["category"])
    # still to secure = the construction plan's requested subsidy − granted, station by station (from the files)
    requested = (
        variants.read(folder, "construction_plan")
        .astype({"subsidy_requested_wan_yuan": float})
        .groupby("station_code")["subsidy_requested_wan_yuan"]
        .sum()
    )
    granted = (
        variants.read(folder, "subsidy_granted")
        .astype({"amount_wan_yuan": float})
        .groupby("station_code")["amount_wan_yuan"]
        .sum()
    )
    expected = (requested - granted.reindex(requested.index, fill_value=0.0)).clip(lower=0).sum()
    assert expected == pytest.approx(432.0)  # 720 requested − 288 granted in the demo's files
    expected += rooms_cost(county)["subsidy"]  # and the village rooms' and schools' subsidy (village_rooms.csv)
    assert plan.subsidy["still_to_secure_wan_yuan"].sum() == pytest.approx(expected)
    assert any("未填报医疗设备" in n for n in plan.notes)
    # the demo with its equipment file does buy equipment: the difference is the file, not the engine
    with_file = make_plan(load_county(demo), "medium")
    assert with_file.equipment_purchases["cost_wan_yuan"].sum() > 0
    assert with_file.subsidy["still_to_secure_wan_yuan"].sum() > expected
    frame = pd.DataFrame(plan.equipment)
    assert list(frame.columns)[:3] == ["station", "level", "item"]


def test_without_coordinates_coverage_comes_from_distances_to_the_township_seat(demo: Path, tmp_path: Path) -> None:
    from fpplan.data.readiness import has_coordinates, not_assessed
    from fpplan.demography import load_scenarios, prepare, project
    from fpplan.planning.demand import village_people
    from fpplan.spatial.seat import seat_results

    folder = variants.drop(variants.copy(demo, tmp_path / "county"), "geography")
    county = load_county(folder)
    assert not has_coordinates(county)
    assert any(
        "「经度」「纬度」" in line for line in not_assessed(county)
    )  # the columns to add, by the names the readers take
    projection = project(prepare(county), load_scenarios(county)["medium"])
    r = seat_results(county, village_people(county, projection))
    # independently: a village is beyond reach when its distance exceeds the radius of its township's station level
    radius = {k: v.radius_km for k, v in county.config["spatial"].reach.items()}
    fac = county.facilities
    town_radius = fac[fac["level"].isin(list(radius))].groupby("township_code")["level"].first().map(radius)
    villages = county.villages()
    beyond = set(villages.loc[villages["distance_km"] > villages["township_code"].map(town_radius), "code"])
    base = r["access"][r["access"]["year"] == county.base_year]
    assert set(base.loc[base["access"] == "beyond", "village_code"]) == beyond and beyond
    women = base.set_index("village_code")["women_15_49"]
    row = r["county"].set_index("year").loc[county.base_year]
    assert row["villages_beyond"] == len(beyond)
    assert row["women_beyond"] == pytest.approx(women[list(beyond)].sum())
    assert row["women_covered"] + row["women_beyond"] == pytest.approx(women.sum())


def test_an_element_cut_from_the_data_elements_is_named_with_what_to_do(demo: Path, tmp_path: Path) -> None:
    """Cutting an element from data_elements.yaml used to crash `plan` (KeyError) and score its indicators 0."""
    folder = variants.copy(demo, tmp_path / "county")
    elements = yaml.safe_load((default_config_dir() / "data_elements.yaml").read_text(encoding="utf-8"))
    del elements["elements"]["migrant_women_served"]
    (folder / "config" / "data_elements.yaml").write_text(
        yaml.safe_dump(elements, allow_unicode=True), encoding="utf-8"
    )
    stats = variants.read(folder, "service_stats")
    variants.write(folder, "service_stats", stats.drop(columns=["migrant_women_served"]))
    with pytest.raises(DataError) as info:
        load_county(folder)
    found = {(Path(p.file).name, p.column) for p in info.value.problems if p.kind == "element_not_defined"}
    assert found == {
        ("services.yaml", "services.migrant_service.element"),
        ("indicators.yaml", "indicators.migrant_service_rate"),
    }
    assert all("config/collection.yaml" in p.message("zh") for p in info.value.problems)
