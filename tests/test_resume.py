"""Runs into a folder: chunked parts, identical to in-memory results, resumable after a kill."""

import json

import pandas as pd
import pytest
from typer.testing import CliRunner

import peninsula
from conftest import start_and_kill
from peninsula.api import run_to_dir
from peninsula.cli import app
from peninsula.io.parts import ResumeError

pytestmark = pytest.mark.integration

runner = CliRunner()


def read(folder):
    return {k: pd.read_parquet(folder / f"{k}.parquet") for k in ("runs", "monthly", "events")}


def test_folder_run_matches_in_memory_run(tmp_path):
    sc = peninsula.load_scenario("baseline", ["scenario.horizon_months=72", "scenario.runs=300",
                                              "scenario.seed=4"])
    ens = run_to_dir(sc, tmp_path / "a", chunk_runs=70)
    mem = peninsula.run(sc)
    assert ens.summary() == mem.summary()  # 5-year horizon: every yearly series round-trips
    assert ens.summary()["by_horizon"]["5"] is not None
    tables = read(tmp_path / "a")
    pd.testing.assert_frame_equal(tables["runs"], mem.runs_table())
    pd.testing.assert_frame_equal(tables["monthly"], mem.monthly(), check_categorical=False)
    pd.testing.assert_frame_equal(tables["events"], mem.events(), check_categorical=False)
    assert not (tmp_path / "a" / ".parts").exists()


def test_killed_run_resumes_without_recomputing_or_losing_rows(tmp_path):
    args = ["run", "baseline", "--runs", "80", "--seed", "5", "--chunk-runs", "4",
            "--set", "scenario.horizon_months=24", "-q", "--monthly", "--events",
            "--kernel", "python"]  # uncompiled, so the kill lands mid-run
    whole, broken = tmp_path / "whole", tmp_path / "broken"
    assert runner.invoke(app, [*args, "--out", str(whole)]).exit_code == 0
    parts = broken / ".parts"
    finished = len(start_and_kill([*args, "--out", str(broken)], parts, "*.outcomes.parquet", 3))
    assert 3 <= finished < 20, "the kill must land mid-run"
    assert not (broken / "manifest.json").exists()
    res = runner.invoke(app, [*args, "--out", str(broken)])  # without --resume: refused
    assert res.exit_code == 2 and "--resume" in res.output
    res = runner.invoke(app, [*args, "--out", str(broken), "--resume"])
    assert res.exit_code == 0, res.output
    assert f"resuming: {finished} of 20 chunks already finished" in res.output
    a, b = read(whole), read(broken)
    for key in a:
        pd.testing.assert_frame_equal(a[key], b[key])
    summary = json.loads((broken / "summary.json").read_text())
    assert summary == json.loads((whole / "summary.json").read_text())


def test_resume_refuses_a_different_plan(tmp_path):
    sc = peninsula.load_scenario("baseline", ["scenario.horizon_months=24", "scenario.runs=40"])
    (tmp_path / ".parts").mkdir()
    (tmp_path / ".parts" / "plan.json").write_text(json.dumps({"seed": 999}))
    with pytest.raises(ResumeError, match="seed"):
        run_to_dir(sc, tmp_path, resume=True)
