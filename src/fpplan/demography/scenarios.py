"""Projection scenarios: YAML files in a county's ``config/scenarios/`` (one file per scenario).

A path (``tfr``, ``e0``, ``net_migration``) maps years to values; years between are interpolated linearly and
years beyond the last are held at the last value. Example (all keys but ``name`` optional)::

    name: {zh: 中方案, en: medium}
    source: demo assumption
    tfr: {2025: 1.05, 2035: 1.15}            # county TFR; each township keeps its estimated relative level
    e0: {male: {2025: 76.5, 2035: 78.5}, female: {2025: 81.5, 2035: 83.0}}
    srb: 1.10                                # male births per female birth
    net_migration: {2025: -900, 2035: -600}  # persons a year, county total, shared by the townships' history
    migration_timing: even                   # end | even (see fpplan.demography.engine)
    lump_inflows:                            # e.g. a regiment farm (团场) settling in a township
      - {name: 第一团场, township: "650123005", year: 2028, size: 6000, male_share: 0.56, profile: working_age}
    project_completion: {ZS007: 2028}         # move a construction project (station code → completion year)
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import numpy as np
from pydantic import Field

from fpplan.config import Frozen, parse, read_yaml
from fpplan.errors import DataError, Problem
from fpplan.labels import label

Path_ = dict[int, float]


class Name(Frozen):
    zh: str
    en: str


class E0Path(Frozen):
    male: Path_
    female: Path_


class LumpInflow(Frozen):
    """A whole community arriving in ``year`` (present in that year's population) and settling in ``township``."""

    name: str
    township: str
    year: int
    size: float = Field(gt=0)
    male_share: float = Field(default=0.5, ge=0, le=1)
    profile: Literal["working_age", "like_township"] = "working_age"


class Scenario(Frozen):
    name: Name
    source: str = "demo assumption"
    tfr: Path_ | None = None
    e0: E0Path | None = None
    srb: float = Field(default=1.10, gt=0.8, lt=1.5)
    net_migration: Path_ | None = None
    migration_timing: Literal["end", "even"] = "even"
    lump_inflows: tuple[LumpInflow, ...] = ()
    horizon: int = 2035
    project_completion: dict[str, int] = {}  # station code → completion year, moving a construction project


def along(path: Path_, years: np.ndarray) -> np.ndarray:
    """A year → value path evaluated at ``years`` (linear between given years, flat beyond)."""
    known = np.array(sorted(path), dtype=float)
    return np.interp(years, known, np.array([path[int(y)] for y in known], dtype=float))


def variants(scenario: Scenario, delta: float = 0.5) -> dict[str, Scenario]:
    """Low / medium / high fertility variants (TFR −0.5 / as given / +0.5, as the UN does)."""
    if scenario.tfr is None:
        raise ValueError("variants need a scenario with a TFR path")
    out = {}
    for key, shift in (("low", -delta), ("medium", 0.0), ("high", delta)):
        tfr = {y: max(v + shift, 0.0) for y, v in scenario.tfr.items()}
        name = Name(zh=f"{scenario.name.zh}（{label('ui', 'variant_' + key, 'zh')}）",
                    en=f"{scenario.name.en} ({label('ui', 'variant_' + key, 'en')})")
        out[key] = scenario.model_copy(update={"tfr": tfr, "name": name})
    return out


def load_scenarios(county_or_dir) -> dict[str, Scenario]:
    """Every ``config/scenarios/*.yaml`` of a county (a County or its folder), keyed by file stem."""
    folder = Path(getattr(county_or_dir, "path", county_or_dir)) / "config" / "scenarios"
    scenarios, problems = {}, []
    for path in sorted(folder.glob("*.yaml")):
        data, found = read_yaml(path)
        if not found:
            scenario, found = parse(data, Scenario, str(path))
            if scenario is not None:
                scenarios[path.stem] = scenario
        problems += found
    if problems:
        raise DataError(problems)
    if not scenarios:
        raise DataError([Problem(file=str(folder), kind="missing_file", detail="config/scenarios/*.yaml")])
    return scenarios
