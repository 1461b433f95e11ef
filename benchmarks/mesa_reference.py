"""The Peninsula model written the way Mesa users write models: the reference for benchmarks.

One ``mesa.Model`` per run, stepped one month per ``step()``; one ``mesa.Agent`` per actor,
holding that actor's state (arms level, beliefs as log-odds and trust, this month's threat row,
threat ratio, coercion received, flow and GDP loss, spending); the model holds the system state.
Numbers are Python floats and every random number comes from the model's own ``self.random``
(Mesa's ``random.Random``), not from the engine's counter-based streams.

No equation, constant or reference point is written here: each value comes from the model's own
functions (``peninsula.model.*``, reference points from ``peninsula.model.reference``), called in
the order of a month of ``engine/kernel.py`` and under the run's mechanism switches
(``setup.flags``). What is written here is wiring, as in the kernel (sums over actors, the
order of the phases, who holds what), and random-number utilities (Poisson by inversion, the
standard normal). The kernel's shortcuts are not taken: every hazard is formed exactly and every
draw is made (``escalation.up_hazards``/``down_hazard``/``next_rung``, ``rates.probability``),
as a plain user would. The two implementations therefore agree in distribution, not draw by
draw (``tests/test_mesa_reference.py`` checks it). Every sum over actors that is part of the
model (the total and the allied capability, the threat index and its part from the allies,
threat-weighted arms) is the model's own function, called here with a block of one run.

The reference is frozen as a versioned benchmark: it implements the mechanisms listed in
``IMPLEMENTED_MECHANISMS`` (the model as of ``REFERENCE_VERSION``), and its setup switches every
later mechanism off, in the reference and in the engine it is compared with. It is not rewired
when a mechanism is added (docs/contributing.md): it is the per-agent way of writing the model
that the engine's speed is measured against, and its agreement in distribution checks the
engine's wiring of the mechanisms it has. It does not call the engine's phase functions, which
draw from the engine's counter-based streams over a block's arrays; a Mesa model draws from its
own ``random`` agent by agent.

The mechanisms read parameters by attribute; here they run as plain Python on plain objects of
floats, so the process must set ``NUMBA_DISABLE_JIT=1`` before Numba is imported (a compiled
mechanism cannot take a plain object, and calling compiled code from Python per scalar would
time the call overhead, not the model). The command line sets it for itself:

    python benchmarks/mesa_reference.py --runs N --seed S [--json]

runs the baseline scenario with point parameter values for 120 months and prints the per-run
outcome means (and standard deviations). Requires ``pip install peninsula[bench]``.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import mesa
import numpy as np

from peninsula.engine.inputs import reference_record
from peninsula.io.results import FIRST_KEYS, FIRST_RUNGS
from peninsula.model import (
    alignment,
    arms_race,
    beliefs,
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
from peninsula.model.compiled import is_compiled
from peninsula.model.events import EVENT_INDEX, N_EVENT_TYPES
from peninsula.model.rates import MONTHS_PER_YEAR, memory_rate, per_month, probability, relax
from peninsula.scenario.schema import MECHANISMS

MONTHS = 120  # the benchmark's horizon (benchmarks/run.py)
REFERENCE_VERSION = "2026.12"  # the model the reference implements: its mechanisms below
IMPLEMENTED_MECHANISMS = (
    "posture_threat", "beliefs", "arms_race", "cohesion_dynamics", "deterrence", "alignment",
    "bloc_support", "nuclear_programme", "diplomacy", "cornered_effect", "costly_signals",
    "concession_channel", "relief_funding", "drill_provocation", "self_excitation",
    "testing_campaign", "launch_frailty", "misperception", "stability_instability",
    "preemption", "allied_preemption", "crisis_management", "coercion", "economy",
    "outside_drivers")
LATER_MECHANISMS = tuple(m for m in MECHANISMS if m not in IMPLEMENTED_MECHANISMS)
BASELINE_OVERRIDES = ("scenario.sample_parameters=false", f"scenario.horizon_months={MONTHS}",
                      *(f"mechanisms.{m}=false" for m in LATER_MECHANISMS))
OUTCOMES = ("launches_per_year", *FIRST_KEYS, "alignment", "tension",
            "cohesion", "gdp_loss_pct_ROK")

# the model's fixed tables as plain Python lists (wiring: no numbers of their own)
PROX = PROXIMITY.tolist()
CATEGORY = beliefs.EVIDENCE_CATEGORY.tolist()
CHILL = economy.CHILL_PCT_PER_MONTH.tolist()
SUPPLY_TARGET = economy.SUPPLY_CHAIN_TARGET.tolist()
EXPOSURE = economy.EXPOSURE.tolist()
FIRST = dict(zip(FIRST_KEYS, FIRST_RUNGS, strict=True))  # rungs whose first month is recorded
EV = EVENT_INDEX


def interpreted_environ() -> dict[str, str]:
    """This process's environment with Numba's JIT disabled: for a process running the reference."""
    return {**os.environ, "NUMBA_DISABLE_JIT": "1"}


def require_interpreted() -> None:
    """Refuse to run under compiled mechanisms (see the module's docstring)."""
    if is_compiled():
        raise RuntimeError(
            "the Mesa reference runs the model's mechanisms as plain Python: set "
            "NUMBA_DISABLE_JIT=1 in the environment of the process that runs it, before Numba "
            "is imported (e.g. `NUMBA_DISABLE_JIT=1 python ...`, or run "
            "`python benchmarks/mesa_reference.py`, which sets it for itself)")


def monthly_levers(setup) -> list[SimpleNamespace]:
    """The scenario's levers month by month, each month a plain object of floats."""
    values = setup.plan.values
    return [SimpleNamespace(**{name: float(v[t]) for name, v in values.items()})
            for t in range(setup.horizon)]


class ActorAgent(mesa.Agent):
    """One state: its arms level, beliefs about the others, perceived threat and economy."""

    def __init__(self, model: PeninsulaModel, index: int, theta_ref: float,
                 theta_allies_ref: float, anchor_evidence) -> None:
        super().__init__(model)
        s, q, i = model.setup, model.q, index
        self.index = i
        self.spending0 = float(s.spending0[i])
        self.growth = float(s.growth[i])
        self.theatre = float(s.theatre[i])
        self.posture0 = float(s.posture0[i])
        self.inv_gdp0 = 1.0 / float(s.gdp0[i])
        self.trade_exposure = float(s.trade_exposure[i])
        self.def_share0 = economy.defence_share(self.spending0, self.inv_gdp0)
        self.inv_theta_ref = 1.0 / float(theta_ref)
        self.inv_allies_ref = 1.0 / float(theta_allies_ref)
        self.trust = [float(s.trust0[i, j]) for j in range(N_ACTORS)]
        self.z = [beliefs.logit(x) for x in self.trust]
        self.anchor = [reference.belief_anchor(q, self.z[j], anchor_evidence[CATEGORY[i][j]])
                       for j in range(N_ACTORS)]
        # the starting state the kernel gives every run
        self.arms_level = self.next_arms = 1.0  # on its trend path
        self.spending = arms_race.spending(arms_race.trend(self.spending0, self.growth, 0),
                                           self.arms_level)
        self.capability = 0.0
        self.threat = np.zeros((N_ACTORS, 1))  # T_ij this month (a block of one run)
        self.ratio = self.allies_ratio = 1.0
        self.coerced = 0.0  # China's coercion events aimed at this state this month
        self.flow_loss = self.gdp_loss = 0.0

    def assess_capability(self, month: int, tech: float) -> float:
        """This month's spending (trend times arms level) and theatre capability."""
        self.spending = arms_race.spending(arms_race.trend(self.spending0, self.growth, month),
                                           self.arms_level)
        self.capability = threat.capability(self.spending, self.theatre, tech, self.index)
        return self.capability

    def perceive(self, power: list[float], posture: list[float], forum_cut: float,
                 hotline_cut: float) -> None:
        """The threat row T_ij, the threat ratio and the ratio of the threat from the allies."""
        q, i = self.model.q, self.index
        for j in range(N_ACTORS):
            self.threat[j, 0] = threat.perceived(
                i, power[j], PROX[i][j], q.threat_offense_weight,
                threat.observed_posture(i, j, posture[j], q.russia_encirclement_sensitivity),
                self.trust[j], forum_cut, hotline_cut)
        total, allied = np.zeros(1), np.zeros(1)
        threat.threat_indices(self.threat, 0, 1, total, allied)
        self.ratio = threat.ratio(total[0], self.inv_theta_ref)
        self.allies_ratio = threat.ratio(allied[0], self.inv_allies_ref)

    def update_beliefs(self, evidence) -> None:
        """One month of Bayesian updating of every belief of the row, from the month's evidence."""
        rate, i = self.model.rate_belief, self.index
        for j in range(N_ACTORS):
            z = beliefs.update_log_odds(self.z[j], evidence[CATEGORY[i][j]], self.anchor[j], rate)
            self.z[j] = z
            self.trust[j] = beliefs.expit(z)

    def arm(self, actors: list[ActorAgent]) -> None:
        """Next month's arms level from this month's threat row and last month's levels."""
        q = self.model.q
        levels = np.array([[a.arms_level] for a in actors])
        weighted = np.zeros(1)
        arms_race.threat_weighted_arms(self.threat, 0, levels, 1, weighted)
        on, lv = self.model.flags.outside_drivers, self.model.levers[self.model.month]
        self.next_arms = arms_race.driven_arms_step(
            self.arms_level, weighted[0], self.inv_theta_ref,
            arms_race.peninsula_reaction(q.arms_reaction_per_year, self.theatre, on),
            q.arms_fatigue_per_year,
            arms_race.outside_push(q, self.index, lv.us_china_rivalry,
                                   lv.russia_west_confrontation,
                                   self.model.state0["us_china_rivalry"],
                                   self.model.state0["russia_west_confrontation"], on))

    def lose_output(self, retention: float, rung: int, supply_chain: float,
                    tension_now: float) -> None:
        """Flow loss and total GDP loss (%) after the month."""
        q, i = self.model.q, self.index
        self.flow_loss = economy.flow_loss_step(q, self.flow_loss, retention, CHILL[rung],
                                                supply_chain, EXPOSURE[i], self.coerced)
        self.gdp_loss = economy.gdp_loss(q, self.flow_loss, tension_now, self.trade_exposure,
                                         economy.defence_share(self.spending, self.inv_gdp0),
                                         self.def_share0)


class PeninsulaModel(mesa.Model):
    """One run of the Peninsula model, stepped one month per ``step()``."""

    def __init__(self, setup, params: dict, seed: int | None = None,
                 levers: list[SimpleNamespace] | None = None) -> None:
        require_interpreted()
        super().__init__(seed=seed)
        self.setup, self.month = setup, 0
        self.q = q = SimpleNamespace(**{k: float(v) for k, v in params.items()})
        self.flags = f = SimpleNamespace(**{k: bool(setup.flags[k]) for k in MECHANISMS})
        self.levers = levers if levers is not None else monthly_levers(setup)
        self.drill = [float(d) for d in setup.plan.drill]
        self.state0 = s0 = setup.state0
        self.cohesion = float(s0["cohesion"])
        self.alignment = float(s0["alignment"])
        self.tension = float(s0["tension"])
        self.level = int(s0["escalation_level"])
        self.talks = float(s0["talks_active"]) != 0.0
        self.denuclearization = float(s0["denuclearization"])
        self.nuclear0 = self.nuclear = float(setup.nuclear0)
        self.tech = 1.0
        self.excitation = self.prov_excitation = 0.0
        self.in_campaign = (f.testing_campaign
                            and self.random.random() < provocations.campaign_share(q))
        self.frailty = 1.0
        self.drill_memory = self.supply_chain = 0.0
        self.credibility = self.balance = self.willingness = self.sanctions_eff = 0.0
        self.relief = self.launch_memory = self.talks_share = self.lesson = 0.0
        self.launches_total = 0
        self.first = dict.fromkeys(FIRST)
        # the run's rates and memories, and its reference points (model/reference.py)
        self.omega = provocations.excitation_decay(q)
        self.excite_gain = provocations.excitation_gain(q, self.omega)
        self.tech_gain = per_month(q.tech_capability_gain_per_year)
        self.grievance_p = per_month(q.grievance_shock_rate_per_year)
        self.turnover_p = per_month(q.turnover_shock_rate_per_year)
        self.coercion_m = per_month(q.coercion_rate_per_year)
        self.launch_m = per_month(q.launch_base_rate_per_year)
        self.prov_m = per_month(q.provocation_base_rate_per_year)
        self.rhet_m = per_month(q.rhetoric_base_rate_per_year)
        self.decay_m = per_month(q.cohesion_decay_per_year)
        self.intel_m = per_month(q.intelligence_cohesion_gain_per_year)
        self.attack_m = per_month(q.deliberate_aggression_rate_per_year)
        self.growth_m = per_month(q.dprk_capability_growth_per_year)
        self.start_m = per_month(q.talks_start_rate_per_year)
        self.collapse_m = per_month(q.talks_collapse_rate_per_year)
        self.denuc_m = per_month(q.denuclearization_step_rate_per_year)
        self.denuc_keep = diplomacy.progress_retention(q)
        self.gdp_keep = economy.gap_retention(q)
        self.rate_belief = memory_rate(q.belief_memory_months)
        self.rate_drill = memory_rate(q.drill_memory_months)
        self.rate_align = memory_rate(q.alignment_months)
        self.rate_tension = memory_rate(q.tension_memory_months)
        self.inv_gscale = tension.inverse_scale(q)
        self.w0_logit = diplomacy.baseline_logit(q)
        self.a0_logit = alignment.baseline_logit(self.alignment)
        ref = reference_record(setup.reference)  # the reference policy (model/reference.py)
        self.pressure_ref = reference.reference_pressure(ref)
        self.rest_m = reference.rest_launches(q, ref)
        theta, theta_allies = [0.0] * N_ACTORS, [0.0] * N_ACTORS
        reference.reference_threat(q, ref, setup.spending0, setup.theatre, setup.posture0,
                                   setup.trust0, f.posture_threat, theta, theta_allies)
        ev_ref = reference.reference_evidence(q, ref, f.posture_threat, f.costly_signals)
        self.actors = [ActorAgent(self, i, theta[i], theta_allies[i], ev_ref)
                       for i in range(N_ACTORS)]

    # --- random draws (utilities, not model logic) ----------------------------------------------
    def poisson(self, lam: float) -> int:
        """Poisson(lam) by inversion of the CDF from one uniform (no draw when lam <= 0)."""
        if lam <= 0:
            return 0
        u, k = self.random.random(), 0
        prob = cdf = math.exp(-lam)
        while u >= cdf and prob > 0:
            k += 1
            prob *= lam / k
            cdf += prob
        return k

    # --- one month, in the order of engine/kernel.py --------------------------------------------
    def step(self) -> None:  # noqa: C901 - one month, in order
        q, f, t, actors = self.q, self.flags, self.month, self.actors
        rnd = self.random.random
        lv, drill = self.levers[t], self.drill[t]
        clarity, comm, forum = lv.strategic_clarity, lv.open_communication, \
            lv.multilateral_engagement
        intel, flexible = lv.intelligence_sharing, lv.flexible_diplomacy
        md, infra = lv.missile_defense_deployment, lv.permanent_infrastructure
        override = lv.talks_override
        forced = override >= 0.0

        # 1: posture, capability and perceived threat
        self.drill_memory = relax(self.drill_memory, drill, self.rate_drill)
        self.tech = threat.tech_step(self.tech, self.tech_gain, lv.tech_collaboration)
        capabilities = np.array([[a.assess_capability(t, self.tech) for a in actors]])
        total = np.zeros(1)
        threat.total_capability(capabilities, 1, total)
        drill_eff = threat.effective_drill(q, drill, clarity)
        extra = threat.alliance_posture_extra(q, drill_eff, md, infra)
        forum_cut = threat.forum_cut(q, forum)
        hotline_cut = threat.hotline_cut(q, comm)
        capability_ratio = nuclear_programme.capability_ratio(self.nuclear, self.nuclear0)
        posture = [threat.posture(a.index, a.posture0, extra, capability_ratio, f.posture_threat)
                   for a in actors]
        power = [threat.power_term(a.capability, total[0], q.threat_power_exponent)
                 for a in actors]
        for a in actors:
            a.perceive(power, posture, forum_cut, hotline_cut)
        rho_prk = actors[PRK].ratio

        # 2: events; cohesion, deterrence, alignment, DPRK capability
        counts = [0] * N_EVENT_TYPES
        if forced:
            self.talks = diplomacy.forced_talks(override)
        talks = 1.0 if self.talks else 0.0
        summit = rnd() < cohesion.summit_probability(lv.summit_frequency_per_year)
        grievance = rnd() < self.grievance_p
        turnover = rnd() < self.turnover_p
        for a in actors:
            a.coerced = 0.0
        if f.coercion:
            n_coerce = self.poisson(coercion.coercion_rate(self.coercion_m, actors[CHN].ratio))
            if n_coerce > 0:
                actors[ROK if coercion.targets_rok(rnd()) else JPN].coerced = n_coerce
            counts[EV["coercion"]] = n_coerce
        threat_f = provocations.threat_factor(q, rho_prk)
        drill_f = provocations.drill_factor(q, drill_eff, f.drill_provocation)
        talks_cut = provocations.talks_factor(q, talks)
        regime_f = 1.0
        if f.testing_campaign:
            self.in_campaign = provocations.campaign_next(q, self.in_campaign,
                                                          lv.programme_announcement, rnd())
            regime_f = (provocations.campaign_factor(q) if self.in_campaign
                        else provocations.quiet_factor(q))
        if f.launch_frailty and t % 12 == 0:
            self.frailty = provocations.frailty(q, self.random.gauss(0.0, 1.0))
        base_m = provocations.regime_base_rate(
            concessions.rewarded_rate(q, self.launch_m, self.lesson, f.concession_channel),
            regime_f, self.frailty if f.launch_frailty else 1.0)
        cap_f = provocations.capability_factor(q, self.nuclear)
        lam = provocations.launch_rate(base_m, threat_f, cap_f, drill_f, talks_cut,
                                       self.excitation, f.self_excitation)
        days = self.poisson(provocations.launch_day_rate(q, lam))
        launches = provocations.launch_count(
            days, self.poisson(provocations.salvo_extra_rate(q, days)))
        self.excitation = provocations.excite(self.excitation, launches, self.omega,
                                              self.excite_gain)
        if f.concession_channel:
            self.launch_memory = concessions.launch_memory_step(self.launch_memory, launches,
                                                                self.omega)
        start_m = concessions.talks_start_rate(
            q, self.start_m, concessions.burst(self.launch_memory, self.rest_m, cap_f),
            f.concession_channel)
        provs = self.poisson(provocations.provocation_rate(
            concessions.rewarded_rate(q, self.prov_m, self.lesson, f.concession_channel),
            threat_f, drill_f, talks_cut, self.prov_excitation, f.self_excitation))
        self.prov_excitation = provocations.excite(self.prov_excitation, provs, self.omega,
                                                   self.excite_gain)
        rhetoric = self.poisson(provocations.rhetoric_rate(self.rhet_m, self.tension, drill_f,
                                                           talks))
        patrols = self.poisson(alignment.patrol_rate(self.alignment))
        counts[EV["missile_launch"]] = launches
        counts[EV["provocation"]] = provs
        counts[EV["rhetoric"]] = rhetoric
        counts[EV["joint_drill"]] = 1 if drill > 0 else 0
        counts[EV["trilateral_summit"]] = 1 if summit else 0
        counts[EV["grievance_shock"]] = 1 if grievance else 0
        counts[EV["turnover_shock"]] = 1 if turnover else 0
        counts[EV["joint_patrol"]] = patrols
        counts[EV["talks"]] = 1 if self.talks else 0
        self.launches_total += launches
        if f.cohesion_dynamics:
            self.cohesion = cohesion.cohesion_step(
                q, self.cohesion, 1.0 if summit else 0.0, 1.0 if grievance else 0.0,
                1.0 if turnover else 0.0, intel, self.decay_m, self.intel_m)
        allied = np.zeros(1)
        threat.allied_capability(np.array([[a.spending for a in actors]]),
                                 [a.theatre for a in actors], [self.tech], 1, allied)
        self.balance = deterrence.power_balance(allied[0], actors[PRK].capability,
                                                actors[CHN].capability, actors[RUS].capability,
                                                self.alignment)
        self.credibility = deterrence.credibility(q, self.balance, self.cohesion,
                                                  self.drill_memory, clarity, f.deterrence)
        if f.alignment:
            self.alignment = alignment.alignment_step(
                q, self.alignment,
                alignment.driven_anchor(q, self.a0_logit, lv.us_china_rivalry,
                                        lv.russia_west_confrontation,
                                        self.state0["us_china_rivalry"],
                                        self.state0["russia_west_confrontation"],
                                        f.outside_drivers),
                alignment.peninsula_threat(q, alignment.shared_threat(
                    actors[CHN].allies_ratio, actors[RUS].allies_ratio), f.outside_drivers),
                self.rate_align)
        self.sanctions_eff = alignment.effective_sanctions(q, lv.sanctions_pressure,
                                                           self.alignment, flexible, talks,
                                                           f.bloc_support)
        if f.relief_funding or f.concession_channel:
            self.relief = alignment.relief(q, lv.sanctions_pressure, self.alignment, flexible,
                                           talks, f.bloc_support)
        if f.nuclear_programme:
            self.nuclear = nuclear_programme.capability_step(
                q, self.nuclear, rho_prk, self.sanctions_eff, talks, self.alignment,
                self.growth_m, f.bloc_support)
            self.nuclear = nuclear_programme.relief_funded_step(q, self.nuclear, self.relief,
                                                                self.growth_m, f.relief_funding)

        # 3: diplomacy
        if f.diplomacy:
            pressure = diplomacy.pressure_index(lv.sanctions_pressure, self.drill_memory, md,
                                                infra)
            offer = diplomacy.offers(flexible, self.tension)
            self.willingness = diplomacy.willingness(q, self.w0_logit, pressure,
                                                     self.pressure_ref, offer,
                                                     actors[PRK].trust[USA], f.cornered_effect)
            was_on = self.talks
            if forced:
                self.talks = diplomacy.forced_talks(override)
            elif self.talks:  # talks go on unless they collapse
                self.talks = not rnd() < probability(
                    -diplomacy.talks_end_exponent(q, self.collapse_m, self.tension, flexible))
            else:
                self.talks = rnd() < probability(
                    -diplomacy.talks_start_exponent(q, start_m, self.willingness, flexible))
            if f.concession_channel:
                self.talks_share = concessions.running_share(self.talks, was_on,
                                                             self.talks_share, start_m,
                                                             self.start_m)
                self.lesson = concessions.lesson_step(self.lesson, self.talks_share,
                                                      self.relief, self.rate_belief)
            if self.talks:
                if rnd() < probability(diplomacy.step_hazard(q, self.denuc_m, flexible)):
                    self.denuclearization = diplomacy.progress_after_step(q,
                                                                          self.denuclearization)
                    self.nuclear = nuclear_programme.dismantle(q, self.nuclear)
                    counts[EV["denuclearization_step"]] = 1
            else:
                self.denuclearization = diplomacy.progress_without_talks(self.denuclearization,
                                                                         self.denuc_keep)

        # 4: beliefs
        if f.beliefs:
            evidence = beliefs.evidence(q, drill_eff, md, infra, comm, forum, launches,
                                        1.0 if self.talks else 0.0, actors[ROK].coerced,
                                        actors[JPN].coerced, f.posture_threat,
                                        provocations.rest_launch_rate(q, drill_eff),
                                        f.costly_signals)
            for a in actors:
                a.update_beliefs(evidence)

        # 5: arms race (every actor from last month's levels, then all move)
        if f.arms_race:
            for a in actors:
                a.arm(actors)
            for a in actors:
                a.arms_level = a.next_arms

        # 6: escalation ladder on last month's tension, then tension, economy, records
        lifted = launches > 0 and escalation.launches_lift(
            q, launches, rnd() if q.launch_escalation_share < 1.0 else 0.0)
        level = escalation.lifted_floor(self.level, rhetoric, provs, lifted)
        f_t, h_delib, h_delib_war = 0.0, self.attack_m, q.deliberate_war_per_month
        if escalation.escalation_window(level):
            f_t = escalation.agreed_tension_factor(
                escalation.tension_factor(escalation.tension_exponent(q, self.tension)),
                escalation.agreement_factor(q, level, lv.military_agreement))
            h_delib, h_delib_war = deterrence.deliberate_hazards(q, self.attack_m,
                                                                 self.credibility, f.deterrence)
            if f.stability_instability:
                f_t, h_delib, h_delib_war, _ = deterrence.paradox_hazards(
                    q, level == escalation.HOSTILITIES, f_t, h_delib, h_delib_war,
                    deterrence.log_capability_ratio(self.nuclear))
        m = 1.0
        if f.misperception and escalation.misperception_applies(level):
            m = escalation.misperception_factor(escalation.misperception_scale(q, intel, comm),
                                                self.random.gauss(0.0, 1.0))
        cm = escalation.crisis_management(self.cohesion, intel, comm, f.crisis_management)
        dprk_pre = allied_pre = 0.0
        if f.preemption and level == escalation.CRISIS:
            dprk_pre = escalation.preemption_hazard(q, rho_prk, actors[PRK].trust[USA])
        if f.allied_preemption and level == escalation.CRISIS:
            allied_pre = escalation.allied_preemption_hazard(q, actors[ROK].ratio,
                                                             actors[ROK].trust[PRK])
        up, jump = escalation.up_hazards(
            q, level, f_t, m, intel, cm, h_delib, h_delib_war,
            escalation.preemption_total(dprk_pre, allied_pre),
            nuclear_programme.capability_ratio(self.nuclear, self.nuclear0), 0.0, False)
        new = escalation.next_rung(rnd(), level, up, jump,
                                   escalation.down_hazard(q, level, cm, talks), False)
        if new > level:
            if escalation.fire_exchanged(new):
                counts[EV["armed_clash"]] = 1
            elif new == escalation.NUCLEAR:
                counts[EV["nuclear_use"]] = 1
        counts[EV["war"]] = 1 if new == escalation.WAR else 0
        self.level = new
        net = float(tension.net_goldstein(counts, drill))  # (a NumPy scalar: kept a float)
        self.tension = tension.tension_step(self.tension, net, self.inv_gscale, forum_cut,
                                            self.rate_tension)
        if f.economy:
            self.supply_chain = economy.supply_chain_step(self.supply_chain, SUPPLY_TARGET[new])
            for a in actors:
                a.lose_output(self.gdp_keep, new, self.supply_chain, self.tension)
        for key, rung in FIRST.items():
            if new >= rung and self.first[key] is None:
                self.first[key] = t
        self.month += 1


def run_reference(setup, params_rows, seed: int = 0, months: int | None = None) -> dict:
    """Run one Mesa model per parameter row (dicts by parameter name) for ``months`` (default:
    the setup's horizon); return the per-run outcomes as lists, keyed as OUTCOMES."""
    require_interpreted()
    months = months or setup.horizon
    levers = monthly_levers(setup)
    out = {key: [] for key in OUTCOMES}
    for r, params in enumerate(params_rows):
        model = PeninsulaModel(setup, params, seed=seed + r, levers=levers)
        for _ in range(months):
            model.step()
        out["launches_per_year"].append(model.launches_total / (months / MONTHS_PER_YEAR))
        for key in FIRST:
            out[key].append(model.first[key] is not None)
        out["alignment"].append(model.alignment)
        out["tension"].append(model.tension)
        out["cohesion"].append(model.cohesion)
        out["gdp_loss_pct_ROK"].append(model.actors[ROK].gdp_loss)
    return out


def baseline_setup():
    """The benchmark's setup: the baseline scenario, point parameter values, 120 months."""
    import peninsula
    from peninsula.model.setup import build_setup

    return build_setup(peninsula.load_scenario("baseline", list(BASELINE_OVERRIDES)))


def parameter_rows(setup, runs: int) -> list[dict]:
    """Each run's parameters by name, as the engine gives them (engine/simulate.py)."""
    from peninsula.engine.random import RunStreams
    from peninsula.engine.simulate import sample_parameters
    from peninsula.scenario.parameters import NAMES

    values = sample_parameters(setup, RunStreams(setup.seed, list(range(runs))))
    return [dict(zip(NAMES, row, strict=True)) for row in values]


def summarize(out: dict) -> dict:
    """Mean and (population) standard deviation of each outcome over the runs."""
    return {"mean": {k: statistics.fmean(map(float, v)) for k, v in out.items()},
            "sd": {k: statistics.pstdev(map(float, v)) for k, v in out.items()}}


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    ap = argparse.ArgumentParser(description="Run the Mesa reference on the baseline scenario "
                                 f"(point parameter values, {MONTHS} months) and print the "
                                 "per-run outcome means")
    ap.add_argument("--runs", type=int, default=100, help="number of runs (default 100)")
    ap.add_argument("--seed", type=int, default=0, help="seed of the first run (run r: seed + r)")
    ap.add_argument("--json", action="store_true", help="print the summary as JSON")
    args = ap.parse_args(argv)
    if is_compiled():  # Numba was loaded with its JIT on: run again with it off
        if os.environ.get("NUMBA_DISABLE_JIT") == "1":
            require_interpreted()  # cannot be switched off in this interpreter: say so
        return subprocess.run([sys.executable, str(Path(__file__).resolve()), *argv],
                              env=interpreted_environ(), check=False).returncode
    setup = baseline_setup()
    rows = parameter_rows(setup, args.runs)
    t0 = time.perf_counter()
    out = run_reference(setup, rows, seed=args.seed, months=MONTHS)
    wall = time.perf_counter() - t0
    summary = {"runs": args.runs, "months": MONTHS, "seed": args.seed, "wall_s": wall,
               **summarize(out)}
    if args.json:
        print(json.dumps(summary))
    else:
        print(f"Mesa reference: {args.runs} runs x {MONTHS} months in {wall:.2f} s")
        for key in OUTCOMES:
            print(f"  {key:20s} mean {summary['mean'][key]:10.4f}   sd {summary['sd'][key]:10.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
