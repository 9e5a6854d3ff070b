"""Contraceptive supply in the plan (药具需求, issue 26 phase 2): units of each method by township and year from the
projection's married women, the reports' prevalence and the county's CYP mix (or the config's mix and prevalence
where the county's data do not say), against numbers computed by hand; the demo's plan and its workbook sheet."""

from __future__ import annotations

import pandas as pd
import pytest
from openpyxl import load_workbook

from fpplan import load_county
from fpplan.data.config import load
from fpplan.supply.need import supply_plan
from fpplan.testing.mini import mini_tables, write_mini_county

CONFIG = load("contraceptives")
BASES = pd.DataFrame(
    {
        "township_code": ["100001", "100002", "100001"],
        "year": [2026, 2026, 2025],
        "married_women_15_49": [1000.0, 500.0, 990.0],
    }
)


def supply_county(tmp_path, supply: bool = True, users: bool = True):
    t = mini_tables()
    s = t["service_stats"]
    s["iud_insertions"], s["sterilisations"] = 2.0, 0.0
    s.loc[s["village_code"].eq("100002001") & s["month"].eq("2025-02"), "sterilisations"] = 1.0
    s["married_women_15_49"], s["contraceptive_users"] = 100.0, 90.0
    s.loc[s["village_code"].eq("100002001"), "contraceptive_users"] = 80.0
    if not users:
        del s["contraceptive_users"]
    if supply:
        t["contraceptive_supply"] = pd.DataFrame(
            [
                ["100001", "2025-01", "oral_pills", 30],
                ["100001", "2025-02", "oral_pills", 15],
                ["100001001", "2025-02", "condoms", 360],
                ["100002", "2025-01", "dmpa_injection", 4],
            ],
            columns=["unit_code", "month", "method", "units_distributed"],
        )
    folder = write_mini_county(tmp_path / "c", t)
    if not users:  # the county's reports do not carry the column: declared as not collected
        (folder / "config").mkdir(exist_ok=True)
        (folder / "config" / "collection.yaml").write_text(
            "not_collected:\n  - {element: contraceptive_users, reason: 本县月报表无此栏目}\n", encoding="utf-8"
        )
    return load_county(folder)


def test_supply_needed_from_the_countys_mix_and_prevalence(tmp_path) -> None:
    plan = supply_plan(supply_county(tmp_path), BASES, [2026])
    # 2025 CYP: 45 cycles = 3, 360 condoms = 3, 4 DMPA = 1, 12 IUDs × 4.6 = 55.2, 1 sterilisation = 10.3; Σ 72.5
    assert plan.mix_year == 2025 and plan.prevalence_from == "reports"
    mix = plan.mix.set_index("method")["share"]
    assert mix.to_dict() == pytest.approx(
        {
            "oral_pills": 3 / 72.5,
            "condoms": 3 / 72.5,
            "dmpa_injection": 1 / 72.5,
            "iud": 55.2 / 72.5,
            "sterilisation": 10.3 / 72.5,
        }
    )
    n = plan.need.set_index(["township_code", "method"])
    assert set(plan.need["year"]) == {2026}  # only the years asked for
    # 100001: 1,000 married women × 90% = 900 users; on pills 900 × 3/72.5 = 37.24 users × 15 cycles = 558.6 cycles
    assert n.loc[("100001", "oral_pills"), "units_needed"] == pytest.approx(900 * 3 / 72.5 * 15)
    assert n.loc[("100001", "iud"), "units_needed"] == pytest.approx(900 * 55.2 / 72.5 / 4.6)  # 149.0 insertions a year
    # 100002: 500 × 80% = 400 users; condoms 400 × 3/72.5 × 120 = 1,986.2 pieces
    assert n.loc[("100002", "condoms"), "units_needed"] == pytest.approx(400 * 3 / 72.5 * 120)
    assert plan.need.groupby("township_code")["cyp"].sum().to_dict() == pytest.approx({"100001": 900, "100002": 400})


def test_a_county_without_supply_data_takes_the_configured_mix(tmp_path) -> None:
    plan = supply_plan(supply_county(tmp_path, supply=False), BASES, [2026])
    assert plan.mix_year is None
    assert plan.mix.set_index("method")["share"].to_dict() == pytest.approx(CONFIG.default_mix)
    n = plan.need.set_index(["township_code", "method"])["units_needed"]
    assert n[("100001", "condoms")] == pytest.approx(900 * CONFIG.default_mix["condoms"] * 120)
    assert n[("100002", "sterilisation")] == pytest.approx(400 * CONFIG.default_mix["sterilisation"] / 10.3)


def test_reports_without_users_take_the_configured_prevalence(tmp_path) -> None:
    plan = supply_plan(supply_county(tmp_path, users=False), BASES, [2026])
    assert plan.prevalence_from == "config" and CONFIG.default_prevalence == pytest.approx(0.85)
    assert plan.need.groupby("township_code")["users"].sum().to_dict() == pytest.approx({"100001": 850, "100002": 425})


def test_the_demo_plan_and_its_sheet(county, tmp_path) -> None:
    from fpplan.app.workbook import write_workbook
    from fpplan.planning.demand import projected_bases
    from fpplan.planning.plan import make_plan

    plan = make_plan(county, "medium")
    need = plan.supply.need
    assert sorted(need["year"].unique()) == list(range(plan.first_year, plan.plan_year + 1))
    assert set(need["township_code"]) == set(county.townships()["code"])
    # users in 2030 = Σ townships' projected married women × their reported prevalence
    bases = projected_bases(plan.projection)
    married = bases[bases["year"] == 2030].set_index("township_code")["married_women_15_49"]
    rate = plan.supply.prevalence
    assert need.loc[need["year"] == 2030, "users"].sum() == pytest.approx((married * rate.reindex(married.index)).sum())
    assert plan.supply.mix_year == 2025 and plan.supply.mix["share"].sum() == pytest.approx(1.0)
    book = load_workbook(write_workbook(plan, tmp_path / "plan.xlsx"), read_only=True)
    rows = list(book["避孕药具需求"].iter_rows(values_only=True))
    headers = rows[0]
    assert headers[:3] == ("乡镇名称", "年份", "口服避孕药(周期)") and headers[-2:] == (
        "使用人数(人)",
        "避孕保护年(对·年)",
    )
    body = [r for r in rows[1:] if isinstance(r[1], int)]
    assert len(body) == len(county.townships()) * (plan.plan_year - plan.first_year + 1)
    iud = headers.index("宫内节育器（放置）(例)")
    first = need[(need["township_code"] == need["township_code"].min()) & (need["year"] == plan.first_year)]
    assert body[0][iud] == round(float(first.loc[first["method"] == "iud", "units_needed"].iloc[0]))
    assert all(isinstance(v, int) for r in body for v in r[2:])  # whole units and persons
