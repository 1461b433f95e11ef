"""Outcome metrics of an ensemble, by horizon, with honest uncertainty.

Probabilities (armed clash or worse, war or worse, nuclear use) are the share of runs that reached
the rung by the horizon, with a 90% Wilson score interval for Monte Carlo error. Other metrics are
given as the mean and the 5th-95th percentile across runs (the spread of futures, parameter
uncertainty included).

Korean Stability Index (0-100, higher is more stable), per run at horizon h:

    KSI = 100 * (1 - sum_k w_k * c_k / sum_k w_k)
    c = [clash reached, war reached, nuclear use reached, min(1, launches/yr / L_ref), alignment,
         polarisation, 1 - denuclearisation progress, min(1, GDP loss % / G_ref)]

with the weights w and references L_ref, G_ref from the scenario's [metrics] table. The default
weights (scenario.schema.DEFAULT_WEIGHTS, judgement) give bloc polarisation, sqrt(alignment x
cohesion), a weight of 0: the index scores what the allies' cohesion leads to, never the
cohesion itself, so that cohesion is not a cost by definition.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from peninsula.engine.ensemble import OUTCOME_DTYPE
from peninsula.io.results import FIRST_KEYS, NEVER

Z90 = 1.6448536269514722


def mean_interval(values: np.ndarray) -> tuple[float, float, float, float]:
    """(mean, low, high, standard error) of per-run values: the 90% normal interval
    mean +- Z90 * sd / sqrt(n) (empty, the mean's own, and a NaN error with a single run)."""
    x = np.asarray(values, dtype=float)
    mean = float(x.mean())
    if len(x) < 2:
        return mean, mean, mean, math.nan
    se = float(x.std(ddof=1)) / math.sqrt(len(x))
    return mean, mean - Z90 * se, mean + Z90 * se, se


def paired_difference(a: np.ndarray, b: np.ndarray) -> tuple[float, float, float]:
    """Mean of the run-by-run differences a - b and its 90% normal interval, for runs paired
    by common random numbers (mean_interval of the differences)."""
    return mean_interval(np.asarray(a, dtype=float) - np.asarray(b, dtype=float))[:3]


def wilson_interval(k: int, n: int, z: float = Z90) -> tuple[float, float]:
    """Wilson score interval for a binomial proportion k/n."""
    if n == 0:
        return (math.nan, math.nan)
    p = k / n
    denom = 1.0 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return (max(0.0, centre - half), min(1.0, centre + half))


def spread(x: np.ndarray) -> dict:
    """Mean, 5th and 95th percentiles and standard error of the mean (se) of one array."""
    return spreads({"x": x})["x"]


def spreads(named: dict[str, np.ndarray]) -> dict[str, dict]:
    """``spread`` of several same-length arrays at once (one NumPy call per statistic).

    Row by row the same reductions as on each array alone, so the values are identical; a
    sweep summarises thousands of points, and one call per metric and statistic dominated that.
    """
    x = np.array([np.asarray(v, dtype=float) for v in named.values()])
    n = x.shape[1]
    mean = x.mean(axis=1)
    se = x.std(axis=1, ddof=1) / math.sqrt(n) if n > 1 else np.full(len(x), np.nan)
    q = np.quantile(x, [0.05, 0.95], axis=1)
    return {name: {"mean": float(mean[i]), "p05": float(q[0, i]), "p95": float(q[1, i]),
                   "se": float(se[i])} for i, name in enumerate(named)}


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
        "clash": reached(result, "clash", years),
        "war": reached(result, "war", years),
        "nuclear_use": reached(result, "nuclear_use", years),
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
PROBABILITIES = (("p_clash", "clash"), ("p_war", "war"), ("p_nuclear_use", "nuclear_use"))
MEAN_METRICS = tuple(name for name, _ in HORIZON_METRICS + FINAL_METRICS)  # means at the end


def metric_names(horizons_years) -> list[str]:
    """The registry of metric names a study can ask for: each probability at each horizon
    (``p_war_10y``) and each mean metric at the final horizon (``stability_index``)."""
    return [f"{k}_{h}y" for k, _ in PROBABILITIES for h in horizons_years] + list(MEAN_METRICS)


def summarize(result, setup, scenario_name: str = "") -> dict:
    """The ensemble summary (the JSON printed by ``peninsula run --json``).

    Per-run values are read through ``outcome``, so every path to the same runs (in memory,
    compact, written to a folder) gives the same numbers."""
    n = len(result.run_ids)
    years_avail = setup.n_years
    horizons = [h for h in setup.metrics["horizons_years"]]
    final_years = final_horizon(horizons, years_avail)
    cache: dict[int, tuple[dict, dict]] = {}

    def at(h: int) -> tuple[dict, dict]:
        """Per-run values at horizon h and the spreads of its metrics (once per horizon)."""
        if h not in cache:
            v = per_run_at(result, h)
            ksi = stability_index(v, setup.metrics)
            wanted = HORIZON_METRICS + (FINAL_METRICS if h == final_years else ())
            cache[h] = v, spreads({name: (ksi if col is None else v[col])
                                   for name, col in wanted})
        return cache[h]

    probs: dict = {k: {} for k, _ in PROBABILITIES}
    intervals: dict = {k: {} for k in probs}
    by_horizon: dict = {}
    for h in horizons:
        key = str(h)
        if h > years_avail:
            for k in probs:
                probs[k][key] = None
                intervals[k][key] = None
            by_horizon[key] = None
            continue
        v, sp = at(h)
        for k, name in PROBABILITIES:
            hits = int(v[name].sum())
            probs[k][key] = hits / n
            intervals[k][key] = list(wilson_interval(hits, n))
        by_horizon[key] = {name: dict(sp[name]) for name, _ in HORIZON_METRICS}
    out = {"scenario": scenario_name, "runs": n, "seed": setup.seed,
           "start": f"{setup.start[0]:04d}-{setup.start[1]:02d}",
           "horizon_months": setup.horizon, "sample_parameters": setup.sample_parameters,
           **probs, "intervals_90": intervals}
    if final_years >= 1:
        v, sp = at(final_years)
        out["final_horizon_years"] = final_years
        for name, _ in HORIZON_METRICS + FINAL_METRICS:
            out[name] = dict(sp[name])
        out["gdp_loss_pct"]["ROK"] = float(v["gdp_loss_pct_ROK"].mean())
        out["dprk_launches_by_year"] = [float(outcome(result.launches_by_year[:, y]).mean())
                                        for y in range(result.launches_by_year.shape[1])]
    out["by_horizon"] = by_horizon
    return out


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
