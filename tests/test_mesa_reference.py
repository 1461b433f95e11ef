"""The per-agent Mesa reference is the same model: outcome distributions agree with the engine.

Same scenario and the same parameter values (point values); the random numbers differ, so the
check is statistical: means within 4 standard errors of the difference. The reference runs the
model's mechanisms as plain Python (NUMBA_DISABLE_JIT=1), so it runs in a process of its own,
through its command line; this process keeps the compiled engine.
"""

import json
import math
import subprocess
import sys

import numpy as np
import pytest

from conftest import ROOT
from peninsula.engine.ensemble import run_chunks
from peninsula.model.compiled import is_compiled

sys.path.insert(0, str(ROOT / "benchmarks"))
from mesa_reference import (  # noqa: E402
    IMPLEMENTED_MECHANISMS,
    LATER_MECHANISMS,
    baseline_setup,
    interpreted_environ,
    require_interpreted,
)

from peninsula.scenario.schema import MECHANISMS  # noqa: E402

MESA_RUNS, ENGINE_RUNS = 400, 8000
SCRIPT = ROOT / "benchmarks" / "mesa_reference.py"


def reference_summary(runs: int, seed: int) -> dict:
    """The reference's per-run outcome means and standard deviations, from its command line."""
    out = subprocess.run([sys.executable, str(SCRIPT), "--runs", str(runs), "--seed", str(seed),
                          "--json"], env=interpreted_environ(), capture_output=True, text=True,
                         check=True, timeout=600)
    return json.loads(out.stdout.strip().splitlines()[-1])


def z_score(engine: np.ndarray, ref_mean: float, ref_sd: float, ref_n: int) -> float:
    """(engine mean - reference mean) / standard error of the difference."""
    se = math.sqrt(engine.var() / len(engine) + ref_sd**2 / ref_n)
    diff = float(engine.mean()) - ref_mean
    return diff / se if se > 0 else (0.0 if abs(diff) < 1e-9 else math.inf)


def test_mesa_reference_refuses_compiled_mechanisms():
    if not is_compiled():
        pytest.skip("NUMBA_DISABLE_JIT=1 in this process: nothing to refuse")
    with pytest.raises(RuntimeError, match="NUMBA_DISABLE_JIT=1"):
        require_interpreted()


def test_mesa_reference_is_frozen_at_the_mechanisms_it_implements():
    """The reference is a versioned benchmark (docs/contributing.md): its setup, shared with
    the engine in the comparison, switches off every mechanism it does not implement."""
    assert set(IMPLEMENTED_MECHANISMS) <= set(MECHANISMS)
    assert set(IMPLEMENTED_MECHANISMS) | set(LATER_MECHANISMS) == set(MECHANISMS)
    setup = baseline_setup()
    assert not any(setup.flags[m] for m in LATER_MECHANISMS)


@pytest.mark.slow
def test_mesa_reference_and_engine_agree_in_distribution():
    setup = baseline_setup()
    eng = run_chunks(setup, ENGINE_RUNS, record_monthly=False, record_events=False)
    ref = reference_summary(MESA_RUNS, seed=3)
    assert ref["runs"] == MESA_RUNS and ref["months"] == setup.horizon
    mean, sd = ref["mean"], ref["sd"]

    engine = {
        "launches_per_year": eng.launches_by_year.mean(axis=1),
        "war": (eng.first_month["war"] < setup.horizon).astype(float),
        "clash": (eng.first_month["clash"] < setup.horizon).astype(float),
        "alignment": eng.yearly["alignment"][:, -1],
        "tension": eng.yearly["tension"][:, -1],
        "cohesion": eng.yearly["cohesion"][:, -1],
    }
    z = {key: z_score(values, mean[key], sd[key], MESA_RUNS) for key, values in engine.items()}
    print({key: (round(float(v.mean()), 4), round(mean[key], 4), round(z[key], 2))
           for key, v in engine.items()})
    for key, score in z.items():
        assert abs(score) < 4, (key, engine[key].mean(), mean[key], score)
    assert abs(mean["alignment"] - engine["alignment"].mean()) < 0.01
