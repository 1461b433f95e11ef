"""Rolling-origin back-test of the monthly launch forecasts, against a benchmark set.

At each forecast origin o (every January from ``first_origin``, or every ``step`` months):

1. **Calibrate on data before o only**: ABC on the yearly counts of the complete years before o
   (``backtest.calibrate`` with ``train_until`` = the year before o's year; one calibration per
   training year, shared by the origins of that year), every prior as of that year
   (scenario/vintage.py: a parameter whose basis used later data has its vintage or a wide
   prior), the forecast's sampled parameters too.
2. **Start from the state the record implies** (``replay.py``: the record forced up to the
   month before o, then a tempered particle-filter step on its last months).
3. **Forecast** the next ``horizon`` months of launches freely, in two modes:
   *conditional* (the forecast months keep the recorded levers) and *ex-ante* (the levers are
   held: drills repeat the last observed year's monthly pattern, talks, sanctions, flexible
   diplomacy and summitry stay at their last observed value).
4. **Score** the monthly counts and the horizon's total, for the model and for each benchmark
   of ``count_models`` (fitted on the months before o only; the levers GLM gets the same levers
   as the mode), all from ensembles of the same size with the rules of ``scoring``: CRPS, log
   score, Brier for "THRESHOLD or more in the horizon", randomised PIT, 50% and 90% central
   interval coverage. Pooled scores are means over origins.
5. **Test** the model against the best benchmark of each of PAIRED_SCORES, paired over the
   origins (Diebold-Mariano with the HLN correction, the overlap of the origins' horizons in
   the long-run variance: ``paired_test.py``); monthly origins (``step`` 1) give the test its
   power.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from peninsula.analysis.backtest import THRESHOLD, calibrate
from peninsula.analysis.count_models import BENCHMARKS, forecast_benchmarks
from peninsula.analysis.paired_test import diebold_mariano, overlap
from peninsula.analysis.record import FIRST_YEAR, month_label, month_number, observed_months
from peninsula.analysis.replay import MODES, forecast_levers, model_forecast
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
from peninsula.engine.execution import Execution, execution_of
from peninsula.scenario.validate import parse_month

HORIZON_MONTHS = 12
FIRST_ORIGIN = "2012-01"
PIT_BINS = 10
PAIRED_SCORES = ("log_score", "crps")  # scores of the horizon's total tested model vs best
MIN_PAIRED_ORIGINS = 3  # fewer origins give no paired test


def origins(first_origin: str, step: int, horizon: int, n_months: int) -> list[int]:
    """Origin month numbers from ``first_origin`` every ``step`` months while the horizon's
    months are all on record; a ValueError names the option and the allowed range."""
    if parse_month(first_origin) is None:
        raise ValueError(f"--first-origin {first_origin!r}: expected a month YYYY-MM "
                         "(month 01-12)")
    if horizon < 1 or step < 1:
        raise ValueError(f"--horizon-months {horizon} and --step {step} must be at least 1")
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


def rolling_origins(first_origin: str = FIRST_ORIGIN, horizon: int = HORIZON_MONTHS,
                    step: int = 12) -> list[str]:
    """The origins ('YYYY-MM') a rolling back-test with these settings forecasts from (checks
    the settings before any work starts)."""
    return [month_label(o) for o in origins(first_origin, step, horizon, len(observed_months()))]


def record_facts(obs: pd.DataFrame, origin: int, horizon: int, levers: dict) -> dict:
    """What the record showed around an origin, for reading a miss: launches in the 12 months
    before, talks and an announced programme at the origin, mean drills before and after
    (``levers``: the recorded ones, the same in both modes)."""
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


def paired_tests(rows: dict[str, list[dict]], h: int) -> dict:
    """For each of PAIRED_SCORES, the model against the benchmark with the best pooled score:
    the Diebold-Mariano test over the origins (paired_test.py; ``h`` the origins' overlap)."""
    out = {}
    for score in PAIRED_SCORES:
        best = min(BENCHMARKS, key=lambda b: np.mean([r[score] for r in rows[b]]))
        if len(rows["model"]) < MIN_PAIRED_ORIGINS:
            out[score] = {"benchmark": best, "n_origins": len(rows["model"]), "p_value": None,
                          "note": f"fewer than {MIN_PAIRED_ORIGINS} origins: no test"}
            continue
        test = diebold_mariano(np.array([r[score] for r in rows["model"]]),
                               np.array([r[score] for r in rows[best]]), h)
        out[score] = {"benchmark": best, **test}
    return out


def rolling_backtest(first_origin: str = FIRST_ORIGIN, horizon: int = HORIZON_MONTHS,
                     step: int = 12, runs: int = 2000, draws: int = 20_000,
                     accept: float = 0.02, seed: int = 1, workers: int = 1,
                     progress: Callable[[str], None] | None = None, *,
                     execution: Execution | None = None) -> dict:
    """Forecast and score every origin in both modes; returns ``{mode: {model, benchmarks,
    origins}}`` pooled over origins (module docstring). ``execution`` (an ``Execution``) says
    how to run every ensemble, in place of ``workers``."""
    with execution_of(execution, workers=workers).running() as how:
        return _rolling(first_origin, horizon, step, runs, draws, accept, seed, progress, how)


def _rolling(first_origin: str, horizon: int, step: int, runs: int, draws: int, accept: float,
             seed: int, progress: Callable[[str], None] | None, how: Execution) -> dict:
    """rolling_backtest on ``how``'s opened executor."""
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
            posteriors[train_until] = calibrate(train_until, draws, accept, seed,
                                                vintage=train_until, execution=how)
        record = obs["missiles"].to_numpy()[origin:origin + horizon]
        recorded = forecast_levers(origin, horizon, "conditional")  # the record's own levers
        train = obs.iloc[:origin]
        for mode in MODES:
            if progress:
                progress(f"origin {month_label(origin)}, {mode}")
            model, filt = model_forecast(origin, horizon, mode, posteriors[train_until], runs,
                                        seed + 1 + origin, vintage=train_until, execution=how)
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
                "record_facts": record_facts(obs, origin, horizon, recorded),
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
            "paired_test": paired_tests(rows, overlap(horizon, step)),
        }
    out["settings"] = {"first_origin": month_label(points[0]), "last_origin": month_label(points[-1]),
                       "n_origins": len(points), "horizon_months": horizon, "step": step,
                       "runs": runs, "draws": draws, "accept": accept, "seed": seed,
                       "threshold": THRESHOLD,
                       "vintage": "each origin's training end: every prior as of that year"}
    return out
