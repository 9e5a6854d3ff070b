"""A region's brief and report (``fpplan brief REGION``, ``fpplan report REGION``), from the region's results
(``fpplan.app.region_results``: each county's results, read from its own store, and the region summary).

- The brief (地区简报, PDF by headless chromium as the county brief): one page of the region's key numbers (the
  counties' sums) and rankings (the counties first by each measure), then each county's brief (``fpplan.app.brief``,
  one page each, of the period asked for or the county's newest complete quarter), and each county's brief as Word
  and PDF beside it.
- The report (地区报告, HTML and PDF): the same first page, the region's indicators for the period rolled up from the
  counties' scorecards (Σ numerators / Σ denominators: ``fpplan.indicators.regions.roll_up``), every county's row of
  the ranking table, the 地区总览 figures, then the counties' briefs; the brief beside it. Everything goes into
  ``OUT/<region code>_<period>_<scenario>/``, built aside and put in place whole (``--replace`` to replace).

Numbers are the region summary's and the counties' results'; this module only formats them.
"""

from __future__ import annotations

import datetime as dt
import html
import re
import shutil
import time
from pathlib import Path

from fpplan.app.tables import NO_VALUE, number
from fpplan.data.errors import DataError
from fpplan.data.labels import month_text, ui

TOP = 5  # counties named per measure on the first page
TABLE_MAX = 15  # counties whose whole ranking table still fits on the brief's first page


def no_store(region_dir: str | Path, store: str | None) -> None:
    """A region's counties keep their own stores: ``--store`` is refused (DataError) rather than ignored."""
    if store:
        from fpplan.data.errors import Problem

        raise DataError([Problem(file=str(region_dir), kind="region_store", value=str(store))])


def prepare(region_dir: str | Path, period: str | None, scenario: str | None):
    """The region's results brought up to date, the period and scenario checked against every county's results
    (all problems at once): (summary, overview document, {code: (manifest, period, scenario)})."""
    from fpplan.app import region_results, results
    from fpplan.app.results import all_problems, period_of, scenario_of

    region_results.ensure_region_results(region_dir)
    summary = region_results.current(region_dir)
    counties, problems = {}, []
    for row in summary["counties"]:
        manifest = results.current(Path(region_dir) / row["folder"])
        found = all_problems(lambda m=manifest: period_of(m, period), lambda m=manifest: scenario_of(m, scenario))
        problems += found
        if not found:
            counties[row["code"]] = (manifest, period_of(manifest, period), scenario_of(manifest, scenario))
    if problems:
        raise DataError(problems)
    return summary, region_results.document(summary, "overview"), counties


def as_of(summary: dict) -> str:
    first, last = summary["data_as_of"]["first_month"], summary["data_as_of"]["last_month"]
    if first is None:
        return NO_VALUE
    return month_text(first) if first == last else f"{month_text(first)}—{month_text(last)}"


def region_period(counties: dict) -> str:
    found = sorted({period for _, period, _ in counties.values()})
    return found[0] if len(found) == 1 else f"{found[0]}-{found[-1]}"


def key_table(doc: dict) -> str:
    rows = "".join(
        f"<tr><td>{html.escape(c['title'])}</td><td class='fp-num'>{html.escape(c['value'])}</td></tr>"
        for c in doc["cards"]
    )
    return (
        f"<table class='fp-table fp-key'><caption>{html.escape(ui('region_key_numbers'))}</caption>"
        f"<tbody>{rows}</tbody></table>"
    )


def top_lines(summary: dict, doc: dict) -> list[str]:
    """For each measure, the counties first by it (at most TOP), with their values as the page shows them."""
    rows = {r["code"]: r for r in doc["rows"]}
    titles = {c["key"]: c["title"] for c in doc["columns"]}
    out = []
    for measure in summary["measures"]:
        first = [rows[code] for code in summary["rankings"][measure][:TOP] if rows[code]["values"][measure]]
        if first:
            named = "、".join(f"{r['name']}（{r['cells'][measure]}）" for r in first)
            out.append(ui("region_top", measure=titles.get(measure) or ui(f"region_measure_{measure}"), counties=named))
    return out


def first_page(summary: dict, doc: dict, title: str, subtitle: str) -> str:
    """Title, key numbers, the counties first by each measure, and (a region of up to TABLE_MAX counties) the
    ranking table."""
    lines = "".join(f"<li>{html.escape(line)}</li>" for line in top_lines(summary, doc))
    table = ranking_table(doc, summary["measures"][0]) if len(doc["rows"]) <= TABLE_MAX else ""
    return (
        f"<section class='fp-region'><h1>{html.escape(title)}</h1><div class='sub'>{html.escape(subtitle)}</div>"
        f"{key_table(doc)}<h2>{html.escape(ui('region_rankings'))}</h2><ol class='fp-top'>{lines}</ol>{table}"
        "</section>"
    )


def ranking_table(doc: dict, by: str) -> str:
    from fpplan.app.panels.region import ordered_rows

    head = "".join(f"<th>{html.escape(c['title'])}</th>" for c in doc["columns"])
    body = "".join(
        f"<tr><td class='fp-num'>{k}</td><td>{html.escape(r['name'])}</td>"
        + "".join(f"<td class='fp-num'>{html.escape(r['cells'][c['key']])}</td>" for c in doc["columns"])
        + "</tr>"
        for k, r in enumerate(ordered_rows(doc, by), start=1)
    )
    return (
        f"<table class='fp-table'><thead><tr><th>{html.escape(ui('region_rank'))}</th>"
        f"<th>{html.escape(ui('region_county'))}</th>{head}</tr></thead><tbody>{body}</tbody></table>"
    )


def indicators_table(counties: dict, summary: dict) -> tuple[str, str]:
    """The region's county-level indicators of the period rolled up from the counties' scorecards (when every
    county has the period), as (title, table)."""
    import pandas as pd

    from fpplan.app import results
    from fpplan.indicators.regions import roll_up

    periods = {period for _, period, _ in counties.values()}
    if len(periods) != 1:
        return "", ""
    [period] = periods
    frames = []
    for code, (manifest, _, _) in counties.items():
        cards = results.table(manifest, "scorecards")
        frames.append(cards[(cards["level"] == "county") & (cards["period"] == period)].assign(county=code))
    region = roll_up(pd.concat(frames, ignore_index=True))
    from fpplan.data.labels import column_label

    head = "".join(f"<th>{html.escape(column_label(c))}</th>" for c in ("indicator_name", "value", "target"))
    head += f"<th>{html.escape(ui('region_counties_met'))}</th>"
    body = "".join(
        f"<tr><td>{html.escape(str(r.name))}</td><td class='fp-num'>{number(r.value, 2)}</td>"
        f"<td>{html.escape(str(r.target) if isinstance(r.target, str) and r.target else NO_VALUE)}</td>"
        f"<td class='fp-num'>{r.units_met} / {r.units_counted}</td></tr>"
        for r in region.itertuples()
    )
    title = ui("region_indicators", period=period, n=len(counties))
    return title, f"<table class='fp-table'><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def county_sections(counties: dict, date: str) -> tuple[str, str, dict]:
    """Each county's brief (``fpplan.app.brief``) as a page of the document: (its style, the sections, their
    contents by county code)."""
    from fpplan.app import brief

    style, sections, contents = "", [], {}
    for code, (manifest, period, scenario) in counties.items():
        c = contents[code] = brief.content(manifest, period, scenario, date)
        page = brief.to_html(c)
        style = style or re.search(r"<style>(.*?)</style>", page, re.DOTALL).group(1)
        body = re.search(r"<body>(.*?)</body>", page, re.DOTALL).group(1)
        sections.append(f"<section class='fp-county'>{body}</section>")
    style = re.sub(r"body\{zoom:[^}]*\}", "", style)
    return style, "".join(sections), contents


STYLE = (
    ".fp-region .sub{text-align:center;color:#424242;font-size:9pt;margin-bottom:8px}"
    ".fp-region h1{font-size:16pt}.fp-top li{margin:3px 0;line-height:1.5}"
    ".fp-county,.fp-part{break-before:page;page-break-before:always}"
    "table.fp-key td:first-child{white-space:nowrap}"
    ".fp-figure svg{width:100%;height:auto}.fp-figure{break-inside:avoid;margin:6px 0}"
    ".fp-region table.fp-table th{white-space:normal}"
)


def document(title: str, style: str, body: str) -> str:
    return (
        f"<!DOCTYPE html><html lang='zh'><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
        f"<style>{style}{STYLE}</style></head><body>{body}</body></html>"
    )


def write_pdf(page_html: str, pdf: Path) -> Path | None:
    """The document printed to PDF by headless chromium (``fpplan.app.printing.to_pdf``)."""
    from fpplan.app.printing import to_pdf

    page = pdf.with_name(f".{pdf.stem}.html")
    page.write_text(page_html, encoding="utf-8")
    try:
        return to_pdf(page, pdf)
    finally:
        page.unlink(missing_ok=True)


def brief_files(summary: dict, doc: dict, counties: dict, folder: Path, date: str) -> dict[str, Path | None]:
    """The region brief (PDF) in ``folder``, and each county's brief (Word and PDF) in its sub-folder."""
    from fpplan.app import brief

    region = summary["region"]["name"]
    title = ui("region_brief_title", region=region)
    subtitle = ui("region_brief_subtitle", n=len(summary["counties"]), as_of=as_of(summary), date=date)
    style, sections, contents = county_sections(counties, date)
    folder.mkdir(parents=True, exist_ok=True)
    name = ui("region_brief_file", region=region)
    pdf = write_pdf(
        document(title, style, first_page(summary, doc, title, subtitle) + sections), folder / f"{name}.pdf"
    )
    for c in contents.values():
        brief.write(c, folder / ui("region_counties_briefs"))
    return {"pdf": pdf}


def run_region_brief(
    region_dir: str, period: str | None, scenario: str | None, out: str, date: str | None = None
) -> int:
    """``fpplan brief REGION --out DIR``: the region brief and the counties' briefs into DIR."""
    summary, doc, counties = prepare(region_dir, period, scenario)
    folder = Path(out)
    files = brief_files(summary, doc, counties, folder, date or dt.date.today().isoformat())
    for path in [files["pdf"], *sorted((folder / ui("region_counties_briefs")).iterdir())]:
        if path is not None:
            print(path)
    return 0


def report_html(summary: dict, doc: dict, counties: dict, date: str, scenario: str) -> str:
    region = summary["region"]["name"]
    title = ui("region_report_title", region=region)
    subtitle = ui("region_brief_subtitle", n=len(summary["counties"]), as_of=as_of(summary), date=date)
    style, sections, _ = county_sections(counties, date)
    indicators_title, indicators = indicators_table(counties, summary)
    figures = "".join(f"<div class='fp-figure'>{svg}</div>" for svg in doc.get("images", {}).values())
    ranking = (
        f"<section class='fp-part'><h2>{html.escape(ui('region_rankings'))}</h2>"
        f"{ranking_table(doc, summary['measures'][0])}{figures}</section>"
    )
    lights = (
        f"<section class='fp-part'><h2>{html.escape(indicators_title)}</h2>{indicators}</section>" if indicators else ""
    )
    return document(title, style, first_page(summary, doc, title, subtitle) + ranking + lights + sections)


def run_region_report(
    region_dir: str,
    scenario: str | None = "medium",
    out: str = "reports",
    period: str | None = None,
    replace: bool = False,
    date: str | None = None,
) -> int:
    """``fpplan report REGION``: the region report (HTML, PDF) and brief into ``OUT/<region>_<period>_<scenario>/``."""
    from fpplan.app.printing import page_count
    from fpplan.app.reports import print_written, put_in_place
    from fpplan.data.errors import Problem

    start = time.perf_counter()
    summary, doc, counties = prepare(region_dir, period, scenario)
    date = date or dt.date.today().isoformat()
    scenario_used = min({s for _, _, s in counties.values()})
    target = Path(out) / f"{summary['region']['code']}_{region_period(counties)}_{scenario_used}"
    if target.exists() and not replace:
        raise DataError([Problem(file=str(target), kind="report_exists", detail=str(target))])
    staging = Path(out) / f".{target.name}.building"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    try:
        name = ui("region_report_file", region=summary["region"]["name"])
        page = staging / f"{name}.html"
        page.write_text(report_html(summary, doc, counties, date, scenario_used), encoding="utf-8")
        from fpplan.app.printing import to_pdf

        pdf = to_pdf(page)
        brief_files(summary, doc, counties, staging, date)
        info = {
            "region": summary["region"],
            "version": summary["version"],
            "counties": len(counties),
            "periods": {code: period for code, (_, period, _) in counties.items()},
            "scenario": scenario_used,
            "date": date,
            "pages": page_count(pdf) if pdf else None,
        }
        put_in_place(staging, target, info)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    print_written(target, info, start)
    return 0
