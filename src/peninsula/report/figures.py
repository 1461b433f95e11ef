"""Shared plotting plumbing: a headless pyplot and the PNG save step."""

from __future__ import annotations

from pathlib import Path


def pyplot():
    """matplotlib.pyplot on the non-interactive Agg backend (no display needed)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def save_figure(fig, path: str | Path) -> Path:
    """Tighten the layout, write the image atomically (creating folders; the format from the
    file's extension, PNG by default) and free the figure."""
    from peninsula.io.store import atomic_write

    path = Path(path)
    fig.tight_layout()
    atomic_write(path, lambda tmp: fig.savefig(tmp, format=path.suffix.lstrip(".").lower()
                                               or "png"))
    fig.clf()
    import matplotlib.pyplot as plt

    plt.close(fig)
    return path


FORMATS = (".png", ".svg", ".html")  # every figure of 'peninsula plot': static, vector, interactive


def stamp(scenario: str, runs: int, seed: int, policy: str | None = None) -> str:
    """The provenance line every figure carries: scenario, policy, runs and seed."""
    pol = f", policy {policy}" if policy else ""
    return f"scenario {scenario}{pol}; {runs:,} runs, seed {seed}"


def figure_paths(stem: str | Path) -> list[Path]:
    """The files a figure is written to: the stem with each of FORMATS (a suffix given on the
    stem is dropped)."""
    stem = Path(stem)
    base = stem.with_suffix("") if stem.suffix.lower() in FORMATS else stem
    return [base.with_name(base.name + ext) for ext in FORMATS]


def write_all(fig, plotly_fig, stem: str | Path) -> list[Path]:
    """Write a matplotlib figure as PNG and SVG and a Plotly figure as self-contained HTML
    (the plotly.js library embedded, so the page opens with no network), atomically."""
    import matplotlib.pyplot as plt

    from peninsula.io.store import atomic_write, write_text

    png, svg, html = figure_paths(stem)
    fig.tight_layout()
    for path in (png, svg):
        atomic_write(path, lambda tmp, p=path: fig.savefig(tmp, format=p.suffix.lstrip(".")))

    plt.close(fig)
    write_text(plotly_fig.to_html(include_plotlyjs=True, full_html=True), html)
    return [png, svg, html]


def share_y(figures: list) -> None:
    """Give the corresponding panels of figures drawn alike (the n-th axes of each) one
    y-range, the union of theirs, so figures set side by side compare at a glance: two
    policies' fan charts on different scales mislead."""
    if len(figures) < 2:
        return
    for axes in zip(*(fig.axes for fig in figures), strict=True):
        lows, highs = zip(*(ax.get_ylim() for ax in axes), strict=True)
        for ax in axes:
            ax.set_ylim(min(lows), max(highs))
