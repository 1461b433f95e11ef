"""Peninsula tension (0..1): an EWMA of monthly net Goldstein conflict on the DPRK-allies dyads.

    NC(t)  = sum_e G(e) * count_e(t)          over DPRK<->allies events (drills weighted by d(t))
    tau_in = min(1, clip(-NC(t) / G_scale, 0, 1) * (1 - f * forum))   (f < 0: a forum that harms)
    tau'   = tau + (tau_in - tau) / tau_T

This is the dyadic tension index of Goldstein & Pevehouse (1997) (exponentially
smoothed negative net cooperation) computed on the simulator's own CAMEO-coded event stream, so it
can be compared with, and initialised from, GDELT or ICEWS series. Forums lower baseline tension
among all (Russett et al. 1998 effect, wide prior).
"""

from __future__ import annotations

import numpy as np

from peninsula.model.compiled import mechanism
from peninsula.model.events import EVENT_INDEX, GOLDSTEIN, TENSION_EVENTS
from peninsula.model.rates import clip

TENSION_EVENT_INDEX = np.flatnonzero(TENSION_EVENTS).astype(np.int64)
DRILL_EVENT = EVENT_INDEX["joint_drill"]  # a drill month counts with its intensity d(t)


@mechanism
def net_goldstein(counts, drill):
    """NC(t) = sum_e G(e) * count_e(t) over the DPRK-allies events, drills weighted by d(t)."""
    net = 0.0
    for e in TENSION_EVENT_INDEX:
        weight = drill if e == DRILL_EVENT else float(counts[e])
        net += weight * GOLDSTEIN[e]
    return net


@mechanism
def inverse_scale(q):
    """1 / G_scale: the net Goldstein score that counts as full tension, inverted once per run."""
    return 1.0 / q.tension_goldstein_scale


@mechanism
def tension_step(tension, net, inverse_goldstein_scale, forum_cut, rate):
    """tau' = tau + (tau_in - tau) / tau_T, tau_in = min(1, clip(-NC / G_scale, 0, 1) * forum
    cut): tension stays within 0..1 when a forum's effect is harmful (a cut above 1)."""
    target = min(1.0, clip(-net * inverse_goldstein_scale, 0.0, 1.0) * forum_cut)
    return tension + (target - tension) * rate
