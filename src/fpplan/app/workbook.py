"""The plan as an XLSX workbook in the layout officials use: Chinese headers with units, a totals row, frozen
header row, print-ready column widths (A4 landscape, fit to width), enumerations shown as words."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from fpplan.data.labels import column_label, enum_label, label, ui

ENUM_COLUMNS = {"level": "station_level", "mode": "mode", "target_grade": "grade", "grade": "grade",
                "cadre": "specialty", "specialty": "specialty", "need": "need", "class": "need_class", "status": "status"}


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


def write_workbook(plan, path: str | Path) -> Path:
    """Write every planning table to ``path`` (.xlsx) and return it."""
    return write_sheets(sheets(plan), path)


def exam_sheets(result: dict[str, pd.DataFrame]) -> dict[str, tuple[pd.DataFrame, list[str]]]:
    """The staff-exam sheets (fpplan.rules.exam_consequences): per pseudonymous staff id, per specialty for the year
    (prize and fine once), per specialty and month."""
    people = result["people"][["staff_id", "specialty", "exams", "fails", "unexcused_absences", "average", "average_12",
                               "tier_fails", "consequence", "allowance_months_deducted", "prize_rank", "prize_yuan",
                               "prefecture_yuan", "reason"]]
    return {ui("sheet_exams_people"): (people, ["prize_yuan", "prefecture_yuan"]),
            ui("sheet_exams_collective"): (result["collective"], ["prize_yuan", "fine_yuan"]),
            ui("sheet_exams_monthly"): (result["collective_monthly"], [])}


def survey_sheets(result: dict[str, pd.DataFrame]) -> dict[str, tuple[pd.DataFrame, list[str]]]:
    """The demand-survey sheets (fpplan.rules.survey_rollup): county classes, township quarters, common problems."""
    return {ui("sheet_survey_county"): (result["county"], ["count"]),
            ui("sheet_survey_township"): (result["township_quarterly"], ["count"]),
            ui("sheet_survey_common"): (result["common_problems"], [])}


def write_sheets(tables: dict[str, tuple[pd.DataFrame, list[str]]], path: str | Path) -> Path:
    """Write sheets (name → (table, columns to total)) to ``path`` (.xlsx) in the officials' layout; return it."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with pd.ExcelWriter(path, engine="xlsxwriter") as writer:
        book = writer.book
        header = book.add_format({"bold": True, "text_wrap": True, "valign": "vcenter", "border": 1, "bg_color": "#DDEBF7"})
        number = book.add_format({"num_format": "#,##0.00"})
        for name, (table, totals) in tables.items():
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
