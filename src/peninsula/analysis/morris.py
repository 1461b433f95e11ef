"""Elementary effects (Morris) screening: which factors matter, cheaply (SALib).

A Morris design (Morris 1991) is r trajectories through a grid of p levels on the unit cube;
each trajectory starts at a random grid point and moves one factor at a time by
Delta = p / (2 (p - 1)), so it has D + 1 points and gives one elementary effect per factor:

    EE_i = ( f(x + Delta e_i) - f(x) ) / Delta

in units of the metric per unit-cube range of the factor (a factor mapped through a
non-uniform distribution moves by quantiles, not by its own units). Over the r trajectories
(``SALib.analyze.morris``):

    mu*_i   = mean |EE_i|          overall importance (Campolongo et al. 2007)
    mu_i    = mean EE_i            mu well below mu* means effects of both signs
    sigma_i = sd EE_i (ddof 1)     non-linearity or interactions (Morris 1991)

with a 95% bootstrap interval for mu* over the trajectories. The design has r (D + 1) points,
about half a Saltelli design of the same r, and ranks factors rather than sharing out the
variance, so it suits screening many factors before a Sobol study of the few that matter.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from SALib.analyze import morris as salib_morris
from SALib.sample import morris as salib_morris_sample

from peninsula.analysis.sobol import CONF_LEVEL, unit_problem


def design_size(n_factors: int, trajectories: int, levels: int = 4) -> int:
    """Points in a Morris design: r (D + 1); ValueError for a design that cannot be made."""
    if n_factors < 1:
        raise ValueError("a sensitivity analysis needs at least one factor")
    if trajectories < 2:
        raise ValueError(f"--samples (trajectories) must be at least 2, not {trajectories}")
    if levels < 2 or levels % 2:
        raise ValueError(f"--levels must be an even number >= 2, not {levels}")
    return trajectories * (n_factors + 1)


def morris_sample(n_factors: int, trajectories: int, levels: int, seed: int) -> np.ndarray:
    """The unit-cube points of ``trajectories`` Morris trajectories on a grid of ``levels``
    (an even number, so every level is as likely a start)."""
    design_size(n_factors, trajectories, levels)  # checks the sizes
    return salib_morris_sample.sample(unit_problem(n_factors), trajectories, num_levels=levels,
                                      seed=seed)


def morris_effects(x: np.ndarray, y: np.ndarray, names: list[str], *, levels: int,
                   n_boot: int = 1000, seed: int = 0) -> pd.DataFrame:
    """mu*, its 95% interval, mu and sigma per factor from a Morris design's points ``x``
    (unit cube, or any increasing map of it: only the direction of each step is read) and
    outputs ``y``. A non-finite output gives NaN."""
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    d = len(names)
    if len(y) % (d + 1) or x.shape != (len(y), d):
        raise ValueError(f"{len(y)} outputs do not fit a Morris design of {d} factors")
    if not np.isfinite(y).all():
        nan = np.full(d, np.nan)
        return pd.DataFrame({"factor": names, "mu_star": nan, "mu_star_conf": nan, "mu": nan,
                             "sigma": nan})
    si = salib_morris.analyze(unit_problem(d), x, y, num_resamples=n_boot,
                              conf_level=CONF_LEVEL, num_levels=levels, seed=seed)
    return pd.DataFrame({"factor": names, "mu_star": np.asarray(si["mu_star"], dtype=float),
                         "mu_star_conf": np.asarray(si["mu_star_conf"], dtype=float),
                         "mu": np.asarray(si["mu"], dtype=float),
                         "sigma": np.asarray(si["sigma"], dtype=float)})
