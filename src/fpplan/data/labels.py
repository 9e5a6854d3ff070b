"""The label table: every zh/en text of fpplan, from one folder (``defaults/labels/*.yaml``, merged).

Loading uses it to accept Chinese table names, headers and enumeration values; the UI and exports use it
to show them. Chinese is the default language.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from importlib import resources
from typing import Any, Self

import yaml

LANGUAGES = ("zh", "en")
_language = "zh"


def set_language(lang: str) -> None:
    """Choose the interface language for everything shown after this call ("zh" or "en")."""
    global _language
    if lang not in LANGUAGES:
        raise ValueError(f"language must be one of {LANGUAGES}, not {lang!r}")
    _language = lang


def language() -> str:
    return _language


@cache
def table() -> dict[str, Any]:
    """The whole label table (cached): every ``defaults/labels/*.yaml`` merged section by section (tables,
    columns, enums, problems, types, ui). Files split the table by area only; a key defined twice is an error."""
    merged: dict[str, Any] = {}
    folder = resources.files("fpplan").joinpath("defaults/labels")
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".yaml"):
            continue
        for section, values in (
            yaml.load(entry.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)) or {}
        ).items():
            _merge(merged.setdefault(section, {}), values, f"{entry.name}: {section}")
    return merged


def _merge(into: dict[str, Any], values: dict[str, Any], where: str) -> None:
    for key, value in values.items():
        if key in into and not (isinstance(value, dict) and "zh" not in value and isinstance(into[key], dict)):
            raise ValueError(f"label {where}.{key} is defined twice")
        if isinstance(value, dict) and "zh" not in value:  # a nested section (an enumeration)
            _merge(into.setdefault(key, {}), value, f"{where}.{key}")
        else:
            into[key] = value


def label(section: str, key: str, lang: str | None = None, with_unit: bool = False) -> str:
    """The label of ``key`` in ``section`` (tables, columns, types, ui, problems) or an enumeration
    (``enums.sex``); the key itself when it has none."""
    entry = _section(section).get(key)
    if entry is None:
        return str(key)
    text = entry[lang or _language]
    if with_unit and entry.get("unit"):
        text = f"{text}({entry['unit']})"
    return text


def _section(section: str) -> dict[str, Any]:
    node: Any = table()
    for part in section.split("."):
        node = node.get(part, {})
    return node


def column_label(column: str, lang: str | None = None) -> str:
    """A column's header as shown and exported: label with its unit, e.g. ``建筑面积(m²)``."""
    return label("columns", column, lang, with_unit=True)


def enum_label(enum: str, value: Any, lang: str | None = None) -> str:
    return label(f"enums.{enum}", str(value), lang)


def normalise(text: Any) -> str:
    """Fold a header or value for matching: NFKC (full-width → half-width), no BOM, no spaces, lower case."""
    folded = unicodedata.normalize("NFKC", str(text)).replace("\ufeff", "")
    return re.sub(r"\s+", "", folded).lower()


def _strip_unit(text: str) -> str:
    return re.sub(r"\(.*?\)$", "", text)


@cache
def column_aliases() -> dict[str, str]:
    """Every accepted spelling of a column header (code, zh, en, with or without unit) → column code."""
    aliases: dict[str, str] = {}
    for code, entry in table()["columns"].items():
        names = {code, entry["zh"], entry["en"], entry["en"].replace(" ", "_")}
        if entry.get("unit"):
            names |= {f"{entry['zh']}({entry['unit']})", f"{entry['en']}({entry['unit']})"}
        for name in names:
            aliases[normalise(name)] = code
    return aliases


def canonical_column(header: Any, extra: dict[str, str] | None = None) -> str | None:
    """The column code a file's header means, or None. ``extra`` adds aliases (e.g. data elements)."""
    key = normalise(header)
    aliases = column_aliases() | (extra or {})
    return aliases.get(key) or aliases.get(_strip_unit(key))


@cache
def enum_aliases(enum: str) -> dict[str, str]:
    """Accepted spellings of an enumeration's values (code, zh, en, and the words offices use: the label table's
    ``synonyms``, e.g. 大专 → associate) → value code."""
    aliases = {normalise(word): str(code) for word, code in _section(f"synonyms.{enum}").items()}
    for code, entry in _section(f"enums.{enum}").items():
        for name in (code, entry["zh"], entry["en"]):
            aliases[normalise(name)] = code
    return aliases


def allowed_values(enum: str, lang: str | None = None) -> str:
    """An enumeration's values as a reader names them, in the interface language: 大学本科、大学专科…"""
    return "、".join(enum_label(enum, code, lang) for code in _section(f"enums.{enum}"))


@cache
def table_aliases() -> dict[str, str]:
    """Accepted file stems (code, zh, en) → table code."""
    return {normalise(n): code for code, e in table()["tables"].items() for n in (code, e["zh"], e["en"])}


def problem_text(kind: str, lang: str | None = None, **fields: Any) -> str:
    """A validation problem as a sentence in the chosen language."""
    return label("problems", kind, lang).format(
        **{"column": "", "value": "", "detail": "", "row": "", "sheet": "", **fields}
    )


def ui(key: str, lang: str | None = None, **fields: Any) -> str:
    """An interface string, formatted with ``fields``."""
    return label("ui", key, lang).format(**fields)


class Text(str):
    """An interface string that knows its label: as a str it reads in the language chosen when it was made; a
    problem's message renders it again in the language asked for (``in_language``), so a detail made in Chinese
    reads in English with ``message("en")``. Fields that are Texts are rendered in the same language."""

    key: str
    fields: dict[str, Any]

    def __new__(cls, key: str, **fields: Any) -> Self:
        made = super().__new__(cls, ui(key, **fields))
        made.key, made.fields = key, fields
        return made

    def in_language(self, lang: str | None) -> str:
        return ui(
            self.key, lang, **{k: v.in_language(lang) if isinstance(v, Text) else v for k, v in self.fields.items()}
        )

    def __reduce__(self):
        return _text, (self.key, self.fields)


def _text(key: str, fields: dict[str, Any]) -> Text:
    return Text(key, **fields)


def month_text(month: str, lang: str | None = None) -> str:
    """A month id as people write it: ``2026-01`` → 2026年1月 (zh), January 2026 (en)."""
    year, number = str(month)[:4], int(str(month)[5:7])
    if (lang or _language) == "zh":
        return f"{year}年{number}月"
    import calendar

    return f"{calendar.month_name[number]} {year}"
