"""Draw the fan charts of an ensemble (analysis/fan.py) as PNG, SVG and interactive HTML.

Six panels: the share of runs on each rung of the ladder by month; the cumulative probability of
an armed clash and of a war (and nuclear use) by month with its 90% Monte Carlo interval; and
the yearly fans (5-95th and 25-75th percentiles across runs, the median as a line) of the
DPRK's launches, the China-Russia alignment and the Korean Stability Index.
"""

from __future__ import annotations

from pathlib import Path

from peninsula.analysis.fan import RUNG_TITLES
from peninsula.report.figures import pyplot, stamp, write_all

RUNG_COLOURS = ("#d9d9d9", "#c6dbef", "#fdd0a2", "#fd8d3c", "#e6550d", "#a63603", "#54278f")
PROBABILITY_PANELS = (("clash", "P(armed clash or worse by month)"),
                      ("war", "P(war or worse, and nuclear use, by month)"))


def _matplotlib(data: dict, title: str):
    plt = pyplot()
    fig, axes = plt.subplots(2, 3, figsize=(15, 8), dpi=110)
    months = list(range(len(data["months"])))
    ticks = months[::12]
    labels = [data["months"][i][:4] for i in ticks]
    ax = axes[0, 0]
    if data["ladder"] is not None:
        ax.stackplot(months, *data["ladder"].values(), labels=list(data["ladder"]),
                     colors=RUNG_COLOURS)
        ax.legend(fontsize=7, loc="upper left", ncol=2)
        ax.set_ylim(0, 1)
    else:
        ax.text(0.5, 0.5, "monthly records not kept", ha="center", va="center")
    ax.set_title("Runs on each rung of the ladder", fontsize=10)
    ax.set_ylabel("share of runs")
    for ax, (rung, panel) in zip(axes[0, 1:], PROBABILITY_PANELS, strict=True):
        rungs = (rung, "nuclear_use") if rung == "war" else (rung,)
        for r in rungs:
            c = data["cumulative"][r]
            ax.plot(months, [100 * p for p in c["p"]], label=RUNG_TITLES[r])
            ax.fill_between(months, [100 * p for p in c["low"]], [100 * p for p in c["high"]],
                            alpha=0.25)
        ax.set_title(panel, fontsize=10)
        ax.set_ylabel("% of runs (90% interval)")
        ax.legend(fontsize=8)
    for ax in axes[0]:
        ax.set_xticks(ticks, labels, fontsize=8)
    years = data["years"]
    for ax, fan in zip(axes[1], data["yearly"].values(), strict=True):
        b = fan["bands"]
        ax.fill_between(years, b["0.05"], b["0.95"], alpha=0.2, color="tab:blue", label="5-95%")
        ax.fill_between(years, b["0.25"], b["0.75"], alpha=0.4, color="tab:blue", label="25-75%")
        ax.plot(years, b["0.5"], color="tab:blue", label="median")
        ax.set_title(fan["title"], fontsize=10)
        ax.set_ylabel(fan["unit"])
        ax.set_xlabel("year")
        ax.legend(fontsize=8)
    fig.suptitle(title, fontsize=11)
    return fig


def fan_figure(data: dict, title: str | None = None):
    """The fan charts of ``api.fan``'s data as an interactive Plotly figure (the HTML file's
    figure and the dashboard's), titled with the provenance unless ``title`` is given."""
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    titles = ["Runs on each rung of the ladder", *(p for _, p in PROBABILITY_PANELS),
              *(f"{f['title']} ({f['unit']})" for f in data["yearly"].values())]
    fig = make_subplots(rows=2, cols=3, subplot_titles=titles)
    months = data["months"]
    if data["ladder"] is not None:
        for (rung, share), colour in zip(data["ladder"].items(), RUNG_COLOURS, strict=True):
            fig.add_trace(go.Scatter(x=months, y=share, name=rung, stackgroup="ladder",
                                     line={"color": colour}), row=1, col=1)
    for col, (rung, _) in enumerate(PROBABILITY_PANELS, start=2):
        rungs = (rung, "nuclear_use") if rung == "war" else (rung,)
        for r in rungs:
            c = data["cumulative"][r]
            fig.add_trace(go.Scatter(x=months, y=[100 * p for p in c["high"]], mode="lines",
                                     line={"width": 0}, showlegend=False, hoverinfo="skip"),
                          row=1, col=col)
            fig.add_trace(go.Scatter(x=months, y=[100 * p for p in c["low"]], mode="lines",
                                     line={"width": 0}, fill="tonexty", showlegend=False,
                                     hoverinfo="skip"), row=1, col=col)
            fig.add_trace(go.Scatter(x=months, y=[100 * p for p in c["p"]],
                                     name=f"% {RUNG_TITLES[r]}"), row=1, col=col)
    for col, fan in enumerate(data["yearly"].values(), start=1):
        b, years = fan["bands"], data["years"]
        for lo, hi in (("0.05", "0.95"), ("0.25", "0.75")):
            fig.add_trace(go.Scatter(x=years, y=b[hi], mode="lines", line={"width": 0},
                                     showlegend=False, hoverinfo="skip"), row=2, col=col)
            fig.add_trace(go.Scatter(x=years, y=b[lo], mode="lines", line={"width": 0},
                                     fill="tonexty", name=f"{lo}-{hi} quantiles",
                                     showlegend=False), row=2, col=col)
        fig.add_trace(go.Scatter(x=years, y=b["0.5"], name=f"median: {fan['title']}"),
                      row=2, col=col)
    fig.update_layout(title={"text": title or fan_title(data), "font": {"size": 14}},
                      height=800, width=1400, legend={"font": {"size": 9}})
    fig.update_annotations(font_size=11)  # the panels' titles, kept within their panels
    return fig


def plot_fan(data: dict, stem: str | Path) -> list[Path]:
    """Write the fan charts of ``api.fan``'s data to ``stem``.png, .svg and .html, titled with
    the provenance (scenario, policy, runs, seed)."""
    title = fan_title(data)
    return write_all(_matplotlib(data, title), fan_figure(data, title), stem)


def fan_title(data: dict) -> str:
    """The fan charts' title: what they show and the provenance (scenario, policy, runs, seed)."""
    return ("How the futures spread over time ("
            f"{stamp(data['scenario'], data['runs'], data['seed'], data['policy'])})")
