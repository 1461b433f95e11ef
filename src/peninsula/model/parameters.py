"""The parameter registry: every model constant with its unit, uncertainty range and basis.

This table is the single declaration of the model's parameters. A scenario may override
``value``, ``range``, ``distribution`` and ``basis`` of any entry; the scenario layer checks the
override against ``limits`` (what the equation can take at all). ``basis`` says where a default
comes from; "judgement" means no published estimate pins it, which is why its range is wide and
why ensembles sample it (triangular, mode = value) unless told otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Param:
    """One model parameter: default value, unit, uncertainty range, hard limits and basis."""

    name: str
    value: float
    unit: str
    low: float
    high: float
    basis: str
    mechanism: str
    limits: tuple[float, float] = (0.0, float("inf"))
    description: str = ""


def _p(name, value, unit, low, high, basis, mechanism, limits=(0.0, float("inf")), description=""):
    return Param(name, value, unit, low, high, basis, mechanism, limits, description)


PROB = (0.0, 1.0)
J = "judgement"

REGISTRY: tuple[Param, ...] = (
    # --- balance of threat (Walt 1985) --------------------------------------------------------
    _p("threat_power_exponent", 0.5, "1", 0.3, 1.0, J + " (Walt 1985: aggregate power; concave)",
       "threat", (0.0, 3.0), "alpha in T_ij = P_j^alpha * prox_ij * (1 + beta O_j) * (1 - trust_ij)"),
    _p("threat_offense_weight", 1.0, "1", 0.5, 2.0, J + " (Walt 1985: offensive power)", "threat",
       (0.0, 10.0), "beta: weight of offensive posture O_j in perceived threat"),
    _p("drill_offense_weight", 0.25, "posture per unit intensity", 0.1, 0.5, J, "threat",
       (0.0, 5.0), "offensive posture added by one unit of exercise intensity in a drill month"),
    _p("missile_defense_offense_weight", 0.4, "posture per unit lever", 0.2, 0.7,
       J + " (Russia/China read BMD as undermining their deterrent; THAAD 2016-17)", "threat",
       (0.0, 5.0), "offensive posture added by full missile-defence deployment"),
    _p("infrastructure_offense_weight", 0.5, "posture per unit lever", 0.25, 0.9,
       J + " (brief: permanent infrastructure feared more than drills)", "threat", (0.0, 5.0),
       "offensive posture added by permanent military infrastructure"),
    _p("russia_encirclement_sensitivity", 1.5, "multiplier", 1.0, 2.5,
       J + " (brief: Russia's perceived encirclement)", "threat", (0.0, 10.0),
       "multiplier on alliance posture in Russia's threat perception"),
    _p("clarity_drill_discount", 0.5, "fraction", 0.2, 0.8, J + " (Jervis 1978: distinguishability)",
       "threat", PROB, "share of a drill's offensive reading removed by full strategic clarity"),
    _p("forum_threat_reduction", 0.15, "fraction", 0.0, 0.3,
       "Russett, Oneal & Davis 1998 (-23% disputes per SD of shared IGOs); wide prior for a "
       "weakly institutionalised forum", "threat", PROB,
       "share of all perceived threat removed by full multilateral engagement"),
    _p("hotline_threat_reduction", 0.15, "fraction", 0.0, 0.3, J, "threat", PROB,
       "share of China's and Russia's perceived threat removed by full open communication"),
    # --- beliefs (Kydd 1997, 2005) -------------------------------------------------------------
    _p("belief_drill_log_lr", 0.25, "log-odds per unit intensity", 0.05, 0.6, J + " (Kydd 1997)",
       "beliefs", (0.0, 5.0), "-log P(drill|S)/P(drill|G): trust lost per drill-month"),
    _p("belief_posture_log_lr", 0.04, "log-odds per month", 0.01, 0.12, J, "beliefs", (0.0, 2.0),
       "trust lost per month per unit of standing deployments"),
    _p("belief_launch_log_lr", 0.06, "log-odds per launch", 0.02, 0.2, J, "beliefs", (0.0, 2.0),
       "allies' trust in DPRK lost per missile launched"),
    _p("belief_talks_log_lr", 0.3, "log-odds per month", 0.1, 0.6, J + " (Kydd 2000: reassurance)",
       "beliefs", (0.0, 5.0), "trust gained both ways per month of active talks"),
    _p("belief_reassurance_log_lr", 0.15, "log-odds per month", 0.05, 0.4, J, "beliefs",
       (0.0, 5.0), "trust gained per month of full open communication / forum engagement"),
    _p("communication_signal_effect", 0.4, "fraction", 0.1, 0.7, J, "beliefs", PROB,
       "share of a drill's likelihood ratio pushed toward 1 by full open communication"),
    _p("belief_memory_months", 24.0, "months", 12.0, 60.0, J, "beliefs", (1.0, 1200.0),
       "time constant of reversion of trust toward its long-run prior"),
    # --- arms race (Richardson 1960) -----------------------------------------------------------
    _p("arms_reaction_per_year", 0.10, "1/year", 0.0, 0.3, J + " (Richardson 1960 form)",
       "arms_race", (0.0, 5.0), "k: reaction to the threat-weighted arms of rivals"),
    _p("arms_fatigue_per_year", 0.15, "1/year", 0.05, 0.4, J + " (Richardson 1960 form)",
       "arms_race", (0.0, 5.0), "a: fatigue and expense"),
    # --- cohesion ------------------------------------------------------------------------------
    _p("summit_cohesion_gain", 0.25, "fraction of gap to 1", 0.1, 0.4,
       J + " (Camp David 2023 institutionalised summitry)", "cohesion", PROB,
       "cohesion gained per trilateral summit"),
    _p("cohesion_decay_per_year", 0.10, "1/year", 0.03, 0.25, J, "cohesion", (0.0, 5.0),
       "drift of cohesion toward its floor without summits"),
    _p("cohesion_floor", 0.3, "0..1", 0.2, 0.4, J + " (bilateral treaties persist)", "cohesion",
       PROB, "cohesion level the trilateral drifts to with no summitry"),
    _p("grievance_shock_rate_per_year", 0.3, "1/year", 0.1, 0.6,
       "history: ROK-Japan disputes 2012, 2015, 2018-19 (GSOMIA, export controls)", "cohesion",
       (0.0, 12.0), "rate of ROK-Japan historical-grievance shocks"),
    _p("grievance_shock_size", 0.1, "cohesion", 0.05, 0.2, J, "cohesion", PROB,
       "cohesion lost per grievance shock"),
    _p("turnover_shock_rate_per_year", 0.2, "1/year", 0.1, 0.35,
       "ROK single five-year presidential term; US and Japanese turnover", "cohesion",
       (0.0, 12.0), "rate of domestic leadership-turnover shocks"),
    _p("turnover_shock_size", 0.05, "cohesion", 0.02, 0.12, J, "cohesion", PROB,
       "cohesion lost per turnover shock"),
    _p("intelligence_cohesion_gain_per_year", 0.03, "1/year", 0.0, 0.08, J, "cohesion",
       (0.0, 1.0), "cohesion support from full intelligence sharing"),
    # --- deterrence ----------------------------------------------------------------------------
    _p("alliance_resolve", 0.8, "0..1", 0.5, 1.0, J + " (extended deterrence as read by DPRK)",
       "deterrence", PROB, "resolve term of credibility"),
    _p("drill_credibility_gain", 0.3, "fraction", 0.0, 0.6, J, "deterrence", (0.0, 5.0),
       "rise in resolve per unit of recent drill activity"),
    _p("drill_memory_months", 6.0, "months", 2.0, 12.0, J, "deterrence", (1.0, 120.0),
       "time constant of the memory of drills in credibility"),
    _p("tech_capability_gain_per_year", 0.03, "1/year", 0.01, 0.06, J + " (AI/cyber R&D)",
       "deterrence", (0.0, 1.0), "growth of alliance capability multiplier at full tech collaboration"),
    _p("deterrence_elasticity", 2.0, "1", 0.5, 4.0, J, "deterrence", (0.0, 20.0),
       "gamma in h_deliberate = base * (1 - credibility)^gamma"),
    _p("deliberate_aggression_rate_per_year", 0.4, "1/year", 0.1, 1.0,
       "history: deliberate DPRK attacks 2010 (Cheonan, Yeonpyeong), 2015 (DMZ mines) at "
       "credibility ~0.6", "deterrence", (0.0, 50.0),
       "base hazard of a deliberate limited attack at zero credibility, while in crisis"),
    _p("deliberate_war_per_month", 0.04, "1/month", 0.01, 0.1,
       J + " (a clash escalated to war by decision, not accident)", "deterrence", PROB,
       "base hazard of deliberate escalation armed clash -> war at zero credibility"),
    # --- China-Russia alignment ----------------------------------------------------------------
    _p("alignment_threat_sensitivity", 3.0, "logit per unit threat ratio", 1.0, 6.0,
       J + " (Walt 1987: balancing)", "alignment", (0.0, 50.0),
       "s in a* = logistic(logit(a0) + s (shared threat ratio - 1))"),
    _p("alignment_months", 36.0, "months", 12.0, 72.0, J, "alignment", (1.0, 1200.0),
       "time constant of alignment adjustment"),
    _p("sanctions_leakage", 0.6, "fraction", 0.3, 0.9,
       "UN Panel of Experts: evasion 'increasing in scale'; China >90% of DPRK trade",
       "alignment", PROB, "share of sanctions pressure lost at full alignment"),
    _p("bloc_tech_support", 0.8, "multiplier", 0.2, 1.5,
       J + " (Russia-DPRK 2024 treaty; technology transfer reports)", "alignment", (0.0, 10.0),
       "extra DPRK capability growth at full alignment"),
    # --- DPRK nuclear and missile programme ----------------------------------------------------
    _p("dprk_capability_growth_per_year", 0.07, "1/year", 0.04, 0.14,
       "SIPRI Yearbook: ~50 assembled warheads 2024, fissile material for up to ~90",
       "nuclear_programme", (0.0, 2.0), "relative growth of DPRK capability at baseline investment"),
    _p("dprk_threat_investment_elasticity", 0.5, "1", 0.0, 1.0, J, "nuclear_programme",
       (0.0, 10.0), "rise of investment per unit rise of DPRK threat ratio"),
    _p("sanctions_drag", 0.4, "fraction", 0.1, 0.7, "Noland 2008 (little effect); wide prior",
       "nuclear_programme", PROB, "share of growth removed by full effective sanctions"),
    _p("deal_freeze", 0.8, "fraction", 0.5, 1.0, J + " (2007 shutdown, 2018 test moratorium)",
       "nuclear_programme", PROB, "share of growth halted while talks are active"),
    # --- diplomacy and denuclearisation --------------------------------------------------------
    _p("talks_start_rate_per_year", 0.5, "1/year", 0.2, 1.0,
       "history: talks 2007, 2012 (Leap Day), 2018-19 over 2006-2025", "diplomacy", (0.0, 12.0),
       "rate talks start at willingness 1"),
    _p("talks_collapse_rate_per_year", 0.6, "1/year", 0.2, 1.2, "history: Hanoi 2019 and earlier",
       "diplomacy", (0.0, 12.0), "rate talks collapse at zero tension"),
    _p("willingness_baseline", 0.25, "0..1", 0.1, 0.4, J + " (DPRK rejects talks since 2019)",
       "diplomacy", PROB, "DPRK willingness to talk at reference pressure without offers"),
    _p("cornered_pressure_weight", 2.0, "logit per unit pressure", 0.5, 4.0,
       J + " (brief: 'cornered' effect)", "diplomacy", (0.0, 50.0),
       "w_p: willingness lost per unit pressure above reference"),
    _p("offramp_effect", 0.6, "fraction", 0.3, 0.9, J, "diplomacy", PROB,
       "share of the cornering removed by off-ramp offers"),
    _p("offer_willingness_gain", 1.5, "logit", 0.5, 3.0, J, "diplomacy", (0.0, 50.0),
       "w_o: willingness gained from full off-ramp offers"),
    _p("denuclearization_step", 0.05, "progress", 0.02, 0.1, J, "diplomacy", PROB,
       "progress per verified step"),
    _p("denuclearization_step_rate_per_year", 0.5, "1/year", 0.2, 1.0, J, "diplomacy",
       (0.0, 12.0), "rate of steps while talks are active"),
    _p("sanctions_relief_effect", 1.0, "1", 0.5, 2.0, J + " (Hanoi 2019: relief for steps)",
       "diplomacy", (0.0, 10.0), "rise in step rate from full flexible diplomacy"),
    _p("denuclearization_reversal_per_year", 0.2, "1/year", 0.05, 0.5,
       "history: 2009 and 2019 reversals", "diplomacy", (0.0, 12.0),
       "decay of progress while talks are off"),
    # --- provocations (self-exciting counts) ---------------------------------------------------
    _p("launch_base_rate_per_year", 14.0, "missiles/year", 7.0, 28.0,
       "CNS/NTI: 275 missiles in 2014-2025 (22.9/yr) = base x drill factor / (1 - branching ratio)",
       "provocations", (0.0, 1000.0), "mu: DPRK launch rate at reference threat, no drills"),
    _p("launch_drill_effect", 0.5, "per unit intensity", 0.0, 1.5,
       "disputed: 0 (D'Orazio 2012, CSIS, Hess 2017) to positive (Bernhardt & Sukin 2021)",
       "provocations", (0.0, 20.0), "beta_JME: relative rise of launch rate in a drill month"),
    _p("launch_threat_elasticity", 1.0, "1", 0.0, 2.0, J, "provocations", (0.0, 20.0),
       "rise of log launch rate per unit rise of DPRK threat ratio"),
    _p("launch_branching_ratio", 0.3, "1", 0.0, 0.6,
       "Hess 2017: recent provocation is the best predictor", "provocations", (0.0, 0.95),
       "n: expected later launches triggered by one launch"),
    _p("launch_excitation_months", 2.0, "months", 1.0, 6.0, J, "provocations", (0.1, 120.0),
       "decay time of self-excitation"),
    _p("talks_launch_suppression", 0.9, "fraction", 0.6, 1.0, "history: 0 launches in 2018",
       "provocations", PROB, "share of launch rate suppressed while talks are active"),
    _p("provocation_base_rate_per_year", 4.0, "events/year", 2.0, 8.0,
       "CSIS Beyond Parallel provocation counts", "provocations", (0.0, 1000.0),
       "rate of non-missile provocations (artillery, drones, incursions)"),
    _p("rhetoric_base_rate_per_year", 24.0, "events/year", 12.0, 48.0, J, "provocations",
       (0.0, 1000.0), "rate of threatening statements at reference tension"),
    # --- tension -------------------------------------------------------------------------------
    _p("tension_memory_months", 4.0, "months", 2.0, 12.0, J + " (EWMA of Goldstein conflict)",
       "tension", (0.5, 120.0), "time constant of the tension index"),
    _p("tension_goldstein_scale", 60.0, "Goldstein points/month", 30.0, 120.0, J, "tension",
       (1.0, 10000.0), "monthly net conflict that maps to tension 1"),
    # --- escalation ladder ---------------------------------------------------------------------
    _p("provocation_to_crisis_per_month", 0.04, "1/month", 0.02, 0.08,
       "history: ~10 crises 2006-2025", "escalation", PROB, "base hazard provocation -> crisis"),
    _p("crisis_to_clash_per_month", 0.012, "1/month", 0.005, 0.03,
       "history: armed clashes 2010 (x2), 2015", "escalation", PROB,
       "base accidental hazard crisis -> armed clash"),
    _p("clash_to_war_per_month", 0.015, "1/month", 0.005, 0.04,
       "judgement: no clash since 1953 became war", "escalation", PROB,
       "base accidental hazard armed clash -> war"),
    _p("war_to_nuclear_per_month", 0.02, "1/month", 0.005, 0.05, J, "escalation", PROB,
       "base hazard war -> nuclear use, at today's DPRK capability"),
    _p("deescalation_per_month", 0.25, "1/month", 0.1, 0.5, J, "escalation", PROB,
       "base hazard of moving down one rung (calm <- rhetoric ... provocation <- crisis)"),
    _p("clash_deescalation_per_month", 0.6, "1/month", 0.3, 0.9,
       "history: 2010 and 2015 clashes contained within days to weeks", "escalation", PROB,
       "base hazard armed clash -> crisis"),
    _p("armistice_per_month", 0.08, "1/month", 0.03, 0.2, J, "escalation", PROB,
       "hazard war -> crisis (ceasefire)"),
    _p("tension_escalation_sensitivity", 3.0, "1", 1.0, 5.0, J, "escalation", (0.0, 20.0),
       "gamma_tau in up-hazard x exp(gamma_tau (tension - 0.5))"),
    _p("misperception_noise", 0.5, "1", 0.0, 1.0, J + " (Jervis 1976)", "escalation", (0.0, 10.0),
       "sigma: up-hazard x (1 + sigma_eff |z|), z ~ N(0,1) each month"),
    _p("preemption_per_month", 0.02, "1/month", 0.0, 0.05, "Powell 2006 (commitment problem)",
       "escalation", PROB, "hazard of pre-emptive strike in crisis when threat high, trust 0"),
    _p("preemption_threat_threshold", 1.5, "threat ratio", 1.2, 2.0, J, "escalation",
       (0.0, 100.0), "DPRK threat ratio at which pre-emption hazard is half its maximum"),
    _p("crisis_management_effect", 0.5, "fraction", 0.2, 0.8, J, "escalation", PROB,
       "cut of clash->war hazard and rise of de-escalation at full crisis-management capacity"),
    _p("intelligence_warning_effect", 0.4, "fraction", 0.2, 0.7, J, "escalation", PROB,
       "cut of surprise (crisis->clash) and of misperception from full intelligence sharing"),
    _p("hotline_noise_reduction", 0.4, "fraction", 0.2, 0.7, J, "escalation", PROB,
       "cut of misperception noise from full open communication"),
    _p("talks_deescalation_gain", 1.0, "1", 0.5, 2.0, J, "escalation", (0.0, 20.0),
       "relative rise of de-escalation hazards while talks are active"),
    # --- China's coercion ----------------------------------------------------------------------
    _p("coercion_rate_per_year", 0.3, "events/year", 0.1, 0.8,
       "history: THAAD retaliation 2016-17 against ROK; 2010 rare-earths against Japan",
       "coercion", (0.0, 100.0), "rate of Chinese economic coercion events at reference posture"),
    _p("coercion_trade_loss", 0.2, "% of GDP", 0.05, 0.5,
       "THAAD 2017 cost to ROK est. 0.2-0.4% of GDP (BoK, HRI)", "coercion", (0.0, 10.0),
       "GDP loss of the target per coercion event"),
    _p("coercion_trust_log_lr", 0.3, "log-odds", 0.1, 0.6, J, "coercion", (0.0, 5.0),
       "target's trust in China lost per coercion event"),
    # --- economy -------------------------------------------------------------------------------
    _p("defense_crowding_out", 0.3, "% GDP per pp of defence share", 0.1, 0.6,
       J + " (fiscal crowding-out)", "economy", (0.0, 10.0),
       "GDP loss per percentage point rise of defence/GDP"),
    _p("trade_tension_elasticity", 0.1, "1", 0.03, 0.3, J + " (gravity-model conflict elasticity)",
       "economy", (0.0, 10.0), "share of trade with rivals lost at tension 1"),
    _p("investment_chill_scale", 1.0, "1", 0.5, 2.0, J, "economy", (0.0, 20.0),
       "scale on the risk-premium GDP loss by escalation level"),
    _p("supply_chain_sensitivity", 0.5, "% GDP per month at disruption 1", 0.2, 1.0, J, "economy",
       (0.0, 100.0), "GDP loss from supply-chain disruption"),
    _p("gdp_recovery_per_year", 0.3, "1/year", 0.1, 0.6, J, "economy", (0.0, 12.0),
       "rate at which a GDP level gap closes"),
)

BY_NAME: dict[str, Param] = {p.name: p for p in REGISTRY}
NAMES: tuple[str, ...] = tuple(p.name for p in REGISTRY)
