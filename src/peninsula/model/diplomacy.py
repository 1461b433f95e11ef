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
scenario), so w_0 is today's willingness. The trust weight 2 (logit per unit trust) and the
pressure weights 0.5 / 0.3 / 0.2 are judgement.
"""

from __future__ import annotations

from peninsula.model.beliefs import expit, logit
from peninsula.model.compiled import mechanism

# pressure index: weights of sanctions, drills and standing deployments (judgement; sum 1)
PRESSURE_WEIGHT_SANCTIONS = 0.5
PRESSURE_WEIGHT_DRILLS = 0.3
PRESSURE_WEIGHT_DEPLOYMENTS = 0.2
DRILL_MEMORY_CAP = 2.0  # drill memory at which the drill term of pressure saturates
OFFER_TENSION_OFFSET = 0.5  # offers = flexible * min(1, 0.5 + tension)
REFERENCE_TRUST_PRK_USA = 0.15  # the DPRK's trust in the US at the start of 2026 (baseline)
TRUST_WILLINGNESS_WEIGHT = 2.0  # logit of willingness per unit of trust above the reference
TALKS_OVERRIDE_ON = 0.5  # a talks_override of at least this forces talks on (below: off)


@mechanism
def pressure_index(sanctions, drill_memory, missile_defense, infrastructure):
    """pressure = 0.5 * sanctions + 0.3 * min(D, 2) / 2 + 0.2 * (md + infra) / 2 (0..1)."""
    return (PRESSURE_WEIGHT_SANCTIONS * sanctions
            + PRESSURE_WEIGHT_DRILLS * min(drill_memory, DRILL_MEMORY_CAP) / DRILL_MEMORY_CAP
            + PRESSURE_WEIGHT_DEPLOYMENTS * (missile_defense + infrastructure) / 2.0)


@mechanism
def offers(flexible, tension):
    """Off-ramps offered: flexible * min(1, 0.5 + tension), more when tension is high."""
    return flexible * min(1.0, OFFER_TENSION_OFFSET + tension)


@mechanism
def baseline_logit(q):
    """logit(w_0), the DPRK's willingness to talk today."""
    return logit(q.willingness_baseline)


@mechanism
def willingness_logit(q, w0_logit, pressure, pressure_ref, offer, trust_prk_usa, cornered):
    """logit W = logit(w_0) + w_o * offers + 2 * (trust - 0.15) [- w_p * (pressure - pressure_ref)
    * (1 - o * offers) when the cornered effect is on]."""
    z = (w0_logit + q.offer_willingness_gain * offer
         + TRUST_WILLINGNESS_WEIGHT * (trust_prk_usa - REFERENCE_TRUST_PRK_USA))
    if cornered:
        z = z - q.cornered_pressure_weight * (pressure - pressure_ref) * (
            1.0 - q.offramp_effect * offer)
    return z


@mechanism
def willingness(q, w0_logit, pressure, pressure_ref, offer, trust_prk_usa, cornered):
    """DPRK willingness to talk W (0..1); pressure_ref: the pressure under the reference policy."""
    return expit(willingness_logit(q, w0_logit, pressure, pressure_ref, offer, trust_prk_usa,
                                   cornered))


@mechanism
def talks_start_exponent(start_per_month, will, flexible):
    """x with P(talks start) = 1 - exp(x): x = -(r_s / 12) * W * (0.5 + 0.5 * flexible)."""
    return -start_per_month * will * (0.5 + 0.5 * flexible)


@mechanism
def talks_start_exponent_bound(start_per_month, flexible):
    """The start exponent at W = 1, the largest hazard any willingness (0..1) gives."""
    return -abs(start_per_month) * abs(0.5 + 0.5 * flexible)


@mechanism
def talks_end_exponent(collapse_per_month, tension, flexible):
    """x with P(talks collapse) = 1 - exp(x): x = -(r_c / 12) * (0.5 + tension) * (1 - 0.5 flexible)."""
    return -collapse_per_month * (0.5 + tension) * (1.0 - 0.5 * flexible)


@mechanism
def forced_talks(override):
    """Talks as a talks_override >= 0 forces them (historical replay)."""
    return override >= TALKS_OVERRIDE_ON


@mechanism
def step_hazard(q, step_per_month, flexible):
    """Hazard of a verified denuclearisation step in a month of talks: (r_d / 12) * (1 + relief
    * flexible)."""
    return step_per_month * (1.0 + q.sanctions_relief_effect * flexible)


@mechanism
def step_exponent(q, step_per_month, flexible):
    """-h: the exponent of the step's probability p = 1 - exp(-h) (bounds.below), with h the
    step hazard (step_hazard; per month)."""
    return -step_hazard(q, step_per_month, flexible)


@mechanism
def progress_after_step(q, progress):
    """progress' = progress + step * (1 - progress)."""
    return progress + q.denuclearization_step * (1.0 - progress)


@mechanism
def progress_retention(q):
    """The share of progress kept in a month without talks: 1 - r_rev / 12."""
    return 1.0 - q.denuclearization_reversal_per_year / 12.0


@mechanism
def progress_without_talks(progress, retention):
    """progress' = progress * (1 - r_rev / 12) in a month without talks."""
    return progress * retention
