"""Why: each mechanism's contribution to the main outcomes, by switching it off.

For mechanism m, contribution_m = outcome(full model) - outcome(model with m off), both run with
the same seed and run ids, so they share common random numbers (every draw is addressed by
run, month and slot) and the difference is mostly the mechanism, not noise. Contributions of
interacting mechanisms need not add up to the total.

Mechanisms anchored on the reference policy (alliance posture in threat, the cornered effect)
act through the difference between a scenario's levers and today's posture, so in a scenario
that keeps today's posture (baseline) their contribution is near zero by construction; it shows
in scenarios that move the levers (e.g. blocs).
"""

from __future__ import annotations

from peninsula.analysis.metrics import per_run_at, stability_index
from peninsula.engine.ensemble import run_chunks
from peninsula.model.setup import build_setup
from peninsula.scenario.schema import MECHANISMS

EXPLAINED = (
    "deterrence", "drill_provocation", "self_excitation", "posture_threat", "beliefs",
    "arms_race", "alignment", "bloc_support", "cornered_effect", "diplomacy", "misperception",
    "preemption", "crisis_management", "cohesion_dynamics", "coercion",
)
OUTCOMES = ("p_clash", "p_war", "p_nuclear_use", "dprk_launches_per_year",
            "alignment_china_russia", "stability_index")


def outcomes(result, setup) -> dict:
    years = max(1, min(setup.n_years, max(setup.metrics["horizons_years"])))
    v = per_run_at(result, years)
    return {
        "p_clash": float(v["clash"].mean()),
        "p_war": float(v["war"].mean()),
        "p_nuclear_use": float(v["nuclear_use"].mean()),
        "dprk_launches_per_year": float(v["launches_per_year"].mean()),
        "alignment_china_russia": float(v["alignment"].mean()),
        "stability_index": float(stability_index(v, setup.metrics).mean()),
    }


def explain(scenario, runs: int, workers: int = 1, mechanisms=EXPLAINED,
            progress=None) -> dict:
    """Return {"horizon_years", "runs", "full": {...}, "contributions": {mech: {...}}}."""
    def simulate(sc):
        setup = build_setup(sc)
        res = run_chunks(setup, runs, workers=workers, record_monthly=False,
                         record_events=False)
        if progress:
            progress(1)
        return outcomes(res, setup)

    full = simulate(scenario)
    contrib = {}
    for mech in mechanisms:
        if mech not in MECHANISMS or not scenario.doc["mechanisms"][mech]:
            continue
        off = simulate(scenario.with_mechanisms(**{mech: False}))
        contrib[mech] = {k: full[k] - off[k] for k in OUTCOMES}
    years = max(1, min(scenario.horizon_months // 12, max(scenario.doc["metrics"]["horizons_years"])))
    return {"horizon_years": years, "runs": runs, "full": full, "contributions": contrib}
