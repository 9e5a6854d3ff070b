"""From a red cell to its cause: what stands behind a township × indicator, in the stages of Tanahashi's coverage
framework (T. Tanahashi, "Health service coverage and its evaluation", Bull. WHO 56(2), 1978) that health planners
use: availability (staff and space: the stations' WISN staff gap and floor-area gap), accessibility (distance; the
spatial coverage once fpplan.spatial lands), acceptability, contact and effective coverage (the indicators the
catalogue names as ``related``, by their ``stage``), with the trend and the four-quarter forecast.

Pure: tables in (the scorecards of the period's kind, the plan's WISN and capacity tables, the county's facilities
and villages: :func:`causes_inputs`), tables out.
"""

from __future__ import annotations

import pandas as pd

STAGES = ("availability", "accessibility", "acceptability", "contact", "effective", "information")


def causes_inputs(county) -> dict[str, pd.DataFrame]:
    """The county's tables a cause analysis reads (small; precomputed with the results): facilities (code, name,
    level, township_code, serves) and villages (code, name, township_code, distance_km)."""
    return {"facilities": county.facilities[["code", "name", "level", "township_code", "serves"]].copy(),
            "villages": county.villages()[["code", "name", "township_code", "distance_km"]].copy()}


def stations_serving(facilities: pd.DataFrame, township: str) -> pd.DataFrame:
    """The stations that serve ``township``: those in it (its station, its village rooms, the county station in the
    county seat) and those whose ``serves`` lists it (central stations, mobile vehicles)."""
    serves = facilities["serves"].fillna("").astype(str).str.split(";")
    listed = serves.map(lambda codes: township in codes)
    return facilities[(facilities["township_code"] == township) | listed].reset_index(drop=True)


def availability(facilities: pd.DataFrame, township: str, year: int, wisn: pd.DataFrame | None,
                 capacity: pd.DataFrame | None) -> dict[str, pd.DataFrame]:
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
            ["station", "cadre", "year", "required", "existing", "gap", "ratio"]].sort_values("gap", ascending=False)
    if capacity is not None and len(capacity):
        c = capacity[capacity["station"].isin(stations)]
        y = min(max(year, int(c["year"].min())), int(c["year"].max())) if len(c) else year
        out["floor_area"] = c[c["year"] == y][["station", "year", "women_15_49", "floor_area_m2", "need_m2", "gap_m2"]]
    return {k: v.reset_index(drop=True) for k, v in out.items()}


def accessibility(villages: pd.DataFrame, township: str) -> pd.DataFrame:
    """Slot for fpplan.spatial: until it lands, each village's ``distance_km`` to its township station (units
    table), farthest first."""
    part = villages[villages["township_code"] == township]
    return part[["code", "name", "distance_km"]].sort_values("distance_km", ascending=False, na_position="last"
                                                                  ).reset_index(drop=True)


def causes(catalogue, inputs: dict[str, pd.DataFrame], unit: str, indicator: str, period: str, card: pd.DataFrame,
           wisn: pd.DataFrame | None = None, capacity: pd.DataFrame | None = None, trend: pd.DataFrame | None = None,
           forecast: pd.DataFrame | None = None) -> dict[str, pd.DataFrame]:
    """Everything that stands behind ``unit`` × ``indicator`` in ``period`` (``catalogue``: the indicators config;
    ``inputs``: :func:`causes_inputs`):

    - ``cell``: the cell itself (value, target, status, note);
    - ``availability_staff``, ``availability_floor_area``: WISN staff gap and floor-area gap of the stations serving
      the township (from the plan's ``wisn`` and ``capacity`` tables, if given);
    - ``accessibility``: villages' distance_km (the slot fpplan.spatial will fill);
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
    out["accessibility"] = accessibility(inputs["villages"], unit)
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
        columns = ["forecast_quarter", "forecast", "forecast_lower", "forecast_upper", "expected_met", "trend_per_quarter"]
        rows = forecast[(forecast["unit"] == unit) & (forecast["indicator"] == indicator)]
        out["forecast"] = rows.reindex(columns=columns).dropna(how="all").reset_index(drop=True)
    return out


def red_cells(card: pd.DataFrame, period: str) -> pd.DataFrame:
    """The red cells (unit, indicator, name, value, target) of ``period``."""
    red = card[(card["period"] == period) & (card["status"] == "red")]
    return red[["unit", "indicator", "name", "value", "target"]].reset_index(drop=True)

