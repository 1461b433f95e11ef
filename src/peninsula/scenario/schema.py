"""What a scenario file may contain: every section, key, type and allowed range.

A scenario follows the exploratory-modelling frame: ``[scenario]`` (what to run),
``[actors.*]`` (starting state of the six actors), ``[state]`` (starting state of the system),
``[parameters.*]`` (uncertainties X), ``[levers]`` (policy L), ``[mechanisms]`` (switches of the
model R), ``[metrics]`` (M) and, optionally, ``[study]`` (the factors, lever ranges, metrics and
design of a sensitivity study, sweep or search). This module only declares; ``validate.py`` checks.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Field:
    """A scalar field: kind is 'float', 'int', 'bool', 'str' or 'month'; range is inclusive."""

    kind: str
    low: float | None = None
    high: float | None = None
    default: object = None
    doc: str = ""
    choices: tuple[str, ...] = ()  # the allowed texts of a 'str' field (empty: any text)

    def describe(self) -> str:
        if self.choices:
            return "one of " + ", ".join(self.choices)
        if self.kind in ("float", "int") and self.low is not None:
            return f"{self.kind} in [{_fmt(self.low)}, {_fmt(self.high)}]"
        return {"month": "month 'YYYY-MM'", "bool": "true or false", "str": "text"}.get(
            self.kind, self.kind
        )


def _fmt(x) -> str:
    return f"{x:g}" if isinstance(x, float) else str(x)


PARAMETER_SOURCES = ("posterior", "prior")  # the values of [scenario] parameters
PRIOR_OVERRIDE = 'scenario.parameters="prior"'  # what the faces' --prior sets
SCENARIO_FIELDS: dict[str, Field] = {
    "name": Field("str", doc="short identifier"),
    "description": Field("str", default=""),
    "start": Field("month", doc="first simulated month"),
    "horizon_months": Field("int", 12, 1200, 120),
    "runs": Field("int", 1, 10_000_000, 1000),
    "seed": Field("int", 0, 2**63 - 1, 0),
    "sample_parameters": Field("bool", default=True,
                               doc="draw each run's parameters from their ranges"),
    "extends": Field("str", default=None, doc="bundled scenario or file this one modifies"),
    "parameters": Field("str", default="posterior", choices=PARAMETER_SOURCES,
                        doc="where sampled parameters come from: 'posterior', the bundled "
                            "calibrated posterior for the parameters it holds (those the "
                            "scenario does not set) and the parameter table for the rest; "
                            "'prior', the parameter table for all (--prior)"),
}

# Levers: all 0..1 unless said. A lever is a number or a monthly schedule (see levers.py).
LEVERS: dict[str, Field] = {
    "exercise_intensity": Field("float", 0.0, 2.0, 1.0, "0 none, 1 normal, 2 expanded"),
    "summit_frequency_per_year": Field("float", 0.0, 12.0, 1.0, "trilateral leader summits"),
    "intelligence_sharing": Field("float", 0.0, 1.0, 0.5),
    "tech_collaboration": Field("float", 0.0, 1.0, 0.3),
    "missile_defense_deployment": Field("float", 0.0, 1.0, 0.5),
    "permanent_infrastructure": Field("float", 0.0, 1.0, 0.3),
    "open_communication": Field("float", 0.0, 1.0, 0.2),
    "flexible_diplomacy": Field("float", 0.0, 1.0, 0.2),
    "multilateral_engagement": Field("float", 0.0, 1.0, 0.3),
    "strategic_clarity": Field("float", 0.0, 1.0, 0.4),
    "sanctions_pressure": Field("float", 0.0, 1.0, 0.7),
    "talks_override": Field("float", -1.0, 1.0, -1.0,
                            "-1 talks follow the model; 0 held off; 1 held on (historical replay)"),
    "programme_announcement": Field("float", 0.0, 1.0, 0.0,
                                    "a publicly announced DPRK weapons-development programme in "
                                    "force (0 none, 1 announced); raises the entry hazard of "
                                    "testing campaigns"),
    "launches_override": Field("float", -1.0, 1000.0, -1.0,
                               "-1 launches follow the model; n >= 0 forces n missiles that month "
                               "(replay of the record)"),
    "launch_days_override": Field("float", -1.0, 31.0, -1.0,
                                  "-1 launch days follow the model (with forced launches: one "
                                  "missile a day); d >= 0 forces d launch days (replay)"),
    "military_agreement": Field("float", 0.0, 1.0, 0.0,
                                "an inter-Korean military agreement in force (1: buffer zones "
                                "along the MDL and the NLL, as in the 2018 agreement, "
                                "November 2018 - November 2023)"),
    "us_china_rivalry": Field("float", 0.0, 1.0, 0.8,
                              "US-China rivalry index (outside driver; 0 engagement, 1 open "
                              "confrontation; 0.8 since the October 2022 chip controls)"),
    "russia_west_confrontation": Field("float", 0.0, 1.0, 1.0,
                                       "Russia-West confrontation (outside driver; 0.5 after "
                                       "Crimea 2014, 1 the war in Ukraine from February 2022)"),
    # forced events (a wargame's injects, a replay of the record); the model decides by default
    "incident_override": Field("float", -1.0, 1.0, -1.0,
                               "-1 incidents follow the model; 1 forces a contained incident "
                               "that month (an exchange of fire, a sinking or a shelling: the "
                               "armed_clash rung); 0 no incident begins that month"),
    "nuclear_test_override": Field("float", 0.0, 1.0, 0.0,
                                   "1 forces a DPRK nuclear test that month (an inject or a "
                                   "replay of the record); 0 none: the model draws no tests "
                                   "itself"),
}
# levers that drive the model from outside; their values at the start are part of [state]
OUTSIDE_DRIVERS = ("us_china_rivalry", "russia_west_confrontation")
EXERCISE_MONTHS_DEFAULT = [3, 8]

ACTOR_FIELDS: dict[str, Field] = {
    "defence_spending_usd_bn": Field("float", 0.01, 1e5, doc="military expenditure, USD bn/yr"),
    "defence_growth_pct_per_year": Field("float", -50.0, 50.0, 0.0, "real trend growth"),
    "gdp_usd_bn": Field("float", 0.01, 1e6, doc="GDP, USD bn"),
    "trade_with_rivals_pct_gdp": Field("float", 0.0, 100.0, 0.0,
                                       "trade with the opposing camp, % of GDP"),
    "theatre_share": Field("float", 0.0, 1.0, 1.0, "share of military effort in the theatre"),
    "offensive_posture": Field("float", 0.0, 5.0, 0.5, "standing offensive capability index"),
    "nuclear_capability": Field("float", 0.0, 1e4, 0.0, "warhead-equivalents"),
}
TRUST_FIELD = Field("float", 0.0, 1.0, 0.5, "belief that the other actor is security-seeking")

# The escalation ladder's rungs (model/escalation.py). "armed_clash" is a contained incident: an
# exchange of fire, a sinking or a shelling, a one-month point event; "hostilities" is sustained
# fighting, the rung that carries the war hazard (with the mechanism contained_incidents off,
# every clash enters it, the ladder of model versions before the split).
LEVEL_NAMES: tuple[str, ...] = (
    "calm", "rhetoric", "provocation", "crisis", "armed_clash", "hostilities", "war",
    "nuclear_use",
)
TOP_LEVEL = len(LEVEL_NAMES) - 1
STATE_FIELDS: dict[str, Field] = {
    "cohesion": Field("float", 0.0, 1.0, 0.6, "US-ROK-Japan trilateral cohesion"),
    "alignment": Field("float", 0.0, 1.0, 0.5, "China-Russia(-DPRK) alignment"),
    "tension": Field("float", 0.0, 1.0, 0.4, "peninsula tension index"),
    "escalation_level": Field("int", 0, TOP_LEVEL, 1,
                              f"rung of the escalation ladder (name or 0..{TOP_LEVEL})"),
    "talks_active": Field("bool", default=False),
    "denuclearization": Field("float", 0.0, 1.0, 0.0, "denuclearisation progress"),
    # the outside drivers at the start: the starting alignment and arms levels are at rest under
    # them (model/alignment.py, arms_race.py); today's values unless the scenario starts earlier
    "us_china_rivalry": Field("float", 0.0, 1.0, 0.8,
                              "US-China rivalry index at the start (outside driver)"),
    "russia_west_confrontation": Field("float", 0.0, 1.0, 1.0,
                                       "Russia-West confrontation index at the start"),
}

STABILITY_COMPONENTS: tuple[str, ...] = (
    "clash", "war", "nuclear_use", "launches", "alignment", "polarization",
    "denuclearization", "gdp_loss",
)
METRIC_FIELDS: dict[str, Field] = {
    "launch_reference_per_year": Field("float", 1.0, 1000.0, 60.0,
                                       "launches/yr scored as the worst case"),
    "gdp_loss_reference_pct": Field("float", 0.01, 100.0, 5.0,
                                    "GDP loss scored as the worst case"),
    # 10: 2,000 runs give 200 draws; 1 reproduces the runs made before the setting existed
    "runs_per_parameter_draw": Field("int", 1, 100_000, 10,
                                     "runs sharing one parameter draw (consecutive run ids), "
                                     "so the summary can tell the spread of a probability "
                                     "across parameters from the simulation's noise; 1: one "
                                     "draw per run"),
}
DEFAULT_HORIZONS = [1, 5, 10]
# Weights of the Korean Stability Index (judgement; analysis/metrics.py). Bloc polarisation,
# sqrt(alignment x cohesion), is reported but weighs 0 by default: with a weight it would score
# the allies' own cohesion as instability by definition, and the index is meant to score what
# cohesion leads to (clashes, wars, launches, the counter-bloc's alignment, the economy), so that
# the deterrence-or-spiral answer comes from the model, not from the index. A scenario may give
# it a weight in [metrics.stability_weights].
DEFAULT_WEIGHTS = {
    "clash": 0.15, "war": 0.20, "nuclear_use": 0.15, "launches": 0.10, "alignment": 0.05,
    "polarization": 0.0, "denuclearization": 0.10, "gdp_loss": 0.15,
}

# Each mechanism of the design table (docs/design.md) can be switched off (for --explain and for studies).
MECHANISMS: dict[str, str] = {
    "posture_threat": "alliance posture (drills, deployments) raises others' perceived threat",
    "beliefs": "Bayesian trust updating from observed actions",
    "arms_race": "Richardson arms dynamics",
    "cohesion_dynamics": "summits, grievance and turnover shocks move cohesion",
    "deterrence": "credibility lowers DPRK deliberate aggression",
    "alignment": "China-Russia alignment responds to shared threat",
    "bloc_support": "alignment leaks sanctions and speeds DPRK capability",
    "nuclear_programme": "DPRK capability grows",
    "diplomacy": "talks and denuclearisation",
    "cornered_effect": "pressure without off-ramps lowers DPRK willingness to talk",
    "costly_signals": "trust moves on behaviour (talks kept, launch restraint); hotlines and "
                      "forums make it legible but add no trust by themselves (off: cheap talk "
                      "adds trust every month)",
    "concession_channel": "a burst of launches raises the hazard that talks start; relief "
                          "reached this way teaches the DPRK that provocation pays",
    "relief_funding": "sanctions relief granted in talks funds DPRK capability growth",
    "drill_provocation": "drills raise the DPRK launch rate",
    "self_excitation": "launches beget launches (Hawkes term)",
    "testing_campaign": "a latent testing-campaign regime multiplies the launch rate; announced "
                        "programmes raise its entry hazard",
    "launch_frailty": "a yearly random factor of the launch rate (overdispersion)",
    "misperception": "misperception noise in escalation",
    "stability_instability": "DPRK nuclear capability emboldens limited attacks and deters war "
                             "(the stability-instability paradox)",
    "preemption": "pre-emption hazard when threat is high and trust low",
    "allied_preemption": "the allies' pre-emption (the ROK's Kill Chain) when their threat is "
                         "high and their trust in the DPRK low",
    "crisis_management": "cohesion, intelligence and hotlines cut incident->hostilities and "
                         "hostilities->war",
    "contained_incidents": "an armed clash is a contained one-month incident (grey-zone "
                           "incidents need no crisis first); only sustained hostilities carry "
                           "the war hazard (off: every clash is sustained fighting)",
    "coercion": "China's economic coercion of allies",
    "economy": "GDP losses",
    "outside_drivers": "US-China rivalry and the war in Ukraine drive alignment and great-power "
                       "arms; the peninsula's effect is scaled by its theatre share",
}

# The six actors; the index order is the array layout used everywhere (runs x actors x ...).
ACTORS: tuple[str, ...] = ("USA", "ROK", "JPN", "PRK", "CHN", "RUS")
PARAMETER_KEYS = ("value", "range", "distribution", "basis", "unit")
# A study declared with the scenario: what sensitivity, sweep and optimize vary and measure when
# their flags do not say (a flag given on the command line replaces the entry).
STUDY_LISTS: dict[str, str] = {
    "factors": "sensitivity factors: parameter names or KEY=LOW,HIGH (as --factor)",
    "metrics": "metric names, e.g. p_war_10y, stability_index (as --metric; optimize takes the "
               "first)",
    "grid": "sweep grid entries KEY=V1,V2,... (as --grid)",
    "levers": "optimize search ranges KEY=LOW,HIGH (as --lever)",
}
STUDY_FIELDS: dict[str, Field] = {
    "design": Field("str", doc="sweep design CSV (as --design), relative to the scenario file"),
}
SECTIONS = ("scenario", "actors", "state", "parameters", "levers", "mechanisms", "metrics",
            "study")
