"""Words and names in a county's files: enumeration values through the label table's vocabulary (plus the county's
own ``config/vocabulary.yaml``), and township, village and station names resolved to codes, with the closest known
names suggested for one that matches none (difflib). Every mapping used is logged for 导入说明.
"""

from __future__ import annotations

import difflib
import re
from collections import defaultdict
from dataclasses import dataclass, field

import pandas as pd

from fpplan.data.labels import allowed_values, enum_aliases, enum_label, label, normalise, ui

_COMMITTEE = re.compile(r"(村民委员会|居民委员会|村委会|居委会|委员会|委会)$")


def name_key(name: object) -> str:
    """A place name folded for matching: NFKC, no spaces, no 村委会/居委会 ending (孙家坪村委会 = 孙家坪村)."""
    text = normalise(name)
    stripped = _COMMITTEE.sub("", text)
    if text.endswith(("村委会", "村民委员会")) and not stripped.endswith("村"):
        stripped += "村"
    return stripped or text


def clean_name(name: object) -> str:
    """A village's name as fpplan keeps it (the committee ending dropped: 东街社区居委会 → 东街社区)."""
    text = str(name).strip()
    stripped = _COMMITTEE.sub("", text)
    if text.endswith(("村委会", "村民委员会")) and not stripped.endswith("村"):
        stripped += "村"
    return stripped or text


def closest(name: str, known: list[str], n: int = 3) -> str:
    """The closest known names, as a sentence in the interface language."""
    keys = {name_key(k): k for k in known}
    hits = difflib.get_close_matches(name_key(name), list(keys), n=n, cutoff=0.4)
    if not hits:  # a name with a character missing or added: share of common characters
        scored = sorted(keys, key=lambda k: -len(set(k) & set(name_key(name))) / max(len(k), 1))
        hits = [k for k in scored[:n] if set(k) & set(name_key(name))]
    return ui("intake_closest", names="、".join(keys[h] for h in hits)) if hits else ui("intake_no_close")


@dataclass
class Log:
    """What the intake did, for 导入说明: files → tables, columns → fields, value and name mappings, skipped rows,
    rules applied, what is missing."""

    files: list[tuple[str, str, int]] = field(default_factory=list)  # file label, table, rows read
    columns: list[tuple[str, str, str]] = field(default_factory=list)  # file label, header, field
    unused: list[tuple[str, str]] = field(default_factory=list)  # file label, header not used
    values: dict[tuple[str, str, str], int] = field(default_factory=lambda: defaultdict(int))  # (field, word, value)
    names: dict[tuple[str, str], str] = field(default_factory=dict)  # (what, name as written) → code
    skipped: list[tuple[str, int, str, str]] = field(default_factory=list)  # file label, row, text, check
    rules: list[str] = field(default_factory=list)
    missing: list[tuple[str, str]] = field(default_factory=list)  # what, what it means

    def column_map(self, label_: str, header: str, field_: str) -> None:
        self.columns.append((label_, header, field_))


class Vocabulary:
    """Enumeration values from office words: the label table's names and synonyms, and the county's own words
    (``county``: enumeration → word → code, from config/vocabulary.yaml)."""

    def __init__(self, county: dict[str, dict[str, str]] | None = None):
        self.county = {enum: {normalise(w): str(c) for w, c in words.items()} for enum, words in (county or {}).items()}

    def aliases(self, enum: str) -> dict[str, str]:
        return enum_aliases(enum) | self.county.get(enum, {})

    def map(self, values: pd.Series, enum: str, field_: str, log: Log) -> tuple[pd.Series, pd.Series]:
        """(codes, bad): each value's code (None where blank or unknown) and where it is unknown; mappings from
        a word other than the value's own Chinese name are logged."""
        aliases = self.aliases(enum)
        keys = values.map(lambda v: None if v is None else normalise(v))
        codes = keys.map(lambda k: None if k is None else aliases.get(k))
        bad = keys.notna() & codes.isna()
        for word, code in pd.DataFrame({"w": values, "c": codes}).dropna().value_counts().items():
            if str(word[0]).strip() != enum_label(enum, word[1], "zh"):
                log.values[(field_, str(word[0]).strip(), enum_label(enum, word[1], "zh"))] += int(code)
        return codes, bad

    @staticmethod
    def allowed(enum: str) -> str:
        return allowed_values(enum)


class Places:
    """The county's townships and villages by name (from the village list)."""

    def __init__(self, units: pd.DataFrame):
        towns = units[units["level"] == "township"]
        villages = units[units["level"] == "village"]
        self.county_code = (
            str(units.loc[units["level"] == "county", "code"].iloc[0]) if (units["level"] == "county").any() else ""
        )
        self.townships = {name_key(n): c for c, n in zip(towns["code"], towns["name"])}
        self.township_names = list(towns["name"])
        self.villages: dict[tuple[str, str], str] = {}
        self.by_name: dict[str, list[str]] = defaultdict(list)
        self.names = dict(zip(units["code"], units["name"]))
        for code, name, parent in zip(villages["code"], villages["name"], villages["parent_code"]):
            self.villages[(parent, name_key(name))] = code
            self.by_name[name_key(name)].append(code)

    def township(self, name: object) -> str | None:
        return self.townships.get(name_key(name))

    def village(self, township: str | None, name: object) -> tuple[str | None, list[str]]:
        """(code, candidates): the village's code, or None and the codes it may be (several: ambiguous)."""
        if township is not None:
            code = self.villages.get((township, name_key(name)))
            return code, [code] if code else []
        codes = self.by_name.get(name_key(name), [])
        return (codes[0] if len(codes) == 1 else None), codes

    def village_names(self, township: str | None) -> list[str]:
        return [self.names[c] for (t, _), c in self.villages.items() if township is None or t == township]

    def describe(self, codes: list[str]) -> str:
        return "、".join(f"{self.names[c[:9]]}{self.names[c]}（{c}）" for c in codes)


def what(key: str) -> str:
    """A table's name for messages."""
    return label("tables", key)
