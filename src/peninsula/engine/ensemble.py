"""Run an ensemble: split runs into chunks, simulate them on an executor, join in run order.

Memory is bounded by the chunk size for the stepping itself; monthly records and events, when
asked for, are kept for all runs (float32 and int16).
"""

from __future__ import annotations

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
            parts = []
            for fut in pending:
                part = fut.result()
                parts.append(part)
                if progress:
                    progress(len(part.run_ids))
            out[name] = join(parts)
    return out


def join(parts: list[ChunkResult]) -> ChunkResult:
    def cat(arrays):
        return None if arrays[0] is None else np.concatenate(arrays)

    return ChunkResult(
        run_ids=cat([p.run_ids for p in parts]),
        params=None if parts[0].params is None else cat([p.params for p in parts]),
        first_month={k: cat([p.first_month[k] for p in parts]) for k in parts[0].first_month},
        launches_by_year=cat([p.launches_by_year for p in parts]),
        patrols_by_year=cat([p.patrols_by_year for p in parts]),
        launch_days_by_year=cat([p.launch_days_by_year for p in parts]),
        yearly={k: cat([p.yearly[k] for p in parts]) for k in parts[0].yearly},
        monthly=cat([p.monthly for p in parts]),
        events=cat([p.events for p in parts]),
    )
