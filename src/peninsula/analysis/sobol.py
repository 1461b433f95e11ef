"""Variance-based (Sobol) sensitivity indices: the Saltelli design and its estimators (SALib).

For a metric Y = f(X_1..X_D) with independent factors, Var(Y) splits into the shares of each
factor alone, of each pair, and so on (Sobol 2001). The first-order index S_i is the share
X_i explains alone, the second-order index S_ij the share of the pair's interaction alone, and
the total index ST_i the share X_i explains with all its interactions.

The design (Saltelli 2002; Saltelli et al. 2010) takes two independent N x D matrices A and B
from a scrambled Sobol' sequence on the unit cube and, for each factor i, the matrix AB_i (A
with column i from B); second-order indices also need BA_i (B with column i from A). That is
N (D + 2) evaluations, or N (2D + 2) with second order. Rows come in SALib's order: for each
base row n, A_n, AB_1n .. AB_Dn, [BA_1n .. BA_Dn,] B_n.

The estimators (``SALib.analyze.sobol``) work on the standardised outputs
y = (f - mean f) / sd f over the whole design:

    V     = Var([y(A), y(B)])
    S_i   = mean( y(B) (y(AB_i) - y(A)) ) / V                      (Saltelli et al. 2010)
    ST_i  = mean( (y(A) - y(AB_i))^2 ) / (2 V)                     (Jansen 1999)
    S_ij  = mean( y(BA_i) y(AB_j) - y(A) y(B) ) / V - S_i - S_j    (Saltelli 2002)

Centring matters: without it the S_i estimator carries a term mean(f)^2 that cancels only in
expectation, so its error grows with the metric's mean against its spread (a stability index
near 60 with a spread of a few points is the worst case). The 95% intervals are 1.96 times
the standard deviation of the indices over bootstrap resamples of the N base rows.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from SALib.analyze import sobol as salib_sobol
from SALib.sample import sobol as salib_saltelli

CONF_LEVEL = 0.95


def unit_problem(n_factors: int) -> dict:
    """SALib's problem description for D factors on the unit cube (the caller maps each
    column through its factor's distribution)."""
    return {"num_vars": n_factors, "names": [f"x{i}" for i in range(n_factors)],
            "bounds": [[0.0, 1.0]] * n_factors}


def design_size(n_factors: int, n_base: int, second_order: bool = False) -> int:
    """Points in a Saltelli design: N (D + 2), or N (2D + 2) with second order; ValueError
    for a design that cannot be made (no factor, N not a power of two)."""
    if n_factors < 1:
        raise ValueError("a sensitivity analysis needs at least one factor")
    if n_base < 2 or n_base & (n_base - 1):
        raise ValueError(f"--samples must be a power of two >= 2, not {n_base}")
    return n_base * rows_per_base(n_factors, second_order)


def rows_per_base(n_factors: int, second_order: bool) -> int:
    """Rows per base sample: A, B and one AB_i per factor (and one BA_i each with S2)."""
    return (2 if second_order else 1) * n_factors + 2


def saltelli_sample(n_factors: int, n_base: int, seed: int, second_order: bool = False
                    ) -> np.ndarray:
    """The unit-cube points of a Saltelli design, in SALib's row order.

    ``n_base`` (N) must be a power of two: the Sobol' sequence is balanced at those sizes.
    """
    design_size(n_factors, n_base, second_order)  # checks the sizes
    return salib_saltelli.sample(unit_problem(n_factors), n_base,
                                 calc_second_order=second_order, seed=seed)


def sobol_indices(y: np.ndarray, names: list[str], *, second_order: bool = False,
                  n_boot: int = 1000, seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """First-order and total indices with 95% intervals, one row per factor (``names``), from
    outputs in ``saltelli_sample`` order; with ``second_order`` also S2 per pair of factors.
    A constant or non-finite output has no variance to share out: its indices are NaN."""
    y = np.asarray(y, dtype=float)
    d = len(names)
    if len(y) % rows_per_base(d, second_order):
        raise ValueError(f"{len(y)} outputs do not fit a Saltelli design of {d} factors")
    pairs = [(i, j) for i in range(d) for j in range(i + 1, d)]
    if not np.isfinite(y).all() or np.ptp(y) == 0.0:
        nan = np.full(d, np.nan)
        first = pd.DataFrame({"factor": names, "S1": nan, "S1_conf": nan, "ST": nan,
                              "ST_conf": nan})
        s2 = np.full((d, d), np.nan)
        return first, _pairs(names, pairs, s2, s2) if second_order else None
    # a Generator, not an int: SALib falls back to NumPy's global state for a seed of 0
    si = salib_sobol.analyze(unit_problem(d), y, calc_second_order=second_order,
                             num_resamples=n_boot, conf_level=CONF_LEVEL,
                             seed=np.random.default_rng(seed))
    first = pd.DataFrame({"factor": names, "S1": si["S1"], "S1_conf": si["S1_conf"],
                          "ST": si["ST"], "ST_conf": si["ST_conf"]})
    return first, _pairs(names, pairs, si["S2"], si["S2_conf"]) if second_order else None


def _pairs(names: list[str], pairs: list[tuple[int, int]], s2: np.ndarray,
           conf: np.ndarray) -> pd.DataFrame:
    return pd.DataFrame({"factor_1": [names[i] for i, _ in pairs],
                         "factor_2": [names[j] for _, j in pairs],
                         "S2": [float(s2[i, j]) for i, j in pairs],
                         "S2_conf": [float(conf[i, j]) for i, j in pairs]})

