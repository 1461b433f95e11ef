"""The ``peninsula`` command line: a thin layer over the Python API (peninsula.api).

Parsing (options.py and the command modules), running (running.py) and rendering (render.py)
are separate; every command calls a public function of ``peninsula.api`` that returns data.
"""

from __future__ import annotations

# the modules register their commands in this order, and the help lists them so
# isort: off
from peninsula.cli import (  # noqa: F401
    ensemble, studies, compare, catalogue, evidence, rivalries, plots, dashboard, report,
)
from peninsula.cli.app import app
# isort: on

__all__ = ["app", "main"]


def main() -> None:
    app()
