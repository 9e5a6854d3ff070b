"""The plan on the demo county: demand, staffing, facilities and the workbook make sense."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from fpplan import load_county
from fpplan.app.workbook import write_workbook
from fpplan.demography import load_scenarios
from fpplan.planning.demand import catchments, service_rates
from fpplan.planning.plan import make_plan


@pytest.fixture(scope="module")
def plan(county):
    return make_plan(county, "medium")


def test_catchments_route_services(county) -> None:
    places = catchments(county, county.config["services"]).set_index("village_code")
    village = places.loc["650123004001"]
    assert village["own"] == "ZS004" and village["county"] == "ZD001"
    assert village["central"] == "ZX002"  # central station 002 serves township 004
    remote = places[places["mobile"].str.startswith("LD")]
    # the vehicles are based in the county seat (001) and serve 004, 007 and 008
    assert len(remote) > 0 and set(remote["township_code"]) <= {"650123001", "650123004", "650123007", "650123008"}
    assert (remote["township_code"] != "650123001").any()


def test_rates_reproduce_the_reports(county) -> None:
    rates = service_rates(county, county.config["services"])
    stats = county.service_stats[county.service_stats["month"] >= "2025-01"]
    ultrasound = rates[rates["service"] == "ultrasound_check"]
    # villages that missed a month are filled with their own mean: the county volume is at least the reported one
    assert ultrasound["annual_volume"].sum() >= stats["ultrasound_checks"].sum()
    assert ultrasound["annual_volume"].sum() < 1.05 * stats["ultrasound_checks"].sum()
    row = ultrasound.iloc[0]
    assert row["rate"] == pytest.approx(row["annual_volume"] / row["base_value"])


def test_base_year_volumes_equal_rate_times_base(county, plan) -> None:
    base = plan.volumes[plan.volumes["year"] == county.base_year]
    rates = plan.rates
    # in the base year the projected bases are the data's own, so the volumes add up to the annual volumes
    for service in ("iud_insertion", "ultrasound_check", "counselling"):
        assert base[base["service"] == service]["volume"].sum() == pytest.approx(
            rates[rates["service"] == service]["annual_volume"].sum(), rel=1e-6
        )


def test_a_station_falls_short_before_its_project_completes(plan) -> None:
    s = plan.shortfall.dropna(subset=["first_short_year"])
    assert (s["first_short_year"] < s["completion_year"]).any()


def test_regiment_farm_shows_up_in_its_township(county, plan) -> None:
    farm = load_scenarios(county)["medium"].lump_inflows[0]
    station = county.facilities.set_index("township_code").loc[farm.township]
    station = station[station["level"] == "township_general"]["code"].iloc[0]
    c = plan.capacity[plan.capacity["station"] == station].set_index("year")
    assert c.loc[farm.year, "women_15_49"] > 1.2 * c.loc[farm.year - 1, "women_15_49"]
    assert c.loc[farm.year, "need_m2"] > c.loc[farm.year - 1, "need_m2"]
    w = plan.wisn[plan.wisn["station"] == station].groupby("year")["required"].sum()
    assert w[farm.year] > w[farm.year - 1]


def test_wisn_table_matches_its_formula(plan) -> None:
    w = plan.wisn
    recomputed = w["workload_hours"] / w["available_hours"] * w["caf"] + w["iaf"]
    pd.testing.assert_series_equal(w["required"], recomputed, check_names=False)
    assert w["available_hours"].iloc[0] == (250 - 13 - 10 - 5 - 5) * 8


def test_moving_a_project_changes_the_plan(county, plan) -> None:
    scenario = load_scenarios(county)["medium"].model_copy(update={"project_completion": {"ZS007": 2033}})
    later = make_plan(county, scenario)
    assert later.construction_plan.set_index("station_code").loc["ZS007", "completion_year"] == 2033
    gap = later.capacity.query("station == 'ZS007' and year == 2031")["gap_m2"].iloc[0]
    assert gap > plan.capacity.query("station == 'ZS007' and year == 2031")["gap_m2"].iloc[0]


def test_workbook_layout(plan, tmp_path: Path) -> None:
    path = write_workbook(plan, tmp_path / "plan.xlsx")
    book = openpyxl.load_workbook(path)
    sheet = book["建设项目规划表"]
    headers = [c.value for c in sheet[2]]  # row 1 is the title
    assert "总投资(万元)" in headers and "竣工年份" in headers
    assert sheet.freeze_panes == "A3"
    totals = next(r for r in sheet.iter_rows(min_row=3) if r[headers.index("服务站名称")].value == "合计")
    assert totals[headers.index("总投资(万元)")].value == plan.construction_plan["cost_wan_yuan"].sum()
    assert {"人员需求WISN", "招聘计划", "面积缺口", "年度资金"} <= set(book.sheetnames)


def test_cli_plan(county, tmp_path: Path, capsys) -> None:
    from fpplan.cli import main

    assert main(["plan", str(county.path), "--scenario", "late_farms", "--out", str(tmp_path / "p.xlsx")]) == 0
    assert (tmp_path / "p.xlsx").stat().st_size > 10_000
    assert "万元" in capsys.readouterr().out


def test_service_forecast_has_intervals_and_follows_the_level(county) -> None:
    from fpplan.planning.demand import forecast

    f = forecast(county, county.config["services"]).set_index("service")
    assert (f["lower"] <= f["forecast_12_months"]).all() and (f["forecast_12_months"] <= f["upper"]).all()
    # the demo's volumes are flat apart from noise and seasonality: next year within 25% of the last
    assert f["trend"].between(0.75, 1.25).all()


def test_a_township_given_as_a_whole_still_gets_its_services(tmp_path) -> None:
    from fpplan.planning.demand import coefficients, village_bases
    from fpplan.testing.mini import mini_tables, write_mini_county

    tables = mini_tables()
    pop = tables["population"]
    whole = pop[pop["unit_code"] == "100002001"].assign(unit_code="100002")  # township 100002 as one total
    tables["population"] = pd.concat([pop[pop["unit_code"] != "100002001"], whole], ignore_index=True)
    mini = load_county(write_mini_county(tmp_path / "m", tables))
    bases = village_bases(mini).set_index("village_code")
    # its only village gets the whole township: 101 ages × 61 people
    assert bases.loc["100002001", "population"] == 101 * 61
    coef = coefficients(mini, mini.config["services"])
    assert coef[(coef["township_code"] == "100002") & (coef["service"] == "counselling")]["coef"].sum() > 0
