"""County folders built from the WPP back-test cases (tests/cases/wpp_backtest/, see its README): the areas of
one size class as the "townships" of a county whose base year is a WPP population year.

A folder holds what ``fpplan backtest`` reads and nothing else: ``units.csv`` (the county and its townships),
``population.csv`` (the base year, 5-year groups split to single years on load), ``population_history.csv`` (every
earlier population year from 1985, split to single years with the loader's Sprague multipliers) and
``vital_history.csv`` (every year from 1975 to the year before the base year; deaths split by sex in proportion to
the population's expected deaths under fpplan's standard schedule, since fpplan reads only their sum; migrants as
in = max(net, 0), out = max(−net, 0), since WPP gives net migration only).

An area whose history the loader would refuse for this base year (yearly births over
``MAX_BIRTHS_PER_WOMAN_15_49`` of its base-year women 15–49: WPP 2024's births against WPP 2019's women, where the
two revisions disagree) is left out of that county-year, by that rule alone: the Central African Republic in 2015.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from fpplan.data.agesplit import split_groups
from fpplan.data.base.schedules import standard_mx, to_groups
from fpplan.data.crosschecks import MAX_BIRTHS_PER_WOMAN_15_49

CASES = Path(__file__).resolve().parent / "cases" / "wpp_backtest"
GROUPS = [f"{a}-{a + 4}" for a in range(0, 100, 5)] + ["100+"]
COUNTY_CODES = {"small": "990100", "midsize": "990200"}


def tables() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    return (pd.read_csv(CASES / "areas.csv"), pd.read_csv(CASES / "population.csv"), pd.read_csv(CASES / "vital.csv"))


def township_code(county: str, code: int) -> str:
    return f"{COUNTY_CODES[county]}{code:03d}"


def write_county(root: Path, county: str, base_year: int, first_year: int = 1985) -> Path:
    """The county folder of size class ``county`` ("small" or "midsize") with base year ``base_year``."""
    areas, population, vital = tables()
    areas = areas[areas["county"] == county]
    areas = areas[~areas["code"].isin(refused(population, vital, base_year))]
    folder = Path(root) / f"{county}_{base_year}"
    folder.mkdir(parents=True, exist_ok=True)
    code = COUNTY_CODES[county]
    units = pd.DataFrame(
        {
            "code": [code] + [township_code(county, c) for c in areas["code"]],
            "name": [f"WPP {county}"] + areas["name"].tolist(),
            "level": ["county"] + ["township"] * len(areas),
            "parent_code": [None] + [code] * len(areas),
            "kind": ["county"] + ["zhen"] * len(areas),
        }
    )
    units.to_csv(folder / "units.csv", index=False)
    pop = population[population["code"].isin(areas["code"])].copy()
    pop["township_code"] = [township_code(county, c) for c in pop["code"]]
    base = pop[pop["year"] == base_year].melt(
        id_vars=["year", "township_code", "sex"], value_vars=GROUPS, var_name="age_group", value_name="population"
    )
    base.rename(columns={"township_code": "unit_code"}).to_csv(folder / "population.csv", index=False)
    past = pop[(pop["year"] < base_year) & (pop["year"] >= first_year)].sort_values(["township_code", "year", "sex"])
    single = split_groups(
        np.concatenate([past[GROUPS].to_numpy(float)[:, :20], past[["100+"]].to_numpy(float)], axis=1)
    )
    history = pd.DataFrame(
        {
            "year": np.repeat(past["year"].to_numpy(), 101),
            "township_code": np.repeat(past["township_code"].to_numpy(), 101),
            "sex": np.repeat(past["sex"].to_numpy(), 101),
            "age": np.tile(np.arange(101), len(past)),
            "population": single.reshape(-1),
        }
    )
    history.to_csv(folder / "population_history.csv", index=False)
    _vital(vital, pop, areas, county, base_year).to_csv(folder / "vital_history.csv", index=False)
    return folder


def refused(population: pd.DataFrame, vital: pd.DataFrame, base_year: int) -> list[int]:
    """Areas whose yearly births before ``base_year`` exceed the loader's limit of their base-year women 15–49."""
    base = population[(population["year"] == base_year) & (population["sex"] == "female")].set_index("code")
    women = base[GROUPS[3:10]].sum(axis=1)
    births = vital[vital["year"] < base_year].groupby("code")["births"].max()
    return sorted(births.index[births > MAX_BIRTHS_PER_WOMAN_15_49 * women.reindex(births.index)])


def _vital(vital: pd.DataFrame, pop: pd.DataFrame, areas: pd.DataFrame, county: str, base_year: int) -> pd.DataFrame:
    v = vital[vital["code"].isin(areas["code"]) & (vital["year"] < base_year)].copy()
    # male share of expected deaths in the latest population year at or before each year (1985's before 1985)
    expected = to_groups(standard_mx())  # (sex, group): the standard rates summed over each group's ages
    expected[:, :20] /= 5
    male_share = {}
    for (code, year), rows in pop.groupby(["code", "year"]):
        by_sex = rows.set_index("sex").loc[["male", "female"], GROUPS].to_numpy(float)
        deaths = (by_sex * expected).sum(axis=1)
        male_share[(code, year)] = deaths[0] / deaths.sum()
    years = sorted({y for _, y in male_share})
    share = [male_share[(c, max([y for y in years if y <= max(t, years[0])]))] for c, t in zip(v["code"], v["year"])]
    births_male = np.round(v["births"] * v["srb"] / (1 + v["srb"]))
    deaths_male = np.round(v["deaths"] * np.array(share))
    return pd.DataFrame(
        {
            "year": v["year"],
            "township_code": [township_code(county, c) for c in v["code"]],
            "births_male": births_male,
            "births_female": v["births"] - births_male,
            "deaths_male": deaths_male,
            "deaths_female": v["deaths"] - deaths_male,
            "in_migrants": v["net_migration"].clip(lower=0),
            "out_migrants": (-v["net_migration"]).clip(lower=0),
        }
    )
