"""The Python API: load a scenario, run an ensemble, get tables. The CLI is a thin layer on this.

    import peninsula
    sc = peninsula.load_scenario("baseline").with_levers(exercise_intensity=2)
    ens = peninsula.run(sc, runs=2000, seed=1)
    ens.summary()["p_war"]["10"]; ens.monthly(); ens.events(); ens.to_xarray(); ens.save("out")
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from concurrent.futures import Executor
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd

from peninsula._version import __version__
from peninsula.analysis.metrics import summarize
from peninsula.engine.ensemble import DEFAULT_CHUNK_RUNS, run_chunks
from peninsula.io import store, tables
from peninsula.io.results import MONTHLY_VARS, ChunkResult
from peninsula.model.setup import ModelSetup, build_setup
from peninsula.scenario.loader import Scenario, load_scenario


class Ensemble:
    """The result of ``run``: summary, runs table, monthly state, events, xarray view, save()."""

    def __init__(self, scenario: Scenario, setup: ModelSetup, result: ChunkResult):
        self.scenario, self.setup, self.result = scenario, setup, result

    @property
    def n_runs(self) -> int:
        return len(self.result.run_ids)

    @cached_property
    def _summary(self) -> dict:
        return summarize(self.result, self.setup, self.scenario.name)

    def summary(self) -> dict:
        """Outcome metrics by horizon with 90% intervals (see analysis/metrics.py)."""
        return self._summary

    def months(self) -> list[str]:
        return tables.month_labels(self.setup)

    def runs_table(self) -> pd.DataFrame:
        """One row per run: run id and the run's sampled parameter values."""
        return tables.runs_table(self.result)

    def monthly(self, runs: slice | None = None) -> pd.DataFrame:
        """Long table: run, month index, date, then every state variable (actor and dyad).

        ``runs`` selects a slice of runs (by position) to keep memory bounded.
        """
        return tables.monthly_table(self.result, self.setup, runs)

    def events(self) -> pd.DataFrame:
        """Event log: run, month, date, actor, target, event type, CAMEO root, Goldstein, count."""
        return tables.events_table(self.result, self.setup)

    def to_xarray(self):
        """xarray Dataset with dims (run, month) and one variable per monthly state variable."""
        import xarray as xr

        m = self.result.monthly
        if m is None:
            raise ValueError("monthly state was not recorded")
        coords = {"run": self.result.run_ids, "month": np.arange(m.shape[1]),
                  "date": ("month", self.months())}
        data = {name: (("run", "month"), m[:, :, k]) for k, name in enumerate(MONTHLY_VARS)}
        return xr.Dataset(data, coords=coords, attrs={"scenario": self.scenario.name,
                                                      "seed": self.setup.seed})

    def manifest(self, command: str | None = None, files: list[str] | None = None) -> dict:
        """What a result folder holds and how to make it again (``files``: those written)."""
        return {
            "peninsula_version": __version__,
            "scenario": self.scenario.name,
            "scenario_source": self.scenario.source,
            "scenario_sha256": self.scenario.hash(),
            "seed": self.setup.seed,
            "runs": self.n_runs,
            "horizon_months": self.setup.horizon,
            "command": command if command is not None else " ".join(sys.argv),
            "files": list(tables.RESULT_FILES) if files is None else files,
        }

    def save(self, out_dir: str | Path, command: str | None = None) -> Path:
        """Write runs/monthly/events Parquet, summary.json, scenario.toml and manifest.json.

        Each file is written atomically, with the folder locked against other writers; an
        earlier result's files are removed first and the manifest is written last, so a folder
        with a manifest holds one complete result.
        """
        out = Path(out_dir)
        from peninsula.io.parts import clear_previous

        with store.folder_lock(out):
            clear_previous(out)
            store.write_parquet(self.runs_table(), out / "runs.parquet")
            if self.result.monthly is not None:
                step = 1000
                parts = (self.monthly(slice(a, a + step)) for a in range(0, self.n_runs, step))
                store.write_parquet_stream(parts, out / "monthly.parquet")
            if self.result.events is not None:
                store.write_parquet(self.events(), out / "events.parquet")
            _finish_folder(self, out, command)
        return out


def _finish_folder(ens: Ensemble, out: Path, command: str | None) -> None:
    """Summary, scenario and, last, the manifest listing the files present."""
    store.write_json(ens.summary(), out / "summary.json")
    store.write_text(ens.scenario.to_toml(), out / "scenario.toml")
    files = [f for f in tables.RESULT_FILES if (out / f).is_file()]
    store.write_json(ens.manifest(command, files), out / tables.MANIFEST)


def run_to_dir(scenario: Scenario, out_dir: str | Path, *, workers: int = 1,
               executor: Executor | None = None, chunk_runs: int = DEFAULT_CHUNK_RUNS,
               record_monthly: bool = True, record_events: bool = True, resume: bool = False,
               progress: Callable[[int], None] | None = None,
               posterior: pd.DataFrame | None = None, command: str | None = None,
               on_resume: Callable[[int, int], None] | None = None,
               kernel: str = "auto") -> Ensemble:
    """Run an ensemble straight to a folder, chunk by chunk, resumable after an interruption.

    Each worker writes its chunk's Parquet parts; the final runs/monthly/events tables, the
    summary and the manifest are assembled in run order once every chunk is done. The folder
    is locked for the run (a second writer gets ``store.FolderBusy``); a fresh run first
    removes an earlier result's files. Returns an Ensemble holding the per-run outcomes (the
    monthly table stays on disk).
    """
    out = Path(out_dir)
    with store.folder_lock(out):
        return _run_to_locked_dir(scenario, out, workers=workers, executor=executor,
                                  chunk_runs=chunk_runs, record_monthly=record_monthly,
                                  record_events=record_events, resume=resume,
                                  progress=progress, posterior=posterior, command=command,
                                  on_resume=on_resume, kernel=kernel)


def _run_to_locked_dir(scenario: Scenario, out: Path, *, workers, executor, chunk_runs,
                       record_monthly, record_events, resume, progress, posterior, command,
                       on_resume, kernel) -> Ensemble:
    from peninsula.engine.ensemble import chunk_bounds, simulate_to_parts
    from peninsula.engine.executors import using_executor
    from peninsula.io import parts as P

    setup = build_setup(scenario, posterior=posterior, kernel=kernel)
    bounds = chunk_bounds(scenario.runs, chunk_runs)
    from peninsula.engine.simulate import resolve_kernel

    # chunks from another version or monthly step must not be mixed into one result
    plan = {"scenario_sha256": scenario.hash(), "seed": setup.seed, "runs": scenario.runs,
            "peninsula_version": __version__, "kernel": resolve_kernel(kernel),
            "chunk_runs": chunk_runs, "record_monthly": record_monthly,
            "record_events": record_events,
            "posterior": None if posterior is None else int(pd.util.hash_pandas_object(
                posterior, index=False).sum())}
    parts_dir, resuming = P.prepare(out, plan, resume)
    done = [b for b in bounds if P.is_done(parts_dir, *b)]
    if on_resume and resuming:
        on_resume(len(done), len(bounds))
    if progress:
        progress(sum(b - a for a, b in done))
    todo = [b for b in bounds if b not in done]
    with using_executor(executor, workers) as pool:
        futures = [pool.submit(simulate_to_parts, setup, a, b, str(parts_dir),
                               record_monthly, record_events) for a, b in todo]
        for fut in futures:
            n = fut.result()
            if progress:
                progress(n)
    (out / tables.MANIFEST).unlink(missing_ok=True)
    result = P.assemble(out, parts_dir, bounds)
    ens = Ensemble(scenario, setup, result)
    _finish_folder(ens, out, command)
    P.clean(parts_dir)
    return ens


def run(scenario: Scenario | str = "baseline", *, runs: int | None = None, seed: int | None = None,
        horizon_months: int | None = None, workers: int = 1, executor: Executor | None = None,
        chunk_runs: int = DEFAULT_CHUNK_RUNS, record_monthly: bool = True,
        record_events: bool = True, progress: Callable[[int], None] | None = None,
        posterior: pd.DataFrame | None = None, compact: bool = False,
        kernel: str = "auto") -> Ensemble:
    """Run an ensemble of ``runs`` futures of ``scenario`` (a Scenario or a bundled name/file).

    ``posterior`` (parameter-named columns, e.g. from ``peninsula calibrate``) supplies each
    run's values of those parameters in place of their prior ranges. ``kernel`` picks the
    monthly step ('auto', 'numba' or 'numpy'); the kernels agree to a last-bit tolerance and
    each is bit-identical to itself on one CPU family (docs/performance.md).
    """
    sc = load_scenario(scenario) if isinstance(scenario, str | Path) else scenario
    settings = {k: v for k, v in (("runs", runs), ("seed", seed),
                                  ("horizon_months", horizon_months)) if v is not None}
    if settings:
        sc = sc.with_settings(**settings)
    setup = build_setup(sc, posterior=posterior, kernel=kernel)
    result = run_chunks(setup, sc.runs, chunk_runs=chunk_runs, executor=executor, workers=workers,
                        record_monthly=record_monthly, record_events=record_events,
                        compact=compact, progress=progress)
    return Ensemble(sc, setup, result)
