"""Tables as officials write them, for reports, the brief and the notebooks: Chinese headers with units (the label
table), names instead of codes, enumerations and statuses in words (statuses also in colour), numbers with
thousands separators and fixed decimals (config/report.yaml: by indicator, column or unit), years as years, and
every row: an HTML ``<table>`` with a ``<thead>`` that print CSS repeats on every page (never a pandas Styler, never
truncated, no scroll bar).

``present(frame, ...)`` returns the table as text cells (what is printed), ``html_table`` the HTML, ``show`` puts it in
a notebook. ``scorecard_rows`` and ``scorecard_matrix`` present an indicator scorecard (per-row decimals).
"""

from __future__ import annotations

import html
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache

import numpy as np
import pandas as pd

from fpplan.app.style import STATUS_COLOURS, STATUS_TEXT
from fpplan.data.labels import column_label, enum_label, label, ui
from fpplan.data.labels import table as label_table

STATUS_COLUMNS = {"status": "status", "attention": "status"}
# columns holding codes of units or stations: shown as names (here and in the workbook, fpplan.app.workbook)
CODE_COLUMNS = {
    "unit",
    "station",
    "station_code",
    "township_code",
    "village_code",
    "region",
    "facility_code",
    "nearest_station",
    "site",
}
# a code column's header once it shows names: 服务站, 乡镇, 村, 地区 (``label`` arguments)
CODE_HEADERS = {
    "station": ("columns", "station"),
    "station_code": ("columns", "station"),
    "nearest_station": ("columns", "nearest_station"),
    "facility_code": ("columns", "station"),
    "township_code": ("enums.level", "township"),
    "village_code": ("enums.level", "village"),
    "site": ("enums.level", "village"),
    "region": ("columns", "region"),
}
YEAR_COLUMNS = {
    "year",
    "start_year",
    "completion_year",
    "opening_year",
    "purchase_year",
    "first_short_year",
    "last_short_year",
    "year_acquired",
    "plan_year",
}
# column → enumeration of the label table whose words it holds
ENUM_COLUMNS = {
    "level": "station_level",
    "mode": "mode",
    "target_grade": "grade",
    "grade": "grade",
    "cadre": "specialty",
    "specialty": "specialty",
    "education": "education",
    "title": "title",
    "licence": "licence",
    "rule": "structure_rule",
    "upgrade": "upgrade",
    "holds": "holds",
    "measured_in": "structure_measure",
    "category": "category",
    "funding": "funding",
    "field": "field",
    "constraint": "constraint",
    "need": "need",
    "class": "need_class",
    "sex": "sex",
    "stage": "stage",
    "scenario_kind": "kind",
    "status": "status",
    "service": "service",
    "access": "access",
    "exam_type": "exam_type",
    "consequence": "consequence",
}
NO_VALUE = "—"


@cache
def config(county_dir: str | None = None):
    """The report configuration (config/report.yaml of the county, else the package's)."""
    from pathlib import Path

    from fpplan.data.config import load

    return load("report", Path(county_dir) if county_dir else None)


def number(value, decimals: int = 0) -> str:
    """``12345.678`` → ``12,345.68``: thousands separated, decimals fixed, halves rounded up as officials round
    (1,234.5 → 1,235); missing → ``—``; never ``-0.00``."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA or value is pd.NaT:
        return NO_VALUE
    try:
        x = float(value)
    except (TypeError, ValueError):
        return str(value)
    if math.isnan(x):
        return NO_VALUE
    from decimal import ROUND_HALF_UP, Decimal

    rounded = Decimal(repr(x)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)  # 2.675 → 2.68
    if rounded == 0:
        rounded = abs(rounded)  # no "-0.00"
    return f"{rounded:,.{decimals}f}"


def year(value) -> str:
    """A year as a year: ``2029.0`` → ``2029``; missing → ``—``."""
    if value is None or value == "" or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return NO_VALUE
    return str(int(float(value)))


def column_decimals(column: str, values: pd.Series | None = None, cfg=None) -> int:
    """Decimals of a numeric column: its own setting, else its label's unit, else whole numbers when every value is
    whole, else the default."""
    cfg = cfg or config()
    if column in cfg.columns:
        return cfg.columns[column]
    unit = label_table().get("columns", {}).get(column, {}).get("unit")
    if unit in cfg.label_units:
        return cfg.label_units[unit]
    if values is not None:
        finite = pd.to_numeric(values, errors="coerce").dropna().to_numpy(float)
        if len(finite) and np.all(np.abs(finite - np.round(finite)) < 1e-9):
            return 0
    return cfg.default


def indicator_decimals(catalogue, cfg=None) -> dict[str, int]:
    """Decimals of every indicator of the catalogue: its own setting, else its unit's."""
    cfg = cfg or config()
    return {
        code: cfg.indicators.get(code, cfg.indicator_units.get(ind.unit, cfg.default))
        for code, ind in catalogue.indicators.items()
    }


def header(column) -> str:
    """A column's header: the label with its unit (``建筑面积(m²)``); years as years; ``类别:来源`` money columns as
    类别·来源(万元); code columns shown as names under 服务站 / 乡镇 / 村 / 地区."""
    if isinstance(column, (int, np.integer)) or (isinstance(column, str) and column.isdigit() and len(column) == 4):
        return str(column)
    column = str(column)
    if ":" in column:
        category, funding = column.split(":", 1)
        first = label("columns", "total") if category == "total" else enum_label("category", category)
        second = label("columns", "total") if funding == "total" else enum_label("funding", funding)
        return f"{first}·{second}({ui('wan_yuan')})"
    if column in CODE_HEADERS:
        return label(*CODE_HEADERS[column])
    return column_label(column)


@dataclass(frozen=True)
class Presented:
    """A table ready to print: text cells under their headers, and a status (or "") per cell for its colour."""

    cells: pd.DataFrame
    statuses: pd.DataFrame
    numeric: list[bool]


def present(
    frame: pd.DataFrame,
    names: Mapping[str, str] | None = None,
    keep_codes: Iterable[str] = (),
    decimals: int | Mapping[str, int] | None = None,
    row_decimals: pd.Series | None = None,
    row_decimal_columns: Iterable[str] = (),
    enums: Mapping[str, str] | None = None,
    headers: Mapping[str, str] | None = None,
    cfg=None,
) -> Presented:
    """``frame`` as officials read it. Code columns (unit, station, region, …) become names from ``names`` (those in
    ``keep_codes`` keep a code column beside the name); enumerations and statuses become words; booleans 是/否;
    numbers get their decimals (``decimals``: one for all or per column; ``row_decimals`` per row for the columns in
    ``row_decimal_columns``, e.g. an indicator's value, previous value and change); years stay years; headers come
    from the label table (``headers`` overrides)."""
    cfg = cfg or config()
    names = names or {}
    frame = frame.reset_index(drop=True)
    keep = set(keep_codes)
    per_row = set(row_decimal_columns)
    enum_of = ENUM_COLUMNS | dict(enums or {})
    cells: dict[str, list[str]] = {}
    statuses: dict[str, list[str]] = {}
    numeric: list[bool] = []
    blank = [""] * len(frame)
    for column in frame.columns:
        values = frame[column]
        key = str(column)
        title = (headers or {}).get(key) or header(column)
        is_number = False
        status = blank
        if key in STATUS_COLUMNS:
            status = [v if v in STATUS_COLOURS else "" for v in values]
            text = [enum_label("status", v) if isinstance(v, str) and v else NO_VALUE for v in values]
        elif key in CODE_COLUMNS:
            if key in keep:  # an official needs the code too: a code column before the name
                code_title = f"{_code_header(key)}{label('columns', 'code')}"
                cells[code_title], statuses[code_title] = [str(v) for v in values], blank
                numeric.append(False)
            text = [names.get(str(v), str(v)) if isinstance(v, str) and v else NO_VALUE for v in values]
            title = (headers or {}).get(key) or _code_header(key)
        elif key in enum_of and not pd.api.types.is_numeric_dtype(values):
            text = [enum_label(enum_of[key], v) if isinstance(v, str) and v else NO_VALUE for v in values]
        elif pd.api.types.is_bool_dtype(values) or _booleans(values):
            text = [
                enum_label("bool", str(bool(v)).lower()) if isinstance(v, (bool, np.bool_)) else NO_VALUE
                for v in values
            ]
        elif key in YEAR_COLUMNS or key.endswith("_year"):
            text = [year(v) for v in values]
        elif pd.api.types.is_numeric_dtype(values):
            is_number = True
            if key in per_row and row_decimals is not None:
                text = [number(v, int(d)) for v, d in zip(values, row_decimals.reset_index(drop=True))]
            else:
                if isinstance(decimals, int):
                    d = decimals
                elif isinstance(decimals, Mapping) and key in decimals:
                    d = decimals[key]
                else:
                    d = column_decimals(key, values, cfg)
                text = [number(v, d) for v in values]
        else:
            text = [
                NO_VALUE if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA else str(v)
                for v in values
            ]
        cells[title] = text
        statuses[title] = status
        numeric.append(is_number)
    return Presented(pd.DataFrame(cells, dtype=object), pd.DataFrame(statuses, dtype=object), numeric)


def _booleans(values: pd.Series) -> bool:
    """A column of booleans with blanks (object dtype): shown as 是/否."""
    if values.dtype != object or not len(values):
        return False
    flags = values.map(lambda v: isinstance(v, (bool, np.bool_)))
    blank = values.map(lambda v: v is None or v == "" or (isinstance(v, float) and math.isnan(v)))
    return bool(flags.any() and (flags | blank).all())


def _code_header(key: str) -> str:
    """The header of a code column shown as names: 乡镇, 服务站, 村, 地区; 名称 for a unit of any level."""
    return header(key) if key in CODE_HEADERS else label("columns", "name")


def html_table(
    frame: pd.DataFrame | Presented,
    caption: str | None = None,
    table_id: str | None = None,
    note: str | None = None,
    **present_args,
) -> str:
    """The table as HTML: caption, ``<thead>`` (repeated on every printed page), every row in ``<tbody>``, status cells
    in colour, numbers right-aligned and unbroken. No row is ever left out."""
    shown = frame if isinstance(frame, Presented) else present(frame, **present_args)
    cells, statuses = shown.cells, shown.statuses
    out = [f"<table class='fp-table'{f' id={chr(39)}{table_id}{chr(39)}' if table_id else ''}>"]
    if caption:
        out.append(f"<caption>{html.escape(caption)}</caption>")
    out.append("<thead><tr>" + "".join(f"<th>{html.escape(str(c))}</th>" for c in cells.columns) + "</tr></thead>")
    out.append("<tbody>")
    classes = ["fp-num" if n else "" for n in shown.numeric]
    for row, status_row in zip(cells.itertuples(index=False), statuses.itertuples(index=False)):
        tds = []
        for value, status, cls in zip(row, status_row, classes):
            names = " ".join(filter(None, [cls, f"fp-{status}" if status else ""]))
            attr = f" class='{names}'" if names else ""
            tds.append(f"<td{attr}>{html.escape(str(value))}</td>")
        out.append("<tr>" + "".join(tds) + "</tr>")
    out.append("</tbody></table>")
    if not len(cells):
        out.append(f"<p class='fp-note'>{html.escape(ui('no_rows'))}</p>")
    if note:
        out.append(f"<p class='fp-note'>{html.escape(note)}</p>")
    return "".join(out)


def show(
    frame: pd.DataFrame | Presented, caption: str | None = None, landscape: bool = False, legend: bool = False, **kwargs
) -> None:
    """Display the table in a notebook (the same HTML the report prints); ``landscape`` puts it on landscape pages,
    ``legend`` adds what each status colour means under it."""
    from IPython.display import HTML, display

    body = html_table(frame, caption, **kwargs) + (status_legend() if legend else "")
    display(HTML(f"<div class='fp-landscape'>{body}</div>" if landscape else body))


def status_legend() -> str:
    """A line of coloured status words (what each colour of a scorecard means)."""
    spans = [
        f"<span class='fp-{s}' style='padding:1px 6px;margin-right:6px'>{html.escape(enum_label('status', s))}</span>"
        for s in STATUS_COLOURS
    ]
    return f"<p class='fp-legend'>{html.escape(ui('status_legend'))}：{''.join(spans)}</p>"


def css() -> str:
    """The table and status styles (screen and print): the header row repeats on each page, rows never split."""
    colours = "".join(
        f".fp-{s}{{background:{bg} !important;color:{STATUS_TEXT[s]} !important;}}" for s, bg in STATUS_COLOURS.items()
    )
    return (
        "table.fp-table{border-collapse:collapse;width:100%;margin:4px 0 10px 0;font-size:9pt;table-layout:auto;}"
        "table.fp-table caption{caption-side:top;text-align:left;font-weight:600;font-size:10.5pt;padding:4px 0;}"
        "table.fp-table th,table.fp-table td{border:0.5pt solid #9e9e9e;padding:2px 4px;vertical-align:top;"
        "word-break:normal;overflow-wrap:break-word;}"
        "table.fp-table th{background:#eceff1 !important;font-weight:600;text-align:center !important;"
        "vertical-align:middle;}"
        "table.fp-table td{text-align:left;}"
        "table.fp-table td.fp-num{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums;}"
        "table.fp-table thead{display:table-header-group;}"
        "table.fp-table tr{break-inside:avoid;page-break-inside:avoid;}"
        "p.fp-note,p.fp-legend{font-size:8.5pt;color:#424242;margin:2px 0 8px 0;}"
        + colours
        + "*{-webkit-print-color-adjust:exact;print-color-adjust:exact;}"
    )


# --- scorecards ---------------------------------------------------------------------------------------------------


def scorecard_rows(
    card: pd.DataFrame,
    catalogue,
    names: Mapping[str, str] | None = None,
    columns: Iterable[str] = ("name", "value", "unit_label", "target", "status", "previous", "change", "note_text"),
    by_unit: bool = False,
    cfg=None,
) -> Presented:
    """A scorecard (fpplan.indicators.scorecard columns) as rows: indicator name, value to the indicator's decimals,
    unit, target, status in words and colour, previous period, change, note; ``by_unit`` puts the unit's name first."""
    from fpplan.indicators.scorecard import note_text

    card = card.reset_index(drop=True)
    digits = pd.Series([indicator_decimals(catalogue, cfg).get(code, 2) for code in card["indicator"]])
    frame = card.assign(note_text=note_text(card)) if "note_text" in columns else card
    if "target_source" in frame:  # the item of the target set (its name goes under the table): 二7
        frame = frame.assign(target_source=frame["target_source"].map(source_item))
    keep = (["unit"] if by_unit else []) + [c for c in columns if c in frame]
    headers = {
        "name": label("columns", "indicator_name"),
        "note_text": label("columns", "note"),
        "unit": label("enums.level", "township"),
        "value": ui("scorecard_value"),
    }
    return present(
        frame[keep],
        names=names,
        row_decimals=digits,
        row_decimal_columns=(
            "value",
            "previous",
            "change",
            "forecast",
            "forecast_lower",
            "forecast_upper",
            "lower",
            "upper",
        ),
        headers=headers,
        cfg=cfg,
    )


def source_item(source) -> str:
    """A target's citation as officials refer to it (the scorecard's target_source: ``《…》二7``; a bare config source
    ``二7: 近三年出生性别比…`` → ``二7``)."""
    text = str(source or "").strip()
    return text.split(":", 1)[0].strip() if text else NO_VALUE


def scorecard_matrix(
    card: pd.DataFrame,
    catalogue,
    names: Mapping[str, str],
    units: list[str],
    county_card: pd.DataFrame | None = None,
    cfg=None,
) -> Presented:
    """Indicator × township (and the county): each cell the value to the indicator's decimals, coloured by status;
    every indicator of the card and every township in ``units`` (a missing cell is ``—``)."""
    digits = indicator_decimals(catalogue, cfg)
    indicators = list(dict.fromkeys(card["indicator"]))
    if county_card is not None and len(county_card):
        indicators += [i for i in dict.fromkeys(county_card["indicator"]) if i not in indicators]
    lang_names = dict(zip(card["indicator"], card["name"]))
    if county_card is not None:
        lang_names |= dict(zip(county_card["indicator"], county_card["name"]))
    by = card.set_index(["unit", "indicator"])
    columns = list(units) + ([county_card["unit"].iloc[0]] if county_card is not None and len(county_card) else [])
    if county_card is not None and len(county_card):
        by = pd.concat([by, county_card.set_index(["unit", "indicator"])])
    cells = {
        label("columns", "indicator_name"): [lang_names.get(i, i) for i in indicators],
        label("columns", "target"): [_first(by, columns, i, "target") for i in indicators],
    }
    statuses = {k: [""] * len(indicators) for k in cells}
    for unit in columns:
        title = names.get(unit, unit)
        values, marks = [], []
        for code in indicators:
            if (unit, code) in by.index:
                row = by.loc[(unit, code)]
                values.append(number(row["value"], digits.get(code, 2)))
                marks.append(row["status"])
            else:
                values.append(NO_VALUE)
                marks.append("")
        cells[title], statuses[title] = values, marks
    numeric = [False, False] + [True] * len(columns)
    return Presented(pd.DataFrame(cells, dtype=object), pd.DataFrame(statuses, dtype=object), numeric)


def _first(by: pd.DataFrame, units: list[str], code: str, column: str) -> str:
    for unit in reversed(units):  # the county's target first (townships may differ)
        if (unit, code) in by.index:
            value = by.loc[(unit, code), column]
            return str(value) if isinstance(value, str) and value else NO_VALUE
    return NO_VALUE


def period_text(period: str) -> str:
    """A period id as officials write it: 2025 → 2025年, 2025S1 → 2025年上半年, 2025Q3 → 2025年第三季度,
    2025-07 → 2025年7月."""
    from fpplan.indicators import periods

    kind = periods.kind_of(period)
    year_ = period[:4]
    if kind == "year":
        return ui("period_year", year=year_)
    if kind == "half_year":
        return ui("period_half_year", year=year_, half=ui(f"half_{period[-1]}"))
    if kind == "quarter":
        quarter = period[-1]
        return ui("period_quarter", year=year_, quarter=ui("quarter_numbers")[int(quarter) - 1])
    return ui("period_month", year=year_, month=int(period[5:7]))
