"""The Python API: load a scenario, run an ensemble, get tables. The CLI is a thin layer on this.

    import peninsula
    sc = peninsula.load_scenario("baseline").with_levers(exercise_intensity=2)
    ens = peninsula.run(sc, runs=2000, seed=1)
    ens.summary()["p_war"]["10"]; ens.monthly(); ens.events(); ens.to_xarray(); ens.save("out")
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from concurrent.futures import Executor
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd

from peninsula import __version__
from peninsula.analysis.metrics import summarize
from peninsula.engine.ensemble import DEFAULT_CHUNK_RUNS, run_chunks
from peninsula.engine.simulate import MONTHLY_VARS, ChunkResult
from peninsula.io import store
from peninsula.model.events import EVENT_TYPES
from peninsula.model.parameters import NAMES
from peninsula.model.setup import ModelSetup, build_setup
from peninsula.scenario.loader import Scenario, load_scenario


class Ensemble:
    """The result of ``run``: summary, runs table, monthly state, events, xarray view, save()."""

    def __init__(self, scenario: Scenario, setup: ModelSetup, result: ChunkResult):
        self.scenario, self.setup, self.result = scenario, setup, result

    @property
    def n_runs(self) -> int:
        return len(self.result.run_ids)

    @cached_property
    def _summary(self) -> dict:
        return summarize(self.result, self.setup, self.scenario.name)

    def summary(self) -> dict:
        """Outcome metrics by horizon with 90% intervals (see analysis/metrics.py)."""
        return self._summary

    def months(self) -> list[str]:
        y0, m0 = self.setup.start
        idx = m0 - 1 + np.arange(self.setup.horizon)
        return [f"{y0 + i // 12:04d}-{i % 12 + 1:02d}" for i in idx]

    def runs_table(self) -> pd.DataFrame:
        """One row per run: run id and the run's sampled parameter values."""
        df = pd.DataFrame(self.result.params, columns=list(NAMES))
        df.insert(0, "run", self.result.run_ids)
        return df

    def monthly(self, runs: slice | None = None) -> pd.DataFrame:
        """Long table: run, month index, date, then every state variable (actor and dyad).

        ``runs`` selects a slice of runs (by position) to keep memory bounded.
        """
        m = self.result.monthly
        if m is None:
            raise ValueError("monthly state was not recorded (run with record_monthly=True)")
        sel = runs or slice(None)
        m, run_ids = m[sel], self.result.run_ids[sel]
        r, h, v = m.shape
        df = pd.DataFrame(m.reshape(r * h, v), columns=list(MONTHLY_VARS))
        codes = np.tile(np.arange(h, dtype=np.int16), r)
        df.insert(0, "date", pd.Categorical.from_codes(codes, self.months()))
        df.insert(0, "month", codes)
        df.insert(0, "run", np.repeat(run_ids, h))
        df["escalation_level"] = df["escalation_level"].astype(np.int8)
        return df

    def events(self) -> pd.DataFrame:
        """Event log: run, month, date, actor, target, event type, CAMEO root, Goldstein, count."""
        ev = self.result.events
        if ev is None:
            raise ValueError("events were not recorded (run with record_events=True)")
        ri, ti, ei = np.nonzero(ev)
        ei = ei.astype(np.int8)

        def cat(attr):
            names = [getattr(e, attr) for e in EVENT_TYPES]
            uniq = sorted(set(names))
            code = np.array([uniq.index(x) for x in names], dtype=np.int8)
            return pd.Categorical.from_codes(code[ei], uniq)

        table = pd.DataFrame({
            "run": self.result.run_ids[ri],
            "month": ti.astype(np.int16),
            "date": pd.Categorical.from_codes(ti.astype(np.int16), self.months()),
            "actor": cat("actor"),
            "target": cat("target"),
            "event_type": cat("name"),
            "cameo_root": cat("cameo"),
            "goldstein": np.array([e.goldstein for e in EVENT_TYPES])[ei],
            "count": ev[ri, ti, ei].astype(np.int32),
        })
        return table

    def to_xarray(self):
        """xarray Dataset with dims (run, month) and one variable per monthly state variable."""
        import xarray as xr

        m = self.result.monthly
        if m is None:
            raise ValueError("monthly state was not recorded")
        coords = {"run": self.result.run_ids, "month": np.arange(m.shape[1]),
                  "date": ("month", self.months())}
        data = {name: (("run", "month"), m[:, :, k]) for k, name in enumerate(MONTHLY_VARS)}
        return xr.Dataset(data, coords=coords, attrs={"scenario": self.scenario.name,
                                                      "seed": self.setup.seed})

    def manifest(self, command: str | None = None) -> dict:
        return {
            "peninsula_version": __version__,
            "scenario": self.scenario.name,
            "scenario_source": self.scenario.source,
            "scenario_sha256": self.scenario.hash(),
            "seed": self.setup.seed,
            "runs": self.n_runs,
            "horizon_months": self.setup.horizon,
            "command": command if command is not None else " ".join(sys.argv),
            "files": ["runs.parquet", "monthly.parquet", "events.parquet", "summary.json",
                      "scenario.toml"],
        }

    def save(self, out_dir: str | Path, command: str | None = None) -> Path:
        """Write runs/monthly/events Parquet, summary.json, scenario.toml and manifest.json.

        Each file is written atomically; the manifest is written last, so a folder with a
        manifest holds a complete result.
        """
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        (out / "manifest.json").unlink(missing_ok=True)
        store.write_parquet(self.runs_table(), out / "runs.parquet")
        if self.result.monthly is not None:
            step = 1000
            parts = (self.monthly(slice(a, a + step)) for a in range(0, self.n_runs, step))
            store.write_parquet_stream(parts, out / "monthly.parquet")
        if self.result.events is not None:
            store.write_parquet(self.events(), out / "events.parquet")
        store.write_json(self.summary(), out / "summary.json")
        store.write_text(self.scenario.to_toml(), out / "scenario.toml")
        store.write_json(self.manifest(command), out / "manifest.json")
        return out


def run(scenario: Scenario | str = "baseline", *, runs: int | None = None, seed: int | None = None,
        horizon_months: int | None = None, workers: int = 1, executor: Executor | None = None,
        chunk_runs: int = DEFAULT_CHUNK_RUNS, record_monthly: bool = True,
        record_events: bool = True, progress: Callable[[int], None] | None = None,
        posterior: pd.DataFrame | None = None) -> Ensemble:
    """Run an ensemble of ``runs`` futures of ``scenario`` (a Scenario or a bundled name/file).

    ``posterior`` (parameter-named columns, e.g. from ``peninsula calibrate``) supplies each
    run's values of those parameters in place of their prior ranges.
    """
    sc = load_scenario(scenario) if isinstance(scenario, str | Path) else scenario
    settings = {k: v for k, v in (("runs", runs), ("seed", seed),
                                  ("horizon_months", horizon_months)) if v is not None}
    if settings:
        sc = sc.with_settings(**settings)
    setup = build_setup(sc, posterior=posterior)
    result = run_chunks(setup, sc.runs, chunk_runs=chunk_runs, executor=executor, workers=workers,
                        record_monthly=record_monthly, record_events=record_events,
                        progress=progress)
    return Ensemble(sc, setup, result)
