"""The ``peninsula`` command line: a thin layer over the Python API (peninsula.api)."""

from __future__ import annotations

import contextlib
import json
import shlex
import sys
from pathlib import Path
from typing import Annotated

import numpy as np
import pandas as pd
import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

import peninsula.api as api
from peninsula.scenario.errors import ScenarioError
from peninsula.scenario.loader import bundled_names, load_scenario
from peninsula.scenario.parameters import REGISTRY

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Peninsula: alliance dynamics and stability on the Korean Peninsula.")
scenario_app = typer.Typer(no_args_is_help=True, help="Show bundled scenarios.")
app.add_typer(scenario_app, name="scenario")
events_app = typer.Typer(no_args_is_help=True, help="Real event data (GDELT, ICEWS-style CAMEO).")
app.add_typer(events_app, name="events")
fit_app = typer.Typer(no_args_is_help=True, help="Fit classic models to data.")
app.add_typer(fit_app, name="fit")
plot_app = typer.Typer(no_args_is_help=True, help="Plots.")
app.add_typer(plot_app, name="plot")
data_app = typer.Typer(no_args_is_help=True, help="Bundled historical tables (sourced).")
app.add_typer(data_app, name="data")
out = Console()
if not out.is_terminal:  # pipes and files: a fixed width so tables never wrap mid-label
    out = Console(width=130)
err = Console(stderr=True)

SetOpt = Annotated[list[str] | None, typer.Option(
    "--set", help="Override any scenario field, e.g. --set levers.exercise_intensity=2 "
                  "(repeatable).")]

ExecutorOpt = Annotated[str, typer.Option(
    "--executor", help="local (sequential, or processes with --workers) or dask.")]
SchedulerOpt = Annotated[str | None, typer.Option(
    help="Dask scheduler address tcp://HOST:PORT (default: DASK_SCHEDULER_ADDRESS, else a "
         "LocalCluster).")]
KernelOpt = Annotated[str, typer.Option(
    help="Monthly step: numba (fused, compiled), numpy (reference) or auto (numba when "
         "installed). The two agree to a last-bit tolerance.")]

def _out_path(raw: str) -> Path:
    """An --out value: a path, never the empty string (which would mean this folder)."""
    if not raw.strip():
        raise typer.BadParameter("must name a folder or file, not an empty string")
    return Path(raw)


WorkersOpt = Annotated[int, typer.Option(min=1, max=256, help="Worker processes.")]
ChunkRunsOpt = Annotated[int, typer.Option(min=1, help="Runs per chunk (the unit of work).")]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")]


def _check_engine(kernel: str, executor_kind: str) -> None:
    """A known monthly step and executor, or ValueError naming the option."""
    from peninsula.engine.simulate import resolve_kernel

    resolve_kernel(kernel)
    if executor_kind not in ("local", "dask"):
        raise ValueError(f"--executor: {executor_kind!r} is not one of: local, dask")


def _on_pool(executor_kind: str, workers: int, scheduler: str | None, total: int, label: str,
             quiet: bool, work, out_dir: Path | None = None):
    """Run ``work(pool, progress, on_resume)`` on the chosen executor under a progress bar; a
    sweep or input error ends the command with its message (exit 2)."""
    from peninsula.analysis.sweep import SweepError

    pool = _make_pool(executor_kind, workers, scheduler)
    try:
        with _progress(total, label, quiet) as bar:
            task = bar.add_task("runs", total=total)
            result = work(pool, lambda n: bar.advance(task, n),
                          lambda d, t: err.print(f"resuming: {d} of {t} points already done"))
    except KeyboardInterrupt:
        _interrupted(pool, "finished points are kept in --out; continue with the same "
                           "command and --resume" if out_dir is not None else
                           "nothing was written (no --out)")
    except (SweepError, ValueError) as exc:
        _stop(pool)
        sys.stderr.write(f"{exc}\n")
        raise typer.Exit(2) from None
    except BaseException:
        _stop(pool)
        raise
    pool.shutdown()
    return result


def _make_pool(executor_kind: str, workers: int, scheduler: str | None):
    """The executor asked for, or exit 2 with the reason (e.g. an unreachable scheduler)."""
    from peninsula.engine.executors import make_executor_for

    try:
        return make_executor_for(executor_kind, workers, scheduler)
    except (ValueError, RuntimeError) as exc:
        sys.stderr.write(f"{exc}\n")
        raise typer.Exit(2) from None
    except KeyboardInterrupt:
        err.print("interrupted: while starting the executor; nothing was written",
                  highlight=False, soft_wrap=True)
        raise typer.Exit(130) from None


def _stop(pool) -> None:
    from peninsula.engine.executors import stop_now

    stop_now(pool)


@contextlib.contextmanager
def _interruptible(kept: str):
    """Ctrl-C in the block: one line saying what was kept, exit 130 (for commands whose work
    runs in a pool of their own)."""
    try:
        yield
    except KeyboardInterrupt:
        err.print(f"interrupted: {kept}", highlight=False, soft_wrap=True)
        raise typer.Exit(130) from None


def _interrupted(pool, kept) -> None:
    """Ctrl-C: stop the workers at once, say in one line what was kept (``kept``: the text,
    or a function giving it once the workers are stopped), exit 130."""
    _stop(pool)
    err.print(f"interrupted: {kept() if callable(kept) else kept}", highlight=False,
              soft_wrap=True)
    raise typer.Exit(130)


def _fail(exc: ScenarioError) -> None:
    for problem in exc.problems:  # one plain line each, never wrapped
        sys.stderr.write(f"{problem}\n")
    raise typer.Exit(2)


def _check_writable(path: Path, what: str) -> None:
    """Fail before any work if ``path`` (a file or folder to create) cannot be written.

    Folders made for the check are removed again, so a command that fails later leaves no
    empty folder behind; the work itself creates what it writes."""
    import tempfile

    folder = path if what == "folder" else path.parent
    if what == "file" and path.is_dir():
        sys.stderr.write(f"{path}: is a folder; --out needs a file name here\n")
        raise typer.Exit(2)
    if what == "folder" and path.exists() and not path.is_dir():
        sys.stderr.write(f"{path}: is a file; --out needs a folder here\n")
        raise typer.Exit(2)
    made = [p for p in (folder, *folder.parents) if not p.exists()]
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as exc:
        sys.stderr.write(f"{path}: cannot write the {what} here ({exc.strerror or exc})\n")
        raise typer.Exit(2) from None
    finally:
        for p in made:  # deepest first
            with contextlib.suppress(OSError):
                p.rmdir()


def _check_image(path: Path, flag: str) -> None:
    """Fail before any work if ``path``'s extension is not an image format matplotlib writes."""
    from matplotlib.backend_bases import FigureCanvasBase

    formats = FigureCanvasBase.get_supported_filetypes()
    if path.suffix.lstrip(".").lower() not in formats:
        sys.stderr.write(f"{flag} {path}: unknown image format {path.suffix or '(none)'!r}; "
                         f"end the name with one of: {', '.join('.' + f for f in formats)}\n")
        raise typer.Exit(2)


def _load(ref: str, sets: list[str] | None):
    try:
        return load_scenario(ref, sets or [])
    except ScenarioError as exc:
        _fail(exc)


def _progress(total: int, label: str, quiet: bool) -> Progress:
    return Progress(TextColumn(f"[bold]{label}"), BarColumn(), MofNCompleteColumn(),
                    TimeElapsedColumn(), console=err, disable=quiet, transient=False)


@app.command()
def run(
    scenario: Annotated[str, typer.Argument(help="Bundled scenario name or a TOML/YAML file.")]
    = "baseline",
    runs: Annotated[int | None, typer.Option(min=1, max=10_000_000,
                                             help="Number of runs (futures).")] = None,
    seed: Annotated[int | None, typer.Option(min=0, help="Root random seed.")] = None,
    out_dir: Annotated[Path | None, typer.Option("--out", parser=_out_path,
                                                 help="Write result files here.")] = None,
    set_: SetOpt = None,
    workers: WorkersOpt = 1,
    chunk_runs: Annotated[int, typer.Option(min=1, help="Runs advanced together per chunk.")]
    = 5000,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
    explain_: Annotated[bool, typer.Option("--explain",
                                           help="Add each mechanism's contribution.")] = False,
    explain_runs: Annotated[int, typer.Option(min=10, help="Runs per --explain ensemble.")]
    = 2000,
    monthly: Annotated[bool, typer.Option(help="Record the monthly state table.")] = True,
    quiet: QuietOpt = False,
    init_from_events: Annotated[Path | None, typer.Option(
        help="Set the starting tension from a table made by 'peninsula events ingest'.")]
    = None,
    posterior: Annotated[Path | None, typer.Option(
        help="Draw each run's calibrated parameters from these posterior samples "
             "('peninsula calibrate').")] = None,
    resume: Annotated[bool, typer.Option(
        help="Continue an interrupted run into the same --out folder, keeping finished "
             "chunks.")] = False,
    executor_kind: ExecutorOpt = "local",
    scheduler: SchedulerOpt = None,
    kernel: KernelOpt = "auto",
) -> None:
    """Run an ensemble and print the summary (and write files with --out)."""
    sets = list(set_ or [])
    if init_from_events is not None:
        sets.append(f"state.tension={_tension_from(init_from_events)}")
    set_ = sets
    sc = _load(scenario, set_)
    settings = {k: v for k, v in (("runs", runs), ("seed", seed)) if v is not None}
    try:
        if settings:
            sc = sc.with_settings(**settings)
    except ScenarioError as exc:
        _fail(exc)
    if resume and out_dir is None:
        sys.stderr.write("--resume needs --out (the folder of the interrupted run)\n")
        raise typer.Exit(2)
    post = _read_posterior(posterior) if posterior else None
    if executor_kind not in ("local", "dask"):
        sys.stderr.write(f"--executor: {executor_kind!r} is not one of: local, dask\n")
        raise typer.Exit(2)
    from peninsula.engine.simulate import resolve_kernel

    try:
        resolve_kernel(kernel)
    except ValueError as exc:
        sys.stderr.write(f"--kernel: {exc}\n")
        raise typer.Exit(2) from None
    if out_dir is not None:
        _check_writable(out_dir, "folder")
    command = _command(scenario, sc, set_, out_dir=out_dir, workers=workers,
                       posterior=posterior, monthly=monthly, chunk_runs=chunk_runs,
                       kernel=kernel)
    pool = _make_pool(executor_kind, workers, scheduler)
    try:
        ens = _run_with(pool, sc, out_dir, chunk_runs, monthly, resume, post, quiet, kernel,
                        command)
    except KeyboardInterrupt:
        _interrupted(pool, lambda: _kept_chunks(out_dir, command))
    except BaseException:
        _stop(pool)
        raise
    pool.shutdown()
    try:
        _report(ens, sc, out_dir, explain_, explain_runs, workers, as_json, quiet)
    except KeyboardInterrupt:  # only --explain's extra ensembles take long enough
        err.print("interrupted: during --explain; the run's own results "
                  + (f"are complete in {out_dir}" if out_dir is not None else "were not saved"),
                  highlight=False, soft_wrap=True)
        raise typer.Exit(130) from None


@app.command()
def sweep(
    scenario: Annotated[str, typer.Argument(help="Bundled scenario name or a TOML/YAML file.")]
    = "baseline",
    grid_: Annotated[list[str] | None, typer.Option(
        "--grid", help="KEY=V1,V2,... (repeatable): every combination is a point, e.g. "
                       "--grid levers.exercise_intensity=0,1,2")] = None,
    design: Annotated[Path | None, typer.Option(
        help="CSV design: one column per scenario key, one row per point.")] = None,
    runs: Annotated[int | None, typer.Option(min=1, max=10_000_000,
                                             help="Runs per point.")] = None,
    seed: Annotated[int | None, typer.Option(min=0, help="Root seed (the same for every "
                                                         "point).")] = None,
    set_: SetOpt = None,
    out_dir: Annotated[Path | None, typer.Option("--out", parser=_out_path,
                                                 help="Write points and the table here.")]
    = None,
    resume: Annotated[bool, typer.Option(help="Continue an interrupted sweep in --out.")]
    = False,
    workers: WorkersOpt = 1,
    chunk_runs: ChunkRunsOpt = 5000,
    executor_kind: ExecutorOpt = "local",
    scheduler: SchedulerOpt = None,
    kernel: KernelOpt = "auto",
    as_json: Annotated[bool, typer.Option("--json", help="Print the table as JSON records.")]
    = False,
    quiet: QuietOpt = False,
) -> None:
    """Run one ensemble per design point (same runs and seed) and print a row per point."""
    from peninsula.analysis import sweep as S

    sc = _load(scenario, set_)
    settings = {k: v for k, v in (("runs", runs), ("seed", seed)) if v is not None}
    try:
        if settings:
            sc = sc.with_settings(**settings)
        table, _ = S.study_design(sc, grid_, design)  # every point checked first
        _check_engine(kernel, executor_kind)
    except ScenarioError as exc:
        _fail(exc)
    except (S.SweepError, ValueError) as exc:
        sys.stderr.write(f"{exc}\n")
        raise typer.Exit(2) from None
    if out_dir is not None:
        _check_writable(out_dir, "folder")
    result = _on_pool(
        executor_kind, workers, scheduler, sc.runs * len(table),
        f"{sc.name}: sweep of {len(table)} points", quiet,
        lambda pool, progress, on_resume: S.run_sweep(
            sc, table, executor=pool, chunk_runs=chunk_runs, out_dir=out_dir, resume=resume,
            kernel=kernel, progress=progress, on_resume=on_resume), out_dir)
    if as_json:
        print(result.to_json(orient="records", indent=2))
        return
    horizons = sc["metrics"]["horizons_years"]
    last = max([h for h in horizons if h <= sc.horizon_months // 12] or horizons[:1])
    cols = ["point", *table.columns, f"p_war_{last}y", "dprk_launches_per_year",
            "alignment_china_russia", "stability_index"]
    t = Table(title=f"{sc.name}: {sc.runs} runs per point, seed {sc.seed}")
    for c in cols:
        t.add_column(c, justify="right")
    for rec in result.to_dict("records"):
        t.add_row(*[_cell(rec[c]) for c in cols])
    out.print(t)


@app.command()
def sensitivity(
    scenario: Annotated[str, typer.Argument(help="Bundled scenario name or a TOML/YAML file.")]
    = "baseline",
    factor: Annotated[list[str] | None, typer.Option(
        "--factor", help="A parameter name (varied over its declared range and distribution) "
                         "or KEY=LOW,HIGH (uniform), e.g. levers.exercise_intensity=0,2 "
                         "(repeatable). Default: every uncertain parameter.")] = None,
    samples: Annotated[int, typer.Option(min=2, max=1 << 20, help="Sobol: base samples N, a "
                                         "power of two; the design has N x (factors + 2) "
                                         "points, N x (2 factors + 2) with --second-order. "
                                         "Morris: trajectories r; r x (factors + 1) points.")]
    = 64,
    method: Annotated[str, typer.Option(help="sobol (variance shares S1, ST) or morris "
                                             "(elementary effects mu*, sigma: cheaper "
                                             "screening).")] = "sobol",
    second_order: Annotated[bool, typer.Option("--second-order", help="Sobol: also the "
                                               "pairwise indices S2 (sensitivity_s2.csv).")]
    = False,
    levels: Annotated[int, typer.Option(min=2, max=100, help="Morris: grid levels, an even "
                                                             "number.")] = 4,
    runs: Annotated[int, typer.Option(min=1, max=10_000_000, help="Runs per point.")] = 200,
    seed: Annotated[int | None, typer.Option(min=0, help="Root seed (the design's and every "
                                                         "point's).")] = None,
    metric: Annotated[list[str] | None, typer.Option(
        "--metric", help="Metric column, e.g. p_war_10y or dprk_launches_per_year "
                         "(repeatable). Default: the headline metrics.")] = None,
    set_: SetOpt = None,
    out_dir: Annotated[Path | None, typer.Option("--out", parser=_out_path,
                                                 help="Write the points, the sweep table and "
                                                      "the indices here.")] = None,
    resume: Annotated[bool, typer.Option(help="Continue an interrupted study in --out.")]
    = False,
    workers: WorkersOpt = 1,
    chunk_runs: ChunkRunsOpt = 5000,
    executor_kind: ExecutorOpt = "local",
    scheduler: SchedulerOpt = None,
    kernel: KernelOpt = "auto",
    top: Annotated[int, typer.Option(min=1, help="Factors shown per metric.")] = 10,
    as_json: Annotated[bool, typer.Option("--json", help="Print the indices as JSON records.")]
    = False,
    quiet: QuietOpt = False,
) -> None:
    """Sensitivity: which uncertain inputs drive each metric. Sobol: first-order and total
    indices (and pairs with --second-order) with 95% intervals from a Saltelli design; Morris:
    elementary effects (mu*, sigma) from trajectories. The design runs as a sweep; warnings
    (stderr) say where it is too small for its indices."""
    from peninsula.analysis import sensitivity as SA

    sc = _load(scenario, set_)
    try:
        sc = sc.with_settings(runs=runs, **({"seed": seed} if seed is not None else {}))
        factors = SA.scenario_factors(sc, factor)
        metrics = SA.check_metrics(sc, metric)
        if second_order and method == "morris":
            raise ValueError("--second-order: Sobol only; drop it or use --method sobol")
        n_points = SA.design_size(method, len(factors), samples, second_order, levels)
        _check_engine(kernel, executor_kind)
    except ScenarioError as exc:
        _fail(exc)
    except ValueError as exc:
        sys.stderr.write(f"{exc}\n")
        raise typer.Exit(2) from None
    if out_dir is not None:
        _check_writable(out_dir, "folder")
    result, _ = _on_pool(
        executor_kind, workers, scheduler, runs * n_points,
        f"{sc.name}: {method}, {len(factors)} factors, {n_points} points", quiet,
        lambda pool, progress, on_resume: SA.run_sensitivity(
            sc, factors, samples, metrics=metrics, method=method, second_order=second_order,
            levels=levels, executor=pool, chunk_runs=chunk_runs, out_dir=out_dir,
            resume=resume, kernel=kernel, progress=progress, on_resume=on_resume),
        out_dir=out_dir)
    if as_json:
        print(result.indices.to_json(orient="records", indent=2))
    morris = method == "morris"
    cols = (("mu_star", "mu*"), ("mu_star_conf", "± 95%"), ("mu", "mu"), ("sigma", "sigma")) \
        if morris else (("S1", "S1"), ("S1_conf", "± 95%"), ("ST", "ST"), ("ST_conf", "± 95% "))
    for m in [] if as_json else metrics:
        part = result.indices[result.indices.metric == m].sort_values(
            cols[0 if morris else 2][0], ascending=False).head(top)
        first = part.iloc[0]
        what = (f"Morris elementary effects ({samples} trajectories x {len(factors) + 1}"
                if morris else f"Sobol indices ({samples} x {n_points // samples}")
        t = Table(title=f"{m}: {what} points, {runs} runs each); spread over the design "
                        f"{first['sd']:.3g}, a point's standard error {first['point_se']:.3g}")
        t.add_column("factor")
        for _, label in cols:
            t.add_column(label, justify="right")
        for rec in part.to_dict("records"):
            t.add_row(rec["factor"].removeprefix("parameters."),
                      *(f"{rec[c]:.3g}" if morris else f"{rec[c]:.3f}" for c, _ in cols))
        out.print(t)
        if result.second_order is not None:
            pairs = result.second_order[result.second_order.metric == m]
            t = Table(title=f"{m}: second-order indices, largest pairs")
            for c in ("factor", "factor ", "S2", "± 95%"):
                t.add_column(c, justify="left" if c.startswith("factor") else "right")
            for rec in pairs.sort_values("S2", ascending=False).head(top).to_dict("records"):
                t.add_row(rec["factor_1"].removeprefix("parameters."),
                          rec["factor_2"].removeprefix("parameters."), f"{rec['S2']:.3f}",
                          f"{rec['S2_conf']:.3f}")
            out.print(t)
    sys.stdout.flush()  # the warnings come last, after the indices they are about
    for warning in result.warnings:  # on stderr, so --json output stays a list of records
        sys.stderr.write(f"warning: {warning}\n")


@app.command()
def optimize(
    scenario: Annotated[str, typer.Argument(help="Bundled scenario name or a TOML/YAML file.")]
    = "baseline",
    lever: Annotated[list[str] | None, typer.Option(
        "--lever", help="KEY=LOW,HIGH to search over (repeatable), e.g. "
                        "levers.exercise_intensity=0,2")] = None,
    metric: Annotated[str | None, typer.Option(
        help="The metric to optimise, e.g. stability_index or p_war_10y (default: the first of "
             "the scenario's [study] metrics, else stability_index).")] = None,
    minimize: Annotated[bool, typer.Option("--minimize/--maximize",
                                           help="Minimise the metric (default: maximise).")]
    = False,
    population: Annotated[int, typer.Option(min=3, max=10_000, help="Settings evaluated per "
                                                                    "generation.")] = 16,
    generations: Annotated[int, typer.Option(min=1, max=1000, help="Generations at most.")]
    = 6,
    runs: Annotated[int, typer.Option(min=1, max=10_000_000, help="Runs per evaluation.")]
    = 1000,
    seed: Annotated[int | None, typer.Option(min=0, help="Root seed (the search's and every "
                                                         "evaluation's).")] = None,
    set_: SetOpt = None,
    out_dir: Annotated[Path | None, typer.Option("--out", parser=_out_path,
                                                 help="Write every generation and the result "
                                                      "here.")] = None,
    resume: Annotated[bool, typer.Option(help="Continue an interrupted search in --out.")]
    = False,
    workers: WorkersOpt = 1,
    chunk_runs: ChunkRunsOpt = 5000,
    executor_kind: ExecutorOpt = "local",
    scheduler: SchedulerOpt = None,
    kernel: KernelOpt = "auto",
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
    quiet: QuietOpt = False,
) -> None:
    """Search lever settings for the best expected metric across the uncertainty
    (cross-entropy method; each generation is a sweep; the winner is checked on a new seed)."""
    from peninsula.analysis import optimize as O
    from peninsula.analysis.sweep import check_metric

    sc = _load(scenario, set_)
    try:
        sc = sc.with_settings(runs=runs, **({"seed": seed} if seed is not None else {}))
        levers = O.study_levers(sc, lever)
        source = "--lever" if lever else "study.levers"
        sc.with_values([(lv.key, lv.low) for lv in levers], source)  # each key exists, in range
        sc.with_values([(lv.key, lv.high) for lv in levers], source)
        metric = check_metric(sc, O.study_metric(sc, metric))
        _check_engine(kernel, executor_kind)
    except ScenarioError as exc:
        _fail(exc)
    except ValueError as exc:
        sys.stderr.write(f"{exc}\n")
        raise typer.Exit(2) from None
    if out_dir is not None:
        _check_writable(out_dir, "folder")
    best, _ = _on_pool(
        executor_kind, workers, scheduler, runs * (population * generations + 1),
        f"{sc.name}: search over {len(levers)} levers", quiet,
        lambda pool, progress, on_resume: O.run_optimisation(
            sc, levers, metric, maximize=not minimize, population=population,
            generations=generations, executor=pool, chunk_runs=chunk_runs, out_dir=out_dir,
            resume=resume, kernel=kernel, progress=progress), out_dir)
    if as_json:
        print(json.dumps(best, indent=2))
        return
    t = Table(title=f"{sc.name}: {'min' if minimize else 'max'}imise {metric} "
                    f"({best['evaluations']} evaluations of {runs} runs)")
    t.add_column("lever")
    t.add_column("best", justify="right")
    for k, v in best["levers"].items():
        t.add_row(k, f"{v:.3g}")
    t.add_row(f"{metric} in the search", f"{best['search_value']:.4g}")
    t.add_row(f"{metric} on a new seed ({best['check_seed']})", f"{best['check_value']:.4g}")
    out.print(t)


def _cell(v) -> str:
    if isinstance(v, bool | np.bool_):
        return str(bool(v)).lower()
    if isinstance(v, float | np.floating):
        return f"{v:.4g}"
    return str(v)


def _run_with(pool, sc, out_dir, chunk_runs, monthly, resume, post, quiet, kernel, command):
    with _progress(sc.runs, f"{sc.name}: runs", quiet) as bar:
        task = bar.add_task("runs", total=sc.runs)
        if out_dir is not None:
            from peninsula.io.parts import ResumeError
            from peninsula.io.store import FolderBusy

            def said(done: int, total: int) -> None:
                err.print(f"resuming: {done} of {total} chunks already finished")

            try:
                ens = api.run_to_dir(sc, out_dir, executor=pool, chunk_runs=chunk_runs,
                                     record_monthly=monthly, record_events=True, resume=resume,
                                     posterior=post, command=command,
                                     progress=lambda n: bar.advance(task, n), on_resume=said,
                                     kernel=kernel)
            except (ResumeError, FolderBusy) as exc:
                _stop(pool)
                sys.stderr.write(f"{exc}\n")
                raise typer.Exit(2) from None
        else:
            ens = api.run(sc, executor=pool, chunk_runs=chunk_runs, posterior=post,
                          record_monthly=False, record_events=False, compact=True,
                          progress=lambda n: bar.advance(task, n), kernel=kernel)
    return ens


def _report(ens, sc, out_dir, explain_, explain_runs, workers, as_json, quiet) -> None:
    summary = dict(ens.summary())
    if explain_:
        from peninsula.analysis.explain import EXPLAINED, explain

        n = min(explain_runs, sc.runs)
        with _progress(len(EXPLAINED) + 1, "explain: ensembles", quiet) as bar:
            task = bar.add_task("explain", total=len(EXPLAINED) + 1)
            summary["explain"] = explain(sc, n, workers, progress=lambda k: bar.advance(task, k))
    if out_dir is not None and explain_:
        from peninsula.io.store import folder_lock, write_json

        with folder_lock(out_dir):
            write_json(summary, out_dir / "summary.json")
    if as_json:
        sys.stdout.write(json.dumps(summary, indent=2) + "\n")
    else:
        _print_summary(summary)
        if out_dir is not None:
            out.print(f"Results written to {out_dir}/ (runs, monthly, events .parquet; "
                      "summary.json; manifest.json)")


def _tension_from(path: Path) -> float:
    from peninsula.io.events import tension_from_events

    try:
        dyads = pd.read_parquet(path)
        return round(tension_from_events(dyads), 6)
    except (OSError, ValueError, KeyError) as exc:
        sys.stderr.write(f"{path}: cannot set tension from events ({exc})\n")
        raise typer.Exit(2) from None


def _command(ref: str, sc, sets: list[str] | None, *, out_dir: Path | None = None,
             workers: int = 1, posterior: Path | None = None, monthly: bool = True,
             chunk_runs: int | None = None, kernel: str = "auto") -> str:
    """The command that reproduces these results: scenario, runs, seed, every override and
    the options that shape the output folder (--out, --workers, --posterior, --no-monthly,
    --chunk-runs, which a --resume must repeat, and a non-default --kernel)."""
    parts = ["peninsula", "run", ref, "--runs", str(sc.runs), "--seed", str(sc.seed)]
    for item in sets or []:
        parts += ["--set", item]
    if posterior is not None:
        parts += ["--posterior", str(posterior)]
    if not monthly:
        parts.append("--no-monthly")
    if chunk_runs is not None:
        parts += ["--chunk-runs", str(chunk_runs)]
    if kernel != "auto":
        parts += ["--kernel", kernel]
    if workers != 1:
        parts += ["--workers", str(workers)]
    if out_dir is not None:
        parts += ["--out", str(out_dir)]
    return " ".join(shlex.quote(p) for p in parts)


def _kept_chunks(out_dir: Path | None, command: str) -> str:
    """What an interrupted run left: its finished chunks and how to continue."""
    if out_dir is None:
        return "nothing was written (no --out)"
    from peninsula.io.parts import finished
    from peninsula.io.tables import MANIFEST

    done = finished(out_dir)
    if done is None:
        if (out_dir / MANIFEST).is_file():
            return f"the run had finished: its results are complete in {out_dir}"
        return f"nothing finished was kept in {out_dir}"
    return (f"{done[0]} of {done[1]} chunks finished and kept in {out_dir}; continue with: "
            f"{command} --resume")


def _fmt_p(p, iv) -> str:
    if p is None:
        return "-"
    return f"{100 * p:.1f}% [{100 * iv[0]:.1f}-{100 * iv[1]:.1f}]"


def _fmt_s(s, scale: float = 1.0, digits: int = 2) -> str:
    if s is None:
        return "-"
    return (f"{s['mean'] * scale:.{digits}f} [{s['p05'] * scale:.{digits}f}-"
            f"{s['p95'] * scale:.{digits}f}]")


def _print_summary(s: dict) -> None:
    horizons = list(s["p_clash"].keys())
    table = Table(title=f"Peninsula: {s['scenario']}  ({s['runs']:,} runs, seed {s['seed']}, "
                        f"from {s['start']})", title_justify="left")
    table.add_column("outcome (90% interval)")
    for h in horizons:
        table.add_column(f"{h} yr", justify="right")
    iv = s["intervals_90"]
    for key, label in (("p_clash", "P(armed clash or worse)"), ("p_war", "P(war or worse)"),
                       ("p_nuclear_use", "P(nuclear use)")):
        table.add_row(label, *[_fmt_p(s[key][h], iv[key][h]) for h in horizons])
    rows = (("dprk_launches_per_year", "DPRK launches / yr", 1.0, 1),
            ("alignment_china_russia", "China-Russia alignment (0-1)", 1.0, 2),
            ("denuclearization_progress", "Denuclearisation progress (0-1)", 1.0, 2),
            ("gdp_loss_pct", "GDP loss, % (ROK, JPN, CHN)", 1.0, 2),
            ("polarization", "Bloc polarisation (0-1)", 1.0, 2),
            ("arms_race_intensity_pct", "Arms above trend, %", 1.0, 1),
            ("stability_index", "Korean Stability Index (0-100)", 1.0, 1))
    for key, label, scale, digits in rows:
        table.add_row(label, *[_fmt_s((s["by_horizon"][h] or {}).get(key), scale, digits)
                               for h in horizons])
    out.print(table)
    out.print("Probabilities: share of runs, 90% Wilson interval. Other rows: mean "
              "[5th-95th percentile across runs].")
    if "explain" in s:
        ex = s["explain"]
        t = Table(title=f"Why: change in outcome at {ex['horizon_years']} yr when each mechanism "
                        f"is on vs off ({ex['runs']:,} runs, common random numbers)",
                  title_justify="left")
        t.add_column("mechanism")
        for col in ("P(clash)", "P(war)", "P(nuclear)", "launches/yr", "alignment", "KSI"):
            t.add_column(col, justify="right")
        for mech, c in ex["contributions"].items():
            t.add_row(mech, f"{100 * c['p_clash']:+.1f} pp", f"{100 * c['p_war']:+.2f} pp",
                      f"{100 * c['p_nuclear_use']:+.2f} pp", f"{c['dprk_launches_per_year']:+.1f}",
                      f"{c['alignment_china_russia']:+.3f}", f"{c['stability_index']:+.1f}")
        out.print(t)


@app.command("scenarios")
def scenarios() -> None:
    """List the bundled scenarios."""
    table = Table(title="Bundled scenarios", title_justify="left")
    table.add_column("name")
    table.add_column("start")
    table.add_column("description")
    for name in bundled_names():
        sc = load_scenario(name)
        table.add_row(name, sc.doc["scenario"]["start"], sc.doc["scenario"]["description"])
    out.print(table)


@scenario_app.command("show")
def scenario_show(
    name: Annotated[str, typer.Argument(help="Bundled scenario name or a file.")],
    set_: SetOpt = None,
) -> None:
    """Print a complete scenario as TOML, ready to copy, edit and run."""
    sys.stdout.write(_load(name, set_).to_toml())


@app.command("parameters")
def parameters(
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """List every model parameter with its default, unit, range, distribution and basis.

    The distribution is how an ensemble draws the parameter in each run unless a scenario
    says otherwise (triangular: mode = value; a bare number in a scenario fixes it)."""
    if as_json:
        rows = [{"name": p.name, "value": p.value, "unit": p.unit, "range": [p.low, p.high],
                 "mechanism": p.mechanism, "basis": p.basis, "description": p.description,
                 "distribution": p.distribution}
                for p in REGISTRY]
        sys.stdout.write(json.dumps(rows, indent=2) + "\n")
        return
    table = Table(title="Model parameters", title_justify="left")
    for col in ("name", "value", "unit", "range", "distribution", "basis"):
        table.add_column(col)
    for p in REGISTRY:
        table.add_row(p.name, f"{p.value:g}", p.unit, f"[{p.low:g}, {p.high:g}]",
                      p.distribution, p.basis)
    out.print(table)


@events_app.command("ingest")
def events_ingest(
    files: Annotated[list[Path], typer.Argument(help="GDELT 1.0/2.0 exports (.CSV or .zip) or "
                                                     "ICEWS-style CAMEO tables.")],
    out_path: Annotated[Path, typer.Option("--out", parser=_out_path,
                                           help="Monthly dyad table (Parquet).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Stream event files into monthly dyadic Goldstein cooperation and conflict counts."""
    from peninsula.io.events import EventFileError, ingest
    from peninsula.io.store import write_parquet

    _check_writable(out_path, "file")
    try:
        dyads, report = ingest(files)
    except EventFileError as exc:
        sys.stderr.write(f"{exc}\n")
        raise typer.Exit(2) from None
    write_parquet(dyads, out_path)
    rep = report.as_dict(len(dyads))
    if as_json:
        sys.stdout.write(json.dumps(rep, indent=2) + "\n")
        return
    out.print(f"rows read {rep['rows_read']:,}; used {rep['rows_used']:,}; other actors "
              f"{rep['rows_other_actors']:,}; rejected {rep['rows_rejected_total']:,}")
    for reason, n in rep["rows_rejected"].items():
        out.print(f"  rejected, {reason}: {n:,}")
    out.print(f"{rep['dyad_months']:,} dyad-months written to {out_path}")


@app.command("calibrate")
def calibrate_cmd(
    out_path: Annotated[Path, typer.Option("--out", parser=_out_path,
                                           help="Posterior samples (Parquet).")],
    train_until: Annotated[int, typer.Option(min=2007, max=2024, help="Last training year.")]
    = 2019,
    draws: Annotated[int, typer.Option(min=100, help="Prior draws (one run each).")] = 20_000,
    accept: Annotated[float, typer.Option(min=0.001, max=0.5, help="Share of draws kept.")]
    = 0.02,
    seed: Annotated[int, typer.Option(min=0)] = 1,
    workers: Annotated[int, typer.Option(min=1, max=256)] = 1,
    quiet: Annotated[bool, typer.Option("--quiet", "-q")] = False,
) -> None:
    """Estimate the launch-process parameters from 2006..TRAIN_UNTIL by ABC rejection."""
    from peninsula.analysis.backtest import calibrate
    from peninsula.io.store import write_parquet

    _check_writable(out_path, "file")
    with _interruptible("nothing was written"), _progress(1, "calibrate", quiet) as bar:
        task = bar.add_task("calibrate", total=1)
        post = calibrate(train_until, draws, accept, seed, workers)
        bar.advance(task, 1)
    write_parquet(post, out_path)
    out.print(f"{len(post)} of {draws} draws accepted (distance <= {post['distance'].max():.3f}); "
              f"posterior written to {out_path}")


@app.command("backtest")
def backtest_cmd(
    train_until: Annotated[int, typer.Option(min=2007, max=2024, help="Last training year.")]
    = 2019,
    posterior: Annotated[Path | None, typer.Option(help="Use these posterior samples instead "
                                                        "of calibrating.")] = None,
    runs: Annotated[int, typer.Option(min=10, help="Replay runs.")] = 4000,
    draws: Annotated[int, typer.Option(min=100, help="Calibration draws.")] = 20_000,
    accept: Annotated[float, typer.Option(min=0.001, max=0.5)] = 0.02,
    seed: Annotated[int, typer.Option(min=0)] = 1,
    workers: Annotated[int, typer.Option(min=1, max=256)] = 1,
    plot: Annotated[Path | None, typer.Option(parser=_out_path,
                                              help="Write the back-test plot (PNG).")] = None,
    report: Annotated[Path | None, typer.Option(parser=_out_path,
                                                help="Write the validation page (Markdown).")]
    = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q")] = False,
) -> None:
    """Replay 2006-2025 with historical levers, calibrated on the training years; score skill."""
    from peninsula.analysis.backtest import backtest

    post = _read_posterior(posterior) if posterior is not None else None
    for path in (plot, report):
        if path is not None:
            _check_writable(path, "file")
    if plot is not None:
        _check_image(plot, "--plot")
    with _interruptible("nothing was written"), _progress(1, "backtest", quiet) as bar:
        task = bar.add_task("backtest", total=1)
        result = backtest(train_until, runs, draws, accept, seed, post, workers)
        bar.advance(task, 1)
    if plot is not None:
        from peninsula.report.backtest_plot import plot_backtest

        plot_backtest(result, plot)
    if report is not None:
        from peninsula.report.validation_doc import write

        write(result, report, plot.name if plot is not None else "validation_backtest.png")
    if as_json:
        sys.stdout.write(json.dumps(result, indent=2) + "\n")
        return
    table = Table(title=f"Back-test, trained on 2006-{train_until}", title_justify="left")
    for col in ("year", "observed", "predicted mean", "90% interval", ""):
        table.add_column(col, justify="right")
    for i, year in enumerate(result["years"]):
        table.add_row(str(year), str(result["observed"][i]), f"{result['predicted_mean'][i]:.1f}",
                      f"{result['predicted_p05'][i]:.0f}-{result['predicted_p95'][i]:.0f}",
                      "held out" if year > train_until else "")
    out.print(table)
    scores = Table(title="Skill on held-out years", title_justify="left")
    for col in ("forecast", "Spearman", "CRPS", "Brier (20+)", "90% coverage"):
        scores.add_column(col, justify="right")

    def fmt(v):
        return "-" if v is None else f"{v:.3f}"

    scores.add_row("model", fmt(result["spearman"]), fmt(result["crps"]), fmt(result["brier"]),
                   fmt(result["coverage_90"]))
    for name, b in result["baselines"].items():
        scores.add_row(name, fmt(b["spearman"]), fmt(b["crps"]), fmt(b["brier"]),
                       fmt(b["coverage_90"]))
    out.print(scores)


def _read_posterior(path: Path) -> pd.DataFrame:
    """The --posterior table, checked before any work (io/posterior.py), or exit 2."""
    from peninsula.io.posterior import PosteriorError, read_posterior

    try:
        return read_posterior(path)
    except PosteriorError as exc:
        sys.stderr.write(f"--posterior {exc}\n")
        raise typer.Exit(2) from None


def _json_text(obj) -> str:
    """``obj`` as indented JSON; a NaN or infinite number (an undefined statistic) is null,
    never the non-standard NaN/Infinity tokens."""
    def clean(x):
        if isinstance(x, dict):
            return {k: clean(v) for k, v in x.items()}
        if isinstance(x, list | tuple):
            return [clean(v) for v in x]
        if isinstance(x, float | np.floating):
            return float(x) if np.isfinite(x) else None
        if isinstance(x, np.integer):
            return int(x)
        return x

    return json.dumps(clean(obj), indent=2, allow_nan=False)


@fit_app.command("arms-race")
def fit_arms_race_cmd(
    file: Annotated[Path, typer.Argument(help="CSV with one row per year.")],
    x: Annotated[str, typer.Option("--x", help="Column(s) of side x, comma-separated (summed).")],
    y: Annotated[str, typer.Option("--y", help="Column(s) of side y, comma-separated (summed).")],
    at: Annotated[str, typer.Option(help="Level for the combined form: mid (Richardson) or "
                                         "start.")] = "mid",
    as_json: Annotated[bool, typer.Option("--json", help="Print the fit as JSON.")] = False,
) -> None:
    """Fit Richardson's arms-race equations (combined and two-equation forms)."""
    from peninsula.analysis.arms_fit import fit_arms_race

    def fail(msg: str) -> None:
        sys.stderr.write(f"{file}: {msg}\n")
        raise typer.Exit(2)

    if at not in ("mid", "start"):
        fail(f"--at must be 'mid' or 'start', got {at!r}")
    try:
        df = pd.read_csv(file)
    except (OSError, ValueError) as exc:
        fail(f"cannot read CSV ({exc})")
    cols = {"x": [c.strip() for c in x.split(",") if c.strip()],
            "y": [c.strip() for c in y.split(",") if c.strip()]}
    for side, names in cols.items():
        missing = [c for c in names if c not in df.columns]
        if missing or not names:
            fail(f"--{side}: unknown column(s) {missing or names}; columns: {', '.join(df.columns)}")
        bad = [c for c in names if not pd.api.types.is_numeric_dtype(df[c]) or df[c].isna().any()]
        if bad:
            fail(f"--{side}: column(s) {bad} must be numbers with no gaps")
    if len(df) < 4:
        fail(f"need at least 4 years of data, got {len(df)}")
    try:
        result = fit_arms_race(df[cols["x"]].sum(axis=1).to_numpy(),
                               df[cols["y"]].sum(axis=1).to_numpy(), at=at)
    except (ValueError, np.linalg.LinAlgError) as exc:
        fail(f"cannot fit ({exc})")
    if as_json:
        sys.stdout.write(_json_text(result) + "\n")
        return
    c = result["combined"]
    out.print(f"Combined: dU = k (U - U0), k = {c['k']:.4g} (se {c['k_se']:.3g}), "
              f"U0 = {c['u0']:.4g}, n = {c['n']}")
    for side in ("x", "y"):
        s = result["pair"][side]
        out.print(f"{side}: reaction {s['reaction']:.4g} (se {s['reaction_se']:.3g}, "
                  f"p[no interaction] = {s['no_interaction_p']:.3g}), fatigue "
                  f"{s['fatigue']:.4g} (se {s['fatigue_se']:.3g}), grievance "
                  f"{s['grievance']:.4g} (se {s['grievance_se']:.3g})")
    eq = result["equilibrium"]
    out.print(f"Equilibrium: x* = {eq['x']}, y* = {eq['y']}; {result['stability']}")


@plot_app.command("tension")
def plot_tension_cmd(
    events: Annotated[Path, typer.Option("--events", help="Table from 'peninsula events "
                                                          "ingest'.")],
    run_dir: Annotated[Path, typer.Option("--run", help="Folder written by 'peninsula run "
                                                        "--out'.")],
    out_path: Annotated[Path, typer.Option("--out", parser=_out_path, help="PNG to write.")]
    = Path("tension.png"),
) -> None:
    """Plot real and simulated DPRK <-> allies tension on one axis (both CAMEO/Goldstein)."""
    from peninsula.report.tension_plot import plot_tension

    for path in (events, run_dir / "events.parquet"):
        if not path.is_file():
            sys.stderr.write(f"{path}: cannot read (no such file)\n")
            raise typer.Exit(2)
    _check_writable(out_path, "file")
    _check_image(out_path, "--out")
    try:
        plot_tension(events, run_dir, out_path)
    except (OSError, ValueError, KeyError, TypeError) as exc:  # pyarrow: ValueErrors
        sys.stderr.write(f"{events} or {run_dir / 'events.parquet'}: cannot plot tension from "
                         f"them ({type(exc).__name__}: {exc}); give the table written by "
                         "'peninsula events ingest' and a folder written by 'peninsula run "
                         "--out'\n")
        raise typer.Exit(2) from None
    out.print(f"wrote {out_path}")


@data_app.command("list")
def data_list() -> None:
    """List the bundled historical tables."""
    from peninsula.io.history import list_tables

    table = Table(title="Historical tables (sources: peninsula data show sources)",
                  title_justify="left")
    table.add_column("name")
    table.add_column("contents")
    for name, doc in list_tables().items():
        table.add_row(name, doc)
    out.print(table)


@data_app.command("show")
def data_show(
    name: Annotated[str, typer.Argument(help="Table name (see 'peninsula data list'), or "
                                             "'sources'.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON records.")] = False,
    as_csv: Annotated[bool, typer.Option("--csv", help="Print as CSV.")] = False,
) -> None:
    """Print a historical table (or its sources)."""
    from peninsula.io.history import list_tables, load_table, sources

    if name == "sources":
        sys.stdout.write(sources())
        return
    if name not in list_tables():
        sys.stderr.write(f"unknown table {name!r}; known: sources, "
                         f"{', '.join(list_tables())}\n")
        raise typer.Exit(2)
    df = load_table(name)
    if as_json:
        sys.stdout.write(df.to_json(orient="records", indent=1) + "\n")
    elif as_csv:
        sys.stdout.write(df.to_csv(index=False))
    else:
        table = Table(title=name, title_justify="left")
        for col in df.columns:
            table.add_column(str(col))
        for row in df.itertuples(index=False):
            table.add_row(*["" if pd.isna(v) else str(v) for v in row])
        out.print(table)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
