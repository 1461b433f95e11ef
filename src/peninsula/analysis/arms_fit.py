"""Fit Richardson's arms-race equations to yearly data, by ordinary least squares.

Combined form (Richardson 1960, the form he fitted to 1909-1913):
    Delta U_t = k * (U_t - U_0),   U = sum of both sides' arms,  U_t taken at mid-interval
    (mean of years t and t+1, Richardson's practice) or at the start (``at="start"``).
    OLS of Delta U on [1, U]: k = slope, U_0 = -intercept / slope; se(k) from OLS.

Two-equation form (discrete; USMA teaching form):
    Delta x_t = k * y_t - a * x_t + g,      Delta y_t = l * x_t - b * y_t + h
    reaction = k (l), fatigue = a (b), grievance = g (h), each with its OLS standard error.

No-interaction test (after Majeski & Jones 1981): H0 reaction = 0 by the t statistic of the
rival's term, two-sided p-value from Student's t with n - 3 degrees of freedom.

Equilibrium and stability: x* = (b g + k h)/(a b - k l), y* = (l g + a h)/(a b - k l); the
eigenvalues of J = [[-a, k], [l, -b]] classify it: both negative real = stable node,
opposite signs = saddle, both positive = runaway, complex = stable/unstable focus. Richardson's
condition for stability is a b > k l.
"""

from __future__ import annotations

import numpy as np
from scipy import stats


def ols(y: np.ndarray, X: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
    """Coefficients, standard errors and residual degrees of freedom."""
    n, p = X.shape
    if n <= p:
        raise ValueError(f"need more than {p} observations, got {n}")
    if np.linalg.matrix_rank(X) < p:  # e.g. one side a fixed offset of the other
        raise ValueError("the regressors are collinear (one series moves in lockstep with "
                         "the other or with time), so their effects cannot be separated")
    beta, *_ = np.linalg.lstsq(X, y, rcond=None)
    resid = y - X @ beta
    dof = n - p
    sigma2 = float(resid @ resid) / dof
    cov = sigma2 * np.linalg.inv(X.T @ X)
    return beta, np.sqrt(np.diag(cov)), dof


def fit_combined(u: np.ndarray, at: str = "mid") -> dict:
    """Richardson's combined form Delta U = k (U - U0)."""
    u = np.asarray(u, dtype=float)
    du = np.diff(u)
    level = (u[1:] + u[:-1]) / 2.0 if at == "mid" else u[:-1]
    beta, se, dof = ols(du, np.column_stack([np.ones_like(level), level]))
    k = float(beta[1])
    return {"k": k, "u0": float(-beta[0] / k) if k != 0 else float("nan"),
            "k_se": float(se[1]), "intercept": float(beta[0]), "n": int(len(du)), "at": at}


def _side(own: np.ndarray, rival: np.ndarray) -> dict:
    d = np.diff(own)
    X = np.column_stack([rival[:-1], own[:-1], np.ones(len(d))])
    beta, se, dof = ols(d, X)
    t = beta[0] / se[0] if se[0] > 0 else np.inf
    p = float(2 * stats.t.sf(abs(t), dof))
    return {"reaction": float(beta[0]), "reaction_se": float(se[0]),
            "fatigue": float(-beta[1]), "fatigue_se": float(se[1]),
            "grievance": float(beta[2]), "grievance_se": float(se[2]),
            "no_interaction_t": float(t), "no_interaction_p": p, "n": int(len(d))}


def classify(a: float, b: float, k: float, l: float) -> str:
    eig = np.linalg.eigvals(np.array([[-a, k], [l, -b]]))
    if np.any(np.abs(eig.imag) > 1e-12):
        return "stable focus" if eig.real.max() < 0 else "unstable focus"
    re = np.sort(eig.real)
    if re[1] < 0:
        return "stable node"
    if re[0] > 0:
        return "runaway"
    return "saddle" if re[0] < 0 < re[1] else "degenerate"


def fit_pair(x: np.ndarray, y: np.ndarray) -> dict:
    """Two-equation Richardson fit with equilibrium and stability."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    fx, fy = _side(x, y), _side(y, x)
    a, b, k, l = fx["fatigue"], fy["fatigue"], fx["reaction"], fy["reaction"]
    g, h = fx["grievance"], fy["grievance"]
    det = a * b - k * l
    eq = ({"x": (b * g + k * h) / det, "y": (l * g + a * h) / det} if abs(det) > 1e-12
          else {"x": None, "y": None})
    return {"x": fx, "y": fy, "equilibrium": eq, "stability": classify(a, b, k, l),
            "richardson_condition_ab_gt_kl": bool(det > 0)}


def fit_arms_race(x: np.ndarray, y: np.ndarray, at: str = "mid") -> dict:
    """Both forms: JSON-ready result with keys combined, pair, equilibrium, stability.

    Raises ValueError naming the side (x or y) and position of a missing or infinite value."""
    for side, series in (("x", x), ("y", y)):
        values = np.asarray(series, dtype=float)
        bad = np.flatnonzero(~np.isfinite(values))
        if bad.size:
            raise ValueError(f"series {side} holds a non-finite value ({values[bad[0]]:g}) at "
                             f"position {bad[0] + 1}; every year needs a finite number")
    pair = fit_pair(x, y)
    return {"combined": fit_combined(np.asarray(x) + np.asarray(y), at=at),
            "pair": {"x": pair["x"], "y": pair["y"]},
            "equilibrium": pair["equilibrium"], "stability": pair["stability"],
            "richardson_condition_ab_gt_kl": pair["richardson_condition_ab_gt_kl"]}
