"""From a red cell to its cause: what stands behind a township × indicator, in the stages of Tanahashi's coverage
framework (T. Tanahashi, "Health service coverage and its evaluation", Bull. WHO 56(2), 1978) that health planners
use: availability (staff and space: the stations' WISN staff gap and floor-area gap), accessibility (fpplan.spatial's
coverage: the township's women 15–49 within reach of an open station — travel time over the roads, or distance —
and its villages beyond reach), acceptability, contact and effective coverage (the indicators the catalogue names as
``related``, by their ``stage``), with the trend and the four-quarter forecast.

Pure: tables in (the scorecards of the period's kind, the plan's WISN and capacity tables, the spatial results
computed once with them, the county's facilities and villages: :func:`causes_inputs`), tables out.
"""

from __future__ import annotations

import pandas as pd

STAGES = ("availability", "accessibility", "acceptability", "contact", "effective", "information")


def causes_inputs(county) -> dict[str, pd.DataFrame]:
    """The county's tables a cause analysis reads (small; precomputed with the results): facilities (code, name,
    level, township_code, serves) and villages (code, name, township_code, distance_km)."""
    return {
        "facilities": county.facilities[["code", "name", "level", "township_code", "serves"]].copy(),
        "villages": county.villages()[["code", "name", "township_code", "distance_km"]].copy(),
    }


def stations_serving(facilities: pd.DataFrame, township: str) -> pd.DataFrame:
    """The stations that serve ``township``: those in it (its station, its village rooms, the county station in the
    county seat) and those whose ``serves`` lists it (central stations, mobile vehicles)."""
    serves = facilities["serves"].fillna("").astype(str).str.split(";")
    listed = serves.map(lambda codes: township in codes)
    return facilities[(facilities["township_code"] == township) | listed].reset_index(drop=True)


def availability(
    facilities: pd.DataFrame, township: str, year: int, wisn: pd.DataFrame | None, capacity: pd.DataFrame | None
) -> dict[str, pd.DataFrame]:
    """The staff gap (WISN: required − existing, by station and cadre, > 0 is a shortage) and the floor-area gap
    (need − floor area, > 0 a shortfall) of the stations serving ``township`` in ``year`` (the nearest year the
    plan covers)."""
    stations = stations_serving(facilities, township)["code"]
    out = {}
    if wisn is not None and len(wisn):
        w = wisn[wisn["station"].isin(stations)]
        y = min(max(year, int(w["year"].min())), int(w["year"].max())) if len(w) else year
        w = w[w["year"] == y]
        out["staff"] = w.assign(gap=w["required"] - w["existing"])[
            ["station", "cadre", "year", "required", "existing", "gap", "ratio"]
        ].sort_values("gap", ascending=False)
    if capacity is not None and len(capacity):
        c = capacity[capacity["station"].isin(stations)]
        y = min(max(year, int(c["year"].min())), int(c["year"].max())) if len(c) else year
        out["floor_area"] = c[c["year"] == y][["station", "year", "women_15_49", "floor_area_m2", "need_m2", "gap_m2"]]
    return {k: v.reset_index(drop=True) for k, v in out.items()}


SPATIAL_TABLES = ("townships", "access", "places", "station_places", "meta")


def accessibility(
    villages: pd.DataFrame, township: str, year: int | None = None, spatial: dict[str, pd.DataFrame] | None = None
) -> dict[str, pd.DataFrame]:
    """The accessibility stage of ``township`` in ``year`` (the nearest year the spatial results cover).

    With ``spatial`` (fpplan.spatial.spatial_results' tables ``townships``, ``access``, ``places``,
    ``station_places``, ``meta``, as the results store them): ``accessibility`` — one row: women 15–49, those within
    reach of an open station (travel time over the roads, or distance: ``meta``), the share covered, those beyond,
    villages beyond reach; ``accessibility_villages`` — the villages beyond reach (name, nearest station's name,
    travel time or distance, women 15–49, married women 15–49), farthest first. Without it (a county without
    coordinates): ``accessibility_villages`` — each village's distance_km to its township station (units table),
    farthest first."""
    if not spatial or any(spatial.get(k) is None or spatial[k].empty for k in ("townships", "access")):
        part = villages[villages["township_code"] == township]
        far = part[["name", "distance_km"]].rename(columns={"name": "village_name"})
        return {
            "accessibility_villages": far.sort_values("distance_km", ascending=False, na_position="last").reset_index(
                drop=True
            )
        }
    towns = spatial["townships"]
    years = towns["year"].astype(int)
    y = int(min(max(year if year is not None else years.min(), years.min()), years.max()))
    row = towns[(towns["township_code"] == township) & (years == y)]
    access = spatial["access"]
    villages_in = int(access.loc[access["township_code"] == township, "village_code"].nunique())
    summary = row.assign(villages_total=villages_in, share_covered_pct=row["share_covered"] * 100)[
        [
            "year",
            "women_15_49",
            "women_covered",
            "share_covered_pct",
            "women_beyond",
            "villages_total",
            "villages_beyond",
        ]
    ]
    beyond = access[
        (access["township_code"] == township) & (access["year"].astype(int) == y) & (access["access"] == "beyond")
    ]
    unit = (
        "cost_min"
        if spatial.get("meta") is not None and len(spatial["meta"]) and spatial["meta"]["unit"].iloc[0] == "min"
        else "cost_km"
    )
    places = spatial["places"].set_index("village_code")["name"] if "places" in spatial else pd.Series(dtype=object)
    stations = (
        spatial["station_places"].set_index("code")["name"] if "station_places" in spatial else pd.Series(dtype=object)
    )
    far = pd.DataFrame(
        {
            "village_name": beyond["village_code"].map(places).to_numpy(),
            "station_name": beyond["nearest_station"].map(stations).to_numpy(),
            unit: beyond["cost"].to_numpy(float),
            "women_15_49": beyond["women_15_49"].to_numpy(float),
            "married_women_15_49": beyond["married_women_15_49"].to_numpy(float),
        }
    )
    return {
        "accessibility": summary.reset_index(drop=True),
        "accessibility_villages": far.sort_values(unit, ascending=False).reset_index(drop=True),
    }


def causes(
    catalogue,
    inputs: dict[str, pd.DataFrame],
    unit: str,
    indicator: str,
    period: str,
    card: pd.DataFrame,
    wisn: pd.DataFrame | None = None,
    capacity: pd.DataFrame | None = None,
    trend: pd.DataFrame | None = None,
    forecast: pd.DataFrame | None = None,
    spatial: dict[str, pd.DataFrame] | None = None,
) -> dict[str, pd.DataFrame]:
    """Everything that stands behind ``unit`` × ``indicator`` in ``period`` (``catalogue``: the indicators config;
    ``inputs``: :func:`causes_inputs`):

    - ``cell``: the cell itself (value, target, status, note);
    - ``availability_staff``, ``availability_floor_area``: WISN staff gap and floor-area gap of the stations serving
      the township (from the plan's ``wisn`` and ``capacity`` tables, if given);
    - ``accessibility``, ``accessibility_villages``: the township's coverage and its villages beyond reach from the
      spatial results (``spatial``: :data:`SPATIAL_TABLES`; without them, the villages' distance_km);
    - ``acceptability``, ``contact``, ``effective``: the indicator and its related indicators for the unit and period,
      by Tanahashi stage, with value, target and status (from ``card``, the scorecards of the period's kind);
    - ``trend``: the indicator's series for the unit (``trend``: a rolling-year series, else the period kind's);
    - ``forecast``: the four-quarter forecast row (``forecast``: scorecard.forecasts), if given."""
    ind = catalogue.indicators[indicator]
    here = card[(card["unit"] == unit) & (card["period"] == period)]
    out: dict[str, pd.DataFrame] = {"cell": here[here["indicator"] == indicator].reset_index(drop=True)}
    year = int(period[:4])
    for key, table in availability(inputs["facilities"], unit, year, wisn, capacity).items():
        out[f"availability_{key}"] = table
    out |= accessibility(inputs["villages"], unit, year, spatial)
    related = [indicator, *ind.related]
    chosen = here[here["indicator"].isin(related)]
    stage = chosen["indicator"].map({c: catalogue.indicators[c].stage for c in related})
    columns = ["indicator", "name", "value", "unit_label", "target", "status", "note"]
    for name in ("acceptability", "contact", "effective", "availability", "information"):
        part = chosen[stage == name]
        if len(part) or name in ("contact", "effective"):
            key = name if name not in ("availability", "information") else f"{name}_indicators"
            out[key] = part.reindex(columns=columns).reset_index(drop=True)
    if trend is not None and len(trend):
        series = trend[(trend["unit"] == unit) & (trend["indicator"] == indicator)]
    else:
        series = card[(card["unit"] == unit) & (card["indicator"] == indicator)]
        series = series[series["period"] <= period]
    out["trend"] = series[["period", "value"]].sort_values("period").reset_index(drop=True)
    if forecast is not None and len(forecast):
        columns = [
            "forecast_quarter",
            "forecast",
            "forecast_lower",
            "forecast_upper",
            "expected_met",
            "trend_per_quarter",
        ]
        rows = forecast[(forecast["unit"] == unit) & (forecast["indicator"] == indicator)].reindex(columns=columns)
        rows = rows[rows[["forecast", "forecast_lower", "forecast_upper"]].notna().any(axis=1)]  # no empty rows
        out["forecast"] = rows.reset_index(drop=True)
    return out


def red_cells(card: pd.DataFrame, period: str) -> pd.DataFrame:
    """The red cells (unit, indicator, name, value, target) of ``period``."""
    red = card[(card["period"] == period) & (card["status"] == "red")]
    return red[["unit", "indicator", "name", "value", "target"]].reset_index(drop=True)
