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

from peninsula.analysis import registry
from peninsula.analysis.metrics import Z90
from peninsula.report.figures import pyplot, stamp, write_all
from peninsula.scenario.parameters import BY_NAME

COVERAGE, DENSITY = registry.statistic("coverage"), registry.statistic("density")
TRADE_OFF = f"{COVERAGE.label}-{DENSITY.symbol} trade-off"


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
        label = ", ".join(v if isinstance(v, str) else f"{registry.label(c, unit=False)} = {v:g}"
                          for c, v in zip(by, values, strict=True)) or "all points"
        scale = _scale(y)  # probabilities in percent, as every face shows them
        out[label] = (g[x].tolist(), (scale * g[y]).tolist(), (scale * (g[y] - half)).tolist(),
                      (scale * (g[y] + half)).tolist())
    return out


def _scale(column: str) -> float:
    """100 for a probability's column (shown in percent), 1 otherwise."""
    try:
        return 100.0 if registry.metric(column).is_probability else 1.0
    except KeyError:
        return 1.0


def axis_label(column: str) -> str:
    """A sweep column in the registry's words with its unit (a design column in words)."""
    return registry.label(column)


def sweep_title(x: str, y: str, provenance: str) -> str:
    return (f"{registry.label(y, unit=False)} against {registry.label(x, unit=False)} "
            f"(90% Monte Carlo band; {provenance})")


def sweep_figure(table: pd.DataFrame, x: str, y: str, by: list[str] | None, provenance: str):
    """The sweep curve(s) as an interactive Plotly figure (the HTML file's and the
    dashboard's): one line per combination of the ``by`` columns' values, 90% bands."""
    import plotly.graph_objects as go

    pfig = go.Figure()
    for label, (xs, mean, lo, hi) in sweep_series(table, x, y, by).items():
        pfig.add_trace(go.Scatter(x=xs + xs[::-1], y=hi + lo[::-1], fill="toself",
                                  line={"width": 0}, showlegend=False, hoverinfo="skip",
                                  opacity=0.2))
        pfig.add_trace(go.Scatter(x=xs, y=mean, mode="lines+markers", name=label))
    pfig.update_layout(title=sweep_title(x, y, provenance), xaxis_title=axis_label(x),
                       yaxis_title=axis_label(y))
    return pfig


def plot_sweep(table: pd.DataFrame, x: str, y: str, by: list[str] | None, stem: str | Path,
               provenance: str) -> list[Path]:
    """Write the sweep curve(s) of metric ``y`` against ``x`` (one line per combination of the
    ``by`` columns' values)."""
    series = sweep_series(table, x, y, by)
    title = sweep_title(x, y, provenance)
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(7, 4.5), dpi=120)
    for label, (xs, mean, lo, hi) in series.items():
        line = ax.plot(xs, mean, marker="o", label=label)[0]
        ax.fill_between(xs, lo, hi, alpha=0.2, color=line.get_color())
    ax.set_xlabel(axis_label(x))
    ax.set_ylabel(axis_label(y))
    ax.set_title(title, fontsize=9)
    ax.legend(fontsize=8)
    return write_all(fig, sweep_figure(table, x, y, by, provenance), stem)


def discovery_title(result: dict) -> str:
    provenance = stamp(result["scenario"], result["runs"], result["seed"],
                       ", ".join(result.get("policy") or []) or None)
    return (f"Where '{result['outcome']}' happens: PRIM (base rate "
            f"{100 * result['base_rate']:.1f}%; {provenance})")


def box_rows(result: dict) -> list[tuple[str, float, float, float, float]]:
    """(parameter, box start and end as shares of its prior range, box low, box high)."""
    rows = []
    for name, (lo, hi) in result["box"]["limits"].items():
        p = BY_NAME.get(name)
        full = (p.low, p.high) if p is not None else (lo, hi)
        width = (full[1] - full[0]) or 1.0
        rows.append((name, (lo - full[0]) / width, (hi - full[0]) / width, lo, hi))
    return rows


def discovery_figure(result: dict):
    """PRIM's trade-off and the chosen box as an interactive Plotly figure (``api.discover``'s
    result): the HTML file's figure and the dashboard's."""
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    traj, box = result["trajectory"], result["box"]
    pfig = make_subplots(rows=1, cols=2, subplot_titles=(TRADE_OFF,
                                                         "The chosen box (prior range = 0..1)"))
    pfig.add_trace(go.Scatter(x=[t["coverage"] for t in traj], y=[t["density"] for t in traj],
                              mode="markers", name="trajectory",
                              text=[f"{t['res_dim']} limits" for t in traj]), row=1, col=1)
    pfig.add_trace(go.Scatter(x=[box["coverage"]], y=[box["density"]], mode="markers",
                              marker={"symbol": "star", "size": 14}, name="chosen box"),
                   row=1, col=1)
    for name, a, b, lo, hi in box_rows(result):
        pfig.add_trace(go.Bar(y=[name], x=[b - a], base=[a], orientation="h", showlegend=False,
                              text=[f"{lo:.3g} - {hi:.3g}"]), row=1, col=2)
    pfig.update_layout(title={"text": discovery_title(result), "font": {"size": 12}})
    pfig.update_xaxes(title_text=COVERAGE.explained, row=1, col=1)
    pfig.update_yaxes(title_text=DENSITY.explained, row=1, col=1)
    pfig.update_xaxes(title_text="position in the prior range (0 low end, 1 high end)",
                      range=[0, 1], row=1, col=2)
    return pfig


def plot_discovery(result: dict, stem: str | Path) -> list[Path]:
    """Write PRIM's trade-off curve and the chosen box (``discover --json``'s result)."""
    traj, box = result["trajectory"], result["box"]
    rows = box_rows(result)
    plt = pyplot()
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(12, 4.8), dpi=120)
    sc = a1.scatter([t["coverage"] for t in traj], [t["density"] for t in traj],
                    c=[t["res_dim"] for t in traj], cmap="viridis", s=14)
    fig.colorbar(sc, ax=a1, label="limits in the box")
    a1.scatter([box["coverage"]], [box["density"]], marker="*", s=160, color="red",
               label="chosen box")
    a1.set_xlabel(COVERAGE.explained)
    a1.set_ylabel(DENSITY.explained)
    a1.legend(fontsize=8)
    a1.set_title(TRADE_OFF, fontsize=10)
    for i, (_, a, b, lo, hi) in enumerate(rows):
        a2.barh(i, 1.0, color="0.9")
        a2.barh(i, b - a, left=a, color="tab:red", alpha=0.7)
        a2.text(1.01, i, f"{lo:.3g} - {hi:.3g}", va="center", fontsize=7)
    a2.set_yticks(range(len(rows)), [r[0] for r in rows], fontsize=7)
    a2.set_xlim(0, 1.25)
    a2.set_xlabel("position in the parameter's prior range (0 = low end, 1 = high end)")
    a2.set_title(f"The chosen box: {COVERAGE.symbol} {box['coverage']:.2f}, "
                 f"{DENSITY.symbol} {box['density']:.2f}"
                 + ("" if rows else " (no limit is significant)"), fontsize=10)
    fig.suptitle(discovery_title(result), fontsize=10)
    return write_all(fig, discovery_figure(result), stem)
