"""Diplomacy and denuclearisation, with the brief's "cornered" effect.

    pressure = 0.5 * sanctions + 0.3 * min(D, 2) / 2 + 0.2 * (md + infra) / 2      (0..1)
    offers   = flexible * min(1, 0.5 + tension)        off-ramps, offered more when tension is high
    W        = logistic( logit(w_0) - w_p * (pressure - pressure_ref) * (1 - o * offers)
                         + w_o * offers + 2 * (trust_PRK,USA - 0.15) )
    talks start:    P = 1 - exp(-(r_s / 12) * W * S(flexible))
                    S(f) = S_ref * (1 + g_s * f) / (1 + g_s * f_ref)
    talks collapse: P = 1 - exp(-(r_c / 12) * (0.5 + tension) * C(flexible))
                    C(f) = C_ref * (1 - c_c * f) / (1 - c_c * f_ref)
    in talks, a verified step with P = 1 - exp(-(r_d / 12) * (1 + relief * flexible)):
        progress' = progress + step * (1 - progress)
    out of talks: progress' = progress * (1 - r_rev / 12)

"Cornered": pressure without off-ramps (offers = 0) lowers willingness W; off-ramps remove a
share o of that cornering and add w_o. pressure_ref is the pressure under the reference policy
(levers.REFERENCE_LEVERS); 0.15 is the DPRK's trust in the US at the start of 2026 (baseline
scenario), so w_0 is today's willingness. The trust weight 2 (logit per unit trust) and the
pressure weights 0.5 / 0.3 / 0.2 are judgement.

Flexible diplomacy's effects on the talks are parameters with sceptical priors centred on no
effect (parameters.toml): g_s (talks_start_flexibility_gain) is the relative rise of the start
hazard per unit of flexibility, c_c (talks_collapse_flexibility_cut) the relative cut of the
collapse hazard. Both factors are 1 relative to today's flexibility f_ref = 0.2 (the reference
policy), so g_s and c_c change what a policy's flexibility does, never the status quo's rates;
S_ref = 0.6 and C_ref = 0.9 are the factors at f_ref under the former fixed law
(0.5 + 0.5 f and 1 - 0.5 f, i.e. g_s = 1 and c_c = 0.5), which r_s and r_c were read with.
At g_s = c_c = 0 flexibility changes neither hazard; g_s < 0 (c_c < 0) means flexibility
makes talks start less often (collapse sooner): offers read as weakness, so the DPRK holds out
for better terms (Haggard & Noland 2017, Hard Target).
"""

from __future__ import annotations

from peninsula.model.beliefs import expit, logit
from peninsula.model.compiled import mechanism
from peninsula.model.levers import REFERENCE_LEVERS

# pressure index: weights of sanctions, drills and standing deployments (judgement; sum 1)
PRESSURE_WEIGHT_SANCTIONS = 0.5
PRESSURE_WEIGHT_DRILLS = 0.3
PRESSURE_WEIGHT_DEPLOYMENTS = 0.2
DRILL_MEMORY_CAP = 2.0  # drill memory at which the drill term of pressure saturates
OFFER_TENSION_OFFSET = 0.5  # offers = flexible * min(1, 0.5 + tension)
REFERENCE_TRUST_PRK_USA = 0.15  # the DPRK's trust in the US at the start of 2026 (baseline)
TRUST_WILLINGNESS_WEIGHT = 2.0  # logit of willingness per unit of trust above the reference
TALKS_OVERRIDE_ON = 0.5  # a talks_override of at least this forces talks on (below: off)
REFERENCE_FLEXIBLE = REFERENCE_LEVERS["flexible_diplomacy"]  # f_ref: today's flexibility
START_FACTOR_REFERENCE = 0.6  # S_ref: the start factor at f_ref under the former 0.5 + 0.5 f
COLLAPSE_FACTOR_REFERENCE = 0.9  # C_ref: the collapse factor at f_ref under the former 1 - 0.5 f
COLLAPSE_TENSION_OFFSET = 0.5  # talks collapse at (0.5 + tension) times r_c: half at tension 0


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
def relative_to_reference(effect, lever, reference):
    """(1 + e * lever) / (1 + e * reference): a lever's factor on a hazard, 1 at the reference
    lever and at e = 0 (no effect)."""
    return (1.0 + effect * lever) / (1.0 + effect * reference)


@mechanism
def talks_start_factor(q, flexible):
    """S(f) = S_ref * (1 + g_s f) / (1 + g_s f_ref): flexible diplomacy's factor on the talks-start
    hazard (g_s: talks_start_flexibility_gain; S_ref at any g_s = 0)."""
    return START_FACTOR_REFERENCE * relative_to_reference(
        q.talks_start_flexibility_gain, flexible, REFERENCE_FLEXIBLE)


@mechanism
def talks_collapse_factor(q, flexible):
    """C(f) = C_ref * (1 - c_c f) / (1 - c_c f_ref): flexible diplomacy's factor on the talks-collapse
    hazard (c_c: talks_collapse_flexibility_cut; C_ref at c_c = 0)."""
    return COLLAPSE_FACTOR_REFERENCE * relative_to_reference(
        -q.talks_collapse_flexibility_cut, flexible, REFERENCE_FLEXIBLE)


@mechanism
def talks_start_exponent(q, start_per_month, will, flexible):
    """x with P(talks start) = 1 - exp(x): x = -(r_s / 12) * W * S(flexible)."""
    return -start_per_month * will * talks_start_factor(q, flexible)


@mechanism
def talks_start_exponent_bound(q, start_per_month, flexible):
    """The start exponent at W = 1, the largest hazard any willingness (0..1) gives."""
    return -abs(start_per_month) * abs(talks_start_factor(q, flexible))


@mechanism
def talks_end_exponent(q, collapse_per_month, tension, flexible):
    """x with P(talks collapse) = 1 - exp(x): x = -(r_c / 12) * (0.5 + tension) * C(flexible)."""
    return (-collapse_per_month * (COLLAPSE_TENSION_OFFSET + tension)
            * talks_collapse_factor(q, flexible))


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
