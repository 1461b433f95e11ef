"""The escalation ladder: 7 rungs with monthly transition hazards (after Kahn 1965, compressed).

Rungs: 0 calm, 1 rhetoric, 2 provocation, 3 crisis, 4 armed clash, 5 war, 6 nuclear use (absorbing).
Observed events set a floor first: any rhetoric lifts the level to >= 1, any launch or other
provocation to >= 2. Then, with f_T = exp(gamma_T * (tension - 0.5)) and
misperception m = 1 + sigma_eff * |z|, z ~ N(0, 1), sigma_eff = sigma * (1 - i_w * intel) * (1 - h_n * comm):

    provocation -> crisis   h = h_pc * f_T * m
    crisis -> armed clash   h = h_cc * f_T * m * (1 - i_w * intel)      accidental / surprise
                              + h_delib (deterrence.py; also from provocation)
                              + h_pre * logistic((rho_PRK - rho*) / 0.1) * (1 - trust_PRK,USA)
    armed clash -> war      h = (h_cw * f_T + h_war) * (1 - c_m * CM)        accidental + deliberate
    war -> nuclear use      h = h_wn * sqrt(N / N_0)
    one rung down           h = h_down * (1 + c_m * CM) * (1 + g_talks * talks)   (rungs 1..3)
    armed clash -> crisis   h = h_clash_down * (1 + c_m * CM) * (1 + g_talks * talks)
    war -> crisis           h = h_armistice * (1 + c_m * CM)
    CM = (cohesion + intelligence_sharing + open_communication) / 3     crisis-management capacity

Hazards are turned into probabilities p = 1 - exp(-h) and competing moves share one uniform
draw. Schelling's "threat that leaves something to chance" is the misperception term;
pre-emption is Powell's (2006) commitment problem when threat is high and trust low.
"""

from __future__ import annotations

import numpy as np

from peninsula.model.types import Array, Flags, Params

CALM, RHETORIC, PROVOCATION, CRISIS, CLASH, WAR, NUCLEAR = range(7)


def _prob(h: Array) -> Array:
    return 1.0 - np.exp(-np.maximum(h, 0.0))


def ladder_step(
    level: Array,
    u: Array,
    z: Array,
    tension: Array,
    rho_prk: Array,
    trust_prk_usa: Array,
    cohesion: Array,
    intel: Array,
    comm: Array,
    talks: Array,
    h_delib: Array,
    h_delib_war: Array,
    nuclear_ratio: Array,
    p: Params,
    flags: Flags,
) -> tuple[Array, Array, Array, Array]:
    """Return (new level, entered_clash, entered_war, entered_nuclear) for one month."""
    f_t = np.exp(p["tension_escalation_sensitivity"] * (tension - 0.5))
    sigma = (
        p["misperception_noise"]
        * (1.0 - p["intelligence_warning_effect"] * intel)
        * (1.0 - p["hotline_noise_reduction"] * comm)
    )
    m = 1.0 + (sigma * np.abs(z) if flags["misperception"] else 0.0)
    cm = (cohesion + intel + comm) / 3.0 if flags["crisis_management"] else 0.0
    cm_cut = 1.0 - p["crisis_management_effect"] * cm
    down_gain = (1.0 + p["crisis_management_effect"] * cm) * (1.0 + p["talks_deescalation_gain"] * talks)

    pre = 0.0
    if flags["preemption"]:
        pre = (
            p["preemption_per_month"]
            / (1.0 + np.exp(-(rho_prk - p["preemption_threat_threshold"]) / 0.1))
            * (1.0 - trust_prk_usa)
        )

    up = np.zeros_like(tension)
    down = np.zeros_like(tension)
    at = [level == k for k in range(7)]
    up = np.where(at[PROVOCATION], p["provocation_to_crisis_per_month"] * f_t * m, up)
    surprise = p["crisis_to_clash_per_month"] * f_t * m * (1.0 - p["intelligence_warning_effect"] * intel)
    up = np.where(at[CRISIS], surprise + h_delib + pre, up)
    up = np.where(at[CLASH], (p["clash_to_war_per_month"] * f_t + h_delib_war) * cm_cut, up)
    up = np.where(at[WAR], p["war_to_nuclear_per_month"] * np.sqrt(nuclear_ratio), up)
    down = np.where((level >= RHETORIC) & (level <= CRISIS), p["deescalation_per_month"] * down_gain, down)
    down = np.where(at[CLASH], p["clash_deescalation_per_month"] * down_gain, down)
    down = np.where(at[WAR], p["armistice_per_month"] * (1.0 + p["crisis_management_effect"] * cm), down)
    # From provocation a deliberate attack skips the crisis rung (2010: Cheonan, Yeonpyeong).
    jump_clash = np.where(at[PROVOCATION], h_delib, 0.0)

    p_up, p_jump, p_down = _prob(up), _prob(jump_clash), _prob(down)
    new = level.copy()
    go_up = u < p_up
    go_jump = ~go_up & (u < p_up + p_jump)
    go_down = ~go_up & ~go_jump & (u < p_up + p_jump + p_down)
    new = np.where(go_up, level + 1, new)
    new = np.where(go_jump, CLASH, new)
    new = np.where(go_down, np.where(at[WAR], CRISIS, level - 1), new)
    new = np.where(at[NUCLEAR], NUCLEAR, new)
    entered = new > level
    return (
        new.astype(level.dtype),
        entered & (new == CLASH),
        entered & (new == WAR),
        entered & (new == NUCLEAR),
    )


def apply_event_floor(level: Array, rhetoric: Array, provocations: Array) -> Array:
    """Observed rhetoric lifts the level to >= 1; launches or provocations to >= 2."""
    level = np.where(rhetoric > 0, np.maximum(level, RHETORIC), level)
    return np.where(provocations > 0, np.maximum(level, PROVOCATION), level)
