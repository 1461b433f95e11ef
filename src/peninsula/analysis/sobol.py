"""Variance-based (Sobol) sensitivity of the ensemble metrics to the uncertain parameters.

For a metric Y = f(X_1..X_D) (here: an ensemble mean such as P(war) at 10 years or launches a
year) with independent factors X_i, the first-order index S_i is the share of Var(Y) that X_i
explains alone and the total index ST_i the share it explains with all its interactions
(Sobol 2001). They are estimated from a Saltelli design (Saltelli 2002; Saltelli et al. 2010):
two independent sample matrices A and B (N rows each, one column per factor) and, for each
factor i, the matrix AB_i that is A with column i taken from B; N (D + 2) model evaluations.

    V    = Var([f(A), f(B)])
    S_i  = mean( f(B) * (f(AB_i) - f(A)) ) / V              (Saltelli et al. 2010, eq. b)
    ST_i = mean( (f(A) - f(AB_i))^2 ) / (2 V)               (Jansen 1999)

Confidence intervals come from a bootstrap over the N rows (95%, normal approximation, as in
SALib). The factor values are a scrambled Sobol' sequence (scipy.stats.qmc) mapped through each
factor's declared distribution, the same mapping the engine uses to sample a run's
parameters, so a study's uncertainties are declared once, in the scenario.

Every design point runs the same run ids with the same seed (common random numbers): f(A) and
f(AB_i) then differ only through X_i, which keeps the chance part of the ensemble mean out of
the differences, and a factor that a metric does not depend on gets a total index of exactly
zero. The chance part is shared by all points rather than independent between them, so it is
not a simple share of V; ``point_se`` (a point's standard error) is reported beside ``sd``
(the metric's spread over the design) so a user can see when more runs per point are needed:
when point_se is not small against sd, the indices of weak factors are mostly chance.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.stats import qmc

from peninsula.engine.random import sample_param
from peninsula.scenario.errors import Problem, ScenarioError
from peninsula.scenario.loader import Scenario

Z95 = 1.959963984540054  # standard normal 97.5% quantile


@dataclass(frozen=True)
class Factor:
    """One uncertain input: a scenario key and the distribution its values are drawn from."""

    key: str  # as --set takes it: parameters.NAME or levers.NAME
    low: float
    mode: float
    high: float
    distribution: str  # triangular | uniform


def scenario_factors(scenario: Scenario, specs: list[str] | None = None) -> list[Factor]:
    """The factors of a study: each spec is a parameter name (its declared range and
    distribution), or KEY=LOW,HIGH (uniform; levers or parameters). With no specs, every
    parameter whose declared distribution is not fixed."""
    params = scenario["parameters"]
    if not specs:
        specs = [n for n, p in params.items()
                 if p["distribution"] != "fixed" and p["range"][1] > p["range"][0]]
    out: list[Factor] = []
    for spec in specs:
        key, _, bounds = spec.partition("=")
        key = key.strip()
        name = key.split(".", 1)[1] if key.startswith("parameters.") else key
        if bounds:
            try:
                low, high = (float(v) for v in bounds.split(","))
            except ValueError:
                raise ScenarioError([Problem("--factor", key, "expected KEY=LOW,HIGH with two "
                                             "numbers")]) from None
            if not high > low:
                raise ScenarioError([Problem("--factor", key, f"LOW {low} must be below HIGH "
                                             f"{high}")])
            full = key if "." in key else f"parameters.{key}"
            out.append(Factor(full, low, (low + high) / 2.0, high, "uniform"))
            continue
        if name not in params:
            raise ScenarioError([Problem("--factor", key, "not a parameter; give a parameter "
                                         "name, or KEY=LOW,HIGH for a lever")])
        p = params[name]
        low, high = (float(v) for v in p["range"])
        if p["distribution"] == "fixed" or not high > low:
            raise ScenarioError([Problem("--factor", key, "is fixed in the scenario (no range "
                                         "to vary); give KEY=LOW,HIGH")])
        out.append(Factor(f"parameters.{name}", low, float(p["value"]), high, p["distribution"]))
    keys = [f.key for f in out]
    dup = sorted({k for k in keys if keys.count(k) > 1})
    if dup:
        raise ScenarioError([Problem("--factor", dup[0], "given more than once")])
    return out


def saltelli_design(factors: list[Factor], n_base: int, seed: int) -> pd.DataFrame:
    """The N (D + 2) points of a Saltelli design: rows A, then B, then AB_1 .. AB_D.

    ``n_base`` (N) must be a power of two (the Sobol' sequence is balanced at those sizes).
    """
    d = len(factors)
    if d < 1:
        raise ValueError("a sensitivity analysis needs at least one factor")
    if n_base < 2 or n_base & (n_base - 1):
        raise ValueError(f"samples must be a power of two >= 2, not {n_base}")
    u = qmc.Sobol(d=2 * d, scramble=True, seed=seed).random_base2(int(np.log2(n_base)))
    a, b = u[:, :d], u[:, d:]
    blocks = [a, b]
    for i in range(d):
        ab = a.copy()
        ab[:, i] = b[:, i]
        blocks.append(ab)
    unit = np.concatenate(blocks)
    cols = {f.key: sample_param(unit[:, j], f.low, f.mode, f.high, f.distribution)
            for j, f in enumerate(factors)}
    return pd.DataFrame(cols)


def sobol_indices(y: np.ndarray, n_factors: int, *, n_boot: int = 1000, seed: int = 0,
                  se: np.ndarray | None = None) -> pd.DataFrame:
    """First-order and total indices, with 95% bootstrap intervals, from the outputs of a
    Saltelli design (rows in ``saltelli_design`` order); ``sd`` is the metric's spread over
    the A and B points. ``se``: each point's standard error (chance), reported as their root
    mean square ``point_se``."""
    y = np.asarray(y, dtype=float)
    n = len(y) // (n_factors + 2)
    if n * (n_factors + 2) != len(y):
        raise ValueError(f"{len(y)} outputs do not fit a design of {n_factors} factors")
    ya, yb = y[:n], y[n:2 * n]
    yab = y[2 * n:].reshape(n_factors, n)
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, n, size=(n_boot, n))
    v = np.var(np.concatenate([ya, yb]), ddof=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        s1 = np.mean(yb * (yab - ya), axis=1) / v
        st = 0.5 * np.mean((ya - yab) ** 2, axis=1) / v
    s1_b = np.empty((n_factors, n_boot))
    st_b = np.empty((n_factors, n_boot))
    a, b = ya[idx], yb[idx]  # (n_boot, N): every bootstrap sample at once, one factor at a time
    vb = np.var(np.concatenate([a, b], axis=1), axis=1, ddof=1)
    for i in range(n_factors):
        ab = yab[i][idx]
        with np.errstate(divide="ignore", invalid="ignore"):
            s1_b[i] = np.mean(b * (ab - a), axis=1) / vb
            st_b[i] = 0.5 * np.mean((a - ab) ** 2, axis=1) / vb
    s1_b[~np.isfinite(s1_b)] = np.nan  # resamples with no variance (tiny N) carry no information
    st_b[~np.isfinite(st_b)] = np.nan
    with np.errstate(invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN rows give NaN, as they should
        s1_conf = Z95 * np.nanstd(s1_b, axis=-1, ddof=1)
        st_conf = Z95 * np.nanstd(st_b, axis=-1, ddof=1)
    out = pd.DataFrame({"S1": s1, "S1_conf": s1_conf, "ST": st, "ST_conf": st_conf})
    out["sd"] = float(np.sqrt(v))
    if se is not None:
        out["point_se"] = float(np.sqrt(np.mean(np.square(se))))
    return out
