"""Beliefs: Bayesian trust updating in Kydd's reassurance model (Kydd 1997, 2000, 2005).

trust_ij = P_i(j is security-seeking). After i observes action a of j, Bayes' rule gives

    trust' = trust * P(a|S) / [trust * P(a|S) + (1 - trust) * P(a|G)]

which in log-odds is additive: logit(trust') = logit(trust) + log LR_a, LR_a = P(a|S)/P(a|G).
Each month the evidence is summed over observed actions (our log-odds form of Kydd):

    drill by ally j (seen by PRK, CHN, RUS):  -l_d * d(t) * (1 - c_d clarity) * (1 - c_c comm)
    standing deployments:                     -l_p * (md + infra) * (1 - c_c comm)
    reassurance (hotlines, forums):           +l_r * (comm + forum) / 2
    each DPRK launch (seen by allies):        -l_l * launches
    a month of talks (both ways):             +l_t
    Chinese coercion (seen by the target):    -l_c per event

plus reversion toward the starting belief with time constant tau_b (memory):
logit(trust) += (logit(trust_0) - logit(trust)) / tau_b. A rational spiral follows whenever
P(arm|G) > P(arm|S): arming lowers trust whatever the arming state's true type (Kydd 1997).
Clarity and communication push the likelihood ratio of a drill toward 1 (Jervis 1978:
distinguishability), so drills cost less trust for the same deterrent effect.
"""

from __future__ import annotations

import numpy as np

from peninsula.model.types import Array

EPS = 1e-4


def bayes_update(prior: Array, p_action_if_secure: Array, p_action_if_greedy: Array) -> Array:
    """Kydd's posterior that the other side is security-seeking after one observed action."""
    num = prior * p_action_if_secure
    return num / (num + (1.0 - prior) * p_action_if_greedy)


def logit(x: Array) -> Array:
    x = np.clip(x, EPS, 1.0 - EPS)
    return np.log(x) - np.log1p(-x)


def expit(z: Array) -> Array:
    return 1.0 / (1.0 + np.exp(-z))


Z_MAX = float(np.log(1.0 - EPS) - np.log(EPS))  # log-odds of the clipping bound 1 - EPS


def update_trust_logit(
    z: Array, anchor_logit: Array, evidence: Array, memory_months: Array
) -> Array:
    """One month of updating in log-odds (the engine's state): z + evidence + reversion.

    The reversion divides by tau_b as a multiplication by 1 / tau_b (as engine/fused.py does).
    """
    rate = 1.0 / memory_months
    z = z + evidence + (anchor_logit - z) * rate[:, None, None]
    return np.clip(z, -Z_MAX, Z_MAX)
