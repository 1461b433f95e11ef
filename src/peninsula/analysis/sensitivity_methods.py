"""The sensitivity methods behind one interface, as SALib's ``sample`` and ``analyze`` pairs.

Each method's arithmetic lives in a module of its own (analysis/sobol.py, analysis/morris.py,
analysis/given_data.py); a ``Method`` here says what the study needs of it: how large its
design is, how to sample it, how many design rows make one block (a Sobol base row, a Morris
trajectory, a run of delta's ensemble), its indices from a block of evaluated rows, the index
that ranks factors and the flag that enlarges the design. The study (analysis/sensitivity.py)
asks the registry for a method by name instead of branching on the name.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from peninsula.analysis import given_data, morris, sobol

Indices = tuple[pd.DataFrame, pd.DataFrame | None]  # per-factor indices, and pairs if any


@dataclass(frozen=True)
class Method:
    """One sensitivity method: ``main_index`` ranks factors (checked for convergence, drawn in
    the figure); ``min_half`` is the fewest blocks half a design may have for that check;
    ``enlarge`` is the flag that makes the design larger; ``given_data``: the method reads one
    ensemble with sampled parameters instead of a design (so no point has runs of its own);
    ``uses_levels``: Morris's grid. What the faces need to word it: ``title``; ``columns``:
    the indices its tables show, by their keys in the results (worded by the registry);
    ``elementary_effects``: its indices are signed effects in the outcome's units with a spread
    (Morris), not shares; ``first_order``: the first-order index drawn inside the main one, if
    any; ``second_order``: it can give pairs; ``screens``: a Sobol study may follow it
    (``--then-sobol``)."""

    name: str
    main_index: str
    min_half: int
    title: str
    columns: tuple[str, ...]
    enlarge: str = "--samples"
    given_data: bool = False
    uses_levels: bool = False
    elementary_effects: bool = False
    first_order: str | None = None
    second_order: bool = False
    screens: bool = False

    def design_size(self, n_factors: int, samples: int, second_order: bool,
                    levels: int) -> int:
        """The design's points (each an ensemble)."""
        raise NotImplementedError

    def sample(self, n_factors: int, samples: int, seed: int, second_order: bool,
               levels: int) -> np.ndarray:
        """The design in the unit cube, one column per factor, in the method's row order."""
        raise ValueError(f"--method {self.name}: needs no design (it reads one ensemble with "
                         "sampled parameters)")

    def block_rows(self, n_factors: int, second_order: bool) -> int:
        """Design rows per block (a base row, a trajectory, a run)."""
        raise NotImplementedError

    def indices(self, x: np.ndarray, y: np.ndarray, names: list[str], *, second_order: bool,
                levels: int, n_boot: int, seed: int, total_rows: int) -> Indices:
        """Each factor's indices (and pairs, if any) from the rows ``x`` evaluated as ``y``
        (the first blocks of a design of ``total_rows`` rows)."""
        raise NotImplementedError


class Sobol(Method):
    """Sobol's first-order and total indices (and pairs) from a Saltelli design."""

    def design_size(self, n_factors, samples, second_order, levels):
        return sobol.design_size(n_factors, samples, second_order)

    def sample(self, n_factors, samples, seed, second_order, levels):
        return sobol.saltelli_sample(n_factors, samples, seed, second_order)

    def block_rows(self, n_factors, second_order):
        return sobol.rows_per_base(n_factors, second_order)

    def indices(self, x, y, names, *, second_order, levels, n_boot, seed, total_rows):
        return sobol.sobol_indices(y, names, second_order=second_order, n_boot=n_boot,
                                   seed=seed)


class Morris(Method):
    """Morris's elementary effects (mu*, mu, sigma) from trajectories on a grid."""

    def design_size(self, n_factors, samples, second_order, levels):
        return morris.design_size(n_factors, samples, levels)

    def sample(self, n_factors, samples, seed, second_order, levels):
        return morris.morris_sample(n_factors, samples, levels, seed)

    def block_rows(self, n_factors, second_order):
        return n_factors + 1

    def indices(self, x, y, names, *, second_order, levels, n_boot, seed, total_rows):
        return morris.morris_effects(x, y, names, levels=levels, n_boot=n_boot, seed=seed), None


class Delta(Method):
    """Borgonovo's delta, S1 from given data and extra-trees feature scores, from one ensemble
    whose runs each draw every factor."""

    def design_size(self, n_factors, samples, second_order, levels):
        return 1

    def block_rows(self, n_factors, second_order):
        return 1

    def indices(self, x, y, names, *, second_order, levels, n_boot, seed, total_rows):
        # the classes follow the whole ensemble, so that its first half is binned alike
        ind = given_data.delta_indices(x, y, names, n_boot=n_boot, seed=seed,
                                       n_classes=given_data.classes(total_rows))
        if np.isfinite(y).all() and np.ptp(y) > 0:
            ind["feature_score"] = given_data.feature_scores(x, y, names, seed=seed).to_numpy()
        else:
            ind["feature_score"] = math.nan
        return ind, None


REGISTRY: dict[str, Method] = {m.name: m for m in (
    Sobol("sobol", "ST", min_half=2, title="Sobol indices",
          columns=("S1", "S1_conf", "ST", "ST_conf"), first_order="S1", second_order=True),
    Morris("morris", "mu_star", min_half=2, title="Morris screening",
           columns=("mu_star", "mu_star_conf", "mu", "sigma"), uses_levels=True,
           elementary_effects=True, screens=True),
    Delta("delta", "delta", min_half=50, title="delta moment-independent measure",
          columns=("delta", "delta_conf", "S1", "S1_conf", "feature_score"),
          enlarge="--runs", given_data=True),
)}


def method_of(name: str) -> Method:
    """The method called ``name``, or ValueError naming the allowed ones."""
    try:
        return REGISTRY[name]
    except (KeyError, TypeError):
        raise ValueError(f"--method: {name!r} is not one of: {', '.join(REGISTRY)}") from None
