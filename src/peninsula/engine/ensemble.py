"""Run an ensemble: split runs into chunks, simulate them on an executor, join in run order.

Memory is bounded by the chunk size for the stepping itself; monthly records and events, when
asked for, are kept for all runs (float32 and int16). Each chunk is copied into the joined
arrays as it arrives, so a chunk's own arrays do not outlive it. ``fold_chunks`` keeps no run
at all: each chunk is reduced where it runs and folded, in run order, by the caller (the
streamed summary of analysis/metrics.py).
"""

from __future__ import annotations

import dataclasses
from collections import deque
from collections.abc import Callable
from concurrent.futures import Executor

import numpy as np

from peninsula.engine.execution import DEFAULT_CHUNK_RUNS
from peninsula.engine.executors import using_executor
from peninsula.engine.simulate import simulate_chunk
from peninsula.io import parts
from peninsula.io.results import ChunkResult

OUTCOME_DTYPE = np.float32  # per-run outcome series as kept for, and read by, a summary


def chunk_bounds(n_runs: int, chunk_runs: int) -> list[tuple[int, int]]:
    chunk_runs = max(1, int(chunk_runs))
    return [(a, min(a + chunk_runs, n_runs)) for a in range(0, n_runs, chunk_runs)]


def simulate_range(setup, start: int, stop: int, record_monthly: bool, record_events: bool,
                   compact: bool = False) -> ChunkResult:
    """Simulate runs start..stop-1 (one chunk, in a worker); ``compact``: outcomes only."""
    res = simulate_chunk(setup, np.arange(start, stop), record_monthly, record_events)
    return compact_result(res) if compact else res


def simulate_to_parts(setup, start: int, stop: int, parts_dir: str, record_monthly: bool,
                      record_events: bool) -> int:
    """Simulate one chunk and write its parts (io/parts.py) in the worker; returns the number
    of runs."""
    res = simulate_chunk(setup, np.arange(start, stop), record_monthly, record_events)
    return parts.write_chunk(res, setup, start, stop, parts_dir, record_monthly, record_events)


def compact_result(res: ChunkResult) -> ChunkResult:
    """Outcomes only, in OUTCOME_DTYPE, without the sampled parameters: what a summary needs.

    About 0.3 KB per run, so a million-run ensemble fits in a few hundred MB.
    """
    def f32(a):
        return a.astype(OUTCOME_DTYPE)

    return ChunkResult(res.run_ids, None, res.first_month, f32(res.launches_by_year),
                       f32(res.patrols_by_year), f32(res.launch_days_by_year),
                       {k: f32(v) for k, v in res.yearly.items()}, res.monthly, res.events)


def run_chunks(setup, n_runs: int, *, chunk_runs: int = DEFAULT_CHUNK_RUNS,
               executor: Executor | None = None, workers: int = 1, record_monthly: bool = True,
               record_events: bool = True, compact: bool = False,
               progress: Callable[[int], None] | None = None) -> ChunkResult:
    """Simulate runs 0..n_runs-1 and return one joined ``ChunkResult``.

    ``compact`` keeps per-run outcomes only (float32, no parameters): for large ensembles whose
    summary is all that is wanted.
    """
    return run_ensembles({0: setup}, n_runs, chunk_runs=chunk_runs, executor=executor,
                         workers=workers, record_monthly=record_monthly,
                         record_events=record_events, compact=compact, progress=progress)[0]


def run_ensembles(setups: dict, n_runs: int, *, chunk_runs: int = DEFAULT_CHUNK_RUNS,
                  executor: Executor | None = None, workers: int = 1,
                  record_monthly: bool = True, record_events: bool = True,
                  compact: bool = False, progress: Callable[[int], None] | None = None
                  ) -> dict:
    """Runs 0..n_runs-1 of every setup (name -> setup), as name -> joined ``ChunkResult``.

    Every chunk of every setup is submitted before any is awaited, so a pool works on several
    ensembles at once (an explanation's many small ensembles keep every worker busy); each
    chunk's numbers depend on its setup and run ids only, so the results are those of
    ``run_chunks`` one setup at a time.
    """
    bounds = chunk_bounds(n_runs, chunk_runs)
    with using_executor(executor, workers) as pool:
        futures = {name: [pool.submit(simulate_range, setup, a, b, record_monthly,
                                      record_events, compact) for a, b in bounds]
                   for name, setup in setups.items()}
        out = {}
        for name, pending in futures.items():  # in submission order: joined in run order
            joined = Joined(n_runs)
            for i, fut in enumerate(pending):
                part = fut.result()
                pending[i] = None  # the part lives only until it is copied
                joined.add(part)
                if progress:
                    progress(len(part.run_ids))
            out[name] = joined.result()
    return out


def reduce_range(setup, start: int, stop: int, reduce: Callable) -> tuple[int, object]:
    """Simulate runs start..stop-1 without records (in a worker) and return (their number,
    ``reduce(result, setup)``)."""
    return stop - start, reduce(simulate_chunk(setup, np.arange(start, stop), False, False),
                                setup)


def fold_chunks(setup, n_runs: int, reduce: Callable, fold: Callable, *,
                chunk_runs: int = DEFAULT_CHUNK_RUNS, executor: Executor | None = None,
                workers: int = 1, progress: Callable[[int], None] | None = None) -> None:
    """Simulate runs 0..n_runs-1 and keep none of them: each chunk is reduced by
    ``reduce(result, setup)`` where it runs (a module-level function, for worker processes),
    and ``fold(reduced)`` takes the reductions here in run order.

    At most two chunks per worker are in flight, so memory holds those chunks' reductions
    and what ``fold`` keeps, whatever the number of runs.
    """
    bounds = iter(chunk_bounds(n_runs, chunk_runs))
    in_flight = max(2, 2 * int(workers))
    with using_executor(executor, workers) as pool:
        def submit() -> None:  # the next chunk, if any is left
            bound = next(bounds, None)
            if bound is not None:
                pending.append(pool.submit(reduce_range, setup, *bound, reduce))

        pending: deque = deque()
        for _ in range(in_flight):
            submit()
        while pending:
            runs, reduced = pending.popleft().result()
            submit()
            fold(reduced)
            if progress:
                progress(runs)


class Joined:
    """Chunks' results copied, in run order, into arrays for all ``n_runs`` runs, made at the
    first chunk (their trailing shapes and types are the chunk's)."""

    def __init__(self, n_runs: int):
        self.n_runs, self.filled = n_runs, 0
        self.arrays: ChunkResult | None = None

    def add(self, part: ChunkResult) -> None:
        if self.arrays is None:
            self.arrays = _mapped(part, lambda a: np.empty((self.n_runs, *a.shape[1:]), a.dtype))
        a, b = self.filled, self.filled + len(part.run_ids)
        for whole, piece in _pairs(self.arrays, part):
            whole[a:b] = piece
        self.filled = b

    def result(self) -> ChunkResult:
        if self.arrays is None or self.filled != self.n_runs:
            raise ValueError(f"joined {self.filled:,} of {self.n_runs:,} runs")
        return self.arrays


def _mapped(res: ChunkResult, f: Callable) -> ChunkResult:
    """``res`` with ``f`` applied to each of its arrays (None stays None; the dicts of arrays
    key by key), field by field of ChunkResult's declaration."""
    def g(a):
        return None if a is None else f(a)

    return ChunkResult(**{
        field.name: ({k: g(v) for k, v in value.items()} if isinstance(value, dict) else g(value))
        for field in dataclasses.fields(res) for value in [getattr(res, field.name)]})


def _pairs(whole: ChunkResult, part: ChunkResult) -> list[tuple[np.ndarray, np.ndarray]]:
    """The (joined array, chunk's array) pairs of two results of the same layout."""
    pairs = []
    for field in dataclasses.fields(whole):
        w, p = getattr(whole, field.name), getattr(part, field.name)
        pairs += [(w[k], p[k]) for k in w] if isinstance(w, dict) else [(w, p)]
    return [(w, p) for w, p in pairs if w is not None]


def join(parts: list[ChunkResult]) -> ChunkResult:
    """Chunks' results joined in the order given."""
    joined = Joined(sum(len(p.run_ids) for p in parts))
    for part in parts:
        joined.add(part)
    return joined.result()
