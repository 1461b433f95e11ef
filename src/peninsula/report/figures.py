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
