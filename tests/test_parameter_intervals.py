"""The two intervals of a headline probability: how sure the simulation is (Monte Carlo) and how
sure the evidence lets us be (the spread of P(outcome | parameters) across parameter draws).

The estimator is checked on toys with a known spread (p_k ~ Beta(a, b), y_k ~ Binomial(M, p_k),
fixed seeds), on a toy without spread, and on the exact bound when no draw shows a hit; the engine
on sharing draws in blocks of run ids and on reproducing one draw per run exactly with M = 1.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import peninsula
from peninsula.analysis import metrics as mx
from peninsula.analysis.record import history_scenario
from peninsula.engine.ensemble import run_chunks
from peninsula.engine.random import RunStreams, sample_param
from peninsula.engine.simulate import PARAM_MONTH, parameter_draw_ids, sample_parameters
from peninsula.model.setup import build_setup
from peninsula.scenario.parameters import NAMES
from peninsula.scenario.schema import PRIOR_OVERRIDE

SHORT = ["scenario.horizon_months=24", "metrics.horizons_years=[1, 2]"]


def toy(a: float, b: float, draws: int, m: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    y = rng.binomial(m, rng.beta(a, b, draws)).astype(float)
    return y, np.full(draws, float(m))


@pytest.mark.parametrize(("a", "b", "tolerance"), [(2, 18, 0.02), (1, 3, 0.02), (20, 30, 0.035)])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_recovers_a_known_spread(a, b, tolerance, seed):
    """1,000 draws of 10 runs: the 5% and 95% quantiles of Beta(a, b) within the tolerance
    (Beta(2, 18): 1.9% and 22.6%; Beta(1, 3): 1.7% and 63.2%; Beta(20, 30): 28.9% and 51.5%,
    a spread small against each draw's binomial noise, hence the wider tolerance)."""
    y, n = toy(a, b, 1000, 10, seed)
    lo, hi = mx.parameter_interval(y, n)
    true_lo, true_hi = stats.beta.ppf([0.05, 0.95], a, b)
    assert abs(lo - true_lo) < tolerance and abs(hi - true_hi) < tolerance
    # the method-of-moments check agrees with the known variance within 0.0015 (its standard
    # error here is about 0.0006)
    assert mx.between_draw_variance(y, 10) == pytest.approx(stats.beta.var(a, b), abs=0.0015)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_no_spread_gives_a_narrow_interval_around_the_point(seed):
    """Every draw has p = 0.3: the interval holds 0.3 and is under 0.1 wide, against 0.21 for
    the spread of Beta(20, 30) with the same noise."""
    rng = np.random.default_rng(seed)
    y = rng.binomial(10, 0.3, 1000).astype(float)
    lo, hi = mx.parameter_interval(y, np.full(1000, 10.0))
    assert lo < 0.3 < hi and hi - lo < 0.1
    assert abs(mx.between_draw_variance(y, 10)) < 0.002


def test_no_hit_gives_zero_to_the_exact_bound():
    """200 draws of 10 runs, none with a hit: [0, u] with u the 95% upper bound on the 95th
    percentile, (1 - 0.05 (1 - (1 - u)^10))^200 = 0.05, u = 3.47%; every run a hit: [1 - u, 1]."""
    n = np.full(200, 10.0)
    lo, hi = mx.parameter_interval(np.zeros(200), n)
    assert lo == 0.0 and hi == pytest.approx(0.0347, abs=5e-5)
    assert (1 - 0.05 * (1 - (1 - hi) ** 10)) ** 200 == pytest.approx(0.05, rel=1e-6)
    assert mx.parameter_interval(n.copy(), n) == pytest.approx((1 - hi, 1.0))


def test_monte_carlo_interval_counts_the_clustering():
    """One run per draw: the plain Wilson interval. Draws with a spread: runs in a draw are
    correlated, and over 400 toy ensembles the interval with the design effect covers the
    ensemble's expected share about 90% of the time while the plain Wilson interval does not."""
    y, n = toy(2, 18, 2000, 1, 5)
    assert mx.monte_carlo_interval(y, n) == mx.wilson_interval(int(y.sum()), 2000)
    truth, clustered, plain = 0.1, 0, 0
    for seed in range(400):
        y, n = toy(1, 9, 200, 10, 100 + seed)
        lo, hi = mx.monte_carlo_interval(y, n)
        clustered += lo <= truth <= hi
        lo, hi = mx.wilson_interval(int(y.sum()), 2000)
        plain += lo <= truth <= hi
    assert 0.85 <= clustered / 400 <= 0.95
    assert plain / 400 < 0.8


def test_clustered_se_is_the_block_means_spread():
    x = np.array([[1.0, 1.0, 3.0, 3.0, 5.0, 5.0]])
    se = mx.clustered_se(x, np.array([0, 0, 1, 1, 2, 2]))
    assert se[0] == pytest.approx(np.std([1.0, 3.0, 5.0], ddof=1) / math.sqrt(3))


def test_runs_share_a_draw_in_blocks_of_run_ids_whatever_the_chunks():
    """M = 10: runs 10b..10b+9 share run 10b's draw (and its M = 1 values); blocks differ;
    chunks of 7 (cutting blocks) and of 300 give the same numbers."""
    sc = peninsula.load_scenario("baseline", SHORT + ["scenario.seed=3",
                                                      "metrics.runs_per_parameter_draw=10"])
    grouped = build_setup(sc)
    one = run_chunks(grouped, 60, chunk_runs=300, record_monthly=False, record_events=False)
    small = run_chunks(grouped, 60, chunk_runs=7, record_monthly=False, record_events=False)
    np.testing.assert_array_equal(one.params, small.params)
    np.testing.assert_array_equal(one.first_month["clash"], small.first_month["clash"])
    blocks = one.params.reshape(6, 10, -1)
    assert (blocks == blocks[:, :1]).all()
    assert len(np.unique(blocks[:, 0, NAMES.index("clash_to_war_per_month")])) == 6
    single = build_setup(sc.with_overrides(["metrics.runs_per_parameter_draw=1"]))
    per_run = run_chunks(single, 60, record_monthly=False, record_events=False)
    np.testing.assert_array_equal(per_run.params[::10], one.params[::10])
    assert not np.array_equal(per_run.params[1], one.params[1])
    assert list(parameter_draw_ids(np.arange(12), 5)) == [0] * 5 + [5] * 5 + [10] * 2


def test_default_gives_2000_runs_at_least_100_draws_and_the_replay_one_each():
    """Calibration and the replay's filter weigh each run's own draw."""
    m = peninsula.load_scenario("baseline")["metrics"]["runs_per_parameter_draw"]
    assert m >= 2 and 2000 // m >= 100
    assert history_scenario(24)["metrics"]["runs_per_parameter_draw"] == 1


def test_one_run_per_draw_is_the_former_sampling_exactly():
    """M = 1 draws each run's parameters from its own stream, as before the setting existed."""
    sc = peninsula.load_scenario("baseline", ["metrics.runs_per_parameter_draw=1",
                                              PRIOR_OVERRIDE])  # the table's priors
    setup = build_setup(sc)
    streams = RunStreams(setup.seed, np.arange(50))
    u = streams.uniform(PARAM_MONTH, 0, len(NAMES))
    former = np.column_stack([sample_param(u[:, j], setup.param_low[j], setup.param_mode[j],
                                           setup.param_high[j], setup.param_dist[j])
                              for j in range(len(NAMES))])
    np.testing.assert_array_equal(sample_parameters(setup, streams), former)


def test_summary_keys_and_sources():
    """Both intervals in the same shape; the source of the parameters; M = 1 leaves the spread
    unidentified (null) and the Monte Carlo interval the plain Wilson one."""
    sc = peninsula.load_scenario("baseline", [*SHORT, "metrics.runs_per_parameter_draw=10",
                                              PRIOR_OVERRIDE])
    s = peninsula.run(sc, runs=200, seed=4, record_monthly=False, record_events=False).summary()
    assert s["parameter_source"] == "prior" and s["runs_per_parameter_draw"] == 10
    assert s["parameter_draws"] == 20
    for key in ("p_clash", "p_war", "p_nuclear_use"):
        assert set(s["parameter_intervals_90"][key]) == set(s["intervals_90"][key])
        for h, (lo, hi) in s["parameter_intervals_90"][key].items():
            assert 0.0 <= lo <= hi <= 1.0, (key, h)
    ten = s["parameter_intervals_90"]["p_clash"]["1"]
    assert ten[1] - ten[0] > 0.05  # the priors leave P(clash within a year) uncertain
    one = peninsula.run(sc.with_overrides(["metrics.runs_per_parameter_draw=1"]), runs=200,
                        seed=4, record_monthly=False, record_events=False).summary()
    assert one["parameter_intervals_90"]["p_war"]["1"] is None
    hits = round(one["p_clash"]["1"] * 200)
    assert one["intervals_90"]["p_clash"]["1"] == list(mx.wilson_interval(hits, 200))
    point = peninsula.run(sc.with_settings(sample_parameters=False), runs=50, seed=4,
                          record_monthly=False, record_events=False).summary()
    assert point["parameter_source"] == "point" and point["parameter_draws"] == 1
    assert point["parameter_intervals_90"]["p_clash"]["1"] is None
    post = pd.DataFrame({"clash_to_war_per_month": [0.01, 0.02, 0.03]})
    posterior = peninsula.run(sc, runs=40, seed=4, posterior=post, record_monthly=False,
                              record_events=False).summary()
    assert posterior["parameter_source"] == "posterior"


def test_paired_difference_of_runs_sharing_draws_is_clustered():
    """Runs in blocks of 10 that share a draw-level shift: the paired interval's error is that
    of the block means, sd(block means) / sqrt(K), exactly, and wider than the plain one."""
    from peninsula.analysis.metrics import mean_interval, paired_difference

    rng = np.random.default_rng(11)
    blocks, m = 200, 10
    draws = np.repeat(np.arange(blocks), m)
    diff = rng.normal(0.0, 1.0, blocks)[draws] + rng.normal(0.0, 0.3, blocks * m)
    mean, lo, hi, se = mean_interval(diff, draws)
    block_means = diff.reshape(blocks, m).mean(axis=1)
    assert se == pytest.approx(block_means.std(ddof=1) / np.sqrt(blocks), rel=1e-12)
    assert se > 2.5 * mean_interval(diff)[3]
    assert paired_difference(diff, np.zeros_like(diff), draws) == pytest.approx((mean, lo, hi))
