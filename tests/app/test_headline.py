"""One number, one place: each headline number (staff gap at the horizon before and after hires, hires, floor-area
gap, subsidy still to secure) is the same on the overview's cards, in the brief and in the workbook, and equals an
independent recomputation from the county's own tables (retirements counted person by person from the roster)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook

from fpplan import load_county
from fpplan.app import overview_content
from fpplan.app.brief import content_from, key_rows
from fpplan.app.plan_outputs import PlanOutputs, write_plan_workbook
from fpplan.app.results import plan_tables
from fpplan.data.labels import column_label, set_language, ui
from fpplan.demo.region import write_demo_region
from fpplan.planning.plan import make_plan
from fpplan.testing.by_hand import rooms_cost


@pytest.fixture(scope="module")
def second(tmp_path_factory):
    return load_county(write_demo_region(tmp_path_factory.mktemp("region"), 2) / "650124")


def independent(county, plan) -> dict:
    """The headline recomputed from the county's tables and the plan's inputs (WISN need, norms, hires, capacity),
    person by person and station by station, without fpplan.planning.roster or gaps."""
    standards = county.config["standards"]
    age = county.config["wisn"].retirement_age
    horizon, base = int(plan.years[-1]), county.base_year
    excluded = set(standards.technical_staff.exclude_specialties)
    cadres = set(plan.wisn["cadre"])
    tenure = min(age.values()) - county.config["recruitment"].hiring.age_at_hire
    retired_persons, retired_fte = 0, 0.0
    tech_in_post, wisn_in_post = {}, {}
    for person in county.staff.itertuples():
        leaves = person.birth_year + age[person.sex]
        if leaves <= horizon and person.specialty not in excluded:
            retired_persons += 1
            retired_fte += person.fte
        if leaves > horizon:
            if person.specialty not in excluded:
                tech_in_post[person.station_code] = tech_in_post.get(person.station_code, 0.0) + person.fte
            if person.specialty in cadres:
                wisn_in_post[person.station_code] = wisn_in_post.get(person.station_code, 0.0) + person.fte
    tech_hired, wisn_hired = {}, {}
    for hire in plan.recruitment.itertuples():
        if hire.year <= horizon < hire.year + tenure:
            if hire.specialty not in excluded:
                tech_hired[hire.station] = tech_hired.get(hire.station, 0) + 1
            if hire.specialty in cadres:
                wisn_hired[hire.station] = wisn_hired.get(hire.station, 0) + 1
    need = plan.wisn[plan.wisn["year"] == horizon].groupby("station")["required"].sum()
    norms = plan.norms[plan.norms["year"] == horizon].set_index("station")["norm"]
    before = after = 0
    for station, norm in norms.items():
        w, t = need.get(station, 0.0), float(norm)
        gap = max(w - wisn_in_post.get(station, 0.0), t - tech_in_post.get(station, 0.0), 0.0)
        rest = max(
            w - wisn_in_post.get(station, 0.0) - wisn_hired.get(station, 0),
            t - tech_in_post.get(station, 0.0) - tech_hired.get(station, 0),
            0.0,
        )
        before += math.ceil(gap - 1e-6) if gap > 1e-9 else 0
        after += math.ceil(rest - 1e-6) if rest > 1e-9 else 0
    cap = plan.capacity[plan.capacity["year"] == base]
    area = float((cap["need_m2"] - cap["floor_area_m2"]).clip(lower=0).sum())
    requested = (
        plan.construction_plan.groupby("station_code")["subsidy_requested_wan_yuan"]
        .sum()
        .add(plan.equipment_purchases.groupby("station")["subsidy_wan_yuan"].sum(), fill_value=0.0)
    )
    granted = county.subsidy_granted.groupby("station_code")["amount_wan_yuan"].sum()
    still = float((requested - granted.reindex(requested.index, fill_value=0.0)).clip(lower=0).sum())
    still += rooms_cost(county)["subsidy"] if county.has("village_rooms") else 0.0  # no grant is recorded for them
    return {
        "technical_retired_persons": retired_persons,
        "technical_retired_fte": retired_fte,
        "staff_gap_before_persons": before,
        "staff_gap_after_persons": after,
        "hires_persons": len(plan.recruitment),
        "area_gap_base_m2": area,
        "still_to_secure_wan_yuan": still,
    }


def _card(doc: dict, title: str) -> str:
    return next(c["value"] for c in doc["cards"] if c["title"] == title)


@pytest.mark.parametrize("which", ["demo", "second"])
def test_every_reader_shows_the_plans_headline(county, second, which, tmp_path) -> None:
    set_language("zh")
    c = county if which == "demo" else second
    plan = make_plan(c, "medium")
    h = plan.headline
    # against an independent recomputation
    mine = independent(c, plan)
    for key, value in mine.items():
        assert h[key] == pytest.approx(value), key
    assert h["staff_gap_before_persons"] > 0 and h["hires_persons"] >= h["plan_year_gap_before_persons"]
    assert h["plan_year_gap_after_persons"] == 0  # the plan closes every station's gap by the plan year
    # the overview's cards
    manifest = {
        "names": dict(zip(c.facilities["code"], c.facilities["name"])),
        "scored_periods": {},
        "townships": c.townships()["code"].tolist(),
    }
    doc = overview_content.build(c, plan, pd.DataFrame(columns=["level", "period", "status", "unit"]), manifest)
    horizon, base = h["horizon"], h["base_year"]
    assert _card(doc, ui("staff_gap", year=horizon)) == f"{mine['staff_gap_before_persons']} 人"
    assert _card(doc, ui("hires_card", plan_year=h["plan_year"], year=horizon)) == (
        f"{mine['hires_persons']} 人（{mine['staff_gap_after_persons']} 人）"
    )
    assert _card(doc, ui("area_gap", year=base)) == f"{mine['area_gap_base_m2']:,.0f} m²"
    assert _card(doc, ui("funding_gap")) == f"{mine['still_to_secure_wan_yuan']:,.0f} 万元"
    # the brief (from the stored tables, as the results hold them)
    tables = {k: v for k, v in plan_tables(plan).items() if k in ("headline", "county_by_year", "shortfall")}
    tables["scorecards"] = pd.DataFrame(
        columns=["period", "kind", "level", "indicator", "unit", "status", "name", "value", "target", "unit_label"]
    )
    manifest |= {
        "county": {"code": c.county_code, "name": plan.county_name},
        "base_year": base,
        "version": "v" * 16,
        "scenarios": {"medium": {"zh": "中方案", "en": "medium"}},
    }
    brief = content_from(tables, manifest, "2025", "medium", "2026-01-01")
    _, rows = key_rows(brief)
    assert rows[2][2] == str(mine["staff_gap_before_persons"]) and rows[3][2] == str(mine["staff_gap_after_persons"])
    assert rows[4][2] == str(mine["hires_persons"])
    assert rows[5][1] == f"{mine['area_gap_base_m2']:,.0f}"
    assert float(rows[6][1].replace(",", "")) == pytest.approx(mine["still_to_secure_wan_yuan"], abs=0.005)
    staff = brief["findings"][2]
    assert f"未计新招聘缺{mine['staff_gap_before_persons']}人" in staff
    assert f"规划招聘{mine['hires_persons']}人后{horizon}年缺{mine['staff_gap_after_persons']}人" in staff
    assert f"（{mine['technical_retired_persons']}人到龄退休）" in staff and "全时当量" in staff
    # the workbook: the headline sheet, the staff-by-year sheet and the hires sheet
    path = write_plan_workbook(PlanOutputs(plan, None), tmp_path / "plan.xlsx")
    book = load_workbook(path, read_only=True)
    sheet = {row[0]: row[1] for row in book[ui("sheet_headline")].iter_rows(min_row=2, values_only=True)}
    assert sheet[f"{horizon}年技术人员缺口，未计新招聘（人）"] == mine["staff_gap_before_persons"]
    assert sheet[f"{horizon}年技术人员缺口，计入规划招聘（人）"] == mine["staff_gap_after_persons"]
    assert sheet[f"到{h['plan_year']}年规划招聘（人）"] == mine["hires_persons"]
    assert sheet[f"{base}年业务用房缺口（m²）"] == round(mine["area_gap_base_m2"])
    assert sheet["尚待落实的上级补助（万元）"] == pytest.approx(mine["still_to_secure_wan_yuan"], abs=0.005)
    assert book[ui("sheet_hires")].max_row - 2 == mine["hires_persons"]  # header and totals rows
    by_year = pd.read_excel(path, sheet_name=ui("sheet_staff_by_year")).set_index("年份")
    assert by_year.loc[horizon, "招聘前缺口人数(人)"] == mine["staff_gap_before_persons"]
    # today's technical staff: the head-count sheet (without its totals row) and the structure sheet agree
    staff = column_label("staff")
    today = pd.read_excel(path, sheet_name=ui("sheet_head_count"))
    structure = pd.read_excel(path, sheet_name=ui("sheet_structure"))
    assert today[staff].iloc[:-1].sum() == pytest.approx(today[staff].iloc[-1])
    shares = (plan.structure["kind"] == "share").to_numpy()
    shown = structure[column_label("technical_staff")].astype(float)  # FTE for a share rule, persons for a count
    assert np.allclose(shown[shares], today[staff].iloc[-1])
    assert (structure.loc[~shares, column_label("measured_in")] == "人").all() and (shown[~shares] % 1 == 0).all()


def test_the_overview_and_the_brief_count_the_same_lights(demo_with_results) -> None:
    """The overview's red and amber cards and the brief's finding count the same indicators: red (amber) of those
    judged, with data and a target. An indicator without data or target, or on too small a sample, is in neither."""
    from fpplan.app import brief, results

    set_language("zh")
    manifest = results.current(demo_with_results)
    year = manifest["scored_periods"]["year"][-1]
    cards = results.scorecards(manifest, None)
    county = cards[(cards["level"] == "county") & (cards["period"] == year)]
    judged = int(county["status"].isin(["green", "amber", "red"]).sum())
    red, amber = int((county["status"] == "red").sum()), int((county["status"] == "amber").sum())
    assert 0 < judged < len(county)  # some of the county's indicators are not judged: the case at stake
    doc = results.document(manifest, "overview")
    assert _card(doc, ui("indicators_red", period=year)) == f"{red} / {judged}"
    assert _card(doc, ui("indicators_amber", period=year)) == f"{amber} / {judged}"
    lights = brief.content(manifest, year, "medium", "2026-01-01")["lights"]
    assert (lights["total"], lights["red"], lights["amber"]) == (judged, red, amber)
