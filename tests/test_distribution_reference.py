"""The engine's outcome distributions equal those recorded from the version named in the file.

``tests/reference/outcomes.json`` holds every summary outcome of four bundled scenarios
(20,000 runs each, one seed) with its Monte Carlo standard error, recorded by
``tests/reference/record_outcomes.py`` from the version it names. Here the current engine runs
the same scenarios with another seed, so the two samples are independent, and each outcome must
agree: |difference| <= Z_MAX combined standard errors. Proportions use the pooled two-sample
standard error (so an outcome that neither sample reached agrees exactly).

The values were first recorded before the model was rewritten as one source (and the rewrite
matched them within 2.6 standard errors); the launch-process work then matched them with its new
mechanisms switched off. They were recorded again, as a deliberate change of the model, when
misperception became two-sided, mean-preserving noise (it had only raised hazards), the
stability-instability paradox and the allies' pre-emption were added and the stability index
stopped weighing bloc polarisation by default; and again when the armed-clash rung was split
into a contained incident and sustained hostilities, the ladder's hazards got priors derived
from the rivalry reference class and ensembles began to use the bundled calibrated posterior
by default. The test guards that version against unintended changes.

Z_MAX = 4.5 holds a single outcome to a two-sided level of 7e-6, so across the 140 outcomes
(strongly correlated) a false alarm has a chance under 0.1%; a change of the model's behaviour
of a few standard errors in any outcome is caught.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from tests.reference.record_outcomes import record

pytestmark = pytest.mark.slow

REFERENCE = json.loads((Path(__file__).parent / "reference" / "outcomes.json").read_text())
SEED = REFERENCE["seed"] + 1
Z_MAX = 4.5


def z_scores(ref: dict, new: dict, runs: int) -> dict[str, float]:
    """Two-sample z of each outcome (0 where both samples are exactly the same constant)."""
    out = {}
    for name, (a, se_a) in ref.items():
        b, se_b = new[name]
        if name.startswith("p_"):
            pooled = (a + b) / 2.0
            se = math.sqrt(2.0 * pooled * (1.0 - pooled) / runs)
        else:
            se = math.hypot(se_a, se_b)
        if se == 0.0:
            out[name] = 0.0 if math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12) else math.inf
        else:
            out[name] = (b - a) / se
    return out


@pytest.fixture(scope="module")
def current():
    return record(runs=REFERENCE["runs"], seed=SEED, workers=2)


@pytest.mark.parametrize("scenario", sorted(REFERENCE["outcomes"]))
def test_outcomes_match_reference(current, scenario):
    ref = REFERENCE["outcomes"][scenario]
    new = current["outcomes"][scenario]
    assert set(new) == set(ref), "the summary's outcomes changed"
    z = z_scores(ref, new, REFERENCE["runs"])
    worst = sorted(z.items(), key=lambda kv: -abs(kv[1]))[:5]
    assert all(abs(v) <= Z_MAX for v in z.values()), f"outcomes beyond {Z_MAX} SE: {worst}"


def test_comparison_detects_a_shifted_outcome():
    """The check itself: a shift of 6 standard errors in one outcome is flagged."""
    ref = {"tension/1": [0.5, 0.01], "p_war/1": [0.1, 0.003]}
    same = {"tension/1": [0.5 + 0.02, 0.01], "p_war/1": [0.1, 0.003]}
    moved = {"tension/1": [0.5 + 0.06 * math.sqrt(2), 0.01], "p_war/1": [0.1, 0.003]}
    assert max(abs(v) for v in z_scores(ref, same, 10_000).values()) < Z_MAX
    assert abs(z_scores(ref, moved, 10_000)["tension/1"]) > Z_MAX
    assert abs(z_scores({"p_war/1": [0.10, 0.0]}, {"p_war/1": [0.13, 0.0]}, 10_000)["p_war/1"]) > Z_MAX
