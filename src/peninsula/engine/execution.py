"""How an ensemble is executed, declared once: workers, executor, scheduler, chunk size, kernel,
progress and resume.

Every API function that runs ensembles takes one ``Execution`` (as EMA Workbench passes its
evaluator) instead of re-listing these settings; the command line builds it from its shared
options in one place. None of them changes a result: chunks carry their own run ids and every
random number is addressed by run id, so the same scenario and seed give the same numbers on
any executor, worker count or chunk size. The module imports nothing numerical, so that the
command line can build an ``Execution`` before any work starts.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from concurrent.futures import Executor
from dataclasses import dataclass, replace

from peninsula.engine.executors import EXECUTOR_KINDS

DEFAULT_CHUNK_RUNS = 5000  # runs advanced together per chunk (the unit of work)


@dataclass(frozen=True)
class Execution:
    """How to run: ``workers`` (1: sequential) of ``executor_kind`` 'local' (processes),
    'threads' (threads of this process: no start-up, for interactive use) or 'dask'
    (``scheduler``: a Dask scheduler's address, else a local cluster), ``chunk_runs`` runs per
    chunk, the ``kernel`` ('auto', 'numba', 'python'), a ``progress`` callback given the number
    of runs finished, and ``resume`` (continue an interrupted run into its output folder).

    ``pool``: an executor already running (a caller's, kept warm between calls); when given,
    it is used as it is and left to its owner to shut down.
    """

    workers: int = 1
    executor_kind: str = "local"
    scheduler: str | None = None
    chunk_runs: int = DEFAULT_CHUNK_RUNS
    kernel: str = "auto"
    progress: Callable[[int], None] | None = None
    resume: bool = False
    pool: Executor | None = None

    def __post_init__(self) -> None:
        from peninsula.model.setup import KERNELS

        for name, low in (("workers", 1), ("chunk_runs", 1)):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < low:
                raise ValueError(f"{name}: expected a whole number of at least {low}, "
                                 f"not {value!r}")
        if self.executor_kind not in EXECUTOR_KINDS:
            raise ValueError(f"--executor: {self.executor_kind!r} is not one of: "
                             f"{', '.join(EXECUTOR_KINDS)}")
        if self.kernel not in KERNELS:
            raise ValueError(f"--kernel: kernel must be one of {', '.join(KERNELS)}, "
                             f"not {self.kernel!r}")

    def with_pool(self, pool: Executor | None,
                  progress: Callable[[int], None] | None = None) -> Execution:
        """This execution on a running ``pool`` (and with ``progress``, when given)."""
        return replace(self, pool=pool, progress=progress or self.progress)

    def make_executor(self) -> Executor:
        """A new executor of this kind and size; the caller shuts it down."""
        from peninsula.engine.executors import make_executor_for

        return make_executor_for(self.executor_kind, self.workers, self.scheduler)

    @contextlib.contextmanager
    def opened(self) -> Iterator[Executor | None]:
        """The executor to hand the engine for the block: the caller's ``pool``; None for a
        local one, which the engine makes for ``workers`` and shuts down itself; else a Dask
        executor made here, shut down after the block (at once on an error or Ctrl-C)."""
        if self.pool is not None or self.executor_kind == "local":
            yield self.pool
            return
        from peninsula.engine.executors import stop_now

        pool = self.make_executor()
        try:
            yield pool
        except BaseException:
            stop_now(pool)
            raise
        pool.shutdown()

    @contextlib.contextmanager
    def running(self) -> Iterator[Execution]:
        """This execution for the block with its executor opened (as ``opened``), to hand to
        the analysis functions: every ensemble they run in the block uses that one executor."""
        with self.opened() as pool:
            yield replace(self, pool=pool)

    def ensemble_keywords(self) -> dict[str, object]:
        """The keywords of the engine's ``run_chunks`` and ``run_ensembles``: the executor
        (this execution's pool), workers, chunk_runs and progress."""
        return {"executor": self.pool, "workers": self.workers, "chunk_runs": self.chunk_runs,
                "progress": self.progress}


def execution_of(execution: Execution | None, *, executor: Executor | None = None,
                 workers: int = 1, chunk_runs: int = DEFAULT_CHUNK_RUNS, kernel: str = "auto",
                 progress: Callable[[int], None] | None = None,
                 resume: bool = False) -> Execution:
    """``execution``; when None, the one a function's own executor=, workers=, chunk_runs=,
    kernel=, progress= and resume= keywords (kept for the scripts that use them) describe."""
    if execution is not None:
        return execution
    return Execution(workers=workers, chunk_runs=chunk_runs, kernel=kernel, progress=progress,
                     resume=resume, pool=executor)

