"""The state of a block of runs: plain arrays, runs first (runs x actors x ...)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from peninsula.model.actors import N_ACTORS
from peninsula.model.beliefs import logit


@dataclass
class State:
    """Mutable state of R runs. Units and ranges are in docs/model.md."""

    month: int
    arms_level: np.ndarray  # (R,6) defence spending relative to trend path
    tech_level: np.ndarray  # (R,) allied capability multiplier from tech collaboration
    trust: np.ndarray  # (R,6,6) P_i(j is security-seeking), derived from trust_logit
    trust_logit: np.ndarray  # (R,6,6) the belief state, in log-odds
    cohesion: np.ndarray  # (R,)
    alignment: np.ndarray  # (R,)
    tension: np.ndarray  # (R,)
    level: np.ndarray  # (R,) int8 escalation rung
    talks: np.ndarray  # (R,) bool
    denuclearization: np.ndarray  # (R,)
    nuclear: np.ndarray  # (R,) DPRK warhead-equivalents
    excitation: np.ndarray  # (R,) Hawkes excitation, launches/month
    launch_days: np.ndarray  # (R,) days with launches this month
    prov_excitation: np.ndarray  # (R,) Hawkes excitation, other provocations/month
    drill_memory: np.ndarray  # (R,)
    supply_chain: np.ndarray  # (R,)
    flow_loss: np.ndarray  # (R,6) accumulating GDP loss, %
    # derived each month, kept for recording
    threat_ratio: np.ndarray  # (R,6)
    credibility: np.ndarray  # (R,)
    balance: np.ndarray  # (R,)
    willingness: np.ndarray  # (R,)
    sanctions_eff: np.ndarray  # (R,)
    gdp_loss: np.ndarray  # (R,6) %
    spending: np.ndarray  # (R,6) USD bn/yr


def init_state(setup, n_runs: int) -> State:
    """Starting state of ``n_runs`` identical runs from the scenario's starting values."""
    s0 = setup.state0
    r = n_runs

    def full(x, dtype=float):
        return np.full(r, x, dtype=dtype)

    return State(
        month=0,
        arms_level=np.ones((r, N_ACTORS)),
        tech_level=np.ones(r),
        trust=np.broadcast_to(setup.trust0, (r, N_ACTORS, N_ACTORS)).copy(),
        trust_logit=np.broadcast_to(logit(setup.trust0), (r, N_ACTORS, N_ACTORS)).copy(),
        cohesion=full(s0["cohesion"]),
        alignment=full(s0["alignment"]),
        tension=full(s0["tension"]),
        level=full(s0["escalation_level"], np.int8),
        talks=full(bool(s0["talks_active"]), bool),
        denuclearization=full(s0["denuclearization"]),
        nuclear=full(setup.nuclear0),
        excitation=np.zeros(r),
        launch_days=np.zeros(r, dtype=np.int64),
        prov_excitation=np.zeros(r),
        drill_memory=np.zeros(r),
        supply_chain=np.zeros(r),
        flow_loss=np.zeros((r, N_ACTORS)),
        threat_ratio=np.ones((r, N_ACTORS)),
        credibility=np.zeros(r),
        balance=np.zeros(r),
        willingness=np.zeros(r),
        sanctions_eff=np.zeros(r),
        gdp_loss=np.zeros((r, N_ACTORS)),
        spending=np.broadcast_to(setup.spending0, (r, N_ACTORS)).copy(),
    )

