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

from peninsula.model.compiled import mechanism
from peninsula.model.rates import clip


@mechanism
def summit_probability(summits_per_year):
    """P(a trilateral summit this month) = min(1, f_summit / 12)."""
    return min(1.0, summits_per_year / 12.0)


@mechanism
def cohesion_step(q, c, summit, grievance, turnover, intel, decay_per_month, intel_gain_per_month):
    """Advance cohesion one month; summit, grievance and turnover are 0 or 1 this month."""
    c = (c
         + q.summit_cohesion_gain * summit * (1.0 - c)
         - decay_per_month * (c - q.cohesion_floor)
         + intel_gain_per_month * intel * (1.0 - c)
         - q.grievance_shock_size * grievance
         - q.turnover_shock_size * turnover)
    return clip(c, 0.0, 1.0)
