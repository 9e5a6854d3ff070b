"""``fpplan init COUNTY --from FILE…``: a county folder from the files a county office keeps.

Every file (CSV in UTF-8 or GBK, XLSX with one or several sheets) is read as it comes (:mod:`.layout`) and each sheet
recognised by its content — headers and values, never the file's name — as one of: the village list, the population
table, the station sheet, the 建设项目规划表, the staff roster, the vital statistics, the equipment inventory, a
monthly village report, or a sheet of the fill-in template (:mod:`fpplan.data.intake.template`). Each becomes its
canonical table (:mod:`.tables`, :mod:`.census`, :mod:`.monthly`); then the folder is built aside, checked whole
by ``load_county``, and renamed into place: any problem anywhere stops it, with every problem listed and nothing
written. 导入说明.md says what was read and how.
"""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from fpplan.data.config import load_config
from fpplan.data.county import element_aliases, load_county
from fpplan.data.errors import DataError, Problem
from fpplan.data.intake import census, monthly, report, tables, template
from fpplan.data.intake.layout import Sheet, fold, match_fields, read_sheets, year_in
from fpplan.data.intake.words import Log, Places, Vocabulary
from fpplan.data.labels import label, normalise
from fpplan.data.labels import table as label_table

KINDS = ("village_list", "census", "stations", "construction_plan", "staff", "vital_history", "equipment")
ORDER = (
    "construction_plan",
    "staff",
    "vital_history",
    "equipment",
    "stations",
    "targets",
    "scenario_paths",
    "village_list",
    "census",
)
KIND_NAMES = {
    "village_list": "村名单（统计用区划代码）",
    "census": "人口统计表（分乡镇、性别、年龄）",
    "stations": "服务机构一览表",
    "construction_plan": "建设项目规划表",
    "staff": "技术人员花名册",
    "vital_history": "人口变动情况（分乡镇、年份）",
    "equipment": "医疗设备登记表",
    "monthly": "村级月报表",
    "targets": "目标设置",
    "scenario_paths": "情景设置",
    "vocabulary": "本县用语",
}
REQUIRED = ("village_list", "census", "stations", "construction_plan", "staff", "vital_history", "monthly")


def recognise(sheet: Sheet, elements: dict[str, str]) -> tuple[str | None, dict[str, int]]:
    """The kind of office table ``sheet`` holds and its field columns, from its header and values."""
    fields = label_table()["intake_fields"]
    if monthly.looks_like_report(sheet, elements):
        return "monthly", monthly.monthly_fields(sheet)
    age = census.looks_like_census(sheet)
    if age is not None:
        return "census", {"age": age}
    best, best_fields = None, {}
    for kind in ORDER:
        found = match_fields(sheet, fields[kind])
        if all(f in found for f in fields[kind]["required"]) and len(found) > len(best_fields):
            if kind == "village_list" and not _codes_column(sheet, found["code"]):
                continue
            best, best_fields = kind, found
    return best, best_fields


def _codes_column(sheet: Sheet, column: int) -> bool:
    values = [str(sheet.cell(r, column) or "").strip() for r in sheet.data]
    return bool(values) and sum(v.isdigit() and len(v) == 12 for v in values) >= 0.8 * len(values)


def _needs() -> str:
    fields = label_table()["intake_fields"]
    parts = []
    for kind in ("village_list", "census", "stations", "construction_plan", "staff", "vital_history", "equipment"):
        heads = "、".join(fields[kind][f][0] for f in fields[kind]["required"])
        parts.append(f"{KIND_NAMES[kind]}需有 {heads}")
    parts.append("村级月报表需有 村（居）列和至少3个月报指标列")
    return "；".join(parts)


def office_files(given: list[str | Path]) -> list[Path]:
    """The files to read: each file given, and every file inside each folder given (sub-folders too), in natural
    order (2023年2月 before 2023年10月); Excel's lock files (``~$…``) and hidden files are left out."""

    def natural(path: Path) -> list:
        return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", str(path))]

    out: list[Path] = []
    for item in map(Path, given):
        if item.is_dir():
            out += [
                p
                for p in item.rglob("*")
                if p.is_file() and not any(part.startswith((".", "~$")) for part in p.relative_to(item).parts)
            ]
        else:
            out.append(item)
    return sorted(dict.fromkeys(out), key=natural)


def init_county(
    target: str | Path,
    files: list[str | Path],
    name: str | None = None,
    code: str | None = None,
    year: int | None = None,
) -> tuple[Path, Log]:
    """Write the county folder ``target`` from the office ``files``; raises DataError (nothing written) listing every
    problem. Returns the folder and what was done (also in its 导入说明.md)."""
    target = Path(target)
    problems: list[Problem] = []
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise DataError([Problem(file=str(target), kind="intake_folder_exists")])
    if not files:
        raise DataError([Problem(file=str(target), kind="intake_no_files")])
    files = office_files(files)
    config, _ = load_config(None)
    elements = element_aliases(config)
    log = Log()
    found: dict[str, list[tuple[Sheet, dict[str, int]]]] = {}
    county_words: dict[str, dict[str, str]] = {}
    settings: list[tuple[Path, Any]] = []
    for file in files:
        path = Path(file)
        if not path.is_file():
            problems.append(Problem(file=str(path), kind="missing_file", detail=path.name))
            continue
        if path.suffix.lower() in (".yaml", ".yml"):
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            if isinstance(data, dict) and "vocabulary" in data:
                county_words = data["vocabulary"] or {}
                settings.append((path, data))
                log.files.append(
                    (path.name, "本县用语（config/vocabulary.yaml）", sum(len(v) for v in county_words.values()))
                )
                continue
            problems.append(
                Problem(file=str(path), kind="intake_unrecognised", detail="YAML 文件只可以是本县用语（vocabulary:）")
            )
            continue
        sheets, found_problems = read_sheets(path)
        problems += found_problems
        for sheet in sheets:
            if not sheet.data:
                continue  # a sheet of notes, or a template sheet left empty
            kind, fields = recognise(sheet, elements)
            if kind is None:
                if sheet.data and any(sheet.header):
                    problems.append(
                        sheet.problem("intake_unrecognised", None, None, value=sheet.label, detail=_needs())
                    )
                continue  # a sheet of notes
            found.setdefault(kind, []).append((sheet, fields))
    for kind, items in found.items():
        if kind not in ("monthly",) and len(items) > 1:
            problems.append(
                Problem(
                    file=items[1][0].file,
                    kind="intake_duplicate_table",
                    value=KIND_NAMES[kind],
                    detail="、".join(s.label for s, _ in items),
                    sheet=items[1][0].name,
                )
            )
    for kind in REQUIRED:
        if kind not in found:
            problems.append(
                Problem(file=str(target), kind="intake_missing_table", value=KIND_NAMES[kind], detail=_MISSING[kind])
            )
    if any(p.kind == "intake_missing_table" for p in problems):
        raise DataError(problems)
    vocab = Vocabulary(
        county_words
    )  # with unrecognised or duplicate files, the rest is still read: every problem at once
    out, elements_present, found_problems = _tables(found, vocab, log, config, elements, name, code, year)
    problems += found_problems
    if problems:
        raise DataError(problems)
    return _write(target, out, elements_present, config, log, county_words), log


_MISSING = {
    "village_list": "需要村名单（含12位统计用区划代码与名称），乡镇和村的代码由此而来",
    "census": "需要分乡镇、性别、年龄的人口统计表，人口预测由此开始",
    "stations": "需要服务机构一览表（机构名称、级别、所在乡镇、现有面积）",
    "construction_plan": "需要建设项目规划表",
    "staff": "需要技术人员花名册（只含人员编号，不含姓名）",
    "vital_history": "需要分乡镇、分年份的人口变动情况（出生、死亡、迁入、迁出）",
    "monthly": "需要至少一个月的村级月报表",
}


def _tables(
    found: dict,
    vocab: Vocabulary,
    log: Log,
    config: dict,
    elements: dict[str, str],
    name: str | None,
    code: str | None,
    year: int | None,
) -> tuple[dict[str, pd.DataFrame], list[str], list[Problem]]:
    problems: list[Problem] = []
    out: dict[str, pd.DataFrame] = {}
    one = lambda kind: found[kind][0]
    sheet, fields = one("village_list")
    tables.log_columns(sheet, fields, log, "units")
    units, found_problems = tables.read_village_list(sheet, fields, log, name, code)
    if found_problems:
        return out, [], found_problems
    read = tables.finish(sheet, "units", units, {"code": fields["code"], "name": fields["name"]}, log)
    problems += read.problems
    out["units"] = read.frame
    places = Places(units)
    for n, c in zip(units["name"], units["code"]):
        log.names[("村名单", n)] = c
    # the population table
    sheet, fields = one("census")
    in_column = [tables.year_of(sheet.cell(r, fields["year"])) for r in sheet.data] if "year" in fields else []
    year = (
        year
        or (int(in_column[0]) if in_column and in_column[0] else None)
        or year_in(" ".join(sheet.title + [sheet.name or ""]))
    )
    if year is None:
        problems.append(sheet.problem("intake_no_year"))
    if "age" in fields and len(fields) == 1:
        cells, found_problems = census.read_wide(sheet, fields["age"], places, log)
        log.column_map(sheet.label, sheet.column_name(fields["age"]), "年龄（行）")
        log.column_map(sheet.label, "乡镇 × 男/女（列组）", "乡镇代码 × 性别")
    else:
        tables.log_columns(sheet, fields, log, "population")
        sex = {fold(k): v for k, v in {**census.SEX_WORDS, "male": "male", "female": "female"}.items()}
        cells, found_problems = census.read_long(sheet, fields, places, sex, log)
    problems += found_problems
    given = {code for code, _ in cells}
    towns = set(units.loc[units["level"] == "township", "code"])
    if cells and given != towns:
        missing = "、".join(places.names[t] for t in sorted(towns - given))
        problems.append(
            sheet.problem(
                "intake_census_townships",
                None,
                None,
                value=missing,
                detail=f"村名单中的乡镇「{missing}」在人口表中没有人口",
            )
        )
    if not problems:
        pop, found_problems = census.single_years(cells, sheet, census.life_table_shares(), log)
        problems += found_problems
        if pop is not None:
            pop.insert(0, "year", year)
            out["population"] = pop
            log.files.append((sheet.label, "population", int(pop["population"].sum())))
    # stations, then the tables that name them
    sheet, fields = one("stations")
    tables.log_columns(sheet, fields, log, "facilities")
    stations, lookup, found_problems = tables.read_stations(sheet, fields, places, vocab, log)
    problems += found_problems
    read = tables.finish(sheet, "facilities", stations, fields, log)
    problems += read.problems
    out["facilities"] = read.frame
    sheet, fields = one("construction_plan")
    tables.log_columns(sheet, fields, log, "construction_plan")
    frame, found_problems = tables.read_plan(sheet, fields, lookup, vocab, log)
    read = tables.finish(sheet, "construction_plan", frame, fields, log)
    problems += found_problems + read.problems
    out["construction_plan"] = read.frame
    sheet, fields = one("staff")
    tables.log_columns(sheet, fields, log, "staff")
    standards = config["standards"]
    frame, found_problems = tables.read_staff(
        sheet, fields, lookup, vocab, log, config["intake"].part_time_fte.value, list(standards.medical_specialties)
    )
    problems += found_problems
    if frame is not None:
        read = tables.finish(sheet, "staff", frame, fields, log)
        problems += read.problems
        out["staff"] = read.frame
    sheet, fields = one("vital_history")
    tables.log_columns(sheet, fields, log, "vital_history")
    frame, found_problems = tables.read_vital(sheet, fields, places, log)
    read = tables.finish(sheet, "vital_history", frame, fields, log)
    problems += found_problems + read.problems
    out["vital_history"] = read.frame
    if "equipment" in found:
        sheet, fields = one("equipment")
        tables.log_columns(sheet, fields, log, "equipment")
        frame, found_problems = tables.read_equipment(sheet, fields, lookup, log)
        read = tables.finish(sheet, "equipment", frame, fields, log)
        problems += found_problems + read.problems
        out["equipment"] = read.frame
    # the monthly reports: one sheet a month, each month once
    frames, present, months, seen = [], None, {}, {}
    for sheet, _ in found["monthly"]:
        frame, columns, found_problems = monthly.read_report(sheet, places, elements, log)
        problems += found_problems
        if frame is None:
            continue
        # a village-month given twice (two files or sheets of one month; a township a sheet is fine)
        twice = {}
        for key in zip(frame["village_code"], frame["month"].astype(str)):
            if key in seen and key[0] is not None:
                twice.setdefault(key[1], seen[key])
            seen[key] = sheet.label
        problems += [
            sheet.problem("intake_duplicate_month", None, None, value=m, detail=f"{other}、{sheet.label}")
            for m, other in sorted(twice.items())
        ]
        for month in set(frame["month"].dropna().astype(str)):
            months[month] = sheet.label
        present = columns if present is None else [e for e in present if e in columns]
        read = tables.finish(sheet, "service_stats", frame, {}, log, {e: e for e in columns})
        problems += read.problems
        frames.append(read.frame)
        for e, c in monthly.element_columns(sheet, elements).items():
            if len(frames) == 1:
                log.column_map(
                    sheet.label,
                    sheet.column_name(c),
                    label("columns", e) if False else config["data_elements"].elements[e].zh,
                )
    settings: dict[str, Any] = {}
    if "targets" in found:
        sheet, fields = one("targets")
        catalogue, found_problems = template.read_targets(sheet, fields, config)
        problems += found_problems
        if catalogue is not None:
            settings["indicators"] = catalogue
            log.files.append((sheet.label, "本县目标（config/indicators.yaml 的目标集 county）", len(sheet.data)))
    if "scenario_paths" in found:
        sheet, fields = one("scenario_paths")
        settings["scenarios"] = template.read_scenarios(sheet, fields)
        log.files.append((sheet.label, "情景（config/scenarios/*.yaml）", len(settings["scenarios"])))
    out["_settings"] = settings
    if frames and not problems:
        stats = pd.concat(frames, ignore_index=True)
        present = [e for e in config["data_elements"].elements if e in (present or [])]
        stats = stats[["village_code", "month", "reported_on", *present]]
        stats["reported_on"] = stats["reported_on"].dt.strftime("%Y-%m-%d")
        out["service_stats"] = stats
        log.rules.append(f"村级月报：{len(months)} 个月（{min(months)} 至 {max(months)}），{len(stats)} 行村报")
    return out, present or [], problems


def _write(
    target: Path, out: dict[str, pd.DataFrame], present: list[str], config: dict, log: Log, county_words: dict
) -> Path:
    """The folder built aside, checked whole, then renamed into place."""
    temp = target.parent / f".{target.name}.init-{os.getpid()}"
    if temp.exists():
        shutil.rmtree(temp)
    (temp / "config" / "scenarios").mkdir(parents=True)
    settings = out.pop("_settings", {})
    try:
        intake = config["intake"]
        if "married_share" not in out:
            ages = sorted(intake.married_share.by_age)
            out["married_share"] = pd.DataFrame(
                {"township_code": "", "age": ages, "share": [intake.married_share.by_age[a] for a in ages]}
            )
            log.missing.append(
                (
                    "已婚比例（分年龄）",
                    (
                        f"县里的文件中没有；暂用 config/intake.yaml 的全国形态（{intake.married_share.source}）。"
                        "已婚育龄妇女数由此估算，请用本县普查的分年龄婚姻状况表替换 married_share.csv"
                    ),
                )
            )
        for name, frame in out.items():
            frame.to_csv(temp / f"{name}.csv", index=False, lineterminator="\n")
        elements = list(config["data_elements"].elements)
        absent = [e for e in elements if e not in present]
        if absent:
            collection = {
                "not_collected": [
                    {"element": e, "reason": "本县月报表无此栏目（fpplan init 据报表列判断，可修改）"} for e in absent
                ]
            }
            (temp / "config" / "collection.yaml").write_text(
                "# 本县不采集的月报指标（fpplan init 据月报表的列写出；可修改）\n"
                + yaml.safe_dump(collection, allow_unicode=True, sort_keys=False),
                encoding="utf-8",
            )
            for e in absent:
                log.missing.append(
                    (
                        f"月报指标「{config['data_elements'].elements[e].zh}」",
                        "本县月报表没有这一栏：记入 config/collection.yaml（不采集），用到它的指标显示无数据",
                    )
                )
        if county_words:
            (temp / "config" / "vocabulary.yaml").write_text(
                yaml.safe_dump({"vocabulary": county_words}, allow_unicode=True, sort_keys=False), encoding="utf-8"
            )
        if "indicators" in settings:
            (temp / "config" / "indicators.yaml").write_text(
                "# 指标目录（随 fpplan 发布）加上本县目标集 county（由填报模板「目标」表写出）\n"
                + yaml.safe_dump(settings["indicators"], allow_unicode=True, sort_keys=False),
                encoding="utf-8",
            )
        for key, content in settings.get("scenarios", {}).items():
            (temp / "config" / "scenarios" / f"{key}.yaml").write_text(
                yaml.safe_dump(content, allow_unicode=True, sort_keys=False), encoding="utf-8"
            )
        scenario = _default_scenario(out, intake.default_scenario)
        if "medium" not in settings.get("scenarios", {}):
            (temp / "config" / "scenarios" / "medium.yaml").write_text(
                "# fpplan init 写出的默认情景：请按本县情况修改（或在填报模板的「情景」表中填写）\n"
                + yaml.safe_dump(scenario, allow_unicode=True, sort_keys=False),
                encoding="utf-8",
            )
            log.rules.append(
                f"默认情景 config/scenarios/medium.yaml：总和生育率 {scenario['tfr'][min(scenario['tfr'])]:g}、"
                f"预期寿命 男 {intake.default_scenario.e0_male:g} 女 {intake.default_scenario.e0_female:g}"
                f"（{intake.default_scenario.tfr_source}；{intake.default_scenario.e0_source}），"
                f"净迁移 {scenario['net_migration'][min(scenario['net_migration'])]:g} 人/年（本县人口变动表最近三年的迁入减迁出）"
            )
        for kind, meaning in _OPTIONAL.items():
            if kind not in out:
                log.missing.append((label("tables", kind), meaning))
        try:
            load_county(temp)
        except DataError as error:
            # an element the county does not collect is declared in config/collection.yaml: its absent column is
            # the declaration's business (the loader's model of it), not a problem of the files
            left = [p for p in error.problems if not (p.kind == "missing_column" and p.column in absent)]
            if left:
                raise DataError([_relabel(p, temp, target) for p in left]) from None
        (temp / "导入说明.md").write_text(report.markdown(log, target), encoding="utf-8")
        if target.exists():
            target.rmdir()
        os.replace(temp, target)
    finally:
        if temp.exists():
            shutil.rmtree(temp)
    return target


_OPTIONAL = {
    "equipment": "没有医疗设备登记：设备缺口无法评估（不会假定设备全缺）",
    "survey": "没有群众需求调查：需求调查汇总无数据",
    "exam_scores": "没有技术人员月考成绩：月考奖惩无数据",
    "budget": "没有计生经费：人均经费指标无数据",
    "disbursement": "没有年度拨款：资金按竣工年份计",
    "subsidy_granted": "没有已到位的上级补助：待争取补助按全部申请额计",
    "population_history": "没有历史人口：无法回溯检验人口预测",
}


def _relabel(p: Problem, temp: Path, target: Path) -> Problem:
    """A problem found in the folder being built, naming the folder it will be."""
    return replace(p, file=str(p.file).replace(str(temp), str(target)))


def _default_scenario(out: dict[str, pd.DataFrame], rule: Any) -> dict:
    base = int(out["population"]["year"].iloc[0])
    vital = out["vital_history"]
    last = vital[vital["year"] > vital["year"].max() - 3]
    net = float(np.round((last["in_migrants"] - last["out_migrants"]).sum() / max(last["year"].nunique(), 1), -1))
    return {
        "name": {"zh": "中方案", "en": "medium"},
        "source": f"fpplan init default: {rule.tfr_source}; {rule.e0_source}; net migration: the county's recorded average",
        "tfr": {base: rule.tfr, base + rule.horizon_years: rule.tfr},
        "e0": {
            "male": {base: rule.e0_male, base + rule.horizon_years: rule.e0_male},
            "female": {base: rule.e0_female, base + rule.horizon_years: rule.e0_female},
        },
        "srb": 1.10,
        "net_migration": {base: net, base + rule.horizon_years: net},
        "migration_timing": "even",
        "horizon": base + rule.horizon_years,
    }


__all__ = ["init_county", "normalise", "recognise"]
