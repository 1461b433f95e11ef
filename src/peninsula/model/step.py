"""One month of the model for all runs at once: the engine calls ``step`` H times.

The order within a month: levers -> posture and threat -> events (summits, shocks, launches,
provocations, coercion) -> cohesion, credibility -> alignment, sanctions, DPRK capability ->
diplomacy -> beliefs -> arms race -> escalation ladder (on last month's tension) -> tension
(this month's events, clashes and war included) -> economy. Each mechanism is a
function in its own module; this module only wires them. No Python loop over runs or actors.
"""

from __future__ import annotations

import numpy as np

from peninsula.model import (
    alignment as align,
)
from peninsula.model import (
    arms_race,
    cohesion,
    deterrence,
    diplomacy,
    economy,
    escalation,
    nuclear_programme,
    provocations,
    tension,
    threat,
)
from peninsula.model.actors import ALLIES, CHN, JPN, PRK, ROK, RUS, USA
from peninsula.model.beliefs import expit, logit, update_trust_logit
from peninsula.model.events import EVENT_INDEX, N_EVENT_TYPES
from peninsula.model.levers import REFERENCE_LEVERS, reference_mean_drill
from peninsula.model.ordered import ordered_sum
from peninsula.model.state import State
from peninsula.model.types import Array, Flags, Params

# Random-stream slots: fixed numbers so every draw has its own address (engine/random.py).
(
    SLOT_SUMMIT,
    SLOT_GRIEVANCE,
    SLOT_TURNOVER,
    SLOT_COERCION,
    SLOT_COERCION_TARGET,
    SLOT_LAUNCH,
    SLOT_PROVOCATION,
    SLOT_RHETORIC,
    SLOT_PATROL,
    SLOT_TALKS_START,
    SLOT_TALKS_END,
    SLOT_DENUC,
    SLOT_LADDER,
    SLOT_MISPERCEPTION,
    SLOT_SALVO,
) = range(1, 16)
PATROLS_PER_YEAR_AT_FULL_ALIGNMENT = 2.5  # observation model: 1-2 joint patrols/yr 2019-2025
E = EVENT_INDEX
ADVERSARIES = np.array([PRK, CHN, RUS])  # observers of the alliance's posture
ALLY_IDX = np.array(ALLIES)


class StepContext:
    """Per-chunk constants: reference threat, trust anchors and pressure at the reference policy.

    Reference points are computed at the fixed reference policy (levers.REFERENCE_LEVERS) with
    each run's own parameters, so the starting state is close to a rest point under today's
    posture and any lever moved away from the reference has an effect.
    """

    def __init__(self, setup, params: dict, n_runs: int):
        self.setup, self.p, self.flags = setup, params, setup.flags
        p, ref, n = params, REFERENCE_LEVERS, n_runs

        def const(x):
            return np.full(n, float(x))

        drill_ref = const(reference_mean_drill())
        self.def_share0 = setup.spending0 / setup.gdp0
        self.a0_logit = float(logit(np.clip(setup.state0["alignment"], 0.01, 0.99)))
        posture = threat.alliance_posture(
            np.broadcast_to(setup.posture0, (n, 6)),
            drill_ref,
            const(ref["missile_defense_deployment"]),
            const(ref["permanent_infrastructure"]),
            const(ref["strategic_clarity"]),
            p,
            setup.flags["posture_threat"],
        )
        cap = np.broadcast_to(setup.spending0 * setup.theatre, (n, 6))
        trust = np.broadcast_to(setup.trust0, (n, 6, 6))
        t_ref = threat.perceived_threat(
            cap, posture, trust, p, const(ref["open_communication"]), const(ref["multilateral_engagement"])
        )
        self.theta_ref = ordered_sum(t_ref, axis=2)  # (R,6)
        self.theta_allies_ref = threat.threat_from_allies(t_ref)
        # reciprocals, so that a month multiplies where it would divide (as engine/fused.py)
        self.inv_theta_ref = 1.0 / self.theta_ref
        self.inv_theta_allies_ref = 1.0 / self.theta_allies_ref
        # Trust anchor: the prior that makes the starting belief a rest point under the
        # reference policy and the reference launch rate (see beliefs.py).
        drill_eff = drill_ref * (1.0 - p["clarity_drill_discount"] * ref["strategic_clarity"])
        launches = (
            p["launch_base_rate_per_year"]
            / 12.0
            * (1.0 + p["launch_drill_effect"] * drill_eff)
            / (1.0 - p["launch_branching_ratio"])
        )
        coerced = np.zeros((n, 6))
        coerced[:, ROK] = 0.6 * p["coercion_rate_per_year"] / 12.0
        coerced[:, JPN] = 0.4 * p["coercion_rate_per_year"] / 12.0
        ev_ref = belief_evidence(
            p,
            setup.flags,
            drill_ref,
            const(ref["missile_defense_deployment"]),
            const(ref["permanent_infrastructure"]),
            const(ref["strategic_clarity"]),
            const(ref["open_communication"]),
            const(ref["multilateral_engagement"]),
            launches,
            np.zeros(n),
            coerced,
        )
        self.anchor = logit(setup.trust0)[None] - p["belief_memory_months"][:, None, None] * ev_ref
        self.pressure_ref = diplomacy.pressure_index(
            const(ref["sanctions_pressure"]),
            drill_ref,
            const(ref["missile_defense_deployment"]),
            const(ref["permanent_infrastructure"]),
        )


def step(s: State, ctx: StepContext, rng) -> np.ndarray:
    """Advance ``s`` by one month in place; return this month's event counts (runs x types)."""
    setup, p, flags, t = ctx.setup, ctx.p, ctx.flags, s.month
    plan = setup.plan
    n = len(s.cohesion)
    lever = {k: np.full(n, v[t]) for k, v in plan.values.items()}
    drill = np.full(n, plan.drill[t])
    clarity, comm, forum = (
        lever["strategic_clarity"],
        lever["open_communication"],
        lever["multilateral_engagement"],
    )
    intel, flexible = lever["intelligence_sharing"], lever["flexible_diplomacy"]
    md, infra = lever["missile_defense_deployment"], lever["permanent_infrastructure"]
    counts = np.zeros((n, N_EVENT_TYPES), dtype=np.int64)

    # --- posture, capability and perceived threat (threat.py) ---------------------------------
    s.drill_memory = s.drill_memory + (drill - s.drill_memory) * (1.0 / p["drill_memory_months"])
    s.tech_level = s.tech_level * (
        1.0 + p["tech_capability_gain_per_year"] / 12.0 * lever["tech_collaboration"]
    )
    s.spending = arms_race.spending(s.arms_level, setup.spending0, setup.growth, t)
    capability = s.spending * setup.theatre
    capability[:, list(ALLIES)] *= s.tech_level[:, None]
    posture = threat.alliance_posture(
        np.broadcast_to(setup.posture0, (n, 6)), drill, md, infra, clarity, p, flags["posture_threat"]
    )
    posture[:, PRK] = threat.dprk_posture(setup.posture0[PRK], s.nuclear / setup.nuclear0)
    t_ij = threat.perceived_threat(capability, posture, s.trust, p, comm, forum)
    s.threat_ratio = ordered_sum(t_ij, axis=2) * ctx.inv_theta_ref
    rho_prk = s.threat_ratio[:, PRK]
    drill_eff = drill * (1.0 - p["clarity_drill_discount"] * clarity)
    override = lever["talks_override"]
    forced = override >= 0.0
    s.talks = np.where(forced, override >= 0.5, s.talks)
    talks = s.talks.astype(float)

    # --- this month's events ------------------------------------------------------------------
    summit = rng.bernoulli(t, SLOT_SUMMIT, np.minimum(1.0, lever["summit_frequency_per_year"] / 12.0))
    grievance = rng.bernoulli(t, SLOT_GRIEVANCE, p["grievance_shock_rate_per_year"] / 12.0)
    turnover = rng.bernoulli(t, SLOT_TURNOVER, p["turnover_shock_rate_per_year"] / 12.0)
    coerced = np.zeros((n, 6))
    if flags["coercion"]:
        rate = p["coercion_rate_per_year"] / 12.0 * s.threat_ratio[:, CHN]
        n_coerce = rng.poisson(t, SLOT_COERCION, rate)
        to_rok = rng.uniform(t, SLOT_COERCION_TARGET) < 0.6
        coerced[:, ROK] = np.where(to_rok, n_coerce, 0)
        coerced[:, JPN] = np.where(to_rok, 0, n_coerce)
        counts[:, E["coercion"]] = n_coerce
    lam = provocations.launch_rate(rho_prk, drill_eff, talks, s.excitation, p, flags, s.nuclear)
    # launch days ~ Poisson(lam / m); missiles = days + Poisson((m - 1) * days): salvo size 1 + Poisson
    s.launch_days = rng.poisson(t, SLOT_LAUNCH, lam / p["salvo_mean_size"])
    launches = s.launch_days + rng.poisson(t, SLOT_SALVO,
                                           (p["salvo_mean_size"] - 1.0) * s.launch_days)
    s.excitation = provocations.excitation_step(s.excitation, launches, p)
    provs = rng.poisson(
        t,
        SLOT_PROVOCATION,
        provocations.provocation_rate(rho_prk, drill_eff, talks, s.prov_excitation, p, flags),
    )
    s.prov_excitation = provocations.excitation_step(s.prov_excitation, provs, p)
    rhetoric = rng.poisson(
        t, SLOT_RHETORIC, provocations.rhetoric_rate(s.tension, drill_eff, talks, p, flags)
    )
    patrols = rng.poisson(t, SLOT_PATROL, PATROLS_PER_YEAR_AT_FULL_ALIGNMENT / 12.0 * s.alignment)
    counts[:, E["missile_launch"]] = launches
    counts[:, E["provocation"]] = provs
    counts[:, E["rhetoric"]] = rhetoric
    counts[:, E["joint_drill"]] = drill > 0
    counts[:, E["trilateral_summit"]] = summit
    counts[:, E["grievance_shock"]] = grievance
    counts[:, E["turnover_shock"]] = turnover
    counts[:, E["joint_patrol"]] = patrols
    counts[:, E["talks"]] = s.talks

    # --- cohesion and deterrence --------------------------------------------------------------
    s.cohesion = cohesion.cohesion_step(
        s.cohesion, summit, grievance, turnover, intel, p, flags["cohesion_dynamics"]
    )
    s.balance = deterrence.power_balance(capability, s.alignment)
    s.credibility = deterrence.credibility(s.balance, s.cohesion, s.drill_memory, p, flags["deterrence"])
    h_delib, h_delib_war = deterrence.deliberate_hazard(s.credibility, p, flags["deterrence"])

    # --- alignment, sanctions, DPRK capability ------------------------------------------------
    t_allies = threat.threat_from_allies(t_ij) * ctx.inv_theta_allies_ref
    shared = (t_allies[:, CHN] + t_allies[:, RUS]) / 2.0
    s.alignment = align.alignment_step(s.alignment, ctx.a0_logit, shared, p, flags["alignment"])
    s.sanctions_eff = align.effective_sanctions(
        lever["sanctions_pressure"], s.alignment, flexible, talks, p, flags["bloc_support"]
    )
    s.nuclear = nuclear_programme.capability_step(
        s.nuclear, rho_prk, s.sanctions_eff, talks, s.alignment, p, flags
    )

    # --- diplomacy and denuclearisation -------------------------------------------------------
    step_taken = np.zeros(n, dtype=bool)
    if flags["diplomacy"]:
        pressure = diplomacy.pressure_index(lever["sanctions_pressure"], s.drill_memory, md, infra)
        offer = diplomacy.offers(flexible, s.tension)
        s.willingness = diplomacy.willingness(
            pressure - ctx.pressure_ref,
            offer,
            s.trust[:, PRK, USA] - diplomacy.REFERENCE_TRUST_PRK_USA,
            p,
            flags["cornered_effect"],
        )
        s.talks = diplomacy.talks_step(
            s.talks,
            s.willingness,
            flexible,
            s.tension,
            rng.uniform(t, SLOT_TALKS_START),
            rng.uniform(t, SLOT_TALKS_END),
            p,
        )
        s.talks = np.where(forced, override >= 0.5, s.talks)  # historical replay holds talks
        s.denuclearization, step_taken = diplomacy.denuclearization_step(
            s.denuclearization, s.talks, flexible, rng.uniform(t, SLOT_DENUC), p
        )
        s.nuclear = np.where(step_taken, s.nuclear * (1.0 - p["denuclearization_step"]), s.nuclear)
        counts[:, E["denuclearization_step"]] = step_taken

    # --- beliefs (Kydd) -----------------------------------------------------------------------
    if flags["beliefs"]:
        evidence = belief_evidence(
            p, flags, drill, md, infra, clarity, comm, forum, launches, s.talks.astype(float), coerced
        )
        s.trust_logit = update_trust_logit(s.trust_logit, ctx.anchor, evidence,
                                           p["belief_memory_months"])
        s.trust = expit(s.trust_logit)

    # --- arms race (Richardson) ---------------------------------------------------------------
    if flags["arms_race"]:
        s.arms_level = arms_race.arms_step(
            s.arms_level, t_ij, ctx.theta_ref, p["arms_reaction_per_year"], p["arms_fatigue_per_year"]
        )

    # --- escalation ladder --------------------------------------------------------------------
    level = escalation.apply_event_floor(s.level, rhetoric, launches + provs)
    new_level, clash, war, nuke = escalation.ladder_step(
        level,
        rng.uniform(t, SLOT_LADDER),
        rng.normal(t, SLOT_MISPERCEPTION),
        s.tension,
        rho_prk,
        s.trust[:, PRK, USA],
        s.cohesion,
        intel,
        comm,
        talks,
        h_delib,
        h_delib_war,
        s.nuclear / setup.nuclear0,
        p,
        flags,
    )
    s.level = new_level
    counts[:, E["armed_clash"]] = clash
    counts[:, E["war"]] = new_level == escalation.WAR
    counts[:, E["nuclear_use"]] = nuke

    # --- tension (Goldstein EWMA of this month's events, ladder events included) --------------
    weighted = counts.astype(float)
    weighted[:, E["joint_drill"]] = drill
    s.tension = tension.tension_step(s.tension, tension.net_goldstein(weighted), forum, p)

    # --- economy ------------------------------------------------------------------------------
    if flags["economy"]:
        s.supply_chain = economy.supply_chain_step(s.supply_chain, s.level)
        s.flow_loss = economy.flow_loss_step(s.flow_loss, s.level, s.supply_chain, coerced, p)
        gdp = setup.gdp0  # a level gap, so the share uses the starting GDP path
        s.gdp_loss = economy.gdp_loss(
            s.flow_loss, s.tension, setup.trade_exposure, s.spending * (1.0 / gdp), ctx.def_share0, p
        )
    s.month = t + 1
    return counts


def belief_evidence(
    p: Params,
    flags: Flags,
    drill: Array,
    md: Array,
    infra: Array,
    clarity: Array,
    comm: Array,
    forum: Array,
    launches: Array,
    talks: Array,
    coerced: Array,
) -> Array:
    """Log-likelihood-ratio evidence (runs x 6 x 6) each observer receives this month."""
    n = len(drill)
    ev = np.zeros((n, 6, 6))
    signal = 1.0 - p["communication_signal_effect"] * comm
    drill_ev = -p["belief_drill_log_lr"] * drill * (1.0 - p["clarity_drill_discount"] * clarity)
    posture_ev = -p["belief_posture_log_lr"] * (md + infra)
    reassure = p["belief_reassurance_log_lr"] * (comm + forum) / 2.0
    hostile = ((drill_ev + posture_ev) * signal) if flags["posture_threat"] else 0.0
    ev[:, ADVERSARIES[:, None], ALLY_IDX[None, :]] += (hostile + reassure)[:, None, None]
    ev[:, list(ALLIES), PRK] -= (p["belief_launch_log_lr"] * launches)[:, None]
    talks_ev = p["belief_talks_log_lr"] * talks
    ev[:, PRK, list(ALLIES)] += talks_ev[:, None]
    ev[:, list(ALLIES), PRK] += talks_ev[:, None]
    ev[:, ROK, CHN] -= p["coercion_trust_log_lr"] * coerced[:, ROK]
    ev[:, JPN, CHN] -= p["coercion_trust_log_lr"] * coerced[:, JPN]
    return ev
