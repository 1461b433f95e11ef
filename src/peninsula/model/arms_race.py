"""Arms race: Richardson's equations with balance-of-threat weights (Richardson 1960).

Arms level y_i is defence spending relative to the actor's own trend path
(spending_i(t) = spending_i(0) * (1 + g_i)^(t/12) * y_i(t); y = 1 on trend). Monthly:

    dy_i = (1/12) * [ k * (sum_j W_ij * y_j - 1) - a * (y_i - 1) ],   W_ij = T_ij / Theta_i^ref

This is Richardson's N-nation form dx_i/dt = sum_j k_ij x_j - a_i x_i + g_i with reaction
k_ij = k * W_ij (threat-weighted, so allies' arms weigh nothing and rivals' arms pool), fatigue a
and grievance g_i = a - k fixed so that the start, at reference threat, is on trend. With k = 0
arms stay on trend whatever the threat; with k > 0 a rise in one side's arms or perceived threat
raises the other's, and the pair grows jointly. The linear system is stable while
a > k * spectral_radius(W) (Richardson; Hayes' condition a*b > k*l for two actors).
Units: y is dimensionless; k and a are per year.
"""

from __future__ import annotations

import numpy as np

from peninsula.model.ordered import ordered_sum
from peninsula.model.types import Array


def arms_step(
    level: np.ndarray, threat: np.ndarray, theta_ref: np.ndarray, reaction: np.ndarray,
    fatigue: np.ndarray,
) -> np.ndarray:
    """Advance arms levels (runs x 6) one month given threat T (runs x 6 x 6) and Theta^ref.

    sum_j W_ij y_j is computed as (sum_j T_ij y_j) * (1 / Theta_i^ref), and 1/12 multiplies:
    no division per run-month (as in engine/fused.py).
    """
    pressure = ordered_sum(threat * level[:, None, :], axis=2) * (1.0 / theta_ref) - 1.0
    dy = (reaction[:, None] * pressure - fatigue[:, None] * (level - 1.0)) * (1.0 / 12.0)
    return np.maximum(level + dy, 0.05)


def spending(level: np.ndarray, spending0: np.ndarray, growth: np.ndarray, month: int) -> Array:
    """Defence spending (USD bn/yr) from arms level and each actor's trend growth."""
    return spending0 * (1.0 + growth) ** (month / 12.0) * level
