"""Sprague splitting: group totals preserved; single-year polynomials up to degree 3 reproduced exactly."""

import numpy as np
import pytest

from fpplan.data.agesplit import split_groups, sprague_matrix


def test_each_group_total_is_preserved_by_the_matrix() -> None:
    m = sprague_matrix(20)
    np.testing.assert_allclose(m.reshape(20, 5, 20).sum(axis=1), np.eye(20), atol=1e-12)


@pytest.mark.parametrize("degree", [0, 1, 2, 3])
def test_polynomial_single_years_are_reproduced(degree: int) -> None:
    # Single-year counts are the yearly integrals of x^d
    # (cumulative counts of degree ≤ 4, which the fifth-difference formula fits exactly).
    x = np.arange(101.0)
    yearly = ((x + 1) ** (degree + 1) - x ** (degree + 1)) / (degree + 1) / 100.0**degree
    groups = np.r_[yearly[:100].reshape(20, 5).sum(1), 3.0]
    single = split_groups(groups)
    np.testing.assert_allclose(single[:100], yearly[:100], rtol=1e-9, atol=1e-9)
    assert single[100] == 3.0


def test_tiny_groups_never_go_negative_and_keep_totals() -> None:
    groups = np.array([[0, 0, 100, 0, 0, 5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1.0]])
    single = split_groups(groups)
    assert (single >= 0).all()
    np.testing.assert_allclose(single[0, :100].reshape(20, 5).sum(1), groups[0, :20])
