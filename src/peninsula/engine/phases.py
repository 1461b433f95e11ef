"""The phases of a month, each over a block of runs (engine/kernel.py calls them in order).

Each phase is a compiled function over the block's state (``Block``), the runs' constants
(``RunConstants``) and the month's inputs (``Month``); it calls the model's functions
(model/*.py) and holds no equation of its own: what is written here is wiring (loops over runs,
actors and entries, who holds what, which draw feeds which function). The order of a month and
the work each phase skips are described in engine/kernel.py.

Each phase is inlined into the kernel's loop (``inline="always"``) and first takes the arrays it
uses out of the block, so its loops index plain arrays: an array read from a tuple inside a loop,
or an array (or a view of a row) passed to a function once per run, costs a pair of reference
counts each time. For the same reason the model's sums over actors (threat.threat_indices,
arms_race.threat_weighted_arms, threat.total_capability, threat.allied_capability) are called
once per block and fill one value per run (model/reference.py calls them with a block of one).
A run's key in a month is read through ``run_key``: a branched run (the wargame) draws the
numbers of the run whose past it shares before its branch month, its own after.
The ladder's step (``ladder_step``) is a function of one run's scalars, with its hazards named
as in escalation.py. The compiled cache is keyed on every source here and in model/
(model/compiled.py), so a change in either is compiled afresh on the next run.
"""

from __future__ import annotations

from typing import NamedTuple

import numba
import numpy as np

from peninsula.engine.random import (
    normal,
    normal_radius,
    normal_radius_upper,
    poisson,
    run_key,
    uniform,
)
from peninsula.io.results import (
    ACTOR_BLOCK,
    COLUMN,
    FIRST_RUNGS,
    MONTHLY_VARS,
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
from peninsula.model.levers import as_read
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

phase = numba.njit(inline="always", **JIT_OPTIONS)  # a phase: inlined where it is called

N_ENTRIES = N_ACTORS * N_ACTORS  # beliefs and threats by flat index observer * 6 + actor
PRK_USA = PRK * N_ACTORS + USA  # the DPRK's trust in the US (willingness, ladder)
ROK_PRK = ROK * N_ACTORS + PRK  # the ROK's trust in the DPRK (the allies' pre-emption)
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
EV_NUCLEAR_TEST = EVENT_INDEX["nuclear_test"]  # forced only (nuclear_test_override)
EVENT_MAX = np.iinfo(np.int16).max  # event counts are stored as int16

# the record of a run-month: the monthly columns (io/results.py), then the values kept only at
# a year's end; the yearly snapshot of each YEARLY_KEYS entry is read from this record by name
RECORD_EXTRAS = ("gdp_loss_pct", "arms_race_pct", "clash_entries", "war_entries")
RECORD_FIELDS = (*MONTHLY_VARS, *RECORD_EXTRAS)
N_MONTHLY = len(MONTHLY_VARS)
YEARLY_SOURCE = np.array([RECORD_FIELDS.index(k) for k in YEARLY_KEYS], dtype=np.int64)
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
(X_GDP_REGION, X_ARMS_RACE, X_CLASHES, X_WARS) = (RECORD_FIELDS.index(k) for k in RECORD_EXTRAS)
REGION = np.array(REGION_GDP_ACTORS, dtype=np.int64)
CATEGORY = beliefs.EVIDENCE_CATEGORY.ravel().copy()
ENTRIES = beliefs.EVIDENCE_ENTRIES
CHILL = economy.CHILL_PCT_PER_MONTH
SUPPLY_TARGET = economy.SUPPLY_CHAIN_TARGET
EXPOSURE = economy.EXPOSURE


class Block(NamedTuple):
    """The state of a block of runs (by run, or by actor or entry, then run)."""

    arms: np.ndarray  # (6, nb) arms levels
    arms_next: np.ndarray  # (6, nb) next month's, formed from this month's threat
    trust: np.ndarray  # (36, nb) beliefs: probabilities, log-odds and anchors
    log_odds: np.ndarray
    anchor: np.ndarray
    threats: np.ndarray  # (36, nb) this month's threat matrix T_ij
    flow_loss: np.ndarray  # (nb, 6) economy: flow loss and GDP loss
    gdp_loss: np.ndarray
    threat_ratio: np.ndarray  # (nb, 6) rho_i
    spending: np.ndarray  # (nb, 6) defence spending, USD bn/yr
    capability: np.ndarray  # (nb, 6) theatre capability C_j
    coerced: np.ndarray  # (nb, 6) China's coercion events aimed at each actor this month
    counts: np.ndarray  # (nb, events) this month's events
    posture: np.ndarray  # (6, nb) this month's posture O_j
    power: np.ndarray  # (6, nb) and power term P_j^alpha
    total_capability: np.ndarray  # (nb,) sum_k C_k
    odds_against: np.ndarray  # (nb,) scratch of the belief update
    forum_cut: np.ndarray
    hotline_cut: np.ndarray
    allied_threat: np.ndarray  # (2, nb) CHN's and RUS's threat ratio from the allies
    tech: np.ndarray  # allied technology multiplier, and under the counterfactual
    tech_cf: np.ndarray
    cohesion: np.ndarray
    alignment: np.ndarray
    tension: np.ndarray
    level: np.ndarray  # (nb,) int: the ladder's rung
    talks: np.ndarray  # (nb,) bool: talks running
    denuclearization: np.ndarray
    nuclear: np.ndarray  # DPRK capability N
    excitation: np.ndarray  # launch and provocation self-excitation
    provocation_excitation: np.ndarray
    in_campaign: np.ndarray  # (nb,) bool: the latent testing-campaign regime
    year_frailty: np.ndarray  # this year's launch-rate frailty
    launch_days: np.ndarray  # (nb,) int
    launch_rate: np.ndarray  # this month's expected missiles (lambda)
    drill_memory: np.ndarray  # drill memory, and the counterfactual's
    drill_memory_cf: np.ndarray
    clash_entries: np.ndarray  # this year's months entering an armed clash (war) or above
    war_entries: np.ndarray
    supply_chain: np.ndarray
    credibility: np.ndarray
    balance: np.ndarray
    willingness: np.ndarray
    sanctions: np.ndarray  # effective sanctions
    relief: np.ndarray  # sanctions relief granted this month (alignment.relief)
    launch_memory: np.ndarray  # the concession channel: recent launches, the running talks'
    talks_share: np.ndarray  # share started by a burst, and the lesson "provocation pays"
    lesson: np.ndarray
    talks_start_rate: np.ndarray  # this month's talks-start rate (after a burst)
    evidence: np.ndarray  # (categories, nb) this month's evidence
    n_moving: np.ndarray  # (nb,) int: entries without evidence still moving, and which
    moving: np.ndarray  # (nb, 36) int
    theta_ref: np.ndarray  # (6,) scratch: a run's reference threat and its part from allies
    theta_allies_ref: np.ndarray
    talks_level: np.ndarray  # this month's values passed between phases: talks (0 or 1)
    drill_eff: np.ndarray  # effective drill, and the counterfactual's
    drill_eff_cf: np.ndarray
    launches: np.ndarray  # (nb,) int
    provocations: np.ndarray  # (nb,) int
    rhetoric: np.ndarray  # (nb,) int
    floor: np.ndarray  # (nb,) int: the rung after the month's events, before the ladder moves
    record: np.ndarray  # (len(RECORD_FIELDS),) a run-month's record
    theta: np.ndarray  # (nb,) an observer's threat index Theta_i, its part from the allies,
    theta_allies: np.ndarray  # its threats weighted by arms levels, and the allied
    weighted_arms: np.ndarray  # capability: sums the model forms over the block
    allied_capability: np.ndarray


class RunConstants(NamedTuple):
    """Per-run constants of a block (monthly rates, memories, reference points), by run."""

    excitation_decay: np.ndarray
    excitation_gain: np.ndarray
    tech_gain: np.ndarray
    grievance_per_month: np.ndarray
    turnover_per_month: np.ndarray
    coercion_per_month: np.ndarray
    launch_base_per_month: np.ndarray
    quiet_factor: np.ndarray
    campaign_factor: np.ndarray
    provocation_base_per_month: np.ndarray
    rhetoric_base_per_month: np.ndarray
    cohesion_decay_per_month: np.ndarray
    intel_gain_per_month: np.ndarray
    aggression_per_month: np.ndarray
    growth_per_month: np.ndarray
    talks_start_per_month: np.ndarray
    talks_collapse_per_month: np.ndarray
    denuc_step_per_month: np.ndarray
    denuc_retention: np.ndarray
    gap_retention: np.ndarray
    willingness0_logit: np.ndarray
    rate_belief: np.ndarray
    rate_drill: np.ndarray
    rate_align: np.ndarray
    rate_tension: np.ndarray
    inv_goldstein_scale: np.ndarray
    offense_weight: np.ndarray
    power_exponent: np.ndarray
    reaction: np.ndarray
    fatigue: np.ndarray
    encirclement: np.ndarray
    rest_launches: np.ndarray  # expected launches a month at rest (reference.rest_launches)
    inv_theta_ref: np.ndarray  # (6, nb) 1 / Theta_i^ref
    inv_allies_ref: np.ndarray  # (2, nb) 1 / Theta^A,ref of CHN and RUS


class Month(NamedTuple):
    """The month's inputs: the alliance's activity as each channel reads it (levers.CHANNELS:
    the scenario's, or the counterfactual's where the channel's view is on), and its flags."""

    t: int
    drill: float
    drill_cf: float
    drill_threat: float
    md_threat: float
    infra_threat: float
    md_beliefs: float
    infra_beliefs: float
    md_cornered: float
    infra_cornered: float
    drill_tension: float
    summits: float
    intel_cohesion: float
    intel_crisis: float
    clarity: float
    comm: float
    forum: float
    flexible: float
    talks_override: float
    forced_launches: float
    forced_days: float
    announcement: float
    year_start: bool
    forced_talks: bool
    year_end: bool
    record_now: bool  # a month whose state is written out


@phase
def new_block(nb):
    """Uninitialised state and constants of a block of ``nb`` runs."""
    block = Block(
        arms=np.empty((N_ACTORS, nb)), arms_next=np.empty((N_ACTORS, nb)),
        trust=np.empty((N_ENTRIES, nb)), log_odds=np.empty((N_ENTRIES, nb)),
        anchor=np.empty((N_ENTRIES, nb)), threats=np.empty((N_ENTRIES, nb)),
        flow_loss=np.empty((nb, N_ACTORS)), gdp_loss=np.empty((nb, N_ACTORS)),
        threat_ratio=np.empty((nb, N_ACTORS)), spending=np.empty((nb, N_ACTORS)),
        capability=np.empty((nb, N_ACTORS)), coerced=np.empty((nb, N_ACTORS)),
        counts=np.empty((nb, N_EVENT_TYPES), dtype=np.int64), posture=np.empty((N_ACTORS, nb)),
        power=np.empty((N_ACTORS, nb)), total_capability=np.empty(nb), odds_against=np.empty(nb),
        forum_cut=np.empty(nb), hotline_cut=np.empty(nb), allied_threat=np.empty((2, nb)),
        tech=np.empty(nb), tech_cf=np.empty(nb), cohesion=np.empty(nb), alignment=np.empty(nb),
        tension=np.empty(nb), level=np.empty(nb, dtype=np.int64),
        talks=np.empty(nb, dtype=np.bool_), denuclearization=np.empty(nb), nuclear=np.empty(nb),
        excitation=np.empty(nb), provocation_excitation=np.empty(nb),
        in_campaign=np.empty(nb, dtype=np.bool_), year_frailty=np.empty(nb),
        launch_days=np.empty(nb, dtype=np.int64), launch_rate=np.empty(nb),
        drill_memory=np.empty(nb), drill_memory_cf=np.empty(nb), clash_entries=np.zeros(nb),
        war_entries=np.zeros(nb), supply_chain=np.empty(nb), credibility=np.empty(nb),
        balance=np.empty(nb), willingness=np.empty(nb), sanctions=np.empty(nb),
        relief=np.empty(nb), launch_memory=np.empty(nb), talks_share=np.empty(nb),
        lesson=np.empty(nb), talks_start_rate=np.empty(nb),
        evidence=np.zeros((beliefs.N_CATEGORIES, nb)), n_moving=np.empty(nb, dtype=np.int64),
        moving=np.empty((nb, N_ENTRIES), dtype=np.int64), theta_ref=np.empty(N_ACTORS),
        theta_allies_ref=np.empty(N_ACTORS), talks_level=np.empty(nb), drill_eff=np.empty(nb),
        drill_eff_cf=np.empty(nb), launches=np.empty(nb, dtype=np.int64),
        provocations=np.empty(nb, dtype=np.int64), rhetoric=np.empty(nb, dtype=np.int64),
        floor=np.empty(nb, dtype=np.int64), record=np.zeros(len(RECORD_FIELDS)),
        theta=np.empty(nb), theta_allies=np.empty(nb), weighted_arms=np.empty(nb),
        allied_capability=np.empty(nb))
    constants = RunConstants(
        excitation_decay=np.empty(nb), excitation_gain=np.empty(nb), tech_gain=np.empty(nb),
        grievance_per_month=np.empty(nb), turnover_per_month=np.empty(nb),
        coercion_per_month=np.empty(nb), launch_base_per_month=np.empty(nb),
        quiet_factor=np.empty(nb), campaign_factor=np.empty(nb),
        provocation_base_per_month=np.empty(nb), rhetoric_base_per_month=np.empty(nb),
        cohesion_decay_per_month=np.empty(nb), intel_gain_per_month=np.empty(nb),
        aggression_per_month=np.empty(nb), growth_per_month=np.empty(nb),
        talks_start_per_month=np.empty(nb), talks_collapse_per_month=np.empty(nb),
        denuc_step_per_month=np.empty(nb), denuc_retention=np.empty(nb),
        gap_retention=np.empty(nb), willingness0_logit=np.empty(nb), rate_belief=np.empty(nb),
        rate_drill=np.empty(nb), rate_align=np.empty(nb), rate_tension=np.empty(nb),
        inv_goldstein_scale=np.empty(nb), offense_weight=np.empty(nb), power_exponent=np.empty(nb),
        reaction=np.empty(nb), fatigue=np.empty(nb), encirclement=np.empty(nb),
        rest_launches=np.empty(nb), inv_theta_ref=np.empty((N_ACTORS, nb)),
        inv_allies_ref=np.empty((2, nb)))
    return block, constants


@phase
def start_block(inputs, block, constants, out, b0, n):
    """The starting state and the per-run constants of runs b0 .. b0 + n - 1."""
    theta_ref, theta_allies_ref, arms = block.theta_ref, block.theta_allies_ref, block.arms
    flow_loss, threat_ratios, gdp_loss = block.flow_loss, block.threat_ratio, block.gdp_loss
    spending, trust_of, log_odds = block.spending, block.trust, block.log_odds
    anchor, tech, tech_cf, cohesion_level = block.anchor, block.tech, block.tech_cf, block.cohesion
    alignment_level, tension_level, rung_of = block.alignment, block.tension, block.level
    talks_on, denuclearization, nuclear = block.talks, block.denuclearization, block.nuclear
    excitation, provocation_excitation = block.excitation, block.provocation_excitation
    campaign_on, year_frailty = block.in_campaign, block.year_frailty
    launch_days, drill_memory = block.launch_days, block.drill_memory
    clash_entries, war_entries = block.clash_entries, block.war_entries
    drill_memory_cf, supply_chain = block.drill_memory_cf, block.supply_chain
    credibility, balance, willingness = block.credibility, block.balance, block.willingness
    sanctions, relief, launch_memory = block.sanctions, block.relief, block.launch_memory
    talks_share, lesson, n_moving_of = block.talks_share, block.lesson, block.n_moving
    inv_theta_ref, inv_allies_ref = constants.inv_theta_ref, constants.inv_allies_ref
    quiet_factor, campaign_factor = constants.quiet_factor, constants.campaign_factor
    rest_launches, excitation_decay = constants.rest_launches, constants.excitation_decay
    excitation_gain, tech_gain = constants.excitation_gain, constants.tech_gain
    grievance_per_month = constants.grievance_per_month
    turnover_per_month = constants.turnover_per_month
    coercion_per_month = constants.coercion_per_month
    launch_base_per_month = constants.launch_base_per_month
    provocation_base_per_month = constants.provocation_base_per_month
    rhetoric_base_per_month = constants.rhetoric_base_per_month
    cohesion_decay_per_month = constants.cohesion_decay_per_month
    intel_gain_per_month = constants.intel_gain_per_month
    aggression_per_month = constants.aggression_per_month
    growth_per_month = constants.growth_per_month
    talks_start_per_month = constants.talks_start_per_month
    talks_collapse_per_month = constants.talks_collapse_per_month
    denuc_step_per_month = constants.denuc_step_per_month
    denuc_retention, gap_retention = constants.denuc_retention, constants.gap_retention
    rate_belief, rate_drill = constants.rate_belief, constants.rate_drill
    rate_align, rate_tension = constants.rate_align, constants.rate_tension
    inv_goldstein_scale, offense_weight = constants.inv_goldstein_scale, constants.offense_weight
    power_exponent, reaction = constants.power_exponent, constants.reaction
    fatigue, encirclement = constants.fatigue, constants.encirclement
    willingness0_logit, drill, params = constants.willingness0_logit, inputs.drill, inputs.params
    spending0, theatre, posture0 = inputs.spending0, inputs.theatre, inputs.posture0
    trust0, trend, z0, state0 = inputs.trust0, inputs.trend, inputs.z0, inputs.state0
    keys, counters, out_first = inputs.keys, inputs.counters, out.first
    f, ref = inputs.flags[0], inputs.ref[0]
    horizon = drill.shape[0]
    for k in range(n):
        r = b0 + k
        q = params[r]
        reference.reference_threat(q, ref, spending0, theatre, posture0,
                                   trust0, f.posture_threat, theta_ref,
                                   theta_allies_ref)
        ev_ref = reference.reference_evidence(q, ref, f.posture_threat, f.costly_signals)
        for i in range(N_ACTORS):
            arms[i, k] = 1.0
            flow_loss[k, i] = 0.0
            threat_ratios[k, i] = 1.0
            gdp_loss[k, i] = 0.0
            spending[k, i] = trend[0, i] if horizon > 0 else 0.0
            inv_theta_ref[i, k] = threat.inverse_reference(theta_ref[i])
            for j in range(N_ACTORS):
                e = N_ACTORS * i + j
                trust_of[e, k] = trust0[i, j]
                log_odds[e, k] = z0[e]
                anchor[e, k] = reference.belief_anchor(q, z0[e], ev_ref[CATEGORY[e]])
        inv_allies_ref[0, k] = threat.inverse_reference(theta_allies_ref[CHN])
        inv_allies_ref[1, k] = threat.inverse_reference(theta_allies_ref[RUS])
        tech[k] = 1.0
        tech_cf[k] = 1.0
        cohesion_level[k] = state0[COHESION0]
        alignment_level[k] = state0[ALIGNMENT0]
        tension_level[k] = state0[TENSION0]
        rung_of[k] = int(state0[LEVEL0])
        talks_on[k] = state0[TALKS0] != 0.0
        denuclearization[k] = state0[DENUCLEARIZATION0]
        nuclear[k] = inputs.nuclear0
        excitation[k] = 0.0
        provocation_excitation[k] = 0.0
        quiet_factor[k] = provocations.quiet_factor(q)
        campaign_factor[k] = provocations.campaign_factor(q)
        campaign_on[k] = (f.testing_campaign and horizon > 0 and uniform(
            run_key(keys, r, 0), counters[0, SLOT_CAMPAIGN, 1]) < provocations.campaign_share(q))
        year_frailty[k] = 1.0
        launch_days[k] = 0
        drill_memory[k] = 0.0
        clash_entries[k] = 0.0
        war_entries[k] = 0.0
        drill_memory_cf[k] = 0.0
        supply_chain[k] = 0.0
        credibility[k] = 0.0
        balance[k] = 0.0
        willingness[k] = 0.0
        sanctions[k] = 0.0
        relief[k] = 0.0
        launch_memory[k] = 0.0
        talks_share[k] = 0.0
        lesson[k] = 0.0
        rest_launches[k] = reference.rest_launches(q, ref)
        n_moving_of[k] = 0
        excitation_decay[k] = provocations.excitation_decay(q)
        excitation_gain[k] = provocations.excitation_gain(q, excitation_decay[k])
        tech_gain[k] = per_month(q.tech_capability_gain_per_year)
        grievance_per_month[k] = per_month(q.grievance_shock_rate_per_year)
        turnover_per_month[k] = per_month(q.turnover_shock_rate_per_year)
        coercion_per_month[k] = per_month(q.coercion_rate_per_year)
        launch_base_per_month[k] = per_month(q.launch_base_rate_per_year)
        provocation_base_per_month[k] = per_month(q.provocation_base_rate_per_year)
        rhetoric_base_per_month[k] = per_month(q.rhetoric_base_rate_per_year)
        cohesion_decay_per_month[k] = per_month(q.cohesion_decay_per_year)
        intel_gain_per_month[k] = per_month(q.intelligence_cohesion_gain_per_year)
        aggression_per_month[k] = per_month(q.deliberate_aggression_rate_per_year)
        growth_per_month[k] = per_month(q.dprk_capability_growth_per_year)
        talks_start_per_month[k] = per_month(q.talks_start_rate_per_year)
        talks_collapse_per_month[k] = per_month(q.talks_collapse_rate_per_year)
        denuc_step_per_month[k] = per_month(q.denuclearization_step_rate_per_year)
        denuc_retention[k] = diplomacy.progress_retention(q)
        gap_retention[k] = economy.gap_retention(q)
        rate_belief[k] = memory_rate(q.belief_memory_months)
        rate_drill[k] = memory_rate(q.drill_memory_months)
        rate_align[k] = memory_rate(q.alignment_months)
        rate_tension[k] = memory_rate(q.tension_memory_months)
        inv_goldstein_scale[k] = tension.inverse_scale(q)
        offense_weight[k] = q.threat_offense_weight
        power_exponent[k] = q.threat_power_exponent
        reaction[k] = q.arms_reaction_per_year
        fatigue[k] = q.arms_fatigue_per_year
        encirclement[k] = q.russia_encirclement_sensitivity
        willingness0_logit[k] = diplomacy.baseline_logit(q)
        for fk in range(len(FIRST_RUNGS)):
            out_first[fk, r] = NEVER


@phase
def month_inputs(inputs, t, record_monthly):
    """Month t's inputs, each channel's activity read through its view (levers.as_read)."""
    lv, lv_cf, view = inputs.levers[t], inputs.levers_cf[t], inputs.views[0]
    drill, drill_cf = inputs.drill[t], inputs.drill_cf[t]
    year_end = (t + 1) % 12 == 0 and (t + 1) // 12 <= inputs.n_years
    return Month(
        t, drill, drill_cf,
        as_read(view.posture_threat, drill_cf, drill),
        as_read(view.posture_threat, lv_cf.missile_defense_deployment, lv.missile_defense_deployment),
        as_read(view.posture_threat, lv_cf.permanent_infrastructure, lv.permanent_infrastructure),
        as_read(view.beliefs, lv_cf.missile_defense_deployment, lv.missile_defense_deployment),
        as_read(view.beliefs, lv_cf.permanent_infrastructure, lv.permanent_infrastructure),
        as_read(view.cornered_effect, lv_cf.missile_defense_deployment,
                lv.missile_defense_deployment),
        as_read(view.cornered_effect, lv_cf.permanent_infrastructure, lv.permanent_infrastructure),
        as_read(view.drill_tension, drill_cf, drill),
        as_read(view.cohesion_dynamics, lv_cf.summit_frequency_per_year,
                lv.summit_frequency_per_year),
        as_read(view.cohesion_dynamics, lv_cf.intelligence_sharing, lv.intelligence_sharing),
        as_read(view.crisis_intelligence, lv_cf.intelligence_sharing, lv.intelligence_sharing),
        lv.strategic_clarity, lv.open_communication, lv.multilateral_engagement,
        lv.flexible_diplomacy, lv.talks_override, lv.launches_override,
        lv.launch_days_override, lv.programme_announcement,
        t % 12 == 0, lv.talks_override >= 0.0, year_end, record_monthly or year_end)


@phase
def threat_phase(inputs, block, constants, month, b0, n):
    """1: drill memory, technology, spending, capability, posture, the threat matrix T_ij and
    the threat ratios (threat.py, arms_race.spending)."""
    drill_memory, drill_memory_cf, tech = block.drill_memory, block.drill_memory_cf, block.tech
    tech_cf, spending, arms = block.tech_cf, block.spending, block.arms
    capabilities, total_capabilities = block.capability, block.total_capability
    drill_eff, drill_eff_cf, forum_cut = block.drill_eff, block.drill_eff_cf, block.forum_cut
    hotline_cut, nuclear, postures = block.hotline_cut, block.nuclear, block.posture
    powers, threats, trust_of = block.power, block.threats, block.trust
    allied_threats, threat_ratios = block.allied_threat, block.threat_ratio
    rate_drill, tech_gain = constants.rate_drill, constants.tech_gain
    power_exponent, offense_weight = constants.power_exponent, constants.offense_weight
    encirclement, inv_allies_ref = constants.encirclement, constants.inv_allies_ref
    inv_theta_ref, params, trend = constants.inv_theta_ref, inputs.params, inputs.trend
    theatre, posture0, theta = inputs.theatre, inputs.posture0, block.theta
    theta_allies = block.theta_allies
    f, view = inputs.flags[0], inputs.views[0]
    lv, lv_cf = inputs.levers[month.t], inputs.levers_cf[month.t]
    for k in range(n):
        q = params[b0 + k]
        drill_memory[k] = relax(drill_memory[k], month.drill, rate_drill[k])
        drill_memory_cf[k] = relax(drill_memory_cf[k], month.drill_cf, rate_drill[k])
        tech[k] = threat.tech_step(tech[k], tech_gain[k], lv.tech_collaboration)
        tech_cf[k] = threat.tech_step(tech_cf[k], tech_gain[k], lv_cf.tech_collaboration)
        tech_read = as_read(view.posture_threat, tech_cf[k], tech[k])
        for i in range(N_ACTORS):
            spending[k, i] = arms_race.spending(trend[month.t, i], arms[i, k])
            capabilities[k, i] = threat.capability(spending[k, i], theatre[i],
                                                     tech_read, i)
        drill_eff[k] = threat.effective_drill(q, month.drill, month.clarity)
        drill_eff_cf[k] = threat.effective_drill(q, month.drill_cf, month.clarity)
        extra = threat.alliance_posture_extra(
            q, threat.effective_drill(q, month.drill_threat, month.clarity), month.md_threat,
            month.infra_threat)
        forum_cut[k] = threat.forum_cut(q, month.forum)
        hotline_cut[k] = threat.hotline_cut(q, month.comm)
        capability_ratio = nuclear_programme.capability_ratio(nuclear[k], inputs.nuclear0)
        for j in range(N_ACTORS):
            postures[j, k] = threat.posture(j, posture0[j], extra, capability_ratio,
                                               f.posture_threat)
    threat.total_capability(capabilities, n, total_capabilities)
    for j in range(N_ACTORS):  # P_j^alpha: the log and exp calls in loops of their own
        for k in range(n):
            powers[j, k] = threat.log_share(capabilities[k, j], total_capabilities[k])
        for k in range(n):
            powers[j, k] = threat.power_from_log_share(powers[j, k], power_exponent[k])
    for i in range(N_ACTORS):  # the threat matrix one entry at a time across the block
        for j in range(N_ACTORS):
            e = N_ACTORS * i + j
            prox = PROXIMITY[i, j]
            for k in range(n):
                threats[e, k] = threat.perceived(
                    i, powers[j, k], prox, offense_weight[k],
                    threat.observed_posture(i, j, postures[j, k], encirclement[k]),
                    trust_of[e, k], forum_cut[k], hotline_cut[k])
    for i in range(N_ACTORS):
        threat.threat_indices(threats, N_ACTORS * i, n, theta, theta_allies)
        for k in range(n):
            if i >= BLOC_FIRST:  # China's and Russia's threat from the allies
                allied_threats[i - BLOC_FIRST, k] = threat.ratio(
                    theta_allies[k], inv_allies_ref[i - BLOC_FIRST, k])
            threat_ratios[k, i] = threat.ratio(theta[k], inv_theta_ref[i, k])


@phase
def events_phase(inputs, block, constants, month, b0, n):
    """2: events (summit, shocks, China's coercion, the testing-campaign regime and the year's
    frailty, launches and salvoes, provocations, rhetoric, joint patrols), then cohesion,
    credibility, alignment, sanctions and relief, DPRK capability."""
    threat_ratios, event_counts = block.threat_ratio, block.counts
    drill_eff_cf, drill_eff, talks_on = block.drill_eff_cf, block.drill_eff, block.talks
    talks_level, coerced, campaign_on = block.talks_level, block.coerced, block.in_campaign
    year_frailty, nuclear, lesson = block.year_frailty, block.nuclear, block.lesson
    excitation, launch_rate, launch_days = block.excitation, block.launch_rate, block.launch_days
    launch_counts, launch_memory = block.launches, block.launch_memory
    talks_start_rate, provocation_excitation = block.talks_start_rate, block.provocation_excitation
    provocation_counts, rhetoric, tension_level = block.provocations, block.rhetoric, block.tension
    alignment_level, cohesion_level, balance = block.alignment, block.cohesion, block.balance
    spending, tech_cf, tech = block.spending, block.tech_cf, block.tech
    capabilities, credibility = block.capability, block.credibility
    drill_memory_cf, drill_memory = block.drill_memory_cf, block.drill_memory
    allied_threats, sanctions, relief = block.allied_threat, block.sanctions, block.relief
    grievance_per_month = constants.grievance_per_month
    turnover_per_month = constants.turnover_per_month
    coercion_per_month, campaign_factor = constants.coercion_per_month, constants.campaign_factor
    quiet_factor, launch_base_per_month = constants.quiet_factor, constants.launch_base_per_month
    excitation_decay, excitation_gain = constants.excitation_decay, constants.excitation_gain
    talks_start_per_month, rest_launches = constants.talks_start_per_month, constants.rest_launches
    provocation_base_per_month = constants.provocation_base_per_month
    rhetoric_base_per_month = constants.rhetoric_base_per_month
    cohesion_decay_per_month = constants.cohesion_decay_per_month
    intel_gain_per_month, rate_align = constants.intel_gain_per_month, constants.rate_align
    growth_per_month, counters, state0 = constants.growth_per_month, inputs.counters, inputs.state0
    params, keys, theatre = inputs.params, inputs.keys, inputs.theatre
    f, view = inputs.flags[0], inputs.views[0]
    lv, t = inputs.levers[month.t], month.t
    a0_logit = alignment.baseline_logit(state0[ALIGNMENT0])
    rivalry0, confrontation0 = state0[RIVALRY0], state0[CONFRONTATION0]
    allied_capability = block.allied_capability
    threat.allied_capability(spending, theatre, as_read(view.deterrence, tech_cf, tech), n,
                             allied_capability)
    tests_forced = nuclear_programme.forced_tests(lv.nuclear_test_override)  # an inject: every run's
    for k in range(n):
        r = b0 + k
        q = params[r]
        key = run_key(keys, r, t)
        rho = threat_ratios[k, PRK]
        for e in range(N_EVENT_TYPES):
            event_counts[k, e] = 0
        drill_eff_read = as_read(view.drill_provocation, drill_eff_cf[k], drill_eff[k])
        if month.forced_talks:
            talks_on[k] = diplomacy.forced_talks(month.talks_override)
        talks = 1.0 if talks_on[k] else 0.0
        talks_level[k] = talks
        summit = uniform(key, counters[t, SLOT_SUMMIT, 0]) < cohesion.summit_probability(month.summits)
        grievance = uniform(key, counters[t, SLOT_GRIEVANCE, 0]) < grievance_per_month[k]
        turnover = uniform(key, counters[t, SLOT_TURNOVER, 0]) < turnover_per_month[k]
        for i in range(N_ACTORS):
            coerced[k, i] = 0.0
        if f.coercion:
            coercion_events = poisson(uniform(key, counters[t, SLOT_COERCION, 0]),
                               coercion.coercion_rate(coercion_per_month[k], threat_ratios[k, CHN]))
            # the target's draw matters only when there was coercion
            to_rok = coercion_events > 0 and coercion.targets_rok(
                uniform(key, counters[t, SLOT_COERCION_TARGET, 0]))
            coerced[k, ROK], coerced[k, JPN] = coercion.split(coercion_events, to_rok)
            event_counts[k, EV_COERCION] = coercion_events
        threat_f = provocations.threat_factor(q, rho)
        drill_f = provocations.drill_factor(q, drill_eff_read, f.drill_provocation)
        talks_cut = provocations.talks_factor(q, talks)
        regime_f = 1.0
        if f.testing_campaign:
            campaign_on[k] = provocations.campaign_next(
                q, campaign_on[k], month.announcement, uniform(key, counters[t, SLOT_CAMPAIGN, 0]))
            regime_f = campaign_factor[k] if campaign_on[k] else quiet_factor[k]
        frail = 1.0
        if f.launch_frailty:
            if month.year_start:
                u1 = uniform(key, counters[t, SLOT_FRAILTY, 0])
                year_frailty[k] = provocations.frailty(
                    q, normal(normal_radius(u1), uniform(key, counters[t, SLOT_FRAILTY, 1])))
            frail = year_frailty[k]
        capability_f = provocations.capability_factor(q, nuclear[k])
        expected_launches = provocations.launch_rate(
            provocations.regime_base_rate(concessions.rewarded_rate(
                q, launch_base_per_month[k], lesson[k], f.concession_channel), regime_f, frail),
            threat_f, capability_f, drill_f, talks_cut, excitation[k], f.self_excitation)
        launch_rate[k] = expected_launches
        if month.forced_launches >= 0.0:  # replay of the record
            n_launch = provocations.forced_launches(month.forced_launches)
            days = provocations.forced_launch_days(month.forced_days, n_launch)
        else:
            days = poisson(uniform(key, counters[t, SLOT_LAUNCH, 0]),
                           provocations.launch_day_rate(q, expected_launches))
            n_launch = days  # a Poisson draw of mean 0 (no launch days) is 0 whatever u
            if days > 0:
                n_launch = provocations.launch_count(days, poisson(
                    uniform(key, counters[t, SLOT_SALVO, 0]), provocations.salvo_extra_rate(q, days)))
        launch_days[k] = days
        launch_counts[k] = n_launch
        excitation[k] = provocations.excite(excitation[k], n_launch, excitation_decay[k],
                                                excitation_gain[k])
        if f.concession_channel:
            launch_memory[k] = concessions.launch_memory_step(launch_memory[k],
                                                                  n_launch, excitation_decay[k])
        talks_start_rate[k] = concessions.talks_start_rate(
            q, talks_start_per_month[k], concessions.burst(launch_memory[k], rest_launches[k],
                                                capability_f), f.concession_channel)
        n_prov = poisson(uniform(key, counters[t, SLOT_PROVOCATION, 0]),
                         provocations.provocation_rate(
                             concessions.rewarded_rate(q, provocation_base_per_month[k], lesson[k],
                                                       f.concession_channel),
                             threat_f, drill_f, talks_cut, provocation_excitation[k],
                             f.self_excitation))
        provocation_counts[k] = n_prov
        provocation_excitation[k] = provocations.excite(
            provocation_excitation[k], n_prov, excitation_decay[k], excitation_gain[k])
        rhetoric[k] = poisson(uniform(key, counters[t, SLOT_RHETORIC, 0]),
                                  provocations.rhetoric_rate(rhetoric_base_per_month[k], tension_level[k],
                                                             drill_f, talks))
        patrols = poisson(uniform(key, counters[t, SLOT_PATROL, 0]),
                          alignment.patrol_rate(alignment_level[k]))
        event_counts[k, EV_LAUNCH] = n_launch
        event_counts[k, EV_PROVOCATION] = n_prov
        event_counts[k, EV_RHETORIC] = rhetoric[k]
        event_counts[k, EV_DRILL] = 1 if month.drill > 0 else 0
        event_counts[k, EV_SUMMIT] = 1 if summit else 0
        event_counts[k, EV_GRIEVANCE] = 1 if grievance else 0
        event_counts[k, EV_TURNOVER] = 1 if turnover else 0
        event_counts[k, EV_PATROL] = patrols
        event_counts[k, EV_TALKS] = 1 if talks_on[k] else 0
        event_counts[k, EV_NUCLEAR_TEST] = tests_forced
        if f.cohesion_dynamics:
            cohesion_level[k] = cohesion.cohesion_step(
                q, cohesion_level[k], 1.0 if summit else 0.0, 1.0 if grievance else 0.0,
                1.0 if turnover else 0.0, month.intel_cohesion, cohesion_decay_per_month[k],
                intel_gain_per_month[k])
        a = alignment_level[k]
        balance[k] = deterrence.power_balance(
            allied_capability[k],
            capabilities[k, PRK], capabilities[k, CHN], capabilities[k, RUS], a)
        credibility[k] = deterrence.credibility(
            q, balance[k], cohesion_level[k],
            as_read(view.deterrence, drill_memory_cf[k], drill_memory[k]), month.clarity,
            f.deterrence)
        if f.alignment:
            a = alignment.alignment_step(
                q, a, alignment.driven_anchor(q, a0_logit, lv.us_china_rivalry,
                                              lv.russia_west_confrontation, rivalry0,
                                              confrontation0, f.outside_drivers),
                alignment.peninsula_threat(q, alignment.shared_threat(
                    allied_threats[0, k], allied_threats[1, k]), f.outside_drivers),
                rate_align[k])
            alignment_level[k] = a
        sanctions[k] = alignment.effective_sanctions(
            q, lv.sanctions_pressure, a, month.flexible, talks, f.bloc_support)
        if f.relief_funding or f.concession_channel:
            relief[k] = alignment.relief(q, lv.sanctions_pressure, a, month.flexible, talks,
                                             f.bloc_support)
        if f.nuclear_programme:
            nuclear[k] = nuclear_programme.capability_step(
                q, nuclear[k], rho, sanctions[k], talks, a, growth_per_month[k],
                f.bloc_support)
            nuclear[k] = nuclear_programme.relief_funded_step(
                q, nuclear[k], relief[k], growth_per_month[k], f.relief_funding)


@phase
def diplomacy_phase(inputs, block, constants, month, b0, n, record_monthly, pressure_ref):
    """3: willingness, talks, denuclearisation steps (diplomacy.py), the lesson
    (concessions.py). DPRK willingness enters the start hazard only, which is at most its value
    at W = 1: W is formed when the uniform is below that bound, or for the records."""
    drill_memory_cf, drill_memory = block.drill_memory_cf, block.drill_memory
    tension_level, trust_of, talks_on = block.tension, block.trust, block.talks
    talks_start_rate, willingness = block.talks_start_rate, block.willingness
    talks_share, lesson, relief = block.talks_share, block.lesson, block.relief
    denuclearization, nuclear, event_counts = block.denuclearization, block.nuclear, block.counts
    willingness0_logit = constants.willingness0_logit
    talks_collapse_per_month = constants.talks_collapse_per_month
    talks_start_per_month, rate_belief = constants.talks_start_per_month, constants.rate_belief
    denuc_step_per_month = constants.denuc_step_per_month
    denuc_retention, counters, params = constants.denuc_retention, inputs.counters, inputs.params
    keys = inputs.keys
    f, view = inputs.flags[0], inputs.views[0]
    lv, t = inputs.levers[month.t], month.t
    for k in range(n):
        r = b0 + k
        q = params[r]
        key = run_key(keys, r, t)
        pressure = diplomacy.pressure_index(
            lv.sanctions_pressure,
            as_read(view.cornered_effect, drill_memory_cf[k], drill_memory[k]),
            month.md_cornered, month.infra_cornered)
        offer = diplomacy.offers(month.flexible, tension_level[k])
        will_logit = diplomacy.willingness_logit(q, willingness0_logit[k], pressure,
                                                 pressure_ref, offer, trust_of[PRK_USA, k],
                                                 f.cornered_effect)
        on = talks_on[k]
        u_talks = 0.0
        need_will = record_monthly
        if not month.forced_talks and not on:
            u_talks = uniform(key, counters[t, SLOT_TALKS_START, 0])
            if bounds.below_probability(u_talks, diplomacy.talks_start_exponent_bound(
                    q, talks_start_rate[k], month.flexible)) != 0:
                need_will = True
        will = 0.0
        if need_will:
            will = beliefs.expit(will_logit)
            willingness[k] = will
        if month.forced_talks:
            on = diplomacy.forced_talks(month.talks_override)
        elif on:  # talks go on unless they collapse
            on = not bounds.below(uniform(key, counters[t, SLOT_TALKS_END, 0]),
                                  diplomacy.talks_end_exponent(q, talks_collapse_per_month[k],
                                                               tension_level[k], month.flexible))
        elif need_will:
            on = bounds.below(u_talks, diplomacy.talks_start_exponent(
                q, talks_start_rate[k], will, month.flexible))
        if f.concession_channel:
            talks_share[k] = concessions.running_share(on, talks_on[k], talks_share[k],
                                                           talks_start_rate[k],
                                                           talks_start_per_month[k])
            lesson[k] = concessions.lesson_step(lesson[k], talks_share[k],
                                                    relief[k], rate_belief[k])
        talks_on[k] = on
        if on:
            if bounds.below(uniform(key, counters[t, SLOT_DENUC, 0]),
                            diplomacy.step_exponent(q, denuc_step_per_month[k], month.flexible)):
                denuclearization[k] = diplomacy.progress_after_step(
                    q, denuclearization[k])
                nuclear[k] = nuclear_programme.dismantle(q, nuclear[k])
                event_counts[k, EV_DENUC] = 1
        else:
            denuclearization[k] = diplomacy.progress_without_talks(
                denuclearization[k], denuc_retention[k])


@phase
def beliefs_phase(inputs, block, constants, month, b0, n, started):
    """4: the belief update (beliefs.py). The first update of a block visits every entry and
    lists the entries without evidence that still move; without evidence the update is a
    fixed map of z, so an entry it leaves unchanged (at its anchor, or at the clip) stays for
    good and leaves the list. Later updates visit the listed entries run by run and the
    entries that receive evidence one at a time across the block."""
    drill_eff_cf, drill_eff, launch_counts = block.drill_eff_cf, block.drill_eff, block.launches
    talks_on, coerced, evidence = block.talks, block.coerced, block.evidence
    log_odds, anchor, trust_of, moving = block.log_odds, block.anchor, block.trust, block.moving
    n_moving_of, odds_against = block.n_moving, block.odds_against
    rate_belief, params = constants.rate_belief, inputs.params
    f, view = inputs.flags[0], inputs.views[0]
    for k in range(n):
        q = params[b0 + k]
        drill_eff_read = as_read(view.beliefs, drill_eff_cf[k], drill_eff[k])
        ev = beliefs.evidence(q, drill_eff_read, month.md_beliefs, month.infra_beliefs,
                              month.comm, month.forum, launch_counts[k],
                              1.0 if talks_on[k] else 0.0, coerced[k, ROK],
                              coerced[k, JPN], f.posture_threat,
                              provocations.rest_launch_rate(q, drill_eff_read), f.costly_signals)
        for c in range(1, beliefs.N_CATEGORIES):
            evidence[c, k] = ev[c]
        rate = rate_belief[k]
        if not started:  # first update: every entry
            n_moving = 0
            for e in range(N_ENTRIES):
                c = CATEGORY[e]
                z_old = log_odds[e, k]
                z_new = beliefs.update_log_odds(z_old, evidence[c, k], anchor[e, k], rate)
                trust_of[e, k] = beliefs.expit(z_new)
                log_odds[e, k] = z_new
                if c == beliefs.NO_EVIDENCE and z_new != z_old:
                    moving[k, n_moving] = e
                    n_moving += 1
            n_moving_of[k] = n_moving
        else:  # entries without evidence still moving toward their anchor
            m = 0
            n_moving = n_moving_of[k]
            while m < n_moving:
                e = moving[k, m]
                z_old = log_odds[e, k]
                z_new = beliefs.update_log_odds(z_old, 0.0, anchor[e, k], rate)
                if z_new != z_old:
                    trust_of[e, k] = beliefs.expit(z_new)
                    log_odds[e, k] = z_new
                    m += 1
                else:  # reached its fixed point: off the list
                    n_moving -= 1
                    moving[k, m] = moving[k, n_moving]
            n_moving_of[k] = n_moving
    if started:  # the entries that receive evidence, one across the block
        for x in range(ENTRIES.shape[0]):
            e = ENTRIES[x]
            c = CATEGORY[e]
            for k in range(n):
                log_odds[e, k] = beliefs.update_log_odds(
                    log_odds[e, k], evidence[c, k], anchor[e, k], rate_belief[k])
            for k in range(n):  # expit in two loops: exp, then divisions
                odds_against[k] = beliefs.odds_against(log_odds[e, k])
            for k in range(n):
                trust_of[e, k] = beliefs.probability_from_odds_against(odds_against[k])


@phase
def arms_phase(inputs, block, constants, month, b0, n):
    """5: the arms race (arms_race.py): every actor from last month's levels, then all move."""
    arms_next, arms, threats = block.arms_next, block.arms, block.threats
    inv_theta_ref, reaction = constants.inv_theta_ref, constants.reaction
    fatigue, state0, theatre = constants.fatigue, inputs.state0, inputs.theatre
    params = inputs.params
    f = inputs.flags[0]
    lv = inputs.levers[month.t]
    rivalry0, confrontation0 = state0[RIVALRY0], state0[CONFRONTATION0]
    weighted_arms = block.weighted_arms
    for i in range(N_ACTORS):  # one actor at a time across the block
        arms_race.threat_weighted_arms(threats, N_ACTORS * i, arms, n, weighted_arms)
        for k in range(n):
            arms_next[i, k] = arms_race.driven_arms_step(
                arms[i, k], weighted_arms[k],
                inv_theta_ref[i, k], arms_race.peninsula_reaction(
                    reaction[k], theatre[i], f.outside_drivers),
                fatigue[k], arms_race.outside_push(
                    params[b0 + k], i, lv.us_china_rivalry, lv.russia_west_confrontation,
                    rivalry0, confrontation0, f.outside_drivers))
    for i in range(N_ACTORS):
        for k in range(n):
            arms[i, k] = arms_next[i, k]


@phase
def ladder_step(q, f, month, key, u, misperception_counters, floor, tension_now, cohesion_now,
                talks_now, nuclear_now, nuclear0, credibility, trust_prk_usa, trust_rok_prk,
                rho_prk, rho_rok, attack_per_month, agreement_lever):
    """One run's move on the ladder from the month's floor, on last month's tension
    (escalation.py, deterrence.py), from the month's uniform u; the misperception draw is made
    from its two counters only where it applies. The hazards are named as in
    escalation.up_hazards; the tension factor and the misperception draw enter first as upper
    bounds (no exp, log or cos), the exact hazards only when u is near them
    (escalation.settled_rung)."""
    window = escalation.escalation_window(floor)
    incidents = f.contained_incidents
    tension_exp = 0.0
    tension_bound = 0.0
    u_misperception = 0.0
    radius = 0.0
    agreement = escalation.agreement_factor(q, floor, agreement_lever)
    if window:
        tension_exp = escalation.tension_exponent(q, tension_now)
        tension_bound = escalation.agreed_tension_factor(bounds.exp_upper(tension_exp),
                                                         agreement)
    misperceive = f.misperception and escalation.misperception_applies(floor)
    sigma = 0.0
    if misperceive:
        u_misperception = uniform(key, misperception_counters[0])
        radius = normal_radius_upper(u_misperception)
        sigma = escalation.misperception_scale(q, month.intel_crisis, month.comm)
    crisis_mgmt = escalation.crisis_management(cohesion_now, month.intel_crisis, month.comm,
                                               f.crisis_management)
    down = escalation.down_hazard(q, floor, crisis_mgmt, talks_now)
    nuclear_ratio = nuclear_programme.capability_ratio(nuclear_now, nuclear0)
    log_n = 0.0  # the stability-instability paradox: bounds first, factors if needed
    attack_bound = attack_per_month
    war_bound = 1.0
    attack_factor_bound = 1.0
    paradox = f.stability_instability and window
    if paradox:
        log_n = deterrence.log_capability_ratio(nuclear_now)
        attack_bound, war_bound, attack_factor_bound = deterrence.paradox_hazard_bounds(
            q, attack_per_month, log_n)
    misperception_bound = escalation.misperception_bound(sigma, radius)
    grey_bound = 0.0
    if floor == escalation.PROVOCATION:
        grey_bound = escalation.grey_zone_hazard(q, tension_bound, misperception_bound,
                                                 attack_factor_bound, incidents)
    allied = f.allied_preemption and floor == escalation.CRISIS
    allied_bound = 0.0
    if allied:
        allied_bound = escalation.allied_preemption_bound(q, trust_rok_prk)
    new = escalation.settled_rung(
        q, u, floor, tension_bound, misperception_bound, down, attack_bound,
        month.intel_crisis, crisis_mgmt, credibility, trust_prk_usa, nuclear_ratio,
        f.deterrence, f.preemption, war_bound, allied_bound, grey_bound)
    if new >= 0:
        return new
    # u is near a transition probability: the exact hazards
    tension_f = 0.0
    deliberate = attack_per_month
    deliberate_war = q.deliberate_war_per_month
    attack_factor = 1.0
    if window:
        tension_f = escalation.agreed_tension_factor(escalation.tension_factor(tension_exp),
                                                     agreement)
        deliberate, deliberate_war = deterrence.deliberate_hazards(
            q, attack_per_month, credibility, f.deterrence)
        if paradox:
            tension_f, deliberate, deliberate_war, attack_factor = deterrence.paradox_hazards(
                q, floor == escalation.HOSTILITIES, tension_f, deliberate, deliberate_war,
                log_n)
    misperception = 1.0
    if misperceive:
        z = normal(normal_radius(u_misperception), uniform(key, misperception_counters[1]))
        misperception = escalation.misperception_factor(sigma, z)
    dprk_preemption = 0.0
    if f.preemption and floor == escalation.CRISIS:
        dprk_preemption = escalation.preemption_hazard(q, rho_prk, trust_prk_usa)
    preemption = dprk_preemption
    if allied:
        preemption = escalation.preemption_total(
            dprk_preemption, escalation.allied_preemption_hazard(q, rho_rok, trust_rok_prk))
    grey = 0.0
    if floor == escalation.PROVOCATION:
        grey = escalation.grey_zone_hazard(q, tension_f, misperception, attack_factor, incidents)
    up, jump = escalation.up_hazards(q, floor, tension_f, misperception, month.intel_crisis,
                                     crisis_mgmt, deliberate, deliberate_war, preemption,
                                     nuclear_ratio, grey, incidents)
    return escalation.next_rung(u, floor, up, jump, down, incidents)


@phase
def ladder_phase(inputs, block, constants, month, b0, n):
    """6: the month's floor from its events (escalation.lifted_floor; a forced nuclear test,
    escalation.tested_floor), the ladder's move (ladder_step; a forced incident,
    escalation.forced_rung), its events and this year's entries into a clash and a war; then,
    in the same loop over runs (the run's state is at hand), tension from the month's events
    (tension.py) and the economy (economy.py): GDP loss itself is an output, formed only in
    months that are written out."""
    launch_counts, rung_of, rhetoric = block.launches, block.level, block.rhetoric
    provocation_counts, floors, event_counts = block.provocations, block.floor, block.counts
    clash_entries, war_entries = block.clash_entries, block.war_entries
    tension_level, cohesion_level, talks_level = block.tension, block.cohesion, block.talks_level
    nuclear, credibility, trust_of = block.nuclear, block.credibility, block.trust
    threat_ratios, aggression_per_month = block.threat_ratio, constants.aggression_per_month
    counters, params, keys = inputs.counters, inputs.params, inputs.keys
    f, lv, t = inputs.flags[0], inputs.levers[month.t], month.t
    forum_cut, supply_chain, flow_loss = block.forum_cut, block.supply_chain, block.flow_loss
    coerced, gdp_loss, spending = block.coerced, block.gdp_loss, block.spending
    inv_goldstein_scale, rate_tension = constants.inv_goldstein_scale, constants.rate_tension
    gap_retention, trade_exposure = constants.gap_retention, inputs.trade_exposure
    inv_gdp0, def_share0 = inputs.inv_gdp0, inputs.def_share0
    # the month's injects (replay levers): checked once a month, not once a run-month
    tested = nuclear_programme.forced_tests(lv.nuclear_test_override) > 0
    overridden = lv.incident_override >= 0.0
    incident = escalation.incident_forced(lv.incident_override)
    for k in range(n):
        r = b0 + k
        q = params[r]
        launches = launch_counts[k]
        lifted = launches > 0 and escalation.launches_lift(
            q, launches, uniform(run_key(keys, r, t), counters[t, SLOT_LAUNCH_LIFT, 0])
            if q.launch_escalation_share < 1.0 else 0.0)
        floor = escalation.lifted_floor(rung_of[k], rhetoric[k], provocation_counts[k], lifted)
        if tested:
            floor = escalation.tested_floor(floor, event_counts[k, EV_NUCLEAR_TEST])
        floors[k] = floor
        key = run_key(keys, r, t)
        new = ladder_step(
            q, f, month, key, uniform(key, counters[t, SLOT_LADDER, 0]),
            (counters[t, SLOT_MISPERCEPTION, 0], counters[t, SLOT_MISPERCEPTION, 1]), floor,
            tension_level[k], cohesion_level[k], talks_level[k], nuclear[k], inputs.nuclear0,
            credibility[k], trust_of[PRK_USA, k], trust_of[ROK_PRK, k], threat_ratios[k, PRK],
            threat_ratios[k, ROK], aggression_per_month[k], lv.military_agreement)
        if overridden:
            new = escalation.forced_rung(new, floor, lv.incident_override)
        if new > floor:
            if escalation.fire_exchanged(new):
                event_counts[k, EV_CLASH] = 1
            elif new == escalation.NUCLEAR:
                event_counts[k, EV_NUCLEAR] = 1
        if incident:
            event_counts[k, EV_CLASH] = 1
        rung_of[k] = new
        event_counts[k, EV_WAR] = 1 if new == escalation.WAR else 0
        if month.year_start:
            clash_entries[k] = 0.0
            war_entries[k] = 0.0
        clash_entries[k] = escalation.count_entry(clash_entries[k], new, floor, escalation.CLASH)
        war_entries[k] = escalation.count_entry(war_entries[k], new, floor, escalation.WAR)
        tension_level[k] = tension.tension_step(
            tension_level[k], tension.net_goldstein(event_counts[k], month.drill_tension),
            inv_goldstein_scale[k], forum_cut[k], rate_tension[k])
        if f.economy:
            supply_chain_now = economy.supply_chain_step(supply_chain[k], SUPPLY_TARGET[new])
            supply_chain[k] = supply_chain_now
            for i in range(N_ACTORS):
                flow_loss[k, i] = economy.flow_loss_step(
                    q, flow_loss[k, i], gap_retention[k], CHILL[new], supply_chain_now,
                    EXPOSURE[i], coerced[k, i])
            if month.record_now:
                for i in range(N_ACTORS):
                    gdp_loss[k, i] = economy.gdp_loss(
                        q, flow_loss[k, i], tension_level[k], trade_exposure[i],
                        economy.defence_share(spending[k, i], inv_gdp0[i]),
                        def_share0[i])


@phase
def records_phase(inputs, block, month, out, b0, n, record_monthly, record_events):
    """7: first months of the rungs, the year's counts, and in a month that is written out the
    run-month's record (RECORD_FIELDS): the monthly table's row, and at a year's end the
    yearly snapshot (YEARLY_KEYS, read from the record by name); the events."""
    rung_of, event_counts, launch_days = block.level, block.counts, block.launch_days
    record, tension_level, cohesion_level = block.record, block.tension, block.cohesion
    alignment_level, credibility, balance = block.alignment, block.credibility, block.balance
    nuclear, denuclearization, talks_on = block.nuclear, block.denuclearization, block.talks
    willingness, sanctions, supply_chain = block.willingness, block.sanctions, block.supply_chain
    launch_rate, campaign_on, arms = block.launch_rate, block.in_campaign, block.arms
    spending, threat_ratios, gdp_loss = block.spending, block.threat_ratio, block.gdp_loss
    trust_of, clash_entries, war_entries = block.trust, block.clash_entries, block.war_entries
    trust_entries, region_w, out_launches_y = inputs.trust_entries, inputs.region_w, out.launches_y
    out_first, out_patrols_y, out_days_y = out.first, out.patrols_y, out.days_y
    out_monthly, out_events, out_yearly = out.monthly, out.events, out.yearly
    t = month.t
    n_cols = out_launches_y.shape[1]
    for k in range(n):
        r = b0 + k
        rung = rung_of[k]
        for fk in range(len(FIRST_RUNGS)):
            if rung >= FIRST_RUNGS[fk] and out_first[fk, r] == NEVER:
                out_first[fk, r] = t
        y = min(t // 12, n_cols - 1)
        out_launches_y[r, y] += event_counts[k, EV_LAUNCH]
        out_patrols_y[r, y] += event_counts[k, EV_PATROL]
        out_days_y[r, y] += launch_days[k]
        if month.record_now:
            record[C_LEVEL] = float(rung)
            record[C_TENSION] = tension_level[k]
            record[C_COHESION] = cohesion_level[k]
            record[C_ALIGNMENT] = alignment_level[k]
            record[C_POLARIZATION] = alignment.polarization(alignment_level[k], cohesion_level[k])
            record[C_CREDIBILITY] = credibility[k]
            record[C_BALANCE] = balance[k]
            record[C_CAPABILITY] = nuclear[k]
            record[C_DENUC] = denuclearization[k]
            record[C_TALKS] = 1.0 if talks_on[k] else 0.0
            record[C_WILLINGNESS] = willingness[k]
            record[C_SANCTIONS] = sanctions[k]
            record[C_SUPPLY] = supply_chain[k]
            record[C_LAUNCH_RATE] = launch_rate[k]
            record[C_CAMPAIGN] = 1.0 if campaign_on[k] else 0.0
            for i in range(N_ACTORS):
                record[C_ARMS + i] = arms[i, k]
                record[C_SPENDING + i] = spending[k, i]
                record[C_RATIO + i] = threat_ratios[k, i]
                record[C_GDP + i] = gdp_loss[k, i]
            for d in range(trust_entries.shape[0]):
                record[C_TRUST + d] = trust_of[trust_entries[d], k]
        if record_monthly:
            for c in range(N_MONTHLY):
                out_monthly[r, t, c] = record[c]
        if record_events:
            for e in range(N_EVENT_TYPES):
                out_events[r, t, e] = min(event_counts[k, e], EVENT_MAX)
        if month.year_end:
            record[X_GDP_REGION] = economy.weighted_loss(gdp_loss[k], REGION, region_w)
            record[X_ARMS_RACE] = arms_race.intensity(arms[:, k])
            record[X_CLASHES] = clash_entries[k]
            record[X_WARS] = war_entries[k]
            yi = (t + 1) // 12 - 1
            for x in range(YEARLY_SOURCE.shape[0]):
                out_yearly[x, r, yi] = record[YEARLY_SOURCE[x]]
