"""Sobol sensitivity: the estimators against analytic answers, and studies of the model."""

import json
import math

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

import peninsula
from peninsula.analysis.sensitivity import run_sensitivity
from peninsula.analysis.sobol import Factor, saltelli_design, scenario_factors, sobol_indices
from peninsula.cli import app
from peninsula.scenario.errors import ScenarioError

runner = CliRunner()
BASE = ["scenario.horizon_months=24", "scenario.seed=5", "scenario.runs=60",
        "mechanisms.preemption=false"]


def ishigami(x1, x2, x3, a=7.0, b=0.1):
    return np.sin(x1) + a * np.sin(x2) ** 2 + b * x3 ** 4 * np.sin(x1)


def test_ishigami_indices_match_their_analytic_values():
    # Ishigami & Homma (1990), a = 7, b = 0.1: V = a^2/8 + b pi^4/5 + b^2 pi^8/18 + 1/2;
    # V1 = (1 + b pi^4/5)^2 / 2, V2 = a^2/8, V13 = b^2 pi^8 (1/18 - 1/50), V3 = 0
    a, b, pi = 7.0, 0.1, math.pi
    v = a**2 / 8 + b * pi**4 / 5 + b**2 * pi**8 / 18 + 0.5
    v1, v2, v13 = (1 + b * pi**4 / 5) ** 2 / 2, a**2 / 8, b**2 * pi**8 * (1 / 18 - 1 / 50)
    s1 = np.array([v1, v2, 0.0]) / v
    st = np.array([v1 + v13, v2, v13]) / v
    factors = [Factor(f"parameters.x{i}", -pi, 0.0, pi, "uniform") for i in (1, 2, 3)]
    design = saltelli_design(factors, 8192, seed=11)
    assert len(design) == 8192 * 5
    y = ishigami(*(design[f.key].to_numpy() for f in factors))
    ind = sobol_indices(y, 3, n_boot=200, seed=3)
    np.testing.assert_allclose(ind["S1"], s1, atol=0.02)
    np.testing.assert_allclose(ind["ST"], st, atol=0.02)
    # the 95% intervals are honest: each analytic value lies within 2 of them of the estimate
    assert np.all(np.abs(ind["S1"] - s1) < 2 * ind["S1_conf"] + 1e-3)
    assert np.all(np.abs(ind["ST"] - st) < 2 * ind["ST_conf"] + 1e-3)
    assert np.all(ind["S1_conf"] < 0.05)


def test_design_follows_each_factors_declared_distribution():
    f = Factor("parameters.k", 1.0, 1.5, 4.0, "triangular")
    x = saltelli_design([f, Factor("levers.l", 0.0, 1.0, 2.0, "uniform")], 4096, seed=2)
    a = x["parameters.k"].to_numpy()[:4096]
    assert a.min() >= 1.0 and a.max() <= 4.0
    assert abs(a.mean() - (1.0 + 1.5 + 4.0) / 3) < 0.01  # triangular mean (a + c + b) / 3
    ab1 = x.iloc[2 * 4096:3 * 4096]  # AB_1: column 1 from B, the rest from A
    np.testing.assert_array_equal(ab1["parameters.k"].to_numpy(), x["parameters.k"][4096:8192])
    np.testing.assert_array_equal(ab1["levers.l"].to_numpy(), x["levers.l"][:4096])
    with pytest.raises(ValueError, match="power of two"):
        saltelli_design([f], 12, seed=1)


def test_model_study_ranks_a_driver_first_and_an_unused_parameter_at_exactly_zero():
    sc = peninsula.load_scenario("baseline", BASE)
    factors = scenario_factors(sc, ["launch_base_rate_per_year", "preemption_per_month",
                                    "levers.exercise_intensity=0,2"])
    res, table = run_sensitivity(sc, factors, 8, metrics=["dprk_launches_per_year"],
                                 n_boot=100)
    assert len(table) == 8 * (3 + 2)
    by = res.set_index("factor")
    # pre-emption is switched off: with common random numbers its points equal their A points
    assert by.loc["parameters.preemption_per_month", "ST"] == 0.0
    assert by.loc["parameters.preemption_per_month", "S1"] == 0.0
    assert by.loc["parameters.launch_base_rate_per_year", "ST"] > 0.5
    assert by["ST"].idxmax() == "parameters.launch_base_rate_per_year"
    assert (res["point_se"] > 0).all() and (res["sd"] > 0).all()


def test_study_resumes_and_writes_its_tables(tmp_path):
    sc = peninsula.load_scenario("baseline", BASE)
    factors = scenario_factors(sc, ["launch_base_rate_per_year", "levers.exercise_intensity=0,2"])
    first, _ = run_sensitivity(sc, factors, 4, out_dir=tmp_path, n_boot=50)
    pts = sorted((tmp_path / "points").glob("point-*.json"))
    assert len(pts) == 16
    pts[-1].unlink()  # as if interrupted before the last point
    again, _ = run_sensitivity(sc, factors, 4, out_dir=tmp_path, resume=True, n_boot=50)
    pd.testing.assert_frame_equal(first, again)
    saved = pd.read_csv(tmp_path / "sensitivity.csv")
    assert list(saved.columns[:6]) == ["metric", "factor", "S1", "S1_conf", "ST", "ST_conf"]
    meta = json.loads((tmp_path / "sensitivity.json").read_text())
    assert meta["points"] == 16 and meta["runs_per_point"] == 60


def test_bad_factors_and_metrics_are_reported():
    sc = peninsula.load_scenario("baseline", BASE)
    with pytest.raises(ScenarioError, match="not a parameter"):
        scenario_factors(sc, ["no_such_thing"])
    with pytest.raises(ScenarioError, match="LOW 2.0 must be below HIGH 1.0"):
        scenario_factors(sc, ["levers.exercise_intensity=2,1"])
    assert len(scenario_factors(sc)) == sum(
        p["distribution"] != "fixed" for p in sc["parameters"].values())
    res = runner.invoke(app, ["sensitivity", "--samples", "6", "-q"])
    assert res.exit_code == 2 and "power of two" in res.output
    res = runner.invoke(app, ["sensitivity", "--metric", "p_war_99y", "-q"])
    assert res.exit_code == 2 and "--metric 'p_war_99y'" in res.output
    res = runner.invoke(app, ["sensitivity", "--factor", "nope", "-q"])
    assert res.exit_code == 2 and "--factor" in res.output and "nope" in res.output


def test_cli_json_contract():
    res = runner.invoke(app, ["sensitivity", "--factor", "launch_base_rate_per_year",
                              "--factor", "levers.exercise_intensity=0,2", "--samples", "4",
                              "--runs", "40", "--metric", "dprk_launches_per_year", "--json",
                              "-q", "--set", "scenario.horizon_months=24"])
    assert res.exit_code == 0, res.output
    rows = json.loads(res.stdout)
    assert len(rows) == 2
    for key in ("metric", "factor", "S1", "S1_conf", "ST", "ST_conf", "sd", "point_se"):
        assert key in rows[0], key
