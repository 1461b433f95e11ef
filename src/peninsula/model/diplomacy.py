"""Diplomacy and denuclearisation, with the brief's "cornered" effect.

    pressure = 0.5 * sanctions + 0.3 * min(D, 2) / 2 + 0.2 * (md + infra) / 2      (0..1)
    offers   = flexible * min(1, 0.5 + tension)        off-ramps, offered more when tension is high
    W        = logistic( logit(w_0) - w_p * (pressure - pressure_ref) * (1 - o * offers)
                         + w_o * offers + 2 * (trust_PRK,USA - 0.15) )
    talks start:    P = 1 - exp(-(r_s / 12) * W * (0.5 + 0.5 * flexible))
    talks collapse: P = 1 - exp(-(r_c / 12) * (0.5 + tension) * (1 - 0.5 * flexible))
    in talks, a verified step with P = 1 - exp(-(r_d / 12) * (1 + relief * flexible)):
        progress' = progress + step * (1 - progress)
    out of talks: progress' = progress * (1 - r_rev / 12)

"Cornered": pressure without off-ramps (offers = 0) lowers willingness W; off-ramps remove a
share o of that cornering and add w_o. pressure_ref is the pressure under the reference policy
(levers.REFERENCE_LEVERS); 0.15 is the DPRK's trust in the US at the start of 2026 (baseline
scenario), so w_0 is today's willingness. The trust weight 2 (logit per unit trust) is judgement.
"""

from __future__ import annotations

import numpy as np

from peninsula.model.beliefs import expit, logit
from peninsula.model.types import Array, Params


def pressure_index(
    sanctions: Array, drill_memory: Array, missile_defense: Array, infrastructure: Array
) -> Array:
    return (
        0.5 * sanctions
        + 0.3 * np.minimum(drill_memory, 2.0) / 2.0
        + 0.2 * (missile_defense + infrastructure) / 2.0
    )


def offers(flexible: Array, tension: Array) -> Array:
    return flexible * np.minimum(1.0, 0.5 + tension)


REFERENCE_TRUST_PRK_USA = 0.15


def willingness(
    pressure_excess: Array, offer: Array, trust_gap: Array, p: Params, cornered: bool = True
) -> Array:
    """DPRK willingness to talk (0..1); pressure_excess is pressure minus the reference level."""
    push = p["cornered_pressure_weight"] * pressure_excess * (1.0 - p["offramp_effect"] * offer)
    z = logit(p["willingness_baseline"]) + p["offer_willingness_gain"] * offer + 2.0 * trust_gap
    if cornered:
        z = z - push
    return expit(z)


def talks_step(
    talks: Array, will: Array, flexible: Array, tension: Array, u_start: Array, u_end: Array, p: Params
) -> Array:
    """Start or end talks (bool runs,) from one uniform draw each."""
    p_start = 1.0 - np.exp(-p["talks_start_rate_per_year"] / 12.0 * will * (0.5 + 0.5 * flexible))
    p_end = 1.0 - np.exp(-p["talks_collapse_rate_per_year"] / 12.0 * (0.5 + tension) * (1.0 - 0.5 * flexible))
    return np.where(talks, u_end >= p_end, u_start < p_start)


def denuclearization_step(
    progress: Array, talks: Array, flexible: Array, u_step: Array, p: Params
) -> tuple[Array, Array]:
    """Return (new progress, step-taken mask)."""
    rate = p["denuclearization_step_rate_per_year"] / 12.0 * (1.0 + p["sanctions_relief_effect"] * flexible)
    step = talks & (u_step < 1.0 - np.exp(-rate))
    up = progress + p["denuclearization_step"] * (1.0 - progress)
    down = progress * (1.0 - p["denuclearization_reversal_per_year"] / 12.0)
    return np.where(step, up, np.where(talks, progress, down)), step
