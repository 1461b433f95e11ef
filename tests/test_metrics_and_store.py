"""Metrics have units and ranges, the index follows the scenario's weights; writes are atomic."""

import json

import numpy as np
import pandas as pd
import pytest

from conftest import ensemble
from peninsula.analysis.metrics import (
    per_run_at,
    spread,
    spreads,
    stability_index,
    summarize,
    wilson_interval,
)
from peninsula.io import store


def test_wilson_interval_matches_hand_computation():
    lo, hi = wilson_interval(10, 100)  # z = 1.645: centre 0.11054, half-width 0.04982
    assert lo == pytest.approx(0.0607, abs=1e-4) and hi == pytest.approx(0.1604, abs=1e-4)
    assert wilson_interval(0, 50)[0] == 0.0


def test_cohesion_is_not_a_cost_by_definition_of_the_default_index():
    """With the default weights the index does not change when only the allies' cohesion (and
    so polarisation) changes; with a polarisation weight it would fall as cohesion rises."""
    setup, res = ensemble(runs=200, horizon=24, monthly=False)
    v = per_run_at(res, 2)
    more_cohesive = dict(v, cohesion=np.minimum(1.0, v["cohesion"] + 0.3),
                         polarization=np.sqrt(v["alignment"] * np.minimum(1.0, v["cohesion"]
                                                                           + 0.3)))
    np.testing.assert_array_equal(stability_index(v, setup.metrics),
                                  stability_index(more_cohesive, setup.metrics))
    weighted = dict(setup.metrics, stability_weights=dict(setup.metrics["stability_weights"],
                                                          polarization=0.1))
    assert (stability_index(more_cohesive, weighted).mean()
            < stability_index(v, weighted).mean() - 0.5)


def test_every_metric_in_its_range_and_index_follows_weights():
    setup, res = ensemble(runs=500, fixed=False)
    v = per_run_at(res, 10)
    ksi = stability_index(v, setup.metrics)
    assert np.all((ksi >= 0) & (ksi <= 100))
    for key in ("alignment", "polarization", "denuclearization", "cohesion"):
        assert np.all((v[key] >= 0) & (v[key] <= 1)), key
    assert np.all(v["launches_per_year"] >= 0) and np.all(v["gdp_loss_pct"] >= 0)
    war_only = dict(setup.metrics, stability_weights={k: 0.0 for k in
                                                      setup.metrics["stability_weights"]})
    war_only["stability_weights"]["war"] = 1.0
    expected = 100.0 * (1.0 - v["war"].astype(float))
    np.testing.assert_allclose(stability_index(v, war_only), expected)
    s = summarize(res, setup, "baseline")
    assert s["p_war"]["10"] == pytest.approx(v["war"].mean())


def test_batched_spreads_equal_one_at_a_time_bit_for_bit():
    """summarize computes its spreads together; each must equal spread() of its own array,
    and the mean, se and 5-95% values must be the textbook ones."""
    rng = np.random.default_rng(11)
    for n in (1, 2, 7, 200, 5001):
        named = {"f64": rng.standard_normal(n) * 40.0,
                 "f32": rng.uniform(0, 1, n).astype(np.float32),
                 "int": rng.poisson(3.0, n)}
        together = spreads(named)
        for name, x in named.items():
            x = np.asarray(x, dtype=float)  # the same statistics of this array alone
            p05, p95 = np.quantile(x, [0.05, 0.95])
            se = x.std(ddof=1) / np.sqrt(n) if n > 1 else np.nan
            one = {"mean": x.mean(), "p05": p05, "p95": p95, "se": se}
            alone = spread(x)
            assert together[name].keys() == one.keys() == alone.keys()
            for k in one:  # identical, not close (nan for se at n = 1)
                assert np.array_equal(together[name][k], one[k], equal_nan=True), (n, name, k)
                assert np.array_equal(alone[k], one[k], equal_nan=True), (n, name, k)
    x = np.arange(1.0, 101.0)  # 1..100: mean 50.5, sd 29.011, linear-interpolated quantiles
    s = spreads({"x": x})["x"]
    assert s["mean"] == 50.5 and s["p05"] == pytest.approx(5.95) and s["p95"] == 95.05
    assert s["se"] == pytest.approx(29.011491975882016 / 10.0)


def test_atomic_write_leaves_no_partial_file(tmp_path, monkeypatch):
    target = tmp_path / "x.parquet"
    store.write_parquet(pd.DataFrame({"a": [1, 2]}), target)

    def boom(self, path, **kw):
        with open(path, "wb") as fh:
            fh.write(b"PAR1 half")
        raise KeyboardInterrupt

    monkeypatch.setattr(pd.DataFrame, "to_parquet", boom)
    with pytest.raises(KeyboardInterrupt):
        store.write_parquet(pd.DataFrame({"a": [3]}), target)
    monkeypatch.undo()
    assert pd.read_parquet(target)["a"].tolist() == [1, 2]  # the old complete file survives
    assert [p.name for p in tmp_path.iterdir()] == ["x.parquet"]  # no temporary left
    store.write_json({"ok": 1}, tmp_path / "s.json")
    assert json.loads((tmp_path / "s.json").read_text()) == {"ok": 1}
    store.write_json({"ok": [1, 2.5]}, tmp_path / "c.json", indent=None)  # compact, one line
    assert (tmp_path / "c.json").read_text() == '{"ok": [1, 2.5]}\n'
    with pytest.raises(ValueError):  # NaN is not JSON: refused, and no file or temporary left
        store.write_json({"bad": float("nan")}, tmp_path / "n.json", indent=None)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c.json", "s.json", "x.parquet"]
