"""The demo county's people: base-year population by village, sex and single age, and ten years of vital history.

How it is generated (all draws from one seeded numpy Generator, so the output is the same every run):
- Shape: China's 2025 population by sex and 5-year age group from UN World Population Prospects 2017, medium
  variant (`popMprojMed`/`popFprojMed`, country 156, thousands), embedded below. WPP 2017 did not foresee how
  fast births fell after 2016 (NBS: 17.9 million births in 2016, 9.5 million in 2024), so ages 0-4 are scaled by
  0.62 and 5-9 by 0.86 (demo assumption matching that fall). Groups are split to single years with Sprague
  (fpplan.data.agesplit); ages 0-9 get a sex ratio of 1.11.
- Townships differ: rural townships lose part of their young adults to out-migration (20-39 scaled down), the
  county seat gains them; a township fertility factor scales its births. Villages get lognormal size weights, and
  counts are Poisson draws around the expected numbers.
- Vital history 2015-2024: births from China's crude birth rate (NBS statistical yearbook: 12.0‰ 2015, 13.6‰
  2016 … 6.4‰ 2023, 6.8‰ 2024) times the township factor, SRB 1.12; deaths from the crude death rate (7.1‰ →
  7.8‰); in- and out-migration rates by township (demo assumption).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from fpplan.data.agesplit import split_groups

BASE_YEAR = 2025
# UN WPP 2017 medium variant, China, 1 July 2025, thousands, 0-4 … 95-99, 100+.
WPP2017_CHINA_2025 = {
    "male": [
        38998,
        43105,
        45905,
        44133,
        41858,
        42413,
        52687,
        66263,
        51726,
        48401,
        59206,
        60509,
        48420,
        35599,
        31393,
        16787,
        8369,
        3937,
        1228,
        229,
        28,
    ],
    "female": [
        34274,
        37562,
        39646,
        37816,
        36223,
        37401,
        47425,
        62064,
        49098,
        46140,
        56827,
        59459,
        47579,
        35773,
        33143,
        19258,
        10186,
        5268,
        1976,
        447,
        76,
    ],
}
RECENT_BIRTH_FALL = {0: 0.62, 1: 0.86}  # 5-year group index → factor (demo assumption, see module docstring)
# NBS crude birth and death rates (‰), China, 2015-2024.
CRUDE_BIRTH_RATE = [11.99, 13.57, 12.64, 10.86, 10.41, 8.52, 7.52, 6.77, 6.39, 6.77]
CRUDE_DEATH_RATE = [7.11, 7.09, 7.11, 7.08, 7.09, 7.07, 7.18, 7.37, 7.87, 7.76]
HISTORY_YEARS = np.arange(2015, 2025)
SRB = 1.12
YOUNG_SEX_RATIO = 1.11  # males per female at ages 0–9 (seed 004 county ~1.2; China 2020 census 1.11 at 0–9)


def county_shape() -> np.ndarray:
    """Single-year shape (sex, age 0–100) of the county, summing to 1."""
    groups = np.array([WPP2017_CHINA_2025["male"], WPP2017_CHINA_2025["female"]], dtype=float)
    for group, factor in RECENT_BIRTH_FALL.items():
        groups[:, group] *= factor
    single = split_groups(groups)
    single[0, :10] = single[1, :10] * YOUNG_SEX_RATIO
    return single / single.sum()


def village_population(townships: pd.DataFrame, villages: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Base-year population (year, unit_code, sex, age, population) of every village.

    ``townships``: code, population (target size), out_migration (share of 20–39 lost), fertility (factor);
    ``villages``: code, township_code, weight (share of its township).
    """
    shape = county_shape()
    ages = np.arange(101)
    young_adult = ((ages >= 20) & (ages <= 39)).astype(float)
    children = (ages <= 14).astype(float)
    t = townships.set_index("code").loc[villages["township_code"]]
    # township profile: young adults scaled by (1 − out-migration), children by the fertility factor
    profile = shape[None, :, :] * (1 - t["out_migration"].to_numpy()[:, None, None] * young_adult)
    profile *= 1 + (t["fertility"].to_numpy()[:, None, None] - 1) * children
    profile /= profile.sum(axis=(1, 2), keepdims=True)
    expected = profile * (t["population"].to_numpy() * villages["weight"].to_numpy())[:, None, None]
    counts = rng.poisson(expected)
    n_village = len(villages)
    return pd.DataFrame(
        {
            "year": BASE_YEAR,
            "unit_code": np.repeat(villages["code"].to_numpy(), 2 * 101),
            "sex": np.tile(np.repeat(["male", "female"], 101), n_village),
            "age": np.tile(ages, 2 * n_village),
            "population": counts.reshape(-1),
        }
    )


def vital_history(
    townships: pd.DataFrame, population: pd.DataFrame, villages: pd.DataFrame, rng: np.random.Generator
) -> pd.DataFrame:
    """Births, deaths and migrants by township for 2015–2024, back-cast from the base-year size."""
    size = population.merge(villages[["code", "township_code"]], left_on="unit_code", right_on="code")
    size = size.groupby("township_code")["population"].sum().reindex(townships["code"]).to_numpy()
    years = len(HISTORY_YEARS)
    fert = townships["fertility"].to_numpy()[:, None]
    cbr = np.array(CRUDE_BIRTH_RATE)[None, :] / 1000 * fert
    cdr = np.array(CRUDE_DEATH_RATE)[None, :] / 1000 * (1.1 - 0.1 * fert)
    in_rate = townships["in_migration"].to_numpy()[:, None] * np.ones((1, years))
    out_rate = townships["out_migration_rate"].to_numpy()[:, None] * np.ones((1, years))
    # population of each past year, back from the base year by the growth rates (approximately)
    growth = cbr - cdr + in_rate - out_rate
    pop = size[:, None] / np.cumprod((1 + growth)[:, ::-1], axis=1)[:, ::-1]
    births = rng.poisson(pop * cbr)
    male = rng.binomial(births, SRB / (1 + SRB))
    deaths = rng.poisson(pop * cdr)
    deaths_male = rng.binomial(deaths, 0.56)
    frame = pd.DataFrame(
        {
            "year": np.tile(HISTORY_YEARS, len(townships)),
            "township_code": np.repeat(townships["code"].to_numpy(), years),
            "births_male": male.reshape(-1),
            "births_female": (births - male).reshape(-1),
            "deaths_male": deaths_male.reshape(-1),
            "deaths_female": (deaths - deaths_male).reshape(-1),
            "in_migrants": rng.poisson(pop * in_rate).reshape(-1),
            "out_migrants": rng.poisson(pop * out_rate).reshape(-1),
        }
    )
    return frame


def married_share(townships: pd.DataFrame, early: tuple[str, ...] | None = None) -> pd.DataFrame:
    """Share of women married by age 15–49: a logistic rise to 0.93 centred at age 25 (demo assumption shaped
    like China's 2020 census marital-status tables); the townships ``early`` (default: the fifth and seventh, two
    rural townships of the demo) marry a year earlier."""
    ages = np.arange(15, 50)

    def curve(shift: float) -> np.ndarray:
        return np.round(0.93 / (1 + np.exp(-(ages - 25 + shift) / 1.9)), 4)

    rows = [pd.DataFrame({"township_code": "", "age": ages, "share": curve(0)})]
    for code in townships["code"].iloc[[4, 6]] if early is None else early:
        rows.append(pd.DataFrame({"township_code": code, "age": ages, "share": curve(1.0)}))
    return pd.concat(rows, ignore_index=True)
