"""Historical replay, calibration (approximate Bayesian computation) and honest skill scores.

Replay: the model starts in January 2006 and is driven month by month by the historical levers
from the bundled tables: drill intensity (US-ROK exercises plus 0.3 per trilateral drill),
sanctions pressure stepped up with each UN Security Council resolution, talks held when the
record shows them (``talks_override``), flexible diplomacy high while talks run, trilateral
summitry from 2023 (Camp David). Everything else is the model's own dynamics.

Calibration (ABC rejection, Pritchard et al. 1999; Beaumont et al. 2002): draw the uncertain
parameters of the launch process from uniform priors over their ranges, simulate 2006 to the
end of the training window once per draw (all draws advance together in the batched engine),
and keep the draws whose yearly missile counts lie closest to the record:
    distance = sqrt(mean_years (log(1 + simulated) - log(1 + observed))^2).
The accepted draws are the posterior sample. Prediction of the held-out years uses only them.

Skill on held-out years: Spearman rank correlation of the predictive mean with the record;
CRPS of the predictive distribution (ensemble form, Gneiting & Raftery 2007:
E|X - y| - E|X - X'| / 2); Brier score for "20 or more missiles in a year"; coverage of the 90%
interval. Baselines: persistence (last observed year's count, one step ahead) and climatology
(the training-window mean; its Brier probability is the training share of 20+ years); a point
forecast's CRPS is its absolute error.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from peninsula.analysis.scoring import crps_ensemble
from peninsula.engine.ensemble import run_chunks
from peninsula.io.history import load_table, yearly_launches
from peninsula.model.setup import build_setup
from peninsula.scenario.loader import load_scenario
from peninsula.scenario.parameters import BY_NAME, NAMES

FIRST_YEAR, LAST_YEAR = 2006, 2025
THRESHOLD = 20  # missiles in a year, for the Brier score
CALIBRATED = ("launch_base_rate_per_year", "launch_drill_effect", "launch_threat_elasticity",
              "launch_branching_ratio", "launch_capability_elasticity", "talks_launch_suppression",
              "dprk_capability_growth_per_year", "belief_drill_log_lr")
# Sanctions pressure after each UN resolution (judgement: each broadened the regime; 2016-17
# resolutions capped coal, oil and labour exports, hence the larger steps).
SANCTIONS_STEPS = {"2006-01": 0.1, "2006-07": 0.2, "2006-10": 0.3, "2009-06": 0.4, "2013-01": 0.45,
                   "2013-03": 0.5, "2016-03": 0.6, "2016-11": 0.7, "2017-06": 0.72,
                   "2017-08": 0.8, "2017-09": 0.85, "2017-12": 0.9}
# 2006 starting sizes: SIPRI constant-2023 USD bn (defence_spending_yearly table) and GDP from the
# SIPRI share; DPRK spending and capability (a few devices' worth of plutonium) are judgement.
START_2006 = {"USA": 843.9, "ROK": 27.0, "JPN": 38.1, "CHN": 87.3, "RUS": 39.3}


def historical_levers(train_until: int | None = None) -> dict:
    """Monthly lever lists for 2006-01..2025-12 from the bundled tables."""
    m = load_table("monthly")
    drill = np.clip(m["drill_intensity"] + 0.3 * m["trilateral_drills"], 0.0, 2.0)
    months = list(m["month"])
    sanctions = []
    level = 0.1
    for month in months:
        level = SANCTIONS_STEPS.get(month, level)
        sanctions.append(level)
    talks = m["talks_active"].astype(float)
    summits = [0.3 if month < "2023-08" else 1.0 for month in months]
    return {
        "exercise_intensity": [float(x) for x in drill],
        "exercise_months": list(range(1, 13)),
        "sanctions_pressure": sanctions,
        "talks_override": [float(x) for x in talks],
        "flexible_diplomacy": [0.6 if t else 0.15 for t in talks],
        "summit_frequency_per_year": summits,
    }


def history_scenario(horizon_months: int = 240, sets: list[str] | None = None):
    """The 2006 start, driven by historical levers, as a Scenario."""
    gdp = {a: START_2006[a] / s for a, s in (("USA", 0.0404), ("ROK", 0.0230), ("JPN", 0.00903),
                                              ("CHN", 0.0187), ("RUS", 0.0325))}
    over = [
        'scenario.name="history-2006"', 'scenario.start="2006-01"',
        f"scenario.horizon_months={horizon_months}",
        "actors.PRK.nuclear_capability=5", "actors.PRK.defence_spending_usd_bn=3",
        "actors.PRK.gdp_usd_bn=20", "state.cohesion=0.5", "state.alignment=0.3",
        "state.tension=0.4", 'state.escalation_level="rhetoric"', "state.talks_active=false",
    ]
    for actor, spend in START_2006.items():
        over += [f"actors.{actor}.defence_spending_usd_bn={spend}",
                 f"actors.{actor}.gdp_usd_bn={round(gdp[actor], 1)}"]
    sc = load_scenario("baseline", over + list(sets or []))
    return sc.with_levers(**historical_levers())


def observed() -> pd.DataFrame:
    y = yearly_launches()
    return y[(y.year >= FIRST_YEAR) & (y.year <= LAST_YEAR)].reset_index(drop=True)


def simulate_years(sc, runs: int, seed: int, posterior: pd.DataFrame | None = None,
                   workers: int = 1) -> dict:
    """Per-run yearly series (runs x years): missiles, launch_days, patrols; and params."""
    sc = sc.with_settings(seed=seed)
    setup = build_setup(sc, posterior=posterior)
    res = run_chunks(setup, runs, record_monthly=False, record_events=False, workers=workers)
    return {"missiles": res.launches_by_year, "launch_days": res.launch_days_by_year,
            "patrols": res.patrols_by_year, "params": res.params}


def calibrate(train_until: int = 2019, draws: int = 20_000, accept: float = 0.02,
              seed: int = 1, workers: int = 1, target: np.ndarray | None = None) -> pd.DataFrame:
    """ABC rejection on the training years; returns the accepted parameter draws.

    ``target`` replaces the observed yearly counts (for tests on synthetic records).
    """
    years = train_until - FIRST_YEAR + 1
    sets = ["scenario.sample_parameters=true"]
    for name in CALIBRATED:
        p = BY_NAME[name]
        sets += [f'parameters.{name}.distribution="uniform"']
        sets += [f"parameters.{name}.range=[{p.low}, {p.high}]"]
    sc = history_scenario(horizon_months=12 * years, sets=sets)
    out = simulate_years(sc, draws, seed, workers=workers)
    sim, params = out["missiles"], out["params"]
    obs = (observed()["missiles_launched"].to_numpy() if target is None
           else np.asarray(target, dtype=float))[:years]
    dist = np.sqrt(np.mean((np.log1p(sim[:, :years]) - np.log1p(obs)) ** 2, axis=1))
    keep = np.argsort(dist, kind="stable")[: max(1, int(round(accept * draws)))]
    post = pd.DataFrame(params[keep][:, [NAMES.index(n) for n in CALIBRATED]],
                        columns=list(CALIBRATED))
    post["distance"] = dist[keep]
    post.attrs = {"train_until": train_until, "draws": draws, "accept": accept, "seed": seed}
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


def backtest(train_until: int = 2019, runs: int = 4000, draws: int = 20_000,
             accept: float = 0.02, seed: int = 1, posterior: pd.DataFrame | None = None,
             workers: int = 1) -> dict:
    """Calibrate on FIRST_YEAR..train_until (unless a posterior is given), replay 2006-2025."""
    if posterior is None:
        posterior = calibrate(train_until, draws, accept, seed, workers)
    sc = history_scenario(240, ["scenario.sample_parameters=true"])
    sim = simulate_years(sc, runs, seed + 1, posterior=posterior, workers=workers)
    pred, patrols, days = sim["missiles"], sim["patrols"], sim["launch_days"]
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
                                      for y in since]},
        "test_years": [int(years[i]) for i in test],
        **skill(pred[:, test], obs[test], train_obs),
        "baselines": baseline_scores(obs, test, train_obs),
        "posterior": {"draws": int(posterior.attrs.get("draws", len(posterior))),
                      "accepted": int(len(posterior)),
                      "mean": {c: float(posterior[c].mean()) for c in CALIBRATED
                               if c in posterior},
                      "p05": {c: float(posterior[c].quantile(0.05)) for c in CALIBRATED
                              if c in posterior},
                      "p95": {c: float(posterior[c].quantile(0.95)) for c in CALIBRATED
                              if c in posterior}},
        "runs": int(runs), "seed": int(seed),
    }
