"""Policy search: the cross-entropy method finds known optima; searches resume; bad input."""

import json

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

import peninsula
from peninsula.analysis.optimize import LeverRange, cross_entropy, parse_levers, run_optimisation
from peninsula.cli import app
from peninsula.scenario.errors import ScenarioError

runner = CliRunner()
BASE = ["scenario.horizon_months=24", "scenario.runs=100", "scenario.seed=4"]


@pytest.mark.parametrize("maximize", [True, False])
def test_cross_entropy_finds_the_optimum_of_a_known_function(maximize):
    target = np.array([0.3, 1.4])
    sign = -1.0 if maximize else 1.0

    def f(g, x):
        return sign * np.sum((x - target) ** 2, axis=1)

    hist = cross_entropy(f, np.array([0.0, 0.0]), np.array([1.0, 2.0]), population=24,
                         generations=20, seed=7, maximize=maximize)
    best = hist.loc[hist["score"].idxmax() if maximize else hist["score"].idxmin(), [0, 1]]
    np.testing.assert_allclose(best.to_numpy(dtype=float), target, atol=0.02)
    assert hist["generation"].max() < 20  # converged (sigma below 0.1% of the range) early


def test_search_of_the_model_moves_to_the_better_end_of_a_monotone_lever(tmp_path):
    # more flexible diplomacy raises denuclearisation progress (tests/test_sweep.py)
    sc = peninsula.load_scenario("baseline", BASE)
    best, hist = run_optimisation(sc, [LeverRange("levers.flexible_diplomacy", 0.0, 1.0)],
                                  "denuclearization_progress", population=6, generations=3,
                                  out_dir=tmp_path)
    assert best["levers"]["levers.flexible_diplomacy"] > 0.7
    assert len(hist) == 18 and best["evaluations"] == 18
    assert best["search_value"] == hist["denuclearization_progress"].max()
    assert best["check_seed"] == 5 and 0 < best["check_value"] <= 1
    saved = json.loads((tmp_path / "best.json").read_text())
    assert saved["levers"] == best["levers"]
    # resume: a generation interrupted before its last point gives the same search
    (tmp_path / "generation-002" / "points" / "point-00005.json").unlink()
    again, hist2 = run_optimisation(sc, [LeverRange("levers.flexible_diplomacy", 0.0, 1.0)],
                                    "denuclearization_progress", population=6, generations=3,
                                    out_dir=tmp_path, resume=True)
    pd.testing.assert_frame_equal(hist, hist2)
    assert again == best


def test_bad_levers_and_metrics_are_reported():
    with pytest.raises(ScenarioError, match="KEY=LOW,HIGH"):
        parse_levers(["levers.exercise_intensity"])
    with pytest.raises(ScenarioError, match="must be below"):
        parse_levers(["levers.exercise_intensity=2,0"])
    res = runner.invoke(app, ["optimize", "--lever", "levers.nope=0,1", "-q"])
    assert res.exit_code == 2 and "nope" in res.output
    res = runner.invoke(app, ["optimize", "--lever", "levers.exercise_intensity=0,9", "-q"])
    assert res.exit_code == 2 and "exercise_intensity" in res.output  # 9 is out of range
    res = runner.invoke(app, ["optimize", "--lever", "levers.exercise_intensity=0,2",
                              "--metric", "happiness", "-q"])
    assert res.exit_code == 2 and "--metric 'happiness'" in res.output


def test_cli_json_contract():
    res = runner.invoke(app, ["optimize", "--lever", "levers.open_communication=0,1",
                              "--metric", "p_war_1y", "--minimize", "--population", "4",
                              "--generations", "2", "--runs", "60", "--json", "-q",
                              "--set", "scenario.horizon_months=24"])
    assert res.exit_code == 0, res.output
    r = json.loads(res.stdout)
    for key in ("metric", "maximize", "levers", "search_value", "check_value", "check_seed",
                "evaluations", "generations", "runs_per_evaluation"):
        assert key in r, key
    assert r["maximize"] is False and 0.0 <= r["levers"]["levers.open_communication"] <= 1.0
