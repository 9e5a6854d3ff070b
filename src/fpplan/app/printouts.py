"""What the command line prints and the workbooks its commands write, in the official's language: names for codes,
words for enumerations and statuses, numbers to their decimals, blanks (—) for missing values (the tables of
:mod:`fpplan.app.tables`, as plain text for a terminal)."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from fpplan.data.labels import label, ui

SCORECARD_PRINTED = (
    "name",
    "value",
    "lower",
    "upper",
    "unit_label",
    "target",
    "status",
    "change",
    "forecast",
    "expected_met",
    "note_text",
)
SCORECARD_SHEET = [
    "unit",
    "name",
    "value",
    "lower",
    "upper",
    "unit_label",
    "numerator",
    "denominator",
    "target",
    "status",
    "previous",
    "change",
    "forecast",
    "forecast_lower",
    "forecast_upper",
    "expected_met",
    "target_source",
    "note_text",
]
ROW_DECIMALS = ("value", "lower", "upper", "previous", "change", "forecast", "forecast_lower", "forecast_upper")


def county_names(county) -> dict[str, str]:
    """Codes of the county's units and stations → their names."""
    return dict(zip(county.units["code"], county.units["name"])) | dict(
        zip(county.facilities["code"], county.facilities["name"])
    )


def text_table(frame: pd.DataFrame, names: Mapping[str, str] | None = None, **present_args) -> str:
    """A table as officials read it (:func:`fpplan.app.tables.present`), as plain text for a terminal."""
    from fpplan.app.tables import present

    cells = present(frame, names=names, **present_args).cells
    return cells.to_string(index=False) if len(cells) else ui("no_rows")


def scorecard_text(
    card: pd.DataFrame, catalogue, names: Mapping[str, str], period: str, level: str = "township"
) -> str:
    """The scorecard of a period as printed: a title, one row per unit × indicator (unit name, indicator, value to
    its decimals, interval, unit, target, status in words, change, forecast, expected quarter, note), then the
    count of each status per unit."""
    from fpplan.app.tables import period_text, scorecard_rows
    from fpplan.indicators.scorecard import status_counts

    rows = scorecard_rows(_expected_text(card), catalogue, names, columns=SCORECARD_PRINTED, by_unit=True).cells
    rows = rows.rename(columns={label("enums.level", "township"): label("enums.level", level)})
    counts = status_counts(card).drop(columns="period", errors="ignore")
    lines = [
        ui("scorecard_title", period=period_text(period)),
        rows.to_string(index=False) if len(rows) else ui("no_rows"),
        "",
        text_table(counts, names, enums={"attention": "status"}, headers={"unit": label("enums.level", level)}),
    ]
    return "\n".join(lines)


def _expected_text(card: pd.DataFrame) -> pd.DataFrame:
    """The quarter expected to meet the target as officials write it (2026年第一季度)."""
    from fpplan.app.tables import period_text

    if "expected_met" not in card:
        return card
    return card.assign(
        expected_met=card["expected_met"].map(lambda q: period_text(q) if isinstance(q, str) and q else "")
    )


def scorecard_sheets(card: pd.DataFrame, catalogue, period: str) -> dict[str, tuple[pd.DataFrame, list[str]]]:
    """The scorecard workbook's sheets: every unit × indicator with its numbers rounded to the indicator's decimals
    (config/report.yaml), status and notes in words, the target's document; the count of each status per unit."""
    from fpplan.app.tables import indicator_decimals, period_text
    from fpplan.indicators.scorecard import note_text, status_counts

    digits = card["indicator"].map(indicator_decimals(catalogue)).fillna(2).astype(int).to_numpy()
    frame = _expected_text(card).assign(note_text=note_text(card))
    for column in ROW_DECIMALS:
        if column in frame:
            values = pd.to_numeric(frame[column], errors="coerce").to_numpy(float)
            frame[column] = [round(v, int(d)) if np.isfinite(v) else v for v, d in zip(values, digits)]
    frame = frame.reindex(columns=[c for c in SCORECARD_SHEET if c in frame]).rename(
        columns={"name": "indicator_name", "note_text": "note"}
    )
    counts = status_counts(card).drop(columns="period", errors="ignore")
    counts["attention"] = counts["attention"].map(lambda s: label("enums.status", s))
    return {ui("scorecard_title", period=period_text(period)): (frame, []), ui("sheet_status_counts"): (counts, [])}


def plan_lines(plan, path) -> list[str]:
    """What ``fpplan plan`` says when the workbook is written: projects and cost, stations short of floor area, the
    plan year's hires, equipment and subsidy still to secure; then the paragraphs of the 建设规划 page's sections
    (village rooms and schools, the demand survey, contraceptive supply: fpplan.app.plan_sections)."""
    from fpplan.app.plan_sections import SECTIONS, paragraph
    from fpplan.app.tables import number
    from fpplan.app.workbook import plan_sections, section_notes

    short = plan.shortfall.dropna(subset=["first_short_year"])
    tables, notes = plan_sections(plan), section_notes(plan)
    equipment = (
        ui("amount_wan_yuan", amount=number(plan.equipment["cost_wan_yuan"].sum(), 2))
        if plan.equipment_reported
        else ui("equipment_not_reported")
    )
    return (
        [
            ui(
                "plan_written",
                path=path,
                projects=len(plan.construction_plan),
                cost=number(plan.construction_plan["cost_wan_yuan"].sum(), 2),
                short=len(short),
            ),
            ui(
                "plan_year_summary",
                year=plan.plan_year,
                hires=len(plan.recruitment),
                equipment=equipment,
                still=number(plan.subsidy["still_to_secure_wan_yuan"].sum(), 2),
            ),
        ]
        + [f"- {note}" for note in plan.notes]
        + [
            f"{ui(title)}：{paragraph(key, tables, notes)}"
            for key, (_, title, _) in SECTIONS.items()
            if notes.set_index("section").loc[SECTIONS[key][0][0], "note"] not in plan.notes
        ]
    )  # said once
