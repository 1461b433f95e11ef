"""Simulate one chunk of runs: sample parameters, run the kernel over H months, return outcomes.

A chunk is identified only by its run ids; every random number comes from the run's own stream
(engine/random.py), so a chunk's numbers do not depend on which other runs share it.
"""

from __future__ import annotations

import numpy as np

from peninsula.engine import libm
from peninsula.engine.inputs import kernel_inputs, kernel_outputs
from peninsula.engine.kernel import run_chunk
from peninsula.engine.random import RunStreams, sample_param
from peninsula.io.results import FIRST_KEYS, MONTHLY_VARS, YEARLY_KEYS, ChunkResult
from peninsula.model.setup import KERNELS
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


def resolve_kernel(kernel: str) -> str:
    """The kernel a choice runs: 'auto' and 'numba' the compiled kernel, 'python' (and 'numpy',
    its former name) the same source uncompiled; an unknown name is refused."""
    if kernel not in KERNELS:
        raise ValueError(f"kernel must be one of {', '.join(KERNELS)}, not {kernel!r}")
    return "python" if kernel in ("python", "numpy") else "numba"


def simulate_chunk(setup, run_ids: np.ndarray, record_monthly: bool = True,
                   record_events: bool = True, kernel: str | None = None) -> ChunkResult:
    """Run ``len(run_ids)`` futures for ``setup.horizon`` months.

    ``kernel`` 'numba' (and 'auto') runs the compiled kernel (engine/kernel.py); 'python' runs
    its loop uncompiled, for debugging (thousands of times slower; NUMBA_DISABLE_JIT=1 also
    runs the mechanisms uncompiled). None: the setup's choice (``build_setup(..., kernel=)``).
    """
    run_ids = np.asarray(run_ids, dtype=np.int64)
    streams = RunStreams(setup.seed, run_ids)
    values = sample_parameters(setup, streams)
    inputs = kernel_inputs(setup, streams.keys, values)
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
