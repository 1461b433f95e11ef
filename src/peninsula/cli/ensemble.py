"""``peninsula run``: one ensemble, its summary, and result files with --out."""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path
from typing import Annotated

import typer

from peninsula.cli import running as R
from peninsula.cli.app import api, app
from peninsula.cli.options import (
    GIVEN,
    PriorOpt,
    ScenarioArg,
    SetOpt,
    execution_options,
    json_opt,
    out_opt,
    resume_opt,
    runs_opt,
    seed_opt,
)
from peninsula.cli.render import err, out, print_json, print_summary
from peninsula.engine.execution import Execution


@app.command()
@execution_options
def run(
    scenario: ScenarioArg = "baseline",
    runs: runs_opt("Number of runs (futures).") = None,
    seed: seed_opt() = None,
    out_dir: out_opt("Write result files here.") = None,
    set_: SetOpt = None,
    prior: PriorOpt = False,
    execution: Execution = GIVEN,
    as_json: json_opt("Print the summary as JSON.") = False,
    explain_: Annotated[bool, typer.Option("--explain",
                                           help="Add what the alliance's activity does through each "
                                                "channel, all against no activity, and what each "
                                                "other mechanism adds.")] = False,
    explain_runs: Annotated[int, typer.Option(min=10, help="Runs per --explain ensemble.")]
    = 2000,
    monthly: Annotated[bool, typer.Option(
        "--monthly/--no-monthly", help="With --out, also write monthly.parquet (the state of "
                                       "every run in every month: large, about 30 KB a run "
                                       "over ten years).")] = False,
    events: Annotated[bool, typer.Option(
        "--events/--no-events", help="With --out, also write events.parquet (every run's "
                                     "CAMEO-coded events; 'peninsula plot tension' reads "
                                     "it).")] = False,
    quiet: bool = GIVEN,
    init_from_events: Annotated[Path | None, typer.Option(
        help="Set the starting tension from a table made by 'peninsula events ingest'.")]
    = None,
    posterior: Annotated[Path | None, typer.Option(
        help="Draw the calibrated parameters from these posterior samples ('peninsula "
             "calibrate'), one row per parameter draw (metrics.runs_per_parameter_draw runs "
             "share one); the summary's parameter_source is then 'posterior'.")] = None,
    resume: resume_opt("Continue an interrupted run into the same --out folder, keeping "
                       "finished chunks.") = False,
) -> None:
    """Run an ensemble and print the summary (and write files with --out)."""
    sets = list(set_ or [])
    if init_from_events is not None:
        with R.checked():
            sets.append(f"state.tension={api.tension_from_events(init_from_events)}")
    sc = R.load(scenario, sets, prior)
    with R.checked():
        sc = api.scenario_for(sc, runs=runs, seed=seed)
        if resume and out_dir is None:
            raise ValueError("--resume needs --out (the folder of the interrupted run)")
        post = api.read_posterior(posterior) if posterior else None
    if out_dir is not None:
        R.check_writable(out_dir, "folder")
    command = R.run_command(scenario, sc, sets, execution, out_dir=out_dir,
                            posterior=posterior, monthly=monthly, events=events)
    pool = R.make_pool(execution)
    try:
        ens = _run_with(execution.with_pool(pool), sc, out_dir, (monthly, events), resume,
                        post, quiet, command)
    except KeyboardInterrupt:
        R.interrupted(pool, lambda: R.kept_chunks(out_dir, command))
    except BaseException:
        R.stop(pool)
        raise
    pool.shutdown()
    try:
        _report(ens, sc, out_dir, explain_, explain_runs, execution, as_json, quiet)
    except KeyboardInterrupt:  # only --explain's extra ensembles take long enough
        err.print("interrupted: during --explain; the run's own results "
                  + (f"are complete in {out_dir}" if out_dir is not None else "were not saved"),
                  highlight=False, soft_wrap=True)
        raise typer.Exit(130) from None


def _run_with(execution, sc, out_dir, record, resume, post, quiet, command):
    """The ensemble (in memory, or written to ``out_dir``) on ``execution``'s pool; refusals
    and write errors end the command with one line, exit 2."""
    pool = execution.pool
    with R.progress(sc.runs, f"{sc.name}: runs", quiet) as bar:
        task = bar.add_task("runs", total=sc.runs)
        execution = execution.with_pool(pool, lambda n: bar.advance(task, n))
        if out_dir is None:
            return api.run(sc, posterior=post, summary_only=True, execution=execution)
        def said(done: int, total: int) -> None:
            err.print(f"resuming: {done} of {total} chunks already finished")

        try:
            return api.run_to_dir(sc, out_dir, record_monthly=record[0],
                                  record_events=record[1], posterior=post, command=command,
                                  on_resume=said, execution=replace(execution, resume=resume))
        except (api.ResumeError, api.FolderBusy) as exc:
            R.stop(pool)
            R.usage_error(exc)
        except OSError as exc:  # a full disk, a folder made read-only during the run
            R.stop(pool)
            bar.stop()
            R.usage_error(R.write_failed(out_dir, command, exc))


def _report(ens, sc, out_dir, explain_, explain_runs, execution, as_json, quiet) -> None:
    if isinstance(ens, api.FinishedFolder):  # --resume of a finished result: nothing to do
        err.print(f"{out_dir}: already complete ({ens.n_runs:,} runs, seed "
                  f"{ens.manifest.get('seed')}); nothing was run or rewritten",
                  highlight=False, soft_wrap=True)
        summary = ens.summary()
        if as_json:
            print_json(summary)
        else:
            print_summary(summary)
        sys.stdout.flush()
        return
    summary = dict(ens.summary())
    if explain_:
        n = min(explain_runs, sc.runs)
        total = api.explain_ensembles()
        with R.progress(total, "explain: ensembles", quiet) as bar:
            task = bar.add_task("explain", total=total)
            summary["explain"] = api.explain(sc, n, execution=execution.with_pool(
                None, lambda k: bar.advance(task, k)))
    if out_dir is not None and explain_:
        api.write_summary(summary, out_dir)
    if as_json:
        print_json(summary)
    else:
        print_summary(summary)
        if out_dir is not None:
            files = api.folder_state(out_dir)["files"]
            out.print(f"Results written to {out_dir}/ ({', '.join(files)}; manifest.json)",
                      highlight=False, soft_wrap=True)
    sys.stdout.flush()
