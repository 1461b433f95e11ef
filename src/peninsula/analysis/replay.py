"""Conditioning the ensemble on the record up to a forecast origin o.

Start from the state the record implies by replay with observed forcing: the model runs
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

The forecast after o is free, in two modes (``MODES``): *conditional* (the forecast months keep
the recorded levers) and *ex-ante* (the levers are held: drills repeat the last observed
year's monthly pattern; sanctions, flexible diplomacy, summitry, announced programmes and the
military agreement stay at their last observed value; talks under way at the origin, or none,
carry on or end by the model's own hazards, since talks are the model's state, not a lever).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from peninsula.analysis.record import historical_levers, history_scenario, observed_months
from peninsula.engine.ensemble import run_chunks
from peninsula.engine.execution import Execution
from peninsula.io.results import COLUMN
from peninsula.model.events import EVENT_INDEX
from peninsula.model.setup import build_setup
from peninsula.scenario.parameters import NAMES
from peninsula.scenario.schema import LEVEL_NAMES

MODES = ("conditional", "ex_ante")
CLASH_RUNG = LEVEL_NAMES.index("armed_clash")
FILTER_MONTHS = 12  # the particle filter weighs each run by the record of the last 12 months
FILTER_MIN_ESS = 0.5  # tempered so that the effective sample size stays >= half the runs
# held in ex-ante mode: the levers that governments set. Talks are not among them: whether
# talks go on is the model's own state (model/diplomacy.py: start and collapse hazards), so
# after the origin talks_override is -1 and the talks under way at the origin (or none) carry on
# or end by the model's hazards; holding the replay's override would freeze them for the whole
# horizon, which no forecaster at the origin knows.
HELD_LEVERS = ("sanctions_pressure", "flexible_diplomacy", "summit_frequency_per_year",
               "programme_announcement", "military_agreement")
FREED_LEVERS = ("talks_override",)  # replay devices: -1 (the model decides) after the origin

EV_LAUNCH = EVENT_INDEX["missile_launch"]


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
        for name in FREED_LEVERS:
            levers[name][origin:] = [-1.0] * horizon
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


def clash_entries(levels: np.ndarray, level0: int) -> np.ndarray:
    """Months (runs x months) in which the ladder rose to an armed clash or above from below."""
    prev = np.concatenate([np.full((levels.shape[0], 1), level0), levels[:, :-1]], axis=1)
    return (levels >= CLASH_RUNG) & (prev < CLASH_RUNG)


def model_forecast(origin: int, horizon: int, mode: str, posterior: pd.DataFrame, runs: int,
                   seed: int, *, clashes: bool = False, vintage: int | None = None,
                   execution: Execution | None = None):
    """The model's monthly launches (runs x horizon) after replaying the record to ``origin``
    and filtering on its last FILTER_MONTHS months, and the filter's tempering and effective
    sample size; with ``clashes`` also the months (runs x origin + horizon, from January 2006)
    in which each resampled run entered an armed clash or worse. ``vintage``: the priors as
    of that year for the parameters calibration leaves out (scenario/vintage.py).
    ``execution``: how to run the replay's ensemble (default: sequentially)."""
    execution = execution or Execution()
    sc = history_scenario(origin + horizon, ["scenario.sample_parameters=true"], vintage)
    sc = sc.with_levers(**forecast_levers(origin, horizon, mode)).with_settings(seed=seed)
    res = run_chunks(build_setup(sc, posterior=posterior, kernel=execution.kernel), runs,
                     record_monthly=True, record_events=True, **execution.ensemble_keywords())
    launches = res.events[:, origin:origin + horizon, EV_LAUNCH].astype(np.int64)
    obs = observed_months()
    window = slice(max(0, origin - FILTER_MONTHS), origin)
    loglik = replay_log_likelihood(
        res.monthly[:, window, COLUMN["launch_rate"]].astype(float),
        res.params[:, NAMES.index("salvo_mean_size")],
        obs["missiles"].to_numpy()[window], obs["launch_days"].to_numpy()[window])
    w, tau = filter_weights(loglik)
    pick = np.random.default_rng(seed).choice(runs, size=runs, p=w)
    filt = {"tau": tau, "ess": effective_sample_size(w),
            "ess_untempered": effective_sample_size(tempered_weights(loglik, 1.0))}
    if clashes:
        levels = res.monthly[pick, :, COLUMN["escalation_level"]].astype(np.int64)
        return launches[pick], filt, clash_entries(levels, int(sc["state"]["escalation_level"]))
    return launches[pick], filt
