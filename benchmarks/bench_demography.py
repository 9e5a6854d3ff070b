"""Demography engine speed on this machine (README targets: county < 5 ms; 1,000 trajectories < 2 s;
2,000 regions < 1 s), with peak memory and the ratio to a bare numpy loop that only moves the same arrays."""

from __future__ import annotations

import dataclasses
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np

from fpplan import load_county
from fpplan.demo import write_demo
from fpplan.demography import load_scenarios, prepare, project

YEARS = 30


def widen(inputs, regions: int):
    """The demo county's rates repeated to ``regions`` townships."""
    r = inputs.rates
    take = np.arange(regions) % len(r.regions)
    rates = dataclasses.replace(
        r, regions=np.array([f"R{i:05d}" for i in range(regions)]), population=r.population[take], tfr=r.tfr[take],
        mortality_factor=r.mortality_factor[take], net_migration=r.net_migration[take], married_share=r.married_share[take])
    return dataclasses.replace(inputs, rates=rates)


def bare_loop(pop: np.ndarray, steps: int) -> None:
    """The floor: move the same arrays one age up per step, no demography."""
    for _ in range(steps):
        nxt = np.empty_like(pop)
        nxt[..., 1:] = pop[..., :-1]
        nxt[..., 0] = pop[..., 0]
        pop = nxt


def measure(fn, repeat: int) -> tuple[float, float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    tracemalloc.start()
    fn()
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return min(times), peak


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as tmp:
        county = load_county(write_demo(Path(tmp) / "demo"))
        scenario = load_scenarios(county)["medium"]
    base = prepare(county)
    horizon = county.base_year + YEARS
    cases = [("county: 20 regions × 101 ages × 2 sexes × 30 years, deterministic", 20, 0, 20),
             ("1,000 stochastic trajectories of that county", 20, 1000, 2),
             ("province: 2,000 regions, deterministic, 30 years", 2000, 0, 3)]
    for label, regions, trajectories, repeat in cases:
        inputs = widen(base, regions)
        seconds, peak = measure(lambda: project(inputs, scenario, horizon=horizon, trajectories=trajectories, seed=1), repeat)
        floor_pop = np.ones((max(trajectories, 1), regions, 2, 101))
        floor, _ = measure(lambda: bare_loop(floor_pop, YEARS), repeat)
        print(f"{label}: {seconds * 1000:.1f} ms, peak {peak:.0f} MiB, {seconds / floor:.0f}× the bare numpy loop "
              f"({floor * 1000:.2f} ms)")
