"""DPRK provocations: a self-exciting (Hawkes-type) monthly count process.

    lambda_launch(t) = mu/12 * exp(e_T * (rho_PRK - 1)) * (N(t) / 50)^e_N * (1 + beta_JME * d_eff(t))
                       * (1 - s_talks * talks) + E(t)
    E(t+1)           = omega * E(t) + n * (1 - omega) * launches(t)      omega = exp(-1/tau_E)
    launch days(t)   ~ Poisson(lambda_launch(t) / m)
    launches(t)      = days + Poisson((m - 1) * days)     salvoes: 1 + Poisson(m - 1) per day

N is the DPRK's capability (warhead-equivalents; 50 is the 2024-26 stock, where mu applies):
a larger and more diverse programme has more to test (e_N, judgement). E is the excitation left
by recent launches; one launch adds n expected later launches in
total (the branching ratio), spread with decay time tau_E, so the process is stationary for
n < 1 and its long-run mean is base/(1 - n). d_eff = d * (1 - c_d * clarity) is the drill
intensity as read by Pyongyang. beta_JME's range includes 0 because the studies disagree
(D'Orazio 2012, CSIS, Hess 2017: null; Bernhardt & Sukin 2021: positive).
Other provocations (artillery, drones, incursions) follow the same form with their own base rate
and their own excitation state (same branching ratio and decay); threatening rhetoric is Poisson
with a rate scaled by tension and the drill term.
"""

from __future__ import annotations

import numpy as np

from peninsula.model.types import Array, Flags, Params

CAPABILITY_REFERENCE = 50.0  # warhead-equivalents: the 2024-26 stock (SIPRI), where mu applies


def launch_rate(
    threat_ratio: Array,
    drill_eff: Array,
    talks: Array,
    excitation: Array,
    p: Params,
    flags: Flags,
    capability: Array | float = CAPABILITY_REFERENCE,
) -> Array:
    """Expected DPRK missile launches this month (runs,)."""
    base = (
        p["launch_base_rate_per_year"]
        / 12.0
        * np.exp(p["launch_threat_elasticity"] * (threat_ratio - 1.0))
        # (N / 50)^e_N, written exp(e_N ln(N / 50)) as in engine/fused.py (N > 0)
        * np.exp(p["launch_capability_elasticity"]
                 * np.log(np.asarray(capability) / CAPABILITY_REFERENCE))
    )
    if flags["drill_provocation"]:
        base = base * (1.0 + p["launch_drill_effect"] * drill_eff)
    base = base * (1.0 - p["talks_launch_suppression"] * talks)
    return base + (excitation if flags["self_excitation"] else 0.0)


def excitation_step(excitation: Array, launches: Array, p: Params) -> Array:
    omega = np.exp(-1.0 / p["launch_excitation_months"])
    return omega * excitation + p["launch_branching_ratio"] * (1.0 - omega) * launches


def provocation_rate(
    threat_ratio: Array, drill_eff: Array, talks: Array, excitation: Array, p: Params, flags: Flags
) -> Array:
    """Expected non-missile DPRK provocations this month (runs,)."""
    base = (
        p["provocation_base_rate_per_year"]
        / 12.0
        * np.exp(p["launch_threat_elasticity"] * (threat_ratio - 1.0))
    )
    if flags["drill_provocation"]:
        base = base * (1.0 + p["launch_drill_effect"] * drill_eff)
    base = base * (1.0 - p["talks_launch_suppression"] * talks)
    return base + (excitation if flags["self_excitation"] else 0.0)


def rhetoric_rate(tension: Array, drill_eff: Array, talks: Array, p: Params, flags: Flags) -> Array:
    base = p["rhetoric_base_rate_per_year"] / 12.0 * (0.5 + tension)
    if flags["drill_provocation"]:
        base = base * (1.0 + p["launch_drill_effect"] * drill_eff)
    return base * (1.0 - 0.5 * talks)
