"""What ``fpplan project`` does: a deterministic or a stochastic projection of a county (or of every county of a
region), in this process or on dask.distributed, written as tidy tables. Inputs are checked before anything is
computed or written (unknown scenario, negative or impossible trajectory counts, a scheduler that does not
answer): each is a DataError, so the command prints the problems and exits 2 with nothing written.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from fpplan.data.errors import DataError, Problem
from fpplan.data.labels import ui


def unknown_scenario(data_dir: str | Path, name: str, known) -> Problem:
    return Problem(file=str(Path(data_dir) / "config" / "scenarios"), kind="unknown_reference", value=name,
                   detail=", ".join(known))


def human_bytes(n: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if n < 1024 or unit == "TiB":
            return f"{n:.0f} {unit}" if unit in ("B", "KiB") else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} TiB"


def human_seconds(s: float) -> str:
    if s < 90:
        return f"{s:.0f} s"
    if s < 5400:
        return f"{s / 60:.0f} min"
    return f"{s / 3600:.1f} h"


def check_trajectories(trajectories: int, regions: int, steps: int, scheduler: str | None, workers: int | None,
                       where: str) -> None:
    """Refuse a negative count; print the time and memory estimate of a stochastic run and refuse it when it would
    not fit in this machine's available memory (the client's part only, for a remote cluster)."""
    import psutil

    from fpplan.demography.streaming import estimate

    if trajectories < 0:
        raise DataError([Problem(file=where, kind="trajectories_negative", column="--trajectories", value=trajectories)])
    if trajectories == 0:
        return
    in_process = scheduler in (None, "local")
    n_workers = (workers or 1) if scheduler is None else (workers or 2)
    e = estimate(trajectories, regions, steps, workers=n_workers)
    need = e.total_bytes(n_workers if scheduler == "local" else 1, in_process)
    available = psutil.virtual_memory().available
    print(ui("run_estimate", trajectories=f"{trajectories:,}", regions=f"{regions:,}", steps=steps,
             seconds=human_seconds(e.seconds), memory=human_bytes(need), available=human_bytes(available)), flush=True)
    if need > available:
        raise DataError([Problem(file=where, kind="trajectories_too_many", column="--trajectories", value=trajectories,
                                 detail=f"~{human_bytes(need)} > {human_bytes(available)}")])


def write_table(frame: pd.DataFrame, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix == ".parquet":
        frame.to_parquet(path, index=False)
    else:
        frame.to_csv(path, index=False)
    print(ui("written", path=path, rows=f"{len(frame):,}"))


def series_path(out: Path) -> Path:
    """Where a stochastic run's yearly series go: beside ``out``, ``<stem>_series<suffix>``."""
    return out.with_name(f"{out.stem}_series{out.suffix}")


def project_command(data_dir: str, scenario: str, trajectories: int, out: str, seed: int = 2025,
                    scheduler: str | None = None, workers: int | None = None, trajectories_out: str | None = None,
                    horizon: int | None = None) -> int:
    """``fpplan project``: the tidy population (deterministic) or the quantile tables (stochastic) of a county or
    of every county of a region (a ``county`` column then says which)."""
    from fpplan.data.region import load_counties
    from fpplan.demography import load_scenarios, prepare, project

    if trajectories < 0:
        raise DataError([Problem(file=data_dir, kind="trajectories_negative", column="--trajectories", value=trajectories)])
    region, counties = load_counties(data_dir)
    chosen, problems = {}, []
    for code, county in counties.items():
        scenarios = load_scenarios(county)
        if scenario in scenarios:
            chosen[code] = scenarios[scenario]
        else:
            problems.append(unknown_scenario(county.path, scenario, scenarios))
    if problems:
        raise DataError(problems)
    inputs = {code: prepare(county) for code, county in counties.items()}
    regions = sum(len(i.regions) for i in inputs.values())
    steps = max((horizon or chosen[code].horizon) - inputs[code].base_year for code in inputs)
    check_trajectories(trajectories, regions, steps, scheduler, workers, data_dir)
    out_path = Path(out)
    if trajectories == 0:
        if scheduler:
            print(ui("deterministic_in_process"))
        frames = []
        for code, county_inputs in inputs.items():
            projection = project(county_inputs, chosen[code], horizon=horizon, scenario_name=scenario)
            for note in projection.notes:
                print(note)
            frames.append(_with_county(projection.population, code, region))
        write_table(pd.concat(frames, ignore_index=True), out_path)
        return 0
    return _stochastic(inputs, chosen, scenario, trajectories, seed, scheduler, workers, out_path, trajectories_out,
                       horizon, region)


def _with_county(frame: pd.DataFrame, code: str, region) -> pd.DataFrame:
    if region is not None:
        frame.insert(0, "county", code)
    return frame


def _stochastic(inputs, chosen, scenario, trajectories, seed, scheduler, workers, out_path, trajectories_out,
                horizon, region) -> int:
    from fpplan.demography.streaming import project_stochastic

    client = mapper = None
    if scheduler:
        from fpplan.demography import cluster

        client = cluster.connect(scheduler, workers)
        mapper = cluster.dask_mapper(client)
    try:
        groups, series = [], []
        for i, (code, county_inputs) in enumerate(inputs.items()):
            path = None
            if trajectories_out:
                path = Path(trajectories_out)
                if region is not None:
                    path = path.with_name(f"{path.stem}_{code}{path.suffix}")
            summary = project_stochastic(county_inputs, chosen[code], trajectories, seed=None if seed is None else seed + i,
                                         horizon=horizon, mapper=mapper, trajectories_path=path, scenario_name=scenario)
            for note in summary.notes:
                print(note)
            if path is not None:
                print(ui("written", path=path, rows=f"{trajectories * len(county_inputs.regions) * len(summary.years) * 202:,}"))
            groups.append(_with_county(summary.groups.assign(scenario=scenario), code, region))
            series.append(_with_county(summary.series.assign(scenario=scenario), code, region))
    finally:
        if client is not None:
            cluster.close(client)
    write_table(pd.concat(groups, ignore_index=True), out_path)
    write_table(pd.concat(series, ignore_index=True), series_path(out_path))
    return 0
