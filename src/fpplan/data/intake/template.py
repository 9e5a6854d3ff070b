"""``fpplan template OUT.xlsx [--county COUNTY]``: a workbook a county fills in instead of bringing its own files, and
how ``fpplan init --from`` reads back its settings sheets.

Sheets: 说明; one per table with Chinese headers that ``fpplan init`` recognises (村名单, 人口, 服务机构, 建设项目规划表,
技术人员, 人口变动, 医疗设备) and drop-down lists (openpyxl DataValidation) for every coded column; the official
monthly report for each township (月报-乡镇名, with a 月份 column); and two settings sheets: 目标 (indicator, value,
source: the county's own target set) and 情景 (TFR, life expectancy and net migration by year: scenarios). With
``--county`` the county's townships, villages and stations are filled in.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from fpplan.data.config import default_config_dir, load_config, parse
from fpplan.data.errors import DataError, Problem
from fpplan.data.intake.layout import Sheet, fold, match_fields
from fpplan.data.intake.tables import number
from fpplan.data.labels import enum_label
from fpplan.data.labels import table as label_table
from fpplan.data.models.indicators import Catalogue

AGE_GROUPS = [f"{a}-{a + 4}岁" for a in range(0, 100, 5)] + ["100岁及以上"]
HEADERS = {
    "村名单": ["统计用区划代码", "名称", "距乡镇政府驻地距离（公里）"],
    "人口": ["年份", "乡镇", "性别", "年龄组", "人数"],
    "服务机构": ["机构名称", "机构级别", "所在乡镇", "服务范围", "现有业务用房面积（平方米）", "等级", "建成时间"],
    "建设项目规划表": [
        "项目名称",
        "建设性质",
        "建设标准",
        "规划建筑面积",
        "开工年份",
        "竣工年份",
        "总投资",
        "自筹",
        "争取上级补助",
    ],
    "技术人员": [
        "人员编号",
        "所在单位",
        "性别",
        "出生年份",
        "学历",
        "专业",
        "职称",
        "执业资格",
        "是否医学专业",
        "专兼职",
    ],
    "人口变动": ["年份", "乡镇", "出生男", "出生女", "死亡男", "死亡女", "迁入人数", "迁出人数"],
    "医疗设备": ["单位名称", "设备名称", "数量", "购置年份"],
    "目标": ["指标", "条件", "目标值", "依据"],
    "情景": ["情景", "年份", "总和生育率", "男性预期寿命", "女性预期寿命", "净迁移人数"],
}
NOTES = [
    "填报说明",
    "1. 每张表第1行是表头，请勿改动；从第2行起每行填一条。带下拉箭头的单元格请从列表中选择。",
    "2. 村名单：12位统计用区划代码（乡镇行以000结尾）与名称；其余各表的乡镇、村、服务站都按名称填写。",
    "3. 人口：每个乡镇按性别、年龄组（0-4岁 … 100岁及以上）填人数；不要填姓名等个人信息。",
    "4. 技术人员：只填人员编号，不得填写姓名、身份证号。",
    "5. 月报：每个乡镇一张，月份写成 2026-01；每月可复制一份另存，用 fpplan import-reports 导入。",
    "6. 目标：本县自定的考核目标（指标、条件 ≥ ≤ 、目标值、依据）；情景：各年份的总和生育率、预期寿命、净迁移人数。",
    "7. 填好后：fpplan init 县文件夹 --from 本文件（也可与其他文件一起）。",
]


def _enum_words(enum: str) -> list[str]:
    return [enum_label(enum, code, "zh") for code in label_table()["enums"][enum]]


def write_template(out: str | Path, county_dir: str | Path | None = None) -> Path:
    """Write the fill-in workbook to ``out`` (.xlsx); with ``county_dir``, its names filled in."""
    import openpyxl
    from openpyxl.worksheet.datavalidation import DataValidation

    from fpplan.data.output import atomic_path, check_suffix

    path = check_suffix(out, (".xlsx",))
    config, problems = load_config(Path(county_dir) if county_dir else None)
    if problems:
        raise DataError(problems)
    county = None
    if county_dir is not None:
        from fpplan.data.county import load_county

        county = load_county(county_dir)
    book = openpyxl.Workbook()
    notes = book.active
    notes.title = "说明"
    for line in NOTES:
        notes.append([line])
    lists = book.create_sheet("取值")  # the drop-down lists' values
    columns: dict[str, str] = {}

    def values(key: str, words: list[str]) -> str:
        col = openpyxl.utils.get_column_letter(len(columns) + 1)
        lists.cell(row=1, column=len(columns) + 1, value=key)
        for i, w in enumerate(words, start=2):
            lists.cell(row=i, column=len(columns) + 1, value=w)
        columns[key] = f"取值!${col}$2:${col}${len(words) + 1}"
        return columns[key]

    towns = list(county.townships()["name"]) if county else []
    stations = list(county.facilities["name"]) if county else []
    indicators = [i.zh for i in config["indicators"].indicators.values()]
    choice = {
        "性别": values("性别", _enum_words("sex")),
        "年龄组": values("年龄组", AGE_GROUPS),
        "机构级别": values("机构级别", _enum_words("station_level")),
        "等级": values("等级", _enum_words("grade")),
        "建设标准": columns["等级"],
        "建设性质": values("建设性质", _enum_words("mode")),
        "学历": values("学历", _enum_words("education")),
        "专业": values("专业", _enum_words("specialty")),
        "职称": values("职称", _enum_words("title")),
        "执业资格": values("执业资格", _enum_words("licence")),
        "是否医学专业": values("是否医学专业", ["是", "否"]),
        "专兼职": values("专兼职", ["专职", "兼职"]),
        "设备名称": values("设备名称", [i.zh for i in config["equipment"].items.values()]),
        "指标": values("指标", indicators),
        "条件": values("条件", ["≥", "≤", ">", "<"]),
        "情景": values("情景", ["中方案", "低方案", "高方案"]),
    }
    if towns:
        choice["乡镇"] = choice["所在乡镇"] = values("乡镇", towns)
    if stations:
        choice["项目名称"] = choice["所在单位"] = choice["单位名称"] = values("服务站", stations)
    lists.sheet_state = "hidden"
    for title, headers in HEADERS.items():
        ws = book.create_sheet(title)
        ws.append(headers)
        for c, header in enumerate(headers, start=1):
            ws.column_dimensions[openpyxl.utils.get_column_letter(c)].width = max(10, 2 * len(header) + 2)
            if header in choice:
                rule = DataValidation(
                    type="list",
                    formula1=choice[header],
                    allow_blank=True,
                    error="请从下拉列表中选择",
                    showErrorMessage=True,
                )
                ws.add_data_validation(rule)
                letter = openpyxl.utils.get_column_letter(c)
                rule.add(f"{letter}2:{letter}2000")
        if county is not None and title == "村名单":
            ws.append([county.county_code + "000000", county.units.iloc[0]["name"], None])
            villages = county.villages()
            for t in county.townships().itertuples():
                ws.append([t.code + "000", t.name, None])
                for v in villages[villages["township_code"] == t.code].itertuples():
                    ws.append([v.code, v.name, None if pd.isna(v.distance_km) else float(v.distance_km)])
        if county is not None and title == "服务机构":
            names = county.units.set_index("code")["name"]
            for f in county.facilities.itertuples():
                ws.append(
                    [
                        f.name,
                        enum_label("station_level", f.level, "zh"),
                        names.get(f.township_code),
                        None,
                        float(f.floor_area_m2),
                        enum_label("grade", f.grade, "zh"),
                        int(f.opening_year),
                    ]
                )
    elements = config["data_elements"].elements
    report_headers = ["月份", "乡镇", "村（居）", *[e.zh for e in elements.values()]]
    groups = (
        [
            (t.name, county.villages().loc[lambda v, c=t.code: v["township_code"] == c, "name"].tolist())
            for t in county.townships().itertuples()
        ]
        if county
        else [("乡镇", [])]
    )
    for town, villages in groups:
        ws = book.create_sheet(f"月报-{town}"[:31])
        ws.append(report_headers)
        for village in villages:
            ws.append([None, town if county else None, village])
    with atomic_path(path) as tmp:
        book.save(tmp)
    return path


# --- reading the settings sheets back ----------------------------------------------------------------------------

OPS = {"≥": ">=", ">=": ">=", "≤": "<=", "<=": "<=", ">": ">", "<": "<", "不低于": ">=", "不高于": "<="}
SCENARIO_KEYS = {"中方案": "medium", "低方案": "low", "高方案": "high"}
OWN_SET = "own"  # the target set the template's 目标 sheet writes (the shipped default is ``county``, 本县目标)


def read_targets(sheet: Sheet, fields: dict[str, int], config: dict[str, Any]) -> tuple[dict | None, list[Problem]]:
    """The 目标 sheet as the county's own target set (config/indicators.yaml form: the shipped catalogue with a
    set ``own``, 本县自定目标, that extends the shipped default set and becomes the default), checked by the
    catalogue's model."""
    catalogue = config["indicators"]
    by_name = {fold(i.zh): code for code, i in catalogue.indicators.items()} | {
        fold(c): c for c in catalogue.indicators
    }
    op_column = next((c for c, p in enumerate(sheet.header) if p and fold(p[-1]) == fold("条件")), None)
    problems, targets = [], {}
    for r in sheet.data:
        name, value, source = (sheet.cell(r, fields[f]) for f in ("indicator", "target", "source"))
        code = by_name.get(fold(name)) if name else None
        if code is None:
            from fpplan.data.intake.words import closest

            problems.append(
                sheet.problem(
                    "intake_unknown_name",
                    r,
                    fields["indicator"],
                    value=name,
                    detail=f"指标目录中不存在；{closest(str(name), [i.zh for i in catalogue.indicators.values()])}",
                )
            )
            continue
        direction = catalogue.indicators[code].direction
        op = OPS.get(str(sheet.cell(r, op_column) or "").strip()) if op_column is not None else None
        op = op or ("<=" if direction == "lower" else ">=")
        targets[code] = {"op": op, "value": number(value), "source": str(source or "")}
    if problems:
        return None, problems
    data = yaml.safe_load((default_config_dir() / "indicators.yaml").read_text(encoding="utf-8"))
    data["target_sets"][OWN_SET] = {
        "zh": "本县自定目标",
        "en": "the county's own targets",
        "source": "填报模板「目标」表",
        "extends": [data["default_target_set"]],
        "targets": targets,
    }
    data["default_target_set"] = OWN_SET
    _, found = parse(data, Catalogue, sheet.file)
    return (
        (data, [])
        if not found
        else (None, [sheet.problem("intake_setting", None, None, detail=p.detail) for p in found])
    )


def read_scenarios(sheet: Sheet, fields: dict[str, int]) -> dict[str, dict]:
    """The 情景 sheet as scenario files (stem → content): paths by year; checked against the county and
    config/bounds.yaml when the county folder is loaded."""
    out: dict[str, dict] = {}
    for r in sheet.data:
        name = str(sheet.cell(r, fields["scenario"]) or "").strip()
        year = number(sheet.cell(r, fields["year"]))
        if not name or pd.isna(year):
            continue
        key = SCENARIO_KEYS.get(name) or re.sub(r"\W", "_", name) or "scenario"
        s = out.setdefault(
            key, {"name": {"zh": name, "en": key}, "source": "填报模板「情景」表", "migration_timing": "even"}
        )
        for f, path in (
            ("tfr", ("tfr",)),
            ("e0_male", ("e0", "male")),
            ("e0_female", ("e0", "female")),
            ("net_migration", ("net_migration",)),
        ):
            if f in fields and not pd.isna(number(sheet.cell(r, fields[f]))):
                node = s
                for part in path[:-1]:
                    node = node.setdefault(part, {})
                node.setdefault(path[-1], {})[int(year)] = number(sheet.cell(r, fields[f]))
        s["horizon"] = max(int(year), s.get("horizon", 0))
    for s in out.values():  # a life expectancy needs both sexes
        if "e0" in s and set(s["e0"]) != {"male", "female"}:
            s.pop("e0")
    return out


__all__ = ["match_fields", "read_scenarios", "read_targets", "write_template"]
