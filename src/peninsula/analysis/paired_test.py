"""A paired test of equal forecast accuracy: the model against a benchmark over the same origins.

Diebold and Mariano (1995) with the small-sample correction of Harvey, Leybourne and Newbold
(1997). With d_o = S_model(o) - S_benchmark(o), the score difference at origin o (lower scores
are better, so a negative mean favours the model), n origins and forecasts whose horizons
overlap across h consecutive origins (h = ceil(horizon / step): 1 for yearly origins of 12-month
forecasts, 12 for monthly ones),

    DM   = mean(d) / sqrt(V / n),   V the long-run variance of d: Newey-West (Bartlett
           weights) with h - 1 lags, statsmodels' HAC covariance of a regression of d on a
           constant (no small-sample factor: the HLN factor below is the correction)
    DM*  = DM * sqrt((n + 1 - 2 h + h (h - 1) / n) / n)
    p    = 2 * (1 - F_t(|DM*|; n - 1))      (two-sided)

The Bartlett weights keep V positive where the rectangular window of the original test can
make it negative with few origins. Hand-written around statsmodels because the library has the
HAC variance but no forecast-comparison test.
"""

from __future__ import annotations

import math

import numpy as np
import statsmodels.api as sm
from scipy import stats


def overlap(horizon: int, step: int) -> int:
    """How many consecutive origins' horizons share a month: ceil(horizon / step)."""
    return max(1, math.ceil(horizon / step))


def diebold_mariano(model: np.ndarray, benchmark: np.ndarray, h: int = 1) -> dict:
    """The DM test of equal accuracy of two score series over the same origins (module
    docstring); ``h`` the overlap. Returns the mean difference, the statistics and p."""
    d = np.asarray(model, dtype=float) - np.asarray(benchmark, dtype=float)
    n = len(d)
    if n < 3 or h < 1:
        raise ValueError(f"a paired test needs at least 3 origins and h >= 1, got {n} and {h}")
    fit = sm.OLS(d, np.ones(n)).fit(cov_type="HAC",
                                    cov_kwds={"maxlags": h - 1, "use_correction": False})
    se = float(np.sqrt(fit.cov_params()[0, 0]))
    mean = float(d.mean())
    tied = 0.0 if mean == 0.0 else math.copysign(math.inf, mean)  # identical differences
    dm = tied if se == 0.0 else mean / se
    factor = math.sqrt(max(n + 1 - 2 * h + h * (h - 1) / n, 0.0) / n)
    dm_star = dm * factor
    p = float(2.0 * stats.t.sf(abs(dm_star), n - 1))
    return {"n_origins": n, "overlap": int(h), "mean_difference": mean, "se": se,
            "dm": float(dm), "dm_hln": float(dm_star), "p_value": p,
            "favours": "model" if mean < 0 else ("benchmark" if mean > 0 else "neither")}
