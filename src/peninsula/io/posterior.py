"""Read a posterior table (parameter draws, e.g. from ``peninsula calibrate``) and check it
before any work starts, so a bad table is refused with its reason instead of failing a run
half-way."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from peninsula.model.setup import posterior_values


class PosteriorError(ValueError):
    """A posterior file that cannot be used, with the file and the reason."""


def read_posterior(path: str | Path) -> pd.DataFrame:
    """The posterior table at ``path`` (Parquet), checked column by column
    (model.setup.posterior_values): PosteriorError naming the file and the problem."""
    p = Path(path)
    if not p.is_file():
        raise PosteriorError(f"{p}: no such posterior file" if not p.exists() else
                             f"{p}: is not a file (give the Parquet file written by "
                             "'peninsula calibrate')")
    try:
        post = pd.read_parquet(p)
    except (OSError, ValueError) as exc:
        raise PosteriorError(f"{p}: cannot read the posterior as Parquet ({exc})") from None
    try:
        posterior_values(post, str(p))
    except ValueError as exc:
        raise PosteriorError(str(exc)) from None
    return post
