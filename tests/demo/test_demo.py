"""The demo county: deterministic, valid, and shaped like a real Chinese county (independent checks)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from fpplan.demo import write_demo


def test_same_bytes_every_run(demo: Path, tmp_path: Path) -> None:
    again = write_demo(tmp_path / "again")
    files = sorted(p.relative_to(demo) for p in demo.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(again) for p in again.rglob("*") if p.is_file())
    for rel in files:
        assert (demo / rel).read_bytes() == (again / rel).read_bytes(), rel


def test_structure_like_seed_000(county) -> None:
    levels = county.facilities["level"].value_counts()
    assert levels["county_station"] == 1 and levels["township_central"] == 2 and levels["township_general"] == 5
    assert levels["mobile_vehicle"] >= 1
    assert 100 <= len(county.villages()) <= 200
    plan = county.construction_plan.set_index("station_code")
    assert plan.loc["ZD001", "mode"] == "renovate_extend" and plan.loc["ZD001", "target_grade"] == "A"
    central = plan[plan["mode"] == "extend"]
    assert len(central) == 2 and central["completion_year"].nunique() == 2
    general = plan[plan["mode"] == "new_build"]
    assert len(general) == 5 and sorted(general["completion_year"].value_counts().tolist()) == [1, 2, 2]
    np.testing.assert_allclose(plan["cost_wan_yuan"], plan["self_raised_wan_yuan"] + plan["subsidy_requested_wan_yuan"])


def test_population_looks_like_a_chinese_county(county) -> None:
    pop = county.population
    total = pop["population"].sum()
    assert 100_000 <= total <= 300_000
    by_age = pop.groupby("age")["population"].sum()
    assert 0.12 <= by_age.loc[65:].sum() / total <= 0.20  # ageing
    young = pop[pop["age"] < 5].groupby("sex")["population"].sum()
    assert 1.05 <= young["male"] / young["female"] <= 1.15
    # the narrow cohorts: ages 0-4 (born 2020-24) much smaller than 10-14 (born 2010-14)
    assert by_age.loc[0:4].sum() < 0.75 * by_age.loc[10:14].sum()
    sizes = county.township_population().groupby("township_code")["population"].sum()
    assert sizes.max() / sizes.min() > 3  # townships differ


def test_vital_history_shows_the_fertility_decline(county) -> None:
    births = county.vital_history.groupby("year")[["births_male", "births_female"]].sum().sum(axis=1)
    assert births[2024] < 0.65 * births[2016]
    assert list(births.index) == list(range(2015, 2025))
    ratio = county.vital_history[["births_male"]].sum().iloc[0] / county.vital_history["births_female"].sum()
    assert 1.05 <= ratio <= 1.2


def test_staff_misses_some_structure_rules(county) -> None:
    staff = county.staff
    assert 30 <= len(staff) <= 60
    assert (staff["education"].isin(["bachelor", "postgraduate"])).mean() < 0.20  # missed
    assert (staff["title"].isin(["senior", "associate_senior"])).mean() < 0.10  # missed
    assert staff["medical"].mean() >= 0.70  # met
    assert staff["licence"].isin(["physician", "assistant_physician"]).sum() >= 5  # met


def test_reports_have_seasonality_gaps_and_lateness(county) -> None:
    stats = county.service_stats
    month = stats["month"].str[-2:].astype(int)
    by_month = stats.groupby(month)["ultrasound_checks"].sum()
    rounds = by_month.loc[[3, 5, 9, 11]]
    assert rounds.min() > 3 * by_month.drop([3, 5, 9, 11]).mean()
    expected = len(county.villages()) * 36
    assert 0 < expected - len(stats) < 0.05 * expected  # a few reports missing
    month_end = stats["month"].map(lambda m: np.datetime64(f"{m}-01")) + np.timedelta64(31, "D")
    late = (stats["reported_on"] - month_end.astype("datetime64[ns]")).dt.days > 15
    assert 0 < late.mean() < 0.1
    assert county.survey["count"].gt(0).all() and county.exam_scores["score"].isna().any()
