"""Turn a validated scenario into the plain arrays the engine needs (picklable, no I/O)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from peninsula.model.actors import ACTORS, N_ACTORS
from peninsula.model.levers import CHANNELS, LeverPlan, build_plan
from peninsula.model.reference import reference_inputs
from peninsula.scenario import calibrated
from peninsula.scenario.parameters import BY_NAME, NAMES


@dataclass(frozen=True)
class ModelSetup:
    """Everything a chunk of runs needs: starting state, lever plan, parameter specs, switches."""

    horizon: int
    start: tuple[int, int]
    seed: int
    plan: LeverPlan
    spending0: np.ndarray  # USD bn/yr (6,)
    growth: np.ndarray  # real trend growth, fraction/yr (6,)
    gdp0: np.ndarray  # USD bn (6,)
    trade_exposure: np.ndarray  # % GDP (6,)
    theatre: np.ndarray  # (6,)
    posture0: np.ndarray  # (6,)
    nuclear0: float  # DPRK warhead-equivalents at start
    trust0: np.ndarray  # (6, 6)
    state0: dict
    param_low: np.ndarray  # (P,) in NAMES order
    param_mode: np.ndarray
    param_high: np.ndarray
    param_dist: tuple[str, ...]
    sample_parameters: bool
    flags: dict
    metrics: dict
    posterior: np.ndarray | None = None  # (draws, k) parameter sets replacing sampled values
    posterior_columns: tuple[int, ...] = ()  # their positions in NAMES
    kernel: str = "auto"  # 'auto' or 'numba': compiled kernel; 'python' (or 'numpy'): uncompiled
    # the posture at which the model rests (model/reference.py; today's unless set otherwise)
    reference: dict = field(default_factory=reference_inputs)
    # explain.py: the counterfactual lever plan and, per channel (levers.CHANNELS), whether the
    # channel reads it instead of ``plan``; no counterfactual and every view off in a plain run
    counterfactual: LeverPlan | None = None
    views: dict = field(default_factory=lambda: dict.fromkeys(CHANNELS, False))

    @property
    def n_years(self) -> int:
        return self.horizon // 12


KERNELS = ("auto", "numba", "python", "numpy")  # "numpy": the former name of "python"


def posterior_values(posterior, source: str = "posterior") -> tuple[np.ndarray, tuple[int, ...]]:
    """The parameter columns of a posterior table as (draws x k values, their NAMES positions).

    Raises ValueError naming ``source``, the column and the allowed range when the table has no
    rows or no parameter columns, or a parameter column holds text, a missing or infinite
    value, or a value outside the parameter's limits (what its equation can take).
    """
    names = [c for c in posterior.columns if c in NAMES]
    if not names or len(posterior) == 0:
        raise ValueError(f"{source}: no rows, or no columns named after model parameters "
                         "(see 'peninsula parameters')")
    for name in names:
        col = posterior[name]
        kind = np.asarray(col).dtype.kind
        if kind not in "iuf":  # not bools, text, dates or objects, even if they would convert
            raise ValueError(f"{source}: column {name!r} must hold numbers, not "
                             f"{col.dtype} values such as {col.iloc[0]!r}")
        values = np.asarray(col, dtype=float)
        bad = ~np.isfinite(values)
        if bad.any():
            raise ValueError(f"{source}: column {name!r} has {int(bad.sum())} missing or "
                             f"infinite value(s), first at row {int(np.argmax(bad)) + 1}")
        lo, hi = BY_NAME[name].limits
        out = (values < lo) | (values > hi)
        if out.any():
            raise ValueError(f"{source}: column {name!r} has {int(out.sum())} value(s) outside "
                             f"its limits [{lo:g}, {hi:g}] (from {values.min():g} to "
                             f"{values.max():g})")
    return (posterior[names].to_numpy(dtype=float), tuple(NAMES.index(c) for c in names))


def build_setup(scenario, posterior=None, kernel: str = "auto") -> ModelSetup:
    """Compile a ``Scenario`` into a ``ModelSetup``.

    ``posterior`` (a DataFrame whose columns are parameter names, e.g. from calibration) gives
    parameter sets; each run draws one of its rows, replacing those parameters' sampled values.
    Without one, a sampled scenario uses the bundled calibrated posterior (scenario/
    calibrated.py) unless its ``[scenario] parameters`` is "prior".
    ``kernel`` chooses how months are stepped (engine/simulate.py); results agree between
    kernels to a last-bit tolerance and are bit-identical for one kernel on one CPU family.
    """
    if kernel not in KERNELS:
        raise ValueError(f"kernel must be one of {', '.join(KERNELS)}, not {kernel!r}")
    post_values, post_cols = None, ()
    if posterior is not None:
        post_values, post_cols = posterior_values(posterior)
    else:  # the bundled calibrated posterior, unless the scenario asks for the priors
        post_values, post_cols = calibrated.for_scenario(scenario.doc)
    doc = scenario.doc
    actors = doc["actors"]

    def col(key):
        return np.array([float(actors[a][key]) for a in ACTORS])

    trust = np.full((N_ACTORS, N_ACTORS), 0.5)
    for i, a in enumerate(ACTORS):
        for j, b in enumerate(ACTORS):
            trust[i, j] = 1.0 if i == j else float(actors[a]["trust"].get(b, 0.5))
    params = doc["parameters"]
    return ModelSetup(
        horizon=scenario.horizon_months,
        start=scenario.start,
        seed=scenario.seed,
        plan=build_plan(doc["levers"], scenario.start, scenario.horizon_months),
        spending0=col("defence_spending_usd_bn"),
        growth=col("defence_growth_pct_per_year") / 100.0,
        gdp0=col("gdp_usd_bn"),
        trade_exposure=col("trade_with_rivals_pct_gdp"),
        theatre=col("theatre_share"),
        posture0=col("offensive_posture"),
        nuclear0=max(float(actors["PRK"]["nuclear_capability"]), 1.0),
        trust0=trust,
        state0=dict(doc["state"]),
        param_low=np.array([params[n]["range"][0] for n in NAMES]),
        param_mode=np.array([params[n]["value"] for n in NAMES]),
        param_high=np.array([params[n]["range"][1] for n in NAMES]),
        param_dist=tuple(params[n]["distribution"] for n in NAMES),
        sample_parameters=bool(doc["scenario"]["sample_parameters"]),
        flags=dict(doc["mechanisms"]),
        metrics=dict(doc["metrics"]),
        posterior=post_values,
        posterior_columns=post_cols,
        kernel=kernel,
    )
