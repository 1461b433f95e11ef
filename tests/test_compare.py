"""Per-run outcomes and paired policy comparisons on common random numbers."""

import json

import numpy as np
import pandas as pd
from typer.testing import CliRunner

import peninsula
from peninsula.analysis.compare import policy_outcomes
from peninsula.analysis.metrics import Z90, paired_difference
from peninsula.api import policies
from peninsula.cli import app

runner = CliRunner()
SETS = ["scenario.horizon_months=120", "scenario.runs=400", "scenario.seed=11"]


def test_outcomes_agree_with_the_summary_and_nulls_mark_rungs_never_reached(tmp_path):
    sc = peninsula.load_scenario("baseline", SETS)
    ens = peninsula.run(sc)
    o, s = ens.outcomes(), ens.summary()
    for h in ("1", "5", "10"):
        for key, name in (("p_war", "war"), ("p_clash", "clash"),
                          ("p_nuclear_use", "nuclear_use")):
            assert o[f"{name}_{h}y"].mean() == s[key][h]
        for metric in ("stability_index", "dprk_launches_per_year", "gdp_loss_pct"):
            assert o[f"{metric}_{h}y"].mean() == s["by_horizon"][h][metric]["mean"]
    assert o["dprk_capability_10y"].mean() == s["dprk_capability"]["mean"]
    first = o["first_war_month"]
    assert str(first.dtype) == "Int32" and first.isna().any() and first.notna().any()
    assert (first.isna() == (o["war_10y"] == 0)).all()  # 10 years: the whole horizon
    assert (first.dropna() < 120).all()
    ens.save(tmp_path / "out")  # runs.parquet: parameters and outcomes, beside each other
    runs = pd.read_parquet(tmp_path / "out" / "runs.parquet")
    assert "launch_drill_effect" in runs.columns
    pd.testing.assert_frame_equal(runs[list(o.columns)], o)


def test_compact_and_resumable_folder_runs_keep_the_outcomes(tmp_path):
    sc = peninsula.load_scenario("baseline", ["scenario.horizon_months=24",
                                              "scenario.runs=120", "scenario.seed=2"])
    mem = peninsula.run(sc).outcomes()
    compact = peninsula.run(sc, compact=True, record_monthly=False, record_events=False)
    pd.testing.assert_frame_equal(compact.runs_table(), mem)
    compact.save(tmp_path / "c")
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "c" / "runs.parquet"), mem)
    peninsula.api.run_to_dir(sc, tmp_path / "d", chunk_runs=50, record_monthly=False)
    runs = pd.read_parquet(tmp_path / "d" / "runs.parquet")
    pd.testing.assert_frame_equal(runs[list(mem.columns)], mem)


def test_paired_intervals_are_narrower_than_unpaired_at_the_same_run_count():
    sc = peninsula.load_scenario("baseline", SETS)
    found = policies()
    quo = policy_outcomes(sc, found["status-quo"])
    dual = policy_outcomes(sc, found["dual-track"])
    other_seed = policy_outcomes(sc.with_settings(seed=12), found["dual-track"])
    n = len(quo)
    for col in ("war_10y", "clash_10y", "stability_index_10y", "dprk_launches_per_year_10y"):
        a, b, c = (f[col].to_numpy(dtype=float) for f in (dual, quo, other_seed))
        mean, lo, hi = paired_difference(a, b)
        unpaired_half = Z90 * np.sqrt(c.var(ddof=1) / n + b.var(ddof=1) / n)
        assert (hi - lo) / 2 < unpaired_half, col


def test_compare_json_contract_and_common_random_numbers(tmp_path):
    plot = tmp_path / "cmp.png"
    res = runner.invoke(app, ["compare", "baseline", "--policy", "status-quo", "--policy",
                              "dual-track", "--policy", "restraint", "--runs", "200",
                              "--seed", "5", "--json", "-q", "--plot", str(plot),
                              "--set", "scenario.horizon_months=60"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert list(out["policies"]) == ["status-quo", "dual-track", "restraint"]
    assert list(out["differences"]) == ["dual-track", "restraint"]
    for name in out["differences"]:
        for outcome in ("p_war_5y", "p_clash_1y", "stability_index"):
            d = out["differences"][name][outcome]
            assert set(d) == {"mean", "p05", "p95", "interval_90"}
            assert d["p05"] <= d["mean"] <= d["p95"] and d["interval_90"] == [d["p05"], d["p95"]]
            means = out["policies"][name][outcome]["mean"], \
                out["policies"]["status-quo"][outcome]["mean"]
            assert abs(d["mean"] - (means[0] - means[1])) < 1e-9
        # what carries it, beside the metrics: P(war) at the longest horizon, 20 draws of 10
        assert out["evidence_metric"] == "p_war_5y"
        better = out["differences"][name]["p_better"]
        assert better is None or (better["draws"] == 20
                                  and better["p05"] <= better["share"] <= better["p95"])
        assert (out["differences"][name]["carried_by"] is None) == \
            (out["differences"][name]["carried_by_note"] is not None)
    # the reference policy equals an ordinary run with its levers and the same seed
    sc = peninsula.load_scenario("baseline", ["scenario.horizon_months=60"]).with_levers(
        **policies()["status-quo"].levers)
    alone = peninsula.run(sc, runs=200, seed=5, compact=True, record_monthly=False,
                          record_events=False).summary()
    assert out["policies"]["status-quo"]["p_war_5y"]["mean"] == alone["p_war"]["5"]
    assert plot.is_file() and plot.stat().st_size > 1000


def test_compare_needs_two_policies():
    res = runner.invoke(app, ["compare", "--policy", "status-quo", "--runs", "10", "-q"])
    assert res.exit_code == 2 and "at least two" in res.output
