"""The escalation ladder: 8 rungs with monthly transition hazards (after Kahn 1965, compressed).

Rungs: 0 calm, 1 rhetoric, 2 provocation, 3 crisis, 4 armed clash (a contained incident),
5 hostilities, 6 war, 7 nuclear use (absorbing).

Why two clash rungs: the record holds frequent contained clashes (exchanges of fire at the NLL
and the DMZ, the Cheonan's sinking, the shelling of Yeonpyeong: clashes in 4 of the 10 years
2006-2015) beside seventy years without war. A single clash rung that lasts weeks and carries
the war hazard cannot hold both: hazards high enough for the clashes make war common. So an
armed clash is a one-month **incident** (coded by the clash rule of io/incidents.py), after
which the ladder falls back to crisis unless the incident turns into **hostilities**
(sustained fighting, the rung that carries the war hazard). Grey-zone incidents need no crisis
first: from provocation a direct hazard h_pi leads to an incident (mechanism
``contained_incidents``; off, every clash enters hostilities at once, the ladder before the
split, which the per-agent reference keeps).
Observed events set a floor first: any rhetoric lifts the level to >= 1, any provocation other
than a launch to >= 2, and a month's n missile launches to >= 2 with probability
1 - (1 - s_L)^n (each launch lifts it with probability s_L, ``launch_escalation_share``). Whether
and how much launches raise the chance of a clash is thus a parameter estimated with the launch
process on the coded incident series (analysis/backtest.py, ``calibrate --ladder``), not a floor
fixed at s_L = 1: the record has clashes in years with no launches (2010) and none in the years
with 20 or more (2016-2025). Then, with f_T = exp(gamma_T * (tension - 0.5)) and the misperception
factor m = exp(sigma_eff * z - sigma_eff^2 / 2), z ~ N(0, 1),
sigma_eff = sigma * (1 - i_w * intel) * (1 - h_n * comm):

    provocation -> crisis     h = h_pc * f_T * m
    provocation -> incident   h = h_pi * f_T * m * A + h_delib           grey zone + deliberate
    crisis -> incident        h = h_cc * f_T * m * (1 - i_w * intel)     accidental / surprise
                                + h_delib (deterrence.py)
    crisis -> hostilities     h = h_pre * logistic((rho_PRK - rho*) / 0.1) * (1 - trust_PRK,USA)
                                + h_ap * logistic((rho_ROK - rho*) / 0.1) * (1 - trust_ROK,PRK)
    incident -> hostilities   p = 1 - exp(-h_ih * f_T * (1 - c_m * CM)), else back to crisis
                                (the incident lasts one month)
    hostilities -> war        h = (h_cw * f_T + h_war) * (1 - c_m * CM)    accidental + deliberate
    war -> nuclear use        h = h_wn * sqrt(N / N_0)
    one rung down             h = h_down * (1 + c_m * CM) * (1 + g_talks * talks)  (rungs 1..3)
    hostilities -> crisis     h = h_clash_down * (1 + c_m * CM) * (1 + g_talks * talks)
    war -> crisis             h = h_armistice * (1 + c_m * CM)
    CM = (cohesion + intelligence_sharing + open_communication) / 3     crisis-management capacity
    A = (N / N_ref)^a_SI under the stability-instability paradox (deterrence.py), else 1

With ``contained_incidents`` off: provocation -> hostilities h = h_delib, crisis -> hostilities
h = the surprise, deliberate and pre-emption hazards together, and h_pi and h_ih unused.
Pre-emption is a first strike, so it starts hostilities, not an incident.

Observable coding (io/incidents.py, which docs/model.md shows): an incident month has an
exchange of fire, a sinking or a shelling with DPRK and ROK/US forces (the clash rule);
hostilities are fire exchanged between the two states' forces on at least 7 days within 30;
war is a COW inter-state war (1,000 battle deaths). Neither since 1953.

A military agreement in force (lever ``military_agreement``; the 2018 inter-Korean agreement's
buffer zones, November 2018 - November 2023) multiplies the tension factor at the provocation
and crisis rungs by 1 - r_A * agreement: the accidental hazards up to a clash fall, the
deliberate ones do not (r_A, ``military_agreement_effect``, judgement with a prior from 0).

Forced events (a wargame's injects, a replay; levers ``incident_override`` and
``nuclear_test_override``): in a month with a forced incident the month's move ends at least
on the incident rung (``forced_rung``), so the incident is the model's own from then on: its
event, its Goldstein weight in tension, its entry in the yearly count, and next month's move to
hostilities or back to crisis by the hazards above. An override of 0 lets no incident begin
that month (a move from below the incident rung to it or above stays on its floor). A forced
nuclear test lifts the month's floor to provocation (``tested_floor``), the rung the
observable coding gives a test (io/incidents.py); the model draws no tests itself.

Hazards are turned into probabilities p = 1 - exp(-h) and competing moves share one uniform
draw. Schelling's "threat that leaves something to chance" is the misperception term. It errs
both ways (Jervis 1976: threats are misread as larger and as smaller than they are): m is
log-normal with mean 1, so noise spreads the month's hazards without raising them on average
(an earlier form, 1 + sigma_eff |z|, only raised them: a bias, not noise);
pre-emption is Powell's (2006) commitment problem when threat is high and trust low, on
either side: the DPRK's (switch ``preemption``) and the allies' (switch ``allied_preemption``:
the ROK's "Kill Chain" doctrine of striking DPRK missiles about to be launched, announced in
2013 and restated in the ROK's defence white papers, read from the ROK's threat ratio and its
trust in the DPRK).
"""

from __future__ import annotations

import math

from peninsula.model.bounds import at_most, exp_upper, probability_lower, surely_below
from peninsula.model.compiled import mechanism
from peninsula.model.rates import probability
from peninsula.scenario.schema import LEVEL_NAMES

RUNGS = LEVEL_NAMES  # the rungs' names, declared once with the scenario's fields
CALM, RHETORIC, PROVOCATION, CRISIS, CLASH, HOSTILITIES, WAR, NUCLEAR = range(len(RUNGS))
TENSION_PIVOT = 0.5  # f_T = 1 at tension 0.5
PREEMPTION_STEEPNESS = 0.1  # width of the logistic in the threat ratio (judgement)
CRISIS_MANAGEMENT_PARTS = 3.0  # CM is the mean of cohesion, intelligence sharing and hotlines
INCIDENT_OVERRIDE_ON = 0.5  # an incident_override of at least this forces an incident


@mechanism
def event_floor(level, rhetoric, provocations):
    """Observed rhetoric lifts the level to >= 1; launches or other provocations to >= 2."""
    if rhetoric > 0:
        level = max(level, RHETORIC)
    if provocations > 0:
        level = max(level, PROVOCATION)
    return level


@mechanism
def launch_lift_probability(q, launches):
    """P(a month's ``launches`` missiles lift the ladder to provocation) = 1 - (1 - s_L)^n."""
    if launches <= 0:
        return 0.0
    return 1.0 - (1.0 - q.launch_escalation_share) ** launches


@mechanism
def launches_lift(q, launches, u):
    """Whether this month's launches lift the ladder, from the uniform u (not drawn when the
    answer is sure: no launches, or s_L = 1)."""
    if launches <= 0:
        return False
    if q.launch_escalation_share >= 1.0:
        return True
    return u < launch_lift_probability(q, launches)


@mechanism
def agreement_factor(q, level, agreement):
    """1 - r_A * agreement at the provocation and crisis rungs (1 elsewhere): a military
    agreement's buffer zones cut the accidental hazards provocation -> crisis and crisis ->
    clash, which carry the tension factor (r_A: military_agreement_effect)."""
    if level in (PROVOCATION, CRISIS):
        return 1.0 - q.military_agreement_effect * agreement
    return 1.0


@mechanism
def tension_exponent(q, tension):
    """gamma_T * (tension - 0.5), the exponent of the tension factor f_T."""
    return q.tension_escalation_sensitivity * (tension - TENSION_PIVOT)


@mechanism
def tension_factor(exponent):
    """f_T = exp(gamma_T * (tension - 0.5)), from tension_exponent."""
    return math.exp(exponent)


@mechanism
def misperception_applies(level):
    """Misperception enters the hazards of the provocation and crisis rungs."""
    return level in (PROVOCATION, CRISIS)


@mechanism
def misperception_scale(q, intel, comm):
    """sigma_eff = sigma * (1 - i_w * intel) * (1 - h_n * comm)."""
    return (q.misperception_noise * (1.0 - q.intelligence_warning_effect * intel)
            * (1.0 - q.hotline_noise_reduction * comm))


@mechanism
def misperception_factor(sigma, z):
    """m = exp(sigma_eff z - sigma_eff^2 / 2), z ~ N(0, 1): log-normal, mean 1 (two-sided)."""
    return math.exp(sigma * z - 0.5 * sigma * sigma)


@mechanism
def misperception_bound(sigma, radius):
    """An upper bound of m without exp, from an upper bound of |z| (the Box-Muller radius):
    m <= exp(|sigma_eff| |z|) <= exp_upper(|sigma_eff| radius)."""
    return exp_upper(abs(sigma) * radius)


@mechanism
def crisis_management(cohesion, intel, comm, enabled):
    """CM = (cohesion + intelligence sharing + open communication) / 3 (0 when switched off)."""
    if not enabled:
        return 0.0
    return (cohesion + intel + comm) / CRISIS_MANAGEMENT_PARTS


@mechanism
def down_hazard(q, level, cm, talks):
    """Monthly hazard of one rung down (hostilities and war fall back to crisis: a ceasefire,
    an armistice). An incident has none: it ends after its month (next_rung)."""
    gain = (1.0 + q.crisis_management_effect * cm) * (1.0 + q.talks_deescalation_gain * talks)
    if level >= RHETORIC and level <= CRISIS:
        return q.deescalation_per_month * gain
    if level == HOSTILITIES:
        return q.clash_deescalation_per_month * gain
    if level == WAR:
        return q.armistice_per_month * (1.0 + q.crisis_management_effect * cm)
    return 0.0


@mechanism
def preemption_hazard(q, rho_prk, trust_prk_usa):
    """h_pre * logistic((rho_PRK - rho*) / 0.1) * (1 - trust_PRK,USA): Powell's (2006)
    commitment problem when threat is high and trust low."""
    return (q.preemption_per_month
            / (1.0 + math.exp(-(rho_prk - q.preemption_threat_threshold) / PREEMPTION_STEEPNESS))
            * (1.0 - trust_prk_usa))


@mechanism
def allied_preemption_hazard(q, rho_rok, trust_rok_prk):
    """h_ap * logistic((rho_ROK - rho*) / 0.1) * (1 - trust_ROK,PRK): the allies strike first
    (the ROK's Kill Chain) when their threat is high and their trust in the DPRK low."""
    return (q.allied_preemption_per_month
            / (1.0 + math.exp(-(rho_rok - q.preemption_threat_threshold) / PREEMPTION_STEEPNESS))
            * (1.0 - trust_rok_prk))


@mechanism
def allied_preemption_bound(q, trust_rok_prk):
    """An upper bound of the allies' pre-emption hazard without exp (the logistic <= 1)."""
    return q.allied_preemption_per_month * (1.0 - trust_rok_prk)


@mechanism
def grey_zone_hazard(q, f_t, m, attack_factor, incidents):
    """h_pi * f_T * m * A: the hazard of a grey-zone incident from the provocation rung
    (per month; 0 with contained_incidents off). A: the paradox's attack factor (1 without)."""
    if not incidents:
        return 0.0
    return q.provocation_to_incident_per_month * f_t * m * attack_factor


@mechanism
def up_hazards(q, level, f_t, m, intel, cm, h_delib, h_delib_war, pre, nuclear_ratio, grey,
               incidents):
    """(hazard one rung up, hazard of a jump) at ``level`` this month (per month).

    f_t: tension factor; m: misperception factor; h_delib, h_delib_war: deliberate hazards
    (deterrence.py); pre: pre-emption hazard (0 when switched off); nuclear_ratio: N / N_0;
    grey: the grey-zone incident hazard (grey_zone_hazard); incidents: contained_incidents.
    The rungs they lead to: up_rung and jump_rung.
    """
    if level == PROVOCATION:  # a deliberate attack skips the crisis rung (2010)
        return q.provocation_to_crisis_per_month * f_t * m, h_delib + grey
    if level == CRISIS:
        surprise = (q.crisis_to_clash_per_month * f_t * m
                    * (1.0 - q.intelligence_warning_effect * intel))
        if incidents:  # a first strike starts hostilities
            return surprise + h_delib, pre
        return surprise + h_delib + pre, 0.0
    if level == CLASH:
        return (q.incident_to_hostilities_per_month * f_t
                * (1.0 - q.crisis_management_effect * cm)), 0.0
    if level == HOSTILITIES:
        return (q.clash_to_war_per_month * f_t + h_delib_war) * (
            1.0 - q.crisis_management_effect * cm), 0.0
    if level == WAR:
        return q.war_to_nuclear_per_month * math.sqrt(nuclear_ratio), 0.0
    return 0.0, 0.0


@mechanism
def step_down(level):
    """The rung one step down: an incident, hostilities and war fall back to crisis, the
    others by one."""
    return CRISIS if level >= CLASH else level - 1


@mechanism
def up_rung(level, incidents):
    """The rung one step up: from crisis an incident (hostilities with contained_incidents
    off)."""
    if level == CRISIS and not incidents:
        return HOSTILITIES
    return level + 1


@mechanism
def jump_rung(level, incidents):
    """The rung a jump leads to: from provocation an incident (hostilities with
    contained_incidents off), from crisis hostilities (pre-emption)."""
    if level == PROVOCATION and incidents:
        return CLASH
    return HOSTILITIES


@mechanism
def next_rung(u, level, up, jump, down, incidents):
    """The month's new rung from one uniform u: up (up_rung) when u < p_up, a jump (jump_rung)
    when u < p_up + p_jump, down when u < p_up + p_jump + p_down, else stay (p = 1 - exp(-h)).
    An incident is a point event: after its month it turns into hostilities when u < p_up and
    ends (back to crisis) otherwise. Nuclear use is absorbing."""
    if level == NUCLEAR:
        return NUCLEAR
    p_up = probability(up)
    if level == CLASH:
        return HOSTILITIES if u < p_up else CRISIS
    p_jump = probability(jump)
    if u < p_up:
        return up_rung(level, incidents)
    if u < p_up + p_jump:
        return jump_rung(level, incidents)
    if u < p_up + p_jump + probability(down):
        return step_down(level)
    return level


@mechanism
def settled_rung(q, u, level, f_bound, m_bound, down, attack_per_month, intel, cm, cred,
                 trust_prk_usa, nuclear_ratio, deterrence, preemption, war_bound=1.0,
                 allied_pre_bound=0.0, grey_bound=0.0):
    """The new rung when u decides it without the exact hazards; -1 when it does not.

    An upper bound of the up and jump hazards is formed from the same terms as up_hazards,
    without exp, log or cos: f_T and the misperception factor enter as upper bounds (f_bound,
    m_bound), (1 - cred)^gamma <= 1 for 0 <= cred <= 1 and gamma >= 0, the pre-emption
    logistic <= 1 (allied_pre_bound: the allies' pre-emption hazard with it), and
    p = 1 - exp(-h) <= h (attack_per_month, war_bound and grey_bound carry upper
    bounds of any factor of the deliberate and grey-zone hazards: the stability-instability
    paradox). u at or above that bound plus the down hazard stays; u at or above the bound but
    below a lower bound of p_down steps down; an incident ends when u is at or above its bound.
    Any other case (or a NaN) answers -1 and the caller computes the hazards (tests check both
    agree).
    """
    if level in (CALM, NUCLEAR):
        return level  # no hazard at all below the first rung; nuclear use is absorbing
    h = 0.0
    if escalation_window(level):
        if deterrence and not (q.deterrence_elasticity >= 0.0 and 0.0 <= cred <= 1.0):
            return -1
        if level == PROVOCATION:
            h = (abs(q.provocation_to_crisis_per_month) * f_bound * m_bound
                 + abs(attack_per_month) + abs(grey_bound))
        elif level == CRISIS:
            h = (abs(q.crisis_to_clash_per_month) * f_bound * m_bound
                 * abs(1.0 - q.intelligence_warning_effect * intel) + abs(attack_per_month))
            if preemption:
                h += abs(q.preemption_per_month) * abs(1.0 - trust_prk_usa)
            h += abs(allied_pre_bound)
        elif level == CLASH:
            h = (abs(q.incident_to_hostilities_per_month) * f_bound
                 * abs(1.0 - q.crisis_management_effect * cm))
            if at_most(u, h):
                return CRISIS  # the incident ends
            return -1
        else:
            h = ((abs(q.clash_to_war_per_month) * f_bound + abs(q.deliberate_war_per_month))
                 * abs(war_bound)
                 * abs(1.0 - q.crisis_management_effect * cm))
    elif level == WAR:
        h = abs(q.war_to_nuclear_per_month) * math.sqrt(nuclear_ratio)
    if at_most(u, h + abs(down)):
        return level
    if down >= 0.0 and at_most(u, h) and surely_below(u, probability_lower(down)):
        return step_down(level)
    return -1


@mechanism
def escalation_window(level):
    """Whether ``level`` is a rung from provocation to hostilities: the rungs whose hazards
    carry the tension factor, the deliberate hazards and the stability-instability paradox."""
    return level >= PROVOCATION and level <= HOSTILITIES


@mechanism
def lifted_floor(level, rhetoric, provocations, lifted):
    """event_floor with the month's launches counted as one more provocation when they lift
    the ladder (launches_lift)."""
    return event_floor(level, rhetoric, provocations + (1 if lifted else 0))


@mechanism
def agreed_tension_factor(factor, agreement):
    """f_T * (1 - r_A * agreement): the tension factor (or its upper bound) under a military
    agreement (agreement_factor); dimensionless."""
    return factor * agreement


@mechanism
def preemption_total(dprk, allied):
    """h_pre = the DPRK's pre-emption hazard + the allies' (per month; each 0 when off)."""
    return dprk + allied


@mechanism
def fire_exchanged(rung):
    """Whether entering ``rung`` from below records the month's armed-clash event (CAMEO 18):
    an incident, or hostilities (entered from an incident or at once)."""
    return rung in (CLASH, HOSTILITIES)


@mechanism
def entered(new, old, rung):
    """Whether the month's move from ``old`` to ``new`` entered ``rung`` or above."""
    return new >= rung and old < rung


@mechanism
def count_entry(count, new, old, rung):
    """A year's count of months entering ``rung`` or above, after the month's move from
    ``old`` to ``new`` (months; the yearly clash and war entries)."""
    if entered(new, old, rung):
        return count + 1.0
    return count


@mechanism
def incident_forced(override):
    """Whether incident_override forces a contained incident this month (>= 0.5)."""
    return override >= INCIDENT_OVERRIDE_ON


@mechanism
def forced_rung(new, floor, override):
    """The month's rung under ``incident_override``: the model's move ``new`` when the override
    is below 0; a forced incident (>= 0.5) lifts it to the incident rung (a move already at or
    above it stands: hostilities, war and nuclear use are not undone by an incident); an
    override of 0 lets no incident begin: a move from below the incident rung to it or above
    stays on the month's ``floor``."""
    if override < 0.0:
        return new
    if incident_forced(override):
        return max(new, CLASH)
    if floor < CLASH and new >= CLASH:
        return floor
    return new


@mechanism
def tested_floor(level, nuclear_tests):
    """The month's floor after its nuclear tests: a test lifts it to >= provocation, as any
    provocation other than a launch does (event_floor); the observable coding puts a test
    month at the provocation rung (io/incidents.py)."""
    return event_floor(level, 0, nuclear_tests)
