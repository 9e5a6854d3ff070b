"""pyproject.toml and environment.yml name the same packages; the repository has the agreed layout."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def _name(requirement: str) -> str:
    return re.split(r"[\s<>=!~\[;]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")


def test_environment_yml_matches_pyproject() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = {_name(r) for r in project["dependencies"]} | {_name(r) for r in project["optional-dependencies"]["dev"]}
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    conda = {_name(d) for d in env["dependencies"] if isinstance(d, str)} - {"python", "pip"}
    pip_part = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    named = conda | {_name(p) for p in pip_part if not p.startswith("-e")}
    assert named == declared, f"only in environment.yml: {named - declared}; only in pyproject: {declared - named}"
    assert pip_part[-1] == "-e .[dev]"
    assert "conda-forge" in env["channels"]


def test_agreed_layout() -> None:
    for folder in ("notebooks", "src/fpplan", "data", "dashboards", "tests", "benchmarks", ".ci"):
        assert (ROOT / folder).is_dir(), folder
    for file in ("environment.yml", "README.md", "pyproject.toml", "Makefile", ".ci/run"):
        assert (ROOT / file).is_file(), file


def test_the_label_table_defines_every_key_once() -> None:
    """The label table is split by area over defaults/labels/*.yaml; a key two files define is refused on load."""
    from fpplan.data import labels

    labels.table.cache_clear()
    table = labels.table()
    assert {"tables", "columns", "enums", "problems", "ui"} <= set(table)
    assert labels.ui("data_as_of", month="2026年1月").startswith("数据截至")


def test_every_input_column_header_is_recognised_as_itself() -> None:
    """A header a county's file may carry (code, zh, en, with its unit) maps back to its own column: an output label
    spelt like an input header (e.g. 月份 for two columns) would make files unreadable."""
    from fpplan.data.labels import canonical_column, table
    from fpplan.data.schema import TABLES

    columns = table()["columns"]
    for name in {c.name for t in TABLES.values() for c in t.columns if c.name in columns}:
        entry = columns[name]
        spellings = {name, entry["zh"], entry["en"]} | (
            {f"{entry['zh']}({entry['unit']})"} if entry.get("unit") else set()
        )
        assert {s: canonical_column(s) for s in spellings} == dict.fromkeys(spellings, name)
