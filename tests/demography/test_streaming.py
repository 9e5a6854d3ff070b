"""Stochastic projections reduced to quantiles chunk by chunk: the same as the quantiles of every trajectory kept
in full, whatever the chunking; trajectories to Parquet only when asked, never half-written."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from fpplan.demography import load_scenarios, prepare, project
from fpplan.demography import streaming as st

TRAJECTORIES = 60


@pytest.fixture(scope="module")
def setup(county):
    return county, prepare(county), load_scenarios(county)["medium"]


@pytest.fixture(scope="module")
def full(setup):
    _, inputs, scenario = setup
    return project(inputs, scenario, trajectories=TRAJECTORIES, seed=11)


def test_quantiles_equal_numpy_linear_method() -> None:
    x = np.random.default_rng(3).normal(size=(101, 4, 3))
    for n in (1, 2, 5, 101):
        np.testing.assert_allclose(
            st.quantiles(x[:n]), np.quantile(x[:n], st.QUANTILES, axis=0), rtol=1e-13, atol=1e-13
        )
    assert st.column(0.5) == "q500" and st.column(0.025) == "q025" and len(st.QUANTILE_COLUMNS) == 9


def test_age_groups_sum_five_years() -> None:
    pop = np.arange(2 * 101, dtype=float).reshape(2, 101)
    groups = st.age_groups(pop)
    assert groups.shape == (2, 21)
    assert groups[0, 0] == 0 + 1 + 2 + 3 + 4 and groups[1, 19] == sum(101 + a for a in range(95, 100))
    assert groups[1, 20] == 201 and groups.sum() == pop.sum()


def test_streamed_quantiles_equal_those_of_the_kept_trajectories(setup, full) -> None:
    county, inputs, scenario = setup
    summary = st.project_stochastic(inputs, scenario, TRAJECTORIES, seed=11, chunk_regions=3)
    pop = full.array  # (trajectory, region, year, sex, age)
    groups = st.age_groups(pop)
    want = np.quantile(groups, st.QUANTILES, axis=0)  # (Q, region, year, sex, group)
    got = summary.groups[summary.groups["region"] != county.county_code]
    got = got[list(st.QUANTILE_COLUMNS)].to_numpy().T.reshape(want.shape)
    np.testing.assert_allclose(got, want, rtol=1e-12)
    county_want = np.quantile(groups.sum(axis=1), st.QUANTILES, axis=0)
    county_got = summary.groups[summary.groups["region"] == county.county_code]
    np.testing.assert_allclose(
        county_got[list(st.QUANTILE_COLUMNS)].to_numpy().T.reshape(county_want.shape), county_want, rtol=1e-12
    )
    # the series, and the layout of Projection.intervals
    a = full.intervals("women_15_49").sort_values(["region", "year"]).reset_index(drop=True)
    b = summary.intervals("women_15_49").sort_values(["region", "year"]).reset_index(drop=True)
    assert list(a.columns) == list(b.columns)
    np.testing.assert_allclose(
        a.drop(columns=["region"]).to_numpy(float), b.drop(columns=["region"]).to_numpy(float), rtol=1e-12
    )
    births = summary.intervals("births")
    assert births[births["year"] == summary.years[-1]]["median"].isna().all()  # no flows after the last year
    assert births[births["year"] < summary.years[-1]]["median"].notna().all()


@pytest.mark.parametrize("chunk", [1, 2, 5, 8])
def test_same_seed_same_summaries_however_chunked(setup, chunk: int) -> None:
    _, inputs, scenario = setup
    one = st.project_stochastic(inputs, scenario, TRAJECTORIES, seed=5, chunk_regions=8)
    other = st.project_stochastic(inputs, scenario, TRAJECTORIES, seed=5, chunk_regions=chunk)
    for name in ("groups", "series"):
        a, b = getattr(one, name), getattr(other, name)
        pd.testing.assert_frame_equal(
            a.drop(columns=list(st.QUANTILE_COLUMNS)), b.drop(columns=list(st.QUANTILE_COLUMNS))
        )
        np.testing.assert_allclose(
            a[list(st.QUANTILE_COLUMNS)].to_numpy(), b[list(st.QUANTILE_COLUMNS)].to_numpy(), rtol=1e-9
        )


def test_another_seed_gives_other_summaries(setup) -> None:
    _, inputs, scenario = setup
    a = st.project_stochastic(inputs, scenario, TRAJECTORIES, seed=5).intervals()
    b = st.project_stochastic(inputs, scenario, TRAJECTORIES, seed=6).intervals()
    assert not np.allclose(a["upper_95"], b["upper_95"])


def test_intervals_widen_with_time_and_nest(setup) -> None:
    county, inputs, scenario = setup
    steady = scenario.model_copy(update={"lump_inflows": ()})  # uncertain arrival years make widths peak then
    iv = st.project_stochastic(inputs, steady, 200, seed=1).intervals()
    iv = iv[iv["region"] == county.county_code]
    width = (iv["upper_95"] - iv["lower_95"]).to_numpy()
    assert width[0] == 0 and np.all(np.diff(width) > 0)
    iv = st.project_stochastic(inputs, scenario, 200, seed=1).intervals()
    iv = iv[iv["region"] == county.county_code]
    later = iv.iloc[1:]
    assert (later["lower_95"] < later["lower_80"]).all() and (later["lower_80"] < later["median"]).all()
    assert (later["median"] < later["upper_80"]).all() and (later["upper_80"] < later["upper_95"]).all()


def test_trajectories_written_to_parquet_equal_the_projection(setup, full, tmp_path) -> None:
    _, inputs, scenario = setup
    path = tmp_path / "out" / "trajectories.parquet"
    st.project_stochastic(inputs, scenario, TRAJECTORIES, seed=11, chunk_regions=3, trajectories_path=path)
    assert path.exists() and not list(path.parent.glob("*.partial"))
    table = pq.read_table(path).to_pandas()
    assert list(table.columns) == ["trajectory", "region", "year", "sex", "age", "population"]
    assert len(table) == TRAJECTORIES * len(inputs.regions) * len(full.years) * 202
    table["region"] = table["region"].astype(str)
    table["sex"] = table["sex"].astype(str)
    got = table.set_index(["trajectory", "region", "year", "sex", "age"])["population"].sort_index()
    want = full.population.set_index(["trajectory", "region", "year", "sex", "age"])["population"].sort_index()
    np.testing.assert_allclose(got.to_numpy(), want.to_numpy(), rtol=1e-6)  # float32 on disk


def test_failed_run_leaves_no_file(setup, tmp_path, monkeypatch) -> None:
    _, inputs, scenario = setup
    calls = []

    def failing(fn, d, parts, **kwargs):
        for part in parts:
            calls.append(part)
            if len(calls) == 2:
                raise RuntimeError("worker lost")
            yield fn(d, part, **kwargs)

    path = tmp_path / "trajectories.parquet"
    with pytest.raises(RuntimeError):
        st.project_stochastic(inputs, scenario, 10, seed=1, chunk_regions=2, mapper=failing, trajectories_path=path)
    assert list(tmp_path.iterdir()) == []


def test_memory_does_not_grow_with_trajectories(setup) -> None:
    """What a chunk keeps between steps: quantiles (fixed size) and per-trajectory county totals (trajectories ×
    years × 48 numbers); never trajectories × townships × ages × years."""
    _, inputs, scenario = setup
    from fpplan.demography.drivers import drivers

    d = drivers(inputs, scenario, trajectories=40, seed=1)
    part = st.project_chunk(d, np.arange(4))
    assert part.trajectories is None
    assert part.groups.shape == (9, 4, len(d.years), 2, 21) and part.series.shape == (
        9,
        4,
        len(d.years),
        len(st.SERIES),
    )
    assert part.county_groups.shape == (40, len(d.years), 2, 21)
