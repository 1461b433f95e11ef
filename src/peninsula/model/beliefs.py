"""Beliefs: Bayesian trust updating in Kydd's reassurance model (Kydd 1997, 2000, 2005).

trust_ij = P_i(j is security-seeking). After i observes action a of j, Bayes' rule gives

    trust' = trust * P(a|S) / [trust * P(a|S) + (1 - trust) * P(a|G)]

which in log-odds is additive: logit(trust') = logit(trust) + log LR_a, LR_a = P(a|S)/P(a|G).
Each month the evidence is summed over observed actions (our log-odds form of Kydd):

    drill by ally j (seen by PRK, CHN, RUS):  -l_d * d(t) * (1 - c_d clarity) * (1 - c_c comm)
    standing deployments:                     -l_p * (md + infra) * (1 - c_c comm)
    reassurance (hotlines, forums):           +l_r * (comm + forum) / 2         (cheap talk)
    each DPRK launch (seen by allies):        -l_l * launches
    a month of talks (both ways):             +l_t
    Chinese coercion (seen by the target):    -l_c per event

plus reversion toward an anchor with time constant tau_b (memory):
logit(trust) += (anchor - logit(trust)) / tau_b, the anchor chosen so that the starting belief
is a rest point under the reference policy (reference.py). A rational spiral follows whenever
P(arm|G) > P(arm|S): arming lowers trust whatever the arming state's true type (Kydd 1997).
Clarity and communication push the likelihood ratio of a drill toward 1 (Jervis 1978:
distinguishability), so drills cost less trust for the same deterrent effect.

Costly signals (switch ``costly_signals``, on by default; Kydd 2000, 2005; Fearon 1997): words
that cost nothing do not separate the types, so channels alone add no trust. Hotlines and forums
make behaviour legible instead: with c = (comm + forum) / 2 the reassurance term becomes

    seen by CHN, RUS and the DPRK (the allies' side):  +l_r * c * talks
    seen by the allies (the DPRK's side):              +l_r * c * (talks + restraint)
    restraint = (lambda_rest - launches) / lambda_rest

a month of talks kept, and DPRK launches below (above) the rest rate lambda_rest
(provocations.rest_launch_rate at this month's drills), count for more trust (less) the more
open the channels; with no talks and launches at the rest rate the channels change nothing.
Channels also push a drill's likelihood ratio toward 1 under both rules (the signal term).
With the switch off the cheap-talk term above applies.
"""

from __future__ import annotations

import math

import numpy as np

from peninsula.model.actors import ALLIES, CHN, JPN, N_ACTORS, PRK, ROK, RUS
from peninsula.model.compiled import mechanism
from peninsula.model.rates import clip

EPS = 1e-4  # beliefs are kept within [EPS, 1 - EPS]
Z_MAX = float(np.log(1.0 - EPS) - np.log(EPS))  # log-odds of the clipping bound 1 - EPS

# Who learns what about whom: the evidence category of each (observer i, actor j) belief.
NO_EVIDENCE, BLOC_SEES_ALLIES, PRK_SEES_ALLIES, ALLIES_SEE_PRK, ROK_SEES_CHN, JPN_SEES_CHN = \
    range(6)
N_CATEGORIES = 6
EVIDENCE_CATEGORY = np.zeros((N_ACTORS, N_ACTORS), dtype=np.int64)
for _ally in ALLIES:
    EVIDENCE_CATEGORY[CHN, _ally] = EVIDENCE_CATEGORY[RUS, _ally] = BLOC_SEES_ALLIES
    EVIDENCE_CATEGORY[PRK, _ally] = PRK_SEES_ALLIES
    EVIDENCE_CATEGORY[_ally, PRK] = ALLIES_SEE_PRK
EVIDENCE_CATEGORY[ROK, CHN] = ROK_SEES_CHN
EVIDENCE_CATEGORY[JPN, CHN] = JPN_SEES_CHN
del _ally
EVIDENCE_ENTRIES = np.flatnonzero(EVIDENCE_CATEGORY).astype(np.int64)  # flat i * 6 + j


@mechanism
def logit(x):
    """log(x / (1 - x)) of x clipped to [EPS, 1 - EPS]."""
    x = clip(x, EPS, 1.0 - EPS)
    return math.log(x) - math.log1p(-x)


@mechanism
def odds_against(z):
    """exp(-z): the odds against an event of log-odds z."""
    return math.exp(-z)


@mechanism
def probability_from_odds_against(odds):
    """1 / (1 + odds against)."""
    return 1.0 / (1.0 + odds)


@mechanism
def expit(z):
    """The logistic function 1 / (1 + exp(-z)) (the kernel forms its two parts in loops of
    their own for the beliefs, so the divisions run four at a time)."""
    return probability_from_odds_against(odds_against(z))


@mechanism
def restraint(launches, expected):
    """(lambda_rest - launches) / lambda_rest: DPRK launches below the rest rate, as a share
    (negative above it; 0 when no rest rate is expected)."""
    if expected <= 0.0:
        return 0.0
    return (expected - launches) / expected


@mechanism
def reassurance(q, comm, forum, behaviour, costly):
    """Trust from the channels: l_r * (comm + forum) / 2 each month (cheap talk), or, under
    costly signals, l_r * (comm + forum) / 2 * behaviour (talks kept, launch restraint)."""
    channels = q.belief_reassurance_log_lr * (comm + forum) / 2.0
    if costly:
        return channels * behaviour
    return channels


@mechanism
def evidence(q, drill_eff, missile_defense, infrastructure, comm, forum, launches, talks,
             coerced_rok, coerced_jpn, posture_threat, expected_launches, costly):
    """This month's log-likelihood-ratio evidence of each category (index = category).

    The allies' drills and deployments (hostile unless posture is non-threatening) and their
    reassurance are seen by China, Russia and the DPRK; the DPRK's launches by the allies; a
    month of talks by the DPRK and the allies both ways; Chinese coercion by its target.
    Under costly signals the channels weigh behaviour (talks kept; launches against the rest
    rate expected_launches) and add nothing by themselves.
    """
    signal = 1.0 - q.communication_signal_effect * comm
    hostile = 0.0
    if posture_threat:
        hostile = (-q.belief_drill_log_lr * drill_eff
                   - q.belief_posture_log_lr * (missile_defense + infrastructure)) * signal
    talks_ev = q.belief_talks_log_lr * talks
    bloc = hostile + reassurance(q, comm, forum, talks, costly)
    seen_prk = -q.belief_launch_log_lr * launches + talks_ev
    if costly:
        seen_prk += reassurance(q, comm, forum, talks + restraint(launches, expected_launches),
                                True)
    return (0.0, bloc, bloc + talks_ev, seen_prk,
            -q.coercion_trust_log_lr * coerced_rok, -q.coercion_trust_log_lr * coerced_jpn)


@mechanism
def update_log_odds(z, evidence_, anchor, rate):
    """One month of belief updating in log-odds: z + evidence + (anchor - z) / tau_b, clipped
    to +-Z_MAX (rate = 1 / tau_b). Bayes' rule is additive in log-odds, so the evidence of
    the month's actions adds up (Kydd 1997)."""
    return clip(z + evidence_ + (anchor - z) * rate, -Z_MAX, Z_MAX)
