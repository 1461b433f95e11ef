"""Runs written to a folder in parts: one set of Parquet files per chunk, resumable.

Each chunk's worker writes its own parts (runs, monthly, events, outcomes) atomically, the
outcomes part last, so a chunk counts as finished exactly when its outcomes part exists. An
interrupted run (Ctrl-C, a killed worker or process) continues with ``resume=True``: finished
chunks are kept, the rest are computed, and the final tables are assembled from the parts in
run order, so they are identical to an uninterrupted run's. A plan file guards against resuming
with a different scenario, seed, size or chunking.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq

from peninsula.io import store, tables

PARTS = ".parts"
PLAN = "plan.json"
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
    folder locked (store.folder_lock)."""
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
    clear_previous(out_dir)
    parts.mkdir(parents=True, exist_ok=True)
    store.write_json(plan, plan_file)
    return parts, False


def clear_previous(out_dir: Path) -> None:
    """Make ``out_dir`` ready for a new result (folder locked): remove the previous result's
    files (those its manifest lists), parts without a plan and stale temporary files. A folder
    holding another command's output, or result-named files that no manifest vouches for, is
    refused (ResumeError) rather than emptied: they may not be this package's to delete."""
    if (out_dir / tables.SWEEP_PLAN).exists():
        raise ResumeError(f"{out_dir}: holds a sweep's results; choose another --out folder")
    manifest = out_dir / tables.MANIFEST
    try:
        listed = store.read_json_object(manifest)
    except ValueError:
        listed = {}  # a damaged manifest is ours: remove every result file
    if listed is not None:
        files = listed.get("files")
        names = [f for f in files if f in tables.RESULT_FILES] if isinstance(files, list) \
            else list(tables.RESULT_FILES)
        store.remove_files(out_dir, [tables.MANIFEST, *names])
    found = [f for f in tables.RESULT_FILES if (out_dir / f).exists()]
    if found:
        raise ResumeError(f"{out_dir}: holds {', '.join(found)} without the manifest.json of a "
                          "complete result (an interrupted save, or files of another program); "
                          "remove them or choose another --out folder")
    store.remove_tree(out_dir / PARTS)  # chunks without a plan belong to no run
    store.remove_stale_temps(out_dir)


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


def assemble(out_dir: Path, parts: Path, bounds: list[tuple[int, int]]):
    """Rebuild the per-run result (parameters and outcomes) from the parts and write the
    monthly and events tables (run order); the caller writes runs.parquet, which adds the
    per-run outcomes computed from the result."""
    stems = [stem(a, b) for a, b in bounds]
    outcomes = pd.concat([pd.read_parquet(parts / f"{s}.outcomes.parquet") for s in stems],
                         ignore_index=True)
    runs = pd.concat([pd.read_parquet(parts / f"{s}.runs.parquet") for s in stems],
                     ignore_index=True)
    result = tables.result_from_outcomes(outcomes, runs.drop(columns="run").to_numpy())
    for kind in ("monthly", "events"):
        paths = [parts / f"{s}.{kind}.parquet" for s in stems]
        if all(p.is_file() for p in paths):
            _concat(paths, out_dir / f"{kind}.parquet")
    return result


def clean(parts: Path) -> None:
    """Remove the parts of a finished run (renamed aside first: never half a parts folder)."""
    store.remove_tree(parts)
