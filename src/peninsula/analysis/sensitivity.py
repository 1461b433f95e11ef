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

The delta method (analysis/given_data.py) needs no design: it reads one ensemble with sampled
parameters, each run its own draw of every factor, and gives Borgonovo's delta, S1 from given
data and extra-trees feature scores. Screening then Sobol (``run_screening``) runs a Morris
study of every factor, keeps the K that matter most and runs a Sobol study of those.

The result is one row per (metric, factor): S1, S1_conf, ST, ST_conf (Sobol), mu_star,
mu_star_conf, mu, sigma (Morris) or delta, delta_conf, S1, S1_conf, feature_score (delta), then
sd and point_se; Sobol pairs (S2) in a table of their own; a convergence check (the main index
from the first half of the design, N/2, against the whole, N); and one-line warnings where the
design is too small for the indices it gives.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from peninsula.analysis.metrics import per_run_metric
from peninsula.analysis.registry import statistic
from peninsula.analysis.sensitivity_methods import REGISTRY, method_of
from peninsula.analysis.sweep import SECTIONS, check_metric, run_sweep
from peninsula.engine.ensemble import run_chunks
from peninsula.engine.execution import Execution
from peninsula.engine.random import sample_param
from peninsula.io import store
from peninsula.model.setup import build_setup
from peninsula.scenario.errors import Problem, ScenarioError
from peninsula.scenario.loader import Scenario
from peninsula.scenario.parameters import NAMES

METHODS = tuple(REGISTRY)
# the index each method ranks factors by, checked for convergence and drawn in the figure
MAIN_INDEX = {name: m.main_index for name, m in REGISTRY.items()}
# bootstrap resamples of the delta method: each resample re-ranks every factor's runs
DELTA_BOOT = 100
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
    # per (metric, factor): the main index from the first half of the design and the whole
    convergence: pd.DataFrame | None = None
    screening: Sensitivity | None = None  # the Morris study that chose this study's factors

    def records(self) -> list[dict]:
        """The rows of ``--json``: each index row with its method, the main index from half
        the design (``<index>_half``) and whether it agrees with the whole (``converged``);
        after a screening, the screening's rows first. NaN as None."""
        table = self.indices.assign(method=self.method)
        if self.convergence is not None:
            table = table.merge(self.convergence, on=["metric", "factor"], how="left")
        rows = json.loads(table.to_json(orient="records"))
        return (self.screening.records() if self.screening is not None else []) + rows

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
    r (D + 1); delta one ensemble. ValueError (naming the flag) for a design that cannot be
    made."""
    return method_of(method).design_size(n_factors, samples, second_order, levels)


def design(factors: list[Factor], samples: int, *, method: str = "sobol", seed: int = 0,
           second_order: bool = False, levels: int = 4) -> pd.DataFrame:
    """The design points, one column per factor key, in the method's row order: ``samples``
    is N for Sobol (a power of two) and the number of trajectories for Morris."""
    unit = method_of(method).sample(len(factors), samples, seed, second_order, levels)
    # clipped: low + (high - low) * 1 can land an ulp above high, outside the declared range
    return pd.DataFrame({f.key: np.clip(sample_param(unit[:, j], f.low, f.mode, f.high,
                                                     f.distribution), f.low, f.high)
                         for j, f in enumerate(factors)})


def analyze(table: pd.DataFrame, factors: list[Factor], metrics: list[str], *,
            method: str = "sobol", second_order: bool = False, levels: int = 4,
            n_boot: int = 1000, seed: int = 0, convergence: bool = False) -> Sensitivity:
    """The indices of each metric from a table of evaluated design points (rows in
    ``design`` order; a metric's column NAME and, if known, its standard error NAME_se), or,
    for delta, of runs (one row per run, the factors' drawn values and per-run metrics).
    ``convergence`` also estimates the main index from the first half of the design."""
    names = [f.key for f in factors]
    rows, pairs, notes, checks = [], [], [], []
    spec = method_of(method)
    per_block = spec.block_rows(len(names), second_order)
    blocks = len(table) // per_block
    for m in metrics:
        y = table[m].to_numpy(dtype=float)
        se = table[f"{m}_se"].to_numpy(dtype=float) if f"{m}_se" in table else np.full(
            len(y), np.nan)

        def indices(n: int, y: np.ndarray = y) -> tuple[pd.DataFrame, pd.DataFrame | None]:
            """The indices from the first n blocks of the design (base rows, trajectories
            or runs)."""
            part, x = y[:n * per_block], table[names].to_numpy(dtype=float)[:n * per_block]
            return spec.indices(x, part, names, second_order=second_order, levels=levels,
                                n_boot=n_boot, seed=seed, total_rows=len(y))
        ind, s2 = indices(blocks)
        ind["sd"] = float(np.std(y, ddof=1)) if len(y) > 1 else math.nan
        ind["point_se"] = float(np.sqrt(np.mean(np.square(se))))
        ind.insert(0, "metric", m)
        rows.append(ind)
        if s2 is not None:
            s2.insert(0, "metric", m)
            pairs.append(s2)
        notes += design_warnings(m, ind, s2, y, spec.enlarge)
        if convergence:
            check = convergence_check(method, ind, indices(blocks // 2)[0]
                                      if blocks // 2 >= spec.min_half else None)
            checks.append(check)
            notes += convergence_warnings(m, method, check, ind)
    return Sensitivity(method, pd.concat(rows, ignore_index=True),
                       pd.concat(pairs, ignore_index=True) if pairs else None, notes,
                       pd.concat(checks, ignore_index=True) if checks else None)


def convergence_check(method: str, ind: pd.DataFrame, half: pd.DataFrame | None
                      ) -> pd.DataFrame:
    """The main index from half the design beside the whole: ``<index>_half`` and
    ``converged``. The half estimate's error is about sqrt(2) times the whole's and shares
    half its draws, so their difference has about the whole's standard deviation: the whole's
    95% interval is the test's band. None where the design is too small to halve."""
    k = MAIN_INDEX[method]
    out = ind[["metric", "factor"]].copy()
    if half is None:
        out[f"{k}_half"], out["converged"] = math.nan, None
        return out
    out[f"{k}_half"] = half[k].to_numpy()
    diff = (ind[k] - out[f"{k}_half"]).abs()
    ok = diff <= ind[f"{k}_conf"].fillna(-np.inf)
    out["converged"] = np.where(ind[k].isna(), None, ok)
    return out


def convergence_warnings(metric: str, method: str, check: pd.DataFrame, ind: pd.DataFrame
                         ) -> list[str]:
    """A line when the main index moved by more than its 95% interval between the first half
    of the design and the whole, for a factor whose index is material."""
    k = MAIN_INDEX[method]
    material = MATERIAL_SHARE * (ind[k].max() if REGISTRY[method].elementary_effects else 1.0)
    moved = (check["converged"] == False) & (ind[k].abs() >= material)  # noqa: E712
    if not moved.any():
        return []
    w = check[moved].iloc[0]
    return [f"{metric}: {k} moved by more than its 95% interval between half the design and "
            f"the whole for {int(moved.sum())} of {len(check)} factors (e.g. "
            f"{_short(w['factor'])} {ind.loc[w.name, k]:.3g} from {w[f'{k}_half']:.3g}): "
            f"not converged, raise {method_of(method).enlarge}"]


def design_warnings(metric: str, ind: pd.DataFrame, s2: pd.DataFrame | None,
                    y: np.ndarray, more: str = "--samples") -> list[str]:
    """One line per way the design is too small for a metric's indices: an interval wider
    than its index that also reaches a material value, an index outside [0, 1] beyond its
    interval, or a point's chance error above the metric's spread over the design."""
    out = []
    if not np.isfinite(y).all():
        return [f"{metric}: not a number at some points of the design: no indices"]
    if "mu_star" not in ind and np.ptp(y) == 0.0:
        return [f"{metric}: the same at every point of the design: no variance to share out, "
                "no indices"]
    checks = [(k, ind[["factor", k, f"{k}_conf"]].set_axis(["name", "v", "c"], axis=1))
              for k in ("S1", "ST", "mu_star", "delta") if k in ind]
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
            out.append(f"{metric}: the 95% interval of {statistic(k).symbol} is wider than "
                       f"the index for "
                       f"{int(loose.sum())} of {len(t)} "
                       f"{'pairs' if k == 'S2' else 'factors'} (widest {_short(w['name'])} "
                       f"{w['v']:.3g} ± {w['c']:.3g}): too few samples, raise {more}")
        if k != "mu_star":
            slack = t["c"] + OUTSIDE_SLACK
            outside = (t["v"] < -slack) | (t["v"] > 1.0 + slack)
            if outside.any():
                w = t[outside].iloc[(t["v"][outside] - 0.5).abs().argmax()]
                out.append(f"{metric}: {statistic(k).symbol} lies outside [0, 1] beyond its "
                           f"95% interval for "
                           f"{int(outside.sum())} of {len(t)} "
                           f"{'pairs' if k == 'S2' else 'factors'} ({_short(w['name'])} "
                           f"{w['v']:.3g} ± {w['c']:.3g}): too few samples, raise {more}")
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
                    out_dir: str | Path | None = None, resume: bool = False,
                    on_resume: Callable[[int, int], None] | None = None,
                    n_boot: int = 1000, execution: Execution | None = None
                    ) -> tuple[Sensitivity, pd.DataFrame]:
    """Run the study as ``execution`` says; return (result, table: the sweep's points, or
    delta's runs). ``samples`` is N for Sobol (a power of two) or the number of trajectories
    for Morris; ``design_size`` gives the points, each of ``scenario.runs`` runs. Delta runs
    one ensemble of ``scenario.runs`` runs with sampled parameters (``samples`` is not used).
    ``resume``: continue the study in ``out_dir``."""
    metrics = check_metrics(scenario, metrics)
    spec = method_of(method)
    if spec.given_data:
        table = given_data_table(scenario, factors, metrics, execution=execution)
        result = analyze(table, factors, metrics, method="delta",
                         n_boot=min(n_boot, DELTA_BOOT), seed=scenario.seed, convergence=True)
        points = 1
    else:
        design_points = design(factors, samples, method=method, seed=scenario.seed,
                               second_order=second_order, levels=levels)
        base = scenario.with_settings(sample_parameters=False)
        table = run_sweep(base, design_points, out_dir=out_dir, resume=resume,
                          on_resume=on_resume, with_se=True, execution=execution)
        result = analyze(table, factors, metrics, method=method, second_order=second_order,
                         levels=levels, n_boot=n_boot, seed=scenario.seed, convergence=True)
        points = len(design_points)
    if out_dir is not None:
        Path(out_dir).mkdir(parents=True, exist_ok=True)
        with store.folder_lock(Path(out_dir)):  # the sweep's lock has ended: take it again
            _write(result, Path(out_dir), {
                "method": method, "samples": None if spec.given_data else samples,
                "runs_per_point": scenario.runs, "seed": scenario.seed, "points": points,
                **({"levels": levels} if spec.uses_levels else {}),
                "factors": [f.__dict__ for f in factors]})
    return result, table


def given_data_table(scenario: Scenario, factors: list[Factor], metrics: list[str], *,
                     execution: Execution | None = None) -> pd.DataFrame:
    """One row per run of one ensemble with sampled parameters (run as ``execution`` says):
    each factor's drawn value and each metric's per-run value (analysis/metrics.py
    ``per_run_metric``)."""
    check_given_data(scenario, factors)
    execution = execution or Execution()
    setup = build_setup(scenario, kernel=execution.kernel)
    result = run_chunks(setup, scenario.runs, record_monthly=False, record_events=False,
                        **execution.ensemble_keywords())
    table = pd.DataFrame({f.key: result.params[:, NAMES.index(f.key.split(".", 1)[1])]
                          for f in factors})
    for m in metrics:
        table[m] = per_run_metric(result, setup, m)
    return table


def check_given_data(scenario: Scenario, factors: list[Factor]) -> None:
    """ValueError unless every factor is a parameter the scenario samples over its declared
    range: delta reads each run's own draw, so it cannot set a range of its own."""
    if not scenario["scenario"]["sample_parameters"]:
        raise ValueError("--method delta: the scenario does not sample its parameters "
                         "(scenario.sample_parameters = false): every run has the same draw")
    params = scenario["parameters"]
    for f in factors:
        name = f.key.split(".", 1)[1]
        p = params.get(name) if f.key.startswith("parameters.") else None
        if p is None or [f.low, f.high] != [float(v) for v in p["range"]] \
                or f.distribution != p["distribution"]:
            raise ValueError(f"--method delta: {f.key} must be a parameter name (no =LOW,HIGH):"
                             " delta reads each run's own draw of the scenario's parameters")


def survivors(screen: Sensitivity, keep: int) -> list[str]:
    """The ``keep`` factors a Morris screening ranks first: each factor's mu* as a share of the
    largest mu* of each metric (metrics in their own units become comparable), its largest
    share over the metrics, highest first."""
    ind = screen.indices.copy()
    top = ind.groupby("metric")["mu_star"].transform("max")
    ind["share"] = (ind["mu_star"] / top.where(top > 0)).fillna(0.0)
    order = ind.groupby("factor", sort=False)["share"].max().sort_values(ascending=False,
                                                                          kind="stable")
    return list(order.index[:keep])


def run_screening(scenario: Scenario, factors: list[Factor], trajectories: int, keep: int,
                  sobol_samples: int, *, metrics: list[str] | None = None, levels: int = 4,
                  second_order: bool = False, out_dir: str | Path | None = None,
                  **run: object) -> tuple[Sensitivity, pd.DataFrame]:
    """Screening then Sobol: a Morris study of every factor (``trajectories``), the ``keep``
    factors it ranks first (``survivors``), then a Sobol study (N = ``sobol_samples``) of those.
    The Sobol result carries the screening as ``.screening``; with ``out_dir`` the screening's
    points and indices go to its folder ``screening/``. ``run``: ``run_sensitivity``'s
    execution, resume, on_resume and n_boot."""
    screen, _ = run_sensitivity(scenario, factors, trajectories, metrics=metrics,
                                method="morris", levels=levels,
                                out_dir=None if out_dir is None else Path(out_dir) / "screening",
                                **run)
    chosen = set(survivors(screen, keep))
    kept = [f for f in factors if f.key in chosen]
    result, table = run_sensitivity(scenario, kept, sobol_samples, metrics=metrics,
                                    method="sobol", second_order=second_order, out_dir=out_dir,
                                    **run)
    result.screening = screen
    result.warnings = [f"screening: {w}" for w in screen.warnings] + result.warnings
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
                      "convergence": records(result.convergence),
                      "warnings": result.warnings}, out / "sensitivity.json")
