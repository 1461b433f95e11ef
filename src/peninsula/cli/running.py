"""Running a command's work: executors, progress bars, Ctrl-C, and the checks made before any
work starts (writable outputs, image formats, scenarios). Errors end the command with one plain
line on stderr and exit 2; Ctrl-C with one line saying what was kept, exit 130. Input files
(posteriors, event tables) are read and checked by the API.
"""

from __future__ import annotations

import contextlib
import shlex
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from peninsula.cli.app import api
from peninsula.cli.render import err
from peninsula.scenario.errors import ScenarioError
from peninsula.scenario.loader import load_scenario

if TYPE_CHECKING:
    from peninsula.engine.execution import Execution


def fail(exc: ScenarioError) -> None:
    """Each problem of a scenario error as one plain line, exit 2."""
    for problem in exc.problems:  # one plain line each, never wrapped
        sys.stderr.write(f"{problem}\n")
    raise typer.Exit(2)


def usage_error(message: object) -> None:
    """One plain line on stderr, exit 2."""
    sys.stderr.write(f"{message}\n")
    raise typer.Exit(2)


@contextlib.contextmanager
def checked():
    """Input errors in the block (a scenario's problems, a ValueError) end the command, exit 2."""
    try:
        yield
    except ScenarioError as exc:
        fail(exc)
    except ValueError as exc:
        usage_error(exc)


def load(ref: str, sets: list[str] | None, prior: bool = False):
    """The scenario ``ref`` with ``sets``; ``prior``: the parameter table's priors for every
    parameter (--prior), not the bundled calibrated posterior."""
    from peninsula.cli.options import PRIOR_SET

    try:
        return load_scenario(ref, [*(sets or []), *([PRIOR_SET] if prior else [])])
    except ScenarioError as exc:
        fail(exc)


def progress(total: int, label: str, quiet: bool) -> Progress:
    return Progress(TextColumn(f"[bold]{label}"), BarColumn(), MofNCompleteColumn(),
                    TimeElapsedColumn(), console=err, disable=quiet, transient=False)


def make_pool(execution: Execution):
    """The executor ``execution`` asks for, or exit 2 with the reason (e.g. an unreachable
    scheduler)."""
    try:
        return execution.make_executor()
    except (ValueError, RuntimeError) as exc:
        usage_error(exc)
    except KeyboardInterrupt:
        err.print("interrupted: while starting the executor; nothing was written",
                  highlight=False, soft_wrap=True)
        raise typer.Exit(130) from None


def stop(pool) -> None:
    from peninsula.engine.executors import stop_now

    stop_now(pool)


def interrupted(pool, kept) -> None:
    """Ctrl-C: stop the workers at once, say in one line what was kept (``kept``: the text,
    or a function giving it once the workers are stopped), exit 130."""
    stop(pool)
    err.print(f"interrupted: {kept() if callable(kept) else kept}", highlight=False,
              soft_wrap=True)
    raise typer.Exit(130)


@contextlib.contextmanager
def interruptible(kept: str):
    """Ctrl-C in the block: one line saying what was kept, exit 130 (for commands whose work
    runs in a pool of their own)."""
    try:
        yield
    except KeyboardInterrupt:
        err.print(f"interrupted: {kept}", highlight=False, soft_wrap=True)
        raise typer.Exit(130) from None


def on_pool(execution: Execution, total: int, label: str, quiet: bool,
            work: Callable[[Execution, Callable[[int, int], None]], Any],
            out_dir: Path | None = None) -> Any:
    """Run ``work(execution, on_resume)`` on the executor ``execution`` asks for, its progress
    shown in a bar; a sweep or input error ends the command with its message (exit 2)."""
    pool = make_pool(execution)
    try:
        with progress(total, label, quiet) as bar:
            task = bar.add_task("runs", total=total)
            result = work(execution.with_pool(pool, lambda n: bar.advance(task, n)),
                          lambda d, t: err.print(f"resuming: {d} of {t} points already done"))
    except KeyboardInterrupt:
        interrupted(pool, "finished points are kept in --out; continue with the same "
                          "command and --resume" if out_dir is not None else
                          "nothing was written (no --out)")
    except ValueError as exc:  # a sweep's or an input's error (SweepError is a ValueError)
        stop(pool)
        usage_error(exc)
    except BaseException:
        stop(pool)
        raise
    pool.shutdown()
    return result


def check_writable(path: Path, what: str) -> None:
    """Fail before any work if ``path`` (a file or folder to create) cannot be written.

    Folders made for the check are removed again, so a command that fails later leaves no
    empty folder behind; the work itself creates what it writes."""
    import tempfile

    folder = path if what == "folder" else path.parent
    if what == "file" and path.is_dir():
        usage_error(f"{path}: is a folder; --out needs a file name here")
    if what == "folder" and path.exists() and not path.is_dir():
        usage_error(f"{path}: is a file; --out needs a folder here")
    made = [p for p in (folder, *folder.parents) if not p.exists()]
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as exc:
        usage_error(f"{path}: cannot write the {what} here ({exc.strerror or exc})")
    finally:
        for p in made:  # deepest first
            with contextlib.suppress(OSError):
                p.rmdir()


def check_outputs(out_dir: Path | None, plot: Path | None) -> None:
    """Fail before any work if the --out folder or the --plot image cannot be written."""
    if out_dir is not None:
        check_writable(out_dir, "folder")
    if plot is not None:
        check_writable(plot, "file")
        check_image(plot, "--plot")


def check_image(path: Path, flag: str) -> None:
    """Fail before any work if ``path``'s extension is not an image format matplotlib writes."""
    from matplotlib.backend_bases import FigureCanvasBase

    formats = FigureCanvasBase.get_supported_filetypes()
    if path.suffix.lstrip(".").lower() not in formats:
        usage_error(f"{flag} {path}: unknown image format {path.suffix or '(none)'!r}; "
                    f"end the name with one of: {', '.join('.' + f for f in formats)}")


def run_command(ref: str, sc, sets: list[str] | None, execution: Execution, *,
                out_dir: Path | None = None, posterior: Path | None = None,
                monthly: bool = False, events: bool = False) -> str:
    """The command that reproduces these results: scenario, runs, seed, every override and
    the options that shape the output folder (--out, --workers, --posterior, --monthly,
    --events, --chunk-runs, which a --resume must repeat, and a non-default --kernel)."""
    parts = ["peninsula", "run", ref, "--runs", str(sc.runs), "--seed", str(sc.seed)]
    for item in sets or []:
        parts += ["--set", item]
    if posterior is not None:
        parts += ["--posterior", str(posterior)]
    if monthly:
        parts.append("--monthly")
    if events:
        parts.append("--events")
    parts += ["--chunk-runs", str(execution.chunk_runs)]
    if execution.kernel != "auto":
        parts += ["--kernel", execution.kernel]
    if execution.workers != 1:
        parts += ["--workers", str(execution.workers)]
    if out_dir is not None:
        parts += ["--out", str(out_dir)]
    return " ".join(shlex.quote(p) for p in parts)


def kept_chunks(out_dir: Path | None, command: str) -> str:
    """What an interrupted run left: its finished chunks and how to continue."""
    if out_dir is None:
        return "nothing was written (no --out)"
    state = api.folder_state(out_dir)
    if state["chunks"] is None:
        if state["complete"]:
            return f"the folder holds a complete result: {out_dir}"
        return f"nothing finished was kept in {out_dir}"
    before = ("; the result already there stays until this run completes"
              if state["complete"] else "")
    return (f"{state['chunks_done']} of {state['chunks']} chunks finished and kept in "
            f"{out_dir}{before}; continue with: {command} --resume")


def write_failed(out_dir: Path, command: str, exc: OSError) -> str:
    """One line for a write error during a run into ``out_dir`` (a full disk): what failed,
    what was kept, and the command that continues once there is room."""
    reason = exc.strerror or str(exc) or type(exc).__name__
    where = f" ({exc.filename})" if getattr(exc, "filename", None) else ""
    state = api.folder_state(out_dir)
    if state["chunks"] is None:
        return (f"{out_dir}: cannot write the results: {reason}{where}; nothing was kept "
                "(any earlier result there is untouched); make room and run again")
    return (f"{out_dir}: cannot write the results: {reason}{where}; {state['chunks_done']} of "
            f"{state['chunks']} chunks finished and kept (any earlier result there is "
            f"untouched); make room and continue with: {command} --resume")
