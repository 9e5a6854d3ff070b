"""The plan as an XLSX workbook in the layout officials use: the 建设项目规划表 first (title row, one row per project
with station names, levels, current and standard areas, units in the headers, a totals row, notes), then money
by year and source, equipment, head counts by year, the structure rules after hiring, the recruitment and
training plans, the projection's growth rates and the working tables. Every sheet is print-ready (A4 landscape,
fit to width, header rows repeated); enumerations are words; years and whole numbers are shown as such."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from fpplan.app.tables import CODE_COLUMNS, ENUM_COLUMNS, YEAR_COLUMNS
from fpplan.app.tables import header as _header
from fpplan.data.labels import enum_label, label, language, ui
from fpplan.planning.officials import officials_tables

# sheets whose year columns (a table pivoted by year) hold one unit: the label unit that fixes their decimals
YEAR_COLUMN_UNITS = {"sheet_cash_flow": "万元", "sheet_volumes": "人次", "sheet_spatial_coverage": "人"}


def present(
    frame: pd.DataFrame, totals: list[str], names: dict | None = None, year_unit: str | None = None
) -> pd.DataFrame:
    """The table as an official reads it, column for column: codes of stations, townships and villages as their
    names (``names``), enumerations as words, booleans as 是/否, sources as document titles, numbers rounded to their
    column's decimals (config/report.yaml: persons whole, 万元 to 0.01, …; ``year_unit``: the unit of columns named
    by a year) and whole numbers as integers, blanks for missing values; a totals row over ``totals`` (the sum of the
    numbers as shown); headers with units. ``attrs["formats"]``: header → Excel number format of each numeric
    column (years as 2029, whole numbers as 1,234, others to their decimals)."""
    from fpplan.app.tables import column_decimals
    from fpplan.data.documents import official_source

    names = names or {}
    out = frame.copy()
    decimals: dict[str, int] = {}
    formats: dict[str, str] = {}
    if {"kind", "value", "threshold"} <= set(out.columns):  # structure rules: a share in %, a count in persons
        out = _rule_values(out)
    for column in list(out.columns):
        code, values = str(column), out[column]
        if code in CODE_COLUMNS:
            out[column] = values.map(lambda v: names.get(str(v), v) if isinstance(v, str) and v else None)
        elif code in ENUM_COLUMNS and not pd.api.types.is_numeric_dtype(values):
            out[column] = values.map(
                lambda v, e=ENUM_COLUMNS[code]: enum_label(e, v) if isinstance(v, str) and v else None
            )
        elif code == "source":
            out[column] = values.map(lambda v: official_source(v) if isinstance(v, str) else None)
        elif pd.api.types.is_bool_dtype(values) or _booleans(values):
            out[column] = values.map(
                lambda v: enum_label("bool", str(bool(v)).lower()) if isinstance(v, (bool, np.bool_)) else None
            )
        elif pd.api.types.is_numeric_dtype(values):
            if code in YEAR_COLUMNS or code.endswith("_year"):
                digits, formats[code] = 0, "0"
            elif code.isdigit() and len(code) == 4 and year_unit is not None:
                digits = _unit_decimals(year_unit)
            else:
                digits = column_decimals(code, values)
            out[column] = _rounded(values, digits)
            decimals[code] = digits
        else:
            out[column] = values.map(lambda v: None if v is None or (isinstance(v, float) and np.isnan(v)) else v)
    if totals and len(out):
        total = {
            c: _rounded(pd.Series([sum(v for v in out[c] if isinstance(v, (int, float)))]), decimals.get(c, 2))[0]
            for c in totals
        }
        total[out.columns[0]] = label("columns", "total")
        out = pd.concat([out, pd.DataFrame([total])], ignore_index=True).astype(object)
        out = out.where(out.notna(), None)
    shown = out.rename(columns={c: _header(c) for c in out.columns})
    shown.attrs["formats"] = {_header(c): formats.get(c) or _number_format(d) for c, d in decimals.items()}
    return shown


def _unit_decimals(unit: str) -> int:
    from fpplan.app.tables import config

    cfg = config()
    return cfg.label_units.get(unit, cfg.default)


def _rounded(values: pd.Series, digits: int) -> list:
    """Numbers rounded half up to ``digits`` (as officials round: 2.675 → 2.68); whole numbers as int; NaN → None."""
    from decimal import ROUND_HALF_UP, Decimal

    out = []
    for v in values.tolist():
        if v is None or (isinstance(v, float) and not np.isfinite(v)):
            out.append(None)
            continue
        r = Decimal(repr(float(v))).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)
        out.append(int(r) if digits == 0 else float(r))
    return out


def _booleans(values: pd.Series) -> bool:
    if values.dtype != object or not len(values):
        return False
    flags = values.map(lambda v: isinstance(v, (bool, np.bool_)))
    blank = values.map(lambda v: v is None or (isinstance(v, float) and np.isnan(v)))
    return bool(flags.any() and (flags | blank).all())


def _rule_values(frame: pd.DataFrame) -> pd.DataFrame:
    """A structure rule's value and threshold as officials write them: a share in % (13.0%), a count in persons (4人);
    the ``kind`` column (share / count) is then said by the unit."""
    share = frame["kind"] == "share"

    def text(v, is_share: bool) -> str | None:
        if v is None or (isinstance(v, float) and np.isnan(v)):
            return None
        return f"{float(v) * 100:.1f}%" if is_share else f"{float(v):g}{ui('persons')}"

    return frame.assign(
        value=[text(v, k) for v, k in zip(frame["value"], share)],
        threshold=[text(v, k) for v, k in zip(frame["threshold"], share)],
    ).drop(columns="kind")


def _number_format(digits: int) -> str:
    """Whole numbers as 1,234, others with their decimals (1,234.5)."""
    return "#,##0" if digits == 0 else "#,##0." + "0" * digits


def headline_sheet(plan, table: pd.DataFrame) -> pd.DataFrame:
    """The headline numbers (officials.headline_table) with their labels, years filled in: whole persons and
    people as integers, FTE to one decimal, m² to whole metres, money to two decimals."""
    h = plan.headline
    years = {k: h[k] for k in ("base_year", "plan_year", "horizon")}
    item = [label("enums.headline", code).format(**years) for code in table["headline_item"]]

    def rounded(code: str, value):
        if code.endswith("_persons") or code.startswith(("population", "women")):
            return round(value)
        if code.endswith("_m2"):
            return round(value)
        return round(float(value), 2 if code.endswith("_wan_yuan") else 1)

    return pd.DataFrame(
        {
            "headline_item": item,
            "headline_value": [rounded(c, v) for c, v in zip(table["headline_item"], table["headline_value"])],
        },
        dtype=object,
    )


def sheets(plan, tables: dict | None = None) -> dict[str, tuple[pd.DataFrame, list[str]]]:
    """Sheet name → (table, columns to total), after the 建设项目规划表 (``tables``: officials_tables(plan))."""
    t = tables or officials_tables(plan)
    wisn = plan.wisn[
        [
            "station",
            "cadre",
            "year",
            "workload_hours",
            "available_hours",
            "service_staff",
            "caf",
            "iaf",
            "required",
            "existing",
            "difference",
            "ratio",
        ]
    ]
    volumes = plan.volumes.pivot_table(
        index=["station", "service", "cadre"], columns="year", values="volume"
    ).reset_index()
    volumes.columns = [str(c) for c in volumes.columns]
    money = t["money"]
    out = (
        {
            ui("sheet_headline"): (headline_sheet(plan, t["headline"]), []),
            ui("sheet_money"): (money, [c for c in money.columns if ":" in c]),
            ui("sheet_subsidy"): (
                t["subsidy"],
                ["subsidy_requested_wan_yuan", "granted_wan_yuan", "still_to_secure_wan_yuan"],
            ),
            ui("sheet_per_capita"): (t["per_capita"], []),
            ui("sheet_equipment"): (t["equipment"], ["purchase_cost_wan_yuan"]),
        }
        | {ui(SECTIONS[key]): (frame, section_totals(key, frame)) for key, frame in plan_sections(plan, t).items()}
        | {
            ui("sheet_staff_by_year"): (t["staff_by_year"], []),
            ui("sheet_station_gap"): (t["station_gap"], []),
            ui("sheet_head_counts"): (t["head_counts"], []),
            ui("sheet_structure_after"): (t["structure"], []),
            ui("sheet_hires"): (t["hires"], ["annual_cost_wan_yuan"]),
            ui("sheet_training"): (t["training"], ["persons", "training_wan_yuan"]),
            ui("sheet_growth"): (t["growth"], []),
            ui("sheet_cash_flow"): (
                plan.cash_flow.pivot_table(
                    index="station", columns="year", values="amount_wan_yuan", aggfunc="sum", fill_value=0
                )
                .reset_index()
                .rename(columns=str),
                [str(y) for y in sorted(plan.cash_flow["year"].unique())],
            ),
            ui("sheet_capacity"): (plan.capacity, []),
            ui("sheet_shortfall"): (plan.shortfall, []),
            ui("sheet_wisn"): (wisn, ["required", "existing", "difference"]),
            ui("sheet_head_count"): (plan.head_count.drop(columns="source"), ["staff", "missing"]),
            ui("sheet_structure"): (t["structure_today"], []),
            ui("sheet_volumes"): (volumes, [c for c in volumes.columns if c.isdigit()]),
        }
    )
    if len(t["shortfalls"]):
        out = {ui("sheet_shortfalls"): (pd.DataFrame({"explanation": [p.detail for p in plan.problems]}), [])} | out
    return out


# the plan's sections on village rooms and schools, the demand survey and contraceptive supply: key → sheet name's ui key
SECTIONS = {
    "rooms": "sheet_rooms",
    "rooms_by_year": "sheet_rooms_by_year",
    "survey_effect": "sheet_survey_effect",
    "supply": "sheet_supply_need",
}


def plan_sections(plan, tables: dict | None = None) -> dict[str, pd.DataFrame]:
    """The sections on village rooms and schools (``rooms``, ``rooms_by_year``), what the demand survey changed
    (``survey_effect``) and contraceptive supply by township and year (``supply``) as their sheets hold them, before
    :func:`present`; the results store them (``section_<key>``) so the 建设规划 page and the report show the same
    cells. A survey-less county's ``survey_effect`` has no rows (nothing was raised; its note says why)."""
    t = tables or officials_tables(plan)
    surveyed = plan.survey is not None and plan.survey.year is not None
    return {
        "rooms": t["rooms"],
        "rooms_by_year": t["rooms_by_year"],
        "survey_effect": survey_effect_sheet(t["survey_effect"] if surveyed else t["survey_effect"].iloc[:0]),
        "supply": supply_sheet(plan, t["supply"])[0],
    }


def section_totals(key: str, frame: pd.DataFrame) -> list[str]:
    """The columns a section's totals row sums: counts, volumes and money; never years, names or (across years)
    users of contraception."""
    if key == "survey_effect":
        return ["volume_without", "volume_with", "staff_without_fte", "staff_with_fte"]
    return [c for c in frame.columns if c not in ("township_name", "year", "users")]


def section_notes(plan) -> pd.DataFrame:
    """Each section's note (the workbook's note under its sheet) and whether the county's data it rests on is
    missing (``missing``: rooms not assessed, no demand survey, no contraceptive supply table — the section then
    says so instead of showing zeros): section, note, missing."""
    survey = plan.survey
    rows = [
        ("rooms", rooms_note(plan), not plan.rooms_assessed),
        ("rooms_by_year", None, not plan.rooms_assessed),
        ("survey_effect", survey_effect_note(plan), survey is None or survey.year is None),
        ("supply", supply_note(plan), plan.supply.mix_year is None),
    ]
    return pd.DataFrame(rows, columns=["section", "note", "missing"])


def _print_ready(sheet, header_rows: int) -> None:
    sheet.set_landscape()
    sheet.set_paper(9)  # A4
    sheet.fit_to_pages(1, 0)
    sheet.repeat_rows(0, header_rows - 1)
    sheet.center_horizontally()
    sheet.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)


def _write_plan_table(writer, plan, table: pd.DataFrame, formats: dict) -> None:
    """The 建设项目规划表: title row, header row with units, one row per project, totals, notes."""
    totals = [
        "current_floor_area_m2",
        "standard_area_m2",
        "target_floor_area_m2",
        "cost_wan_yuan",
        "self_raised_wan_yuan",
        "subsidy_requested_wan_yuan",
    ]
    frame = present(table.drop(columns="station"), [])
    name = ui("sheet_plan_table")[:31]
    sheet = writer.book.add_worksheet(name)
    writer.sheets[name] = sheet
    columns = list(table.drop(columns="station").columns)
    first, last = int(plan.construction_plan["start_year"].min()), int(plan.construction_plan["completion_year"].max())
    sheet.merge_range(
        0,
        0,
        0,
        len(columns) - 1,
        ui("plan_table_title", county=plan.county_name, first=first, last=last),
        formats["title"],
    )
    sheet.set_row(0, 30)
    for c, title in enumerate(frame.columns):
        sheet.write(1, c, title, formats["header"])
    sheet.set_row(1, 36)
    for r, row in enumerate(frame.itertuples(index=False), start=2):
        for c, (code, value) in enumerate(zip(columns, row)):
            fmt = formats["flag"] if code == "below_standard" and bool(table.iloc[r - 2][code]) else formats["cell"]
            if code in YEAR_COLUMNS or code == "seq":
                fmt = formats["int_plain"]
            elif code.endswith(("_m2", "_wan_yuan")):
                fmt = formats["number"]
            sheet.write(r, c, value, fmt)
    end = len(frame) + 2
    sheet.write(end, columns.index("station_name"), label("columns", "total"), formats["total_text"])
    for c, (code, title) in enumerate(zip(columns, frame.columns)):
        if code in totals:  # the sum of the numbers as shown
            sheet.write(
                end,
                c,
                _rounded(pd.Series([sum(v for v in frame[title] if isinstance(v, (int, float)))]), 2)[0],
                formats["total"],
            )
        elif code != "station_name":
            sheet.write_blank(end, c, None, formats["total"])
    from fpplan.data.documents import official_source

    standards = plan.config["standards"]
    notes = [
        ui(
            "plan_table_note_standard",
            standard=official_source(standards.floor_area_standard),
            source=official_source(standards.floor_area_source),
        ),
        ui("plan_table_note_flag"),
        *plan.notes,
    ]
    for k, note in enumerate(notes, start=end + 2):
        sheet.write(k, 0, note, formats["note"])
    widths = {"seq": 5, "station_name": 18, "level": 14, "mode": 9, "target_grade": 9, "below_standard": 9}
    for c, code in enumerate(columns):
        sheet.set_column(c, c, widths.get(code, 12))
    sheet.freeze_panes(2, 0)
    _print_ready(sheet, 2)


def _write_table(
    writer, name: str, frame: pd.DataFrame, formats: dict, source: pd.DataFrame | None = None, note: str | None = None
) -> None:
    """One table (:func:`present`), cell by cell with its column's number format (years as 2029, whole numbers as
    1,234, others to their decimals)."""
    name = name[:31]
    book = writer.book
    sheet = book.add_worksheet(name)
    writer.sheets[name] = sheet
    cached: dict[str, object] = {}
    number_formats = frame.attrs.get("formats", {})
    frame = frame.copy(deep=False)
    frame.attrs = {}  # pandas deep-copies a frame's attrs into every column taken from it
    for col, title in enumerate(frame.columns):
        sheet.write(0, col, title, formats["header"])
        num = number_formats.get(title)
        fmt = cached.setdefault(num, book.add_format({"num_format": num})) if num else None
        for row, value in enumerate(frame[title].tolist(), start=1):
            if value is None or (isinstance(value, float) and np.isnan(value)):
                continue
            numeric = isinstance(value, (int, float, np.number)) and not isinstance(value, bool)
            cell = fmt if numeric else None
            if numeric and num is None:  # a column of mixed items (the headline): whole numbers whole
                whole = isinstance(value, (int, np.integer))
                code_ = "#,##0" if whole else "#,##0.0#"
                cell = cached.setdefault(code_, book.add_format({"num_format": code_}))
            sheet.write(row, col, value.item() if hasattr(value, "item") else value, cell)
        values = [str(v) for v in frame[title].head(200)]
        width = max([len(str(title)) * 2] + [len(v) for v in values]) + 2
        sheet.set_column(col, col, min(max(width, 8), 40))
    if note:
        sheet.write(len(frame) + 2, 0, note, formats["note"])
    sheet.freeze_panes(1, 0)
    _print_ready(sheet, 1)


def _list_sep() -> str:
    return "、" if language() == "zh" else ", "


def rooms_note(plan) -> str:
    """The note under the rooms sheet: what the year columns count, the schedule rule, unit costs and the split
    with their sources; or that the county's rooms and schools were not assessed."""
    from fpplan.data.documents import official_source

    if not plan.rooms_assessed:
        return ui("plan_note_rooms_not_assessed")
    cfg = plan.config["rooms"]
    costs = _list_sep().join(
        ui(
            "rooms_cost_item",
            what=ui(f"rooms_work_{key}"),
            cost=f"{c.cost_wan_yuan:g}",
            source=official_source(c.source),
        )
        for key, c in cfg.costs.items()
    )
    if cfg.merged_clinic_share < 1:
        costs += ("；" if language() == "zh" else "; ") + ui(
            "rooms_merged_note", share=f"{cfg.merged_clinic_share:.0%}"
        )
    return ui(
        "rooms_note",
        schedule=ui(f"rooms_schedule_{cfg.schedule}"),
        costs=costs,
        subsidy=f"{cfg.subsidy_share:.0%}",
        subsidy_source=official_source(cfg.subsidy_source),
        source=official_source(cfg.source),
    )


def supply_sheet(plan, table: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """药具需求: one row per township and year, one column per method (its units a year, whole units, headed by the
    method's name and unit), then users and couple-years of protection (whole); totals over the plan's years."""
    methods = plan.config["contraceptives"].methods
    lang = language()
    heads = {code: f"{getattr(m, lang)}({getattr(m, 'unit_' + lang)})" for code, m in methods.items()}
    if table.empty:
        return pd.DataFrame(columns=["township_name", "year", *heads.values(), "users", "cyp"]), []
    wide = table.pivot_table(
        index=["township_name", "year"], columns="method", values="units_needed", aggfunc="sum", sort=False
    )
    wide = wide[[c for c in methods if c in wide.columns]].round().rename(columns=heads)
    sums = table.groupby(["township_name", "year"], sort=False)[["users", "cyp"]].sum().round()
    out = wide.join(sums).reset_index()
    return out, [c for c in out.columns if c not in ("township_name", "year")]


def supply_note(plan) -> str:
    """The note under 药具需求: the rule, where the mix and the prevalence come from, the CYP factors' source."""
    from fpplan.data.documents import official_source

    supply, config = plan.supply, plan.config["contraceptives"]
    mix = (
        ui("supply_mix_county", year=supply.mix_year)
        if supply.mix_year is not None
        else ui("supply_mix_config", source=official_source(config.default_mix_source))
    )
    rate = supply.prevalence.get("county")
    prevalence = (
        ui("supply_prevalence_reports", rate=f"{rate:.1%}")
        if supply.prevalence_from == "reports"
        else ui(
            "supply_prevalence_config", rate=f"{rate:.0%}", source=official_source(config.default_prevalence_source)
        )
    )
    return ui("supply_note", mix=mix, prevalence=prevalence)


def survey_effect_sheet(table: pd.DataFrame) -> pd.DataFrame:
    """The survey's effect with the needs asking for each service as their names (、-joined); a service no need asks
    for reads 无 in both (not a blank)."""
    if table.empty or "needs" not in table:
        return table
    asked = table["needs"].map(lambda v: isinstance(v, str) and bool(v))
    return table.assign(
        needs=[
            _list_sep().join(enum_label("need", c) for c in v.split(";")) if a else ui("survey_no_need")
            for v, a in zip(table["needs"], asked)
        ],
        **{"class": [v if a and isinstance(v, str) else ui("survey_no_need") for v, a in zip(table["class"], asked)]},
    )


def survey_effect_note(plan) -> str:
    """The note under 需求调查对规划的影响: the survey's year and months, the class rule, the core needs, the uplift by
    class with its source, the needs set aside as unlawful, the WISN need at the plan year without and with the
    survey; or that the county has no survey."""
    from fpplan.data.documents import official_source

    survey = plan.survey
    if survey is None or survey.year is None:
        return ui("survey_effect_none")
    rules = plan.config["rules"].survey

    def names(codes) -> str:
        return _list_sep().join(enum_label("need", c) for c in codes)

    classes = survey.classes
    core = classes.loc[(classes["class"] == rules.classes[0].code) & ~classes["conflict"], "need"]
    uplift = _list_sep().join(
        ui(
            "survey_effect_uplift",
            class_=enum_label("need_class", k),
            uplift=f"{u.uplift:.0%}",
            source=official_source(u.source),
        )
        for k, u in rules.uplift.items()
    )
    unlawful = classes.loc[classes["conflict"], "need"].tolist()
    conflicts = (
        ui(
            "survey_effect_conflicts",
            needs=names(unlawful),
            source="；".join(dict.fromkeys(official_source(rules.conflicts[n].source) for n in unlawful)),
        )
        if unlawful
        else ui("survey_effect_no_conflict")
    )
    wisn = plan.survey_wisn
    return ui(
        "survey_effect_note",
        year=survey.year,
        months=survey.months,
        rule=official_source(rules.class_source),
        core=ui("survey_effect_core", needs=names(core)) if len(core) else "",
        next=survey.year + 1,
        uplift=uplift,
        conflicts=conflicts,
        plan_year=wisn["year"],
        without=f"{wisn['without_fte']:.1f}",
        with_=f"{wisn['with_fte']:.1f}",
    )


def spatial_sheets(results: dict[str, pd.DataFrame]) -> dict[str, tuple[pd.DataFrame, list[str]]]:
    """The map's tables (fpplan.spatial.spatial_results) as sheets: coverage by station and year, the county's
    coverage, villages beyond reach, mobile vehicles, suggested sites and the plan check."""
    places = results["places"].set_index("village_code")
    stations = results["station_places"].set_index("code")
    town = places.drop_duplicates("township_code").set_index("township_code")["township_name"]
    unit = "cost_km" if results["meta"]["unit"].iloc[0] == "km" else "cost_min"
    by_station = (
        results["stations"]
        .pivot_table(index=["station", "level", "villages_within"], columns="year", values="women_within")
        .reset_index()
        .rename(columns=str)
    )
    by_station.insert(1, "station_name", by_station["station"].map(stations["name"]))
    by_station = by_station.drop(columns="station")  # the name stands for the code
    access = results["access"]
    beyond = access[access["access"] != "covered"].sort_values(["year", "township_code", "village_code"])
    beyond = beyond.assign(
        village_name=beyond["village_code"].map(places["name"]),
        township_name=beyond["township_code"].map(town),
        station_name=beyond["nearest_station"].map(stations["name"]),
        access=beyond["access"].map(lambda v: enum_label("access", v)),
    ).rename(columns={"cost": unit})
    beyond = beyond[
        [
            "year",
            "village_name",
            "township_name",
            "station_name",
            unit,
            "access",
            "women_15_49",
            "married_women_15_49",
            "migrant_women",
        ]
    ]
    rounds = results["rounds"].pivot_table(index="year", columns="round", values="vehicle_days").reset_index()
    vehicles = results["vehicles"].merge(rounds, on="year", how="left")
    sites = results["sites"].assign(township_name=lambda f: f["township_code"].map(town))
    sites = sites[["rank", "site_name", "township_name", "lon", "lat", "year", "women_within", "gain_women"]]
    named = dict(zip(results["places"]["village_code"], results["places"]["name"])) | dict(stations["name"])
    check = results["plan_check"].copy()
    for column in ("best_sites", "plan_sites"):  # ';'-separated codes of villages and stations → their names
        if column in check:
            check[column] = check[column].map(
                lambda v: "、".join(named.get(c, c) for c in str(v).split(";") if c) if isinstance(v, str) else v
            )
    return {
        ui("sheet_spatial_county"): (results["county"], []),
        ui("sheet_spatial_coverage"): (by_station, []),
        ui("sheet_spatial_beyond"): (beyond, []),
        ui("sheet_spatial_vehicles"): (vehicles, []),
        ui("sheet_spatial_sites"): (sites, ["gain_women"]),
        ui("sheet_spatial_plan_check"): (check, []),
    }


def write_workbook(
    plan,
    path: str | Path,
    spatial: dict[str, pd.DataFrame] | None = None,
    intervals: tuple[pd.DataFrame, dict] | None = None,
    tables: dict | None = None,
) -> Path:
    """Write the officials' tables and every planning table to ``path`` (.xlsx) and return it; with ``spatial``
    (fpplan.spatial.spatial_results) the map's tables too; with ``intervals`` (the results' intervals table and
    calibration document, fpplan.demography.calibration) the projection intervals, each level's back-tested
    coverage stated under them; ``tables``: officials_tables(plan) when already made. Written under a temporary name and renamed when complete (fpplan.data.output), so
    an interruption never leaves a partial or destroyed workbook."""
    from fpplan.data.output import atomic_path

    path = Path(path)
    with atomic_path(path) as tmp, pd.ExcelWriter(tmp, engine="xlsxwriter") as writer:
        book = writer.book
        border = {"border": 1, "valign": "vcenter"}
        formats = {
            "title": book.add_format({"bold": True, "font_size": 16, "align": "center", "valign": "vcenter"}),
            "header": book.add_format(
                {"bold": True, "text_wrap": True, "align": "center", "bg_color": "#DDEBF7", **border}
            ),
            "cell": book.add_format(border),
            "int_plain": book.add_format({"num_format": "0", **border}),
            "number": book.add_format({"num_format": "#,##0.0#", **border}),
            "flag": book.add_format({"font_color": "#C00000", "bold": True, "bg_color": "#FDE9E9", **border}),
            "total": book.add_format({"bold": True, "num_format": "#,##0.0#", "top": 2, **border}),
            "total_text": book.add_format({"bold": True, "top": 2, **border}),
            "note": book.add_format({"italic": True, "font_color": "#555555"}),
        }
        tables = tables if tables is not None else officials_tables(plan)
        _write_plan_table(writer, plan, tables["construction"], formats)
        from fpplan.data.documents import official_source

        notes = {
            ui("sheet_equipment"): ui("equipment_note", source=official_source(plan.config["equipment"].source))
            if plan.equipment_reported
            else ui("plan_note_equipment_not_reported")
        }
        notes |= {
            ui(SECTIONS[key]): note
            for key, note in section_notes(plan)[["section", "note"]].dropna().itertuples(index=False)
        }  # the same notes as the 建设规划 page's sections
        short = plan.staff_plan.training_shortfalls
        if len(short):
            training = plan.config["recruitment"].training
            notes[ui("sheet_training")] = ui(
                "training_short_note",
                years="、".join(str(int(y)) for y in short["year"]),
                minimum=training.min_per_year,
                source=official_source(training.source),
            )
        names = dict(zip(plan.facilities["code"], plan.facilities["name"]))
        if spatial:
            names = dict(zip(spatial["places"]["village_code"], spatial["places"]["name"])) | names
        units = {ui(key): unit for key, unit in YEAR_COLUMN_UNITS.items()}
        for name, (table, totals) in (sheets(plan, tables) | (spatial_sheets(spatial) if spatial else {})).items():
            frame = present(table, totals, names, units.get(name))
            _write_table(writer, name, frame, formats, note=notes.get(name))
        if intervals is not None:
            table, calibration = intervals
            shown = table[["region", "series", "year", "median", "lower_80", "upper_80", "lower_95", "upper_95"]].copy()
            shown[shown.columns[3:]] = shown[shown.columns[3:]].round()  # persons, whole
            shown["series"] = shown["series"].map(lambda v: enum_label("backtest_series", v))
            note = "；".join(calibration["text"][level][language()] for level in ("80", "95"))
            _write_table(writer, ui("sheet_intervals"), present(shown, [], names), formats, note=note)
    return path


def exam_sheets(result: dict[str, pd.DataFrame]) -> dict[str, tuple[pd.DataFrame, list[str]]]:
    """The staff-exam sheets (fpplan.rules.exam_consequences): per pseudonymous staff id, per specialty for the year
    (prize and fine once), per specialty and month."""
    people = result["people"][
        [
            "staff_id",
            "specialty",
            "exams",
            "fails",
            "unexcused_absences",
            "average",
            "average_12",
            "tier_fails",
            "consequence",
            "allowance_months_deducted",
            "prize_rank",
            "prize_yuan",
            "prefecture_yuan",
            "reason",
        ]
    ]
    return {
        ui("sheet_exams_people"): (people, ["prize_yuan", "prefecture_yuan"]),
        ui("sheet_exams_collective"): (result["collective"], ["prize_yuan", "fine_yuan"]),
        ui("sheet_exams_monthly"): (result["collective_monthly"], []),
    }


def survey_sheets(result: dict[str, pd.DataFrame], rules=None) -> dict[str, tuple[pd.DataFrame, list[str]]]:
    """The demand-survey sheets (fpplan.rules.survey_rollup): county classes, township quarters, common problems;
    with ``rules`` (config/rules.yaml ``survey``) the survey's design as the county set it: rounds a year, contents,
    channels, methods, the class rule and the needs that conflict with law or policy."""
    out = {
        ui("sheet_survey_county"): (result["county"], ["count"]),
        ui("sheet_survey_township"): (result["township_quarterly"], ["count"]),
        ui("sheet_survey_common"): (result["common_problems"], []),
    }
    if rules is not None:
        out[ui("sheet_survey_design")] = (survey_design(rules), [])
    return out


def survey_design(rules) -> pd.DataFrame:
    """The survey's design, one line per item: survey_part, survey_item (words in the interface's language)."""
    from fpplan.data.documents import official_source

    lang = language()
    rows = [(ui("survey_part_rounds"), ui("survey_rounds_text", n=rules.rounds_per_year))]
    rows += [(ui("survey_part_content"), getattr(c, lang)) for c in rules.contents]
    rows += [
        (ui("survey_part_channel"), f"{getattr(c, lang)}：{getattr(c, 'through_' + lang)}")
        for c in rules.channels.values()
    ]
    rows += (
        [(ui("survey_part_method"), _list_sep().join(getattr(m, lang) for m in rules.methods))] if rules.methods else []
    )
    for c in rules.classes:  # four classes
        key = (
            "survey_class_rest"
            if c.min_count_share <= 0 and c.min_village_share <= 0
            else "survey_class_count"
            if c.min_village_share <= 0
            else "survey_class_text"
        )
        rows.append(
            (
                ui("survey_part_class"),
                ui(key, name=getattr(c, lang), count=f"{c.min_count_share:.0%}", villages=f"{c.min_village_share:.0%}"),
            )
        )
    rows += [
        (ui("survey_part_conflict"), f"{enum_label('need', need)}（{official_source(c.source)}）")
        for need, c in rules.conflicts.items()
    ]
    rows += [(ui("survey_part_source"), official_source(rules.source))]
    return pd.DataFrame(rows, columns=["survey_part", "survey_item"])


def write_sheets(
    tables: dict[str, tuple[pd.DataFrame, list[str]]], path: str | Path, names: dict | None = None
) -> Path:
    """Write sheets (name → (table, columns to total)) to ``path`` (.xlsx) in the officials' layout (``names``: codes
    of units and stations → names); return it."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with pd.ExcelWriter(path, engine="xlsxwriter") as writer:
        book = writer.book
        formats = {
            "header": book.add_format(
                {
                    "bold": True,
                    "text_wrap": True,
                    "align": "center",
                    "bg_color": "#DDEBF7",
                    "border": 1,
                    "valign": "vcenter",
                }
            ),
            "note": book.add_format({"italic": True, "font_color": "#555555"}),
        }
        for name, (table, totals) in tables.items():
            _write_table(writer, name, present(table, totals, names), formats)
    return path
