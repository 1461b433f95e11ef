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

A box is a finding only if it is both dense and narrow. Each box says so in numbers: its lift
(density / base rate: how many times more frequent the outcome is inside than overall) and, per
limit, the parameter's prior range and the share of that range the limit removes (``describe``).
``box_warnings`` turns them into plain sentences: a lift below ``MIN_LIFT``, or a limit removing
less than ``MIN_SHARE_REMOVED`` of its range, is reported as no finding. Every box of the
trajectory carries the same description, so any of them can be inspected (``inspect_box``), as
EMA's ``PrimBox.inspect`` does.

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
from peninsula.engine.ensemble import run_chunks
from peninsula.engine.execution import Execution
from peninsula.model.setup import build_setup
from peninsula.scenario.errors import first_few
from peninsula.scenario.loader import Scenario
from peninsula.scenario.parameters import NAMES

PEEL_ALPHA = 0.05  # share of the box's runs a peel removes (EMA's default)
PASTE_ALPHA = 0.05  # share a paste adds back (EMA's default)
MASS_MIN = 0.05  # the smallest box, as a share of all runs (EMA's default)
MIN_COVERAGE = 0.5  # the chosen box holds at least this share of the outcomes
SIGNIFICANCE = 0.05  # a limit with a larger quasi-p value is dropped
MIN_LIFT = 2.0  # a box whose density is below twice the base rate is no finding
MIN_SHARE_REMOVED = 0.2  # a limit removing less of its prior range restricts little
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
    """PRIM's result: the base rate, the chosen box, the trade-off trajectory (every box of it
    described as the chosen one is: ``describe``), warnings, CART leaves."""

    base_rate: float
    box: dict  # describe()'s keys, and trajectory_index: the box of the trajectory it came from
    trajectory: list[dict]  # describe()'s keys for every box of the peeling and pasting
    warnings: list[str] = field(default_factory=list)  # box_warnings of the chosen box
    cart: list[dict] | None = None


def prim(x: pd.DataFrame, y: np.ndarray, *, min_coverage: float = MIN_COVERAGE,
         significance: float = SIGNIFICANCE,
         ranges: dict[str, tuple[float, float]] | None = None) -> Discovery:
    """PRIM (EMA Workbench) on the parameters ``x`` (one row per run) and outcomes ``y``
    (bool), the box chosen by ``choose_box``. ``ranges``: each parameter's prior range
    (low, high), against which a limit's share removed is measured (default: the range of its
    values in ``x``). ValueError if no run, or every run, has the outcome."""
    y = np.asarray(y, dtype=bool)
    hits = int(y.sum())
    if hits == 0 or hits == len(y):
        raise ValueError(f"{hits} of {len(y)} runs have the outcome: nothing to tell apart; "
                         "raise --runs or choose another outcome or threshold")
    prior = {n: (float(x[n].min()), float(x[n].max())) for n in x.columns} | dict(ranges or {})
    with warnings.catch_warnings():  # its optional back ends and pandas deprecations
        warnings.simplefilter("ignore")
        return _prim(x, y, hits / len(y), min_coverage, significance, prior)


def _prim(x: pd.DataFrame, y: np.ndarray, base_rate: float, min_coverage: float,
          significance: float, prior: dict[str, tuple[float, float]]) -> Discovery:
    from ema_workbench.analysis import prim as ema_prim

    logging.getLogger("EMA").setLevel(logging.WARNING)
    # EMA's threshold both marks the cases of interest (y >= it) and is the density the final
    # box must reach: any value in (0, 1] marks y = 1, and a tiny one keeps every trajectory
    # (the box is chosen from the trajectory below, not by a density target)
    finder = ema_prim.Prim(x.reset_index(drop=True).astype(float), y, threshold=1e-9,
                           peel_alpha=PEEL_ALPHA, paste_alpha=PASTE_ALPHA, mass_min=MASS_MIN)
    box = finder.find_box()
    trajectory = [ema_box(box, i, base_rate, prior)
                  for i in range(len(box.peeling_trajectory))]
    chosen = choose_box(box, min_coverage, significance, base_rate, prior)
    return Discovery(base_rate, chosen, trajectory, box_warnings(chosen))


def ema_box(box, i: int, base_rate: float, prior: dict[str, tuple[float, float]]) -> dict:
    """Box ``i`` of an EMA PrimBox's trajectory, described (``describe``): its limits are
    those of the parameters it restricts (EMA's quasi-p values list exactly those)."""
    row = box.peeling_trajectory.iloc[i]
    lims = box.box_lims[i]
    limits = {k: [float(lims.at[0, k]), float(lims.at[1, k])] for k in box.qp[i]}
    qp = {k: [None if v < 0 else float(v) for v in pair] for k, pair in box.qp[i].items()}
    return describe(limits, qp, float(row.coverage), float(row.density), float(row.mass),
                    base_rate, prior)


def describe(limits: dict[str, list[float]], qp: dict[str, list[float | None]],
             coverage: float, density: float, mass: float, base_rate: float,
             prior: dict[str, tuple[float, float]]) -> dict:
    """A box with what says whether it is a finding: ``limits`` (parameter -> [low, high]),
    ``qp`` (quasi-p per side, None where the side is not restricted), ``coverage``,
    ``density``, ``mass``, ``lift`` (density / base rate), ``res_dim`` (the number of limits),
    ``prior_ranges`` (each limited parameter's prior [low, high]) and ``share_removed`` (the
    share of that range the limit cuts off: only its restricted sides count, so a side left at
    the sample's extreme value removes nothing)."""
    ranges = {k: [float(prior[k][0]), float(prior[k][1])] for k in limits}
    removed = {}
    for k, (low, high) in limits.items():
        p_low, p_high = ranges[k]
        width = p_high - p_low
        cut = ((max(0.0, low - p_low) if qp[k][0] is not None else 0.0)
               + (max(0.0, p_high - high) if qp[k][1] is not None else 0.0))
        removed[k] = min(1.0, cut / width) if width > 0 else 0.0
    return {"limits": limits, "qp": qp, "coverage": coverage, "density": density,
            "mass": mass, "lift": density / base_rate if base_rate > 0 else float("nan"),
            "res_dim": len(limits), "prior_ranges": ranges, "share_removed": removed}


def box_warnings(box: dict) -> list[str]:
    """Plain sentences on why a box (``describe``'s keys) is no finding: no limit at all, a
    lift below ``MIN_LIFT``, and each limit removing less than ``MIN_SHARE_REMOVED`` of its
    prior range. None for a box that is dense and narrow."""
    lift, out = box["lift"], []
    if not box["limits"]:
        out.append(f"The box has no limit (lift {lift:.2f}, below {MIN_LIFT:g}): the outcome "
                   "happens at about its base rate everywhere among the parameters looked at.")
    elif not lift >= MIN_LIFT:
        out.append(f"The box's lift is {lift:.2f}: the outcome is less than {MIN_LIFT:g} times "
                   f"as frequent inside it ({100 * box['density']:.1f}%) as overall "
                   f"({100 * box['density'] / lift:.1f}%), so the box is not a useful finding.")
    weak = {k: share for k, share in box["share_removed"].items() if share < MIN_SHARE_REMOVED}
    if len(weak) == 1:
        ((k, share),) = weak.items()
        (low, high), (p_low, p_high) = box["limits"][k], box["prior_ranges"][k]
        out.append(f"The limit on {k} ({low:.4g} to {high:.4g}) removes only "
                   f"{100 * share:.0f}% of its prior range ({p_low:.4g} to {p_high:.4g}), "
                   f"less than {100 * MIN_SHARE_REMOVED:.0f}%: it hardly restricts it.")
    elif weak:
        shares = [f"{k} {100 * share:.0f}%" for k, share in weak.items()]
        out.append(f"{len(weak)} of the box's {len(box['limits'])} limits remove less than "
                   f"{100 * MIN_SHARE_REMOVED:.0f}% of their parameters' prior ranges "
                   f"({first_few(shares)}): they hardly restrict them.")
    return out


def inspect_box(trajectory: list[dict], i: int) -> dict:
    """Box ``i`` of a trajectory (``Discovery.trajectory``, or the JSON's ``trajectory``) with
    its statistics and warnings (``index``, ``describe``'s keys, ``warnings``); ValueError
    naming ``--inspect`` and the boxes there are when ``i`` is not one of them."""
    if isinstance(i, bool) or not isinstance(i, int | np.integer) or \
            not 0 <= i < len(trajectory):
        raise ValueError(f"--inspect {i}: no such box; the trajectory's boxes are "
                         f"0..{len(trajectory) - 1}")
    box = trajectory[int(i)]
    return {"index": int(i), **box, "warnings": box_warnings(box)}


def choose_box(box, min_coverage: float, significance: float, base_rate: float,
               prior: dict[str, tuple[float, float]]) -> dict:
    """The densest box of the trajectory with coverage >= ``min_coverage``, less the limits
    whose quasi-p values exceed ``significance`` on every restricted side (dropped one at a
    time, the least significant first: each drop changes the others' values). Described
    (``describe``), with ``trajectory_index``: the box of the trajectory it started from."""
    t = box.peeling_trajectory
    start = i = int(t[t.coverage >= min_coverage].density.astype(float).idxmax())
    while True:
        qp = {k: min([v for v in pair if v >= 0], default=0.0)
              for k, pair in box.qp[i].items()}
        weakest = max(qp, key=qp.get, default=None)
        if weakest is None or qp[weakest] <= significance:
            break
        box.drop_restriction(weakest, i)
        i = len(box.peeling_trajectory) - 1
    return {**ema_box(box, i, base_rate, prior), "trajectory_index": start}


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
                  cart: bool = False, execution: Execution | None = None,
                  factors: list[str] | None = None
                  ) -> tuple[Discovery, pd.DataFrame, np.ndarray]:
    """Run one ensemble of ``scenario.runs`` runs (as ``execution`` says), then PRIM (and CART)
    over its runs' sampled parameters for the outcome; returns (result, parameters per run,
    outcome per run)."""
    wanted = check_discovery(scenario, outcome, threshold)
    execution = execution or Execution()
    setup = build_setup(scenario, kernel=execution.kernel)
    result = run_chunks(setup, scenario.runs, record_monthly=False, record_events=False,
                        **execution.ensemble_keywords())
    names = check_factors(scenario, factors)
    x = pd.DataFrame({n: result.params[:, NAMES.index(n)] for n in names})
    y = outcome_per_run(wanted, result, setup)
    params = scenario["parameters"]
    found = prim(x, y, ranges={n: tuple(params[n]["range"]) for n in names})
    if cart:
        found.cart = cart_leaves(x, y, seed=scenario.seed)
    return found, x, y
