"""Demography engine speed against the numpy floor (``numpy_floor.py``: the step's arithmetic alone on arrays of
the same shape), measured in the same process and run, and the stochastic county's time and peak memory.

Cases (30 years each): the demo county widened to 20 townships, deterministic; 1,000 stochastic trajectories of
it (streamed to quantiles, ``fpplan.demography.streaming``); 2,000 and 40,000 townships, deterministic. Target:
every case within 1.5× its floor (issue 27). Then, in a fresh process so that its peak RSS is its own: 1,000
trajectories of a 40-township county of ~840,000 people (seed 003's county size), target < 15 s and < 1.5 GB. And
the scenario explorer's live band (``fpplan.demography.calibration.county_intervals`` on the demo, the stored
intervals' trajectories and seed), target well within the 300 ms of a redraw.

Run: ``.venv/bin/python benchmarks/bench_demography.py`` (``--repeat N`` to take the best of N, default 3;
``--only ratios|stochastic|band``).
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import numpy_floor

from fpplan import load_county
from fpplan.demo import write_demo
from fpplan.demography import load_scenarios, prepare, project
from fpplan.demography.streaming import project_stochastic

YEARS = 30


def widen(inputs, regions: int, scale: float = 1.0):
    """The demo county's rates repeated to ``regions`` townships (population × ``scale``)."""
    r = inputs.rates
    take = np.arange(regions) % len(r.regions)
    rates = dataclasses.replace(
        r,
        regions=np.array([f"R{i:05d}" for i in range(regions)]),
        population=r.population[take] * scale,
        tfr=r.tfr[take],
        mortality_factor=r.mortality_factor[take],
        net_migration=r.net_migration[take] * scale,
        married_share=r.married_share[take],
    )
    return dataclasses.replace(inputs, rates=rates)


def demo_inputs():
    with tempfile.TemporaryDirectory() as tmp:
        county = load_county(write_demo(Path(tmp) / "demo"))
        scenario = load_scenarios(county)["medium"]
    return county, prepare(county), scenario


def peak_rss_mib() -> float:
    """This process's peak resident memory (VmHWM: unlike ru_maxrss it is not inherited from a parent)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def best(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def ratios(repeat: int) -> None:
    """Each case and its floor alternately, ``repeat`` times (more for the quick ones), best of each: on a shared
    machine the minimum is the least disturbed measurement of both."""
    county, base, scenario = demo_inputs()
    horizon = county.base_year + YEARS
    cases = [
        ("county: 20 townships, deterministic", 20, 0),
        ("1,000 stochastic trajectories of that county (streamed)", 20, 1000),
        ("2,000 townships, deterministic", 2000, 0),
        ("40,000 townships, deterministic", 40000, 0),
    ]
    print("| case | engine | numpy floor | ratio | load average |\n|---|---|---|---|---|")
    for label, regions, trajectories in cases:
        repeats = {20: 50 * repeat, 2000: 5 * repeat}.get(regions, repeat) if not trajectories else repeat
        inputs = widen(base, regions)
        _ = inputs.uncertainty  # fitted once (statsmodels), as a prepared county has it

        def run(inputs=inputs, trajectories=trajectories):
            if trajectories:
                return project_stochastic(inputs, scenario, trajectories, seed=1, horizon=horizon)
            return project(inputs, scenario, horizon=horizon)

        engine_s, floor_s = [], []
        for _ in range(repeats):  # alternate, so both see the same load on a shared machine
            engine_s.append(best(run, 1))
            floor_s.append(numpy_floor.run(max(trajectories, 1), regions, YEARS))
        e, f = min(engine_s), min(floor_s)
        print(
            f"| {label} | {e * 1000:.1f} ms | {f * 1000:.1f} ms | {e / f:.2f}× | {os.getloadavg()[0]:.1f} |", flush=True
        )


def stochastic_county() -> None:
    """Runs in its own process: 40 townships, ~840,000 people, 1,000 trajectories, 30 years."""
    county, base, scenario = demo_inputs()
    inputs = widen(base, 40, scale=840_600 / (base.rates.population.sum() * 5))
    _ = inputs.uncertainty
    start, start_cpu = time.perf_counter(), time.process_time()
    summary = project_stochastic(inputs, scenario, 1000, seed=1, horizon=county.base_year + YEARS)
    seconds = time.perf_counter() - start
    cpu = time.process_time()
    peak = peak_rss_mib()
    people = inputs.rates.population.sum()
    print(
        f"| 40 townships, {people:,.0f} people, 1,000 trajectories, {YEARS} years | {seconds:.1f} s | "
        f"{cpu - start_cpu:.1f} s CPU | {peak:.0f} MiB peak RSS | {len(summary.groups):,} summary rows |"
    )


def explorer_band(repeat: int) -> None:
    """The scenario explorer's live band on the demo county: its calibration, the stored intervals' seed, 500
    trajectories (what the results store) and 200; best of ``repeat`` × 5, wall and CPU."""
    from fpplan.app.plan_outputs import INTERVAL_SEED, INTERVAL_TRAJECTORIES, projection_inputs
    from fpplan.demography.calibration import county_intervals

    with tempfile.TemporaryDirectory() as tmp:
        county = load_county(write_demo(Path(tmp) / "demo"))
        scenario = load_scenarios(county)["medium"]
        calibration, inputs = projection_inputs(county)
    _ = inputs.uncertainty
    print(
        "\n| live band (county population and women 15-49, 30 years) | wall | CPU | load average |\n|---|---|---|---|"
    )
    from fpplan.app.explorer import THREADS

    for trajectories, threads in ((INTERVAL_TRAJECTORIES, 1), (INTERVAL_TRAJECTORIES, THREADS), (200, 1)):
        county_intervals(inputs, scenario, calibration, trajectories, INTERVAL_SEED)  # compiled code loaded
        wall, cpu = [], []
        for _ in range(5 * repeat):
            start, start_cpu = time.perf_counter(), time.process_time()
            county_intervals(inputs, scenario, calibration, trajectories, INTERVAL_SEED, threads=threads)
            wall.append(time.perf_counter() - start)
            cpu.append(time.process_time() - start_cpu)
        print(
            f"| {trajectories} trajectories × {len(inputs.regions)} townships, {threads} thread(s) | "
            f"{min(wall) * 1000:.0f} ms | {min(cpu) * 1000:.0f} ms | {os.getloadavg()[0]:.1f} |",
            flush=True,
        )


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--only", choices=["ratios", "stochastic", "band"], default=None)
    args = p.parse_args()
    if args.only in (None, "ratios"):
        ratios(args.repeat)
    if args.only in (None, "band"):
        explorer_band(args.repeat)
    if args.only == "stochastic":
        stochastic_county()
    elif args.only is None:
        print()
        subprocess.run([sys.executable, __file__, "--only", "stochastic"], check=True)
