"""Loading and validating a county: the demo county, and a 200,000-row monthly report file."""

from __future__ import annotations

import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd

from fpplan.data import county as county_module
from fpplan.data import load_county, read_table
from fpplan.demo import write_demo


def timed(fn, repeat: int = 3) -> tuple[float, float]:
    """Best wall time (s) over ``repeat`` runs and peak traced memory (MiB) of one run."""
    best = min(_once(fn) for _ in range(repeat))
    tracemalloc.start()
    fn()
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return best, peak


def _once(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as tmp:
        demo = write_demo(Path(tmp) / "demo")
        seconds, peak = timed(lambda: (county_module._READ.clear(), load_county(demo)))
        print(f"load_county(demo county), read: {seconds * 1000:.0f} ms, peak {peak:.0f} MiB")
        seconds, peak = timed(lambda: load_county(demo))
        print(f"load_county(demo county), read again unchanged (kept for the process): {seconds * 1000:.1f} ms")
        stats = pd.read_csv(demo / "service_stats.csv", dtype=str)
        big = stats.sample(200_000, replace=True, random_state=np.random.default_rng(1).integers(1 << 31))
        i = np.arange(len(big))
        big["village_code"] = (i // 400).astype(str)  # 400 distinct months per village: no duplicate keys
        big["month"] = (  # 1990-01 … 2023-04: months before the earliest plausible year would be refused
            pd.Series(1990 + i % 400 // 12).astype(str).to_numpy()
            + "-"
            + pd.Series(i % 400 % 12 + 1).map("{:02d}".format).to_numpy()
        )
        big["reported_on"] = big["month"] + "-28"  # within the month it reports
        big.to_csv(Path(tmp) / "reports.csv", index=False)
        seconds, peak = timed(lambda: read_table(Path(tmp) / "reports.csv", "service_stats"), repeat=1)
        print(f"read_table(200,000-row report file): {seconds:.2f} s, peak {peak:.0f} MiB")
