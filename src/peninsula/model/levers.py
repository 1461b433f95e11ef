"""Policy levers resolved to one value per simulated month.

A lever is a number (constant), a schedule table ``{"YYYY-MM" = value}`` (the value holds from
that month until the next entry; before the first entry the scenario's number default applies,
which is the lever's registry default), or a list with one value per month of the horizon.
``exercise_months`` (months of the year) turns ``exercise_intensity`` into the monthly drill
intensity: d(t) = exercise_intensity(t) if month-of-year(t) in exercise_months else 0.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from peninsula.model.compiled import mechanism
from peninsula.scenario.schema import LEVERS
from peninsula.scenario.validate import parse_month


@dataclass(frozen=True)
class LeverPlan:
    """Monthly lever values, each an array of shape (horizon_months,)."""

    values: dict[str, np.ndarray]
    drill: np.ndarray  # drill intensity by month (0 outside exercise months)
    month_of_year: np.ndarray

    def __getitem__(self, name: str) -> np.ndarray:
        return self.values[name]


def month_index(start: tuple[int, int], month: tuple[int, int]) -> int:
    """Months from ``start`` to ``month`` (negative if before)."""
    return (month[0] - start[0]) * 12 + (month[1] - start[1])


def resolve_lever(spec, start: tuple[int, int], horizon: int, default: float) -> np.ndarray:
    """One lever spec (number, schedule table or list) -> array of monthly values."""
    if isinstance(spec, dict):
        out = np.full(horizon, float(default))
        for key in sorted(spec, key=lambda k: parse_month(k)):
            i = month_index(start, parse_month(key))
            out[max(i, 0) :] = float(spec[key])
        return out
    if isinstance(spec, list):
        values = np.asarray(spec, dtype=float)
        if len(values) < horizon:  # never padded: a short list is an input error
            raise ValueError(f"a lever list has {len(values)} values; the horizon needs "
                             f"{horizon}, one per month")
        return values[:horizon].copy()
    return np.full(horizon, float(spec))


def build_plan(levers: dict, start: tuple[int, int], horizon: int) -> LeverPlan:
    """Resolve every lever of a (complete) scenario to monthly arrays."""
    values = {
        name: resolve_lever(levers[name], start, horizon, field.default) for name, field in LEVERS.items()
    }
    moy = (start[1] - 1 + np.arange(horizon)) % 12 + 1
    in_drill_month = np.isin(moy, np.asarray(levers["exercise_months"], dtype=int))
    drill = np.where(in_drill_month, values["exercise_intensity"], 0.0)
    return LeverPlan(values, drill, moy)


# The reference policy: the alliance posture of 2023-2025 (expanded drills about three months a
# year, one trilateral summit a year, THAAD and standing forces, sanctions near their maximum,
# little engagement). The model's reference points are computed at this posture and never at a
# scenario's own levers, so a lever changed from the reference moves outcomes, and a scenario
# that keeps today's posture starts near a rest point. Basis: judgement on the public record
# (exercise timeline, diplomatic milestones in the project's data sources).
REFERENCE_LEVERS: dict[str, float] = {
    "exercise_intensity": 1.2,
    "drill_months_per_year": 3.0,
    "summit_frequency_per_year": 1.0,
    "intelligence_sharing": 0.8,
    "tech_collaboration": 0.4,
    "missile_defense_deployment": 0.5,
    "permanent_infrastructure": 0.3,
    "open_communication": 0.2,
    "flexible_diplomacy": 0.2,
    "multilateral_engagement": 0.3,
    "strategic_clarity": 0.4,
    "sanctions_pressure": 0.7,
}


def reference_mean_drill(reference: dict[str, float] | None = None) -> float:
    """Average monthly drill intensity under a reference policy (today's by default)."""
    r = REFERENCE_LEVERS if reference is None else reference
    return r["exercise_intensity"] * r["drill_months_per_year"] / 12.0


# The alliance's activity: the levers whose effect --explain splits by channel. Its counterfactual
# is no activity (each lever at 0): no drills, deployments, technology collaboration,
# intelligence sharing or summits; the alliance itself (forces, spending, cohesion) remains.
ACTIVITY_LEVERS = ("exercise_intensity", "missile_defense_deployment", "permanent_infrastructure",
                   "tech_collaboration", "intelligence_sharing", "summit_frequency_per_year")
NO_ACTIVITY: dict[str, float] = {name: 0.0 for name in ACTIVITY_LEVERS}

# The channels through which the activity acts, each reading either the scenario's activity or
# the counterfactual's (the kernel's ``view`` switches; all off in an ordinary run). Every use of
# an activity lever in the kernel belongs to exactly one channel, so with every channel at the
# counterfactual a run equals the scenario run at the counterfactual posture.
CHANNELS: dict[str, str] = {
    "deterrence": "credibility: resolve from the drill memory, and allied capability "
                  "(technology) in the power balance",
    "posture_threat": "perceived threat (spiral): the allies' offensive posture (drills, missile "
                      "defence, infrastructure) and their power share (technology)",
    "drill_provocation": "the DPRK's launch, provocation and rhetoric rates answer drills",
    "beliefs": "trust: drills and deployments as evidence of a hostile type",
    "cornered_effect": "the DPRK's willingness to talk under military pressure (drill memory, "
                       "deployments)",
    "drill_tension": "drills as hostile events in tension (Goldstein weights)",
    "cohesion_dynamics": "alliance cohesion from summits and intelligence sharing",
    "crisis_intelligence": "intelligence sharing on the ladder: less misperception, crisis "
                           "management",
}


@mechanism
def as_read(view, counterfactual, scenario):
    """The value a channel reads (CHANNELS; explain.py): the counterfactual's where the
    channel's view is on, else the scenario's (same units as the lever)."""
    return counterfactual if view else scenario
