"""Economic fallout: GDP level loss (% below a calm-world path) per actor.

    loss_i = def_i + trade_i + flow_i
    def_i   = c_def * max(0, share_i(t) - share_i(0)) * 100            crowding-out (pp of GDP)
    trade_i = e_trade * tension * X_i                                  X: trade with rivals, % GDP
    flow_i' = flow_i * (1 - r_rec / 12) + k_inv * chill[L] * x_i      investment chill (risk premium)
              + k_sc * SC * x_i                                          supply-chain disruption
              + coercion_loss * coerced_i                                China's economic coercion
    SC'     = SC + (sc[L] - SC) / 3                                    disruption index (0..1)

chill[L] (% GDP per month) = 0, 0, 0, 0.02, 0.1, 1.5, 5 for the seven rungs; sc[L] =
0, 0, 0, 0.05, 0.2, 0.8, 1; exposure x = USA 0.1, ROK 1, JPN 0.5, PRK 1, CHN 0.3, RUS 0.2.
These profiles are judgement: the scale parameters carry the uncertainty. Trade loss follows
the gravity-model finding that conflict cuts bilateral trade (elasticity e_trade); THAAD
retaliation (2017) cost the ROK an estimated 0.2-0.4% of GDP (coercion_trade_loss).
"""

from __future__ import annotations

import numpy as np

from peninsula.model.types import Array, Params

CHILL_PCT_PER_MONTH = np.array([0.0, 0.0, 0.0, 0.02, 0.1, 1.5, 5.0])
SUPPLY_CHAIN_TARGET = np.array([0.0, 0.0, 0.0, 0.05, 0.2, 0.8, 1.0])
EXPOSURE = np.array([0.1, 1.0, 0.5, 1.0, 0.3, 0.2])


def supply_chain_step(sc: Array, level: Array) -> Array:
    return sc + (SUPPLY_CHAIN_TARGET[level] - sc) / 3.0


def flow_loss_step(flow: Array, level: Array, sc: Array, coerced: Array, p: Params) -> Array:
    """Accumulating GDP loss (runs x 6) from investment chill, supply chains and coercion."""
    shock = (
        p["investment_chill_scale"][:, None] * CHILL_PCT_PER_MONTH[level][:, None]
        + p["supply_chain_sensitivity"][:, None] * sc[:, None]
    ) * EXPOSURE[None, :]
    shock = shock + p["coercion_trade_loss"][:, None] * coerced
    return flow * (1.0 - p["gdp_recovery_per_year"][:, None] / 12.0) + shock


def gdp_loss(
    flow: Array, tension: Array, trade_exposure: Array, def_share: Array, def_share0: Array, p: Params
) -> Array:
    """Total GDP level loss, % (runs x 6)."""
    crowd = p["defense_crowding_out"][:, None] * np.maximum(0.0, def_share - def_share0) * 100.0
    trade = p["trade_tension_elasticity"][:, None] * tension[:, None] * trade_exposure[None, :]
    return crowd + trade + flow
