"""Random streams: one per run, addressed by (run, month, slot), correct distributions."""

import numpy as np
import pytest

from peninsula.engine.random import RunStreams, normal, normal_radius, poisson, sample_param


def test_same_seed_same_numbers_and_runs_independent_of_block():
    a = RunStreams(42, np.arange(100)).uniform(5, 3, 4)
    b = RunStreams(42, np.arange(40, 60)).uniform(5, 3, 4)
    np.testing.assert_array_equal(a[40:60], b)


def test_different_seeds_slots_and_months_differ():
    s = RunStreams(1, np.arange(1000))
    base = s.uniform(0, 1)
    assert not np.array_equal(base, RunStreams(2, np.arange(1000)).uniform(0, 1))
    assert not np.array_equal(base, s.uniform(0, 2))
    assert not np.array_equal(base, s.uniform(1, 1))


def test_uniform_moments_and_independence():
    u = RunStreams(3, np.arange(200_000)).uniform(7, 9, 2)
    assert abs(u.mean() - 0.5) < 0.003  # sd of mean ~ 0.0006
    assert abs(u.var() - 1 / 12) < 0.001
    assert abs(np.corrcoef(u[:, 0], u[:, 1])[0, 1]) < 0.01
    assert u.min() >= 0.0 and u.max() < 1.0


@pytest.mark.parametrize("lam", [0.05, 1.0, 4.0, 30.0])
def test_poisson_mean_and_variance(lam):
    u = RunStreams(11, np.arange(200_000)).uniform(0, 0)
    k = np.array([poisson(x, lam) for x in u])
    se = np.sqrt(lam / len(k))
    assert abs(k.mean() - lam) < 5 * se
    assert abs(k.var() / lam - 1.0) < 0.03


def test_normal_moments():
    u = RunStreams(5, np.arange(200_000)).uniform(2, 4, 2)
    z = np.array([normal(normal_radius(a), b) for a, b in u])
    assert abs(z.mean()) < 0.01 and abs(z.std() - 1.0) < 0.01


def test_triangular_sampling_has_mode_and_bounds():
    u = RunStreams(9, np.arange(100_000)).uniform(0, 0)
    x = sample_param(u, 1.0, 2.0, 5.0, "triangular")
    assert x.min() >= 1.0 and x.max() <= 5.0
    assert abs(x.mean() - (1 + 2 + 5) / 3) < 0.02
    assert np.all(sample_param(u, 1.0, 2.0, 5.0, "fixed") == 2.0)
