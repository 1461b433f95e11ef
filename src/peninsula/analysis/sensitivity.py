"""A sensitivity study: which uncertain parameters (or levers) drive each headline metric.

The study is a sweep (analysis/sweep.py) over a Saltelli design (analysis/sobol.py): every
design point is an ensemble of ``scenario.runs`` runs with the parameters fixed at the point's
values (``sample_parameters`` off: the factors carry the parameter uncertainty) and the same
seed, so it runs on any executor (processes, Dask) and resumes like a sweep. The result is one
row per (metric, factor) with the first-order and total Sobol indices and their 95% intervals.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from concurrent.futures import Executor
from pathlib import Path

import pandas as pd

from peninsula.analysis.sobol import Factor, saltelli_design, sobol_indices
from peninsula.analysis.sweep import check_metric, run_sweep
from peninsula.engine.ensemble import DEFAULT_CHUNK_RUNS
from peninsula.io import store
from peninsula.scenario.loader import Scenario

DEFAULT_METRICS = ("p_war_{h}y", "dprk_launches_per_year", "alignment_china_russia",
                   "arms_race_intensity_pct", "stability_index", "gdp_loss_pct")


def default_metrics(scenario: Scenario) -> list[str]:
    """The headline metrics, P(war) at the longest horizon the scenario reaches."""
    horizons = scenario["metrics"]["horizons_years"]
    last = max([h for h in horizons if h <= scenario.horizon_months // 12] or horizons[:1])
    return [m.format(h=last) for m in DEFAULT_METRICS]


def check_metrics(scenario: Scenario, metrics: list[str] | None) -> list[str]:
    """The metrics asked for (default: the headline ones), each checked to exist."""
    if not metrics:
        return default_metrics(scenario)
    return [check_metric(scenario, m) for m in metrics]


def run_sensitivity(scenario: Scenario, factors: list[Factor], samples: int, *,
                    metrics: list[str] | None = None, executor: Executor | None = None,
                    workers: int = 1, chunk_runs: int = DEFAULT_CHUNK_RUNS,
                    out_dir: str | Path | None = None, resume: bool = False,
                    kernel: str = "auto", progress: Callable[[int], None] | None = None,
                    on_resume: Callable[[int, int], None] | None = None,
                    n_boot: int = 1000) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Run the study; return (indices, sweep table). ``samples`` is N, a power of two: the
    design has N (D + 2) points of ``scenario.runs`` runs each."""
    metrics = check_metrics(scenario, metrics)
    design = saltelli_design(factors, samples, seed=scenario.seed)
    base = scenario.with_settings(sample_parameters=False)
    table = run_sweep(base, design, executor=executor, workers=workers, chunk_runs=chunk_runs,
                      out_dir=out_dir, resume=resume, progress=progress, kernel=kernel,
                      on_resume=on_resume, with_se=True)
    rows = []
    for m in metrics:
        ind = sobol_indices(table[m].to_numpy(), len(factors), n_boot=n_boot,
                            seed=scenario.seed, se=table[f"{m}_se"].to_numpy())
        ind.insert(0, "factor", [f.key for f in factors])
        ind.insert(0, "metric", m)
        rows.append(ind)
    result = pd.concat(rows, ignore_index=True)
    if out_dir is not None:
        out = Path(out_dir)
        store.write_text(result.to_csv(index=False), out / "sensitivity.csv")
        store.write_json({"samples": samples, "runs_per_point": scenario.runs,
                          "seed": scenario.seed, "points": len(design),
                          "factors": [f.__dict__ for f in factors],
                          "indices": json.loads(result.to_json(orient="records"))},  # NaN: null
                         out / "sensitivity.json")
    return result, table
