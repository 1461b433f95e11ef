"""Executors: the standard ``concurrent.futures`` interface, sequential by default.

Any ``concurrent.futures.Executor`` works (a process pool for ``--workers N``; a Dask client's
executor can be added behind the same interface). Results never depend on the executor: chunks
carry their own run ids and every random number is addressed by run id.
"""

from __future__ import annotations

from concurrent.futures import Executor, Future, ProcessPoolExecutor


class SequentialExecutor(Executor):
    """Runs each submitted call at once in this process; the default executor."""

    def submit(self, fn, /, *args, **kwargs) -> Future:
        future: Future = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as exc:  # surfaced by future.result(), as in any executor
            future.set_exception(exc)
        return future


def make_executor(workers: int = 1) -> Executor:
    """Sequential for ``workers <= 1``, else a process pool with that many workers."""
    if workers <= 1:
        return SequentialExecutor()
    return ProcessPoolExecutor(max_workers=workers)
