"""Coverage for a county without coordinates, from each village's distance to its township seat.

The units table's ``distance_km`` is each village's road distance to its township seat, where the township's
station stands. A village is *within reach* of a station of its own township when that distance is at most the
station level's radius (spatial.yaml ``reach``, road km); the distance to any other station is unknown, so it is
not counted (coverage may be understated where a neighbouring station is nearer). A village without a distance is
*unknown*. The rest is :func:`fpplan.spatial.coverage.coverage` and ``mobile_rounds`` as with coordinates: the
mobile rounds' round trip is twice the distance at the vehicle's speed.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from fpplan.spatial import coverage as cov


def seat_results(county, people: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Tables as :func:`fpplan.spatial.spatial_results` names them, from distances to the township seat: meta
    (method ``seat``, unit km, years), places (village_code, township_code, name, township_name, distance_km, known),
    station_places, access, stations, townships, county, rounds, vehicles. ``people``: the women of every village
    and year (``fpplan.planning.demand.village_people``)."""
    cfg = county.config["spatial"]
    units = county.units.set_index("code")
    places = county.places().rename(columns={"code": "village_code"})
    places["name"] = places["village_code"].map(units["name"])
    places["township_name"] = places["township_code"].map(units["name"])
    places["known"] = places["distance_km"].notna().to_numpy()
    fac = county.facilities
    stations = fac[fac["level"].isin(list(cfg.reach)) & fac["township_code"].notna()].reset_index(drop=True)
    stations = stations.assign(
        threshold=stations["level"].map({k: r.radius_km for k, r in cfg.reach.items()}).astype(float)
    )
    stations["standard_year"] = cov.standard_year(stations, county.construction_plan, cfg.standard_grade).to_numpy()
    same = places["township_code"].to_numpy(object)[:, None] == stations["township_code"].to_numpy(object)[None, :]
    cost = np.where(same, places["distance_km"].to_numpy(float)[:, None], np.nan)
    tables = cov.coverage(places, stations, cost, people)
    access = tables["access"].merge(
        people[["village_code", "year", "migrant_women"]], on=["village_code", "year"], how="left"
    )
    tables["access"] = access
    years = np.sort(people["year"].unique())
    beyond = access[access["access"] == "beyond"]
    distance = beyond["village_code"].map(places.set_index("village_code")["distance_km"]).to_numpy(float)
    rounds, vehicles = cov.mobile_rounds(
        beyond.assign(travel_hours=2 * distance / cfg.mobile.speed_kmh.value), cfg.mobile, years
    )
    vehicles["vehicles_existing"] = int((fac["level"] == "mobile_vehicle").sum())
    meta = pd.DataFrame([{"method": "seat", "unit": "km", "year": int(years[-1]), "base_year": int(years[0])}])
    station_places = stations[
        ["code", "name", "level", "township_code", "grade", "floor_area_m2", "threshold", "standard_year"]
    ]
    return {
        "meta": meta,
        "places": places,
        "station_places": station_places,
        **tables,
        "rounds": rounds,
        "vehicles": vehicles,
    }
