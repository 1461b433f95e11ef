"""Sensitivity: the estimators against analytic answers, warnings, and studies of the model.

Test functions go through the same design -> table -> ``analyze`` path as a model study; only
the evaluator differs (a formula instead of ``run_sweep``).
"""

import json
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import peninsula
from peninsula.analysis.sensitivity import (
    Factor,
    analyze,
    design,
    design_size,
    run_sensitivity,
    scenario_factors,
)
from peninsula.cli import app
from peninsula.scenario.errors import ScenarioError

runner = CliRunner()
BASE = ["scenario.horizon_months=24", "scenario.seed=5", "scenario.runs=60",
        "mechanisms.preemption=false"]
ISHIGAMI = [Factor(f"parameters.x{i}", -math.pi, 0.0, math.pi, "uniform") for i in (1, 2, 3)]
# Ishigami & Homma (1990), a = 7, b = 0.1: V = a^2/8 + b pi^4/5 + b^2 pi^8/18 + 1/2;
# V1 = (1 + b pi^4/5)^2 / 2, V2 = a^2/8, V13 = b^2 pi^8 (1/18 - 1/50), V3 = 0
_A, _B, _PI = 7.0, 0.1, math.pi
_V = _A**2 / 8 + _B * _PI**4 / 5 + _B**2 * _PI**8 / 18 + 0.5
_V1, _V2 = (1 + _B * _PI**4 / 5) ** 2 / 2, _A**2 / 8
_V13 = _B**2 * _PI**8 * (1 / 18 - 1 / 50)
S1_ISHIGAMI = np.array([_V1, _V2, 0.0]) / _V  # 0.3139, 0.4424, 0
ST_ISHIGAMI = np.array([_V1 + _V13, _V2, _V13]) / _V  # 0.5576, 0.4424, 0.2437


def ishigami_table(points: pd.DataFrame, shift: float = 60.0, scale: float = 1.0
                   ) -> pd.DataFrame:
    """The design with an ``ishigami`` metric column, as a sweep table has its metrics; a
    shift of 60 puts its mean where the stability index's is, far above its spread."""
    x1, x2, x3 = (points[f.key].to_numpy() for f in ISHIGAMI)
    y = np.sin(x1) + _A * np.sin(x2) ** 2 + _B * x3**4 * np.sin(x1)
    return points.assign(ishigami=scale * y + shift)


def test_ishigami_plus_a_constant_gives_its_analytic_indices_without_warnings():
    points = design(ISHIGAMI, 1024, seed=11)
    assert len(points) == 1024 * (3 + 2)
    res = analyze(ishigami_table(points), ISHIGAMI, ["ishigami"], seed=3)
    ind = res.indices
    assert list(ind.columns) == ["metric", "factor", "S1", "S1_conf", "ST", "ST_conf", "sd",
                                 "point_se"]
    np.testing.assert_allclose(ind["S1"], S1_ISHIGAMI, atol=0.03)
    np.testing.assert_allclose(ind["ST"], ST_ISHIGAMI, atol=0.03)
    # the 95% intervals are honest and narrow: a mean of 60 does not inflate them
    assert np.all(np.abs(ind["S1"] - S1_ISHIGAMI) < ind["S1_conf"])
    assert np.all(np.abs(ind["ST"] - ST_ISHIGAMI) < ind["ST_conf"])
    assert np.all(ind["S1_conf"] < 0.07) and np.all(ind["ST_conf"] < 0.1)
    assert res.warnings == []  # an adequate design: nothing to warn about


def test_ishigami_second_order_index_is_the_x1_x3_interaction():
    points = design(ISHIGAMI, 1024, seed=11, second_order=True)
    assert len(points) == 1024 * (2 * 3 + 2)
    res = analyze(ishigami_table(points), ISHIGAMI, ["ishigami"], second_order=True, seed=3)
    s2 = res.second_order.set_index(["factor_1", "factor_2"])["S2"]
    # S13 = V13 / V = 0.2437 (x3 acts only with x1); x2 is additive: S12 = S23 = 0
    assert s2[("parameters.x1", "parameters.x3")] == pytest.approx(ST_ISHIGAMI[2], abs=0.03)
    assert abs(s2[("parameters.x1", "parameters.x2")]) < 0.03
    assert abs(s2[("parameters.x2", "parameters.x3")]) < 0.03
    np.testing.assert_allclose(res.indices["ST"], ST_ISHIGAMI, atol=0.03)
    assert res.warnings == []


@settings(max_examples=20, deadline=None)
@given(shift=st.floats(-1e4, 1e4), scale=st.floats(1e-3, 1e3))
def test_indices_do_not_depend_on_the_metrics_mean_or_units(shift, scale):
    # The uncentred estimator gave S1(x3) = 0.78 for Ishigami + 60 at N = 64 (analytic 0).
    points = design(ISHIGAMI, 64, seed=1)
    plain = analyze(ishigami_table(points, 0.0), ISHIGAMI, ["ishigami"], seed=0).indices
    moved = analyze(ishigami_table(points, shift, scale), ISHIGAMI, ["ishigami"],
                    seed=0).indices
    cols = ["S1", "S1_conf", "ST", "ST_conf"]
    np.testing.assert_allclose(moved[cols], plain[cols], atol=1e-6)
    assert abs(moved.set_index("factor").loc["parameters.x3", "S1"]) < 0.1


def test_morris_effects_of_a_linear_metric_are_its_slopes_times_the_ranges():
    factors = [Factor("parameters.a", 0.0, 1.0, 2.0, "uniform"),
               Factor("levers.b", 1.0, 2.5, 4.0, "uniform"),
               Factor("parameters.c", 0.0, 0.2, 1.0, "triangular")]
    points = design(factors, 20, method="morris", levels=4, seed=4)
    assert len(points) == design_size("morris", 3, 20) == 20 * (3 + 1)
    y = 3.0 * points["parameters.a"] - 2.0 * points["levers.b"] + 60.0
    res = analyze(points.assign(y=y), factors, ["y"], method="morris", levels=4, seed=4)
    by = res.indices.set_index("factor")
    # mu* = |slope| x range (effects per unit-cube step): 3 x 2 = 6, 2 x 3 = 6; c is unused
    np.testing.assert_allclose(by["mu_star"], [6.0, 6.0, 0.0], atol=1e-9)
    np.testing.assert_allclose(by["mu"], [6.0, -6.0, 0.0], atol=1e-9)
    np.testing.assert_allclose(by["sigma"], 0.0, atol=1e-9)  # linear: no interaction
    assert res.warnings == []


def test_morris_ranks_the_ishigami_factors_and_sees_x3_acting_through_x1():
    points = design(ISHIGAMI, 200, method="morris", seed=2)
    res = analyze(ishigami_table(points), ISHIGAMI, ["ishigami"], method="morris", seed=2)
    by = res.indices.set_index("factor")
    assert by.loc["parameters.x3", "mu_star"] < by.loc["parameters.x2", "mu_star"]
    assert by.loc["parameters.x3", "mu_star"] < by.loc["parameters.x1", "mu_star"]
    # x3 has no first-order effect: its effects change sign with x1, so mu is near zero
    x3 = by.loc["parameters.x3"]
    assert abs(x3["mu"]) < 0.3 * x3["mu_star"] and x3["sigma"] > x3["mu_star"]


def test_design_follows_each_factors_declared_distribution():
    f = Factor("parameters.k", 1.0, 1.5, 4.0, "triangular")
    x = design([f, Factor("levers.l", 0.0, 1.0, 2.0, "uniform")], 4096, seed=2)
    assert len(x) == design_size("sobol", 2, 4096) == 4096 * 4
    a, ab1, ab2, b = (x.iloc[i::4] for i in range(4))  # SALib's order: A, AB_1, AB_2, B
    assert a["parameters.k"].min() >= 1.0 and a["parameters.k"].max() <= 4.0
    assert abs(a["parameters.k"].mean() - (1.0 + 1.5 + 4.0) / 3) < 0.01  # (a + c + b) / 3
    assert abs(b["levers.l"].mean() - 1.0) < 0.01
    # AB_1: factor 1 from B, the rest from A
    np.testing.assert_array_equal(ab1["parameters.k"].to_numpy(), b["parameters.k"].to_numpy())
    np.testing.assert_array_equal(ab1["levers.l"].to_numpy(), a["levers.l"].to_numpy())
    np.testing.assert_array_equal(ab2["parameters.k"].to_numpy(), a["parameters.k"].to_numpy())
    assert len(design([f], 8, seed=1, second_order=True)) == design_size("sobol", 1, 8, True)
    m = design([f], 10, method="morris", levels=4, seed=1)["parameters.k"]
    assert m.min() == 1.0 and m.max() == 4.0  # Morris grid ends land on the range's ends
    with pytest.raises(ValueError, match="power of two"):
        design([f], 12, seed=1)
    with pytest.raises(ValueError, match="--levels must be an even number"):
        design([f], 4, method="morris", levels=3)


def test_model_study_ranks_a_driver_first_and_an_unused_parameter_at_exactly_zero():
    sc = peninsula.load_scenario("baseline", BASE)
    factors = scenario_factors(sc, ["launch_base_rate_per_year", "preemption_per_month",
                                    "levers.exercise_intensity=0,2"])
    res, table = run_sensitivity(sc, factors, 8, metrics=["dprk_launches_per_year"],
                                 n_boot=100)
    assert len(table) == 8 * (3 + 2)
    by = res.indices.set_index("factor")
    # pre-emption is switched off: with common random numbers its points equal their A points
    assert by.loc["parameters.preemption_per_month", "ST"] == 0.0
    assert by.loc["parameters.preemption_per_month", "S1"] == 0.0
    assert by.loc["parameters.launch_base_rate_per_year", "ST"] > 0.5
    assert by["ST"].idxmax() == "parameters.launch_base_rate_per_year"
    assert (res.indices["point_se"] > 0).all() and (res.indices["sd"] > 0).all()


def test_study_resumes_and_writes_its_tables(tmp_path):
    sc = peninsula.load_scenario("baseline", BASE)
    factors = scenario_factors(sc, ["launch_base_rate_per_year", "levers.exercise_intensity=0,2"])
    first, _ = run_sensitivity(sc, factors, 4, out_dir=tmp_path, n_boot=50,
                               second_order=True)
    pts = sorted((tmp_path / "points").glob("point-*.json"))
    assert len(pts) == 4 * (2 * 2 + 2)
    pts[-1].unlink()  # as if interrupted before the last point
    again, _ = run_sensitivity(sc, factors, 4, out_dir=tmp_path, resume=True, n_boot=50,
                               second_order=True)
    pd.testing.assert_frame_equal(first.indices, again.indices)
    saved = pd.read_csv(tmp_path / "sensitivity.csv")
    assert list(saved.columns) == ["metric", "factor", "S1", "S1_conf", "ST", "ST_conf", "sd",
                                   "point_se"]
    pairs = pd.read_csv(tmp_path / "sensitivity_s2.csv")
    assert list(pairs.columns) == ["metric", "factor_1", "factor_2", "S2", "S2_conf"]
    assert len(pairs) == len(saved) // 2  # one pair per metric for two factors
    meta = json.loads((tmp_path / "sensitivity.json").read_text())
    assert meta["points"] == 24 and meta["runs_per_point"] == 60 and meta["method"] == "sobol"
    assert len(meta["second_order"]) == len(pairs)
    assert meta["warnings"] == first.warnings and len(meta["warnings"]) > 0  # N = 4 is tiny


def test_tiny_design_warns_on_stderr_and_keeps_json_records_on_stdout(tmp_path):
    res = runner.invoke(app, ["sensitivity", "--factor", "launch_base_rate_per_year",
                              "--factor", "launch_drill_effect", "--factor",
                              "levers.exercise_intensity=0,2", "--samples", "2", "--runs", "8",
                              "--json", "-q", "--set", "scenario.horizon_months=24",
                              "--out", str(tmp_path)])
    assert res.exit_code == 0, res.output
    rows = json.loads(res.stdout)
    assert isinstance(rows, list) and len(rows) == 6 * 3
    warnings = res.stderr.splitlines()
    assert len(warnings) >= 3 and all(w.startswith("warning: ") for w in warnings)
    assert any("wider than the index" in w and "raise --samples" in w for w in warnings)
    saved = json.loads((tmp_path / "sensitivity.json").read_text())["warnings"]
    assert [f"warning: {w}" for w in saved] == warnings


def test_noisy_points_and_impossible_indices_are_warned_about():
    points = design(ISHIGAMI, 64, seed=1)
    table = ishigami_table(points).assign(ishigami_se=10.0)  # chance larger than the spread
    res = analyze(table, ISHIGAMI, ["ishigami"], seed=1)
    assert any("standard error from chance (10)" in w and "raise --runs" in w
               for w in res.warnings)
    # a metric that is the same at every point has no variance to share out
    res = analyze(table.assign(flat=1.0), ISHIGAMI, ["flat"], seed=1)
    assert res.indices[["S1", "ST"]].isna().all().all()
    assert res.warnings == ["flat: the same at every point of the design: no variance to "
                            "share out, no indices"]


def test_bad_factors_and_metrics_are_reported_and_nothing_is_written(tmp_path):
    sc = peninsula.load_scenario("baseline", BASE)
    with pytest.raises(ScenarioError, match="not a parameter"):
        scenario_factors(sc, ["no_such_thing"])
    with pytest.raises(ScenarioError, match="LOW 2 must be below HIGH 1"):
        scenario_factors(sc, ["levers.exercise_intensity=2,1"])
    assert len(scenario_factors(sc)) == sum(
        p["distribution"] != "fixed" for p in sc["parameters"].values())
    out = tmp_path / "study"
    for args, says in [
        (["--samples", "6"], "power of two"),
        (["--metric", "p_war_99y"], "--metric 'p_war_99y'"),
        (["--factor", "nope"], "--factor: nope: not a parameter"),
        # a range outside what the lever allows is reported as the range given, not as a
        # generated sample value
        (["--factor", "levers.exercise_intensity=0,9"],
         "--factor: levers.exercise_intensity=0,9: HIGH 9 is not allowed"),
        (["--factor", "levers.exercise_intensity=0,inf"], "must be finite"),
        (["--factor", "mechanisms.preemption=0,1"], "--factor: mechanisms.preemption=0,1"),
        (["--method", "fast"], "--method: 'fast' is not one of: sobol, morris"),
        (["--method", "morris", "--levels", "3"], "--levels must be an even number"),
        (["--method", "morris", "--second-order"], "--second-order: Sobol only"),
    ]:
        res = runner.invoke(app, ["sensitivity", *args, "-q", "--out", str(out)])
        assert res.exit_code == 2 and says in res.output, (args, res.output)
        assert len(res.output.strip().splitlines()) == 1, res.output
        assert not out.exists(), args


def test_cli_json_contract_for_both_methods():
    common = ["--factor", "launch_base_rate_per_year", "--factor",
              "levers.exercise_intensity=0,2", "--runs", "40", "--metric",
              "dprk_launches_per_year", "--json", "-q", "--set", "scenario.horizon_months=24"]
    res = runner.invoke(app, ["sensitivity", "--samples", "4", *common])
    assert res.exit_code == 0, res.output
    rows = json.loads(res.stdout)
    assert len(rows) == 2
    for key in ("metric", "factor", "S1", "S1_conf", "ST", "ST_conf", "sd", "point_se"):
        assert key in rows[0], key
    res = runner.invoke(app, ["sensitivity", "--method", "morris", "--samples", "6", *common])
    assert res.exit_code == 0, res.output
    rows = {r["factor"]: r for r in json.loads(res.stdout)}
    for key in ("metric", "factor", "mu_star", "mu_star_conf", "mu", "sigma", "sd",
                "point_se"):
        assert key in rows["parameters.launch_base_rate_per_year"], key
    # the base launch rate drives launches: its effect over the range is several a year
    assert rows["parameters.launch_base_rate_per_year"]["mu_star"] > 3.0


def test_delta_from_given_data_finds_the_driver_and_scores_unused_factors_near_zero():
    rng = np.random.default_rng(5)
    factors = [Factor(f"parameters.x{i}", 0.0, 0.5, 1.0, "uniform") for i in range(4)]
    x = pd.DataFrame(rng.uniform(size=(3000, 4)), columns=[f.key for f in factors])
    y = 3.0 * x["parameters.x0"] + x["parameters.x1"] + rng.normal(0.0, 0.1, 3000)
    war = (rng.uniform(size=3000) < 0.05 + 0.3 * x["parameters.x0"]).astype(float)
    res = analyze(x.assign(y=y, war=war), factors, ["y", "war"], method="delta", n_boot=50,
                  seed=1, convergence=True)
    by = res.indices.set_index(["metric", "factor"])
    # S1 from given data: 9 / (9 + 1 + 1.2) and 1 / 11.2 for a linear y (uniform variance 1/12)
    assert by.loc[("y", "parameters.x0"), "S1"] == pytest.approx(0.89, abs=0.03)
    assert by.loc[("y", "parameters.x1"), "S1"] == pytest.approx(0.09, abs=0.03)
    for m in ("y", "war"):
        assert by.loc[(m, "parameters.x0"), "delta"] > 5 * by.loc[(m, "parameters.x0"),
                                                                  "delta_conf"] / 1.96
        for unused in ("parameters.x2", "parameters.x3"):  # about zero, within the interval
            assert abs(by.loc[(m, unused), "delta"]) < by.loc[(m, unused), "delta_conf"] + 0.01
    assert by.loc[("war", "parameters.x0"), "feature_score"] == by.xs("war")[
        "feature_score"].max()
    conv = res.convergence.set_index(["metric", "factor"])
    assert list(res.convergence.columns) == ["metric", "factor", "delta_half", "converged"]
    # unused factors agree at N/2 and N; the driver's histogram estimate still rises with N
    assert conv.loc[("y", "parameters.x2"), "converged"]
    assert conv.loc[("y", "parameters.x0"), "delta_half"] < by.loc[("y", "parameters.x0"),
                                                                  "delta"]


def test_convergence_check_compares_half_the_design_with_the_whole():
    points = design(ISHIGAMI, 256, seed=11)
    res = analyze(ishigami_table(points), ISHIGAMI, ["ishigami"], seed=3, convergence=True)
    conv = res.convergence
    assert list(conv.columns) == ["metric", "factor", "ST_half", "converged"]
    half = analyze(ishigami_table(points.iloc[:128 * 5]), ISHIGAMI, ["ishigami"], seed=3)
    np.testing.assert_allclose(conv["ST_half"], half.indices["ST"])
    assert conv["converged"].all()
    tiny = analyze(ishigami_table(design(ISHIGAMI, 2, seed=1)), ISHIGAMI, ["ishigami"],
                   seed=3, convergence=True).convergence
    assert tiny["converged"].isna().all()  # one base row cannot be halved


def test_cli_delta_screening_then_sobol_and_plot(tmp_path):
    common = ["--runs", "40", "--metric", "dprk_launches_per_year", "--json", "-q", "--set",
              "scenario.horizon_months=24"]
    res = runner.invoke(app, ["sensitivity", "--method", "delta", "--runs", "300",
                              "--factor", "launch_base_rate_per_year", "--factor",
                              "launch_drill_effect", *common[2:], "--plot",
                              str(tmp_path / "delta.png")])
    assert res.exit_code == 0, res.output
    rows = {r["factor"]: r for r in json.loads(res.stdout)}
    for key in ("metric", "factor", "delta", "delta_conf", "S1", "S1_conf", "feature_score",
                "delta_half", "converged", "method"):
        assert key in rows["parameters.launch_base_rate_per_year"], key
    assert (tmp_path / "delta.png").stat().st_size > 10_000
    factors = ["--factor", "launch_base_rate_per_year", "--factor", "launch_drill_effect",
               "--factor", "levers.exercise_intensity=0,2"]
    res = runner.invoke(app, ["sensitivity", "--method", "morris", "--samples", "4",
                              "--then-sobol", "1", "--sobol-samples", "4", *factors, *common,
                              "--out", str(tmp_path / "two"), "--plot",
                              str(tmp_path / "two.png")])
    assert res.exit_code == 0, res.output
    rows = json.loads(res.stdout)
    assert [r["method"] for r in rows] == ["morris"] * 3 + ["sobol"]
    assert {"mu_star", "mu_star_conf", "sigma", "mu_star_half"} <= set(rows[0])
    assert {"S1", "S1_conf", "ST", "ST_conf", "ST_half", "converged"} <= set(rows[-1])
    assert rows[-1]["factor"] == "parameters.launch_base_rate_per_year"  # the largest mu*
    assert (tmp_path / "two" / "screening" / "sensitivity.json").exists()
    for args, says in [
        (["--then-sobol", "2"], "--then-sobol: follows a Morris screening"),
        (["--method", "delta", "--factor", "levers.exercise_intensity=0,2"],
         "--method delta: levers.exercise_intensity must be a parameter name"),
        (["--plot", str(tmp_path / "x.nope")], "unknown image format"),
    ]:
        res = runner.invoke(app, ["sensitivity", *args, "-q"])
        assert res.exit_code == 2 and says in res.output, (args, res.output)


@pytest.mark.parametrize("method, columns", [
    ("morris", ("mu_star", "mu_star_conf", "mu", "sigma")),
    ("sobol", ("S1", "S1_conf", "ST", "ST_conf")),
    ("delta", ("delta", "delta_conf", "S1", "S1_conf")),
])
def test_the_sensitivity_figure_words_indices_and_metrics_from_the_registry(method, columns):
    from types import SimpleNamespace

    from peninsula.analysis import registry as R
    from peninsula.report import sensitivity_plot

    indices = pd.DataFrame([{"metric": "p_war_10y", "factor": f"parameters.{name}",
                             **{c: v for c in columns}}
                            for name, v in (("launch_base_rate_per_year", 0.3),
                                            ("deterrence_elasticity", 0.1))])
    fig = sensitivity_plot._matplotlib(SimpleNamespace(method=method, indices=indices),
                                       "baseline", 10, 1, 5)
    ax = fig.axes[0]
    key = sensitivity_plot.MAIN_INDEX[method]
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend[0] == f"{R.statistic(key).named} ± 95%"
    if method == "sobol":
        assert legend[1] == "First-order index (S1)"
    assert ax.get_xlabel() == R.statistic(key).with_unit()
    assert ax.get_title(loc="left") == "P(war or worse) within 10 years"
    shown = " ".join([*legend, ax.get_xlabel(), ax.get_title(loc="left")])
    assert not any(code in shown.split() for code in (key, "p_war_10y", "mu*"))
    assert "_" not in shown
