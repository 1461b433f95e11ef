"""Plot a policy comparison: paired differences against the reference policy, one bar per
policy with its 90% interval, one panel per headline outcome."""

from __future__ import annotations

from pathlib import Path

from peninsula.analysis.registry import metric
from peninsula.report.figures import pyplot, save_figure, stamp, write_all


def headline_outcomes(result: dict) -> list[tuple[str, str, float]]:
    """(outcome, axis label with the unit of a difference, scale) of the panels: war and clash
    by the final horizon in percentage points, launches a year, the stability index in points;
    the labels are the registry's (analysis/registry.py)."""
    h = result["final_horizon_years"]
    keys = (f"p_war_{h}y", f"p_clash_{h}y", "dprk_launches_per_year", "stability_index")
    return [(key, metric(key).with_unit(difference=True),
             100.0 if metric(key).is_probability else 1.0) for key in keys]


def plot_compare(result: dict, path: str | Path) -> Path:
    """Write the comparison figure (PNG by the file's extension): bars of the paired
    differences against ``result['reference']`` with 90% interval whiskers, stamped with the
    scenario, runs and seed."""
    return save_figure(_matplotlib(result), path)


def plot_compare_all(result: dict, stem: str | Path) -> list[Path]:
    """The comparison figure as PNG, SVG and interactive HTML (report/figures.write_all)."""
    return write_all(_matplotlib(result), compare_figure(result), stem)


def _title(result: dict) -> str:
    return (f"Policies against {result['reference']}: paired differences, run by run "
            f"(bars: mean; whiskers: 90% interval); "
            f"{stamp(result['scenario'], result['runs'], result['seed'])}, common random numbers")


def compare_figure(result: dict):
    """The comparison as an interactive Plotly figure (``api.compare``'s result): the HTML
    file's figure and the dashboard's."""
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    panels = [p for p in headline_outcomes(result) if p[0] in result["outcomes"]]
    names = list(result["differences"])
    fig = make_subplots(rows=1, cols=len(panels), subplot_titles=[p[1] for p in panels])
    for col, (key, label, scale) in enumerate(panels, start=1):
        d = [result["differences"][n][key] for n in names]
        fig.add_trace(go.Bar(
            x=names, y=[x["mean"] * scale for x in d], name=label, showlegend=False,
            error_y={"type": "data", "symmetric": False,
                     "array": [(x["p95"] - x["mean"]) * scale for x in d],
                     "arrayminus": [(x["mean"] - x["p05"]) * scale for x in d]}),
            row=1, col=col)
    fig.update_layout(title={"text": _title(result), "font": {"size": 11}}, height=450,
                      width=350 * len(panels) + 100)
    fig.update_annotations(font_size=10)
    return fig


def _matplotlib(result: dict):
    plt = pyplot()
    panels = [p for p in headline_outcomes(result) if p[0] in result["outcomes"]]
    names = list(result["differences"])
    fig, axes = plt.subplots(1, len(panels), figsize=(3.2 * len(panels) + 1, 4.2), dpi=120,
                             squeeze=False)
    for ax, (key, label, scale) in zip(axes[0], panels, strict=True):
        d = [result["differences"][n][key] for n in names]
        mean = [x["mean"] * scale for x in d]
        err = [[(x["mean"] - x["p05"]) * scale for x in d],
               [(x["p95"] - x["mean"]) * scale for x in d]]
        ax.bar(range(len(names)), mean, yerr=err, capsize=4, color="tab:blue", alpha=0.8,
               ecolor="black")
        ax.axhline(0.0, color="black", lw=0.8)
        ax.set_xticks(range(len(names)), names, rotation=30, ha="right", fontsize=8)
        ax.set_ylabel(f"difference: {label}", fontsize=8)
    fig.suptitle(f"Policies against {result['reference']}: paired differences, run by run "
                 "(bars: mean; whiskers: 90% interval)", fontsize=10)
    fig.text(0.99, 0.01, stamp(result["scenario"], result["runs"], result["seed"])
             + "; common random numbers", ha="right", va="bottom", fontsize=7, color="0.35")
    return fig
