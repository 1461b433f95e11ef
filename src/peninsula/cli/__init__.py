"""The ``peninsula`` command line: a thin layer over the Python API (peninsula.api).

Parsing (options.py and the command modules), running (running.py) and rendering (render.py)
are separate; every command calls a public function of ``peninsula.api`` that returns data.
"""

from __future__ import annotations

import contextlib
import errno
import os
import sys
from typing import TextIO

# the modules register their commands in this order, and the help lists them so
# isort: off
from peninsula.cli import (  # noqa: F401
    ensemble, studies, compare, catalogue, evidence, rivalries, plots, dashboard, report, play,
)
from peninsula.cli.app import app
# isort: on

__all__ = ["app", "main"]


class StdoutError(OSError):
    """Standard output cannot be written (a full disk, a closed pipe)."""


class _GuardedStdout:
    """Standard output whose write errors are marked as such, so main() can tell them from
    errors of the files a command writes."""

    def __init__(self, stream: TextIO):
        self._stream = stream

    def write(self, text: str) -> int:
        try:
            return self._stream.write(text)
        except OSError as exc:
            raise StdoutError(exc.errno, exc.strerror) from None

    def flush(self) -> None:
        try:
            self._stream.flush()
        except OSError as exc:
            raise StdoutError(exc.errno, exc.strerror) from None

    def __getattr__(self, name: str) -> object:
        return getattr(self._stream, name)


def _silence_stdout() -> None:
    """Point standard output at the null device, so nothing more is tried (or reported) there."""
    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.__stdout__.fileno())
        os.close(devnull)


def main() -> None:
    """Run the command line. Output that cannot be written ends it with one line on stderr,
    exit 2 ('cannot write to standard output: No space left on device'); a closed pipe
    (``| head``) ends it quietly."""
    real = sys.stdout
    sys.stdout = _GuardedStdout(real)  # type: ignore[assignment]
    code: int | str | None = 0
    try:
        try:
            app()
        except SystemExit as exc:
            code = exc.code
        sys.stdout.flush()
    except OSError as exc:
        if not isinstance(exc, StdoutError) and exc.errno != errno.EPIPE:
            raise
        sys.stdout = real
        _silence_stdout()
        if exc.errno == errno.EPIPE:
            sys.exit(1)
        reason = exc.strerror or os.strerror(exc.errno or 0)
        sys.stderr.write(f"cannot write to standard output: {reason}\n")
        sys.exit(2)
    finally:
        if isinstance(sys.stdout, _GuardedStdout):
            sys.stdout = real
    sys.exit(code)
