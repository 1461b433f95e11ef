"""Plot a sensitivity study: the main index of each factor with its 95% interval, per metric.

Metrics, indices and their units are worded by the registry (analysis/registry.py)."""

from __future__ import annotations

from pathlib import Path

from peninsula.analysis import registry as REG
from peninsula.analysis.sensitivity import MAIN_INDEX
from peninsula.analysis.sensitivity_methods import method_of
from peninsula.report.figures import pyplot, save_figure, write_all

# the index drawn per method and its axis label (the registry's words and unit)
BARS = {method: (key, REG.statistic(key).with_unit()) for method, key in MAIN_INDEX.items()}


def bar_label(key: str) -> str:
    """The legend entry of an index's bars with their intervals: 'Total-effect index (ST)
    ± 95%'."""
    return f"{REG.statistic(key).named} {REG.CONFIDENCE_LABEL}"


def metric_title(name: str) -> str:
    """A panel's title: the metric's label ('P(war or worse) within 10 years'); a name the
    registry does not know (a label already, as the brief passes them) as it is."""
    try:
        return REG.metric(name).label
    except KeyError:
        return name


def plot_sensitivity(result, path: str | Path, *, scenario: str, runs: int, seed: int,
                     top: int = 10) -> Path:
    """Write a tornado chart: per metric, the ``top`` factors' main index as horizontal bars
    with 95% intervals, largest on top (Sobol also shows S1 as a thin bar); titled with the
    method and stamped with the scenario, runs and seed so the figure can be reproduced."""
    return save_figure(_matplotlib(result, scenario, runs, seed, top), path)


def plot_sensitivity_all(result, stem: str | Path, *, scenario: str, runs: int, seed: int,
                         top: int = 10) -> list[Path]:
    """The tornado chart as PNG, SVG and interactive HTML."""
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    key, label = BARS[result.method]
    metrics = list(dict.fromkeys(result.indices["metric"]))
    fig = make_subplots(rows=len(metrics), cols=1,
                        subplot_titles=[metric_title(m) for m in metrics])
    for row, m in enumerate(metrics, start=1):
        part = _leaders(result, m, key, top)
        fig.add_trace(go.Bar(x=part[key], y=[f.removeprefix("parameters.")
                                             for f in part["factor"]],
                             orientation="h", name=bar_label(key),
                             error_x={"type": "data", "array": part[f"{key}_conf"]}),
                      row=row, col=1)
        fig.update_xaxes(title_text=label, row=row, col=1)
    fig.update_layout(title=_title(result, scenario, runs, seed).replace("\n", "; "),
                      height=300 + 28 * top * len(metrics), showlegend=False)
    return write_all(_matplotlib(result, scenario, runs, seed, top), fig, stem)


def _leaders(result, metric: str, key: str, top: int):
    """The ``top`` factors of a metric by the main index, smallest first (drawn bottom up)."""
    part = result.indices[result.indices.metric == metric].sort_values(key, ascending=False)
    return part.head(top).iloc[::-1]


def _title(result, scenario: str, runs: int, seed: int) -> str:
    method = method_of(result.method)
    per = "" if method.given_data else " per point"
    return f"Sensitivity: {method.title}\nscenario {scenario}, {runs} runs{per}, seed {seed}"


def _matplotlib(result, scenario: str, runs: int, seed: int, top: int):
    plt = pyplot()
    key, label = BARS[result.method]
    metrics = list(dict.fromkeys(result.indices["metric"]))
    fig, axes = plt.subplots(len(metrics), 1, squeeze=False, dpi=120,
                             figsize=(8, 0.9 + 0.32 * top * len(metrics) + 0.5))
    for ax, m in zip(axes[:, 0], metrics, strict=True):
        part = _leaders(result, m, key, top)
        names = [f.removeprefix("parameters.") for f in part["factor"]]
        ax.barh(names, part[key], xerr=part[f"{key}_conf"], color="tab:blue", alpha=0.8,
                ecolor="0.2", capsize=2, label=bar_label(key))
        first = method_of(result.method).first_order
        if first is not None:
            ax.barh(names, part[first], height=0.3, color="tab:orange",
                    label=REG.statistic(first).named)
        ax.axvline(0.0, color="0.5", lw=0.5)
        ax.set_title(metric_title(m), fontsize=9, loc="left")
        ax.set_xlabel(label, fontsize=8)
        ax.tick_params(labelsize=7)
        ax.legend(fontsize=7, loc="lower right")
    fig.suptitle(_title(result, scenario, runs, seed), fontsize=10)
    return fig
