"""The per-agent Mesa reference is the same model: outcome distributions agree with the engine.

Same scenario and the same parameter values (point values); the random numbers differ, so the
check is statistical: means within 4 standard errors of the difference.
"""

import sys

import numpy as np

import peninsula
from conftest import ROOT
from peninsula.engine.ensemble import run_chunks
from peninsula.model.setup import build_setup
from peninsula.scenario.parameters import NAMES

sys.path.insert(0, str(ROOT / "benchmarks"))
from mesa_reference import run_reference  # noqa: E402

MESA_RUNS, ENGINE_RUNS = 400, 8000


def test_mesa_reference_and_engine_agree_in_distribution():
    setup = build_setup(peninsula.load_scenario("baseline", ["scenario.sample_parameters=false"]))
    eng = run_chunks(setup, ENGINE_RUNS, record_monthly=False, record_events=False)
    params = [dict(zip(NAMES, row, strict=True)) for row in eng.params[:MESA_RUNS]]
    ref = run_reference(setup, params, seed=3)

    def close(a: np.ndarray, b: np.ndarray) -> bool:
        se = np.sqrt(a.var() / len(a) + b.var() / len(b))
        return abs(a.mean() - b.mean()) < 4 * se + 1e-9

    launches = eng.launches_by_year.mean(axis=1)
    assert close(launches, np.array(ref["launches_per_year"]))
    for key, rung in (("war", "war"), ("clash", "clash")):
        assert close((eng.first_month[rung] < setup.horizon).astype(float),
                     np.array(ref[key], dtype=float))
    assert close(eng.yearly["alignment"][:, -1], np.array(ref["alignment"]))
    assert abs(np.mean(ref["alignment"]) - eng.yearly["alignment"][:, -1].mean()) < 0.01
