"""The plan's money by year and by source (自筹 / 上级补助), and the subsidy still to secure.

- Construction: each station's yearly cash flow (its disbursement schedule, else the cost spread evenly over the
  project's years, :func:`fpplan.planning.facilities.cash_flow`) split in the station's own proportion of
  self-raised to subsidy (Σ over its projects): the years add up to the 建设项目规划表's 自筹 and 争取上级补助.
- Equipment: purchases in their year, split by the equipment config's self-raised share.
- Training of staff in post: the county's own money (self-raised), in the training year.
- Staff: the yearly cost of the recruitment plan's hires in post (salary and on-costs by title, recruitment.yaml),
  the county's own money, in every year from the first hire to the plan year.
- Still to secure = subsidy requested (construction + equipment) − subsidy granted (subsidy_granted.csv), per
  station, never below 0.
- Village service rooms and population schools (:mod:`fpplan.planning.rooms`): each work in its year, split by
  rooms.yaml's subsidy share; their subsidy is one row of the subsidy table (``village_rooms``: grants are recorded
  by station, so none is counted as granted for them).
- Per capita: each year's family-planning budget (budget.csv) and the plan's spending over that year's population
  (the projection from the base year on; before it, the base year's population taken back through the vital
  history, P(y) = P(y+1) − births(y) + deaths(y) − in-migrants(y) + out-migrants(y)).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

MONEY_COLUMNS = ["year", "category", "self_raised_wan_yuan", "subsidy_wan_yuan", "total_wan_yuan"]
CATEGORY_ORDER = {"construction": 0, "equipment": 1, "village_rooms": 2, "staff": 3, "training": 4}
ROOMS_ROW = "village_rooms"  # the subsidy table's row of the village rooms and schools
PER_CAPITA_COLUMNS = [
    "year",
    "population",
    "fp_budget_yuan",
    "budget_per_capita_yuan",
    "plan_spending_wan_yuan",
    "plan_spending_per_capita_yuan",
]


def construction_by_source(plan: pd.DataFrame, flows: pd.DataFrame) -> pd.DataFrame:
    """station, year, self_raised_wan_yuan, subsidy_wan_yuan: the cash flow in each station's own split."""
    totals = plan.groupby("station_code")[["cost_wan_yuan", "self_raised_wan_yuan"]].sum()
    share = (totals["self_raised_wan_yuan"] / totals["cost_wan_yuan"].where(totals["cost_wan_yuan"] > 0)).fillna(0.0)
    out = flows[["station", "year"]].copy()
    out["self_raised_wan_yuan"] = flows["amount_wan_yuan"] * flows["station"].map(share).fillna(0.0)
    out["subsidy_wan_yuan"] = flows["amount_wan_yuan"] - out["self_raised_wan_yuan"]
    return out


def money_by_source(
    plan: pd.DataFrame,
    flows: pd.DataFrame,
    equipment: pd.DataFrame | None = None,
    training: pd.DataFrame | None = None,
    rooms: pd.DataFrame | None = None,
    courses: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """year, category (construction, equipment, village_rooms, staff, training), self_raised_wan_yuan,
    subsidy_wan_yuan, total_wan_yuan.

    ``equipment``: purchase_year, self_raised_wan_yuan, subsidy_wan_yuan (:func:`fpplan.planning.equipment.purchases`);
    ``training``: year, training_wan_yuan and, when given, hires_wan_yuan (the yearly cost of the hires in post:
    :class:`fpplan.planning.recruitment.StaffPlan` ``costs``); ``rooms``: year, self_raised_wan_yuan,
    subsidy_wan_yuan (:func:`fpplan.planning.rooms.money`); ``courses``: year, cost_wan_yuan (the county station's
    courses for township staff, :func:`fpplan.planning.courses.county_station_courses`: training, self-raised)."""
    parts = [construction_by_source(plan, flows).assign(category="construction")]
    if equipment is not None and len(equipment):
        parts.append(equipment.rename(columns={"purchase_year": "year"}).assign(category="equipment"))
    if rooms is not None and len(rooms):
        parts.append(rooms.assign(category="village_rooms"))
    if courses is not None and len(courses):
        parts.append(
            pd.DataFrame(
                {
                    "year": courses["year"],
                    "self_raised_wan_yuan": courses["cost_wan_yuan"],
                    "subsidy_wan_yuan": 0.0,
                    "category": "training",
                }
            )
        )
    if training is not None and len(training):
        parts.append(
            pd.DataFrame(
                {
                    "year": training["year"],
                    "self_raised_wan_yuan": training["training_wan_yuan"],
                    "subsidy_wan_yuan": 0.0,
                    "category": "training",
                }
            )
        )
        if "hires_wan_yuan" in training:
            parts.append(
                pd.DataFrame(
                    {
                        "year": training["year"],
                        "self_raised_wan_yuan": training["hires_wan_yuan"],
                        "subsidy_wan_yuan": 0.0,
                        "category": "staff",
                    }
                )
            )
    money = pd.concat([p[["year", "category", "self_raised_wan_yuan", "subsidy_wan_yuan"]] for p in parts])
    money = money.groupby(["year", "category"], as_index=False, sort=True).sum()
    money = money[(money["self_raised_wan_yuan"] + money["subsidy_wan_yuan"]).abs() > 0]
    money["total_wan_yuan"] = money["self_raised_wan_yuan"] + money["subsidy_wan_yuan"]
    money["year"] = money["year"].astype(int)
    return money.sort_values(["year", "category"], key=lambda s: s.map(CATEGORY_ORDER) if s.name == "category" else s)[
        MONEY_COLUMNS
    ].reset_index(drop=True)


def subsidy_status(
    plan: pd.DataFrame, granted: pd.DataFrame, equipment: pd.DataFrame | None = None, rooms: pd.DataFrame | None = None
) -> pd.DataFrame:
    """station, subsidy_requested_wan_yuan (construction + equipment), granted_wan_yuan, still_to_secure_wan_yuan;
    with ``rooms`` (year, subsidy_wan_yuan, … of the village rooms and schools) a last row ``village_rooms``."""
    requested = plan.groupby("station_code")["subsidy_requested_wan_yuan"].sum()
    if equipment is not None and len(equipment):
        requested = requested.add(equipment.groupby("station")["subsidy_wan_yuan"].sum(), fill_value=0.0)
    got = granted.groupby("station_code")["amount_wan_yuan"].sum()
    stations = requested.index.union(got.index)
    if rooms is not None and len(rooms) and rooms["subsidy_wan_yuan"].sum() > 0:
        requested = pd.concat([requested, pd.Series({ROOMS_ROW: float(rooms["subsidy_wan_yuan"].sum())})])
        stations = stations.append(pd.Index([ROOMS_ROW]))
    out = pd.DataFrame(
        {
            "station": stations,
            "subsidy_requested_wan_yuan": requested.reindex(stations, fill_value=0.0).to_numpy(),
            "granted_wan_yuan": got.reindex(stations, fill_value=0.0).to_numpy(),
        }
    )
    out["still_to_secure_wan_yuan"] = (out["subsidy_requested_wan_yuan"] - out["granted_wan_yuan"]).clip(lower=0.0)
    return out


def still_to_secure(plan: pd.DataFrame, granted: pd.DataFrame, equipment: pd.DataFrame | None = None) -> float:
    """The county's subsidy still to secure (万元): requested − granted, station by station (the overview card)."""
    return float(subsidy_status(plan, granted, equipment)["still_to_secure_wan_yuan"].sum())


def per_capita(budget: pd.DataFrame, population: pd.Series, money: pd.DataFrame) -> pd.DataFrame:
    """year, population, fp_budget_yuan, budget_per_capita_yuan (yuan a head), plan_spending_wan_yuan,
    plan_spending_per_capita_yuan: each year over that year's population (:func:`fpplan.data.forward.county_population`), for every
    year with a budget or with plan spending; no budget or no population is "no data" (NaN), not 0."""
    spending = money.groupby("year")["total_wan_yuan"].sum() if len(money) else pd.Series(dtype=float)
    given = budget.set_index("year")["fp_budget_yuan"] if len(budget) else pd.Series(dtype=float)
    years = sorted({int(y) for y in given.index} | {int(y) for y in spending.index})
    out = pd.DataFrame({"year": years})
    out["population"] = out["year"].map(population)
    out["fp_budget_yuan"] = out["year"].map(given)
    out["budget_per_capita_yuan"] = out["fp_budget_yuan"] / out["population"].where(out["population"] > 0)
    out["plan_spending_wan_yuan"] = out["year"].map(spending)
    out["plan_spending_per_capita_yuan"] = (
        out["plan_spending_wan_yuan"] * 10_000 / out["population"].where(out["population"] > 0)
    )
    return out[PER_CAPITA_COLUMNS].astype({"population": float}).replace({np.inf: np.nan})
