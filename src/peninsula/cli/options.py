"""The command line's shared options, declared once: scenario, --set, --runs, --seed, --workers,
--executor, --scheduler, --kernel, --chunk-runs, --out, --resume, --json, --quiet.

Options whose help differs by command (what a run count or an output folder means there) are
made by a function of that help, so the flag's name, type and checks are still written once.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer

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
    "--executor", help="local (sequential, or processes with --workers) or dask.")]
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
