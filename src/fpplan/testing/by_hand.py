"""Plan numbers recomputed by hand, row by row from the county's own tables, for the tests that check the engines
against them (no fpplan.planning code here)."""

from __future__ import annotations


def rooms_cost(county) -> dict[str, float]:
    """The village rooms' and schools' cost and its subsidy part, village by village: each inhabited village's latest
    status; none → build, below_standard → upgrade (a room merged with the clinic at the merged share)."""
    cfg = county.config["rooms"]
    latest: dict[str, dict] = {}
    for row in county.village_rooms.sort_values("year").to_dict("records"):
        latest[row["village_code"]] = row
    units = county.units
    inhabited = set(units.loc[units["level"] == "village", "code"])
    if "uninhabited" in units:
        inhabited -= set(units.loc[units["uninhabited"].map(lambda v: v is True or v == 1), "code"])
    cost = 0.0
    for code, row in latest.items():
        if code not in inhabited:
            continue
        for kind in ("room", "school"):
            status = row[kind]
            if status == "none":
                cost += cfg.costs[f"{kind}_build"].cost_wan_yuan
            elif status == "below_standard":
                merged = kind == "room" and str(row.get("merged_clinic")).lower() in ("true", "1")
                cost += cfg.costs[f"{kind}_upgrade"].cost_wan_yuan * (cfg.merged_clinic_share if merged else 1.0)
    return {"cost": cost, "subsidy": cost * cfg.subsidy_share}
