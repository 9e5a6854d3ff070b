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


def number_format(code: str, values: pd.Series) -> str | None:
    """Excel number format of a column: years as plain integers (2029, never 2,029.00), whole numbers with
    thousands separators, other numbers with two decimals; None for text."""
    if not pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
        return None
    if code == "year" or code.endswith("_year"):
        return "0"
    finite = values.dropna()
    whole = pd.api.types.is_integer_dtype(values) or bool((finite == finite.round()).all())
    return "#,##0" if whole else "#,##0.00"


def write_workbook(plan, path: str | Path) -> Path:
    """Write every planning table to ``path`` (.xlsx) and return it: written under a temporary name and renamed
    when complete (fpplan.app.output), so an interruption never leaves a partial or destroyed workbook."""
    from fpplan.app.output import atomic_path

    path = Path(path)
    with atomic_path(path) as tmp, pd.ExcelWriter(tmp, engine="xlsxwriter") as writer:
        book = writer.book
        header = book.add_format({"bold": True, "text_wrap": True, "valign": "vcenter", "border": 1, "bg_color": "#DDEBF7"})
        formats: dict[str, object] = {}
        for name, (table, totals) in sheets(plan).items():
            frame = _present(table, totals)
            frame.to_excel(writer, sheet_name=name[:31], index=False)
            sheet = writer.sheets[name[:31]]
            for col, (code, title) in enumerate(zip(table.columns, frame.columns)):
                sheet.write(0, col, title, header)
                values = [str(v) for v in frame[title].head(200)]
                width = max([len(str(title)) * 2] + [len(v) for v in values]) + 2
                fmt = number_format(str(code), frame[title])
                if fmt is not None and fmt not in formats:
                    formats[fmt] = book.add_format({"num_format": fmt})
                sheet.set_column(col, col, min(max(width, 8), 40), formats.get(fmt))
            sheet.freeze_panes(1, 0)
            sheet.set_landscape()
            sheet.set_paper(9)  # A4
            sheet.fit_to_pages(1, 0)
            sheet.repeat_rows(0)
    return path
