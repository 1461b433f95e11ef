"""China-Russia(-DPRK) alignment (0..1): balancing against shared perceived threat (Walt 1987).

    phi  = (rho^A_CHN + rho^A_RUS) / 2         shared threat ratio from the three allies
    a*   = logistic(logit(a_0) + s * (phi - 1))                         (outside_drivers off)
    a*   = logistic(logit(a_0) + s * w_A * (phi - 1)
                    + s_R * (R - R_0) + s_U * (U - U_0))                (outside_drivers on)
    a'   = a + (a* - a) / tau_a
    S_eff = sanctions * (1 - leak * a) * (1 - 0.5 * flexible * talks)      sanctions leakage
    relief = sanctions * (1 - leak * a) * 0.5 * flexible * talks            relief granted in talks
    polarisation = sqrt(a * cohesion)                                     bloc polarisation

rho^A is each actor's threat from the allies over its reference level, so a = a_0 is a rest
point at the starting posture; alliance militarisation raises phi and pulls a up. Leakage:
China accounts for >90% of DPRK trade and the UN Panel of Experts reports growing evasion
(Noland 2008; UN Panel of Experts); the relief term is the sanctions relief offered for steps (Hanoi 2019).

Outside drivers: China and Russia align against the United States worldwide, not only over the
peninsula, so the allies' threat term is scaled by the peninsula's share w_A of their shared
concerns, and the US-China rivalry index R and the Russia-West confrontation U (levers, 0..1)
move the target by their own sensitivities from their values at the start (R_0, U_0: the
scenario's [state], today's by default; 2006's in the historical replay), so the starting state
stays a rest point under the posture and the drivers of its start.
"""

from __future__ import annotations

import math

from peninsula.model.beliefs import expit, logit
from peninsula.model.compiled import mechanism
from peninsula.model.rates import clip

FLEXIBLE_TALKS_RELIEF = 0.5  # share of sanctions relaxed while talks run under full flexibility
PATROLS_PER_YEAR_AT_FULL_ALIGNMENT = 2.5  # observation model: 1-2 joint patrols/yr 2019-2025


@mechanism
def shared_threat(rho_chn_allies, rho_rus_allies):
    """phi = (rho^A_CHN + rho^A_RUS) / 2: the threat China and Russia share from the allies."""
    return (rho_chn_allies + rho_rus_allies) / 2.0


@mechanism
def peninsula_threat(q, shared_threat_ratio, outside_drivers):
    """1 + w_A * (phi - 1): the shared threat ratio scaled by the peninsula's share of China's and
    Russia's concerns (phi itself when the outside drivers are off)."""
    if outside_drivers:
        return 1.0 + q.alignment_peninsula_share * (shared_threat_ratio - 1.0)
    return shared_threat_ratio


@mechanism
def driven_anchor(q, a0_logit, rivalry, confrontation, rivalry0, confrontation0,
                  outside_drivers):
    """logit(a_0) + s_R * (R - R_0) + s_U * (U - U_0): the target's logit at the reference
    threat under this month's outside drivers (logit(a_0) when they are off)."""
    if outside_drivers:
        return (a0_logit + q.alignment_rivalry_sensitivity * (rivalry - rivalry0)
                + q.alignment_confrontation_sensitivity * (confrontation - confrontation0))
    return a0_logit


@mechanism
def alignment_step(q, a, a0_logit, shared_threat_ratio, rate):
    """a' = a + (a* - a) / tau_a, a* = logistic(logit(a_0) + s * (phi - 1)), clipped to [0, 1]."""
    target = expit(a0_logit + q.alignment_threat_sensitivity * (shared_threat_ratio - 1.0))
    return clip(a + (target - a) * rate, 0.0, 1.0)


@mechanism
def effective_sanctions(q, sanctions, alignment, flexible, talks, bloc_support):
    """S_eff = sanctions * (1 - leak * a) * (1 - 0.5 * flexible * talks)."""
    leak = q.sanctions_leakage * alignment if bloc_support else 0.0
    return sanctions * (1.0 - leak) * (1.0 - FLEXIBLE_TALKS_RELIEF * flexible * talks)


@mechanism
def relief(q, sanctions, alignment, flexible, talks, bloc_support):
    """Sanctions relief granted in talks: sanctions * (1 - leak * a) * 0.5 * flexible * talks,
    the part of the (leaked) sanctions that effective_sanctions removes for talks."""
    leak = q.sanctions_leakage * alignment if bloc_support else 0.0
    return sanctions * (1.0 - leak) * FLEXIBLE_TALKS_RELIEF * flexible * talks


@mechanism
def polarization(alignment, cohesion):
    """Bloc polarisation: high only when both camps are cohesive (geometric mean)."""
    return math.sqrt(clip(alignment, 0.0, 1.0) * clip(cohesion, 0.0, 1.0))


@mechanism
def patrol_rate(alignment):
    """Expected China-Russia joint air patrols this month (the observation model)."""
    return PATROLS_PER_YEAR_AT_FULL_ALIGNMENT / 12.0 * alignment


ALIGNMENT_BOUND = 0.01  # the starting alignment is held within [0.01, 0.99] for its logit


@mechanism
def baseline_logit(a0):
    """logit(a_0) of the starting alignment: the rest point at the reference threat."""
    return logit(clip(a0, ALIGNMENT_BOUND, 1.0 - ALIGNMENT_BOUND))
