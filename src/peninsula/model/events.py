"""The simulator's event stream, coded like real event data (CAMEO roots, Goldstein weights).

Each event type has a fixed (actor, target, CAMEO root). Goldstein weights are the CAMEO root
values of the Goldstein (1992) scale as transliterated in the ICEWS CAMEO table,
so simulated and real dyadic tension are on one scale.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

GOLDSTEIN_ROOT = {
    "01": 0.0,
    "02": 3.0,
    "03": 4.0,
    "04": 1.0,
    "05": 3.5,
    "06": 6.0,
    "07": 7.0,
    "08": 5.0,
    "09": -2.0,
    "10": -5.0,
    "11": -2.0,
    "12": -4.0,
    "13": -6.0,
    "14": -6.5,
    "15": -7.2,
    "16": -4.0,
    "17": -7.0,
    "18": -9.0,
    "19": -10.0,
    "20": -10.0,
}


@dataclass(frozen=True)
class EventType:
    name: str
    actor: str
    target: str
    cameo: str

    @property
    def goldstein(self) -> float:
        return GOLDSTEIN_ROOT[self.cameo]


EVENT_TYPES: tuple[EventType, ...] = (
    EventType("missile_launch", "PRK", "USA", "15"),  # exhibit military posture (tests)
    EventType("provocation", "PRK", "ROK", "17"),  # coerce: artillery, drones, incursions
    EventType("rhetoric", "PRK", "USA", "13"),  # threaten
    EventType("joint_drill", "USA", "PRK", "15"),  # exhibit military posture
    EventType("trilateral_summit", "USA", "JPN", "04"),  # consult
    EventType("talks", "USA", "PRK", "04"),  # consult (a month of talks)
    EventType("denuclearization_step", "PRK", "USA", "08"),  # yield
    EventType("grievance_shock", "ROK", "JPN", "11"),  # disapprove
    EventType("turnover_shock", "ROK", "USA", "11"),  # disapprove (policy reversal)
    EventType("coercion", "CHN", "ROK", "17"),  # coerce (economic)
    EventType("joint_patrol", "CHN", "JPN", "15"),  # China-Russia joint air patrol
    EventType("armed_clash", "PRK", "ROK", "18"),  # assault
    EventType("war", "PRK", "ROK", "19"),  # fight (each month at war)
    EventType("nuclear_use", "PRK", "USA", "20"),  # unconventional mass violence
    # a nuclear test, forced only (nuclear_test_override): a demonstration of military power
    # (CAMEO 150), the root of the missile tests; CAMEO 2042 is a detonation in anger, which
    # the ladder's nuclear_use counts and the observable coding excludes tests from
    EventType("nuclear_test", "PRK", "USA", "15"),
)
EVENT_INDEX = {e.name: i for i, e in enumerate(EVENT_TYPES)}
N_EVENT_TYPES = len(EVENT_TYPES)
GOLDSTEIN = np.array([e.goldstein for e in EVENT_TYPES])
# Events on the peninsula's conflict dyads (DPRK vs allies) feed the tension index.
TENSION_EVENTS = np.array(
    [
        e.name not in ("trilateral_summit", "grievance_shock", "turnover_shock", "coercion", "joint_patrol")
        for e in EVENT_TYPES
    ]
)
