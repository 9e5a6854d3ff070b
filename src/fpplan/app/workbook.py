"""The plan as an XLSX workbook in the layout officials use: Chinese headers with units, a totals row, frozen
header row, print-ready column widths (A4 landscape, fit to width), enumerations shown as words."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from fpplan.data.labels import column_label, enum_label, label, ui

ENUM_COLUMNS = {"level": "station_level", "mode": "mode", "target_grade": "grade", "grade": "grade",
                "cadre": "specialty", "specialty": "specialty"}


def _present(frame: pd.DataFrame, totals: list[str]) -> pd.DataFrame:
    """Enumerations as words, booleans as 是/否, a totals row over ``totals``, headers with units."""
    out = frame.copy()
    for column, enum in ENUM_COLUMNS.items():
        if column in out:
            out[column] = out[column].map(lambda v, e=enum: enum_label(e, v) if isinstance(v, str) and v else v)
    for column in out.columns:
        if out[column].dtype == bool:
            out[column] = out[column].map(lambda v: enum_label("bool", str(v).lower()))
    if totals and len(out):
        total = {c: out[c].sum() for c in totals}
        total[out.columns[0]] = label("columns", "total")
        out = pd.concat([out, pd.DataFrame([total])], ignore_index=True)
    return out.rename(columns={c: column_label(c) for c in out.columns})


def sheets(plan) -> dict[str, tuple[pd.DataFrame, list[str]]]:
    """Sheet name → (table, columns to total)."""
    wisn = plan.wisn[["station", "cadre", "year", "workload_hours", "available_hours", "service_staff", "caf", "iaf",
                      "required", "existing", "difference", "ratio"]]
    volumes = plan.volumes.pivot_table(index=["station", "service", "cadre"], columns="year", values="volume").reset_index()
    volumes.columns = [str(c) for c in volumes.columns]
    return {
        ui("sheet_plan"): (plan.budget.drop(columns=["m2_per_wan_yuan"]).assign(m2_per_wan_yuan=plan.budget["m2_per_wan_yuan"]),
                           ["target_floor_area_m2", "cost_wan_yuan", "self_raised_wan_yuan", "subsidy_requested_wan_yuan",
                            "gap_closed_m2"]),
        ui("sheet_cash_flow"): (plan.cash_flow.pivot_table(index="station", columns="year", values="amount_wan_yuan",
                                                            aggfunc="sum", fill_value=0).reset_index().rename(columns=str),
                                [str(y) for y in sorted(plan.cash_flow["year"].unique())]),
        ui("sheet_capacity"): (plan.capacity, []),
        ui("sheet_shortfall"): (plan.shortfall, []),
        ui("sheet_wisn"): (wisn, ["required", "existing", "difference"]),
        ui("sheet_head_count"): (plan.head_count.drop(columns="source"), ["staff", "missing"]),
        ui("sheet_structure"): (plan.structure, []),
        ui("sheet_recruitment"): (plan.recruitment, ["hires"]),
        ui("sheet_volumes"): (volumes, [c for c in volumes.columns if c.isdigit()]),
    }


def spatial_sheets(results: dict[str, pd.DataFrame]) -> dict[str, tuple[pd.DataFrame, list[str]]]:
    """The map's tables (fpplan.spatial.spatial_results) as sheets: coverage by station and year, the county's
    coverage, villages beyond reach, mobile vehicles, suggested sites and the plan check."""
    places = results["places"].set_index("village_code")
    stations = results["station_places"].set_index("code")
    town = places.drop_duplicates("township_code").set_index("township_code")["township_name"]
    unit = "cost_km" if results["meta"]["unit"].iloc[0] == "km" else "cost_min"
    by_station = results["stations"].pivot_table(index=["station", "level", "villages_within"], columns="year",
                                                 values="women_within").reset_index().rename(columns=str)
    by_station.insert(1, "station_name", by_station["station"].map(stations["name"]))
    access = results["access"]
    beyond = access[access["access"] != "covered"].sort_values(["year", "township_code", "village_code"])
    beyond = beyond.assign(village_name=beyond["village_code"].map(places["name"]),
                           township_name=beyond["township_code"].map(town),
                           station_name=beyond["nearest_station"].map(stations["name"]),
                           access=beyond["access"].map(lambda v: enum_label("access", v))).rename(columns={"cost": unit})
    beyond = beyond[["year", "village_code", "village_name", "township_name", "station_name", unit, "access",
                     "women_15_49", "married_women_15_49", "migrant_women"]]
    rounds = results["rounds"].pivot_table(index="year", columns="round", values="vehicle_days").reset_index()
    vehicles = results["vehicles"].merge(rounds, on="year", how="left")
    sites = results["sites"].assign(township_name=lambda f: f["township_code"].map(town))
    sites = sites[["rank", "site", "site_name", "township_name", "lon", "lat", "year", "women_within", "gain_women"]]
    return {
        ui("sheet_spatial_county"): (results["county"], []),
        ui("sheet_spatial_coverage"): (by_station, []),
        ui("sheet_spatial_beyond"): (beyond, []),
        ui("sheet_spatial_vehicles"): (vehicles, []),
        ui("sheet_spatial_sites"): (sites, ["gain_women"]),
        ui("sheet_spatial_plan_check"): (results["plan_check"], []),
    }


def write_workbook(plan, path: str | Path, spatial: dict[str, pd.DataFrame] | None = None) -> Path:
    """Write every planning table to ``path`` (.xlsx) and return it; with ``spatial`` (spatial_results) the map's
    tables too."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with pd.ExcelWriter(path, engine="xlsxwriter") as writer:
        book = writer.book
        header = book.add_format({"bold": True, "text_wrap": True, "valign": "vcenter", "border": 1, "bg_color": "#DDEBF7"})
        number = book.add_format({"num_format": "#,##0.00"})
        for name, (table, totals) in (sheets(plan) | (spatial_sheets(spatial) if spatial else {})).items():
            frame = _present(table, totals)
            frame.to_excel(writer, sheet_name=name[:31], index=False)
            sheet = writer.sheets[name[:31]]
            for col, title in enumerate(frame.columns):
                sheet.write(0, col, title, header)
                values = [str(v) for v in frame[title].head(200)]
                width = max([len(str(title)) * 2] + [len(v) for v in values]) + 2
                is_number = pd.api.types.is_float_dtype(frame[title])
                sheet.set_column(col, col, min(max(width, 8), 40), number if is_number else None)
            sheet.freeze_panes(1, 0)
            sheet.set_landscape()
            sheet.set_paper(9)  # A4
            sheet.fit_to_pages(1, 0)
            sheet.repeat_rows(0)
    return path
