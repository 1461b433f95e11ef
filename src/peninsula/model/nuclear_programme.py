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

Nuclear tests: the model draws none (the six tests of 2006-2017 are in the record, not in the
launch process; the back-test lists them as not modelled). A test forced in a month (lever
``nuclear_test_override``, a wargame's inject) is an event of the log (``nuclear_test``, CAMEO
15, the missile tests' root) and acts only through what the model does with such an event: its
Goldstein weight enters tension as one launch's does (tension.py), and it lifts the month's
floor of the ladder to provocation (escalation.tested_floor). It changes no capability N (a test
shows the stock SIPRI counts, it does not add to it), announces no programme and moves no
sanctions: the model has no estimate of those responses, and a team or facilitator sets them
with their own levers.
"""

from __future__ import annotations

from peninsula.model.compiled import mechanism

NUCLEAR_TEST_ON = 0.5  # a nuclear_test_override of at least this forces a test that month


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


@mechanism
def forced_tests(override):
    """Nuclear tests in a month: 1 when nuclear_test_override >= 0.5 (an inject), else 0."""
    return 1 if override >= NUCLEAR_TEST_ON else 0
