"""Simulate one chunk of runs: sample parameters, run the kernel over H months, return outcomes.

A chunk is identified only by its run ids; every random number comes from the run's own stream
(engine/random.py), so a chunk's numbers do not depend on which other runs share it.

Parameter draws: runs share a draw in blocks of M consecutive run ids (M =
``[metrics] runs_per_parameter_draw``): runs b*M .. b*M + M - 1 all take the parameter vector
(and the posterior row) drawn from the stream of run b*M, the block's first run, while every
other random number of a run stays its own. M = 1 is one draw per run, exactly as before the
setting existed. Blocks are defined by run ids, never by chunks or workers, so the draws do not
depend on how runs are split. The summary uses the blocks to tell the spread of the
probability across parameters from the simulation's noise (analysis/metrics.py).

A branch (``Branch``, for the wargame) runs futures that share one run's past: every run takes
that run's parameters and its random numbers before the branch month, its own numbers from it.
With the same levers before the branch month, every branched run is in exactly that run's
state at the branch month, and the runs then spread from it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from peninsula.engine import libm
from peninsula.engine.inputs import kernel_inputs, kernel_outputs
from peninsula.engine.kernel import run_chunk
from peninsula.engine.random import RunStreams, sample_param
from peninsula.io.results import FIRST_KEYS, MONTHLY_VARS, YEARLY_KEYS, ChunkResult
from peninsula.model.setup import KERNELS, ModelSetup
from peninsula.scenario.parameters import NAMES

PARAM_MONTH = (1 << 24) - 1  # stream address reserved for parameter sampling


def runs_per_draw(setup: ModelSetup) -> int:
    """Runs that share one parameter draw (``[metrics] runs_per_parameter_draw``; 1 if unset)."""
    return max(1, int(setup.metrics.get("runs_per_parameter_draw", 1)))


def parameter_draw_ids(run_ids: np.ndarray, runs_per_parameter_draw: int) -> np.ndarray:
    """The parameter draw of each run: the id of its block's first run, (id // M) * M."""
    m = np.uint64(max(1, int(runs_per_parameter_draw)))
    return (np.asarray(run_ids, dtype=np.uint64) // m) * m


def parameter_source(setup: ModelSetup) -> str:
    """Where the runs' parameters come from: 'posterior' (a posterior table gives its columns;
    any other parameter as the scenario says), 'prior' (each draw from the parameter table's
    ranges) or 'point' (every run the same point values)."""
    if setup.posterior is not None:
        return "posterior"
    return "prior" if setup.sample_parameters else "point"


def sample_parameters(setup, streams: RunStreams) -> np.ndarray:
    """Each run's parameter values (R x P): triangular/uniform draws or the point values.

    A run's draw comes from the stream of its block's first run (``parameter_draw_ids``)."""
    n, k = len(streams.run_ids), len(NAMES)
    m = runs_per_draw(setup)
    if m > 1 and (setup.sample_parameters or setup.posterior is not None):
        streams = RunStreams(setup.seed, parameter_draw_ids(streams.run_ids, m))
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


@dataclass(frozen=True)
class Branch:
    """Runs that share the past of run ``trunk_run`` (same seed) up to ``month`` (0-based)."""

    month: int
    trunk_run: int


def trunk_parameters(setup: ModelSetup, trunk_run: int) -> tuple[np.ndarray, np.uint64]:
    """The parameter vector (P,) and the random key of one run of ``setup``."""
    trunk = RunStreams(setup.seed, np.array([trunk_run]))
    return sample_parameters(setup, trunk)[0], trunk.keys[0]


def resolve_kernel(kernel: str) -> str:
    """The kernel a choice runs: 'auto' and 'numba' the compiled kernel, 'python' (and 'numpy',
    its former name) the same source uncompiled; an unknown name is refused."""
    if kernel not in KERNELS:
        raise ValueError(f"kernel must be one of {', '.join(KERNELS)}, not {kernel!r}")
    return "python" if kernel in ("python", "numpy") else "numba"


def simulate_chunk(setup, run_ids: np.ndarray, record_monthly: bool = True,
                   record_events: bool = True, kernel: str | None = None,
                   branch: Branch | None = None) -> ChunkResult:
    """Run ``len(run_ids)`` futures for ``setup.horizon`` months.

    ``kernel`` 'numba' (and 'auto') runs the compiled kernel (engine/kernel.py); 'python' runs
    its loop uncompiled, for debugging (thousands of times slower; NUMBA_DISABLE_JIT=1 also
    runs the mechanisms uncompiled). None: the setup's choice (``build_setup(..., kernel=)``).
    ``branch``: every run shares the trunk run's parameters, and its numbers before the
    branch month (``Branch``).
    """
    run_ids = np.asarray(run_ids, dtype=np.int64)
    streams = RunStreams(setup.seed, run_ids)
    if branch is None:
        values = sample_parameters(setup, streams)
        inputs = kernel_inputs(setup, streams.keys, values)
    else:
        trunk_values, trunk_key = trunk_parameters(setup, branch.trunk_run)
        values = np.broadcast_to(trunk_values, (len(run_ids), len(trunk_values))).copy()
        inputs = kernel_inputs(setup, streams.keys, values, trunk_key, branch.month)
    out = kernel_outputs(len(run_ids), setup, record_monthly, record_events, len(MONTHLY_VARS))
    # uncompiled, SplitMix64's uint64 arithmetic runs in NumPy, which warns when it wraps; the
    # wrap is the algorithm (engine/random.py), so the warning is silenced
    with np.errstate(over="ignore"):
        if resolve_kernel(kernel or setup.kernel) == "python":
            getattr(run_chunk, "py_func", run_chunk)(inputs, out, record_monthly, record_events)
        else:
            libm.bind()
            run_chunk(inputs, out, record_monthly, record_events)
    return ChunkResult(
        run_ids, values, {k: out.first[i] for i, k in enumerate(FIRST_KEYS)}, out.launches_y,
        out.patrols_y, out.days_y, {k: out.yearly[i] for i, k in enumerate(YEARLY_KEYS)},
        out.monthly if record_monthly else None, out.events if record_events else None)
