"""Bringing a past population (a census year) forward to the latest complete year of the vital statistics, township
by township, with what was recorded: the plan then starts the year after, from the population as it is now. The
county's population of the years before a known one is taken back with the same records (``county_population``).

Convention (the engine's, :mod:`fpplan.demography.engine`): the population of year Y is the population at the start
of Y; the events recorded for year Y (``vital_history``) happen in the step from Y to Y + 1. A census table of year
C brought forward to year L ≥ C takes the records of C … L − 1, one cohort step a year:

1. ageing: everyone one year older, the open group 100+ keeps its members; the year's recorded births of each sex
   enter at age 0;
2. deaths: the year's recorded deaths of each sex spread over the ages in proportion to population × the standard
   death rate of the age (China 2020–2025, UN World Population Prospects 2017, ``schedules.standard_mx``: the age
   pattern of the projection's life table), never more than a cell holds;
3. migration: the recorded in-migrants added and out-migrants taken away in proportion to the Rogers–Castro model
   migration schedule (Rogers, Castro & Lea 2005 standard parameters, ``schedules.rogers_castro``, both sexes
   alike, none above age 90: the projection's own migration profile), out-migrants never more than a cell holds.

Shares capped by what a cell holds are redistributed over the other cells, so each year's totals are exactly what
was recorded: after k years, the population = base + Σ births − Σ deaths + Σ in-migrants − Σ out-migrants (unless
a township recorded more deaths or out-migrants than it had people: ``shortfall`` says how many could not be taken).

Villages (:func:`to_villages`): each township's brought-forward cell (sex, age a) is shared among its villages as
the same cohort was in the census (age a − k); those born since the census (a < k) as the village's share of the
township's women 15–49 in the census.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from fpplan.data.base.schedules import MIGRATION_MAX_AGE, rogers_castro, standard_mx

SEXES = ("male", "female")
FLOWS = ("births_male", "births_female", "deaths_male", "deaths_female", "in_migrants", "out_migrants")


def allocate(total: np.ndarray, weights: np.ndarray, cap: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Split each ``total[i]`` over the cells of ``weights[i]`` in proportion to the weights, no cell above its
    ``cap``; what a capped cell cannot take goes to the others in proportion to their weights (cells with no weight
    left take it in proportion to what they hold). Returns (amounts, shortfall): shortfall[i] > 0 only when the
    total exceeds everything the cells hold."""
    total = np.asarray(total, float)
    weights = np.where(cap > 0, np.asarray(weights, float), 0.0)
    out = np.zeros_like(cap, dtype=float)
    left = np.minimum(total, cap.sum(axis=1))
    shortfall = total - left
    for _ in range(cap.shape[1] + 1):  # each pass fills at least one more cell to its cap
        room = cap - out
        w = np.where(room > 1e-12, weights, 0.0)
        no_weight = w.sum(axis=1) <= 0
        w[no_weight] = np.where(room[no_weight] > 1e-12, room[no_weight], 0.0)
        share = w / np.where(w.sum(axis=1, keepdims=True) > 0, w.sum(axis=1, keepdims=True), 1.0)
        take = np.minimum(share * left[:, None], room)
        out += take
        left = left - take.sum(axis=1)
        if (left <= 1e-9 * np.maximum(total, 1.0)).all():
            break
    return out, shortfall + np.maximum(left, 0.0)


def cohort_step(
    pop: np.ndarray, flows: np.ndarray, mx: np.ndarray, profile: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """One recorded year. ``pop`` (region, sex, age 0–100) at the start of the year; ``flows`` (region, 6): births
    male/female, deaths male/female, in-migrants, out-migrants; ``mx`` (sex, age) the death rates whose age pattern
    spreads deaths; ``profile`` (sex, age) the migrants' age pattern. Returns the population at the start of the
    next year and each region's shortfall (deaths or out-migrants recorded beyond what it held)."""
    regions = pop.shape[0]
    aged = np.empty_like(pop, dtype=float)
    aged[:, :, 0] = flows[:, 0:2]
    aged[:, :, 1:100] = pop[:, :, 0:99]
    aged[:, :, 100] = pop[:, :, 99] + pop[:, :, 100]
    cells = aged.reshape(regions * 2, 101)
    dead, short_deaths = allocate(flows[:, 2:4].reshape(-1), (aged * mx[None]).reshape(regions * 2, 101), cells)
    after = aged - dead.reshape(aged.shape) + flows[:, 4, None, None] * profile[None]
    gone, short_out = allocate(
        flows[:, 5], np.broadcast_to(profile.reshape(-1), (regions, 202)), after.reshape(regions, 202)
    )
    short = short_deaths.reshape(regions, 2).sum(axis=1) + short_out
    return after - gone.reshape(after.shape), short


def migration_profile() -> np.ndarray:
    """(sex, age) summing to 1: the Rogers–Castro schedule, both sexes alike, none from age 90 (as
    :func:`fpplan.demography.estimate.estimate` builds the projection's profile)."""
    m = rogers_castro()
    m[MIGRATION_MAX_AGE:] = 0
    return np.stack([m, m]) / (2 * m.sum())


@dataclass(frozen=True)
class Forward:
    """A population brought forward: ``population`` (township_code, sex, age, population) at the start of
    ``last_year``; ``years`` (year, township_code, population at the year's start, the year's recorded flows,
    shortfall) for each recorded year applied; ``women`` (year, township_code, age 15–49, women at the year's
    start) for every year first … last."""

    first_year: int
    last_year: int
    population: pd.DataFrame
    years: pd.DataFrame
    women: pd.DataFrame


def cube(population: pd.DataFrame, regions: np.ndarray) -> np.ndarray:
    """(region, sex, age) from a tidy table (township_code, sex, age, population)."""
    wide = population.pivot_table(index="township_code", columns=["sex", "age"], values="population", aggfunc="sum")
    columns = pd.MultiIndex.from_product([list(SEXES), range(101)])
    return (
        wide.reindex(index=regions, columns=columns, fill_value=0.0)
        .fillna(0.0)
        .to_numpy(float)
        .reshape(len(regions), 2, 101)
    )


def bring_forward(population: pd.DataFrame, vital: pd.DataFrame, first_year: int, last_year: int) -> Forward:
    """Bring ``population`` (township_code, sex, age 0–100, population at the start of ``first_year``) forward to the
    start of ``last_year`` with the records of ``vital`` (the vital_history table) for first_year … last_year − 1
    (every township needs a row in each of those years: ValueError otherwise)."""
    regions = np.array(sorted(population["township_code"].unique()))
    pop = cube(population, regions)
    mx, profile = standard_mx(), migration_profile()
    rows, women = [], [_women(pop, regions, first_year)]
    for year in range(first_year, last_year):
        flows = vital[vital["year"] == year].set_index("township_code").reindex(regions)[list(FLOWS)]
        if flows.isna().any().any():
            missing = flows.index[flows.isna().any(axis=1)].tolist()
            raise ValueError(f"vital_history has no {year} row for townships {', '.join(missing)}")
        start = pop.sum(axis=(1, 2))
        pop, short = cohort_step(pop, flows.to_numpy(float), mx, profile)
        rows.append(
            pd.DataFrame(
                {
                    "year": year,
                    "township_code": regions,
                    "population": start,
                    **{f: flows[f].to_numpy(float) for f in FLOWS},
                    "shortfall": short,
                }
            )
        )
        women.append(_women(pop, regions, year + 1))
    tidy = pd.DataFrame(
        {
            "township_code": np.repeat(regions, 202),
            "sex": np.tile(np.repeat(SEXES, 101), len(regions)),
            "age": np.tile(np.arange(101), 2 * len(regions)),
            "population": pop.reshape(-1),
        }
    )
    columns = ["year", "township_code", "population", *FLOWS, "shortfall"]
    return Forward(
        first_year,
        last_year,
        tidy,
        pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(columns=columns),
        pd.concat(women, ignore_index=True),
    )


def _women(pop: np.ndarray, regions: np.ndarray, year: int) -> pd.DataFrame:
    ages = np.arange(15, 50)
    return pd.DataFrame(
        {
            "year": year,
            "township_code": np.repeat(regions, len(ages)),
            "age": np.tile(ages, len(regions)),
            "women": pop[:, 1, 15:50].reshape(-1),
        }
    )


def to_villages(census: pd.DataFrame, forward: pd.DataFrame, years: int) -> pd.DataFrame:
    """The brought-forward township population shared among villages. ``census``: village_code, township_code, sex,
    age, population (the census year, ``County.village_population``); ``forward``: township_code, sex, age,
    population ``years`` later. Returns village_code, township_code, sex, age, population; each township's cells
    sum to ``forward``'s exactly (see the module docstring for the shares)."""
    villages = census.drop_duplicates("village_code")[["village_code", "township_code"]].sort_values("village_code")
    codes = villages["village_code"].to_numpy()
    town_of = villages["township_code"].to_numpy()
    wide = census.pivot_table(index="village_code", columns=["sex", "age"], values="population", aggfunc="sum")
    columns = pd.MultiIndex.from_product([list(SEXES), range(101)])
    v = (
        wide.reindex(index=codes, columns=columns, fill_value=0.0)
        .fillna(0.0)
        .to_numpy(float)
        .reshape(len(codes), 2, 101)
    )
    k = int(years)
    source = np.zeros_like(v)  # each village's people of the cohort that is age a now
    if k == 0:
        source = v.copy()
    else:
        source[:, :, k:100] = v[:, :, 0 : 100 - k]
        source[:, :, 100] = v[:, :, 100 - k :].sum(axis=2)
        women = v[:, 1, 15:50].sum(axis=1)
        source[:, :, :k] = women[:, None, None]  # born since the census: where the township's women are
    towns, index = np.unique(town_of, return_inverse=True)
    town_source = np.zeros((len(towns), 2, 101))
    np.add.at(town_source, index, source)
    share = source / np.where(town_source[index] > 0, town_source[index], 1.0)
    total = v.sum(axis=(1, 2))  # a cohort no village had: shared as the villages' whole population
    town_total = np.bincount(index, weights=total, minlength=len(towns))
    fallback = np.where(
        town_total[index] > 0,
        total / np.where(town_total[index] > 0, town_total[index], 1.0),
        1.0 / np.bincount(index)[index],
    )
    share = np.where(town_source[index] > 0, share, fallback[:, None, None])
    f = cube(forward, towns)
    out = f[index] * share
    return pd.DataFrame(
        {
            "village_code": np.repeat(codes, 202),
            "township_code": np.repeat(town_of, 202),
            "sex": np.tile(np.repeat(SEXES, 101), len(codes)),
            "age": np.tile(np.arange(101), 2 * len(codes)),
            "population": out.reshape(-1),
        }
    )


def complete_years(vital: pd.DataFrame, townships) -> list[int]:
    """The years of ``vital`` with a row for every township in ``townships``, ascending."""
    wanted = set(townships)
    have = vital.groupby("year")["township_code"].agg(lambda s: wanted <= set(s))
    return sorted(int(y) for y, whole in have.items() if whole)


def target_year(census_year: int, vital: pd.DataFrame, townships, start_year: int | None = None) -> int:
    """The year the population is brought forward to: the latest complete year of ``vital`` (every township
    recorded), or the year before ``start_year`` when that is earlier; never before ``census_year``."""
    complete = complete_years(vital, townships)
    latest = complete[-1] if complete else census_year
    if start_year is not None:
        latest = min(latest, start_year - 1)
    return max(latest, census_year)


def county_population(projected: pd.DataFrame, vital_history: pd.DataFrame) -> pd.Series:
    """The county's population by year: ``projected`` (year, population) from the base year on; the years before
    it taken back through the vital history, P(y) = P(y+1) − births(y) + deaths(y) − in-migrants(y) + out-migrants(y)
    (the recorded totals, the way :func:`bring_forward` takes a census forward); a year the history does not reach is
    absent."""
    known = projected.set_index("year")["population"].astype(float)
    first = int(known.index.min())
    v = vital_history.groupby("year")[
        ["births_male", "births_female", "deaths_male", "deaths_female", "in_migrants", "out_migrants"]
    ].sum()
    change = (
        v["births_male"]
        + v["births_female"]
        - v["deaths_male"]
        - v["deaths_female"]
        + v["in_migrants"]
        - v["out_migrants"]
    )
    back = np.arange(first - 1, int(change.index.min()) - 1 if len(change) else first - 1, -1)
    present = np.isin(back, change.index)
    back = back[: int(np.argmin(present)) if not present.all() else len(back)]  # a gap in the history stops it
    past = pd.Series(float(known.loc[first]) - np.cumsum(change.reindex(back).to_numpy(float)), index=back)
    return pd.concat([past, known]).sort_index().rename_axis("year").rename("population")
