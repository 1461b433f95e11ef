"""Outcome metrics of an ensemble, by horizon, with honest uncertainty.

Probabilities (armed clash or worse, i.e. an incident or worse; sustained hostilities or worse;
war or worse; nuclear use) are the share of runs that reached the rung by the horizon. Each
carries two 90% intervals that answer different questions:

- ``intervals_90``, how sure the simulation is: the Monte Carlo interval of the ensemble's
  probability (the average over the parameter draws), a Wilson score interval. Runs that share a
  parameter draw are correlated, so the interval uses the effective number of runs
  n_eff = n / deff, with the design effect deff = Var_clustered(p_hat) / (p_hat (1 - p_hat) / n)
  (at least 1; Kish 1965; the Wilson interval with n_eff: Korn & Graubard 1998) and
  Var_clustered(p_hat) = K / (K - 1) * sum_k (y_k - p_hat n_k)^2 / n^2 over the K draws. With one
  run per draw (M = 1) this is the plain Wilson interval of k hits in n runs. It shrinks as runs
  are added.
- ``parameter_intervals_90``, how sure the evidence lets us be: the 5th-95th percentile of the
  probability P(outcome | parameters) across the parameter draws (the priors of the parameter
  table, or a posterior table), with the binomial noise of each draw removed. Runs share a draw
  in blocks of M consecutive run ids (``[metrics] runs_per_parameter_draw``, default 10;
  engine/simulate.py); draw k has y_k hits in n_k runs. Model: the beta-binomial (Skellam 1948;
  Griffiths 1973), p_k ~ Beta(a, b) and y_k | p_k ~ Binomial(n_k, p_k), with the mean
  mu = a / (a + b) and the intra-draw correlation rho = 1 / (a + b + 1) (rho -> 0: no spread).
  Its likelihood is evaluated on a grid of (mu, rho), priors flat on mu and on log rho
  (1e-4..0.99), and the interval is the 5% and 95% quantiles of p for a new draw: Beta(a, b)
  averaged over that posterior. With many draws this is the maximum-likelihood Beta's
  quantiles; with few draws showing a hit the fit alone would claim a spread it cannot see
  (at the maximum rho often sits at 0, a point), and the average keeps what the draws leave
  open. When no run of any draw reached the rung, the interval is [0, u]: u is the one-sided
  95% upper confidence bound on the 95th percentile q of P(outcome | parameters), the q at which
  prod_k (1 - 0.05 (1 - (1 - q)^n_k)) = 0.05 (one draw in twenty has a probability of at least
  q and then shows a hit with a chance of at least 1 - (1 - q)^n_k); every run reaching it gives
  [1 - u, 1]. The method-of-moments check of the spread: Var_between = var(y_k / M)
  - mean(p_k (1 - p_k)) / (M - 1), p_k = y_k / M (``between_draw_variance``). This interval does
  not shrink as runs are added; its ends settle, and are themselves estimates: on the baseline
  the upper end for P(war within 10 years) ranged over 14-22% across seeds with 200 draws
  (2,000 runs) and over 16-20% with 1,000 draws (10,000 runs). Null with one run per draw (the
  spread cannot then be told from noise in yes/no outcomes), with a single draw and with point
  parameters. ``parameter_source`` says which parameters were drawn:
  'prior' (the parameter table's ranges), 'posterior' (a posterior table's rows for its columns,
  the priors or points for the rest) or 'point'; ``runs_per_parameter_draw`` and
  ``parameter_draws`` (K) say how.

Other metrics are given as the mean and the 5th-95th percentile across runs (the spread of
futures, parameter uncertainty included); their standard error ``se`` is that of the mean over
the parameter draws (the block means' spread / sqrt(K), or sd / sqrt(n) with one run per draw).

Korean Stability Index (0-100, higher is more stable), per run at horizon h:

    KSI = 100 * (1 - sum_k w_k * c_k / sum_k w_k)
    c = [clash reached, war reached, nuclear use reached, min(1, launches/yr / L_ref), alignment,
         polarisation, 1 - denuclearisation progress, min(1, GDP loss % / G_ref)]

with the weights w and references L_ref, G_ref from the scenario's [metrics] table. The default
weights (scenario.schema.DEFAULT_WEIGHTS, judgement) give bloc polarisation, sqrt(alignment x
cohesion), a weight of 0: the index scores what the allies' cohesion leads to, never the
cohesion itself, so that cohesion is not a cost by definition.

The summary is read either from every run's outcomes at once (``summarize``) or, for a run
that keeps nothing but its summary, from statistics folded chunk by chunk (``summarize_runs``:
hit counts per rung and per draw; each metric's pairwise sum, 5% tails and sums per draw,
analysis/streaming.py); the two give the same numbers, bit for bit.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from peninsula.analysis.streaming import BlockSums, PairwiseSum, Tails, block_counts
from peninsula.engine.ensemble import OUTCOME_DTYPE, fold_chunks
from peninsula.engine.simulate import parameter_source, runs_per_draw
from peninsula.io.results import FIRST_KEYS, NEVER

Z90 = 1.6448536269514722


def mean_interval(values: np.ndarray, draws: np.ndarray | None = None
                  ) -> tuple[float, float, float, float]:
    """(mean, low, high, standard error) of per-run values: the 90% normal interval
    mean +- Z90 * se (empty, the mean's own, and a NaN error with a single run).

    se = sd / sqrt(n) for independent runs; ``draws`` (each run's parameter draw) makes it the
    clustered error of runs that share draws (``clustered_se``), which the plain one
    understates."""
    x = np.asarray(values, dtype=float)
    mean = float(x.mean())
    if len(x) < 2:
        return mean, mean, mean, math.nan
    if draws is not None and 2 <= len(np.unique(draws)) < len(x):
        se = float(clustered_se(x[None, :], draws)[0])
    else:
        se = float(x.std(ddof=1)) / math.sqrt(len(x))
    return mean, mean - Z90 * se, mean + Z90 * se, se


def paired_difference(a: np.ndarray, b: np.ndarray, draws: np.ndarray | None = None
                      ) -> tuple[float, float, float]:
    """Mean of the run-by-run differences a - b and its 90% normal interval, for runs paired
    by common random numbers (mean_interval of the differences; ``draws``: each run's
    parameter draw, for runs that share draws)."""
    return mean_interval(np.asarray(a, dtype=float) - np.asarray(b, dtype=float), draws)[:3]


def wilson_interval(k: int, n: int, z: float = Z90) -> tuple[float, float]:
    """Wilson score interval for a binomial proportion k/n."""
    if n == 0:
        return (math.nan, math.nan)
    return wilson_from_share(k / n, n, z)


def wilson_from_share(p: float, n: float, z: float = Z90) -> tuple[float, float]:
    """Wilson score interval of a share ``p`` observed in ``n`` (possibly effective, not whole)
    trials."""
    if n <= 0:
        return (math.nan, math.nan)
    denom = 1.0 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return (max(0.0, centre - half), min(1.0, centre + half))


# --- the two intervals of a probability (module docstring) --------------------------------------

# the two intervals of a probability in words, as every face of the results labels them
SIMULATION_WORDS = "how sure the simulation is"
EVIDENCE_WORDS = "how sure the evidence lets us be"
PARAMETER_SOURCES = {"prior": "the parameter table's prior ranges",
                     "posterior": "the posterior table's draws",
                     "point": "fixed point values"}


def evidence_note(summary: dict) -> str:
    """What the evidence interval of a summary rests on, or why it is absent, in words."""
    source = summary.get("parameter_source", "prior")
    if source == "point":
        return ("parameters fixed at point values: the spread across what the evidence allows "
                "is not assessed")
    m = summary.get("runs_per_parameter_draw", 1)
    if m < 2:
        return ("one run per parameter draw: the spread across parameters cannot be told from "
                "the simulation's noise (set metrics.runs_per_parameter_draw to 2 or more)")
    draws = summary.get("parameter_draws", 0)
    if draws < 2:
        return "a single parameter draw: the spread across parameters needs more runs"
    return (f"across {draws:,} parameter draws from {PARAMETER_SOURCES[source]}, {m} runs "
            "each")


PARAMETER_QUANTILES = (0.05, 0.95)
BOUND_CONFIDENCE = 0.95  # of the upper bound given when no draw shows a hit


def draw_counts(hits: np.ndarray, draws: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per parameter draw: (hits y_k, runs n_k), from per-run 0/1 hits and draw indices."""
    _, index = np.unique(np.asarray(draws), return_inverse=True)
    n_k = np.bincount(index).astype(float)
    y_k = np.bincount(index, weights=np.asarray(hits, dtype=float))
    return y_k, n_k


def design_effect(y_k: np.ndarray, n_k: np.ndarray) -> float:
    """Var of the pooled share over draws (ratio estimator) / its binomial variance, >= 1."""
    n, k = float(n_k.sum()), len(n_k)
    p = float(y_k.sum()) / n
    if k < 2 or p <= 0.0 or p >= 1.0 or n == k:  # n == k: one run per draw, no clustering
        return 1.0
    var = k / (k - 1) * float(np.sum((y_k - p * n_k) ** 2)) / n ** 2
    return max(1.0, var / (p * (1.0 - p) / n))


def monte_carlo_interval(y_k: np.ndarray, n_k: np.ndarray, z: float = Z90
                         ) -> tuple[float, float]:
    """How sure the simulation is: Wilson interval of the pooled share with n / deff runs."""
    n = float(n_k.sum())
    return wilson_from_share(float(y_k.sum()) / n, n / design_effect(y_k, n_k), z)


def between_draw_variance(y_k: np.ndarray, m: int) -> float:
    """Method-of-moments variance of P(outcome | parameters) across draws of ``m`` runs each:
    var(y_k / m) - mean(p_k (1 - p_k)) / (m - 1), p_k = y_k / m (may come out below 0)."""
    if m < 2 or len(y_k) < 2:
        return math.nan
    p = np.asarray(y_k, dtype=float) / m
    return float(p.var(ddof=1) - np.mean(p * (1.0 - p)) / (m - 1))


def beta_binomial_posterior(y_k: np.ndarray, n_k: np.ndarray
                            ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Posterior of a beta-binomial's mean mu and intra-draw correlation rho = 1 / (a + b + 1)
    given hits y_k of n_k runs per draw, on a grid: (mu, rho, weights) of the cells holding all
    but 1e-5 of the mass. Priors: flat on mu; flat on log rho from 1e-4 to 0.99 (scale-free:
    no spread and a wide spread are alike a priori). A first grid spans mu over a wide Wilson
    interval (z = 6, one observation per draw) on the logit scale and all of rho on the log
    scale; a second, of the same size, spans the cells of the first that carry weight."""
    from scipy import special

    pairs, count = np.unique(np.column_stack([y_k, n_k]), axis=0, return_counts=True)
    y, n, w = pairs[:, 0], pairs[:, 1], count.astype(float)

    def cells(z_lo: float, z_hi: float, r_lo: float, r_hi: float):
        z, r = np.meshgrid(np.linspace(z_lo, z_hi, GRID[0]), np.linspace(r_lo, r_hi, GRID[1]),
                           indexing="ij")
        mu, rho = special.expit(z), np.exp(r)
        s = (1.0 - rho) / rho
        a, b = (mu * s)[..., None], ((1.0 - mu) * s)[..., None]
        loglik = np.sum(w * (special.betaln(y + a, n - y + b) - special.betaln(a, b)), axis=-1)
        # flat on mu: a cell's width d(mu) = mu (1 - mu) d(logit mu); flat on log rho
        logpost = loglik + np.log(mu * (1.0 - mu))
        return z, r, np.exp(logpost - logpost.max())

    lo, hi = wilson_from_share(float(y_k.sum() / n_k.sum()), len(y_k), 6.0)
    box = (special.logit(max(lo, 1e-9)), special.logit(min(hi, 1.0 - 1e-9)),
           math.log(RHO_RANGE[0]), math.log(RHO_RANGE[1]))
    z, r, post = cells(*box)
    held = post > 1e-6
    dz, dr = (box[1] - box[0]) / (GRID[0] - 1), (box[3] - box[2]) / (GRID[1] - 1)
    z, r, post = cells(max(box[0], z[held].min() - dz), min(box[1], z[held].max() + dz),
                       max(box[2], r[held].min() - dr), min(box[3], r[held].max() + dr))
    order = np.argsort(post, axis=None)[::-1]
    mass = np.cumsum(post.ravel()[order])
    keep = order[: int(np.searchsorted(mass, (1.0 - 1e-3) * mass[-1])) + 1]
    weight = post.ravel()[keep]
    return special.expit(z.ravel()[keep]), np.exp(r.ravel()[keep]), weight / weight.sum()


GRID = (41, 41)  # points of the mu and rho grids of beta_binomial_posterior (each pass)
RHO_RANGE = (1e-4, 0.99)


def zero_hits_bound(n_k: np.ndarray, confidence: float = BOUND_CONFIDENCE,
                    share: float = 1.0 - PARAMETER_QUANTILES[1]) -> float:
    """Upper confidence bound u on the (1 - share) quantile q of P(outcome | parameters) when
    no draw showed a hit: a ``share`` of the draws has a probability of at least q, so draw k
    shows a hit with a chance of at least share (1 - (1 - q)^n_k), and u is the q at which
    none showing one has probability 1 - confidence: prod_k (1 - share (1 - (1 - q)^n_k)) =
    1 - confidence (1 when even q = 1 is consistent with no hit)."""
    from scipy import optimize

    n_k = np.asarray(n_k, dtype=float)

    def excess(q: float) -> float:
        return float(np.sum(np.log1p(-share * (1.0 - (1.0 - q) ** n_k)))) \
            - math.log(1.0 - confidence)

    if excess(1.0) > 0.0:
        return 1.0
    return float(optimize.brentq(excess, 0.0, 1.0, xtol=1e-12))


def parameter_interval(y_k: np.ndarray, n_k: np.ndarray,
                       quantiles: tuple[float, float] = PARAMETER_QUANTILES
                       ) -> tuple[float, float]:
    """How sure the evidence lets us be: the ``quantiles`` of P(outcome | parameters) across
    draws, each draw's binomial noise removed. The distribution of p for a new draw is the
    beta-binomial's, Beta(mu s, (1 - mu) s) with s = (1 - rho) / rho, averaged over the
    posterior of (mu, rho) (``beta_binomial_posterior``); [0, u] (``zero_hits_bound``) when no
    draw had a hit, and [1 - u, 1] when no draw had a miss."""
    from scipy import optimize, special

    y_k, n_k = np.asarray(y_k, dtype=float), np.asarray(n_k, dtype=float)
    if not np.any(y_k > 0):
        return (0.0, zero_hits_bound(n_k))
    if not np.any(y_k < n_k):
        return (1.0 - zero_hits_bound(n_k), 1.0)
    mu, rho, w = beta_binomial_posterior(y_k, n_k)
    s = (1.0 - rho) / rho
    a, b = mu * s, (1.0 - mu) * s

    def quantile(level: float) -> float:
        def excess(z: float) -> float:  # the mixture's CDF at logit z, minus the level
            return float(np.dot(w, special.betainc(a, b, special.expit(z)))) - level

        if excess(-40.0) >= 0.0:  # the level lies in a mass at 0 (or at 1)
            return 0.0
        if excess(40.0) <= 0.0:
            return 1.0
        return float(special.expit(optimize.brentq(excess, -40.0, 40.0, xtol=1e-4)))

    return (quantile(quantiles[0]), quantile(quantiles[1]))


def spread(x: np.ndarray) -> dict:
    """Mean, 5th and 95th percentiles and standard error of the mean (se) of one array."""
    return spreads({"x": x})["x"]


def spreads(named: dict[str, np.ndarray], draws: np.ndarray | None = None) -> dict[str, dict]:
    """``spread`` of several same-length arrays at once (one NumPy call per statistic).

    Row by row the same reductions as on each array alone, so the values are identical; a
    sweep summarises thousands of points, and one call per metric and statistic dominated that.
    ``draws`` (each run's parameter draw) makes ``se`` that of the mean over correlated blocks
    of runs (``clustered_se``); None, one run per draw or a single draw: sd / sqrt(n).
    """
    x = np.array([np.asarray(v, dtype=float) for v in named.values()])
    n = x.shape[1]
    mean = x.mean(axis=1)
    if draws is not None and 2 <= len(np.unique(draws)) < n:
        se = clustered_se(x, draws)
    else:
        se = x.std(axis=1, ddof=1) / math.sqrt(n) if n > 1 else np.full(len(x), np.nan)
    q = np.quantile(x, [0.05, 0.95], axis=1)
    return {name: {"mean": float(mean[i]), "p05": float(q[0, i]), "p95": float(q[1, i]),
                   "se": float(se[i])} for i, name in enumerate(named)}


def clustered_se(x: np.ndarray, draws: np.ndarray) -> np.ndarray:
    """Standard error of each row's mean when runs share parameter draws: the ratio estimator
    sqrt(K / (K - 1) * sum_k (S_k - mean n_k)^2) / n over the K draws (block sums S_k)."""
    _, index = np.unique(np.asarray(draws), return_inverse=True)
    k, n = int(index.max()) + 1, x.shape[1]
    if k < 2:
        return np.full(len(x), np.nan)
    n_k = np.bincount(index, minlength=k).astype(float)
    sums = np.array([np.bincount(index, weights=row, minlength=k) for row in x])
    return clustered_se_of_sums(sums, n_k, x.mean(axis=1), n)


def clustered_se_of_sums(sums: np.ndarray, n_k: np.ndarray, mean: np.ndarray, n: int
                         ) -> np.ndarray:
    """``clustered_se`` from its sufficient statistics: each row's block sums S_k (rows, K),
    the runs per block n_k, each row's mean and the number of runs n."""
    k = sums.shape[1]
    dev = sums - mean[:, None] * n_k[None, :]
    return np.sqrt(k / (k - 1) * np.sum(dev ** 2, axis=1)) / n


def draw_index(run_ids: np.ndarray, setup) -> np.ndarray:
    """Each run's parameter draw: run id // M, its block of M runs (engine/simulate.py; M = 1
    without a setup)."""
    m = 1 if setup is None else runs_per_draw(setup)
    return np.asarray(run_ids, dtype=np.int64) // m


def shared_draws(run_ids: np.ndarray, setup) -> np.ndarray | None:
    """Each run's parameter draw when runs share draws that vary (blocks of M > 1 with
    sampled parameters), else None: the runs are then independent for every interval."""
    if runs_per_draw(setup) < 2 or parameter_source(setup) == "point":
        return None
    return draw_index(run_ids, setup)


def reached(result, key: str, years: int) -> np.ndarray:
    """Per run: did the run reach the rung within ``years`` years?"""
    return result.first_month[key] < 12 * years


def outcome(a: np.ndarray) -> np.ndarray:
    """Per-run outcome values as a summary reads them: rounded to OUTCOME_DTYPE (the precision
    compact results keep) and widened to float64. Every path to the same runs (in memory,
    compact, from a folder's Parquet parts) then gives the same summary, digit for digit."""
    return np.asarray(a).astype(OUTCOME_DTYPE).astype(np.float64)


YEARLY_AT = ("alignment", "polarization", "denuclearization", "gdp_loss_pct", "credibility",
             "gdp_loss_pct_ROK", "cohesion", "arms_race_pct", "dprk_capability", "power_balance")


def per_run_at(result, years: int) -> dict:
    """Per-run outcome values at horizon ``years`` (arrays of length runs)."""
    y = years - 1
    return {
        **{key: reached(result, key, years) for key in FIRST_KEYS},
        "launches_per_year": outcome(result.launches_by_year[:, :years]).mean(axis=1),
        **{name: outcome(result.yearly[name][:, y]) for name in YEARLY_AT},
    }


def stability_index(values: dict, metrics: dict) -> np.ndarray:
    """Korean Stability Index per run (0-100) from ``per_run_at`` values."""
    w = metrics["stability_weights"]
    comps = {
        "clash": values["clash"].astype(float),
        "war": values["war"].astype(float),
        "nuclear_use": values["nuclear_use"].astype(float),
        "launches": np.minimum(1.0, values["launches_per_year"]
                               / metrics["launch_reference_per_year"]),
        "alignment": values["alignment"],
        "polarization": values["polarization"],
        "denuclearization": 1.0 - values["denuclearization"],
        "gdp_loss": np.clip(values["gdp_loss_pct"] / metrics["gdp_loss_reference_pct"], 0, 1),
    }
    total = sum(w.values())
    return 100.0 * (1.0 - sum(w[k] * comps[k] for k in comps) / total)


# headline metrics summarised by horizon: (summary key, per_run_at key; None: the stability index)
HORIZON_METRICS = (("dprk_launches_per_year", "launches_per_year"),
                   ("alignment_china_russia", "alignment"),
                   ("denuclearization_progress", "denuclearization"),
                   ("gdp_loss_pct", "gdp_loss_pct"), ("stability_index", None),
                   ("polarization", "polarization"), ("arms_race_intensity_pct", "arms_race_pct"),
                   ("alliance_credibility", "credibility"),
                   ("cohesion", "cohesion"))
FINAL_METRICS = (("dprk_capability", "dprk_capability"), ("power_balance", "power_balance"))
# probabilities of reaching a rung by each horizon: (summary key, per_run_at key)
PROBABILITIES = tuple((f"p_{key}", key) for key in FIRST_KEYS)
MEAN_METRICS = tuple(name for name, _ in HORIZON_METRICS + FINAL_METRICS)  # means at the end


def metric_names(horizons_years) -> list[str]:
    """The registry of metric names a study can ask for: each probability at each horizon
    (``p_war_10y``) and each mean metric at the final horizon (``stability_index``)."""
    return [f"{k}_{h}y" for k, _ in PROBABILITIES for h in horizons_years] + list(MEAN_METRICS)


def summarize(result, setup, scenario_name: str = "") -> dict:
    """The ensemble summary (the JSON printed by ``peninsula run --json``).

    Per-run values are read through ``outcome``, so every path to the same runs (in memory,
    compact, written to a folder, streamed: ``summarize_runs``) gives the same numbers."""
    return assemble_summary(RunsInMemory(result, setup), setup, scenario_name)


def summarize_runs(setup, n_runs: int, scenario_name: str = "", **engine_keywords) -> dict:
    """The summary of runs 0..n_runs-1 of ``setup``, simulated without keeping them: each
    chunk is reduced where it runs to the per-run values the summary reads
    (``summary_values``), and those are folded, in run order, into the summary's sufficient
    statistics (``StreamedRuns``). The numbers are ``summarize``'s, bit for bit, on any
    executor, worker count and chunk size. ``engine_keywords``: ``fold_chunks``' executor,
    workers, chunk_runs and progress."""
    stats = StreamedRuns(setup, n_runs)
    fold_chunks(setup, n_runs, summary_values, stats.add, **engine_keywords)
    return assemble_summary(stats, setup, scenario_name)


def assemble_summary(stats, setup, scenario_name: str) -> dict:
    """The summary's layout, from the statistics of its runs: ``stats`` (``RunsInMemory`` or
    ``StreamedRuns``) gives ``n``, ``draw_count`` (K, None when runs do not share draws),
    ``counts(h)`` (each rung's hits, and per draw y_k, n_k), ``spreads(h)`` (each metric's
    mean, p05, p95 and se) and ``final_means()``."""
    n = stats.n
    years_avail = setup.n_years
    horizons = [h for h in setup.metrics["horizons_years"]]
    final_years = final_horizon(horizons, years_avail)
    m = runs_per_draw(setup)
    source = parameter_source(setup)
    probs: dict = {k: {} for k, _ in PROBABILITIES}
    intervals: dict = {k: {} for k in probs}
    evidence: dict = {k: {} for k in probs}
    by_horizon: dict = {}
    for h in horizons:
        key = str(h)
        if h > years_avail:
            for k in probs:
                probs[k][key] = None
                intervals[k][key] = None
                evidence[k][key] = None
            by_horizon[key] = None
            continue
        counts, sp = stats.counts(h), stats.spreads(h)
        for k, name in PROBABILITIES:
            hits, y_k, n_k = counts[name]
            probs[k][key] = hits / n
            if stats.draw_count is None:
                intervals[k][key] = list(wilson_interval(hits, n))
                evidence[k][key] = None
            else:
                intervals[k][key] = list(monte_carlo_interval(y_k, n_k))
                # one draw alone shows no spread
                evidence[k][key] = list(parameter_interval(y_k, n_k)) if len(n_k) > 1 else None
        by_horizon[key] = {name: dict(sp[name]) for name, _ in HORIZON_METRICS}
    out = {"scenario": scenario_name, "runs": n, "seed": setup.seed,
           "start": f"{setup.start[0]:04d}-{setup.start[1]:02d}",
           "horizon_months": setup.horizon, "sample_parameters": setup.sample_parameters,
           **probs, "intervals_90": intervals, "parameter_intervals_90": evidence,
           "parameter_source": source, "runs_per_parameter_draw": m,
           "parameter_draws": (1 if source == "point" else n if stats.draw_count is None
                               else stats.draw_count)}
    if final_years >= 1:
        sp = stats.spreads(final_years)
        out["final_horizon_years"] = final_years
        for name, _ in HORIZON_METRICS + FINAL_METRICS:
            out[name] = dict(sp[name])
        rok, launches_by_year = stats.final_means()
        out["gdp_loss_pct"]["ROK"] = rok
        out["dprk_launches_by_year"] = launches_by_year
    out["by_horizon"] = by_horizon
    return out


def _spread_metrics(h: int, final_years: int) -> tuple:
    """(summary key, per_run_at key) of the metrics spread at horizon h."""
    return HORIZON_METRICS + (FINAL_METRICS if h == final_years else ())


class RunsInMemory:
    """The summary's statistics read from every run's outcomes at once (``assemble_summary``)."""

    def __init__(self, result, setup):
        self.result, self.setup = result, setup
        self.n = len(result.run_ids)
        self.draws = shared_draws(result.run_ids, setup)
        self.draw_count = None if self.draws is None else int(len(np.unique(self.draws)))
        self.final_years = final_horizon(setup.metrics["horizons_years"], setup.n_years)
        self._cache: dict[int, tuple[dict, dict]] = {}

    def _at(self, h: int) -> tuple[dict, dict]:
        """Per-run values at horizon h and the spreads of its metrics (once per horizon)."""
        if h not in self._cache:
            v = per_run_at(self.result, h)
            ksi = stability_index(v, self.setup.metrics)
            self._cache[h] = v, spreads({name: (ksi if col is None else v[col])
                                         for name, col in _spread_metrics(h, self.final_years)},
                                        self.draws)
        return self._cache[h]

    def counts(self, h: int) -> dict:
        v = self._at(h)[0]
        return {name: (int(v[name].sum()), *((None, None) if self.draws is None
                                             else draw_counts(v[name], self.draws)))
                for _, name in PROBABILITIES}

    def spreads(self, h: int) -> dict:
        return self._at(h)[1]

    def final_means(self) -> tuple[float, list[float]]:
        v = self._at(self.final_years)[0]
        launches = self.result.launches_by_year
        return (float(v["gdp_loss_pct_ROK"].mean()),
                [float(outcome(launches[:, y]).mean()) for y in range(launches.shape[1])])


def summary_layout(setup) -> tuple[list[int], list[int], int]:
    """(horizons whose probabilities are counted, horizons whose metrics are spread, the final
    horizon): the rows of ``summary_values``."""
    horizons, final_years = outcome_horizons(setup)
    return horizons, _with_final(horizons, final_years), final_years


def summary_values(result, setup) -> tuple[np.ndarray, np.ndarray]:
    """One chunk's per-run values as the summary reads them (run in the worker): hits (int8:
    each rung of FIRST_KEYS at each counted horizon) and values (float64: each spread metric
    at each spread horizon, then at the final horizon the ROK's GDP loss and the launches of
    each year), one column per run."""
    counted, spread_at, final_years = summary_layout(setup)
    hits, values = [], []
    for h in spread_at:
        v = per_run_at(result, h)
        if h in counted:
            hits += [v[name] for _, name in PROBABILITIES]
        ksi = stability_index(v, setup.metrics)
        values += [ksi if col is None else v[col] for _, col in _spread_metrics(h, final_years)]
        if h == final_years:
            final = [v["gdp_loss_pct_ROK"]] + [outcome(result.launches_by_year[:, y])
                                               for y in range(result.launches_by_year.shape[1])]
    if final_years >= 1:
        values += final
    n = len(result.run_ids)
    return (np.array(hits, dtype=np.int8).reshape(len(hits), n),
            np.array(values, dtype=float).reshape(len(values), n))


class StreamedRuns:
    """The summary's sufficient statistics of runs 0..n-1, folded from ``summary_values`` of
    chunks in run order (``assemble_summary``): hits per rung and per parameter draw; for each
    metric its pairwise sum, its 5% tails and its sums per draw (analysis/streaming.py), or
    its values when runs do not share draws (the plain standard deviation needs them)."""

    def __init__(self, setup, n_runs: int):
        self.n = int(n_runs)
        counted, self.spread_at, self.final_years = summary_layout(setup)
        self.counted = [h for h in self.spread_at if h in counted]  # the order of the hit rows
        m = runs_per_draw(setup)
        shared = m >= 2 and parameter_source(setup) != "point"
        k = -(-self.n // m)
        self.draw_count = k if shared else None
        self.clustered = shared and 2 <= k < self.n  # as ``spreads``: else sd / sqrt(n)
        self.m = m if shared else 1
        self.rows = {h: [name for name, _ in _spread_metrics(h, self.final_years)]
                     for h in self.spread_at}
        spread_rows = sum(len(names) for names in self.rows.values())
        self.hit_rows = len(self.counted) * len(PROBABILITIES)
        self.hits = np.zeros(self.hit_rows, dtype=np.int64)
        self.draw_hits = np.zeros((self.hit_rows, k if shared else 0), dtype=np.int64)
        self.tails = Tails(spread_rows, self.n)
        self.blocks = BlockSums(spread_rows, self.n, m if self.clustered else 1)
        self.sum: PairwiseSum | None = None  # made at the first chunk: its rows
        self.spread_rows, self.done = spread_rows, 0
        self._totals: np.ndarray | None = None
        self._spreads: dict[int, dict] = {}

    def add(self, chunk: tuple[np.ndarray, np.ndarray]) -> None:
        """Fold the next chunk's ``summary_values`` (its runs follow those already added)."""
        hits, values = chunk
        runs = values.shape[1]
        if self.sum is None:
            self.sum = PairwiseSum(len(values), self.n)
        self.hits += hits.sum(axis=1, dtype=np.int64)
        if self.draw_count is not None:
            index = np.arange(self.done, self.done + runs) // self.m
            first = int(index[0]) if runs else 0
            for i, row in enumerate(hits):  # whole numbers: a draw cut by a chunk adds up
                counted = np.bincount(index - first, weights=row).astype(np.int64)
                self.draw_hits[i, first:first + len(counted)] += counted
        self.sum.add(values)
        self.tails.add(values[:self.spread_rows])
        self.blocks.add(values[:self.spread_rows])
        self.done += runs

    def _first_row(self, h: int) -> int:
        return sum(len(self.rows[g]) for g in self.spread_at if g < h)

    def counts(self, h: int) -> dict:
        i = self.counted.index(h) * len(PROBABILITIES)
        n_k = None if self.draw_count is None else block_counts(self.n, self.m)
        return {name: (int(self.hits[i + j]), *((None, None) if n_k is None
                                                 else (self.draw_hits[i + j].astype(float),
                                                       n_k)))
                for j, (_, name) in enumerate(PROBABILITIES)}

    def spreads(self, h: int) -> dict:
        if h not in self._spreads:
            self._spreads[h] = self._spread(h)
        return self._spreads[h]

    def _spread(self, h: int) -> dict:
        a = self._first_row(h)
        rows = slice(a, a + len(self.rows[h]))
        n = self.n
        mean = self._sums()[rows] / n
        if self.clustered:
            se = clustered_se_of_sums(self.blocks.sums[rows], self.blocks.counts(), mean, n)
        elif n > 1:
            se = self.blocks.sums[rows].std(axis=1, ddof=1) / math.sqrt(n)
        else:
            se = np.full(len(self.rows[h]), np.nan)
        q = self.tails.quantiles([0.05, 0.95], rows)
        return {name: {"mean": float(mean[i]), "p05": float(q[0, i]), "p95": float(q[1, i]),
                       "se": float(se[i])} for i, name in enumerate(self.rows[h])}

    def final_means(self) -> tuple[float, list[float]]:
        means = self._sums()[self.spread_rows:] / self.n
        return float(means[0]), [float(x) for x in means[1:]]

    def _sums(self) -> np.ndarray:
        if self.done != self.n:
            raise ValueError(f"StreamedRuns: {self.done:,} of {self.n:,} runs added")
        if self._totals is None:
            self._totals = self.sum.total()
        return self._totals


# --- per-run outcomes: the summary's values for each run, declared once -------------------------
# Columns of ``per_run_outcomes`` (runs.parquet and Ensemble.outcomes()), in this order:
#   run, first_<rung>_month for each rung of FIRST_KEYS (month index from the start, 0 = first
#   month; null (pandas Int32 <NA>) if never reached), then at each horizon h that the run covers
#   <rung>_<h>y (1 if reached by h, else 0) for each probability and <summary key>_<h>y for each
#   HORIZON_METRICS entry, then the FINAL_METRICS at the final horizon.
FIRST_MONTH_COLUMNS = tuple(f"first_{key}_month" for key in FIRST_KEYS)


def final_horizon(horizons_years, n_years: int) -> int:
    """The horizon (years) at which the summary reads mean metrics: the longest of the
    scenario's horizons its years reach, else its whole length (0 if under a year)."""
    return max([h for h in horizons_years if h <= n_years], default=max(n_years, 0))


def outcome_horizons(setup) -> tuple[list[int], int]:
    """The horizons (years) a run covers and the summary's final horizon (0 if none)."""
    years = setup.n_years
    horizons = [h for h in setup.metrics["horizons_years"] if h <= years]
    return horizons, final_horizon(horizons, years)


def outcome_columns(horizons: list[int], final_years: int) -> list[str]:
    """The per-run outcome columns for these horizons (see the declaration above)."""
    cols = ["run", *FIRST_MONTH_COLUMNS]
    for h in _with_final(horizons, final_years):
        if h in horizons:
            cols += [f"{name}_{h}y" for _, name in PROBABILITIES]
        cols += [f"{key}_{h}y" for key, _ in HORIZON_METRICS]
        if h == final_years:
            cols += [f"{key}_{h}y" for key, _ in FINAL_METRICS]
    return cols


def _with_final(horizons: list[int], final_years: int) -> list[int]:
    return sorted(set(horizons) | ({final_years} if final_years >= 1 else set()))


def registry_columns(horizons: list[int], final_years: int) -> dict[str, str]:
    """Each metric of the registry (``metric_names``) -> the per-run outcome column whose mean
    it is: ``p_war_10y`` -> ``war_10y``, ``stability_index`` -> ``stability_index_<final>y``."""
    out = {f"{key}_{h}y": f"{name}_{h}y" for key, name in PROBABILITIES for h in horizons}
    return out | {key: f"{key}_{final_years}y" for key in MEAN_METRICS}


def per_run_outcomes(result, setup) -> pd.DataFrame:
    """One row per run with every outcome of the summary (``outcome_columns``): the mean of a
    column is the summary's value, e.g. ``war_10y`` averages to ``p_war['10']``."""
    horizons, final_years = outcome_horizons(setup)
    cols: dict[str, object] = {"run": np.asarray(result.run_ids, dtype=np.int64)}
    for key, name in zip(FIRST_KEYS, FIRST_MONTH_COLUMNS, strict=True):
        first = np.asarray(result.first_month[key])
        cols[name] = pd.array(np.where(first == NEVER, 0, first), dtype="Int32")
        cols[name][first == NEVER] = pd.NA
    for h in _with_final(horizons, final_years):
        v = per_run_at(result, h)
        ksi = stability_index(v, setup.metrics)
        if h in horizons:
            for _, name in PROBABILITIES:
                cols[f"{name}_{h}y"] = v[name].astype(np.int8)
        for key, name in HORIZON_METRICS:
            cols[f"{key}_{h}y"] = ksi if name is None else v[name]
        if h == final_years:
            for key, name in FINAL_METRICS:
                cols[f"{key}_{h}y"] = v[name]
    return pd.DataFrame(cols)[outcome_columns(horizons, final_years)]


def per_run_metric(result, setup, name: str) -> np.ndarray:
    """Each run's value of a registry metric (``metric_names``), as float: the per-run
    outcome column whose mean the summary reports (``registry_columns``), e.g. 1 where the
    run reached war within 10 years for ``p_war_10y``."""
    horizons, final_years = outcome_horizons(setup)
    columns = registry_columns(horizons, final_years)
    if name not in columns:
        raise ValueError(f"{name!r} is not a metric of this scenario; one of: "
                         f"{', '.join(columns)}")
    return per_run_outcomes(result, setup)[columns[name]].to_numpy(dtype=float)
