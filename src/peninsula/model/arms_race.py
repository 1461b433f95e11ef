"""Arms race: Richardson's equations with balance-of-threat weights (Richardson 1960).

Arms level y_i is defence spending relative to the actor's own trend path
(spending_i(t) = spending_i(0) * (1 + g_i)^(t/12) * y_i(t); y = 1 on trend). Monthly:

    dy_i = (1/12) * [ k * (sum_j W_ij * y_j - 1) - a * (y_i - 1) ],   W_ij = T_ij / Theta_i^ref

This is Richardson's N-nation form dx_i/dt = sum_j k_ij x_j - a_i x_i + g_i with reaction
k_ij = k * W_ij (threat-weighted, so allies' arms weigh nothing and rivals' arms pool), fatigue a
and grievance g_i = a - k fixed so that the start, at reference threat, is on trend. With k = 0
arms stay on trend whatever the threat; with k > 0 a rise in one side's arms or perceived threat
raises the other's, and the pair grows jointly. The linear system is stable while
a > k * spectral_radius(W) (Richardson; Hayes' condition a*b > k*l for two actors).
Units: y is dimensionless; k and a are per year.

Outside drivers (switch ``outside_drivers``): a national budget answers the peninsula only with
the theatre's share of its effort, and the great powers also answer the world outside it:

    dy_i = (1/12) * [ k * w_i * (sum_j W_ij y_j - 1) + p_i - a * (y_i - 1) ]
    p_USA = p_CHN = k_R * (R - R_0),   p_RUS = k_U * (U - U_0),   p_i = 0 otherwise

w_i is the actor's theatre share (1 for the ROK, Japan and the DPRK), R the US-China rivalry and
U the Russia-West confrontation index (levers; R_0 and U_0 their values at the start, the
scenario's [state]), so the start stays on trend under the posture and drivers of its start.
At rest, with the rivals on trend, y_i - 1 = p_i / a.
"""

from __future__ import annotations

from peninsula.model.actors import ALLIES, CHN, RUS, USA
from peninsula.model.compiled import mechanism

INTENSITY_ACTORS = (*ALLIES, CHN)  # the arms-race intensity: mean arms level of these actors
ARMS_FLOOR = 0.05  # arms levels never fall below 5% of the trend path (no disarmament to zero)


@mechanism
def driven_arms_step(level, threat_weighted_arms, inverse_reference, reaction, fatigue, push):
    """y_i' = max(y_i + dy_i, 0.05), dy_i = (k * (sum_j T_ij y_j / Theta_i^ref - 1) + p_i
    - a * (y_i - 1)) / 12, from sum_j T_ij y_j of last month's levels; p_i per year."""
    dy = (reaction * (threat_weighted_arms * inverse_reference - 1.0) + push
          - fatigue * (level - 1.0)) * (1.0 / 12.0)
    return max(level + dy, ARMS_FLOOR)


@mechanism
def arms_step(level, threat_weighted_arms, inverse_reference, reaction, fatigue):
    """Richardson's step with no outside push (driven_arms_step with p_i = 0)."""
    return driven_arms_step(level, threat_weighted_arms, inverse_reference, reaction, fatigue,
                            0.0)


@mechanism
def peninsula_reaction(reaction, theatre_share, outside_drivers):
    """k * w_i: the reaction to the peninsula's threat scaled by the theatre's share of the
    actor's effort (k itself when the outside drivers are off)."""
    return reaction * theatre_share if outside_drivers else reaction


@mechanism
def outside_push(q, i, rivalry, confrontation, rivalry0, confrontation0, outside_drivers):
    """p_i (per year): k_R * (R - R_0) for the US and China, k_U * (U - U_0) for Russia,
    0 for the other actors or when the outside drivers are off."""
    if not outside_drivers:
        return 0.0
    if i in (USA, CHN):
        return q.arms_rivalry_response_per_year * (rivalry - rivalry0)
    if i == RUS:
        return q.arms_confrontation_response_per_year * (confrontation - confrontation0)
    return 0.0


@mechanism
def spending(trend_, level):
    """Defence spending (USD bn/yr): the actor's trend path times its arms level."""
    return trend_ * level


@mechanism
def intensity_pct(levels_sum, n):
    """Arms-race intensity: the mean arms level of n actors, as % above trend."""
    return 100.0 * (levels_sum / n - 1.0)


@mechanism
def trend(spending0, growth, month):
    """An actor's defence spending on its trend path: spending_0 * (1 + g)^(t / 12)."""
    return spending0 * (1.0 + growth) ** (month / 12.0)


@mechanism
def threat_weighted_arms(threats, first, levels, n, weighted):
    """weighted[k] = sum_j T_ij * y_j of run k = 0 .. n - 1: observer i's threats weighted by
    last month's arms levels (dimensionless; driven_arms_step divides it by Theta_i^ref).
    ``threats[first + j, k]`` is T_ij of run k (a block's threat matrix by entry i * 6 + j,
    then run; first = i * 6), ``levels[j, k]`` is y_j of run k."""
    for k in range(n):
        acc = 0.0
        for j in range(levels.shape[0]):
            acc += threats[first + j, k] * levels[j, k]
        weighted[k] = acc


@mechanism
def intensity(levels):
    """Arms-race intensity (%): intensity_pct of the arms levels y of INTENSITY_ACTORS summed."""
    acc = 0.0
    for x in range(len(INTENSITY_ACTORS)):
        acc += levels[INTENSITY_ACTORS[x]]
    return intensity_pct(acc, len(INTENSITY_ACTORS))
