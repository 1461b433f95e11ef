"""Executors: the standard ``concurrent.futures`` interface, sequential by default.

Any ``concurrent.futures.Executor`` works (a process pool for ``--workers N``; a Dask client's
executor can be added behind the same interface). Results never depend on the executor: chunks
carry their own run ids and every random number is addressed by run id.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor

EXECUTOR_KINDS = ("local", "threads", "dask")  # the kinds make_executor_for makes
PARENT_POLL_SECONDS = 1.0  # how often a pool worker checks that its parent is alive


class SequentialExecutor(Executor):
    """Runs each submitted call at once in this process; the default executor."""

    def submit(self, fn, /, *args, **kwargs) -> Future:
        future: Future = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except Exception as exc:  # surfaced by future.result(), as in any executor
            future.set_exception(exc)  # (Ctrl-C and exits propagate at once: not caught)
        return future


class LocalPool(ProcessPoolExecutor):
    """A process pool whose workers leave Ctrl-C to the parent and die with it.

    Workers ignore SIGINT (the terminal sends it to the whole process group): the parent
    alone decides what an interrupt means and calls ``terminate``, so no worker prints a
    traceback of its own. A worker exits as soon as its parent is gone (a parent killed with
    SIGKILL cannot clean up): Linux's parent-death signal where available, and a thread that
    polls the parent's pid everywhere.
    """

    def __init__(self, max_workers: int):
        super().__init__(max_workers=max_workers, initializer=_worker_init)

    def terminate(self) -> None:
        """Stop now: cancel queued work and kill the workers (an interrupted run's finished
        chunks are already on disk; a chunk cut short is recomputed on resume)."""
        processes = list((getattr(self, "_processes", None) or {}).values())
        self.shutdown(wait=False, cancel_futures=True)
        for proc in processes:
            if proc.is_alive():
                proc.kill()
        for proc in processes:
            proc.join(timeout=5)


def _worker_init() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    parent = os.getppid()
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            pr_set_pdeathsig = 1
            ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGKILL)
        except (OSError, AttributeError):  # pragma: no cover - the poll below still works
            pass
    if os.getppid() != parent:  # the parent died before the signal was armed
        os._exit(1)
    threading.Thread(target=_exit_when_orphaned, args=(parent,), daemon=True).start()


def _exit_when_orphaned(parent: int) -> None:
    while True:
        time.sleep(PARENT_POLL_SECONDS)
        if os.getppid() != parent:
            os._exit(1)


def make_executor(workers: int = 1) -> Executor:
    """Sequential for ``workers <= 1``, else a process pool with that many workers."""
    if workers <= 1:
        return SequentialExecutor()
    return LocalPool(max_workers=workers)


@contextlib.contextmanager
def using_executor(executor: Executor | None, workers: int = 1) -> Iterator[Executor]:
    """``executor``, or one made for ``workers`` and shut down after the block. An error or
    Ctrl-C in the block stops the executor made here at once instead of waiting for the work
    still queued; a caller's own executor is the caller's to stop."""
    own = executor is None
    ex = executor or make_executor(workers)
    try:
        yield ex
    except BaseException:
        if own:
            stop_now(ex)
        raise
    if own:
        ex.shutdown()


def stop_now(executor: Executor) -> None:
    """Shut ``executor`` down without waiting for queued work (after Ctrl-C)."""
    if isinstance(executor, LocalPool):
        executor.terminate()
    else:
        executor.shutdown(wait=False, cancel_futures=True)


class DaskExecutor(Executor):
    """Dask distributed behind the ``concurrent.futures`` interface.

    Attaches to ``scheduler`` (or ``DASK_SCHEDULER_ADDRESS``) when given, else starts a
    LocalCluster of single-threaded worker processes on loopback. Work arrives as chunks of
    runs (never one run per task), so results are identical to the sequential executor.
    Requires the optional extra: ``pip install peninsula[dask]``.
    """

    def __init__(self, scheduler: str | None = None, workers: int | None = None):
        try:
            from dask.distributed import Client, LocalCluster
        except ImportError as exc:  # pragma: no cover - depends on the optional extra
            raise RuntimeError("the Dask executor needs: pip install 'peninsula[dask]'") from exc
        address = scheduler or os.environ.get("DASK_SCHEDULER_ADDRESS")
        self.cluster = None
        if address:
            try:
                self.client = Client(address)
            except Exception as exc:  # any failure to attach is the address's (wrong scheme,
                # refused, timed out): one message, never Dask's traceback
                raise ValueError(f"--scheduler {address}: cannot connect to a Dask scheduler "
                                 f"there ({type(exc).__name__}: {exc}); give tcp://HOST:PORT of "
                                 "a running scheduler") from None
        else:
            # workers start with Ctrl-C ignored (as LocalPool's do; a handler would not pass to
            # the processes the cluster spawns, SIG_IGN does): the parent alone handles it and
            # closes the cluster, so no worker prints a traceback of its own. A Ctrl-C during
            # the second or two of start-up is therefore ignored.
            main = threading.current_thread() is threading.main_thread()
            previous = signal.signal(signal.SIGINT, signal.SIG_IGN) if main else None
            try:
                self.cluster = LocalCluster(n_workers=workers or os.cpu_count() or 1,
                                            threads_per_worker=1, processes=True,
                                            host="127.0.0.1", dashboard_address=None,
                                            silence_logs=logging.ERROR)
                self.client = Client(self.cluster)
            except BaseException:
                if self.cluster is not None:
                    self.cluster.close()
                raise
            finally:
                if previous is not None:
                    signal.signal(signal.SIGINT, previous)
        self._executor = self.client.get_executor(pure=False)

    def submit(self, fn, /, *args, **kwargs) -> Future:
        return self._executor.submit(fn, *args, **kwargs)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self.client.close()  # releases the client's queued work (cancel_futures or not)
        if self.cluster is not None:
            self.cluster.close()


def make_thread_pool(workers: int = 1) -> Executor:
    """Sequential for ``workers <= 1``, else ``workers`` threads of this process. The compiled
    kernel releases the GIL (model/compiled.py: ``nogil``), so chunks run side by side with no
    process to start and nothing to pickle: the interactive choice (the dashboard), where a
    process pool's start-up and its copies of each chunk's inputs would cost more than the
    chunks. Everything else of a chunk (its inputs, outputs and random numbers) is its own."""
    if workers <= 1:
        return SequentialExecutor()
    return ThreadPoolExecutor(max_workers=workers, thread_name_prefix="peninsula-chunk")


def make_executor_for(kind: str, workers: int = 1, scheduler: str | None = None) -> Executor:
    """``local``: sequential or a process pool; ``threads``: sequential or threads of this
    process; ``dask``: a Dask cluster (local or remote)."""
    if kind == "dask":
        return DaskExecutor(scheduler, workers if workers > 1 else None)
    if kind == "threads":
        return make_thread_pool(workers)
    if kind != "local":
        raise ValueError(f"unknown executor {kind!r}; allowed: {', '.join(EXECUTOR_KINDS)}")
    return make_executor(workers)
