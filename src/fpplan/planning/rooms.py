"""Village service rooms (村服务室) and population schools (人口学校) in the plan: "村级服务室和人口学校应全部达标"
(《关于创建国家计划生育优质服务先进区的实施方案》, seed 001 第五篇), "村服务室为基础" (seed 000 第五篇).

- Now: each village's latest status in the county's village_rooms table (room and school: none / below_standard /
  up_to_standard; merged_clinic: the room shares the village clinic, 二室合一). A village the table does not list is
  "not assessed": nothing is planned for it and the sheet counts it. A county without the table has no row at all
  (the plan says its rooms were not assessed; nothing is invented).
- Work: a room (school) with none is built, one below standard is upgraded; each is brought up to standard once, in
  one year between the plan's first year (never before the year after the status's year) and the plan year.
- Schedule (config/rooms.yaml ``schedule``), rooms and schools each on their own: ``even`` — in each township, its
  n works in order (builds first, then upgrades, then by village code) take the years first + ⌊r·Y/n⌋ for the r-th
  work (r = 0 … n−1) over Y years, so each year gets ⌊n/Y⌋ or ⌈n/Y⌉ of them; ``worst_first`` — the county's N works
  ordered by their township's share up to standard now (lowest first), then builds before upgrades, then village
  code, take first + ⌊r·Y/N⌋: an equal county total every year, the weakest townships first.
- Cost: the work's unit cost (万元 per village); a room merged with the clinic is upgraded at ``merged_clinic_share``
  of the upgrade cost. Money: ``subsidy_share`` sought from upper levels, the rest self-raised, in the work's year.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from fpplan.data.models.rooms import RoomsConfig

KINDS = ("room", "school")
WORK_COLUMNS = [
    "village_code",
    "township_code",
    "kind",
    "action",
    "merged_clinic",
    "year",
    "cost_wan_yuan",
    "self_raised_wan_yuan",
    "subsidy_wan_yuan",
]
TOWNSHIP_COLUMNS = [
    "township_code",
    "villages",
    "villages_not_assessed",
    "rooms_up_to_standard",
    "rooms_to_build",
    "rooms_to_upgrade",
    "schools_up_to_standard",
    "schools_to_build",
    "schools_to_upgrade",
    "cost_wan_yuan",
    "self_raised_wan_yuan",
    "subsidy_wan_yuan",
]
YEAR_COLUMNS = [
    "township_code",
    "year",
    "rooms_built",
    "rooms_upgraded",
    "schools_built",
    "schools_upgraded",
    "cost_wan_yuan",
    "self_raised_wan_yuan",
    "subsidy_wan_yuan",
]


def latest_status(rooms: pd.DataFrame) -> pd.DataFrame:
    """Each village's row of its latest year in the village_rooms table."""
    if rooms.empty:
        return rooms.copy()
    return (
        rooms.sort_values(["village_code", "year"]).drop_duplicates("village_code", keep="last").reset_index(drop=True)
    )


def _merged(values: pd.Series) -> np.ndarray:
    """merged_clinic as booleans (blank = not merged)."""
    return values.map(lambda v: str(v).strip().lower() in ("true", "1", "yes", "是")).to_numpy(bool)


def works(
    rooms: pd.DataFrame, villages: pd.DataFrame, config: RoomsConfig, first_year: int, plan_year: int
) -> pd.DataFrame:
    """One row per room or school to build or upgrade (module docstring): village_code, township_code, kind,
    action (build / upgrade), merged_clinic, year, cost_wan_yuan, self_raised_wan_yuan, subsidy_wan_yuan.

    ``rooms``: the village_rooms table; ``villages``: code, township_code (inhabited villages: those the plan
    serves)."""
    status = latest_status(rooms)
    status = status[status["village_code"].isin(villages["code"])]
    if status.empty:
        return pd.DataFrame(
            {
                c: pd.Series(dtype=object if c in ("village_code", "township_code", "kind", "action") else float)
                for c in WORK_COLUMNS
            }
        )
    township = status["village_code"].map(villages.set_index("code")["township_code"])
    start = int(min(max(first_year, int(status["year"].max()) + 1), plan_year))
    years = plan_year - start + 1
    merged = _merged(status["merged_clinic"]) if "merged_clinic" in status else np.zeros(len(status), bool)
    parts = []
    for kind in KINDS:  # two kinds
        todo = status[kind] != "up_to_standard"
        frame = pd.DataFrame(
            {
                "village_code": status["village_code"][todo],
                "township_code": township[todo],
                "kind": kind,
                "action": np.where(status[kind][todo] == "none", "build", "upgrade"),
                "merged_clinic": merged[todo.to_numpy()] & (kind == "room"),
            }
        )
        frame["weak"] = frame["township_code"].map((status[kind] == "up_to_standard").groupby(township).mean())
        if config.schedule == "even":
            frame = frame.sort_values(["township_code", "action", "village_code"])  # build < upgrade
            rank = frame.groupby("township_code").cumcount().to_numpy()
            size = frame.groupby("township_code")["village_code"].transform("size").to_numpy()
        else:
            frame = frame.sort_values(["weak", "township_code", "action", "village_code"])
            rank, size = np.arange(len(frame)), np.full(len(frame), len(frame))
        frame["year"] = start + (rank * years) // np.maximum(size, 1)
        unit = (
            frame["action"]
            .map(
                {
                    "build": config.costs[f"{kind}_build"].cost_wan_yuan,
                    "upgrade": config.costs[f"{kind}_upgrade"].cost_wan_yuan,
                }
            )
            .astype(float)
        )
        shared = frame["merged_clinic"] & (frame["action"] == "upgrade")
        frame["cost_wan_yuan"] = unit * np.where(shared, config.merged_clinic_share, 1.0)
        parts.append(frame.drop(columns="weak"))
    out = pd.concat(parts, ignore_index=True)
    out["subsidy_wan_yuan"] = out["cost_wan_yuan"] * config.subsidy_share
    out["self_raised_wan_yuan"] = out["cost_wan_yuan"] - out["subsidy_wan_yuan"]
    out["year"] = out["year"].astype(int)
    return out.sort_values(["year", "township_code", "kind", "village_code"])[WORK_COLUMNS].reset_index(drop=True)


def by_township(rooms: pd.DataFrame, villages: pd.DataFrame, planned: pd.DataFrame) -> pd.DataFrame:
    """Per township: villages, villages_not_assessed (not in the table), rooms and schools up to standard now, to
    build, to upgrade, and the cost with its split (万元)."""
    status = latest_status(rooms)
    status = status[status["village_code"].isin(villages["code"])]
    towns = pd.Index(sorted(villages["township_code"].unique()), name="township_code")
    township = status["village_code"].map(villages.set_index("code")["township_code"])
    out = pd.DataFrame(index=towns)
    out["villages"] = villages.groupby("township_code").size().reindex(towns, fill_value=0)
    out["villages_not_assessed"] = out["villages"] - township.value_counts().reindex(towns, fill_value=0)
    for kind in KINDS:
        out[f"{kind}s_up_to_standard"] = (
            (status[kind] == "up_to_standard").groupby(township).sum().reindex(towns, fill_value=0)
        )
        mine = planned[planned["kind"] == kind]
        for action, column in (("build", f"{kind}s_to_build"), ("upgrade", f"{kind}s_to_upgrade")):
            out[column] = mine[mine["action"] == action].groupby("township_code").size().reindex(towns, fill_value=0)
    money = planned.groupby("township_code")[["cost_wan_yuan", "self_raised_wan_yuan", "subsidy_wan_yuan"]].sum()
    out = out.join(money.reindex(towns, fill_value=0.0))
    return out.reset_index()[TOWNSHIP_COLUMNS].astype({c: int for c in TOWNSHIP_COLUMNS[1:9]})


def by_year(planned: pd.DataFrame) -> pd.DataFrame:
    """Per township and year: rooms built and upgraded, schools built and upgraded, cost and its split (万元)."""
    if planned.empty:
        return pd.DataFrame({c: pd.Series(dtype=object if c == "township_code" else float) for c in YEAR_COLUMNS})
    keys = ["township_code", "year"]
    counts = planned.assign(
        what=planned["kind"] + "s_" + planned["action"].map({"build": "built", "upgrade": "upgraded"})
    )
    wide = counts.pivot_table(index=keys, columns="what", values="village_code", aggfunc="size", fill_value=0)
    wide = wide.reindex(columns=YEAR_COLUMNS[2:6], fill_value=0).astype(int)
    money = planned.groupby(keys)[["cost_wan_yuan", "self_raised_wan_yuan", "subsidy_wan_yuan"]].sum()
    return wide.join(money).reset_index()[YEAR_COLUMNS]


def money(planned: pd.DataFrame) -> pd.DataFrame:
    """year, self_raised_wan_yuan, subsidy_wan_yuan: the works' money by year (the plan's ``village_rooms``
    category)."""
    return planned.groupby("year", as_index=False)[["self_raised_wan_yuan", "subsidy_wan_yuan"]].sum()
