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


class DaskExecutor(Executor):
    """Dask distributed behind the ``concurrent.futures`` interface.

    Attaches to ``scheduler`` (or ``DASK_SCHEDULER_ADDRESS``) when given, else starts a
    LocalCluster of single-threaded worker processes on loopback. Work arrives as chunks of
    runs (never one run per task), so results are identical to the sequential executor.
    Requires the optional extra: ``pip install peninsula[dask]``.
    """

    def __init__(self, scheduler: str | None = None, workers: int | None = None):
        import os

        try:
            from dask.distributed import Client, LocalCluster
        except ImportError as exc:  # pragma: no cover - depends on the optional extra
            raise RuntimeError("the Dask executor needs: pip install 'peninsula[dask]'") from exc
        address = scheduler or os.environ.get("DASK_SCHEDULER_ADDRESS")
        self.cluster = None
        if address:
            self.client = Client(address)
        else:
            self.cluster = LocalCluster(n_workers=workers or os.cpu_count() or 1,
                                        threads_per_worker=1, processes=True, host="127.0.0.1",
                                        dashboard_address=None)
            self.client = Client(self.cluster)
        self._executor = self.client.get_executor(pure=False)

    def submit(self, fn, /, *args, **kwargs) -> Future:
        return self._executor.submit(fn, *args, **kwargs)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()


def make_executor_for(kind: str, workers: int = 1, scheduler: str | None = None) -> Executor:
    """``local``: sequential or a process pool; ``dask``: a Dask cluster (local or remote)."""
    if kind == "dask":
        return DaskExecutor(scheduler, workers if workers > 1 else None)
    if kind != "local":
        raise ValueError(f"unknown executor {kind!r}; allowed: local, dask")
    return make_executor(workers)
