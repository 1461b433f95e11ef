"""One execution object: how an ensemble is run, given once and taken by the API's ensemble
functions; the same scenario and seed give the same numbers however they are run."""

from __future__ import annotations

import numpy as np
import pytest

from peninsula import api
from peninsula.engine.execution import Execution, executing
from peninsula.engine.executors import SequentialExecutor


def test_execution_refuses_what_no_engine_runs():
    for bad, message in (({"workers": 0}, "workers"), ({"chunk_runs": 0}, "chunk_runs"),
                         ({"executor_kind": "mpi"}, "--executor"),
                         ({"kernel": "fortran"}, "--kernel"), ({"workers": True}, "workers")):
        with pytest.raises(ValueError, match=message):
            Execution(**bad)


def test_the_keywords_stand_when_no_execution_is_given():
    with executing(None, workers=3, chunk_runs=7, kernel="auto") as how:
        assert how == {"workers": 3, "chunk_runs": 7, "kernel": "auto"}


def test_an_execution_supplies_the_engines_keywords_and_its_pool():
    pool = SequentialExecutor()
    ex = Execution(workers=2, chunk_runs=9, kernel="numba").with_pool(pool)
    with executing(ex, executor=None, workers=1, chunk_runs=5000, kernel="auto",
                   resume=False) as how:
        assert how == {"executor": pool, "workers": 2, "chunk_runs": 9, "kernel": "numba",
                       "resume": False}
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
    with pytest.raises(api.InputError, match=r"^--executor: 'spark' is not one of: local, dask"):
        api.check_engine("auto", "spark")
