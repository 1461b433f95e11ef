"""Why: what the alliance's activity does through each channel, against one counterfactual.

The activity is the levers in ``levers.ACTIVITY_LEVERS`` (drills, missile defence, permanent
infrastructure, technology collaboration, intelligence sharing, summits); its counterfactual is
no activity (``levers.NO_ACTIVITY``) unless another is given. The activity reaches the outcomes
through the channels of ``levers.CHANNELS`` (deterrence, the spiral of perceived threat, drill
provocation, beliefs, the cornered effect, drill tension, cohesion, intelligence in crises);
every use of an activity lever in the kernel belongs to exactly one of them. With Y an
ensemble's outcome, every ensemble run with the same seed and run ids (common random numbers):

    total        = Y(scenario) - Y(every channel reads the counterfactual)
    channel c    = Y(scenario) - Y(channel c alone reads the counterfactual)
    interaction  = total - sum_c channel c

Every channel is measured against the same counterfactual, and none against the posture at which
the model rests (its reference points, model/reference.py): those are computed once per run and
are the same in every ensemble, so a channel switched to the counterfactual changes what that
channel reads and nothing else. Deterrence and the spiral are therefore measured alike: what
today's activity adds through credibility, and what it adds through perceived threat. (The
former explanation switched the spiral off together with its reference point, so at today's
posture its cost was zero by construction, while deterrence switched off removed the alliance's
credibility altogether.) With every channel at the counterfactual a run equals the scenario run
at the counterfactual posture, bit for bit; tests/test_explain.py checks this and that a
scenario already at the counterfactual gets contributions of exactly zero whatever the
reference posture.

Mechanisms that do not read the activity (self-excitation, alignment, the arms race, ...) are
reported apart, switched off one at a time, as ``mechanisms``: a different question (what the
mechanism adds at this posture), whose answers need not add up with the channels'.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from peninsula.analysis.metrics import (
    paired_difference,
    per_run_at,
    shared_draws,
    stability_index,
)
from peninsula.engine.ensemble import run_ensembles
from peninsula.engine.execution import Execution
from peninsula.model.levers import ACTIVITY_LEVERS, CHANNELS, NO_ACTIVITY
from peninsula.model.reference import reference_inputs
from peninsula.model.setup import build_setup
from peninsula.scenario.schema import MECHANISMS

# switched off one at a time; the mechanisms that read the activity are explained by channel
EXPLAINED = (
    "self_excitation", "beliefs", "arms_race", "alignment", "bloc_support", "diplomacy",
    "misperception", "preemption", "crisis_management", "cohesion_dynamics", "coercion",
)
OUTCOMES = ("p_clash", "p_war", "p_nuclear_use", "dprk_launches_per_year",
            "alignment_china_russia", "stability_index")


def per_run(result, setup) -> dict[str, np.ndarray]:
    """Each outcome of OUTCOMES run by run (indicators for the probabilities)."""
    years = max(1, min(setup.n_years, max(setup.metrics["horizons_years"])))
    v = per_run_at(result, years)
    return {
        "p_clash": np.asarray(v["clash"], dtype=float),
        "p_war": np.asarray(v["war"], dtype=float),
        "p_nuclear_use": np.asarray(v["nuclear_use"], dtype=float),
        "dprk_launches_per_year": np.asarray(v["launches_per_year"], dtype=float),
        "alignment_china_russia": np.asarray(v["alignment"], dtype=float),
        "stability_index": np.asarray(stability_index(v, setup.metrics), dtype=float),
    }


def means(values: dict[str, np.ndarray]) -> dict[str, float]:
    return {k: float(values[k].mean()) for k in OUTCOMES}


def outcomes(result, setup) -> dict:
    """The mean of each outcome of OUTCOMES over the runs."""
    return means(per_run(result, setup))


def difference(a: dict, b: dict) -> dict:
    """a - b for every outcome."""
    return {k: a[k] - b[k] for k in OUTCOMES}


def paired_interval(a: dict[str, np.ndarray], b: dict[str, np.ndarray],
                    draws: np.ndarray | None = None) -> dict[str, list]:
    """90% interval of the mean of a - b for each outcome, run by run (the runs are paired by
    common random numbers; metrics.paired_difference; ``draws``: the runs' shared parameter
    draws, if any)."""
    return {k: list(paired_difference(a[k], b[k], draws)[1:]) for k in OUTCOMES}


def check_against(against: dict | None) -> dict[str, float]:
    """The counterfactual activity: NO_ACTIVITY, with the given levers replacing its values."""
    values = dict(NO_ACTIVITY)
    for name, value in (against or {}).items():
        if name not in ACTIVITY_LEVERS:
            raise ValueError(f"explain: {name!r} is not an activity lever; the counterfactual "
                             f"sets only {', '.join(ACTIVITY_LEVERS)}")
        values[name] = float(value)
    return values


def explain(scenario, runs: int, mechanisms=EXPLAINED, *, against: dict | None = None,
            reference: dict | None = None, execution: Execution | None = None,
            full=None) -> dict:
    """Return {"horizon_years", "runs", "against", "full", "counterfactual", "total",
    "total_interval_90", "contributions" (channel -> outcome -> mean difference),
    "intervals_90" (channel -> outcome -> [low, high], paired), "interaction", "mechanisms"
    (mechanism -> outcome -> difference), "mechanism_intervals_90"}.

    ``against``: activity levers of the counterfactual (default: none). ``reference``: the
    policy at which the model rests (values of levers.REFERENCE_LEVERS; default today's), the
    same in every ensemble. Every ensemble is submitted at once to ``execution``'s executor
    (or a pool of its workers), so a pool runs several together; its ``progress(1)`` is
    called as each one is done.

    ``full``: the scenario's own ensemble, already run (the ``ChunkResult`` of runs
    0..runs-1 with this seed, at the default reference): it is the ``full`` ensemble bit for
    bit (every channel then reads the scenario's levers, and what a run records does not
    change it; tests/test_explain.py), so it is used instead of being run again.
    """
    cf = check_against(against)
    execution = execution or Execution()
    progress = execution.progress
    setup = build_setup(scenario)
    setup = replace(setup, reference=reference_inputs(reference),
                    counterfactual=build_setup(scenario.with_levers(**cf)).plan)
    off = dict.fromkeys(CHANNELS, False)
    if full is not None and (reference is not None or len(full.run_ids) != runs
                             or not np.array_equal(full.run_ids, np.arange(runs))):
        raise ValueError("explain: the ensemble given as full must hold runs 0..runs-1 of the "
                         "scenario at the default reference")
    setups = {"full": setup, "every": replace(setup, views=dict.fromkeys(CHANNELS, True))}
    if full is not None:
        del setups["full"]
    setups.update({("channel", c): replace(setup, views={**off, c: True}) for c in CHANNELS})
    ablations = [m for m in mechanisms if m in MECHANISMS and scenario.doc["mechanisms"][m]]
    setups.update({("mechanism", m): replace(build_setup(scenario.with_mechanisms(**{m: False})),
                                             reference=setup.reference) for m in ablations})
    done = [0]

    def tick(n: int) -> None:  # chunks arrive by runs; an ensemble is done every `runs` runs
        done[0] += n
        while progress and done[0] >= runs:
            done[0] -= runs
            progress(1)

    results = run_ensembles(setups, runs, record_monthly=False, record_events=False,
                            **{**execution.ensemble_keywords(), "progress": tick})
    runs_of = {name: per_run(res, setups[name]) for name, res in results.items()}
    if full is not None:
        runs_of["full"] = per_run(full, setup)
    full_runs, every_runs = runs_of["full"], runs_of["every"]
    draws = shared_draws(np.arange(runs), setup)  # run ids 0..runs-1 in every ensemble
    full, every = means(full_runs), means(every_runs)
    contrib, ci = {}, {}
    for c in CHANNELS:
        switched = runs_of[("channel", c)]
        contrib[c] = difference(full, means(switched))
        ci[c] = paired_interval(full_runs, switched, draws)
    total = difference(full, every)
    interaction = {k: total[k] - sum(c[k] for c in contrib.values()) for k in OUTCOMES}
    ablated, ablated_ci = {}, {}
    for mech in ablations:
        switched = runs_of[("mechanism", mech)]
        ablated[mech] = difference(full, means(switched))
        ablated_ci[mech] = paired_interval(full_runs, switched, draws)
    years = max(1, min(scenario.horizon_months // 12, max(scenario.doc["metrics"]["horizons_years"])))
    return {"horizon_years": years, "runs": runs, "against": cf, "full": full,
            "counterfactual": every, "total": total,
            "total_interval_90": paired_interval(full_runs, every_runs, draws),
            "contributions": contrib, "intervals_90": ci, "interaction": interaction,
            "mechanisms": ablated, "mechanism_intervals_90": ablated_ci}


def ensembles(mechanisms=EXPLAINED, full: bool = False) -> int:
    """How many ensembles ``explain`` runs at most (for a progress bar); ``full``: the
    scenario's own ensemble is given, not run."""
    return (1 if full else 2) + len(CHANNELS) + len(mechanisms)
