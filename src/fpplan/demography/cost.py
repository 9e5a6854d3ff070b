"""What a stochastic projection will cost before it starts: time, memory and the size of its output, measured on a
small pilot run on this machine and extrapolated linearly in the number of trajectories (every array and the
tidy table grow in proportion to it).

Measured on the demo county (8 townships, 2025–2035; ``benchmarks`` in docs/data-files.md): 5,000 trajectories
took 2 min 49 s and 8.1 GB and wrote a 4 GB CSV. ``estimate_cost`` is kept small so that a streaming projection
can change the memory model in one place (``PEAK_FACTOR`` and what scales with trajectories).
"""

from __future__ import annotations

import io
import os
import time
from dataclasses import dataclass

PILOT_TRAJECTORIES = 4
ESTIMATE_FROM = 200  # runs of fewer trajectories start without an estimate (a pilot costs seconds)
ANNOUNCE_SECONDS = 20.0  # announce a run expected to take longer than this, or …
ANNOUNCE_BYTES = 1 << 30  # … to need more memory than this
# peak resident memory / (the raw arrays + the tidy table) of a run: the table's index arrays and the CSV writer's
# chunks on top (measured: 500 trajectories on the demo, 1.04 GB peak RSS)
PEAK_FACTOR = 1.3


@dataclass(frozen=True)
class Cost:
    trajectories: int
    seconds: float
    memory_bytes: float  # peak, for the whole run
    output_bytes: float  # the written file
    rows: int


def estimate_cost(county, trajectories: int, scenario=None, inputs=None, suffix: str = ".csv") -> Cost:
    """Expected time, peak memory and output size of ``fpplan project --trajectories N``: two pilots (a few
    trajectories, then four times as many) are projected, tabulated and written to memory; time is fitted as
    fixed + per-trajectory cost, memory and output scale with N / pilot."""
    from fpplan.demography.projection import prepare, project

    inputs = inputs or prepare(county)
    scenario = scenario or next(iter(county.scenarios.values()))
    project(inputs, scenario, horizon=inputs.base_year + 1, trajectories=1, seed=0)  # fits the uncertainty once

    def pilot(n: int):
        start = time.perf_counter()
        projection = project(inputs, scenario, trajectories=n, seed=0)
        frame = projection.population
        buffer = io.BytesIO()
        frame.to_parquet(buffer, index=False) if suffix == ".parquet" else frame.to_csv(buffer, index=False)
        return time.perf_counter() - start, projection, frame, buffer.tell()

    small, large = PILOT_TRAJECTORIES, 4 * PILOT_TRAJECTORIES
    t_small = pilot(small)[0]
    t_large, projection, frame, written = pilot(large)
    per = max(t_large - t_small, 0.0) / (large - small)
    fixed = max(t_large - per * large, 0.0)
    arrays = sum(getattr(a, "nbytes", 0) for a in projection.raw.values())
    table = frame.memory_usage(deep=True).sum()
    scale = trajectories / large
    rows = int(len(frame) * scale)
    if suffix != ".parquet":  # longer trajectory numbers in every row of the CSV
        written += (len(str(max(trajectories - 1, 0))) - len(str(large - 1))) * len(frame)
    return Cost(trajectories, fixed + per * trajectories, (arrays + table) * scale * PEAK_FACTOR, written * scale, rows)


def available_memory() -> float:
    """Bytes of memory available to a new allocation (Linux MemAvailable; free pages elsewhere)."""
    try:
        with open("/proc/meminfo", encoding="ascii") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return float(line.split()[1]) * 1024
    except OSError:
        pass
    return float(os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE"))
