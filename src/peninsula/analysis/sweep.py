"""Sweeps: one ensemble per design point (levers, parameters, switches), on any executor.

A design is a table whose columns are scenario keys as ``--set`` takes them
(``levers.exercise_intensity``, ``parameters.launch_drill_effect``, ``mechanisms.preemption``),
one row per point; a grid (``levers.open_communication=0,0.5,1``) is expanded to every
combination. Every point runs the same run ids with the same seed (common random numbers), so
the differences between points are the effect of the change, not sampling noise.

Work is sent to the executor as chunks of runs of every point at once (never one run per
task), so a process pool or a Dask cluster keeps busy across points. With ``out_dir`` each
finished point's summary is written atomically to ``points/point-NNNNN.json`` and the table to
``sweep.csv``/``sweep.parquet`` at the end; an interrupted sweep continues with ``resume`` and
recomputes only unfinished points. Sensitivity samples and optimisation evaluations are sweeps
with a generated design, so they run on the same executors.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import math
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

from peninsula._version import __version__
from peninsula.analysis.metrics import (
    MEAN_METRICS,
    PROBABILITIES,
    outcome_horizons,
    paired_difference,
    per_run_outcomes,
    registry_columns,
    shared_draws,
    summarize,
)
from peninsula.analysis.metrics import metric_names as metric_names_for
from peninsula.engine.ensemble import DEFAULT_CHUNK_RUNS, chunk_bounds, join, simulate_range
from peninsula.engine.execution import Execution, execution_of
from peninsula.engine.executors import SequentialExecutor, using_executor
from peninsula.engine.simulate import resolve_kernel
from peninsula.io import store, tables
from peninsula.io.parts import PARTS
from peninsula.model.setup import build_setup
from peninsula.scenario.errors import Problem, ScenarioError
from peninsula.scenario.loader import Scenario, parse_override
from peninsula.scenario.parameters import NAMES

SECTIONS = ("levers", "parameters", "mechanisms", "state", "actors")
POINTS_IN_FLIGHT = 4  # points whose chunks are queued at once: keeps workers busy, memory bounded


class SweepError(ValueError):
    """A design or an output folder that cannot be used, with the reason."""


def grid(specs: list[str]) -> pd.DataFrame:
    """``["levers.x=0,0.5,1", "mechanisms.y=true,false"]`` -> every combination, one per row."""
    axes: dict[str, list] = {}
    for spec in specs:
        if "=" not in spec:
            raise SweepError(f"--grid {spec!r}: expected KEY=V1,V2,...")
        key, raw = (s.strip() for s in spec.split("=", 1))
        values = [_value(v.strip(), key) for v in raw.split(",") if v.strip()]
        if not values:
            raise SweepError(f"--grid {key}: no values given")
        if key in axes:
            raise SweepError(f"--grid {key}: given twice; list all its values in one --grid "
                             f"{key}=V1,V2,...")
        axes[key] = values
    rows = list(itertools.product(*axes.values()))
    return pd.DataFrame(rows, columns=list(axes))


def _value(raw: str, key: str):
    low = raw.lower()
    if low in ("true", "false"):
        return low == "true"
    try:
        return float(raw)
    except ValueError:
        raise SweepError(f"--grid {key}: {raw!r} is not a number or true/false") from None


def study_design(scenario: Scenario, grid_specs: list[str] | None = None,
                 design: str | Path | None = None) -> tuple[pd.DataFrame, str]:
    """The design of a sweep and where it came from: --grid or --design when given (not both),
    else the scenario's ``[study]`` grid or design; every point is checked against the scenario."""
    if grid_specs and design is not None:
        raise SweepError("give either --grid (one or more) or --design, not both")
    if grid_specs:
        table, label = grid(list(grid_specs)), "--grid"
    elif design is not None:
        table, label = read_design(design), str(design)
    elif scenario.study("grid") and scenario.study("design"):
        raise SweepError("[study]: give either grid or design, not both")
    elif scenario.study("grid"):
        try:
            table, label = grid(scenario.study("grid")), "study.grid"
        except SweepError as exc:
            raise SweepError(f"[study] grid: {exc}".replace("--grid ", "")) from None
    elif scenario.study("design"):
        path = scenario.study_path("design")
        table, label = read_design(path), str(path)
    else:
        raise SweepError("give either --grid (one or more) or --design, or a [study] grid or "
                         "design in the scenario")
    point_scenarios(scenario, table, label)
    return table, label


def read_design(path: str | Path) -> pd.DataFrame:
    """A design table (CSV): one column per scenario key, one row per point."""
    p = Path(path)
    try:
        design = pd.read_csv(p, encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SweepError(f"{p}: the design table is not UTF-8 text (byte {exc.start}); save it "
                         "as UTF-8 CSV") from None
    except FileNotFoundError:
        raise SweepError(f"{p}: cannot read the design table (no such file)") from None
    except (OSError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise SweepError(f"{p}: cannot read the design table ({exc})") from None
    if design.empty:
        raise SweepError(f"{p}: the design has no rows")
    return design


def point_scenarios(scenario: Scenario, design: pd.DataFrame, source: str = "design"
                    ) -> list[Scenario]:
    """The scenario of each design row; an unknown key or a value out of range is reported
    with its column and row."""
    for col in design.columns:
        if col.split(".", 1)[0] not in SECTIONS or "." not in col:
            raise SweepError(f"{source}: column {col!r} is not a scenario key; use "
                             f"SECTION.NAME with SECTION one of {', '.join(SECTIONS)}")
    out = []
    for i, row in enumerate(design.itertuples(index=False)):
        items = [(col, _plain(v)) for col, v in zip(design.columns, row, strict=True)]
        try:
            out.append(scenario.with_values(items, source))
        except ScenarioError as exc:
            problems = [Problem(source, f"row {i + 1}: {p.key}", p.message)
                        for p in exc.problems]
            raise ScenarioError(problems) from None
    return out


def _parameter_modes(scenario: Scenario, design: pd.DataFrame) -> np.ndarray | None:
    """Each point's parameter values (points x P) when the design sets only parameter values
    and every one is a number within its declared range (then a point differs from the base
    setup in those values alone, each fixed as ``--set`` fixes it); None otherwise, and the
    points go through the scenario."""
    names = [c.split(".", 1)[1] if c.startswith("parameters.") else None for c in design.columns]
    if not names or any(n not in NAMES for n in names):
        return None
    try:
        values = design.to_numpy(dtype=float)
    except (TypeError, ValueError):
        return None
    params = scenario["parameters"]
    low = np.array([params[n]["range"][0] for n in names], dtype=float)
    high = np.array([params[n]["range"][1] for n in names], dtype=float)
    if not (np.isfinite(values).all() and (values >= low).all() and (values <= high).all()):
        return None
    modes = np.tile(np.array([params[n]["value"] for n in NAMES], dtype=float), (len(design), 1))
    modes[:, [NAMES.index(n) for n in names]] = values
    return modes


def _plain(v):
    """A design cell as the value --set would parse from it (bool, text or float)."""
    if isinstance(v, bool | np.bool_):
        return bool(v)
    if isinstance(v, str):
        return parse_override(f"v={v}")[1]
    return float(v)


def _plan(scenario: Scenario, design: pd.DataFrame, chunk_runs: int, kernel: str,
          paired_against: int | None = None) -> dict:
    """What a resumed sweep must share with the interrupted one (points of another version or
    monthly step, or paired against another point, must not be mixed into one table)."""
    digest = hashlib.sha256(design.to_csv(index=False).encode()).hexdigest()
    plan = {"scenario_sha256": scenario.hash(), "seed": scenario.seed, "runs": scenario.runs,
            "chunk_runs": chunk_runs, "design_sha256": digest, "points": len(design),
            "peninsula_version": __version__, "kernel": resolve_kernel(kernel)}
    return plan if paired_against is None else plan | {"paired_against": paired_against}


def flat_metrics(summary: dict, with_se: bool = False) -> dict:
    """The headline numbers of a summary as flat columns (one row per point); ``with_se`` adds
    each one's standard error as ``NAME_se`` (binomial for probabilities). A point summary of
    a paired sweep (``paired``) adds ``NAME_diff``, ``NAME_diff_p05`` and ``NAME_diff_p95``:
    the paired difference against the reference point and its 90% interval, which
    ``NAME_diff_low_90`` and ``NAME_diff_high_90`` repeat under names that say so (the interval
    of a mean difference, not percentiles of the runs; the p05/p95 names are kept for scripts)."""
    row = {}
    runs = summary["runs"]
    for key, _ in PROBABILITIES:
        for h, v in summary[key].items():
            row[f"{key}_{h}y"] = v
            if with_se:
                row[f"{key}_{h}y_se"] = (math.sqrt(v * (1.0 - v) / runs)
                                         if v is not None and runs > 0 else math.nan)
    for key in MEAN_METRICS:
        row[key] = summary[key]["mean"]
        if with_se:
            row[f"{key}_se"] = summary[key].get("se", math.nan)
    for name, d in summary.get("paired", {}).items():
        row[f"{name}_diff"], row[f"{name}_diff_p05"], row[f"{name}_diff_p95"] = d
        row[f"{name}_diff_low_90"], row[f"{name}_diff_high_90"] = d[1], d[2]
    return row


def metric_values(result, setup) -> dict[str, np.ndarray]:
    """Per-run values of every registry metric (``p_war_10y``: 0/1 per run; a mean metric:
    its value at the final horizon); each metric is the mean of its array."""
    frame = per_run_outcomes(result, setup)
    columns = registry_columns(*outcome_horizons(setup))
    return {name: frame[col].to_numpy(dtype=float) for name, col in columns.items()}


def metric_names(scenario: Scenario) -> list[str]:
    """The metric columns a sweep of this scenario has a value for."""
    years = scenario.horizon_months // 12
    return metric_names_for([h for h in scenario["metrics"]["horizons_years"] if h <= years])


def check_metric(scenario: Scenario, metric: str) -> str:
    """``metric`` if a sweep of this scenario has it, else ValueError listing those it has."""
    names = metric_names(scenario)
    if metric not in names:
        raise ValueError(f"--metric {metric!r}: not a metric of this scenario; one of "
                         f"{', '.join(names)}")
    return metric


def run_sweep(scenario: Scenario, design: pd.DataFrame, *, executor: Executor | None = None,
              workers: int = 1, chunk_runs: int = DEFAULT_CHUNK_RUNS,
              out_dir: str | Path | None = None, resume: bool = False,
              progress: Callable[[int], None] | None = None, kernel: str = "auto",
              on_resume: Callable[[int, int], None] | None = None,
              with_se: bool = False, paired_against: int | None = None,
              on_point: Callable[[int, dict[str, np.ndarray]], None] | None = None,
              execution: Execution | None = None) -> pd.DataFrame:
    """Run every design point (``scenario.runs`` runs each, same seed) and return one row per
    point: the design columns, then the headline metrics (``flat_metrics``), with ``with_se``
    their standard errors and with ``paired_against`` (a point number) each metric's paired
    difference, run by run, against that point. ``on_point(i, values)`` is given the per-run
    metric values (``metric_values``) of every point computed (not of points read back on
    resume). With ``out_dir`` the folder is locked for the sweep (store.folder_lock).
    ``execution``: an ``Execution`` in place of executor, workers, chunk_runs, kernel and
    progress."""
    how = execution_of(execution, executor=executor, workers=workers, chunk_runs=chunk_runs,
                       kernel=kernel, progress=progress)
    with contextlib.ExitStack() as stack:
        if out_dir is not None:
            stack.enter_context(store.folder_lock(Path(out_dir)))
        return _run_sweep(scenario, design, executor=how.pool, workers=how.workers,
                          chunk_runs=how.chunk_runs, out_dir=out_dir, resume=resume,
                          progress=how.progress, kernel=how.kernel, on_resume=on_resume,
                          with_se=with_se, paired_against=paired_against,
                          on_point=on_point)


def _run_sweep(scenario: Scenario, design: pd.DataFrame, *, executor: Executor | None,
               workers: int, chunk_runs: int, out_dir: str | Path | None, resume: bool,
               progress: Callable[[int], None] | None, kernel: str,
               on_resume: Callable[[int, int], None] | None, with_se: bool,
               paired_against: int | None,
               on_point: Callable[[int, dict[str, np.ndarray]], None] | None
               ) -> pd.DataFrame:
    if paired_against is not None and not 0 <= paired_against < len(design):
        raise SweepError(f"--paired-against {paired_against}: no such point; the design's "
                         f"points are 0..{len(design) - 1}")
    modes = _parameter_modes(scenario, design)
    if modes is None:
        scenarios = point_scenarios(scenario, design)
        n_points = len(scenarios)

        def make_setup(i: int):
            return build_setup(scenarios[i], kernel=kernel)
    else:  # parameter values only, all in range: the base setup with other point values
        base = build_setup(scenario, kernel=kernel)
        n_points = len(modes)
        set_cols = {c.split(".", 1)[1] for c in design.columns}
        fixed = tuple("fixed" if n in set_cols else d for n, d in zip(NAMES, base.param_dist,
                                                                       strict=True))

        def make_setup(i: int):
            return replace(base, param_mode=modes[i], param_dist=fixed)
    runs = scenario.runs  # the same for every point: a design cannot change [scenario]
    points_dir = None
    done: dict[int, dict] = {}
    if out_dir is not None:
        points_dir = _prepare(Path(out_dir),
                              _plan(scenario, design, chunk_runs, kernel, paired_against), resume)
        for i in range(n_points):
            f = points_dir / f"point-{i:05d}.json"
            with contextlib.suppress(ValueError):  # a damaged point is computed again
                point = store.read_json_object(f)
                if point is not None and point.get("runs") == runs:
                    done[i] = point
        if on_resume and resume:
            on_resume(len(done), n_points)
    if progress and done:
        progress(runs * len(done))
    summaries: dict[int, dict] = dict(done)
    with using_executor(executor, workers) as executor:
        todo = _order(n_points, done, paired_against)
        reference: dict[str, np.ndarray] = {}  # per-run metric values of the reference point
        setups: dict = {}
        futures: dict[int, list] = {}

        def submit(i: int) -> None:
            setups[i] = make_setup(i)
            futures[i] = [executor.submit(simulate_range, setups[i], a, b, False, False, True)
                          for a, b in chunk_bounds(runs, chunk_runs)]

        ahead = POINTS_IN_FLIGHT if not isinstance(executor, SequentialExecutor) else 1
        for i in todo[:ahead]:
            submit(i)
        for n, i in enumerate(todo):  # in point order; the next points' chunks run meanwhile
            parts = []
            for fut in futures.pop(i):
                part = fut.result()
                parts.append(part)
                if progress and i not in done:
                    progress(len(part.run_ids))
            if n + ahead < len(todo):
                submit(todo[n + ahead])
            joined, setup = join(parts), setups.pop(i)
            summaries[i] = summarize(joined, setup, scenario.name)
            values = (metric_values(joined, setup)
                      if paired_against is not None or on_point is not None else {})
            if on_point is not None:
                on_point(i, values)
            if paired_against is not None:
                if i == paired_against:  # computed first (_order)
                    reference = values
                draws = shared_draws(joined.run_ids, setup)
                summaries[i]["paired"] = {m: list(paired_difference(v, reference[m], draws))
                                          for m, v in values.items()}
            if points_dir is not None:
                store.write_json(summaries[i], points_dir / f"point-{i:05d}.json", indent=None)
    table = pd.concat([design.reset_index(drop=True),
                       pd.DataFrame([flat_metrics(summaries[i], with_se)
                                     for i in range(n_points)])],
                      axis=1)
    table.insert(0, "point", np.arange(len(table)))
    if out_dir is not None:
        out = Path(out_dir)
        store.write_text(table.to_csv(index=False), out / "sweep.csv")
        store.write_parquet(table, out / "sweep.parquet")
        store.write_text(scenario.to_toml(), out / "scenario.toml")
    return table


def _order(n_points: int, done: dict, paired_against: int | None) -> list[int]:
    """The points to compute, in order; a paired sweep computes its reference point first,
    again if it was finished but others were not (their differences need its runs)."""
    todo = [i for i in range(n_points) if i not in done]
    if paired_against is None or not [i for i in todo if i != paired_against]:
        return todo
    return [paired_against, *(i for i in todo if i != paired_against)]


def _prepare(out: Path, plan: dict, resume: bool) -> Path:
    points = out / "points"
    plan_file = out / tables.SWEEP_PLAN
    try:
        old = store.read_json_object(plan_file)
    except ValueError as exc:
        raise SweepError(f"{exc}; the sweep there cannot be resumed: choose another folder or "
                         f"delete {out}") from None
    if old is not None:
        if not resume:
            raise SweepError(f"{out}: holds a sweep already; add --resume to continue it or "
                             "choose another folder")
        if old != plan:
            changed = sorted(k for k in plan if old.get(k) != plan[k])
            raise SweepError(f"{out}: the sweep there differs in {', '.join(changed)}; "
                             "resume needs the same scenario, design, runs, seed, chunks, version and kernel")
    elif resume:
        raise SweepError(f"{out}: no sweep to resume there")
    elif (out / tables.MANIFEST).exists() or (out / PARTS).exists():
        raise SweepError(f"{out}: holds the results of 'peninsula run'; choose another folder")
    else:
        store.remove_tree(points)  # points without a plan belong to no sweep
    points.mkdir(parents=True, exist_ok=True)
    for folder in (out, points):
        store.remove_stale_temps(folder)
    store.write_json(plan, plan_file)
    return points
