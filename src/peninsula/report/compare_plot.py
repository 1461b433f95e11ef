"""Plot a policy comparison: paired differences against the reference policy, one bar per
policy with its 90% interval, one panel per headline outcome."""

from __future__ import annotations

from pathlib import Path

from peninsula.report.figures import pyplot, save_figure


def headline_outcomes(result: dict) -> list[tuple[str, str, float]]:
    """(outcome, axis label with its unit, scale) of the panels: war and clash by the final
    horizon in percentage points, launches a year, the stability index in points."""
    h = result["final_horizon_years"]
    return [(f"p_war_{h}y", f"P(war or worse, {h} yr), pp", 100.0),
            (f"p_clash_{h}y", f"P(armed clash or worse, {h} yr), pp", 100.0),
            ("dprk_launches_per_year", "DPRK launches a year", 1.0),
            ("stability_index", "Korean Stability Index, points (0-100)", 1.0)]


def plot_compare(result: dict, path: str | Path) -> Path:
    """Write the comparison figure (PNG by the file's extension): bars of the paired
    differences against ``result['reference']`` with 90% interval whiskers, stamped with the
    scenario, runs and seed."""
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
    fig.text(0.99, 0.01, f"scenario {result['scenario']}, {result['runs']:,} runs, seed "
                         f"{result['seed']}; common random numbers", ha="right", va="bottom",
             fontsize=7, color="0.35")
    return save_figure(fig, path)
