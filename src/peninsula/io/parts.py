"""Runs written to a folder in parts: one set of Parquet files per chunk, resumable.

Each chunk's worker writes its own parts (runs, monthly, events, outcomes) atomically, the
outcomes part last, so a chunk counts as finished exactly when its outcomes part exists. An
interrupted run (Ctrl-C, a killed worker or process, a full disk) continues with
``resume=True``: finished chunks are kept, the rest are computed, and the final tables are
assembled from the parts in run order, so they are identical to an uninterrupted run's. A plan
file guards against resuming with a different scenario, seed, size or chunking.

A finished result is never lost: a new result is assembled in a staging folder (``STAGE``)
beside it and only swapped in once complete, manifest and all (``install``). The swap moves the
files in and the manifest last; if it is cut short, the next command on the folder finishes it
(``recover``), so the folder holds the old result or the new one, whole.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq

from peninsula.io import store, tables

PARTS = ".parts"
PLAN = "plan.json"
STAGE = ".new-result"  # a new result being assembled; swapped in whole (install)
MONTHLY_SLICE = 1000  # runs per row group of the monthly table


class ResumeError(ValueError):
    """The folder's unfinished run cannot be resumed as asked (or must not be overwritten)."""


def stem(start: int, stop: int) -> str:
    return f"chunk-{start:010d}-{stop:010d}"


def is_done(parts_dir: Path, start: int, stop: int) -> bool:
    return (parts_dir / f"{stem(start, stop)}.outcomes.parquet").is_file()


def write_chunk(res, setup, start: int, stop: int, parts_dir: str | Path,
                record_monthly: bool, record_events: bool) -> int:
    """Write a simulated chunk's parts (in the worker that computed it), the outcomes part
    last; returns the number of runs."""
    parts = Path(parts_dir)
    s = stem(start, stop)
    store.write_parquet(tables.runs_table(res), parts / f"{s}.runs.parquet")
    if record_monthly:
        n = stop - start
        frames = (tables.monthly_table(res, setup, slice(a, a + MONTHLY_SLICE))
                  for a in range(0, n, MONTHLY_SLICE))
        store.write_parquet_stream(frames, parts / f"{s}.monthly.parquet")
    if record_events:
        store.write_parquet(tables.events_table(res, setup), parts / f"{s}.events.parquet")
    store.write_parquet(tables.outcomes_table(res), parts / f"{s}.outcomes.parquet")
    return stop - start


def prepare(out_dir: Path, plan: dict, resume: bool) -> tuple[Path, bool]:
    """Create or check the parts folder; returns (parts_dir, resuming). Call with the
    folder locked (store.folder_lock), after ``recover``. A finished result in the folder is
    left in place (``install`` replaces it once the new one is complete)."""
    parts = out_dir / PARTS
    plan_file = parts / PLAN
    try:
        old = store.read_json_object(plan_file) if parts.is_dir() else None
    except ValueError as exc:
        raise ResumeError(f"{exc}; the interrupted run there cannot be resumed: delete {parts} "
                          "to start afresh, or choose another --out folder") from None
    if old is not None:
        if not resume:
            raise ResumeError(f"{out_dir}: holds an unfinished run; continue it with --resume "
                              "or choose another --out folder")
        diff = [k for k in plan if old.get(k) != plan[k]]
        if diff:
            raise ResumeError(f"{out_dir}: cannot resume: {', '.join(diff)} differ from the "
                              "interrupted run")
        for folder in (out_dir, parts):  # a kill mid-write leaves .NAME.*.pen.tmp behind
            store.remove_stale_temps(folder)
        return parts, True
    check_replaceable(out_dir)
    store.remove_tree(parts)  # chunks without a plan belong to no run
    store.remove_stale_temps(out_dir)
    parts.mkdir(parents=True, exist_ok=True)
    store.write_json(plan, plan_file)
    return parts, False


def finished_plan_differs(out_dir: Path, plan: dict) -> list[str] | None:
    """For ``--resume`` on a folder with no unfinished run: None if it holds no finished
    result (a fresh start), [] if it holds a finished result of this very plan (nothing to
    do), else the plan's keys that differ (ResumeError if its manifest is damaged)."""
    try:
        manifest = store.read_json_object(out_dir / tables.MANIFEST)
    except ValueError as exc:
        raise ResumeError(f"{exc}; cannot tell whether --resume matches the result there: run "
                          "without --resume to replace it, or choose another --out folder"
                          ) from None
    if manifest is None:
        return None
    done = manifest.get("plan")
    if not isinstance(done, dict):  # a result saved from memory or by an older version
        done = {k: manifest.get(k) for k in ("scenario_sha256", "seed", "runs")}
    return [k for k in plan if k in done and done[k] != plan[k]]


def check_replaceable(out_dir: Path) -> None:
    """Refuse (ResumeError) a folder whose files are not a result of this package's to replace:
    a sweep's folder, or result-named files that no manifest vouches for."""
    if (out_dir / tables.SWEEP_PLAN).exists():
        raise ResumeError(f"{out_dir}: holds a sweep's results; choose another --out folder")
    try:
        listed = store.read_json_object(out_dir / tables.MANIFEST)
    except ValueError:
        listed = {}  # a damaged manifest is ours: its result files may be replaced
    if listed is not None:
        return
    found = [f for f in tables.RESULT_FILES if (out_dir / f).exists()]
    if found:
        raise ResumeError(f"{out_dir}: holds {', '.join(found)} without the manifest.json of a "
                          "complete result (an interrupted save, or files of another program); "
                          "remove them or choose another --out folder")


def clear_previous(out_dir: Path) -> None:
    """Make ``out_dir`` ready to stage a new result (folder locked, after ``recover``): refuse a
    folder that is not ours to replace (``check_replaceable``) or that holds an unfinished run
    (its finished chunks would be lost); remove stale temporary files. The previous result
    stays until ``install`` swaps the new one in."""
    check_replaceable(out_dir)
    if (out_dir / PARTS / PLAN).exists():
        raise ResumeError(f"{out_dir}: holds an unfinished run; continue it with --resume or "
                          "choose another --out folder")
    store.remove_tree(out_dir / PARTS)
    store.remove_stale_temps(out_dir)


def stage(out_dir: Path) -> Path:
    """An empty staging folder for a new result of ``out_dir`` (folder locked)."""
    folder = out_dir / STAGE
    store.remove_tree(folder)
    folder.mkdir(parents=True)
    return folder


def recover(out_dir: Path) -> None:
    """Finish what an interrupted command left (folder locked): a staged result with its
    manifest is complete and is swapped in; a staging folder without one is removed."""
    folder = out_dir / STAGE
    if not folder.is_dir():
        return
    try:
        staged = store.read_json_object(folder / tables.MANIFEST)
    except ValueError:
        staged = None
    if staged is None:
        store.remove_tree(folder)
        return
    install(out_dir)
    try:  # the chunks the staged result was made from, if the kill came before their removal
        chunks = store.read_json_object(out_dir / PARTS / PLAN)
    except ValueError:
        chunks = None
    if chunks is not None and chunks == staged.get("plan"):
        store.remove_tree(out_dir / PARTS)


def install(out_dir: Path) -> None:
    """Swap the complete staged result in for the folder's previous one: drop the old
    manifest, move each new file in, remove the old result's other files, move the manifest
    in last, remove the staging folder. Ctrl-C waits until the swap is done; after a kill,
    ``recover`` finishes it (the staged manifest says which files are the new result's)."""
    folder = out_dir / STAGE
    staged = store.read_json_object(folder / tables.MANIFEST) or {}
    files = [f for f in staged.get("files", []) if f in tables.RESULT_FILES]
    with deferred_interrupt():
        (out_dir / tables.MANIFEST).unlink(missing_ok=True)
        for name in files:
            if (folder / name).is_file():  # absent: moved in before an interruption
                os.replace(folder / name, out_dir / name)
        store.remove_files(out_dir, [f for f in tables.RESULT_FILES if f not in files])
        os.replace(folder / tables.MANIFEST, out_dir / tables.MANIFEST)
        store.remove_tree(folder)


@contextlib.contextmanager
def deferred_interrupt() -> Iterator[None]:
    """Hold Ctrl-C (SIGINT) until the block ends, then raise it (main thread only)."""
    if threading.current_thread() is not threading.main_thread() or \
            signal.getsignal(signal.SIGINT) is None:
        yield
        return
    caught: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda signum, frame: caught.append(signum))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
    if caught and previous != signal.SIG_IGN:
        if callable(previous):
            previous(signal.SIGINT, None)  # Python's own handler raises KeyboardInterrupt
        else:
            raise KeyboardInterrupt


def finished(out_dir: Path) -> tuple[int, int] | None:
    """(finished chunks, all chunks) of the unfinished run in ``out_dir``, or None."""
    try:
        plan = store.read_json_object(out_dir / PARTS / PLAN)
        total = -(-int(plan["runs"]) // int(plan["chunk_runs"]))
    except (ValueError, KeyError, TypeError):
        return None
    return len(list((out_dir / PARTS).glob("*.outcomes.parquet"))), total


def _concat(paths: list[Path], target: Path) -> None:
    def frames():
        for path in paths:
            pf = pq.ParquetFile(path)
            for i in range(pf.num_row_groups):
                yield pf.read_row_group(i).to_pandas()

    store.write_parquet_stream(frames(), target)


def assemble(target: Path, parts: Path, bounds: list[tuple[int, int]]):
    """Rebuild the per-run result (parameters and outcomes) from the parts and write the
    monthly and events tables (run order) into ``target`` (the staging folder); the caller
    writes runs.parquet, which adds the per-run outcomes computed from the result."""
    stems = [stem(a, b) for a, b in bounds]
    outcomes = pd.concat([pd.read_parquet(parts / f"{s}.outcomes.parquet") for s in stems],
                         ignore_index=True)
    runs = pd.concat([pd.read_parquet(parts / f"{s}.runs.parquet") for s in stems],
                     ignore_index=True)
    result = tables.result_from_outcomes(outcomes, runs.drop(columns="run").to_numpy())
    for kind in ("monthly", "events"):
        paths = [parts / f"{s}.{kind}.parquet" for s in stems]
        if all(p.is_file() for p in paths):
            _concat(paths, target / f"{kind}.parquet")
    return result


def clean(parts: Path) -> None:
    """Remove the parts of a finished run (renamed aside first: never half a parts folder)."""
    store.remove_tree(parts)
