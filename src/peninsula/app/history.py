"""The history view: the record (2006-2025) beside a replay ensemble of it.

The replay starts in January 2006 and is driven by the historical levers (analysis/record.py),
with the parameters drawn from their prior ranges: it is not calibrated (``peninsula
backtest`` calibrates, which takes minutes; docs/validation.md). Launches are compared year
by year with the replay's yearly fan; incidents with the replay's provocation and armed-clash
events a year (mean and 5-95% across runs).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

import peninsula.api as api
from peninsula.analysis.record import FIRST_YEAR, LAST_YEAR, history_scenario, observed
from peninsula.io.history import load_table

# observed column of the incidents table -> the replay's event type
INCIDENTS = {"provocation_incidents": "provocation", "clash_incidents": "armed_clash"}


def replay(runs: int, seed: int) -> dict:
    """Run the replay (prior parameters) and return its yearly launch fan and its yearly
    event counts per run: {"fan", "events" (type -> (runs, years) array), "runs", "seed"}."""
    sc = history_scenario()
    fan = api.fan(sc, runs=runs, seed=seed)
    events = api.run(sc, runs=runs, seed=seed, record_monthly=False).events()
    n_years = LAST_YEAR - FIRST_YEAR + 1
    counts = {}
    for kind in INCIDENTS.values():
        grid = np.zeros((runs, n_years))
        rows = events[events["event_type"] == kind]
        years = rows["date"].str[:4].astype(int).to_numpy() - FIRST_YEAR
        keep = (years >= 0) & (years < n_years)
        np.add.at(grid, (rows["run"].to_numpy()[keep], years[keep]), rows["count"].to_numpy()[keep])
        counts[kind] = grid
    return {"fan": fan, "events": counts, "runs": runs, "seed": seed}


def launches_table(result: dict) -> pd.DataFrame:
    """Year, observed missiles launched, and the replay's median and 5-95% band."""
    yearly = result["fan"]["yearly"]["dprk_launches_per_year"]["bands"]
    model = pd.DataFrame({"year": result["fan"]["years"], "replay_p05": yearly["0.05"],
                          "replay_median": yearly["0.5"], "replay_p95": yearly["0.95"]})
    obs = observed()[["year", "missiles_launched"]].rename(
        columns={"missiles_launched": "observed"})
    return obs.merge(model, on="year", how="inner")


def incidents_table(result: dict) -> pd.DataFrame:
    """Year, and for provocations and armed clashes: observed incidents, the replay's mean
    events and 5-95% band across runs."""
    inc = load_table("incidents")
    inc = inc.assign(year=inc["month"].str[:4].astype(int))
    inc = inc[(inc.year >= FIRST_YEAR) & (inc.year <= LAST_YEAR)]
    out = inc.groupby("year", as_index=False)[list(INCIDENTS)].sum()
    for column, kind in INCIDENTS.items():
        grid = result["events"][kind]
        name = kind.replace("armed_", "")
        out = out.rename(columns={column: f"{name}_observed"})
        out[f"{name}_replay_mean"] = grid.mean(axis=0)[: len(out)]
        out[f"{name}_replay_p05"] = np.quantile(grid, 0.05, axis=0)[: len(out)]
        out[f"{name}_replay_p95"] = np.quantile(grid, 0.95, axis=0)[: len(out)]
    return out


def history_figure(launches: pd.DataFrame, incidents: pd.DataFrame, runs: int, seed: int):
    """Observed against the replay: launches, provocations and clashes a year (Plotly)."""
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    panels = [("DPRK missiles launched a year", launches, "observed", "replay_median",
               "replay_p05", "replay_p95"),
              ("Provocation incidents a year", incidents, "provocation_observed",
               "provocation_replay_mean", "provocation_replay_p05", "provocation_replay_p95"),
              ("Armed-clash incidents a year", incidents, "clash_observed", "clash_replay_mean",
               "clash_replay_p05", "clash_replay_p95")]
    fig = make_subplots(rows=1, cols=3, subplot_titles=[p[0] for p in panels])
    for col, (_, table, obs, mid, lo, hi) in enumerate(panels, start=1):
        years = table["year"].tolist()
        fig.add_trace(go.Scatter(x=years + years[::-1], y=table[hi].tolist()
                                 + table[lo].tolist()[::-1], fill="toself", line={"width": 0},
                                 opacity=0.25, name="replay: 90% of runs (5th-95th percentile)",
                                 showlegend=col == 1,
                                 hoverinfo="skip"), row=1, col=col)
        fig.add_trace(go.Scatter(x=years, y=table[mid],
                                 name="replay: median (launches), mean (incidents)",
                                 line={"color": "steelblue"}, showlegend=col == 1),
                      row=1, col=col)
        fig.add_trace(go.Scatter(x=years, y=table[obs], name="observed", mode="lines+markers",
                                 line={"color": "black"}, showlegend=col == 1), row=1, col=col)
    fig.update_layout(title=f"The record against a replay with prior parameters (not calibrated); "
                            f"{runs:,} runs, seed {seed}", height=450)
    return fig


# the words of the tables' columns as the page shows them (the tables keep their names for the
# figure and the downloads); percentiles are across the replay's runs, a spread of futures
WHAT = {"provocation": "Provocations", "clash": "Armed clashes"}
PART = {"observed": "observed", "replay_mean": "replay mean", "replay_median": "replay median",
        "replay_p05": "replay 5th percentile of runs", "replay_p95": "replay 95th percentile "
                                                                   "of runs"}


def column_label(column: str) -> str:
    """A history table's column in words: 'clash_replay_p05' -> 'Armed clashes: replay 5th
    percentile of runs'; the launches table's columns are missiles launched."""
    if column == "year":
        return "Year"
    what, _, part = column.partition("_")
    if what in WHAT:
        return f"{WHAT[what]}: {PART[part]}"
    return f"Missiles launched: {PART[column]}"


def display_table(table: pd.DataFrame) -> pd.DataFrame:
    """A history table as the page shows it: columns in words, the year as text, observed
    counts whole, the replay's values with one decimal."""
    out = pd.DataFrame()
    kinds = [k for k in WHAT if any(c.startswith(f"{k}_") for c in table.columns)]
    order = [c for c in table.columns if not c.startswith(tuple(f"{k}_" for k in kinds))] + \
        [c for k in kinds for c in table.columns if c.startswith(f"{k}_")]  # kind by kind
    for column in order:
        values = table[column]
        if column == "year":
            text = values.astype(int).astype(str)
        elif column.endswith("observed"):
            text = values.map(lambda v: "-" if pd.isna(v) else f"{v:.0f}")
        else:
            text = values.map(lambda v: f"{v:.1f}")
        out[column_label(column)] = text.to_numpy()
    return out
