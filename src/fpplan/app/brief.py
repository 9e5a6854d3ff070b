"""The brief (简报) leaders read: one page, for a period and a scenario, as Word (python-docx: offices edit and
forward Word) and as PDF (the same content as HTML, printed by headless chromium).

``content_from(tables, manifest, period, scenario, date)`` is a pure function of the workspace's results (the
tables the dashboards read): the key numbers against the plan (population, women 15–49, staff gap before and after
hires, floor-area gap, subsidy still to secure: the plan's own ``headline`` and ``county_by_year``, as the overview's
cards and the workbook show them; nothing recomputed here), the indicators that are red or amber with their
townships, what changed since the previous period, the first station to fall short, and findings: sentences of the
label table filled with those numbers (never written by hand). ``content`` reads the tables; ``write`` writes both
files.
"""

from __future__ import annotations

import html
from pathlib import Path

import pandas as pd

from fpplan.app.tables import NO_VALUE, number, period_text
from fpplan.data.labels import enum_label, language, month_text, ui

ZOOMS = (1.0, 0.92, 0.85, 0.78)
TABLES = ("headline", "county_by_year", "shortfall")


def content(manifest: dict, period: str, scenario: str, date: str, target_set: str | None = None) -> dict:
    """The brief's content from the results in use (``fpplan.app.results.current``), the indicators judged against
    ``target_set`` (default: the county's default set, as the results are)."""
    from fpplan.app import results
    from fpplan.data.config import load

    tables = {name: results.table(manifest, name, scenario) for name in TABLES}
    tables["scorecards"] = results.scorecards(manifest, target_set)
    limit = load("report", results.county_folder(manifest)).brief_indicators
    return content_from(tables, manifest, period, scenario, date, limit) | {
        "target_set": results.target_set_name(manifest, target_set)
    }


def _period_kind(period: str) -> str:
    from fpplan.indicators import periods

    return periods.kind_of(period)


def content_from(
    tables: dict[str, pd.DataFrame], manifest: dict, period: str, scenario: str, date: str, limit: int = 12
) -> dict:
    """Everything the brief says, as numbers and sentences (no formatting of pages): see the module docstring. The
    table of red and amber indicators lists the ``limit`` most pressing (reds first, then by the townships red and
    amber); the others are counted under it (config/report.yaml ``brief_indicators``: the brief is one page)."""
    from fpplan.indicators import periods
    from fpplan.indicators.scorecard import lights as judged_lights

    names = manifest["names"]
    county_code = manifest["county"]["code"]
    h = tables["headline"].iloc[0]
    rows = tables["county_by_year"].set_index("year")
    first, last, plan_year = int(h["base_year"]), int(h["horizon"]), int(h["plan_year"])
    key = {
        "first_year": first,
        "last_year": last,
        "plan_year": plan_year,
        "population": (float(h["population_base"]), float(h["population_horizon"])),
        "women_15_49": (float(h["women_15_49_base"]), float(h["women_15_49_horizon"])),
        "staff_gap_persons": (int(rows.loc[first, "gap_before_persons"]), int(h["staff_gap_before_persons"])),
        "staff_gap_after_persons": (int(rows.loc[first, "gap_after_persons"]), int(h["staff_gap_after_persons"])),
        "staff_gap_fte": (float(rows.loc[first, "gap_before_fte"]), float(h["staff_gap_before_fte"])),
        "hires_persons": int(h["hires_persons"]),
        "area_gap_m2": (float(h["area_gap_base_m2"]), float(h["area_gap_horizon_m2"])),
        "still_to_secure_wan_yuan": float(h["still_to_secure_wan_yuan"]),
        "subsidy_requested_wan_yuan": float(h["subsidy_requested_wan_yuan"]),
        "total_cost_wan_yuan": float(h["total_cost_wan_yuan"]),
        "wisn_need_fte": float(h["wisn_need_fte"]),
        "wisn_in_post_fte": float(h["wisn_in_post_fte"]),
        "technical_retired_persons": int(h["technical_retired_persons"]),
    }
    cards = tables["scorecards"]
    kind = _period_kind(period)
    now = cards[(cards["period"] == period) & (cards["kind"] == kind)]
    county_now = now[now["level"] == "county"]
    township_now = now[now["level"] == "township"]
    order = {"red": 0, "amber": 1}
    flagged = []
    indicators = list(dict.fromkeys(now["indicator"]))
    for code in indicators:
        here = county_now[county_now["indicator"] == code]
        towns = township_now[township_now["indicator"] == code]
        red = [names.get(u, u) for u in towns.loc[towns["status"] == "red", "unit"]]
        amber = [names.get(u, u) for u in towns.loc[towns["status"] == "amber", "unit"]]
        every = len(manifest.get("townships", [])) or len(towns)
        red_text = ui("brief_all_townships", n=every) if red and len(red) == every else "、".join(red)
        amber_text = ui("brief_all_townships", n=every) if amber and len(amber) == every else "、".join(amber)
        status = here["status"].iloc[0] if len(here) else ""
        if status in order or red or amber:
            row = here.iloc[0] if len(here) else towns.iloc[0]
            flagged.append(
                {
                    "indicator": code,
                    "name": row["name"],
                    "status": status,
                    "value": float(here["value"].iloc[0]) if len(here) else float("nan"),
                    "target": row["target"],
                    "unit_label": row["unit_label"],
                    "red_townships": red,
                    "amber_townships": amber,
                    "red_text": red_text,
                    "amber_text": amber_text,
                }
            )
    flagged.sort(key=lambda f: (order.get(f["status"], 2), -len(f["red_townships"]), -len(f["amber_townships"])))
    previous = periods.shift(period, -1)
    before = cards[(cards["period"] == previous) & (cards["kind"] == kind)]
    changes = None
    if len(before):
        county_before = before[before["level"] == "county"].set_index("indicator")["status"]
        merged = county_now.set_index("indicator")[["name", "status"]].join(county_before.rename("before"), how="inner")
        changes = {
            "previous": previous,
            "to_red": merged.loc[(merged["status"] == "red") & (merged["before"] != "red"), "name"].tolist(),
            "to_green": merged.loc[
                (merged["status"] == "green") & merged["before"].isin(["red", "amber"]), "name"
            ].tolist(),
            "township_red_now": int((township_now["status"] == "red").sum()),
            "township_red_before": int((before[before["level"] == "township"]["status"] == "red").sum()),
        }
    short = tables["shortfall"].dropna(subset=["first_short_year"])
    first_short = None
    if len(short):
        row = short.sort_values(["first_short_year", "max_gap_m2"], ascending=[True, False]).iloc[0]
        first_short = {
            "station": names.get(row["station"], row["station"]),
            "year": int(row["first_short_year"]),
            "max_gap_m2": float(row["max_gap_m2"]),
            "stations_short": len(short),
        }
    township_red = township_now[township_now["status"] == "red"].groupby("unit").size().sort_values(ascending=False)
    counted = judged_lights(county_now)  # as the overview's cards count them
    lights = {
        "total": counted["judged"],
        "red": counted["red"],
        "amber": counted["amber"],
        "worst_township": names.get(township_red.index[0], township_red.index[0]) if len(township_red) else None,
        "worst_count": int(township_red.iloc[0]) if len(township_red) else 0,
        "small_sample": county_now.loc[county_now["status"] == "small_sample", "name"].tolist(),
    }
    scenario_name = manifest["scenarios"][scenario][language()]
    as_of = manifest.get("data_as_of", {}).get("last_month")
    return {
        "county": manifest["county"]["name"],
        "county_code": county_code,
        "period": period,
        "period_text": period_text(period),
        "scenario": scenario,
        "scenario_name": scenario_name,
        "as_of": month_text(as_of) if as_of else NO_VALUE,
        "date": date,
        "version": manifest["version"][:12],
        "key": key,
        "flagged": flagged[:limit],
        "not_listed": _not_listed(flagged[limit:]),
        "changes": changes,
        "first_short": first_short,
        "lights": lights,
        "findings": findings(key, lights, first_short, scenario_name, period_text(period)),
    }


def _not_listed(rest: list[dict]) -> str:
    """The line under the indicator table naming how many red and amber indicators it leaves out ("" for none)."""
    if not rest:
        return ""
    red = sum(f["status"] == "red" for f in rest)
    return ui("brief_not_listed", red=red, amber=len(rest) - red)


def _change(value: float, decimals: int = 0) -> str:
    return ui("finding_more" if value >= 0 else "finding_less", value=number(abs(value), decimals))


def findings(key: dict, lights: dict, first_short: dict | None, scenario_name: str, period_name: str) -> list[str]:
    """Three to five sentences from the label table's templates (ui.finding_*), filled with the numbers."""
    (p0, p1), (w0, w1) = key["population"], key["women_15_49"]
    out = [
        ui(
            "finding_population",
            scenario=scenario_name,
            first_year=key["first_year"],
            first=number(p0),
            last_year=key["last_year"],
            last=number(p1),
            change=_change(p1 - p0),
            women_change=_change(w1 - w0),
        )
    ]
    if lights["red"] or lights["amber"]:
        out.append(
            ui(
                "finding_lights",
                period=period_name,
                total=lights["total"],
                red=lights["red"],
                amber=lights["amber"],
                township=lights["worst_township"] or NO_VALUE,
                n=lights["worst_count"],
            )
        )
    else:
        out.append(ui("finding_lights_none", period=period_name, total=lights["total"]))
    if lights.get("small_sample"):  # shown, not judged: never counted as missed (said with the lights)
        out[-1] += ui("finding_small_sample", n=len(lights["small_sample"]), items="、".join(lights["small_sample"]))
    staff = {
        "year": key["last_year"],
        "required": number(key["wisn_need_fte"], 1),
        "existing": number(key["wisn_in_post_fte"], 1),
        "retired": key["technical_retired_persons"],
    }
    if key["staff_gap_persons"][1] > 0:
        out.append(
            ui(
                "finding_staff",
                **staff,
                gap=key["staff_gap_persons"][1],
                plan_year=key["plan_year"],
                hires=key["hires_persons"],
                after=key["staff_gap_after_persons"][1],
            )
        )
    else:
        out.append(ui("finding_staff_none", **staff))
    if first_short:
        out.append(
            ui(
                "finding_area",
                station=first_short["station"],
                year=first_short["year"],
                count=first_short["stations_short"],
            )
        )
    out.append(
        ui(
            "finding_money",
            total=number(key["total_cost_wan_yuan"], 2),
            requested=number(key["subsidy_requested_wan_yuan"], 2),
            missing=number(key["still_to_secure_wan_yuan"], 2),
        )
    )
    return out


# --- presenting ---------------------------------------------------------------------------------------------------


def _targets_text(c: dict) -> str:
    """`` · 评价目标：本县目标`` (the target set the indicators are judged against), or "" when not known."""
    return ui("brief_target_set", name=c["target_set"]) if c.get("target_set") else ""


def key_rows(c: dict) -> tuple[list[str], list[list[str]]]:
    """The key-number table: header and rows (item, now, end of projection)."""
    k = c["key"]
    header = [ui("brief_item"), ui("brief_now", year=k["first_year"]), ui("brief_plan", year=k["last_year"])]
    rows = [
        [ui("brief_population"), number(k["population"][0]), number(k["population"][1])],
        [ui("brief_women"), number(k["women_15_49"][0]), number(k["women_15_49"][1])],
        [ui("brief_staff_gap"), number(k["staff_gap_persons"][0]), number(k["staff_gap_persons"][1])],
        [ui("brief_staff_gap_after"), number(k["staff_gap_after_persons"][0]), number(k["staff_gap_after_persons"][1])],
        [ui("brief_hires"), NO_VALUE, number(k["hires_persons"])],
        [ui("brief_area_gap"), number(k["area_gap_m2"][0]), number(k["area_gap_m2"][1])],
        [ui("brief_money"), number(k["still_to_secure_wan_yuan"], 2), NO_VALUE],
    ]
    return header, rows


def light_rows(c: dict) -> tuple[list[str], list[list[str]], list[str]]:
    """Red and amber indicators: name, county value, county status (coloured), target, the townships where it is red
    (and where amber, when any township is)."""
    from fpplan.data.labels import column_label

    any_amber = any(f["amber_townships"] for f in c["flagged"])
    header = [
        column_label("indicator_name"),
        ui("brief_county_value"),
        column_label("status"),
        column_label("target"),
        enum_label("status", "red") + ui("brief_townships"),
    ]
    header += [enum_label("status", "amber") + ui("brief_townships")] if any_amber else []
    rows, statuses = [], []
    for f in c["flagged"]:
        unit = f["unit_label"] if f["unit_label"] in ("%", "‰") else ""
        whole = not pd.isna(f["value"]) and float(f["value"]).is_integer() and not unit  # a count: 1 起, not 1.00
        value = NO_VALUE if pd.isna(f["value"]) else f"{number(f['value'], 0 if whole else 2)}{unit}"
        word = enum_label("status", f["status"]) if f["status"] else NO_VALUE
        row = [f["name"], value, word, f["target"] or NO_VALUE, f["red_text"] or NO_VALUE]
        rows.append(row + ([f["amber_text"] or NO_VALUE] if any_amber else []))
        statuses.append(f["status"])
    return header, rows, statuses


def change_lines(c: dict) -> list[str]:
    ch = c["changes"]
    if ch is None:
        return [ui("brief_no_previous")]
    lines = []
    if ch["to_red"]:
        lines.append(ui("brief_changed_to_red", items="、".join(ch["to_red"])))
    if ch["to_green"]:
        lines.append(ui("brief_changed_to_green", items="、".join(ch["to_green"])))
    if not lines:
        lines.append(ui("brief_changed_none"))
    lines.append(ui("brief_red_count_change", now=ch["township_red_now"], before=ch["township_red_before"]))
    return lines


def short_line(c: dict) -> str:
    s = c["first_short"]
    if s is None:
        return ui("brief_no_short")
    return ui("brief_first_short", station=s["station"], year=s["year"], gap=number(s["max_gap_m2"]))


def key_numbers_html(c: dict, caption: str | None = None) -> str:
    """The key numbers as a small table (the report's cover shows them too)."""
    header, rows = key_rows(c)
    caption = caption or ui("brief_key_numbers")
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join(
        "<tr>" + "".join(f"<td{' class=fp-num' if k else ''}>{html.escape(v)}</td>" for k, v in enumerate(r)) + "</tr>"
        for r in rows
    )
    return (
        f"<table class='fp-table fp-key'><caption>{html.escape(caption)}</caption>"
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    )


def summary_html(c: dict) -> str:
    """The key numbers and the findings, for the report's first page."""
    found = "".join(f"<li>{html.escape(s)}</li>" for s in c["findings"])
    return (
        key_numbers_html(c, ui("cover_key_numbers"))
        + f"<p class='fp-caption'><b>{html.escape(ui('cover_findings'))}</b></p>"
        f"<ol class='fp-findings'>{found}</ol>"
    )


def to_html(c: dict, zoom: float = 1.0) -> str:
    """The brief as one A4 page of HTML (the PDF is printed from it); ``zoom`` below 1 when it would spill over."""
    from fpplan.app.style import FONT
    from fpplan.app.tables import css

    title = ui("brief_title", county=c["county"], period=c["period_text"])
    sub = ui("brief_subtitle", scenario=c["scenario_name"], as_of=c["as_of"], date=c["date"]) + _targets_text(c)
    header, rows, statuses = light_rows(c)
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join(
        "<tr>"
        + "".join(
            f"<td{f' class=fp-{s}' if k == 2 and s else (' class=fp-num' if k == 1 else '')}>{html.escape(v)}</td>"
            for k, v in enumerate(r)
        )
        + "</tr>"
        for r, s in zip(rows, statuses)
    )
    lights = (
        f"<table class='fp-table'><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
        if rows
        else f"<p>{html.escape(ui('brief_none_red'))}</p>"
    )
    if c.get("not_listed"):
        lights += f"<p>{html.escape(c['not_listed'])}</p>"
    changes = "".join(f"<p>{html.escape(line)}</p>" for line in change_lines(c) + [short_line(c)])
    found = "".join(f"<li>{html.escape(s)}</li>" for s in c["findings"])
    style = (
        f"@page{{size:A4 portrait;margin:11mm 12mm 11mm 12mm;}}body{{font-family:{FONT};font-size:9.5pt;"
        "margin:0;color:#000;}h1{font-size:15pt;text-align:center;margin:0 0 2px 0;}"
        ".sub{text-align:center;color:#424242;font-size:9pt;margin-bottom:6px;}"
        "h2{font-size:11pt;margin:8px 0 3px 0;}p{margin:2px 0;}ol{margin:2px 0 0 0;padding-left:20px;}"
        "li{margin:2px 0;}" + css() + "table.fp-table{font-size:8.5pt;margin:2px 0 4px 0;}"
        "table.fp-table td{padding:1px 3px;}table.fp-table td:first-child,table.fp-table th{white-space:nowrap;}"
        f"body{{zoom:{zoom};}}"
    )
    return (
        f"<!DOCTYPE html><html lang='zh'><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
        f"<style>{style}</style></head><body><h1>{html.escape(title)}</h1>"
        f"<div class='sub'>{html.escape(sub)}</div>"
        f"{key_numbers_html(c)}<h2>{html.escape(ui('brief_lights'))}</h2>{lights}"
        f"<h2>{html.escape(ui('brief_changes'))}</h2>{changes}"
        f"<h2>{html.escape(ui('brief_findings'))}</h2><ol>{found}</ol></body></html>"
    )


def to_docx(c: dict, path: Path) -> Path:
    """The brief as a Word document: A4, 宋体/黑体, the same headings, tables and sentences as the PDF."""
    from docx import Document
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt, RGBColor

    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = Mm(16)
    section.top_margin = section.bottom_margin = Mm(14)

    def font(run, size: float, bold: bool = False, face: str = "宋体") -> None:
        run.font.size, run.font.bold, run.font.name = Pt(size), bold, face
        run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), face)

    def paragraph(text: str, size: float = 10, bold: bool = False, face: str = "宋体", center: bool = False):
        p = doc.add_paragraph()
        p.paragraph_format.space_after = Pt(2)
        p.paragraph_format.space_before = Pt(0)
        if center:
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        font(p.add_run(text), size, bold, face)
        return p

    def table(header: list[str], rows: list[list[str]], colours: list[str] | None = None, numeric_from: int = 1):
        t = doc.add_table(rows=1, cols=len(header))
        t.style = "Table Grid"
        t.alignment = WD_TABLE_ALIGNMENT.CENTER
        for cell, text in zip(t.rows[0].cells, header):
            cell.text = ""
            font(cell.paragraphs[0].add_run(text), 9, True, "黑体")
        for k, row in enumerate(rows):
            cells = t.add_row().cells
            for j, (cell, text) in enumerate(zip(cells, row)):
                cell.text = ""
                run = cell.paragraphs[0].add_run(text)
                font(run, 9)
                if colours and j == 2 and colours[k] in ("red", "amber"):
                    run.font.color.rgb = (
                        RGBColor(0xC6, 0x28, 0x28) if colours[k] == "red" else RGBColor(0xB2, 0x6A, 0x00)
                    )
                    run.font.bold = True
                if numeric_from and j >= numeric_from and not colours:
                    cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
        return t

    paragraph(ui("brief_title", county=c["county"], period=c["period_text"]), 16, True, "黑体", center=True)
    paragraph(
        ui("brief_subtitle", scenario=c["scenario_name"], as_of=c["as_of"], date=c["date"]) + _targets_text(c),
        9,
        center=True,
    )
    paragraph(ui("brief_key_numbers"), 11, True, "黑体")
    table(*key_rows(c))
    paragraph(ui("brief_lights"), 11, True, "黑体")
    header, rows, statuses = light_rows(c)
    if rows:
        table(header, rows, statuses)
    else:
        paragraph(ui("brief_none_red"))
    if c.get("not_listed"):
        paragraph(c["not_listed"])
    paragraph(ui("brief_changes"), 11, True, "黑体")
    for line in change_lines(c) + [short_line(c)]:
        paragraph(line)
    paragraph(ui("brief_findings"), 11, True, "黑体")
    for k, sentence in enumerate(c["findings"], start=1):
        paragraph(f"{k}. {sentence}")
    doc.core_properties.title = ui("brief_title", county=c["county"], period=c["period_text"])
    doc.save(path)
    return path


def write(c: dict, folder: Path) -> dict[str, Path | None]:
    """The brief as Word and PDF in ``folder`` (named by county and period)."""
    from fpplan.app.printing import page_count, to_pdf

    folder.mkdir(parents=True, exist_ok=True)
    name = ui("brief_file", county=c["county"], period=c["period_text"])
    docx = to_docx(c, folder / f"{name}.docx")
    page = folder / f".{name}.html"
    pdf = None
    try:
        for zoom in ZOOMS:  # one page: printed smaller only when a long list of townships would spill over
            page.write_text(to_html(c, zoom), encoding="utf-8")
            pdf = to_pdf(page, folder / f"{name}.pdf")
            if pdf is None or page_count(pdf) <= 1:
                break
    finally:
        page.unlink(missing_ok=True)
    return {"docx": docx, "pdf": pdf}


def run_brief(
    data_dir: str,
    period: str | None,
    scenario: str | None,
    out: str,
    date: str | None = None,
    store: str | None = None,
    target_set: str | None = None,
) -> int:
    """``fpplan brief COUNTY --period 2025Q3 [--targets SET] --out DIR``: the brief of the period into DIR."""
    import datetime as dt

    from fpplan.app.results import prepare

    manifest, period, scenario = prepare(data_dir, period, scenario, store, target_set)
    c = content(manifest, period, scenario, date or dt.date.today().isoformat(), target_set)
    for path in write(c, Path(out)).values():
        if path is not None:
            print(path)
    return 0
