"""Scenario discovery: in which region of the uncertain parameters does an outcome happen?

An ensemble with sampled parameters is a sample of the uncertainty: run k has its own draw x_k
of every parameter and a yes/no outcome y_k (war within 10 years, say). PRIM (Friedman and
Fisher 1999) looks for a box, a low and a high limit on a few parameters, inside which the
outcome is much more frequent than overall, as scenario discovery uses it (Bryant and Lempert
2010). It runs EMA Workbench's implementation (``ema_workbench.analysis.prim``):

- peeling: repeatedly cut the slice (``PEEL_ALPHA`` of the runs in the box) off one side of one
  parameter that raises the share of outcomes in the box most, down to ``MASS_MIN`` of the runs;
- pasting: widen the last box again where that raises the share;
- every box on the way is a point of the trade-off curve: coverage (share of all outcomes that
  fall in the box), density (share of the box's runs with the outcome) and mass (share of all
  runs in the box).

The box reported (``choose_box``) is the densest on the trajectory whose coverage is at least
``MIN_COVERAGE`` (a box that explains at least half the outcomes); then each limit whose
quasi-p value (a one-sided binomial test of whether the density would fall without that limit,
as EMA reports it, per side) is above ``SIGNIFICANCE`` on every side it restricts is dropped,
the least significant first, since the data do not support it. A box that keeps no limit says
the outcome has no region of its own in this parameter space: it happens, at about the base
rate, everywhere.

CART (``cart_leaves``, optional) is a classification tree (scikit-learn) over the same data;
its leaves in which the outcome is the more frequent class are boxes too, for comparison.
"""

from __future__ import annotations

import logging
import re
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from peninsula.analysis.metrics import MEAN_METRICS, PROBABILITIES, per_run_metric
from peninsula.analysis.sweep import metric_names
from peninsula.engine.ensemble import DEFAULT_CHUNK_RUNS, run_chunks
from peninsula.model.setup import build_setup
from peninsula.scenario.loader import Scenario
from peninsula.scenario.parameters import NAMES

PEEL_ALPHA = 0.05  # share of the box's runs a peel removes (EMA's default)
PASTE_ALPHA = 0.05  # share a paste adds back (EMA's default)
MASS_MIN = 0.05  # the smallest box, as a share of all runs (EMA's default)
MIN_COVERAGE = 0.5  # the chosen box holds at least this share of the outcomes
SIGNIFICANCE = 0.05  # a limit with a larger quasi-p value is dropped
CART_MIN_LEAF = 0.05  # a CART leaf holds at least this share of the runs
CART_DEPTH = 3
RUNGS = {"clash": "clash", "war": "war", "nuclear use": "nuclear_use",
         "nuclear_use": "nuclear_use"}


@dataclass(frozen=True)
class Outcome:
    """A yes/no outcome per run: a registry metric above (or below) a threshold."""

    text: str  # as given
    metric: str  # a name of analysis/metrics.py metric_names
    threshold: float  # a run has the outcome when its value is above it (below with ``below``)
    below: bool = False


def parse_outcome(text: str, threshold: float | None, metric_names: list[str]) -> Outcome:
    """``<rung> within <N> years`` (rung: clash, war, nuclear use), a probability metric
    (``p_war_10y``), or a mean metric with ``--threshold T`` (or ``<metric> above|below T``),
    else ValueError saying what is allowed."""
    t = " ".join(text.strip().lower().split())
    m = re.fullmatch(r"(clash|war|nuclear[ _]use) within (\d+) years?", t)
    if m:
        name = f"p_{RUNGS[m.group(1).replace('_', ' ')]}_{m.group(2)}y"
        if name not in metric_names:
            years = sorted({int(n.rsplit("_", 1)[1][:-1]) for n in metric_names
                            if n.startswith("p_")})
            raise ValueError(f"--outcome {text!r}: the scenario's horizons are "
                             f"{', '.join(map(str, years))} years")
        return Outcome(text, name, 0.5)
    m = re.fullmatch(r"([a-z_0-9]+)(?: (above|below) (\S+))?", t)
    name = m.group(1) if m else ""
    if m and name in metric_names and name.startswith(tuple(k for k, _ in PROBABILITIES)):
        return Outcome(text, name, 0.5)
    if m and name in MEAN_METRICS:
        if m.group(3) is not None:
            try:
                return Outcome(text, name, float(m.group(3)), m.group(2) == "below")
            except ValueError:
                raise ValueError(f"--outcome {text!r}: {m.group(3)!r} is not a number") \
                    from None
        if threshold is None:
            raise ValueError(f"--outcome {text!r}: a continuous metric needs --threshold T "
                             f"(a run has the outcome when its value is above T)")
        return Outcome(text, name, float(threshold))
    raise ValueError(f"--outcome {text!r}: give '<clash|war|nuclear use> within <N> years', "
                     f"a probability metric ({', '.join(n for n in metric_names if n.startswith('p_'))}),"
                     f" or a metric with --threshold T ({', '.join(MEAN_METRICS)})")


def outcome_per_run(outcome: Outcome, result, setup) -> np.ndarray:
    """Per run: did the run have the outcome?"""
    values = per_run_metric(result, setup, outcome.metric)
    return values < outcome.threshold if outcome.below else values > outcome.threshold


def apply_policy(scenario: Scenario, policy: list[str] | None) -> Scenario:
    """The scenario under a policy: each item a named policy (bundled, or a TOML policy file:
    scenario/policies.py) or a lever setting KEY=VALUE (``--set`` syntax, e.g.
    levers.open_communication=1), applied in order and checked against what the scenario
    allows."""
    from peninsula.analysis.compare import policy_scenario
    from peninsula.scenario.policies import resolve_policies

    for item in policy or []:
        if "=" in item:
            scenario = scenario.with_overrides([item])
            continue
        for p in resolve_policies([item]):
            scenario = policy_scenario(scenario, p)
    return scenario


@dataclass
class Discovery:
    """PRIM's result: the base rate, the chosen box, the trade-off trajectory, CART leaves."""

    base_rate: float
    box: dict  # limits (parameter -> [low, high]), qp, coverage, density, mass
    trajectory: list[dict]  # coverage, density, mass, res_dim per box on the trajectory
    cart: list[dict] | None = None
    notes: list[str] = field(default_factory=list)


def prim(x: pd.DataFrame, y: np.ndarray, *, min_coverage: float = MIN_COVERAGE,
         significance: float = SIGNIFICANCE) -> Discovery:
    """PRIM (EMA Workbench) on the parameters ``x`` (one row per run) and outcomes ``y``
    (bool), the box chosen by ``choose_box``. ValueError if no run, or every run, has it."""
    y = np.asarray(y, dtype=bool)
    hits = int(y.sum())
    if hits == 0 or hits == len(y):
        raise ValueError(f"{hits} of {len(y)} runs have the outcome: nothing to tell apart; "
                         "raise --runs or choose another outcome or threshold")
    with warnings.catch_warnings():  # its optional back ends and pandas deprecations
        warnings.simplefilter("ignore")
        return _prim(x, y, hits, min_coverage, significance)


def _prim(x: pd.DataFrame, y: np.ndarray, hits: int, min_coverage: float,
          significance: float) -> Discovery:
    from ema_workbench.analysis import prim as ema_prim

    logging.getLogger("EMA").setLevel(logging.WARNING)
    # EMA's threshold both marks the cases of interest (y >= it) and is the density the final
    # box must reach: any value in (0, 1] marks y = 1, and a tiny one keeps every trajectory
    # (the box is chosen from the trajectory below, not by a density target)
    finder = ema_prim.Prim(x.reset_index(drop=True).astype(float), y, threshold=1e-9,
                           peel_alpha=PEEL_ALPHA, paste_alpha=PASTE_ALPHA, mass_min=MASS_MIN)
    box = finder.find_box()
    trajectory = [{"coverage": float(r.coverage), "density": float(r.density),
                   "mass": float(r.mass), "res_dim": int(r.res_dim)}
                  for r in box.peeling_trajectory.itertuples()]
    chosen = choose_box(box, min_coverage, significance)
    return Discovery(hits / len(y), chosen, trajectory)


def choose_box(box, min_coverage: float, significance: float) -> dict:
    """The densest box of the trajectory with coverage >= ``min_coverage``, less the limits
    whose quasi-p values exceed ``significance`` on every restricted side (dropped one at a
    time, the least significant first: each drop changes the others' values)."""
    t = box.peeling_trajectory
    i = int(t[t.coverage >= min_coverage].density.astype(float).idxmax())
    while True:
        qp = {k: min([v for v in pair if v >= 0], default=0.0)
              for k, pair in box.qp[i].items()}
        weakest = max(qp, key=qp.get, default=None)
        if weakest is None or qp[weakest] <= significance:
            break
        box.drop_restriction(weakest, i)
        i = len(box.peeling_trajectory) - 1
    row = box.peeling_trajectory.iloc[i]
    lims = box.box_lims[i]
    limits = {k: [float(lims.at[0, k]), float(lims.at[1, k])] for k in box.qp[i]}
    qp = {k: [None if v < 0 else float(v) for v in pair] for k, pair in box.qp[i].items()}
    return {"limits": limits, "qp": qp, "coverage": float(row.coverage),
            "density": float(row.density), "mass": float(row.mass)}


def cart_leaves(x: pd.DataFrame, y: np.ndarray, seed: int = 0) -> list[dict]:
    """The leaves of a classification tree (depth ``CART_DEPTH``, leaves of at least
    ``CART_MIN_LEAF`` of the runs, classes weighted equally so a rare outcome can win a leaf)
    where the outcome is the likelier class: limits, coverage, density, mass; densest first."""
    from sklearn.tree import DecisionTreeClassifier

    y = np.asarray(y, dtype=bool)
    tree = DecisionTreeClassifier(max_depth=CART_DEPTH, min_samples_leaf=CART_MIN_LEAF,
                                  class_weight="balanced", random_state=seed)
    tree.fit(x.to_numpy(dtype=float), y)
    t, names = tree.tree_, list(x.columns)
    leaf_of = tree.apply(x.to_numpy(dtype=float))
    out = []

    def walk(node: int, limits: dict) -> None:
        if t.children_left[node] < 0:
            inside = leaf_of == node
            if tree.predict_proba(x.to_numpy(dtype=float)[inside][:1])[0, 1] > 0.5:
                k = int(y[inside].sum())
                out.append({"limits": limits, "coverage": k / int(y.sum()),
                            "density": k / int(inside.sum()), "mass": float(inside.mean())})
            return
        name, cut = names[t.feature[node]], float(t.threshold[node])
        low, high = limits.get(name, [float(x[name].min()), float(x[name].max())])
        walk(t.children_left[node], {**limits, name: [low, min(high, cut)]})
        walk(t.children_right[node], {**limits, name: [max(low, cut), high]})

    walk(0, {})
    return sorted(out, key=lambda leaf: -leaf["density"])


def sampled_parameters(scenario: Scenario) -> list[str]:
    """The parameters each run draws for itself (not fixed, a range of some width)."""
    params = scenario["parameters"]
    return [n for n in NAMES if params[n]["distribution"] != "fixed"
            and params[n]["range"][1] > params[n]["range"][0]]


def check_factors(scenario: Scenario, factors: list[str] | None) -> list[str]:
    """The parameters PRIM looks at: ``factors`` (each one the scenario samples), or all the
    sampled ones. With about a hundred parameters and a few thousand runs, peeling finds limits
    on many parameters that chance alone supports; a short list (e.g. the leaders of a Morris
    screening, ``peninsula sensitivity --method morris``) gives boxes that can be significant."""
    sampled = sampled_parameters(scenario)
    if not factors:
        return sampled
    bad = [f for f in factors if f not in sampled]
    if bad:
        raise ValueError(f"discover --factor: {', '.join(bad)} is not a parameter this scenario "
                         "samples ('peninsula parameters' lists them; a fixed parameter has "
                         "nothing to discover)")
    return list(dict.fromkeys(factors))


def check_discovery(scenario: Scenario, outcome: str, threshold: float | None = None
                    ) -> Outcome:
    """The parsed outcome, after checking that the scenario samples its parameters."""
    if not scenario["scenario"]["sample_parameters"]:
        raise ValueError("discover: the scenario does not sample its parameters "
                         "(scenario.sample_parameters = false): every run has the same draw")
    if not sampled_parameters(scenario):
        raise ValueError("discover: the scenario fixes every parameter: nothing to discover")
    return parse_outcome(outcome, threshold, metric_names(scenario))


def run_discovery(scenario: Scenario, outcome: str, *, threshold: float | None = None,
                  cart: bool = False, executor=None, workers: int = 1,
                  chunk_runs: int = DEFAULT_CHUNK_RUNS, kernel: str = "auto",
                  progress=None, factors: list[str] | None = None
                  ) -> tuple[Discovery, pd.DataFrame, np.ndarray]:
    """Run one ensemble of ``scenario.runs`` runs, then PRIM (and CART) over its runs' sampled
    parameters for the outcome; returns (result, parameters per run, outcome per run)."""
    wanted = check_discovery(scenario, outcome, threshold)
    setup = build_setup(scenario, kernel=kernel)
    result = run_chunks(setup, scenario.runs, chunk_runs=chunk_runs, executor=executor,
                        workers=workers, record_monthly=False, record_events=False,
                        progress=progress)
    names = check_factors(scenario, factors)
    x = pd.DataFrame({n: result.params[:, NAMES.index(n)] for n in names})
    y = outcome_per_run(wanted, result, setup)
    found = prim(x, y)
    if cart:
        found.cart = cart_leaves(x, y, seed=scenario.seed)
    return found, x, y
