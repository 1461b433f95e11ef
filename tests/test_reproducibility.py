"""Same scenario + seed -> identical numbers, bit for bit, whatever the chunks and workers.

The kernel is compared with itself (never with another maths implementation): one build on one
CPU family gives the same numbers for any chunk size, block boundary and number of workers.
"""

import numpy as np
import pytest

import peninsula
from peninsula.engine.ensemble import run_chunks
from peninsula.model.setup import build_setup

KERNELS = ["numba"]


def _setup(seed=5, kernel="auto"):
    sc = peninsula.load_scenario("baseline", ["scenario.horizon_months=36", f"scenario.seed={seed}"])
    return build_setup(sc, kernel=kernel)


def _same(a, b):
    np.testing.assert_array_equal(a.params, b.params)
    np.testing.assert_array_equal(a.monthly, b.monthly)
    np.testing.assert_array_equal(a.events, b.events)
    for k in a.first_month:
        np.testing.assert_array_equal(a.first_month[k], b.first_month[k])
    for k in a.yearly:
        np.testing.assert_array_equal(a.yearly[k], b.yearly[k])
    np.testing.assert_array_equal(a.launches_by_year, b.launches_by_year)


@pytest.mark.integration
@pytest.mark.parametrize("kernel", KERNELS)
def test_bit_identical_across_chunk_sizes_and_workers(kernel):
    """One chunk of 300 (a whole block of 256 runs and a partial one),
    chunks of 7 and of 64 on a pool of two worker processes, all bit for bit alike."""
    setup = _setup(kernel=kernel)
    one = run_chunks(setup, 300, chunk_runs=300)
    small = run_chunks(setup, 300, chunk_runs=7)
    pool = run_chunks(setup, 300, chunk_runs=64, workers=2)
    _same(one, small)
    _same(one, pool)


def test_seed_changes_numbers_and_api_matches_engine():
    a = run_chunks(_setup(5), 100)
    b = run_chunks(_setup(6), 100)
    assert not np.array_equal(a.monthly, b.monthly)
    ens = peninsula.run(peninsula.load_scenario("baseline", ["scenario.horizon_months=36"]),
                        runs=100, seed=5)
    _same(a, ens.result)
