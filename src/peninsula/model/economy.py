"""Economic fallout: GDP level loss (% below a calm-world path) per actor.

    loss_i = def_i + trade_i + flow_i
    def_i   = c_def * max(0, share_i(t) - share_i(0)) * 100            crowding-out (pp of GDP)
    trade_i = e_trade * tension * X_i                                  X: trade with rivals, % GDP
    flow_i' = flow_i * (1 - r_rec / 12) + k_inv * chill[L] * x_i      investment chill (risk premium)
              + k_sc * SC * x_i                                          supply-chain disruption
              + coercion_loss * coerced_i                                China's economic coercion
    SC'     = SC + (sc[L] - SC) / 3                                    disruption index (0..1)

chill[L] (% GDP per month) = 0, 0, 0, 0.02, 0.1, 0.1, 1.5, 5 for the eight rungs; sc[L] =
0, 0, 0, 0.05, 0.2, 0.2, 0.8, 1 (an incident and hostilities alike: the values of the single
clash rung before the ladder's split); exposure x = USA 0.1, ROK 1, JPN 0.5, PRK 1, CHN 0.3, RUS 0.2.
These profiles are judgement: the scale parameters carry the uncertainty. Trade loss follows
the gravity-model finding that conflict cuts bilateral trade (elasticity e_trade); THAAD
retaliation (2017) cost the ROK an estimated 0.2-0.4% of GDP (coercion_trade_loss).
"""

from __future__ import annotations

import numpy as np

from peninsula.model.compiled import mechanism

CHILL_PCT_PER_MONTH = np.array([0.0, 0.0, 0.0, 0.02, 0.1, 0.1, 1.5, 5.0])  # by rung
SUPPLY_CHAIN_TARGET = np.array([0.0, 0.0, 0.0, 0.05, 0.2, 0.2, 0.8, 1.0])  # by rung
EXPOSURE = np.array([0.1, 1.0, 0.5, 1.0, 0.3, 0.2])  # by actor (USA, ROK, JPN, PRK, CHN, RUS)
SUPPLY_CHAIN_ADJUST_MONTHS = 3.0  # SC' = SC + (sc[L] - SC) / 3


@mechanism
def supply_chain_step(sc, target):
    """SC' = SC + (sc[L] - SC) / 3, with target = sc[L] at this month's rung."""
    return sc + (target - sc) / SUPPLY_CHAIN_ADJUST_MONTHS


@mechanism
def gap_retention(q):
    """The share of a GDP level gap left after a month: 1 - r_rec / 12."""
    return 1.0 - q.gdp_recovery_per_year / 12.0


@mechanism
def flow_loss_step(q, flow, retention, chill, sc, exposure, coerced):
    """flow' = flow * (1 - r_rec / 12) + (k_inv * chill[L] + k_sc * SC) * x_i
    + coercion loss * coerced_i."""
    shock = (q.investment_chill_scale * chill + q.supply_chain_sensitivity * sc) * exposure
    shock = shock + q.coercion_trade_loss * coerced
    return flow * retention + shock


@mechanism
def gdp_loss(q, flow, tension, trade_exposure, defence_share, defence_share0):
    """Total GDP level loss, %: crowding-out + trade loss + accumulated flow loss."""
    crowd = q.defense_crowding_out * max(0.0, defence_share - defence_share0) * 100.0
    trade = q.trade_tension_elasticity * tension * trade_exposure
    return crowd + trade + flow


@mechanism
def defence_share(spending, inverse_gdp0):
    """share_i(t) = spending_i(t) / GDP_i(0): defence spending as a share of the starting GDP
    (USD bn/yr over USD bn; gdp_loss compares it with share_i(0))."""
    return spending * inverse_gdp0


@mechanism
def weighted_loss(losses, actors, weights):
    """sum_x w_x * loss_{a_x} (% of GDP): the GDP loss of the economies ``actors`` weighted by
    ``weights`` (their GDP shares: the headline regional loss)."""
    acc = 0.0
    for x in range(len(actors)):
        acc += losses[actors[x]] * weights[x]
    return acc
