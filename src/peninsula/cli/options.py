"""The command line's shared options, declared once: scenario, --set, --runs, --seed, --workers,
--executor, --scheduler, --kernel, --chunk-runs, --out, --resume, --json, --quiet.

Options whose help differs by command (what a run count or an output folder means there) are
made by a function of that help, so the flag's name, type and checks are still written once.
The execution options (--workers, --chunk-runs, --executor, --scheduler, --kernel, --quiet)
are given to a command by ``execution_options``, which hands it one ``Execution``.
"""

from __future__ import annotations

import functools
import inspect
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from peninsula.engine.execution import DEFAULT_CHUNK_RUNS, Execution
from peninsula.scenario.schema import PRIOR_OVERRIDE

MAX_RUNS = 10_000_000


def out_path(raw: str) -> Path:
    """An --out value: a path, never the empty string (which would mean this folder)."""
    if not raw.strip():
        raise typer.BadParameter("must name a folder or file, not an empty string")
    return Path(raw)


def in_range(flag: str, low: int, high: int | None = None
             ) -> Callable[[int | None], int | None]:
    """A callback refusing a whole number outside [low, high] with one line naming the flag
    (exit 2), where typer's own range check would print a usage box."""
    def check(value: int | None) -> int | None:
        if value is not None and (value < low or (high is not None and value > high)):
            allowed = f"[{low:,}, {high:,}]" if high is not None else f"{low:,} or more"
            sys.stderr.write(f"{flag} {value}: out of range; allowed: a whole number "
                             f"{'in ' if high is not None else ''}{allowed}\n")
            raise typer.Exit(2)
        return value
    return check


def range_metavar(low: int, high: int | None = None) -> str:
    """The help's type column for a checked whole number, as typer shows its own ranges."""
    return f"<int range> [{low}<=x<={high}]" if high is not None else f"<int range> [x>={low}]"


ScenarioArg = Annotated[str, typer.Argument(help="Bundled scenario name or a TOML/YAML file.")]
SetOpt = Annotated[list[str] | None, typer.Option(
    "--set", help="Override any scenario field, e.g. --set levers.exercise_intensity=2 "
                  "(repeatable).")]
PriorOpt = Annotated[bool, typer.Option(
    "--prior", help="Draw every parameter from the parameter table's priors instead of the "
                    "bundled calibrated posterior (the summary's parameter_source says which).")]
PRIOR_SET = PRIOR_OVERRIDE  # what --prior sets
WorkersOpt = Annotated[int, typer.Option(callback=in_range("--workers", 1, 256),
                                          metavar=range_metavar(1, 256), help="Worker processes.")]
ChunkRunsOpt = Annotated[int, typer.Option(callback=in_range("--chunk-runs", 1),
                                           metavar=range_metavar(1),
                                           help="Runs per chunk (the unit of work).")]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")]
ExecutorOpt = Annotated[str, typer.Option(
    "--executor", help="local (sequential, or processes with --workers), threads (threads of "
                       "this process with --workers) or dask.")]
SchedulerOpt = Annotated[str | None, typer.Option(
    help="Dask scheduler address tcp://HOST:PORT (default: DASK_SCHEDULER_ADDRESS, else a "
         "LocalCluster).")]
KernelOpt = Annotated[str, typer.Option(
    help="numba (the compiled kernel; auto is the same) or python (the same kernel run "
         "uncompiled, for debugging; its former name numpy is kept).")]


def runs_opt(help_text: str, low: int = 1):
    """--runs with this command's meaning."""
    return Annotated[int | None, typer.Option(callback=in_range("--runs", low, MAX_RUNS),
                                              metavar=range_metavar(low, MAX_RUNS),
                                              help=help_text)]


def seed_opt(help_text: str = "Root random seed."):
    """--seed with this command's meaning."""
    return Annotated[int | None, typer.Option(callback=in_range("--seed", 0),
                                              metavar=range_metavar(0), help=help_text)]


def out_opt(help_text: str):
    """--out (a folder or a file, never empty) with this command's meaning."""
    return Annotated[Path | None, typer.Option("--out", parser=out_path, help=help_text)]


def required_out_opt(help_text: str):
    """--out that the command needs."""
    return Annotated[Path, typer.Option("--out", parser=out_path, help=help_text)]


def resume_opt(help_text: str):
    """--resume with this command's meaning."""
    return Annotated[bool, typer.Option(help=help_text)]


def json_opt(help_text: str):
    """--json with what this command prints."""
    return Annotated[bool, typer.Option("--json", help=help_text)]


GIVEN: Any = None  # the default of a parameter that @execution_options fills in
# the execution options, in their order in the help, with their defaults
EXECUTION_OPTIONS = (("workers", WorkersOpt, 1), ("chunk_runs", ChunkRunsOpt, DEFAULT_CHUNK_RUNS),
                     ("executor_kind", ExecutorOpt, "local"), ("scheduler", SchedulerOpt, None),
                     ("kernel", KernelOpt, "auto"))


def execution_options(command: Callable[..., None]) -> Callable[..., None]:
    """Give ``command`` the execution options, declared here once, in place of its parameter
    ``execution`` (which then receives the ``Execution`` they make), and --quiet in place of
    its parameter ``quiet``; the help lists them where those parameters stand. A kernel or
    executor no engine runs ends the command with one line naming the option, exit 2."""
    signature = inspect.signature(command, eval_str=True)
    params: list[inspect.Parameter] = []
    for param in signature.parameters.values():
        if param.name == "execution":
            params += [inspect.Parameter(name, param.kind, default=default, annotation=kind)
                       for name, kind, default in EXECUTION_OPTIONS]
        elif param.name == "quiet":
            params.append(param.replace(annotation=QuietOpt, default=False))
        else:
            params.append(param)

    @functools.wraps(command)
    def with_execution(**options: Any) -> None:
        chosen = {name: options.pop(name) for name, _, _ in EXECUTION_OPTIONS}
        try:
            execution = Execution(**chosen)
        except ValueError as exc:
            sys.stderr.write(f"{exc}\n")
            raise typer.Exit(2) from None
        command(**options, execution=execution)

    with_execution.__signature__ = signature.replace(parameters=params)  # type: ignore[attr-defined]
    with_execution.__annotations__ = {p.name: p.annotation for p in params}
    return with_execution
