"""Deterrence: alliance credibility and the DPRK's deliberate-aggression hazard.

    C_A      = sum_{j in allies} C_j                     pooled allied capability (USD bn, theatre)
    C_adv    = C_PRK + alignment * b * (C_CHN + C_RUS)   DPRK plus the support its bloc may lend
    balance  = C_A / C_adv                               power ratio, reported every month
    resolve  = min(1, R * (1 + g_d * D(t)))              D: drill memory, D' = D + (d - D)/tau_d
    cred     = balance / (1 + balance) * cohesion * resolve
    h_delib  = (r_delib / 12) * (1 - cred)^gamma          per month, at rungs provocation/crisis
    h_war    = h_dw * (1 - cred)^gamma                    per month, deliberate clash -> war

Credibility is the product the design names (pooled capability x cohesion x
resolve). Drills raise credibility through D and, separately, raise threat in threat.py:
both faces are in the model, and which dominates depends on parameters (w_d, l_d, g_d, gamma).
The bloc-backing share b is fixed at 0.3 (judgement: China and Russia would lend political and
material, not combat, support; Korolev 2018; Sino-Russian alignment studies 2024).
"""

from __future__ import annotations

import numpy as np

from peninsula.model.actors import ALLIES, CHN, PRK, RUS
from peninsula.model.ordered import ordered_sum
from peninsula.model.types import Array, Params

BLOC_BACKING_SHARE = 0.3


def power_balance(capability: np.ndarray, alignment: np.ndarray) -> np.ndarray:
    """Alliance capability over DPRK capability plus aligned bloc support (runs,)."""
    allied = ordered_sum(capability[:, list(ALLIES)], axis=1)
    adversary = capability[:, PRK] + alignment * BLOC_BACKING_SHARE * (
        capability[:, CHN] + capability[:, RUS]
    )
    return allied / adversary


def credibility(
    balance: Array, cohesion: Array, drill_memory: Array, p: Params, enabled: bool = True
) -> Array:
    """Alliance credibility (0..1) = pooled capability term x cohesion x resolve."""
    gain = p["drill_credibility_gain"] if enabled else 0.0
    resolve = np.minimum(1.0, p["alliance_resolve"] * (1.0 + gain * drill_memory))
    return balance / (1.0 + balance) * cohesion * resolve


def deliberate_hazard(cred: Array, p: Params, enabled: bool = True) -> tuple[Array, Array]:
    """Monthly hazards (attack at provocation/crisis, war from a clash) of deliberate aggression."""
    attack = p["deliberate_aggression_rate_per_year"] / 12.0
    war = p["deliberate_war_per_month"]
    if not enabled:  # no deterrent effect: credibility counts as zero
        return attack, war
    # (1 - cred)^gamma, written exp(gamma ln(1 - cred)) as in engine/fused.py (cred < 1)
    factor = np.exp(p["deterrence_elasticity"] * np.log(1.0 - cred))
    return attack * factor, war * factor
