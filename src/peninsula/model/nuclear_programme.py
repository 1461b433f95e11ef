"""DPRK nuclear and missile capability (warhead-equivalents).

    I   = max(0, 1 + e * (rho_PRK - 1))                      investment, rising with threat
    N'  = N * [1 + (g / 12) * I * (1 - drag * S_eff) * (1 - freeze * talks) * (1 + b * a)]
    N' -= N * step_size  at each denuclearisation step (dismantlement)

Growth is monotone in investment; sanctions, deals (talks) and steps slow or reverse it; bloc
alignment a speeds it (technology support, Russia-DPRK 2024 treaty). Baseline growth
g ~ 10%/yr follows SIPRI's estimate of ~50 assembled warheads with fissile material for ~90.
"""

from __future__ import annotations

import numpy as np

from peninsula.model.types import Array, Flags, Params


def capability_step(
    n: Array,
    threat_ratio: Array,
    sanctions_eff: Array,
    talks: Array,
    alignment: Array,
    p: Params,
    flags: Flags,
) -> Array:
    """Advance DPRK capability N (runs,) one month (before any dismantlement)."""
    if not flags["nuclear_programme"]:
        return n
    invest = np.maximum(0.0, 1.0 + p["dprk_threat_investment_elasticity"] * (threat_ratio - 1.0))
    support = 1.0 + (p["bloc_tech_support"] * alignment if flags["bloc_support"] else 0.0)
    drag = 1.0 - p["sanctions_drag"] * sanctions_eff
    freeze = 1.0 - p["deal_freeze"] * talks
    return n * (1.0 + p["dprk_capability_growth_per_year"] / 12.0 * invest * drag * freeze * support)
