"""Projection scenarios (``fpplan.data.models.scenario``, one YAML file each in ``config/scenarios/``): paths over years.

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
    grade_changes: {ZS008: A}                 # a station's last project aims at another grade (its standard area)
    stations_added:                           # a station added to the plan, with the project that builds it
      - {code: ZS009, name: 第一团场服务站, level: township_general, township_code: "650123005", target_grade: B,
         start_year: 2028, completion_year: 2029, cost_wan_yuan: 70, self_raised_wan_yuan: 20, subsidy_requested_wan_yuan: 50}
"""

from __future__ import annotations

import numpy as np

from fpplan.data.labels import label
from fpplan.data.models.scenario import Name, Path_, Scenario


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
        name = Name(
            zh=f"{scenario.name.zh}（{label('ui', 'variant_' + key, 'zh')}）",
            en=f"{scenario.name.en} ({label('ui', 'variant_' + key, 'en')})",
        )
        out[key] = scenario.model_copy(update={"tfr": tfr, "name": name})
    return out
