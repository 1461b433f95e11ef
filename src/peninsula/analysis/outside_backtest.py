"""Out-of-sample checks of the outside drivers: joint air patrols and SIPRI defence spending.

Patrols: the replay of the record from January 2006 (``record.py``, whose levers include the
outside drivers from the ``outside_drivers`` table) predicts China-Russia joint air patrols for
2019-2025 with the outside drivers on and off; nothing of the patrol record (which starts in
2019) enters the model, so every scored year is out of sample.

Spending: the same replay from January 2006 gives each actor's defence spending path,
spending_i(t) = spending_i(2006) * (1 + g_i)^(t/12) * y_i(t), with the trend growth g_i taken
from the actor's SIPRI spending of 1996-2005 alone (log-linear least squares,
``defence_spending_training`` table), so no scored year informs it. Score: the mean absolute log
error of the ensemble's mean path against SIPRI for 2007-2024 (2006 is the start),
MALE_i = mean_years |ln(model_i / SIPRI_i)|, beside two naive benchmarks: the actor's own
pre-start trend extrapolated (the model's path with y_i = 1, so the difference is the model's
arms dynamics) and persistence (the 2006 level held). The DPRK has no SIPRI figures.
"""

from __future__ import annotations

import numpy as np

from peninsula.analysis.record import FIRST_YEAR, history_scenario
from peninsula.engine.ensemble import run_chunks
from peninsula.engine.execution import Execution
from peninsula.io.history import load_table
from peninsula.io.results import COLUMN
from peninsula.model.arms_race import trend
from peninsula.model.setup import build_setup

PATROL_YEARS = list(range(2019, 2026))
SPENDING_SCORED = (2007, 2024)
SPENDING_ACTORS = ("USA", "ROK", "JPN", "CHN", "RUS")  # the DPRK has no SIPRI figures


def training_growth() -> dict[str, float]:
    """Each actor's yearly trend growth g from its SIPRI spending before 2006 (log-linear OLS)."""
    t = load_table("defence_spending_training")
    out = {}
    for actor, rows in t.groupby("actor"):
        slope = np.polyfit(rows["year"].to_numpy(float),
                           np.log(rows["milex_const2023_usd_bn"].to_numpy(float)), 1)[0]
        out[str(actor)] = float(np.expm1(slope))
    return out


def _replay(sets: list[str], runs: int, seed: int, posterior=None, *,
            execution: Execution | None = None, monthly: bool = False,
            horizon_months: int = 240):
    execution = execution or Execution()
    sc = history_scenario(horizon_months, ["scenario.sample_parameters=true", *sets]).with_settings(seed=seed)
    return run_chunks(build_setup(sc, posterior=posterior, kernel=execution.kernel), runs,
                      record_monthly=monthly, record_events=False,
                      **execution.ensemble_keywords())


def patrol_comparison(runs: int = 1000, seed: int = 5, posterior=None, *,
                      execution: Execution | None = None) -> dict:
    """Predicted patrols a year 2019-2025 with the outside drivers on and off, and their errors
    (the ensembles run as ``execution`` says; default: sequentially)."""
    obs_all = load_table("monthly")
    obs_all = obs_all.groupby(obs_all["month"].str[:4].astype(int))["cn_ru_joint_patrols"].sum()
    obs = np.array([float(obs_all.get(y, 0)) for y in PATROL_YEARS])
    out: dict = {"observed_total": int(obs.sum())}
    for label, on in (("outside_drivers_on", "true"), ("outside_drivers_off", "false")):
        res = _replay([f"mechanisms.outside_drivers={on}"], runs, seed, posterior,
                      execution=execution)
        pred = np.array([res.patrols_by_year[:, y - FIRST_YEAR].mean() for y in PATROL_YEARS])
        out[label] = {"predicted_mean": [float(x) for x in pred],
                      "mean_absolute_error": float(np.abs(pred - obs).mean()),
                      "bias": float((pred - obs).mean()),
                      "slope_per_year": float(np.polyfit(PATROL_YEARS, pred, 1)[0])}
    out["observed_slope_per_year"] = float(np.polyfit(PATROL_YEARS, obs, 1)[0])
    return out


def _yearly(monthly: np.ndarray, actor: str) -> np.ndarray:
    """Ensemble-mean spending of each simulated year (mean of its months)."""
    col = monthly[:, :, COLUMN[f"defence_spending_usd_bn_{actor}"]].astype(float)
    return col.mean(axis=0).reshape(-1, 12).mean(axis=1)


def _male(pred: np.ndarray, obs: np.ndarray) -> float:
    return float(np.mean(np.abs(np.log(pred / obs))))


def spending_backtest(runs: int = 500, seed: int = 11, horizon_years: int | None = None, *,
                      execution: Execution | None = None) -> dict:
    """Spending paths from 2006 (trend growth from 1996-2005) against SIPRI 2007-2024 (the
    ensembles run as ``execution`` says; default: sequentially)."""
    growth = training_growth()
    sipri = load_table("defence_spending_yearly")
    last = SPENDING_SCORED[1] if horizon_years is None else FIRST_YEAR + horizon_years - 1
    years = list(range(SPENDING_SCORED[0], last + 1))
    idx = np.array(years) - FIRST_YEAR
    sets = [f"actors.{a}.defence_growth_pct_per_year={100.0 * growth[a]:.4f}"
            for a in SPENDING_ACTORS]
    paths = {}
    for label, on in (("outside_drivers_on", "true"), ("outside_drivers_off", "false")):
        res = _replay([*sets, f"mechanisms.outside_drivers={on}"], runs, seed,
                      execution=execution, monthly=True,
                      horizon_months=12 * (last - FIRST_YEAR + 1))
        paths[label] = {a: _yearly(res.monthly, a)[idx] for a in SPENDING_ACTORS}
    out: dict = {"years": years, "training_years": [1996, 2005],
                 "trend_growth_pct": {a: 100.0 * growth[a] for a in SPENDING_ACTORS},
                 "actors": {}, "runs": int(runs), "seed": int(seed)}
    months = np.arange(12.0)
    for a in SPENDING_ACTORS:
        rows = sipri[sipri["actor"] == a].set_index("year")["milex_const2023_usd_bn"]
        obs = np.array([float(rows[y]) for y in years])
        start = float(rows[FIRST_YEAR])
        naive = np.array([np.mean([trend(start, growth[a], 12.0 * (y - FIRST_YEAR) + m)
                                   for m in months]) for y in years])
        entry = {"observed": [float(x) for x in obs], "naive_trend": [float(x) for x in naive],
                 "male_naive_trend": _male(naive, obs),
                 "male_persistence": _male(np.full(len(obs), start), obs)}
        for label, path in paths.items():
            entry[label] = [float(x) for x in path[a]]
            entry[f"male_{label}"] = _male(path[a], obs)
        out["actors"][a] = entry
    for key in ("male_outside_drivers_on", "male_outside_drivers_off", "male_naive_trend",
                "male_persistence"):
        out[f"mean_{key}"] = float(np.mean([e[key] for e in out["actors"].values()]))
    return out
