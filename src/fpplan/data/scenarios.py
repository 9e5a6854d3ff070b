"""A county's projection scenarios (``config/scenarios/*.yaml``), read and held against the county and the plausible
bounds of ``config/bounds.yaml``, so that a typo ends in a refusal instead of a confident plan:

- every value within its bound (TFR, e0, sex ratio at birth, the horizon, a lump inflow's size and the yearly net
  migration as shares of the county's base-year population);
- every year of a path, lump inflow and project completion between the base year and the scenario's horizon (a
  lump inflow arrives after the base year);
- lump inflows settle in a township of the county; ``project_completion`` and ``grade_changes`` name a station of the
  construction plan; a station a scenario adds is new, in a township of the county, and built within the horizon.

Problems name the scenario file and the key path (``tfr.2030``, ``lump_inflows.0.township``), zh and en.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from fpplan.data.config import parse, read_yaml
from fpplan.data.errors import DataError, Problem
from fpplan.data.models.scenario import Bound, Scenario, ScenarioBounds


def scenarios_folder(county_dir: Path) -> Path:
    return Path(county_dir) / "config" / "scenarios"


def read_scenarios(county_dir: Path) -> tuple[dict[str, Scenario], dict[str, str], list[Problem]]:
    """Every ``config/scenarios/*.yaml`` parsed (file stem → Scenario), the file of each, and the problems found.
    A county without the folder has no scenarios (commands that need one say so)."""
    scenarios, files, problems = {}, {}, []
    for path in sorted(scenarios_folder(county_dir).glob("*.y*ml")):
        data, found = read_yaml(path)
        if not found:
            scenario, found = parse(data, Scenario, str(path))
            if scenario is not None:
                scenarios[path.stem], files[path.stem] = scenario, str(path)
        problems += found
    return scenarios, files, problems


@dataclass(frozen=True)
class CountyFacts:
    """What a scenario is checked against; None where the county's own table did not pass its checks."""

    base_year: int | None
    population: float | None  # the county's base-year population
    townships: pd.Index | None  # township codes
    plan_stations: pd.Index | None  # stations with a project in the construction plan
    stations: pd.Index | None = None  # every facility code


def check_scenario(scenario: Scenario, file: str, bounds: ScenarioBounds, facts: CountyFacts) -> list[Problem]:
    """Every problem of one scenario against the bounds and the county (see the module's docstring)."""
    problems: list[Problem] = []

    def within(key: str, value: float, low: float | None, high: float | None, fmt: str = "g") -> None:
        if (low is not None and value < low) or (high is not None and value > high):
            shown = f"[{'−∞' if low is None else format(low, fmt)}, {'∞' if high is None else format(high, fmt)}]"
            problems.append(Problem(file=file, kind="scenario_out_of_bounds", column=key, value=value, detail=shown))

    def bound(key: str, value: float, b: Bound, scale: float = 1.0, fmt: str = "g") -> None:
        within(key, value, None if b.min is None else b.min * scale, None if b.max is None else b.max * scale, fmt)

    base, horizon = facts.base_year, scenario.horizon
    if base is not None:
        b = bounds.horizon_years
        within("horizon", horizon, base + (b.min if b.min is not None else 1), None if b.max is None else base + b.max)
        horizon_ok = not problems
    else:
        horizon_ok = False

    def year(key: str, value: int, first: int | None) -> None:
        """A year from ``first`` to the horizon (only the first when the horizon itself is wrong)."""
        if first is not None and (value < first or horizon_ok and value > horizon):
            problems.append(
                Problem(
                    file=file,
                    kind="scenario_year_outside",
                    column=key,
                    value=value,
                    detail=f"{first}–{horizon if horizon_ok else ''}",
                )
            )

    paths = {"tfr": (scenario.tfr, bounds.tfr, 1.0)}
    if scenario.e0 is not None:
        paths |= {"e0.male": (scenario.e0.male, bounds.e0, 1.0), "e0.female": (scenario.e0.female, bounds.e0, 1.0)}
    share = bounds.net_migration_share
    if facts.population:
        signed = Bound(min=-(share.max or 0), max=share.max, source=share.source)
        paths["net_migration"] = (scenario.net_migration, signed, facts.population)
    for key, (path, b, scale) in paths.items():
        if path is None:
            continue
        if not path:
            problems.append(Problem(file=file, kind="scenario_empty_path", column=key))
        for y, v in path.items():
            year(f"{key}.{y}", y, base)
            bound(f"{key}.{y}", v, b, scale, ".0f" if scale != 1.0 else "g")
    bound("srb", scenario.srb, bounds.srb)
    for i, lump in enumerate(scenario.lump_inflows):
        where = f"lump_inflows.{i}"
        year(f"{where}.year", lump.year, None if base is None else base + 1)
        if facts.population:
            bound(f"{where}.size", lump.size, bounds.lump_inflow_share, facts.population, ".0f")
        if facts.townships is not None and lump.township not in facts.townships:
            problems.append(
                Problem(
                    file=file,
                    kind="scenario_unknown_township",
                    column=f"{where}.township",
                    value=lump.township,
                    detail=_listed(facts.townships),
                )
            )
    for station, completion in scenario.project_completion.items():
        key = f"project_completion.{station}"
        if facts.plan_stations is not None and station not in facts.plan_stations:
            problems.append(
                Problem(
                    file=file,
                    kind="scenario_unknown_station",
                    column=key,
                    value=station,
                    detail=_listed(facts.plan_stations),
                )
            )
        year(key, completion, base)
    for station in scenario.grade_changes:
        if facts.plan_stations is not None and station not in facts.plan_stations:
            problems.append(
                Problem(
                    file=file,
                    kind="scenario_unknown_station",
                    column=f"grade_changes.{station}",
                    value=station,
                    detail=_listed(facts.plan_stations),
                )
            )
    for i, added in enumerate(scenario.stations_added):
        where = f"stations_added.{i}"
        if facts.townships is not None and added.township_code not in facts.townships:
            problems.append(
                Problem(
                    file=file,
                    kind="scenario_unknown_township",
                    column=f"{where}.township_code",
                    value=added.township_code,
                    detail=_listed(facts.townships),
                )
            )
        if facts.stations is not None and added.code in facts.stations:
            problems.append(
                Problem(file=file, kind="scenario_station_exists", column=f"{where}.code", value=added.code)
            )
        year(f"{where}.start_year", added.start_year, base)
        year(f"{where}.completion_year", added.completion_year, base)
    return problems


def _listed(codes: pd.Index, most: int = 12) -> str:
    codes = sorted(map(str, codes))
    return ", ".join(codes[:most]) + (" …" if len(codes) > most else "")


def unknown_scenario(county_dir: str | Path, name: str, known) -> Problem:
    """The problem of a scenario name the county does not have, naming the ones it has (every command, page and
    notebook that is asked for a scenario says it so)."""
    return Problem(
        file=str(scenarios_folder(Path(county_dir))), kind="unknown_scenario", value=name, detail=", ".join(known)
    )


def load_scenarios(county_or_dir) -> dict[str, Scenario]:
    """A county's scenarios, keyed by file stem: a County's own (read and checked against the county and
    config/bounds.yaml by ``load_county``), or a folder's ``config/scenarios/*.yaml`` parsed (not checked against
    the county: load the county for that). Raises DataError, also when there is none."""
    if hasattr(county_or_dir, "scenarios"):
        scenarios, problems = county_or_dir.scenarios, []
    else:
        scenarios, _, problems = read_scenarios(Path(county_or_dir))
    if problems:
        raise DataError(problems)
    if not scenarios:
        folder = scenarios_folder(Path(getattr(county_or_dir, "path", county_or_dir)))
        raise DataError([Problem(file=str(folder), kind="missing_file", detail="config/scenarios/*.yaml")])
    return scenarios
