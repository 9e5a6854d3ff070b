"""A province on Dask: 2,000 townships × 1,000 stochastic trajectories × 30 years, streamed to quantiles on a
dask.distributed cluster (time, peak memory of each worker, of the client).

Run: ``.venv/bin/python benchmarks/bench_province.py`` (a LocalCluster of ``--workers`` processes, default 2),
or ``--scheduler tcp://HOST:8786`` for a real cluster (benchmarks/README.md says how to start one).
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_demography import demo_inputs, widen

from fpplan.demography import cluster
from fpplan.demography.streaming import chunk_size, estimate, project_stochastic

if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("--scheduler", default="local")
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--townships", type=int, default=2000)
    p.add_argument("--trajectories", type=int, default=1000)
    p.add_argument("--years", type=int, default=30)
    args = p.parse_args()
    county, base, scenario = demo_inputs()
    inputs = widen(base, args.townships)
    _ = inputs.uncertainty
    e = estimate(args.trajectories, args.townships, args.years, workers=args.workers)
    print(
        f"estimate: {e.seconds:.0f} s, client {e.client_bytes / 2**20:.0f} MiB, "
        f"each worker {e.worker_bytes / 2**20:.0f} MiB",
        flush=True,
    )
    client = cluster.connect(args.scheduler, args.workers)
    try:
        workers = len(client.scheduler_info()["workers"])
        start_wall, start_cpu = time.perf_counter(), time.process_time()
        summary = project_stochastic(
            inputs,
            scenario,
            args.trajectories,
            seed=1,
            horizon=county.base_year + args.years,
            mapper=cluster.dask_mapper(client),
        )
        wall = time.perf_counter() - start_wall
        peaks = cluster.worker_peak_memory(client)
    finally:
        cluster.close(client)
    client_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    chunks = -(-args.townships // chunk_size(args.trajectories))
    print(
        f"| {args.townships:,} townships × {args.trajectories:,} trajectories × {args.years} years, {workers} workers, "
        f"{chunks} chunks | {wall:.0f} s | worker peak RSS {', '.join(f'{v:.0f}' for v in peaks.values())} MiB | "
        f"client peak RSS {client_peak:.0f} MiB | {len(summary.groups):,} + {len(summary.series):,} summary rows |"
    )
