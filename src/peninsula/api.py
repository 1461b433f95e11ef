"""The Python API: load a scenario, run an ensemble, get tables. The CLI is a thin layer on this.

    import peninsula
    sc = peninsula.load_scenario("baseline").with_levers(exercise_intensity=2)
    ens = peninsula.run(sc, runs=2000, seed=1)
    ens.summary()["p_war"]["10"]; ens.monthly(); ens.events(); ens.to_xarray(); ens.save("out")

Studies take Python values and every one that draws random numbers takes a ``seed``:

    from peninsula import api
    table = api.sweep(grid={"levers.exercise_intensity": [0, 1, 2]}, runs=500, seed=1)
    api.compare_frame(api.compare(policies=["status-quo", "dual-track"], runs=500, seed=1))
    api.explain_frame(api.explain(runs=300, seed=1))
    found = api.discover(runs=2000, seed=1); api.discover_frame(found)
    api.box_frame(api.inspect_box(found, 10))

``sweep`` returns a data frame; ``compare``, ``explain`` and ``discover`` return the dicts of
the command line's JSON, and their ``*_frame`` companions lay them out as tidy data frames.
A bad input raises a ValueError of the package (``InputError``, ``ScenarioError``,
``SweepError``, ``ResumeError``, ``FolderBusy``, ``PosteriorError``, ``EventFileError``)
whose message is the command line's, one line naming the option or key at fault.
"""

from __future__ import annotations

import functools
import itertools
import reprlib
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import Executor
from functools import cached_property
from pathlib import Path
from typing import TypeVar

import numpy as np
import pandas as pd

from peninsula._version import __version__
from peninsula.analysis import frames
from peninsula.analysis.backtest_defaults import DEFAULT_DRAWS, DEFAULT_RUNS
from peninsula.analysis.metrics import per_run_outcomes, summarize, summarize_runs
from peninsula.analysis.sweep import SweepError
from peninsula.engine.ensemble import DEFAULT_CHUNK_RUNS, run_chunks
from peninsula.engine.execution import Execution, execution_of
from peninsula.io import store, tables
from peninsula.io.events import EventFileError
from peninsula.io.parts import ResumeError
from peninsula.io.posterior import PosteriorError
from peninsula.io.results import MONTHLY_VARS, ChunkResult
from peninsula.io.store import FolderBusy
from peninsula.model.setup import ModelSetup, build_setup
from peninsula.scenario.errors import ScenarioError
from peninsula.scenario.loader import Scenario, load_scenario
from peninsula.scenario.vintage import AT_TRAIN_END

__all__ = [
    # running ensembles
    "Ensemble", "SummaryOnly", "FinishedFolder", "Scenario", "load_scenario", "run", "run_to_dir",
    "scenario_for", "check_engine", "Execution", "write_summary",
    "write_table", "read_posterior", "tension_from_events", "folder_state",
    # studies and their data frames
    "sweep", "sweep_design", "compare", "compare_frame", "policies", "resolve_policies",
    "policy_scenario", "fan", "fan_of", "sensitivity", "sensitivity_plan", "discover",
    "discover_plan", "discover_frame", "inspect_box", "box_frame", "optimize",
    "optimize_plan", "pareto", "pareto_plan", "explain", "explain_frame",
    "explained_mechanisms", "explain_ensembles",
    # evidence, history and data
    "calibrate", "prior_sensitivity", "backtest", "backtest_vintage", "expert_reference", "rolling_origins",
    "rolling_backtest", "ingest_events", "fit_arms_race", "history_tables", "history_table",
    "history_sources", "parameters", "rivalries_table", "rivalries_fit", "rivalries_fit_of",
    "rivalries_load_fit", "rivalries_predict", "rivalries_show", "rivalries_check",
    "rivalries_save_fit", "rivalries_korea", "rivalries_priors", "rivalries_ladder_priors",
    "calibrate_bundle", "calibrated_posterior", "strategy_evidence",
    # errors: each a ValueError whose message is the command line's one line
    "InputError", "ScenarioError", "SweepError", "ResumeError", "FolderBusy",
    "PosteriorError", "EventFileError",
    "__version__",
]


def __dir__() -> list[str]:
    """The public names only: the modules and names imported here are not part of the API."""
    return sorted(__all__)


class InputError(ValueError):
    """A bad argument or input, raised with the command line's one-line message (the option
    or key at fault and what is allowed). Scenarios' problems are ``ScenarioError``s."""


_F = TypeVar("_F", bound=Callable)


def _package_errors(func: _F) -> _F:
    """A plain ValueError from the layers below (their input checks) leaves the API as an
    InputError with the same message, so callers can tell the package's refusals apart from
    Python's own errors; the package's other error types pass unchanged."""

    @functools.wraps(func)
    def checked(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except ValueError as exc:
            if type(exc) is not ValueError:
                raise
            raise InputError(str(exc)) from None

    return checked  # type: ignore[return-value]


def _shown(value: object) -> str:
    """A value as an error message shows it: its repr, shortened to stay one short line."""
    return reprlib.repr(value)


def _whole(value: object, flag: str, least: int | None = None) -> int | None:
    """``value`` as an int (a Python or NumPy integer; None passes), else InputError naming
    the command line's ``flag``: a float or a string is refused rather than rounded."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise InputError(f"{flag} {_shown(value)}: expected a whole number")
    if least is not None and value < least:
        raise InputError(f"{flag} {value}: must be at least {least}")
    return int(value)


def _items(value: object, flag: str, kinds: tuple[type, ...] = (str, Path)) -> list | None:
    """A list of items (names, files) from one item or an iterable of them: a single string
    is one name, never read letter by letter. InputError naming ``flag`` for anything else."""
    if value is None:
        return None
    if isinstance(value, kinds):
        return [value]
    if isinstance(value, Mapping) or not isinstance(value, Iterable):
        raise InputError(f"{flag}: expected a name or a list of names, got {_shown(value)}")
    items = list(value)
    bad = [v for v in items if not isinstance(v, kinds)]
    if bad:
        raise InputError(f"{flag} {_shown(bad[0])}: expected a name")
    return items


def _text(value: object, flag: str) -> str:
    """``value`` if it is text, else InputError naming ``flag``."""
    if not isinstance(value, str):
        raise InputError(f"{flag} {_shown(value)}: expected text")
    return value


def _number(value: object, flag: str) -> float | None:
    """``value`` as a float (a Python or NumPy number; None passes), else InputError."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | np.number):
        raise InputError(f"{flag} {_shown(value)}: expected a number")
    return float(value)


def _scenario(scenario: object) -> Scenario:
    """A Scenario from a Scenario, a bundled name or a file; InputError for anything else."""
    if isinstance(scenario, Scenario):
        return scenario
    if isinstance(scenario, str | Path):
        return load_scenario(scenario)
    raise InputError(f"scenario: expected a Scenario, a bundled name or a file, got "
                     f"{_shown(scenario)}")


def _grid_design(grid: Mapping) -> pd.DataFrame:
    """Every combination of a grid given in Python, ``{KEY: [V1, V2, ...]}`` (a single value
    stands for a list of one), one per row: the command line's --grid KEY=V1,V2,..."""
    axes: dict[str, list] = {}
    for key, values in grid.items():
        if not isinstance(key, str):
            raise InputError(f"--grid {_shown(key)}: a key is a scenario key such as "
                             "levers.exercise_intensity")
        if isinstance(values, str | bool | int | float | np.generic):
            values = [values]
        elif isinstance(values, Mapping) or not isinstance(values, Iterable):
            raise InputError(f"--grid {key}: expected a list of values, got {_shown(values)}")
        # numbers as the command line reads them (floats), so both forms give one design
        items = [float(v) if isinstance(v, int | float | np.number) and not
                 isinstance(v, bool | np.bool_) else v.item() if isinstance(v, np.generic)
                 else v for v in values]
        if not items:
            raise InputError(f"--grid {key}: no values given")
        bad = [v for v in items if not isinstance(v, str | bool | int | float)]
        if bad:
            raise InputError(f"--grid {key}: {_shown(bad[0])} is not a number, true/false or text")
        axes[key] = items
    return pd.DataFrame(list(itertools.product(*axes.values())), columns=list(axes))


class SummaryOnly:
    """The result of ``run(..., summary_only=True)``: the summary alone. No run is kept: each
    chunk is folded into the summary's statistics as it finishes (analysis/streaming.py), so
    memory does not grow with the number of runs; the numbers are those of
    ``Ensemble.summary()`` bit for bit."""

    def __init__(self, scenario: Scenario, setup: ModelSetup, summary: dict):
        self.scenario, self.setup, self._summary = scenario, setup, summary
        self.n_runs = summary["runs"]

    def summary(self) -> dict:
        return self._summary


class Ensemble:
    """The result of ``run``: summary, runs table, monthly state, events, xarray view, save()."""

    def __init__(self, scenario: Scenario, setup: ModelSetup, result: ChunkResult):
        self.scenario, self.setup, self.result = scenario, setup, result

    @property
    def n_runs(self) -> int:
        return len(self.result.run_ids)

    def __repr__(self) -> str:
        kept = [name for name, arr in (("monthly", self.result.monthly),
                                       ("events", self.result.events)) if arr is not None]
        return (f"Ensemble(scenario={self.scenario.name!r}, runs={self.n_runs:,}, "
                f"seed={self.setup.seed}, horizon_months={self.setup.horizon}, "
                f"kept={'+'.join(['outcomes', *kept])})")

    @cached_property
    def _summary(self) -> dict:
        return summarize(self.result, self.setup, self.scenario.name)

    def summary(self) -> dict:
        """Outcome metrics by horizon with 90% intervals (see analysis/metrics.py): each
        probability with ``intervals_90`` (how sure the simulation is: Monte Carlo) and
        ``parameter_intervals_90`` (how sure the evidence lets us be: its range across the
        parameter draws), with ``parameter_source``, ``runs_per_parameter_draw`` and
        ``parameter_draws`` saying what that range rests on."""
        return self._summary

    def months(self) -> list[str]:
        return tables.month_labels(self.setup)

    def outcomes(self) -> pd.DataFrame:
        """One row per run with every outcome of the summary (analysis/metrics.py
        ``outcome_columns``): first months of clash, war and nuclear use (null if never
        reached), and at each horizon whether each rung was reached and the summary's
        metrics. A column's mean is the summary's value."""
        return per_run_outcomes(self.result, self.setup)

    def runs_table(self) -> pd.DataFrame:
        """One row per run: run id, the run's sampled parameter values (none when the
        ensemble ran compact), then its outcomes (``outcomes``): the table of runs.parquet."""
        outcomes = self.outcomes()
        return pd.concat([tables.runs_table(self.result),
                          outcomes.drop(columns="run")], axis=1)

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
            raise InputError("monthly state was not recorded: run with record_monthly=True")
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

        Each file is written atomically, with the folder locked against other writers. The
        new result is assembled beside the folder's previous one and swapped in only once
        complete, the manifest last, so a folder with a manifest holds one complete result and
        an interruption leaves the previous result whole. A folder holding an unfinished run
        is refused (``ResumeError``): its finished chunks are not this call's to delete.
        """
        out = Path(out_dir)
        from peninsula.io import parts as P

        with store.folder_lock(out):
            P.recover(out)
            P.clear_previous(out)
            stage = P.stage(out)
            try:
                if self.result.monthly is not None:
                    step = 1000
                    frames = (self.monthly(slice(a, a + step))
                              for a in range(0, self.n_runs, step))
                    store.write_parquet_stream(frames, stage / "monthly.parquet")
                if self.result.events is not None:
                    store.write_parquet(self.events(), stage / "events.parquet")
                _finish_folder(self, stage, command)
            except BaseException:
                store.remove_tree(stage)  # not complete: the previous result stays
                raise
            P.install(out)
        return out


class FinishedFolder:
    """A result folder that already held the finished result asked for (``run_to_dir`` with
    ``resume=True`` and the same plan): nothing was run and nothing rewritten."""

    def __init__(self, folder: Path, manifest: dict):
        self.folder, self.manifest = folder, manifest

    @property
    def n_runs(self) -> int:
        return int(self.manifest["runs"])

    def summary(self) -> dict:
        """The summary stored in the folder (summary.json)."""
        return store.read_json_object(self.folder / "summary.json") or {}


def _finish_folder(ens: Ensemble, out: Path, command: str | None,
                   plan: dict | None = None) -> None:
    """Runs table (parameters and outcomes), summary, scenario and, last, the manifest
    listing the files present (with ``plan``, the run's resume plan, so that a later
    ``--resume`` can tell whether it asks for this very result)."""
    store.write_parquet(ens.runs_table(), out / "runs.parquet")
    store.write_json(ens.summary(), out / "summary.json")
    store.write_text(ens.scenario.to_toml(), out / "scenario.toml")
    files = [f for f in tables.RESULT_FILES if (out / f).is_file()]
    manifest = ens.manifest(command, files)
    if plan is not None:
        manifest["plan"] = plan
    store.write_json(manifest, out / tables.MANIFEST)


@_package_errors
def run_to_dir(scenario: Scenario | str, out_dir: str | Path, *, runs: int | None = None,
               seed: int | None = None, workers: int = 1,
               executor: Executor | None = None, chunk_runs: int = DEFAULT_CHUNK_RUNS,
               record_monthly: bool = True, record_events: bool = True, resume: bool = False,
               progress: Callable[[int], None] | None = None,
               posterior: pd.DataFrame | None = None, command: str | None = None,
               on_resume: Callable[[int, int], None] | None = None,
               kernel: str = "auto", execution: Execution | None = None
               ) -> Ensemble | FinishedFolder:
    """Run an ensemble straight to a folder, chunk by chunk, resumable after an interruption.

    Each worker writes its chunk's Parquet parts; the final runs/monthly/events tables, the
    summary and the manifest are assembled in run order once every chunk is done, in a
    staging folder, and swapped in for the folder's previous result only when complete: an
    interruption or a write error (a full disk) never loses a finished result, and the
    finished chunks stay for ``resume``. The folder is locked for the run (a second writer
    gets ``store.FolderBusy``). With ``resume``: an unfinished run of the same plan continues
    (another plan: ``ResumeError``); a finished result of the same plan is left as it is and
    returned as a ``FinishedFolder``; one of another plan is refused (``ResumeError``).
    Returns an Ensemble holding the per-run outcomes (the monthly table stays on disk).
    ``runs`` and ``seed``, when given, replace the scenario's. ``execution`` (an
    ``Execution``), when given, says how to run in place of workers, executor, chunk_runs,
    kernel, progress and resume.
    """
    scenario = scenario_for(scenario, runs=runs, seed=seed)
    out = Path(out_dir)
    how = execution_of(execution, executor=executor, workers=workers, chunk_runs=chunk_runs,
                       resume=resume, progress=progress, kernel=kernel)
    with store.folder_lock(out), how.running() as how:
        return _run_to_locked_dir(scenario, out, how, record_monthly=record_monthly,
                                  record_events=record_events, posterior=posterior,
                                  command=command, on_resume=on_resume)


def _run_to_locked_dir(scenario: Scenario, out: Path, execution: Execution, *, record_monthly,
                       record_events, posterior, command, on_resume) -> Ensemble | FinishedFolder:
    from peninsula.engine.ensemble import chunk_bounds, simulate_to_parts
    from peninsula.engine.executors import using_executor
    from peninsula.io import parts as P

    kernel, chunk_runs, resume, progress = (execution.kernel, execution.chunk_runs,
                                            execution.resume, execution.progress)
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
    P.recover(out)  # a swap cut short by a kill is finished first
    if resume and not (out / P.PARTS / P.PLAN).exists():
        differ = P.finished_plan_differs(out, plan)
        if differ:
            raise P.ResumeError(f"{out}: cannot resume: {', '.join(differ)} differ from the "
                                "finished result there; run without --resume to replace it, "
                                "or choose another --out folder")
        if differ == []:
            if progress:
                progress(scenario.runs)  # every run is done already
            return FinishedFolder(out, store.read_json_object(out / tables.MANIFEST) or {})
    parts_dir, resuming = P.prepare(out, plan, resume)
    done = [b for b in bounds if P.is_done(parts_dir, *b)]
    if on_resume and resuming:
        on_resume(len(done), len(bounds))
    if progress:
        progress(sum(b - a for a, b in done))
    todo = [b for b in bounds if b not in done]
    with using_executor(execution.pool, execution.workers) as pool:
        futures = [pool.submit(simulate_to_parts, setup, a, b, str(parts_dir),
                               record_monthly, record_events) for a, b in todo]
        for fut in futures:
            n = fut.result()
            if progress:
                progress(n)
    stage = P.stage(out)
    try:
        result = P.assemble(stage, parts_dir, bounds)
        ens = Ensemble(scenario, setup, result)
        _finish_folder(ens, stage, command, plan)
    except BaseException:
        store.remove_tree(stage)  # not complete: the previous result and the chunks stay
        raise
    P.clean(parts_dir)  # the staged result is complete: recover() would swap it in
    P.install(out)
    return ens


@_package_errors
def run(scenario: Scenario | str = "baseline", *, runs: int | None = None, seed: int | None = None,
        horizon_months: int | None = None, workers: int = 1, executor: Executor | None = None,
        chunk_runs: int = DEFAULT_CHUNK_RUNS, record_monthly: bool = True,
        record_events: bool = True, progress: Callable[[int], None] | None = None,
        posterior: pd.DataFrame | None = None, compact: bool = False,
        kernel: str = "auto", execution: Execution | None = None,
        summary_only: bool = False) -> Ensemble | SummaryOnly:
    """Run an ensemble of ``runs`` futures of ``scenario`` (a Scenario or a bundled name/file).

    ``posterior`` (parameter-named columns, e.g. from ``peninsula calibrate``) supplies each
    parameter draw's values of those parameters (one row per block of
    ``runs_per_parameter_draw`` runs) in place of their prior ranges. ``kernel`` picks the
    monthly step ('auto', 'numba' or 'numpy'); the kernels agree to a last-bit tolerance and
    each is bit-identical to itself on one CPU family (docs/performance.md). ``execution`` (an
    ``Execution``), when given, says how to run in place of workers, executor, chunk_runs,
    kernel and progress. ``summary_only``: keep no run, return the summary alone
    (``SummaryOnly``), in memory that does not grow with ``runs``.
    """
    sc = _scenario(scenario)
    settings = {k: v for k, v in (("runs", _whole(runs, "--runs", 1)),
                                  ("seed", _whole(seed, "--seed", 0)),
                                  ("horizon_months", _whole(horizon_months, "horizon_months", 1)))
                if v is not None}
    if settings:
        sc = sc.with_settings(**settings)
    how = execution_of(execution, executor=executor, workers=workers, chunk_runs=chunk_runs,
                       progress=progress, kernel=kernel)
    with how.running() as how:
        setup = build_setup(sc, posterior=posterior, kernel=how.kernel)
        if summary_only:
            return SummaryOnly(sc, setup, summarize_runs(setup, sc.runs, sc.name,
                                                         **how.ensemble_keywords()))
        result = run_chunks(setup, sc.runs, record_monthly=record_monthly,
                            record_events=record_events, compact=compact,
                            **how.ensemble_keywords())
    return Ensemble(sc, setup, result)


def write_summary(summary: Mapping, out_dir: str | Path) -> Path:
    """Replace the summary of the result in ``out_dir`` (summary.json) with ``summary``, e.g.
    the run's summary with its explanation added: under the folder's lock and atomically, so
    a reader sees the old summary or the new one, never a part. Returns the file's path."""
    path = Path(out_dir) / "summary.json"
    with store.folder_lock(Path(out_dir)):
        store.write_json(summary, path)
    return path


def write_table(table: pd.DataFrame, path: str | Path) -> Path:
    """Write ``table`` as one Parquet file (no index), atomically: the file appears under its
    name only when complete, and a failed write leaves any earlier file there untouched."""
    store.write_parquet(table, Path(path))
    return Path(path)


@_package_errors
def read_posterior(path: str | Path) -> pd.DataFrame:
    """The posterior table at ``path`` (Parquet, e.g. from ``peninsula calibrate``) for
    ``run``'s ``posterior``, checked column by column before any work: PosteriorError naming
    --posterior, the file and the problem."""
    from peninsula.io.posterior import read_posterior as read

    try:
        return read(path)
    except PosteriorError as exc:
        raise PosteriorError(f"--posterior {exc}") from None


@_package_errors
def tension_from_events(path: str | Path) -> float:
    """The starting tension (state.tension) implied by the latest months of an event table
    written by ``peninsula events ingest``; EventFileError naming the file when it cannot be
    used."""
    from peninsula.io.events import tension_from_file

    return tension_from_file(path)


def folder_state(out_dir: str | Path) -> dict:
    """What runs into ``out_dir`` have left there: ``chunks_done`` of ``chunks`` of a run under
    way (both None when none is), ``complete`` (a finished result is there) and ``files``, the
    result files its manifest lists."""
    from peninsula.io.parts import finished

    out = Path(out_dir)
    done = finished(out)
    manifest = out / tables.MANIFEST
    try:
        files = (store.read_json_object(manifest) or {}).get("files", [])
    except ValueError:  # a damaged manifest lists nothing
        files = []
    return {"chunks_done": None if done is None else done[0],
            "chunks": None if done is None else done[1],
            "complete": manifest.is_file(), "files": files}


# --- studies, history and data: every command of the command line has its function here -------

@_package_errors
def scenario_for(scenario: Scenario | str | Path = "baseline", *, runs: int | None = None,
                 seed: int | None = None, overrides: list[str] | None = None) -> Scenario:
    """A Scenario from a Scenario, a bundled name or a file, with ``--set``-style overrides
    (a KEY=VALUE string or a list of them) and the run count and seed replaced when given."""
    overrides = _items(overrides, "--set", (str,))
    sc = (load_scenario(scenario, overrides or []) if isinstance(scenario, str | Path)
          else _scenario(scenario).with_overrides(overrides) if overrides
          else _scenario(scenario))
    settings = {k: v for k, v in (("runs", _whole(runs, "--runs", 1)),
                                  ("seed", _whole(seed, "--seed", 0))) if v is not None}
    return sc.with_settings(**settings) if settings else sc


@_package_errors
def check_engine(kernel: str = "auto", executor_kind: str = "local") -> None:
    """A known kernel and executor kind, or ValueError naming the option (checked as an
    ``Execution`` checks them)."""
    Execution(kernel=kernel, executor_kind=executor_kind)


@_package_errors
def sweep_design(scenario: Scenario, grid: Mapping | list[str] | str | None = None,
                 design: str | Path | pd.DataFrame | None = None) -> pd.DataFrame:
    """The checked design of a sweep: a grid, a design (CSV path or table), or the
    scenario's ``[study]`` grid or design. Every point is checked against the scenario.

    A grid is a dict of Python values, ``{"levers.exercise_intensity": [0, 1, 2]}``, or the
    command line's ``--grid`` strings, ``["levers.exercise_intensity=0,1,2"]``; either way
    every combination of its values is a point."""
    from peninsula.analysis.sweep import point_scenarios, study_design

    if grid and design is not None:
        raise SweepError("give either --grid (one or more) or --design, not both")
    if isinstance(grid, Mapping) and grid:
        table = _grid_design(grid)
        point_scenarios(scenario, table, "--grid")
        return table
    if isinstance(design, pd.DataFrame):
        point_scenarios(scenario, design, "design")
        return design
    if grid is not None and not isinstance(grid, str | Mapping | list | tuple):
        raise InputError(f"--grid: expected a dict {{KEY: [V1, V2, ...]}} or KEY=V1,V2,... "
                         f"strings, got {_shown(grid)}")
    return study_design(scenario, _items(grid or None, "--grid", (str,)), design)[0]


@_package_errors
def sweep(scenario: Scenario | str = "baseline", grid: Mapping | list[str] | str | None = None,
          design: str | Path | pd.DataFrame | None = None, *, runs: int | None = None,
          seed: int | None = None, workers: int = 1, executor: Executor | None = None,
          chunk_runs: int = DEFAULT_CHUNK_RUNS, out_dir: str | Path | None = None,
          resume: bool = False, kernel: str = "auto",
          progress: Callable[[int], None] | None = None,
          on_resume: Callable[[int, int], None] | None = None,
          paired_against: int | None = None, execution: Execution | None = None
          ) -> pd.DataFrame:
    """One ensemble per design point (same runs and seed), the points from ``grid`` (a dict
    of Python values or ``--grid`` strings: ``sweep_design``) or ``design``; a data frame with
    one row per point: the point's settings, the metrics of analysis/metrics.py and their
    standard errors (``NAME_se``); with ``paired_against`` (a
    point number) also each metric's paired difference against that point, run by run on
    common random numbers, and its 90% interval (``NAME_diff``, ``NAME_diff_p05``,
    ``NAME_diff_p95``). ``out_dir`` keeps every finished point (resumable). The labels of
    the metric and lever columns in words are in ``attrs["labels"]``.
    ``execution``: an ``Execution`` in place of the keywords it covers."""
    from peninsula.analysis.sweep import run_sweep

    sc = scenario_for(scenario, runs=runs, seed=seed)
    table = sweep_design(sc, grid, design)
    how = execution_of(execution, executor=executor, workers=workers, chunk_runs=chunk_runs,
                       resume=resume, kernel=kernel, progress=progress)
    with how.running() as how:
        result = run_sweep(sc, table, out_dir=out_dir, resume=how.resume, on_resume=on_resume,
                           with_se=True, paired_against=paired_against, execution=how)
    return frames.attach_labels(result, result.columns, _label_source())


@_package_errors
def policies(file: str | Path | None = None) -> dict:
    """Named lever sets: the bundled policies, or every policy of a TOML policy file
    (scenario/policies.py); name -> Policy (description, levers)."""
    from peninsula.scenario.policies import bundled_policies, read_policy_file

    return bundled_policies() if file is None else read_policy_file(file)


@_package_errors
def resolve_policies(refs: list[str]) -> list:
    """The policies named by ``--policy`` values: bundled names or TOML files (every policy
    of a file); ScenarioError naming the file, policy and lever at fault."""
    from peninsula.scenario.policies import resolve_policies as resolve

    return resolve(refs)


@_package_errors
def policy_scenario(scenario: Scenario, policy) -> Scenario:
    """The scenario with a policy's levers set (a Policy of ``resolve_policies``), as
    ``compare`` runs it; problems name the policy and its source."""
    from peninsula.analysis.compare import policy_scenario as with_policy

    return with_policy(scenario, policy)


@_package_errors
def fan(scenario: Scenario | str = "baseline", policy: str | None = None, *,
        runs: int | None = None, seed: int | None = None, workers: int = 1,
        overrides: list[str] | None = None, execution: Execution | None = None) -> dict:
    """The fan charts' data of one ensemble (analysis/fan.py), with the policy's levers set
    when one is named (a bundled policy or a TOML file holding one policy): keys ``months``,
    ``cumulative``, ``ladder``, ``years``, ``yearly``, and the provenance ``scenario``,
    ``policy``, ``runs``, ``seed``.
    ``execution``: an ``Execution`` in place of the keywords it covers."""
    from peninsula.analysis.compare import policy_scenario

    sc = scenario_for(scenario, runs=runs, seed=seed, overrides=overrides)
    if policy is not None:
        if not isinstance(policy, str | Path):
            raise InputError(f"--policy {_shown(policy)}: expected one policy's name or file")
        found = resolve_policies([policy])
        if len(found) != 1:
            raise ValueError(f"--policy {policy}: names {len(found)} policies; give one")
        sc = policy_scenario(sc, found[0])
    return fan_of(run(sc, workers=workers, record_monthly=True, record_events=False,
                      execution=execution), policy)


@_package_errors
def fan_of(ens: Ensemble, policy: str | None = None) -> dict:
    """The fan charts' data of an ensemble run with its monthly state (as ``fan``), so that one
    ensemble serves a summary and its fan charts."""
    from peninsula.analysis.fan import fan_data

    return {**fan_data(ens.result, ens.setup), "scenario": ens.scenario.name, "policy": policy,
            "runs": ens.n_runs, "seed": ens.setup.seed}


@_package_errors
def compare(scenario: Scenario | str = "baseline", policies: list | None = None, *,
            runs: int | None = None, seed: int | None = None, workers: int = 1,
            executor: Executor | None = None, chunk_runs: int = DEFAULT_CHUNK_RUNS,
            kernel: str = "auto", progress: Callable[[int], None] | None = None,
            execution: Execution | None = None) -> dict:
    """Run each policy (Policy objects, bundled names or files) on the same runs and seed
    (common random numbers: run i of every policy draws the same uncertainties and noise)
    and report each outcome per policy and as paired differences against the first, with
    90% intervals (analysis/compare.py): keys ``policies`` and ``differences``.
    ``execution``: an ``Execution`` in place of the keywords it covers."""
    from peninsula.analysis.compare import compare as run_compare
    from peninsula.scenario.policies import Policy

    resolved: list[Policy] = []
    for ref in _items(policies, "--policy", (str, Path, Policy)) or ["status-quo",
                                                                       "dual-track"]:
        resolved += [ref] if isinstance(ref, Policy) else resolve_policies([str(ref)])
    sc = scenario_for(scenario, runs=runs, seed=seed)
    if sc.runs < 2:
        raise InputError(f"--runs {sc.runs}: a paired comparison needs at least 2 runs")
    how = execution_of(execution, executor=executor, workers=workers, chunk_runs=chunk_runs,
                       kernel=kernel, progress=progress)
    with how.running() as how:
        return run_compare(sc, resolved, execution=how)


@_package_errors
def sensitivity_plan(scenario: Scenario, factors: list[str] | None = None, samples: int = 64,
                     method: str = "sobol", second_order: bool = False, levels: int = 4,
                     metrics: list[str] | None = None, then_sobol: int | None = None,
                     sobol_samples: int = 64) -> tuple[list, list[str], int]:
    """The checked factors and metrics of a sensitivity study and the design points it runs
    (each of ``scenario.runs`` runs). Factors and metrics: the arguments, else the scenario's
    ``[study]`` table, else every uncertain parameter and the headline metrics. With
    ``then_sobol`` K (Morris only) the points include the Sobol study of the K survivors."""
    from peninsula.analysis import sensitivity as SA
    from peninsula.analysis.sensitivity_methods import method_of

    factors, metrics = _items(factors, "--factor", (str,)), _items(metrics, "--metric", (str,))
    how = method_of(method)
    if second_order and not how.second_order and then_sobol is None:
        raise ValueError("--second-order: Sobol only; drop it or use --method sobol")
    if then_sobol is not None and not how.screens:
        raise ValueError("--then-sobol: follows a Morris screening; use --method morris")
    chosen = SA.scenario_factors(scenario, factors)
    if how.given_data:
        SA.check_given_data(scenario, chosen)
    points = SA.design_size(method, len(chosen), samples, False if then_sobol else
                            second_order, levels)
    if then_sobol is not None:
        if not 1 <= then_sobol <= len(chosen):
            raise ValueError(f"--then-sobol: keep between 1 and {len(chosen)} factors, not "
                             f"{then_sobol}")
        points += SA.design_size("sobol", then_sobol, sobol_samples, second_order)
    return chosen, SA.check_metrics(scenario, metrics), points


@_package_errors
def sensitivity(scenario: Scenario | str = "baseline", factors: list[str] | None = None,
                samples: int = 64, *, method: str = "sobol", metrics: list[str] | None = None,
                second_order: bool = False, levels: int = 4, runs: int = 200,
                seed: int | None = None, workers: int = 1, executor: Executor | None = None,
                chunk_runs: int = DEFAULT_CHUNK_RUNS, out_dir: str | Path | None = None,
                resume: bool = False, kernel: str = "auto",
                progress: Callable[[int], None] | None = None,
                on_resume: Callable[[int, int], None] | None = None,
                then_sobol: int | None = None, sobol_samples: int = 64,
                execution: Execution | None = None):
    """Which uncertain inputs drive each metric (SALib): Sobol S1/ST (and S2) with 95%
    intervals, Morris mu*/sigma, or delta (one ensemble: Borgonovo's delta, S1 and extra-trees
    feature scores). ``then_sobol`` K: a Morris screening of every factor, then Sobol
    (N = ``sobol_samples``) of the K it ranks first. Returns analysis.sensitivity.Sensitivity
    (indices, pairs, convergence check, warnings, the screening if any). Factors and metrics
    default to the scenario's ``[study]`` table.
    ``execution``: an ``Execution`` in place of the keywords it covers."""
    from peninsula.analysis import sensitivity as SA

    sc = scenario_for(scenario, runs=runs, seed=seed)
    chosen, metrics, _ = sensitivity_plan(sc, factors, samples, method, second_order, levels,
                                          metrics, then_sobol, sobol_samples)
    how = execution_of(execution, executor=executor, workers=workers, chunk_runs=chunk_runs,
                       resume=resume, kernel=kernel, progress=progress)
    with how.running() as how:
        if then_sobol is not None:
            result, _ = SA.run_screening(sc, chosen, samples, then_sobol, sobol_samples,
                                         metrics=metrics, levels=levels,
                                         second_order=second_order, out_dir=out_dir,
                                         resume=how.resume, on_resume=on_resume,
                                         execution=how)
            return result
        result, _ = SA.run_sensitivity(sc, chosen, samples, metrics=metrics, method=method,
                                       second_order=second_order, levels=levels,
                                       out_dir=out_dir, resume=how.resume,
                                       on_resume=on_resume, execution=how)
    return result


@_package_errors
def discover_plan(scenario: Scenario, outcome: str, threshold: float | None = None,
                  policy: list[str] | None = None, factors: list[str] | None = None
                  ) -> tuple[Scenario, object]:
    """The scenario under the policy (named policies or lever settings KEY=VALUE) and the
    parsed outcome, with the factors, checked before any run."""
    from peninsula.analysis import discovery as D

    policy = _items(policy, "--policy", (str, Path))
    sc = D.apply_policy(scenario, [str(p) for p in policy or []])
    parsed = D.check_discovery(sc, _text(outcome, "--outcome"),
                               _number(threshold, "--threshold"))
    factors = _items(factors, "--factor", (str,))
    D.check_factors(sc, factors)
    return sc, parsed


@_package_errors
def discover(scenario: Scenario | str = "baseline", outcome: str = "war within 10 years", *,
             threshold: float | None = None, policy: list[str] | None = None,
             runs: int | None = None, seed: int | None = None, cart: bool = False,
             workers: int = 1, executor: Executor | None = None,
             chunk_runs: int = DEFAULT_CHUNK_RUNS, kernel: str = "auto",
             progress: Callable[[int], None] | None = None,
             factors: list[str] | None = None, execution: Execution | None = None) -> dict:
    """Scenario discovery: PRIM (EMA Workbench) over one ensemble's sampled parameters (or
    ``factors`` of them) for a
    yes/no outcome ("war within 10 years", or a metric with ``threshold``), under ``policy``
    (KEY=VALUE lever settings). Returns base_rate, box (limits, qp, coverage, density, mass),
    trajectory (the coverage-density trade-off) and, with ``cart``, CART's leaves.

    The box and every box of the trajectory also say whether they are a finding: ``lift``
    (density / base rate), ``res_dim``, each limit's ``prior_ranges`` and ``share_removed``;
    ``warnings`` holds plain sentences when the chosen box is no finding (a lift below 2, a
    limit removing less than 20% of its range). ``inspect_box`` gives any box of the
    trajectory; ``discover_frame`` and ``box_frame`` lay the result out as data frames.
    ``execution``: an ``Execution`` in place of the keywords it covers."""
    from peninsula.analysis import discovery as D

    policy = _items(policy, "--policy", (str, Path))
    factors = _items(factors, "--factor", (str,))
    sc = scenario_for(scenario, runs=runs, seed=seed)
    sc, parsed = discover_plan(sc, outcome, threshold, policy, factors)
    how = execution_of(execution, executor=executor, workers=workers, chunk_runs=chunk_runs,
                       kernel=kernel, progress=progress)
    with how.running() as how:
        found, x, _ = D.run_discovery(sc, outcome, threshold=threshold, cart=cart,
                                      factors=factors, execution=how)
    out = {"scenario": sc.name, "runs": sc.runs, "seed": sc.seed, "outcome": outcome,
           "metric": parsed.metric, "threshold": parsed.threshold,
           "policy": list(policy or []), "factors": list(x.columns),
           "base_rate": found.base_rate, "box": found.box, "trajectory": found.trajectory,
           "warnings": found.warnings}
    if cart:
        out["cart"] = found.cart
    return out


@_package_errors
def inspect_box(result: dict, i: int) -> dict:
    """Box ``i`` of a discovery's trajectory (``discover``'s result), as EMA Workbench's
    ``inspect`` shows it: ``index``, its limits with their prior ranges and shares removed,
    quasi-p values, coverage, density, mass, lift, the number of limits, the base rate and
    ``warnings`` when it is no finding. InputError naming ``--inspect`` and the boxes there
    are (0..len(trajectory) - 1) for any other ``i``."""
    from peninsula.analysis.discovery import inspect_box as inspect

    return {**inspect(result["trajectory"], i), "base_rate": result["base_rate"]}


def _label_source() -> Callable[[str], str | None]:
    """The registry of what is reported, as a name -> label lookup (label with unit, None
    for a name it does not word) for the data frames' ``attrs["labels"]``: the columns keep
    the JSON's keys, the words are there for whoever shows the frame."""
    from peninsula.analysis.registry import label_for

    return label_for


@_package_errors
def compare_frame(result: dict) -> pd.DataFrame:
    """``compare``'s result as a data frame: one row per policy and metric, each policy's
    level beside its paired difference against the reference (analysis/frames.py)."""
    return frames.compare_frame(result, _label_source())


@_package_errors
def explain_frame(result: dict) -> pd.DataFrame:
    """``explain``'s result as a data frame: one row per part (levels, total, channel,
    interaction, mechanism) and outcome, with paired 90% intervals (analysis/frames.py)."""
    return frames.explain_frame(result, _label_source())


@_package_errors
def discover_frame(result: dict) -> pd.DataFrame:
    """``discover``'s trajectory as a data frame: one row per box (coverage, density, mass,
    lift, number of limits, the chosen one marked; analysis/frames.py)."""
    return frames.discover_frame(result, _label_source())


@_package_errors
def box_frame(box: dict) -> pd.DataFrame:
    """A box's limits (``discover``'s ``box`` or ``inspect_box``'s result) as a data frame:
    one row per parameter with its prior range, share removed and quasi-p values."""
    return frames.box_frame(box, _label_source())


@_package_errors
def optimize(scenario: Scenario | str = "baseline", levers: list[str] | None = None,
             metric: str | None = None, *, maximize: bool = True, population: int = 16,
             generations: int = 6, runs: int = 1000, seed: int | None = None,
             workers: int = 1, executor: Executor | None = None,
             chunk_runs: int = DEFAULT_CHUNK_RUNS, out_dir: str | Path | None = None,
             resume: bool = False, kernel: str = "auto",
             progress: Callable[[int], None] | None = None,
             execution: Execution | None = None) -> dict:
    """Search lever settings for the best expected metric across the uncertainty
    (cross-entropy; the winner checked on a new seed). Levers and the metric default to the
    scenario's ``[study]`` table, then to the stability index.
    ``execution``: an ``Execution`` in place of the keywords it covers."""
    from peninsula.analysis import optimize as O

    sc = scenario_for(scenario, runs=runs, seed=seed)
    ranges, metric = optimize_plan(sc, levers, metric)
    how = execution_of(execution, executor=executor, workers=workers, chunk_runs=chunk_runs,
                       resume=resume, kernel=kernel, progress=progress)
    with how.running() as how:
        best, _ = O.run_optimisation(sc, ranges, metric, maximize=maximize,
                                     population=population, generations=generations,
                                     out_dir=out_dir, resume=how.resume, execution=how)
    return best


@_package_errors
def optimize_plan(scenario: Scenario, levers: list[str] | None = None,
                  metric: str | None = None) -> tuple[list, str]:
    """The checked lever ranges and metric of a search (each range within what the scenario
    allows)."""
    from peninsula.analysis import optimize as O
    from peninsula.analysis.sweep import check_metric

    return _lever_ranges(scenario, levers), check_metric(scenario,
                                                         O.study_metric(scenario, metric))


def _lever_ranges(scenario: Scenario, levers: list[str] | None) -> list:
    from peninsula.analysis import optimize as O

    levers = _items(levers, "--lever", (str,))
    ranges = O.study_levers(scenario, levers)
    source = "--lever" if levers else "study.levers"
    scenario.with_values([(lv.key, lv.low) for lv in ranges], source)
    scenario.with_values([(lv.key, lv.high) for lv in ranges], source)
    return ranges


@_package_errors
def pareto_plan(scenario: Scenario, levers: list[str] | None, objectives: list[str],
                robustness: str = "mean", satisfice: list[str] | None = None
                ) -> tuple[list, list]:
    """The checked lever ranges and objectives of a many-objective search (analysis/pareto.py:
    objectives as NAME, NAME:max or NAME:min; thresholds as NAME<=V)."""
    from peninsula.analysis.pareto import parse_objectives

    return (_lever_ranges(scenario, levers),
            parse_objectives(scenario, _items(objectives, "--objective", (str,)) or [],
                             robustness, _items(satisfice, "--satisfice", (str,))))


@_package_errors
def pareto(scenario: Scenario | str = "baseline", levers: list[str] | None = None,
           objectives: list[str] | None = None, *, robustness: str = "mean",
           satisfice: list[str] | None = None, population: int = 16, generations: int = 6,
           runs: int = 1000, seed: int | None = None, workers: int = 1,
           executor: Executor | None = None, chunk_runs: int = DEFAULT_CHUNK_RUNS,
           out_dir: str | Path | None = None, resume: bool = False, kernel: str = "auto",
           progress: Callable[[int], None] | None = None,
           execution: Execution | None = None) -> dict:
    """Robust many-objective search (NSGA-II, NSGA-III from four objectives): the lever
    settings no evaluated setting beats on every objective, each objective's per-run values
    over the uncertainty ensemble reduced by ``robustness`` (mean, regret or satisficing).
    Keys: objectives, pareto (rows of levers and objectives), generations, population, runs,
    seed. ``execution``: an ``Execution`` in place of the keywords it covers."""
    from peninsula.analysis.pareto import run_pareto

    sc = scenario_for(scenario, runs=runs, seed=seed)
    ranges, chosen = pareto_plan(sc, levers, list(objectives or []), robustness, satisfice)
    how = execution_of(execution, executor=executor, workers=workers, chunk_runs=chunk_runs,
                       resume=resume, kernel=kernel, progress=progress)
    with how.running() as how:
        result, _ = run_pareto(sc, ranges, chosen, population=population,
                               generations=generations, out_dir=out_dir, resume=how.resume,
                               execution=how)
    return result


@_package_errors
def explained_mechanisms() -> tuple[str, ...]:
    """The mechanisms ``explain`` switches off one at a time (the activity's channels apart)."""
    from peninsula.analysis.explain import EXPLAINED

    return EXPLAINED


@_package_errors
def explain_ensembles(mechanisms: Sequence[str] | None = None, full: bool = False) -> int:
    """How many ensembles ``explain`` runs at most (for a progress bar), with these
    ``mechanisms`` (default all) and ``full`` (the scenario's own ensemble given)."""
    from peninsula.analysis.explain import EXPLAINED, ensembles

    return ensembles(EXPLAINED if mechanisms is None else tuple(mechanisms), full)


@_package_errors
def explain(scenario: Scenario | str = "baseline", runs: int = 2000, workers: int = 1,
            progress: Callable[[int], None] | None = None, against: dict | None = None,
            reference: dict | None = None, executor: Executor | None = None, *,
            seed: int | None = None, execution: Execution | None = None,
            mechanisms: Sequence[str] | None = None, full: Ensemble | None = None) -> dict:
    """What the alliance's activity does through each channel, every channel against the same
    counterfactual (``against``: no activity by default), and what each other mechanism adds
    (on minus off), on common random numbers: analysis/explain.py. ``seed``: the root seed of
    every ensemble (default: the scenario's), so the same seed gives the same answer. Its
    ensembles run together on ``executor`` (a caller's pool, kept warm between calls) or a
    pool of ``workers``. ``explain_frame`` lays the result out as a data frame.
    ``execution``: an ``Execution`` in place of the keywords it covers. ``mechanisms``: the
    mechanisms to switch off one at a time (default ``explained_mechanisms()``; an empty list:
    the channels alone, half the ensembles). ``full``: the scenario's own ensemble, already
    run by ``run`` with these runs and seed, used instead of running it again."""
    from peninsula.analysis.explain import EXPLAINED
    from peninsula.analysis.explain import explain as run_explain

    runs = _whole(runs, "--runs", 1)
    mechanisms = EXPLAINED if mechanisms is None else tuple(_items(mechanisms, "mechanisms",
                                                                   (str,)))
    unknown = [m for m in mechanisms if m not in EXPLAINED]
    if unknown:
        raise InputError(f"mechanisms: {', '.join(map(repr, unknown))} not among the "
                         f"explained mechanisms: {', '.join(EXPLAINED)}")
    for name, given in (("against", against), ("reference", reference)):
        if given is not None and not isinstance(given, Mapping):
            raise InputError(f"{name}: expected a dict of levers and values, got {_shown(given)}")
    sc = scenario_for(scenario, seed=seed)
    if full is not None:
        _check_full(full, sc, runs, reference)
    how = execution_of(execution, executor=executor, workers=workers, progress=progress)
    with how.running() as how:
        return run_explain(sc, runs, mechanisms, against=against, reference=reference,
                           execution=how, full=None if full is None else full.result)


def _check_full(full: object, sc: Scenario, runs: int, reference: dict | None) -> None:
    """``explain``'s ``full``: an Ensemble of runs 0..runs-1 of this very scenario and seed
    at the default reference, whose parameters are those ``explain`` would draw."""
    from peninsula.engine.random import RunStreams
    from peninsula.engine.simulate import sample_parameters

    if not isinstance(full, Ensemble):
        raise InputError(f"full: expected the Ensemble that run() returned, got {_shown(full)}")
    why = ("a reference is given (full is run at the default)" if reference is not None
           else f"it has {full.n_runs} runs, not {runs}" if full.n_runs != runs
           else "its scenario (levers, mechanisms, parameters or seed) differs"
           if full.scenario.with_settings(runs=runs).hash() != sc.with_settings(runs=runs).hash()
           else None)
    if why is None and full.result.params.size:  # a compact ensemble keeps no parameters
        setup = build_setup(sc)
        drawn = sample_parameters(setup, RunStreams(setup.seed, np.arange(runs)))
        if not np.array_equal(drawn, full.result.params):
            why = "its parameter draws differ (another posterior or parameter table)"
    if why is not None:
        raise InputError(f"full: not the scenario's own ensemble for explain: {why}")


@_package_errors
def calibrate(train_until: int = 2019, draws: int = DEFAULT_DRAWS, accept: float = 0.02,
              seed: int = 1, workers: int = 1, method: str = "apmc",
              ladder: bool = False, *, execution: Execution | None = None,
              out_file: str | Path | None = None) -> pd.DataFrame:
    """Posterior samples of the launch-process and testing-campaign parameters from
    2006..train_until (ABC: adaptive population Monte Carlo, or rejection); with ``ladder``
    jointly with the escalation ladder's hazards, fitted also to the coded clash and war years.
    ``execution``: an ``Execution`` in place of ``workers``. ``out_file``: the posterior is
    also written there (Parquet, atomically, as ``write_table``; ``run --posterior`` reads
    it), only once the calibration has finished."""
    from peninsula.analysis.backtest import calibrate as run_calibrate

    with execution_of(execution, workers=workers).running() as how:
        post = run_calibrate(train_until, draws, accept, seed, method=method, ladder=ladder,
                             execution=how)
    if out_file is not None:
        write_table(post, out_file)
    return post


@_package_errors
def calibrate_bundle(draws: int = DEFAULT_DRAWS, seed: int = 1, workers: int = 1,
                     folder: str | Path | None = None, *,
                     execution: Execution | None = None) -> dict:
    """Calibrate the launch process and the ladder jointly on the whole record (2006 to the
    record's last year) and write the result as the package's bundled posterior, which
    ensembles use by default (scenario/calibrated.py); ``folder`` writes it elsewhere. Returns
    the bundle's metadata (its vintage and settings) with the files written.
    ``execution``: an ``Execution`` in place of ``workers``."""
    from peninsula.analysis.backtest import bundle_meta
    from peninsula.analysis.backtest import calibrate as run_calibrate
    from peninsula.analysis.record import LAST_YEAR
    from peninsula.io.posterior import write_bundle
    from peninsula.scenario.calibrated import FOLDER

    with execution_of(execution, workers=workers).running() as how:
        post = run_calibrate(LAST_YEAR, draws, 0.02, seed, ladder=True, execution=how)
    meta = bundle_meta(post)
    files = write_bundle(post, FOLDER if folder is None else folder, meta)
    return {**meta, "files": [str(f) for f in files], "draws_kept": len(post)}


def calibrated_posterior() -> dict | None:
    """The bundled calibrated posterior's metadata (its vintage: the record's years and hash,
    the priors it was fitted under, the settings) and its parameters; None when none is
    bundled."""
    from peninsula.scenario import calibrated

    meta, found = calibrated.metadata(), calibrated.bundled()
    if meta is None or found is None:
        return None
    return {**meta, "parameters": list(found[1]), "draws": int(found[0].shape[0])}


@_package_errors
def prior_sensitivity(draws: int = 5000, runs: int = 4000, seed: int = 1, workers: int = 1,
                      progress: Callable[[str], None] | None = None, *,
                      execution: Execution | None = None) -> dict:
    """How the baseline's P(war) moves when each prior of the ladder's joint calibration is
    widened (refit on every year of the record): analysis/prior_sensitivity.py.
    ``execution``: an ``Execution`` in place of ``workers``."""
    from peninsula.analysis.prior_sensitivity import prior_sensitivity as run_sensitivity

    with execution_of(execution, workers=workers).running() as how:
        return run_sensitivity(draws, runs, seed, progress=progress, execution=how)


@_package_errors
def backtest(train_until: int = 2019, runs: int = DEFAULT_RUNS, draws: int = DEFAULT_DRAWS,
             accept: float = 0.02, seed: int = 1, posterior: pd.DataFrame | None = None,
             workers: int = 1, rolling: bool = True, first_origin: str = "2012-01",
             horizon_months: int = 12, step: int = 12,
             progress: Callable[[str], None] | None = None, ladder: bool = True,
             prior_sensitivity_draws: int = 0, *,
             execution: Execution | None = None, vintage: int | str | None = AT_TRAIN_END
             ) -> dict:
    """Replay 2006-2025 with historical levers, calibrated on the training years; skill
    scores against the benchmark count models on the held-out years; with ``rolling`` also
    the rolling-origin back-test under the key ``rolling`` (see ``rolling_backtest``). The
    calibration is joint with the ladder's hazards unless ``ladder`` is false; with
    ``prior_sensitivity_draws`` > 0 the result also holds ``prior_sensitivity``.
    ``vintage``: every prior as of that year ("train_until", the default: the training
    window's last year; None: as tabled, not blind); the result's ``vintage`` says which
    parameters it replaced. ``execution``: an ``Execution`` in place of ``workers``; every
    ensemble of the back-test runs on the one executor it opens."""
    from peninsula.analysis.backtest import backtest as run_backtest
    from peninsula.analysis.backtest import backtest_vintage

    backtest_vintage(train_until, vintage)  # a bad year fails before any work
    with execution_of(execution, workers=workers).running() as how:
        result = run_backtest(train_until, runs, draws, accept, seed, posterior, ladder=ladder,
                              vintage=vintage, execution=how)
        if prior_sensitivity_draws > 0:
            result["prior_sensitivity"] = prior_sensitivity(
                prior_sensitivity_draws, runs, seed, progress=progress, execution=how)
        result["expert_reference"] = expert_reference(runs, seed, execution=how)
        if rolling:
            result["rolling"] = rolling_backtest(first_origin, horizon_months, step, runs,
                                                 draws, accept, seed, progress=progress,
                                                 execution=how)
    return result


@_package_errors
def backtest_vintage(train_until: int, vintage: int | str | None = AT_TRAIN_END) -> int | None:
    """The year a back-test takes its priors as of: ``train_until`` for "train_until", a
    year within the record, or None (every prior as tabled); a year outside the record is
    an InputError naming --vintage and the allowed years."""
    from peninsula.analysis.backtest import backtest_vintage as resolve

    return resolve(train_until, vintage)


@_package_errors
def expert_reference(runs: int = 4000, seed: int = 1, workers: int = 1, *,
                     execution: Execution | None = None) -> dict:
    """The ``crisis-2017`` scenario's probabilities of war (and of a clash) at 1, 5 and 10
    years beside the published expert estimates of 2017 (table expert_war_estimates_2017): a
    reference for readers, not a calibration target. ``execution``: an ``Execution`` in place
    of ``workers``."""
    from peninsula.io.history import load_table

    summary = run("crisis-2017", runs=runs, seed=seed, workers=workers, record_monthly=False,
                  record_events=False, compact=True, execution=execution).summary()
    return {"scenario": "crisis-2017", "runs": runs, "seed": seed,
            "p_war": summary["p_war"], "p_clash": summary["p_clash"],
            "p_war_interval_90": summary["intervals_90"]["p_war"],
            "estimates": load_table("expert_war_estimates_2017").to_dict(orient="records")}


@_package_errors
def rolling_origins(first_origin: str = "2012-01", horizon_months: int = 12,
                    step: int = 12) -> list[str]:
    """The forecast origins ('YYYY-MM') of a rolling back-test with these settings; a
    ValueError names the option at fault."""
    from peninsula.analysis.rolling import rolling_origins as origins

    return origins(first_origin, horizon_months, step)


@_package_errors
def rolling_backtest(first_origin: str = "2012-01", horizon_months: int = 12, step: int = 12,
                     runs: int = DEFAULT_RUNS, draws: int = DEFAULT_DRAWS, accept: float = 0.02,
                     seed: int = 1, workers: int = 1,
                     progress: Callable[[str], None] | None = None, *,
                     execution: Execution | None = None) -> dict:
    """Rolling-origin back-test of monthly launch forecasts: at each origin calibrate on the
    years before it, replay the record to it, forecast ``horizon_months`` in the conditional
    and ex-ante modes, and score the model and the benchmark count models the same way.
    Returns {"conditional", "ex_ante"} (each {"model", "benchmarks", "origins"}) and
    "settings". ``execution``: an ``Execution`` in place of ``workers``."""
    from peninsula.analysis.rolling import rolling_backtest as run_rolling

    with execution_of(execution, workers=workers).running() as how:
        return run_rolling(first_origin, horizon_months, step, runs, draws, accept, seed,
                           progress=progress, execution=how)


@_package_errors
def ingest_events(files: list[str | Path], out_file: str | Path | None = None
                  ) -> tuple[pd.DataFrame, dict]:
    """Monthly dyadic Goldstein counts from GDELT or ICEWS-style files, and the ingest report
    (rows read, used, rejected by reason); ``out_file``: also written there (Parquet,
    atomically, as ``write_table``), only once every file was read."""
    from peninsula.io.events import ingest

    dyads, report = ingest(files)
    if out_file is not None:
        write_table(dyads, out_file)
    return dyads, report.as_dict(len(dyads))


@_package_errors
def fit_arms_race(table: pd.DataFrame, x: list[str], y: list[str], at: str = "mid",
                  source: str = "table") -> dict:
    """Richardson's equations fitted to two sides' yearly spending (columns summed per side).
    Raises ValueError naming ``source`` and the column or option at fault."""
    from peninsula.analysis.arms_fit import fit_arms_race as fit

    if at not in ("mid", "start"):
        raise ValueError(f"{source}: --at must be 'mid' or 'start', got {at!r}")
    for side, names in (("x", x), ("y", y)):
        missing = [c for c in names if c not in table.columns]
        if missing or not names:
            raise ValueError(f"{source}: --{side}: unknown column(s) {missing or names}; "
                             f"columns: {', '.join(map(str, table.columns))}")
        bad = [c for c in names
               if not pd.api.types.is_numeric_dtype(table[c]) or table[c].isna().any()]
        if bad:
            raise ValueError(f"{source}: --{side}: column(s) {bad} must be numbers with no gaps")
    if len(table) < 4:
        raise ValueError(f"{source}: need at least 4 years of data, got {len(table)}")
    try:
        return fit(table[x].sum(axis=1).to_numpy(), table[y].sum(axis=1).to_numpy(), at=at)
    except (ValueError, np.linalg.LinAlgError) as exc:
        raise ValueError(f"{source}: cannot fit ({exc})") from None


@_package_errors
def history_tables() -> dict[str, str]:
    """The bundled historical tables: name -> what it holds."""
    from peninsula.io.history import list_tables

    return list_tables()


@_package_errors
def history_table(name: str) -> pd.DataFrame:
    """One bundled historical table; ValueError naming the known tables for another name."""
    from peninsula.io.history import load_table

    if name not in history_tables():
        raise ValueError(f"unknown table {name!r}; known: sources, "
                         f"{', '.join(history_tables())}")
    return load_table(name)


@_package_errors
def history_sources() -> str:
    """The sources of the historical tables (Markdown)."""
    from peninsula.io.history import sources

    return sources()


@_package_errors
def parameters() -> tuple:
    """Every model parameter (scenario/parameters.toml): value, unit, range, basis."""
    from peninsula.scenario.parameters import REGISTRY

    return REGISTRY


# --- the rivalry reference class (analysis/reference_class.py) ----------------------------------

@_package_errors
def rivalries_table(table: str | Path | None = None) -> pd.DataFrame:
    """The rivalry-year table: the bundled one, or a CSV of the same columns (checked)."""
    from peninsula.io.rivalries import load_rivalry_years

    return load_rivalry_years(table)


@_package_errors
def rivalries_fit(train_until: int | None = None, table: str | Path | None = None):
    """Fit the reference-class models on the rivalry-years up to ``train_until`` (default the
    table's last year); returns a ReferenceFit (``.to_dict()`` is its JSON)."""
    from peninsula.analysis.reference_class import fit

    rows = rivalries_table(table)
    first, last = int(rows["year"].min()), int(rows["year"].max())
    if train_until is not None and not first < train_until <= last:
        raise ValueError(f"--train-until must be in {first + 1}..{last} (the table's years), "
                         f"not {train_until}")
    return fit(rows, train_until)


@_package_errors
def rivalries_fit_of(fit, table: str | Path | None = None):
    """``fit`` as a ReferenceFit: itself, the fit file it names, or (None) a fit on every year
    of the table."""
    if fit is None:
        return rivalries_fit(None, table)
    return fit if hasattr(fit, "fits") else rivalries_load_fit(fit)


@_package_errors
def rivalries_load_fit(path: str | Path):
    """A fit written by ``peninsula rivalries fit --out``; ValueError if unreadable."""
    import json

    from peninsula.analysis.reference_class import ReferenceFit

    try:
        return ReferenceFit.from_dict(json.loads(Path(path).read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ValueError(f"{path}: not a reference-class fit ({exc})") from None


@_package_errors
def rivalries_predict(from_year: int, to_year: int, fit=None, table: str | Path | None = None,
                      seed: int = 0, paths: int | None = None) -> dict:
    """Ex-ante yearly probabilities of a new dispute, a new fatal dispute and a war onset for
    every rivalry going at the training end (the JSON of ``peninsula rivalries predict``).

    ``fit``: a ReferenceFit (or the path of one); None fits on every year of the table. A fit
    must come from the same table (its data_sha256)."""
    from peninsula.analysis.reference_class import SIMULATED_PATHS, predict, table_sha256
    from peninsula.io.rivalries import OUTCOMES

    rows = rivalries_table(table)
    fit = rivalries_fit_of(fit, table)
    if fit.data_sha256 != table_sha256(rows):
        raise ValueError("the fit was made from another rivalry table (data_sha256 differs); "
                         "fit again on this table")
    n = SIMULATED_PATHS if paths is None else int(paths)
    pred = predict(fit, rows, from_year, to_year, seed=seed, paths=n)
    keys = ["rivalry_id", "rivalry", "ccode1", "ccode2", "year", *(f"p_{o}" for o in OUTCOMES)]
    return {"trained_until": fit.trained_until, "data_sha256": fit.data_sha256, "seed": seed,
            "paths": n, "predictions": [
                {k: (v.item() if hasattr(v, "item") else v) for k, v in zip(keys, r, strict=True)}
                for r in pred[keys].itertuples(index=False)]}


@_package_errors
def rivalries_show(table: str | Path | None = None) -> dict:
    """What the rivalry-year table holds: rows, rivalries, years, and each outcome's count and
    rate over the in-window rivalry-years, overall and for the Korean rivalry."""
    from peninsula.analysis.reference_class import alive_at
    from peninsula.io.rivalries import OUTCOMES, korean_rivalry

    rows = rivalries_table(table)
    window = rows[rows["in_window"] == 1]
    korea = window[window["rivalry_id"] == korean_rivalry(rows)["rivalry_id"]]

    def counts(part: pd.DataFrame) -> dict:
        return {o: {"events": int(part[o].sum()), "rate": float(part[o].mean())
                    if len(part) else None} for o in OUTCOMES}

    return {"rivalry_years": len(window), "rivalries": int(window["rivalry_id"].nunique()),
            "first_year": int(window["year"].min()), "last_year": int(window["year"].max()),
            "going_at_end": len(alive_at(rows, int(window["year"].max()))),
            "outcomes": counts(window),
            "korea": {"rivalry_years": len(korea), "outcomes": counts(korea)}}


@_package_errors
def rivalries_check(train_until: int = 1985, to_year: int = 2000,
                    table: str | Path | None = None, seed: int = 0) -> dict:
    """The reference class's self-check: train to ``train_until``, predict the later years to
    ``to_year`` ex ante, score against the pooled rate, each rivalry's shrunk own rate and the
    last decade's pooled rate (log loss, Brier, AUC, reliability)."""
    from peninsula.analysis.reference_class import self_check

    rows = rivalries_table(table)
    first, last = int(rows["year"].min()), int(rows["year"].max())
    if not first < train_until < to_year <= last:
        raise ValueError(f"need {first} < --train-until < --to-year <= {last} (the table's "
                         f"years); got {train_until} and {to_year}")
    return self_check(rows, train_until, to_year, seed=seed)


@_package_errors
def rivalries_save_fit(fitted, path: str | Path) -> Path:
    """Write a reference-class fit as JSON (atomically); ``rivalries_load_fit`` reads it."""
    store.write_json(fitted.to_dict(), Path(path))
    return Path(path)


@_package_errors
def rivalries_korea(fit=None, table: str | Path | None = None, seed: int = 0) -> dict:
    """The Korean rivalry's yearly probabilities of a new dispute, a new fatal dispute and a
    war onset under the reference-class posterior (mean and 5/50/95% quantiles), for the year
    after the training end: with the covariates of the record, and with the DPRK's nuclear
    status since its first test (one side nuclear; the ROK, non-nuclear, protected by the US
    treaty): the nuclear contrast the stability-instability paradox is about."""
    from peninsula.analysis.reference_class import dyad_hazards
    from peninsula.io.rivalries import korean_rivalry

    rows = rivalries_table(table)
    fit = rivalries_fit_of(fit, table)
    record = dyad_hazards(fit, rows, seed=seed)
    nuclear = dyad_hazards(fit, rows, overrides={"one_nuclear": 1.0, "both_nuclear": 0.0,
                                                 "protected_sides": 1.0}, seed=seed)
    return {"trained_until": fit.trained_until, "rivalry": korean_rivalry(rows)["rivalry"],
            "as_recorded": record, "dprk_nuclear": nuclear}


@_package_errors
def rivalries_priors(fit=None, table: str | Path | None = None, seed: int = 0,
                     first_arsenal: float | None = None) -> dict:
    """The stability-instability paradox's elasticities (a_SI, w_SI) implied by the reference
    class's nuclear contrasts (one side tested; both sides), with their posterior spread and the
    mapping's assumptions: analysis.reference_class.paradox_priors."""
    from peninsula.analysis.reference_class import FIRST_TEST_ARSENAL, paradox_priors

    fit = rivalries_fit_of(fit, table)
    return paradox_priors(fit, seed=seed,
                          first_arsenal=FIRST_TEST_ARSENAL if first_arsenal is None
                          else first_arsenal)


@_package_errors
def rivalries_ladder_priors(fit=None, table: str | Path | None = None, seed: int = 0,
                            write: bool = False) -> dict:
    """The ladder's incident, hostilities and war hazards' priors and the paradox's elasticities
    derived from the reference class for the DPRK-ROK rivalry (analysis.ladder_priors: the
    mapping's assumptions are each row's basis); ``write`` writes them into the package's
    parameter table (the rows regenerate; the rest of the table is kept)."""
    from peninsula.analysis import ladder_priors
    from peninsula.scenario.parameters import TABLE

    rivalry_table = rivalries_table(table)
    derived = ladder_priors.derive(rivalries_fit_of(fit, table), rivalry_table, seed=seed)
    ladder_priors.check_finite(derived)
    res = ladder_priors.summary(derived)
    if write:
        res["written"] = {"file": TABLE.name,
                          "parameters": ladder_priors.write_rows(TABLE, derived)}
    return res


@_package_errors
def strategy_evidence(until: int | None = None) -> dict:
    """The strategy effects the monthly record 2006..UNTIL can inform: talks and drills on
    launches (negative binomial, profile likelihood in the model's form) and the military
    agreement and talks on armed-clash months (exact conditional Poisson), each on its
    parameter's scale with a 90% interval, the years used and a verdict
    (analysis/strategy_evidence.py)."""
    from peninsula.analysis.strategy_evidence import strategy_evidence as estimate

    return estimate(until)
