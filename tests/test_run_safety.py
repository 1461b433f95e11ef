"""Result folders stay whole under interruption, concurrency and reuse.

Ctrl-C stops a run promptly with one line and exit 130; a killed parent takes its pool
workers with it; two commands cannot write one folder at once; a second run into a folder
leaves nothing of the first; temporary files of a killed write do not survive a resume; the
summary printed without --out is the one written with it; the manifest's command reproduces
the folder.
"""

from __future__ import annotations

import contextlib
import json
import os
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

import peninsula
from conftest import start_and_kill
from peninsula.api import run_to_dir
from peninsula.cli import app
from peninsula.io import store

pytestmark = pytest.mark.integration

runner = CliRunner()
LINUX = sys.platform.startswith("linux")
# the kernel run uncompiled is far slower than compiled, so a signal lands mid-run
SLOW = ["--set", "scenario.horizon_months=36", "--kernel", "python", "-q"]


def _cli(args: list[str], **kw) -> subprocess.Popen:
    """The command in a process of its own. With the kernel run uncompiled (SLOW), the
    mechanisms are too (NUMBA_DISABLE_JIT=1): nothing is compiled during the run, so a signal
    lands in the run's own work whatever the state of Numba's cache."""
    env = dict(os.environ, NUMBA_DISABLE_JIT="1") if "python" in args else None
    return subprocess.Popen([sys.executable, "-m", "peninsula.cli", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                            preexec_fn=_as_from_a_terminal if LINUX else None, **kw)


def _as_from_a_terminal() -> None:
    """In the child before it starts: Ctrl-C neither ignored nor blocked, as for a command
    typed at a terminal (a child inherits both from the test process, where libraries loaded
    by earlier tests may have changed them)."""
    signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGINT])
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _wait_for(folder: Path, pattern: str, n: int, timeout: float = 120.0) -> int:
    deadline = time.time() + timeout
    while time.time() < deadline:
        k = len(list(folder.glob(pattern)))
        if k >= n:
            return k
        time.sleep(0.02)
    raise AssertionError(f"fewer than {n} files {pattern} in {folder} after {timeout} s")


def _children(pid: int) -> list[int]:
    out = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        text = (task / "children").read_text().split()
        out += [int(c) for c in text]
    return out


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


def test_second_run_into_a_folder_leaves_nothing_of_the_first(tmp_path):
    out = tmp_path / "r"
    base = ["run", "--runs", "60", "--seed", "3", "--set", "scenario.horizon_months=24", "-q",
            "--out", str(out)]
    assert runner.invoke(app, [*base, "--monthly"]).exit_code == 0
    assert (out / "monthly.parquet").is_file()
    res = runner.invoke(app, [*base[:-2], "--seed", "4", "--no-monthly", "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert not (out / "monthly.parquet").exists()  # the first run's table is gone
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["seed"] == 4 and "monthly.parquet" not in manifest["files"]
    assert all((out / f).is_file() for f in manifest["files"])


def test_json_summary_without_out_is_the_summary_written_with_out(tmp_path):
    args = ["run", "--runs", "400", "--seed", "11", "--set", "scenario.horizon_months=60",
            "-q", "--json"]
    printed = json.loads(runner.invoke(app, args).stdout)
    res = runner.invoke(app, [*args, "--out", str(tmp_path / "o")])
    assert res.exit_code == 0
    assert printed == json.loads(res.stdout)
    assert printed == json.loads((tmp_path / "o" / "summary.json").read_text())


def test_manifest_command_names_every_option_and_reproduces_the_folder(tmp_path):
    post = tmp_path / "post.parquet"
    pd.DataFrame({"launch_base_rate_per_year": [10.0, 20.0, 40.0]}).to_parquet(post)
    first = tmp_path / "first"
    res = runner.invoke(app, ["run", "--runs", "90", "--seed", "2", "--workers", "2", "-q",
                              "--set", "scenario.horizon_months=24", "--posterior", str(post),
                              "--no-monthly", "--events", "--chunk-runs", "40",
                              "--out", str(first)])
    assert res.exit_code == 0, res.output
    command = json.loads((first / "manifest.json").read_text())["command"]
    for opt in ("--out", "--workers 2", "--posterior", "--events", "--chunk-runs 40"):
        assert opt in command, opt
    again = tmp_path / "again"
    argv = shlex.split(command.replace(str(first), str(again)))
    assert argv[:2] == ["peninsula", "run"]
    assert runner.invoke(app, [*argv[1:], "-q"]).exit_code == 0
    for name in ("summary.json",):
        assert (first / name).read_text() == (again / name).read_text()
    assert sorted(p.name for p in again.iterdir()) == sorted(p.name for p in first.iterdir())
    pd.testing.assert_frame_equal(pd.read_parquet(first / "runs.parquet"),
                                  pd.read_parquet(again / "runs.parquet"))


def test_an_empty_out_is_refused_and_nothing_is_written(tmp_cwd):
    res = runner.invoke(app, ["run", "--runs", "20", "--out", "", "-q"])
    assert res.exit_code == 2 and "--out" in res.output and "empty" in res.output
    assert list(tmp_cwd.iterdir()) == []


def test_a_locked_folder_refuses_a_second_writer(tmp_path):
    out = tmp_path / "busy"
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time\nfrom peninsula.io import store\n"
         f"with store.folder_lock({str(out)!r}):\n    print('held', flush=True)\n"
         "    sys.stdin.readline()"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        for args in (["run", "--runs", "20"], ["sweep", "--grid", "levers.open_communication=0,1",
                                               "--runs", "20"]):
            res = runner.invoke(app, [*args, "-q", "--out", str(out)])
            assert res.exit_code == 2, res.output
            assert "another peninsula command is writing to this folder" in res.output
        assert sorted(p.name for p in out.iterdir()) == [store.LOCK_FILE]  # the holder's
    finally:
        holder.communicate("done\n", timeout=30)
    assert not out.exists()  # the refused wrote nothing; the holder took its lock and folder
    assert runner.invoke(app, ["run", "--runs", "20", "-q", "--out", str(out)]).exit_code == 0
    assert not (out / store.LOCK_FILE).exists()


def test_two_runs_started_together_one_wins_one_is_refused(tmp_path):
    out = tmp_path / "race"
    args = ["run", "--runs", "48", "--chunk-runs", "4", *SLOW, "--out", str(out)]
    procs = [_cli([*args, "--seed", str(s)]) for s in (7, 8)]
    codes = []
    for p in procs:
        _, err = p.communicate(timeout=300)
        codes.append((p.returncode, err))
    assert sorted(c for c, _ in codes) == [0, 2], codes
    loser = next(e for c, e in codes if c == 2)
    assert "another peninsula command" in loser and "Traceback" not in loser
    winner_seed = 7 if codes[0][0] == 0 else 8
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["seed"] == winner_seed
    summary = json.loads((out / "summary.json").read_text())
    assert summary["seed"] == winner_seed and summary["runs"] == 48


@pytest.mark.parametrize("workers", [1, 2])
def test_ctrl_c_stops_promptly_says_what_was_kept_and_resume_finishes(tmp_path, workers):
    if not LINUX and workers > 1:
        pytest.skip("process-group signals are POSIX")
    out = tmp_path / "cut"
    args = ["run", "--runs", "120", "--seed", "5", "--chunk-runs", "4", "--workers",
            str(workers), *SLOW, "--out", str(out)]
    proc = _cli(args, start_new_session=True)  # its own group: Ctrl-C reaches every process
    _wait_for(out / ".parts", "*.outcomes.parquet", 2)
    os.killpg(proc.pid, signal.SIGINT)
    t0 = time.time()
    _, err = proc.communicate(timeout=60)
    stopped_after = time.time() - t0
    kept = len(list((out / ".parts").glob("*.outcomes.parquet")))
    assert proc.returncode == 130, err
    assert "Traceback" not in err and "KeyboardInterrupt" not in err, err
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("interrupted: "), err
    assert f"{kept} of 30 chunks finished and kept in {out}" in lines[0]
    assert lines[0].endswith("--resume")
    assert kept < 30 and stopped_after < 15  # stopped, not run to the end
    assert not (out / "manifest.json").exists()
    res = runner.invoke(app, [*args, "--resume"])
    assert res.exit_code == 0, res.output
    assert f"resuming: {kept} of 30 chunks already finished" in res.output
    assert json.loads((out / "summary.json").read_text())["runs"] == 120


@pytest.mark.skipif(not LINUX, reason="reads the process table from /proc")
def test_workers_die_with_a_killed_parent(tmp_path):
    out = tmp_path / "orphans"
    proc = _cli(["run", "--runs", "160", "--chunk-runs", "4", "--workers", "2", *SLOW,
                 "--out", str(out)])
    _wait_for(out / ".parts", "*.outcomes.parquet", 1)
    workers = _children(proc.pid)
    try:
        assert len(workers) >= 2
        proc.kill()
        proc.wait()
        deadline = time.time() + 10
        while time.time() < deadline and any(_alive(w) for w in workers):
            time.sleep(0.1)
        assert not any(_alive(w) for w in workers), "pool workers outlived their parent"
    finally:
        for w in workers:
            with contextlib.suppress(ProcessLookupError):
                os.kill(w, signal.SIGKILL)


def test_resume_removes_temporary_files_of_a_killed_write(tmp_path):
    out = tmp_path / "k"
    args = ["run", "--runs", "48", "--seed", "6", "--chunk-runs", "4", *SLOW,
            "--out", str(out)]
    start_and_kill(args, out / ".parts", "*.outcomes.parquet", 2)
    (out / ".monthly.parquet.x1y2.pen.tmp").write_bytes(b"PAR1 half a table")
    (out / ".parts" / ".chunk-0000000900-0000001000.monthly.parquet.z9.pen.tmp").write_bytes(
        b"PAR1")
    (out / ".notes.tmp").write_text("a user's own file")
    res = runner.invoke(app, [*args, "--resume"])
    assert res.exit_code == 0, res.output
    assert [p.name for p in out.glob(".*.tmp")] == [".notes.tmp"]  # only ours were removed
    assert not (out / ".parts").exists()
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".")) == sorted(
        json.loads((out / "manifest.json").read_text())["files"] + ["manifest.json"])


def test_a_damaged_plan_is_reported_not_a_traceback(tmp_path):
    out = tmp_path / "d"
    (out / ".parts").mkdir(parents=True)
    (out / ".parts" / "plan.json").write_text("{ this is not json")
    res = runner.invoke(app, ["run", "--runs", "20", "-q", "--out", str(out), "--resume"])
    assert res.exit_code == 2
    assert "plan.json: damaged" in res.output and "cannot be resumed" in res.output
    sweep = tmp_path / "s"
    sweep.mkdir()
    (sweep / "sweep-plan.json").write_bytes(b"\x00\xff")
    res = runner.invoke(app, ["sweep", "--grid", "levers.open_communication=0,1", "--runs", "10",
                              "-q", "--out", str(sweep), "--resume"])
    assert res.exit_code == 2 and "sweep-plan.json: damaged" in res.output


def test_ctrl_c_stops_a_sweep_and_resume_keeps_its_finished_points(tmp_path):
    out = tmp_path / "sw"
    args = ["sweep", "--grid", "levers.exercise_intensity=0,0.25,0.5,0.75,1,1.25,1.5,2",
            "--runs", "8", *SLOW, "--out", str(out)]
    proc = _cli(args, start_new_session=True)
    _wait_for(out / "points", "point-*.json", 2)
    os.killpg(proc.pid, signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "Traceback" not in err
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert lines[-1].startswith("interrupted: finished points are kept in --out"), err
    kept = len(list((out / "points").glob("point-*.json")))
    assert 2 <= kept < 8
    res = runner.invoke(app, [*args, "--resume"])
    assert res.exit_code == 0, res.output
    assert f"resuming: {kept} of 8 points already done" in res.output
    assert len(pd.read_csv(out / "sweep.csv")) == 8


def test_resume_refuses_chunks_of_another_monthly_step(tmp_path):
    """Chunks of the compiled and the uncompiled kernel are never mixed in one folder."""
    out = tmp_path / "mixed"
    args = ["run", "--runs", "48", "--seed", "6", "--chunk-runs", "4", *SLOW,
            "--out", str(out)]
    start_and_kill(args, out / ".parts", "*.outcomes.parquet", 2)
    other = [a if a != "python" else "numba" for a in args]
    res = runner.invoke(app, [*other, "--resume"])
    assert res.exit_code == 2 and "kernel" in res.output and "differ" in res.output


def test_chunks_without_a_plan_are_never_taken_for_a_new_run(tmp_path):
    """A parts folder whose plan is gone (a deletion cut short) belongs to no run: a fresh run
    must compute every chunk itself, not reuse another seed's."""
    sc = peninsula.load_scenario("baseline", ["scenario.horizon_months=36", "scenario.runs=8"])
    out = tmp_path / "stale"
    (out / ".parts").mkdir(parents=True)
    seed1 = peninsula.run(sc.with_settings(seed=1))
    donor_parts = tmp_path / "donor_parts"
    start_and_kill(["run", "--runs", "8", "--seed", "1", "--chunk-runs", "2", *SLOW,
                    "--out", str(donor_parts)], donor_parts / ".parts", "*.outcomes.parquet", 1)
    for f in (donor_parts / ".parts").glob("chunk-*"):
        (out / ".parts" / f.name).write_bytes(f.read_bytes())
    fresh = run_to_dir(sc.with_settings(seed=2), out, chunk_runs=2)
    clean = peninsula.run(sc.with_settings(seed=2))
    assert fresh.summary() == clean.summary() != seed1.summary()


def test_one_pool_serves_two_runs_into_one_folder(tmp_path):
    """The folder lock ends with the run, even when the pool's workers live on."""
    from peninsula.engine.executors import make_executor

    sc = peninsula.load_scenario("baseline", ["scenario.horizon_months=12", "scenario.runs=60"])
    pool = make_executor(2)
    try:
        run_to_dir(sc, tmp_path / "f", executor=pool, chunk_runs=30)
        second = run_to_dir(sc.with_settings(seed=9), tmp_path / "f", executor=pool,
                            chunk_runs=30)
    finally:
        pool.shutdown()
    assert second.summary()["seed"] == 9


def test_a_folder_is_never_emptied_of_files_that_are_not_a_results(tmp_path):
    foreign = tmp_path / "mine"
    foreign.mkdir()
    (foreign / "monthly.parquet").write_text("a user's own table")
    res = runner.invoke(app, ["run", "--runs", "10", "-q", "--out", str(foreign)])
    assert res.exit_code == 2 and "monthly.parquet without the manifest.json" in res.output
    assert (foreign / "monthly.parquet").read_text() == "a user's own table"
    sweep = tmp_path / "sw"
    grid = ["--grid", "levers.open_communication=0,1", "--runs", "10", "-q"]
    assert runner.invoke(app, ["sweep", *grid, "--out", str(sweep)]).exit_code == 0
    res = runner.invoke(app, ["run", "--runs", "10", "-q", "--out", str(sweep)])
    assert res.exit_code == 2 and "holds a sweep's results" in res.output
    ran = tmp_path / "ran"
    assert runner.invoke(app, ["run", "--runs", "10", "-q", "--out", str(ran)]).exit_code == 0
    res = runner.invoke(app, ["sweep", *grid, "--out", str(ran)])
    assert res.exit_code == 2 and "holds the results of 'peninsula run'" in res.output


def test_damaged_sweep_files_are_reported_or_recomputed(tmp_path):
    out = tmp_path / "sw"
    grid = ["sweep", "--grid", "levers.open_communication=0,1", "--runs", "10", "-q",
            "--out", str(out)]
    assert runner.invoke(app, grid).exit_code == 0
    whole = pd.read_csv(out / "sweep.csv")
    (out / "points" / "point-00001.json").write_text("{}")
    res = runner.invoke(app, [*grid, "--resume"])
    assert res.exit_code == 0 and "resuming: 1 of 2 points" in res.output
    pd.testing.assert_frame_equal(pd.read_csv(out / "sweep.csv"), whole)
    (out / "sweep-plan.json").write_text("[1]")
    res = runner.invoke(app, [*grid, "--resume"])
    assert res.exit_code == 2 and "sweep-plan.json: damaged (not a JSON object)" in res.output
