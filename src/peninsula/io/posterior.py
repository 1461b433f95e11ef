"""Read a posterior table (parameter draws, e.g. from ``peninsula calibrate``) and check it
before any work starts, so a bad table is refused with its reason instead of failing a run
half-way."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from peninsula.model.setup import posterior_values

BUNDLE_DIGITS = 6  # significant digits of the bundled draws


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


def write_bundle(post: pd.DataFrame, folder: str | Path, meta: dict) -> tuple[Path, Path]:
    """Write a posterior as the package's bundled one (scenario/calibrated.py reads it): the
    draws of the parameter columns as CSV (six significant digits: far finer than the draws'
    spread) and ``meta`` (its vintage
    and settings) as JSON, each written to a temporary file and moved into place."""
    import csv
    import json

    from peninsula.scenario.calibrated import DRAWS, META

    names = [c for c in post.columns if c != "distance"]
    posterior_values(post[names], "posterior")  # refuse what the runs could not use
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    draws, info = folder / DRAWS.name, folder / META.name
    tmp = draws.with_name(draws.name + ".tmp")
    with tmp.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(names)
        for row in post[names].to_numpy(dtype=float):
            w.writerow([f"{x:.{BUNDLE_DIGITS}g}" for x in row])
    tmp.replace(draws)
    tmp = info.with_name(info.name + ".tmp")
    tmp.write_text(json.dumps(meta, indent=1, sort_keys=True) + "\n")
    tmp.replace(info)
    return draws, info
