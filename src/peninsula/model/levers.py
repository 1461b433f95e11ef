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
    # outside drivers at their end-2025 values (history table outside_drivers.csv)
    "us_china_rivalry": 0.8,
    "russia_west_confrontation": 1.0,
}


def reference_mean_drill() -> float:
    """Average monthly drill intensity under the reference policy."""
    r = REFERENCE_LEVERS
    return r["exercise_intensity"] * r["drill_months_per_year"] / 12.0
