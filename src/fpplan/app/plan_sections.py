"""The plan's sections on village rooms and schools, what the demand survey changed and contraceptive supply by
township and year, as the 建设规划 page and the plan report show them: a heading, a short paragraph and the
workbook's own table, cell for cell (the results store the sheets' tables, ``section_<key>``, and their notes,
``section_notes``: ``fpplan.app.workbook.plan_sections`` / ``section_notes``). Nothing is computed here: the
paragraph quotes the totals row the workbook prints and the note under its sheet. When the county's data a section
rests on is missing, the section says so (未采集) instead of showing zeros."""

from __future__ import annotations

import html
import math

import pandas as pd

from fpplan.data.labels import language, ui

# section → the tables it shows (keys of fpplan.app.workbook.SECTIONS), its heading's ui key, its element id
SECTIONS = {
    "rooms": (("rooms", "rooms_by_year"), "plan_section_rooms", "fpplan-section-rooms"),
    "survey": (("survey_effect",), "plan_section_survey", "fpplan-section-survey"),
    "supply": (("supply",), "plan_section_supply", "fpplan-section-supply"),
}
TABLE_STYLE = (
    "<style>.fpplan-table{border-collapse:collapse;font-size:13px}.fpplan-table th{background:#ddebf7;"
    "padding:4px 8px;border:1px solid #bbb}.fpplan-table td{padding:3px 8px;border:1px solid #ddd;"
    "text-align:right}.fpplan-table caption{text-align:left;font-weight:600;padding:4px 0}</style>"
)


def stored(manifest: dict, scenario: str | None = None) -> tuple[dict[str, pd.DataFrame], pd.DataFrame]:
    """The sections' tables (key → table before it is presented) and notes (section, note, missing) of the results."""
    from fpplan.app import results
    from fpplan.app.workbook import SECTIONS as TABLES

    scenario = scenario or manifest["plan_scenario"]
    return (
        {key: results.table(manifest, f"section_{key}", scenario) for key in TABLES},
        results.table(manifest, "section_notes", scenario),
    )


def shown(key: str, frame: pd.DataFrame) -> pd.DataFrame:
    """A section's table as the workbook writes it (:func:`fpplan.app.workbook.present` with the sheet's totals):
    headers with units, names, whole counts and persons, a totals row; ``attrs["formats"]`` the number formats."""
    from fpplan.app.workbook import present, section_totals

    return present(frame, section_totals(key, frame))


def cell_text(value, number_format: str | None) -> str:
    """A cell as the workbook displays it: its number format's decimals and thousands separator, years plain,
    blank cells blank."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    if number_format == "0":
        return f"{value:.0f}"
    digits = len(number_format.split(".")[1]) if number_format and "." in number_format else 0
    return f"{value:,.{digits}f}"


def table_html(frame: pd.DataFrame, caption: str | None = None, report: bool = False) -> str:
    """A presented table (:func:`shown`) as an HTML table, every cell as the workbook displays it; on the page in a
    scrolling box, in the report (``report``) whole, in the report's table style (its header repeated on each
    printed page)."""
    formats = frame.attrs.get("formats", {})
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in frame.columns)

    def td(value, number_format) -> str:  # words to the left, numbers to the right
        left = (
            ""
            if not isinstance(value, str)
            else " style='text-align:left;white-space:nowrap'"
            if len(value) <= 8
            else " style='text-align:left'"
        )
        return f"<td{left}>{html.escape(cell_text(value, number_format))}</td>"

    rows = "".join(
        "<tr>" + "".join(td(v, formats.get(c)) for c, v in zip(frame.columns, row)) + "</tr>"
        for row in frame.itertuples(index=False)
    )
    title = f"<caption>{html.escape(caption)}</caption>" if caption else ""
    table = (
        f"<table class='{'fp-table' if report else 'fpplan-table'}'>{title}<thead><tr>{head}</tr></thead>"
        f"<tbody>{rows}</tbody></table>"
    )
    if report:
        return f"<div class='fp-landscape'>{table}</div>" if len(frame.columns) > 10 else table
    return f"<div style='max-height:420px;overflow:auto;margin-bottom:8px'>{table}</div>"


def paragraph(section: str, tables: dict[str, pd.DataFrame], notes: pd.DataFrame) -> str:
    """The section's short paragraph (plain text): what is planned, quoted from the totals row the workbook
    prints and the note under its sheet; what is missing (未采集) when the county's data is."""
    note = notes.set_index("section")
    first = SECTIONS[section][0][0]
    missing, text = bool(note.loc[first, "missing"]), note.loc[first, "note"]
    if section == "rooms" and missing:
        return ui("plan_section_missing", note=text)
    if section == "survey":
        return ui("plan_section_missing", note=text) if missing else text
    if section == "rooms":
        from fpplan.app.tables import header

        rooms = shown("rooms", tables["rooms"])
        years = [c for c in rooms.columns if str(c).isdigit()]
        fmt = rooms.attrs.get("formats", {})

        def total(code: str) -> str:  # the cell of the totals row (the workbook's last row)
            return cell_text(rooms[header(code)].iloc[-1], fmt.get(header(code)))

        return ui(
            "plan_section_rooms_text",
            first=years[0],
            last=years[-1],
            villages=total("villages_total"),
            not_assessed=total("villages_not_assessed"),
            rooms_ok=total("rooms_up_to_standard"),
            rooms_build=total("rooms_to_build"),
            rooms_upgrade=total("rooms_to_upgrade"),
            schools_ok=total("schools_up_to_standard"),
            schools_build=total("schools_to_build"),
            schools_upgrade=total("schools_to_upgrade"),
            cost=total("works_cost_wan_yuan"),
            self_raised=total("self_raised_wan_yuan"),
            subsidy=total("subsidy_wan_yuan"),
        )
    supply = shown("supply", tables["supply"])
    if not len(tables["supply"]):
        return ui("plan_section_missing", note=text)
    fmt = supply.attrs.get("formats", {})
    years = tables["supply"]["year"]
    methods = [c for c in supply.columns[2:-2]]
    items = "、".join(_amount(c, cell_text(supply[c].iloc[-1], fmt.get(c))) for c in methods)
    cyp = supply.columns[-1]
    lead = ui("plan_section_supply_missing") if missing else ""
    return (
        lead
        + ui(
            "plan_section_supply_text",
            first=int(years.min()),
            last=int(years.max()),
            items=items,
            cyp=cell_text(supply[cyp].iloc[-1], fmt.get(cyp)),
        )
        + ("；" if language() == "zh" else "; ")
        + text
    )


def _amount(head: str, value: str) -> str:
    """口服避孕药(周期) and 63,289 as 口服避孕药63,289周期 (a method's header is its name and unit)."""
    import re

    found = re.fullmatch(r"(.*)\((.*?)\)", head)
    return f"{found[1]}{value}{found[2]}" if found else f"{head}{value}"


def section_html(
    section: str, tables: dict[str, pd.DataFrame], notes: pd.DataFrame, heading: str = "h3", report: bool = False
) -> str:
    """One section: its heading, its paragraph, its tables as the workbook shows them — or, when the county's
    data is missing and the table would hold nothing but zeros, no table."""
    keys, title, element = SECTIONS[section]
    missing = bool(notes.set_index("section").loc[keys[0], "missing"])
    parts = [
        f"<{heading}>{html.escape(ui(title))}</{heading}>",
        f"<p class='fp-section-text' style='max-width:1100px'>{html.escape(paragraph(section, tables, notes))}</p>",
    ]
    if not (missing and section != "supply"):
        parts += [table_html(shown(key, tables[key]), ui(f"plan_section_table_{key}"), report) for key in keys]
    return f"<section id='{element}'>{''.join(parts)}</section>"


def sections_html(manifest: dict, scenario: str | None = None, heading: str = "h3", report: bool = False) -> str:
    """The three sections (village rooms and schools, the demand survey, contraceptive supply) of the results: for
    the 建设规划 page, or (``report``) for the plan report (notebooks/04_建设规划), printed whole."""
    tables, notes = stored(manifest, scenario)
    return ("" if report else TABLE_STYLE) + "".join(section_html(s, tables, notes, heading, report) for s in SECTIONS)
