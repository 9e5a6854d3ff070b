"""The engine reproduces the published cases: ccmppWPP Mexico (single years) and UN WPP 2017 (5-year form)."""

from __future__ import annotations

import csv

import numpy as np
import pandas as pd
import pytest

from fpplan.data.base.lifetable import abridged_to_grid, life_table, survival_ratios
from fpplan.data.base.schedules import rogers_castro, to_groups
from fpplan.demography.engine import run
from tests.cases_dir import data_source, validation

SEXES = ["male", "female"]


def _ccmpp_case(name: str) -> tuple[dict[str, np.ndarray], str, np.ndarray]:
    """A ccmppWPP case folder as engine inputs, its migration timing, and the expected population (year, sex, age)."""
    d = validation("demography", name)
    base = pd.read_csv(d / "base_population.csv")
    table = pd.read_csv(d / "life_table.csv")
    fert = pd.read_csv(d / "fertility_asfr.csv")
    period = pd.read_csv(d / "period.csv").set_index("year")
    mig = pd.read_csv(d / "net_migration.csv")
    expected = pd.read_csv(d / "expected_population.csv")
    years = period.index.to_numpy()

    def cube(frame: pd.DataFrame, value: str, at: np.ndarray) -> np.ndarray:
        wide = frame.pivot_table(index=["year", "sex"], columns="age", values=value)
        return wide.reindex(pd.MultiIndex.from_product([at, SEXES])).to_numpy().reshape(len(at), 2, 101)

    (timing,) = set(period["migration_timing"])
    inputs = {
        "pop0": base.pivot(index="sex", columns="age", values="population").loc[SEXES].to_numpy(),
        "S": cube(table, "Sx", years),
        "asfr": fert.pivot(index="year", columns="age", values="asfr").loc[years].to_numpy(),
        "srb": period["srb"].to_numpy(),
        "mig": cube(mig, "net_migrants", years),
    }
    return inputs, timing, cube(expected, "population", years + 1)


def _assert_case(got: np.ndarray, want: np.ndarray) -> None:
    """The cases' tolerance: relative 1e-9 in every cell of at least one person, absolute 1e-6 elsewhere."""
    big = np.abs(want) >= 1
    np.testing.assert_allclose(got[big], want[big], rtol=1e-9, atol=0)
    np.testing.assert_allclose(got[~big], want[~big], rtol=0, atol=1e-6)


@pytest.mark.parametrize(
    ("case", "timing"), [("ccmpp_mexico_1x1", "end"), ("ccmpp_guard_1x1", "end"), ("ccmpp_even_1x1", "even")]
)
def test_ccmpp_cases_single_years_to_1e9(case: str, timing: str) -> None:
    inputs, case_timing, want = _ccmpp_case(case)
    assert case_timing == timing
    out = run(width=1, timing=timing, **inputs)
    _assert_case(out["population"][1:], want)
    # the balancing equation, with M the migrants actually added (after both guards)
    flows = out["births"] - out["deaths"] + out["migration"]
    np.testing.assert_allclose(out["population"][1:].sum(-1), out["population"][:-1].sum(-1) + flows, rtol=1e-12)


def test_guard_case_acts_in_hundreds_of_cells() -> None:
    """The guard case guards hundreds of cells (README); applied to the survivors instead (the engine before this
    case), the totals drift by far more than the tolerance."""
    inputs, timing, want = _ccmpp_case("ccmpp_guard_1x1")
    out = run(width=1, timing=timing, **inputs)
    assert out["guarded"].sum() > 200
    plain = run(width=1, timing=timing, **{**inputs, "mig": _ccmpp_case("ccmpp_mexico_1x1")[0]["mig"]})
    assert plain["guarded"].sum() == 0
    assert np.abs(out["population"][1:].sum(axis=(1, 2)) / want.sum(axis=(1, 2)) - 1).max() < 1e-12
    assert np.abs(plain["population"][-1].sum() / want[-1].sum() - 1) > 0.05


def test_even_timing_differs_from_end_timing_as_the_readme_says() -> None:
    """The same inputs under 'end' are off the 'even' case by more than the tolerance (births move)."""
    inputs, _, want = _ccmpp_case("ccmpp_even_1x1")
    end = run(width=1, timing="end", **inputs)["population"][1:]
    assert np.abs(end.sum(axis=(1, 2)) / want.sum(axis=(1, 2)) - 1).max() > 1e-4


def test_ccmpp_cases_as_5_year_steps_equal_the_ccmpp_rules_by_hand() -> None:
    """The 5-year mode: the engine with width 5 on an aggregated case equals the ccmppWPP rules written out
    by hand for z = 5 (births weighted by z, ages 0 and the open group giving none), both timings, with guards."""
    rng = np.random.default_rng(11)
    pop = rng.uniform(0, 5e5, (2, 21))
    S = np.clip(rng.uniform(0.85, 1.0, (4, 2, 21)), 0, 1)
    asfr = np.zeros((4, 21))
    asfr[:, 3:10] = rng.uniform(0.0, 0.12, (4, 7))
    asfr[:, 0] = asfr[:, 20] = 0.3  # ignored, as in the UN code
    mig = rng.normal(0, 2e4, (4, 2, 21))
    mig[1, :, 4:8] = -2e6  # an exodus: the guards act
    srb = np.array([1.05, 1.06, 1.07, 1.08])
    for timing in ("end", "even"):
        got = run(pop, S, asfr, srb, mig, width=5, timing=timing)["population"]
        p = pop.copy()
        for t in range(4):
            m = mig[t].copy()
            bad = p + m <= 0
            m[bad] = 0.00001 - p[bad]
            start = p + m / 2 if timing == "even" else p
            late = m / 2 if timing == "even" else np.zeros_like(m)
            end = np.zeros_like(p)
            for s in (0, 1):
                for g in range(1, 20):
                    end[s, g] = start[s, g - 1] - (1 - S[t, s, g]) * start[s, g - 1] + late[s, g]
                end[s, 20] = (
                    start[s, 19] + start[s, 20] - (1 - S[t, s, 20]) * (start[s, 19] + start[s, 20]) + late[s, 20]
                )
            b = sum(5 * asfr[t, g] * (start[1, g] + end[1, g]) / 2 for g in range(1, 20))
            female = b * (1 / (1 + srb[t]))
            for s, births in ((0, b - female), (1, female)):
                end[s, 0] = births - (1 - S[t, s, 0]) * births + late[s, 0]
            if timing == "end":
                end = end + m
            end[end < 0] = 0.0005
            p = end
            np.testing.assert_allclose(got[t + 1], p, rtol=1e-12, atol=1e-9)


def _wpp_inputs():
    d = validation("demography", "wpp2017_china")
    base = pd.read_csv(d / "base_population_2015.csv")
    mx = pd.read_csv(d / "mortality_mx.csv")
    fert = pd.read_csv(d / "fertility_asfr.csv")
    period = pd.read_csv(d / "period_assumptions.csv")
    groups = base.loc[base["sex"] == "M", "age_group"].tolist()
    pop0 = np.stack([base[base["sex"] == s].set_index("age_group").loc[groups, "population_thousands"] for s in "MF"])
    ages = sorted(mx["age"].unique())
    m = np.stack(
        [
            np.stack([mx[(mx.period == p) & (mx.sex == s)].set_index("age").loc[ages, "mx"] for s in "MF"])
            for p in period["period"]
        ]
    )
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
        want = np.stack(
            [
                expected[(expected.year == year) & (expected.sex == s)]
                .set_index("age_group")
                .loc[groups, "population_thousands"]
                for s in "MF"
            ]
        )
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
