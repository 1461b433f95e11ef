"""What carries a comparison: p_better (the share of parameter draws under which a policy
lowers P(war)) and carried_by (the parameters that move the difference), on toys with known
answers, and the verdict sentence every face prints."""

import html
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from typer.testing import CliRunner

import peninsula
from peninsula.analysis import registry
from peninsula.analysis.compare import (
    carried_by,
    comparison_evidence,
    p_better,
    policy_verdict,
    run_parameters,
    verdict,
)
from peninsula.cli import app
from peninsula.cli.render import compare_verdict
from peninsula.model.setup import build_setup
from peninsula.report.brief_page import comparison_section
from peninsula.scenario.parameters import NAMES

M, K = 10, 1000  # runs per draw, draws


def paired_runs(delta: np.ndarray, seed: int, m: int = M) -> tuple[np.ndarray, ...]:
    """Per-run 0/1 wars of a reference and a policy on common random numbers: draw k has
    P(war) p_k ~ U(0.2, 0.4) under the reference and p_k + delta_k under the policy, and run i
    of both arms compares the same uniform with its probability."""
    rng = np.random.default_rng(seed)
    k = len(delta)
    p_ref = rng.uniform(0.2, 0.4, k)
    draws = np.repeat(np.arange(k), m)
    u = rng.uniform(size=k * m)
    ref = (u < p_ref[draws]).astype(float)
    pol = (u < np.clip(p_ref + delta, 0.0, 1.0)[draws]).astype(float)
    return pol, ref, draws


def raw_share(pol: np.ndarray, ref: np.ndarray, draws: np.ndarray) -> float:
    return float(np.mean(np.bincount(draws, weights=pol - ref) < 0))


def test_p_better_recovers_a_known_share_when_sign_and_size_are_unrelated():
    rng = np.random.default_rng(1)
    lower = rng.uniform(size=K) < 0.75
    delta = np.where(lower, -1.0, 1.0) * rng.uniform(0.01, 0.1, K)
    pol, ref, draws = paired_runs(delta, seed=2)
    out = p_better(pol, ref, draws)
    truth = float(lower.mean())
    assert abs(out["share"] - truth) < 0.04
    assert out["p05"] <= truth <= out["p95"]
    assert out["p95"] - out["p05"] < 0.15
    assert out["draws"] == K and 0 < out["ties"] < K
    assert raw_share(pol, ref, draws) < truth - 0.2  # what the noise and the ties do to a count


def test_p_better_on_a_normal_spread_of_differences():
    # true per-draw differences N(-0.02, 0.03^2): a share Phi(0.02 / 0.03) = 0.75 lowers P(war)
    delta = np.random.default_rng(3).normal(-0.02, 0.03, K)
    pol, ref, draws = paired_runs(delta, seed=4)
    out = p_better(pol, ref, draws)
    truth = stats.norm.cdf(0.02 / 0.03)
    assert abs(out["normal_share"] - truth) < 0.05  # the deconvolution's own assumption
    # the positive differences are smaller, so fewer of those draws show a changed run: the
    # discordant-pair share leans toward the draws that change more runs (documented)
    assert truth - 0.02 < out["share"] < truth + 0.12
    assert raw_share(pol, ref, draws) < 0.5


def test_p_better_without_spread_and_without_effect():
    pol, ref, draws = paired_runs(np.full(K // 5, -0.05), seed=5)
    out = p_better(pol, ref, draws)
    assert out["share"] > 0.97 and out["p05"] > 0.9
    pol, ref, draws = paired_runs(np.full(K // 5, 0.05), seed=5)
    out = p_better(pol, ref, draws)
    assert out["share"] < 0.03 and out["p95"] < 0.1
    assert p_better(ref, ref, draws) is None  # the policy changes no run: nothing to read


def toy_parameters(k: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(rng.uniform(size=(k, 30)), columns=[f"x{j}" for j in range(30)])


def test_carried_by_names_the_parameters_that_move_the_difference():
    k = 400
    params = toy_parameters(k, 6)
    z = (params - 0.5) / np.sqrt(1 / 12)
    delta = -0.05 + 0.04 * z["x3"] + 0.02 * z["x7"]  # variances 0.0016 : 0.0004
    pol, ref, draws = paired_runs(delta.to_numpy(), seed=7, m=20)
    per_run = params.iloc[draws].reset_index(drop=True)
    out, note = carried_by(pol - ref, draws, per_run)
    assert note is None
    names = [c["parameter"] for c in out["parameters"]]
    assert names[:2] == ["x3", "x7"] and len(names) <= 5
    shares = [c["share"] for c in out["parameters"]]
    assert 0.55 < shares[0] < 0.95 and 0.1 < shares[1] < 0.4 and sum(shares) <= 1.0 + 1e-9
    assert out["parameters"][0]["slope_per_sd"] > 0.03
    assert out["r2_cv"] > 0.1 and out["r2"] <= out["r2_ceiling"] + 0.1


def test_carried_by_is_null_with_a_reason():
    k = 200
    params = toy_parameters(k, 8)
    pol, ref, draws = paired_runs(np.full(k, -0.05), seed=9)
    point = params.iloc[draws].reset_index(drop=True) * 0 + 1.0
    out, note = carried_by(pol - ref, draws, point)
    assert out is None and "point values" in note
    # a difference that does not move with the draws beyond the noise
    out, note = carried_by(pol - ref, draws, params.iloc[draws].reset_index(drop=True))
    assert out is None and "beyond the simulation's noise" in note
    ev = comparison_evidence(pol, ref, draws, None, None)
    assert ev["carried_by"] is None and "not available" in ev["carried_by_note"]


def test_verdict_words_the_evidence():
    d = {"mean": -0.02, "p05": -0.03, "p95": -0.01}
    carried = {"parameters": [{"parameter": "x", "share": 0.41}, {"parameter": "y",
                                                                   "share": 0.22}]}
    assert verdict(d) == "lower"
    assert verdict(d, {"share": 0.97, "p05": 0.94, "p95": 0.99}, carried) == \
        "lower in 97% [94-99%] of the parameter draws the evidence allows"
    assert verdict(d, {"share": 0.04, "p05": 0.01, "p95": 0.08}) == \
        "higher in 96% [92-99%] of the parameter draws the evidence allows"
    assert verdict(d, {"share": 0.64, "p05": 0.5, "p95": 0.8}, carried) == \
        ("lower only under some assumed effects (lower in 64% [50-80%] of the parameter "
         "draws; carried by x 41%, y 22%)")
    weak = {**carried, "r2_cv": -0.1}
    assert verdict(d, {"share": 0.64, "p05": 0.5, "p95": 0.8}, weak).endswith(
        "draws; no parameter carries it detectably out of sample (largest: x 41%, y 22%))")
    assert verdict(d, {"share": 0.64, "p05": 0.5, "p95": 0.8}, {**carried, "r2_cv": 0.2}) \
        .endswith("draws; carried by x 41%, y 22%)")
    assert verdict(d, {"share": 0.3, "p05": 0.2, "p95": 0.45}, None).startswith(
        "higher only under some assumed effects (higher in 70% [55-80%]")


def test_run_parameters_are_the_engines_own():
    sc = peninsula.load_scenario("baseline", ["scenario.horizon_months=12", "scenario.runs=30",
                                              "scenario.seed=3"])
    ens = peninsula.run(sc)
    table = ens.runs_table()
    mine = run_parameters(build_setup(sc), table["run"].to_numpy())
    pd.testing.assert_frame_equal(mine, table[list(mine.columns)])
    assert mine.shape == (30, len(NAMES)) and mine.nunique().max() > 1


@pytest.mark.parametrize("sets", [[], ["scenario.sample_parameters=false"],
                                  ["metrics.runs_per_parameter_draw=1"]])
def test_compare_json_says_what_carries_each_difference(sets):
    res = CliRunner().invoke(app, [
        "compare", "baseline", "--policy", "status-quo", "--policy", "dual-track", "--policy",
        "max-deterrence", "--runs", "400", "--seed", "5", "--json", "-q",
        *[a for s in sets for a in ("--set", s)]])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["evidence_metric"] == "p_war_10y"
    for name in ("dual-track", "max-deterrence"):
        d = out["differences"][name]
        assert {"p_better", "carried_by", "carried_by_note", "p_better_note"} <= set(d)
        # the metrics keep their keys, and add the interval of the mean under its own name
        assert set(d["p_war_10y"]) == {"mean", "p05", "p95", "interval_90"}
        assert d["p_war_10y"]["interval_90"] == [d["p_war_10y"]["p05"], d["p_war_10y"]["p95"]]
        if sets == ["scenario.sample_parameters=false"]:
            assert d["p_better"] is None and d["carried_by"] is None
            assert "point values" in d["carried_by_note"] and "point values" in \
                d["p_better_note"]
        elif sets:  # one run per draw: no share, but the parameters still regress
            assert d["p_better"] is None and "one run per parameter draw" in d["p_better_note"]
            assert d["carried_by"] is not None or d["carried_by_note"]
        else:
            better = d["p_better"]
            assert 0.0 <= better["p05"] <= better["share"] <= better["p95"] <= 1.0
            assert better["draws"] == 40
            if d["carried_by"] is None:  # a difference no parameter moves beyond the noise
                assert "no parameter carries it" in d["carried_by_note"]
            else:
                assert d["carried_by"]["draws"] == 40
                assert len(d["carried_by"]["parameters"]) <= 5
    if not sets:
        carried = [out["differences"][n]["carried_by"] for n in ("dual-track", "max-deterrence")]
        assert any(c is not None and c["draws"] == 40 for c in carried)  # at least one varies
        assert out["differences"]["dual-track"]["p_better"]["share"] > 0.8


def test_faces_print_the_same_verdict():
    result = peninsula.api.compare(
        peninsula.load_scenario("baseline", ["scenario.horizon_months=60"]),
        ["status-quo", "dual-track", "max-deterrence"], runs=300, seed=2)
    metric = result["evidence_metric"]
    assert metric == "p_war_5y"
    page = comparison_section(list(result["policies"]), result,
                              {"compare": "data:image/png;base64,"})
    for name in ("dual-track", "max-deterrence"):
        text = policy_verdict(result["differences"][name], metric)
        assert text.startswith(("lower", "higher")) and "parameter draws" in text
        assert html.escape(text) in page
        assert compare_verdict(result, name) == text
    # without evidence keys (an older result) the interval speaks
    bare = {k: v for k, v in result["differences"]["dual-track"].items()
            if k not in ("p_better", "p_better_note", "carried_by", "carried_by_note")}
    assert policy_verdict(bare, metric) in ("lower", "higher",
                                            "no difference detectable at this run count")
    # p_better missing: the note says why
    none = {**result["differences"]["dual-track"], "p_better": None,
            "p_better_note": "one run per parameter draw"}
    assert policy_verdict(none, metric).endswith("(one run per parameter draw)")


def test_dashboard_compare_view_words_each_verdict():
    pytest.importorskip("streamlit")
    from streamlit.testing.v1 import AppTest

    script = Path(__file__).resolve().parents[1] / "src" / "peninsula" / "app" / "dashboard.py"
    at = AppTest.from_file(str(script), default_timeout=120)
    at.run()
    at.number_input(key="runs").set_value(200)
    at.number_input(key="seed").set_value(7)
    at.button(key="run_compare").click().run()
    assert not at.exception, [e.value for e in at.exception]
    text = "\n".join(m.value for m in at.tabs[1].markdown)
    label = registry.metric("p_war_10y").label  # the registry's words, not the code name
    assert "p_war_10y" not in text
    for name in ("dual-track", "max-deterrence", "restraint"):
        assert f"**{name}** against status-quo, {label}: " in text
    assert "parameter draws" in text
