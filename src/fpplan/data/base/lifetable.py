"""Life tables and the survival ratios a cohort-component projection uses.

Conventions (Preston, Heuveline & Guillot, *Demography*, 2001, ch. 3):
- ``n`` is the width of each age interval: single years (1, 1, …, open) or abridged (1, 4, 5, 5, …, open).
- qx = n·mx / (1 + (n − ax)·mx); lx from a radix of 1; Lx = n·l(x+1) + ax·dx; the open group Lx = lx / mx.
- ax: Coale–Demeny for ages 0 and 1–4 (by sex, from m0), n/2 elsewhere.
- Survival ratios on a grid of width ``w`` (1 or 5): S[0] = wL0 / (w·l0) (births → the first age group),
  S[g] = L(g) / L(g−1), and the open group S[last] = T(last) / T(last−1) (the last two groups merged).
  Survival never leaves [0, 1]: where nobody is left to survive (L(g−1) = 0, as under death rates so high that
  qx = 1), the ratio is 0, not 0/0; ex is 0 where lx is 0.
All functions are vectorized over leading axes (e.g. year, region, sex).
"""

from __future__ import annotations

import numpy as np

MALE, FEMALE = 0, 1


def coale_demeny_a0(m0: np.ndarray, sex: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Separation factors 1a0 and 4a1 (Coale & Demeny West, as tabulated by Preston et al. table 3.3)."""
    male = sex == MALE
    high = m0 >= 0.107
    a0 = np.where(male, np.where(high, 0.330, 0.045 + 2.684 * m0), np.where(high, 0.350, 0.053 + 2.800 * m0))
    a1 = np.where(male, np.where(high, 1.352, 1.651 - 2.816 * m0), np.where(high, 1.361, 1.522 - 1.518 * m0))
    return a0, a1


def life_table(
    mx: np.ndarray, widths: np.ndarray, ax: np.ndarray | None = None, sex: np.ndarray | int = FEMALE
) -> dict[str, np.ndarray]:
    """A period life table from central death rates ``mx[..., age]`` with interval ``widths`` (last = open).

    ``sex`` broadcasts against the leading axes of mx (0 male, 1 female); used for the Coale–Demeny factors when
    ``ax`` is not given. Returns arrays qx, lx, dx, Lx, Tx, ex, ax with the shape of mx.
    """
    mx = np.asarray(mx, dtype=float)
    n = np.asarray(widths, dtype=float)
    if ax is None:
        ax = np.broadcast_to(n / 2, mx.shape).copy()
        a0, a1 = coale_demeny_a0(mx[..., 0], np.broadcast_to(sex, mx.shape[:-1]))
        ax[..., 0] = a0
        if n[0] == 1 and len(n) > 1 and n[1] == 4:
            ax[..., 1] = a1
    ax = np.asarray(ax, dtype=float)
    qx = np.clip(n * mx / (1 + (n - ax) * mx), 0, 1)
    qx[..., -1] = 1.0
    px = 1 - qx
    lx = np.concatenate([np.ones(mx.shape[:-1] + (1,)), np.cumprod(px[..., :-1], axis=-1)], axis=-1)
    dx = lx * qx
    lnext = np.concatenate([lx[..., 1:], np.zeros(mx.shape[:-1] + (1,))], axis=-1)
    Lx = n * lnext + ax * dx
    np.divide(lx[..., -1], mx[..., -1], out=Lx[..., -1], where=mx[..., -1] > 0)
    Tx = np.cumsum(Lx[..., ::-1], axis=-1)[..., ::-1]
    ex = np.divide(Tx, lx, out=np.zeros_like(Tx), where=lx > 0)
    return {"qx": qx, "lx": lx, "dx": dx, "Lx": Lx, "Tx": Tx, "ex": ex, "ax": ax}


def e0(mx: np.ndarray, widths: np.ndarray, sex: np.ndarray | int = FEMALE) -> np.ndarray:
    """Life expectancy at birth of the table built from ``mx``."""
    return life_table(mx, widths, sex=sex)["ex"][..., 0]


def abridged_to_grid(Lx: np.ndarray, Tx: np.ndarray, width: int) -> tuple[np.ndarray, np.ndarray]:
    """Lx, Tx of an abridged table (0, 1–4, 5–9, …) on a grid of 5-year groups (0–4, 5–9, …)."""
    if width != 5:
        raise ValueError("abridged tables project on a 5-year grid")
    L = np.concatenate([Lx[..., :1] + Lx[..., 1:2], Lx[..., 2:]], axis=-1)
    T = np.concatenate([Tx[..., :1], Tx[..., 2:]], axis=-1)
    return L, T


def survival_ratios(Lx: np.ndarray, Tx: np.ndarray, width: int) -> np.ndarray:
    """Projection survival ratios on the age grid of ``Lx`` (one entry per age group, radix l0 = 1)."""
    S = np.zeros_like(Lx)
    S[..., 0] = Lx[..., 0] / width
    np.divide(Lx[..., 1:-1], Lx[..., :-2], out=S[..., 1:-1], where=Lx[..., :-2] > 0)
    np.divide(Tx[..., -1], Tx[..., -2], out=S[..., -1], where=Tx[..., -2] > 0)
    return np.clip(S, 0.0, 1.0, out=S)


def single_year_survival(mx: np.ndarray, sex: np.ndarray | int) -> np.ndarray:
    """Survival ratios for single ages 0–100+ from single-year mx."""
    widths = np.ones(mx.shape[-1])
    table = life_table(mx, widths, sex=sex)
    return survival_ratios(table["Lx"], table["Tx"], 1)
