"""The official monthly village report (村级计划生育服务月报表) → service_stats rows.

The layout as townships send it: a title with the month (``2025年3月村级计划生育服务月报表``), a ``填报单位：…
报送日期：…`` line, a two-row header (group headings over data elements), township and village *names* (the
township merged down over its villages), a 小计 row per township and a 合计 row, notes under the table; one file a
month or one sheet a month. Names are resolved through the county's village list; every 小计/合计 cell is checked
against its villages and left out; the month comes from a month column, else the title, else the sheet's name; the
report date from a date column, else the 报送日期 line.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from fpplan.data.errors import Problem
from fpplan.data.intake.layout import Sheet, date_after, fold, match_fields, month_in
from fpplan.data.intake.tables import check_sum, is_total, number
from fpplan.data.intake.words import Log, Places, closest
from fpplan.data.labels import table as label_table


def element_columns(sheet: Sheet, elements: dict[str, str]) -> dict[str, int]:
    """data element code → column, by any level of the header path (last level first); ``elements``: folded
    name → code (code, zh, en of config/data_elements.yaml)."""
    folded = {fold(k): v for k, v in elements.items()}
    found: dict[str, int] = {}
    for c, path in enumerate(sheet.header):
        for level in reversed(path):
            code = folded.get(fold(level))
            if code and code not in found:
                found[code] = c
                break
    return found


def monthly_fields(sheet: Sheet) -> dict[str, int]:
    return match_fields(sheet, label_table()["intake_fields"]["monthly"])


def looks_like_report(sheet: Sheet, elements: dict[str, str]) -> bool:
    return "village" in monthly_fields(sheet) and len(element_columns(sheet, elements)) >= 3


def read_report(
    sheet: Sheet, places: Places, elements: dict[str, str], log: Log
) -> tuple[pd.DataFrame | None, list[str], list[Problem]]:
    """(frame, element codes present, problems): the sheet's village rows as service_stats text (index = sheet row
    − 2), names resolved; totals checked."""
    fields = monthly_fields(sheet)
    columns = element_columns(sheet, elements)
    problems: list[Problem] = []
    month = None
    if "month" not in fields:
        month = month_in(sheet.text())
        if month is None:
            return None, [], [sheet.problem("intake_no_month")]
    reported = date_after("报送日期", " ".join(sheet.title + sheet.notes)) or date_after(
        "上报日期", " ".join(sheet.title)
    )
    town_col, village_col = fields.get("township"), fields["village"]
    rows, totals = [], []
    for r in sheet.data:
        if all(sheet.cell(r, c) is None for c in columns.values()):
            continue  # a village row not filled in (the template lists every village)
        town, village = (sheet.cell(r, town_col) if town_col is not None else None), sheet.cell(r, village_col)
        (totals if is_total(town) or is_total(village) else rows).append(r)
    codes, towns = [], []
    for r in rows:
        town_name, name = (sheet.cell(r, town_col) if town_col is not None else None), sheet.cell(r, village_col)
        town = None
        if town_name is not None:
            town = places.township(town_name)
            if town is None:
                problems.append(
                    sheet.problem(
                        "intake_unknown_name",
                        r,
                        town_col,
                        value=town_name,
                        detail=f"村名单的乡镇中；{closest(str(town_name), places.township_names)}",
                    )
                )
                codes.append(None)
                towns.append(None)
                continue
        code, candidates = places.village(town, name)
        if code is None and len(candidates) > 1:
            problems.append(
                sheet.problem("intake_ambiguous_name", r, village_col, value=name, detail=places.describe(candidates))
            )
        elif code is None:
            where = f"{places.names[town]}的村中" if town else "村名单中"
            problems.append(
                sheet.problem(
                    "intake_unknown_name",
                    r,
                    village_col,
                    value=name,
                    detail=f"{where}不存在；{closest(str(name), places.village_names(town))}",
                )
            )
        else:
            log.names[("村", f"{town_name or ''}{name}")] = code
        codes.append(code)
        towns.append(town or (code[:9] if code else None))
    values = {e: np.array([number(sheet.cell(r, c)) for r in rows]) for e, c in columns.items()}
    for r in totals:
        town_name = sheet.cell(r, town_col) if town_col is not None else None
        town = None if town_name is None or is_total(town_name) else places.township(town_name)
        mask = np.array([town is None or t == town for t in towns], dtype=bool)
        for e, c in columns.items():
            given = number(sheet.cell(r, c))
            problems += check_sum(
                sheet,
                r,
                c,
                given,
                float(np.nansum(values[e][mask])),
                log,
                f"{town_name or ''}{sheet.cell(r, village_col) or ''}：{sheet.column_name(c)}",
            )
    frame = pd.DataFrame(
        {
            "village_code": codes,
            "month": [sheet.cell(r, fields["month"]) for r in rows] if "month" in fields else month,
            "reported_on": [sheet.cell(r, fields["reported_on"]) for r in rows]
            if "reported_on" in fields
            else reported,
        },
        index=[r - 1 for r in rows],
    )
    for e, c in columns.items():
        frame[e] = [sheet.cell(r, c) for r in rows]
    return frame, list(columns), problems


def collected(county_config: dict, county_dir) -> list[str]:
    """The data elements the county's reports carry: every element of config/data_elements.yaml but those its
    config/collection.yaml lists as not collected (written by ``fpplan init``)."""
    from pathlib import Path

    import yaml

    elements = list(county_config["data_elements"].elements)
    path = Path(county_dir) / "config" / "collection.yaml"
    if path.is_file():
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        absent = {str(e.get("element")) for e in data.get("not_collected") or [] if isinstance(e, dict)}
        elements = [e for e in elements if e not in absent]
    return elements


def read_official(path, county) -> tuple[pd.DataFrame | None, list[Problem]] | None:
    """A file of official monthly reports (one sheet a month, or one) as service_stats rows of ``county``; None
    when no sheet of it is in that layout."""
    from pathlib import Path

    from fpplan.data.county import element_aliases
    from fpplan.data.intake.layout import read_sheets
    from fpplan.data.intake.tables import finish

    elements = element_aliases(county.config)
    sheets, problems = read_sheets(Path(path))
    reports = [s for s in sheets if looks_like_report(s, elements)]
    if not reports:
        return None
    places = Places(county.units)
    wanted = collected(county.config, county.path)
    log = Log()
    frames, months = [], {}
    for sheet in reports:
        frame, _, found = read_report(sheet, places, elements, log)
        problems += found
        if frame is None:
            continue
        for month in sorted(set(frame["month"].dropna().astype(str))):
            if month in months:
                problems.append(
                    sheet.problem(
                        "intake_duplicate_month", None, None, value=month, detail=f"{months[month]}、{sheet.label}"
                    )
                )
            months[month] = sheet.label
        read = finish(sheet, "service_stats", frame, {}, log, {e: e for e in wanted})
        problems += read.problems
        frames.append(read.frame)
    if problems or not frames:
        return None, problems
    stats = pd.concat(frames, ignore_index=True)
    return stats[["village_code", "month", "reported_on", *wanted]], []
