"""County configuration: YAML files under the county's ``config/`` folder, the package's defaults otherwise.

Each file is parsed by a pydantic model (frozen, no unknown keys) registered in ``CONFIG_MODELS``; a config
error becomes a :class:`fpplan.DataError` naming the file and the key path.
"""

from __future__ import annotations

import importlib
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from fpplan.errors import DataError, Problem


class Frozen(BaseModel):
    """Base of every config model: immutable, unknown keys are errors."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class DataElement(Frozen):
    zh: str
    en: str
    time: Literal["sum", "average", "last"]


class DataElements(Frozen):
    source: str
    elements: dict[str, DataElement]


# config file stem → "module:Model". Engines add their own files here.
CONFIG_MODELS: dict[str, str] = {
    "data_elements": "fpplan.config:DataElements",
    "wisn": "fpplan.staffing:WisnConfig",
    "standards": "fpplan.staffing:Standards",
    "services": "fpplan.demand:ServicesConfig",
    "indicators": "fpplan.indicators.catalogue:Catalogue",
    "quality": "fpplan.indicators.quality:QualityConfig",
    "rules": "fpplan.rules:RulesConfig",
}


def default_config_dir() -> Path:
    return Path(str(resources.files("fpplan").joinpath("defaults/config")))


def read_yaml(path: Path) -> tuple[Any, list[Problem]]:
    """A YAML file's content, or the problem that stops it being read."""
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8")), []
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        return None, [Problem(file=str(path), kind="unreadable", detail=str(exc).splitlines()[0])]


def parse(data: Any, model: type[Frozen], file: str) -> tuple[Any, list[Problem]]:
    """Validate ``data`` with ``model``; problems name the file and the key path."""
    try:
        return model.model_validate(data), []
    except ValidationError as exc:
        return None, [
            Problem(file=file, kind="config", column=".".join(map(str, e["loc"])), value=e.get("input")
                    if not isinstance(e.get("input"), (dict, list)) else None, detail=f"{'.'.join(map(str, e['loc']))}: {e['msg']}")
            for e in exc.errors()
        ]


def _model(name: str) -> type[Frozen]:
    module, attr = CONFIG_MODELS[name].split(":")
    return getattr(importlib.import_module(module), attr)


def config_path(county_dir: Path | None, name: str) -> Path:
    """The county's own file if it has one, else the package default."""
    if county_dir is not None:
        own = county_dir / "config" / f"{name}.yaml"
        if own.exists():
            return own
    return default_config_dir() / f"{name}.yaml"


def load_config(county_dir: Path | None = None) -> tuple[dict[str, Any], list[Problem]]:
    """Every registered config file, parsed; and the problems found."""
    parsed: dict[str, Any] = {}
    problems: list[Problem] = []
    for name in CONFIG_MODELS:
        path = config_path(county_dir, name)
        data, found = read_yaml(path)
        if not found:
            parsed[name], found = parse(data, _model(name), str(path))
        problems += found
    return parsed, problems


def load(name: str, county_dir: Path | None = None) -> Any:
    """One config file, parsed; raises DataError."""
    path = config_path(county_dir, name)
    data, problems = read_yaml(path)
    if not problems:
        result, problems = parse(data, _model(name), str(path))
    if problems:
        raise DataError(problems)
    return result
