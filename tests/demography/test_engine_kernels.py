"""The compiled engine (fpplan.demography.kernels) against the ccmppWPP rules written out by hand, on trajectories ×
regions with guards acting, whichever way its inputs come (every step at once, built step by step, or as factors),
and the survival interpolation on the grid against numpy's."""

from __future__ import annotations

import numpy as np
import pytest

from fpplan.demography.engine import Interpolated, Scaled, run
from fpplan.demography.stochastic import SurvivalGrid


class PerStep:
    """An input built step by step (any object whose [t] gives the step's array)."""

    def __init__(self, values: np.ndarray):
        self.values = values

    def __len__(self) -> int:
        return len(self.values)

    def __getitem__(self, t: int) -> np.ndarray:
        return self.values[t].copy()


def _case(seed: int = 3):
    """2 trajectories × 3 regions, 8 single ages (fertile 2–5), 4 steps; an exodus in step 1 and a few empty cells."""
    rng = np.random.default_rng(seed)
    n, r, ages, steps = 2, 3, 8, 4
    pop = rng.uniform(0, 1000, (n, r, 2, ages))
    pop[0, 1, :, 3] = 0.0
    S = rng.uniform(0.8, 1.0, (steps, n, r, 2, ages))
    asfr = rng.uniform(0.0, 0.2, (steps, n, r, 4))
    mig = rng.normal(0, 50, (steps, n, r, 2, ages))
    mig[1, 1, 2, :, 2:6] = -5000.0  # more leave than there are: both guards act
    srb = np.array([1.05, 1.06, 1.07, 1.08])
    return pop, S, asfr, srb, mig


def _by_hand(pop, S, asfr, srb, mig, even: bool):
    """The rules of the engine's docstring, one cell at a time."""
    n, r, _, ages = pop.shape
    steps = len(S)
    out = np.zeros((steps + 1,) + pop.shape)
    out[0] = pop
    births, deaths, added = (np.zeros((steps, n, r, 2)) for _ in range(3))
    guarded = np.zeros(steps, int)
    for t in range(steps):
        for i in range(n):
            for j in range(r):
                p, m = out[t, i, j].copy(), mig[t, i, j].copy()
                for s in range(2):
                    for a in range(ages):
                        if p[s, a] + m[s, a] <= 0:
                            guarded[t] += p[s, a] + m[s, a] < 0
                            m[s, a] = 1e-5 - p[s, a]
                start = p + m / 2 if even else p
                late = m / 2 if even else np.zeros_like(m)
                end = np.zeros_like(p)
                for s in range(2):
                    for a in range(1, ages - 1):
                        end[s, a] = start[s, a - 1] * S[t, i, j, s, a] + late[s, a]
                    end[s, -1] = (start[s, -2] + start[s, -1]) * S[t, i, j, s, -1] + late[s, -1]
                b = sum(asfr[t, i, j, a - 2] * (start[1, a] + end[1, a]) for a in range(2, 6)) / 2
                female = b / (1 + srb[t])
                for s, born in ((0, b - female), (1, female)):
                    end[s, 0] = born * S[t, i, j, s, 0] + late[s, 0]
                    births[t, i, j, s] = born
                survivors = end - late
                if not even:
                    end = end + m
                negative = end < 0
                added[t, i, j] = m.sum(-1) + np.where(negative, 5e-4 - end, 0).sum(-1)
                end[negative] = 5e-4
                deaths[t, i, j] = start.sum(-1) + births[t, i, j] - survivors.sum(-1)
                out[t + 1, i, j] = end
    return out, births, deaths, added, guarded


@pytest.mark.parametrize("timing", ["end", "even"])
def test_kernel_equals_the_rules_by_hand_every_way_its_inputs_come(timing: str) -> None:
    pop, S, asfr, srb, mig = _case()
    want, births, deaths, added, guarded = _by_hand(pop, S, asfr, srb, mig, timing == "even")
    assert guarded.sum() > 0 and (want[1:] == 5e-4).any()  # both guards act
    at_once = run(pop, S, asfr, srb, mig, timing=timing, fertile=slice(2, 6))
    stepwise = run(pop, PerStep(S), PerStep(asfr), srb, PerStep(mig), timing=timing, fertile=slice(2, 6))
    seen = []
    streamed = run(
        pop,
        S,
        asfr,
        srb,
        mig,
        timing=timing,
        fertile=slice(2, 6),
        keep=False,
        each=lambda t, s: seen.append(s.population.copy()),
    )
    for got in (at_once, stepwise):
        np.testing.assert_allclose(got["population"], want, rtol=1e-13, atol=1e-9)
        np.testing.assert_allclose(got["births"], births, rtol=1e-13)
        np.testing.assert_allclose(got["deaths"], deaths, rtol=1e-12, atol=1e-9)
        np.testing.assert_allclose(got["migration"], added, rtol=1e-13, atol=1e-9)
        np.testing.assert_array_equal(got["guarded"], guarded)
    np.testing.assert_allclose(np.stack(seen), want[1:], rtol=1e-13, atol=1e-9)
    np.testing.assert_allclose(streamed["population"][0], want[-1], rtol=1e-13, atol=1e-9)
    np.testing.assert_allclose(streamed["deaths"], deaths, rtol=1e-12, atol=1e-9)


def test_inputs_broadcast_from_fewer_axes_and_leading_axes_merge() -> None:
    """One region's inputs (sex, age) broadcast over 2 × 3 × 2 leading axes give that region's projection
    everywhere."""
    pop, S, asfr, srb, mig = _case()
    one = run(pop[0, 0], S[:, 0, 0], asfr[:, 0, 0], srb, mig[:, 0, 0], fertile=slice(2, 6))
    many = run(
        np.broadcast_to(pop[0, 0], (2, 3, 2, 2, 8)), S[:, 0, 0], asfr[:, 0, 0], srb, mig[:, 0, 0], fertile=slice(2, 6)
    )
    np.testing.assert_allclose(
        many["population"],
        np.broadcast_to(one["population"][:, None, None, None], many["population"].shape),
        rtol=1e-15,
    )


def test_only_float64_is_computed() -> None:
    pop, S, asfr, srb, mig = _case()
    with pytest.raises(ValueError, match="float64"):
        run(pop, S, asfr, srb, mig, fertile=slice(2, 6), dtype=np.float32)


def test_survival_lookup_interpolates_like_numpy_and_holds_the_ends() -> None:
    rng = np.random.default_rng(5)
    table = np.sort(rng.uniform(0.5, 1.0, (11, 2, 101)), axis=0)
    grid = SurvivalGrid("proportional", -1.0, 0.2, table, np.zeros((11, 2)))
    theta = rng.uniform(-1.5, 1.5, (4, 3, 2))  # some beyond the grid at both ends
    got = grid.lookup(theta)
    x = np.linspace(-1.0, 1.0, 11)
    for index in np.ndindex(theta.shape):
        want = [np.interp(theta[index], x, table[:, index[-1], a]) for a in range(101)]
        np.testing.assert_allclose(got[index], want, rtol=0, atol=1e-9)  # the top end: 1e-9 of a step below it
    np.testing.assert_allclose(Interpolated(table, grid.positions(theta)[None])[0], got, rtol=1e-15)  # the engine's


def test_factored_inputs_project_as_their_arrays_and_bands_sum_the_regions() -> None:
    """Scaled fertility and migrants (with arrivals, two in one cell), survival read off a grid: the same projection
    as the arrays they stand for, every year kept, streamed, or only the last; the band sums are the kept years'
    sums over regions."""
    pop, _, asfr, srb, _ = _case()
    rng = np.random.default_rng(8)
    level = rng.uniform(0.5, 1.5, (4, 2, 3))
    pattern = asfr[0, 0]  # (3 regions, 4 ages)
    scale = rng.normal(0, 30, (4, 2, 3))
    profile = rng.uniform(-1, 1, (2, 8))
    arrivals = (np.array([1, 1, 3]), np.array([[0, 2], [0, 2], [1, 0]]), rng.uniform(0, 500, (3, 2, 8)))
    table = np.sort(rng.uniform(0.8, 1.0, (6, 2, 8)), axis=0)
    position = rng.uniform(0, 4.999, (4, 2, 3, 2))
    factored = {
        "S": Interpolated(table, position),
        "asfr": Scaled(level, pattern, cells=1),
        "mig": Scaled(scale, profile, cells=2, arrivals=arrivals),
    }
    arrays = {key: np.stack([value[t] for t in range(4)]) for key, value in factored.items()}
    np.testing.assert_allclose(arrays["mig"][1, 0, 2], scale[1, 0, 2] * profile + arrivals[2][:2].sum(0))
    k = position.astype(int)
    np.testing.assert_allclose(
        arrays["S"][2, 1, 0, 1],
        table[k[2, 1, 0, 1], 1] + (position[2, 1, 0, 1] % 1) * (table[k[2, 1, 0, 1] + 1, 1] - table[k[2, 1, 0, 1], 1]),
    )
    bands = ((0, 0, 8), (1, 0, 8), (1, 2, 6))
    for timing in ("end", "even"):
        want = run(pop, srb=srb, timing=timing, fertile=slice(2, 6), **arrays)
        got = run(pop, srb=srb, timing=timing, fertile=slice(2, 6), bands=bands, **factored)
        np.testing.assert_allclose(got["population"], want["population"], rtol=1e-13, atol=1e-9)
        np.testing.assert_allclose(got["deaths"], want["deaths"], rtol=1e-12, atol=1e-9)
        np.testing.assert_array_equal(got["guarded"], want["guarded"])
        p = want["population"]
        by_hand = np.stack(
            [p[..., 0, :].sum(axis=(2, 3)), p[..., 1, :].sum(axis=(2, 3)), p[..., 1, 2:6].sum(axis=(2, 3))], axis=-1
        )  # (years, trajectories, band)
        np.testing.assert_allclose(got["sums"], by_hand, rtol=1e-13)
        last = run(pop, srb=srb, timing=timing, fertile=slice(2, 6), keep=False, bands=bands, **factored)
        np.testing.assert_allclose(last["population"][0], p[-1], rtol=1e-13, atol=1e-9)
        np.testing.assert_allclose(last["sums"], by_hand, rtol=1e-13)
        seen: list = []
        streamed = run(
            pop,
            srb=srb,
            timing=timing,
            fertile=slice(2, 6),
            keep=False,
            bands=bands,
            each=lambda t, s, seen=seen: seen.append(s.births.copy()),
            **factored,
        )
        np.testing.assert_allclose(np.stack(seen), want["births"], rtol=1e-13)
        np.testing.assert_allclose(streamed["sums"], by_hand, rtol=1e-13)


def test_a_projection_that_turns_infinite_names_its_township_and_year() -> None:
    """Finite inputs whose projection overflows (a survival ratio of 1e300): the flows say so, the check names
    where."""
    from fpplan.data.errors import DataError
    from fpplan.demography.drivers import check_output

    pop, S, asfr, srb, mig = _case()
    S = S.copy()
    S[2, 0, 1, 0, 5] = 1e300
    S[3, 0, 1, 0, 6] = 1e300
    out = run(pop, S, asfr, srb, mig, fertile=slice(2, 6))
    assert not np.isfinite(out["population"]).all()
    with pytest.raises(DataError) as error:
        check_output(
            np.array(["A", "B", "C"]),
            np.arange(2025, 2030),
            out["population"],
            (out["births"], out["deaths"], out["migration"]),
        )
    assert {(p.value, p.detail.split(",")[0]) for p in error.value.problems} >= {("B", "2029")}
    fine = run(pop, S.clip(0, 1), asfr, srb, mig, fertile=slice(2, 6))
    check_output(
        np.array(["A", "B", "C"]),
        np.arange(2025, 2030),
        fine["population"],
        (fine["births"], fine["deaths"], fine["migration"]),
    )


def test_inputs_the_kernel_would_read_out_of_bounds_are_refused() -> None:
    pop, S, asfr, srb, mig = _case()
    table = np.full((3, 2, 8), 0.9)
    with pytest.raises(ValueError, match="positions"):
        run(pop, Interpolated(table, np.full((4, 2, 3, 2), 2.0)), asfr, srb, mig, fertile=slice(2, 6))
    outside = Scaled(
        np.ones((4, 2, 3)), np.zeros((2, 8)), cells=2, arrivals=(np.array([0]), np.array([[0, 3]]), np.ones((1, 2, 8)))
    )
    with pytest.raises(ValueError, match="arrival"):
        run(pop, S, asfr, srb, outside, fertile=slice(2, 6))
    with pytest.raises(ValueError, match="bands"):
        run(pop, S, asfr, srb, mig, fertile=slice(2, 6), bands=((1, 2, 9),))


def test_threads_split_the_trajectories_and_give_the_same_numbers() -> None:
    pop, S, asfr, srb, mig = _case()
    arrivals = (np.array([1, 2]), np.array([[1, 2], [0, 1]]), np.full((2, 2, 8), 300.0))
    scaled = Scaled(np.ones((4, 2, 3)), mig.mean(axis=(0, 1, 2)), cells=2, arrivals=arrivals)
    bands = ((0, 0, 8), (1, 2, 6))
    one = run(pop, S, asfr, srb, scaled, fertile=slice(2, 6), bands=bands, keep=False)
    two = run(pop, S, asfr, srb, scaled, fertile=slice(2, 6), bands=bands, keep=False, threads=2)
    for key in ("population", "births", "deaths", "migration", "sums", "guarded"):
        np.testing.assert_array_equal(two[key], one[key])
