"""The stochastic projection on dask.distributed (a LocalCluster of two processes) equals the in-process run, and
the command refuses bad input (negative or impossible trajectory counts, a scheduler that does not answer,
an unknown scenario) with exit 2 and nothing written."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from fpplan.cli import main
from fpplan.demography import cluster, load_scenarios, prepare
from fpplan.demography import streaming as st


@pytest.fixture(scope="module")
def client():
    c = cluster.connect("local", workers=2)
    yield c
    cluster.close(c)


def test_dask_run_equals_the_in_process_run(county, client) -> None:
    inputs, scenario = prepare(county), load_scenarios(county)["late_farms"]
    assert len(client.scheduler_info()["workers"]) == 2
    here = st.project_stochastic(inputs, scenario, 80, seed=3, chunk_regions=3)
    there = st.project_stochastic(inputs, scenario, 80, seed=3, chunk_regions=2, mapper=cluster.dask_mapper(client, 2))
    for name in ("groups", "series"):
        a, b = getattr(here, name), getattr(there, name)
        pd.testing.assert_frame_equal(
            a.drop(columns=list(st.QUANTILE_COLUMNS)), b.drop(columns=list(st.QUANTILE_COLUMNS))
        )
        np.testing.assert_allclose(
            b[list(st.QUANTILE_COLUMNS)].to_numpy(), a[list(st.QUANTILE_COLUMNS)].to_numpy(), rtol=1e-9
        )
    peaks = cluster.worker_peak_memory(client)
    assert len(peaks) == 2 and all(p > 10 for p in peaks.values())


def test_cli_stochastic_on_a_local_cluster_equals_in_process(county, tmp_path: Path, capsys) -> None:
    a, b = tmp_path / "a.csv", tmp_path / "b.parquet"
    assert main(["--lang", "en", "project", str(county.path), "--trajectories", "40", "--out", str(a)]) == 0
    assert "estimate: 40 trajectories × 8 townships × 10 years" in capsys.readouterr().out
    assert (
        main(
            [
                "project",
                str(county.path),
                "--trajectories",
                "40",
                "--scheduler",
                "local",
                "--workers",
                "2",
                "--out",
                str(b),
                "--trajectories-out",
                str(tmp_path / "t.parquet"),
            ]
        )
        == 0
    )
    here, there = pd.read_csv(a, dtype={"region": str}), pd.read_parquet(b)
    assert list(here.columns[:4]) == ["region", "year", "sex", "age_group"] and "q975" in here
    np.testing.assert_allclose(
        there[list(st.QUANTILE_COLUMNS)].to_numpy(), here[list(st.QUANTILE_COLUMNS)].to_numpy(), rtol=1e-9
    )
    series = pd.read_csv(tmp_path / "a_series.csv", dtype={"region": str})
    assert set(series["series"]) == set(st.SERIES)
    trajectories = pd.read_parquet(tmp_path / "t.parquet")
    assert trajectories["trajectory"].nunique() == 40 and len(trajectories) == 40 * 8 * 11 * 202


def _refused(argv: list[str], out: Path, capsys) -> str:
    assert main(["--lang", "en", *argv]) == 2
    assert not out.exists() and not list(out.parent.iterdir())
    return capsys.readouterr().out


def test_bad_input_is_refused_with_nothing_written(county, tmp_path: Path, capsys, monkeypatch) -> None:
    monkeypatch.setattr(cluster, "CONNECT_TIMEOUT_S", 1)  # a scheduler that does not answer: given up on sooner
    out = tmp_path / "x" / "p.csv"
    out.parent.mkdir()
    text = _refused(["project", str(county.path), "--trajectories", "-5", "--out", str(out)], out, capsys)
    assert "cannot be negative: -5" in text and "Traceback" not in text
    text = _refused(["project", str(county.path), "--trajectories", "100000000", "--out", str(out)], out, capsys)
    assert "estimate: 100,000,000 trajectories" in text and "exceed this machine's memory" in text
    text = _refused(["project", str(county.path), "--scenario", "nope", "--out", str(out)], out, capsys)
    assert "no scenario 'nope'" in text and "medium" in text
    text = _refused(
        ["project", str(county.path), "--trajectories", "10", "--scheduler", "tcp://127.0.0.1:9", "--out", str(out)],
        out,
        capsys,
    )
    assert "scheduler 'tcp://127.0.0.1:9' does not answer" in text
    text = _refused(
        ["project", str(county.path), "--trajectories", "10", "--scheduler", "nowhere", "--out", str(out)], out, capsys
    )
    assert "does not answer" in text


def test_estimate_grows_with_the_run() -> None:
    small, big = st.estimate(100, 8, 10), st.estimate(1000, 8, 10)
    assert big.seconds == pytest.approx(10 * small.seconds)
    assert big.client_bytes > small.client_bytes and big.worker_bytes > small.worker_bytes
    # memory of the summaries grows with townships, not with trajectories beyond the chunk
    wide = st.estimate(1000, 2000, 30)
    assert wide.worker_bytes < 2 * st.estimate(1000, 20, 30).worker_bytes
