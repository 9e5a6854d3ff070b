"""Saving a scenario a planner keeps: one YAML file in the county's ``config/scenarios/`` (read back by
``load_scenarios``, so the CLI, the reports and the notebooks list it next time).

The scenario is validated with the :class:`fpplan.data.models.scenario.Scenario` model as it will be read back; a
name that is not a plain file name, or that an existing scenario already has, is refused (never overwritten);
nothing is written when anything is wrong.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from fpplan.data.config import load, parse
from fpplan.data.county import load_county
from fpplan.data.errors import DataError, Problem
from fpplan.data.labels import Text, ui
from fpplan.data.models.scenario import Scenario
from fpplan.data.scenarios import CountyFacts, check_scenario

NAME = re.compile(r"^[\w\-\u4e00-\u9fff（）()]+$")
MAX_NAME = 60


def _int_keys(data: Any) -> Any:
    """JSON dumps turn year keys into text: give YAML back its integers (2025: 1.25)."""
    if isinstance(data, dict):
        return {int(k) if isinstance(k, str) and k.isdigit() else k: _int_keys(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_int_keys(v) for v in data]
    return data


def scenario_yaml(scenario: Scenario) -> str:
    """The scenario as the YAML a county keeps (no empty keys)."""
    data = _int_keys(scenario.model_dump(mode="json", exclude_none=True, by_alias=True))
    data = {k: v for k, v in data.items() if v not in ({}, [], ())}
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def save_scenario(county_dir: str | Path, key: str, scenario: Scenario | dict) -> Path:
    """Write ``scenario`` as ``config/scenarios/<key>.yaml`` of the county at ``county_dir`` and return the path.

    Raises DataError (nothing written) when ``key`` is not a usable file name, a scenario of that name exists, or
    the scenario does not validate."""
    folder = Path(county_dir) / "config" / "scenarios"
    key = str(key).strip()
    if not key or len(key) > MAX_NAME or not NAME.match(key):
        raise DataError([Problem(file=str(folder), kind="bad_name", value=key, detail=ui("name_rule", max=MAX_NAME))])
    path = folder / f"{key}.yaml"
    if path.exists() or any(p.stem.lower() == key.lower() for p in folder.glob("*.yaml")):
        raise DataError([Problem(file=str(path), kind="scenario_exists", value=key)])
    data = scenario.model_dump(mode="json", by_alias=True) if isinstance(scenario, Scenario) else scenario
    parsed, problems = parse(data, Scenario, str(path))
    if problems:
        raise DataError(problems)
    problems = check_to_save(parsed, str(path), Path(county_dir))  # as load_county will check it
    if problems:
        raise DataError(problems)
    text = scenario_yaml(parsed)
    again, problems = parse(yaml.safe_load(text), Scenario, str(path))  # what load_scenarios will read
    if problems or again != parsed:
        raise DataError(problems or [Problem(file=str(path), kind="config", detail=Text("lang_scenario_round_trip"))])
    folder.mkdir(parents=True, exist_ok=True)
    try:
        with path.open("x", encoding="utf-8") as handle:  # exclusive: never overwrite, even in a race
            handle.write(text)
    except FileExistsError:
        raise DataError([Problem(file=str(path), kind="scenario_exists", value=key)]) from None
    return path


def facts_of(county) -> CountyFacts:
    """What a scenario is checked against, from a loaded County."""
    plan = county.construction_plan
    return CountyFacts(
        base_year=county.base_year,
        population=float(county.population["population"].sum()),
        townships=pd.Index(county.townships()["code"]),
        plan_stations=pd.Index(plan["station_code"]),
        stations=pd.Index(county.facilities["code"]),
    )


def check_to_save(scenario: Scenario, file: str, county_dir: Path) -> list[Problem]:
    """The checks ``load_county`` will run on a scenario saved into ``county_dir``, run before it is written (a
    saved scenario must not make the county fail to load): the bounds always, the county where it loads."""
    try:
        bounds = load("bounds", county_dir)
    except DataError as error:
        return error.problems
    try:
        facts = facts_of(load_county(county_dir))
    except DataError:  # not a county folder, or one with problems of its own (validate names them)
        facts = CountyFacts(None, None, None, None)
    return check_scenario(scenario, file, bounds.scenario, facts)
