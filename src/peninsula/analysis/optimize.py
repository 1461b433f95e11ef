"""Policy search: lever settings that maximise (or minimise) a metric across the uncertainty.

The search is the cross-entropy method (Rubinstein 1999; de Boer et al. 2005) over a box of
levers: each generation draws ``population`` settings from independent normal distributions
clipped to the box, evaluates them, and moves each mean and standard deviation to those of the
best ``elite`` share:

    mu'    = (1 - a) mu    + a mean(elite)
    sigma' = (1 - a) sigma + a std(elite)            a: smoothing (0.7)

It needs no gradients, tolerates the noise of Monte Carlo estimates and evaluates a whole
generation at once. Each evaluation is an ensemble of ``scenario.runs`` runs with the
parameters drawn from their declared ranges (when the scenario samples them), so the objective
is the metric's expectation over the parameter uncertainty and chance: a robust choice, not one
tuned to point values. Every generation is a sweep (analysis/sweep.py) with the same seed for
every setting (common random numbers), so it runs on any executor (processes, Dask) and an
interrupted search resumes generation by generation.

The best of many noisy evaluations is biased in its own favour (the winner's curse), so the
winner is evaluated again with a different seed (``check_seed``) and that figure is reported
beside the search's own.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from peninsula.analysis.sweep import check_metric, run_sweep
from peninsula.engine.execution import Execution
from peninsula.io import store
from peninsula.scenario.errors import Problem, ScenarioError
from peninsula.scenario.loader import Scenario

SMOOTHING = 0.7  # judgement: the usual 0.5-0.9 range; keeps the search from collapsing early
MIN_SIGMA = 1e-3  # as a share of each lever's range: below this the search has converged


@dataclass(frozen=True)
class LeverRange:
    """A lever (or parameter) the search may set, and its allowed range."""

    key: str
    low: float
    high: float


DEFAULT_METRIC = "stability_index"


def study_levers(scenario, specs: list[str] | None) -> list[LeverRange]:
    """The search's ranges: --lever when given, else the scenario's ``[study] levers``."""
    if specs:
        return parse_levers(specs)
    return parse_levers(scenario.study("levers") or [], source="study.levers")


def study_metric(scenario, metric: str | None) -> str:
    """The metric to optimise: --metric, else the first of ``[study] metrics``, else the
    stability index."""
    return metric or (scenario.study("metrics") or [DEFAULT_METRIC])[0]


def parse_levers(specs: list[str], source: str = "--lever") -> list[LeverRange]:
    """``levers.exercise_intensity=0,2`` -> LeverRange; each spec names its range."""
    out = []
    for spec in specs:
        key, _, bounds = (s.strip() for s in spec.partition("="))
        try:
            low, high = (float(v) for v in bounds.split(","))
        except ValueError:
            raise ScenarioError([Problem(source, key or spec, "expected KEY=LOW,HIGH, e.g. "
                                         "levers.exercise_intensity=0,2")]) from None
        if not high > low:
            raise ScenarioError([Problem(source, key, f"LOW {low} must be below HIGH {high}")])
        if key.split(".", 1)[0] not in ("levers", "parameters") or "." not in key:
            raise ScenarioError([Problem(source, key, "expected levers.NAME or "
                                         "parameters.NAME")])
        out.append(LeverRange(key, low, high))
    if not out:
        raise ScenarioError([Problem("--lever", "", "give at least one lever to search over "
                                     "(or a [study] levers list in the scenario)")])
    return out


def cross_entropy(evaluate: Callable[[int, np.ndarray], np.ndarray], low: np.ndarray,
                  high: np.ndarray, *, population: int, generations: int, elite: float = 0.25,
                  seed: int = 0, maximize: bool = True) -> pd.DataFrame:
    """Run the search; ``evaluate(generation, X)`` scores the rows of X. Returns every
    evaluation (generation, the settings, the score)."""
    low, high = np.asarray(low, float), np.asarray(high, float)
    n_elite = max(2, int(round(elite * population)))
    if population < n_elite + 1:
        raise ValueError(f"population {population} is too small for an elite of {n_elite}")
    rng = np.random.default_rng(seed)
    mu, sigma = (low + high) / 2.0, (high - low) / 2.0
    rows = []
    for g in range(generations):
        x = np.clip(mu + sigma * rng.standard_normal((population, len(low))), low, high)
        score = np.asarray(evaluate(g, x), dtype=float)
        rows.append(pd.DataFrame(x).assign(generation=g, score=score))
        order = np.argsort(-score if maximize else score, kind="stable")
        best = x[order[:n_elite]]
        mu = (1 - SMOOTHING) * mu + SMOOTHING * best.mean(axis=0)
        sigma = (1 - SMOOTHING) * sigma + SMOOTHING * best.std(axis=0, ddof=1)
        if np.all(sigma < MIN_SIGMA * (high - low)):
            break
    return pd.concat(rows, ignore_index=True)


def run_optimisation(scenario: Scenario, levers: list[LeverRange], metric: str, *,
                     maximize: bool = True, population: int = 16, generations: int = 6,
                     elite: float = 0.25, out_dir: str | Path | None = None,
                     resume: bool = False, check_seed: int | None = None,
                     execution: Execution | None = None) -> tuple[dict, pd.DataFrame]:
    """Search the lever box, every generation a sweep run as ``execution`` says; return (best
    setting with its scores, every evaluation). ``resume``: continue the search in
    ``out_dir``."""
    check_metric(scenario, metric)
    keys = [lv.key for lv in levers]
    out = Path(out_dir) if out_dir is not None else None

    def evaluate(g: int, x: np.ndarray) -> np.ndarray:
        design = pd.DataFrame(x, columns=keys)
        folder = out / f"generation-{g:03d}" if out is not None else None
        table = run_sweep(scenario, design, out_dir=folder,
                          resume=resume and folder is not None and folder.exists(),
                          execution=execution)
        return table[metric].to_numpy()

    history = cross_entropy(evaluate, np.array([lv.low for lv in levers]),
                            np.array([lv.high for lv in levers]), population=population,
                            generations=generations, elite=elite, seed=scenario.seed,
                            maximize=maximize)
    history.columns = [*keys, "generation", metric]
    pick = history[metric].idxmax() if maximize else history[metric].idxmin()
    best = {k: float(history.at[pick, k]) for k in keys}
    check_seed = scenario.seed + 1 if check_seed is None else check_seed
    check = run_sweep(scenario.with_settings(seed=check_seed), pd.DataFrame([best]),
                      execution=execution)
    result = {"metric": metric, "maximize": maximize, "levers": best,
              "search_value": float(history.at[pick, metric]),
              "check_value": float(check[metric].iloc[0]), "check_seed": check_seed,
              "evaluations": len(history), "generations": int(history["generation"].max()) + 1,
              "runs_per_evaluation": scenario.runs}
    if out is not None:
        with store.folder_lock(out):
            store.write_text(history.to_csv(index=False), out / "evaluations.csv")
            store.write_json(result, out / "best.json")
    return result, history
