"""Dask executor: a real LocalCluster on loopback gives results identical to sequential.

The first test lets the executor start its own cluster; the others attach to one shared
cluster (conftest.dask_scheduler) through ``--scheduler``, the path of a remote cluster."""

import pandas as pd
import pytest
from typer.testing import CliRunner

from peninsula.cli import app

pytestmark = pytest.mark.integration

pytest.importorskip("dask.distributed")
runner = CliRunner()


def test_dask_localcluster_matches_sequential_bit_for_bit(tmp_path):
    args = ["run", "--runs", "600", "--seed", "8", "--chunk-runs", "100", "-q",
            "--set", "scenario.horizon_months=24", "--monthly", "--events"]
    seq, dsk = tmp_path / "seq", tmp_path / "dask"
    assert runner.invoke(app, [*args, "--out", str(seq)]).exit_code == 0
    res = runner.invoke(app, [*args, "--out", str(dsk), "--executor", "dask", "--workers", "2"])
    assert res.exit_code == 0, res.output
    for name in ("runs", "monthly", "events"):
        pd.testing.assert_frame_equal(pd.read_parquet(seq / f"{name}.parquet"),
                                      pd.read_parquet(dsk / f"{name}.parquet"))
    assert (seq / "summary.json").read_text() == (dsk / "summary.json").read_text()


def test_unknown_executor_is_refused():
    res = runner.invoke(app, ["run", "--runs", "10", "--executor", "spark", "-q"])
    assert res.exit_code == 2 and "local, threads, dask" in res.output


def test_dask_sweep_matches_sequential(tmp_path, dask_scheduler):
    args = ["sweep", "--grid", "levers.exercise_intensity=0,2", "--runs", "300", "--seed", "4",
            "--chunk-runs", "100", "-q", "--set", "scenario.horizon_months=24"]
    seq, dsk = tmp_path / "seq", tmp_path / "dask"
    assert runner.invoke(app, [*args, "--out", str(seq)]).exit_code == 0
    res = runner.invoke(app, [*args, "--out", str(dsk), "--executor", "dask", "--workers", "2",
                              "--scheduler", dask_scheduler])
    assert res.exit_code == 0, res.output
    assert (seq / "sweep.csv").read_text() == (dsk / "sweep.csv").read_text()


def test_dask_sensitivity_matches_sequential(dask_scheduler):
    args = ["sensitivity", "--factor", "launch_base_rate_per_year", "--factor",
            "levers.exercise_intensity=0,2", "--samples", "4", "--runs", "60", "--seed", "3",
            "--chunk-runs", "30", "--json", "-q", "--set", "scenario.horizon_months=24"]
    seq = runner.invoke(app, args)
    dsk = runner.invoke(app, [*args, "--executor", "dask", "--workers", "2",
                              "--scheduler", dask_scheduler])
    assert seq.exit_code == 0 and dsk.exit_code == 0, dsk.output
    assert seq.stdout == dsk.stdout


def test_dask_optimisation_matches_sequential(dask_scheduler):
    args = ["optimize", "--lever", "levers.open_communication=0,1", "--metric", "p_war_1y",
            "--minimize", "--population", "4", "--generations", "2", "--runs", "60",
            "--seed", "2", "--chunk-runs", "30", "--json", "-q",
            "--set", "scenario.horizon_months=24"]
    seq = runner.invoke(app, args)
    dsk = runner.invoke(app, [*args, "--executor", "dask", "--workers", "2",
                              "--scheduler", dask_scheduler])
    assert seq.exit_code == 0 and dsk.exit_code == 0, dsk.output
    assert seq.stdout == dsk.stdout
