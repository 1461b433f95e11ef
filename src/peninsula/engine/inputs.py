"""Pack a chunk's inputs for the kernel: records by name, reference data, hashed counters.

Parameters and levers go to the kernel as record arrays (one record per run or month), so the
kernel and the mechanisms read them by name; a parameter matrix in NAMES order has the memory
layout of such records and is viewed, not copied.
"""

from __future__ import annotations

import numpy as np

from peninsula.engine.kernel import Inputs, Outputs
from peninsula.engine.random import counters, key_records
from peninsula.io.results import FIRST_KEYS, REGION_GDP_ACTORS, TRUST_INDEX, YEARLY_KEYS
from peninsula.model import arms_race, beliefs
from peninsula.model.actors import N_ACTORS
from peninsula.model.events import N_EVENT_TYPES
from peninsula.model.levers import CHANNELS
from peninsula.model.reference import REFERENCE_INPUTS, reference_inputs
from peninsula.model.state import DRAWS_PER_SLOT, N_SLOTS, STATE0_FIELDS
from peninsula.scenario.parameters import BY_NAME, NAMES
from peninsula.scenario.schema import LEVERS, MECHANISMS


def records(fields: tuple[str, ...], values: dict, n: int, dtype: str) -> np.ndarray:
    """A structured array (one record per row) whose fields are read by name; a recarray view,
    so plain Python reads them by attribute too (NUMBA_DISABLE_JIT=1)."""
    rec = np.empty(n, dtype=[(name, dtype) for name in fields])
    for name in fields:
        rec[name] = values[name]
    return rec.view(np.recarray)


def parameter_records(params: np.ndarray) -> np.ndarray:
    """The (runs x parameters) matrix as one record per run, viewed without a copy when the
    matrix is C-contiguous float64 (a row in NAMES order is such a record)."""
    dtype = np.dtype([(name, "f8") for name in NAMES])
    matrix = np.ascontiguousarray(np.atleast_2d(params), dtype=np.float64)
    return matrix.view(dtype).reshape(len(matrix)).view(np.recarray)


def parameter_record(values: dict[str, float] | None = None, setup=None) -> np.record:
    """One run's parameters as the record the mechanisms take: the defaults of the parameter
    table (or a setup's point values), with ``values`` replacing any of them (tests, notebooks)."""
    row = (np.array(setup.param_mode, dtype=float) if setup is not None
           else np.array([BY_NAME[n].value for n in NAMES]))
    for name, v in (values or {}).items():
        row[NAMES.index(name)] = v
    return parameter_records(row[None])[0]


def reference_record(reference: dict[str, float] | None = None) -> np.record:
    """The reference policy as the record the reference points take (model/reference.py):
    ``reference`` (values of REFERENCE_INPUTS), or today's posture."""
    values = reference_inputs() if reference is None else reference
    return records(REFERENCE_INPUTS, values, 1, "f8")[0]


def kernel_inputs(setup, keys: np.ndarray, params: np.ndarray, trunk_key: int | None = None,
                  branch_month: int = 0) -> Inputs:
    """Everything the kernel reads for one chunk of runs.

    ``keys`` are the runs' own keys; with ``trunk_key`` every run draws the trunk's numbers
    before ``branch_month`` and its own from it (a branch, engine/random.py key_records)."""
    h = setup.horizon
    trend = np.array([[arms_race.trend(setup.spending0[i], setup.growth[i], t)
                       for i in range(N_ACTORS)] for t in range(h)]).reshape(h, N_ACTORS)
    idx = list(REGION_GDP_ACTORS)
    cf = setup.plan if setup.counterfactual is None else setup.counterfactual
    return Inputs(
        keys=key_records(keys, trunk_key, branch_month),
        params=parameter_records(params),
        levers=records(tuple(LEVERS), setup.plan.values, h, "f8"),
        drill=np.ascontiguousarray(setup.plan.drill, dtype=np.float64),
        counters=counters(h, N_SLOTS, DRAWS_PER_SLOT),
        flags=records(tuple(MECHANISMS), {k: bool(setup.flags[k]) for k in MECHANISMS}, 1, "?"),
        ref=records(REFERENCE_INPUTS, setup.reference, 1, "f8"),
        levers_cf=records(tuple(LEVERS), cf.values, h, "f8"),
        drill_cf=np.ascontiguousarray(cf.drill, dtype=np.float64),
        views=records(tuple(CHANNELS), {k: bool(setup.views[k]) for k in CHANNELS}, 1, "?"),
        trend=trend,
        theatre=np.ascontiguousarray(setup.theatre, dtype=float),
        posture0=np.ascontiguousarray(setup.posture0, dtype=float),
        nuclear0=float(setup.nuclear0),
        spending0=np.ascontiguousarray(setup.spending0, dtype=float),
        trust0=np.ascontiguousarray(setup.trust0, dtype=float),
        z0=np.array([beliefs.logit(x) for x in setup.trust0.ravel()]),
        inv_gdp0=1.0 / setup.gdp0,
        def_share0=setup.spending0 / setup.gdp0,
        trade_exposure=np.ascontiguousarray(setup.trade_exposure, dtype=float),
        region_w=setup.gdp0[idx] / setup.gdp0[idx].sum(),
        state0=np.array([float(setup.state0[k]) for k in STATE0_FIELDS]),
        trust_entries=np.array([N_ACTORS * i + j for i, j in TRUST_INDEX], dtype=np.int64),
        n_years=setup.n_years,
    )


def kernel_outputs(n: int, setup, record_monthly: bool, record_events: bool,
                   n_vars: int) -> Outputs:
    """Zeroed output arrays for a chunk of n runs (empty monthly or event arrays when not kept)."""
    h, cols = setup.horizon, max(setup.n_years, 1)
    return Outputs(
        first=np.empty((len(FIRST_KEYS), n), dtype=np.int32),
        launches_y=np.zeros((n, cols)),
        patrols_y=np.zeros((n, cols)),
        days_y=np.zeros((n, cols)),
        yearly=np.zeros((len(YEARLY_KEYS), n, cols)),
        monthly=(np.empty((n, h, n_vars), np.float32) if record_monthly
                 else np.empty((0, 0, n_vars), np.float32)),
        events=(np.zeros((n, h, N_EVENT_TYPES), np.int16) if record_events
                else np.empty((0, 0, N_EVENT_TYPES), np.int16)),
    )
