"""The demo county's past: its population in 2015 by township, sex and single age (``population_history.csv``),
so that ``fpplan backtest`` can project 2015 → 2025 and compare with the base-year population.

Consistent with the rest of the demo, deterministically (no random draws):
- each township's 2015 total is its 2025 total minus what the vital history says happened in 2015–2024
  (Σ births − deaths + in-migrants − out-migrants): the balancing equation, to the person;
- its age structure is the 2025 population's cohorts taken ten years back: those aged x+10 in 2025 were aged x in
  2015, divided by ten years of survival (China's 2020-2025 life table, ``fpplan.data.base.schedules``) and less
  the net migrants of the decade by Rogers–Castro age pattern (ages under 65); ages 90–100 in 2015 follow the life table's
  stationary shape (Lx), anchored on ages 85–89. The structure is then scaled to the 2015 total and rounded to whole persons
  keeping that total (rounded cumulative sums).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from fpplan.data.base.lifetable import life_table, single_year_survival
from fpplan.data.base.schedules import rogers_castro, standard_mx

YEARS_BACK = 10
OLD = 89  # the oldest 2015 age reached by a 2025 cohort below the open group (99 − 10)
MIGRANT_MAX_AGE = 65  # the decade's net migrants are of ages below this (demo assumption)


def population_2015(
    townships: pd.DataFrame, population: pd.DataFrame, villages: pd.DataFrame, vital: pd.DataFrame
) -> pd.DataFrame:
    """year, township_code, sex, age, population in 2015 for every township (see the module docstring)."""
    where = population.merge(villages[["code", "township_code"]], left_on="unit_code", right_on="code")
    codes = townships["code"].to_numpy()
    cube = (
        where.pivot_table(index="township_code", columns=["sex", "age"], values="population", aggfunc="sum")
        .reindex(index=codes, columns=pd.MultiIndex.from_product([["male", "female"], range(101)]), fill_value=0)
        .to_numpy(float)
        .reshape(len(codes), 2, 101)
    )
    flows = vital[vital["year"] >= vital["year"].max() - YEARS_BACK + 1].groupby("township_code").sum(numeric_only=True)
    flows = flows.reindex(codes)
    change = (
        flows["births_male"]
        + flows["births_female"]
        - flows["deaths_male"]
        - flows["deaths_female"]
        + flows["in_migrants"]
        - flows["out_migrants"]
    ).to_numpy()
    total_2015 = cube.sum(axis=(1, 2)) - change

    mx = standard_mx()
    S = single_year_survival(mx, sex=np.array([0, 1]))  # (sex, age)
    ages = np.arange(OLD + 1)
    # survival over ten years of those aged x in 2015 (to x + 10 in 2025): Π S[x+1 … x+10]
    ten_years = np.stack([np.prod(S[:, a + 1 : a + 1 + YEARS_BACK], axis=1) for a in ages], axis=1)  # (sex, 90)
    net = (flows["in_migrants"] - flows["out_migrants"]).to_numpy()
    profile = rogers_castro()
    profile[MIGRANT_MAX_AGE:] = 0  # the schedule's constant term would take migrants from tiny old cohorts
    profile /= profile.sum()
    migrants = net[:, None, None] * np.stack([profile, profile])[None] / 2  # (township, sex, age in 2025)
    structure = np.zeros_like(cube)
    structure[:, :, : OLD + 1] = (
        np.clip(
            cube[:, :, YEARS_BACK : OLD + 1 + YEARS_BACK] - migrants[:, :, YEARS_BACK : OLD + 1 + YEARS_BACK], 0, None
        )
        / ten_years[None]
    )
    Lx = life_table(mx, np.ones(101), sex=np.array([0, 1]))["Lx"]  # (sex, age)
    anchor = structure[:, :, OLD - 4 : OLD + 1].sum(axis=2, keepdims=True) / Lx[None, :, OLD - 4 : OLD + 1].sum(
        axis=2, keepdims=True
    )
    structure[:, :, OLD + 1 :] = anchor * Lx[None, :, OLD + 1 :]
    scaled = structure / structure.sum(axis=(1, 2), keepdims=True) * total_2015[:, None, None]
    whole = np.diff(np.round(np.cumsum(scaled.reshape(len(codes), -1), axis=1)), axis=1, prepend=0)
    return pd.DataFrame(
        {
            "year": int(vital["year"].max()) - YEARS_BACK + 1,
            "township_code": np.repeat(codes, 2 * 101),
            "sex": np.tile(np.repeat(["male", "female"], 101), len(codes)),
            "age": np.tile(np.arange(101), 2 * len(codes)),
            "population": whole.reshape(-1).astype(int),
        }
    )


def tables(townships: pd.DataFrame, population: pd.DataFrame, villages: pd.DataFrame, vital: pd.DataFrame) -> dict:
    """The demo's history tables, by name."""
    return {"population_history": population_2015(townships, population, villages, vital)}
