"""The streamed summary is the in-memory summary, digit for digit.

A summary-only run (``summarize_runs``) keeps no table of runs: each chunk is reduced to the
summary's sufficient statistics (hits per rung and per parameter draw; each metric's pairwise
sum, 5% tails and sums per draw) and those are folded in run order. Its JSON must equal that
of ``summarize`` on the joined runs for any seed, any chunk size (dividing the runs or not) and
any number of workers; and each streaming reduction must equal NumPy's on the whole array.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

import peninsula
from peninsula.analysis.metrics import summarize, summarize_runs
from peninsula.analysis.streaming import BlockSums, PairwiseSum, Tails, pairwise_blocks
from peninsula.engine.ensemble import fold_chunks, join, run_chunks, simulate_range
from peninsula.model.setup import build_setup

SIZES = (1, 2, 7, 8, 9, 127, 128, 129, 257, 1_000, 4_999, 20_003)
CHUNKS = (1, 7, 128, 500, 30_000)


def fed(reducer, x: np.ndarray, chunk: int):
    for a in range(0, x.shape[1], chunk):
        reducer.add(x[:, a:a + chunk])
    return reducer


def rows(n: int, seed: int) -> np.ndarray:
    """Three rows of n: continuous values, whole numbers (ties) and a constant."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((3, n)) * 10.0 + rng.random((3, n))
    x[1] = np.round(x[1])
    x[2] = 0.25
    return x


@pytest.mark.parametrize("n", SIZES)
def test_pairwise_sum_is_numpys_sum_for_any_chunking(n):
    x = rows(n, n)
    for chunk in CHUNKS:
        total = fed(PairwiseSum(3, n), x, chunk).total()
        assert np.array_equal(total, x.sum(axis=1))
        assert np.array_equal(total / n, x.mean(axis=1))
    assert sum(pairwise_blocks(n)) == n


@pytest.mark.parametrize("n", SIZES)
def test_tails_give_numpys_quantiles_for_any_chunking(n):
    x = rows(n, n + 1)
    for chunk in CHUNKS:
        q = fed(Tails(3, n), x, chunk).quantiles([0.05, 0.95])
        assert np.array_equal(q, np.quantile(x, [0.05, 0.95], axis=1))


def test_tails_keep_a_nan_as_numpy_does():
    x = rows(5_000, 3)
    x[0, 1234] = np.nan
    q = fed(Tails(3, 5_000), x, 300).quantiles([0.05, 0.95])
    assert np.array_equal(q, np.quantile(x, [0.05, 0.95], axis=1), equal_nan=True)


@pytest.mark.parametrize("m", (1, 2, 10, 7))
def test_block_sums_are_bincounts_for_any_chunking(m):
    n = 4_003
    x = rows(n, m)
    index = np.arange(n) // m
    expected = np.array([np.bincount(index, weights=row) for row in x])
    for chunk in CHUNKS:
        blocks = fed(BlockSums(3, n, m), x, chunk)
        assert np.array_equal(blocks.sums, expected)
        assert np.array_equal(blocks.counts(), np.bincount(index).astype(float))


def as_json(summary: dict) -> str:
    return json.dumps(summary, sort_keys=False)


def in_memory(setup, n: int) -> str:
    res = run_chunks(setup, n, record_monthly=False, record_events=False, compact=True)
    return as_json(summarize(res, setup, "baseline"))


@pytest.fixture(scope="module")
def baseline():
    return build_setup(peninsula.load_scenario("baseline", ["scenario.horizon_months=60"]))


@pytest.mark.parametrize("seed", (1, 29))
def test_streamed_summary_is_the_in_memory_summary(seed):
    setup = build_setup(peninsula.load_scenario(
        "baseline", [f"scenario.seed={seed}", "scenario.horizon_months=60"]))
    n = 1_203  # divides neither chunk size, nor the draws' blocks of 10
    expected = in_memory(setup, n)
    for chunk in (250, 1_000, 5_000):
        assert as_json(summarize_runs(setup, n, "baseline", chunk_runs=chunk)) == expected


def test_streamed_summary_is_the_same_on_two_workers(baseline):
    n = 1_003
    expected = in_memory(baseline, n)
    got = summarize_runs(baseline, n, "baseline", chunk_runs=97, workers=2)
    assert as_json(got) == expected


@pytest.mark.parametrize("overrides", (["metrics.runs_per_parameter_draw=1"],
                                       ["scenario.sample_parameters=false"]))
def test_streamed_summary_without_shared_draws(overrides):
    """One run per draw, or point parameters: the plain standard error, from every value."""
    setup = build_setup(peninsula.load_scenario(
        "baseline", ["scenario.horizon_months=36", *overrides]))
    n = 611
    assert as_json(summarize_runs(setup, n, "baseline", chunk_runs=100)) \
        == in_memory(setup, n)


def test_streamed_summary_of_fewer_runs_than_a_draw(baseline):
    for n in (1, 2, 10, 11):
        assert as_json(summarize_runs(baseline, n, "baseline", chunk_runs=3)) \
            == in_memory(baseline, n)


def test_fold_chunks_folds_every_chunk_in_run_order(baseline):
    seen: list[np.ndarray] = []
    fold_chunks(baseline, 23, first_months, seen.append, chunk_runs=5)
    joined = run_chunks(baseline, 23, record_monthly=False, record_events=False)
    assert np.array_equal(np.concatenate(seen), joined.first_month["war"])


def first_months(result, setup) -> np.ndarray:
    return result.first_month["war"]


def test_join_copies_chunks_in_order(baseline):
    parts = [simulate_range(baseline, a, b, True, True) for a, b in ((0, 3), (3, 8), (8, 9))]
    whole = simulate_range(baseline, 0, 9, True, True)
    joined = join(parts)
    assert np.array_equal(joined.run_ids, whole.run_ids)
    assert np.array_equal(joined.params, whole.params)
    assert np.array_equal(joined.monthly, whole.monthly)
    assert np.array_equal(joined.events, whole.events)
    for key in whole.yearly:
        assert np.array_equal(joined.yearly[key], whole.yearly[key])


def test_the_run_command_without_out_streams_its_summary_and_gives_the_same_numbers():
    from peninsula import api

    streamed = api.run("baseline", runs=1203, seed=4, summary_only=True)
    assert isinstance(streamed, api.SummaryOnly) and streamed.n_runs == 1203
    held = api.run("baseline", runs=1203, seed=4, record_monthly=False, record_events=False,
                   compact=True)
    assert json.dumps(streamed.summary(), sort_keys=True) == json.dumps(held.summary(),
                                                                         sort_keys=True)
