"""The engine reproduces the published cases: ccmppWPP Mexico (single years) and UN WPP 2017 (5-year form)."""

from __future__ import annotations

import csv

import numpy as np
import pandas as pd
import pytest

from fpplan.demography.engine import run
from fpplan.demography.lifetable import abridged_to_grid, life_table, survival_ratios
from fpplan.demography.schedules import rogers_castro, to_groups

from cases_dir import data_source, validation

SEXES = ["male", "female"]


def test_ccmpp_mexico_single_years_to_1e9() -> None:
    d = validation("demography", "ccmpp_mexico_1x1")
    base = pd.read_csv(d / "base_population.csv")
    table = pd.read_csv(d / "life_table.csv")
    fert = pd.read_csv(d / "fertility_asfr.csv")
    period = pd.read_csv(d / "period.csv").set_index("year")
    mig = pd.read_csv(d / "net_migration.csv")
    expected = pd.read_csv(d / "expected_population.csv")
    years = period.index.to_numpy()

    def cube(frame: pd.DataFrame, value: str) -> np.ndarray:
        wide = frame.pivot_table(index=["year", "sex"], columns="age", values=value)
        return wide.reindex(pd.MultiIndex.from_product([years, SEXES])).to_numpy().reshape(len(years), 2, 101)

    pop0 = base.pivot(index="sex", columns="age", values="population").loc[SEXES].to_numpy()
    asfr = fert.pivot(index="year", columns="age", values="asfr").loc[years].to_numpy()
    assert set(period["migration_timing"]) == {"end"}
    out = run(pop0, cube(table, "Sx"), asfr, period["srb"].to_numpy(), cube(mig, "net_migrants"), width=1, timing="end")
    want = expected.pivot_table(index=["year", "sex"], columns="age", values="population")
    want = want.reindex(pd.MultiIndex.from_product([years + 1, SEXES])).to_numpy().reshape(len(years), 2, 101)
    np.testing.assert_allclose(out["population"][1:], want, rtol=1e-9)


def _wpp_inputs():
    d = validation("demography", "wpp2017_china")
    base = pd.read_csv(d / "base_population_2015.csv")
    mx = pd.read_csv(d / "mortality_mx.csv")
    fert = pd.read_csv(d / "fertility_asfr.csv")
    period = pd.read_csv(d / "period_assumptions.csv")
    groups = base.loc[base["sex"] == "M", "age_group"].tolist()
    pop0 = np.stack([base[base["sex"] == s].set_index("age_group").loc[groups, "population_thousands"] for s in "MF"])
    ages = sorted(mx["age"].unique())
    m = np.stack([np.stack([mx[(mx.period == p) & (mx.sex == s)].set_index("age").loc[ages, "mx"] for s in "MF"])
                  for p in period["period"]])
    asfr = np.stack([fert[fert.period == p].sort_values("age_group")["asfr"] for p in period["period"]])
    return d, groups, pop0, m, asfr, period


def project_5x5(pop0, m, asfr, srb, net_migrants_thousands) -> np.ndarray:
    """Textbook 5-year projection (WPP conventions of the case README) with a Rogers–Castro migration pattern."""
    widths = np.array([1, 4] + [5] * (m.shape[-1] - 3) + [1.0])
    table = life_table(m, widths, sex=np.array([0, 1])[None, :])
    L, T = abridged_to_grid(table["Lx"], table["Tx"], 5)
    S = survival_ratios(L, T, 5)
    profile = np.stack([to_groups(rogers_castro())] * 2) / 2
    mig = np.asarray(net_migrants_thousands)[:, None, None] * profile[None]
    return run(pop0, S, asfr, srb, mig, width=5, timing="end", fertile=slice(3, 10))["population"]


def test_wpp2017_china_medium_variant_within_published_tolerance() -> None:
    d, groups, pop0, m, asfr, period = _wpp_inputs()
    expected = pd.read_csv(d / "expected_wpp2017_medium.csv")
    projected = project_5x5(pop0, m, asfr, period["srb"].to_numpy(), period["net_migrants_thousands"].to_numpy())
    for i, year in enumerate(range(2020, 2050, 5)):
        want = np.stack([expected[(expected.year == year) & (expected.sex == s)].set_index("age_group")
                         .loc[groups, "population_thousands"] for s in "MF"])
        got = projected[i + 1]
        assert abs(got.sum() / want.sum() - 1) < 0.001, year  # total within 0.1%
        assert abs(got[1, 3:10].sum() / want[1, 3:10].sum() - 1) < 0.003, year  # women 15-49 within 0.3%
        # every sex × age group 0-84 within 2%; 85+ left out: WPP extends its life tables beyond 100 (README)
        np.testing.assert_array_less(np.abs(got[:, :17] / want[:, :17] - 1), 0.02)


def _wpp_country(code: str) -> dict[str, np.ndarray]:
    """One country's WPP 2017 inputs and 2020 output from the raw files (any country, not China alone)."""
    raw = data_source("wpp2017")

    def rows(name: str) -> tuple[list[str], list[list[str]]]:
        with open(raw / name, encoding="utf-8") as f:
            reader = list(csv.reader(f, delimiter="\t"))
        return reader[0], [r for r in reader[1:] if r[0] == code]

    out = {}
    for sex, suffix in (("M", "M"), ("F", "F")):
        head, body = rows(f"pop{suffix}.txt")
        out[f"pop{sex}"] = np.array([float(r[head.index("2015")]) for r in body])
        head, body = rows(f"pop{suffix}projMed.txt")
        out[f"exp{sex}"] = np.array([float(r[head.index("2020")]) for r in body])
        head, body = rows(f"mx{suffix}.txt")
        out[f"mx{sex}"] = np.array([float(r[head.index("2015-2020")]) for r in body])
    head, body = rows("percentASFR.txt")
    percent = np.array([float(r[head.index("2015-2020")]) for r in body])
    head, body = rows("tfrprojMed.txt")
    tfr = float(body[0][head.index("2015-2020")])
    out["asfr"] = tfr * percent / 100 / 5
    head, body = rows("sexRatio.txt")
    out["srb"] = float(body[0][head.index("2015-2020")])
    head, body = rows("migration.txt")
    out["mig"] = float(body[0][head.index("2015-2020")])
    return out


@pytest.mark.parametrize("code", ["156", "356", "484"])  # China, India, Mexico
def test_wpp2017_any_country_first_period(code: str) -> None:
    c = _wpp_country(code)
    pop0 = np.stack([c["popM"], c["popF"]])
    m = np.stack([c["mxM"], c["mxF"]])[None]
    got = project_5x5(pop0, m, c["asfr"][None], np.array([c["srb"]]), np.array([c["mig"]]))[1]
    want = np.stack([c["expM"], c["expF"]])
    assert abs(got.sum() / want.sum() - 1) < 0.002
    np.testing.assert_array_less(np.abs(got[:, :17] / want[:, :17] - 1), 0.03)
