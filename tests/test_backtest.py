"""Historical replay, ABC calibration and skill scores (small sizes; docs/validation.md has the
full run)."""

import json

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from conftest import ensemble, series
from peninsula.analysis.backtest import CLASH_BENCHMARKS, calibrate, simulate_years, skill
from peninsula.analysis.count_models import BENCHMARKS
from peninsula.analysis.record import history_scenario
from peninsula.analysis.scoring import crps_ensemble
from peninsula.cli import app

runner = CliRunner()


def test_crps_of_ensemble_matches_definition():
    x = np.array([0.0, 2.0, 4.0])
    y = 3.0
    direct = np.mean(np.abs(x - y)) - 0.5 * np.mean(np.abs(x[:, None] - x[None, :]))
    assert crps_ensemble(x, y) == pytest.approx(direct)
    assert crps_ensemble(np.full(10, 5.0), 2.0) == pytest.approx(3.0)  # point: absolute error


def test_skill_scores_of_a_perfect_and_a_useless_forecast():
    obs = np.array([0, 10, 30, 60])
    perfect = np.tile(obs, (50, 1)).astype(float)
    s = skill(perfect, obs, obs)
    assert s["spearman"] == pytest.approx(1.0) and s["crps"] == pytest.approx(0.0)
    assert s["brier"] == 0.0 and s["coverage_90"] == 1.0
    flat = np.full((50, 4), 25.0)
    assert skill(flat, obs, obs)["crps"] == pytest.approx(np.mean(np.abs(25 - obs)))


def test_talks_override_holds_talks_as_recorded():
    _, on = ensemble(("levers.talks_override=1",), runs=100, horizon=24)
    _, off = ensemble(("levers.talks_override=0", "levers.flexible_diplomacy=1"), runs=100,
                      horizon=24)
    assert series(on, "talks_active").min() == 1.0 and series(off, "talks_active").max() == 0.0


def test_history_replay_follows_the_levers_of_the_record():
    sc = history_scenario(240)
    sim = simulate_years(sc.with_settings(sample_parameters=False), 400, seed=3)
    mean = sim["missiles"].mean(axis=0)
    assert (sim["launch_days"] <= sim["missiles"]).all()  # a launch day fires at least one
    assert mean[2018 - 2006] < 0.5 * mean[2017 - 2006]  # talks and suspended drills in 2018
    assert sc["levers"]["exercise_intensity"][12 * 12 + 7] == 0.0  # August 2018: UFG suspended


def test_abc_posterior_predictive_follows_the_record():
    # Single parameters are weakly identified (base rate trades off against the capability
    # elasticity), so the check is on what the record pins down: the posterior predictive.
    sc = history_scenario(168)
    fixed = sc.with_settings(sample_parameters=False)

    def synthetic(rate):
        return simulate_years(fixed.with_parameters(launch_base_rate_per_year=rate), 200,
                              seed=9)["missiles"].mean(axis=0)

    targets = {"low": synthetic(8.0), "high": synthetic(26.0)}
    pred = {}
    for name, target in targets.items():
        post = calibrate(2019, draws=3000, accept=0.03, seed=2, target=target)
        pred[name] = simulate_years(sc, 400, seed=4, posterior=post)["missiles"].mean(axis=0)
    assert pred["high"].sum() > 2.0 * pred["low"].sum()  # targets differ 3.3x
    for name, other in (("low", "high"), ("high", "low")):
        own = np.abs(pred[name] - targets[name]).mean()
        assert own < np.abs(pred[name] - targets[other]).mean()


@pytest.mark.slow
def test_backtest_json_contract_and_posterior_reuse(tmp_path):
    post = tmp_path / "post.parquet"
    res = runner.invoke(app, ["calibrate", "--train-until", "2019", "--draws", "1000",
                              "--out", str(post), "-q"])
    assert res.exit_code == 0, res.output
    res = runner.invoke(app, ["backtest", "--train-until", "2019", "--posterior", str(post),
                              "--runs", "200", "--json", "-q", "--skip-rolling",
                              "--plot", str(tmp_path / "b.png"),
                              "--report", str(tmp_path / "validation.md")])
    assert res.exit_code == 0, res.output
    r = json.loads(res.stdout)
    assert r["years"] == list(range(2006, 2026))
    for key in ("observed", "predicted_mean", "predicted_p05", "predicted_p95"):
        assert len(r[key]) == 20
    assert r["observed"][2018 - 2006] == 0 and r["observed"][2022 - 2006] == 69
    assert all(lo <= m <= hi for lo, m, hi in zip(r["predicted_p05"], r["predicted_mean"],
                                                  r["predicted_p95"], strict=True))
    assert -1 <= r["spearman"] <= 1 and r["crps"] >= 0 and 0 <= r["coverage_90"] <= 1
    assert set(r["baselines"]) == {"persistence", "climatology"}
    assert set(r["benchmarks"]) == set(BENCHMARKS) and "rolling" not in r
    for b in r["benchmarks"].values():
        assert b["crps"] >= 0 and 0 <= b["coverage_90"] <= 1 and b["log_score"] > 0
    c = r["clashes"]
    assert c["years"] == list(range(2006, 2026)) and c["observed"][2010 - 2006] == 1
    assert sum(c["observed"][2016 - 2006:]) == 0 and c["test_years"] == list(range(2020, 2026))
    assert all(0 <= p <= 1 for p in c["predicted"])
    assert set(c["scores"]) == {"model", "training_rate", "last_10_years_rate"}
    # the training-period rate: 11 clash years in 1990-2019, as the coded series has them
    assert c["training_clash_years"].startswith("11 of 30")
    assert c["scores"]["training_rate"]["brier"] == pytest.approx((11 / 30) ** 2)
    # every benchmark and the model scored in-sample (2006-2019) and held out (2020-2025)
    assert set(c["benchmarks"]) == {b.name for b in CLASH_BENCHMARKS}
    for s in [c["model"], *c["benchmarks"].values()]:
        for period in ("in_sample", "held_out"):
            assert set(s[period]) == {"log_score", "brier", "mean_p"}
            assert s[period]["log_score"] > 0 and 0 <= s[period]["brier"] <= 1
    b = c["benchmarks"]
    assert b["constant_0.07"]["held_out"]["log_score"] == pytest.approx(-np.log(0.93))
    assert b["constant_0.02"]["held_out"]["brier"] == pytest.approx(0.02 ** 2)
    assert b["replayed_years_rate"]["probability"] == pytest.approx(4 / 14)
    assert c["periods"]["in_sample"]["record_rate"] == pytest.approx(4 / 14)
    assert c["periods"]["in_sample"]["model_mean_p"] == pytest.approx(
        np.mean(c["predicted"][:14])) == pytest.approx(b["model_replay_mean"]["probability"])
    assert c["model"]["held_out"]["log_score"] == c["scores"]["model"]["log_score"]
    assert isinstance(c["low_rate_artefact"], bool) and c["verdict"].startswith("The model's")
    checks = c["verdict_checks"]
    assert c["low_rate_artefact"] == (checks["beats_training_rate"] and (
        checks["model_below_half_record_rate"]
        or (bool(checks["low_constants_as_good"])
            and checks["model_held_out_below_half_training_rate"])))
    # blind by default: every prior as of the training end; both clash variants and codings
    v = r["vintage"]
    assert v["year"] == 2019 and v["n_vintage"] + v["n_wide"] == len(v["replaced"]) > 0
    assert all(x["tabled_basis_years"][1] > 2019 for x in v["replaced"])
    assert all(not x["basis_years"] or x["basis_years"][1] <= 2019 for x in v["replaced"])
    x = r["clashes_ex_ante"]
    assert x["years"] == c["years"] and x["observed"] == c["observed"]
    assert x["predicted"][:14] == c["predicted"][:14]  # the same replay up to the cut
    guard = c["codings"]["guard_post_2020"]
    assert guard["observed"][2020 - 2006] == 1 and sum(guard["observed"]) == sum(c["observed"]) + 1
    assert guard["model"]["held_out"]["log_score"] > c["model"]["held_out"]["log_score"]
    pp = r["posterior_predictive"]
    assert pp["observed_dispersion"] == pytest.approx(
        np.var(r["observed"][:14], ddof=1) / np.mean(r["observed"][:14]))
    assert r["launch_days"]["observed"][2022 - 2006] == 34 and len(r["patrols"]["years"]) == 7
    assert r["baselines"]["persistence"]["crps"] == pytest.approx(
        np.mean([abs(9 - 27), abs(6 - 9), abs(69 - 6), abs(33 - 69), abs(41 - 33),
                 abs(11 - 41)]))
    assert (tmp_path / "b.png").stat().st_size > 10_000
    page = (tmp_path / "validation.md").read_text()
    assert "Skill on the held-out years (2020-2025)" in page and "![back-test](b.png)" in page
    assert "## Armed clashes, year by year" in page and "## Vintage: priors as of 2019" in page
    assert "**Ex-ante verdict:**" in page and "Coded with 2020-05 as a clash month" in page
    assert f"**Verdict:** {c['verdict']}" in page and "held-out log score | Brier | mean p" in page
    assert all(f"| {name}: " in page for name in c["benchmarks"])
    ex = r["expert_reference"]
    assert ex["scenario"] == "crisis-2017" and len(ex["estimates"]) == 3
    assert {e["who"] for e in ex["estimates"]} == {"John Brennan", "Joel S. Wit", "Richard Haass"}
    assert all(lo <= ex["p_war"][h] <= hi for h, (lo, hi) in ex["p_war_interval_90"].items())
    assert ex["p_war"]["10"] >= ex["p_war"]["1"]
    assert "## The 2017 crisis beside published expert estimates" in page
    # run --posterior: every run's calibrated parameters come from the posterior rows
    res = runner.invoke(app, ["run", "--runs", "30", "--posterior", str(post), "-q", "--out",
                              str(tmp_path / "r"), "--no-monthly"])
    assert res.exit_code == 0, res.output
    runs = pd.read_parquet(tmp_path / "r" / "runs.parquet")
    rows = set(pd.read_parquet(post)["launch_base_rate_per_year"].round(9))
    assert set(runs["launch_base_rate_per_year"].round(9)) <= rows
