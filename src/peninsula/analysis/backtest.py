"""Historical replay, calibration (approximate Bayesian computation) and honest skill scores.

Replay: the record as model inputs (``record.py``). The training years' predictions are the
free replay from 2006 with the posterior (a posterior predictive check); the held-out years'
are a forecast from the state the record implies at the end of the training window: the
record's launches forced up to it and a particle-filter step on its last months (``replay.py``,
as in the rolling back-test), then the held-out years freely with their recorded levers.

Calibration (approximate Bayesian computation): the parameters CALIBRATED (every parameter of
the launch process and of the testing-campaign regime, with capability growth and the drill
evidence) get uniform priors over their ranges (PRIOR_RANGES where the literature is split);
each draw simulates 2006 to the end of the training window (all draws of a generation advance
together in the batched engine), and the distance from the record is
    d = sqrt((mean_years (log(1 + sim) - log(1 + obs))^2 over missiles
              + the same over launch days) / 2).
The default method is adaptive population Monte Carlo ABC (Lenormand, Jabot & Deffuant 2013,
``apmc``), which concentrates simulations where the distance is small; "rejection" keeps the
closest share of prior draws (Pritchard et al. 1999; Beaumont et al. 2002). APMC is written here
because the maintained ABC libraries (e.g. pyabc) call the model once per particle and keep a
database, while this engine simulates a whole generation in one batched call. Only data up to
the training window's end is used. Prediction uses only the posterior draws.

Skill on held-out years: Spearman rank correlation of the predictive mean with the record;
log score of each year's count (``scoring.py``);
CRPS of the predictive distribution (ensemble form, Gneiting & Raftery 2007:
E|X - y| - E|X - X'| / 2); Brier score for "20 or more missiles in a year"; coverage of the 90%
interval. Baselines: persistence (last observed year's count, one step ahead) and climatology
(the training-window mean; its Brier probability is the training share of 20+ years); a point
forecast's CRPS is its absolute error. Benchmarks: the count models of ``count_models.py``
fitted on the training months, each held-out year drawn from its own fitted law.

Armed clashes, year by year: the model's yearly probability against the coded clash years, with
log and Brier scores on the replayed (in-sample) and the held-out years beside constant-rate
benchmarks fitted on the training window only (CLASH_BENCHMARKS), and a verdict on whether a
held-out win comes from a rate low in every year (low_rate_verdict).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from peninsula.analysis.backtest_defaults import DEFAULT_DRAWS, DEFAULT_RUNS
from peninsula.analysis.outside_backtest import patrol_comparison, spending_backtest
from peninsula.analysis.record import (
    FIRST_YEAR,
    LAST_YEAR,
    historical_levers,
    history_scenario,
    observed,
)
from peninsula.analysis.replay import model_forecast
from peninsula.analysis.scoring import (
    SUPPORT_MAX_YEAR,
    brier,
    crps_ensemble,
    log_score_binary,
    log_score_ensemble,
)
from peninsula.engine.ensemble import run_chunks
from peninsula.engine.execution import Execution, execution_of
from peninsula.engine.random import param_cdf, sample_param
from peninsula.io.history import load_table, yearly_launches
from peninsula.io.incidents import ALTERNATIVE_CLASH_MONTHS
from peninsula.model.setup import build_setup
from peninsula.scenario.parameters import BY_NAME, NAMES
from peninsula.scenario.vintage import AT_TRAIN_END, as_of, table_as_of
from peninsula.scenario.vintage import report as vintage_report

THRESHOLD = 20  # missiles in a year, for the Brier score
# Every parameter of the launch process and of the testing-campaign regime, and the two that
# drive it from outside (capability growth; how drills move the DPRK's beliefs).
CALIBRATED = ("launch_base_rate_per_year", "launch_drill_effect", "launch_threat_elasticity",
              "launch_branching_ratio", "launch_excitation_months", "salvo_mean_size",
              "launch_capability_elasticity", "talks_launch_suppression",
              "campaign_entry_per_year", "campaign_mean_months", "campaign_intensity",
              "campaign_announcement_effect", "launch_frailty_sd",
              "dprk_capability_growth_per_year", "belief_drill_log_lr")
# Calibration priors that differ from the parameter's range: where the literature is split the
# prior includes zero and negative effects (drills that restrain launches, D'Orazio 2012 and
# Hess 2017 find no effect; a larger programme that tests less). The drill factor
# 1 + beta * d_eff stays positive for d_eff <= 2 when beta > -0.5.
PRIOR_RANGES = {"launch_drill_effect": (-0.45, 1.5), "launch_capability_elasticity": (-1.0, 1.5)}
# The escalation ladder's hazards, estimated jointly with the launch process (``ladder=True``):
# how launches lift the ladder, the hazards up to an armed clash, and those from a clash to war.
# Priors: uniform over each parameter's range (parameters.toml gives the basis of each; the
# hazards' ranges are judgement around the record's counts), s_L over [0, 1].
LADDER = ("launch_escalation_share", "provocation_to_crisis_per_month",
          "crisis_to_clash_per_month", "provocation_to_incident_per_month",
          "incident_to_hostilities_per_month", "deliberate_aggression_rate_per_year",
          "clash_to_war_per_month", "deliberate_war_per_month", "military_agreement_effect")
PRIOR_WIDENING = 2.0  # prior sensitivity: a hazard's prior [a, b] widened to [a / 2, 2 b]
# Prior sensitivity, all hazards at once: wide enough for the replay to reach the coded series'
# clash rate (4 clash years in 2006-2015; about 0.6 in ten within the parameter table's ranges),
# an order of magnitude above the table's upper ends for the hazards up to a clash (judgement).
WIDE_PRIORS = {"provocation_to_crisis_per_month": (0.01, 0.3),
               "crisis_to_clash_per_month": (0.002, 0.2),
               "provocation_to_incident_per_month": (0.001, 0.5),
               "incident_to_hostilities_per_month": (0.001, 1.0),
               "deliberate_aggression_rate_per_year": (0.05, 5.0),
               "clash_to_war_per_month": (0.05, 5.0), "deliberate_war_per_month": (0.005, 0.15),
               "military_agreement_effect": (0.0, 0.9)}
CALIBRATION_METHODS = ("apmc", "rejection")
APMC_ALPHA = 0.5  # share of particles kept each generation (Lenormand et al. 2013)
APMC_MIN_ACCEPT = 0.05  # stop when fewer new particles than this beat the last tolerance


def simulate_years(sc, runs: int, seed: int, posterior: pd.DataFrame | None = None, *,
                   execution: Execution | None = None) -> dict:
    """Per-run yearly series (runs x years): missiles, launch_days, patrols; and params; run
    as ``execution`` says (default: sequentially)."""
    execution = execution or Execution()
    sc = sc.with_settings(seed=seed)
    setup = build_setup(sc, posterior=posterior, kernel=execution.kernel)
    res = run_chunks(setup, runs, record_monthly=False, record_events=False,
                     **execution.ensemble_keywords())
    return {"missiles": res.launches_by_year, "launch_days": res.launch_days_by_year,
            "patrols": res.patrols_by_year, "clash_entries": res.yearly["clash_entries"],
            "war_entries": res.yearly["war_entries"], "params": res.params}


def prior_box(names: tuple[str, ...] = CALIBRATED, ranges: dict | None = None,
              vintage: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Lower and upper ends of the calibration prior of each parameter of ``names``
    (``ranges`` replacing PRIOR_RANGES and the parameter's own range where given; the table
    as of ``vintage``, see calibration_priors)."""
    given = given_ranges(ranges, vintage)
    table = table_as_of(vintage)
    box = [given.get(n, (table[n].low, table[n].high)) for n in names]
    return np.array([b[0] for b in box]), np.array([b[1] for b in box])


def given_ranges(ranges: dict | None, vintage: int | None) -> dict:
    """The calibration ranges that replace the table's: PRIOR_RANGES, except for parameters
    the vintage replaces (their ranges drew on the later literature), then ``ranges``."""
    replaced = as_of(vintage) if vintage is not None else {}
    return {**{n: r for n, r in PRIOR_RANGES.items() if n not in replaced}, **(ranges or {})}


def calibration_priors(names: tuple[str, ...], ranges: dict | None = None,
                       vintage: int | None = None) -> list[tuple]:
    """Each parameter's calibration prior as (low, mode, high, distribution): the parameter
    table's own law (triangular, log-triangular or uniform over its range: derived priors keep
    their shape), except where PRIOR_RANGES or ``ranges`` give a range, which is uniform. With
    ``vintage``, the table as of that year (scenario/vintage.py): a parameter whose basis used
    later data has its vintage or wide prior instead, and PRIOR_RANGES (drawn from the same
    literature) give way to it."""
    given = given_ranges(ranges, vintage)
    table = table_as_of(vintage)
    out = []
    for n in names:
        p = table[n]
        if n in given or p.distribution == "fixed":
            lo, hi = given.get(n, (p.low, p.high))
            out.append((float(lo), 0.5 * (lo + hi), float(hi), "uniform"))
        else:
            out.append((float(p.low), float(p.value), float(p.high), p.distribution))
    return out


def to_prior_scale(theta: np.ndarray, priors: list[tuple]) -> np.ndarray:
    """Parameter values (draws x k) as their prior's cumulative probabilities: the prior is
    uniform on the unit cube there, so ABC's uniform-prior weights hold for any prior law."""
    return np.column_stack([param_cdf(theta[:, j], *pr) for j, pr in enumerate(priors)])


def from_prior_scale(u: np.ndarray, priors: list[tuple]) -> np.ndarray:
    """The inverse of to_prior_scale: parameter values from cumulative probabilities."""
    return np.column_stack([sample_param(u[:, j], *pr) for j, pr in enumerate(priors)])


def widened(name: str) -> tuple[float, float]:
    """A prior widened for the sensitivity check: a hazard's [a, b] to [a / w, w b] within the
    parameter's limits; a share's to its whole limits."""
    low, high = prior_box((name,))
    lo, hi = BY_NAME[name].limits
    if name == "launch_escalation_share":
        return float(lo), float(hi)
    return max(float(lo), float(low[0]) / PRIOR_WIDENING), min(float(hi), float(high[0]) * PRIOR_WIDENING)


def distance(sim_missiles: np.ndarray, sim_days: np.ndarray, obs_missiles: np.ndarray,
             obs_days: np.ndarray) -> np.ndarray:
    """ABC distance of each run's yearly series from the record (module docstring)."""
    d_m = np.mean((np.log1p(sim_missiles) - np.log1p(obs_missiles)) ** 2, axis=1)
    d_d = np.mean((np.log1p(sim_days) - np.log1p(obs_days)) ** 2, axis=1)
    return np.sqrt((d_m + d_d) / 2.0)


def ladder_distance(launch_distance: np.ndarray, sim_clash_years: np.ndarray,
                    sim_war_years: np.ndarray, obs_clash_years: int,
                    obs_war_years: int) -> np.ndarray:
    """The joint distance: the launch distance's two terms and, on the same log scale, the
    number of years with an armed clash and with a war in the window,
        d = sqrt((d_m + d_d + (log(1 + C_sim) - log(1 + C_obs))^2
                  + (log(1 + W_sim) - log(1 + W_obs))^2) / 4)."""
    d_c = (np.log1p(sim_clash_years) - np.log1p(obs_clash_years)) ** 2
    d_w = (np.log1p(sim_war_years) - np.log1p(obs_war_years)) ** 2
    return np.sqrt((2.0 * launch_distance ** 2 + d_c + d_w) / 4.0)


def observed_ladder_years(first: int, last: int) -> tuple[int, int]:
    """Years first..last with an armed clash, and with a war, in the coded incident series."""
    inc = load_table("incidents")
    year = inc["month"].str[:4].astype(int)
    window = (year >= first) & (year <= last)
    by_year = inc[window].groupby(year[window])[["clash", "war"]].max()
    return int((by_year["clash"] > 0).sum()), int((by_year["war"] > 0).sum())


def calibrate(train_until: int = 2019, draws: int = DEFAULT_DRAWS, accept: float = 0.02,
              seed: int = 1, workers: int = 1, target: np.ndarray | None = None,
              target_days: np.ndarray | None = None, method: str = "apmc",
              ladder: bool = False, ranges: dict | None = None,
              vintage: int | None = None, *, execution: Execution | None = None
              ) -> pd.DataFrame:
    """ABC on the years FIRST_YEAR..train_until; returns posterior draws of CALIBRATED (and,
    with ``ladder``, of LADDER: the joint fit to the launches and the coded clash and war
    years, ladder_distance). ``ranges`` replaces priors (name -> (low, high)); ``vintage``
    takes every prior (calibrated or sampled) as of that year (scenario/vintage.py).

    ``method`` "apmc" (default): adaptive population Monte Carlo ABC (Lenormand, Jabot &
    Deffuant 2013) within a budget of ``draws`` simulations; "rejection": the ``accept`` share
    of ``draws`` prior draws closest to the record. ``target`` (and ``target_days``) replace the
    observed yearly missiles (and launch days) for tests on synthetic records. ``execution``
    (an ``Execution``) says how to run the simulations, in place of ``workers``.
    """
    if method not in CALIBRATION_METHODS:
        raise ValueError(f"calibration method {method!r}: allowed {', '.join(CALIBRATION_METHODS)}")
    years = train_until - FIRST_YEAR + 1
    if years < 1:
        raise ValueError(f"--train-until {train_until}: the record starts in {FIRST_YEAR}")
    obs_df = observed()
    obs = (obs_df["missiles_launched"].to_numpy(dtype=float) if target is None
           else np.asarray(target, dtype=float))[:years]
    obs_days = (obs_df["launch_days"].to_numpy(dtype=float) if target_days is None
                else np.asarray(target_days, dtype=float))[:years]
    if target is not None and target_days is None:
        obs_days = obs  # a synthetic record without days: one missile a day
    names = CALIBRATED + (LADDER if ladder else ())
    priors = calibration_priors(names, ranges, vintage)
    obs_clash, obs_war = observed_ladder_years(FIRST_YEAR, train_until)
    # the history's own parameters: the table's priors (never a bundled posterior: no leakage)
    sc = history_scenario(horizon_months=12 * years, sets=["scenario.sample_parameters=true"],
                          vintage=vintage)
    cols = [NAMES.index(n) for n in names]
    rng = np.random.default_rng([seed, 41])

    def simulate(n: int, sim_seed: int, proposals: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
        """n runs at ``proposals`` on the prior scale (None: draws from the prior); returns
        their parameters on the prior scale and their distances."""
        u = rng.uniform(size=(n, len(names))) if proposals is None else proposals
        post = pd.DataFrame(from_prior_scale(u, priors), columns=list(names))
        out = simulate_years(sc, n, sim_seed, posterior=post, execution=how)
        d = distance(out["missiles"][:, :years], out["launch_days"][:, :years], obs, obs_days)
        if ladder:
            d = ladder_distance(d, (out["clash_entries"][:, :years] > 0).sum(axis=1),
                                (out["war_entries"][:, :years] > 0).sum(axis=1), obs_clash,
                                obs_war)
        return to_prior_scale(out["params"][:, cols], priors), d

    attrs = {"train_until": train_until, "draws": draws, "accept": accept, "seed": seed,
             "method": method, "ladder": ladder, "vintage": vintage, "observed_clash_years": obs_clash,
             "observed_war_years": obs_war,
             "prior": {n: [pr[0], pr[2]] for n, pr in zip(names, priors, strict=True)},
             "prior_law": {n: list(pr) for n, pr in zip(names, priors, strict=True)}}
    zero, one = np.zeros(len(names)), np.ones(len(names))
    with execution_of(execution, workers=workers).running() as how:  # simulate's executor
        if method == "rejection":
            u, dist = simulate(draws, seed, None)
            keep = np.argsort(dist, kind="stable")[: max(1, int(round(accept * draws)))]
            post = pd.DataFrame(from_prior_scale(u[keep], priors), columns=list(names))
            post["distance"] = dist[keep]
            post.attrs = {**attrs, "generations": 0, "epsilon": float(dist[keep].max())}
            return post
        post = apmc(simulate, zero, one, draws, seed, attrs, names)
    post[list(names)] = from_prior_scale(post[list(names)].to_numpy(), priors)
    return post


def apmc(simulate, low: np.ndarray, high: np.ndarray, draws: int, seed: int,
          attrs: dict, names: tuple[str, ...] = CALIBRATED) -> pd.DataFrame:
    """Adaptive population Monte Carlo ABC (Lenormand et al. 2013), batched.

    N = draws // 5 prior draws; keep the APMC_ALPHA share closest (tolerance epsilon = that
    quantile). Each generation proposes N - N_alpha particles from the kept ones (picked by
    weight, moved by a Gaussian kernel with twice their weighted covariance, redrawn until
    inside the prior box), simulates them all in one batch, weights each new particle by
    prior / sum_j w_j K(theta | theta_j) (the prior is uniform), and keeps the N_alpha closest of
    old and new. It stops when under APMC_MIN_ACCEPT of the new particles beat the previous
    tolerance or the budget of ``draws`` simulations is spent. The posterior is the last kept
    population, resampled by weight to N_alpha equally weighted draws. ``simulate(n, seed,
    proposals)`` returns the n runs' parameters (columns ``names``) and distances; proposals
    None means draws from the prior.
    """
    rng = np.random.default_rng(seed)
    n = max(20, draws // 5)
    n_keep = max(10, int(APMC_ALPHA * n))
    theta, dist = simulate(n, seed, None)
    order = np.argsort(dist, kind="stable")[:n_keep]
    theta, dist, w = theta[order], dist[order], np.ones(n_keep)
    eps = float(dist.max())
    used, generation, p_acc = n, 0, 1.0
    width = high - low
    while used + (n - n_keep) <= draws and p_acc >= APMC_MIN_ACCEPT:
        generation += 1
        m = n - n_keep
        z = (theta - low) / width  # scaled to the unit box
        cov = 2.0 * np.atleast_2d(np.cov(z, rowvar=False, aweights=w))
        cov += 1e-12 * np.eye(len(low))
        chol = np.linalg.cholesky(cov)
        pick = rng.choice(n_keep, size=m, p=w / w.sum())
        new = z[pick] + rng.standard_normal((m, len(low))) @ chol.T
        outside = np.any((new < 0.0) | (new > 1.0), axis=1)
        while outside.any():  # redraw outside the prior box
            k = int(outside.sum())
            pick_o = rng.choice(n_keep, size=k, p=w / w.sum())
            new[outside] = z[pick_o] + rng.standard_normal((k, len(low))) @ chol.T
            outside = np.any((new < 0.0) | (new > 1.0), axis=1)
        proposals = low + new * width
        theta_new, dist_new = simulate(m, seed + generation, proposals)
        used += m
        inv = np.linalg.inv(cov)
        diff = (theta_new - low) / width
        diff = diff[:, None, :] - z[None, :, :]
        kern = np.exp(-0.5 * np.einsum("ijk,kl,ijl->ij", diff, inv, diff))
        w_new = 1.0 / (kern @ (w / w.sum()))
        p_acc = float(np.mean(dist_new < eps))
        theta = np.vstack([theta, theta_new])
        dist = np.concatenate([dist, dist_new])
        w = np.concatenate([w, w_new])
        order = np.argsort(dist, kind="stable")[:n_keep]
        theta, dist, w = theta[order], dist[order], w[order]
        eps = float(dist.max())
    rows = rng.choice(n_keep, size=n_keep, p=w / w.sum())
    post = pd.DataFrame(theta[rows], columns=list(names))
    post["distance"] = dist[rows]
    ess = float(w.sum() ** 2 / np.sum(w ** 2))
    post.attrs = {**attrs, "generations": generation, "simulations": used, "epsilon": eps,
                  "acceptance_last": p_acc, "effective_sample_size": ess}
    return post


def skill(pred: np.ndarray, obs: np.ndarray, train_obs: np.ndarray) -> dict:
    """Scores of a predictive ensemble (runs x years) against the observed counts."""
    mean = pred.mean(axis=0)
    lo, hi = np.quantile(pred, 0.05, axis=0), np.quantile(pred, 0.95, axis=0)
    defined = len(obs) > 2 and np.ptp(mean) > 0 and np.ptp(obs) > 0
    rho = float(stats.spearmanr(mean, obs).statistic) if defined else None
    return {
        "spearman": rho,
        "crps": float(np.mean([crps_ensemble(pred[:, j], obs[j]) for j in range(len(obs))])),
        "brier": float(np.mean(((pred >= THRESHOLD).mean(axis=0) - (obs >= THRESHOLD)) ** 2)),
        "coverage_90": float(np.mean((obs >= lo) & (obs <= hi))),
    }


def posterior_predictive(pred: np.ndarray, obs: np.ndarray, train: np.ndarray) -> dict:
    """Checks of the replay on the training years: 90% coverage and the yearly dispersion
    (variance / mean of the yearly counts) of the record against that of each run."""
    p, o = pred[:, train], obs[train]
    lo, hi = np.quantile(p, 0.05, axis=0), np.quantile(p, 0.95, axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        runs = np.var(p, axis=1, ddof=1) / np.mean(p, axis=1)
    runs = runs[np.isfinite(runs)]
    observed = float(np.var(o, ddof=1) / np.mean(o)) if np.mean(o) > 0 else 0.0
    return {
        "coverage_90_training": float(np.mean((o >= lo) & (o <= hi))),
        "observed_dispersion": observed,
        "predicted_dispersion_median": float(np.median(runs)) if len(runs) else None,
        "predicted_dispersion_p05": float(np.quantile(runs, 0.05)) if len(runs) else None,
        "predicted_dispersion_p95": float(np.quantile(runs, 0.95)) if len(runs) else None,
        "observed_dispersion_quantile": float(np.mean(runs <= observed)) if len(runs) else None,
    }


def baseline_scores(obs_all: np.ndarray, test_idx: np.ndarray, train_obs: np.ndarray) -> dict:
    obs = obs_all[test_idx]
    persistence = obs_all[test_idx - 1].astype(float)
    clim = np.full(len(obs), train_obs.mean())
    p_clim = float((train_obs >= THRESHOLD).mean())

    def point(f, p20):
        rho = stats.spearmanr(f, obs).statistic if np.ptp(f) > 0 else float("nan")
        return {"spearman": None if np.isnan(rho) else float(rho),
                "crps": float(np.mean(np.abs(f - obs))),
                "brier": float(np.mean((p20 - (obs >= THRESHOLD)) ** 2)),
                "coverage_90": None}

    return {"persistence": point(persistence, (persistence >= THRESHOLD).astype(float)),
            "climatology": point(clim, np.full(len(obs), p_clim))}


def count_probability(k: float, n: int) -> float:
    """k events in n trials as a probability for the log score: (k + 1/2) / (n + 1), the
    Krichevsky-Trofimov estimate (never 0 or 1), the same rule for every forecaster."""
    return (k + 0.5) / (n + 1)


@dataclass(frozen=True)
class ClashRecord:
    """What a clash forecaster may be fitted on at the end of the training window: the record's
    clash-year indicators of the training period (1990..train_until, indexed by year) and of the
    replayed years (FIRST_YEAR..train_until), and the model's replay of those years (runs with
    an armed clash or worse, each year, out of ``runs``)."""

    train_until: int
    training: pd.Series
    replayed: np.ndarray
    model_replay: np.ndarray
    runs: int


def _rate(events) -> tuple[float, float]:
    """An observed rate: its share for the Brier score, count_probability for the log score."""
    k, n = int(np.sum(events)), len(events)
    return k / n, count_probability(k, n)


def _model_replay_mean(r: ClashRecord) -> tuple[float, float]:
    """The model's mean yearly clash probability on the replayed years, as a constant."""
    k, n = int(r.model_replay.sum()), r.runs * len(r.model_replay)
    return k / n, count_probability(k, n)


def _fixed(p: float) -> Callable[[ClashRecord], tuple[float, float]]:
    return lambda _record: (p, p)


@dataclass(frozen=True)
class ClashBenchmark:
    """A constant yearly probability of an armed clash: ``fit`` returns its probability for the
    Brier score and for the log score from the ClashRecord alone, so it uses no year after the
    training window. ``low_rate``: a fixed low constant, the check of the low-rate rule."""

    name: str
    label: str
    fit: Callable[[ClashRecord], tuple[float, float]]
    low_rate: bool = False


LOW_CLASH_RATES = (0.07, 0.02)
# Every forecaster the model's yearly clash probability is scored against, in-sample (the
# replayed years) and held out. The fitted rates are in-sample on the replayed years by
# construction; "replayed_years_rate" there is the oracle constant (the record's own rate).
CLASH_BENCHMARKS = (
    ClashBenchmark("training_rate", "clash-year rate of the training period (1990 to its end)",
                   lambda r: _rate(r.training)),
    ClashBenchmark("last_10_years_rate", "clash-year rate of the training period's last ten "
                                         "years", lambda r: _rate(
                                             r.training[r.training.index > r.train_until - 10])),
    *(ClashBenchmark(f"constant_{p:g}", f"a fixed {p:g} a year", _fixed(p), low_rate=True)
      for p in LOW_CLASH_RATES),
    ClashBenchmark("model_replay_mean", "the model's mean yearly probability on the replayed "
                                        "years, held constant", _model_replay_mean),
    ClashBenchmark("replayed_years_rate", "the record's clash-year rate on the replayed years "
                                          "(in-sample: the oracle constant)",
                   lambda r: _rate(r.replayed)),
)
LOW_RATE_SHARE = 0.5  # the model's in-sample rate under this share of the record's: a miss


def binary_scores(p_brier, p_log, events) -> dict | None:
    """Mean log score and Brier score of yearly probabilities of an event against the 0/1
    record, and the mean probability (None for no years). ``p_log`` is the probability the log
    score uses (count_probability for estimated ones), ``p_brier`` the Brier score's."""
    events = np.asarray(events, dtype=int)
    if len(events) == 0:
        return None
    pb = np.broadcast_to(np.asarray(p_brier, dtype=float), events.shape)
    pl = np.broadcast_to(np.asarray(p_log, dtype=float), events.shape)
    pairs = list(zip(pb, pl, events, strict=True))
    return {"log_score": float(np.mean([log_score_binary(q, o) for _, q, o in pairs])),
            "brier": float(np.mean([brier(p, o) for p, _, o in pairs])),
            "mean_p": float(np.mean(pb))}


def low_rate_verdict(model: dict, benchmarks: dict, record_rate_in_sample: float) -> dict:
    """Whether the model's held-out win over the training-period rate is a low-rate artefact.

    Rule (log score, lower is better): the model wins when its held-out log score is below the
    training rate's. A win is flagged ``low_rate_artefact`` when the model's mean yearly
    probability on the replayed years is under LOW_RATE_SHARE of the record's rate there, or
    when a fixed low constant scores at least as well on the held-out years and the model's
    held-out mean probability is itself under LOW_RATE_SHARE of the training rate: then the win
    comes from a probability that is low in every year, not from telling clash years from quiet
    ones. ``low_constants_as_good`` lists the fixed low constants (LOW_CLASH_RATES)
    that score at least as well as the model on the held-out years; the verdict says so either
    way (a quiet decade rewards any low constant, so it cannot show skill). ``model`` and each
    of ``benchmarks`` hold "in_sample" and "held_out" scores (binary_scores)."""
    held, ins = model["held_out"], model["in_sample"]
    if held is None:
        return {"beats_training_rate": False, "low_constants_as_good": [],
                "model_below_half_record_rate": False, "low_rate_artefact": False,
                "verdict": "No held-out years: no win to judge."}
    rate = benchmarks["training_rate"]["held_out"]["log_score"]
    beats = held["log_score"] < rate
    lows = [b.name for b in CLASH_BENCHMARKS
            if b.low_rate and benchmarks[b.name]["held_out"]["log_score"] <= held["log_score"]]
    under = ins is not None and ins["mean_p"] < LOW_RATE_SHARE * record_rate_in_sample
    held_low = held["mean_p"] < LOW_RATE_SHARE * benchmarks["training_rate"]["probability"]
    artefact = bool(beats and (under or (lows and held_low)))
    head = (f"The model's held-out log score ({held['log_score']:.3f}) "
            f"{'beats' if beats else 'does not beat'} the training-period rate's ({rate:.3f})")
    replay = ("" if ins is None else f"its mean yearly clash probability on the replayed years "
              f"is {ins['mean_p']:.3f} against the record's {record_rate_in_sample:.3f}")
    constants = "; ".join(f"{benchmarks[n]['probability']:g} a year: "
                          f"{benchmarks[n]['held_out']['log_score']:.3f}" for n in lows)
    if artefact:
        why = [f"{replay}, under {LOW_RATE_SHARE:.0%} of it"] if under else []
        if lows:
            why.append(f"a fixed low rate scores at least as well there ({constants})")
        text = (f"{head}, but the win is a low-rate artefact: {'; and '.join(why)}. A "
                "probability low in every year wins in quiet years without telling clash years "
                "from quiet ones.")
    elif beats and lows:
        text = (f"{head}, and its rate is not uniformly low ({replay}); but fixed low rates "
                f"score better still there ({constants}): a decade without clashes rewards any "
                "low constant, so the held-out years cannot show skill.")
    elif beats:
        text = (f"{head}; no fixed low rate scores as well there and {replay}: not a low-rate "
                "artefact.")
    else:
        text = f"{head}: there is no win to qualify."
    return {"beats_training_rate": bool(beats), "low_constants_as_good": lows,
            "model_below_half_record_rate": bool(under),
            "model_held_out_below_half_training_rate": bool(held_low),
            "low_rate_artefact": artefact,
            "verdict": text}


def clash_record(train_until: int, coding: str | None = None
                 ) -> tuple[list[int], np.ndarray, pd.Series]:
    """Years FIRST_YEAR..LAST_YEAR, their clash-year indicators, and the indicators of the
    training period (1990..train_until) indexed by year, from the coded incident series (with
    ``coding``, a key of ALTERNATIVE_CLASH_MONTHS, its month counted as a clash month)."""
    incidents = load_table("incidents")
    if coding is not None:
        month = ALTERNATIVE_CLASH_MONTHS[coding][0]
        incidents = incidents.assign(clash=np.where(incidents["month"] == month, 1,
                                                    incidents["clash"]))
    clash_years = incidents.groupby(incidents["month"].str[:4].astype(int))["clash"].max()
    years = list(range(FIRST_YEAR, LAST_YEAR + 1))
    observed = np.array([int(clash_years.get(y, 0)) for y in years])
    return years, observed, clash_years[clash_years.index <= train_until].astype(int)


def clash_scores(clash_months: np.ndarray, train_until: int) -> dict:
    """Yearly armed-clash back-test: the observed indicator (the coded incident series) against
    the model's probability of entering a clash or worse in the year (share of runs). The model's
    years up to train_until replay the record's launches; later years are forecast. Scored with
    clash_scores_from (its docstring). ``codings``: the same scores' model and benchmark
    entries under each alternative coding of ALTERNATIVE_CLASH_MONTHS, beside the series'."""
    years, observed, training = clash_record(train_until)
    runs = clash_months.shape[0]
    yearly = clash_months[:, : 12 * len(years)].reshape(runs, len(years), 12).any(axis=2)
    k = yearly.sum(axis=0)
    scores = clash_scores_from(years, observed, k, runs, training, train_until)
    scores["replay_band"] = replay_band(years, observed, yearly, train_until)
    scores["codings"] = {}
    for coding, (month, why) in ALTERNATIVE_CLASH_MONTHS.items():
        _, alt_observed, alt_training = clash_record(train_until, coding)
        alt = clash_scores_from(years, alt_observed, k, runs, alt_training, train_until)
        scores["codings"][coding] = {
            "month": month, "why": why, "observed": [int(x) for x in alt_observed],
            "model": alt["model"], "benchmarks": alt["benchmarks"],
            "low_rate_artefact": alt["low_rate_artefact"], "verdict": alt["verdict"]}
    return scores


def replay_band(years: list[int], observed: np.ndarray, yearly: np.ndarray,
                train_until: int) -> dict:
    """The replayed years' count of clash years, recorded against the model's: its mean and
    90% interval across runs (5th-95th percentile of each run's count, so the years'
    dependence within a run is kept), and whether the record lies within it."""
    replayed = np.array([y <= train_until for y in years])
    counts = yearly[:, replayed].sum(axis=1)
    lo, hi = (float(x) for x in np.quantile(counts, (0.05, 0.95)))
    seen = int(np.asarray(observed)[replayed].sum())
    return {"years": [years[0], train_until], "observed_clash_years": seen,
            "model_mean": float(counts.mean()), "interval_90": [lo, hi],
            "within": bool(lo <= seen <= hi)}


def clash_scores_from(years: list[int], observed: np.ndarray, k: np.ndarray, runs: int,
                      training: pd.Series, train_until: int) -> dict:
    """The clash back-test's scores from the record (``observed`` 0/1 for ``years``; ``training``
    the clash-year indicators of 1990..train_until by year) and the model's runs with a clash in
    each year (``k`` of ``runs``).

    ``scores`` (kept as it was): log and Brier score on the held-out years of the model and the
    training-period and last-ten-years rates. ``model`` and ``benchmarks`` (every one of
    CLASH_BENCHMARKS, fitted on the training window only): log score, Brier score and mean
    probability on the replayed years ("in_sample") and the held-out years ("held_out");
    ``periods``: the record's clash-year rate and the model's mean probability on each;
    ``low_rate_artefact`` and ``verdict``: low_rate_verdict. The model's log-score probability
    is count_probability(k, runs), its Brier probability k / runs."""
    observed = np.asarray(observed, dtype=int)
    k = np.asarray(k)
    test = np.array([y > train_until for y in years])
    train = ~test
    record = ClashRecord(train_until, training, observed[train], k[train], runs)
    p_model = k / runs
    p_model_log = np.array([count_probability(k_y, runs) for k_y in k])
    fitted = {b.name: b.fit(record) for b in CLASH_BENCHMARKS}
    scores = {}
    for name, (pb, pl) in (("model", (p_model, p_model_log)),
                           ("training_rate", fitted["training_rate"]),
                           ("last_10_years_rate", fitted["last_10_years_rate"])):
        pb, pl = np.broadcast_to(pb, test.shape), np.broadcast_to(pl, test.shape)
        s = binary_scores(pb[test], pl[test], observed[test])
        scores[name] = {"log_score": None if s is None else s["log_score"],
                        "brier": None if s is None else s["brier"],
                        "probability": [float(x) for x in pb]}

    def both(pb, pl) -> dict:
        pb, pl = np.broadcast_to(pb, test.shape), np.broadcast_to(pl, test.shape)
        return {"in_sample": binary_scores(pb[train], pl[train], observed[train]),
                "held_out": binary_scores(pb[test], pl[test], observed[test])}

    model = both(p_model, p_model_log)
    benchmarks = {b.name: {"label": b.label, "probability": float(fitted[b.name][0]),
                           "log_probability": float(fitted[b.name][1]), **both(*fitted[b.name])}
                  for b in CLASH_BENCHMARKS}
    periods = {}
    for period, mask in (("in_sample", train), ("held_out", test)):
        ys = [y for y, m in zip(years, mask, strict=True) if m]
        periods[period] = {
            "years": [ys[0], ys[-1]] if ys else [], "n_years": len(ys),
            "clash_years": int(observed[mask].sum()),
            "record_rate": float(observed[mask].mean()) if ys else None,
            "model_mean_p": float(p_model[mask].mean()) if ys else None}
    verdict = low_rate_verdict(model, benchmarks, periods["in_sample"]["record_rate"] or 0.0)
    return {"years": years, "observed": [int(x) for x in observed],
            "predicted": scores["model"]["probability"],
            "test_years": [y for y in years if y > train_until],
            "training_clash_years": f"{int(training.sum())} of {len(training)} "
                                    f"({int(training.index.min())}-{train_until})",
            "scores": scores, "model": model, "benchmarks": benchmarks, "periods": periods,
            "low_rate_artefact": verdict.pop("low_rate_artefact"),
            "verdict": verdict.pop("verdict"), "verdict_checks": verdict}


def benchmark_scores(train_until: int, test_years: list[int], runs: int, seed: int) -> dict:
    """The benchmark count models (analysis/count_models.py) fitted on the months of
    FIRST_YEAR..train_until and scored on each held-out year like the model (Spearman of the
    mean, CRPS, log score, Brier for THRESHOLD+, 90% coverage); the levers of the held-out
    years are the recorded ones, as the model's are."""
    from peninsula.analysis.count_models import forecast_benchmark_years

    m = load_table("monthly")
    drill = historical_levers()["exercise_intensity"]
    frame = pd.DataFrame({"missiles": m["missiles_launched"].astype(int), "drill": drill,
                          "talks": m["talks_active"].astype(int)})
    n_train = 12 * (train_until - FIRST_YEAR + 1)
    n_test = 12 * len(test_years)
    fc = forecast_benchmark_years(frame.iloc[:n_train].reset_index(drop=True),
                                  frame.iloc[n_train:n_train + n_test][["drill", "talks"]]
                                  .reset_index(drop=True), runs, seed)
    obs = yearly_launches().set_index("year").loc[test_years, "missiles_launched"].to_numpy()
    train_obs = observed()["missiles_launched"].to_numpy()[: n_train // 12]
    out = {}
    for name, pred in fc.samples.items():
        sc = skill(pred.astype(float), obs, train_obs)
        sc["log_score"] = float(np.mean([log_score_ensemble(pred[:, j], int(obs[j]), SUPPORT_MAX_YEAR)
                                         for j in range(len(obs))]))
        sc["note"] = fc.notes.get(name, "")
        out[name] = sc
    return out


def backtest_vintage(train_until: int, vintage: int | str | None) -> int | None:
    """The vintage a back-test uses: the training window's last year by default (AT_TRAIN_END),
    a given year (not after the record's end), or None (every prior as tabled: not blind)."""
    if vintage == AT_TRAIN_END:
        return int(train_until)
    if vintage is None:
        return None
    if not FIRST_YEAR <= int(vintage) <= LAST_YEAR:
        raise ValueError(f"--vintage {vintage}: allowed {FIRST_YEAR}-{LAST_YEAR}")
    return int(vintage)


def backtest(train_until: int = 2019, runs: int = DEFAULT_RUNS, draws: int = DEFAULT_DRAWS,
             accept: float = 0.02, seed: int = 1, posterior: pd.DataFrame | None = None,
             workers: int = 1, ladder: bool = True,
             vintage: int | str | None = AT_TRAIN_END, *,
             execution: Execution | None = None) -> dict:
    """Calibrate on FIRST_YEAR..train_until (unless a posterior is given; with ``ladder`` the
    ladder's hazards jointly with the launch process), replay 2006-2025. Every prior is taken
    as of ``vintage`` (backtest_vintage; scenario/vintage.py), so no parameter brings in data
    the held-out years hold. The clash back-test is scored twice: conditional (the held-out
    years' recorded levers) and ex-ante (levers held at their last known values).
    ``execution`` (an ``Execution``) says how to run every ensemble, in place of ``workers``."""
    year = backtest_vintage(train_until, vintage)
    with execution_of(execution, workers=workers).running() as how:
        return _backtest(train_until, runs, draws, accept, seed, posterior, ladder, year, how)


def _backtest(train_until: int, runs: int, draws: int, accept: float, seed: int,
              posterior: pd.DataFrame | None, ladder: bool, year: int | None,
              how: Execution) -> dict:
    """backtest with its vintage resolved to ``year``, on ``how``'s opened executor."""
    if posterior is None:
        posterior = calibrate(train_until, draws, accept, seed, ladder=ladder, vintage=year,
                              execution=how)
    fitted = [c for c in (*CALIBRATED, *LADDER) if c in posterior]
    sc = history_scenario(240, ["scenario.sample_parameters=true"], vintage=year)
    sim = simulate_years(sc, runs, seed + 1, posterior=posterior, execution=how)
    pred, patrols, days = sim["missiles"], sim["patrols"], sim["launch_days"]
    origin = 12 * (train_until - FIRST_YEAR + 1)
    months, filt, clash_months = model_forecast(origin, 12 * (LAST_YEAR - train_until),
                                                "conditional", posterior, runs, seed + 3,
                                                clashes=True, vintage=year, execution=how)
    _, _, clash_months_ex_ante = model_forecast(origin, 12 * (LAST_YEAR - train_until),
                                                "ex_ante", posterior, runs, seed + 3,
                                                clashes=True, vintage=year, execution=how)
    pred = pred.astype(float).copy()
    pred[:, origin // 12:] = months.reshape(runs, -1, 12).sum(axis=2)
    obs_df = observed()
    patrol_obs = load_table("monthly")
    patrol_obs = patrol_obs.groupby(patrol_obs["month"].str[:4].astype(int))[
        "cn_ru_joint_patrols"].sum()
    since = list(range(2019, LAST_YEAR + 1))
    obs = obs_df["missiles_launched"].to_numpy()
    years = obs_df["year"].to_numpy()
    test = np.nonzero(years > train_until)[0]
    train_obs = obs[years <= train_until]
    return {
        "train_until": int(train_until),
        "years": [int(y) for y in years],
        "observed": [int(x) for x in obs],
        "predicted_mean": [float(x) for x in pred.mean(axis=0)],
        "predicted_p05": [float(x) for x in np.quantile(pred, 0.05, axis=0)],
        "predicted_p95": [float(x) for x in np.quantile(pred, 0.95, axis=0)],
        "launch_days": {"observed": [int(x) for x in obs_df["launch_days"]],
                        "predicted_mean": [float(x) for x in days.mean(axis=0)],
                        "predicted_p05": [float(x) for x in np.quantile(days, 0.05, axis=0)],
                        "predicted_p95": [float(x) for x in np.quantile(days, 0.95, axis=0)]},
        "observed_nuclear_tests": [int(x) for x in obs_df["nuclear_tests"]],
        "not_modelled": ["nuclear_tests"],
        "patrols": {"years": since,
                    "observed": [int(patrol_obs.get(y, 0)) for y in since],
                    "predicted_mean": [float(patrols[:, y - FIRST_YEAR].mean()) for y in since],
                    "predicted_p05": [float(np.quantile(patrols[:, y - FIRST_YEAR], 0.05))
                                      for y in since],
                    "predicted_p95": [float(np.quantile(patrols[:, y - FIRST_YEAR], 0.95))
                                      for y in since],
                    **patrol_comparison(runs, seed + 4, posterior, execution=how)},
        "spending": spending_backtest(min(runs, 1000), seed + 5, execution=how),
        "posterior_predictive": posterior_predictive(pred, obs, years <= train_until),
        "test_years": [int(years[i]) for i in test],
        "forecast_filter": filt,
        "clashes": clash_scores(clash_months, train_until),
        "clashes_ex_ante": clash_scores(clash_months_ex_ante, train_until),
        "vintage": vintage_report(year),
        **skill(pred[:, test], obs[test], train_obs),
        "log_score": float(np.mean([log_score_ensemble(pred[:, j], int(obs[j]), SUPPORT_MAX_YEAR)
                                    for j in test])),
        "baselines": baseline_scores(obs, test, train_obs),
        "benchmarks": benchmark_scores(train_until, [int(years[i]) for i in test], runs,
                                       seed + 2),
        "posterior": {"draws": int(posterior.attrs.get("draws", len(posterior))),
                      "accepted": int(len(posterior)),
                      "ladder": bool(posterior.attrs.get("ladder", False)),
                      "prior": {c: posterior.attrs["prior"][c] for c in fitted
                                if c in posterior.attrs.get("prior", {})},
                      "mean": {c: float(posterior[c].mean()) for c in fitted},
                      "median": {c: float(posterior[c].median()) for c in fitted},
                      "p05": {c: float(posterior[c].quantile(0.05)) for c in fitted},
                      "p95": {c: float(posterior[c].quantile(0.95)) for c in fitted}},
        "runs": int(runs), "seed": int(seed),
    }


# --- the bundled calibrated posterior (scenario/calibrated.py) ---------------------------------

BUNDLE_TABLES = ("monthly", "incidents")  # the record the bundled posterior is fitted to


def bundle_meta(post: pd.DataFrame) -> dict:
    """The vintage of a posterior fitted to the whole record (calibrate(LAST_YEAR, ...,
    ladder=True)): the record's years and the hash of its tables, the priors it was fitted
    under (the parameter table's laws: a test compares them with the table's today), the
    package version and the calibration's settings."""
    import hashlib

    from peninsula._version import __version__
    from peninsula.io.history import table_bytes

    digest = hashlib.sha256()
    for name in BUNDLE_TABLES:
        digest.update(table_bytes(name))
    a = post.attrs
    return {"record_years": [FIRST_YEAR, int(a["train_until"])],
            "record_tables": list(BUNDLE_TABLES), "record_sha256": digest.hexdigest(),
            "priors": a["prior_law"], "package_version": __version__,
            "command": "peninsula calibrate --bundle",
            "settings": {k: a[k] for k in ("draws", "seed", "method", "ladder", "epsilon",
                                           "generations", "simulations",
                                           "effective_sample_size", "observed_clash_years",
                                           "observed_war_years") if k in a}}
