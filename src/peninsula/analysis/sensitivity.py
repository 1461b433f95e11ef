"""A sensitivity study: which uncertain parameters (or levers) drive each headline metric.

The factors are declared once, in the scenario: a parameter name varies over its declared
range and distribution (triangular or uniform), ``KEY=LOW,HIGH`` varies a lever or a
parameter uniformly. A method's unit-cube design (a Saltelli design for Sobol indices,
analysis/sobol.py; Morris trajectories for elementary effects, analysis/morris.py) is mapped
through each factor's distribution with the mapping the engine uses to draw a run's
parameters (``engine.random.sample_param``, the inverse CDF).

The study is a sweep (analysis/sweep.py) over that design: every point is an ensemble of
``scenario.runs`` runs with the parameters fixed at the point's values (``sample_parameters``
off: the factors carry the parameter uncertainty) and the same seed, so it runs on any
executor (processes, Dask) and resumes like a sweep. Common random numbers make f(A) and
f(AB_i) differ only through X_i: a factor a metric does not depend on gets indices of exactly
zero. The chance part of each point is shared by all points rather than independent, so it is
not a simple share of the variance; ``point_se`` (a point's standard error) is reported beside
``sd`` (the metric's spread over the design) to show when more runs per point are needed.

The result is one row per (metric, factor): S1, S1_conf, ST, ST_conf (Sobol) or mu_star,
mu_star_conf, mu, sigma (Morris), then sd and point_se; Sobol pairs (S2) in a table of their
own; and one-line warnings where the design is too small for the indices it gives.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from peninsula.analysis import morris, sobol
from peninsula.analysis.sweep import SECTIONS, check_metric, run_sweep
from peninsula.engine.ensemble import DEFAULT_CHUNK_RUNS
from peninsula.engine.random import sample_param
from peninsula.io import store
from peninsula.scenario.errors import Problem, ScenarioError
from peninsula.scenario.loader import Scenario

METHODS = ("sobol", "morris")
DEFAULT_METRICS = ("p_war_{h}y", "dprk_launches_per_year", "alignment_china_russia",
                   "arms_race_intensity_pct", "stability_index", "gdp_loss_pct")
# An interval that holds zero is a problem only if it also reaches a share of variance that
# matters (Sobol), or a tenth of the largest mu* of the metric (Morris): below that a factor
# is known to be minor, which is an answer.
MATERIAL_SHARE = 0.1
# An index outside [0, 1] by more than its interval is a sign of too few samples; the slack
# keeps a zero index estimated at -0.03 +- 0.02 (chance, at any size) from raising it.
OUTSIDE_SLACK = 0.05


@dataclass(frozen=True)
class Factor:
    """One uncertain input: a scenario key and the distribution its values are drawn from."""

    key: str  # as --set takes it: parameters.NAME or levers.NAME
    low: float
    mode: float
    high: float
    distribution: str  # triangular | uniform


@dataclass
class Sensitivity:
    """A study's indices (one row per metric and factor), Sobol pairs if asked, warnings."""

    method: str
    indices: pd.DataFrame
    second_order: pd.DataFrame | None = None
    warnings: list[str] = field(default_factory=list)

    def __repr__(self) -> str:
        factors, metrics = self.indices["factor"].nunique(), self.indices["metric"].nunique()
        pairs = "" if self.second_order is None else f", {len(self.second_order)} pairs"
        return (f"Sensitivity(method={self.method!r}, {factors} factors x {metrics} metrics"
                f"{pairs}, {len(self.warnings)} warnings)")


def scenario_factors(scenario: Scenario, specs: list[str] | None = None) -> list[Factor]:
    """The factors of a study: each spec is a parameter name (its declared range and
    distribution), or KEY=LOW,HIGH (uniform; levers or parameters), checked against what the
    scenario allows for KEY. With no specs, the scenario's ``[study] factors``, else every
    parameter whose distribution is not fixed."""
    params = scenario["parameters"]
    source = "--factor"
    if not specs and scenario.study("factors"):
        specs, source = scenario.study("factors"), "study.factors"
    if not specs:
        specs = [n for n, p in params.items()
                 if p["distribution"] != "fixed" and p["range"][1] > p["range"][0]]
    out = [_factor(scenario, params, spec.strip(), source) for spec in specs]
    keys = [f.key for f in out]
    dup = sorted({k for k in keys if keys.count(k) > 1})
    if dup:
        raise ScenarioError([Problem(source, dup[0], "given more than once")])
    return out


def _factor(scenario: Scenario, params: dict, spec: str, source: str = "--factor") -> Factor:
    key, _, bounds = (s.strip() for s in spec.partition("="))
    full = key if "." in key else f"parameters.{key}"
    if not bounds and "=" not in spec:
        name = full.split(".", 1)[1]
        if not full.startswith("parameters.") or name not in params:
            raise ScenarioError([Problem(source, key, "not a parameter; give a parameter "
                                         "name, or KEY=LOW,HIGH for a lever")])
        p = params[name]
        low, high = (float(v) for v in p["range"])
        if p["distribution"] == "fixed" or not high > low:
            raise ScenarioError([Problem(source, key, "is fixed in the scenario (no range "
                                         "to vary); give KEY=LOW,HIGH")])
        return Factor(full, low, float(p["value"]), high, p["distribution"])

    def bad(message: str) -> ScenarioError:
        return ScenarioError([Problem(source, spec, message)])
    try:
        low, high = (float(v) for v in bounds.split(","))
    except ValueError:
        raise bad("expected KEY=LOW,HIGH with two numbers") from None
    if not (math.isfinite(low) and math.isfinite(high)):
        raise bad("LOW and HIGH must be finite numbers")
    if not high > low:
        raise bad(f"LOW {low:g} must be below HIGH {high:g}")
    if full.split(".", 1)[0] not in SECTIONS:
        raise bad(f"{full} is not a scenario key a study can vary; use levers.NAME or "
                  "parameters.NAME")
    for end, value in (("LOW", low), ("HIGH", high)):
        try:
            scenario.with_values([(full, value)])
        except ScenarioError as exc:
            raise bad(f"{end} {value:g} is not allowed for {full}: "
                      f"{exc.problems[0].message}") from None
    return Factor(full, low, (low + high) / 2.0, high, "uniform")


def design_size(method: str, n_factors: int, samples: int, second_order: bool = False,
                levels: int = 4) -> int:
    """Points of a study's design: Sobol N (D + 2), or N (2D + 2) with second order; Morris
    r (D + 1). ValueError (naming the flag) for a design that cannot be made."""
    if method == "morris":
        return morris.design_size(n_factors, samples, levels)
    return sobol.design_size(n_factors, samples, second_order)


def design(factors: list[Factor], samples: int, *, method: str = "sobol", seed: int = 0,
           second_order: bool = False, levels: int = 4) -> pd.DataFrame:
    """The design points, one column per factor key, in the method's row order: ``samples``
    is N for Sobol (a power of two) and the number of trajectories for Morris."""
    if method == "sobol":
        unit = sobol.saltelli_sample(len(factors), samples, seed, second_order)
    elif method == "morris":
        unit = morris.morris_sample(len(factors), samples, levels, seed)
    else:
        raise ValueError(f"--method: {method!r} is not one of: {', '.join(METHODS)}")
    # clipped: low + (high - low) * 1 can land an ulp above high, outside the declared range
    return pd.DataFrame({f.key: np.clip(sample_param(unit[:, j], f.low, f.mode, f.high,
                                                     f.distribution), f.low, f.high)
                         for j, f in enumerate(factors)})


def analyze(table: pd.DataFrame, factors: list[Factor], metrics: list[str], *,
            method: str = "sobol", second_order: bool = False, levels: int = 4,
            n_boot: int = 1000, seed: int = 0) -> Sensitivity:
    """The indices of each metric from a table of evaluated design points (rows in
    ``design`` order; a metric's column NAME and, if known, its standard error NAME_se)."""
    names = [f.key for f in factors]
    rows, pairs, notes = [], [], []
    for m in metrics:
        y = table[m].to_numpy(dtype=float)
        se = table[f"{m}_se"].to_numpy(dtype=float) if f"{m}_se" in table else np.full(
            len(y), np.nan)
        if method == "morris":
            ind = morris.morris_effects(table[names].to_numpy(dtype=float), y, names,
                                        levels=levels, n_boot=n_boot, seed=seed)
            s2 = None
        else:
            ind, s2 = sobol.sobol_indices(y, names, second_order=second_order, n_boot=n_boot,
                                          seed=seed)
        ind["sd"] = float(np.std(y, ddof=1)) if len(y) > 1 else math.nan
        ind["point_se"] = float(np.sqrt(np.mean(np.square(se))))
        ind.insert(0, "metric", m)
        rows.append(ind)
        if s2 is not None:
            s2.insert(0, "metric", m)
            pairs.append(s2)
        notes += design_warnings(m, ind, s2, y)
    return Sensitivity(method, pd.concat(rows, ignore_index=True),
                       pd.concat(pairs, ignore_index=True) if pairs else None, notes)


def design_warnings(metric: str, ind: pd.DataFrame, s2: pd.DataFrame | None,
                    y: np.ndarray) -> list[str]:
    """One line per way the design is too small for a metric's indices: an interval wider
    than its index that also reaches a material value, an index outside [0, 1] beyond its
    interval, or a point's chance error above the metric's spread over the design."""
    out = []
    if not np.isfinite(y).all():
        return [f"{metric}: not a number at some points of the design: no indices"]
    if "S1" in ind and np.ptp(y) == 0.0:
        return [f"{metric}: the same at every point of the design: no variance to share out, "
                "no indices"]
    checks = [(k, ind[["factor", k, f"{k}_conf"]].set_axis(["name", "v", "c"], axis=1))
              for k in ("S1", "ST", "mu_star") if k in ind]
    if s2 is not None and len(s2):
        names = s2["factor_1"].str.cat(s2["factor_2"], sep=" x ")
        checks.append(("S2", pd.DataFrame({"name": names, "v": s2["S2"], "c": s2["S2_conf"]})))
    for k, t in checks:
        material = MATERIAL_SHARE * (t["v"].max() if k == "mu_star" else 1.0)
        loose = ~(t["c"] <= t["v"].abs()) & (t["v"].abs() + t["c"].fillna(np.inf) >= material)
        if k == "mu_star":
            loose &= material > 0
        if loose.any():
            w = t[loose].sort_values("c", ascending=False, na_position="first").iloc[0]
            out.append(f"{metric}: the 95% interval of {k} is wider than the index for "
                       f"{int(loose.sum())} of {len(t)} "
                       f"{'pairs' if k == 'S2' else 'factors'} (widest {_short(w['name'])} "
                       f"{w['v']:.3g} ± {w['c']:.3g}): too few samples, raise --samples")
        if k != "mu_star":
            slack = t["c"] + OUTSIDE_SLACK
            outside = (t["v"] < -slack) | (t["v"] > 1.0 + slack)
            if outside.any():
                w = t[outside].iloc[(t["v"][outside] - 0.5).abs().argmax()]
                out.append(f"{metric}: {k} lies outside [0, 1] beyond its 95% interval for "
                           f"{int(outside.sum())} of {len(t)} "
                           f"{'pairs' if k == 'S2' else 'factors'} ({_short(w['name'])} "
                           f"{w['v']:.3g} ± {w['c']:.3g}): too few samples, raise --samples")
    sd, point_se = float(ind["sd"].iloc[0]), float(ind["point_se"].iloc[0])
    if point_se > sd:
        out.append(f"{metric}: a point's standard error from chance ({point_se:.3g}) exceeds "
                   f"the metric's spread over the design ({sd:.3g}): the indices are mostly "
                   "chance, raise --runs")
    return out


def _short(name: str) -> str:
    return name.replace("parameters.", "")


def default_metrics(scenario: Scenario) -> list[str]:
    """The headline metrics, P(war) at the longest horizon the scenario reaches."""
    horizons = scenario["metrics"]["horizons_years"]
    last = max([h for h in horizons if h <= scenario.horizon_months // 12] or horizons[:1])
    return [m.format(h=last) for m in DEFAULT_METRICS]


def check_metrics(scenario: Scenario, metrics: list[str] | None) -> list[str]:
    """The metrics asked for (else the scenario's ``[study] metrics``, else the headline ones),
    each checked to exist."""
    if not metrics and scenario.study("metrics"):
        try:
            return [check_metric(scenario, m) for m in scenario.study("metrics")]
        except ValueError as exc:
            raise ValueError(f"[study] metrics: {exc}".replace("--metric ", "")) from None
    if not metrics:
        return default_metrics(scenario)
    return [check_metric(scenario, m) for m in metrics]


def run_sensitivity(scenario: Scenario, factors: list[Factor], samples: int, *,
                    metrics: list[str] | None = None, method: str = "sobol",
                    second_order: bool = False, levels: int = 4,
                    executor: Executor | None = None, workers: int = 1,
                    chunk_runs: int = DEFAULT_CHUNK_RUNS, out_dir: str | Path | None = None,
                    resume: bool = False, kernel: str = "auto",
                    progress: Callable[[int], None] | None = None,
                    on_resume: Callable[[int, int], None] | None = None,
                    n_boot: int = 1000) -> tuple[Sensitivity, pd.DataFrame]:
    """Run the study; return (result, sweep table). ``samples`` is N for Sobol (a power of
    two) or the number of trajectories for Morris; ``design_size`` gives the points, each of
    ``scenario.runs`` runs."""
    metrics = check_metrics(scenario, metrics)
    points = design(factors, samples, method=method, seed=scenario.seed,
                    second_order=second_order, levels=levels)
    base = scenario.with_settings(sample_parameters=False)
    table = run_sweep(base, points, executor=executor, workers=workers, chunk_runs=chunk_runs,
                      out_dir=out_dir, resume=resume, progress=progress, kernel=kernel,
                      on_resume=on_resume, with_se=True)
    result = analyze(table, factors, metrics, method=method, second_order=second_order,
                     levels=levels, n_boot=n_boot, seed=scenario.seed)
    if out_dir is not None:
        with store.folder_lock(Path(out_dir)):  # the sweep's lock has ended: take it again
            _write(result, Path(out_dir), {
                "method": method, "samples": samples, "runs_per_point": scenario.runs,
                "seed": scenario.seed, "points": len(points),
                **({"levels": levels} if method == "morris" else {}),
                "factors": [f.__dict__ for f in factors]})
    return result, table


def _write(result: Sensitivity, out: Path, meta: dict) -> None:
    """sensitivity.csv (indices), sensitivity_s2.csv (pairs, if any) and sensitivity.json
    (``meta``, the indices, the pairs and the warnings; NaN as null)."""
    def records(df: pd.DataFrame | None) -> list | None:
        return None if df is None else json.loads(df.to_json(orient="records"))
    store.write_text(result.indices.to_csv(index=False), out / "sensitivity.csv")
    if result.second_order is not None:
        store.write_text(result.second_order.to_csv(index=False), out / "sensitivity_s2.csv")
    store.write_json({**meta, "indices": records(result.indices),
                      "second_order": records(result.second_order),
                      "warnings": result.warnings}, out / "sensitivity.json")
