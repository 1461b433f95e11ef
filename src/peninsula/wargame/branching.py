"""Futures branched from the actual one: what may come next from this exact state.

The actual future is one run of the game's seed (run ``TRUNK_RUN``) with one parameter draw. A
branch at month t is an ensemble whose runs all take that run's parameters and its random
numbers before t, and their own from t on (engine/simulate.py ``Branch``). With the same levers
before t, every branched run is in exactly the actual state at t; the runs then spread from it
under the levers from t on. Two branches at the same month under different levers share their
random numbers run by run (common random numbers), so their difference is the levers' effect,
paired future by future; under identical levers it is exactly zero.

The spread of a branch is the model's randomness from one state under one parameter draw: how
sure the simulation is (a Wilson interval) is given; how sure the evidence lets us be (the
spread across parameter draws) is not identifiable from one draw and is not given.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from peninsula.analysis import registry
from peninsula.analysis.fan import QUANTILES
from peninsula.analysis.metrics import (
    EVIDENCE_WORDS,
    SIMULATION_WORDS,
    paired_difference,
    wilson_interval,
)
from peninsula.engine.simulate import Branch, simulate_chunk
from peninsula.io.results import COLUMN, ChunkResult
from peninsula.model.levers import LeverPlan
from peninsula.model.setup import ModelSetup
from peninsula.scenario.schema import LEVEL_NAMES

TRUNK_RUN = 0  # the run that is the actual future; branched runs are 1..runs
FAN_MONTHS = 12  # the fan chart looks a year ahead
YEAR = 12
# the rungs whose probabilities the game reports: (summary key, rung reached or worse)
WATCHED = (("p_clash", LEVEL_NAMES.index("armed_clash")), ("p_war", LEVEL_NAMES.index("war")))
SPANS = ("1y", "remaining")
LEVEL = COLUMN["escalation_level"]
TENSION = COLUMN["tension"]
ONE_DRAW_NOTE = (f"Every future of a branch shares the actual future's parameters (one draw): "
                 f"the interval says {SIMULATION_WORDS}; {EVIDENCE_WORDS} (the spread across "
                 "parameter draws) cannot be told from one draw and is not given.")

Schedule = dict[str, np.ndarray]  # lever -> value in each month of the horizon


def schedule_setup(base: ModelSetup, levers: Schedule, exercise_months) -> ModelSetup:
    """``base`` with the monthly lever values ``levers`` (model/levers.py build_plan's drill:
    the exercise intensity in exercise months, 0 in others)."""
    values = {k: np.asarray(v, dtype=float).copy() for k, v in levers.items()}
    moy = base.plan.month_of_year
    drill = np.where(np.isin(moy, np.asarray(exercise_months, dtype=int)),
                     values["exercise_intensity"], 0.0)
    return replace(base, plan=LeverPlan(values, drill, moy), counterfactual=None)


def actual_future(setup: ModelSetup) -> ChunkResult:
    """The actual future: run TRUNK_RUN of the setup, every month recorded with its events."""
    return simulate_chunk(setup, np.array([TRUNK_RUN]), record_monthly=True, record_events=True)


def branch(setup: ModelSetup, month: int, runs: int) -> ChunkResult:
    """``runs`` futures sharing the actual future's past up to ``month`` (0-based)."""
    return simulate_chunk(setup, np.arange(TRUNK_RUN + 1, TRUNK_RUN + 1 + runs),
                          record_monthly=True, record_events=False,
                          branch=Branch(month, TRUNK_RUN))


def window_end(month: int, span: str, horizon: int) -> int:
    """The first month after a span that starts at ``month``: a year, or the horizon's end."""
    return min(month + YEAR, horizon) if span == "1y" else horizon


def hits(result: ChunkResult, month: int) -> dict[str, np.ndarray]:
    """Per run, whether its ladder is at the rung or worse in some month of each span from
    ``month``: keys 'p_clash_1y', 'p_clash_remaining', 'p_war_1y', 'p_war_remaining'."""
    level = result.monthly[:, :, LEVEL]
    horizon = level.shape[1]
    return {f"{key}_{span}": (level[:, month:window_end(month, span, horizon)] >= rung)
            .any(axis=1) for key, rung in WATCHED for span in SPANS}


def span_label(key: str, span: str, month: int, horizon: int) -> str:
    """A watched probability over a span in words, from the registry's labels."""
    if span == "1y":
        return registry.metric(f"{key}_1y").label
    return f"{registry.metric(key).label} within the remaining {horizon - month} months"


def fan(result: ChunkResult, month: int) -> dict:
    """Quantiles (analysis/fan.py QUANTILES) of tension and of the ladder's rung in each of the
    FAN_MONTHS months from ``month``, and the share of runs at a clash or worse."""
    end = min(month + FAN_MONTHS, result.monthly.shape[1])
    tension = result.monthly[:, month:end, TENSION].astype(float)
    level = result.monthly[:, month:end, LEVEL].astype(float)
    q = [str(x) for x in QUANTILES]
    return {"months": list(range(month, end)), "quantiles": list(QUANTILES),
            "tension": dict(zip(q, np.quantile(tension, QUANTILES, axis=0).round(6).tolist(),
                                strict=True)),
            "escalation_level": dict(zip(q, np.quantile(level, QUANTILES, axis=0).tolist(),
                                         strict=True)),
            "share_clash_or_worse": (level >= WATCHED[0][1]).mean(axis=0).round(6).tolist()}


def outlook(result: ChunkResult, month: int) -> dict:
    """What may come next from ``month``: each watched probability over a year and over the
    remaining horizon with its interval, and the fan of the next FAN_MONTHS months."""
    horizon = result.monthly.shape[1]
    per_run = hits(result, month)
    probs = {}
    for name, h in per_run.items():
        key, span = name.rsplit("_", 1)
        k, n = int(h.sum()), len(h)
        probs[name] = {"label": span_label(key, span, month, horizon), "p": k / n,
                       "simulation_interval_90": list(wilson_interval(k, n)),
                       "parameter_interval_90": None}
    return {"month": month, "runs": len(result.run_ids), "probabilities": probs,
            "fan": fan(result, month), "note": ONE_DRAW_NOTE}


def paired_effects(after: ChunkResult, before: ChunkResult, month: int) -> dict:
    """after - before for each watched probability, run by run on the same futures: the mean
    difference and its 90% interval (analysis/metrics.py paired_difference)."""
    a, b = hits(after, month), hits(before, month)
    out = {}
    for name in a:
        mean, low, high = paired_difference(a[name], b[name])
        out[name] = {"mean": mean, "p05": low, "p95": high}
    return out
