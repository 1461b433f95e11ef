"""DPRK nuclear and missile capability (warhead-equivalents).

    I   = max(0, 1 + e * (rho_PRK - 1))                      investment, rising with threat
    N'  = N * [1 + (g / 12) * I * (1 - drag * S_eff) * (1 - freeze * talks) * (1 + b * a)]
    N' -= N * step_size  at each denuclearisation step (dismantlement)
    N' *= 1 + (g / 12) * f_r * relief      sanctions relief funds the programme (switch
                                           relief_funding; relief: alignment.relief)

Growth is monotone in investment; sanctions, deals (talks) and steps slow or reverse it; bloc
alignment a speeds it (technology support, Russia-DPRK 2024 treaty). Baseline growth
g ~ 10%/yr follows SIPRI's estimate of ~50 assembled warheads with fissile material for ~90.
Relief funding: revenue the programme gains from sanctions relief adds growth that the deal's
freeze does not stop (the UN Panel of Experts on the DPRK reports revenue from sanctioned trade
and cyber theft used for the weapons programmes; f_r's size is judgement, 0 = relief funds
nothing).
"""

from __future__ import annotations

from peninsula.model.compiled import mechanism


@mechanism
def capability_step(q, n, rho_prk, sanctions_eff, talks, alignment, growth_per_month,
                    bloc_support):
    """Advance DPRK capability N one month (before any dismantlement)."""
    invest = max(0.0, 1.0 + q.dprk_threat_investment_elasticity * (rho_prk - 1.0))
    support = 1.0 + (q.bloc_tech_support * alignment if bloc_support else 0.0)
    drag = 1.0 - q.sanctions_drag * sanctions_eff
    freeze = 1.0 - q.deal_freeze * talks
    return n * (1.0 + growth_per_month * invest * drag * freeze * support)


@mechanism
def dismantle(q, n):
    """N after a verified denuclearisation step: N * (1 - step size)."""
    return n * (1.0 - q.denuclearization_step)


@mechanism
def relief_funded_step(q, n, relief, growth_per_month, enabled):
    """N * (1 + (g / 12) * f_r * relief): growth funded by sanctions relief (N when off)."""
    if not enabled:
        return n
    return n * (1.0 + growth_per_month * q.relief_funding_effect * relief)


@mechanism
def capability_ratio(n, n0):
    """N(t) / N(0): DPRK capability relative to the scenario's start (dimensionless; scales the
    DPRK's posture, threat.posture, and the war -> nuclear-use hazard, escalation.up_hazards)."""
    return n / n0
