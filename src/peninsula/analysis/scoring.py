"""Proper scores of ensemble forecasts of counts (Gneiting & Raftery 2007; Czado et al. 2009).

Every forecaster of the back-test, the model and each benchmark, is scored the same way: from an
ensemble of n draws of its predictive distribution.

- CRPS (continuous ranked probability score), ensemble form
      CRPS(F, y) = E|X - y| - E|X - X'| / 2,
  computed exactly for the empirical distribution of the draws with the sorted-sample identity
  E|X - X'| / 2 = sum_i x_(i) (2i - n - 1) / n^2. Lower is better; for a single value it is the
  absolute error.
- Log score: the negative log of the predictive probability of the observed count. An ensemble's
  probability of a count it never drew is 0, so each forecaster's probabilities are smoothed the
  same way, with one pseudo-draw spread evenly over the counts 0..support_max:
      p(y) = (#{x_i = y} + 1 / (support_max + 1)) / (n + 1).
  The score is therefore at most log((n + 1) (support_max + 1)) (for y <= support_max); lower is
  better. The smoothing is a stated convention of this project, the same for every forecaster.
- Brier score of the probability of an event (here "threshold or more missiles", or a year
  with an armed clash): (p - 1{event})^2.
- Log score of the probability of an event: -log p if it happened, -log(1 - p) if not (lower
  is better, the same sign as the count log score).
- Randomised PIT for counts (Czado, Gneiting & Held 2009): F(y - 1) + v (F(y) - F(y - 1)) with
  v uniform on [0, 1] and F the ensemble's distribution function; uniform on [0, 1] when the
  forecasts are calibrated.
- Central interval coverage: whether y lies in [q_{(1 - level)/2}, q_{(1 + level)/2}] of the
  draws.
"""

from __future__ import annotations

import numpy as np

SUPPORT_MAX_YEAR = 400  # log-score smoothing support of a year's (12 months') count (record: 69)
SUPPORT_MAX_MONTH = 100  # and of a month's count (record: 15)


def crps_ensemble(samples: np.ndarray, y: float) -> float:
    """CRPS of the ensemble ``samples`` for the outcome ``y`` (exact for the empirical law)."""
    x = np.sort(np.asarray(samples, dtype=float))
    n = len(x)
    term1 = np.mean(np.abs(x - y))
    term2 = np.sum(x * (2 * np.arange(1, n + 1) - n - 1)) / (n * n)
    return float(term1 - term2)


def log_score_ensemble(samples: np.ndarray, y: int, support_max: int) -> float:
    """Negative log predictive probability of count ``y``, with one pseudo-draw spread evenly
    over 0..support_max (the module docstring)."""
    x = np.asarray(samples)
    n = len(x)
    floor = 1.0 / (support_max + 1) if 0 <= y <= support_max else 0.0
    p = (np.count_nonzero(x == y) + floor) / (n + 1)
    return float(-np.log(p)) if p > 0 else float("inf")


def brier(probability: float, event: bool) -> float:
    """(p - 1{event})^2."""
    return float((probability - (1.0 if event else 0.0)) ** 2)


def log_score_binary(probability: float, event: bool) -> float:
    """-log p of an event that happened, -log(1 - p) of one that did not."""
    p = probability if event else 1.0 - probability
    return float(-np.log(p)) if p > 0 else float("inf")


def pit_randomised(samples: np.ndarray, y: int, v: float) -> float:
    """Randomised PIT of count ``y``: F(y - 1) + v (F(y) - F(y - 1)), F the ensemble's CDF."""
    x = np.asarray(samples)
    n = len(x)
    below = np.count_nonzero(x < y) / n
    at = np.count_nonzero(x == y) / n
    return float(below + v * at)


def covers(samples: np.ndarray, y: float, level: float) -> bool:
    """Whether ``y`` lies in the central ``level`` interval of the draws."""
    lo, hi = np.quantile(np.asarray(samples, dtype=float), [(1 - level) / 2, (1 + level) / 2])
    return bool(lo <= y <= hi)


def pit_histogram(pits: np.ndarray, bins: int = 10) -> list[float]:
    """Share of PIT values in each of ``bins`` equal bins of [0, 1] (uniform: 1 / bins each)."""
    counts, _ = np.histogram(np.clip(np.asarray(pits, dtype=float), 0.0, 1.0), bins=bins,
                             range=(0.0, 1.0))
    return [float(c) for c in counts / max(1, len(pits))]
