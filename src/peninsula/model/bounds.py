"""Cheap bounds of exp and of probabilities, so that a draw is decided without a library call.

Most months a uniform draw is far from the probability it is compared with: a bound that needs
neither exp nor log settles the comparison, and the exact value is formed only when the bound
does not. Each bound holds for every argument (tests/test_mechanisms.py checks them on fine
grids), and each comparison keeps a margin far above rounding, so a settled draw is always the
draw the exact value gives.
"""

from __future__ import annotations

import math

from peninsula.model.compiled import mechanism

MARGIN_REL = 1e-9  # relative and absolute margins kept by every settled comparison
MARGIN_ABS = 1e-12


@mechanism
def exp_upper(x):
    """An upper bound on exp(x) without exp: 1 for x <= 0, (1 / (1 - x/4))^4 for 0 < x < 4.

    exp(-y) >= 1 - y gives exp(y) <= 1 / (1 - y) for y < 1; applied to y = x/4 and raised to
    the 4th power. Elsewhere (or NaN) infinity, so the bound decides nothing.
    """
    if x <= 0.0:
        return 1.0
    if x < 4.0:
        w = 1.0 / (1.0 - 0.25 * x)
        w2 = w * w
        return w2 * w2
    return math.inf


@mechanism
def probability_lower(h):
    """A lower bound on 1 - exp(-h) for h >= 0 without exp: h - h^2 / 2 (alternating series)."""
    return h - 0.5 * h * h


@mechanism
def at_most(u, bound):
    """True when u >= bound with the margin: u then lies above any value the bound covers."""
    return u >= bound * (1.0 + MARGIN_REL) + MARGIN_ABS


@mechanism
def surely_below(u, bound):
    """True when u < bound with the margin."""
    return u < bound * (1.0 - MARGIN_REL) - MARGIN_ABS


@mechanism
def below_probability(u, x):
    """Whether u < 1 - exp(x), decided without exp where bounds settle it: 1 yes, 0 no, -1 open.

    For x <= 0, -x - x^2 / 2 <= 1 - exp(x) <= -x (probability_lower); for x > 0 the
    probability is negative, below any uniform. A NaN answers -1, so the caller computes the
    probability.
    """
    if at_most(u, -x):
        return 0
    if x <= 0.0 and surely_below(u, probability_lower(-x)):
        return 1
    return -1


@mechanism
def below(u, x):
    """u < 1 - exp(x), settled by below_probability where it can be, else exactly."""
    hit = below_probability(u, x)
    if hit < 0:
        return u < 1.0 - math.exp(x)
    return hit == 1
