"""One execution object: how an ensemble is run, given once and taken by the API's ensemble
functions; the same scenario and seed give the same numbers however they are run."""

from __future__ import annotations

import inspect

import numpy as np
import pandas as pd
import pytest

from peninsula import api
from peninsula.analysis import (
    backtest,
    compare,
    discovery,
    explain,
    optimize,
    outside_backtest,
    pareto,
    prior_sensitivity,
    replay,
    rolling,
    sensitivity,
    sweep,
)
from peninsula.engine.execution import Execution, execution_of
from peninsula.engine.executors import SequentialExecutor

SHORT = ["scenario.horizon_months=24"]


def test_execution_refuses_what_no_engine_runs():
    for bad, message in (({"workers": 0}, "workers"), ({"chunk_runs": 0}, "chunk_runs"),
                         ({"executor_kind": "mpi"}, "--executor"),
                         ({"kernel": "fortran"}, "--kernel"), ({"workers": True}, "workers")):
        with pytest.raises(ValueError, match=message):
            Execution(**bad)


def test_an_execution_supplies_the_engines_keywords_and_its_pool():
    pool = SequentialExecutor()
    ex = Execution(workers=2, chunk_runs=9, kernel="numba").with_pool(pool)
    assert ex.ensemble_keywords() == {"executor": pool, "workers": 2, "chunk_runs": 9,
                                      "progress": None}
    with Execution().opened() as local:  # a local execution leaves the pool to the engine
        assert local is None


def test_the_same_numbers_from_keywords_and_from_an_execution():
    counted: list[int] = []
    by_keywords = api.run("baseline", runs=40, seed=5, chunk_runs=15, record_monthly=False,
                          record_events=False)
    by_execution = api.run("baseline", runs=40, seed=5, record_monthly=False,
                           record_events=False,
                           execution=Execution(chunk_runs=15, progress=counted.append,
                                               pool=SequentialExecutor()))
    assert sum(counted) == 40 and counted == [15, 15, 10]
    assert by_keywords.summary() == by_execution.summary()
    np.testing.assert_array_equal(by_keywords.result.launches_by_year,
                                  by_execution.result.launches_by_year)


def test_api_compare_takes_an_execution():
    ex = Execution(chunk_runs=10)
    result = api.compare("baseline", ["status-quo", "dual-track"], runs=20, seed=3,
                         execution=ex)
    assert result == api.compare("baseline", ["status-quo", "dual-track"], runs=20, seed=3)


def test_check_engine_names_the_option_at_fault():
    with pytest.raises(api.InputError, match=r"^--kernel: kernel must be one of .*'gpu'"):
        api.check_engine("gpu")
    with pytest.raises(api.InputError, match=r"^--executor: 'spark' is not one of: local, threads, dask"):
        api.check_engine("auto", "spark")


def test_keywords_make_an_execution_and_a_given_execution_stands():
    pool = SequentialExecutor()
    made = execution_of(None, executor=pool, workers=3, chunk_runs=7, kernel="python",
                        resume=True)
    assert (made.pool, made.workers, made.chunk_runs, made.kernel, made.resume) == (
        pool, 3, 7, "python", True)
    given = Execution(workers=2)
    assert execution_of(given, workers=5) is given
    assert made.ensemble_keywords() == {"executor": pool, "workers": 3, "chunk_runs": 7,
                                        "progress": None}
    with made.running() as running:  # a caller's pool is used as it is
        assert running.pool is pool
    with given.running() as running:  # a local execution leaves the pool to the engine
        assert running.pool is None and running.workers == 2


def test_the_analysis_ensembles_take_one_execution():
    for function in (compare.compare, compare.policy_outcomes, discovery.run_discovery,
                     explain.explain, optimize.run_optimisation, pareto.run_pareto,
                     sensitivity.run_sensitivity, sensitivity.given_data_table,
                     backtest.simulate_years, replay.model_forecast,
                     outside_backtest.patrol_comparison, outside_backtest.spending_backtest):
        names = set(inspect.signature(function).parameters)
        assert "execution" in names, function.__qualname__
        assert not {"executor", "workers", "chunk_runs", "kernel", "progress"} & names, \
            function.__qualname__
    # a sweep and the record's analyses also keep their own keywords, for the scripts that
    # call them directly
    for function in (sweep.run_sweep, backtest.calibrate, backtest.backtest,
                     rolling.rolling_backtest, prior_sensitivity.prior_sensitivity):
        assert "execution" in inspect.signature(function).parameters, function.__qualname__


def test_the_same_numbers_from_an_execution_in_explain_and_sweep():
    sc = api.scenario_for("baseline", runs=30, seed=2, overrides=SHORT)
    done: list[int] = []
    assert api.explain(sc, 30) == api.explain(
        sc, 30, execution=Execution(chunk_runs=7, progress=done.append,
                                    pool=SequentialExecutor()))
    assert done and set(done) == {1}  # one call as each ensemble is done
    grid = {"levers.exercise_intensity": [0.0, 2.0]}
    pd.testing.assert_frame_equal(api.sweep(sc, grid),
                                  api.sweep(sc, grid, execution=Execution(chunk_runs=7)))


def test_the_record_runs_as_its_execution_says_with_the_same_numbers():
    """The calibration takes any executor, chunk size and progress: its posterior is the one
    of a sequential run in the engine's chunks."""
    asked = {"train_until": 2010, "draws": 100, "accept": 0.1, "seed": 4,
             "method": "rejection"}
    done: list[int] = []
    plain = api.calibrate(**asked)
    chunked = api.calibrate(**asked, execution=Execution(chunk_runs=7, progress=done.append,
                                                         pool=SequentialExecutor()))
    pd.testing.assert_frame_equal(plain, chunked)
    assert plain.attrs == chunked.attrs
    assert sum(done) == 100
    assert "local_workers" not in api.__all__


def test_threads_give_the_numbers_of_a_sequential_run():
    # the interactive executor: chunks on threads of this process (the kernel releases the
    # GIL), in any order of finishing, joined in run order: bit for bit the sequential result
    sc = api.scenario_for("baseline", runs=60, seed=4, overrides=SHORT)
    one = api.run(sc, record_monthly=True, record_events=True)
    threads = api.run(sc, record_monthly=True, record_events=True,
                      execution=Execution(workers=3, executor_kind="threads", chunk_runs=7))
    assert np.array_equal(one.result.monthly, threads.result.monthly)
    assert np.array_equal(one.result.events, threads.result.events)
    assert one.summary() == threads.summary()
