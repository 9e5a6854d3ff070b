"""Medical equipment (医疗设备) against the 甲级 standard by station level (config/equipment.yaml): the gap per
station at the plan year, its cost, and when it is bought.

- Standard quantity of an item at a station = per_station + ⌈per_village × villages of the station's township⌉
  (village medical kits: one per village, seed 003).
- Usable at the plan year: items whose year_acquired + service life > plan year (no year or no life given:
  usable). Gap = max(0, standard − usable); cost = gap × unit price (万元).
- Bought (by public tender, seed 000 §三(二)2) in the completion year of the station's last construction project
  (it equips the new building), else (or when that year is past) in the plan's first year; paid self_raised_share
  by the county, the rest sought as subsidy.
- A county without an equipment file has not reported what it holds: no gap, no purchase (``not_reported``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from fpplan.data.models.planning import EquipmentConfig

GAP_COLUMNS = [
    "station",
    "level",
    "item",
    "standard_quantity",
    "quantity",
    "usable_quantity",
    "gap_quantity",
    "unit_price_wan_yuan",
    "cost_wan_yuan",
]


def standard_table(facilities: pd.DataFrame, villages_per_township: pd.Series, config: EquipmentConfig) -> pd.DataFrame:
    """station, level, item, standard_quantity: what each station must hold (levels the standard names)."""
    rows = [
        (level, item, config.quantity(level, item))
        for level, items in config.standard_by_level.items()
        for item in items
    ]
    spec = pd.DataFrame(
        [(lvl, item, q.per_station, q.per_village) for lvl, item, q in rows],
        columns=["level", "item", "per_station", "per_village"],
    )
    fac = facilities[["code", "level", "township_code"]].rename(columns={"code": "station"})
    out = fac.merge(spec, on="level")
    villages = out["township_code"].map(villages_per_township).fillna(0).to_numpy(float)
    out["standard_quantity"] = (out["per_station"] + np.ceil(out["per_village"] * villages - 1e-9)).astype(int)
    out = out[out["standard_quantity"] > 0]
    return (
        out[["station", "level", "item", "standard_quantity"]].sort_values(["station", "item"]).reset_index(drop=True)
    )


def usable(inventory: pd.DataFrame, config: EquipmentConfig, plan_year: int) -> pd.Series:
    """Quantity of each (station_code, item) still in service in the plan year."""
    life = inventory["item"].map({k: v.service_life_years for k, v in config.items.items()})
    expired = inventory["year_acquired"].notna() & life.notna() & (inventory["year_acquired"] + life <= plan_year)
    kept = inventory[~expired.to_numpy(bool)]
    return kept.groupby(["station_code", "item"])["quantity"].sum()


def gap_table(standard: pd.DataFrame, inventory: pd.DataFrame, config: EquipmentConfig, plan_year: int) -> pd.DataFrame:
    """Per station and item: standard, held, usable at the plan year, gap and its cost (万元)."""
    key = pd.MultiIndex.from_frame(standard[["station", "item"]])
    held = inventory.groupby(["station_code", "item"])["quantity"].sum()
    out = standard.copy()
    out["quantity"] = held.reindex(key).fillna(0).astype(int).to_numpy()
    out["usable_quantity"] = usable(inventory, config, plan_year).reindex(key).fillna(0).astype(int).to_numpy()
    out["gap_quantity"] = np.maximum(out["standard_quantity"] - out["usable_quantity"], 0)
    out["unit_price_wan_yuan"] = out["item"].map({k: v.unit_price_wan_yuan for k, v in config.items.items()})
    out["cost_wan_yuan"] = out["gap_quantity"] * out["unit_price_wan_yuan"]
    return out[GAP_COLUMNS]


def not_reported() -> pd.DataFrame:
    """The gap table of a county that did not report its equipment (no equipment file): no rows. What it holds is
    unknown, so no gap and no purchase are invented; the plan says equipment was not reported."""
    return pd.DataFrame(
        {c: pd.Series(dtype=object if c in ("station", "level", "item") else float) for c in GAP_COLUMNS}
    )


def purchases(gap: pd.DataFrame, plan: pd.DataFrame, first_year: int, config: EquipmentConfig) -> pd.DataFrame:
    """station, item, purchase_year, gap_quantity, cost_wan_yuan, self_raised_wan_yuan, subsidy_wan_yuan for every
    item with a gap; never before ``first_year`` (a project completed before the plan starts equips nothing then)."""
    buy = gap[gap["gap_quantity"] > 0].copy()
    last = plan.groupby("station_code")["completion_year"].max()
    buy["purchase_year"] = buy["station"].map(last).fillna(first_year).clip(lower=first_year).astype(int)
    buy["self_raised_wan_yuan"] = buy["cost_wan_yuan"] * config.self_raised_share
    buy["subsidy_wan_yuan"] = buy["cost_wan_yuan"] - buy["self_raised_wan_yuan"]
    columns = [
        "station",
        "item",
        "purchase_year",
        "gap_quantity",
        "cost_wan_yuan",
        "self_raised_wan_yuan",
        "subsidy_wan_yuan",
    ]
    return buy[columns].sort_values(["purchase_year", "station", "item"]).reset_index(drop=True)
