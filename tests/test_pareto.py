"""Robust many-objective search: NSGA-II finds a known front; regret and satisficing measure what
they say; the command reports only non-dominated settings of those it evaluated."""

import json

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

import peninsula
from peninsula.analysis.optimize import LeverRange
from peninsula.analysis.pareto import (
    Objective,
    algorithm_for,
    non_dominated,
    parse_objectives,
    regret,
    robust_values,
    run_pareto,
    satisficing,
    search,
    to_minimise,
)
from peninsula.cli import app

runner = CliRunner()
NOISE = np.random.default_rng(3).standard_normal(16)
NOISE -= NOISE.mean()  # per-run noise with mean exactly 0: the mean is the noiseless objective


def zdt1(generation: int, x: np.ndarray) -> np.ndarray:
    """ZDT1 with two variables (front: x2 = 0, f2 = 1 - sqrt(f1)), plus common per-run noise:
    rows x 2 objectives x 16 runs."""
    f1 = x[:, 0]
    g = 1.0 + 9.0 * x[:, 1]
    f2 = g * (1.0 - np.sqrt(f1 / g))
    return np.stack([f1[:, None] + 0.1 * NOISE, f2[:, None] + 0.1 * NOISE], axis=1)


def brute_force_non_dominated(f: np.ndarray) -> np.ndarray:
    return np.array([not any((f[j] <= f[i]).all() and (f[j] < f[i]).any()
                             for j in range(len(f))) for i in range(len(f))])


def test_nsga2_through_the_batch_evaluator_finds_the_known_front():
    objectives = [Objective("f1"), Objective("f2")]
    archive = search(zdt1, np.zeros(2), np.ones(2), objectives, population=40,
                     generations=60, seed=1)
    assert archive.outcomes.shape == (len(archive.x), 2, 16)
    assert archive.generation.max() == 59
    f = robust_values(archive.outcomes, objectives)
    front = f[non_dominated(f)]
    np.testing.assert_allclose(front[:, 1], 1.0 - np.sqrt(front[:, 0]), atol=0.01)
    assert front[:, 0].min() < 0.05 and front[:, 0].max() > 0.95  # spread along the front
    assert len(front) >= 40


def test_non_dominated_agrees_with_the_definition():
    f = np.random.default_rng(5).integers(0, 4, size=(60, 3)).astype(float)  # with ties
    np.testing.assert_array_equal(non_dominated(f), brute_force_non_dominated(f))


def test_regret_is_zero_for_the_best_candidate_of_every_run_and_never_negative():
    rng = np.random.default_rng(7)
    outcomes = rng.uniform(1.0, 2.0, size=(6, 200))
    outcomes[2] = outcomes.min(axis=0) - 0.1  # best (lowest) on every run
    r = regret(outcomes, maximize=False)
    assert r[2] == 0.0 and (r >= 0).all() and (np.delete(r, 2) > 0).all()
    up = regret(-outcomes, maximize=True, percentile=None)  # the same, with more better
    assert up[2] == 0.0 and (up >= 0).all()
    # a probability's regret is the mean of the 0/1 regrets: the share of runs in which the
    # candidate reached the rung while another avoided it
    war = np.array([[1, 0, 1, 0], [0, 0, 1, 1], [1, 1, 1, 1]], dtype=float)
    values = robust_values(war[:, None, :], [Objective("p_war_10y", robustness="regret")])
    np.testing.assert_allclose(values[:, 0], [0.25, 0.25, 0.75])


def test_satisficing_share_is_a_share_of_runs():
    outcomes = np.array([[1.0, 5.0, 9.0, 3.0], [0.0, 0.0, 0.0, 0.0], [10.0, 20.0, 30.0, 40.0]])
    share = satisficing(outcomes, "<=", 5.0)
    np.testing.assert_allclose(share, [0.75, 1.0, 0.0])
    shares = robust_values(np.random.default_rng(2).uniform(size=(9, 2, 50)),
                           [Objective("a", robustness="satisficing", threshold=("<", 0.3)),
                            Objective("b", robustness="satisficing", threshold=(">=", 0.5))])
    assert ((shares >= 0) & (shares <= 1)).all()


def test_objectives_take_the_metric_direction_and_are_checked():
    sc = peninsula.load_scenario("baseline")
    war, cred = parse_objectives(sc, ["p_war_10y", "alliance_credibility"])
    assert not war.maximize and cred.maximize and war.probability and not cred.probability
    assert parse_objectives(sc, ["p_war_10y", "cohesion:min"])[1].maximize is False
    sat = parse_objectives(sc, ["p_war_10y", "gdp_loss_pct"], "satisficing",
                           ["gdp_loss_pct<=0.5"])
    assert sat[0].threshold == ("<=", 0.0) and sat[1].threshold == ("<=", 0.5)
    assert sat[0].maximized and not Objective("x", True, "regret").maximized
    for specs, robustness, satisfice, message in (
            (["p_war_10y"], "mean", None, "two or more"),
            (["p_war_10y", "happiness"], "mean", None, "'happiness'"),
            (["p_war_10y", "p_war_10y"], "mean", None, "twice"),
            (["p_war_10y", "gdp_loss_pct"], "satisficing", None, "threshold for gdp_loss_pct"),
            (["p_war_10y", "gdp_loss_pct"], "mean", ["gdp_loss_pct<=1"], "satisficing"),
            (["p_war_10y", "gdp_loss_pct"], "robust", None, "--robustness")):
        with pytest.raises(ValueError, match=message):
            parse_objectives(sc, specs, robustness, satisfice)
    assert type(algorithm_for(3, 8)).__name__ == "NSGA2"
    assert type(algorithm_for(4, 12)).__name__ == "NSGA3"


def test_cli_pareto_search_reports_non_dominated_settings(tmp_path):
    res = runner.invoke(app, [
        "optimize", "--lever", "levers.exercise_intensity=0,2",
        "--lever", "levers.open_communication=0,1", "--objective", "p_war_10y",
        "--objective", "dprk_launches_per_year", "--objective", "alliance_credibility",
        "--runs", "50", "--generations", "2", "--population", "8", "--seed", "3", "--json",
        "-q", "--out", str(tmp_path / "search"), "--plot", str(tmp_path / "front.png")])
    assert res.exit_code == 0, res.output
    r = json.loads(res.stdout)
    for key in ("objectives", "pareto", "generations", "population", "runs", "seed"):
        assert key in r, key
    assert (r["generations"], r["population"], r["runs"], r["seed"]) == (2, 8, 50, 3)
    assert r["objectives"]["alliance_credibility"]["direction"] == "maximize"
    assert r["objectives"]["p_war_10y"] == {
        "direction": "minimize", "robustness": "mean", "statistic": "mean over runs",
        "metric_direction": "minimize", "threshold": None}
    names = list(r["objectives"])
    sign = np.array([-1.0 if r["objectives"][n]["direction"] == "maximize" else 1.0
                     for n in names])
    evaluated = pd.read_csv(tmp_path / "search" / "evaluations.csv")
    assert len(evaluated) >= 9
    every = evaluated[names].to_numpy() * sign
    front = np.array([[row["objectives"][n] for n in names] for row in r["pareto"]]) * sign
    assert len(front) == evaluated["pareto"].sum() >= 1
    for point in front:
        assert not any((e <= point).all() and (e < point).any() for e in every)
    for row in r["pareto"]:
        assert 0 <= row["levers"]["levers.exercise_intensity"] <= 2
        assert 0 <= row["objectives"]["p_war_10y"] <= 1
    assert len(pd.read_parquet(tmp_path / "search" / "pareto.parquet")) == len(r["pareto"])
    assert (tmp_path / "front.png").stat().st_size > 10_000


def test_regret_of_the_front_is_scored_against_every_evaluation(tmp_path):
    sc = peninsula.load_scenario("baseline", ["scenario.runs=40", "scenario.seed=8"])
    objectives = parse_objectives(sc, ["p_clash_5y", "gdp_loss_pct"], "regret")
    result, table = run_pareto(sc, [LeverRange("levers.exercise_intensity", 0.0, 2.0)],
                               objectives, population=6, generations=2, out_dir=tmp_path)
    parts = [pd.read_parquet(tmp_path / f"generation-{g:03d}" / "outcomes.parquet")
             for g in range(2)]
    runs = 40
    outcomes = np.concatenate([np.stack([p[o.metric].to_numpy().reshape(-1, runs)
                                         for o in objectives], axis=1) for p in parts])
    expected = robust_values(outcomes, objectives)
    assert (expected >= 0).all()
    by_setting = dict(zip(np.concatenate([p2["levers.exercise_intensity"] for p2 in (
        pd.read_parquet(tmp_path / f"generation-{g:03d}" / "sweep.parquet")
        for g in range(2))]), expected, strict=True))
    for row in result["pareto"]:
        got = [row["objectives"][o.metric] for o in objectives]
        np.testing.assert_allclose(got, by_setting[row["levers"]["levers.exercise_intensity"]])
    assert table["pareto"].sum() == len(result["pareto"])
    mask = non_dominated(to_minimise(table[[o.metric for o in objectives]].to_numpy(),
                                     objectives))
    np.testing.assert_array_equal(mask, table["pareto"].to_numpy())
