"""The engine's kernel: every month of every run of a chunk, in one compiled loop.

The kernel is wiring. It keeps the state of a block of runs and calls the phases of a month
(engine/phases.py) in order; each phase draws each run's random numbers from its own stream
(engine/random.py) and calls the model's mechanism functions (model/*.py); every equation and
constant lives in those functions, which the unit tests call directly. The order of a month
(the phase functions in brackets):

    1. posture, capability and perceived threat (threat.py, arms_race.spending) [threat_phase]
    2. events: summit, shocks, China's coercion (coercion.py), the testing-campaign regime and
       the year's frailty, launches and salvoes (or the record's, when forced), provocations,
       rhetoric (provocations.py; the lesson and the burst of the concession channel,
       concessions.py), joint patrols; then cohesion (cohesion.py), credibility
       (deterrence.py), alignment, sanctions and relief (alignment.py), DPRK capability
       (nuclear_programme.py) [events_phase]
    3. diplomacy: willingness, talks, denuclearisation steps (diplomacy.py), the lesson
       (concessions.py) [diplomacy_phase]
    4. beliefs (beliefs.py) [beliefs_phase]
    5. arms race (arms_race.py) [arms_phase]
    6. escalation ladder on last month's tension (escalation.py, deterrence.py; one run's move
       in ladder_step, its hazards named), then tension from this month's events (tension.py)
       and the economy (economy.py), run by run in the same loop [ladder_phase]
    7. the records: first months, yearly counts, the monthly table, events and the yearly
       snapshot, read by name from the declared layouts (io/results.py, and the record's
       fields in engine/phases.py) [records_phase]

How it is fast (docs/performance.md): runs advance in blocks of BLOCK_RUNS, one phase of the
month at a time over the block, so the block's state stays in the core's cache; where a phase
works entry by entry (the threat matrix, the beliefs, the arms levels) the block's state is kept
by entry, then run, so those loops run over contiguous memory. Work is skipped only where the
skipped value provably equals the computed one: per-run constants (monthly rates) are formed
once per run; beliefs that receive no evidence are revisited only until their update leaves
them unchanged (a fixed map of z); the ladder's hazards are formed only when the month's uniform
is near them (escalation.settled_rung), the talks draws are settled by bounds where they can be
(model/bounds.py) and DPRK willingness is formed only when a draw or the monthly table needs it;
draws whose outcome cannot matter are not made (the salvo size without launch days, the
coercion target without coercion); GDP loss and polarization are formed only in recorded months.
"""

from __future__ import annotations

from typing import NamedTuple

import numba
import numpy as np

from peninsula.engine.phases import (
    arms_phase,
    beliefs_phase,
    diplomacy_phase,
    events_phase,
    ladder_phase,
    month_inputs,
    new_block,
    records_phase,
    start_block,
    threat_phase,
)
from peninsula.model import reference
from peninsula.model.compiled import JIT_OPTIONS

BLOCK_RUNS = 256  # runs advanced together: their state (about 2 KB each) stays in L2 cache


class Inputs(NamedTuple):
    """What a chunk's kernel reads (engine/inputs.py packs it)."""

    keys: np.ndarray  # (R,) run key records: own key, the actual run's key, branch month
    params: np.ndarray  # (R,) records: the run's parameters by name
    levers: np.ndarray  # (H,) records: the levers of each month by name
    drill: np.ndarray  # (H,) drill intensity (0 outside drill months)
    counters: np.ndarray  # (H, slots, draws) uint64 hashed counters
    flags: np.ndarray  # (1,) record: the mechanism switches by name
    ref: np.ndarray  # (1,) record: the reference policy (reference.REFERENCE_INPUTS)
    levers_cf: np.ndarray  # (H,) records: the counterfactual levers (explain.py), else the levers
    drill_cf: np.ndarray  # (H,) the counterfactual's drill intensity
    views: np.ndarray  # (1,) record: per channel (levers.CHANNELS), reads the counterfactual
    trend: np.ndarray  # (H, 6) defence spending on trend, USD bn/yr
    theatre: np.ndarray  # (6,)
    posture0: np.ndarray  # (6,)
    nuclear0: float
    spending0: np.ndarray  # (6,)
    trust0: np.ndarray  # (6, 6)
    z0: np.ndarray  # (36,) logit of trust0
    inv_gdp0: np.ndarray  # (6,)
    def_share0: np.ndarray  # (6,)
    trade_exposure: np.ndarray  # (6,)
    region_w: np.ndarray  # (3,) GDP weights of REGION_GDP_ACTORS
    state0: np.ndarray  # (len(STATE0_FIELDS),)
    trust_entries: np.ndarray  # (dyads,) flat index of each recorded trust dyad
    n_years: int


class Outputs(NamedTuple):
    """What a chunk's kernel writes (io/results.py: ChunkResult)."""

    first: np.ndarray  # (3, R) int32
    launches_y: np.ndarray  # (R, Y)
    patrols_y: np.ndarray  # (R, Y)
    days_y: np.ndarray  # (R, Y)
    yearly: np.ndarray  # (len(YEARLY_KEYS), R, Y)
    monthly: np.ndarray  # (R, H, V) float32, or empty
    events: np.ndarray  # (R, H, E) int16, or empty


@numba.njit(**JIT_OPTIONS)
def run_chunk(inputs, out, record_monthly, record_events):
    """Advance every run of the chunk through the horizon, writing ``out``."""
    f = inputs.flags[0]
    n_runs = inputs.keys.shape[0]
    horizon = inputs.drill.shape[0]
    pressure_ref = reference.reference_pressure(inputs.ref[0])
    block, constants = new_block(min(BLOCK_RUNS, n_runs))
    for b0 in range(0, n_runs, BLOCK_RUNS):
        n = min(BLOCK_RUNS, n_runs - b0)
        start_block(inputs, block, constants, out, b0, n)
        beliefs_started = False  # the first update visits every entry, then lists those that move
        for t in range(horizon):
            month = month_inputs(inputs, t, record_monthly)
            threat_phase(inputs, block, constants, month, b0, n)
            events_phase(inputs, block, constants, month, b0, n)
            if f.diplomacy:
                diplomacy_phase(inputs, block, constants, month, b0, n, record_monthly, pressure_ref)
            if f.beliefs:
                beliefs_phase(inputs, block, constants, month, b0, n, beliefs_started)
                beliefs_started = True
            if f.arms_race:
                arms_phase(inputs, block, constants, month, b0, n)
            ladder_phase(inputs, block, constants, month, b0, n)
            records_phase(inputs, block, month, out, b0, n, record_monthly, record_events)
