"""Cross-table rules of the working-rhythm tables (supervision register, work register, contraceptive supply,
village rooms) and the names they may use for the configuration's codes.

Checklist items, work elements and contraceptive methods may be written as codes or as their Chinese or English
names (config/rhythm.yaml, config/contraceptives.yaml); :func:`canonical` turns them into codes once the county has
passed its checks. The inspector of a supervision row is a role (enumeration ``inspector_role``) or a pseudonymous
id (letters, digits, ``-_.``): anything else may be a person's name and is refused (people first).
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd

from fpplan.data.errors import Problem
from fpplan.data.labels import allowed_values, enum_aliases, label, normalise
from fpplan.data.validation import per_value, rows_of

PSEUDONYM = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,31}$")
TABLES = ("supervision", "work_register", "contraceptive_supply", "village_rooms")


def aliases(config: dict[str, Any]) -> dict[str, dict[str, str]]:
    """column → accepted names (normalised code, zh, en) → code, for check_item, element and method."""
    out: dict[str, dict[str, str]] = {"check_item": {}, "element": {}, "method": {}}
    if "rhythm" in config:
        out["check_item"] = {normalise(n): c for c, i in config["rhythm"].checklist.items() for n in (c, i.zh, i.en)}
        out["element"] = {normalise(n): c for c, e in config["rhythm"].elements.items() for n in (c, e.zh, e.en)}
    if "contraceptives" in config:
        out["method"] = {normalise(n): c for c, m in config["contraceptives"].methods.items() for n in (c, m.zh, m.en)}
    return out


def canonical(tables: dict[str, pd.DataFrame], config: dict[str, Any]) -> dict[str, pd.DataFrame]:
    """The tables with checklist items, elements and methods as codes, and inspectors' roles as role codes."""
    names = aliases(config)
    out = dict(tables)
    for table, column in (
        ("supervision", "check_item"),
        ("work_register", "element"),
        ("contraceptive_supply", "method"),
    ):
        frame = out[table]
        if len(frame) and column in frame:
            known = names[column]
            named = per_value(frame[column], lambda v, known=known: known.get(normalise(v), v), "keep")
            out[table] = frame.assign(**{column: named})
    frame = out["supervision"]
    if len(frame) and "inspector" in frame:
        roles = enum_aliases("inspector_role")
        out["supervision"] = frame.assign(
            inspector=per_value(
                frame["inspector"], lambda v: roles.get(normalise(v), v) if isinstance(v, str) else v, "keep"
            )
        )
    return out


def _problems(
    frame: pd.DataFrame,
    bad: pd.Series,
    file: str,
    kind: str,
    column: str,
    detail: str = "",
    values: pd.Series | None = None,
) -> list[Problem]:
    if not bad.any():  # most rules of most files: nothing to select
        return []
    shown = frame.loc[bad, column] if values is None else values[bad]
    return [
        Problem(file=file, kind=kind, row=int(r), column=column, value=v, detail=detail)
        for r, v in zip(rows_of(frame.index[bad]), shown)
    ]


def _each(values: pd.Series, fn, dtype=object) -> pd.Series:
    """``fn`` of every value, worked out once per distinct value (a register repeats a few items, roles and
    answers over thousands of rows); a missing value gives ``fn(None)``."""
    own, uniques = pd.factorize(values)  # -1: missing
    results = np.array([fn(u) for u in uniques] + [fn(None)], dtype=object)[own]
    return pd.Series(results, index=values.index, dtype=dtype)


def _unknown_name(frame: pd.DataFrame, column: str, names: dict[str, str], file: str) -> list[Problem]:
    bad = frame[column].notna() & ~_each(frame[column], lambda v: normalise(v) in names, bool)
    return _problems(frame, bad, file, "not_in_enum", column, "、".join(dict.fromkeys(names.values())))


def check(t: dict[str, pd.DataFrame], clean: set[str], files: dict[str, str], config: dict[str, Any]) -> list[Problem]:
    """Every problem of the working-rhythm tables against the units (``t["units"]``, which passed its checks): for a
    table with problems of its own (``clean`` lacks it), its rows that could be read, so that all come at once."""
    from fpplan.data.crosschecks import references
    from fpplan.data.schema import TABLES as SCHEMA

    units = t["units"]
    problems: list[Problem] = []
    for name, column in (
        ("supervision", "unit_code"),
        ("work_register", "unit_code"),
        ("contraceptive_supply", "unit_code"),
        ("village_rooms", "village_code"),
    ):
        frame = t[name]
        required = {c.name for c in SCHEMA[name].columns if not c.optional}
        if not len(frame) or not required <= set(frame.columns):
            continue
        known = units["code"] if name != "village_rooms" else units.loc[units["level"] == "village", "code"]
        problems += references(frame, column, pd.Index(known), files[name], label("tables", "units"))
        problems += check_table(frame, name, files[name], units, config)
    return problems


def check_table(
    frame: pd.DataFrame, name: str, file: str, units: pd.DataFrame | None, config: dict[str, Any]
) -> list[Problem]:
    """One working-rhythm table's own rules (names, inspectors, deadlines, procedures counted twice) and, with the
    county's ``units``, the level of each unit: what an import checks before anything is written."""
    level = units.set_index("code")["level"] if units is not None else pd.Series(dtype=object)
    names = aliases(config)
    problems: list[Problem] = []
    if name == "supervision" and len(frame):
        problems += _supervision(frame, level, names["check_item"], config, file)
    if name == "work_register" and len(frame):
        problems += _unknown_name(frame, "element", names["element"], file)
        if "rhythm" in config:
            code = _each(frame["element"], lambda v: names["element"].get(normalise(v)))
            wanted = code.map({c: e.level for c, e in config["rhythm"].elements.items()})
            have = frame["unit_code"].map(level)
            bad = wanted.notna() & have.notna() & (wanted != have)
            problems += _problems(
                frame,
                bad,
                file,
                "rhythm_wrong_level",
                "unit_code",
                values=frame["unit_code"]
                + " → "
                + _each(wanted, lambda v: label("enums.level", v) if isinstance(v, str) else ""),
            )
    if name == "contraceptive_supply" and len(frame):
        problems += _unknown_name(frame, "method", names["method"], file)
        if "contraceptives" in config:
            code = _each(frame["method"], lambda v: names["method"].get(normalise(v)))
            counted = code.map({c: m.report_element for c, m in config["contraceptives"].methods.items()})
            problems += _problems(
                frame,
                counted.notna(),
                file,
                "supply_in_report",
                "method",
                values=frame["method"] + " → " + counted.fillna("").astype(str),
            )
    return problems


def _supervision(
    frame: pd.DataFrame, level: pd.Series, items: dict[str, str], config: dict[str, Any], file: str
) -> list[Problem]:
    problems = _unknown_name(frame, "check_item", items, file)
    village_inspector = frame["inspector_level"] == "village"
    problems += _problems(frame, village_inspector, file, "supervision_inspector_level", "inspector_level")
    if "inspector" in frame:
        roles = enum_aliases("inspector_role")
        text = frame["inspector"]
        bad = text.notna() & ~_each(
            text, lambda v: normalise(v) in roles or bool(PSEUDONYM.match(str(v).strip())), bool
        )
        problems += _problems(
            frame, bad, file, "supervision_inspector_name", "inspector", allowed_values("inspector_role")
        )
    code = _each(frame["check_item"], lambda v: items.get(normalise(v)))
    if "rhythm" in config:
        wanted = code.map({c: i.level for c, i in config["rhythm"].checklist.items()})
        have = frame["unit_code"].map(level)
        bad = wanted.notna() & have.notna() & (wanted != have)
        problems += _problems(
            frame,
            bad,
            file,
            "rhythm_wrong_level",
            "unit_code",
            values=frame["unit_code"]
            + " → "
            + _each(wanted, lambda v: label("enums.level", v) if isinstance(v, str) else ""),
        )
    date = pd.to_datetime(frame["date"])
    failed = _each(frame["passed"], lambda v: not pd.isna(v) and not bool(v), bool)
    deadline = pd.to_datetime(frame["deadline"]) if "deadline" in frame else pd.Series(pd.NaT, index=frame.index)
    closed = pd.to_datetime(frame["closed_on"]) if "closed_on" in frame else pd.Series(pd.NaT, index=frame.index)
    rectify = pd.Series(True, index=frame.index)
    if "rhythm" in config:
        rectify = code.map({c: i.rectify for c, i in config["rhythm"].checklist.items()}).fillna(True).astype(bool)
    problems += _problems(frame, failed & rectify & deadline.isna(), file, "supervision_no_deadline", "check_item")
    early = deadline.notna() & (deadline < date)
    problems += _problems(
        frame, early, file, "supervision_before_visit", "deadline", values=deadline.dt.strftime("%Y-%m-%d")
    )
    early = closed.notna() & (closed < date)
    problems += _problems(
        frame, early, file, "supervision_before_visit", "closed_on", values=closed.dt.strftime("%Y-%m-%d")
    )
    return problems


def config_problems(config: dict[str, Any], county_dir) -> list[Problem]:
    """config/rules.yaml's demand survey against config/services.yaml: every service a need asks for is a planned
    service (a misspelt one would silently raise nothing)."""
    from fpplan.data.config import config_path

    if config.get("rules") is None or config.get("services") is None:
        return []
    known = config["services"].services
    file = str(config_path(county_dir, "rules"))
    return [
        Problem(
            file=file, kind="unknown_reference", column=f"survey.services.{need}", value=service, detail="services.yaml"
        )
        for need, services in config["rules"].survey.services.items()
        for service in services
        if service not in known
    ]
