"""The working rhythm (issue 26): the supervision register, the work register and the village rooms on a hand-made
county whose every number is counted by hand below; week periods; yearly targets pro rata; the target sets' words
against their documents; bad registers refused with every problem; the demo county's scorecard."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from fpplan import DataError, load_county
from fpplan.data.config import load
from fpplan.indicators import coverage, periods, rhythm
from fpplan.indicators.catalogue import resolved_targets
from fpplan.indicators.scorecard import pro_rata, scorecard, scorecards
from fpplan.testing.mini import mini_tables, write_mini_county

SOURCES = Path(__file__).parents[1] / "cases" / "rhythm_sources"
T1, T2 = "100001", "100002"
V11, V12, V21 = "100001001", "100001002", "100002001"


def register() -> pd.DataFrame:
    """County visits: T1 in February and May, V21 (township T2) in March; township checks of each village (V11 every
    month, V12 in January, March and June, V21 every month but February). Findings: F1 (county, V21, 5 March,
    deadline 5 April, closed 1 April: on time), F2 (V11, 15 January, deadline 14 February, closed 20 February:
    late), F3 (V12, 10 March, deadline 9 April, open: overdue), F4 (V21, 10 June, deadline 10 July: not yet due on
    30 June); a missing culture courtyard is recorded without a deadline (not rectified)."""
    rows = [
        ["2025-02-10", "county", "county_commission", T1, "township_records", "true", None, None],
        ["2025-03-05", "county", "county_commission", V21, "four_public_board", "false", "2025-04-05", "2025-04-01"],
        ["2025-05-20", "county", "C07", T1, "township_records", "true", None, None],
        [
            "2025-01-15",
            "township",
            "township_office",
            V11,
            "self_governance_records",
            "false",
            "2025-02-14",
            "2025-02-20",
        ],
        ["2025-02-12", "township", "township_office", V11, "four_public_board", "true", None, None],
        ["2025-03-12", "township", "township_office", V11, "four_public_board", "true", None, None],
        ["2025-04-12", "township", "township_office", V11, "four_public_board", "true", None, None],
        ["2025-05-12", "township", "township_office", V11, "four_public_board", "true", None, None],
        ["2025-06-12", "township", "township_office", V11, "four_public_board", "true", None, None],
        ["2025-01-20", "township", "乡镇计生办", V12, "four_public_board", "true", None, None],
        ["2025-03-10", "township", "township_office", V12, "台账资料齐全", "false", "2025-04-09", None],
        ["2025-06-15", "township", "township_office", V12, "four_public_board", "true", None, None],
        ["2025-01-08", "township", "township_office", V21, "four_public_board", "true", None, None],
        ["2025-03-20", "township", "township_office", V21, "four_public_board", "true", None, None],
        ["2025-04-08", "township", "township_office", V21, "four_public_board", "true", None, None],
        ["2025-05-08", "township", "township_office", V21, "four_public_board", "true", None, None],
        ["2025-06-10", "township", "township_office", V21, "four_public_board", "false", "2025-07-10", None],
        ["2025-06-10", "township", "township_office", V21, "culture_courtyard", "false", None, None],
    ]
    return pd.DataFrame(
        rows,
        columns=["date", "inspector_level", "inspector", "unit_code", "check_item", "passed", "deadline", "closed_on"],
    )


def work() -> pd.DataFrame:
    rows = [
        [T1, "2025-02", "township_meetings", 1],
        [T1, "2025-05", "乡镇人口计生专题会议", 1],
        [T2, "2025-03", "township_meetings", 1],
    ]
    rows += [[V11, f"2025-0{m}", "self_governance_meetings", 1] for m in range(1, 7)]
    rows += [[V12, f"2025-0{m}", "self_governance_meetings", 1] for m in (1, 2)]
    rows += [[V21, f"2025-0{m}", "self_governance_meetings", n] for m, n in ((1, 1), (2, 1), (3, 2), (5, 1), (6, 1))]
    rows += [["100", f"2025-0{m}", "central_training_sessions", 1] for m in (1, 2, 4, 5, 6)]
    rows += [["100", "2025-04", "staff_sent", 2]]
    rows += [[T2, f"2025-0{m}", "township_technical_staff", 4] for m in range(1, 7)]
    rows += [[T2, "2025-03", "county_station_course", 1], [T2, "2025-06", "county_station_course", 2]]
    rows += [[V11, "2025-03", "migrant_checks", 9]]
    return pd.DataFrame(rows, columns=["unit_code", "month", "element", "amount"])


def rooms() -> pd.DataFrame:
    return pd.DataFrame(
        [
            [V11, 2025, "up_to_standard", "true", "up_to_standard"],
            [V12, 2025, "below_standard", "false", "up_to_standard"],
            [V21, 2025, "none", None, "none"],
        ],
        columns=["village_code", "year", "room", "merged_clinic", "school"],
    )


def tables() -> dict[str, pd.DataFrame]:
    t = mini_tables()
    t["service_stats"]["migrant_women"] = 10.0
    return t | {"supervision": register(), "work_register": work(), "village_rooms": rooms()}


@pytest.fixture(scope="module")
def rhythm_county(tmp_path_factory):
    return load_county(write_mini_county(tmp_path_factory.mktemp("rhythm") / "c", tables()))


def value(rhythm_county, level, period, code, unit=None, target_set="work_rhythm"):
    card = scorecards(rhythm_county, level, periods.kind_of(period), target_set).set_index(
        ["unit", "period", "indicator"]
    )
    return card.loc[(unit or "100", period, code)]


def test_names_become_codes_and_the_data_are_as_of_june(rhythm_county) -> None:
    assert set(rhythm_county.supervision["check_item"]) >= {"records_complete", "four_public_board"}
    assert "township_office" in set(rhythm_county.supervision["inspector"]) and "乡镇计生办" not in set(
        rhythm_county.supervision["inspector"]
    )
    assert (rhythm_county.work_register["element"] == "township_meetings").sum() == 3
    assert coverage.as_of_month(rhythm_county) == "2025-06"


@pytest.mark.parametrize(
    "level, unit, period, expected, note",
    [
        ("township", T1, "2025Q1", 100.0, ""),
        ("township", T2, "2025Q1", 100.0, ""),  # V21's visit counts for T2
        ("township", T2, "2025Q2", 0.0, ""),
        ("county", "100", "2025Q2", 50.0, ""),
        ("county", "100", "2025S1", 75.0, ""),  # 3 of 4 township-quarters
        ("county", "100", "2025", 75.0, "cycle_pending"),  # Q3 and Q4 have not ended: not yet due
        ("county", "100", "2025-03", np.nan, "cycle_quarter"),  # a month of a quarterly duty is not judged
    ],
)
def test_county_supervision_each_township_each_quarter(rhythm_county, level, unit, period, expected, note) -> None:
    row = value(rhythm_county, level, period, "county_supervision_coverage", unit)
    np.testing.assert_allclose(row["value"], expected)
    assert row["note"] == note


@pytest.mark.parametrize(
    "level, unit, period, numerator, denominator",
    [
        ("county", "100", "2025S1", 14, 18),  # V11 6 months, V12 3, V21 5 of 3 villages × 6 months
        ("township", T1, "2025S1", 9, 12),
        ("township", T2, "2025S1", 5, 6),
        ("village", V12, "2025Q1", 2, 3),
        ("county", "100", "2025-02", 1, 3),
    ],
)
def test_township_checks_each_village_each_month(rhythm_county, level, unit, period, numerator, denominator) -> None:
    row = value(rhythm_county, level, period, "township_check_coverage", unit)
    assert (row["numerator"], row["denominator"]) == (numerator, denominator)
    np.testing.assert_allclose(row["value"], 100 * numerator / denominator)


def test_findings_and_their_rectification(rhythm_county) -> None:
    f = rhythm.findings(rhythm_county).set_index(["unit_code", "check_item"])
    assert len(f) == 4  # the culture courtyard is not a finding
    assert f.loc[(V21, "four_public_board")].iloc[0]["on_time"]
    assert (
        not f.loc[(V11, "self_governance_records"), "on_time"]
        and f.loc[(V11, "self_governance_records"), "status"] == "closed"
    )
    assert f.loc[(V12, "records_complete"), "overdue"]
    assert not f.loc[(V21, "four_public_board")].iloc[1]["due"]  # deadline 10 July, after 30 June
    # by the deadline's period: 2025 F1 on time of F1, F2, F3; Q1 F2 late; Q2 F1 on time, F3 open
    for level, unit, period, expected in [
        ("county", "100", "2025", 100 / 3),
        ("county", "100", "2025Q1", 0.0),
        ("county", "100", "2025Q2", 50.0),
        ("township", T1, "2025", 0.0),
        ("township", T2, "2025", 100.0),
    ]:
        np.testing.assert_allclose(
            value(rhythm_county, level, period, "rectification_on_time", unit)["value"], expected
        )
    weekly = rhythm.rectification_values(
        rhythm_county,
        "county",
        periods.WEEK,
        {"r": rhythm_county.config["indicators"].indicators["rectification_on_time"]},
    )
    assert weekly.set_index("period").loc["2025W14", "value"] == 100.0  # F1's deadline, Saturday 5 April


def test_checklist_items_at_the_latest_inspection(rhythm_county) -> None:
    # Q1: V21 failed at the county's visit on 5 March but passed on 20 March: 3 of 3; Q2: V21 failed on 10 June
    np.testing.assert_allclose(value(rhythm_county, "county", "2025Q1", "four_public_current")["value"], 100.0)
    np.testing.assert_allclose(value(rhythm_county, "county", "2025Q2", "four_public_current")["value"], 200 / 3)
    row = value(rhythm_county, "county", "2025-03", "four_public_current")
    assert (row["numerator"], row["denominator"]) == (2, 2)  # V12's March visit checked another item


def test_meetings_pro_rata_and_the_yearly_quota(rhythm_county) -> None:
    s1 = {u: value(rhythm_county, "township", "2025S1", "township_meetings", u) for u in (T1, T2)}
    assert (s1[T1]["value"], s1[T1]["target"], s1[T1]["status"], s1[T1]["note"]) == (2, "≥ 2", "green", "pro_rata")
    assert (s1[T2]["value"], s1[T2]["status"]) == (1, "red")
    q2 = value(rhythm_county, "township", "2025Q2", "township_meetings", T2)
    assert (q2["value"], q2["target"], q2["status"]) == (0, "≥ 1", "red")  # no meeting recorded in Q2: none held
    year = value(rhythm_county, "township", "2025", "township_meetings", T1)
    assert (year["value"], year["target"], year["status"]) == (2, "≥ 4", "red")
    month = value(rhythm_county, "township", "2025-02", "township_meetings", T1)
    assert (month["status"], month["note"]) == ("no_target", "annual_target")  # 4/12 of a meeting makes no sense
    quota = value(rhythm_county, "county", "2025", "townships_meeting_quota")
    assert np.isnan(quota["value"]) and quota["note"] == "cycle_pending"  # the year has not ended


def test_self_governance_training_staff_and_outreach(rhythm_county) -> None:
    row = value(rhythm_county, "county", "2025S1", "self_governance_meeting_rate")
    assert (row["numerator"], row["denominator"]) == (13, 18)  # V11 6, V12 2, V21 5 months (two in March count once)
    np.testing.assert_allclose(value(rhythm_county, "county", "2025S1", "central_training_months")["value"], 500 / 6)
    sent = {p: value(rhythm_county, "county", p, "staff_sent") for p in ("2025Q1", "2025S1", "2025")}
    assert (sent["2025S1"]["value"], sent["2025S1"]["target"], sent["2025S1"]["status"]) == (2, "≥ 1", "green")
    assert (sent["2025"]["value"], sent["2025"]["status"]) == (2, "green")
    assert (sent["2025Q1"]["value"], sent["2025Q1"]["note"]) == (0, "annual_target")  # half a person: not pro rata
    course = value(rhythm_county, "township", "2025S1", "county_station_course_rate", T2)
    assert (course["value"], course["target"], course["status"]) == (75.0, "≥ 50", "green")  # 3 of 4, half of 100%
    np.testing.assert_allclose(
        value(rhythm_county, "township", "2025Q1", "county_station_course_rate", T2)["value"], 25.0
    )
    # migrants' 三查 once a quarter: 9 checks of 30 women (10 in each village) in Q1; a month is not judged
    row = value(rhythm_county, "county", "2025Q1", "migrant_checks_rate")
    np.testing.assert_allclose((row["numerator"], row["denominator"], row["value"]), (9, 30, 30.0))
    np.testing.assert_allclose(value(rhythm_county, "village", "2025Q1", "migrant_checks_rate", V11)["value"], 90.0)
    assert value(rhythm_county, "county", "2025-03", "migrant_checks_rate")["note"] == "cycle_quarter"


def test_rooms_and_schools_up_to_standard_years_only(rhythm_county) -> None:
    np.testing.assert_allclose(value(rhythm_county, "county", "2025", "village_rooms_standard")["value"], 100 / 3)
    np.testing.assert_allclose(
        value(rhythm_county, "township", "2025", "population_schools_standard", T1)["value"], 100.0
    )
    np.testing.assert_allclose(value(rhythm_county, "county", "2025", "population_schools_standard")["value"], 200 / 3)
    assert value(rhythm_county, "county", "2025S1", "village_rooms_standard")["note"] == "year_only"


def test_a_county_without_the_registers_gets_no_data_never_red(tmp_path) -> None:
    bare = load_county(write_mini_county(tmp_path / "bare"))
    card = scorecard(bare, "county", "2025", target_set="work_rhythm", with_forecast=False).set_index("indicator")
    mine = [c for c in resolved_targets(bare.config["indicators"], "work_rhythm") if c in card.index]
    assert len(mine) == 20 and set(card.loc[mine, "status"]) == {"no_data"}
    assert card.loc["county_supervision_coverage", "note"] == "no_supervision"
    assert card.loc["village_rooms_standard", "note"] == "no_room_status"


# ---------------------------------------------------------------------------------------------------- periods


def test_iso_weeks() -> None:
    assert periods.parse("2025W07") == ("week", ["2025-02"])
    assert periods.bounds("2025W01") == (pd.Timestamp("2024-12-30"), pd.Timestamp("2025-01-05"))
    assert periods.parse("2025W05")[1] == ["2025-01", "2025-02"]  # 27 January to 2 February
    dates = pd.Series(["2025-01-01", "2021-01-03", "2026-12-31", "2025-02-16"])
    assert periods.of_dates(dates, "week").tolist() == ["2025W01", "2020W53", "2026W53", "2025W07"]
    assert periods.shift("2025W52", 1) == "2026W01" and periods.shift("2021W01", -1) == "2020W53"
    assert periods.weeks_in(2026) == 53 and periods.weeks_in(2025) == 52
    with pytest.raises(ValueError):
        periods.parse("2025W53")
    assert periods.of_dates(dates, "quarter").tolist() == ["2025Q1", "2021Q1", "2026Q4", "2025Q1"]


def test_pro_rata_only_where_it_makes_sense() -> None:
    catalogue = load("indicators")
    meetings, targets = catalogue.indicators["township_meetings"], resolved_targets(catalogue, "work_rhythm")
    yearly = targets["township_meetings"][0]
    assert pro_rata(yearly, meetings, "half_year").value == 2 and pro_rata(yearly, meetings, "quarter").value == 1
    assert pro_rata(yearly, meetings, "month") is None  # a third of a meeting
    sent = targets["staff_sent"][0]
    assert pro_rata(sent, catalogue.indicators["staff_sent"], "quarter") is None  # half a person
    # an indicator that does not accumulate over the year is never pro rata (rooms up to standard at the year's end)
    assert (
        pro_rata(targets["village_rooms_standard"][0], catalogue.indicators["village_rooms_standard"], "half_year")
        is None
    )


# ---------------------------------------------------------------------------------------- the sets and their words


def normalise(text: str) -> str:
    return re.sub(r"[\s,，、;；:：.。“”\"'()（）…%]", "", text)


SETS = ["seed000_base", "seed000_service", "seed001_article5_measures", "seed003_checks", "seed004_rhythm"]


@pytest.mark.parametrize("name", SETS)
def test_each_target_quotes_its_document(name) -> None:
    source = normalise((SOURCES / f"{name}.txt").read_text(encoding="utf-8"))
    tset = load("indicators").target_sets[name]
    assert tset.targets and not tset.extends and "《" in tset.source
    for code, targets in tset.targets.items():
        for target in targets:
            where, _, quote = target.source.partition(": ")
            assert where and quote, f"{name}.{code}: source must be '<where>: <words>'"
            for piece in [p for p in re.split(r"[;…]", re.sub(r"\([^)]*\)", "", quote)) if p.strip()]:
                assert normalise(piece) in source, f"{name}.{code}: {piece!r} is not in the source"


def test_the_sets_state_the_documents_numbers() -> None:
    value = {code: t[0].value for code, t in resolved_targets(load("indicators"), "work_rhythm").items()}
    assert value["township_meetings"] == 4  # 每年至少要召开四次专题会议
    assert value["staff_sent"] == 2  # 每年坚持选送2至3名: at least two
    assert value["computer_staff"] == 2  # 至少增配2名
    assert value["county_supervision_coverage"] == value["township_check_coverage"] == 100
    assert "culture_courtyard_villages" not in value  # 有条件的村要建: no target
    assert len(value) == 22


# --------------------------------------------------------------------------------------------- bad registers


def test_bad_registers_are_refused_with_every_problem(tmp_path) -> None:
    t = tables()
    bad = t["supervision"].copy()
    bad.loc[0, "inspector"] = "张三"  # a person's name
    bad.loc[3, "deadline"] = None  # a finding without its deadline
    bad.loc[4, "check_item"] = "no such item"
    bad.loc[5, "inspector_level"] = "village"
    bad.loc[1, "closed_on"] = "2025-03-01"  # closed before the visit
    bad.loc[3, "closed_on"] = "2099-01-01"  # closed in the future
    bad.loc[16, "deadline"] = "2099-07-10"  # a deadline may lie ahead
    t["supervision"] = bad
    t["work_register"] = pd.concat(
        [
            t["work_register"],
            pd.DataFrame(
                [[V11, "2025-01", "township_meetings", 1]], columns=["unit_code", "month", "element", "amount"]
            ),
        ],
        ignore_index=True,
    )
    t["contraceptive_supply"] = pd.DataFrame(
        [[T1, "2025-01", "iud", 3], [T1, "2025-01", "口服避孕药", 30]],
        columns=["unit_code", "month", "method", "units_distributed"],
    )
    with pytest.raises(DataError) as error:
        load_county(write_mini_county(tmp_path / "bad", t))
    found = {(p.kind, p.column, p.row) for p in error.value.problems}
    assert {
        ("supervision_inspector_name", "inspector", 2),
        ("supervision_no_deadline", "check_item", 5),
        ("not_in_enum", "check_item", 6),
        ("supervision_inspector_level", "inspector_level", 7),
        ("supervision_before_visit", "closed_on", 3),
        ("rhythm_wrong_level", "unit_code", len(work()) + 2),
        ("supply_in_report", "method", 2),
        ("date_in_future", "closed_on", 5),
    } <= found
    assert not any(p.column == "deadline" for p in error.value.problems)
    assert not any(
        p.file.endswith("contraceptive_supply.csv") and p.row == 3 for p in error.value.problems
    )  # 口服避孕药 is a name
    message = next(p for p in error.value.problems if p.kind == "supervision_inspector_name").message("zh")
    assert "不要填写姓名" in message and "张三" in message


# ------------------------------------------------------------------------------------------------ the demo county


def test_the_demo_county_scorecard_carries_every_rhythm_item(county) -> None:
    card = scorecard(county, "county", "2025", target_set="work_rhythm", with_forecast=False).set_index("indicator")
    for code in (
        "county_supervision_coverage",
        "township_check_coverage",
        "rectification_on_time",
        "townships_meeting_quota",
        "self_governance_meeting_rate",
        "representatives_meeting_rate",
        "four_public_current",
        "village_rooms_standard",
        "population_schools_standard",
        "publicity_board_villages",
        "slogans_villages",
        "skills_competition_quarters",
        "staff_sent",
        "central_training_months",
        "county_station_course_rate",
        "migrant_checks_rate",
    ):
        row = card.loc[code]
        assert np.isfinite(row["value"]) and row["target"] and row["target_source"], code
        assert row["status"] in ("green", "amber", "red"), code
    rooms = county.village_rooms
    assert len(rooms) == len(county.villages()) and rooms["village_code"].is_unique  # every village has its room
    np.testing.assert_allclose(
        card.loc["village_rooms_standard", "value"], 100 * (rooms["room"] == "up_to_standard").mean()
    )
    assert card.loc["staff_sent", "value"] == 3 and card.loc["skills_competition_quarters", "value"] == 100


def test_the_page_tables_this_quarter_by_township(rhythm_county) -> None:
    from fpplan.indicators import supervision

    tables = supervision.page_tables(
        rhythm_county, pd.DataFrame({"imported_at": pd.to_datetime(["2025-06-24 10:00", "2025-06-25 09:00"])})
    )
    assert tables["info"].iloc[0][["month", "quarter"]].tolist() == ["2025-06", "2025Q2"]
    status = tables["township"].set_index("township_code")
    # Q2: the county visited T1 on 20 May, not T2; in June the townships checked V11, V12 and V21
    assert status.loc[T1, ["supervision_due", "supervision_done", "villages_total", "villages_checked"]].tolist() == [
        1,
        1,
        2,
        2,
    ]
    assert status.loc[T1, "last_visit"] == pd.Timestamp("2025-05-20") and pd.isna(status.loc[T2, "last_visit"])
    assert status.loc[T2, ["supervision_done", "villages_total", "villages_checked"]].tolist() == [0, 1, 1]
    # open at 30 June: F3 (T1, overdue since 9 April) and F4 (T2, due 10 July)
    assert status.loc[T1, ["findings_open", "findings_overdue"]].tolist() == [1, 1]
    assert status.loc[T2, ["findings_open", "findings_overdue"]].tolist() == [1, 0]
    assert "inspector" not in status.columns and "finding" not in status.columns
    items = tables["items"].set_index("check_item")
    assert (
        items.loc["records_complete", "findings_overdue"] == 1 and items.loc["four_public_board", "findings_open"] == 1
    )
    weeks = tables["weeks"].set_index("week")
    assert weeks.index[-1] == "2025W27" and len(weeks) == 8  # 30 June is the Monday of week 27
    # week 24 (9–15 June): V21 on the 10th (a finding), V11 on the 12th, V12 on Sunday the 15th; none in week 25
    assert weeks.loc["2025W24", ["inspections", "findings_opened"]].tolist() == [3, 1]
    assert weeks.loc["2025W25", "inspections"] == 0 and weeks.loc["2025W26", "imports"] == 2
    # a month earlier, in the same quarter: F3 open and overdue, F4 not yet found
    may = supervision.township_status(rhythm_county, "2025-05").set_index("township_code")
    assert may.loc[T2, "findings_open"] == 0 and may.loc[T1, "villages_checked"] == 1
    # a month the register has not reached (reports imported first): every visit still due, none done
    july = supervision.township_status(rhythm_county, "2025-07")
    assert (
        july["supervision_done"].sum() == 0 and july["last_visit"].isna().all() and july["villages_checked"].sum() == 0
    )


def test_an_import_with_a_name_for_an_inspector_is_refused_and_writes_nothing(tmp_path) -> None:
    from fpplan.data.workspace import Workspace

    folder = write_mini_county(tmp_path / "c", tables())
    workspace = Workspace(folder)
    before = len(workspace.county().supervision)
    new = (
        register()
        .iloc[:2]
        .assign(
            date=["2025-06-20", "2025-06-21"],
            inspector=["C07", "李四"],
            closed_on=None,
            deadline=["2025-07-01", "2025-07-21"],
        )
    )
    path = tmp_path / "督导检查记录_2025-06.csv"
    new.to_csv(path, index=False)
    with pytest.raises(DataError) as error:
        workspace.import_files([path])
    assert [(p.kind, p.row) for p in error.value.problems] == [("supervision_inspector_name", 3)]
    assert len(workspace.county().supervision) == before
    new.assign(inspector="C07").to_csv(path, index=False)
    workspace.import_files([path])
    assert len(workspace.county().supervision) == before + 2


def test_a_weeks_scorecard_holds_the_dated_indicators(rhythm_county, tmp_path) -> None:
    card = scorecard(rhythm_county, "county", "2025W14", target_set="work_rhythm").set_index("indicator")
    assert set(card.index) == {
        "rectification_on_time",
        "four_public_current",
        "publicity_board_villages",
        "slogans_villages",
        "culture_courtyard_villages",
    }
    assert (card.loc["rectification_on_time", "value"], card.loc["rectification_on_time", "status"]) == (100.0, "green")
    w15 = scorecard(rhythm_county, "county", "2025W15", target_set="work_rhythm").set_index("indicator")
    assert w15.loc["rectification_on_time", "value"] == 0.0  # F3's deadline, Wednesday 9 April, passed open
    bare = load_county(write_mini_county(tmp_path / "bare"))
    assert scorecard(bare, "county", "2025W14").empty  # no dated data: no week to score, no error


def test_reports_imported_before_the_registers_do_not_turn_into_misses(tmp_path) -> None:
    """July's reports arrive while the registers end in June: July is not a month of missed checks and meetings."""
    t = tables()
    july = t["service_stats"][t["service_stats"]["month"] == "2025-02"].assign(
        month="2025-07", reported_on="2025-08-03"
    )
    t["service_stats"] = pd.concat([t["service_stats"], july], ignore_index=True)
    later = load_county(write_mini_county(tmp_path / "c", t))
    assert coverage.as_of_month(later) == "2025-07" and coverage.covered_until(later, "work_register") == "2025-06"
    card = scorecards(later, "county", "month", "work_rhythm").set_index(["period", "indicator"])
    for code in ("township_check_coverage", "self_governance_meeting_rate", "central_training_months"):
        assert np.isnan(card.loc[("2025-07", code), "value"]), code
        assert card.loc[("2025-07", code), "status"] == "no_data"
    np.testing.assert_allclose(card.loc[("2025-06", "township_check_coverage"), "value"], 100.0)  # V11, V12, V21
