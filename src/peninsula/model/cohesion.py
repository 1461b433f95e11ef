"""Trilateral cohesion (0..1): raised by summits, eroded by grievance and turnover shocks.

    c' = c + g_s * S(t) * (1 - c)                         summit S ~ Bernoulli(f_summit / 12)
           - (delta / 12) * (c - c_floor)                 drift to the floor without summitry
           + (g_i / 12) * intel * (1 - c)                 intelligence sharing keeps habits alive
           - s_g * G(t) - s_t * U(t)                      grievance G ~ Bern(r_g/12), turnover U
    clipped to [0, 1].

Basis: Camp David (2023) institutionalised annual summits; ROK-Japan grievances (2012 GSOMIA
cancellation, 2018 radar incident, 2019 export controls) and leadership turnover (ROK single
five-year term) are the recorded erosions. Coefficients are judgement (parameter registry).
"""

from __future__ import annotations

import numpy as np

from peninsula.model.types import Array, Params


def cohesion_step(
    c: Array, summit: Array, grievance: Array, turnover: Array, intel: Array, p: Params, enabled: bool = True
) -> Array:
    """Advance cohesion (runs,) one month."""
    if not enabled:
        return c
    c = (
        c
        + p["summit_cohesion_gain"] * summit * (1.0 - c)
        - p["cohesion_decay_per_year"] / 12.0 * (c - p["cohesion_floor"])
        + p["intelligence_cohesion_gain_per_year"] / 12.0 * intel * (1.0 - c)
        - p["grievance_shock_size"] * grievance
        - p["turnover_shock_size"] * turnover
    )
    return np.clip(c, 0.0, 1.0)
