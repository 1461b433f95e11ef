"""Sweeps: one ensemble per design point, common random numbers, resumable, any executor."""

import json

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

import peninsula
from conftest import start_and_kill
from peninsula.analysis.sweep import SweepError, flat_metrics, grid, run_sweep
from peninsula.cli import app

runner = CliRunner()
BASE = ["scenario.horizon_months=24", "scenario.runs=300", "scenario.seed=9"]


def test_grid_expands_every_combination():
    g = grid(["levers.exercise_intensity=0,1,2", "mechanisms.preemption=true,false"])
    assert len(g) == 6 and list(g.columns) == ["levers.exercise_intensity",
                                               "mechanisms.preemption"]
    assert g.iloc[1].tolist() == [0.0, False]
    with pytest.raises(SweepError, match="not a number"):
        grid(["levers.exercise_intensity=low"])


def test_each_point_equals_its_own_ensemble_with_the_same_seed():
    sc = peninsula.load_scenario("baseline", BASE)
    table = run_sweep(sc, grid(["levers.exercise_intensity=0.5,2"]), chunk_runs=70)
    for i, level in enumerate((0.5, 2.0)):
        alone = peninsula.run(sc.with_levers(exercise_intensity=level), chunk_runs=300,
                              record_monthly=False, record_events=False, compact=True)
        assert table.loc[i, "levers.exercise_intensity"] == level
        for key, value in flat_metrics(alone.summary()).items():
            assert table.loc[i, key] == value, key
    # common random numbers: the drill effect shows even at 300 runs
    assert table.loc[1, "dprk_launches_per_year"] > table.loc[0, "dprk_launches_per_year"]


@pytest.mark.integration
def test_workers_give_the_same_table():
    sc = peninsula.load_scenario("baseline", BASE)
    design = grid(["levers.open_communication=0,1", "levers.strategic_clarity=0,1"])
    seq = run_sweep(sc, design, chunk_runs=100)
    par = run_sweep(sc, design, chunk_runs=100, workers=2)
    pd.testing.assert_frame_equal(seq, par)


@pytest.mark.integration
def test_killed_sweep_resumes_only_unfinished_points(tmp_path):
    args = ["sweep", "baseline", "--grid", "levers.exercise_intensity=0,0.25,0.5,0.75,1,1.25,1.5,2",
            "--runs", "8", "--seed", "3", "--chunk-runs", "4", "--kernel", "python", "-q",
            "--set", "scenario.horizon_months=36"]
    whole, broken = tmp_path / "whole", tmp_path / "broken"
    res = runner.invoke(app, [*args, "--out", str(whole)])
    assert res.exit_code == 0, res.output
    points = broken / "points"
    finished = start_and_kill([*args, "--out", str(broken)], points, "point-*.json", 2)
    assert 2 <= len(finished) < 8, "the kill must land mid-sweep"
    stamps = {f.name: f.stat().st_mtime_ns for f in finished}
    res = runner.invoke(app, [*args, "--out", str(broken)])  # without --resume: refused
    assert res.exit_code == 2 and "--resume" in res.output
    res = runner.invoke(app, [*args, "--out", str(broken), "--resume"])
    assert res.exit_code == 0, res.output
    assert f"resuming: {len(finished)} of 8 points already done" in res.output
    for f in finished:  # finished points were not recomputed
        assert (points / f.name).stat().st_mtime_ns == stamps[f.name]
    pd.testing.assert_frame_equal(pd.read_parquet(whole / "sweep.parquet"),
                                  pd.read_parquet(broken / "sweep.parquet"))
    assert (whole / "sweep.csv").read_text() == (broken / "sweep.csv").read_text()


def test_resume_of_a_different_sweep_is_refused(tmp_path):
    args = ["sweep", "--runs", "50", "-q", "--set", "scenario.horizon_months=12",
            "--out", str(tmp_path)]
    assert runner.invoke(app, [*args, "--grid", "levers.open_communication=0,1"]).exit_code == 0
    res = runner.invoke(app, [*args, "--grid", "levers.open_communication=0,0.5", "--resume"])
    assert res.exit_code == 2 and "design_sha256" in res.output
    res = runner.invoke(app, ["sweep", "--runs", "50", "-q", "--resume", "--grid",
                              "levers.open_communication=0", "--out", str(tmp_path / "empty")])
    assert res.exit_code == 2 and "no sweep to resume" in res.output


def test_bad_designs_are_reported_with_column_and_row(tmp_path):
    bad = tmp_path / "design.csv"
    bad.write_text("levers.exercise_intensity,levers.open_communication\n1.0,0.5\n1.0,7\n")
    res = runner.invoke(app, ["sweep", "--design", str(bad), "--runs", "10", "-q"])
    assert res.exit_code == 2
    assert "row 2" in res.output and "open_communication" in res.output
    bad.write_text("exercise_intensity\n1.0\n")
    res = runner.invoke(app, ["sweep", "--design", str(bad), "--runs", "10", "-q"])
    assert res.exit_code == 2 and "'exercise_intensity' is not a scenario key" in res.output
    res = runner.invoke(app, ["sweep", "--runs", "10", "-q"])
    assert res.exit_code == 2 and "either --grid" in res.output
    res = runner.invoke(app, ["sweep", "--design", str(tmp_path / "missing.csv"), "-q"])
    assert res.exit_code == 2 and "cannot read the design" in res.output


def test_sweep_json_contract():
    res = runner.invoke(app, ["sweep", "--grid", "levers.flexible_diplomacy=0,1", "--runs", "100",
                              "--json", "-q", "--set", "scenario.horizon_months=24"])
    assert res.exit_code == 0, res.output
    rows = json.loads(res.stdout)
    assert [r["point"] for r in rows] == [0, 1]
    for key in ("levers.flexible_diplomacy", "p_war_1y", "dprk_launches_per_year",
                "denuclearization_progress", "stability_index"):
        assert key in rows[0], key
    assert rows[1]["denuclearization_progress"] > rows[0]["denuclearization_progress"]


@pytest.mark.parametrize("args", [
    ["run", "--runs", "10", "-q", "--out", "{bad}"],
    ["sweep", "--grid", "levers.open_communication=0", "--runs", "10", "-q", "--out", "{bad}"],
    ["calibrate", "--draws", "100", "-q", "--out", "{bad}/post.parquet"],
    ["backtest", "--runs", "10", "--draws", "100", "-q", "--plot", "{bad}/bt.png"],
])
def test_unwritable_outputs_fail_cleanly_before_any_work(tmp_path, args):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    bad = str(blocker / "sub")
    res = runner.invoke(app, [a.replace("{bad}", bad) for a in args])
    assert res.exit_code == 2, res.output
    assert "cannot write" in res.output and "Traceback" not in res.output


def test_parameter_designs_take_the_fast_path_with_the_same_results():
    # a design of parameter values alone reuses the base setup; adding a lever column set to
    # its own value sends every point through the scenario instead: the metrics must agree
    sc = peninsula.load_scenario("baseline", [*BASE, "scenario.sample_parameters=false"])
    design = pd.DataFrame({"parameters.launch_base_rate_per_year": [10.0, 25.0],
                           "parameters.deterrence_elasticity": [1.0, 2.5]})
    fast = run_sweep(sc, design, chunk_runs=100)
    slow_design = design.assign(**{"levers.open_communication":
                                   float(sc["levers"]["open_communication"])})
    slow = run_sweep(sc, slow_design, chunk_runs=100)
    metrics = list(fast.columns[3:])
    pd.testing.assert_frame_equal(fast[metrics], slow[metrics])
    assert fast["dprk_launches_per_year"].iloc[1] > fast["dprk_launches_per_year"].iloc[0]


def header_names(output: str) -> list[str]:
    """Each column's full name (spaces dropped), read back from the (possibly folded) header
    rows of a table."""
    rows = [line.split("┃")[1:-1] for line in output.splitlines() if line.startswith("┃")]
    return ["".join(r[i].strip() for r in rows).replace(" ", "") for i in range(len(rows[0]))]


def test_sweep_reports_standard_errors_and_paired_differences():
    sc = peninsula.load_scenario("baseline", BASE)
    table = peninsula.api.sweep(sc, ["levers.exercise_intensity=0.5,2"], paired_against=0)
    n = sc.runs
    p = table["p_war_1y"]
    assert (table["p_war_1y_se"] - np.sqrt(p * (1 - p) / n)).abs().max() < 1e-12
    assert (table["stability_index_se"] > 0).all()
    assert (table.loc[0, [c for c in table.columns if c.endswith("_diff")]] == 0).all()
    d = table.loc[1]
    for metric in ("dprk_launches_per_year", "stability_index", "p_clash_1y"):
        assert abs(d[f"{metric}_diff"] - (d[metric] - table.loc[0, metric])) < 1e-9
        assert d[f"{metric}_diff_p05"] <= d[f"{metric}_diff"] <= d[f"{metric}_diff_p95"]
        assert (d[f"{metric}_diff_low_90"], d[f"{metric}_diff_high_90"]) == (
            d[f"{metric}_diff_p05"], d[f"{metric}_diff_p95"])  # the interval under its name
    assert d["dprk_launches_per_year_diff_p05"] > 0  # the drill effect, paired


def test_sweep_column_names_are_not_truncated_on_a_narrow_terminal(monkeypatch):
    from rich.console import Console

    from peninsula.cli import render

    monkeypatch.setattr(render, "out", Console(width=80, force_terminal=False))  # a narrow one
    args = ["sweep", "--grid", "levers.multilateral_engagement=0,1", "--runs", "40", "-q",
            "--paired-against", "0", "--set", "scenario.horizon_months=24"]
    res = runner.invoke(app, args, terminal_width=80)
    assert res.exit_code == 0, res.output
    assert "…" not in res.output
    assert max(len(line) for line in res.output.splitlines()) <= 80
    # the registry's labels with their units (analysis/registry.py), whole on a narrow terminal
    lever = "Multilateralengagement(0-1)"
    metrics = ["P(war),1y(%)", "Launches(peryear)", "CN-RUalignment(index0-1)",
               "Stabilityindex(points0-100)"]
    first, paired = res.output.split("Paired differences")
    assert header_names(first) == ["point", lever, *metrics]
    assert header_names(paired) == ["point", lever,
                                    *(f"Δ{m.replace('(%)', '(pp)')}" for m in metrics)]
    res = runner.invoke(app, [*args[:-4], "--paired-against", "5"])
    assert res.exit_code == 2 and "no such point" in res.output
