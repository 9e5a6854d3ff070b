"""The scenario explorer's controls as scenario edits (no widgets here, so they are unit-tested): the controls'
starting values read from a stored scenario, and the scenario the controls describe. A control left at its
starting value changes nothing: with no control touched the explorer recalculates the stored scenario itself, so
its numbers are the overview's, the command line's and the report's for that scenario. The 80% band of the county's
population and women 15-49 follows the controls too (``band``), made as the stored intervals are."""

from __future__ import annotations

import os

CONTROLS = ("tfr", "e0", "migration", "farm_year", "farm_size", "delay")


def _last(path: dict | None):
    return path[max(path)] if path else None


def starting_values(scenario, county_tfr: float, default_farm_year: int) -> dict:
    """Each control's value for ``scenario``: the last point of its TFR, female e0 and net-migration paths (the
    county's estimated TFR, 80 and 0 when the scenario has no path), the first lump inflow's year and the inflows'
    total size, no shift of the construction projects."""
    farms = scenario.lump_inflows
    return {
        "tfr": float(_last(scenario.tfr) if scenario.tfr else county_tfr),
        "e0": float(_last(scenario.e0.female)) if scenario.e0 else 80.0,
        "migration": float(_last(scenario.net_migration)) if scenario.net_migration else 0.0,
        "farm_year": int(farms[0].year) if farms else int(default_farm_year),
        "farm_size": float(sum(f.size for f in farms)),
        "delay": 0,
    }


def as_slider_shows(value: float, low: float, step: float) -> float:
    """Where a slider from ``low`` in steps of ``step`` shows ``value``: the nearest step (the browser's slider then
    hands that value back to the kernel, as if moved)."""
    return low + round((value - low) / step) * step


def at_start(value: float, start: float, low: float, step: float) -> bool:
    """A control still at its start: its starting value, or where its slider shows that value (a county's e0 of
    80.9 on a slider in steps of 0.5 shows 81.0, a migration of −6,460 in steps of 100 shows −6,500: not a move)."""
    return any(abs(float(value) - v) <= 1e-9 * max(1.0, abs(v)) for v in (start, as_slider_shows(start, low, step)))


def _as_set(value) -> float:
    """A control's value as the planner set it: the browser hands a slider's step back as a sum of steps
    (1.5000000000000002 for 1.5), which a saved scenario would otherwise keep."""
    return round(float(value), 9)


def _moved(values: dict, start: dict, key: str) -> bool:
    return abs(float(values[key]) - float(start[key])) > 1e-9


def control_ranges(bounds, base_year: int, horizon: int, population: float, every: list[dict]) -> dict[str, dict]:
    """Each slider's ``min`` and ``max``: the plausible bounds of config/bounds.yaml (``bounds``: its model) for the
    TFR and e0, the yearly net migration (± its share of the base-year ``population``, to the hundred) and the lump
    inflows (up to one inflow's share, to the 500), the inflows' year from the year after the base year to the
    ``horizon``; widened to hold every scenario's own value (``every``: their ``starting_values``), so that a slider
    never clamps a start."""
    b = bounds.scenario
    migration = round(b.net_migration_share.max * population, -2)
    limits = {
        "tfr": (b.tfr.min, b.tfr.max),
        "e0": (b.e0.min, b.e0.max),
        "migration": (-migration, migration),
        "farm_year": (base_year + 1, horizon),
        "farm_size": (0.0, 500 * (b.lump_inflow_share.max * population // 500)),
    }
    return {
        key: {"min": min([low] + [v[key] for v in every]), "max": max([high] + [v[key] for v in every])}
        for key, (low, high) in limits.items()
    }


def scenario_with(scenario, values: dict, start: dict, construction_plan, base_year: int):
    """``scenario`` as the controls change it; only a moved control (``values[k]`` ≠ ``start[k]``) edits it:

    - tfr / e0: the last point of the scenario's path (the path up to it kept), or a path from the base year;
    - migration: the last point of the net-migration path (earlier points kept);
    - farm_year / farm_size: the lump inflows moved together (their spacing kept) and scaled to the total;
    - delay: every station's last project completing that many years later than the scenario has it."""
    update = {}
    if _moved(values, start, "tfr"):
        path = dict(scenario.tfr or {base_year: start["tfr"]})
        update["tfr"] = path | {max(path): _as_set(values["tfr"])}
    if _moved(values, start, "e0") and scenario.e0:
        female = dict(scenario.e0.female)
        update["e0"] = scenario.e0.model_copy(update={"female": female | {max(female): _as_set(values["e0"])}})
    if _moved(values, start, "migration"):
        path = dict(scenario.net_migration or {base_year: 0.0})
        update["net_migration"] = path | {max(path): _as_set(values["migration"])}
    if (_moved(values, start, "farm_year") or _moved(values, start, "farm_size")) and scenario.lump_inflows:
        farms = scenario.lump_inflows
        size, total = _as_set(values["farm_size"]), sum(f.size for f in farms)
        update["lump_inflows"] = (
            tuple(
                f.model_copy(
                    update={
                        "year": int(values["farm_year"]) + (f.year - farms[0].year),
                        "size": max(size * f.size / total, 1.0),
                    }
                )
                for f in farms
            )
            if size > 0
            else ()
        )
    if _moved(values, start, "delay"):
        last = construction_plan.groupby("station_code")["completion_year"].max()
        update["project_completion"] = {
            s: int(scenario.project_completion.get(s, y)) + int(values["delay"]) for s, y in last.items()
        }
    return scenario.model_copy(update=update) if update else scenario


THREADS = min(os.cpu_count() or 1, 4)  # the band's trajectories split among the cores (the same numbers)
DEMOGRAPHIC = {"tfr", "e0", "srb", "net_migration", "migration_timing", "lump_inflows", "horizon"}  # what projects


def projection_key(scenario) -> str:
    """The part of ``scenario`` a projection depends on (a control that moves only construction projects keeps it)."""
    return scenario.model_dump_json(include=DEMOGRAPHIC)


def band(model: dict, scenario):
    """The county's population and women 15-49 intervals of ``scenario`` as the stored results make them
    (``fpplan.demography.calibration.county_intervals`` with the stored intervals' calibration, trajectories and
    seed: for a stored scenario unchanged, its ``intervals.parquet`` county rows), or None for results stored
    without them."""
    from fpplan.demography.calibration import county_intervals

    made = model.get("band")
    if not made:
        return None
    return county_intervals(
        model["inputs"], scenario, made["calibration"], made["trajectories"], made["seed"], threads=THREADS
    )


def band_legend(model: dict, level: int = 80) -> str:
    """The band's legend entry, stating what backs it (``fpplan.demography.calibration.legend``)."""
    from fpplan.demography.calibration import legend

    return legend(model["band"]["calibration"], level)


def warm_up(model: dict, scenario) -> None:
    """Run ``band`` once and drop it: what a first control move would otherwise pay once per kernel (the grid of
    life tables of stochastic mortality, the compiled engine's first stochastic call; ~0.2 s). The explorer calls
    it in a background thread when the page is built (the compiled loop releases the GIL)."""
    band(model, scenario)
