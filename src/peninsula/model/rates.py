"""Units and the few operations every mechanism shares: monthly rates, memories, probabilities.

The model steps in months. Rates given per year become per-month hazards (r / 12); a memory
with time constant tau months relaxes a state toward its target by a share 1 / tau a month
(an exponentially weighted moving average); a hazard h per month becomes the probability
1 - exp(-h) that the event happens in the month (a Poisson process observed monthly).
"""

from __future__ import annotations

import math

from peninsula.model.compiled import mechanism

MONTHS_PER_YEAR = 12.0


@mechanism
def per_month(rate_per_year):
    """A yearly rate as a monthly one: r / 12."""
    return rate_per_year / MONTHS_PER_YEAR


@mechanism
def memory_rate(months):
    """The monthly share 1 / tau by which a memory of time constant tau months relaxes."""
    return 1.0 / months


@mechanism
def relax(x, target, rate):
    """One month of an exponentially weighted moving average: x + (target - x) * rate."""
    return x + (target - x) * rate


@mechanism
def probability(hazard):
    """P(at least one event in a month) = 1 - exp(-h) for a hazard h per month (0 for h <= 0)."""
    if hazard <= 0.0:  # 1 - exp(-0) = 0 exactly; a negative hazard is no hazard
        return 0.0
    return 1.0 - math.exp(-hazard)


@mechanism
def clip(x, low, high):
    """x limited to [low, high]."""
    return min(max(x, low), high)
