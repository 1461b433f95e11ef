"""The Peninsula model written the way Mesa users write models: the reference for benchmarks.

One ``mesa.Model`` per run, one ``mesa.Agent`` per actor, Python floats and the model's own
``random.Random`` stream, stepped month by month in Python. The equations are those of
``peninsula.model`` (same order within a month, same parameters, same reference points); only
the random numbers differ, so the two implementations agree in distribution, not draw by draw
(``tests/test_mesa_reference.py`` checks it). Requires ``pip install peninsula[bench]``.
"""

from __future__ import annotations

import math

import mesa

from peninsula.model import economy
from peninsula.model.actors import ACTORS, ALLIES, CHN, JPN, PRK, PROXIMITY, ROK, RUS, USA
from peninsula.model.alignment import PATROLS_PER_YEAR_AT_FULL_ALIGNMENT
from peninsula.model.diplomacy import REFERENCE_TRUST_PRK_USA
from peninsula.model.events import EVENT_INDEX, GOLDSTEIN, TENSION_EVENTS
from peninsula.model.levers import REFERENCE_LEVERS, reference_mean_drill
from peninsula.model.provocations import CAPABILITY_REFERENCE

EPS = 1e-4
ADVERSARIES = (PRK, CHN, RUS)
EVENT_GOLDSTEIN = {name: float(GOLDSTEIN[i]) for name, i in EVENT_INDEX.items()}
TENSION_TYPES = [name for name, i in EVENT_INDEX.items() if TENSION_EVENTS[i]]


def logit(x: float) -> float:
    x = min(max(x, EPS), 1 - EPS)
    return math.log(x) - math.log1p(-x)


def expit(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z))


class ActorAgent(mesa.Agent):
    """One state: its arms, trust in the others, perceived threat and economy."""

    def __init__(self, model: PeninsulaModel, index: int):
        super().__init__(model)
        s = model.setup
        self.index = index
        self.name = ACTORS[index]
        self.arms_level = 1.0
        self.trust = [float(s.trust0[index, j]) for j in range(6)]
        self.threat = [0.0] * 6  # T_ij this month
        self.flow_loss = 0.0
        self.gdp_loss = 0.0
        self.spending = float(s.spending0[index])

    def perceive(self, capability: list[float], posture: list[float], comm: float,
                 forum: float) -> None:
        p, i = self.model.p, self.index
        total = sum(capability)
        for j in range(6):
            if j == i:
                self.threat[j] = 0.0
                continue
            offense = posture[j] * (p["russia_encirclement_sensitivity"]
                                    if i == RUS and j in ALLIES else 1.0)
            t = ((capability[j] / total) ** p["threat_power_exponent"] * PROXIMITY[i, j]
                 * (1 + p["threat_offense_weight"] * offense) * (1 - self.trust[j]))
            t *= 1 - p["forum_threat_reduction"] * forum
            if i in (CHN, RUS):
                t *= 1 - p["hotline_threat_reduction"] * comm
            self.threat[j] = t

    def update_beliefs(self, evidence: list[float]) -> None:
        p = self.model.p
        for j in range(6):
            if j == self.index:
                continue
            z = logit(self.trust[j])
            z += evidence[j] + (self.model.anchor[self.index][j] - z) / p["belief_memory_months"]
            self.trust[j] = min(max(expit(z), EPS), 1 - EPS)

    def arm(self, others: list[ActorAgent]) -> None:
        p, i = self.model.p, self.index
        ref = self.model.theta_ref[i]
        pressure = sum(self.threat[j] / ref * others[j].arms_level for j in range(6)) - 1.0
        dy = (p["arms_reaction_per_year"] * pressure
              - p["arms_fatigue_per_year"] * (self.arms_level - 1.0)) / 12.0
        self.next_arms = max(self.arms_level + dy, 0.05)


class PeninsulaModel(mesa.Model):
    """One run of the Peninsula model, stepped one month per ``step()``."""

    def __init__(self, setup, params: dict, seed: int | None = None):
        super().__init__(seed=seed)
        self.setup, self.p = setup, params
        self.month = 0
        s0 = setup.state0
        self.cohesion, self.alignment, self.tension = (s0["cohesion"], s0["alignment"],
                                                       s0["tension"])
        self.level, self.talks = int(s0["escalation_level"]), bool(s0["talks_active"])
        self.denuclearization, self.nuclear = s0["denuclearization"], setup.nuclear0
        self.excitation = self.prov_excitation = 0.0
        self.drill_memory = self.supply_chain = 0.0
        self.tech_level = 1.0
        self.launches_total = 0
        self.first = {"clash": None, "war": None, "nuclear_use": None}
        self.actors = [ActorAgent(self, i) for i in range(6)]
        self._references()

    # --- reference points (as model/reference.py) -----------------------------------------------------
    def _references(self) -> None:
        p, s, ref = self.p, self.setup, REFERENCE_LEVERS
        drill = reference_mean_drill()
        posture = self._posture(drill, ref["missile_defense_deployment"],
                                ref["permanent_infrastructure"], ref["strategic_clarity"], 1.0)
        cap = [float(s.spending0[i] * s.theatre[i]) for i in range(6)]
        for a in self.actors:
            a.perceive(cap, posture, ref["open_communication"], ref["multilateral_engagement"])
        self.theta_ref = [sum(a.threat) for a in self.actors]
        self.theta_allies_ref = [sum(a.threat[j] for j in ALLIES) for a in self.actors]
        drill_eff = drill * (1 - p["clarity_drill_discount"] * ref["strategic_clarity"])
        launches = (p["launch_base_rate_per_year"] / 12 * (1 + p["launch_drill_effect"] * drill_eff)
                    / (1 - p["launch_branching_ratio"]))
        coerced = [0.0] * 6
        coerced[ROK] = 0.6 * p["coercion_rate_per_year"] / 12
        coerced[JPN] = 0.4 * p["coercion_rate_per_year"] / 12
        ev = self._evidence(drill, ref["missile_defense_deployment"],
                            ref["permanent_infrastructure"], ref["strategic_clarity"],
                            ref["open_communication"], ref["multilateral_engagement"], launches,
                            0.0, coerced)
        self.anchor = [[logit(s.trust0[i, j]) - p["belief_memory_months"] * ev[i][j]
                        for j in range(6)] for i in range(6)]
        self.pressure_ref = self._pressure(ref["sanctions_pressure"], drill,
                                           ref["missile_defense_deployment"],
                                           ref["permanent_infrastructure"])
        self.a0_logit = logit(min(max(s.state0["alignment"], 0.01), 0.99))
        self.def_share0 = [float(s.spending0[i] / s.gdp0[i]) for i in range(6)]

    def _posture(self, drill, md, infra, clarity, nuclear_ratio) -> list[float]:
        p, s = self.p, self.setup
        extra = (p["drill_offense_weight"] * drill * (1 - p["clarity_drill_discount"] * clarity)
                 + p["missile_defense_offense_weight"] * md
                 + p["infrastructure_offense_weight"] * infra)
        out = [float(s.posture0[i]) + (extra if i in ALLIES else 0.0) for i in range(6)]
        out[PRK] = float(s.posture0[PRK]) * math.sqrt(nuclear_ratio)
        return out

    @staticmethod
    def _pressure(sanctions, drill_memory, md, infra) -> float:
        return 0.5 * sanctions + 0.3 * min(drill_memory, 2.0) / 2 + 0.2 * (md + infra) / 2

    def _evidence(self, drill, md, infra, clarity, comm, forum, launches, talks, coerced):
        p = self.p
        ev = [[0.0] * 6 for _ in range(6)]
        signal = 1 - p["communication_signal_effect"] * comm
        hostile = (-p["belief_drill_log_lr"] * drill * (1 - p["clarity_drill_discount"] * clarity)
                   - p["belief_posture_log_lr"] * (md + infra)) * signal
        reassure = p["belief_reassurance_log_lr"] * (comm + forum) / 2
        for i in ADVERSARIES:
            for j in ALLIES:
                ev[i][j] += hostile + reassure
        for i in ALLIES:
            ev[i][PRK] += -p["belief_launch_log_lr"] * launches + p["belief_talks_log_lr"] * talks
            ev[PRK][i] += p["belief_talks_log_lr"] * talks
        ev[ROK][CHN] -= p["coercion_trust_log_lr"] * coerced[ROK]
        ev[JPN][CHN] -= p["coercion_trust_log_lr"] * coerced[JPN]
        return ev

    # --- random draws --------------------------------------------------------------------------
    def poisson(self, lam: float) -> int:
        if lam <= 0:
            return 0
        u, k, prob = self.random.random(), 0, math.exp(-lam)
        cdf = prob
        while u >= cdf and prob > 0:
            k += 1
            prob *= lam / k
            cdf += prob
        return k

    def bernoulli(self, prob: float) -> bool:
        return self.random.random() < prob

    # --- one month -----------------------------------------------------------------------------
    def step(self) -> None:
        p, s, t = self.p, self.setup, self.month
        lv = {k: float(v[t]) for k, v in s.plan.values.items()}
        drill = float(s.plan.drill[t])
        clarity, comm, forum = lv["strategic_clarity"], lv["open_communication"], \
            lv["multilateral_engagement"]
        intel, flexible = lv["intelligence_sharing"], lv["flexible_diplomacy"]
        md, infra = lv["missile_defense_deployment"], lv["permanent_infrastructure"]

        self.drill_memory += (drill - self.drill_memory) / p["drill_memory_months"]
        self.tech_level *= 1 + p["tech_capability_gain_per_year"] / 12 * lv["tech_collaboration"]
        capability = []
        for a in self.actors:
            i = a.index
            a.spending = float(s.spending0[i] * (1 + s.growth[i]) ** (t / 12) * a.arms_level)
            capability.append(a.spending * float(s.theatre[i])
                              * (self.tech_level if i in ALLIES else 1.0))
        posture = self._posture(drill, md, infra, clarity, self.nuclear / s.nuclear0)
        for a in self.actors:
            a.perceive(capability, posture, comm, forum)
        rho = [sum(a.threat) / self.theta_ref[a.index] for a in self.actors]
        drill_eff = drill * (1 - p["clarity_drill_discount"] * clarity)
        if lv["talks_override"] >= 0:
            self.talks = lv["talks_override"] >= 0.5
        talks = 1.0 if self.talks else 0.0

        summit = self.bernoulli(min(1.0, lv["summit_frequency_per_year"] / 12))
        grievance = self.bernoulli(p["grievance_shock_rate_per_year"] / 12)
        turnover = self.bernoulli(p["turnover_shock_rate_per_year"] / 12)
        coerced = [0.0] * 6
        n_coerce = self.poisson(p["coercion_rate_per_year"] / 12 * rho[CHN])
        coerced[ROK if self.random.random() < 0.6 else JPN] = n_coerce
        lam = (p["launch_base_rate_per_year"] / 12 * math.exp(p["launch_threat_elasticity"]
                                                              * (rho[PRK] - 1))
               * (self.nuclear / CAPABILITY_REFERENCE) ** p["launch_capability_elasticity"]
               * (1 + p["launch_drill_effect"] * drill_eff)
               * (1 - p["talks_launch_suppression"] * talks) + self.excitation)
        days = self.poisson(lam / p["salvo_mean_size"])
        launches = days + self.poisson((p["salvo_mean_size"] - 1) * days)
        omega = math.exp(-1 / p["launch_excitation_months"])
        self.excitation = omega * self.excitation + p["launch_branching_ratio"] * (1 - omega) * launches
        prov_rate = (p["provocation_base_rate_per_year"] / 12
                     * math.exp(p["launch_threat_elasticity"] * (rho[PRK] - 1))
                     * (1 + p["launch_drill_effect"] * drill_eff)
                     * (1 - p["talks_launch_suppression"] * talks) + self.prov_excitation)
        provs = self.poisson(prov_rate)
        self.prov_excitation = omega * self.prov_excitation + p["launch_branching_ratio"] * (
            1 - omega) * provs
        rhetoric = self.poisson(p["rhetoric_base_rate_per_year"] / 12 * (0.5 + self.tension)
                                * (1 + p["launch_drill_effect"] * drill_eff) * (1 - 0.5 * talks))
        self.poisson(PATROLS_PER_YEAR_AT_FULL_ALIGNMENT / 12 * self.alignment)  # patrol events
        self.launches_total += launches
        talks_month = 1 if self.talks else 0

        c = self.cohesion
        c = (c + p["summit_cohesion_gain"] * summit * (1 - c)
             - p["cohesion_decay_per_year"] / 12 * (c - p["cohesion_floor"])
             + p["intelligence_cohesion_gain_per_year"] / 12 * intel * (1 - c)
             - p["grievance_shock_size"] * grievance - p["turnover_shock_size"] * turnover)
        self.cohesion = min(max(c, 0.0), 1.0)
        allied = sum(capability[j] for j in ALLIES)
        balance = allied / (capability[PRK] + self.alignment * 0.3 * (capability[CHN]
                                                                       + capability[RUS]))
        resolve = min(1.0, p["alliance_resolve"] * (1 + p["drill_credibility_gain"]
                                                    * self.drill_memory))
        cred = balance / (1 + balance) * self.cohesion * resolve
        factor = (1 - cred) ** p["deterrence_elasticity"]
        h_delib = p["deliberate_aggression_rate_per_year"] / 12 * factor
        h_delib_war = p["deliberate_war_per_month"] * factor

        shared = sum(sum(self.actors[i].threat[j] for j in ALLIES) / self.theta_allies_ref[i]
                     for i in (CHN, RUS)) / 2
        target = expit(self.a0_logit + p["alignment_threat_sensitivity"] * (shared - 1))
        self.alignment = min(max(self.alignment + (target - self.alignment)
                                 / p["alignment_months"], 0.0), 1.0)
        s_eff = (lv["sanctions_pressure"] * (1 - p["sanctions_leakage"] * self.alignment)
                 * (1 - 0.5 * flexible * talks))
        invest = max(0.0, 1 + p["dprk_threat_investment_elasticity"] * (rho[PRK] - 1))
        self.nuclear *= 1 + (p["dprk_capability_growth_per_year"] / 12 * invest
                             * (1 - p["sanctions_drag"] * s_eff) * (1 - p["deal_freeze"] * talks)
                             * (1 + p["bloc_tech_support"] * self.alignment))

        pressure = self._pressure(lv["sanctions_pressure"], self.drill_memory, md, infra)
        offer = flexible * min(1.0, 0.5 + self.tension)
        trust_gap = self.actors[PRK].trust[USA] - REFERENCE_TRUST_PRK_USA
        z = (logit(p["willingness_baseline"]) + p["offer_willingness_gain"] * offer
             + 2 * trust_gap - p["cornered_pressure_weight"] * (pressure - self.pressure_ref)
             * (1 - p["offramp_effect"] * offer))
        will = expit(z)
        u_start, u_end = self.random.random(), self.random.random()
        if self.talks:
            end = 1 - math.exp(-p["talks_collapse_rate_per_year"] / 12 * (0.5 + self.tension)
                               * (1 - 0.5 * flexible))
            self.talks = u_end >= end
        else:
            start = 1 - math.exp(-p["talks_start_rate_per_year"] / 12 * will
                                 * (0.5 + 0.5 * flexible))
            self.talks = u_start < start
        if lv["talks_override"] >= 0:
            self.talks = lv["talks_override"] >= 0.5
        rate = p["denuclearization_step_rate_per_year"] / 12 * (
            1 + p["sanctions_relief_effect"] * flexible)
        step_taken = 0
        if self.talks and self.random.random() < 1 - math.exp(-rate):
            self.denuclearization += p["denuclearization_step"] * (1 - self.denuclearization)
            self.nuclear *= 1 - p["denuclearization_step"]
            step_taken = 1
        elif not self.talks:
            self.denuclearization *= 1 - p["denuclearization_reversal_per_year"] / 12

        ev = self._evidence(drill, md, infra, clarity, comm, forum, launches,
                            1.0 if self.talks else 0.0, coerced)
        for a in self.actors:
            a.update_beliefs(ev[a.index])
        for a in self.actors:
            a.arm(self.actors)
        for a in self.actors:
            a.arms_level = a.next_arms

        clash, war, nuke = self._escalate(rhetoric, launches + provs, rho[PRK], intel, comm,
                                          talks, h_delib, h_delib_war)
        counts = {"missile_launch": launches, "provocation": provs, "rhetoric": rhetoric,
                  "talks": talks_month, "joint_drill": drill, "denuclearization_step": step_taken,
                  "armed_clash": clash, "war": war, "nuclear_use": nuke}
        net = sum(EVENT_GOLDSTEIN[k] * v for k, v in counts.items() if k in TENSION_TYPES)
        tau_in = min(max(-net / p["tension_goldstein_scale"], 0.0), 1.0) * (
            1 - p["forum_threat_reduction"] * forum)
        self.tension += (tau_in - self.tension) / p["tension_memory_months"]

        self.supply_chain += (economy.SUPPLY_CHAIN_TARGET[self.level] - self.supply_chain) / 3
        for a in self.actors:
            i = a.index
            a.flow_loss = (a.flow_loss * (1 - p["gdp_recovery_per_year"] / 12)
                           + (p["investment_chill_scale"] * economy.CHILL_PCT_PER_MONTH[self.level]
                              + p["supply_chain_sensitivity"] * self.supply_chain)
                           * economy.EXPOSURE[i] + p["coercion_trade_loss"] * coerced[i])
        self.month += 1

    def _escalate(self, rhetoric, provocations, rho_prk, intel, comm, talks, h_delib,
                  h_delib_war) -> tuple[int, int, int]:
        """Ladder move for the month (as escalation.py); returns (clash entered, at war,
        nuclear use entered) as event counts."""
        p = self.p
        level = self.level
        if rhetoric > 0:
            level = max(level, 1)
        if provocations > 0:
            level = max(level, 2)
        f_t = math.exp(p["tension_escalation_sensitivity"] * (self.tension - 0.5))
        sigma = p["misperception_noise"] * (1 - p["intelligence_warning_effect"] * intel) * (
            1 - p["hotline_noise_reduction"] * comm)
        m = 1 + sigma * abs(self.random.gauss(0.0, 1.0))
        cm = (self.cohesion + intel + comm) / 3
        cm_cut = 1 - p["crisis_management_effect"] * cm
        down_gain = (1 + p["crisis_management_effect"] * cm) * (1 + p["talks_deescalation_gain"]
                                                                * talks)
        trust = self.actors[PRK].trust[USA]
        pre = p["preemption_per_month"] / (1 + math.exp(-(rho_prk - p["preemption_threat_threshold"])
                                                         / 0.1)) * (1 - trust)
        up = down = jump = 0.0
        if level == 2:
            up = p["provocation_to_crisis_per_month"] * f_t * m
            jump = h_delib
        elif level == 3:
            up = (p["crisis_to_clash_per_month"] * f_t * m * (1 - p["intelligence_warning_effect"]
                                                               * intel) + h_delib + pre)
        elif level == 4:
            up = (p["clash_to_war_per_month"] * f_t + h_delib_war) * cm_cut
        elif level == 5:
            up = p["war_to_nuclear_per_month"] * math.sqrt(self.nuclear / self.setup.nuclear0)
        if 1 <= level <= 3:
            down = p["deescalation_per_month"] * down_gain
        elif level == 4:
            down = p["clash_deescalation_per_month"] * down_gain
        elif level == 5:
            down = p["armistice_per_month"] * (1 + p["crisis_management_effect"] * cm)

        def prob(h):
            return 1 - math.exp(-max(h, 0.0))

        p_up, p_jump, p_down = prob(up), prob(jump), prob(down)
        u = self.random.random()
        new = level
        if level < 6:
            if u < p_up:
                new = level + 1
            elif u < p_up + p_jump:
                new = 4
            elif u < p_up + p_jump + p_down:
                new = 3 if level == 5 else level - 1
        for key, rung in (("clash", 4), ("war", 5), ("nuclear_use", 6)):
            if new >= rung and self.first[key] is None:
                self.first[key] = self.month
        up_move = new > level
        self.level = new
        return int(up_move and new == 4), int(new == 5), int(up_move and new == 6)


def run_reference(setup, params_rows, seed: int = 0, months: int | None = None) -> dict:
    """Run one Mesa model per parameter row; return per-run outcomes (lists)."""
    months = months or setup.horizon
    out = {"launches_per_year": [], "war": [], "clash": [], "alignment": []}
    for r, params in enumerate(params_rows):
        model = PeninsulaModel(setup, params, seed=seed + r)
        for _ in range(months):
            model.step()
        out["launches_per_year"].append(model.launches_total / (months / 12))
        out["war"].append(model.first["war"] is not None)
        out["clash"].append(model.first["clash"] is not None)
        out["alignment"].append(model.alignment)
    return out
