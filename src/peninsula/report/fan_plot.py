"""Draw the fan charts of an ensemble (analysis/fan.py) as PNG, SVG and interactive HTML.

Six panels: the share of runs on each rung of the ladder by month; the cumulative probability of
the lowest counted rung (an armed clash or worse) and of the graver ones by month, with its 90%
Monte Carlo interval; and the yearly fans (5-95th and 25-75th percentiles across runs, the
median as a line) of the DPRK's launches, the China-Russia alignment and the Korean Stability
Index. Every label comes from the registry of what is reported (analysis/registry.py); each
panel carries its own legend.
"""

from __future__ import annotations

from pathlib import Path

from peninsula.analysis import registry as R
from peninsula.report.figures import pyplot, stamp, write_all

# one colour a rung, calm to nuclear use (more rungs than colours reuse the last)
RUNG_COLOURS = ("#d9d9d9", "#c6dbef", "#fdd0a2", "#fd8d3c", "#e6550d", "#b8420a", "#7f2704",
                "#54278f")
BANDS_CAPTION = ("Probability panels: the line is the share of runs that reached the rung by "
                 "each month, the band its 90% Monte Carlo interval (how sure the simulation "
                 "is). Yearly panels: the spread of futures across runs, not an interval of a "
                 "mean: the light band holds 90% of the runs (5th-95th percentile), the dark "
                 "band the middle half (25th-75th), the line is the median run.")


def probability_panels(data: dict) -> list[tuple[str, list[str]]]:
    """(title, rungs) of the two probability panels: the lowest counted rung alone, then the
    graver ones together (their chances are an order of magnitude smaller)."""
    keys = list(data["cumulative"])
    first = R.metric(keys[0]).label
    rest = (", ".join(R.metric(k).label for k in keys[1:]) if len(keys) <= 3
            else "Graver rungs")
    return [(f"{first}, by month (%)", keys[:1]), (f"{rest}, by month (%)", keys[1:])]


def yearly_title(key: str, fan: dict) -> str:
    """A yearly fan's panel title: the metric's label, year by year, with its unit."""
    try:
        e = R.metric(key)
    except KeyError:
        return f"{fan['title']} ({fan['unit']})"
    return f"{e.label}, year by year ({e.unit})"


def _colour(i: int) -> str:
    return RUNG_COLOURS[min(i, len(RUNG_COLOURS) - 1)]


LADDER_HIGH = "legend7"  # the ladder panel's second legend column (the higher rungs)
# the lines of a probability panel, each with its band in the same colour
LINE_COLOURS = ((31, 119, 180), (214, 39, 40), (44, 160, 44), (148, 103, 189))


def fan_matplotlib(data: dict, title: str):
    """The fan chart as a Matplotlib figure (the brief draws the policies' charts with it to give
    them shared y-scales)."""
    plt = pyplot()
    fig, axes = plt.subplots(2, 3, figsize=(15, 8), dpi=110)
    months = list(range(len(data["months"])))
    ticks = months[::12]
    labels = [data["months"][i][:4] for i in ticks]
    ax = axes[0, 0]
    if data["ladder"] is not None:
        ax.stackplot(months, *data["ladder"].values(),
                     labels=[R.rung_label(r) for r in data["ladder"]],
                     colors=[_colour(i) for i in range(len(data["ladder"]))])
        ax.legend(fontsize=7, loc="upper left", ncol=2)
        ax.set_ylim(0, 1)
    else:
        ax.text(0.5, 0.5, "monthly records not kept", ha="center", va="center")
    ax.set_title("Runs on each rung of the ladder", fontsize=10)
    ax.set_ylabel("share of runs")
    for ax, (panel, rungs) in zip(axes[0, 1:], probability_panels(data), strict=True):
        for r in rungs:
            c = data["cumulative"][r]
            ax.plot(months, [100 * p for p in c["p"]], label=R.metric(r).label)
            ax.fill_between(months, [100 * p for p in c["low"]], [100 * p for p in c["high"]],
                            alpha=0.25)
        ax.set_title(panel, fontsize=10)
        ax.set_ylabel("% of runs (band: 90% interval)")
        ax.legend(fontsize=8)
    for ax in axes[0]:
        ax.set_xticks(ticks, labels, fontsize=8)
    years = data["years"]
    for ax, (key, fan) in zip(axes[1], data["yearly"].items(), strict=True):
        b = fan["bands"]
        ax.fill_between(years, b["0.05"], b["0.95"], alpha=0.2, color="tab:blue",
                        label="90% of runs")
        ax.fill_between(years, b["0.25"], b["0.75"], alpha=0.4, color="tab:blue",
                        label="middle half of runs")
        ax.plot(years, b["0.5"], color="tab:blue", label="median run")
        ax.set_title(yearly_title(key, fan), fontsize=10)
        ax.set_ylabel(R.metric(key).unit if key in R.METRICS else fan["unit"])
        ax.set_xlabel("year")
        ax.legend(fontsize=8)
    fig.suptitle(title, fontsize=11)
    return fig


def fan_figure(data: dict, title: str | None = None):
    """The fan charts of ``api.fan``'s data as an interactive Plotly figure (the HTML file's
    figure and the dashboard's), titled with the provenance unless ``title`` is given. Each
    panel has a legend of its own, placed in its top left corner; ``BANDS_CAPTION`` says what
    the bands are."""
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    panels = probability_panels(data)
    titles = ["Runs on each rung of the ladder (share)", *(p for p, _ in panels),
              *(yearly_title(k, f) for k, f in data["yearly"].items())]
    fig = make_subplots(rows=2, cols=3, subplot_titles=titles, vertical_spacing=0.24)
    months = data["months"]

    def legend(i: int) -> str:  # panel i (1..6) has its own legend
        return "legend" if i == 1 else f"legend{i}"

    if data["ladder"] is not None:  # its legend in two columns: the lower rungs, the higher
        half = (len(data["ladder"]) + 1) // 2
        for i, (rung, share) in enumerate(data["ladder"].items()):
            fig.add_trace(go.Scatter(x=months, y=share, name=R.rung_label(rung),
                                     stackgroup="ladder", line={"color": _colour(i)},
                                     legend=legend(1) if i < half else LADDER_HIGH),
                          row=1, col=1)
    for col, (_, rungs) in enumerate(panels, start=2):
        for i, r in enumerate(rungs):
            c, rgb = data["cumulative"][r], LINE_COLOURS[i % len(LINE_COLOURS)]
            fig.add_trace(go.Scatter(x=months, y=[100 * p for p in c["high"]], mode="lines",
                                     line={"width": 0}, showlegend=False, hoverinfo="skip",
                                     legend=legend(col)), row=1, col=col)
            fig.add_trace(go.Scatter(x=months, y=[100 * p for p in c["low"]], mode="lines",
                                     line={"width": 0}, fill="tonexty", showlegend=False,
                                     fillcolor="rgba({},{},{},0.2)".format(*rgb),
                                     hoverinfo="skip", legend=legend(col)), row=1, col=col)
            fig.add_trace(go.Scatter(x=months, y=[100 * p for p in c["p"]],
                                     name=R.metric(r).label, legend=legend(col),
                                     line={"color": "rgb({},{},{})".format(*rgb)}),
                          row=1, col=col)
    for col, fan in enumerate(data["yearly"].values(), start=1):
        b, years, panel = fan["bands"], data["years"], 3 + col
        for (lo, hi), name, alpha in ((("0.05", "0.95"), "90% of runs", 0.15),
                                      (("0.25", "0.75"), "middle half of runs", 0.35)):
            fig.add_trace(go.Scatter(x=years, y=b[hi], mode="lines", line={"width": 0},
                                     showlegend=False, hoverinfo="skip",
                                     legend=legend(panel)), row=2, col=col)
            fig.add_trace(go.Scatter(x=years, y=b[lo], mode="lines", line={"width": 0},
                                     fill="tonexty", name=name, legend=legend(panel),
                                     fillcolor=f"rgba(31,119,180,{alpha})"), row=2, col=col)
        fig.add_trace(go.Scatter(x=years, y=b["0.5"], name="median run",
                                 line={"color": "rgb(31,119,180)"}, legend=legend(panel)),
                      row=2, col=col)
    layout = {"title": {"text": title or fan_title(data), "font": {"size": 14}},
              "height": 900, "width": 1400, "margin": {"b": 90}}
    for i in range(1, 7):  # each legend below its panel, clear of the data
        axis = fig.layout[f"xaxis{'' if i == 1 else i}"].domain
        yaxis = fig.layout[f"yaxis{'' if i == 1 else i}"].domain
        layout[legend(i)] = {"x": axis[0], "y": yaxis[0] - 0.045, "xanchor": "left",
                             "yanchor": "top", "orientation": "v" if i == 1 else "h",
                             "font": {"size": 9}, "traceorder": "normal"}
        if i == 1:
            layout[LADDER_HIGH] = {**layout[legend(i)], "x": (axis[0] + axis[1]) / 2}
    fig.update_layout(**layout)
    fig.update_annotations(font_size=11)  # the panels' titles, kept within their panels
    return fig


def plot_fan(data: dict, stem: str | Path) -> list[Path]:
    """Write the fan charts of ``api.fan``'s data to ``stem``.png, .svg and .html, titled with
    the provenance (scenario, policy, runs, seed)."""
    title = fan_title(data)
    return write_all(fan_matplotlib(data, title), fan_figure(data, title), stem)


def fan_title(data: dict) -> str:
    """The fan charts' title: what they show and the provenance (scenario, policy, runs, seed)."""
    return ("How the futures spread over time ("
            f"{stamp(data['scenario'], data['runs'], data['seed'], data['policy'])})")
