"""The demo county's working rhythm for its last year (domain.md §9): the supervision register, the work register,
contraceptives given out by township and month, and every village's service room and population school.

Shaped like the seeds' counties: seed 004 keeps 213 village rooms (村室) for its villages, so every village has a
room here, most up to standard and about two in five merged with the village clinic (二室合一); the county
supervises each township once a quarter and townships check their villages monthly (seed 000), with a few visits
missed; townships hold three to six decision meetings a year (the seed asks four); the county station trains every
month but one and holds a competition every quarter; three key staff are sent away; outreach and check rounds
reach most but not all. Every rate here is a demo assumption. Deterministic: its own generator seeded from the
demo's seed, so the other tables keep their bytes.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

# the checklist items townships check every month, every quarter (its first month) and once a year (January)
MONTHLY_ITEMS = ("four_public_board", "self_governance_records", "records_complete")
QUARTERLY_ITEMS = ("publicity_board", "self_service_shelf", "slogans", "culture_courtyard")
YEARLY_ITEMS = ("room_standard", "population_school")
STRUCTURAL = ("room_standard", "population_school")  # rectified by building: by the year's end, a third of them
# contraceptives given out through the township stations: share of married women 15–49 using each, and the units a
# user takes a year (the CYP factor's units: demo assumption of a Chinese county where IUDs and sterilisation lead)
SUPPLY_MIX = {
    "oral_pills": (0.015, 15),
    "condoms": (0.10, 120),
    "dmpa_injection": (0.008, 4),
    "monthly_injection": (0.002, 13),
    "emergency_pills": (0.004, 4),
    "implant_3y": (0.003, 1 / 3),
    "implant_5y": (0.002, 1 / 5),
}


def tables(spec, villages: pd.DataFrame, tables: dict[str, pd.DataFrame], seed: int) -> dict[str, pd.DataFrame]:
    """supervision, work_register, contraceptive_supply and village_rooms for the spec's last year; the demand
    survey with a few unlawful requests (:func:`with_unlawful_requests`)."""
    rng = np.random.default_rng([seed, 26])
    year = int(spec.months[-1].year)
    months = pd.period_range(f"{year}-01", f"{year}-12", freq="M")
    start = village_rooms(villages, tables["facilities"], year, rng)
    register = supervision(spec, villages, start, months, rng)
    return {
        "supervision": register,
        "work_register": work_register(spec, villages, tables, months, rng),
        "contraceptive_supply": contraceptive_supply(villages, tables["service_stats"], months, rng),
        "village_rooms": year_end(start, register),
        "survey": with_unlawful_requests(tables["survey"], villages, np.random.default_rng([seed, 27])),
    }


def with_unlawful_requests(survey: pd.DataFrame, villages: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """The demand survey with a few requests the law forbids (non-medical fetal sex identification, flagged by the
    survey's check against law and policy, seed 000 第五篇 三(一)4): one request in one month in about 5% of villages
    (demo assumption); the survey's other rows unchanged."""
    chosen = villages["code"].to_numpy()[rng.random(len(villages)) < 0.05]
    months = sorted(survey["month"].unique())
    extra = pd.DataFrame(
        {
            "village_code": chosen,
            "month": np.asarray(months)[rng.integers(0, len(months), len(chosen))],
            "need": "fetal_sex_identification",
            "count": 1,
        }
    )
    return pd.concat([survey, extra], ignore_index=True)


def village_rooms(
    villages: pd.DataFrame, facilities: pd.DataFrame, year: int, rng: np.random.Generator
) -> pd.DataFrame:
    """Every village's room and school at the year's start; villages whose room is a listed facility are up to
    standard; townships differ (the share up to standard drawn per township)."""
    towns = np.unique(villages["township_code"], return_inverse=True)[1]
    good = rng.uniform(0.72, 0.97, towns.max() + 1)[towns]
    draw = rng.random(len(villages))
    room = np.select([draw < good, draw < good + (1 - good) * 0.7], ["up_to_standard", "below_standard"], "none")
    listed = villages["name"].isin(
        facilities.loc[facilities["level"] == "village_room", "name"].str.removesuffix("服务室")
    )
    room = np.where(listed, "up_to_standard", room)
    school_good = np.clip(good - 0.12, 0, 1)
    draw = rng.random(len(villages))
    school = np.select(
        [draw < school_good, draw < school_good + (1 - school_good) * 0.6], ["up_to_standard", "below_standard"], "none"
    )
    merged = np.where(room == "none", "", np.where(rng.random(len(villages)) < 0.4, "true", "false"))
    return pd.DataFrame(
        {"village_code": villages["code"], "year": year, "room": room, "merged_clinic": merged, "school": school}
    )


def _day(months: pd.PeriodIndex, index: np.ndarray, rng: np.random.Generator) -> pd.DatetimeIndex:
    """A working day in each chosen month (day 3–26)."""
    first = months[index].to_timestamp()
    return pd.DatetimeIndex(first + pd.to_timedelta(rng.integers(2, 26, len(index)), unit="D"))


def supervision(
    spec, villages: pd.DataFrame, rooms: pd.DataFrame, months: pd.PeriodIndex, rng: np.random.Generator
) -> pd.DataFrame:
    """County visits: each township once a quarter (the township office's records and one village on every item),
    one township missing one quarter; township checks: each village monthly on MONTHLY_ITEMS (5% of village-months
    missed), in each quarter's first month on QUARTERLY_ITEMS and in January on YEARLY_ITEMS (the rooms and schools
    as at the year's start). Failed items carry a deadline (:func:`_rectification`)."""
    towns = spec.townships["code"].to_numpy()
    nt, nv = len(towns), len(villages)
    quarter_month = np.array([0, 3, 6, 9])
    # county: township × quarter
    t_idx, q_idx = np.repeat(np.arange(nt), 4), np.tile(np.arange(4), nt)
    keep = ~((t_idx == nt - 1) & (q_idx == 2))  # the last township missed in the third quarter
    t_idx, q_idx = t_idx[keep], q_idx[keep]
    month_idx = quarter_month[q_idx] + rng.integers(0, 3, len(q_idx))
    county_dates = _day(months, month_idx, rng)
    first_village = villages.groupby("township_code")["code"].first().reindex(towns).to_numpy()
    county_rows = [
        pd.DataFrame(
            {
                "date": county_dates,
                "inspector_level": "county",
                "inspector": "county_commission",
                "unit_code": towns[t_idx],
                "check_item": "township_records",
            }
        )
    ]
    for item in MONTHLY_ITEMS + QUARTERLY_ITEMS + YEARLY_ITEMS:
        county_rows.append(
            pd.DataFrame(
                {
                    "date": county_dates,
                    "inspector_level": "county",
                    "inspector": "county_commission",
                    "unit_code": first_village[t_idx],
                    "check_item": item,
                }
            )
        )
    # townships: village × month
    v_idx, m_idx = np.repeat(np.arange(nv), 12), np.tile(np.arange(12), nv)
    kept = rng.random(len(v_idx)) >= 0.05
    v_idx, m_idx = v_idx[kept], m_idx[kept]
    dates = _day(months, m_idx, rng)
    town_rows = [
        pd.DataFrame(
            {
                "date": dates,
                "inspector_level": "township",
                "inspector": "township_office",
                "unit_code": villages["code"].to_numpy()[v_idx],
                "check_item": item,
            }
        )
        for item in MONTHLY_ITEMS
    ]
    quarterly = np.isin(m_idx, quarter_month)
    town_rows += [
        pd.DataFrame(
            {
                "date": dates[quarterly],
                "inspector_level": "township",
                "inspector": "township_office",
                "unit_code": villages["code"].to_numpy()[v_idx[quarterly]],
                "check_item": item,
            }
        )
        for item in QUARTERLY_ITEMS
    ]
    january = m_idx == 0
    town_rows += [
        pd.DataFrame(
            {
                "date": dates[january],
                "inspector_level": "township",
                "inspector": "township_office",
                "unit_code": villages["code"].to_numpy()[v_idx[january]],
                "check_item": item,
            }
        )
        for item in YEARLY_ITEMS
    ]
    frame = pd.concat(county_rows + town_rows, ignore_index=True)
    frame = frame.drop_duplicates(["unit_code", "date", "inspector_level", "check_item"])
    frame["passed"] = _passes(frame, villages, rooms, rng)
    return _rectification(frame, months, rng)


def _passes(frame: pd.DataFrame, villages: pd.DataFrame, rooms: pd.DataFrame, rng: np.random.Generator) -> np.ndarray:
    """Room and school items pass when the village's room (school) is up to standard; a village has or lacks a board,
    slogans, a shelf, a courtyard (fixed for the year); the monthly items pass with a township's own probability."""
    status = rooms.set_index("village_code")
    code = frame["unit_code"]
    item = frame["check_item"]
    fixed = {"publicity_board": 0.9, "self_service_shelf": 0.85, "slogans": 0.86, "culture_courtyard": 0.35}
    has = {k: pd.Series(rng.random(len(villages)) < p, index=villages["code"]) for k, p in fixed.items()}
    towns = np.unique(villages["township_code"])
    monthly_p = pd.Series(rng.uniform(0.88, 0.99, len(towns)), index=towns)
    township = code.str[:9]
    passed = rng.random(len(frame)) < township.map(monthly_p).fillna(0.95).to_numpy()
    passed = np.where(item == "room_standard", code.map(status["room"]).eq("up_to_standard"), passed)
    passed = np.where(item == "population_school", code.map(status["school"]).eq("up_to_standard"), passed)
    for key, series in has.items():
        passed = np.where(item == key, code.map(series).fillna(False).astype(bool), passed)
    return np.where(passed, "true", "false")


def _rectification(frame: pd.DataFrame, months: pd.PeriodIndex, rng: np.random.Generator) -> pd.DataFrame:
    """Deadlines 30 days after the visit (building work: the year's end); 80% closed in time, 12% late, the rest
    open; a third of the rooms and schools below standard are brought up to it by the year's end; a missing
    culture courtyard is recorded, not rectified."""
    failed = (frame["passed"] == "false") & (frame["check_item"] != "culture_courtyard")
    year_end = months[-1].to_timestamp(how="end").normalize()
    structural = frame["check_item"].isin(STRUCTURAL)
    deadline = np.where(structural, year_end, frame["date"] + pd.Timedelta(days=30))
    deadline = pd.to_datetime(pd.Series(deadline, index=frame.index))
    draw = rng.random(len(frame))
    closed = np.where(
        draw < 0.8,
        frame["date"] + pd.to_timedelta(rng.integers(5, 30, len(frame)), unit="D"),
        deadline + pd.to_timedelta(rng.integers(5, 40, len(frame)), unit="D"),
    )
    closed = pd.to_datetime(pd.Series(closed, index=frame.index))
    built = frame["date"] + pd.to_timedelta(rng.integers(90, 300, len(frame)), unit="D")
    closed = closed.where(~structural, built.where(draw < 0.35))
    closed = closed.where((draw < 0.92) & (closed <= year_end))  # still open at the year's end
    out = frame.assign(
        deadline=deadline.where(failed).dt.strftime("%Y-%m-%d"),
        closed_on=closed.where(failed).dt.strftime("%Y-%m-%d"),
        date=frame["date"].dt.strftime("%Y-%m-%d"),
    )
    out = out.sort_values(["date", "unit_code", "inspector_level", "check_item"], ignore_index=True)
    return out[["date", "inspector_level", "inspector", "unit_code", "check_item", "passed", "deadline", "closed_on"]]


def year_end(start: pd.DataFrame, register: pd.DataFrame) -> pd.DataFrame:
    """The rooms and schools at the year's end: as at its start, but up to standard where the January finding was
    closed (a room built where there was none: not merged with the clinic)."""
    closed = register[register["check_item"].isin(STRUCTURAL) & register["closed_on"].notna()]
    out = start.copy()
    for item, column in (("room_standard", "room"), ("population_school", "school")):
        done = out["village_code"].isin(closed.loc[closed["check_item"] == item, "unit_code"])
        if column == "room":
            out.loc[done & (out["room"] == "none"), "merged_clinic"] = "false"
        out.loc[done, column] = "up_to_standard"
    return out


def work_register(
    spec, villages: pd.DataFrame, tables: dict[str, pd.DataFrame], months: pd.PeriodIndex, rng: np.random.Generator
) -> pd.DataFrame:
    """The year's work register (config/rhythm.yaml elements), one row per unit, month and element recorded."""
    m = months.strftime("%Y-%m").to_numpy()
    towns = spec.townships["code"].to_numpy()
    county = towns[0][:-3]
    nt, nv = len(towns), len(villages)
    rows = []

    def add(units, element, amount) -> None:
        amount = np.asarray(amount, dtype=float).reshape(len(units), 12)
        frame = pd.DataFrame(
            {
                "unit_code": np.repeat(units, 12),
                "month": np.tile(m, len(units)),
                "element": element,
                "amount": amount.reshape(-1),
            }
        )
        rows.append(frame[frame["amount"] > 0] if element not in STOCKS else frame)

    held = rng.integers(3, 7, nt)  # meetings in the year, in months drawn at random (ranks of random keys)
    meetings = rng.random((nt, 12)).argsort(axis=1).argsort(axis=1) < held[:, None]
    add(towns, "township_meetings", meetings)
    village_p = rng.uniform(0.85, 1.0, nv)[:, None]
    add(villages["code"].to_numpy(), "self_governance_meetings", rng.random((nv, 12)) < village_p)
    reps = np.zeros((nv, 12))
    reps[:, [2, 5, 8, 11]] = rng.random((nv, 4)) < 0.9
    add(villages["code"].to_numpy(), "representatives_meetings", reps)
    sessions = np.ones((1, 12))
    sessions[0, 7] = 0  # no central training in August
    add([county], "central_training_sessions", sessions)
    competitions = np.zeros((1, 12))
    competitions[0, [2, 5, 8, 11]] = 1
    add([county], "skills_competitions", competitions)
    sent = np.zeros((1, 12))
    sent[0, 3], sent[0, 9] = 1, 2
    add([county], "staff_sent", sent)
    stations = tables["facilities"]
    township_station = stations[stations["level"].isin(["township_central", "township_general"])]
    staff_by_town = (
        tables["staff"]["station_code"].map(township_station.set_index("code")["township_code"]).value_counts()
    )
    in_post = staff_by_town.reindex(towns).fillna(0).to_numpy()
    with_staff = towns[in_post > 0]
    add(with_staff, "township_technical_staff", np.repeat(in_post[in_post > 0][:, None], 12, axis=1))
    course = np.zeros((len(with_staff), 12))
    course[:, [2, 5, 8, 11]] = rng.multinomial(rng.binomial(in_post[in_post > 0].astype(int), 0.85), [0.25] * 4)
    add(with_staff, "county_station_course", course)
    add(towns, "computer_staff", np.repeat(np.where(rng.random(nt) < 0.75, 2, 1)[:, None], 12, axis=1))
    poor = rng.poisson(3, nv) + 1
    add(villages["code"].to_numpy(), "poor_couples", np.repeat(poor[:, None], 12, axis=1))
    served = np.zeros((nv, 12))
    served[np.arange(nv), rng.integers(0, 12, nv)] = rng.binomial(poor, 0.95)  # one visit month per village
    add(villages["code"].to_numpy(), "poor_couples_served", served)
    stats = tables["service_stats"]
    stats = stats[stats["month"].isin(m)]
    migrants = (
        stats.pivot_table(index="village_code", columns="month", values="migrant_women")
        .reindex(index=villages["code"], columns=m)
        .ffill(axis=1)
        .bfill(axis=1)
        .fillna(0)
        .to_numpy()
    )
    checks = np.zeros((nv, 12))
    checks[:, [2, 5, 8, 11]] = rng.binomial(migrants[:, [2, 5, 8, 11]].astype(int), 0.93)
    add(villages["code"].to_numpy(), "migrant_checks", checks)
    urban = villages["kind"].eq("community").to_numpy()
    employees = rng.poisson(60, urban.sum())
    add(villages["code"].to_numpy()[urban], "urban_employees", np.repeat(employees[:, None], 12, axis=1))
    emp_checks = np.zeros((urban.sum(), 12))
    emp_checks[:, [5, 11]] = rng.binomial(np.repeat(employees[:, None], 2, axis=1), 0.9)
    add(villages["code"].to_numpy()[urban], "urban_employee_checks", emp_checks)
    unemployed = rng.poisson(8, nv)
    add(villages["code"].to_numpy(), "unemployed_women", np.repeat(unemployed[:, None], 12, axis=1))
    un_checks = np.zeros((nv, 12))
    un_checks[:, [2, 5, 8, 11]] = rng.binomial(np.repeat(unemployed[:, None], 4, axis=1), 0.92)
    add(villages["code"].to_numpy(), "unemployed_checks", un_checks)
    out = pd.concat(rows, ignore_index=True)
    out["amount"] = out["amount"].astype(int)
    return out


STOCKS = ("township_technical_staff", "computer_staff", "poor_couples", "urban_employees", "unemployed_women")


def contraceptive_supply(
    villages: pd.DataFrame, stats: pd.DataFrame, months: pd.PeriodIndex, rng: np.random.Generator
) -> pd.DataFrame:
    """Contraceptives given out by township and month: users (married women × SUPPLY_MIX share) × units a year / 12,
    Poisson noise."""
    m = months.strftime("%Y-%m")
    year = stats[stats["month"].isin(m)]
    township = year["village_code"].map(villages.set_index("code")["township_code"])
    married = (
        year.groupby(township)["married_women_15_49"].mean() * villages["township_code"].value_counts().sort_index()
    )
    married = married.dropna()
    rows = []
    for method, (share, per_year) in SUPPLY_MIX.items():  # seven methods
        mean = np.repeat((married.to_numpy() * share * per_year / 12)[:, None], len(m), axis=1)
        rows.append(
            pd.DataFrame(
                {
                    "unit_code": np.repeat(married.index.to_numpy(), len(m)),
                    "month": np.tile(m, len(married)),
                    "method": method,
                    "units_distributed": rng.poisson(mean).reshape(-1),
                }
            )
        )
    out = pd.concat(rows, ignore_index=True)
    return out[out["units_distributed"] > 0].sort_values(["unit_code", "month", "method"], ignore_index=True)
