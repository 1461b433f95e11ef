"""The paired forecast-accuracy test against hand computations on known cases."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from peninsula.analysis.paired_test import diebold_mariano, overlap


def test_without_overlap_it_is_a_t_test_on_the_differences_with_the_hln_factor():
    rng = np.random.default_rng(3)
    a, b = rng.normal(1.0, 1.0, 40), rng.normal(1.3, 1.0, 40)
    d = a - b
    n = len(d)
    dm = d.mean() / math.sqrt(np.mean((d - d.mean()) ** 2) / n)  # lag 0: variance / n
    star = dm * math.sqrt((n - 1) / n)  # HLN with h = 1
    r = diebold_mariano(a, b, 1)
    assert r["dm"] == pytest.approx(dm, rel=1e-10) and r["dm_hln"] == pytest.approx(star, rel=1e-10)
    assert r["p_value"] == pytest.approx(2 * stats.t.sf(abs(star), n - 1), rel=1e-10)
    assert r["favours"] == ("model" if d.mean() < 0 else "benchmark")


def test_overlapping_horizons_widen_the_variance_by_the_bartlett_sum():
    # a moving-average difference series (overlap 3): Newey-West with 2 lags by hand
    rng = np.random.default_rng(5)
    e = rng.normal(size=203)
    d = 1.0 + e[2:] + e[1:-1] + e[:-2]
    n, h = len(d), 3
    u = d - d.mean()
    gamma = [np.sum(u[k:] * u[:n - k]) / n for k in range(h)]
    v = gamma[0] + 2 * sum((1 - k / h) * gamma[k] for k in range(1, h))
    r = diebold_mariano(d, np.zeros(n), h)
    assert r["se"] == pytest.approx(math.sqrt(v / n), rel=1e-10)
    assert r["se"] > math.sqrt(gamma[0] / n)  # positive autocorrelation widens it
    assert r["dm_hln"] == pytest.approx(r["dm"] * math.sqrt((n + 1 - 2 * h + h * (h - 1) / n) / n))
    assert r["p_value"] < 0.01 and r["favours"] == "benchmark"


def test_the_overlap_of_origins_and_the_guards():
    assert overlap(12, 12) == 1 and overlap(12, 1) == 12 and overlap(12, 5) == 3
    same = diebold_mariano(np.ones(5), np.ones(5))
    assert same["p_value"] == pytest.approx(1.0) and same["favours"] == "neither"
    with pytest.raises(ValueError, match="at least 3 origins"):
        diebold_mariano(np.ones(2), np.zeros(2))
