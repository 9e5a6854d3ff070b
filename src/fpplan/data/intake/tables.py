"""Each kind of office table read into its canonical table (the columns of ``fpplan.data.schema``): the village list
→ units, the station sheet → facilities, the 建设项目规划表 → construction_plan, the staff roster → staff, the vital
statistics → vital_history, the equipment inventory → equipment. Names become codes, office words become values, 合计
rows are checked against their parts and skipped; the result goes through the schema's own column checks
(``validate_table``), so a problem names the office file, its row and its header.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from fpplan.data.errors import Problem
from fpplan.data.intake.layout import Sheet
from fpplan.data.intake.words import Log, Places, Vocabulary, clean_name, closest, name_key, what
from fpplan.data.labels import label, normalise
from fpplan.data.readers import _is_number
from fpplan.data.schema import FORBIDDEN_HEADERS, TABLES
from fpplan.data.validation import validate_table

TOTAL_WORDS = ("合计", "总计", "小计", "全县", "总数", "共计")
_YEAR = re.compile(r"((?:19|20)\d{2})")
_ID_NUMBER = re.compile(r"^\d{17}[\dXx]$|^\d{15}$")
_PHONE = re.compile(r"^1[3-9]\d{9}$")
PERSON_HEADERS = {
    "姓名",
    "名字",
    "身份证号",
    "身份证号码",
    "身份证",
    "公民身份号码",
    "电话",
    "联系电话",
    "手机",
    "手机号",
    "住址",
    "家庭住址",
}


@dataclass
class Read:
    """What one sheet gave: the canonical table, and the problems found."""

    table: str
    frame: pd.DataFrame | None
    problems: list[Problem]


def is_total(text: object) -> bool:
    return text is not None and any(w in normalise(text) for w in TOTAL_WORDS)


def number(text: object) -> float:
    if text is None or not _is_number(str(text)):
        return np.nan
    return float(str(text).strip().replace(",", "").rstrip("%"))


def year_of(text: object) -> str | None:
    match = _YEAR.search(str(text)) if text is not None else None
    return match.group(1) if match else None


def column_values(sheet: Sheet, rows: list[int], column: int | None) -> list[str | None]:
    return [None if column is None else sheet.cell(r, column) for r in rows]


def finish(
    sheet: Sheet,
    table: str,
    frame: pd.DataFrame,
    fields: dict[str, int],
    log: Log,
    elements: dict[str, str] | None = None,
) -> Read:
    """The canonical frame (text, index = sheet row − 2) through the schema's checks; problems name the office
    header of each column."""
    typed, problems = validate_table(frame, TABLES[table], sheet.file, elements)
    for column in TABLES[table].columns:  # whole numbers written as such (1996, not 1996.0)
        if column.kind == "int" and column.name in typed:
            typed[column.name] = typed[column.name].astype("Int64")
    headers = {code: sheet.column_name(c) for code, c in fields.items()}
    renamed = {"station_code": "station", "township_code": "township", "village_code": "village"}
    problems = [
        _named(p, sheet, headers.get(renamed.get(p.column, p.column), headers.get(p.column or ""))) for p in problems
    ]
    log.files.append((sheet.label, table, len(frame)))
    return Read(table, typed, problems)


def _named(p: Problem, sheet: Sheet, header: str | None) -> Problem:
    from dataclasses import replace

    return replace(p, column=header or p.column, sheet=sheet.name)


def check_sum(
    sheet: Sheet, row: int, column: int | str, given: float, parts: float, log: Log, what_: str
) -> list[Problem]:
    """A 合计 cell against the sum of its parts (to the person or 0.01 万元); logged either way."""
    if np.isnan(given):
        return []
    if abs(given - parts) > 0.01:
        return [sheet.problem("intake_total_mismatch", row, column, value=f"{given:g}", detail=f"{parts:g}")]
    log.skipped.append((sheet.label, row + 1, what_, f"= {parts:g}"))
    return []


def log_columns(sheet: Sheet, fields: dict[str, int], log: Log, table: str) -> None:
    used = set(fields.values())
    for name, c in fields.items():
        log.column_map(sheet.label, sheet.column_name(c), _field_label(name))
    for c, path in enumerate(sheet.header):
        if path and c not in used and fold_is_serial(path):
            continue
        if path and c not in used:
            log.unused.append((sheet.label, "/".join(path)))


def fold_is_serial(path: tuple[str, ...]) -> bool:
    return normalise(path[-1]) in ("序号", "编号no", "no", "序")


def _field_label(code: str) -> str:
    words = {
        "station": "服务站（按名称）",
        "township": "乡镇（按名称）",
        "village": "村（按名称）",
        "birth": "出生年份",
        "item": "设备",
        "urban_rural": "城乡分类",
        "serves": "服务乡镇（按名称）",
    }
    return words.get(code) or label("columns", code)


# --- village list → units -------------------------------------------------------------------------------------


def read_village_list(
    sheet: Sheet, fields: dict[str, int], log: Log, name: str | None, code: str | None
) -> tuple[pd.DataFrame | None, list[Problem]]:
    """The 统计用区划代码 list: 12-digit codes of county (…000000), townships (…000) and villages; township codes
    are the first 9 digits, the county's the first 6."""
    problems = []
    rows = []
    for r in sheet.data:
        raw = sheet.cell(r, fields["code"])
        text = re.sub(r"\s", "", str(raw or ""))
        if not re.fullmatch(r"\d{12}|\d{9}|\d{6}", text):
            problems.append(sheet.problem("bad_type", r, fields["code"], value=raw, detail="12位统计用区划代码"))
            continue
        text = text.ljust(12, "0")
        rows.append(
            (
                r,
                text,
                sheet.cell(r, fields["name"]),
                sheet.cell(r, fields["urban_rural"]) if "urban_rural" in fields else None,
                sheet.cell(r, fields["distance_km"]) if "distance_km" in fields else None,
                sheet.cell(r, fields["area_km2"]) if "area_km2" in fields else None,
            )
        )
    if problems or not rows:
        return None, problems
    counties = {t[:6] for _, t, *_ in rows}
    if len(counties) > 1:
        return None, [
            sheet.problem(
                "inconsistent",
                None,
                fields["code"],
                value="、".join(sorted(counties)),
                detail="村名单中有不止一个县的代码",
            )
        ]
    county = counties.pop()
    if code and code != county:
        return None, [sheet.problem("intake_code_mismatch", None, fields["code"], value=code, detail=county)]
    units = []
    county_name = name
    for r, text, unit_name, urban, distance, area in rows:
        if text[6:] == "000000":
            county_name = county_name or clean_name(unit_name)
            continue
        if text[9:] == "000":
            kind = (
                "farm"
                if re.search(r"(农场|团场|牧场|林场)$", str(unit_name))
                else "xiang"
                if str(unit_name).endswith("乡")
                else "zhen"
            )
            units.append([r, text[:9], clean_name(unit_name), "township", county, kind, area, None])
        else:
            community = (urban is not None and str(urban).startswith("1")) or name_key(unit_name).endswith("社区")
            units.append(
                [
                    r,
                    text,
                    clean_name(unit_name),
                    "village",
                    text[:9],
                    "community" if community else "village",
                    area,
                    distance,
                ]
            )
    frame = pd.DataFrame(
        units, columns=["row", "code", "name", "level", "parent_code", "kind", "area_km2", "distance_km"]
    )
    frame.index = frame.pop("row") - 1
    county_row = pd.DataFrame(
        [[county, county_name or county, "county", None, "county", None, None]],
        columns=frame.columns,
        index=[sheet.data[0] - 2],
    )
    return pd.concat([county_row, frame]), []


# --- station sheet → facilities -------------------------------------------------------------------------------

CODE_PREFIX = {
    "county_station": "ZD",
    "township_central": "ZX",
    "township_general": "ZS",
    "village_room": "CS",
    "mobile_vehicle": "LD",
}


def read_stations(
    sheet: Sheet, fields: dict[str, int], places: Places, vocab: Vocabulary, log: Log
) -> tuple[pd.DataFrame, dict[str, str], list[Problem]]:
    """(facilities as text, station name → code, problems). Codes are given here: ZD (county station), ZX
    (central), ZS (general), CS (village room), LD (mobile vehicle) and a running number."""
    rows = sheet.data
    get = lambda f: pd.Series(column_values(sheet, rows, fields.get(f)), index=[r - 1 for r in rows], dtype=object)
    names = get("name").map(lambda v: None if v is None else str(v).strip())
    levels, _ = vocab.map(get("level"), "station_level", "level", log)  # unknown words: the schema check names them
    counters: dict[str, int] = {}
    codes = []
    for level in levels:
        prefix = CODE_PREFIX.get(level, "ZQ")
        counters[prefix] = counters.get(prefix, 0) + 1
        codes.append(f"{prefix}{counters[prefix]:02d}" if prefix == "LD" else f"{prefix}{counters[prefix]:03d}")
    towns, problems = _townships(sheet, get("township"), fields.get("township"), places)
    serves, found = _served(sheet, get("serves"), fields.get("serves"), places)
    problems += found
    frame = pd.DataFrame(
        {
            "code": codes,
            "name": names,
            "level": levels.where(levels.notna(), get("level")),
            "township_code": towns,
            "serves": serves,
            "floor_area_m2": get("floor_area_m2").where(get("floor_area_m2").notna(), "0"),
            "grade": _grades(get("grade"), vocab, log),
            "opening_year": get("opening_year").map(year_of),
        },
        index=names.index,
    )
    lookup = {name_key(n): c for n, c in zip(names, codes) if n}
    for n, c in zip(names, codes):
        log.names[("服务站", str(n))] = c
    return frame, lookup, problems


def _grades(values: pd.Series, vocab: Vocabulary, log: Log) -> pd.Series:
    codes, _ = vocab.map(values, "grade", "grade", log)
    return codes.where(codes.notna(), values).where(values.notna(), "none")


def _townships(sheet: Sheet, values: pd.Series, column: int | None, places: Places) -> tuple[pd.Series, list[Problem]]:
    problems = []
    out = []
    for index, v in values.items():
        if v is None:
            out.append(None)
            continue
        code = places.township(v)
        if code is None:
            problems.append(
                sheet.problem(
                    "intake_unknown_name",
                    index + 1,
                    column,
                    value=v,
                    detail=f"村名单的乡镇中不存在；{closest(str(v), places.township_names)}",
                )
            )
        out.append(code)
    return pd.Series(out, index=values.index, dtype=object), problems


def _served(sheet: Sheet, values: pd.Series, column: int | None, places: Places) -> tuple[pd.Series, list[Problem]]:
    problems = []
    out = []
    for index, v in values.items():
        parts = [
            p
            for p in re.split(r"[、,，;；/ ]+", str(v or ""))
            if p and not re.fullmatch(r"本乡镇?|本镇|本乡（镇）|本乡\(镇\)", p)
        ]
        codes = []
        for part in parts:
            part = re.sub(r"(偏远村|部分村|各村|全境)$", "", part)
            code = places.township(part)
            if code is None:
                problems.append(
                    sheet.problem(
                        "intake_unknown_name",
                        index + 1,
                        column,
                        value=part,
                        detail=f"村名单的乡镇中不存在；{closest(part, places.township_names)}",
                    )
                )
            else:
                codes.append(code)
        out.append(";".join(codes) or None)
    return pd.Series(out, index=values.index, dtype=object), problems


def station_code(name: object, stations: dict[str, str]) -> str | None:
    """A station named in another table: its exact name, or without a project ending (…改扩建工程), or the one
    station whose name contains it or is contained in it."""
    key = name_key(name)
    if key in stations:
        return stations[key]
    bare = re.sub(r"(改扩建|扩建|新建|迁建)?(工程|项目|建设项目)?$", "", key)
    if bare in stations:
        return stations[bare]
    hits = {c for k, c in stations.items() if k and (k in key or key in k)}
    return hits.pop() if len(hits) == 1 else None


def _station_codes(
    sheet: Sheet, values: pd.Series, column: int | None, stations: dict[str, str], log: Log
) -> tuple[pd.Series, list[Problem]]:
    problems, out = [], []
    names = list(stations)
    for index, v in values.items():
        code = None if v is None else station_code(v, stations)
        if v is not None and code is None:
            problems.append(
                sheet.problem(
                    "intake_unknown_name",
                    index + 1,
                    column,
                    value=v,
                    detail=f"服务站一览表中不存在；{closest(str(v), names)}",
                )
            )
        elif v is not None:
            log.names[("服务站", str(v))] = code
        out.append(code)
    return pd.Series(out, index=values.index, dtype=object), problems


def _frame(sheet: Sheet, fields: dict[str, int], rows: list[int]) -> callable:
    return lambda f: pd.Series(column_values(sheet, rows, fields.get(f)), index=[r - 1 for r in rows], dtype=object)


# --- 建设项目规划表 → construction_plan ---------------------------------------------------------------------


def read_plan(
    sheet: Sheet, fields: dict[str, int], stations: dict[str, str], vocab: Vocabulary, log: Log
) -> tuple[pd.DataFrame, list[Problem]]:
    totals = [r for r in sheet.data if any(is_total(sheet.cell(r, c)) for c in range(min(3, len(sheet.rows[r]))))]
    rows = [r for r in sheet.data if r not in totals]
    get = _frame(sheet, fields, rows)
    codes, problems = _station_codes(sheet, get("station"), fields.get("station"), stations, log)
    modes, _ = vocab.map(get("mode"), "mode", "mode", log)
    grades, _ = vocab.map(get("target_grade"), "grade", "target_grade", log)
    frame = pd.DataFrame(
        {
            "station_code": codes.where(codes.notna(), get("station")),
            "mode": modes.where(modes.notna(), get("mode")),
            "target_grade": grades.where(grades.notna(), get("target_grade")),
            **{
                c: get(c)
                for c in (
                    "target_floor_area_m2",
                    "start_year",
                    "completion_year",
                    "cost_wan_yuan",
                    "self_raised_wan_yuan",
                    "subsidy_requested_wan_yuan",
                )
            },
        }
    )
    for c in ("start_year", "completion_year"):
        frame[c] = frame[c].map(lambda v: year_of(v) or v)
    for r in totals:
        for f in ("target_floor_area_m2", "cost_wan_yuan", "self_raised_wan_yuan", "subsidy_requested_wan_yuan"):
            if f in fields:
                parts = frame[f].map(number).sum()
                problems += check_sum(
                    sheet, r, fields[f], number(sheet.cell(r, fields[f])), parts, log, f"合计行：{label('columns', f)}"
                )
    return frame, problems


# --- staff roster ---------------------------------------------------------------------------------------------


def person_data(sheet: Sheet) -> list[Problem]:
    """Names, ID numbers, phone numbers: refused wherever they are (header or cell)."""
    problems = []
    for c, path in enumerate(sheet.header):
        if path and (normalise(path[-1]) in {normalise(h) for h in PERSON_HEADERS | FORBIDDEN_HEADERS}):
            problems.append(sheet.problem("intake_person_data", None, c, detail=path[-1]))
    for r in sheet.data:
        for c, v in enumerate(sheet.rows[r]):
            text = re.sub(r"\s", "", str(v or ""))
            if _ID_NUMBER.match(text) or _PHONE.match(text):
                masked = text[:4] + "*" * (len(text) - 8) + text[-4:]
                problems.append(
                    sheet.problem(
                        "intake_person_data",
                        r,
                        c,
                        value=masked,
                        detail="身份证号" if _ID_NUMBER.match(text) else "电话号码",
                    )
                )
    return problems


def read_staff(
    sheet: Sheet,
    fields: dict[str, int],
    stations: dict[str, str],
    vocab: Vocabulary,
    log: Log,
    part_time: float,
    medical_specialties: list[str],
) -> tuple[pd.DataFrame | None, list[Problem]]:
    problems = person_data(sheet)
    if problems:
        return None, problems
    rows = sheet.data
    get = _frame(sheet, fields, rows)
    codes, problems = _station_codes(sheet, get("station"), fields.get("station"), stations, log)
    mapped = {}
    for f in ("specialty", "education", "title", "licence", "sex"):
        codes_f, _ = vocab.map(get(f), f, f, log)
        mapped[f] = codes_f.where(codes_f.notna(), get(f))
    ids = (
        get("staff_id")
        if "staff_id" in fields
        else pd.Series([f"S{i + 1:04d}" for i in range(len(rows))], index=[r - 1 for r in rows], dtype=object)
    )
    if "staff_id" not in fields:
        log.rules.append(f"{sheet.label}：花名册没有人员编号，按行顺序编为 S0001 起")
    if "medical" in fields:
        medical = get("medical")
    else:
        medical = mapped["specialty"].map(lambda s: "是" if s in medical_specialties else "否")
        log.rules.append(
            f"{sheet.label}：没有「是否医学专业」列，按专业判断（{'、'.join(label('enums.specialty', s) for s in medical_specialties)}为医学专业）"
        )
    fte = get("fte").map(
        lambda v: (
            "1"
            if v is None or normalise(v) in ("专职", "全职")
            else str(part_time)
            if normalise(v) in ("兼职", "半职")
            else v
        )
    )
    for word, value in get("fte").dropna().map(lambda v: str(v).strip()).value_counts().items():
        if word in ("专职", "全职", "兼职", "半职"):
            log.values[("fte", word, "1" if word in ("专职", "全职") else f"{part_time:g}")] += int(value)
    frame = pd.DataFrame(
        {
            "staff_id": ids,
            "station_code": codes.where(codes.notna(), get("station")),
            **mapped,
            "medical": medical,
            "fte": fte,
            "birth_year": get("birth").map(lambda v: year_of(v) or v),
        }
    )
    return frame, problems


# --- vital statistics -----------------------------------------------------------------------------------------

VITAL = ["births_male", "births_female", "deaths_male", "deaths_female", "in_migrants", "out_migrants"]


def read_vital(sheet: Sheet, fields: dict[str, int], places: Places, log: Log) -> tuple[pd.DataFrame, list[Problem]]:
    totals = [r for r in sheet.data if is_total(sheet.cell(r, fields["township"]))]
    rows = [r for r in sheet.data if r not in totals]
    get = _frame(sheet, fields, rows)
    towns, problems = _townships(sheet, get("township"), fields.get("township"), places)
    frame = pd.DataFrame(
        {
            "year": get("year").map(lambda v: year_of(v) or v),
            "township_code": towns.where(towns.notna(), get("township")),
            **{c: get(c) for c in VITAL},
        }
    )
    for name, code in zip(get("township"), towns):
        if code:
            log.names[("乡镇", str(name))] = code
    for r in totals:
        year = year_of(sheet.cell(r, fields["year"]))
        part = frame[frame["year"] == year]
        for f in VITAL:
            problems += check_sum(
                sheet,
                r,
                fields[f],
                number(sheet.cell(r, fields[f])),
                part[f].map(number).sum(),
                log,
                f"{year}年合计行：{label('columns', f)}",
            )
    return frame, problems


# --- equipment ------------------------------------------------------------------------------------------------


def read_equipment(
    sheet: Sheet, fields: dict[str, int], stations: dict[str, str], log: Log
) -> tuple[pd.DataFrame, list[Problem]]:
    totals = [r for r in sheet.data if any(is_total(sheet.cell(r, c)) for c in range(min(3, len(sheet.rows[r]))))]
    rows = [r for r in sheet.data if r not in totals]
    get = _frame(sheet, fields, rows)
    codes, problems = _station_codes(sheet, get("station"), fields.get("station"), stations, log)
    frame = pd.DataFrame(
        {
            "station_code": codes.where(codes.notna(), get("station")),
            "item": get("item"),
            "quantity": get("quantity"),
            "year_acquired": get("year_acquired").map(lambda v: year_of(v) or v),
        }
    )
    for r in totals:
        problems += check_sum(
            sheet,
            r,
            fields["quantity"],
            number(sheet.cell(r, fields["quantity"])),
            frame["quantity"].map(number).sum(),
            log,
            "合计行：数量",
        )
    return frame, problems


__all__ = [
    "Read",
    "check_sum",
    "finish",
    "is_total",
    "log_columns",
    "number",
    "read_equipment",
    "read_plan",
    "read_staff",
    "read_stations",
    "read_village_list",
    "read_vital",
    "station_code",
    "what",
    "year_of",
]
