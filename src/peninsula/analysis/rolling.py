"""Rolling-origin back-test of the monthly launch forecasts, against a benchmark set.

At each forecast origin o (every January from ``first_origin``, or every ``step`` months):

1. **Calibrate on data before o only**: ABC on the yearly counts of the complete years before o
   (``backtest.calibrate`` with ``train_until`` = the year before o's year; one calibration per
   training year, shared by the origins of that year).
2. **Start from the state the record implies** by replay with observed forcing: the model runs
   from January 2006 with the recorded levers (drills, talks, sanctions, summitry) and, up to the
   month before o, with the recorded missile counts and launch days forced in place of its own
   draws (levers ``launches_override`` and ``launch_days_override``). The observed launches
   therefore feed the self-excitation, the DPRK's and the others' beliefs, tension and the
   ladder exactly as the model's own launches would; every other state variable (and the
   latent testing-campaign regime and the year's frailty) follows the model's dynamics under
   that forcing.
   Then a **particle filter step** conditions those latent states on the record: each run is
   weighted by the likelihood of the observed missiles and launch days of the FILTER_MONTHS
   months before o under its own monthly rate lambda_t (launch days ~ Poisson(lambda_t / m),
   extra missiles ~ Poisson((m - 1) * days), model/provocations.py), and the forecast ensemble
   is the runs resampled by weight (multinomial, seeded). A run in a testing campaign when the
   record shows one thus carries its campaign into the forecast. The effective sample size of
   the weights is reported per origin. (One step of sequential importance resampling over a
   window, not a filter over the whole history, whose weights would degenerate.) Where the
   record is far in the tail of the ensemble (2022's 69 missiles) a handful of runs would take
   all the weight, so the likelihood is tempered, L^tau with the largest tau <= 1 that keeps
   the effective sample size at least FILTER_MIN_ESS of the runs (adaptive tempering, Jasra et
   al. 2011; N/2 is the usual resampling threshold of SMC, Del Moral, Doucet & Jasra 2012);
   tau is reported per origin.
3. **Forecast** the next ``horizon`` months of launches freely, in two modes:
   *conditional* (the forecast months keep the recorded levers) and *ex-ante* (the levers are
   held: drills repeat the last observed year's monthly pattern, talks, sanctions, flexible
   diplomacy and summitry stay at their last observed value).
4. **Score** the monthly counts and the horizon's total, for the model and for each benchmark
   of ``count_models`` (fitted on the months before o only; the levers GLM gets the same levers
   as the mode), all from ensembles of the same size with the rules of ``scoring``: CRPS, log
   score, Brier for "THRESHOLD or more in the horizon", randomised PIT, 50% and 90% central
   interval coverage. Pooled scores are means over origins.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
from scipy import stats

from peninsula.analysis.backtest import (
    FIRST_YEAR,
    THRESHOLD,
    calibrate,
    historical_levers,
    history_scenario,
)
from peninsula.analysis.count_models import BENCHMARKS, forecast_benchmarks
from peninsula.analysis.scoring import (
    SUPPORT_MAX_MONTH,
    SUPPORT_MAX_YEAR,
    brier,
    covers,
    crps_ensemble,
    log_score_ensemble,
    pit_histogram,
    pit_randomised,
)
from peninsula.engine.ensemble import run_chunks
from peninsula.io.history import load_table
from peninsula.io.results import COLUMN
from peninsula.model.events import EVENT_INDEX
from peninsula.model.setup import build_setup
from peninsula.scenario.parameters import NAMES

MODES = ("conditional", "ex_ante")
HORIZON_MONTHS = 12
FIRST_ORIGIN = "2012-01"
PIT_BINS = 10
FILTER_MONTHS = 12  # the particle filter weighs each run by the record of the last 12 months
FILTER_MIN_ESS = 0.5  # tempered so that the effective sample size stays >= half the runs
HELD_LEVERS = ("talks_override", "sanctions_pressure", "flexible_diplomacy",
               "summit_frequency_per_year",
               "programme_announcement")  # held at their last value in ex-ante mode
EV_LAUNCH = EVENT_INDEX["missile_launch"]


def month_label(index: int) -> str:
    """'YYYY-MM' of the month ``index`` months after January FIRST_YEAR."""
    return f"{FIRST_YEAR + index // 12}-{index % 12 + 1:02d}"


def month_number(label: str) -> int:
    """Months from January FIRST_YEAR to ``label`` ('YYYY-MM')."""
    year, month = (int(x) for x in label.split("-"))
    return (year - FIRST_YEAR) * 12 + month - 1


def observed_months() -> pd.DataFrame:
    """The monthly record the back-test uses: missiles, launch days, drills and talks."""
    m = load_table("monthly")
    levers = historical_levers()
    return pd.DataFrame({
        "month": m["month"], "missiles": m["missiles_launched"].astype(int),
        "launch_days": m["launch_days"].astype(int),
        "drill": levers["exercise_intensity"], "talks": m["talks_active"].astype(int),
    })


def origins(first_origin: str, step: int, horizon: int, n_months: int) -> list[int]:
    """Origin month numbers from ``first_origin`` every ``step`` months while the horizon's
    months are all on record."""
    first = month_number(first_origin)
    if first < 12:
        raise ValueError(f"--first-origin {first_origin}: the first origin must leave at least a "
                         f"year of record before it (from {month_label(12)})")
    last = n_months - horizon
    if first > last:
        raise ValueError(f"--first-origin {first_origin}: the record ends in "
                         f"{month_label(n_months - 1)}, so the last origin with {horizon} months "
                         f"on record is {month_label(last)}")
    return list(range(first, last + 1, step))


def forecast_levers(origin: int, horizon: int, mode: str) -> dict:
    """The levers of a replay up to ``origin`` and a forecast of ``horizon`` months after it."""
    rec = historical_levers()
    obs = observed_months()
    n = origin + horizon
    levers = {k: (list(v[:n]) if k != "exercise_months" else v) for k, v in rec.items()}
    if mode == "ex_ante":
        drill = levers["exercise_intensity"]
        for j in range(horizon):  # the last observed year's monthly pattern, repeated
            drill[origin + j] = drill[origin - 12 + (j % 12)]
        for name in HELD_LEVERS:
            levers[name][origin:] = [levers[name][origin - 1]] * horizon
    elif mode != "conditional":
        raise ValueError(f"mode {mode!r}: allowed {', '.join(MODES)}")
    levers["launches_override"] = [float(x) for x in obs["missiles"][:origin]] + [-1.0] * horizon
    levers["launch_days_override"] = ([float(x) for x in obs["launch_days"][:origin]]
                                      + [-1.0] * horizon)
    return levers


def replay_log_likelihood(rate: np.ndarray, salvo: np.ndarray, missiles: np.ndarray,
                          days: np.ndarray) -> np.ndarray:
    """Log-likelihood of each run (rows of ``rate``, runs x months) for the recorded missiles
    and launch days: days ~ Poisson(rate / m), missiles - days ~ Poisson((m - 1) * days)."""
    m = salvo[:, None]
    day_part = stats.poisson.logpmf(days[None, :], rate / m)
    extra_part = stats.poisson.logpmf((missiles - days)[None, :], (m - 1.0) * days[None, :])
    return np.sum(day_part + extra_part, axis=1)


def tempered_weights(loglik: np.ndarray, tau: float) -> np.ndarray:
    """Normalised weights exp(tau * loglik) (equal weights if no run explains the record)."""
    finite = np.isfinite(loglik)
    if not finite.any():
        return np.full(len(loglik), 1.0 / len(loglik))
    w = np.where(finite, np.exp(tau * (loglik - loglik[finite].max())), 0.0)
    return w / w.sum()


def effective_sample_size(w: np.ndarray) -> float:
    """1 / sum w^2 of normalised weights."""
    return float(1.0 / np.sum(w ** 2))


def filter_weights(loglik: np.ndarray, min_ess: float = FILTER_MIN_ESS) -> tuple[np.ndarray, float]:
    """Weights exp(tau * loglik) with the largest tau <= 1 whose effective sample size is at
    least ``min_ess`` of the runs (bisection on tau; ESS falls as tau grows), and tau."""
    target = min_ess * len(loglik)
    w = tempered_weights(loglik, 1.0)
    if effective_sample_size(w) >= target:
        return w, 1.0
    lo, hi = 0.0, 1.0
    for _ in range(50):
        mid = 0.5 * (lo + hi)
        if effective_sample_size(tempered_weights(loglik, mid)) >= target:
            lo = mid
        else:
            hi = mid
    return tempered_weights(loglik, lo), lo


def model_forecast(origin: int, horizon: int, mode: str, posterior: pd.DataFrame, runs: int,
                   seed: int, workers: int = 1) -> tuple[np.ndarray, dict]:
    """The model's monthly launches (runs x horizon) after replaying the record to ``origin``
    and filtering on its last FILTER_MONTHS months, and the filter's tempering and effective
    sample size."""
    sc = history_scenario(origin + horizon, ["scenario.sample_parameters=true"])
    sc = sc.with_levers(**forecast_levers(origin, horizon, mode)).with_settings(seed=seed)
    res = run_chunks(build_setup(sc, posterior=posterior), runs, record_monthly=True,
                     record_events=True, workers=workers)
    launches = res.events[:, origin:origin + horizon, EV_LAUNCH].astype(np.int64)
    obs = observed_months()
    window = slice(max(0, origin - FILTER_MONTHS), origin)
    loglik = replay_log_likelihood(
        res.monthly[:, window, COLUMN["launch_rate"]].astype(float),
        res.params[:, NAMES.index("salvo_mean_size")],
        obs["missiles"].to_numpy()[window], obs["launch_days"].to_numpy()[window])
    w, tau = filter_weights(loglik)
    pick = np.random.default_rng(seed).choice(runs, size=runs, p=w)
    return launches[pick], {"tau": tau, "ess": effective_sample_size(w),
                            "ess_untempered": effective_sample_size(tempered_weights(loglik, 1.0))}


def record_facts(obs: pd.DataFrame, origin: int, horizon: int, levers: dict) -> dict:
    """What the record showed around an origin, for reading a miss: launches in the 12 months
    before, talks and an announced programme at the origin, mean drills before and after."""
    before = slice(max(0, origin - 12), origin)
    return {
        "launches_before": int(obs["missiles"].to_numpy()[before].sum()),
        "talks_at_origin": bool(levers["talks_override"][origin] >= 0.5),
        "announcement_at_origin": bool(levers["programme_announcement"][origin] >= 0.5),
        "drill_before": float(np.mean(levers["exercise_intensity"][before])),
        "drill_after": float(np.mean(levers["exercise_intensity"][origin:origin + horizon])),
    }


def score_ensemble(months: np.ndarray, observed: np.ndarray, v: float) -> dict:
    """Scores of one forecaster at one origin: ``months`` (n x horizon) against the record."""
    total = months.sum(axis=1)
    y = int(observed.sum())
    return {
        "crps": crps_ensemble(total, y),
        "log_score": log_score_ensemble(total, y, SUPPORT_MAX_YEAR),
        "brier": brier(float(np.mean(total >= THRESHOLD)), y >= THRESHOLD),
        "pit": pit_randomised(total, y, v),
        "covered_50": covers(total, y, 0.5),
        "covered_90": covers(total, y, 0.9),
        "monthly_crps": float(np.mean([crps_ensemble(months[:, j], observed[j])
                                       for j in range(len(observed))])),
        "monthly_log_score": float(np.mean([log_score_ensemble(months[:, j], int(observed[j]),
                                                               SUPPORT_MAX_MONTH)
                                            for j in range(len(observed))])),
        "monthly_p_any": [float(x) for x in np.mean(months >= 1, axis=0)],
        "mean": float(total.mean()),
        "p05": float(np.quantile(total, 0.05)), "p25": float(np.quantile(total, 0.25)),
        "p50": float(np.quantile(total, 0.5)), "p75": float(np.quantile(total, 0.75)),
        "p95": float(np.quantile(total, 0.95)),
    }


def pooled(rows: list[dict]) -> dict:
    """Means over origins of the per-origin scores, with the PIT histogram."""
    return {
        "crps": float(np.mean([r["crps"] for r in rows])),
        "log_score": float(np.mean([r["log_score"] for r in rows])),
        "brier": float(np.mean([r["brier"] for r in rows])),
        "coverage_50": float(np.mean([r["covered_50"] for r in rows])),
        "coverage_90": float(np.mean([r["covered_90"] for r in rows])),
        "pit": pit_histogram(np.array([r["pit"] for r in rows]), PIT_BINS),
        "monthly": {"crps": float(np.mean([r["monthly_crps"] for r in rows])),
                    "log_score": float(np.mean([r["monthly_log_score"] for r in rows]))},
    }


def rolling_backtest(first_origin: str = FIRST_ORIGIN, horizon: int = HORIZON_MONTHS,
                     step: int = 12, runs: int = 2000, draws: int = 20_000,
                     accept: float = 0.02, seed: int = 1, workers: int = 1,
                     progress: Callable[[str], None] | None = None) -> dict:
    """Forecast and score every origin in both modes; returns ``{mode: {model, benchmarks,
    origins}}`` pooled over origins (module docstring)."""
    if horizon < 1 or step < 1:
        raise ValueError(f"--horizon-months {horizon} and --step {step} must be at least 1")
    obs = observed_months()
    points = origins(first_origin, step, horizon, len(obs))
    posteriors: dict[int, pd.DataFrame] = {}
    pit_v = np.random.default_rng(seed).uniform(size=len(points))  # randomised PIT, shared
    per_mode: dict[str, dict[str, list]] = {m: {"model": [], **{b: [] for b in BENCHMARKS},
                                               "origins": []} for m in MODES}
    for i, origin in enumerate(points):
        train_until = FIRST_YEAR + origin // 12 - 1
        if train_until not in posteriors:
            if progress:
                progress(f"calibrating on {FIRST_YEAR}-{train_until}")
            posteriors[train_until] = calibrate(train_until, draws, accept, seed, workers)
        record = obs["missiles"].to_numpy()[origin:origin + horizon]
        train = obs.iloc[:origin]
        for mode in MODES:
            if progress:
                progress(f"origin {month_label(origin)}, {mode}")
            model, filt = model_forecast(origin, horizon, mode, posteriors[train_until], runs,
                                        seed + 1 + origin, workers)
            future_levers = forecast_levers(origin, horizon, mode)
            future = pd.DataFrame({
                "drill": future_levers["exercise_intensity"][origin:origin + horizon],
                "talks": [1 if x >= 0.5 else 0
                          for x in future_levers["talks_override"][origin:origin + horizon]]})
            bench = forecast_benchmarks(train[["missiles", "drill", "talks"]].reset_index(
                drop=True), future, runs, seed + 1 + origin)
            m_score = score_ensemble(model, record, pit_v[i])
            per_mode[mode]["model"].append(m_score)
            b_scores = {}
            for name in BENCHMARKS:
                b_scores[name] = score_ensemble(bench.samples[name], record, pit_v[i])
                per_mode[mode][name].append(b_scores[name])
            per_mode[mode]["origins"].append({
                "origin": month_label(origin), "train_until": int(train_until),
                "observed": int(record.sum()), "observed_monthly": [int(x) for x in record],
                "filter": filt,
                "record_facts": record_facts(obs, origin, horizon, future_levers),
                "model": {**m_score, "monthly_mean": [float(x) for x in model.mean(axis=0)],
                          "monthly_p05": [float(x) for x in np.quantile(model, 0.05, axis=0)],
                          "monthly_p95": [float(x) for x in np.quantile(model, 0.95, axis=0)]},
                "benchmarks": {name: {k: b_scores[name][k] for k in
                                      ("crps", "log_score", "brier", "pit", "mean", "p05",
                                       "p95", "monthly_p_any")}
                               for name in BENCHMARKS},
                "benchmark_notes": dict(bench.notes),
            })
    out = {}
    for mode in MODES:
        rows = per_mode[mode]
        out[mode] = {
            "model": pooled(rows["model"]),
            "benchmarks": {name: pooled(rows[name]) for name in BENCHMARKS},
            "origins": rows["origins"],
        }
    out["settings"] = {"first_origin": month_label(points[0]), "last_origin": month_label(points[-1]),
                       "n_origins": len(points), "horizon_months": horizon, "step": step,
                       "runs": runs, "draws": draws, "accept": accept, "seed": seed,
                       "threshold": THRESHOLD}
    return out
