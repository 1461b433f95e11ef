"""Both faces of the brief, from the shipped example parameter sets (docs/faces.md).

Deterrence dominates: raising exercise_intensity lowers P(war). Spiral dominates: raising it
raises P(war) and DPRK launches. Fixed seed, 8,000 runs, common random numbers across arms.
"""

import pytest

import peninsula

RUNS, SEED = 8000, 11


def outcome(example: str, intensity: float) -> dict:
    sc = peninsula.load_scenario(example,
                                 [f"levers.exercise_intensity={intensity}"])
    ens = peninsula.run(sc, runs=RUNS, seed=SEED, record_monthly=False, record_events=False)
    return ens.summary()


@pytest.fixture(scope="module")
def faces():
    return {(f, i): outcome(f, i) for f in ("deterrence-dominates", "spiral-dominates")
            for i in (0.5, 2.0)}


def test_deterrence_face_more_drills_less_war(faces):
    lo, hi = faces[("deterrence-dominates", 0.5)], faces[("deterrence-dominates", 2.0)]
    assert hi["p_war"]["10"] < lo["p_war"]["10"]
    assert hi["p_clash"]["10"] < lo["p_clash"]["10"] - 0.03


def test_spiral_face_more_drills_more_war_and_launches(faces):
    lo, hi = faces[("spiral-dominates", 0.5)], faces[("spiral-dominates", 2.0)]
    assert hi["p_war"]["10"] > lo["p_war"]["10"] + 0.04
    assert hi["dprk_launches_per_year"]["mean"] > 2 * lo["dprk_launches_per_year"]["mean"]
    assert hi["alignment_china_russia"]["mean"] > lo["alignment_china_russia"]["mean"] + 0.1
