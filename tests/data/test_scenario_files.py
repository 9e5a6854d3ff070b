"""Scenarios a planner keeps: saved as validated YAML, listed next time, never overwritten; and scenarios that
change the plan (a project moved, a grade changed, a station added)."""

from __future__ import annotations

import pytest

from fpplan import DataError
from fpplan.cli import main
from fpplan.data.models.scenario import Name, NewStation
from fpplan.data.scenario_files import save_scenario
from fpplan.demography import load_scenarios
from fpplan.planning.plan import make_plan


def medium(county):
    return load_scenarios(county)["medium"]


def test_saved_scenario_is_listed_and_reads_back(county, tmp_path, capsys) -> None:
    folder = tmp_path / "c"
    (folder / "config" / "scenarios").mkdir(parents=True)
    scenario = medium(county).model_copy(
        update={
            "name": Name(zh="团场提前", en="farms early"),
            "tfr": {2025: 1.25, 2035: 1.1},
            "grade_changes": {"ZS008": "A"},
        }
    )
    path = save_scenario(folder, "团场提前", scenario)
    assert path == folder / "config" / "scenarios" / "团场提前.yaml"
    assert "2035: 1.1" in path.read_text(encoding="utf-8")  # years stay numbers in the YAML a planner reads
    assert load_scenarios(folder)["团场提前"] == scenario
    assert main(["scenarios", str(folder)]) == 0
    assert "团场提前\t团场提前\tfarms early" in capsys.readouterr().out


def test_an_existing_name_is_refused_and_nothing_changes(county, tmp_path) -> None:
    folder = tmp_path / "c"
    first = save_scenario(folder, "Plan_A", medium(county))
    before = first.read_bytes()
    for name in ("Plan_A", "plan_a"):
        with pytest.raises(DataError) as error:
            save_scenario(folder, name, medium(county).model_copy(update={"srb": 1.2}))
        assert error.value.problems[0].kind == "scenario_exists"
        assert "未覆盖" in error.value.problems[0].message("zh")
    assert first.read_bytes() == before and len(list(first.parent.glob("*.yaml"))) == 1


@pytest.mark.parametrize("name", ["", "../up", "a/b", "x" * 61])
def test_a_name_that_is_not_a_file_name_is_refused(county, tmp_path, name) -> None:
    with pytest.raises(DataError) as error:
        save_scenario(tmp_path / "c", name, medium(county))
    assert error.value.problems[0].kind == "bad_name"
    assert not (tmp_path / "c").exists() or not list((tmp_path / "c").rglob("*.yaml"))


def test_an_invalid_scenario_is_refused(county, tmp_path) -> None:
    data = medium(county).model_dump(mode="json") | {"srb": 3.0}
    with pytest.raises(DataError) as error:
        save_scenario(tmp_path / "c", "bad", data)
    assert error.value.problems[0].kind == "config" and error.value.problems[0].column == "srb"
    assert not list(tmp_path.rglob("*.yaml"))


def test_a_scenario_changes_the_plan(county) -> None:
    farm_station = NewStation(
        code="ZS009",
        name="第一团场服务站",
        level="township_general",
        township_code="650123005",
        target_grade="B",
        start_year=2028,
        completion_year=2029,
        cost_wan_yuan=70,
        self_raised_wan_yuan=20,
        subsidy_requested_wan_yuan=50,
    )
    scenario = medium(county).model_copy(
        update={
            "project_completion": {"ZS007": 2032},
            "grade_changes": {"ZS008": "A"},
            "stations_added": (farm_station,),
        }
    )
    plan = make_plan(county, scenario)
    p = plan.construction_plan.set_index("station_code")
    assert p.loc["ZS007", "completion_year"] == 2032
    # general A is 300 m² (standards.yaml); cost scales with the area at the project's 64 万元 / 220 m²
    assert p.loc["ZS008", ["target_grade", "target_floor_area_m2"]].tolist() == ["A", 300]
    assert p.loc["ZS008", "cost_wan_yuan"] == pytest.approx(64 * 300 / 220)
    assert p.loc["ZS008", "self_raised_wan_yuan"] + p.loc["ZS008", "subsidy_requested_wan_yuan"] == pytest.approx(
        p.loc["ZS008", "cost_wan_yuan"]
    )
    # the added station: its project at the general B standard, its norm, its equipment, its women
    assert p.loc["ZS009", "target_floor_area_m2"] == 220 and plan.plan_year == 2032
    assert set(plan.norms.loc[plan.norms["station"] == "ZS009", "norm"]) >= {2}
    assert plan.equipment.loc[plan.equipment["station"] == "ZS009", "cost_wan_yuan"].sum() > 0
    women = plan.capacity.set_index(["station", "year"])["women_15_49"]
    assert women[("ZS009", 2030)] == pytest.approx(women[("ZS005", 2030)])  # the township's women, shared
    assert plan.staff_plan.feasible and plan.staff_plan.head_counts.query("station == 'ZS009'")["met"].all()


def test_a_scenario_naming_unknown_stations_is_refused(county) -> None:
    scenario = medium(county).model_copy(update={"grade_changes": {"ZZ999": "A"}})
    with pytest.raises(DataError) as error:
        make_plan(county, scenario)
    assert [(p.kind, p.column, p.value) for p in error.value.problems] == [
        ("unknown_reference", "grade_changes", "ZZ999")
    ]
