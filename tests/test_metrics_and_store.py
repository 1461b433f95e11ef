"""Metrics have units and ranges, the index follows the scenario's weights; writes are atomic."""

import json

import numpy as np
import pandas as pd
import pytest

from conftest import ensemble
from peninsula.analysis.metrics import per_run_at, stability_index, summarize, wilson_interval
from peninsula.io import store


def test_wilson_interval_matches_hand_computation():
    lo, hi = wilson_interval(10, 100)  # z = 1.645: centre 0.11054, half-width 0.04982
    assert lo == pytest.approx(0.0607, abs=1e-4) and hi == pytest.approx(0.1604, abs=1e-4)
    assert wilson_interval(0, 50)[0] == 0.0


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
