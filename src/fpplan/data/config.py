"""County configuration: YAML files under the county's ``config/`` folder, the package's defaults otherwise.

Each file is parsed by a pydantic model (frozen, no unknown keys) registered in ``CONFIG_MODELS``; a config
error becomes a :class:`fpplan.DataError` naming the file and the key path.
"""

from __future__ import annotations

import functools
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from fpplan.data.errors import DataError, Problem
from fpplan.data.labels import Text, label
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
from fpplan.data.reasons import exception_text

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


def read_yaml(path: Path, content: bytes | None = None) -> tuple[Any, list[Problem]]:
    """A YAML file's content (``content``: its bytes, already read), or the problem that stops it being read."""
    try:
        text = path.read_text(encoding="utf-8") if content is None else content.decode("utf-8")
        return yaml.load(text, Loader=YAML_LOADER), []
    except yaml.MarkedYAMLError as exc:  # a syntax error: where it is (line and column from 1) and what
        mark = exc.problem_mark or exc.context_mark
        if mark is not None:
            what = "; ".join(filter(None, [exc.context, exc.problem]))
            return None, [
                Problem(
                    file=str(path),
                    kind="yaml_syntax",
                    row=mark.line + 1,
                    column=str(mark.column + 1),
                    value=_line(path, mark.line),
                    detail=_yaml_reason(what),
                )
            ]
        return None, [
            Problem(file=str(path), kind="unreadable", detail=Text("lang_yaml_other", reason=str(exc).splitlines()[0]))
        ]
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        return None, [Problem(file=str(path), kind="unreadable", detail=exception_text(exc))]


# PyYAML's reasons (a phrase of its message) → the label saying it in the user's language
_YAML_REASONS = {
    "could not find expected ':'": "lang_yaml_colon",
    "mapping values are not allowed": "lang_yaml_mapping_here",
    "cannot start any token": "lang_yaml_tab",
    "tab character": "lang_yaml_tab",
    "flow mapping": "lang_yaml_braces",
    "flow sequence": "lang_yaml_brackets",
    "quoted scalar": "lang_yaml_quotes",
    "block mapping": "lang_yaml_indent",
    "block collection": "lang_yaml_indent",
}


def _yaml_reason(what: str) -> Text:
    key = next((k for phrase, k in _YAML_REASONS.items() if phrase in what), "lang_yaml_other")
    return Text(key, reason=what)


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
        problems = []
        for e in exc.errors():
            key = ".".join(map(str, e["loc"]))
            value = e.get("input") if not isinstance(e.get("input"), (dict, list)) and e["type"] != "missing" else None
            problems += [
                Problem(file=file, kind="config", column=key or None, value=value, detail=text)
                for text in error_texts(e, key)
            ]
        return None, problems


def error_texts(error: dict[str, Any], key: str) -> list[Text]:
    """A pydantic error as sentences in the user's language (labels ``ui.lang_pydantic_<type>`` and, for the
    models' own checks, ``ui.lang_check_<key>``: defaults/labels/lang.yaml), each after the key path it concerns.
    An error type without a label keeps pydantic's English message (inside a Chinese sentence)."""
    kind, ctx = error["type"], {k: str(v) for k, v in (error.get("ctx") or {}).items()}
    if kind == "fpplan_checks":
        texts = [Text(f"lang_check_{k}", **fields) for k, fields in error["ctx"]["checks"]]
    elif kind == "fpplan_check":
        texts = [Text(f"lang_check_{ctx.pop('key')}", **ctx)]
    elif kind in ("literal_error", "enum"):
        texts = [
            Text(
                f"lang_pydantic_{kind}", expected=ctx.get("expected", "").replace(" or ", ", ").replace("', '", "' / '")
            )
        ]
    elif label("ui", f"lang_pydantic_{kind}") != f"lang_pydantic_{kind}":
        texts = [Text(f"lang_pydantic_{kind}", **ctx)]
    else:
        texts = [Text("lang_pydantic_other", detail=error["msg"])]
    return [Text("lang_config_at", path=key, text=t) if key else Text("lang_config_whole", text=t) for t in texts]


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
        parsed[name], found = read_config(name, config_path(county_dir, name))
        problems += found
    return parsed, problems


def load(name: str, county_dir: Path | None = None) -> Any:
    """One config file, parsed; raises DataError."""
    result, problems = read_config(name, config_path(county_dir, name))
    if problems:
        raise DataError(problems)
    return result


def read_config(name: str, path: Path) -> tuple[Any, list[Problem]]:
    """The config file ``name`` at ``path`` parsed by its model (None and the problems if it cannot be): parsed once
    per content of the file (every load of a county reads the same twenty files; the models are frozen)."""
    try:
        content = path.read_bytes()
    except OSError:
        content = None  # read_yaml says why
    parsed, problems = _parsed(CONFIG_MODELS[name], str(path), content)
    return parsed, list(problems)


@functools.lru_cache(maxsize=256)
def _parsed(model: type[Frozen], file: str, content: bytes | None) -> tuple[Any, list[Problem]]:
    data, problems = read_yaml(Path(file), content)
    if problems:
        return None, problems
    return parse(data, model, file)
