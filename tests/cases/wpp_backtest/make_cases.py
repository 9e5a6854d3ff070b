"""Regenerate the WPP back-test cases (areas.csv, population.csv, vital.csv) from the UN WPP R packages.

Sources (both CC BY 3.0 IGO, United Nations, DESA, Population Division):
- population by sex and 5-year age group (0-4 … 95-99, 100+), 1 July of 1985, 1990, …, 2020: ``data/popM.txt``,
  ``data/popF.txt`` of PPgp/wpp2019 (World Population Prospects 2019); which rows are countries or areas:
  ``data/UNlocations.txt`` (location_type 4);
- yearly births, deaths and net migration (calendar years 1975–2019) and the sex ratio at birth:
  ``data-raw/births.txt``, ``deaths.txt``, ``migration.txt``, ``sexRatio.txt`` of PPgp/wpp2024 (World Population
  Prospects 2024).
All in thousands with three decimals, i.e. persons; written here in persons.

Which areas (a rule, not a choice of cases): every country or area with an age structure in WPP 2019 and yearly
data in WPP 2024 whose 2010 population is below 300,000 ("small": the size of a large township), or between
1,000,000 and 5,000,000 ("midsize").

Run: ``python tests/cases/wpp_backtest/make_cases.py WPP2019 WPP2024`` where each argument is a checkout or a git
directory of the package (e.g. what ``fetch github:PPgp/wpp2019`` gives); the repositories are never committed.
"""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
GROUPS = [f"{a}-{a + 4}" for a in range(0, 100, 5)] + ["100+"]
POP_YEARS = list(range(1985, 2021, 5))
VITAL_YEARS = list(range(1975, 2020))
SMALL_MAX = 300.0  # thousands, 2010
MID = (1000.0, 5000.0)


def read(repo: Path, path: str) -> pd.DataFrame:
    """A tab-separated file of a package checkout or git directory."""
    if (repo / path).exists():
        text = (repo / path).read_text(encoding="utf-8")
    else:
        text = subprocess.run(
            ["git", "--git-dir", str(repo), "show", f"HEAD:{path}"], check=True, capture_output=True
        ).stdout.decode("utf-8")
    return pd.read_csv(io.StringIO(text), sep="\t")


def persons(values) -> np.ndarray:
    return np.round(np.asarray(values, dtype=float) * 1000).astype(np.int64)


def main(wpp2019: Path, wpp2024: Path) -> None:
    locations = read(wpp2019, "data/UNlocations.txt")
    areas = set(locations.loc[locations["location_type"] == 4, "country_code"])
    pop = {sex: read(wpp2019, f"data/pop{letter}.txt") for sex, letter in (("male", "M"), ("female", "F"))}
    yearly = {
        name: read(wpp2024, f"data-raw/{name}.txt").set_index("country_code")
        for name in ("births", "deaths", "migration", "sexRatio")
    }
    total = pop["male"].groupby("country_code")["2010"].sum() + pop["female"].groupby("country_code")["2010"].sum()
    total = total[total.index.isin(areas) & total.index.isin(yearly["births"].index)]
    county = pd.Series(
        np.where(total < SMALL_MAX, "small", np.where((total >= MID[0]) & (total < MID[1]), "midsize", "")),
        index=total.index,
    )
    county = county[county != ""]
    names = pop["female"].drop_duplicates("country_code").set_index("country_code")["name"]
    area_table = pd.DataFrame(
        {
            "county": county,
            "code": county.index,
            "name": names.reindex(county.index),
            "population_2010": persons(total.reindex(county.index)),
        }
    ).sort_values(["county", "code"])
    rows = []
    for sex, frame in pop.items():
        part = frame[frame["country_code"].isin(county.index)]
        for year in POP_YEARS:
            wide = part.pivot(index="country_code", columns="age", values=str(year)).reindex(columns=GROUPS)
            out = pd.DataFrame(persons(wide.to_numpy()), columns=GROUPS, index=wide.index)
            out.insert(0, "sex", sex)
            out.insert(0, "year", year)
            rows.append(out.reset_index().rename(columns={"country_code": "code"}))
    population = pd.concat(rows).sort_values(["code", "year", "sex"]).reset_index(drop=True)
    years = [str(y) for y in VITAL_YEARS]
    vital = pd.DataFrame(
        {
            "code": np.repeat(county.index.to_numpy(), len(years)),
            "year": np.tile(VITAL_YEARS, len(county)),
            **{
                name: persons(yearly[name].loc[county.index, years].to_numpy().reshape(-1))
                for name in ("births", "deaths")
            },
            "net_migration": persons(yearly["migration"].loc[county.index, years].to_numpy().reshape(-1)),
            "srb": yearly["sexRatio"].loc[county.index, years].to_numpy().reshape(-1),
        }
    ).sort_values(["code", "year"])
    area_table.to_csv(HERE / "areas.csv", index=False)
    population.to_csv(HERE / "population.csv", index=False)
    vital.to_csv(HERE / "vital.csv", index=False)
    print(area_table.groupby("county").size().to_string(), len(population), len(vital))


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
