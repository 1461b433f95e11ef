"""A finished result is never lost or rewritten by a later command on its folder.

``--resume`` on a finished folder does nothing for the same plan and is refused for another;
a new run into a finished folder (interrupted, killed mid-swap, or out of disk space) leaves the
old result byte for byte until the new one is complete; a full disk ends a run with one line
and the command that continues it; refused commands leave no ``.lock``; ``report`` creates no
folders; ``run --out`` writes the small tables by default, the monthly and event tables on
request.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

import peninsula
from peninsula import api
from peninsula.api import FinishedFolder, run_to_dir
from peninsula.cli import app
from peninsula.io import parts, store

pytestmark = pytest.mark.integration

runner = CliRunner()
SHORT = ["--set", "scenario.horizon_months=24", "-q"]
RESULT = {"manifest.json", "runs.parquet", "summary.json", "scenario.toml"}


def digest(folder: Path) -> dict[str, str]:
    """Every entry of ``folder``: files by their SHA-256, folders by name."""
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "dir"
            for p in sorted(folder.iterdir())}


def lines(text: str) -> list[str]:
    return [ln for ln in text.splitlines() if ln.strip()]


@pytest.fixture
def finished(tmp_path) -> tuple[Path, list[str], dict[str, str]]:
    """A folder holding the finished result of ``args`` and the digest of its files."""
    out = tmp_path / "R"
    args = ["run", "--runs", "40", "--seed", "1", "--chunk-runs", "10", *SHORT,
            "--out", str(out)]
    res = runner.invoke(app, args)
    assert res.exit_code == 0, res.output
    before = digest(out)
    assert set(before) == RESULT
    return out, args, before


@pytest.mark.parametrize("change, named", [
    (["--seed", "99", "--set", "levers.open_communication=0.9"], "scenario_sha256, seed"),
    (["--runs", "50"], "scenario_sha256, runs"),
    (["--monthly"], "record_monthly"),
])
def test_resume_refuses_a_finished_result_of_another_plan(finished, change, named):
    out, args, before = finished
    res = runner.invoke(app, [*args, *change, "--resume"])
    assert res.exit_code == 2
    assert lines(res.output) == [f"{out}: cannot resume: {named} differ from the finished "
                                 "result there; run without --resume to replace it, or "
                                 "choose another --out folder"]
    assert digest(out) == before


def test_resume_of_a_finished_result_of_the_same_plan_rewrites_nothing(finished):
    out, args, before = finished
    stamps = {p.name: p.stat().st_mtime_ns for p in out.iterdir()}
    res = runner.invoke(app, [*args, "--resume", "--json"])
    assert res.exit_code == 0, res.output
    assert f"{out}: already complete (40 runs, seed 1); nothing was run or rewritten" \
        in res.output
    assert digest(out) == before
    assert {p.name: p.stat().st_mtime_ns for p in out.iterdir()} == stamps
    sc = api.scenario_for("baseline", runs=40, seed=1,
                                overrides=["scenario.horizon_months=24"])
    again = run_to_dir(sc, out, chunk_runs=10, record_monthly=False, record_events=False,
                       resume=True)
    assert isinstance(again, FinishedFolder) and again.summary()["seed"] == 1
    assert digest(out) == before


def test_ctrl_c_during_a_new_run_into_a_finished_folder_keeps_the_result(finished):
    out, args, before = finished
    slow = [*args, "--seed", "2", "--chunk-runs", "4", "--kernel", "python"]
    env = dict(os.environ, NUMBA_DISABLE_JIT="1")  # uncompiled: the signal lands mid-run
    proc = subprocess.Popen([sys.executable, "-m", "peninsula.cli", *slow], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True, preexec_fn=_ctrl_c_as_typed)
    deadline = time.time() + 120
    while len(list((out / ".parts").glob("*.outcomes.parquet"))) < 2:
        assert time.time() < deadline and proc.poll() is None
        time.sleep(0.02)
    os.killpg(proc.pid, signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert len(lines(err)) == 1 and "the result already there stays until this run " \
        "completes" in err and err.strip().endswith("--resume")
    assert {k: v for k, v in digest(out).items() if k != ".parts"} == before
    res = runner.invoke(app, [*slow, "--resume"])  # the new run finishes, then replaces
    assert res.exit_code == 0, res.output
    assert json.loads((out / "summary.json").read_text())["seed"] == 2
    assert set(digest(out)) == RESULT


def _ctrl_c_as_typed() -> None:
    """In the child: SIGINT neither blocked nor ignored, as for a command at a terminal."""
    signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGINT])
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _scenario(seed: int):
    return api.scenario_for("baseline", runs=30, seed=seed,
                                  overrides=["scenario.horizon_months=24"])


def test_a_swap_cut_short_is_finished_by_the_next_command(tmp_path, monkeypatch):
    out, clean = tmp_path / "R", tmp_path / "clean"
    run_to_dir(_scenario(1), out, chunk_runs=10)
    run_to_dir(_scenario(2), clean, chunk_runs=10)
    real, calls = os.replace, []

    def cut(src, dst):
        if Path(src).parent.name == parts.STAGE and Path(dst).parent == out:
            calls.append(dst)
            if len(calls) == 2:  # a new file moved in, the old manifest gone: a kill lands
                raise KeyboardInterrupt
        real(src, dst)

    monkeypatch.setattr(parts.os, "replace", cut)
    with pytest.raises(KeyboardInterrupt):
        run_to_dir(_scenario(2), out, chunk_runs=10)
    monkeypatch.setattr(parts.os, "replace", real)
    assert not (out / "manifest.json").exists() and (out / parts.STAGE).is_dir()
    again = run_to_dir(_scenario(2), out, chunk_runs=10, resume=True)
    assert isinstance(again, FinishedFolder)  # the staged result was swapped in, whole
    assert (out / "summary.json").read_text() == (clean / "summary.json").read_text()
    for name in ("runs", "monthly", "events"):
        pd.testing.assert_frame_equal(pd.read_parquet(out / f"{name}.parquet"),
                                      pd.read_parquet(clean / f"{name}.parquet"))
    assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in clean.iterdir())


def test_a_failure_before_the_new_result_is_complete_keeps_the_old(tmp_path, monkeypatch):
    out = tmp_path / "R"
    run_to_dir(_scenario(1), out, chunk_runs=10, record_monthly=False)
    before = digest(out)
    real = store.write_json

    def no_manifest(obj, path, indent=2):
        if Path(path).name == "manifest.json":
            raise KeyboardInterrupt
        real(obj, path, indent)

    monkeypatch.setattr(store, "write_json", no_manifest)
    with pytest.raises(KeyboardInterrupt):
        run_to_dir(_scenario(2), out, chunk_runs=10, record_monthly=False)
    assert {k: v for k, v in digest(out).items() if k != ".parts"} == before
    assert len(list((out / ".parts").glob("*.outcomes.parquet"))) == 3  # kept for --resume
    store.remove_tree(out / ".parts")
    with pytest.raises(KeyboardInterrupt):
        peninsula.run(_scenario(3)).save(out)
    monkeypatch.setattr(store, "write_json", real)
    assert digest(out) == before


def _disk_fills_after(monkeypatch, n: int) -> None:
    """Every Parquet write after the first ``n`` fails as on a full disk."""
    real, count = store.write_parquet, [0]

    def write(df, path):
        count[0] += 1
        if count[0] > n:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
        real(df, path)

    monkeypatch.setattr(store, "write_parquet", write)


@pytest.mark.parametrize("fills_after", [5, 8])  # during the chunks; while assembling
def test_a_full_disk_ends_the_run_with_one_line_and_resume_finishes(finished, monkeypatch,
                                                                    fills_after):
    out, args, before = finished
    new = [*args, "--seed", "2"]
    _disk_fills_after(monkeypatch, fills_after)  # a chunk writes runs then outcomes
    res = runner.invoke(app, new)
    monkeypatch.undo()
    assert res.exit_code == 2
    done = min(fills_after // 2, 4)
    assert len(lines(res.output)) == 1, res.output
    line = lines(res.output)[0]
    assert line.startswith(f"{out}: cannot write the results: No space left on device")
    assert f"{done} of 4 chunks finished and kept (any earlier result there is untouched)" \
        in line and "--seed 2" in line
    assert line.endswith(f"--out {out} --resume")
    assert "Traceback" not in res.output
    assert not (out / store.LOCK_FILE).exists() and (out / ".parts" / "plan.json").is_file()
    assert {k: v for k, v in digest(out).items() if k != ".parts"} == before
    res = runner.invoke(app, [*new, "--resume"])
    assert res.exit_code == 0, res.output
    assert f"resuming: {done} of 4 chunks already finished" in res.output
    assert json.loads((out / "summary.json").read_text())["seed"] == 2
    assert set(digest(out)) == RESULT


def test_refused_commands_leave_no_lock(tmp_path):
    out = tmp_path / "R"
    base = ["run", "--runs", "8", "--chunk-runs", "4", *SHORT, "--out", str(out)]
    (out / ".parts").mkdir(parents=True)
    (out / ".parts" / "plan.json").write_text(json.dumps({"seed": 999}))
    for extra in ([], ["--resume"]):  # an unfinished run: without --resume; another plan
        res = runner.invoke(app, [*base, *extra])
        assert res.exit_code == 2 and len(lines(res.output)) == 1, res.output
        assert sorted(p.name for p in out.iterdir()) == [".parts"]
    sweep = tmp_path / "S"
    sweep.mkdir()
    (sweep / "sweep-plan.json").write_text("{}")
    res = runner.invoke(app, [*base[:-1], str(sweep)])
    assert res.exit_code == 2 and "holds a sweep's results" in res.output
    assert sorted(p.name for p in sweep.iterdir()) == ["sweep-plan.json"]
    if os.geteuid() != 0:  # permissions do not bind root
        locked = tmp_path / "ro"
        locked.mkdir(mode=0o500)
        res = runner.invoke(app, [*base[:-1], str(locked / "x")])
        assert res.exit_code == 2 and "cannot write" in res.output
        assert list(locked.iterdir()) == []


def test_report_creates_no_folders(tmp_path):
    missing = tmp_path / "no" / "such"
    for args, flag in ((["--out", str(tmp_path / "b.html"), "--pdf", str(missing / "x.pdf")],
                        "--pdf"), (["--out", str(missing / "b.html")], "--out")):
        res = runner.invoke(app, ["report", "--policy", "status-quo", *args, "-q"])
        assert res.exit_code == 2
        assert lines(res.output) == [
            f"{flag} {missing / ('x.pdf' if flag == '--pdf' else 'b.html')}: cannot write the "
            f"file here (no folder {missing}; create it first)"]
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_run_out_writes_the_small_tables_unless_asked_for_more(tmp_path):
    small, full = tmp_path / "small", tmp_path / "full"
    args = ["run", "--runs", "20", "--seed", "3", *SHORT]
    assert runner.invoke(app, [*args, "--out", str(small)]).exit_code == 0
    assert set(digest(small)) == RESULT
    res = runner.invoke(app, [*args, "--monthly", "--events", "--out", str(full)])
    assert res.exit_code == 0, res.output
    assert set(digest(full)) == RESULT | {"monthly.parquet", "events.parquet"}
    manifest = json.loads((full / "manifest.json").read_text())
    assert "--monthly" in manifest["command"] and "--events" in manifest["command"]
    assert manifest["files"] == ["runs.parquet", "monthly.parquet", "events.parquet",
                                 "summary.json", "scenario.toml"]
    assert "--monthly" not in json.loads((small / "manifest.json").read_text())["command"]
    pd.testing.assert_frame_equal(pd.read_parquet(small / "runs.parquet"),
                                  pd.read_parquet(full / "runs.parquet"))
    legacy = tmp_path / "legacy"  # --no-monthly, as scripts pass it, is still accepted
    assert runner.invoke(app, [*args, "--no-monthly", "--out", str(legacy)]).exit_code == 0
    assert (legacy / "summary.json").read_text() == (small / "summary.json").read_text()


def test_ctrl_c_waits_for_the_swap_to_end():
    # Python's own Ctrl-C handler, as a command has it (a test runner's worker process may
    # ignore SIGINT, and then the block rightly raises nothing)
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    done = []
    try:
        with pytest.raises(KeyboardInterrupt), parts.deferred_interrupt():
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(0.05)
            done.append(True)
    finally:
        signal.signal(signal.SIGINT, previous)
    assert done == [True]
