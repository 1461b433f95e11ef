"""Plot a back-test: observed yearly missiles against the predictive mean and 90% interval."""

from __future__ import annotations

from pathlib import Path

from peninsula.analysis import registry as REG
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
    spearman, crps = REG.statistic("spearman").symbol, REG.statistic("crps").symbol
    ax.set_title(f"Back-test: {spearman} {rho}, {crps} {result['crps']:.1f} "
                 f"(held-out {result['test_years'][0]}-{result['test_years'][-1]})")
    ax.set_xticks(years[::2])
    ax.legend(loc="upper left", fontsize=8)
    return save_figure(fig, path)


def best_benchmark(block: dict, score: str = "crps") -> str:
    """The benchmark with the lowest pooled ``score`` in a rolling back-test mode."""
    return min(block["benchmarks"], key=lambda name: block["benchmarks"][name][score])


def fan_origins(rolling: dict, mode: str) -> tuple[list[dict], int]:
    """The origins the fan draws: all when their horizons do not overlap, else every k-th
    one (k = horizon / step) so that the bands tile the record instead of piling up; and k."""
    st = rolling["settings"]
    every = max(1, st["horizon_months"] // st["step"])
    return rolling[mode]["origins"][::every], every


def plot_rolling_fan(rolling: dict, path: str | Path, mode: str = "conditional") -> Path:
    """Monthly forecasts from each origin drawn (mean and 90% band; fan_origins) against the
    monthly record."""
    import numpy as np

    plt = pyplot()
    origins, every = fan_origins(rolling, mode)
    fig, ax = plt.subplots(figsize=(11, 4.5), dpi=120)
    for k, o in enumerate(origins):
        year, month = (int(x) for x in o["origin"].split("-"))
        t = year + (month - 1 + np.arange(len(o["observed_monthly"]))) / 12.0
        m = o["model"]
        ax.fill_between(t, m["monthly_p05"], m["monthly_p95"], color="tab:blue", alpha=0.2,
                        step="post", label="model 90% band" if k == 0 else None)
        ax.step(t, m["monthly_mean"], where="post", color="tab:blue", lw=1,
                label="model mean" if k == 0 else None)
        ax.step(t, o["observed_monthly"], where="post", color="black", lw=1,
                label="observed (CNS/NTI)" if k == 0 else None)
        ax.axvline(t[0], color="0.8", lw=0.5)
    ax.set_xlabel("month (a new forecast from each vertical line, calibrated before it"
                  + (f"; every {every}th of the {len(rolling[mode]['origins'])} origins drawn)"
                     if every > 1 else ")"))
    ax.set_ylabel("DPRK missiles per month")
    ax.set_title(f"Rolling-origin monthly forecasts ({mode.replace('_', '-')})")
    ax.legend(loc="upper left", fontsize=8)
    return save_figure(fig, path)


def plot_pit(rolling: dict, path: str | Path) -> Path:
    """PIT histograms of the 12-month totals, model and best benchmark, in both modes."""
    plt = pyplot()
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.6), dpi=120, sharey=True)
    for ax, mode in zip(axes, ("conditional", "ex_ante"), strict=True):
        block = rolling[mode]
        best = best_benchmark(block)
        for name, hist, color, off in (("model", block["model"]["pit"], "tab:blue", -0.2),
                                       (best, block["benchmarks"][best]["pit"], "tab:orange",
                                        0.2)):
            n = len(hist)
            ax.bar([i + 0.5 + off * 0.5 for i in range(n)], hist, width=0.4, color=color,
                   label=name)
            ax.axhline(1.0 / n, color="0.4", lw=0.8, ls="--")
            ax.axhline(2.0 / n, color="0.7", lw=0.8, ls=":")
        ax.set_xticks(range(0, n + 1, 2), [f"{i / n:.1f}" for i in range(0, n + 1, 2)])
        ax.set_xlabel(f"{REG.statistic('pit').symbol} of the horizon's total")
        ax.set_title(mode.replace("_", "-"))
        ax.legend(fontsize=8)
    axes[0].set_ylabel("share of origins")
    fig.suptitle("PIT histograms (dashed: uniform share; dotted: twice it)", fontsize=9)
    return save_figure(fig, path)


def reliability(probs: list[float], events: list[bool], bins: int = 5) -> list[dict]:
    """Observed frequency of events per bin of forecast probability (equal-width bins)."""
    import numpy as np

    p = np.asarray(probs, dtype=float)
    e = np.asarray(events, dtype=float)
    edges = np.linspace(0.0, 1.0, bins + 1)
    idx = np.clip(np.digitize(p, edges) - 1, 0, bins - 1)
    return [{"low": float(edges[b]), "high": float(edges[b + 1]), "n": int(np.sum(idx == b)),
             "mean_forecast": float(p[idx == b].mean()) if np.any(idx == b) else None,
             "observed": float(e[idx == b].mean()) if np.any(idx == b) else None}
            for b in range(bins)]


def monthly_any_launch(rolling: dict, mode: str, who: str = "model") -> tuple[list, list]:
    """Forecast probabilities of at least one launch in each forecast month, and the events."""
    probs, events = [], []
    for o in rolling[mode]["origins"]:
        src = o["model"] if who == "model" else o["benchmarks"][who]
        probs += src["monthly_p_any"]
        events += [x >= 1 for x in o["observed_monthly"]]
    return probs, events


def plot_reliability(rolling: dict, path: str | Path, mode: str = "conditional") -> Path:
    """Reliability diagram of P(at least one launch in a month), model and best benchmark."""
    plt = pyplot()
    block = rolling[mode]
    best = best_benchmark(block)
    fig, ax = plt.subplots(figsize=(4.8, 4.5), dpi=120)
    ax.plot([0, 1], [0, 1], color="0.6", lw=0.8, ls="--")
    for who, color in (("model", "tab:blue"), (best, "tab:orange")):
        rows = [r for r in reliability(*monthly_any_launch(rolling, mode, who)) if r["n"]]
        ax.plot([r["mean_forecast"] for r in rows], [r["observed"] for r in rows], marker="o",
                color=color, label=who)
        for r in rows:
            ax.annotate(str(r["n"]), (r["mean_forecast"], r["observed"]), fontsize=6,
                        xytext=(3, -8), textcoords="offset points", color=color)
    ax.set_xlabel("forecast P(at least one launch in the month)")
    ax.set_ylabel("observed frequency")
    ax.set_title(f"Reliability, monthly ({mode.replace('_', '-')})")
    ax.legend(fontsize=8)
    return save_figure(fig, path)


def plot_skill(rolling: dict, path: str | Path) -> Path:
    """Pooled CRPS and log score of the model and each benchmark, in both modes (named by
    the registry)."""
    plt = pyplot()
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2), dpi=120)
    for ax, score in zip(axes, ("crps", "log_score"), strict=True):
        names = ["model"] + list(rolling["conditional"]["benchmarks"])
        for j, (mode, color) in enumerate((("conditional", "tab:blue"),
                                           ("ex_ante", "tab:green"))):
            block = rolling[mode]
            vals = [block["model"][score]] + [block["benchmarks"][n][score] for n in names[1:]]
            ax.barh([i + (j - 0.5) * 0.4 for i in range(len(names))], vals, height=0.4,
                    color=color, label=mode.replace("_", "-"))
        ax.set_yticks(range(len(names)), names, fontsize=8)
        ax.invert_yaxis()
        s = REG.statistic(score)
        ax.set_xlabel(f"pooled {s.symbol} ({s.better})")
        ax.legend(fontsize=8)
    return save_figure(fig, path)
