"""Everything the map dashboard and the workbook show, from a County in one call: ``spatial_results``; many
settings of one county (the map's slider steps): ``setting_results`` of one ``SpatialBase`` (fpplan.spatial.base:
the projection, metric, places, stations, cost matrix and outlines, made once) for each setting.

Village people by year: each village's base-year share of its township's women 15–49 (and married women 15–49)
× the township's projection (fpplan.planning.demand.village_bases and projected_bases). Migrant women: the
village's mean monthly ``migrant_women`` over the last 12 months of reports as a share of its married women,
else spatial.yaml's ``mobile.migrant_share``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from fpplan.spatial import coverage as cov
from fpplan.spatial.base import SpatialBase, county_projection, metric_for, vertices
from fpplan.spatial.siting import choose_sites

__all__ = ["SpatialBase", "county_projection", "metric_for", "setting_results", "spatial_results"]


def spatial_results(
    county, people: pd.DataFrame, threshold: float | None = None, new_sites: int | None = None, year: int | None = None
) -> dict[str, pd.DataFrame]:
    """Coverage, villages beyond reach, mobile vehicles, suggested sites, the plan check and the map's geometry.

    ``threshold``: one radius (km) or travel time (min) for every station instead of spatial.yaml's per-level
    reach; ``new_sites``: how many new stations to site (default spatial.yaml ``siting.new_sites``); ``year``: the
    year the sites and the plan check use (default the last of ``people``); ``people``: the women of every village and
    year (``fpplan.planning.demand.village_people`` of a projection: village_code, township_code, year,
    women_15_49, married_women_15_49, migrant_women). Tables (all sorted): meta, places, station_places, access, stations,
    townships, county, rounds, vehicles, sites, plan_check, boundaries, roads, catchments.

    Many settings of one county and people: ``setting_results(SpatialBase(county, people), ...)`` for each, the
    same tables for a fraction of the work."""
    return setting_results(SpatialBase(county, people), threshold, new_sites, year)


def setting_results(
    base: SpatialBase, threshold: float | None = None, new_sites: int | None = None, year: int | None = None
) -> dict[str, pd.DataFrame]:
    """``spatial_results`` of the base's county and people for one setting (the same arguments), from what
    ``base`` computed once."""
    cfg = base.config
    metric, people, years = base.metric, base.people, base.years
    stations = base.stations if threshold is None else base.stations.assign(threshold=float(threshold))
    year = int(year if year is not None else years[-1])
    tables = cov.coverage(base.places, stations, base.station_cost(), people)
    access = tables["access"].merge(
        people[["village_code", "year", "migrant_women"]], on=["village_code", "year"], how="left"
    )
    tables["access"] = access
    rounds, vehicles = _vehicles(base, access, stations)
    vehicles["vehicles_existing"] = int((base.county.facilities["level"] == "mobile_vehicle").sum())
    new_sites = cfg.siting.new_sites if new_sites is None else int(new_sites)
    new_threshold = (
        threshold
        if threshold is not None
        else (
            cfg.reach[cfg.siting.new_level].radius_km
            if metric.unit == "km"
            else cfg.reach[cfg.siting.new_level].minutes
        )
    )
    sites, plan_check = _siting(base, stations, threshold, year, new_sites, float(new_threshold))
    meta = pd.DataFrame(
        [
            {
                "method": metric.method,
                "unit": metric.unit,
                "year": year,
                "new_sites": new_sites,
                "new_sites_gain": float(sites.attrs["total_gain"]),
                "threshold": threshold,
                "new_threshold": float(new_threshold),
                "detour_factor": metric.detour_factor,
                "base_year": int(years[0]),
            }
        ]
    )
    catchments = vertices(
        "station", stations["code"], [base.catchment(i, t) for i, t in enumerate(stations["threshold"])]
    )
    station_places = stations[
        [
            "code",
            "name",
            "level",
            "township_code",
            "grade",
            "floor_area_m2",
            "lon",
            "lat",
            "x_km",
            "y_km",
            "threshold",
            "standard_year",
            "staff",
        ]
    ]
    return {
        "meta": meta,
        "places": base.places.copy(),
        "station_places": station_places,
        **tables,
        "rounds": rounds,
        "vehicles": vehicles,
        "sites": sites,
        "plan_check": plan_check,
        "boundaries": base.boundaries.copy(),
        "roads": base.roads.copy(),
        "catchments": catchments,
    }


def _vehicles(base: SpatialBase, access: pd.DataFrame, stations: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Rounds and vehicles for the villages beyond reach; travel from the nearest vehicle base (the station of a
    mobile vehicle's township; every station when the county lists no vehicle)."""
    cfg = base.config
    fac = base.county.facilities
    base_townships = fac.loc[fac["level"] == "mobile_vehicle", "township_code"].dropna().unique()
    bases = np.flatnonzero(stations["township_code"].isin(base_townships))
    bases = bases if len(bases) else np.arange(len(stations))
    beyond = access[access["access"] == "beyond"]
    codes = beyond["village_code"].unique()
    rows = pd.Index(base.places["village_code"]).get_indexer(codes)
    one_way = base.cost[np.ix_(rows, bases)].min(axis=1) if len(codes) else np.array([])
    hours = 2 * (one_way / 60.0 if base.metric.unit == "min" else one_way / cfg.mobile.speed_kmh.value)
    beyond = beyond.assign(travel_hours=beyond["village_code"].map(dict(zip(codes, hours))))
    return cov.mobile_rounds(beyond, cfg.mobile, base.years)


def _siting(base: SpatialBase, stations, threshold, year: int, new_sites: int, new_threshold: float):
    """Suggested new sites (maximal covering of women 15–49 in ``year``, every open station kept) and the plan
    check (women covered by the construction plan's stations against the best as many sites)."""
    places, people = base.places, base.people
    known_rows = np.flatnonzero(places["known"].to_numpy(bool))
    known = places[places["known"]].reset_index(drop=True)
    weight = people[people["year"] == year].set_index("village_code")["women_15_49"]
    demand = pd.DataFrame(
        {
            "id": known["village_code"],
            "x_km": known["x_km"],
            "y_km": known["y_km"],
            "weight": known["village_code"].map(weight).fillna(0.0).to_numpy(),
        }
    )
    is_open = (stations["opening_year"] <= year).to_numpy(bool)
    open_now = stations[is_open]
    candidates = pd.concat(
        [
            pd.DataFrame(
                {
                    "id": open_now["code"],
                    "x_km": open_now["x_km"],
                    "y_km": open_now["y_km"],
                    "threshold": open_now["threshold"],
                }
            ),
            pd.DataFrame(
                {"id": known["village_code"], "x_km": known["x_km"], "y_km": known["y_km"], "threshold": new_threshold}
            ),
        ],
        ignore_index=True,
    )
    columns = np.concatenate([np.flatnonzero(is_open), len(stations) + known_rows])  # of base.cost
    cost = base.cost[np.ix_(known_rows, columns)] / candidates["threshold"].to_numpy(float)[None, :]
    cost = np.nan_to_num(cost, nan=1e6)  # unreachable by road
    before = choose_sites(demand, candidates, 0, "coverage", radius_km=1.0, existing=open_now["code"], cost=cost)
    best = choose_sites(demand, candidates, new_sites, "coverage", radius_km=1.0, existing=open_now["code"], cost=cost)
    ids = pd.Index(candidates["id"])
    within = cost <= 1.0
    covered_before = within[:, ids.get_indexer(open_now["code"])].any(axis=1)
    names = places.set_index("village_code")
    rows = []
    for rank, site in enumerate(best.chosen, start=1):
        col = ids.get_loc(site)
        rows.append(
            {
                "rank": rank,
                "site": site,
                "site_name": names.loc[site, "name"] if "name" in names else site,
                "township_code": names.loc[site, "township_code"],
                "lon": names.loc[site, "lon"],
                "lat": names.loc[site, "lat"],
                "x_km": names.loc[site, "x_km"],
                "y_km": names.loc[site, "y_km"],
                "year": year,
                "threshold": new_threshold,
                "women_within": float(demand["weight"][within[:, col]].sum()),
                "gain_women": float(demand["weight"][within[:, col] & ~covered_before].sum()),
            }
        )
    sites = pd.DataFrame(
        rows,
        columns=[
            "rank",
            "site",
            "site_name",
            "township_code",
            "lon",
            "lat",
            "x_km",
            "y_km",
            "year",
            "threshold",
            "women_within",
            "gain_women",
        ],
    )
    sites.attrs["total_gain"] = best.objective - before.objective  # women newly covered by all new sites together
    planned = [s for s in base.county.construction_plan["station_code"].unique() if s in set(stations["code"])]
    plan_cols = ids.get_indexer(planned)
    plan_covered = float(demand["weight"][within[:, plan_cols].any(axis=1)].sum()) if planned else 0.0
    k = len(planned)
    key = ("optimum", threshold, year)  # the same for every number of new sites
    if key not in base.memo:
        base.memo[key] = choose_sites(demand, candidates, k, "coverage", radius_km=1.0, cost=cost) if k else None
    optimum = base.memo[key]
    plan_check = pd.DataFrame(
        [
            {
                "year": year,
                "stations": k,
                "plan_covered": plan_covered,
                "best_covered": optimum.objective if optimum else 0.0,
                "plan_efficiency": plan_covered / optimum.objective if optimum and optimum.objective > 0 else np.nan,
                "women_15_49": float(demand["weight"].sum()),
                "best_sites": ";".join(optimum.chosen) if optimum else "",
                "plan_sites": ";".join(planned),
            }
        ]
    )
    return sites, plan_check
