"""Stochastic projections that reduce to summaries as they go, so memory grows with townships × years × ages and
not with trajectories (UN bayesPop keeps a fixed set of quantiles in memory the same way).

How: the county-level shocks of every trajectory are drawn up front (``fpplan.demography.drivers``: they are
trajectories × steps, small); the townships are then projected in chunks, each chunk with all its trajectories
(``project_chunk``). After every step a chunk keeps only the quantiles over trajectories of its townships'
population by sex and 5-year age group, and adds its townships into running per-trajectory county totals. The
county's quantiles come from those totals at the end. A chunk depends on nothing but its own townships and the
shared shocks, so the result is the same however the townships are chunked, and wherever the chunks run
(in-process, or on dask.distributed through ``fpplan.demography.cluster``, which passes its own ``mapper``).

Summaries: the quantiles ``QUANTILES`` (median, 80% and 95% intervals among them) of
- population by township (and county), year, sex and age group 0-4 … 95-99, 100+ (``groups``);
- the yearly series ``SERIES`` by township (and county) and year (``series``); flows of year y are those of the
  step y → y+1 (the last year has none).
Full trajectories only when asked: written chunk by chunk to Parquet (``TrajectoryWriter``) under a temporary
name, renamed when complete.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from fpplan.demography.drivers import FERTILE, Drivers, drivers

QUANTILES = (0.025, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.975)
QUANTILE_COLUMNS = tuple(f"q{round(q * 1000):03d}" for q in QUANTILES)  # q025 … q975 (per mille)
SERIES = ("population", "women_15_49", "married_women_15_49", "births", "deaths", "net_migration")
FLOWS = ("births", "deaths", "net_migration")
AGE_GROUPS = tuple([f"{a}-{a + 4}" for a in range(0, 100, 5)] + ["100+"])
GROUP_STARTS = np.arange(0, 101, 5)
SEX = ("male", "female")
CHUNK_BYTES = 8 * 2**20  # a chunk's population array (trajectories × townships × 202 cells) is kept near this size


@dataclass
class ChunkResult:
    """What one chunk of townships sends back."""

    index: np.ndarray  # positions of its townships in the county
    groups: np.ndarray  # (Q, c, Y, sex, group) quantiles of population by age group
    series: np.ndarray  # (Q, c, Y, series) quantiles of the yearly series
    county_groups: np.ndarray  # (n, Y, sex, group) per-trajectory sums over its townships
    county_series: np.ndarray  # (n, Y, series) per-trajectory sums over its townships
    guarded: int  # cells where out-migration exceeded the population
    trajectories: np.ndarray | None = None  # (n, c, Y, sex, age) float32, when asked


def quantiles(values: np.ndarray) -> np.ndarray:
    """The ``QUANTILES`` over the first axis: linear interpolation between order statistics, at position
    q·(n − 1) of the sorted values (numpy's default method, Hyndman & Fan type 7); NaN where any value is NaN.
    Sorting once (vectorised) is several times faster than ``np.quantile``'s partitions for nine quantiles."""
    ordered = np.sort(values, axis=0)
    at = np.asarray(QUANTILES) * (len(values) - 1)
    lower = np.floor(at).astype(int)
    upper = np.minimum(lower + 1, len(values) - 1)
    weight = (at - lower).reshape((-1,) + (1,) * (values.ndim - 1))
    low = ordered[lower]
    return low + weight * (ordered[upper] - low)


def age_groups(pop: np.ndarray) -> np.ndarray:
    """Single ages 0–100 (last axis) summed into 0-4 … 95-99 and 100+ (five adds: faster than reduceat)."""
    out = np.empty(pop.shape[:-1] + (len(GROUP_STARTS),))
    five = pop[..., :100].reshape(pop.shape[:-1] + (20, 5))
    np.add(five[..., 0], five[..., 1], out=out[..., :20])
    for k in range(2, 5):
        out[..., :20] += five[..., k]
    out[..., 20] = pop[..., 100]
    return out


def _series_now(pop: np.ndarray, grouped: np.ndarray, married_share: np.ndarray) -> np.ndarray:
    """population, women 15–49, married women 15–49 of a population (…, sex, age; ``grouped`` its age groups)
    → (…, 3)."""
    women = pop[..., 1, FERTILE]
    return np.stack(
        [grouped.sum(axis=(-2, -1)), women.sum(axis=-1), np.einsum("...ra,ra->...r", women, married_share)], axis=-1
    )


def project_chunk(d: Drivers, index: np.ndarray, keep_trajectories: bool = False) -> ChunkResult:
    """Project the townships at ``index`` with all trajectories and reduce them to quantiles step by step."""
    c = d.take(index)
    n, regions, years = c.trajectories, len(c.regions), len(c.years)
    groups_q = np.empty((len(QUANTILES), regions, years, 2, len(GROUP_STARTS)))
    county_groups = np.empty((n, years, 2, len(GROUP_STARTS)))
    series = np.full((n, regions, years, len(SERIES)), np.nan)
    kept = np.empty((n, regions, years, 2, 101), dtype=np.float32) if keep_trajectories else None

    def reduce(y: int, pop: np.ndarray) -> None:
        grouped = age_groups(pop)  # (n, c, sex, group)
        groups_q[:, :, y] = quantiles(grouped)
        county_groups[:, y] = grouped.sum(axis=1)
        series[:, :, y, :3] = _series_now(pop, grouped, c.married_share)
        if kept is not None:
            kept[:, :, y] = pop

    reduce(0, np.broadcast_to(c.population, (n,) + c.population.shape))

    def each(t: int, step) -> None:
        reduce(t + 1, step.population)
        series[:, :, t, 3] = step.births.sum(axis=-1)
        series[:, :, t, 4] = step.deaths.sum(axis=-1)
        series[:, :, t, 5] = step.migration.sum(axis=-1)

    out = c.run(keep=False, each=each)
    return ChunkResult(
        index=np.asarray(index),
        groups=groups_q,
        series=quantiles(series),
        county_groups=county_groups,
        county_series=series.sum(axis=1),
        guarded=int(out["guarded"].sum()),
        trajectories=kept,
    )


def chunk_size(trajectories: int) -> int:
    """Townships per chunk: a chunk's population array (trajectories × townships × 202 cells) near CHUNK_BYTES."""
    return max(1, CHUNK_BYTES // (max(trajectories, 1) * 2 * 101 * 8))


def chunks(regions: int, size: int) -> list[np.ndarray]:
    """Consecutive township positions in chunks of ``size``."""
    return [np.arange(i, min(i + size, regions)) for i in range(0, regions, size)]


Mapper = Callable[..., Iterable[ChunkResult]]


def local_map(fn: Callable, d: Drivers, parts: list[np.ndarray], **kwargs) -> Iterator[ChunkResult]:
    """Run the chunks one after the other in this process (results in chunk order)."""
    return (fn(d, part, **kwargs) for part in parts)


@dataclass(frozen=True)
class StochasticSummary:
    """Quantiles of a stochastic projection (see the module docstring); county rows have region = county code."""

    county_code: str
    scenario_name: str
    trajectories: int
    seed: int | None
    years: np.ndarray
    groups: pd.DataFrame  # region, year, sex, age_group, q025 … q975
    series: pd.DataFrame  # region, year, series, q025 … q975
    guarded: int
    notes: tuple[str, ...]

    def intervals(self, series: str = "population", levels: tuple[float, ...] = (0.8, 0.95)) -> pd.DataFrame:
        """region, year, median and central intervals (lower_80, upper_80, …) of one series, the layout of
        ``Projection.intervals``."""
        s = self.series[self.series["series"] == series]
        out = s[["region", "year"]].assign(median=s[column(0.5)].to_numpy())
        for level in levels:
            tail = (1 - level) / 2
            out[f"lower_{round(level * 100)}"] = s[column(tail)].to_numpy()
            out[f"upper_{round(level * 100)}"] = s[column(1 - tail)].to_numpy()
        return out.reset_index(drop=True)


def column(q: float) -> str:
    """The summary column of quantile ``q`` (one of QUANTILES)."""
    return QUANTILE_COLUMNS[QUANTILES.index(round(q, 4))]


def _tidy(values: np.ndarray, regions: np.ndarray, years: np.ndarray, last: tuple[str, tuple]) -> pd.DataFrame:
    """(Q, region, year, *last) quantile array → region, year, <last dims>, q025 … q975."""
    name, labels = last
    if name == "sex_group":
        index = pd.MultiIndex.from_product(
            [regions, years, SEX, AGE_GROUPS], names=["region", "year", "sex", "age_group"]
        )
    else:
        index = pd.MultiIndex.from_product([regions, years, labels], names=["region", "year", name])
    frame = pd.DataFrame(values.reshape(len(QUANTILES), -1).T, columns=list(QUANTILE_COLUMNS), index=index)
    return frame.reset_index()


def project_stochastic(
    inputs,
    scenario,
    trajectories: int,
    seed: int | None = None,
    horizon: int | None = None,
    chunk_regions: int | None = None,
    mapper: Mapper | None = None,
    trajectories_path: str | Path | None = None,
    scenario_name: str = "",
) -> StochasticSummary:
    """Project ``trajectories`` stochastic trajectories of every township of ``inputs`` under ``scenario``, chunk
    by chunk (``chunk_regions`` townships each; default from ``chunk_size``), and return their quantiles.
    ``mapper(project_chunk, drivers, chunks, keep_trajectories=…)`` runs the chunks (default: in this process);
    ``trajectories_path`` asks for every trajectory in a Parquet file."""
    if trajectories < 1:
        raise ValueError("a stochastic projection needs at least one trajectory")
    d = drivers(inputs, scenario, horizon, trajectories, seed)
    parts = chunks(len(d.regions), chunk_regions or chunk_size(trajectories))
    regions, years, q = len(d.regions), len(d.years), len(QUANTILES)
    groups = np.empty((q, regions + 1, years, 2, len(GROUP_STARTS)))
    series = np.empty((q, regions + 1, years, len(SERIES)))
    county_groups = np.zeros((trajectories, years, 2, len(GROUP_STARTS)))
    county_series = np.zeros((trajectories, years, len(SERIES)))
    guarded = 0
    writer = TrajectoryWriter(trajectories_path, d) if trajectories_path else None
    try:
        for part in (mapper or local_map)(project_chunk, d, parts, keep_trajectories=writer is not None):
            groups[:, part.index], series[:, part.index] = part.groups, part.series
            county_groups += part.county_groups
            county_series += part.county_series
            guarded += part.guarded
            if writer is not None:
                writer.write(part)
        if writer is not None:
            writer.close()
    except BaseException:
        if writer is not None:
            writer.abort()
        raise
    groups[:, -1], series[:, -1] = quantiles(county_groups), quantiles(county_series)
    codes = np.append(d.regions, inputs.county_code)
    notes = list(d.notes) + ([f"out-migration exceeded the population in {guarded} cells: limited"] if guarded else [])
    return StochasticSummary(
        county_code=inputs.county_code,
        scenario_name=scenario_name or scenario.name.en,
        trajectories=trajectories,
        seed=seed,
        years=d.years,
        groups=_tidy(groups, codes, d.years, ("sex_group", ())),
        series=_tidy(series, codes, d.years, ("series", SERIES)),
        guarded=guarded,
        notes=tuple(notes),
    )


class TrajectoryWriter:
    """Every trajectory, chunk by chunk, into one Parquet file (columns trajectory, region, year, sex, age,
    population as float32), written under ``<name>.partial`` and renamed to ``path`` only when complete."""

    ROWS_PER_GROUP = 2_000_000

    def __init__(self, path: str | Path, d: Drivers):
        import pyarrow as pa
        import pyarrow.parquet as pq

        self.pa = pa
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.partial = self.path.with_name(self.path.name + ".partial")
        self.regions, self.years = pa.array([str(r) for r in d.regions]), d.years
        self.schema = pa.schema(
            [
                ("trajectory", pa.int32()),
                ("region", pa.dictionary(pa.int32(), pa.string())),
                ("year", pa.int16()),
                ("sex", pa.dictionary(pa.int8(), pa.string())),
                ("age", pa.int8()),
                ("population", pa.float32()),
            ]
        )
        self.writer = pq.ParquetWriter(self.partial, self.schema, compression="zstd")

    def write(self, part: ChunkResult) -> None:
        """Append one chunk's trajectories, in row groups of about ROWS_PER_GROUP rows."""
        pa = self.pa
        values = part.trajectories
        n, c, years = values.shape[:3]
        per_trajectory = c * years * 2 * 101
        block = max(1, self.ROWS_PER_GROUP // per_trajectory)
        region = np.repeat(part.index.astype(np.int32), years * 2 * 101)
        year = np.tile(np.repeat(self.years.astype(np.int16), 2 * 101), c)
        sex = np.tile(np.repeat(np.array([0, 1], dtype=np.int8), 101), c * years)
        age = np.tile(np.arange(101, dtype=np.int8), c * years * 2)
        sexes = pa.array(list(SEX))
        for first in range(0, n, block):  # blocks of trajectories, one Parquet row group each
            k = min(block, n - first)
            columns = [
                pa.array(np.repeat(np.arange(first, first + k, dtype=np.int32), per_trajectory)),
                pa.DictionaryArray.from_arrays(pa.array(np.tile(region, k)), self.regions),
                pa.array(np.tile(year, k)),
                pa.DictionaryArray.from_arrays(pa.array(np.tile(sex, k)), sexes),
                pa.array(np.tile(age, k)),
                pa.array(values[first : first + k].reshape(-1)),
            ]
            self.writer.write_table(pa.Table.from_arrays(columns, schema=self.schema))

    def close(self) -> None:
        self.writer.close()
        os.replace(self.partial, self.path)

    def abort(self) -> None:
        try:
            self.writer.close()
        finally:
            self.partial.unlink(missing_ok=True)


# CPU seconds per trajectory × township × year measured by benchmarks/bench_demography.py on this project's
# machine (2 shared cores): an order of magnitude for the estimate printed before a large run, not a promise.
SECONDS_PER_CELL_YEAR = 2.5e-6  # 2.9 s CPU for 1,000 × 40 × 30 (issue 27; 6e-6 before the compiled engine)
PROCESS_BYTES = 400 * 2**20  # Python, numpy, pandas, statsmodels and a loaded county


@dataclass(frozen=True)
class Estimate:
    """Time and memory a stochastic run will take: ``client_bytes`` in the process that collects the summaries,
    ``worker_bytes`` in each process projecting chunks (the same process when run in-process)."""

    seconds: float
    client_bytes: float
    worker_bytes: float

    def total_bytes(self, workers: int = 1, in_process: bool = True) -> float:
        """Memory on this machine: the client, plus every worker when they run here too."""
        return self.client_bytes + (self.worker_bytes if in_process else 0.0) * max(workers, 1)


def estimate(trajectories: int, regions: int, steps: int, workers: int = 1) -> Estimate:
    """Time and memory of ``project_stochastic`` for these sizes (see ``Estimate``): the drivers (survival ratios
    per trajectory and step), a chunk's working arrays (about 14 of the chunk's population size), the per-trajectory
    county totals and the summaries (arrays and their tidy tables)."""
    n, years = max(trajectories, 1), steps + 1
    drivers_bytes = n * steps * (2 * 101 + 4) * 8
    chunk_bytes = 14 * min(chunk_size(n), regions) * n * 2 * 101 * 8 + n * min(chunk_size(n), regions) * years * 48
    county_bytes = 2 * n * years * (2 * len(GROUP_STARTS) + len(SERIES)) * 8
    summary_bytes = 4 * len(QUANTILES) * (regions + 1) * years * (2 * len(GROUP_STARTS) + len(SERIES)) * 8
    return Estimate(
        seconds=SECONDS_PER_CELL_YEAR * n * regions * steps / max(workers, 1),
        client_bytes=PROCESS_BYTES + drivers_bytes + county_bytes + summary_bytes,
        worker_bytes=PROCESS_BYTES + drivers_bytes + chunk_bytes,
    )
