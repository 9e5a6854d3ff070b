"""The plan's money by year and by source (自筹 / 上级补助), and the subsidy still to secure.

- Construction: each station's yearly cash flow (its disbursement schedule, else the cost spread evenly over the
  project's years, :func:`fpplan.planning.facilities.cash_flow`) split in the station's own proportion of
  self-raised to subsidy (Σ over its projects): the years add up to the 建设项目规划表's 自筹 and 争取上级补助.
- Equipment: purchases in their year, split by the equipment config's self-raised share.
- Training of staff in post: the county's own money (self-raised), in the training year.
- Still to secure = subsidy requested (construction + equipment) − subsidy granted (subsidy_granted.csv), per
  station, never below 0.
"""

from __future__ import annotations

import pandas as pd

MONEY_COLUMNS = ["year", "category", "self_raised_wan_yuan", "subsidy_wan_yuan", "total_wan_yuan"]


def construction_by_source(plan: pd.DataFrame, flows: pd.DataFrame) -> pd.DataFrame:
    """station, year, self_raised_wan_yuan, subsidy_wan_yuan: the cash flow in each station's own split."""
    totals = plan.groupby("station_code")[["cost_wan_yuan", "self_raised_wan_yuan"]].sum()
    share = (totals["self_raised_wan_yuan"] / totals["cost_wan_yuan"].where(totals["cost_wan_yuan"] > 0)).fillna(0.0)
    out = flows[["station", "year"]].copy()
    out["self_raised_wan_yuan"] = flows["amount_wan_yuan"] * flows["station"].map(share).fillna(0.0)
    out["subsidy_wan_yuan"] = flows["amount_wan_yuan"] - out["self_raised_wan_yuan"]
    return out


def money_by_source(plan: pd.DataFrame, flows: pd.DataFrame, equipment: pd.DataFrame | None = None,
                    training: pd.DataFrame | None = None) -> pd.DataFrame:
    """year, category (construction, equipment, training), self_raised_wan_yuan, subsidy_wan_yuan, total_wan_yuan.

    ``equipment``: purchase_year, self_raised_wan_yuan, subsidy_wan_yuan (:func:`fpplan.planning.equipment.purchases`);
    ``training``: year, training_wan_yuan."""
    parts = [construction_by_source(plan, flows).assign(category="construction")]
    if equipment is not None and len(equipment):
        parts.append(equipment.rename(columns={"purchase_year": "year"}).assign(category="equipment"))
    if training is not None and len(training):
        parts.append(pd.DataFrame({"year": training["year"], "self_raised_wan_yuan": training["training_wan_yuan"],
                                   "subsidy_wan_yuan": 0.0, "category": "training"}))
    money = pd.concat([p[["year", "category", "self_raised_wan_yuan", "subsidy_wan_yuan"]] for p in parts])
    money = money.groupby(["year", "category"], as_index=False, sort=True).sum()
    money = money[(money["self_raised_wan_yuan"] + money["subsidy_wan_yuan"]).abs() > 0]
    money["total_wan_yuan"] = money["self_raised_wan_yuan"] + money["subsidy_wan_yuan"]
    money["year"] = money["year"].astype(int)
    order = {"construction": 0, "equipment": 1, "training": 2}
    return money.sort_values(["year", "category"], key=lambda s: s.map(order) if s.name == "category" else s)[
        MONEY_COLUMNS].reset_index(drop=True)


def subsidy_status(plan: pd.DataFrame, granted: pd.DataFrame, equipment: pd.DataFrame | None = None) -> pd.DataFrame:
    """station, subsidy_requested_wan_yuan (construction + equipment), granted_wan_yuan, still_to_secure_wan_yuan."""
    requested = plan.groupby("station_code")["subsidy_requested_wan_yuan"].sum()
    if equipment is not None and len(equipment):
        requested = requested.add(equipment.groupby("station")["subsidy_wan_yuan"].sum(), fill_value=0.0)
    got = granted.groupby("station_code")["amount_wan_yuan"].sum()
    stations = requested.index.union(got.index)
    out = pd.DataFrame({"station": stations,
                        "subsidy_requested_wan_yuan": requested.reindex(stations, fill_value=0.0).to_numpy(),
                        "granted_wan_yuan": got.reindex(stations, fill_value=0.0).to_numpy()})
    out["still_to_secure_wan_yuan"] = (out["subsidy_requested_wan_yuan"] - out["granted_wan_yuan"]).clip(lower=0.0)
    return out


def still_to_secure(plan: pd.DataFrame, granted: pd.DataFrame, equipment: pd.DataFrame | None = None) -> float:
    """The county's subsidy still to secure (万元): requested − granted, station by station (the overview card)."""
    return float(subsidy_status(plan, granted, equipment)["still_to_secure_wan_yuan"].sum())
