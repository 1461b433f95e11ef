"""China's economic coercion of the allies (the 2017 THAAD retaliation is the recorded case).

    coercion events ~ Poisson((r_coerce / 12) * rho_CHN)     China coerces more when threatened
    target: the ROK with probability 0.6, Japan otherwise

Each event costs its target GDP (economy.py, coercion_trade_loss) and trust in China (beliefs.py,
coercion_trust_log_lr). The 0.6 / 0.4 split between the ROK and Japan is judgement: the ROK is
more trade-dependent on China and was the target in 2017.
"""

from __future__ import annotations

from peninsula.model.compiled import mechanism

ROK_SHARE = 0.6  # share of coercion events aimed at the ROK; the rest at Japan (judgement)


@mechanism
def coercion_rate(rate_per_month, rho_chn):
    """Expected coercion events this month: (r_coerce / 12) * rho_CHN."""
    return rate_per_month * rho_chn


@mechanism
def targets_rok(u):
    """Whether an event's target is the ROK, from one uniform."""
    return u < ROK_SHARE


@mechanism
def expected_events(rate_per_month):
    """(ROK, Japan) events a month at the reference threat (rho_CHN = 1)."""
    return ROK_SHARE * rate_per_month, (1.0 - ROK_SHARE) * rate_per_month


@mechanism
def split(events, to_rok):
    """(events aimed at the ROK, events aimed at Japan): a month's coercion events all go to
    the one target drawn (targets_rok); counts of events."""
    if to_rok:
        return events, 0
    return 0, events
