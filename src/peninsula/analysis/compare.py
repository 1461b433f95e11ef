"""Compare policies on common random numbers: each outcome per policy and, run by run, as the
paired difference against the first policy, with 90% intervals.

Every random draw of a run is addressed by (seed, run id, month, slot) (engine/random.py), so
with the same seed and run count run i of every policy draws the same parameters and the same
noise: the policies differ only in their levers. The difference of two policies is then
estimated from the run-by-run differences (metrics.paired_difference), whose spread is the
policies' effect on each run, not the spread of futures; its interval is far narrower than the
difference of two independent ensembles' means at the same run count.

Per policy, each outcome is the mean over runs with its 90% interval of Monte Carlo error
(Wilson for a probability, normal for a mean) as ``{mean, p05, p95, se}``; each difference is
``{mean, p05, p95}``.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Executor

import numpy as np
import pandas as pd

from peninsula.analysis.metrics import (
    PROBABILITIES,
    draw_counts,
    mean_interval,
    monte_carlo_interval,
    paired_difference,
    per_run_outcomes,
    registry_columns,
    shared_draws,
    wilson_interval,
)
from peninsula.engine.ensemble import DEFAULT_CHUNK_RUNS, run_chunks
from peninsula.model.setup import ModelSetup, build_setup
from peninsula.scenario.loader import Scenario
from peninsula.scenario.policies import Policy

PROBABILITY_KEYS = tuple(key for key, _ in PROBABILITIES)


def policy_scenario(scenario: Scenario, policy: Policy) -> Scenario:
    """The scenario with the policy's levers set (problems name the policy and its source)."""
    items = [(f"levers.{name}", value) for name, value in policy.levers.items()]
    return scenario.with_values(items, f"{policy.source}: policy {policy.name}")


def policy_outcomes(scenario: Scenario, policy: Policy, *, executor: Executor | None = None,
                    workers: int = 1, chunk_runs: int = DEFAULT_CHUNK_RUNS,
                    kernel: str = "auto", progress: Callable[[int], None] | None = None
                    ) -> pd.DataFrame:
    """Per-run outcomes (metrics.per_run_outcomes) of the scenario under the policy: runs
    0..runs-1 with the scenario's seed, outcomes only."""
    setup = build_setup(policy_scenario(scenario, policy), kernel=kernel)
    result = run_chunks(setup, scenario.runs, chunk_runs=chunk_runs, executor=executor,
                        workers=workers, record_monthly=False, record_events=False,
                        compact=True, progress=progress)
    return per_run_outcomes(result, setup)


def is_probability(metric: str) -> bool:
    """Is this registry metric a probability (``p_war_10y``) rather than a mean?"""
    return metric.startswith(tuple(f"{key}_" for key in PROBABILITY_KEYS))


def estimate(values: np.ndarray, probability: bool, draws: np.ndarray | None = None) -> dict:
    """Mean of per-run values with its 90% interval and standard error (Wilson for 0/1
    values of a probability, with the effective number of runs when runs share parameter
    ``draws``; normal otherwise)."""
    x = np.asarray(values, dtype=float)
    mean, lo, hi, se = mean_interval(x, draws)
    if probability:
        lo, hi = (wilson_interval(int(round(x.sum())), len(x)) if draws is None
                  else monte_carlo_interval(*draw_counts(x, draws)))
    return {"mean": mean, "p05": lo, "p95": hi, "se": se}


def difference(a: np.ndarray, b: np.ndarray, draws: np.ndarray | None = None) -> dict:
    """``{mean, p05, p95}`` of the paired run-by-run difference a - b."""
    mean, lo, hi = paired_difference(a, b, draws)
    return {"mean": mean, "p05": lo, "p95": hi}


def compare_outcomes(frames: dict[str, pd.DataFrame], columns: dict[str, str],
                     setup: ModelSetup | None = None) -> dict:
    """Per policy and paired against the first: ``{"policies": name -> metric -> estimate,
    "differences": name -> metric -> {mean, p05, p95}}`` from each policy's per-run outcomes
    (same runs in the same order); ``columns`` maps each metric to its per-run column;
    ``setup`` says whether runs share parameter draws (their intervals then clustered)."""
    names = list(frames)
    first = frames[names[0]]
    for name in names[1:]:
        if not np.array_equal(frames[name]["run"].to_numpy(), first["run"].to_numpy()):
            raise ValueError(f"policy {name}: its runs are not those of {names[0]}; a paired "
                             "comparison needs the same runs and seed")
    draws = None if setup is None else shared_draws(first["run"].to_numpy(), setup)
    policies = {name: {m: estimate(frames[name][col].to_numpy(dtype=float), is_probability(m),
                                   draws)
                       for m, col in columns.items()} for name in names}
    differences = {name: {m: difference(frames[name][col].to_numpy(dtype=float),
                                        first[col].to_numpy(dtype=float), draws)
                          for m, col in columns.items()} for name in names[1:]}
    return {"policies": policies, "differences": differences}


def compare(scenario: Scenario, policies: list[Policy], *, executor: Executor | None = None,
            workers: int = 1, chunk_runs: int = DEFAULT_CHUNK_RUNS, kernel: str = "auto",
            progress: Callable[[int], None] | None = None) -> dict:
    """Run every policy on the scenario's runs and seed (common random numbers) and compare
    them against the first: the JSON of ``peninsula compare``."""
    if len(policies) < 2:
        raise ValueError("--policy: give at least two policies (the first is the reference)")
    names = [p.name for p in policies]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise ValueError(f"--policy: {', '.join(twice)} given twice")
    for policy in policies:  # every policy's levers checked before any work
        policy_scenario(scenario, policy)
    frames = {p.name: policy_outcomes(scenario, p, executor=executor, workers=workers,
                                      chunk_runs=chunk_runs, kernel=kernel, progress=progress)
              for p in policies}
    years = scenario.horizon_months // 12
    horizons = [h for h in scenario["metrics"]["horizons_years"] if h <= years]
    final = max(horizons, default=years)
    columns = registry_columns(horizons, final)
    return {"scenario": scenario.name, "runs": scenario.runs, "seed": scenario.seed,
            "horizon_months": scenario.horizon_months, "final_horizon_years": final,
            "reference": policies[0].name, "common_random_numbers": True,
            "outcomes": list(columns),
            "levers": {p.name: dict(p.levers) for p in policies},
            "descriptions": {p.name: p.description for p in policies},
            **compare_outcomes(frames, columns, build_setup(scenario))}


__all__ = ["compare", "compare_outcomes", "difference", "estimate", "policy_outcomes",
           "policy_scenario"]
