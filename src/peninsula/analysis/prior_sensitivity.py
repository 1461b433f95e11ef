"""Prior sensitivity of the ladder's joint calibration: how the war probability moves when each
prior is widened.

The escalation ladder's hazards (backtest.LADDER) are fitted jointly with the launch process to
the record (backtest.calibrate with ``ladder=True``: yearly launches and launch days, and the
years with an armed clash and with a war in the coded incident series). The record holds few
clashes and no war, so the posterior of a hazard may be little more than its prior; this check
says how much the headline answer rests on each prior. For the base priors and for each ladder
parameter in turn with its prior widened (backtest.widened: a hazard's [a, b] to [a / 2, 2 b], the
launch share's prior is already the whole of [0, 1]), then with every hazard's prior wide at once
(backtest.WIDE_PRIORS, the row ALL_WIDE), it refits, then runs the baseline scenario with the
posterior and
reports the posterior median of every ladder parameter and P(clash) and P(war) at the
scenario's longest horizon, with their 90% Wilson intervals.
"""

from __future__ import annotations

from collections.abc import Callable

from peninsula.analysis.backtest import LADDER, WIDE_PRIORS, calibrate, prior_box, widened
from peninsula.analysis.metrics import per_run_at, wilson_interval
from peninsula.analysis.record import LAST_YEAR
from peninsula.engine.ensemble import run_chunks
from peninsula.engine.execution import Execution, execution_of
from peninsula.model.setup import build_setup
from peninsula.scenario.loader import load_scenario

ALL_WIDE = "all hazards (wide)"


def prior_sensitivity(draws: int = 5000, runs: int = 4000, seed: int = 1, workers: int = 1,
                      train_until: int = LAST_YEAR, scenario: str = "baseline",
                      progress: Callable[[str], None] | None = None, *,
                      execution: Execution | None = None) -> dict:
    """{"train_until", "draws", "runs", "scenario", "horizon_years", "rows": [{"widened",
    "prior", "posterior_median", "p_clash", "p_war", "p_war_90"}...]} (module docstring).
    ``execution`` (an ``Execution``) says how to run every ensemble, in place of ``workers``."""
    with execution_of(execution, workers=workers).running() as how:
        return _prior_sensitivity(draws, runs, seed, train_until, scenario, progress, how)


def _prior_sensitivity(draws: int, runs: int, seed: int, train_until: int, scenario: str,
                       progress: Callable[[str], None] | None, how: Execution) -> dict:
    """prior_sensitivity on ``how``'s opened executor."""
    sc = load_scenario(scenario).with_settings(seed=seed)
    horizon = max(1, min(sc.horizon_months // 12, max(sc.doc["metrics"]["horizons_years"])))
    rows = []
    widenable = [n for n in LADDER if widened(n) != tuple(float(x[0]) for x in prior_box((n,)))]
    for name in (None, *widenable, ALL_WIDE):
        ranges = ({} if name is None else WIDE_PRIORS if name == ALL_WIDE
                  else {name: widened(name)})
        if progress:
            progress(f"prior sensitivity: {name or 'base priors'}")
        post = calibrate(train_until, draws, seed=seed, ladder=True, ranges=ranges,
                         execution=how)
        setup = build_setup(sc, posterior=post[[c for c in post.columns if c != "distance"]],
                            kernel=how.kernel)
        v = per_run_at(run_chunks(setup, runs, record_monthly=False, record_events=False,
                                  compact=True, **how.ensemble_keywords()), horizon)
        k_war = int(v["war"].sum())
        rows.append({
            "widened": name,
            "prior": post.attrs["prior"][name] if name in LADDER else None,
            "posterior_median": {n: float(post[n].median()) for n in LADDER},
            "p_clash": float(v["clash"].mean()),
            "p_war": k_war / runs,
            "p_war_90": [float(x) for x in wilson_interval(k_war, runs)],
        })
    return {"train_until": train_until, "draws": draws, "runs": runs, "scenario": scenario,
            "horizon_years": int(horizon), "rows": rows}
