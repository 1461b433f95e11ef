"""Plot a back-test: observed yearly missiles against the predictive mean and 90% interval."""

from __future__ import annotations

from pathlib import Path

from peninsula.report.figures import pyplot, save_figure


def plot_backtest(result: dict, path: str | Path) -> Path:
    """Write a PNG of observed vs predicted (with 90% interval), training window shaded."""
    plt = pyplot()
    years = result["years"]
    fig, ax = plt.subplots(figsize=(9, 4.5), dpi=120)
    ax.axvspan(years[0] - 0.5, result["train_until"] + 0.5, color="0.92",
               label=f"training window ({years[0]}-{result['train_until']})")
    ax.fill_between(years, result["predicted_p05"], result["predicted_p95"], color="tab:blue",
                    alpha=0.25, label="model 90% interval")
    ax.plot(years, result["predicted_mean"], color="tab:blue", marker="o", ms=3,
            label="model mean")
    ax.plot(years, result["observed"], color="black", marker="s", ms=4, lw=1.5,
            label="observed (CNS/NTI)")
    ax.set_xlabel("year")
    ax.set_ylabel("DPRK missiles launched")
    rho = "n/a" if result["spearman"] is None else f"{result['spearman']:.2f}"
    ax.set_title(f"Back-test: Spearman {rho}, CRPS {result['crps']:.1f} "
                 f"(held-out {result['test_years'][0]}-{result['test_years'][-1]})")
    ax.set_xticks(years[::2])
    ax.legend(loc="upper left", fontsize=8)
    return save_figure(fig, path)
