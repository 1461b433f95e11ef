"""Sensitivity from one sampled ensemble ("given data"): the delta measure, S1, feature scores.

An ensemble with sampled parameters is already a random sample of the factors: run k has its
own draw x_k of every parameter and its outcome y_k. No design is needed; each factor's
indices come from how y's distribution changes across classes of that factor.

Each factor's N runs are split into M classes of equal size by rank (Plischke et al. 2013:
M = min(ceil(N^(2 / (7 + tanh((1500 - N) / 500)))), 48)). With Y's distribution read on B
bins (its distinct values when it has at most ``DISCRETE_MAX`` of them, as a run's reaching
war does, else B equal-frequency bins):

    delta_i = 1/2 sum_m (n_m / N) sum_b | p_b - p_b|m |       (Borgonovo 2007)
    S1_i    = sum_m (n_m / N) (mean_m - mean)^2 / Var(Y)      (first-order, given data)

delta is the mean total-variation distance between Y's distribution and its distribution
given the factor (0: Y does not depend on X_i; it reads the whole distribution, not only the
variance, so it suits 0/1 outcomes and skewed counts). Both estimators are biased upwards by
chance differences between finite classes. Since the classes are equal-size ranks, that bias
is the same for every factor: it is the estimate's mean over permutations of Y (which break
any dependence), and is subtracted, so a factor Y does not depend on scores about 0. The 95%
interval is 1.96 times the estimate's standard deviation over bootstrap resamples of the runs.
(Plischke's bootstrap correction, 2 d_hat - mean(d_boot), leaves most of this bias in place
for a histogram estimate.) The histogram of
Y makes delta a lower bound of the continuous measure; it replaces SALib's kernel estimate
(SALib.analyze.delta), which takes minutes for the ensembles here and is undefined for
a class whose outcomes are all equal (a 0/1 outcome at a low rate).

Feature scores (``feature_scores``) are the impurity importances of extra-trees (Geurts et al.
2006), as EMA Workbench's ``feature_scoring`` gives them: they sum to one over the factors and
see interactions, with no interval.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

DISCRETE_MAX = 20  # distinct values up to which Y's distribution is read exactly
Y_BINS = 20  # equal-frequency bins of a continuous Y
Z95 = 1.959963984540054


def classes(n: int) -> int:
    """Classes per factor for N runs (Plischke et al. 2013, as SALib uses)."""
    exponent = 2.0 / (7.0 + math.tanh((1500.0 - n) / 500.0))
    return int(min(math.ceil(n ** exponent), 48))


def _y_bins(y: np.ndarray) -> np.ndarray:
    """The bin of each outcome: its distinct value's index, or its equal-frequency bin."""
    values, index = np.unique(y, return_inverse=True)
    if len(values) <= DISCRETE_MAX:
        return index
    edges = np.quantile(y, np.linspace(0.0, 1.0, Y_BINS + 1)[1:-1])
    return np.searchsorted(edges, y, side="right")


def _estimate(cls: np.ndarray, ybin: np.ndarray, y: np.ndarray, m: int, b: int
              ) -> tuple[float, float]:
    """delta and S1 of one factor from its class per run and Y's bin per run."""
    n = len(y)
    counts = np.bincount(cls * b + ybin, minlength=m * b).reshape(m, b)
    n_m = counts.sum(axis=1)
    p = counts.sum(axis=0) / n
    used = n_m > 0
    p_m = counts[used] / n_m[used, None]
    delta = 0.5 * float(np.sum(n_m[used] / n * np.abs(p_m - p).sum(axis=1)))
    var = float(np.var(y))
    if var == 0.0:
        return delta, math.nan
    mean_m = np.bincount(cls, weights=y, minlength=m)[used] / n_m[used]
    s1 = float(np.sum(n_m[used] / n * (mean_m - y.mean()) ** 2)) / var
    return delta, s1


def delta_indices(x: np.ndarray, y: np.ndarray, names: list[str], *, n_boot: int = 200,
                  seed: int = 0, n_classes: int | None = None) -> pd.DataFrame:
    """delta, its 95% interval, S1 and its interval per factor (columns of ``x``, one row per
    run) for outcomes ``y``, less their chance bias. NaN where Y is not finite everywhere.
    ``n_classes`` (default ``classes(N)``) fixes the classes, so that estimates from part of
    the runs compare with the whole's (the histogram estimate grows with the classes)."""
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    n, d = x.shape
    cols = ("delta", "delta_conf", "S1", "S1_conf")
    if not np.isfinite(y).all() or n < 4:
        return pd.DataFrame({"factor": names, **{c: np.full(d, np.nan) for c in cols}})
    m = n_classes or classes(n)
    ybin = _y_bins(y)
    b = int(ybin.max()) + 1
    rng = np.random.default_rng(seed)
    boots = [rng.integers(0, n, n) for _ in range(n_boot)]
    ranks = np.arange(n) * m // n  # equal-size classes of any factor, in rank order
    null = np.array([_estimate(ranks, ybin[p], y[p], m, b)
                     for p in (rng.permutation(n) for _ in range(n_boot))]).mean(axis=0)
    out = {c: np.empty(d) for c in cols}
    for j in range(d):
        def cls_of(idx: np.ndarray, col: np.ndarray = x[:, j]) -> np.ndarray:
            rank = np.argsort(np.argsort(col[idx], kind="stable"), kind="stable")
            return rank * m // len(idx)
        full = np.array(_estimate(cls_of(np.arange(n)), ybin, y, m, b))
        boot = np.array([_estimate(cls_of(i), ybin[i], y[i], m, b) for i in boots])
        corrected = full - null
        conf = Z95 * boot.std(axis=0, ddof=1)
        out["delta"][j], out["S1"][j] = corrected
        out["delta_conf"][j], out["S1_conf"][j] = conf
    return pd.DataFrame({"factor": names, **out})


def feature_scores(x: np.ndarray, y: np.ndarray, names: list[str], *, seed: int = 0
                   ) -> pd.Series:
    """Extra-trees feature scores per factor (sum 1): a classifier for a 0/1 outcome, else a
    regressor; EMA Workbench's defaults (100 trees, 60% of the factors per split)."""
    from sklearn.ensemble import ExtraTreesClassifier, ExtraTreesRegressor

    y = np.asarray(y, dtype=float)
    binary = set(np.unique(y)) <= {0.0, 1.0}
    kind = ExtraTreesClassifier if binary else ExtraTreesRegressor
    trees = kind(n_estimators=100, max_features=0.6, max_depth=8, random_state=seed, n_jobs=1)
    trees.fit(np.asarray(x, dtype=float), y.astype(int) if binary else y)
    return pd.Series(trees.feature_importances_, index=names, name="feature_score")
