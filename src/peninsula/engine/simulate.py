"""Simulate one chunk of runs: sample parameters, step H months, keep records and outcomes.

A chunk is identified only by its run ids; every random number comes from the run's own stream
(engine/random.py), so a chunk's numbers do not depend on which other runs share it.
"""

from __future__ import annotations

import numpy as np

from peninsula.engine.random import RunStreams, sample_param
from peninsula.io.results import (
    FIRST_KEYS,
    MONTHLY_VARS,
    NEVER,
    REGION_GDP_ACTORS,
    TRUST_INDEX,
    YEARLY_KEYS,
    ChunkResult,
)
from peninsula.model.actors import ALLIES, CHN, ROK
from peninsula.model.alignment import polarization
from peninsula.model.events import EVENT_INDEX, N_EVENT_TYPES
from peninsula.model.ordered import ordered_sum
from peninsula.model.state import init_state
from peninsula.model.step import StepContext, step
from peninsula.scenario.parameters import NAMES

PARAM_MONTH = (1 << 24) - 1  # stream address reserved for parameter sampling


def sample_parameters(setup, streams: RunStreams) -> np.ndarray:
    """Each run's parameter values (R x P): triangular/uniform draws or the point values."""
    n, k = len(streams.run_ids), len(NAMES)
    if not setup.sample_parameters:
        out = np.broadcast_to(setup.param_mode, (n, k)).copy()
    else:
        u = streams.uniform(PARAM_MONTH, 0, k)
        out = np.empty((n, k))
        for j in range(k):  # loop over parameters, vectorised over runs
            out[:, j] = sample_param(u[:, j], setup.param_low[j], setup.param_mode[j],
                                     setup.param_high[j], setup.param_dist[j])
    if setup.posterior is not None:  # each run takes one posterior row, chosen by its stream
        rows = (streams.uniform(PARAM_MONTH, 1) * len(setup.posterior)).astype(np.int64)
        out[:, list(setup.posterior_columns)] = setup.posterior[rows]
    return out


def _record(s) -> np.ndarray:
    parts = [
        s.level.astype(float), s.tension, s.cohesion, s.alignment,
        polarization(s.alignment, s.cohesion), s.credibility, s.balance, s.nuclear,
        s.denuclearization, s.talks.astype(float), s.willingness, s.sanctions_eff, s.supply_chain,
    ]
    cols = [np.stack(parts, axis=1), s.arms_level, s.spending, s.threat_ratio, s.gdp_loss,
            np.stack([s.trust[:, i, j] for i, j in TRUST_INDEX], axis=1)]
    return np.concatenate(cols, axis=1).astype(np.float32)


def regional_gdp_loss(gdp_loss: np.ndarray, gdp0: np.ndarray) -> np.ndarray:
    idx = list(REGION_GDP_ACTORS)
    w = gdp0[idx] / gdp0[idx].sum()
    return ordered_sum(gdp_loss[:, idx] * w, axis=1)


def resolve_kernel(kernel: str) -> str:
    """'auto' -> 'numba' when Numba is installed, else 'numpy'; check an explicit choice."""
    from peninsula.engine import fused
    from peninsula.model.setup import KERNELS

    if kernel not in KERNELS:
        raise ValueError(f"kernel must be one of {', '.join(KERNELS)}, not {kernel!r}")
    if kernel == "auto":
        return "numba" if fused.available() else "numpy"
    if kernel == "numba" and not fused.available():
        raise ValueError("kernel 'numba' needs Numba installed: pip install 'peninsula[fast]'")
    return kernel


def simulate_chunk(setup, run_ids: np.ndarray, record_monthly: bool = True,
                   record_events: bool = True, kernel: str | None = None) -> ChunkResult:
    """Run ``len(run_ids)`` futures for ``setup.horizon`` months.

    ``kernel`` 'numpy' advances all runs together one array operation at a time (model/step.py,
    the reference); 'numba' runs the fused compiled step (engine/fused.py), several times
    faster and equal to the reference within a last-bit tolerance (docs/performance.md);
    'auto' takes 'numba' when it is installed. None: the
    setup's choice (``build_setup(..., kernel=)``).
    """
    run_ids = np.asarray(run_ids, dtype=np.int64)
    streams = RunStreams(setup.seed, run_ids)
    values = sample_parameters(setup, streams)
    if resolve_kernel(kernel or setup.kernel) == "numba":
        from peninsula.engine.fused import simulate_fused

        first, launches, patrols, days, yearly, monthly, events = simulate_fused(
            setup, run_ids, streams.keys, values, record_monthly, record_events,
            len(MONTHLY_VARS))
        return ChunkResult(run_ids, values, first, launches, patrols, days, yearly, monthly,
                           events)
    params = {name: values[:, j] for j, name in enumerate(NAMES)}
    n, h, years = len(run_ids), setup.horizon, setup.n_years
    state = init_state(setup, n)
    ctx = StepContext(setup, params, n)
    first = {k: np.full(n, NEVER, dtype=np.int32) for k in FIRST_KEYS}
    launches_by_year = np.zeros((n, max(years, 1)))
    patrols_by_year = np.zeros((n, max(years, 1)))
    launch_days_by_year = np.zeros((n, max(years, 1)))
    yearly = {k: np.zeros((n, max(years, 1))) for k in YEARLY_KEYS}
    monthly = np.empty((n, h, len(MONTHLY_VARS)), np.float32) if record_monthly else None
    events = None
    if record_events:
        events = np.zeros((n, h, N_EVENT_TYPES), dtype=np.int16)
    launch_col, patrol_col = EVENT_INDEX["missile_launch"], EVENT_INDEX["joint_patrol"]
    for t in range(h):
        counts = step(state, ctx, streams)
        for key, lvl in (("clash", 4), ("war", 5), ("nuclear_use", 6)):
            hit = (state.level >= lvl) & (first[key] == NEVER)
            first[key][hit] = t
        y = min(t // 12, launches_by_year.shape[1] - 1)
        launches_by_year[:, y] += counts[:, launch_col]
        patrols_by_year[:, y] += counts[:, patrol_col]
        launch_days_by_year[:, y] += state.launch_days
        if monthly is not None:
            monthly[:, t] = _record(state)
        if events is not None:
            events[:, t] = np.minimum(counts, np.iinfo(np.int16).max)
        if (t + 1) % 12 == 0 and (t + 1) // 12 <= years:
            yi = (t + 1) // 12 - 1
            yearly["alignment"][:, yi] = state.alignment
            yearly["polarization"][:, yi] = polarization(state.alignment, state.cohesion)
            yearly["denuclearization"][:, yi] = state.denuclearization
            yearly["gdp_loss_pct"][:, yi] = regional_gdp_loss(state.gdp_loss, setup.gdp0)
            yearly["gdp_loss_pct_ROK"][:, yi] = state.gdp_loss[:, ROK]
            yearly["cohesion"][:, yi] = state.cohesion
            yearly["arms_race_pct"][:, yi] = 100.0 * (
                ordered_sum(state.arms_level[:, list(ALLIES) + [CHN]], axis=1) / 4.0 - 1.0)
            yearly["dprk_capability"][:, yi] = state.nuclear
            yearly["power_balance"][:, yi] = state.balance
            yearly["tension"][:, yi] = state.tension
    return ChunkResult(run_ids, values, first, launches_by_year, patrols_by_year,
                       launch_days_by_year, yearly, monthly, events)
