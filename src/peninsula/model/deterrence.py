"""Deterrence: alliance credibility and the DPRK's deliberate-aggression hazard.

    C_A      = sum_{j in allies} C_j                     pooled allied capability (USD bn, theatre)
    C_adv    = C_PRK + alignment * b * (C_CHN + C_RUS)   DPRK plus the support its bloc may lend
    balance  = C_A / C_adv                               power ratio, reported every month
    resolve  = min(1, R * (1 + g_d * D(t)) * (1 + k_c * clarity))
                                                          D: drill memory, D' = D + (d - D)/tau_d
    cred     = balance / (1 + balance) * cohesion * resolve
    h_delib  = (r_delib / 12) * (1 - cred)^gamma          per month, at rungs provocation/crisis
    h_war    = h_dw * (1 - cred)^gamma                    per month, deliberate hostilities -> war

The stability-instability paradox (switch ``stability_instability``; Snyder 1965; Rauchhaus 2009
finds nuclear dyads more prone to low-level disputes and less to war): the DPRK's arsenal N
emboldens limited attacks and deters war, accidental or deliberate,
    h_delib *= A = (N / N_ref)^a_SI (and the grey-zone incident hazard, escalation.py),
    h(hostilities -> war) *= (N / N_ref)^(-w_SI),
with N_ref = 50 warhead-equivalents (the 2024-26 stock, provocations.CAPABILITY_REFERENCE), where
both factors are 1. a_SI and w_SI are judgement with ranges from 0 (no paradox).

Credibility is the product the design names (pooled capability x cohesion x
resolve). Drills raise credibility through D and, separately, raise threat in threat.py:
both faces are in the model, and which dominates depends on parameters (w_d, l_d, g_d, gamma).
Strategic clarity moves resolve by k_c per unit (clarity_credibility_gain): k_c > 0 when
public, stated commitments tie the allies' hands (Fearon 1997, "Signaling Foreign Policy
Interests"), k_c < 0 when clarity about aims also tells the adversary what the allies will not
do (judgement); 0 is inside its range.
The bloc-backing share b is fixed at 0.3 (judgement: China and Russia would lend political and
material, not combat, support; Korolev 2018; Sino-Russian alignment studies 2024).
"""

from __future__ import annotations

import math

from peninsula.model.bounds import exp_upper
from peninsula.model.compiled import mechanism
from peninsula.model.provocations import CAPABILITY_REFERENCE

BLOC_BACKING_SHARE = 0.3


@mechanism
def power_balance(allied, prk, chn, rus, alignment):
    """C_A / (C_PRK + alignment * b * (C_CHN + C_RUS)), from the pooled allied capability C_A."""
    return allied / (prk + alignment * BLOC_BACKING_SHARE * (chn + rus))


@mechanism
def clarity_resolve(q, clarity):
    """max(0, 1 + k_c * clarity): strategic clarity's factor of resolve (either sign)."""
    return max(0.0, 1.0 + q.clarity_credibility_gain * clarity)


@mechanism
def credibility(q, balance, cohesion, drill_memory, clarity, enabled):
    """Alliance credibility (0..1) = balance / (1 + balance) * cohesion * resolve; drills raise
    resolve through the drill memory, and clarity moves it, only when deterrence is on."""
    gain = q.drill_credibility_gain if enabled else 0.0
    stated = clarity_resolve(q, clarity) if enabled else 1.0
    resolve = min(1.0, q.alliance_resolve * (1.0 + gain * drill_memory) * stated)
    return balance / (1.0 + balance) * cohesion * resolve


@mechanism
def restraint(q, cred):
    """(1 - cred)^gamma, written exp(gamma ln(1 - cred)) (cred < 1): deliberate aggression left
    after deterrence."""
    return math.exp(q.deterrence_elasticity * math.log(1.0 - cred))


@mechanism
def deliberate_hazards(q, attack_per_month, cred, enabled):
    """Monthly hazards (attack at provocation or crisis, war from hostilities) of deliberate
    aggression; without deterrence credibility counts as zero."""
    war = q.deliberate_war_per_month
    if not enabled:
        return attack_per_month, war
    factor = restraint(q, cred)
    return attack_per_month * factor, war * factor


@mechanism
def log_capability_ratio(capability):
    """ln(N / N_ref): the DPRK's arsenal against the 2024-26 stock (N > 0)."""
    return math.log(capability / CAPABILITY_REFERENCE)


@mechanism
def paradox_factors(q, log_ratio):
    """((N / N_ref)^a_SI, (N / N_ref)^(-w_SI)): the factors of the deliberate attack hazard and
    of the whole hostilities -> war hazard under the stability-instability paradox."""
    return (math.exp(q.paradox_attack_elasticity * log_ratio),
            math.exp(-q.paradox_war_elasticity * log_ratio))


@mechanism
def paradox_bounds(q, log_ratio):
    """Upper bounds of paradox_factors without exp (bounds.exp_upper), for the ladder's fast
    path."""
    return (exp_upper(q.paradox_attack_elasticity * log_ratio),
            exp_upper(-q.paradox_war_elasticity * log_ratio))


@mechanism
def paradox_hazards(q, at_hostilities, f_t, h_delib, h_delib_war, log_ratio):
    """(f_t, h_delib, h_delib_war, A) under the paradox: the deliberate attack hazard times
    A = (N / N_ref)^a_SI (A also multiplies the grey-zone incident hazard, escalation.py); in
    hostilities both terms of the hostilities -> war hazard (the tension factor's accidental one
    and the deliberate one) times (N / N_ref)^(-w_SI)."""
    attack_factor, war_factor = paradox_factors(q, log_ratio)
    if at_hostilities:
        f_t = f_t * war_factor
    return f_t, h_delib * attack_factor, h_delib_war * war_factor, attack_factor


@mechanism
def paradox_hazard_bounds(q, attack_per_month, log_ratio):
    """(upper bound of the deliberate attack hazard, of the war factor, of the attack factor
    A) under the paradox, without exp, for the ladder's fast path."""
    attack_bound, war_bound = paradox_bounds(q, log_ratio)
    return attack_per_month * attack_bound, war_bound, attack_bound
