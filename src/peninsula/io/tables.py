"""Result tables built from a chunk's arrays: runs, monthly state, events, per-run outcomes.

Used both for an in-memory ensemble (``Ensemble``) and for the Parquet parts each worker writes
when a run goes to a folder; ``outcomes_table`` / ``result_from_outcomes`` round-trip the per-run
outcomes so a summary can be rebuilt from parts without the monthly table.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from peninsula.io.results import FIRST_KEYS, MONTHLY_VARS, NEVER, ChunkResult
from peninsula.model.events import EVENT_TYPES
from peninsula.scenario.parameters import NAMES

RESULT_FILES = ("runs.parquet", "monthly.parquet", "events.parquet", "summary.json",
                "scenario.toml")  # a run's result folder, besides the manifest
MANIFEST = "manifest.json"  # written last: a folder with a manifest holds a complete result
SWEEP_PLAN = "sweep-plan.json"  # a sweep's resume plan, in the sweep's folder
YEARLY_SERIES = ("launches_by_year", "patrols_by_year", "launch_days_by_year")


def month_labels(setup) -> list[str]:
    y0, m0 = setup.start
    idx = m0 - 1 + np.arange(setup.horizon)
    return [f"{y0 + i // 12:04d}-{i % 12 + 1:02d}" for i in idx]


def runs_table(result: ChunkResult) -> pd.DataFrame:
    """One row per run: run id and the run's sampled parameter values (none for a compact
    result, which keeps outcomes only)."""
    if result.params is None:
        return pd.DataFrame({"run": result.run_ids})
    df = pd.DataFrame(result.params, columns=list(NAMES))
    df.insert(0, "run", result.run_ids)
    return df


def monthly_table(result: ChunkResult, setup, runs: slice | None = None) -> pd.DataFrame:
    """Long table: run, month index, date, then every state variable (actor and dyad)."""
    m = result.monthly
    if m is None:
        raise ValueError("monthly state was not recorded (run with record_monthly=True)")
    sel = runs or slice(None)
    m, run_ids = m[sel], result.run_ids[sel]
    r, h, v = m.shape
    df = pd.DataFrame(m.reshape(r * h, v), columns=list(MONTHLY_VARS))
    codes = np.tile(np.arange(h, dtype=np.int16), r)
    df.insert(0, "date", pd.Categorical.from_codes(codes, month_labels(setup)))
    df.insert(0, "month", codes)
    df.insert(0, "run", np.repeat(run_ids, h))
    df["escalation_level"] = df["escalation_level"].astype(np.int8)
    return df


def events_table(result: ChunkResult, setup) -> pd.DataFrame:
    """Event log: run, month, date, actor, target, event type, CAMEO root, Goldstein, count."""
    ev = result.events
    if ev is None:
        raise ValueError("events were not recorded (run with record_events=True)")
    ri, ti, ei = np.nonzero(ev)
    ei = ei.astype(np.int8)

    def cat(attr):
        names = [getattr(e, attr) for e in EVENT_TYPES]
        uniq = sorted(set(names))
        code = np.array([uniq.index(x) for x in names], dtype=np.int8)
        return pd.Categorical.from_codes(code[ei], uniq)

    return pd.DataFrame({
        "run": result.run_ids[ri],
        "month": ti.astype(np.int16),
        "date": pd.Categorical.from_codes(ti.astype(np.int16), month_labels(setup)),
        "actor": cat("actor"),
        "target": cat("target"),
        "event_type": cat("name"),
        "cameo_root": cat("cameo"),
        "goldstein": np.array([e.goldstein for e in EVENT_TYPES])[ei],
        "count": ev[ri, ti, ei].astype(np.int32),
    })


def outcomes_table(result: ChunkResult) -> pd.DataFrame:
    """Per-run outcomes: first months of clash/war/nuclear use and the yearly series."""
    cols: dict[str, np.ndarray] = {"run": result.run_ids}
    for key in FIRST_KEYS:
        cols[f"first_{key}"] = result.first_month[key]
    for series in YEARLY_SERIES:
        arr = getattr(result, series)
        for y in range(arr.shape[1]):
            cols[f"{series}_{y}"] = arr[:, y]
    for name, arr in result.yearly.items():
        for y in range(arr.shape[1]):
            cols[f"yearly_{name}_{y}"] = arr[:, y]
    return pd.DataFrame(cols)


def result_from_outcomes(outcomes: pd.DataFrame, params: np.ndarray) -> ChunkResult:
    """Rebuild a ChunkResult (without monthly records or events) from an outcomes table."""
    def block(prefix: str) -> np.ndarray:
        # exact match on PREFIX<year>: "gdp_loss_pct_" must not pick up "gdp_loss_pct_ROK_"
        names = [c for c in outcomes.columns
                 if c.startswith(prefix) and c[len(prefix):].isdigit()]
        names.sort(key=lambda c: int(c[len(prefix):]))
        return outcomes[names].to_numpy(dtype=float)

    yearly_names = sorted({c[len("yearly_"):].rsplit("_", 1)[0] for c in outcomes.columns
                           if c.startswith("yearly_")})
    return ChunkResult(
        run_ids=outcomes["run"].to_numpy(dtype=np.int64),
        params=params,
        first_month={k: outcomes[f"first_{k}"].to_numpy(dtype=np.int32) for k in FIRST_KEYS},
        launches_by_year=block("launches_by_year_"),
        patrols_by_year=block("patrols_by_year_"),
        launch_days_by_year=block("launch_days_by_year_"),
        yearly={n: block(f"yearly_{n}_") for n in yearly_names},
        monthly=None,
        events=None,
    )


__all__ = ["MANIFEST", "NEVER", "RESULT_FILES", "SWEEP_PLAN", "events_table", "month_labels", "monthly_table",
           "outcomes_table", "result_from_outcomes", "runs_table"]
