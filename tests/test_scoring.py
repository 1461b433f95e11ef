"""Scoring rules of the back-tests (analysis/scoring.py) against known values."""

import numpy as np
import pytest
from scipy import stats

from peninsula.analysis.scoring import (
    brier,
    covers,
    crps_ensemble,
    log_score_ensemble,
    pit_histogram,
    pit_randomised,
)


def crps_by_integral(samples: np.ndarray, y: float) -> float:
    """CRPS as the integral of (F(x) - 1{x >= y})^2 for the ensemble's step CDF."""
    x = np.sort(samples)
    grid = np.unique(np.concatenate([x, [y]]))
    total = 0.0
    for a, b in zip(grid[:-1], grid[1:], strict=True):
        f = np.mean(x <= a)
        total += (f - (1.0 if a >= y else 0.0)) ** 2 * (b - a)
    return total


def test_crps_equals_the_integral_definition_and_a_point_forecast_scores_its_error():
    rng = np.random.default_rng(1)
    for _ in range(20):
        x = rng.poisson(rng.uniform(0.5, 30.0), size=rng.integers(1, 60)).astype(float)
        y = float(rng.integers(0, 40))
        assert crps_ensemble(x, y) == pytest.approx(crps_by_integral(x, y), abs=1e-9)
    assert crps_ensemble(np.full(7, 4.0), 10.0) == pytest.approx(6.0)


def test_crps_of_a_large_poisson_ensemble_matches_the_closed_form():
    # CRPS of Poisson(mu) at y, by the CDF integral over the integers (exact for counts)
    mu, y = 6.0, 9
    k = np.arange(0, 200)
    exact = float(np.sum((stats.poisson.cdf(k, mu) - (k >= y)) ** 2))
    draws = np.random.default_rng(2).poisson(mu, size=200_000)
    assert crps_ensemble(draws, y) == pytest.approx(exact, rel=0.01)


def test_log_score_smoothing_is_one_pseudo_draw_spread_evenly():
    x = np.array([0, 0, 1, 3])
    # p(0) = (2 + 1/11) / 5 with support 0..10
    assert log_score_ensemble(x, 0, 10) == pytest.approx(-np.log((2 + 1 / 11) / 5))
    # a count never drawn gets only the pseudo-draw's share
    assert log_score_ensemble(x, 7, 10) == pytest.approx(-np.log((1 / 11) / 5))
    # beyond the support: impossible
    assert log_score_ensemble(x, 11, 10) == float("inf")
    # converges to the true log probability for a large ensemble
    draws = np.random.default_rng(3).poisson(4.0, size=400_000)
    assert log_score_ensemble(draws, 5, 400) == pytest.approx(-stats.poisson.logpmf(5, 4.0),
                                                              abs=0.01)


def test_brier_and_coverage():
    assert brier(0.7, True) == pytest.approx(0.09) and brier(0.7, False) == pytest.approx(0.49)
    x = np.arange(101)  # quantiles 5 and 95 at 5 and 95
    assert covers(x, 50, 0.9) and covers(x, 5, 0.9) and not covers(x, 96, 0.9)
    assert covers(x, 25, 0.5) and not covers(x, 80, 0.5)


def test_randomised_pit_is_uniform_for_a_calibrated_count_forecast():
    """Outcomes drawn from the forecast's own law give PIT values uniform on [0, 1]
    (Czado, Gneiting & Held 2009), even for a discrete law with many ties."""
    rng = np.random.default_rng(4)
    ens = rng.poisson(1.5, size=20_000)
    ys = rng.poisson(1.5, size=4000)
    pits = np.array([pit_randomised(ens, int(y), v) for y, v in zip(ys, rng.uniform(size=4000),
                                                                    strict=True)])
    hist = np.array(pit_histogram(pits, 10))
    assert np.allclose(hist, 0.1, atol=0.02)  # each bin ~ 0.1 +- 3.2 se (se 0.0047)
    assert stats.kstest(pits, "uniform").pvalue > 0.001
    # a forecast that is too low pushes the PIT up (mean 0.5 when calibrated)
    low = np.array([pit_randomised(rng.poisson(0.5, 2000), int(y), 0.5) for y in ys[:300]])
    assert np.mean(low) > 0.65


def test_pit_bounds():
    x = np.array([1, 2, 2, 3])
    assert pit_randomised(x, 0, 0.7) == 0.0
    assert pit_randomised(x, 9, 0.3) == 1.0
    assert pit_randomised(x, 2, 0.0) == 0.25 and pit_randomised(x, 2, 1.0) == 0.75
