"""Provocations that extract concessions, and the lesson the DPRK draws (switch
``concession_channel``).

    M'       = omega * M + (1 - omega) * launches           recent launches (omega: excitation decay)
    burst    = max(0, M / (lambda_rest * (N / 50)^e_N) - 1)  launches above the rest rate, as a share
    r_s'     = r_s * max(0, 1 + c_b * burst)                 the talks-start rate after a burst
    share    = 1 - r_s / r_s'  (when r_s' > r_s; else 0)     part of a start owed to the burst
    L'       = L + (share * relief / relief_max - L) / tau_b  the lesson "provocation pays"
    rate    x= max(0, 1 + c_r * L)                            launches and provocations

A burst of launches raises the hazard that talks start (c_b > 0: the allies seek talks to stop
the tests; c_b < 0: they refuse to talk under fire). Talks reached this way, while they bring
sanctions relief (alignment.relief; relief_max = the most relief talks can bring), teach the
DPRK that provocation pays: the lesson L (0..1) relaxes with the belief memory tau_b toward the
burst's share of the start times the relief granted, and multiplies the provocation rates by
1 + c_r L (c_r > 0: rewarded provocation is repeated; c_r < 0: concessions reassure an
insecure state, Jervis 1976's spiral model). Basis: judgement; the pattern of provocation
followed by talks and aid is the "provocation cycle" argument (Cha 2012). The launch memory
keeps the excitation's time constant; lambda_rest is provocations.rest_launch_rate at the
reference drills, scaled by the capability factor so that a larger programme's routine
testing is not read as a burst.
"""

from __future__ import annotations

from peninsula.model.alignment import FLEXIBLE_TALKS_RELIEF
from peninsula.model.compiled import mechanism

RELIEF_MAX = FLEXIBLE_TALKS_RELIEF  # the most relief talks bring, as a share of sanctions


@mechanism
def launch_memory_step(memory, launches, omega):
    """M' = omega * M + (1 - omega) * launches: launches a month, recently."""
    return omega * memory + (1.0 - omega) * launches


@mechanism
def burst(memory, rest, capability_factor):
    """max(0, M / (lambda_rest * (N / 50)^e_N) - 1): recent launches above the rest rate of a
    programme of this size, as a share of it."""
    expected = rest * capability_factor
    if expected <= 0.0:
        return 0.0
    return max(0.0, memory / expected - 1.0)


@mechanism
def talks_start_rate(q, start_per_month, burst_, enabled):
    """(r_s / 12) * max(0, 1 + c_b * burst): the talks-start rate after a burst (r_s / 12 when
    switched off)."""
    if not enabled:
        return start_per_month
    return start_per_month * max(0.0, 1.0 + q.concession_talks_pull * burst_)


@mechanism
def coerced_share(pulled_rate, base_rate):
    """1 - base / pulled: the share of a talks start owed to the burst (0 unless pulled up)."""
    if pulled_rate <= base_rate:
        return 0.0
    return 1.0 - base_rate / pulled_rate


@mechanism
def running_share(on, was_on, share, pulled_rate, base_rate):
    """The burst's share of the running talks: set when talks start, kept while they run, 0
    without talks."""
    if not on:
        return 0.0
    if was_on:
        return share
    return coerced_share(pulled_rate, base_rate)


@mechanism
def lesson_step(lesson, share, relief, rate):
    """L' = L + (share * relief / relief_max - L) * rate (rate = 1 / tau_b): the lesson rises in
    months of talks started by a burst that bring relief, and fades otherwise."""
    return lesson + (share * relief / RELIEF_MAX - lesson) * rate


@mechanism
def rewarded_rate(q, base, lesson, enabled):
    """base * max(0, 1 + c_r * L): a provocation rate after the lesson (base when off)."""
    if not enabled:
        return base
    return base * max(0.0, 1.0 + q.concession_reward_effect * lesson)
