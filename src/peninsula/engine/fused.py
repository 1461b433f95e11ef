"""The fused step: every month of every run of a chunk in one compiled loop (optional, Numba).

The NumPy step (model/step.py) advances all runs one operation at a time: each of its few
hundred array operations per month streams its operands through memory and allocates a
temporary. This module computes the same model run by run, month by month, with each run's
state in registers and cache, compiled by Numba. It is an accelerator, not a second model:

* the NumPy step is the reference. Every expression here is the scalar form of an expression
  in the mechanism modules, written with the same operands in the same order (left to right,
  no fused multiply-add, no reassociation), sums over actors go left to right as in
  model/ordered.py, and exp, log, log1p, cos, sqrt and pow are the C library's functions, which
  NumPy's float64 loops also call on x86-64 without AVX-512. Results are therefore identical
  bit for bit; ``tests/test_fused.py`` checks every output of both paths on several scenarios
  and all mechanism switches.
* the equations and their sources are documented once, in the mechanism modules; the comments
  below name the module each block mirrors.
* the per-chunk constants (reference threat, trust anchors, reference pressure) and the
  parameter sampling are computed by the NumPy code and passed in, so they are shared.

``available()`` says whether Numba is installed; ``kernel="auto"`` in the engine uses the fused
step when it is and the NumPy step otherwise (``pip install peninsula[fast]``).
"""

from __future__ import annotations

import math

import numpy as np

from peninsula.engine.random import splitmix64
from peninsula.model.actors import N_ACTORS, PROXIMITY, ROK
from peninsula.model.beliefs import EPS, Z_MAX, logit
from peninsula.model.deterrence import BLOC_BACKING_SHARE
from peninsula.model.diplomacy import REFERENCE_TRUST_PRK_USA
from peninsula.model.economy import CHILL_PCT_PER_MONTH, EXPOSURE, SUPPLY_CHAIN_TARGET
from peninsula.model.events import EVENT_INDEX, GOLDSTEIN, N_EVENT_TYPES, TENSION_EVENTS
from peninsula.model.parameters import NAMES
from peninsula.model.provocations import CAPABILITY_REFERENCE
from peninsula.model.step import PATROLS_PER_YEAR_AT_FULL_ALIGNMENT, StepContext
from peninsula.scenario.schema import LEVERS, MECHANISMS

try:  # optional accelerator
    import numba
except ImportError:  # pragma: no cover - exercised where numba is absent
    numba = None

N_SLOTS = 16  # random-stream slots 1..15 (model/step.py), index 0 unused
YEARLY_KEYS = ("alignment", "polarization", "denuclearization", "gdp_loss_pct", "gdp_loss_pct_ROK",
               "cohesion", "arms_race_pct", "dprk_capability", "power_balance", "tension")
FIRST_KEYS = ("clash", "war", "nuclear_use")
NEVER = np.iinfo(np.int32).max
TENSION_IDX = np.nonzero(TENSION_EVENTS)[0]

# uint64 constants (Numba would turn uint64-with-int64 arithmetic into float64)
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_S11, _S27, _S30, _S31 = np.uint64(11), np.uint64(27), np.uint64(30), np.uint64(31)
_TWO_M53 = 1.0 / float(1 << 53)

# event columns (model/events.py)
EV_LAUNCH = EVENT_INDEX["missile_launch"]
EV_PROVOCATION = EVENT_INDEX["provocation"]
EV_RHETORIC = EVENT_INDEX["rhetoric"]
EV_DRILL = EVENT_INDEX["joint_drill"]
EV_SUMMIT = EVENT_INDEX["trilateral_summit"]
EV_TALKS = EVENT_INDEX["talks"]
EV_DENUC = EVENT_INDEX["denuclearization_step"]
EV_GRIEVANCE = EVENT_INDEX["grievance_shock"]
EV_TURNOVER = EVENT_INDEX["turnover_shock"]
EV_COERCION = EVENT_INDEX["coercion"]
EV_PATROL = EVENT_INDEX["joint_patrol"]
EV_CLASH = EVENT_INDEX["armed_clash"]
EV_WAR = EVENT_INDEX["war"]
EV_NUCLEAR = EVENT_INDEX["nuclear_use"]


def available() -> bool:
    """True when Numba is installed, so the fused step can be compiled."""
    return numba is not None


def _jit(f):
    if numba is None:
        return f
    return numba.njit(cache=True, error_model="numpy", fastmath=False, nogil=True)(f)


@_jit
def _mix(x):
    """SplitMix64 finaliser (engine/random.py), wrapping uint64 arithmetic."""
    z = x + _GOLDEN
    z = (z ^ (z >> _S30)) * _M1
    z = (z ^ (z >> _S27)) * _M2
    return z ^ (z >> _S31)


@_jit
def _uniform(key, ctr):
    """Uniform in [0, 1) for a run key and a pre-hashed (month, slot, j) counter."""
    return float(_mix(key ^ ctr) >> _S11) * _TWO_M53


@_jit
def _poisson(u, lam):
    """Poisson by inversion, as engine/random.py: poisson_from_uniform."""
    if lam == 0.0:  # exp(-0) = 1 > u: no event, without calling exp
        return 0
    k = 0
    pk = math.exp(-lam)
    cdf = pk
    active = u >= cdf
    kk = 0
    while active and kk < 2000:
        kk += 1
        pk = pk * lam / kk
        cdf += pk
        k = kk
        active = (u >= cdf) and (pk > 0.0)
    return k


@_jit
def _expit(z):
    return 1.0 / (1.0 + math.exp(-z))


@_jit
def _clip(x, lo, hi):
    return min(max(x, lo), hi)


@_jit
def _prob(h):
    if h <= 0.0:  # 1 - exp(-0) = 0 exactly
        return 0.0
    return 1.0 - math.exp(-h)


@_jit
def _kernel(keys, prm, lev, drill_t, ctr, fl, spend_t, theatre, posture0, nuclear0, trust0, z0,
            gdp0, trade_exposure, region_w, state0, theta_ref, theta_allies_ref, anchor,
            pressure_ref, a0_logit, def_share0, prox, goldstein, tension_idx, chill, sc_target,
            exposure, n_years, first, launches_y, patrols_y, days_y, yearly, monthly, events,
            record_monthly, record_events, trust_i, trust_j, ev_mask):
    n_runs = keys.shape[0]
    horizon = drill_t.shape[0]
    n_cols = launches_y.shape[1]
    f = fl[0]
    arms = np.empty(6)
    arms_new = np.empty(6)
    trust = np.empty((6, 6))
    z = np.empty((6, 6))
    flow = np.empty(6)
    ratio = np.empty(6)
    gdp_loss = np.empty(6)
    spending = np.empty(6)
    cap = np.empty(6)
    posture = np.empty(6)
    tij = np.empty((6, 6))
    ev = np.empty((6, 6))
    coerced = np.empty(6)
    t_allies = np.empty(6)
    counts = np.zeros(14, dtype=np.int64)
    weighted = np.empty(14)
    dyn_i = np.empty(36, dtype=np.int64)
    dyn_j = np.empty(36, dtype=np.int64)
    for r in range(n_runs):
        q = prm[r]
        key = keys[r]
        # --- init_state (model/state.py) ---
        for i in range(6):
            arms[i] = 1.0
            flow[i] = 0.0
            ratio[i] = 1.0
            gdp_loss[i] = 0.0
            spending[i] = spend_t[0, i] if horizon > 0 else 0.0
            for j in range(6):
                trust[i, j] = trust0[i, j]
                z[i, j] = z0[i, j]
        tech = 1.0
        cohesion = state0[0]
        alignment = state0[1]
        tension = state0[2]
        level = int(state0[3])
        talks_state = state0[4] != 0.0
        denuc = state0[5]
        nuclear = nuclear0
        excitation = 0.0
        prov_exc = 0.0
        launch_days = 0
        drill_memory = 0.0
        supply_chain = 0.0
        credibility = 0.0
        balance = 0.0
        willingness = 0.0
        sanctions_eff = 0.0
        fresh_trust = True
        n_dyn = 0
        # per-run constants: the same sub-expressions the NumPy step evaluates every month
        omega = math.exp(-1.0 / q.launch_excitation_months)
        branch_omega = q.launch_branching_ratio * (1.0 - omega)
        tech_gain12 = q.tech_capability_gain_per_year / 12.0
        grievance_p = q.grievance_shock_rate_per_year / 12.0
        turnover_p = q.turnover_shock_rate_per_year / 12.0
        coercion12 = q.coercion_rate_per_year / 12.0
        launch12 = q.launch_base_rate_per_year / 12.0
        prov12 = q.provocation_base_rate_per_year / 12.0
        rhet12 = q.rhetoric_base_rate_per_year / 12.0
        decay12 = q.cohesion_decay_per_year / 12.0
        intel12 = q.intelligence_cohesion_gain_per_year / 12.0
        attack12 = q.deliberate_aggression_rate_per_year / 12.0
        growth12 = q.dprk_capability_growth_per_year / 12.0
        start12 = -q.talks_start_rate_per_year / 12.0
        collapse12 = -q.talks_collapse_rate_per_year / 12.0
        denuc12 = q.denuclearization_step_rate_per_year / 12.0
        denuc_keep = 1.0 - q.denuclearization_reversal_per_year / 12.0
        gdp_keep = 1.0 - q.gdp_recovery_per_year / 12.0
        w0_logit = math.log(_clip(q.willingness_baseline, EPS, 1.0 - EPS)) - math.log1p(
            -_clip(q.willingness_baseline, EPS, 1.0 - EPS))
        for fk in range(3):
            first[fk, r] = NEVER

        for t in range(horizon):
            lv = lev[t]
            drill = drill_t[t]
            clarity = lv.strategic_clarity
            comm = lv.open_communication
            forum = lv.multilateral_engagement
            intel = lv.intelligence_sharing
            flexible = lv.flexible_diplomacy
            md = lv.missile_defense_deployment
            infra = lv.permanent_infrastructure
            for e in range(14):
                counts[e] = 0

            # --- posture, capability, threat (threat.py, arms_race.spending) ---
            drill_memory = drill_memory + (drill - drill_memory) / q.drill_memory_months
            tech = tech * (1.0 + tech_gain12 * lv.tech_collaboration)
            for i in range(6):
                spending[i] = spend_t[t, i] * arms[i]
                cap[i] = spending[i] * theatre[i]
            for i in range(3):
                cap[i] *= tech
            for i in range(6):
                posture[i] = posture0[i]
            if f.posture_threat:
                extra = (q.drill_offense_weight * drill * (1.0 - q.clarity_drill_discount * clarity)
                         + q.missile_defense_offense_weight * md
                         + q.infrastructure_offense_weight * infra)
                for i in range(3):
                    posture[i] += extra
            posture[3] = posture0[3] * math.sqrt(nuclear / nuclear0)
            total = cap[0]
            for j in range(1, 6):
                total += cap[j]
            forum_cut = 1.0 - q.forum_threat_reduction * forum
            hotline = 1.0 - q.hotline_threat_reduction * comm
            for j in range(6):
                power = math.exp(q.threat_power_exponent * math.log(cap[j] / total))
                for i in range(6):
                    off = posture[j]
                    if i == 5 and j < 3:
                        off = posture[j] * q.russia_encirclement_sensitivity
                    v = power * prox[i, j] * (1.0 + q.threat_offense_weight * off) * (1.0 - trust[i, j])
                    v *= forum_cut
                    if i == 4 or i == 5:
                        v *= hotline
                    tij[i, j] = v
            for i in range(6):
                acc = tij[i, 0]
                for j in range(1, 6):
                    acc += tij[i, j]
                ratio[i] = acc / theta_ref[r, i]
            rho = ratio[3]
            drill_eff = drill * (1.0 - q.clarity_drill_discount * clarity)
            override = lv.talks_override
            forced = override >= 0.0
            if forced:
                talks_state = override >= 0.5
            talks = 1.0 if talks_state else 0.0

            # --- events (step.py, provocations.py) ---
            summit = _uniform(key, ctr[t, 1, 0]) < min(1.0, lv.summit_frequency_per_year / 12.0)
            grievance = _uniform(key, ctr[t, 2, 0]) < grievance_p
            turnover = _uniform(key, ctr[t, 3, 0]) < turnover_p
            for i in range(6):
                coerced[i] = 0.0
            if f.coercion:
                rate = coercion12 * ratio[4]
                n_coerce = _poisson(_uniform(key, ctr[t, 4, 0]), rate)
                to_rok = _uniform(key, ctr[t, 5, 0]) < 0.6
                coerced[1] = n_coerce if to_rok else 0
                coerced[2] = 0 if to_rok else n_coerce
                counts[EV_COERCION] = n_coerce
            threat_factor = math.exp(q.launch_threat_elasticity * (rho - 1.0))
            base = (launch12 * threat_factor
                    * (nuclear / CAPABILITY_REFERENCE) ** q.launch_capability_elasticity)
            if f.drill_provocation:
                base = base * (1.0 + q.launch_drill_effect * drill_eff)
            base = base * (1.0 - q.talks_launch_suppression * talks)
            lam = base + (excitation if f.self_excitation else 0.0)
            launch_days = _poisson(_uniform(key, ctr[t, 6, 0]), lam / q.salvo_mean_size)
            launches = launch_days + _poisson(_uniform(key, ctr[t, 15, 0]),
                                              (q.salvo_mean_size - 1.0) * launch_days)
            excitation = omega * excitation + branch_omega * launches
            base = prov12 * threat_factor
            if f.drill_provocation:
                base = base * (1.0 + q.launch_drill_effect * drill_eff)
            base = base * (1.0 - q.talks_launch_suppression * talks)
            provs = _poisson(_uniform(key, ctr[t, 7, 0]),
                             base + (prov_exc if f.self_excitation else 0.0))
            prov_exc = omega * prov_exc + branch_omega * provs
            base = rhet12 * (0.5 + tension)
            if f.drill_provocation:
                base = base * (1.0 + q.launch_drill_effect * drill_eff)
            rhetoric = _poisson(_uniform(key, ctr[t, 8, 0]), base * (1.0 - 0.5 * talks))
            patrols = _poisson(_uniform(key, ctr[t, 9, 0]),
                               PATROLS_PER_YEAR_AT_FULL_ALIGNMENT / 12.0 * alignment)
            counts[EV_LAUNCH] = launches
            counts[EV_PROVOCATION] = provs
            counts[EV_RHETORIC] = rhetoric
            counts[EV_DRILL] = 1 if drill > 0 else 0
            counts[EV_SUMMIT] = 1 if summit else 0
            counts[EV_GRIEVANCE] = 1 if grievance else 0
            counts[EV_TURNOVER] = 1 if turnover else 0
            counts[EV_PATROL] = patrols
            counts[EV_TALKS] = 1 if talks_state else 0

            # --- cohesion and deterrence (cohesion.py, deterrence.py) ---
            if f.cohesion_dynamics:
                c = (cohesion
                     + q.summit_cohesion_gain * (1.0 if summit else 0.0) * (1.0 - cohesion)
                     - decay12 * (cohesion - q.cohesion_floor)
                     + intel12 * intel * (1.0 - cohesion)
                     - q.grievance_shock_size * (1.0 if grievance else 0.0)
                     - q.turnover_shock_size * (1.0 if turnover else 0.0))
                cohesion = _clip(c, 0.0, 1.0)
            allied = cap[0] + cap[1] + cap[2]
            adversary = cap[3] + alignment * BLOC_BACKING_SHARE * (cap[4] + cap[5])
            balance = allied / adversary
            gain = q.drill_credibility_gain if f.deterrence else 0.0
            resolve = min(1.0, q.alliance_resolve * (1.0 + gain * drill_memory))
            credibility = balance / (1.0 + balance) * cohesion * resolve
            h_delib = attack12
            h_delib_war = q.deliberate_war_per_month
            if f.deterrence:
                factor = (1.0 - credibility) ** q.deterrence_elasticity
                h_delib = h_delib * factor
                h_delib_war = h_delib_war * factor

            # --- alignment, sanctions, DPRK capability (alignment.py, nuclear_programme.py) ---
            for i in range(6):
                t_allies[i] = (tij[i, 0] + tij[i, 1] + tij[i, 2]) / theta_allies_ref[r, i]
            shared = (t_allies[4] + t_allies[5]) / 2.0
            if f.alignment:
                target = _expit(a0_logit + q.alignment_threat_sensitivity * (shared - 1.0))
                alignment = _clip(alignment + (target - alignment) / q.alignment_months, 0.0, 1.0)
            leak = q.sanctions_leakage * alignment if f.bloc_support else 0.0
            sanctions_eff = lv.sanctions_pressure * (1.0 - leak) * (1.0 - 0.5 * flexible * talks)
            if f.nuclear_programme:
                invest = max(0.0, 1.0 + q.dprk_threat_investment_elasticity * (rho - 1.0))
                support = 1.0 + (q.bloc_tech_support * alignment if f.bloc_support else 0.0)
                drag = 1.0 - q.sanctions_drag * sanctions_eff
                freeze = 1.0 - q.deal_freeze * talks
                nuclear = nuclear * (1.0 + growth12 * invest * drag * freeze * support)

            # --- diplomacy (diplomacy.py) ---
            if f.diplomacy:
                pressure = (0.5 * lv.sanctions_pressure + 0.3 * min(drill_memory, 2.0) / 2.0
                            + 0.2 * (md + infra) / 2.0)
                offer = flexible * min(1.0, 0.5 + tension)
                trust_gap = trust[3, 0] - REFERENCE_TRUST_PRK_USA
                push = q.cornered_pressure_weight * (pressure - pressure_ref[r]) * (
                    1.0 - q.offramp_effect * offer)
                zw = w0_logit + q.offer_willingness_gain * offer + 2.0 * trust_gap
                if f.cornered_effect:
                    zw = zw - push
                willingness = _expit(zw)
                u_start = _uniform(key, ctr[t, 10, 0])
                u_end = _uniform(key, ctr[t, 11, 0])
                p_start = 1.0 - math.exp(start12 * willingness * (0.5 + 0.5 * flexible))
                p_end = 1.0 - math.exp(collapse12 * (0.5 + tension) * (1.0 - 0.5 * flexible))
                talks_state = u_end >= p_end if talks_state else u_start < p_start
                if forced:
                    talks_state = override >= 0.5
                rate = denuc12 * (1.0 + q.sanctions_relief_effect * flexible)
                step_taken = talks_state and (_uniform(key, ctr[t, 12, 0]) < 1.0 - math.exp(-rate))
                if step_taken:
                    denuc = denuc + q.denuclearization_step * (1.0 - denuc)
                    nuclear = nuclear * (1.0 - q.denuclearization_step)
                    counts[EV_DENUC] = 1
                elif not talks_state:
                    denuc = denuc * denuc_keep

            # --- beliefs (beliefs.py, step._evidence) ---
            if f.beliefs:
                talks_now = 1.0 if talks_state else 0.0
                for i in range(6):
                    for j in range(6):
                        ev[i, j] = 0.0
                signal = 1.0 - q.communication_signal_effect * comm
                drill_ev = -q.belief_drill_log_lr * drill * (1.0 - q.clarity_drill_discount * clarity)
                posture_ev = -q.belief_posture_log_lr * (md + infra)
                reassure = q.belief_reassurance_log_lr * (comm + forum) / 2.0
                hostile = (drill_ev + posture_ev) * signal if f.posture_threat else 0.0
                for i in range(3, 6):
                    for j in range(3):
                        ev[i, j] += hostile + reassure
                for i in range(3):
                    ev[i, 3] -= q.belief_launch_log_lr * launches
                talks_ev = q.belief_talks_log_lr * talks_now
                for j in range(3):
                    ev[3, j] += talks_ev
                for i in range(3):
                    ev[i, 3] += talks_ev
                ev[1, 4] -= q.coercion_trust_log_lr * coerced[1]
                ev[2, 4] -= q.coercion_trust_log_lr * coerced[2]
                tau_b = q.belief_memory_months
                if fresh_trust:  # first update: every entry, then list those that can move
                    for i in range(6):
                        for j in range(6):
                            zn = z[i, j] + ev[i, j] + (anchor[r, i, j] - z[i, j]) / tau_b
                            zn = _clip(zn, -Z_MAX, Z_MAX)
                            trust[i, j] = _expit(zn)
                            z[i, j] = zn
                            # no evidence ever and z at its anchor: z + 0 + 0 = z for good
                            if ev_mask[i, j] or zn != anchor[r, i, j]:
                                dyn_i[n_dyn] = i
                                dyn_j[n_dyn] = j
                                n_dyn += 1
                    fresh_trust = False
                else:
                    for k in range(n_dyn):
                        i = dyn_i[k]
                        j = dyn_j[k]
                        zn = z[i, j] + ev[i, j] + (anchor[r, i, j] - z[i, j]) / tau_b
                        zn = _clip(zn, -Z_MAX, Z_MAX)
                        if zn != z[i, j]:  # expit of an unchanged z is unchanged
                            trust[i, j] = _expit(zn)
                        z[i, j] = zn

            # --- arms race (arms_race.py) ---
            if f.arms_race:
                for i in range(6):
                    acc = tij[i, 0] * arms[0]
                    for j in range(1, 6):
                        acc += tij[i, j] * arms[j]
                    dy = (q.arms_reaction_per_year * (acc / theta_ref[r, i] - 1.0)
                          - q.arms_fatigue_per_year * (arms[i] - 1.0)) / 12.0
                    arms_new[i] = max(arms[i] + dy, 0.05)
                for i in range(6):
                    arms[i] = arms_new[i]

            # --- escalation ladder (escalation.py) ---
            if rhetoric > 0:
                level = max(level, 1)
            if launches + provs > 0:
                level = max(level, 2)
            u = _uniform(key, ctr[t, 13, 0])
            u0 = _uniform(key, ctr[t, 14, 0])
            u1 = _uniform(key, ctr[t, 14, 1])
            zn = math.sqrt(-2.0 * math.log1p(-u0)) * math.cos(2.0 * math.pi * u1)
            f_t = math.exp(q.tension_escalation_sensitivity * (tension - 0.5))
            sigma = (q.misperception_noise * (1.0 - q.intelligence_warning_effect * intel)
                     * (1.0 - q.hotline_noise_reduction * comm))
            m = 1.0 + (sigma * abs(zn) if f.misperception else 0.0)
            cm = (cohesion + intel + comm) / 3.0 if f.crisis_management else 0.0
            cm_cut = 1.0 - q.crisis_management_effect * cm
            down_gain = (1.0 + q.crisis_management_effect * cm) * (1.0 + q.talks_deescalation_gain
                                                                   * talks)
            pre = 0.0
            if f.preemption:
                pre = (q.preemption_per_month
                       / (1.0 + math.exp(-(rho - q.preemption_threat_threshold) / 0.1))
                       * (1.0 - trust[3, 0]))
            up = 0.0
            down = 0.0
            jump = 0.0
            if level == 2:
                up = q.provocation_to_crisis_per_month * f_t * m
                jump = h_delib
            elif level == 3:
                surprise = (q.crisis_to_clash_per_month * f_t * m
                            * (1.0 - q.intelligence_warning_effect * intel))
                up = surprise + h_delib + pre
            elif level == 4:
                up = (q.clash_to_war_per_month * f_t + h_delib_war) * cm_cut
                down = q.clash_deescalation_per_month * down_gain
            elif level == 5:
                up = q.war_to_nuclear_per_month * math.sqrt(nuclear / nuclear0)
                down = q.armistice_per_month * (1.0 + q.crisis_management_effect * cm)
            if level >= 1 and level <= 3:
                down = q.deescalation_per_month * down_gain
            p_up = _prob(up)
            p_jump = _prob(jump)
            p_down = _prob(down)
            new = level
            if u < p_up:
                new = level + 1
            elif u < p_up + p_jump:
                new = 4
            elif u < p_up + p_jump + p_down:
                new = 3 if level == 5 else level - 1
            if level == 6:
                new = 6
            if new > level:
                if new == 4:
                    counts[EV_CLASH] = 1
                elif new == 6:
                    counts[EV_NUCLEAR] = 1
            level = new
            counts[EV_WAR] = 1 if level == 5 else 0

            # --- tension (tension.py) ---
            for e in range(14):
                weighted[e] = float(counts[e])
            weighted[EV_DRILL] = drill
            e0 = tension_idx[0]
            net = weighted[e0] * goldstein[e0]
            for k in range(1, tension_idx.shape[0]):
                e = tension_idx[k]
                net += weighted[e] * goldstein[e]
            target = _clip(-net / q.tension_goldstein_scale, 0.0, 1.0) * forum_cut
            tension = tension + (target - tension) / q.tension_memory_months

            # --- economy (economy.py) ---
            if f.economy:
                supply_chain = supply_chain + (sc_target[level] - supply_chain) / 3.0
                for i in range(6):
                    shock = (q.investment_chill_scale * chill[level]
                             + q.supply_chain_sensitivity * supply_chain) * exposure[i]
                    shock = shock + q.coercion_trade_loss * coerced[i]
                    flow[i] = flow[i] * gdp_keep + shock
                    crowd = q.defense_crowding_out * max(0.0, spending[i] / gdp0[i]
                                                         - def_share0[i]) * 100.0
                    trade = q.trade_tension_elasticity * tension * trade_exposure[i]
                    gdp_loss[i] = crowd + trade + flow[i]

            # --- records (engine/simulate.py) ---
            if level >= 4 and first[0, r] == NEVER:
                first[0, r] = t
            if level >= 5 and first[1, r] == NEVER:
                first[1, r] = t
            if level >= 6 and first[2, r] == NEVER:
                first[2, r] = t
            y = min(t // 12, n_cols - 1)
            launches_y[r, y] += counts[EV_LAUNCH]
            patrols_y[r, y] += counts[EV_PATROL]
            days_y[r, y] += launch_days
            polar = math.sqrt(_clip(alignment, 0.0, 1.0) * _clip(cohesion, 0.0, 1.0))
            if record_monthly:
                row = monthly[r, t]
                row[0] = float(level)
                row[1] = tension
                row[2] = cohesion
                row[3] = alignment
                row[4] = polar
                row[5] = credibility
                row[6] = balance
                row[7] = nuclear
                row[8] = denuc
                row[9] = 1.0 if talks_state else 0.0
                row[10] = willingness
                row[11] = sanctions_eff
                row[12] = supply_chain
                for i in range(6):
                    row[13 + i] = arms[i]
                    row[19 + i] = spending[i]
                    row[25 + i] = ratio[i]
                    row[31 + i] = gdp_loss[i]
                for k in range(trust_i.shape[0]):
                    row[37 + k] = trust[trust_i[k], trust_j[k]]
            if record_events:
                for e in range(14):
                    events[r, t, e] = min(counts[e], 32767)
            if (t + 1) % 12 == 0 and (t + 1) // 12 <= n_years:
                yi = (t + 1) // 12 - 1
                yearly[0, r, yi] = alignment
                yearly[1, r, yi] = polar
                yearly[2, r, yi] = denuc
                acc = gdp_loss[1] * region_w[0] + gdp_loss[2] * region_w[1]
                acc += gdp_loss[4] * region_w[2]
                yearly[3, r, yi] = acc
                yearly[4, r, yi] = gdp_loss[ROK]
                yearly[5, r, yi] = cohesion
                yearly[6, r, yi] = 100.0 * ((arms[0] + arms[1] + arms[2] + arms[4]) / 4.0 - 1.0)
                yearly[7, r, yi] = nuclear
                yearly[8, r, yi] = balance
                yearly[9, r, yi] = tension


def _records(fields: tuple[str, ...], values: dict, n: int, dtype: str) -> np.ndarray:
    """A structured array (one record per row) so the kernel reads fields by name."""
    rec = np.empty(n, dtype=[(name, dtype) for name in fields])
    for name in fields:
        rec[name] = values[name]
    return rec


def evidence_mask(setup) -> np.ndarray:
    """Which (observer, actor) beliefs can receive evidence (model/step.py: _evidence).

    Found by calling the NumPy evidence function with every input set to one and every
    mechanism on, so the kernel's shortcut for belief entries that never move follows the model.
    """
    from peninsula.model.step import _evidence

    one = np.ones(1)
    p = {name: one for name in NAMES}
    flags = {k: True for k in MECHANISMS}
    ev = _evidence(p, flags, one, one, one, 0.5 * one, 0.5 * one, one, one, one, np.ones((1, 6)))
    return np.ascontiguousarray(ev[0] != 0.0)


def kernel_inputs(setup, params: np.ndarray, n_runs: int) -> dict:
    """Per-chunk inputs shared with the NumPy path: plan, reference points, counters."""
    from peninsula.engine.simulate import _TRUST_IDX, REGION_GDP_ACTORS

    h = setup.horizon
    prm = _records(NAMES, {n: params[:, j] for j, n in enumerate(NAMES)}, n_runs, "f8")
    lev = _records(tuple(LEVERS), setup.plan.values, h, "f8")
    fl = _records(tuple(MECHANISMS), {k: bool(setup.flags[k]) for k in MECHANISMS}, 1, "?")
    ctx = StepContext(setup, {n: params[:, j] for j, n in enumerate(NAMES)}, n_runs)
    # splitmix64(counter + j) of engine/random.py for every (month, slot, j): shared by all runs
    t_, slot_, j_ = np.meshgrid(np.arange(max(h, 1), dtype=np.uint64),
                                np.arange(N_SLOTS, dtype=np.uint64),
                                np.arange(2, dtype=np.uint64), indexing="ij")
    ctr = splitmix64(((t_ << np.uint64(40)) | (slot_ << np.uint64(16))) + j_)
    spend_t = np.array([setup.spending0 * (1.0 + setup.growth) ** (t / 12.0) for t in range(h)])
    idx = list(REGION_GDP_ACTORS)
    s0 = setup.state0
    return dict(
        prm=prm, lev=lev, drill_t=np.ascontiguousarray(setup.plan.drill, dtype=np.float64),
        ctr=ctr, fl=fl, spend_t=spend_t.reshape(h, N_ACTORS), theatre=setup.theatre,
        posture0=setup.posture0, nuclear0=float(setup.nuclear0), trust0=setup.trust0,
        z0=np.ascontiguousarray(logit(setup.trust0)), gdp0=setup.gdp0,
        trade_exposure=setup.trade_exposure, region_w=setup.gdp0[idx] / setup.gdp0[idx].sum(),
        state0=np.array([s0["cohesion"], s0["alignment"], s0["tension"], s0["escalation_level"],
                         float(bool(s0["talks_active"])), s0["denuclearization"]], dtype=float),
        theta_ref=np.ascontiguousarray(ctx.theta_ref), theta_allies_ref=np.ascontiguousarray(
            ctx.theta_allies_ref), anchor=np.ascontiguousarray(ctx.anchor),
        pressure_ref=np.ascontiguousarray(ctx.pressure_ref, dtype=float), a0_logit=ctx.a0_logit,
        def_share0=ctx.def_share0, prox=PROXIMITY, goldstein=GOLDSTEIN,
        tension_idx=TENSION_IDX.astype(np.int64), chill=CHILL_PCT_PER_MONTH,
        sc_target=SUPPLY_CHAIN_TARGET, exposure=EXPOSURE,
        trust_i=np.array([i for i, _ in _TRUST_IDX], dtype=np.int64),
        trust_j=np.array([j for _, j in _TRUST_IDX], dtype=np.int64),
        ev_mask=evidence_mask(setup),
    )


def simulate_fused(setup, run_ids: np.ndarray, keys: np.ndarray, params: np.ndarray,
                   record_monthly: bool, record_events: bool, n_vars: int):
    """Run the compiled kernel over a chunk; return (first, by-year counts, yearly, monthly,
    events) in the layout of engine/simulate.py's ChunkResult."""
    if numba is None:
        raise RuntimeError("the fused step needs Numba: pip install 'peninsula[fast]'")
    n, h, years = len(run_ids), setup.horizon, setup.n_years
    cols = max(years, 1)
    inputs = kernel_inputs(setup, params, n)
    first = np.empty((3, n), dtype=np.int32)
    launches_y = np.zeros((n, cols))
    patrols_y = np.zeros((n, cols))
    days_y = np.zeros((n, cols))
    yearly = np.zeros((len(YEARLY_KEYS), n, cols))
    monthly = (np.empty((n, h, n_vars), np.float32) if record_monthly
               else np.empty((0, 0, n_vars), np.float32))
    events = (np.zeros((n, h, N_EVENT_TYPES), np.int16) if record_events
              else np.empty((0, 0, N_EVENT_TYPES), np.int16))
    _kernel(keys, inputs["prm"], inputs["lev"], inputs["drill_t"], inputs["ctr"], inputs["fl"],
            inputs["spend_t"], inputs["theatre"], inputs["posture0"], inputs["nuclear0"],
            inputs["trust0"], inputs["z0"], inputs["gdp0"], inputs["trade_exposure"],
            inputs["region_w"], inputs["state0"], inputs["theta_ref"], inputs["theta_allies_ref"],
            inputs["anchor"], inputs["pressure_ref"], inputs["a0_logit"], inputs["def_share0"],
            inputs["prox"], inputs["goldstein"], inputs["tension_idx"], inputs["chill"],
            inputs["sc_target"], inputs["exposure"], years, first, launches_y, patrols_y, days_y,
            yearly, monthly, events, record_monthly, record_events, inputs["trust_i"],
            inputs["trust_j"], inputs["ev_mask"])
    return (
        {k: first[i] for i, k in enumerate(FIRST_KEYS)},
        launches_y, patrols_y, days_y,
        {k: yearly[i] for i, k in enumerate(YEARLY_KEYS)},
        monthly if record_monthly else None,
        events if record_events else None,
    )
