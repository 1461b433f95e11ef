"""Sweep curves with bands and the PRIM trade-off with its box, as PNG, SVG and HTML.

Sweep: a metric against one design column, one line per value of another (e.g. exercise
intensity with and without a strategy), with a 90% band of the Monte Carlo error (mean +- 1.645
standard errors of the sweep's table). PRIM: the coverage-density trade-off of the peeling
trajectory (the number of limits by colour, the chosen box marked) and the chosen box's limits
drawn on each parameter's prior range.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from peninsula.analysis.metrics import Z90
from peninsula.report.figures import pyplot, stamp, write_all
from peninsula.scenario.parameters import BY_NAME


def sweep_series(table: pd.DataFrame, x: str, y: str, by: list[str] | None) -> dict:
    """{group label: (x values, means, lows, highs)} of a sweep table (90% bands), one group
    per combination of the ``by`` columns' values."""
    by = list(by or [])
    missing = [c for c in (x, y, f"{y}_se", *by) if c not in table.columns]
    if missing:
        raise ValueError(f"the sweep table has no column {', '.join(missing)} (columns: "
                         f"{', '.join(c for c in table.columns if not c.endswith('_se'))})")
    groups = [((), table)] if not by else list(table.groupby(by, sort=True))
    out = {}
    for key, g in groups:
        g = g.sort_values(x)
        half = Z90 * g[f"{y}_se"]
        values = key if isinstance(key, tuple) else (key,)
        label = ", ".join(f"{c.removeprefix('levers.')} = {v:g}"
                          for c, v in zip(by, values, strict=True)) or "all points"
        out[label] = (g[x].tolist(), g[y].tolist(), (g[y] - half).tolist(),
                      (g[y] + half).tolist())
    return out


def plot_sweep(table: pd.DataFrame, x: str, y: str, by: list[str] | None, stem: str | Path,
               provenance: str) -> list[Path]:
    """Write the sweep curve(s) of metric ``y`` against ``x`` (one line per combination of the
    ``by`` columns' values)."""
    import plotly.graph_objects as go

    series = sweep_series(table, x, y, by)
    title = f"{y} against {x} (90% Monte Carlo band; {provenance})"
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(7, 4.5), dpi=120)
    pfig = go.Figure()
    for label, (xs, mean, lo, hi) in series.items():
        line = ax.plot(xs, mean, marker="o", label=label)[0]
        ax.fill_between(xs, lo, hi, alpha=0.2, color=line.get_color())
        pfig.add_trace(go.Scatter(x=xs + xs[::-1], y=hi + lo[::-1], fill="toself",
                                  line={"width": 0}, showlegend=False, hoverinfo="skip",
                                  opacity=0.2))
        pfig.add_trace(go.Scatter(x=xs, y=mean, mode="lines+markers", name=label))
    ax.set_xlabel(x)
    ax.set_ylabel(y)
    ax.set_title(title, fontsize=9)
    ax.legend(fontsize=8)
    pfig.update_layout(title=title, xaxis_title=x, yaxis_title=y)
    return write_all(fig, pfig, stem)


def plot_discovery(result: dict, stem: str | Path) -> list[Path]:
    """Write PRIM's trade-off curve and the chosen box (``discover --json``'s result)."""
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    traj, box = result["trajectory"], result["box"]
    provenance = stamp(result["scenario"], result["runs"], result["seed"],
                       ", ".join(result.get("policy") or []) or None)
    title = (f"Where '{result['outcome']}' happens: PRIM (base rate "
             f"{100 * result['base_rate']:.1f}%; {provenance})")
    limits = box["limits"]
    names = list(limits)
    plt = pyplot()
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(12, 4.8), dpi=120)
    sc = a1.scatter([t["coverage"] for t in traj], [t["density"] for t in traj],
                    c=[t["res_dim"] for t in traj], cmap="viridis", s=14)
    fig.colorbar(sc, ax=a1, label="limits in the box")
    a1.scatter([box["coverage"]], [box["density"]], marker="*", s=160, color="red",
               label="chosen box")
    a1.set_xlabel("coverage (share of the outcomes in the box)")
    a1.set_ylabel("density (share of the box's runs with the outcome)")
    a1.legend(fontsize=8)
    a1.set_title("Coverage-density trade-off", fontsize=10)
    rows = []
    for i, name in enumerate(names):
        lo, hi = limits[name]
        p = BY_NAME.get(name)
        full = (p.low, p.high) if p is not None else (lo, hi)
        width = (full[1] - full[0]) or 1.0
        a, b = (lo - full[0]) / width, (hi - full[0]) / width
        rows.append((name, a, b, lo, hi))
        a2.barh(i, 1.0, color="0.9")
        a2.barh(i, b - a, left=a, color="tab:red", alpha=0.7)
        a2.text(1.01, i, f"{lo:.3g} - {hi:.3g}", va="center", fontsize=7)
    a2.set_yticks(range(len(names)), names, fontsize=7)
    a2.set_xlim(0, 1.25)
    a2.set_xlabel("position in the parameter's prior range (0 = low end, 1 = high end)")
    a2.set_title(f"The chosen box: coverage {box['coverage']:.2f}, density {box['density']:.2f}"
                 + ("" if names else " (no limit is significant)"), fontsize=10)
    fig.suptitle(title, fontsize=10)
    pfig = make_subplots(rows=1, cols=2, subplot_titles=("Coverage-density trade-off",
                                                         "The chosen box (prior range = 0..1)"))
    pfig.add_trace(go.Scatter(x=[t["coverage"] for t in traj], y=[t["density"] for t in traj],
                              mode="markers", name="trajectory",
                              text=[f"{t['res_dim']} limits" for t in traj]), row=1, col=1)
    pfig.add_trace(go.Scatter(x=[box["coverage"]], y=[box["density"]], mode="markers",
                              marker={"symbol": "star", "size": 14}, name="chosen box"),
                   row=1, col=1)
    for name, a, b, lo, hi in rows:
        pfig.add_trace(go.Bar(y=[name], x=[b - a], base=[a], orientation="h", showlegend=False,
                              text=[f"{lo:.3g} - {hi:.3g}"]), row=1, col=2)
    pfig.update_layout(title=title)
    return write_all(fig, pfig, stem)
