"""The engine's kernel: every month of every run of a chunk, in one compiled loop.

The kernel is wiring. It keeps the state of a block of runs, draws each run's random numbers
from its own stream (engine/random.py) and calls the model's mechanism functions (model/*.py)
in the documented order of a month; every equation and constant lives in those functions,
which the unit tests call directly. The order of a month:

    1. posture, capability and perceived threat (threat.py, arms_race.spending)
    2. events: summit, shocks, China's coercion (coercion.py), the testing-campaign regime and
       the year's frailty, launches and salvoes (or the record's, when forced),
       provocations, rhetoric (provocations.py; the lesson and the burst of the concession
       channel, concessions.py), joint patrols; then cohesion (cohesion.py), credibility
       (deterrence.py), alignment, sanctions and relief (alignment.py), DPRK capability
       (nuclear_programme.py)
    3. diplomacy: willingness, talks, denuclearisation steps (diplomacy.py), the lesson
       (concessions.py)
    4. beliefs (beliefs.py)
    5. arms race (arms_race.py)
    6. escalation ladder on last month's tension (escalation.py, deterrence.py), then tension
       from this month's events (tension.py), the economy (economy.py), and the records

How it is fast (docs/performance.md): runs advance in blocks of BLOCK_RUNS, one phase of the
month at a time over the block, so the block's state stays in the core's cache; where a phase
works entry by entry (the threat matrix, the beliefs, the arms levels) the block's state is kept
by entry, then run, so those loops run over contiguous memory. Work is skipped only where the
skipped value provably equals the computed one: per-run constants (monthly rates) are formed
once per run; beliefs that receive no evidence are revisited only until their update leaves
them unchanged (a fixed map of z); the ladder's hazards are formed only when the month's uniform
is near them (escalation.settled_rung), the talks draws are settled by bounds where they can be
(model/bounds.py) and DPRK willingness is formed only when a draw or the monthly table needs it;
draws whose outcome cannot matter are not made (the salvo size without launch days, the
coercion target without coercion); GDP loss and polarization are formed only in recorded months.
"""

from __future__ import annotations

from typing import NamedTuple

import numba
import numpy as np

from peninsula.engine.random import normal, normal_radius, normal_radius_upper, poisson, uniform
from peninsula.io.results import (
    ACTOR_BLOCK,
    COLUMN,
    FIRST_RUNGS,
    NEVER,
    REGION_GDP_ACTORS,
    TRUST_BLOCK,
    YEARLY_KEYS,
)
from peninsula.model import (
    alignment,
    arms_race,
    beliefs,
    bounds,
    coercion,
    cohesion,
    concessions,
    deterrence,
    diplomacy,
    economy,
    escalation,
    nuclear_programme,
    provocations,
    reference,
    tension,
    threat,
)
from peninsula.model.actors import CHN, JPN, N_ACTORS, PRK, PROXIMITY, ROK, RUS, USA
from peninsula.model.compiled import JIT_OPTIONS
from peninsula.model.events import EVENT_INDEX, N_EVENT_TYPES
from peninsula.model.rates import memory_rate, per_month, relax
from peninsula.model.state import (
    ALIGNMENT0,
    COHESION0,
    CONFRONTATION0,
    DENUCLEARIZATION0,
    LEVEL0,
    RIVALRY0,
    SLOT_CAMPAIGN,
    SLOT_COERCION,
    SLOT_COERCION_TARGET,
    SLOT_DENUC,
    SLOT_FRAILTY,
    SLOT_GRIEVANCE,
    SLOT_LADDER,
    SLOT_LAUNCH,
    SLOT_LAUNCH_LIFT,
    SLOT_MISPERCEPTION,
    SLOT_PATROL,
    SLOT_PROVOCATION,
    SLOT_RHETORIC,
    SLOT_SALVO,
    SLOT_SUMMIT,
    SLOT_TALKS_END,
    SLOT_TALKS_START,
    SLOT_TURNOVER,
    TALKS0,
    TENSION0,
)

BLOCK_RUNS = 256  # runs advanced together: their state (about 2 KB each) stays in L2 cache
N_ENTRIES = N_ACTORS * N_ACTORS  # beliefs and threats by flat index observer * 6 + actor
PRK_USA = PRK * N_ACTORS + USA  # the DPRK's trust in the US (willingness, ladder)
ROK_PRK = ROK * N_ACTORS + PRK  # the ROK's trust in the DPRK (the allies' pre-emption)
ALLIES_END = threat.N_ALLIES
BLOC_FIRST = threat.BLOC_FIRST

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
EVENT_MAX = np.iinfo(np.int16).max  # event counts are stored as int16

# monthly record columns (io/results.py)
C_LEVEL, C_TENSION, C_COHESION = COLUMN["escalation_level"], COLUMN["tension"], COLUMN["cohesion"]
C_ALIGNMENT, C_POLARIZATION = COLUMN["alignment"], COLUMN["polarization"]
C_CREDIBILITY, C_BALANCE = COLUMN["credibility"], COLUMN["power_balance"]
C_CAPABILITY, C_DENUC = COLUMN["dprk_capability"], COLUMN["denuclearization"]
C_TALKS, C_WILLINGNESS = COLUMN["talks_active"], COLUMN["dprk_willingness"]
C_SANCTIONS, C_SUPPLY = COLUMN["sanctions_effective"], COLUMN["supply_chain"]
C_LAUNCH_RATE, C_CAMPAIGN = COLUMN["launch_rate"], COLUMN["testing_campaign"]
C_ARMS, C_SPENDING = ACTOR_BLOCK["arms_level"], ACTOR_BLOCK["defence_spending_usd_bn"]
C_RATIO, C_GDP = ACTOR_BLOCK["threat_ratio"], ACTOR_BLOCK["gdp_loss_pct"]
C_TRUST = TRUST_BLOCK
# yearly snapshot rows (io/results.py)
(Y_ALIGNMENT, Y_POLARIZATION, Y_DENUC, Y_GDP, Y_GDP_ROK, Y_COHESION, Y_ARMS, Y_CAPABILITY,
 Y_BALANCE, Y_TENSION, Y_CLASHES, Y_WARS, Y_CREDIBILITY) = (YEARLY_KEYS.index(k) for k in (
    "alignment", "polarization", "denuclearization", "gdp_loss_pct", "gdp_loss_pct_ROK",
    "cohesion", "arms_race_pct", "dprk_capability", "power_balance", "tension",
    "clash_entries", "war_entries", "credibility"))
REGION = np.array(REGION_GDP_ACTORS, dtype=np.int64)
INTENSITY = np.array(arms_race.INTENSITY_ACTORS, dtype=np.int64)
CATEGORY = beliefs.EVIDENCE_CATEGORY.ravel().copy()
ENTRIES = beliefs.EVIDENCE_ENTRIES
CHILL = economy.CHILL_PCT_PER_MONTH
SUPPLY_TARGET = economy.SUPPLY_CHAIN_TARGET
EXPOSURE = economy.EXPOSURE


class Inputs(NamedTuple):
    """What a chunk's kernel reads (engine/inputs.py packs it)."""

    keys: np.ndarray  # (R,) uint64 run keys
    prm: np.ndarray  # (R,) records: the run's parameters by name
    lev: np.ndarray  # (H,) records: the levers of each month by name
    drill: np.ndarray  # (H,) drill intensity (0 outside drill months)
    ctr: np.ndarray  # (H, slots, draws) uint64 hashed counters
    flags: np.ndarray  # (1,) record: the mechanism switches by name
    ref: np.ndarray  # (1,) record: the reference policy (reference.REFERENCE_INPUTS)
    lev_cf: np.ndarray  # (H,) records: the counterfactual levers (explain.py), else the levers
    drill_cf: np.ndarray  # (H,) the counterfactual's drill intensity
    views: np.ndarray  # (1,) record: per channel (levers.CHANNELS), reads the counterfactual
    trend: np.ndarray  # (H, 6) defence spending on trend, USD bn/yr
    theatre: np.ndarray  # (6,)
    posture0: np.ndarray  # (6,)
    nuclear0: float
    spending0: np.ndarray  # (6,)
    trust0: np.ndarray  # (6, 6)
    z0: np.ndarray  # (36,) logit of trust0
    inv_gdp0: np.ndarray  # (6,)
    def_share0: np.ndarray  # (6,)
    trade_exposure: np.ndarray  # (6,)
    region_w: np.ndarray  # (3,) GDP weights of REGION_GDP_ACTORS
    state0: np.ndarray  # (len(STATE0_FIELDS),)
    trust_entries: np.ndarray  # (dyads,) flat index of each recorded trust dyad
    n_years: int


class Outputs(NamedTuple):
    """What a chunk's kernel writes (io/results.py: ChunkResult)."""

    first: np.ndarray  # (3, R) int32
    launches_y: np.ndarray  # (R, Y)
    patrols_y: np.ndarray  # (R, Y)
    days_y: np.ndarray  # (R, Y)
    yearly: np.ndarray  # (len(YEARLY_KEYS), R, Y)
    monthly: np.ndarray  # (R, H, V) float32, or empty
    events: np.ndarray  # (R, H, E) int16, or empty


@numba.njit(**JIT_OPTIONS)
def run_chunk(inp, out, record_monthly, record_events):  # noqa: C901 - one month, in order
    """Advance every run of the chunk through the horizon, writing ``out``."""
    keys, prm, lev, ctr, f = inp.keys, inp.prm, inp.lev, inp.ctr, inp.flags[0]
    v, ref = inp.views[0], inp.ref[0]
    n_runs = keys.shape[0]
    horizon = inp.drill.shape[0]
    n_cols = out.launches_y.shape[1]
    nb = min(BLOCK_RUNS, n_runs)
    # state of a block of runs, by run (or by actor or entry, then run)
    arms = np.empty((N_ACTORS, nb))  # arms levels (and next month's)
    arms_next = np.empty((N_ACTORS, nb))
    trust_e = np.empty((N_ENTRIES, nb))  # beliefs: probabilities and log-odds, and anchors
    z_e = np.empty((N_ENTRIES, nb))
    anchor_e = np.empty((N_ENTRIES, nb))
    tij_e = np.empty((N_ENTRIES, nb))  # this month's threat matrix
    flow = np.empty((nb, N_ACTORS))
    ratio = np.empty((nb, N_ACTORS))
    gdp_loss = np.empty((nb, N_ACTORS))
    spending = np.empty((nb, N_ACTORS))
    cap = np.empty((nb, N_ACTORS))
    coerced = np.empty((nb, N_ACTORS))
    counts = np.empty((nb, N_EVENT_TYPES), dtype=np.int64)
    posture_b = np.empty((N_ACTORS, nb))  # this month's posture and power term P_j^alpha
    power_b = np.empty((N_ACTORS, nb))
    total_b = np.empty(nb)
    odds_b = np.empty(nb)
    forum_b = np.empty(nb)
    hotline_b = np.empty(nb)
    allied_threat = np.empty((2, nb))  # CHN's and RUS's threat ratio from the allies
    tech = np.empty(nb)
    tech_cf = np.empty(nb)  # the allied technology multiplier under the counterfactual
    cohesion_b = np.empty(nb)
    alignment_b = np.empty(nb)
    tension_b = np.empty(nb)
    level = np.empty(nb, dtype=np.int64)
    talks_state = np.empty(nb, dtype=np.bool_)
    denuc = np.empty(nb)
    nuclear = np.empty(nb)
    excitation = np.empty(nb)
    in_campaign = np.empty(nb, dtype=np.bool_)  # the latent testing-campaign regime
    year_frailty = np.empty(nb)  # this year's launch-rate frailty
    prov_exc = np.empty(nb)
    launch_days = np.empty(nb, dtype=np.int64)
    launch_rate_b = np.empty(nb)  # this month's expected missiles (lambda)
    drill_memory = np.empty(nb)
    clash_n = np.zeros(nb)  # this year's months entering an armed clash (war) or above
    war_n = np.zeros(nb)
    drill_memory_cf = np.empty(nb)  # the same memory of the counterfactual's drills
    supply_chain = np.empty(nb)
    credibility = np.empty(nb)
    balance = np.empty(nb)
    willingness = np.empty(nb)
    sanctions_eff = np.empty(nb)
    relief_b = np.empty(nb)  # sanctions relief granted this month (alignment.relief)
    launch_mem = np.empty(nb)  # the concession channel: recent launches, the burst's share of
    talks_share = np.empty(nb)  # the running talks' start, and the lesson "provocation pays"
    lesson = np.empty(nb)
    rest_m = np.empty(nb)  # expected launches a month at rest (reference.rest_launches)
    start_b = np.empty(nb)  # this month's talks-start rate (after a burst)
    ev_k = np.zeros((beliefs.N_CATEGORIES, nb))  # this month's evidence by category and run
    n_dyn = np.empty(nb, dtype=np.int64)
    dyn_e = np.empty((nb, N_ENTRIES), dtype=np.int64)  # entries without evidence still moving
    theta = np.empty(N_ACTORS)
    theta_allies = np.empty(N_ACTORS)
    # this month's values passed between phases
    talks_f = np.empty(nb)
    drill_eff_b = np.empty(nb)
    drill_eff_cf_b = np.empty(nb)
    launches = np.empty(nb, dtype=np.int64)
    provs = np.empty(nb, dtype=np.int64)
    rhetoric = np.empty(nb, dtype=np.int64)
    # per-run constants (monthly rates, memories, reference points)
    omega = np.empty(nb)
    excite_gain = np.empty(nb)
    tech_gain = np.empty(nb)
    grievance_p = np.empty(nb)
    turnover_p = np.empty(nb)
    coercion_m = np.empty(nb)
    launch_m = np.empty(nb)
    quiet_f = np.empty(nb)
    campaign_f = np.empty(nb)
    prov_m = np.empty(nb)
    rhet_m = np.empty(nb)
    decay_m = np.empty(nb)
    intel_m = np.empty(nb)
    attack_m = np.empty(nb)
    growth_m = np.empty(nb)
    start_m = np.empty(nb)
    collapse_m = np.empty(nb)
    denuc_m = np.empty(nb)
    denuc_keep = np.empty(nb)
    gdp_keep = np.empty(nb)
    w0_logit = np.empty(nb)
    rate_belief = np.empty(nb)
    rate_drill = np.empty(nb)
    rate_align = np.empty(nb)
    rate_tension = np.empty(nb)
    inv_gscale = np.empty(nb)
    offense_w_b = np.empty(nb)
    power_exp_b = np.empty(nb)
    reaction_b = np.empty(nb)
    fatigue_b = np.empty(nb)
    encircle_b = np.empty(nb)
    inv_theta_b = np.empty((N_ACTORS, nb))  # 1 / Theta_i^ref
    inv_allies_b = np.empty((2, nb))  # 1 / Theta^A,ref of CHN and RUS
    a0_logit = alignment.baseline_logit(inp.state0[ALIGNMENT0])
    rivalry0, confrontation0 = inp.state0[RIVALRY0], inp.state0[CONFRONTATION0]
    pressure_ref = reference.reference_pressure(ref)
    nuclear0 = inp.nuclear0

    for b0 in range(0, n_runs, nb):
        b1 = min(b0 + nb, n_runs)
        beliefs_started = False  # the first update visits every entry, then lists those that move
        for k in range(b1 - b0):
            r = b0 + k
            q = prm[r]
            # --- starting state ---
            reference.reference_threat(q, ref, inp.spending0, inp.theatre, inp.posture0,
                                       inp.trust0, f.posture_threat, theta, theta_allies)
            ev_ref = reference.reference_evidence(q, ref, f.posture_threat, f.costly_signals)
            for i in range(N_ACTORS):
                arms[i, k] = 1.0
                flow[k, i] = 0.0
                ratio[k, i] = 1.0
                gdp_loss[k, i] = 0.0
                spending[k, i] = inp.trend[0, i] if horizon > 0 else 0.0
                inv_theta_b[i, k] = 1.0 / theta[i]
                for j in range(N_ACTORS):
                    e = N_ACTORS * i + j
                    trust_e[e, k] = inp.trust0[i, j]
                    z_e[e, k] = inp.z0[e]
                    anchor_e[e, k] = reference.belief_anchor(q, inp.z0[e], ev_ref[CATEGORY[e]])
            inv_allies_b[0, k] = 1.0 / theta_allies[CHN]
            inv_allies_b[1, k] = 1.0 / theta_allies[RUS]
            tech[k] = 1.0
            tech_cf[k] = 1.0
            cohesion_b[k] = inp.state0[COHESION0]
            alignment_b[k] = inp.state0[ALIGNMENT0]
            tension_b[k] = inp.state0[TENSION0]
            level[k] = int(inp.state0[LEVEL0])
            talks_state[k] = inp.state0[TALKS0] != 0.0
            denuc[k] = inp.state0[DENUCLEARIZATION0]
            nuclear[k] = nuclear0
            excitation[k] = 0.0
            prov_exc[k] = 0.0
            quiet_f[k] = provocations.quiet_factor(q)
            campaign_f[k] = provocations.campaign_factor(q)
            in_campaign[k] = (f.testing_campaign and horizon > 0 and uniform(
                keys[r], ctr[0, SLOT_CAMPAIGN, 1]) < provocations.campaign_share(q))
            year_frailty[k] = 1.0
            launch_days[k] = 0
            drill_memory[k] = 0.0
            clash_n[k] = 0.0
            war_n[k] = 0.0
            drill_memory_cf[k] = 0.0
            supply_chain[k] = 0.0
            credibility[k] = 0.0
            balance[k] = 0.0
            willingness[k] = 0.0
            sanctions_eff[k] = 0.0
            relief_b[k] = 0.0
            launch_mem[k] = 0.0
            talks_share[k] = 0.0
            lesson[k] = 0.0
            rest_m[k] = reference.rest_launches(q, ref)
            n_dyn[k] = 0
            omega[k] = provocations.excitation_decay(q)
            excite_gain[k] = provocations.excitation_gain(q, omega[k])
            tech_gain[k] = per_month(q.tech_capability_gain_per_year)
            grievance_p[k] = per_month(q.grievance_shock_rate_per_year)
            turnover_p[k] = per_month(q.turnover_shock_rate_per_year)
            coercion_m[k] = per_month(q.coercion_rate_per_year)
            launch_m[k] = per_month(q.launch_base_rate_per_year)
            prov_m[k] = per_month(q.provocation_base_rate_per_year)
            rhet_m[k] = per_month(q.rhetoric_base_rate_per_year)
            decay_m[k] = per_month(q.cohesion_decay_per_year)
            intel_m[k] = per_month(q.intelligence_cohesion_gain_per_year)
            attack_m[k] = per_month(q.deliberate_aggression_rate_per_year)
            growth_m[k] = per_month(q.dprk_capability_growth_per_year)
            start_m[k] = per_month(q.talks_start_rate_per_year)
            collapse_m[k] = per_month(q.talks_collapse_rate_per_year)
            denuc_m[k] = per_month(q.denuclearization_step_rate_per_year)
            denuc_keep[k] = diplomacy.progress_retention(q)
            gdp_keep[k] = economy.gap_retention(q)
            rate_belief[k] = memory_rate(q.belief_memory_months)
            rate_drill[k] = memory_rate(q.drill_memory_months)
            rate_align[k] = memory_rate(q.alignment_months)
            rate_tension[k] = memory_rate(q.tension_memory_months)
            inv_gscale[k] = tension.inverse_scale(q)
            offense_w_b[k] = q.threat_offense_weight
            power_exp_b[k] = q.threat_power_exponent
            reaction_b[k] = q.arms_reaction_per_year
            fatigue_b[k] = q.arms_fatigue_per_year
            encircle_b[k] = q.russia_encirclement_sensitivity
            w0_logit[k] = diplomacy.baseline_logit(q)
            for fk in range(len(FIRST_RUNGS)):
                out.first[fk, r] = NEVER

        for t in range(horizon):
            lv = lev[t]
            lc = inp.lev_cf[t]
            drill = inp.drill[t]
            drill_c = inp.drill_cf[t]
            # the alliance's activity as each channel reads it (explain.py; levers.CHANNELS):
            # the scenario's, or the counterfactual's where the channel's view is on
            drill_thr = drill_c if v.posture_threat else drill
            md_thr = lc.missile_defense_deployment if v.posture_threat else lv.missile_defense_deployment
            infra_thr = lc.permanent_infrastructure if v.posture_threat else lv.permanent_infrastructure
            md_bel = lc.missile_defense_deployment if v.beliefs else lv.missile_defense_deployment
            infra_bel = lc.permanent_infrastructure if v.beliefs else lv.permanent_infrastructure
            md_cor = lc.missile_defense_deployment if v.cornered_effect else lv.missile_defense_deployment
            infra_cor = lc.permanent_infrastructure if v.cornered_effect else lv.permanent_infrastructure
            drill_ten = drill_c if v.drill_tension else drill
            summits = lc.summit_frequency_per_year if v.cohesion_dynamics else lv.summit_frequency_per_year
            intel_coh = lc.intelligence_sharing if v.cohesion_dynamics else lv.intelligence_sharing
            intel = lc.intelligence_sharing if v.crisis_intelligence else lv.intelligence_sharing
            clarity = lv.strategic_clarity
            comm = lv.open_communication
            forum = lv.multilateral_engagement
            flexible = lv.flexible_diplomacy
            override = lv.talks_override
            forced_launches = lv.launches_override
            forced_days = lv.launch_days_override
            announcement = lv.programme_announcement
            year_start = t % 12 == 0
            forced = override >= 0.0
            year_end = (t + 1) % 12 == 0 and (t + 1) // 12 <= inp.n_years
            record_now = record_monthly or year_end  # a month whose state is written out

            # --- 1: posture, capability, threat ---
            for k in range(b1 - b0):
                q = prm[b0 + k]
                drill_memory[k] = relax(drill_memory[k], drill, rate_drill[k])
                drill_memory_cf[k] = relax(drill_memory_cf[k], drill_c, rate_drill[k])
                tech[k] = threat.tech_step(tech[k], tech_gain[k], lv.tech_collaboration)
                tech_cf[k] = threat.tech_step(tech_cf[k], tech_gain[k], lc.tech_collaboration)
                tech_thr = tech_cf[k] if v.posture_threat else tech[k]
                total = 0.0
                for i in range(N_ACTORS):
                    spending[k, i] = arms_race.spending(inp.trend[t, i], arms[i, k])
                    cap[k, i] = threat.capability(spending[k, i], inp.theatre[i], tech_thr, i)
                    total += cap[k, i]
                total_b[k] = total
                drill_eff_b[k] = threat.effective_drill(q, drill, clarity)
                drill_eff_cf_b[k] = threat.effective_drill(q, drill_c, clarity)
                extra = threat.alliance_posture_extra(
                    q, threat.effective_drill(q, drill_thr, clarity), md_thr, infra_thr)
                forum_b[k] = threat.forum_cut(q, forum)
                hotline_b[k] = threat.hotline_cut(q, comm)
                for j in range(N_ACTORS):
                    posture_b[j, k] = threat.posture(j, inp.posture0[j], extra,
                                                     nuclear[k] / nuclear0, f.posture_threat)
            for j in range(N_ACTORS):  # P_j^alpha: the log and exp calls in loops of their own
                for k in range(b1 - b0):
                    power_b[j, k] = threat.log_share(cap[k, j], total_b[k])
                for k in range(b1 - b0):
                    power_b[j, k] = threat.power_from_log_share(power_b[j, k], power_exp_b[k])
            for i in range(N_ACTORS):  # the threat matrix one entry at a time across the block
                for j in range(N_ACTORS):
                    e = N_ACTORS * i + j
                    prox = PROXIMITY[i, j]
                    for k in range(b1 - b0):
                        tij_e[e, k] = threat.perceived(
                            i, power_b[j, k], prox, offense_w_b[k],
                            threat.observed_posture(i, j, posture_b[j, k], encircle_b[k]),
                            trust_e[e, k], forum_b[k], hotline_b[k])
            for i in range(N_ACTORS):
                e = N_ACTORS * i
                for k in range(b1 - b0):
                    acc = 0.0
                    for j in range(N_ACTORS):
                        acc += tij_e[e + j, k]
                        if j == ALLIES_END - 1 and i >= BLOC_FIRST:  # China's and Russia's
                            allied_threat[i - BLOC_FIRST, k] = threat.ratio(  # from the allies
                                acc, inv_allies_b[i - BLOC_FIRST, k])
                    ratio[k, i] = threat.ratio(acc, inv_theta_b[i, k])

            # --- 2: events, cohesion, deterrence, alignment, DPRK capability ---
            for k in range(b1 - b0):
                r = b0 + k
                q = prm[r]
                key = keys[r]
                rho = ratio[k, PRK]
                for e in range(N_EVENT_TYPES):
                    counts[k, e] = 0
                drill_eff = drill_eff_cf_b[k] if v.drill_provocation else drill_eff_b[k]
                if forced:
                    talks_state[k] = diplomacy.forced_talks(override)
                talks = 1.0 if talks_state[k] else 0.0
                talks_f[k] = talks
                summit = uniform(key, ctr[t, SLOT_SUMMIT, 0]) < cohesion.summit_probability(
                    summits)
                grievance = uniform(key, ctr[t, SLOT_GRIEVANCE, 0]) < grievance_p[k]
                turnover = uniform(key, ctr[t, SLOT_TURNOVER, 0]) < turnover_p[k]
                for i in range(N_ACTORS):
                    coerced[k, i] = 0.0
                if f.coercion:
                    n_coerce = poisson(uniform(key, ctr[t, SLOT_COERCION, 0]),
                                       coercion.coercion_rate(coercion_m[k], ratio[k, CHN]))
                    # the target's draw matters only when there was coercion
                    to_rok = n_coerce > 0 and coercion.targets_rok(
                        uniform(key, ctr[t, SLOT_COERCION_TARGET, 0]))
                    coerced[k, ROK] = n_coerce if to_rok else 0
                    coerced[k, JPN] = 0 if to_rok else n_coerce
                    counts[k, EV_COERCION] = n_coerce
                threat_f = provocations.threat_factor(q, rho)
                drill_f = provocations.drill_factor(q, drill_eff, f.drill_provocation)
                talks_cut = provocations.talks_factor(q, talks)
                regime_f = 1.0
                if f.testing_campaign:
                    in_campaign[k] = provocations.campaign_next(
                        q, in_campaign[k], announcement, uniform(key, ctr[t, SLOT_CAMPAIGN, 0]))
                    regime_f = campaign_f[k] if in_campaign[k] else quiet_f[k]
                frail = 1.0
                if f.launch_frailty:
                    if year_start:
                        u1 = uniform(key, ctr[t, SLOT_FRAILTY, 0])
                        year_frailty[k] = provocations.frailty(
                            q, normal(normal_radius(u1), uniform(key, ctr[t, SLOT_FRAILTY, 1])))
                    frail = year_frailty[k]
                cap_f = provocations.capability_factor(q, nuclear[k])
                lam = provocations.launch_rate(
                    provocations.regime_base_rate(concessions.rewarded_rate(
                        q, launch_m[k], lesson[k], f.concession_channel), regime_f, frail),
                    threat_f, cap_f, drill_f, talks_cut, excitation[k], f.self_excitation)
                launch_rate_b[k] = lam
                if forced_launches >= 0.0:  # replay of the record
                    n_launch = provocations.forced_launches(forced_launches)
                    days = provocations.forced_launch_days(forced_days, n_launch)
                else:
                    days = poisson(uniform(key, ctr[t, SLOT_LAUNCH, 0]),
                                   provocations.launch_day_rate(q, lam))
                    n_launch = days  # a Poisson draw of mean 0 (no launch days) is 0 whatever u
                    if days > 0:
                        n_launch = days + poisson(uniform(key, ctr[t, SLOT_SALVO, 0]),
                                                  provocations.salvo_extra_rate(q, days))
                launch_days[k] = days
                launches[k] = n_launch
                excitation[k] = provocations.excite(excitation[k], n_launch, omega[k],
                                                    excite_gain[k])
                if f.concession_channel:
                    launch_mem[k] = concessions.launch_memory_step(launch_mem[k], n_launch,
                                                                   omega[k])
                start_b[k] = concessions.talks_start_rate(
                    q, start_m[k], concessions.burst(launch_mem[k], rest_m[k], cap_f),
                    f.concession_channel)
                n_prov = poisson(uniform(key, ctr[t, SLOT_PROVOCATION, 0]),
                                 provocations.provocation_rate(
                                     concessions.rewarded_rate(q, prov_m[k], lesson[k],
                                                               f.concession_channel),
                                     threat_f, drill_f, talks_cut, prov_exc[k],
                                     f.self_excitation))
                provs[k] = n_prov
                prov_exc[k] = provocations.excite(prov_exc[k], n_prov, omega[k], excite_gain[k])
                rhetoric[k] = poisson(uniform(key, ctr[t, SLOT_RHETORIC, 0]),
                                      provocations.rhetoric_rate(rhet_m[k], tension_b[k], drill_f,
                                                                 talks))
                patrols = poisson(uniform(key, ctr[t, SLOT_PATROL, 0]),
                                  alignment.patrol_rate(alignment_b[k]))
                counts[k, EV_LAUNCH] = n_launch
                counts[k, EV_PROVOCATION] = n_prov
                counts[k, EV_RHETORIC] = rhetoric[k]
                counts[k, EV_DRILL] = 1 if drill > 0 else 0
                counts[k, EV_SUMMIT] = 1 if summit else 0
                counts[k, EV_GRIEVANCE] = 1 if grievance else 0
                counts[k, EV_TURNOVER] = 1 if turnover else 0
                counts[k, EV_PATROL] = patrols
                counts[k, EV_TALKS] = 1 if talks_state[k] else 0
                if f.cohesion_dynamics:
                    cohesion_b[k] = cohesion.cohesion_step(
                        q, cohesion_b[k], 1.0 if summit else 0.0, 1.0 if grievance else 0.0,
                        1.0 if turnover else 0.0, intel_coh, decay_m[k], intel_m[k])
                a = alignment_b[k]
                tech_det = tech_cf[k] if v.deterrence else tech[k]
                allied = 0.0
                for i in range(ALLIES_END):
                    allied += threat.capability(spending[k, i], inp.theatre[i], tech_det, i)
                balance[k] = deterrence.power_balance(allied, cap[k, PRK], cap[k, CHN],
                                                      cap[k, RUS], a)
                credibility[k] = deterrence.credibility(
                    q, balance[k], cohesion_b[k],
                    drill_memory_cf[k] if v.deterrence else drill_memory[k], clarity,
                    f.deterrence)
                if f.alignment:
                    a = alignment.alignment_step(
                        q, a, alignment.driven_anchor(q, a0_logit, lv.us_china_rivalry,
                                                      lv.russia_west_confrontation, rivalry0,
                                                      confrontation0, f.outside_drivers),
                        alignment.peninsula_threat(q, alignment.shared_threat(
                            allied_threat[0, k], allied_threat[1, k]), f.outside_drivers),
                        rate_align[k])
                    alignment_b[k] = a
                sanctions_eff[k] = alignment.effective_sanctions(
                    q, lv.sanctions_pressure, a, flexible, talks, f.bloc_support)
                if f.relief_funding or f.concession_channel:
                    relief_b[k] = alignment.relief(q, lv.sanctions_pressure, a, flexible, talks,
                                                   f.bloc_support)
                if f.nuclear_programme:
                    nuclear[k] = nuclear_programme.capability_step(
                        q, nuclear[k], rho, sanctions_eff[k], talks, a, growth_m[k],
                        f.bloc_support)
                    nuclear[k] = nuclear_programme.relief_funded_step(
                        q, nuclear[k], relief_b[k], growth_m[k], f.relief_funding)

            # --- 3: diplomacy ---
            if f.diplomacy:
                for k in range(b1 - b0):
                    r = b0 + k
                    q = prm[r]
                    key = keys[r]
                    pressure = diplomacy.pressure_index(
                        lv.sanctions_pressure,
                        drill_memory_cf[k] if v.cornered_effect else drill_memory[k],
                        md_cor, infra_cor)
                    offer = diplomacy.offers(flexible, tension_b[k])
                    zw = diplomacy.willingness_logit(q, w0_logit[k], pressure, pressure_ref,
                                                     offer, trust_e[PRK_USA, k], f.cornered_effect)
                    # willingness enters the start hazard only, which is at most its value at
                    # W = 1: W is formed when the uniform is below that, or for the records
                    on = talks_state[k]
                    u_talks = 0.0
                    need_will = record_monthly
                    if not forced and not on:
                        u_talks = uniform(key, ctr[t, SLOT_TALKS_START, 0])
                        if bounds.below_probability(u_talks, diplomacy.talks_start_exponent_bound(
                                start_b[k], flexible)) != 0:
                            need_will = True
                    will = 0.0
                    if need_will:
                        will = beliefs.expit(zw)
                        willingness[k] = will
                    if forced:
                        on = diplomacy.forced_talks(override)
                    elif on:  # talks go on unless they collapse
                        on = not bounds.below(uniform(key, ctr[t, SLOT_TALKS_END, 0]),
                                              diplomacy.talks_end_exponent(
                                                  collapse_m[k], tension_b[k], flexible))
                    elif need_will:
                        on = bounds.below(u_talks, diplomacy.talks_start_exponent(
                            start_b[k], will, flexible))
                    if f.concession_channel:
                        talks_share[k] = concessions.running_share(on, talks_state[k],
                                                                   talks_share[k], start_b[k],
                                                                   start_m[k])
                        lesson[k] = concessions.lesson_step(lesson[k], talks_share[k],
                                                            relief_b[k], rate_belief[k])
                    talks_state[k] = on
                    if on:
                        hazard = diplomacy.step_hazard(q, denuc_m[k], flexible)
                        if bounds.below(uniform(key, ctr[t, SLOT_DENUC, 0]), -hazard):
                            denuc[k] = diplomacy.progress_after_step(q, denuc[k])
                            nuclear[k] = nuclear_programme.dismantle(q, nuclear[k])
                            counts[k, EV_DENUC] = 1
                    else:
                        denuc[k] = diplomacy.progress_without_talks(denuc[k], denuc_keep[k])

            # --- 4: beliefs ---
            if f.beliefs:
                for k in range(b1 - b0):
                    q = prm[b0 + k]
                    drill_eff_bel = drill_eff_cf_b[k] if v.beliefs else drill_eff_b[k]
                    ev = beliefs.evidence(q, drill_eff_bel, md_bel, infra_bel, comm, forum,
                                          launches[k], 1.0 if talks_state[k] else 0.0,
                                          coerced[k, ROK], coerced[k, JPN], f.posture_threat,
                                          provocations.rest_launch_rate(q, drill_eff_bel),
                                          f.costly_signals)
                    for c in range(1, beliefs.N_CATEGORIES):
                        ev_k[c, k] = ev[c]
                    rate_b = rate_belief[k]
                    if not beliefs_started:  # first update: every entry
                        nd = 0
                        for e in range(N_ENTRIES):
                            c = CATEGORY[e]
                            zo = z_e[e, k]
                            zn = beliefs.update_log_odds(zo, ev_k[c, k], anchor_e[e, k], rate_b)
                            trust_e[e, k] = beliefs.expit(zn)
                            z_e[e, k] = zn
                            # without evidence the update is a fixed map of z, so an entry
                            # it leaves unchanged (at its anchor, or at the clip) stays for good
                            if c == beliefs.NO_EVIDENCE and zn != zo:
                                dyn_e[k, nd] = e
                                nd += 1
                        n_dyn[k] = nd
                    else:  # entries without evidence still moving toward their anchor
                        m = 0
                        nd = n_dyn[k]
                        while m < nd:
                            e = dyn_e[k, m]
                            zo = z_e[e, k]
                            zn = beliefs.update_log_odds(zo, 0.0, anchor_e[e, k], rate_b)
                            if zn != zo:
                                trust_e[e, k] = beliefs.expit(zn)
                                z_e[e, k] = zn
                                m += 1
                            else:  # reached its fixed point: off the list
                                nd -= 1
                                dyn_e[k, m] = dyn_e[k, nd]
                        n_dyn[k] = nd
                if beliefs_started:  # the entries that receive evidence, one across the block
                    for x in range(ENTRIES.shape[0]):
                        e = ENTRIES[x]
                        c = CATEGORY[e]
                        for k in range(b1 - b0):
                            z_e[e, k] = beliefs.update_log_odds(z_e[e, k], ev_k[c, k],
                                                                anchor_e[e, k], rate_belief[k])
                        for k in range(b1 - b0):  # expit in two loops: exp, then divisions
                            odds_b[k] = beliefs.odds_against(z_e[e, k])
                        for k in range(b1 - b0):
                            trust_e[e, k] = beliefs.probability_from_odds_against(odds_b[k])
                beliefs_started = True

            # --- 5: arms race ---
            if f.arms_race:
                for i in range(N_ACTORS):  # one actor at a time across the block, from last
                    e = N_ACTORS * i  # month's levels (arms) into this month's (arms_next)
                    for k in range(b1 - b0):
                        acc = 0.0
                        for j in range(N_ACTORS):
                            acc += tij_e[e + j, k] * arms[j, k]
                        arms_next[i, k] = arms_race.driven_arms_step(
                            arms[i, k], acc, inv_theta_b[i, k], arms_race.peninsula_reaction(
                                reaction_b[k], inp.theatre[i], f.outside_drivers),
                            fatigue_b[k], arms_race.outside_push(
                                prm[b0 + k], i, lv.us_china_rivalry,
                                lv.russia_west_confrontation, rivalry0, confrontation0,
                                f.outside_drivers))
                arms, arms_next = arms_next, arms

            # --- 6: ladder, tension, economy, records ---
            for k in range(b1 - b0):
                r = b0 + k
                q = prm[r]
                key = keys[r]
                rho = ratio[k, PRK]
                talks = talks_f[k]
                lifted = launches[k] > 0 and escalation.launches_lift(
                    q, launches[k], uniform(key, ctr[t, SLOT_LAUNCH_LIFT, 0])
                    if q.launch_escalation_share < 1.0 else 0.0)
                lvl = escalation.event_floor(level[k], rhetoric[k],
                                             provs[k] + (1 if lifted else 0))
                tens = tension_b[k]
                coh = cohesion_b[k]
                u = uniform(key, ctr[t, SLOT_LADDER, 0])
                # the tension factor and the misperception draw enter first as upper bounds
                # (no exp, log or cos); the exact hazards only when u is near them
                x_t = 0.0
                f_bound = 0.0
                u1 = 0.0
                radius = 0.0
                agreement = escalation.agreement_factor(q, lvl, lv.military_agreement)
                if lvl >= escalation.PROVOCATION and lvl <= escalation.CLASH:
                    x_t = escalation.tension_exponent(q, tens)
                    f_bound = bounds.exp_upper(x_t) * agreement
                misperceive = f.misperception and escalation.misperception_applies(lvl)
                sigma = 0.0
                if misperceive:
                    u1 = uniform(key, ctr[t, SLOT_MISPERCEPTION, 0])
                    radius = normal_radius_upper(u1)
                    sigma = escalation.misperception_scale(q, intel, comm)
                cm = escalation.crisis_management(coh, intel, comm, f.crisis_management)
                down = escalation.down_hazard(q, lvl, cm, talks)
                trust_pu = trust_e[PRK_USA, k]
                nuclear_ratio = nuclear[k] / nuclear0
                log_n = 0.0  # the stability-instability paradox: bounds first, factors if needed
                attack_bound = attack_m[k]
                war_bound = 1.0
                paradox = (f.stability_instability and lvl >= escalation.PROVOCATION
                           and lvl <= escalation.CLASH)
                if paradox:
                    log_n = deterrence.log_capability_ratio(nuclear[k])
                    attack_bound, war_bound = deterrence.paradox_hazard_bounds(q, attack_m[k],
                                                                              log_n)
                allied = f.allied_preemption and lvl == escalation.CRISIS
                allied_bound = 0.0
                if allied:
                    allied_bound = escalation.allied_preemption_bound(q, trust_e[ROK_PRK, k])
                new = escalation.settled_rung(
                    q, u, lvl, f_bound, escalation.misperception_bound(sigma, radius), down,
                    attack_bound, intel, cm, credibility[k], trust_pu, nuclear_ratio,
                    f.deterrence, f.preemption, war_bound, allied_bound)
                if new < 0:  # u is near a transition probability: compute them exactly
                    f_t = 0.0
                    h_delib = attack_m[k]
                    h_delib_war = q.deliberate_war_per_month
                    if lvl >= escalation.PROVOCATION and lvl <= escalation.CLASH:
                        f_t = escalation.tension_factor(x_t) * agreement
                        h_delib, h_delib_war = deterrence.deliberate_hazards(
                            q, attack_m[k], credibility[k], f.deterrence)
                        if paradox:
                            f_t, h_delib, h_delib_war = deterrence.paradox_hazards(
                                q, lvl == escalation.CLASH, f_t, h_delib, h_delib_war, log_n)
                    m = 1.0
                    if misperceive:
                        z = normal(normal_radius(u1), uniform(key, ctr[t, SLOT_MISPERCEPTION, 1]))
                        m = escalation.misperception_factor(sigma, z)
                    pre = 0.0
                    if f.preemption and lvl == escalation.CRISIS:
                        pre = escalation.preemption_hazard(q, rho, trust_pu)
                    if allied:
                        pre += escalation.allied_preemption_hazard(q, ratio[k, ROK],
                                                                   trust_e[ROK_PRK, k])
                    up, jump = escalation.up_hazards(q, lvl, f_t, m, intel, cm, h_delib,
                                                     h_delib_war, pre, nuclear_ratio)
                    new = escalation.next_rung(u, lvl, up, jump, down)
                if new > lvl:
                    if new == escalation.CLASH:
                        counts[k, EV_CLASH] = 1
                    elif new == escalation.NUCLEAR:
                        counts[k, EV_NUCLEAR] = 1
                level[k] = new
                counts[k, EV_WAR] = 1 if new == escalation.WAR else 0
                if year_start:
                    clash_n[k] = 0.0
                    war_n[k] = 0.0
                if new >= escalation.CLASH and lvl < escalation.CLASH:
                    clash_n[k] += 1.0
                if new >= escalation.WAR and lvl < escalation.WAR:
                    war_n[k] += 1.0
                tens = tension.tension_step(tens, tension.net_goldstein(counts[k], drill_ten),
                                            inv_gscale[k], forum_b[k], rate_tension[k])
                tension_b[k] = tens
                if f.economy:  # GDP loss itself is an output, formed only when recorded
                    sc = economy.supply_chain_step(supply_chain[k], SUPPLY_TARGET[new])
                    supply_chain[k] = sc
                    for i in range(N_ACTORS):
                        flow[k, i] = economy.flow_loss_step(q, flow[k, i], gdp_keep[k],
                                                            CHILL[new], sc, EXPOSURE[i],
                                                            coerced[k, i])
                    if record_now:
                        for i in range(N_ACTORS):
                            gdp_loss[k, i] = economy.gdp_loss(
                                q, flow[k, i], tens, inp.trade_exposure[i],
                                spending[k, i] * inp.inv_gdp0[i], inp.def_share0[i])
                # records
                for fk in range(len(FIRST_RUNGS)):
                    if new >= FIRST_RUNGS[fk] and out.first[fk, r] == NEVER:
                        out.first[fk, r] = t
                y = min(t // 12, n_cols - 1)
                out.launches_y[r, y] += counts[k, EV_LAUNCH]
                out.patrols_y[r, y] += counts[k, EV_PATROL]
                out.days_y[r, y] += launch_days[k]
                a = alignment_b[k]
                polar = 0.0
                if record_now:
                    polar = alignment.polarization(a, coh)
                if record_monthly:
                    row = out.monthly[r, t]
                    row[C_LEVEL] = float(new)
                    row[C_TENSION] = tens
                    row[C_COHESION] = coh
                    row[C_ALIGNMENT] = a
                    row[C_POLARIZATION] = polar
                    row[C_CREDIBILITY] = credibility[k]
                    row[C_BALANCE] = balance[k]
                    row[C_CAPABILITY] = nuclear[k]
                    row[C_DENUC] = denuc[k]
                    row[C_TALKS] = 1.0 if talks_state[k] else 0.0
                    row[C_WILLINGNESS] = willingness[k]
                    row[C_SANCTIONS] = sanctions_eff[k]
                    row[C_SUPPLY] = supply_chain[k]
                    row[C_LAUNCH_RATE] = launch_rate_b[k]
                    row[C_CAMPAIGN] = 1.0 if in_campaign[k] else 0.0
                    for i in range(N_ACTORS):
                        row[C_ARMS + i] = arms[i, k]
                        row[C_SPENDING + i] = spending[k, i]
                        row[C_RATIO + i] = ratio[k, i]
                        row[C_GDP + i] = gdp_loss[k, i]
                    for d in range(inp.trust_entries.shape[0]):
                        row[C_TRUST + d] = trust_e[inp.trust_entries[d], k]
                if record_events:
                    for e in range(N_EVENT_TYPES):
                        out.events[r, t, e] = min(counts[k, e], EVENT_MAX)
                if year_end:
                    yi = (t + 1) // 12 - 1
                    out.yearly[Y_ALIGNMENT, r, yi] = a
                    out.yearly[Y_POLARIZATION, r, yi] = polar
                    out.yearly[Y_DENUC, r, yi] = denuc[k]
                    acc = 0.0
                    for x in range(REGION.shape[0]):
                        acc += gdp_loss[k, REGION[x]] * inp.region_w[x]
                    out.yearly[Y_GDP, r, yi] = acc
                    out.yearly[Y_GDP_ROK, r, yi] = gdp_loss[k, ROK]
                    out.yearly[Y_COHESION, r, yi] = coh
                    acc = 0.0
                    for x in range(INTENSITY.shape[0]):
                        acc += arms[INTENSITY[x], k]
                    out.yearly[Y_ARMS, r, yi] = arms_race.intensity_pct(acc, INTENSITY.shape[0])
                    out.yearly[Y_CAPABILITY, r, yi] = nuclear[k]
                    out.yearly[Y_BALANCE, r, yi] = balance[k]
                    out.yearly[Y_TENSION, r, yi] = tens
                    out.yearly[Y_CLASHES, r, yi] = clash_n[k]
                    out.yearly[Y_WARS, r, yi] = war_n[k]
                    out.yearly[Y_CREDIBILITY, r, yi] = credibility[k]
