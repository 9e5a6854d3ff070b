"""Splitting 5-year age groups into single years with Sprague's fifth-difference osculatory multipliers.

Groups 0-4 … 95-99 are split; the open group 100+ stays as age 100. Coefficients: Sprague (1880), as tabulated in
Shryock & Siegel, *The Methods and Materials of Demography* (1976), table C-1, and used by DemoTools::sprague.
Sprague preserves every group total exactly but can return small negative counts where a group is tiny next to
its neighbours (small villages); those are set to 0 and the group rescaled to its total, so totals still hold.
"""

from __future__ import annotations

import numpy as np

_FIRST = [
    [0.3616, -0.2768, 0.1488, -0.0336, 0.0],
    [0.2640, -0.0960, 0.0400, -0.0080, 0.0],
    [0.1840, 0.0400, -0.0320, 0.0080, 0.0],
    [0.1200, 0.1360, -0.0720, 0.0160, 0.0],
    [0.0704, 0.1968, -0.0848, 0.0176, 0.0],
]
_SECOND = [
    [0.0336, 0.2272, -0.0752, 0.0144, 0.0],
    [0.0080, 0.2320, -0.0480, 0.0080, 0.0],
    [-0.0080, 0.2160, -0.0080, 0.0000, 0.0],
    [-0.0160, 0.1840, 0.0400, -0.0080, 0.0],
    [-0.0176, 0.1408, 0.0912, -0.0144, 0.0],
]
_MIDDLE = [
    [-0.0128, 0.0848, 0.1504, -0.0240, 0.0016],
    [-0.0016, 0.0144, 0.2224, -0.0416, 0.0064],
    [0.0064, -0.0336, 0.2544, -0.0336, 0.0064],
    [0.0064, -0.0416, 0.2224, 0.0144, -0.0016],
    [0.0016, -0.0240, 0.1504, 0.0848, -0.0128],
]


def sprague_matrix(groups: int) -> np.ndarray:
    """The (5·groups × groups) matrix mapping closed 5-year group totals to single-year counts (groups ≥ 5)."""
    if groups < 5:
        raise ValueError("Sprague splitting needs at least five 5-year groups")
    first, second, middle = (np.array(p) for p in (_FIRST, _SECOND, _MIDDLE))
    # The last two panels are the first two reversed in both directions.
    last, next_to_last = first[::-1, ::-1], second[::-1, ::-1]
    m = np.zeros((5 * groups, groups))
    m[0:5, 0:5] = first
    m[5:10, 0:5] = second
    for g in range(2, groups - 2):
        m[5 * g : 5 * g + 5, g - 2 : g + 3] = middle
    m[5 * (groups - 2) : 5 * (groups - 1), groups - 5 :] = next_to_last
    m[5 * (groups - 1) :, groups - 5 :] = last
    return m


def split_groups(counts: np.ndarray) -> np.ndarray:
    """Split ``counts[..., g]`` (closed 5-year groups 0-4 … and a last open group) into single years.

    Returns ``[..., 5·(G−1) + 1]``: single ages 0 … 5·(G−1)−1 and the open group unchanged.
    """
    closed, open_group = counts[..., :-1], counts[..., -1:]
    groups = closed.shape[-1]
    single = closed @ sprague_matrix(groups).T
    single = np.clip(single, 0, None)
    sums = single.reshape(*single.shape[:-1], groups, 5).sum(-1)
    scale = np.divide(closed, sums, out=np.zeros_like(closed, dtype=float), where=sums > 0)
    single = (single.reshape(*single.shape[:-1], groups, 5) * scale[..., None]).reshape(single.shape)
    return np.concatenate([single, open_group], axis=-1)
