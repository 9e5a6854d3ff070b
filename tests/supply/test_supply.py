"""Contraceptive supply (issue 26, for the plan's supply sheet): couple-years of protection with the USAID factors,
the method mix and the supply a projected population needs, against numbers computed by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from fpplan import load_county
from fpplan.data.config import load
from fpplan.supply import cyp, distributed, method_mix, prevalence, supply_need
from fpplan.testing.mini import mini_tables, write_mini_county

METHODS = load("contraceptives").methods


def test_the_usaid_factors_as_published() -> None:
    # MEASURE Evaluation's CYP page (2011 factors): 15 cycles, 120 condoms, 4 DMPA doses, 13 monthly injections and
    # 20 emergency doses per CYP; 4.6 CYP per Cu-T 380A, 2.5 / 3.8 per 3- / 5-year implant, 10.3 per sterilisation
    # in Asia outside India, Bangladesh and Nepal
    expected = {
        "oral_pills": 1 / 15,
        "condoms": 1 / 120,
        "dmpa_injection": 1 / 4,
        "monthly_injection": 1 / 13,
        "emergency_pills": 1 / 20,
        "iud": 4.6,
        "implant_3y": 2.5,
        "implant_5y": 3.8,
        "sterilisation": 10.3,
    }
    assert {code: m.cyp_per_unit for code, m in METHODS.items()} == pytest.approx(expected)
    assert all(m.source.startswith("USAID CYP table") for m in METHODS.values())


def test_cyp_of_what_was_given_out() -> None:
    given = pd.DataFrame(
        {"method": ["oral_pills", "condoms", "dmpa_injection", "iud", "sterilisation"], "units": [150, 240, 8, 3, 1]}
    )
    out = cyp(given, METHODS)
    np.testing.assert_allclose(out["cyp"], [10, 2, 2, 13.8, 10.3])  # 150/15, 240/120, 8/4, 3×4.6, 1×10.3
    assert out["cyp"].sum() == pytest.approx(38.1)
    with pytest.raises(ValueError, match="foam"):
        cyp(pd.DataFrame({"method": ["foam"], "units": [1]}), METHODS)


@pytest.fixture(scope="module")
def supply_county(tmp_path_factory):
    t = mini_tables()
    s = t["service_stats"]
    s["iud_insertions"], s["sterilisations"] = 2.0, 0.0
    s.loc[s["village_code"].eq("100002001") & s["month"].eq("2025-02"), "sterilisations"] = 1.0
    s["married_women_15_49"], s["contraceptive_users"] = 100.0, 90.0
    s.loc[s["village_code"].eq("100002001"), "contraceptive_users"] = 80.0
    t["contraceptive_supply"] = pd.DataFrame(
        [
            ["100001", "2025-01", "oral_pills", 30],
            ["100001", "2025-02", "口服避孕药", 15],
            ["100001001", "2025-02", "condoms", 360],
            ["100002", "2025-01", "dmpa_injection", 4],
        ],
        columns=["unit_code", "month", "method", "units_distributed"],
    )
    return load_county(write_mini_county(tmp_path_factory.mktemp("supply") / "c", t))


def test_distributed_by_township_with_the_reports_procedures(supply_county) -> None:
    d = distributed(supply_county, "township", "year").set_index(["unit", "method"])["cyp"]
    # township 100001: 45 cycles (3), 360 condoms (3), IUDs 2 villages × 2 months × 2 = 8 insertions (36.8)
    assert d.loc[("100001", "oral_pills")] == pytest.approx(3) and d.loc[("100001", "condoms")] == pytest.approx(3)
    assert d.loc[("100001", "iud")] == pytest.approx(8 * 4.6)
    # township 100002: 4 DMPA doses (1), 4 insertions (18.4), one sterilisation (10.3)
    assert d.loc[("100002", "dmpa_injection")] == pytest.approx(1) and d.loc[
        ("100002", "sterilisation")
    ] == pytest.approx(10.3)
    county_total = distributed(supply_county, "county", "month").groupby("period")["cyp"].sum()
    assert county_total.loc["2025-01"] == pytest.approx(2 + 1 + 6 * 4.6)  # 30 cycles, 4 doses, 6 insertions
    assert county_total.loc["2025-02"] == pytest.approx(1 + 3 + 6 * 4.6 + 10.3)


def test_method_mix_and_prevalence(supply_county) -> None:
    d = distributed(supply_county, "county", "year")
    mix = method_mix(d).set_index("method")["share"]
    total = 3 + 3 + 1 + 12 * 4.6 + 10.3
    assert mix.sum() == pytest.approx(1) and mix["iud"] == pytest.approx(12 * 4.6 / total)
    by_township = method_mix(distributed(supply_county, "township", "year"), by=["unit"]).groupby("unit")["share"].sum()
    np.testing.assert_allclose(by_township, 1.0)
    p = prevalence(supply_county)
    assert p["100001"] == pytest.approx(0.9) and p["100002"] == pytest.approx(0.8)
    assert p["county"] == pytest.approx((4 * 90 + 2 * 80) / 600)


def test_supply_need_by_township_and_year() -> None:
    married = pd.DataFrame(
        {"township_code": ["A", "A", "B"], "year": [2030, 2035, 2030], "married_women_15_49": [1000.0, 800.0, 500.0]}
    )
    mix = pd.DataFrame({"method": ["oral_pills", "iud"], "share": [0.1, 0.9]})
    need = supply_need(married, pd.Series({"A": 0.9, "county": 0.8}), mix, METHODS).set_index(
        ["township_code", "year", "method"]
    )
    # A 2030: 900 users; pills 90 users × 15 cycles = 1,350 cycles; IUD 810 users / 4.6 = 176.09 insertions a year
    assert need.loc[("A", 2030, "oral_pills"), "units_needed"] == pytest.approx(1350)
    assert need.loc[("A", 2030, "iud"), "units_needed"] == pytest.approx(810 / 4.6)
    assert need.loc[("A", 2035, "oral_pills"), "users"] == pytest.approx(72)
    # B has no prevalence of its own: the county's 0.8 → 400 users, 40 on pills (600 cycles)
    assert need.loc[("B", 2030, "oral_pills"), "units_needed"] == pytest.approx(600)
    # a year's protection for each user: CYP = users
    np.testing.assert_allclose(need["cyp"], need["users"])
    own = pd.DataFrame({"township_code": ["A", "B"], "method": ["condoms", "condoms"], "share": [1.0, 1.0]})
    by_own = supply_need(married, 0.5, own, METHODS).set_index(["township_code", "year"])["units_needed"]
    assert by_own.loc[("B", 2030)] == pytest.approx(250 * 120)
