"""The reference points of a run: where the model rests under today's posture.

The threat ratio, the arms race, alignment and the DPRK's willingness are measured against
values computed once per run, with the run's own parameters, at the scenario's starting state
under the fixed reference policy (levers.REFERENCE_LEVERS, drills averaged over the year):

    Theta_i^ref    = sum_j T_ij        (threat.py at the reference posture)
    Theta_i^A,ref  = sum_{j in allies} T_ij
    anchor_ij      = logit(trust_ij(0)) - tau_b * evidence_ij^ref
    pressure_ref   = pressure index (diplomacy.py) at the reference policy

evidence^ref is a month's belief evidence (beliefs.py) under the reference policy with the
launch rate at rest (provocations.rest_launch_rate) and China's coercion at its reference rate,
no talks (under costly signals the channels then add nothing: no talks, launches at the rest
rate); with that anchor the starting belief is a rest point of the belief update. The
concession channel's burst is 0 at the rest launch rate and its lesson starts at 0, and relief
is granted only in talks, so the three strategy switches keep the starting state a rest point.
So a scenario that keeps today's posture starts near a rest point, and any lever moved away from the
reference moves outcomes.
"""

from __future__ import annotations

import numpy as np

from peninsula.model import beliefs, coercion, diplomacy, provocations, threat
from peninsula.model.actors import N_ACTORS, PROXIMITY
from peninsula.model.compiled import mechanism
from peninsula.model.levers import REFERENCE_LEVERS, reference_mean_drill
from peninsula.model.rates import per_month

# What the reference points read of the reference policy: the kernel gets these as one record
# (ModelSetup.reference, today's posture unless a setup says otherwise), so the posture at which
# the model rests is an input, not a constant compiled into the functions.
REFERENCE_INPUTS = ("mean_drill", "missile_defense_deployment", "permanent_infrastructure",
                    "strategic_clarity", "open_communication", "multilateral_engagement",
                    "sanctions_pressure")


def reference_inputs(reference: dict[str, float] | None = None) -> dict[str, float]:
    """The values of REFERENCE_INPUTS for a reference policy (today's posture by default)."""
    r = dict(REFERENCE_LEVERS if reference is None else reference)
    r["mean_drill"] = reference_mean_drill(r)
    return {name: float(r[name]) for name in REFERENCE_INPUTS}


@mechanism
def reference_threat(q, ref, spending0, theatre, posture0, trust0, posture_threat, theta, allies):
    """Fill theta[i] = Theta_i^ref and allies[i] = Theta_i^A,ref for one run, at the reference
    policy ``ref`` (a record of REFERENCE_INPUTS): threat.py's T_ij at the starting spending,
    posture and trust, summed by threat.threat_indices (a block of one run)."""
    drill_eff = threat.effective_drill(q, ref.mean_drill, ref.strategic_clarity)
    extra = threat.alliance_posture_extra(q, drill_eff, ref.missile_defense_deployment,
                                          ref.permanent_infrastructure)
    capabilities = np.empty((1, N_ACTORS))  # a block of one run
    for j in range(N_ACTORS):
        capabilities[0, j] = threat.capability(spending0[j], theatre[j], 1.0, j)
    total = np.empty(1)
    threat.total_capability(capabilities, 1, total)
    forum = threat.forum_cut(q, ref.multilateral_engagement)
    hotline = threat.hotline_cut(q, ref.open_communication)
    threats = np.empty((N_ACTORS, 1))  # observer i's row T_i. of the one run
    theta_i, allies_i = np.empty(1), np.empty(1)
    for i in range(N_ACTORS):
        for j in range(N_ACTORS):
            o = threat.posture(j, posture0[j], extra, 1.0, posture_threat)
            threats[j, 0] = threat.perceived(
                i, threat.power_term(capabilities[0, j], total[0], q.threat_power_exponent),
                PROXIMITY[i, j], q.threat_offense_weight,
                threat.observed_posture(i, j, o, q.russia_encirclement_sensitivity),
                trust0[i, j], forum, hotline)
        threat.threat_indices(threats, 0, 1, theta_i, allies_i)
        theta[i], allies[i] = theta_i[0], allies_i[0]


@mechanism
def reference_evidence(q, ref, posture_threat, costly):
    """A month's belief evidence by category under the reference policy, at rest (launches at
    the rest rate, so the costly-signal restraint term is 0)."""
    drill_eff = threat.effective_drill(q, ref.mean_drill, ref.strategic_clarity)
    rok, jpn = coercion.expected_events(per_month(q.coercion_rate_per_year))
    rest = provocations.rest_launch_rate(q, drill_eff)
    return beliefs.evidence(q, drill_eff, ref.missile_defense_deployment,
                            ref.permanent_infrastructure, ref.open_communication,
                            ref.multilateral_engagement, rest, 0.0, rok, jpn, posture_threat,
                            rest, costly)


@mechanism
def rest_launches(q, ref):
    """Expected launches a month at rest under the reference drills (yearly mean): what the
    concession channel's burst is measured against (concessions.burst)."""
    return provocations.rest_launch_rate(q, threat.effective_drill(q, ref.mean_drill,
                                                                   ref.strategic_clarity))


@mechanism
def belief_anchor(q, z0, category_evidence):
    """anchor = logit(trust_0) - tau_b * evidence^ref: the starting belief is a rest point."""
    return z0 - q.belief_memory_months * category_evidence


@mechanism
def reference_pressure(ref):
    """The pressure index under the reference policy (drill memory at the yearly mean)."""
    return diplomacy.pressure_index(ref.sanctions_pressure, ref.mean_drill,
                                    ref.missile_defense_deployment, ref.permanent_infrastructure)

