"""Plot a Pareto front as parallel coordinates: one line per non-dominated setting across the
levers and the objectives, each axis scaled to its range with the ends labelled in its unit."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from peninsula.analysis import registry
from peninsula.report.figures import pyplot, save_figure, write_all


def objective_label(name: str, objective: dict) -> str:
    """An objective's axis label: the metric in the registry's words, its robustness and the
    unit of the value on the axis (a probability's is a share of runs, 0-1)."""
    entry = registry.metric(name)
    unit = "share of runs" if objective["robustness"] == "satisficing" or \
        entry.is_probability else entry.unit
    sense = "max" if objective["direction"] == "maximize" else "min"
    return f"{entry.label}\n{objective['robustness']} ({sense}), {unit}"


def plot_pareto(result: dict, path: str | Path) -> Path:
    """Write the parallel-coordinates figure of ``result`` (analysis/pareto.py) as an image
    (PNG by the file's extension), stamped with the scenario, runs and seed."""
    return save_figure(_matplotlib(result), path)


def plot_pareto_all(result: dict, stem: str | Path) -> list[Path]:
    """The parallel-coordinates figure as PNG, SVG and interactive HTML (Plotly's parcoords:
    drag along an axis to filter the settings)."""
    import plotly.graph_objects as go

    axes = _axes(result)
    rows = result["pareto"]
    dims = [{"label": label.replace("\n", " "), "values": [_value(r, k) for r in rows],
             **({"range": [lo, hi]} if lo is not None else {})} for k, label, lo, hi in axes]
    first = len(result["levers"])
    fig = go.Figure(go.Parcoords(line={"color": dims[first]["values"] if len(dims) > first
                                       else None, "colorscale": "Viridis"}, dimensions=dims))
    fig.update_layout(title=_title(result).replace("\n", "; "))
    return write_all(_matplotlib(result), fig, stem)


def _value(row: dict, key: str) -> float:
    return row["levers"][key] if key in row["levers"] else row["objectives"][key]


def _axes(result: dict) -> list[tuple]:
    """(key, label, low, high) per axis: the levers with their ranges, then the objectives."""
    return ([(k, f"{registry.label(k, unit=False)}\nlever, {lo:g}-{hi:g}", lo, hi)
             for k, (lo, hi) in result["levers"].items()]
            + [(n, objective_label(n, o), None, None) for n, o in result["objectives"].items()])


def _title(result: dict) -> str:
    return (f"Pareto front of {len(result['pareto'])} lever settings ({result['algorithm']}, "
            f"{result['generations']} generations of {result['population']})\n"
            f"scenario {result['scenario']}, {result['runs']:,} runs per setting, seed "
            f"{result['seed']}; common random numbers")


def _matplotlib(result: dict):
    plt = pyplot()
    levers, rows = result["levers"], result["pareto"]
    axes = _axes(result)
    values = np.array([[r["levers"][k] if k in levers else r["objectives"][k]
                        for k, *_ in axes] for r in rows], dtype=float).reshape(len(rows),
                                                                                len(axes))
    low = np.array([lo if lo is not None else values[:, j].min(initial=np.inf)
                    for j, (_, _, lo, _) in enumerate(axes)])
    high = np.array([hi if hi is not None else values[:, j].max(initial=-np.inf)
                     for j, (_, _, _, hi) in enumerate(axes)])
    span = np.where(high > low, high - low, 1.0)
    scaled = (values - low) / span
    fig, ax = plt.subplots(figsize=(1.9 * len(axes) + 1.5, 4.8), dpi=120)
    colour = plt.get_cmap("viridis")(np.linspace(0, 1, max(len(rows), 1)))
    first = len(levers)  # colour by the first objective's rank
    order = np.argsort(np.argsort(values[:, first])) if len(rows) else []
    for i, line in enumerate(scaled):
        ax.plot(range(len(axes)), line, color=colour[order[i]], lw=1.4, alpha=0.8,
                marker="o", ms=3)
    for j in range(len(axes)):
        ax.axvline(j, color="0.6", lw=0.8)
        ax.text(j, -0.04, f"{low[j]:.3g}", ha="center", va="top", fontsize=7)
        ax.text(j, 1.04, f"{high[j]:.3g}", ha="center", va="bottom", fontsize=7)
    ax.set_xticks(range(len(axes)), [label for _, label, *_ in axes], fontsize=7)
    ax.set_yticks([])
    ax.set_ylim(-0.12, 1.12)
    ax.set_ylabel("each axis scaled to its range (ends labelled)", fontsize=8)
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    ax.set_title(_title(result), fontsize=10)
    return fig
