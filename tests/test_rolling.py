"""Rolling-origin back-test (analysis/rolling.py) and the ABC calibration it calls."""

import json

import numpy as np
import pytest
from scipy import stats
from typer.testing import CliRunner

from peninsula.analysis.backtest import apmc
from peninsula.analysis.count_models import BENCHMARKS
from peninsula.analysis.record import month_number
from peninsula.analysis.replay import (
    FILTER_MIN_ESS,
    effective_sample_size,
    filter_weights,
    forecast_levers,
    replay_log_likelihood,
)
from peninsula.analysis.rolling import origins
from peninsula.cli import app

runner = CliRunner()
TRUE = np.array([0.3, 0.7])


def toy_simulator(noise: float = 0.05):
    """A known case for ABC: theta uniform on the unit square, the 'record' is TRUE, and a
    simulation's distance is |theta + noise - TRUE|. Proposals are resampled as the engine does
    (each run takes a random row)."""
    calls = {"n": 0}

    def simulate(n, seed, proposals):
        rng = np.random.default_rng(seed + 1000 * calls["n"])
        calls["n"] += 1
        theta = (rng.uniform(size=(n, 2)) if proposals is None
                 else proposals[rng.integers(0, len(proposals), size=n)])
        d = np.linalg.norm(theta + noise * rng.standard_normal((n, 2)) - TRUE, axis=1)
        return theta, d

    return simulate


def test_apmc_concentrates_on_the_known_parameter_more_than_rejection_with_the_same_budget():
    low, high = np.zeros(2), np.ones(2)
    post = apmc(toy_simulator(), low, high, 6000, 1, {}, names=("a", "b"))
    theta = post[["a", "b"]].to_numpy()
    assert np.allclose(theta.mean(axis=0), TRUE, atol=0.03)
    assert post.attrs["generations"] >= 3 and post.attrs["simulations"] <= 6000
    # rejection: keep the same number of the 6000 prior draws closest
    theta_r, d_r = toy_simulator()(6000, 1, None)
    keep = theta_r[np.argsort(d_r)[: len(post)]]
    assert theta.std(axis=0).max() < 0.8 * keep.std(axis=0).min()


def test_replay_likelihood_is_the_two_poisson_laws():
    rate = np.array([[3.0, 0.5], [1.0, 2.0]])
    salvo = np.array([2.0, 1.5])
    missiles, days = np.array([4, 0]), np.array([2, 0])
    got = replay_log_likelihood(rate, salvo, missiles, days)
    for r in range(2):
        m = salvo[r]
        want = sum(stats.poisson.logpmf(days[t], rate[r, t] / m)
                   + stats.poisson.logpmf(missiles[t] - days[t], (m - 1) * days[t])
                   for t in range(2))
        assert got[r] == pytest.approx(want)


def test_filter_tempers_only_as_much_as_the_sample_size_needs():
    rng = np.random.default_rng(2)
    mild = rng.normal(0, 0.3, 1000)
    w, tau = filter_weights(mild)
    assert tau == 1.0 and effective_sample_size(w) >= FILTER_MIN_ESS * 1000
    sharp = rng.normal(0, 20, 1000)
    w, tau = filter_weights(sharp)
    assert 0 < tau < 1 and effective_sample_size(w) == pytest.approx(FILTER_MIN_ESS * 1000,
                                                                      rel=1e-3)
    w, _ = filter_weights(np.full(5, -np.inf))  # nothing explains the record: equal weights
    assert np.allclose(w, 0.2)


def test_ex_ante_levers_are_held_and_the_record_is_forced_before_the_origin_only():
    o = month_number("2022-01")
    cond, ex = forecast_levers(o, 12, "conditional"), forecast_levers(o, 12, "ex_ante")
    assert len(cond["launches_override"]) == o + 12
    assert cond["launches_override"][o - 1] >= 0 and cond["launches_override"][o] == -1.0
    assert ex["exercise_intensity"][o:o + 12] == cond["exercise_intensity"][o - 12:o]
    assert set(ex["talks_override"][o:]) == {-1.0}  # talks follow the model after the origin
    assert cond["exercise_intensity"][o + 7] != cond["exercise_intensity"][o - 5]  # 2022 > 2021
    assert ex["programme_announcement"][o:] == [1.0] * 12


def test_origins_and_their_errors():
    assert origins("2012-01", 12, 12, 240)[-1] == month_number("2025-01")
    assert len(origins("2012-01", 1, 12, 240)) == 14 * 12 - 11
    with pytest.raises(ValueError, match="record ends in 2025-12"):
        origins("2025-06", 12, 12, 240)
    with pytest.raises(ValueError, match="at least a year"):
        origins("2006-06", 12, 12, 240)


def test_rolling_cli_json_contract(tmp_path):
    res = runner.invoke(app, ["backtest", "--rolling", "--first-origin", "2024-01",
                              "--draws", "300", "--runs", "200", "--json", "-q"])
    assert res.exit_code == 0, res.output
    r = json.loads(res.stdout)["rolling"]
    for mode in ("conditional", "ex_ante"):
        block = r[mode]
        assert set(block["model"]) >= {"crps", "log_score", "brier", "coverage_50",
                                       "coverage_90", "pit"}
        assert set(block["benchmarks"]) == set(BENCHMARKS)
        for b in block["benchmarks"].values():
            assert set(b) >= {"crps", "log_score", "brier"}
        assert [o["origin"] for o in block["origins"]] == ["2024-01", "2025-01"]
        assert [o["observed"] for o in block["origins"]] == [41, 11]
        assert abs(sum(block["model"]["pit"]) - 1.0) < 1e-9
    # the record's facts at an origin do not depend on the mode
    assert ([o["record_facts"] for o in r["conditional"]["origins"]]
            == [o["record_facts"] for o in r["ex_ante"]["origins"]])
    for bad, says in (("2025-03", "2025-01"), ("2012-13", "YYYY-MM"), ("2012-00", "YYYY-MM"),
                      ("abc", "YYYY-MM"), ("2006-03", "at least a year")):
        res = runner.invoke(app, ["backtest", "--rolling", "--first-origin", bad, "-q"])
        assert res.exit_code == 2 and says in res.output, (bad, res.output)
        assert "Traceback" not in res.output


def test_ex_ante_holds_the_governments_levers_and_frees_the_talks():
    from peninsula.analysis.replay import FREED_LEVERS, HELD_LEVERS, forecast_levers

    origin, horizon = 13 * 12, 12  # 2019-01: talks under way since March 2018
    rec = forecast_levers(origin, horizon, "conditional")
    ex = forecast_levers(origin, horizon, "ex_ante")
    assert rec["talks_override"][origin - 1] == 1.0  # the record's talks at the origin
    assert ex["talks_override"][:origin] == rec["talks_override"][:origin]
    assert ex["talks_override"][origin:] == [-1.0] * horizon and FREED_LEVERS == ("talks_override",)
    for name in HELD_LEVERS:
        assert ex[name][origin:] == [rec[name][origin - 1]] * horizon
