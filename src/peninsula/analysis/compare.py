"""Compare policies on common random numbers: each outcome per policy and, run by run, as the
paired difference against the first policy, with 90% intervals.

Every random draw of a run is addressed by (seed, run id, month, slot) (engine/random.py), so
with the same seed and run count run i of every policy draws the same parameters and the same
noise: the policies differ only in their levers. The difference of two policies is then
estimated from the run-by-run differences (metrics.paired_difference), whose spread is the
policies' effect on each run, not the spread of futures; its interval is far narrower than the
difference of two independent ensembles' means at the same run count.

Per policy, each outcome is the mean over runs with its 90% interval of Monte Carlo error
(Wilson for a probability, normal for a mean) as ``{mean, p05, p95, se, interval_90}``; each
difference is ``{mean, p05, p95, interval_90}``. ``p05``/``p95`` are kept for scripts that read
them, but they are the ends of the interval of the mean, not percentiles of the runs:
``interval_90`` ([low, high]) names them for what they are.

What carries each comparison (the estimators are set out above ``discordant_counts``): beside
its metrics, each policy's entry in ``differences`` holds ``p_better``, the share of parameter
draws under which the policy lowers P(war) at the longest horizon (``evidence_metric``), with
its 90% interval, and ``carried_by``, the parameters whose uncertainty moves that difference
most, with their shares; each null with a ``p_better_note`` / ``carried_by_note`` saying why.
``verdict`` words the result, once for every face (the terminal table, the brief, the
dashboard).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from peninsula.analysis.metrics import (
    PROBABILITIES,
    beta_binomial_posterior,
    draw_counts,
    draw_index,
    mean_interval,
    monte_carlo_interval,
    paired_difference,
    per_run_outcomes,
    registry_columns,
    shared_draws,
    wilson_interval,
)
from peninsula.engine.ensemble import run_chunks
from peninsula.engine.execution import Execution
from peninsula.engine.simulate import parameter_source, runs_per_draw
from peninsula.model.setup import ModelSetup, build_setup
from peninsula.scenario.loader import Scenario
from peninsula.scenario.policies import Policy

PROBABILITY_KEYS = tuple(key for key, _ in PROBABILITIES)


def policy_scenario(scenario: Scenario, policy: Policy) -> Scenario:
    """The scenario with the policy's levers set (problems name the policy and its source)."""
    items = [(f"levers.{name}", value) for name, value in policy.levers.items()]
    return scenario.with_values(items, f"{policy.source}: policy {policy.name}")


def policy_outcomes(scenario: Scenario, policy: Policy, *,
                    execution: Execution | None = None) -> pd.DataFrame:
    """Per-run outcomes (metrics.per_run_outcomes) of the scenario under the policy: runs
    0..runs-1 with the scenario's seed, outcomes only, run as ``execution`` says."""
    execution = execution or Execution()
    setup = build_setup(policy_scenario(scenario, policy), kernel=execution.kernel)
    result = run_chunks(setup, scenario.runs, record_monthly=False, record_events=False,
                        compact=True, **execution.ensemble_keywords())
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
    return {"mean": mean, "p05": lo, "p95": hi, "se": se, "interval_90": [lo, hi]}


def difference(a: np.ndarray, b: np.ndarray, draws: np.ndarray | None = None) -> dict:
    """``{mean, p05, p95, interval_90}`` of the paired run-by-run difference a - b (p05/p95:
    the ends of the 90% interval of the mean difference, as interval_90)."""
    mean, lo, hi = paired_difference(a, b, draws)
    return {"mean": mean, "p05": lo, "p95": hi, "interval_90": [lo, hi]}


# --- what carries a comparison: p_better and carried_by ----------------------------------------
#
# Both read the difference in P(war within the final horizon) draw by draw. Runs share a parameter
# draw in blocks of M (engine/simulate.py) and, on common random numbers, run i of every policy
# has the same parameters and noise, so draw k gives M paired runs of the policy and the
# reference.
#
# p_better: the share of parameter draws under which the policy lowers P(war), i.e. whose TRUE
# per-draw difference delta_k = P(war | draw k, policy) - P(war | draw k, reference) is below 0.
# The raw share of draws with a negative observed difference is useless at M = 10: most draws
# show no war in either arm (a tie, delta_k unseen) and the rest carry binomial noise. The
# estimator reads the discordant pairs: in draw k, b_k runs have war under the reference only
# (the policy averted it) and c_k under the policy only (it caused one); with
# q_b, q_c their per-run chances, delta_k = q_c - q_b = (q_b + q_c) (1 - 2 theta_k) with
# theta_k = q_b / (q_b + q_c), so the policy lowers P(war) under draw k exactly when
# theta_k > 1/2, and given D_k = b_k + c_k discordant pairs, b_k ~ Binomial(D_k, theta_k).
# Model: theta_k ~ Beta(a, b) across draws, a beta-binomial, whose posterior on a (mu, rho) grid
# is metrics.beta_binomial_posterior (flat on mu, flat on log rho); ``share`` is the posterior
# mean of P(theta > 1/2) = 1 - I_{1/2}(a, b) and p05/p95 its 5% and 95% posterior quantiles (the
# estimation uncertainty; deterministic, no resampling). Ties: a draw with no discordant pair
# (D_k = 0) says nothing about the sign of its difference and is left out of the likelihood (its
# count is reported as ``ties``); the assumption that makes the share speak for every draw is
# that the sign balance theta_k is unrelated to how often the policy changes a run's outcome
# (q_b + q_c). Where draws that change many runs lean one way and the near-ties the other, the
# share leans toward the former. As a check of that assumption, ``normal_share`` is the normal
# deconvolution of the per-draw mean differences d_k: delta_k ~ N(mu, tau^2) with mu = mean d_k
# and tau^2 = var(d_k) - mean(s_k^2 / n_k) (s_k^2: the variance of the paired run differences
# within draw k, an unbiased estimate of d_k's noise), share Phi(-mu / tau) (a step at 0 when
# tau^2 <= 0). It assumes a symmetric spread, which a policy whose effect is near zero under
# most draws and large under a few violates: it then understates the share.
# Why the discordant pairs lead: on the baseline (seed 5, 200 draws) with 500 runs per draw,
# where each draw's sign can be read directly, dual-track lowered P(war within 10 yr) in 99% of
# the draws and raised it in none; from 10 runs per draw the discordant-pair share was 0.98-0.99
# and the normal one 0.84-0.93 (the effect is skewed: small under most draws, large under a
# few). max-deterrence: 60% lower, 36% higher at 500 runs per draw; discordant pairs 0.62, normal
# 0.56. On a toy whose true differences are N(-0.02, 0.03^2) (share 0.75), with runs coupled as
# in the engine, the normal deconvolution recovers 0.75 and the discordant pairs lean to 0.85:
# there the positive differences are the small ones, against the assumption above
# (tests/test_compare_evidence.py).
#
# carried_by: which parameters' uncertainty moves the difference. Prior parameters are drawn
# independently (the columns of a posterior table need not be), so the additive part of the
# per-draw difference splits parameter by parameter: with standardised parameters z_j, the slope
# b_j of d_k on z_j alone estimates that parameter's additive effect, and b_j^2 less its
# sampling noise se_j^2 (kept at 0 or above) the variance of the true difference across draws it
# carries alone (a first-order, linear split; for independent inputs the LMG split of a linear
# fit comes to the same). ``share`` is that over tau^2, the variance of the true per-draw
# difference (var(d_k) less the binomial noise, as for ``normal_share``; var(d_k) itself with
# one run per draw, whose noise cannot be told apart; the sum of the named parameters' carried
# variances if larger), so the named shares add up to at most 1 and the rest is carried by other
# parameters, interactions or non-linear effects. A multiple regression on all ~100 parameters
# with a few hundred draws would mostly fit noise; the marginal slopes do not overfit, but the
# largest of ~100 noisy slopes are the ones named, so their shares lean high when the draws are
# few. ``slope_per_sd`` is b_j: the change of the difference per prior standard deviation of the
# parameter. ``r2`` is the in-sample R^2 of an OLS fit of d_k on the named parameters, ``r2_cv``
# the 5-fold cross-validated R^2 of choosing and fitting them (the choice repeated in each fold;
# near or below 0: what the named parameters carry does not hold out of sample), and
# ``r2_ceiling`` = tau^2 / var(d_k), the share of the variance of d_k that is not binomial noise
# (what any fit could reach).

BETTER_METHOD = "beta-binomial on discordant pairs per parameter draw"
CARRIED_METHOD = ("first-order linear shares of the spread of the per-draw difference: squared "
                  "slope on each standardised parameter, noise removed")
CARRIED_TOP = 5
FOLDS = 5


def discordant_counts(policy: np.ndarray, reference: np.ndarray, draws: np.ndarray
                      ) -> tuple[np.ndarray, np.ndarray]:
    """Per draw: (b_k runs where only the reference reached the rung, D_k runs where exactly
    one arm did) from per-run 0/1 hits of two paired arms."""
    p, r = np.asarray(policy, dtype=float), np.asarray(reference, dtype=float)
    _, index = np.unique(np.asarray(draws), return_inverse=True)
    better = np.bincount(index, weights=((r > 0.5) & (p < 0.5)).astype(float))
    changed = np.bincount(index, weights=(np.abs(p - r) > 0.5).astype(float))
    return better, changed


def normal_share(diff: np.ndarray, draws: np.ndarray) -> float:
    """Share of draws with a true mean difference below 0 under delta_k ~ N(mu, tau^2), tau^2
    deconvolved from the per-draw means of paired differences ``diff`` (see above)."""
    from scipy import stats

    x = np.asarray(diff, dtype=float)
    _, index = np.unique(np.asarray(draws), return_inverse=True)
    n_k = np.bincount(index).astype(float)
    d_k = np.bincount(index, weights=x) / n_k
    noise = _noise(x, index, n_k)
    if len(d_k) < 2 or not math.isfinite(noise):
        return math.nan
    mu, tau2 = float(np.mean(d_k)), float(np.var(d_k, ddof=1)) - noise
    if tau2 <= 0.0:
        return 1.0 if mu < 0 else 0.0 if mu > 0 else 0.5
    return float(stats.norm.cdf(-mu / math.sqrt(tau2)))


def p_better(policy: np.ndarray, reference: np.ndarray, draws: np.ndarray) -> dict | None:
    """Share of parameter draws under which the policy lowers the chance of the 0/1 outcome
    against the paired reference runs, ``{share, p05, p95, method, draws, ties,
    normal_share}`` (estimator above); None with fewer than two draws showing a discordant
    pair."""
    from scipy import special

    b_k, d_k = discordant_counts(policy, reference, draws)
    seen = d_k > 0
    if seen.sum() < 2:
        return None
    mu, rho, w = beta_binomial_posterior(b_k[seen], d_k[seen])
    s = (1.0 - rho) / rho
    share = 1.0 - special.betainc(mu * s, (1.0 - mu) * s, 0.5)
    order = np.argsort(share)
    mass = np.cumsum(w[order])
    lo, hi = (float(share[order][min(len(order) - 1, int(np.searchsorted(mass, q)))])
              for q in (0.05, 0.95))
    diff = np.asarray(policy, dtype=float) - np.asarray(reference, dtype=float)
    return {"share": float(np.dot(w, share)), "p05": lo, "p95": hi, "method": BETTER_METHOD,
            "draws": int(len(d_k)), "ties": int((~seen).sum()),
            "normal_share": normal_share(diff, draws)}


def _ols_r2(x: np.ndarray, y: np.ndarray) -> float:
    """In-sample R^2 of an OLS fit (with intercept) of y on the columns of x."""
    a = np.column_stack([np.ones(len(x)), x])
    resid = y - a @ np.linalg.lstsq(a, y, rcond=None)[0]
    total = float(np.sum((y - y.mean()) ** 2))
    return 1.0 - float(np.sum(resid ** 2)) / total if total > 0 else math.nan


def _marginal(z: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per column of standardised z: (slope of y on it alone, variance carried = slope^2 less
    its squared standard error, at least 0)."""
    k = len(y)
    yc = y - y.mean()
    slope = z.T @ yc / (k - 1)
    resid = np.sum(yc ** 2) - (k - 1) * slope ** 2
    se2 = np.maximum(resid, 0.0) / (k - 2) / (k - 1)
    return slope, np.maximum(slope ** 2 - se2, 0.0)


def carried_by(diff: np.ndarray, draws: np.ndarray, parameters: pd.DataFrame,
               top: int = CARRIED_TOP) -> tuple[dict | None, str | None]:
    """The parameters whose uncertainty moves the per-draw mean of the paired run differences
    ``diff`` most (estimator above): ``({parameters: [{parameter, share, slope_per_sd}], r2,
    r2_cv, r2_ceiling, method, draws}, None)``, or ``(None, why not)``. ``parameters``: one
    row per run, a column per parameter."""
    x = np.asarray(diff, dtype=float)
    _, first, index = np.unique(np.asarray(draws), return_index=True, return_inverse=True)
    n_k = np.bincount(index).astype(float)
    y = np.bincount(index, weights=x) / n_k
    values = parameters.to_numpy(dtype=float)[first]
    sd = values.std(axis=0, ddof=1) if len(y) > 1 else np.zeros(values.shape[1])
    varied = sd > 1e-12 * np.maximum(1.0, np.abs(values).max(axis=0))
    k = len(y)
    if not varied.any():
        return None, "no parameter varies across the draws (point values)"
    if k < 3 * FOLDS:
        return None, f"{k} parameter draws: too few to tell what moves the difference"
    if float(np.var(y)) == 0.0:
        return None, "the difference is the same under every draw: nothing moves it"
    names = [c for c, v in zip(parameters.columns, varied, strict=True) if v]
    z = (values[:, varied] - values[:, varied].mean(axis=0)) / sd[varied]
    slope, carried = _marginal(z, y)
    noise = _noise(x, index, n_k)
    var_y = float(np.var(y, ddof=1))
    tau2 = var_y - noise
    if math.isfinite(tau2) and tau2 <= 0.0:
        return None, ("the difference does not vary across the parameter draws beyond the "
                      "simulation's noise: no parameter carries it")
    if float(carried.sum()) <= 0.0:
        return None, ("no parameter's slope stands out of the noise: the difference is not "
                      "detectably carried by any one parameter")
    best = np.argsort(-carried, kind="stable")[:top]
    best = best[carried[best] > 0]
    total = max(float(carried[best].sum()), tau2 if math.isfinite(tau2) else var_y)
    folds = np.arange(k) % FOLDS
    pred_ss, total_ss = 0.0, 0.0
    for f in range(FOLDS):
        train, test = folds != f, folds == f
        pick = np.argsort(-_marginal(z[train], y[train])[1], kind="stable")[:top]
        a = np.column_stack([np.ones(int(train.sum())), z[train][:, pick]])
        coef = np.linalg.lstsq(a, y[train], rcond=None)[0]
        fit = np.column_stack([np.ones(int(test.sum())), z[test][:, pick]]) @ coef
        pred_ss += float(np.sum((y[test] - fit) ** 2))
        total_ss += float(np.sum((y[test] - y[train].mean()) ** 2))
    return {"parameters": [{"parameter": names[j], "share": float(carried[j] / total),
                            "slope_per_sd": float(slope[j])} for j in best],
            "r2": _ols_r2(z[:, best], y),
            "r2_cv": 1.0 - pred_ss / total_ss if total_ss > 0 else math.nan,
            "r2_ceiling": tau2 / var_y if math.isfinite(tau2) else math.nan,
            "method": CARRIED_METHOD, "draws": k}, None


def _noise(x: np.ndarray, index: np.ndarray, n_k: np.ndarray) -> float:
    """Mean binomial noise variance of the per-draw means (s_k^2 / n_k) over the draws of two
    runs or more (a last, partial block may hold one); NaN if none has two."""
    many = n_k >= 2
    if not many.any():
        return math.nan
    d_k = np.bincount(index, weights=x) / n_k
    ss = np.bincount(index, weights=x * x) - n_k * d_k ** 2
    return float(np.mean(ss[many] / (n_k[many] - 1) / n_k[many]))


def _pc(x: float) -> str:
    return f"{100 * x:.0f}%"


def _range(lo: float, hi: float) -> str:
    return f"[{100 * lo:.0f}-{100 * hi:.0f}%]"


def interval_verdict(d: dict) -> str:
    """A paired difference ``{mean, p05, p95}`` in a word: higher or lower when its 90%
    interval leaves out zero."""
    if d["p05"] > 0:
        return "higher"
    if d["p95"] < 0:
        return "lower"
    return "no difference detectable at this run count"


def carried_words(carried: dict | None, top: int = 3) -> str:
    """'X 41%, Y 22%': the parameters that carry a difference, with their shares."""
    if not carried:
        return ""
    return ", ".join(f"{c['parameter']} {_pc(c['share'])}" for c in carried["parameters"][:top])


def verdict(d: dict, better: dict | None = None, carried: dict | None = None) -> str:
    """A comparison's verdict worded by its evidence, the one sentence every face prints.

    ``d`` is the paired difference ``{mean, p05, p95}``, ``better`` its ``p_better`` and
    ``carried`` its ``carried_by`` (``better`` None: the interval alone speaks). Lower (higher)
    in at least 90% of the parameter draws: 'lower in 97% [94-99%] of the parameter draws the
    evidence allows'; between: 'lower only under some assumed effects (lower in 64% [..] of the
    parameter draws; carried by X 41%, Y 22%)', or, when the named parameters do not predict
    the difference out of sample (``r2_cv`` at or below 0), '...; no parameter carries it
    detectably out of sample (largest: X 12%, Y 6%))'."""
    if better is None:
        return interval_verdict(d)
    s, lo, hi = better["share"], better["p05"], better["p95"]
    if s >= 0.9:
        return (f"lower in {_pc(s)} {_range(lo, hi)} of the parameter draws the evidence "
                "allows")
    if s <= 0.1:
        return (f"higher in {_pc(1 - s)} {_range(1 - hi, 1 - lo)} of the parameter draws "
                "the evidence allows")
    word = "lower" if s >= 0.5 else "higher"
    share, lo_, hi_ = (s, lo, hi) if s >= 0.5 else (1 - s, 1 - hi, 1 - lo)
    why = carried_words(carried)
    if why:
        r2_cv = carried.get("r2_cv") if carried else None
        held = r2_cv is None or (isinstance(r2_cv, float | int) and r2_cv > 0)
        why = (f"; carried by {why}" if held else
               f"; no parameter carries it detectably out of sample (largest: {why})")
    return (f"{word} only under some assumed effects ({word} in {_pc(share)} {_range(lo_, hi_)}"
            f" of the parameter draws{why})")


def policy_verdict(diffs: dict, metric: str) -> str:
    """``verdict`` of one policy's entry in ``differences`` for the evidence metric
    (``evidence_metric``), saying why p_better, or carried_by where the verdict would name it,
    is missing; by the interval alone when the entry has no evidence keys."""
    if "p_better" not in diffs:
        return interval_verdict(diffs[metric])
    better, carried = diffs["p_better"], diffs.get("carried_by")
    text = verdict(diffs[metric], better, carried)
    if better is None:
        note = diffs.get("p_better_note")
    else:
        note = diffs.get("carried_by_note") if carried is None and \
            0.1 < better["share"] < 0.9 else None
    return f"{text} ({note})" if note else text


def evidence_metric(columns: dict[str, str]) -> str | None:
    """The metric p_better and carried_by read: P(war) at the longest horizon of ``columns``."""
    wars = [(int(m[len("p_war_"):-1]), m) for m in columns if m.startswith("p_war_")]
    return max(wars)[1] if wars else None


def run_parameters(setup: ModelSetup, run_ids: np.ndarray) -> pd.DataFrame:
    """Each run's parameter values (a column per parameter), drawn exactly as the engine draws
    them from the seed and run id, so compact runs, which keep no parameters, still have
    them."""
    from peninsula.engine.random import RunStreams
    from peninsula.engine.simulate import sample_parameters
    from peninsula.scenario.parameters import NAMES

    ids = np.asarray(run_ids, dtype=np.int64)
    values = sample_parameters(setup, RunStreams(setup.seed, ids))
    return pd.DataFrame(values, columns=list(NAMES))


def comparison_evidence(policy: np.ndarray, reference: np.ndarray, run_ids: np.ndarray,
                        setup: ModelSetup | None, parameters: pd.DataFrame | None) -> dict:
    """``{p_better, p_better_note, carried_by, carried_by_note}`` of one policy's paired 0/1
    outcome against the reference's (notes: why a value is null, else None)."""
    out: dict = {"p_better": None, "p_better_note": None, "carried_by": None,
                 "carried_by_note": None}
    source = "prior" if setup is None else parameter_source(setup)
    m = 1 if setup is None else runs_per_draw(setup)
    draws = draw_index(run_ids, setup)
    if source == "point":
        why = "parameters fixed at point values: no spread across parameter draws to read"
        out["p_better_note"] = out["carried_by_note"] = why
        return out
    if m < 2:
        out["p_better_note"] = ("one run per parameter draw: the spread of the difference "
                                "across draws cannot be told from noise (set "
                                "metrics.runs_per_parameter_draw to 2 or more)")
    else:
        out["p_better"] = p_better(policy, reference, draws)
        if out["p_better"] is None:
            out["p_better_note"] = ("fewer than two parameter draws show a run whose outcome "
                                    "the policy changes")
    if parameters is None:
        out["carried_by_note"] = "the runs' parameter values are not available"
    else:
        diff = np.asarray(policy, dtype=float) - np.asarray(reference, dtype=float)
        out["carried_by"], out["carried_by_note"] = carried_by(diff, draws, parameters)
    return out


def compare_outcomes(frames: dict[str, pd.DataFrame], columns: dict[str, str],
                     setup: ModelSetup | None = None,
                     parameters: pd.DataFrame | None = None) -> dict:
    """Per policy and paired against the first: ``{"policies": name -> metric -> estimate,
    "differences": name -> metric -> {mean, p05, p95}}`` from each policy's per-run outcomes
    (same runs in the same order); ``columns`` maps each metric to its per-run column;
    ``setup`` says whether runs share parameter draws (their intervals then clustered).

    Each policy's entry in ``differences`` also holds ``p_better``, ``carried_by`` and their
    notes (``comparison_evidence``) for P(war) at the longest horizon (``evidence_metric``);
    ``parameters``: the runs' parameter values, a row per run (``run_parameters``)."""
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
    metric = evidence_metric(columns)
    if metric is not None:
        col = columns[metric]
        for name in names[1:]:
            differences[name].update(comparison_evidence(
                frames[name][col].to_numpy(dtype=float), first[col].to_numpy(dtype=float),
                first["run"].to_numpy(), setup, parameters))
    return {"policies": policies, "differences": differences,
            **({"evidence_metric": metric} if metric is not None else {})}


def compare(scenario: Scenario, policies: list[Policy], *,
            execution: Execution | None = None) -> dict:
    """Run every policy on the scenario's runs and seed (common random numbers), as
    ``execution`` says, and compare them against the first: the JSON of ``peninsula
    compare``."""
    if len(policies) < 2:
        raise ValueError("--policy: give at least two policies (the first is the reference)")
    names = [p.name for p in policies]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise ValueError(f"--policy: {', '.join(twice)} given twice")
    for policy in policies:  # every policy's levers checked before any work
        policy_scenario(scenario, policy)
    frames = {p.name: policy_outcomes(scenario, p, execution=execution) for p in policies}
    years = scenario.horizon_months // 12
    horizons = [h for h in scenario["metrics"]["horizons_years"] if h <= years]
    final = max(horizons, default=years)
    columns = registry_columns(horizons, final)
    setup = build_setup(policy_scenario(scenario, policies[0]))
    runs = frames[policies[0].name]["run"].to_numpy()
    return {"scenario": scenario.name, "runs": scenario.runs, "seed": scenario.seed,
            "horizon_months": scenario.horizon_months, "final_horizon_years": final,
            "reference": policies[0].name, "common_random_numbers": True,
            "outcomes": list(columns),
            "levers": {p.name: dict(p.levers) for p in policies},
            "descriptions": {p.name: p.description for p in policies},
            **compare_outcomes(frames, columns, setup, run_parameters(setup, runs))}


__all__ = ["carried_by", "comparison_evidence", "compare", "compare_outcomes", "difference",
           "estimate", "evidence_metric", "interval_verdict", "p_better", "policy_outcomes",
           "policy_scenario", "policy_verdict", "run_parameters", "verdict"]
