"""Coverage: which villages are within a station's reach, how many women 15–49 (and married women) each station
and the county cover each year, which villages are beyond every station, and the mobile vehicles those need.

A village is *within reach* of a station when its cost (road km or travel minutes, fpplan.spatial.distance) is at
most the station's threshold (spatial.yaml ``reach`` by level); *covered* when within reach of an open station
(opening_year ≤ year); *beyond* when it has coordinates and is covered by none; *unknown* when it has no
coordinates (listed, never dropped). A station is *at standard* from the year its grade reaches the standard grade
of its level (seed 000 §三(二): county and central stations grade A, general stations grade B), through its own
grade or a project of the construction plan completing.

Mobile vehicles (seed 000 §三(二): 流动服务车为纽带): every village beyond reach gets each round of spatial.yaml's
``mobile.rounds`` in its months. A village-month takes (round-trip travel + Σ over that month's rounds of
people × uptake × minutes per person ÷ team size) ÷ hours per day vehicle-days; a month's vehicle-days across
villages must fit in the vehicles' working days of that month (working days a year ÷ 12), so the vehicles needed
are the larger of ⌈peak month ÷ monthly days⌉ and ⌈year ÷ yearly days⌉.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from fpplan.data.models.spatial import Mobile

GRADE_RANK = {"A": 3, "B": 2, "C": 1, "none": 0}
PEOPLE = ("women_15_49", "married_women_15_49")


def within_matrix(cost: np.ndarray, thresholds: np.ndarray) -> np.ndarray:
    """(villages, stations) booleans: cost ≤ the station's threshold (False where the cost is unknown)."""
    cost = np.asarray(cost, float)
    return np.nan_to_num(cost, nan=np.inf) <= np.asarray(thresholds, float)[None, :]


def standard_year(stations: pd.DataFrame, plan: pd.DataFrame, standard_grade: dict[str, str]) -> pd.Series:
    """The first year each station (index code) is at its level's standard grade: its opening year when its own
    grade already is, else the earliest completion of a project reaching it; NaN if never."""
    need = stations["level"].map(standard_grade).map(GRADE_RANK)
    own = stations["grade"].map(GRADE_RANK).fillna(0) >= need
    reaching = plan.assign(
        rank=plan["target_grade"].map(GRADE_RANK), need=plan["station_code"].map(dict(zip(stations["code"], need)))
    )
    reaching = reaching[reaching["rank"] >= reaching["need"]].groupby("station_code")["completion_year"].min()
    years = stations["code"].map(reaching).astype(float)
    return pd.Series(np.where(own, stations["opening_year"].astype(float), years), index=stations["code"].to_numpy())


def coverage(
    villages: pd.DataFrame, stations: pd.DataFrame, cost: np.ndarray, people: pd.DataFrame
) -> dict[str, pd.DataFrame]:
    """Coverage tables from villages (village_code, township_code, known: has coordinates), stations (code, level,
    threshold, opening_year, standard_year), cost (villages × stations) and people (village_code, year,
    women_15_49, married_women_15_49).

    Returns ``access`` (village × year: nearest_station, cost, access covered/beyond/unknown, the people),
    ``stations`` (station × year: open, at_standard, villages_within, women_within, married_within),
    ``townships`` and ``county`` (× year: women_15_49, women_covered, married_covered, women_beyond,
    women_unknown, share_covered, women_standard, share_standard, villages_beyond, villages_unknown)."""
    within = within_matrix(cost, stations["threshold"].to_numpy(float))
    years = np.sort(people["year"].unique())
    opening = stations["opening_year"].to_numpy(float)
    standard = stations["standard_year"].to_numpy(float)
    is_open = opening[:, None] <= years[None, :]  # (stations, years)
    at_standard = np.nan_to_num(standard, nan=np.inf)[:, None] <= years[None, :]
    covered = (within.astype(int) @ is_open.astype(int)) > 0  # (villages, years)
    covered_std = (within.astype(int) @ (is_open & at_standard).astype(int)) > 0
    known = villages["known"].to_numpy(bool)
    grid = people.pivot_table(index="village_code", columns="year", values=list(PEOPLE), aggfunc="sum")
    grid = grid.reindex(villages["village_code"]).fillna(0.0)
    women = grid["women_15_49"][years].to_numpy(float)
    married = grid["married_women_15_49"][years].to_numpy(float)
    # nearest open station (by cost) for each village and year
    masked = np.where(is_open.T[None, :, :], np.nan_to_num(cost, nan=np.inf)[:, None, :], np.inf)  # (v, years, s)
    nearest = masked.argmin(axis=2)
    nearest_cost = np.take_along_axis(masked, nearest[:, :, None], 2)[:, :, 0]
    codes = stations["code"].to_numpy(dtype=object)
    access = np.where(~known[:, None], "unknown", np.where(covered, "covered", "beyond"))
    nv, ny = len(villages), len(years)
    access_table = pd.DataFrame(
        {
            "village_code": np.repeat(villages["village_code"].to_numpy(), ny),
            "township_code": np.repeat(villages["township_code"].to_numpy(), ny),
            "year": np.tile(years, nv),
            "nearest_station": np.where(np.isfinite(nearest_cost), codes[nearest], None).reshape(-1),
            "cost": np.where(np.isfinite(nearest_cost), nearest_cost, np.nan).reshape(-1),
            "access": access.reshape(-1),
            "women_15_49": women.reshape(-1),
            "married_women_15_49": married.reshape(-1),
        }
    )
    ns = len(stations)
    station_table = pd.DataFrame(
        {
            "station": np.repeat(codes, ny),
            "level": np.repeat(stations["level"].to_numpy(), ny),
            "year": np.tile(years, ns),
            "open": is_open.reshape(-1),
            "at_standard": (is_open & at_standard).reshape(-1),
            "villages_within": np.repeat(within.sum(axis=0), ny),
            "women_within": (within.T.astype(float) @ women).reshape(-1),
            "married_within": (within.T.astype(float) @ married).reshape(-1),
        }
    )
    cells = pd.DataFrame(
        {
            "township_code": access_table["township_code"],
            "year": access_table["year"],
            "women_15_49": access_table["women_15_49"],
            "women_covered": access_table["women_15_49"] * covered.reshape(-1),
            "married_covered": access_table["married_women_15_49"] * covered.reshape(-1),
            "women_beyond": access_table["women_15_49"] * (access == "beyond").reshape(-1),
            "women_unknown": access_table["women_15_49"] * (~known[:, None]).repeat(ny, 1).reshape(-1),
            "women_standard": access_table["women_15_49"] * covered_std.reshape(-1),
            "villages_beyond": (access == "beyond").reshape(-1).astype(int),
            "villages_unknown": (access == "unknown").reshape(-1).astype(int),
        }
    )
    townships = _shares(cells.groupby(["township_code", "year"], as_index=False).sum())
    county = _shares(cells.drop(columns="township_code").groupby("year", as_index=False).sum())
    county["stations_open"] = is_open.sum(axis=0)
    county["stations_standard"] = (is_open & at_standard).sum(axis=0)
    return {"access": access_table, "stations": station_table, "townships": townships, "county": county}


def _shares(frame: pd.DataFrame) -> pd.DataFrame:
    total = frame["women_15_49"].where(frame["women_15_49"] > 0)
    return frame.assign(share_covered=frame["women_covered"] / total, share_standard=frame["women_standard"] / total)


def mobile_rounds(beyond: pd.DataFrame, config: Mobile, years=None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Vehicle-days of the rounds for the villages beyond reach.

    ``beyond``: village_code, year, travel_hours (round trip from the vehicles' base), women_15_49,
    married_women_15_49, migrant_women; ``years``: every year to report (a year with no village beyond reach needs
    no vehicle). Returns ``rounds`` (year, round, months, villages, visits,
    travel_hours, service_hours, vehicle_days) and ``vehicles`` (year, vehicle_days, peak_month,
    peak_vehicle_days, vehicle_days_capacity, vehicles_needed)."""
    names = list(config.rounds)
    months = np.arange(1, 13)
    in_month = np.array([[m in config.rounds[r].months for m in months] for r in names])  # (rounds, 12)
    trips = in_month.any(axis=0)  # months with any round
    per_trip = in_month / np.maximum(in_month.sum(axis=0), 1)  # share of a month's trip charged to each round
    people = np.stack(
        [beyond[config.rounds[r].base].to_numpy(float) * config.rounds[r].uptake for r in names]
    )  # (r, v)
    hours = (
        people * np.array([config.rounds[r].minutes_per_person for r in names])[:, None] / 60.0 / config.team_size.value
    )
    travel = beyond["travel_hours"].to_numpy(float)
    day = config.hours_per_day.value
    # (rounds, villages, months) service and travel hours
    service = hours[:, :, None] * in_month[:, None, :]
    trip = travel[None, :, None] * per_trip[:, None, :]
    of_year = beyond["year"].to_numpy()
    rows = []
    for r, name in enumerate(names):
        frame = pd.DataFrame(
            {
                "year": of_year,
                "visits": people[r] * len(config.rounds[name].months),
                "travel_hours": trip[r].sum(axis=1),
                "service_hours": service[r].sum(axis=1),
            }
        )
        part = frame.groupby("year", as_index=False).sum()
        part["villages"] = pd.Series(of_year).value_counts().reindex(part["year"]).to_numpy()
        rows.append(part.assign(round=name, months=",".join(map(str, config.rounds[name].months))))
    columns = ["year", "round", "months", "villages", "visits", "travel_hours", "service_hours", "vehicle_days"]
    rounds = pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(columns=columns[:-1])
    rounds["vehicle_days"] = (rounds["travel_hours"] + rounds["service_hours"]) / day
    monthly_days = (service.sum(axis=0) + travel[:, None] * trips[None, :]) / day  # (villages, months)
    by_month = pd.DataFrame(monthly_days, columns=months).groupby(of_year).sum()
    capacity_year = config.working_days_per_year.value
    all_years = np.unique(of_year if years is None else np.concatenate([np.asarray(years), of_year]))
    by_month = by_month.reindex(all_years, fill_value=0.0)
    vehicles = pd.DataFrame(
        {
            "year": all_years,
            "vehicle_days": by_month.sum(axis=1).to_numpy(),
            "peak_month": by_month.idxmax(axis=1).to_numpy() if len(by_month) else [],
            "peak_vehicle_days": by_month.max(axis=1).to_numpy(),
            "vehicle_days_capacity": capacity_year,
        }
    )
    vehicles["vehicles_needed"] = np.maximum(
        np.ceil(vehicles["peak_vehicle_days"] / (capacity_year / 12) - 1e-9),
        np.ceil(vehicles["vehicle_days"] / capacity_year - 1e-9),
    ).astype(int)
    return rounds[columns].sort_values(["year", "round"]).reset_index(drop=True), vehicles
