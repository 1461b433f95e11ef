"""Balance of threat (Walt 1985, 1987): how much each actor fears each other actor.

Equations (i observes j; all arrays runs x actors [x actors]):

    O_j   = O_j^0 + w_d * d(t) * (1 - c_d * clarity) + w_md * md + w_inf * infra   (j in allies)
    O_PRK = O_PRK^0 * sqrt(N(t) / N(0))                    (DPRK posture grows with capability)
    P_j   = C_j / sum_k C_k,   C_j = spending_j * theatre_share_j * tech_j         (power share)
    P_j^alpha is evaluated as exp(alpha * ln P_j): the same number to rounding, at half the cost
    of pow in the compiled step (engine/fused.py).
    T_ij  = P_j^alpha * prox_ij * (1 + beta * O_ij) * (1 - trust_ij) * (1 - f * forum)
            with O_ij = O_j * s_RUS for i = RUS and j in allies (Russia's encirclement concern)
            and T_ij *= (1 - h * open_communication) for i in {CHN, RUS}
    Theta_i = sum_j T_ij;      threat ratio rho_i = Theta_i / Theta_i^ref

Theta^ref is the same formula at the scenario's starting state under the fixed reference policy
(levers.REFERENCE_LEVERS, drills averaged over the year), so rho = 1 means "as threatened as
under today's posture"; a scenario's own levers move rho away from 1. Units: T and
Theta are dimensionless indices. Walt names the four factors; the functional form is ours
(derived). Deployments weigh more than drills of the same size because
w_md, w_inf > w_d and deployments act every month while drills act only in drill months.
"""

from __future__ import annotations

import numpy as np

from peninsula.model.actors import ALLIES, BLOC, PRK, PROXIMITY, RUS
from peninsula.model.ordered import ordered_sum

ALLY_MASK = np.zeros(6, dtype=bool)
ALLY_MASK[list(ALLIES)] = True


def alliance_posture(
    base: np.ndarray,
    drill: np.ndarray,
    missile_defense: np.ndarray,
    infrastructure: np.ndarray,
    clarity: np.ndarray,
    p: dict,
    enabled: bool = True,
) -> np.ndarray:
    """Offensive posture O_j of every actor (runs x 6) before the DPRK capability term."""
    out = base.copy()
    if not enabled:
        return out
    extra = (
        p["drill_offense_weight"] * drill * (1.0 - p["clarity_drill_discount"] * clarity)
        + p["missile_defense_offense_weight"] * missile_defense
        + p["infrastructure_offense_weight"] * infrastructure
    )
    out[:, ALLY_MASK] += extra[:, None]
    return out


def perceived_threat(
    capability: np.ndarray,
    posture: np.ndarray,
    trust: np.ndarray,
    p: dict,
    open_communication: np.ndarray,
    multilateral: np.ndarray,
) -> np.ndarray:
    """T_ij (runs x 6 x 6): threat actor i perceives from actor j."""
    share = capability / ordered_sum(capability, axis=1)[:, None]
    power = np.exp(p["threat_power_exponent"][:, None] * np.log(share))  # share ** alpha
    offense = np.broadcast_to(posture[:, None, :], trust.shape).copy()
    offense[:, RUS, ALLY_MASK] *= p["russia_encirclement_sensitivity"][:, None]
    t = (
        power[:, None, :]
        * PROXIMITY[None]
        * (1.0 + p["threat_offense_weight"][:, None, None] * offense)
        * (1.0 - trust)
    )
    t *= (1.0 - p["forum_threat_reduction"] * multilateral)[:, None, None]
    hotline = 1.0 - p["hotline_threat_reduction"] * open_communication
    t[:, list(BLOC), :] *= hotline[:, None, None]
    return t


def threat_from_allies(threat: np.ndarray) -> np.ndarray:
    """Threat each actor perceives from the three allies together (runs x 6)."""
    return ordered_sum(threat[:, :, ALLY_MASK], axis=2)


def dprk_posture(base_prk: np.ndarray, capability_ratio: np.ndarray) -> np.ndarray:
    """DPRK offensive posture scales with the square root of its capability relative to start."""
    return base_prk * np.sqrt(capability_ratio)


__all__ = ["alliance_posture", "perceived_threat", "threat_from_allies", "dprk_posture", "PRK"]
