"""The statistics bureau's population table → the population table (year, unit_code, sex, age 0–100, population).

Read as it comes: townships (or sexes) as column groups with 合计/小计/男/女 under them and ages down the rows
(``0-4岁`` … ``85岁及以上``, ``0～4`` … ``100岁及以上``, or single ages ``0岁`` … ``100岁及以上``), or long (乡镇, 性别,
年龄, 人数). Every 合计/小计/总计 cell is checked against the sum of its parts and left out. Closed 5-year groups are
split to single years with Sprague's multipliers; an open group below 100 (``85岁及以上``) is split over its ages to
100 in proportion to the standard life table's stationary population (config/intake.yaml states the rule and its
source); counts are then rounded to whole persons keeping every group's total (rounded cumulative sums).
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from fpplan.data.agesplit import split_groups
from fpplan.data.errors import Problem
from fpplan.data.intake.layout import Sheet, fold
from fpplan.data.intake.tables import check_sum, is_total, number
from fpplan.data.intake.words import Log, Places, closest

SEX_WORDS = {"男": "male", "男性": "male", "女": "female", "女性": "female"}
BOTH_WORDS = ("合计", "小计", "计", "总计", "合", "总人口", "人口", "人数", "总数")
_RANGE = re.compile(r"^(\d{1,3})\s*(?:岁)?\s*[-－~～—至到]\s*(\d{1,3})\s*岁?$")
_OPEN = re.compile(r"^(\d{1,3})\s*(?:岁)?\s*(?:及以上|以上|\+|岁以上|及其以上|岁及以上)$")
_SINGLE = re.compile(r"^(\d{1,3})\s*岁?$")


def age_group(text: object) -> tuple[int, int | None] | None:
    """(first age, last age or None for an open group) of an age label, or None when it is not one."""
    if text is None:
        return None
    t = str(text).strip().replace(" ", "")
    for pattern, open_ in ((_RANGE, False), (_OPEN, True), (_SINGLE, False)):
        m = pattern.match(t)
        if m:
            first = int(m.group(1))
            if first > 100:
                return None  # a year, not an age
            if open_:
                return first, None
            last = int(m.group(2)) if pattern is _RANGE else first
            return (first, last) if last >= first else None
    return None


def looks_like_census(sheet: Sheet) -> int | None:
    """The column of age labels when ``sheet`` is a wide population table (ages down the rows, sexes in the
    header), else None."""
    sexed = any(any(fold(p) in SEX_WORDS for p in path) for path in sheet.header)
    if not sexed or not sheet.data:
        return None
    for c in range(len(sheet.header)):
        values = [sheet.cell(r, c) for r in sheet.data]
        ages = sum(age_group(v) is not None for v in values)
        totals = sum(is_total(v) for v in values)
        if ages >= 5 and ages + totals >= 0.9 * len(values):
            return c
    return None


def read_wide(sheet: Sheet, age_column: int, places: Places, log: Log) -> tuple[dict, list[Problem]]:
    """{(township code, sex): {(first, last): count}} from a wide table, every total checked."""
    problems: list[Problem] = []
    columns = {}  # column → (place: township code | "county", sex: male/female/both)
    unknown = {}
    for c, path in enumerate(sheet.header):
        if c == age_column or not path:
            continue
        levels = [fold(p) for p in path]
        sex = next((SEX_WORDS[p] for p in levels if p in SEX_WORDS), None)
        rest = [p for p, f in zip(path, levels) if f not in SEX_WORDS and f not in BOTH_WORDS]
        if sex is None and not any(f in BOTH_WORDS for f in levels):
            continue  # a column that is neither a sex nor a total (序号 …)
        if not rest or all(is_total(p) or re.search(r"(全县|县合计)", p) for p in rest):
            place = "county"
        else:
            place = places.township(rest[-1])
            if place is None:
                unknown[rest[-1]] = c
                continue
            log.names[("乡镇", rest[-1])] = place
        columns[c] = (place, sex or "both")
    for name, c in unknown.items():
        problems.append(
            sheet.problem(
                "intake_census_townships",
                None,
                c,
                value=name,
                detail=f"「{name}」不在村名单的乡镇中；{closest(name, places.township_names)}",
            )
        )
    rows = [(r, age_group(sheet.cell(r, age_column))) for r in sheet.data]
    bad = [(r, sheet.cell(r, age_column)) for r, g in rows if g is None and not is_total(sheet.cell(r, age_column))]
    problems += [sheet.problem("intake_bad_age", r, age_column, value=v) for r, v in bad]
    groups = [(r, g) for r, g in rows if g is not None]
    total_rows = [r for r, g in rows if g is None and is_total(sheet.cell(r, age_column))]
    cells: dict = {}
    value = {(r, c): number(sheet.cell(r, c)) for r, _ in rows for c in columns}
    for (r, c), v in value.items():
        if np.isnan(v) and sheet.cell(r, c) is not None:
            problems.append(sheet.problem("bad_type", r, c, value=sheet.cell(r, c), detail="人数"))
    if problems:
        return {}, problems
    places_ = sorted({p for p, _ in columns.values() if p != "county"})
    both_present = {p for p, s in columns.values() if s == "both"}
    for r, g in groups:
        for c, (place, sex) in columns.items():
            if place != "county" and sex != "both":
                cells.setdefault((place, sex), {})[g] = cells.get((place, sex), {}).get(g, 0) + value[(r, c)]
    for place in places_:
        if (place, "male") not in cells or (place, "female") not in cells:
            problems.append(
                sheet.problem(
                    "intake_missing_field",
                    None,
                    None,
                    value=f"{places.names[place]} 男/女",
                    detail="每个乡镇需分男、女两列",
                )
            )
    # totals: 小计 = 男 + 女 (per township and row); county columns = Σ townships; 总计 row = Σ age rows
    for r, g in rows:
        for c, (place, sex) in columns.items():
            if g is None:
                parts = sum(value[(rr, c)] for rr, gg in groups)
                problems += check_sum(sheet, r, c, value[(r, c)], parts, log, f"总计行：{sheet.column_name(c)}")
            elif sex == "both":
                parts = sum(value[(r, k)] for k, (p, s) in columns.items() if p == place and s != "both")
                if place == "county" and not any(p == "county" and s != "both" for p, s in columns.values()):
                    parts = sum(value[(r, k)] for k, (p, s) in columns.items() if p != "county" and s != "both")
                problems += check_sum(
                    sheet, r, c, value[(r, c)], parts, log, f"{sheet.cell(r, age_column)}：{sheet.column_name(c)}"
                )
            elif place == "county":
                parts = sum(value[(r, k)] for k, (p, s) in columns.items() if p != "county" and s == sex)
                problems += check_sum(
                    sheet, r, c, value[(r, c)], parts, log, f"{sheet.cell(r, age_column)}：{sheet.column_name(c)}"
                )
    del both_present, total_rows
    return cells, problems


def read_long(
    sheet: Sheet, fields: dict[str, int], places: Places, vocab_sex: dict[str, str], log: Log
) -> tuple[dict, list[Problem]]:
    """{(township code, sex): {(first, last): count}} from a long table (乡镇, 性别, 年龄, 人数); 合计 rows
    (a township's or the county's) checked against their rows."""
    problems: list[Problem] = []
    cells: dict = {}
    totals = []
    for r in sheet.data:
        town, sex, age, count = (sheet.cell(r, fields[f]) for f in ("township", "sex", "age", "population"))
        if is_total(town) or is_total(sex) or is_total(age):
            totals.append((r, town, number(count)))
            continue
        code = places.township(town)
        if code is None:
            problems.append(
                sheet.problem(
                    "intake_census_townships",
                    r,
                    fields["township"],
                    value=town,
                    detail=f"「{town}」不在村名单的乡镇中；{closest(str(town), places.township_names)}",
                )
            )
            continue
        log.names[("乡镇", str(town))] = code
        s = vocab_sex.get(fold(sex)) if sex is not None else None
        g = age_group(age)
        if s is None:
            problems.append(sheet.problem("not_in_enum", r, fields["sex"], value=sex, detail="男、女"))
        if g is None:
            problems.append(sheet.problem("intake_bad_age", r, fields["age"], value=age))
        n = number(count)
        if np.isnan(n):
            problems.append(sheet.problem("bad_type", r, fields["population"], value=count, detail="人数"))
        if s is None or g is None or np.isnan(n):
            continue
        cells.setdefault((code, s), {})[g] = cells.get((code, s), {}).get(g, 0) + n
    for r, town, given in totals:
        name = re.sub("(合计|总计|小计)$", "", str(town or ""))
        code = places.township(name) if name else None
        parts = sum(sum(d.values()) for (t, _), d in cells.items() if code is None or t == code)
        problems += check_sum(sheet, r, fields["population"], given, parts, log, f"{town}")
    return cells, problems


def single_years(
    cells: dict, sheet: Sheet, open_shares: np.ndarray, log: Log
) -> tuple[pd.DataFrame | None, list[Problem]]:
    """The groups of every (township, sex) split to ages 0–100 and rounded to whole persons keeping group totals.
    ``open_shares``: (sex, age 0–100) weights for splitting an open group (the standard life table's Lx)."""
    problems = []
    frames = []
    splits = set()
    for (place, sex), groups in sorted(cells.items()):
        spans = sorted(groups)
        expected, gaps = 0, []
        for first, last in spans:
            if first != expected:
                gaps.append(f"{expected}–{first - 1}岁")
            expected = 101 if last is None else last + 1
        if spans and spans[-1][1] is not None and spans[-1][1] < 100:
            gaps.append(f"{spans[-1][1] + 1}岁及以上")
        if gaps:
            problems.append(sheet.problem("intake_age_gaps", None, None, value=place, detail="缺少 " + "、".join(gaps)))
            continue
        counts = np.array([groups[s] for s in spans], dtype=float)
        widths = [(101 - f) if l is None else l - f + 1 for f, l in spans]
        closed = spans[:-1] if spans[-1][1] is None else spans
        single = np.zeros(101)
        if all(w == 1 for (f, l), w in zip(closed, widths)):
            for (f, l), n in zip(closed, counts):
                single[f] = n
        elif all(w == 5 for w in widths[: len(closed)]) and len(closed) >= 5:
            open_count = counts[-1] if spans[-1][1] is None else 0.0
            split = split_groups(np.append(counts[: len(closed)], open_count))
            single[: len(split) - 1] = split[:-1]
            splits.add("sprague")
            if spans[-1][1] is None:
                pass
            else:
                single[len(split) - 1] = 0
        else:
            problems.append(
                sheet.problem(
                    "intake_age_gaps", None, None, value=place, detail="年龄组应都是5岁一组（0-4岁 …）或都是单岁"
                )
            )
            continue
        if spans[-1][1] is None:
            first = spans[-1][0]
            if first == 100:
                single[100] = counts[-1]
            else:
                weights = open_shares[0 if sex == "male" else 1, first:]
                single[first:] = counts[-1] * weights / weights.sum()
                splits.add(f"open:{first}")
        whole = np.diff(np.round(np.cumsum(single)), prepend=0)
        frames.append(pd.DataFrame({"unit_code": place, "sex": sex, "age": np.arange(101), "population": whole}))
    if problems:
        return None, problems
    for s in sorted(splits):
        if s == "sprague":
            log.rules.append("5岁年龄组按 Sprague 五次差分系数拆分为单岁（fpplan.data.agesplit；各组合计不变）")
        else:
            log.rules.append(
                f"开口年龄组「{s.split(':')[1]}岁及以上」按标准生命表的静止人口（Lx）比例拆分到{s.split(':')[1]}–100岁"
                "（config/intake.yaml: open_age_group；合计不变）"
            )
    log.rules.append("拆分后的人数按累计取整为整数人，各年龄组合计不变")
    return pd.concat(frames, ignore_index=True), []


def life_table_shares() -> np.ndarray:
    """(sex, age) stationary population Lx of the standard life table (the open-group rule of config/intake.yaml)."""
    from fpplan.data.base.lifetable import life_table
    from fpplan.data.base.schedules import standard_mx

    return life_table(standard_mx(), np.ones(101), sex=np.array([0, 1]))["Lx"]
