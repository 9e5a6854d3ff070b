"""``fpplan project``: project a county under one of its scenarios and write the tidy result."""

from __future__ import annotations

from pathlib import Path

from fpplan.data import load_county
from fpplan.demography.projection import prepare, project
from fpplan.demography.scenarios import load_scenarios
from fpplan.errors import DataError, Problem


def run_project(data_dir: str, scenario: str, trajectories: int, out: str) -> int:
    county = load_county(data_dir)
    scenarios = load_scenarios(county)
    if scenario not in scenarios:
        raise DataError([Problem(file=str(Path(data_dir) / "config" / "scenarios"), kind="unknown_reference",
                                 value=scenario, detail=", ".join(scenarios))])
    projection = project(prepare(county), scenarios[scenario], trajectories=trajectories, seed=2025,
                         scenario_name=scenario)
    path = Path(out)
    path.parent.mkdir(parents=True, exist_ok=True)
    frame = projection.population
    if path.suffix == ".parquet":
        frame.to_parquet(path, index=False)
    else:
        frame.to_csv(path, index=False)
    for note in projection.notes:
        print(note)
    print(f"{path} ({len(frame)} rows)")
    return 0
