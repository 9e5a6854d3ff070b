"""Running a stochastic projection's chunks of townships on dask.distributed (``fpplan project … --scheduler``).

``connect("local")`` starts a LocalCluster of worker processes on this machine; ``connect("tcp://HOST:8786")``
joins an existing cluster (started with ``dask-scheduler`` and ``dask-worker``, fpplan installed on every
worker; benchmarks/README.md shows how). ``dask_mapper(client)`` is a mapper for
``fpplan.demography.streaming.project_stochastic``: the drivers (base population and the pre-drawn shocks) are
scattered once to every worker, each chunk of townships is a task, and results come back in chunk order, a few
chunks in flight at a time, so the summaries equal those of the in-process run. The engine never imports dask:
only this module does.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator

import numpy as np

from fpplan.data.errors import DataError, Problem

CONNECT_TIMEOUT_S = 5


def connect(scheduler: str, workers: int | None = None):
    """A dask.distributed Client: a LocalCluster of ``workers`` single-threaded processes for ``"local"``
    (default: this machine's cores, at most 4), else the scheduler at that address. An address that does not
    answer raises DataError (kind ``scheduler_unreachable``)."""
    from dask.distributed import Client, LocalCluster

    if scheduler == "local":
        import os

        n = workers or max(1, min(os.cpu_count() or 1, 4))
        cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True, dashboard_address=":0")
        return Client(cluster)
    try:
        return Client(scheduler, timeout=CONNECT_TIMEOUT_S)
    except (OSError, ValueError, TypeError) as error:
        raise DataError(
            [Problem(file=scheduler, kind="scheduler_unreachable", value=scheduler, detail=str(error).splitlines()[0])]
        ) from None


def close(client) -> None:
    """Close the client, and the LocalCluster it started if any."""
    cluster = getattr(client, "cluster", None)
    client.close()
    if cluster is not None:
        cluster.close()


def dask_mapper(client, in_flight: int | None = None):
    """A mapper running each chunk as a dask task (results in chunk order; at most ``in_flight`` chunks
    submitted and not yet collected, default twice the workers)."""

    def mapper(fn, drivers, parts: list[np.ndarray], **kwargs) -> Iterator:
        shared = client.scatter(drivers, broadcast=True, hash=False)
        window = in_flight or 2 * max(1, len(client.scheduler_info()["workers"]))
        pending: deque = deque()
        queue = iter(parts)
        try:
            for part in queue:
                pending.append(client.submit(fn, shared, part, pure=False, **kwargs))
                if len(pending) >= window:
                    break
            while pending:
                future = pending.popleft()
                result = future.result()
                future.release()
                for part in queue:  # keep the window full
                    pending.append(client.submit(fn, shared, part, pure=False, **kwargs))
                    break
                yield result
        finally:
            for future in pending:
                future.cancel()
            shared.release()

    return mapper


def worker_peak_memory(client) -> dict[str, float]:
    """Peak resident memory (MiB) of every worker process since it started (Linux ru_maxrss)."""

    def peak() -> float:
        import resource

        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    return client.run(peak)
