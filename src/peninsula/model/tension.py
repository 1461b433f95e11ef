"""Peninsula tension (0..1): an EWMA of monthly net Goldstein conflict on the DPRK-allies dyads.

    NC(t)  = sum_e G(e) * count_e(t)          over DPRK<->allies events (drills weighted by d(t))
    tau_in = clip(-NC(t) / G_scale, 0, 1) * (1 - f * forum)
    tau'   = tau + (tau_in - tau) / tau_T

This is the dyadic tension index of Goldstein & Pevehouse (1997) (exponentially
smoothed negative net cooperation) computed on the simulator's own CAMEO-coded event stream, so it
can be compared with, and initialised from, GDELT or ICEWS series. Forums lower baseline tension
among all (Russett et al. 1998 effect, wide prior).
"""

from __future__ import annotations

import numpy as np

from peninsula.model.events import GOLDSTEIN, TENSION_EVENTS
from peninsula.model.ordered import ordered_sum
from peninsula.model.types import Array, Params


def net_goldstein(weighted_counts: np.ndarray) -> np.ndarray:
    """Net Goldstein score of this month's tension-relevant events (runs,)."""
    return ordered_sum(weighted_counts[:, TENSION_EVENTS] * GOLDSTEIN[TENSION_EVENTS], axis=1)


def tension_step(tension: Array, net: Array, forum: Array, p: Params) -> Array:
    target = np.clip(-net * (1.0 / p["tension_goldstein_scale"]), 0.0, 1.0)
    target = target * (1.0 - p["forum_threat_reduction"] * forum)
    return tension + (target - tension) * (1.0 / p["tension_memory_months"])
