"""China-Russia(-DPRK) alignment (0..1): balancing against shared perceived threat (Walt 1987).

    phi  = (rho^A_CHN + rho^A_RUS) / 2         shared threat ratio from the three allies
    a*   = logistic(logit(a_0) + s * (phi - 1))
    a'   = a + (a* - a) / tau_a
    S_eff = sanctions * (1 - leak * a) * (1 - 0.5 * flexible * talks)      sanctions leakage
    polarisation = sqrt(a * cohesion)                                     bloc polarisation

rho^A is each actor's threat from the allies over its reference level, so a = a_0 is a rest
point at the starting posture; alliance militarisation raises phi and pulls a up. Leakage:
China accounts for >90% of DPRK trade and the UN Panel of Experts reports growing evasion
(Noland 2008; UN Panel of Experts); the relief term is the sanctions relief offered for steps (Hanoi 2019).
"""

from __future__ import annotations

import numpy as np

from peninsula.model.beliefs import expit, logit
from peninsula.model.types import Array, Params


def alignment_step(
    a: Array, a0_logit: Array, shared_threat_ratio: Array, p: Params, enabled: bool = True
) -> Array:
    if not enabled:
        return a
    target = expit(a0_logit + p["alignment_threat_sensitivity"] * (shared_threat_ratio - 1.0))
    return np.clip(a + (target - a) * (1.0 / p["alignment_months"]), 0.0, 1.0)


def effective_sanctions(
    sanctions: Array, alignment: Array, flexible: Array, talks: Array, p: Params, enabled: bool = True
) -> Array:
    leak = p["sanctions_leakage"] * alignment if enabled else 0.0
    return sanctions * (1.0 - leak) * (1.0 - 0.5 * flexible * talks)


def polarization(alignment: Array, cohesion: Array) -> Array:
    """Bloc polarisation: high only when both camps are cohesive (geometric mean)."""
    return np.sqrt(np.clip(alignment, 0, 1) * np.clip(cohesion, 0, 1))


__all__ = ["alignment_step", "effective_sanctions", "polarization", "logit"]
