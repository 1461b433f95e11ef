"""The command line declares how to run once: the execution options come from one decorator
(cli/options.py:execution_options), and result files are written by the API, never by cli/."""

from __future__ import annotations

import re

from typer.testing import CliRunner

from conftest import ROOT
from peninsula.cli import app

CLI = ROOT / "src" / "peninsula" / "cli"
ENSEMBLE_COMMANDS = ("run", "compare", "sweep", "sensitivity", "optimize", "discover")
runner = CliRunner()


def test_no_command_declares_the_executor_options_itself():
    declared = [path.name for path in sorted(CLI.glob("*.py")) if path.name != "options.py"
                and re.search(r"\b(ExecutorOpt|SchedulerOpt|KernelOpt|ChunkRunsOpt)\b",
                              path.read_text())]
    assert not declared, f"execution options declared outside options.py: {declared}"


def test_every_ensemble_command_takes_the_shared_execution_options():
    for command in ENSEMBLE_COMMANDS:
        res = runner.invoke(app, [command, "--help"], terminal_width=200)
        assert res.exit_code == 0, command
        for flag in ("--workers", "--chunk-runs", "--executor", "--scheduler", "--kernel",
                     "--quiet"):
            assert flag in res.output, (command, flag)


def test_no_command_writes_a_result_file_itself():
    writers = [path.name for path in sorted(CLI.glob("*.py"))
               if re.search(r"\b(write_parquet|write_json|to_parquet|write_text)\b",
                            path.read_text())]
    assert not writers, f"cli modules writing result files themselves: {writers}"
