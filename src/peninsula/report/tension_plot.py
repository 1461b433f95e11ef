"""Simulated and real dyadic tension on one plot (both CAMEO-coded, Goldstein-weighted).

Each month's tension is the mean Goldstein weight of DPRK <-> US/ROK/Japan events, negated
(higher = more conflictual), for the real table from ``peninsula events ingest`` and for a run
folder's simulated event log (averaged over runs, each event weighted by its count).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from peninsula.report.figures import pyplot, save_figure

ALLIES = ("USA", "ROK", "JPN")


def _peninsula_dyads(df: pd.DataFrame) -> pd.DataFrame:
    a, t = df["actor"].astype(str), df["target"].astype(str)
    return df[((a == "PRK") & t.isin(ALLIES)) | (a.isin(ALLIES) & (t == "PRK"))]


def real_tension(dyads: pd.DataFrame) -> pd.Series:
    d = _peninsula_dyads(dyads).groupby("month")[["net_goldstein", "events"]].sum()
    return -(d["net_goldstein"] / d["events"])


def simulated_tension(events: pd.DataFrame) -> pd.Series:
    e = _peninsula_dyads(events).copy()
    e["weighted"] = e["goldstein"] * e["count"]
    d = e.groupby(e["date"].astype(str))[["weighted", "count"]].sum()
    return -(d["weighted"] / d["count"])


def plot_tension(events_table: str | Path, run_dir: str | Path, path: str | Path) -> Path:
    plt = pyplot()
    real = real_tension(pd.read_parquet(events_table))
    sim = simulated_tension(pd.read_parquet(Path(run_dir) / "events.parquet"))
    fig, ax = plt.subplots(figsize=(9, 4), dpi=120)
    ax.plot(pd.PeriodIndex(real.index, freq="M").to_timestamp(), real.values, color="black",
            marker="s", ms=3, label="real events (GDELT/ICEWS)")
    ax.plot(pd.PeriodIndex(sim.index, freq="M").to_timestamp(), sim.values, color="tab:red",
            marker="o", ms=2, label="simulated events (mean over runs)")
    ax.set_ylabel("tension: -mean Goldstein, DPRK <-> US/ROK/JPN")
    ax.legend(fontsize=8)
    return save_figure(fig, path)
