"""Balance of threat (Walt 1985, 1987): how much each actor fears each other actor.

Equations (i observes j; one run, actors in the order of actors.py):

    O_j   = O_j^0 + w_d * d(t) * (1 - c_d * clarity) + w_md * md + w_inf * infra   (j in allies)
    O_PRK = O_PRK^0 * sqrt(N(t) / N(0))                    (DPRK posture grows with capability)
    P_j   = C_j / sum_k C_k,   C_j = spending_j * theatre_share_j * tech_j         (power share)
    P_j^alpha is evaluated as exp(alpha * ln P_j): the same number to rounding, at half the cost
    of pow.
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

import math

from peninsula.model.actors import ALLIES, BLOC, N_ACTORS, PRK, RUS
from peninsula.model.compiled import mechanism

N_ALLIES = len(ALLIES)  # the allies are the first actors: USA, ROK, JPN
assert tuple(range(N_ALLIES)) == ALLIES
BLOC_FIRST = BLOC[0]  # CHN and RUS are the last two actors
assert BLOC == (BLOC_FIRST, BLOC_FIRST + 1)


@mechanism
def effective_drill(q, drill, clarity):
    """d_eff = d * (1 - c_d * clarity): drill intensity as read by the adversary (Jervis 1978)."""
    return drill * (1.0 - q.clarity_drill_discount * clarity)


@mechanism
def alliance_posture_extra(q, drill_eff, missile_defense, infrastructure):
    """Offensive posture the allies add to their base: w_d d_eff + w_md md + w_inf infra."""
    return (q.drill_offense_weight * drill_eff + q.missile_defense_offense_weight * missile_defense
            + q.infrastructure_offense_weight * infrastructure)


@mechanism
def posture(j, base, extra, capability_ratio, posture_threat):
    """O_j: base posture, plus the allies' extra (when posture is threatening), and the DPRK's
    base scaled by sqrt(N / N_0)."""
    if j < N_ALLIES and posture_threat:
        return base + extra
    if j == PRK:
        return base * math.sqrt(capability_ratio)
    return base


@mechanism
def capability(spending, theatre_share, tech, j):
    """C_j = spending_j * theatre share_j, times the allied technology multiplier for allies."""
    c = spending * theatre_share
    if j < N_ALLIES:
        c = c * tech
    return c


@mechanism
def tech_step(tech, gain_per_month, collaboration):
    """Allied capability multiplier: grows by g_tech / 12 * collaboration a month."""
    return tech * (1.0 + gain_per_month * collaboration)


@mechanism
def log_share(capability_j, total):
    """ln P_j, P_j = C_j / sum_k C_k: the log of j's power share."""
    return math.log(capability_j / total)


@mechanism
def power_from_log_share(log_share_j, alpha):
    """P_j^alpha = exp(alpha * ln P_j)."""
    return math.exp(alpha * log_share_j)


@mechanism
def power_term(capability_j, total, alpha):
    """P_j^alpha for capability C_j of a total sum_k C_k (the kernel forms the log and the
    exp in loops of their own, so each library call does not wait on the other)."""
    return power_from_log_share(log_share(capability_j, total), alpha)


@mechanism
def observed_posture(i, j, posture_j, encirclement):
    """O_ij: Russia weighs the allies' posture by its encirclement sensitivity s_RUS."""
    if i == RUS and j < N_ALLIES:
        return posture_j * encirclement
    return posture_j


@mechanism
def forum_cut(q, forum):
    """1 - f * forum: multilateral forums lower every threat (and tension) (Russett et al. 1998)."""
    return 1.0 - q.forum_threat_reduction * forum


@mechanism
def hotline_cut(q, comm):
    """1 - h * open_communication: hotlines lower the threat China and Russia perceive."""
    return 1.0 - q.hotline_threat_reduction * comm


@mechanism
def perceived(i, power_alpha, proximity, offense_weight, observed, trust, forum, hotline):
    """T_ij = P_j^alpha * prox_ij * (1 + beta * O_ij) * (1 - trust_ij) * forum cut
    (* hotline cut when i is China or Russia)."""
    t = power_alpha * proximity * (1.0 + offense_weight * observed) * (1.0 - trust)
    t *= forum
    if i >= BLOC_FIRST:
        t *= hotline
    return t


@mechanism
def ratio(total, inverse_reference):
    """rho_i = Theta_i / Theta_i^ref, as a product with the reciprocal of the reference."""
    return total * inverse_reference


@mechanism
def total_capability(capabilities, n, totals):
    """totals[k] = sum_j C_j of run k = 0 .. n - 1 (USD bn/yr, technology-weighted for the
    allies): the denominator of every power share P_j = C_j / sum_k C_k. ``capabilities[k, j]``
    is C_j of run k (a block of runs by actor; a block of one for a single run)."""
    for k in range(n):
        total = 0.0
        for j in range(capabilities.shape[1]):
            total += capabilities[k, j]
        totals[k] = total


@mechanism
def allied_capability(spending, theatre, tech, n, allied):
    """allied[k] = C_A = sum_{j in allies} spending_j * theatre_share_j * tech of run
    k = 0 .. n - 1 (USD bn/yr): the allies' capability in the theatre, the allied side of the
    power balance (deterrence.py). ``spending[k, j]`` is spending_j of run k, ``tech[k]`` its
    allied technology multiplier."""
    for k in range(n):
        acc = 0.0
        for j in range(N_ALLIES):
            acc += capability(spending[k, j], theatre[j], tech[k], j)
        allied[k] = acc


@mechanism
def threat_indices(threats, first, n, totals, allied):
    """totals[k] = Theta_i = sum_j T_ij and allied[k] = Theta_i^A = sum_{j in allies} T_ij of
    run k = 0 .. n - 1 (dimensionless): observer i's threat index and its part from the allies,
    summed in actor order (the allies are the first actors, so Theta_i^A is the running sum
    after the last ally). ``threats[first + j, k]`` is T_ij of run k (a block's threat matrix
    by entry i * 6 + j, then run; first = i * 6; a block of one for a single run)."""
    for k in range(n):
        total = 0.0
        from_allies = 0.0
        for j in range(N_ACTORS):
            total += threats[first + j, k]
            if j == N_ALLIES - 1:
                from_allies = total
        totals[k] = total
        allied[k] = from_allies


@mechanism
def inverse_reference(theta_ref):
    """1 / Theta_i^ref (dimensionless), formed once per run so that ratio is a product."""
    return 1.0 / theta_ref
