"""County configuration: YAML files under the county's ``config/`` folder, the package's defaults otherwise.

Each file is parsed by a pydantic model (frozen, no unknown keys) registered in ``CONFIG_MODELS``; a config
error becomes a :class:`fpplan.DataError` naming the file and the key path.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from fpplan.data.errors import DataError, Problem
from fpplan.data.models import Frozen
from fpplan.data.models.collection import Collection, PopulationRates, Timeline
from fpplan.data.models.indicators import Catalogue, DataElements, QualityConfig
from fpplan.data.models.planning import (
    EquipmentConfig,
    IntakeConfig,
    RecruitmentConfig,
    ServicesConfig,
    Standards,
    WisnConfig,
)
from fpplan.data.models.report import ReportConfig
from fpplan.data.models.rhythm import ContraceptivesConfig, RhythmConfig
from fpplan.data.models.rooms import RoomsConfig
from fpplan.data.models.rules import RulesConfig
from fpplan.data.models.scenario import Bounds
from fpplan.data.models.server import ServerConfig
from fpplan.data.models.spatial import SpatialConfig
from fpplan.data.models.uncertainty import UncertaintyConfig

YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present: ten times faster

# config file stem → the model that parses it (fpplan.data.models)
CONFIG_MODELS: dict[str, type[Frozen]] = {
    "data_elements": DataElements,
    "wisn": WisnConfig,
    "standards": Standards,
    "services": ServicesConfig,
    "recruitment": RecruitmentConfig,
    "equipment": EquipmentConfig,
    "indicators": Catalogue,
    "quality": QualityConfig,
    "rules": RulesConfig,
    "bounds": Bounds,
    "spatial": SpatialConfig,
    "report": ReportConfig,
    "server": ServerConfig,
    "intake": IntakeConfig,
    "uncertainty": UncertaintyConfig,
    "rhythm": RhythmConfig,
    "contraceptives": ContraceptivesConfig,
    "rooms": RoomsConfig,
    "collection": Collection,
    "population_rates": PopulationRates,
    "timeline": Timeline,
}


def default_config_dir() -> Path:
    return Path(str(resources.files("fpplan").joinpath("defaults/config")))


def read_yaml(path: Path) -> tuple[Any, list[Problem]]:
    """A YAML file's content, or the problem that stops it being read."""
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=YAML_LOADER), []
    except yaml.MarkedYAMLError as exc:  # a syntax error: where it is (line and column from 1) and what
        mark = exc.problem_mark or exc.context_mark
        if mark is not None:
            what = "; ".join(filter(None, [exc.context, exc.problem]))
            return None, [Problem(file=str(path), kind="yaml_syntax", row=mark.line + 1, column=str(mark.column + 1),
                                  value=_line(path, mark.line), detail=what)]
        return None, [Problem(file=str(path), kind="unreadable", detail=str(exc).splitlines()[0])]
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        return None, [Problem(file=str(path), kind="unreadable", detail=str(exc).splitlines()[0])]


def _line(path: Path, index: int) -> str | None:
    """The text of line ``index`` (0-based) of a file, shortened, to show where a syntax error is."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return None
    text = lines[index].strip() if 0 <= index < len(lines) else ""
    return text[:60] + ("…" if len(text) > 60 else "") or None


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
    for name, model in CONFIG_MODELS.items():
        path = config_path(county_dir, name)
        data, found = read_yaml(path)
        if not found:
            parsed[name], found = parse(data, model, str(path))
        problems += found
    return parsed, problems


def load(name: str, county_dir: Path | None = None) -> Any:
    """One config file, parsed; raises DataError."""
    path = config_path(county_dir, name)
    data, problems = read_yaml(path)
    if not problems:
        result, problems = parse(data, CONFIG_MODELS[name], str(path))
    if problems:
        raise DataError(problems)
    return result
