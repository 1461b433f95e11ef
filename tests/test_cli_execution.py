"""The command line declares how to run once: the execution options come from one decorator
(cli/options.py:execution_options), and result files are written by the API, never by cli/."""

from __future__ import annotations

import re

import pytest
from typer.testing import CliRunner

from conftest import ROOT
from peninsula.cli import app

CLI = ROOT / "src" / "peninsula" / "cli"
ENSEMBLE_COMMANDS = (["run"], ["compare"], ["sweep"], ["sensitivity"], ["optimize"],
                     ["discover"], ["plot", "fan"], ["report"], ["calibrate"], ["backtest"])
runner = CliRunner()


def test_no_command_declares_the_executor_options_itself():
    declared = [path.name for path in sorted(CLI.glob("*.py")) if path.name != "options.py"
                and re.search(r"\b(ExecutorOpt|SchedulerOpt|KernelOpt|ChunkRunsOpt|WorkersOpt|"
                              r"QuietOpt)\b|in_range\(\"--workers\"", path.read_text())]
    assert not declared, f"execution options declared outside options.py: {declared}"


def test_every_ensemble_command_takes_the_shared_execution_options():
    for command in ENSEMBLE_COMMANDS:
        res = runner.invoke(app, [*command, "--help"], terminal_width=200)
        assert res.exit_code == 0, command
        for flag in ("--workers", "--chunk-runs", "--executor", "--scheduler", "--kernel",
                     "--quiet"):
            assert flag in res.output, (command, flag)


def test_no_command_writes_a_result_file_itself():
    writers = [path.name for path in sorted(CLI.glob("*.py"))
               if re.search(r"\b(write_parquet|write_json|to_parquet|write_text)\b",
                            path.read_text())]
    assert not writers, f"cli modules writing result files themselves: {writers}"


class Handed(ValueError):
    """Raised by a stand-in for the API: the command ends (exit 2) once it has called it."""


def _capture(monkeypatch, target, name: str) -> dict:
    """Replace ``target.name`` with a stand-in keeping its keywords, then ending the command."""
    seen: dict = {}

    def stand_in(*args, **kwargs):
        seen.update(kwargs)
        raise Handed("handed over")

    monkeypatch.setattr(target, name, stand_in)
    return seen


def test_the_record_and_figure_commands_hand_the_api_their_execution(monkeypatch, tmp_path):
    from peninsula import api
    from peninsula.report import brief

    cases = (
        (api, "fan", ["plot", "fan", "--runs", "20", "--out", str(tmp_path / "fan")]),
        (api, "calibrate", ["calibrate", "--draws", "100", "--out", str(tmp_path / "p.parquet")]),
        (api, "backtest", ["backtest", "--skip-rolling"]),
        (brief, "write_brief", ["report", "--policy", "status-quo", "--runs", "20",
                                "--out", str(tmp_path / "b.html")]),
    )
    for target, name, args in cases:
        seen = _capture(monkeypatch, target, name)
        res = runner.invoke(app, [*args, "--workers", "2", "-q"])
        assert res.exit_code == 2 and "handed over" in res.output, (args, res.output)
        assert seen["execution"].workers == 2, args
        assert seen["execution"].chunk_runs == 5000 and seen["execution"].kernel == "auto"


def test_the_record_commands_take_any_executor_kernel_and_chunk_size(monkeypatch, tmp_path):
    """The calibration, the back-tests and the brief run their ensembles as the execution
    options say, like every other command: none is refused."""
    from peninsula import api
    from peninsula.report import brief

    asked = ["--executor", "dask", "--workers", "2", "--chunk-runs", "97", "--kernel", "numba"]
    cases = (
        (api, "calibrate", ["calibrate", "--draws", "100", "--out", str(tmp_path / "p.parquet")]),
        (api, "calibrate_bundle", ["calibrate", "--bundle", "--draws", "100"]),
        (api, "backtest", ["backtest", "--skip-rolling"]),
        (api, "rolling_backtest", ["backtest", "--rolling"]),
        (brief, "write_brief", ["report", "--policy", "status-quo", "--runs", "20",
                                "--out", str(tmp_path / "b.html")]),
    )
    for target, name, args in cases:
        seen = _capture(monkeypatch, target, name)
        res = runner.invoke(app, [*args, *asked, "-q"])
        assert res.exit_code == 2 and "handed over" in res.output, (args, res.output)
        ex = seen["execution"]
        assert (ex.executor_kind, ex.workers, ex.chunk_runs, ex.kernel) == (
            "dask", 2, 97, "numba"), args
    assert not list(tmp_path.iterdir())


def _without_timings(page: str) -> str:
    """A brief without what differs from one making to the next: its timings and command."""
    page = re.sub(r"<td>[0-9.]+ s before writing[^<]*</td>", "", page)
    page = re.sub(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC", "", page)  # when it was made
    return re.sub(r"<pre>peninsula report [^<]*</pre>", "", page)


@pytest.mark.slow
def test_two_workers_give_the_numbers_of_one(tmp_path):
    """plot fan, report and calibrate (rejection) on a tiny run: --workers 2 writes what
    --workers 1 writes (backtest: the next test)."""
    import pandas as pd

    short = ["--set", "scenario.horizon_months=24"]
    for w in ("1", "2"):
        folder = tmp_path / w
        commands = (
            ["plot", "fan", "--runs", "60", "--seed", "3", *short, "--out", str(folder / "fan")],
            ["report", "--policy", "status-quo", "--runs", "60", *short, "--quick",
             "--out", str(folder / "brief.html")],
            ["calibrate", "--draws", "100", "--method", "rejection", "--accept", "0.05",
             "--out", str(folder / "post.parquet")],
        )
        folder.mkdir()
        for args in commands:
            res = runner.invoke(app, [*args, "--workers", w, "-q"])
            assert res.exit_code == 0, (args, res.output)
    one, two = tmp_path / "1", tmp_path / "2"
    assert (one / "fan.png").read_bytes() == (two / "fan.png").read_bytes()
    assert _without_timings((one / "brief.html").read_text(encoding="utf-8")) == \
        _without_timings((two / "brief.html").read_text(encoding="utf-8"))
    pd.testing.assert_frame_equal(pd.read_parquet(one / "post.parquet"),
                                  pd.read_parquet(two / "post.parquet"))


@pytest.mark.slow
def test_the_record_gives_the_same_numbers_however_it_runs(tmp_path, dask_scheduler):
    """calibrate and backtest on tiny runs: two workers with chunks of 7 and a Dask cluster
    (the shared one, conftest.dask_scheduler) write what one worker with the default chunks
    writes."""
    import pandas as pd

    ways = {"one": [], "two": ["--workers", "2", "--chunk-runs", "7"],
            "dask": ["--executor", "dask", "--scheduler", dask_scheduler, "--workers", "2",
                     "--chunk-runs", "7"]}
    posteriors, backtests = {}, {}
    for way, options in ways.items():
        post = tmp_path / f"{way}.parquet"
        res = runner.invoke(app, ["calibrate", "--draws", "300", "--out", str(post), *options,
                                  "-q"])
        assert res.exit_code == 0, (way, res.output)
        posteriors[way] = pd.read_parquet(post)
        res = runner.invoke(app, ["backtest", "--posterior", str(tmp_path / "one.parquet"),
                                  "--skip-rolling", "--runs", "10", "--json", *options, "-q"])
        assert res.exit_code == 0, (way, res.output)
        backtests[way] = res.stdout
    for way in ways:
        pd.testing.assert_frame_equal(posteriors["one"], posteriors[way])
        assert backtests[way] == backtests["one"], way
