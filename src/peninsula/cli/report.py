"""``peninsula report``: the policy brief as one self-contained HTML page, and its PDF."""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import Annotated

import typer

from peninsula.cli import running as R
from peninsula.cli.app import LazyModule, api, app
from peninsula.cli.options import (
    GIVEN,
    PRIOR_SET,
    PriorOpt,
    ScenarioArg,
    SetOpt,
    execution_options,
    out_path,
    required_out_opt,
    runs_opt,
    seed_opt,
)
from peninsula.cli.render import out
from peninsula.engine.execution import Execution
from peninsula.report import brief_defaults as defaults

B = LazyModule("peninsula.report.brief")

HTML_SUFFIXES = (".html", ".htm")


def _check_file(path: Path, flag: str, suffixes: tuple[str, ...]) -> None:
    """Fail before any work if ``path`` has another extension, is not in an existing folder
    (the report creates no folders: a mistyped path is refused, not made) or cannot be
    written."""
    if path.suffix.lower() not in suffixes:
        R.usage_error(f"{flag} {path}: end the name with {' or '.join(suffixes)}")
    parent = path.parent
    if not parent.exists():
        R.usage_error(f"{flag} {path}: cannot write the file here (no folder {parent}; "
                      "create it first)")
    R.check_writable(path, "file")


def _command(scenario: str, policies: list[str], runs: int, seed: int, sets: list[str],
             out_html: Path, pdf: Path | None, options: dict, quick: bool = False) -> str:
    """The command line that makes this brief again (recorded in its manifest)."""
    parts = ["peninsula", "report", scenario]
    for p in policies:
        parts += ["--policy", p]
    parts += ["--runs", str(runs), "--seed", str(seed)] + (["--quick"] if quick else [])
    for item in sets:
        parts += ["--set", item]
    for flag, value in options.items():
        if value is not None:
            parts += [flag, str(value)]
    parts += ["--out", str(out_html)]
    if pdf is not None:
        parts += ["--pdf", str(pdf)]
    return shlex.join(parts)


def _stage_bar(quiet: bool):
    """The brief's progress: the stage it is in by name (runs, compare, drivers, sensitivity,
    figures, writing), the share of steps done and the time taken."""
    from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn

    return Progress(TextColumn("[bold]report[/bold] {task.description}"), BarColumn(),
                    TaskProgressColumn(), TimeElapsedColumn(), console=R.err, disable=quiet,
                    transient=False)


@app.command("report")
@execution_options
def report(
    out_html: required_out_opt("The brief: a self-contained HTML file (.html), in an existing "
                               "folder."),
    scenario: ScenarioArg = "baseline",
    policy: Annotated[list[str] | None, typer.Option(
        "--policy", help="A bundled policy ('peninsula policies') or a TOML policy file "
                         "(every policy in it); repeatable. The first is the reference of "
                         "the comparison.")] = None,
    runs: runs_opt(f"Runs per policy (default {defaults.DEFAULT_RUNS:,}; with --quick "
                   f"{defaults.QUICK_RUNS:,}); the drivers use up to "
                   f"{defaults.DRIVER_RUNS:,} per ensemble.", low=2) = None,
    seed: seed_opt("Root seed (the same for every policy; default: the scenario's).") = None,
    set_: SetOpt = None,
    prior: PriorOpt = False,
    pdf: Annotated[Path | None, typer.Option(
        "--pdf", parser=out_path, help="Also print the brief to this PDF, in an existing "
                                       "folder (needs the chromium package).")] = None,
    backtest: Annotated[Path | None, typer.Option(
        "--backtest", help="JSON of 'peninsula backtest --json' whose skill the brief "
                           "reports (without it the brief says where the skill is reported)."
    )] = None,
    sensitivity_from: Annotated[Path | None, typer.Option(
        "--sensitivity-from", help="Folder of 'peninsula sensitivity --out' to rank the "
                                   "factors from, instead of the screening run here.")] = None,
    sensitivity_samples: Annotated[int, typer.Option(
        min=2, help="Morris trajectories of the screening run here.")] = defaults.SENSITIVITY_SAMPLES,
    sensitivity_runs: Annotated[int, typer.Option(
        min=2, help="Runs per design point of the screening run here.")] = defaults.SENSITIVITY_RUNS,
    quick: Annotated[bool, typer.Option(
        "--quick", help=f"A draft in seconds, marked so on the page: {defaults.QUICK_RUNS:,} "
                        f"runs per policy unless --runs, {defaults.QUICK_DRIVER_RUNS:,} per "
                        "ensemble of the drivers, no sensitivity screening.")] = False,
    execution: Execution = GIVEN,
    quiet: bool = GIVEN,
) -> None:
    """Write a policy brief: its bottom line, then each policy's levels beside its paired
    differences with intervals, the question, the scenario and its assumptions, drivers, the
    sensitivity ranking, back-test skill, caveats and the manifest, as one HTML page that
    needs no network (and its PDF with --pdf). The progress names each stage; --quick writes
    a draft in seconds."""
    if not policy:
        R.usage_error("--policy: give at least one policy (the first is the reference); "
                      "'peninsula policies' lists the bundled ones")
    _check_file(out_html, "--out", HTML_SUFFIXES)
    if pdf is not None:
        _check_file(pdf, "--pdf", (".pdf",))
        if pdf.resolve() == out_html.resolve():
            R.usage_error(f"--pdf {pdf}: the same file as --out")
    if runs is None:
        runs = defaults.QUICK_RUNS if quick else defaults.DEFAULT_RUNS
    sc = R.load(scenario, set_, prior)
    with R.checked():
        if pdf is not None:
            B.chromium_path()
        sc = api.scenario_for(sc, runs=runs, seed=seed)
        chosen = api.resolve_policies(policy)
        if backtest is not None:
            B.read_backtest(backtest)
        if sensitivity_from is not None:
            B.read_sensitivity(sensitivity_from)
    screen = sensitivity_from is None and not quick
    command = _command(scenario, policy, sc.runs, sc.seed,
                       [*(set_ or []), *([PRIOR_SET] if prior else [])], out_html, pdf, {
        "--backtest": backtest, "--sensitivity-from": sensitivity_from,
        "--sensitivity-samples": sensitivity_samples if screen else None,
        "--sensitivity-runs": sensitivity_runs if screen else None,
        "--workers": execution.workers if execution.workers != 1 else None}, quick)
    with R.interruptible("nothing was written"), _stage_bar(quiet) as bar:
        task = bar.add_task("starting", total=1.0)

        def step(fraction: float, message: str) -> None:
            bar.update(task, completed=fraction, description=message)

        with R.checked():
            written = B.write_brief(
                sc, chosen, sc.runs, sc.seed, out_html, pdf, step, execution=execution,
                backtest=backtest, sensitivity_from=sensitivity_from,
                sensitivity_samples=sensitivity_samples, sensitivity_runs=sensitivity_runs,
                quick=quick, command=command)
    out.print("wrote " + ", ".join(str(p) for p in written))
