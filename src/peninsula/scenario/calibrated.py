"""The bundled calibrated posterior: parameter draws from the joint calibration of the launch
process and the escalation ladder on Korea's whole record (``peninsula calibrate --bundle``),
which ensembles use by default for the parameters it holds (``[scenario] parameters =
"posterior"``; ``--prior`` or ``parameters = "prior"`` use the parameter table instead).

Files (``data/posterior/``): ``calibrated.csv`` (one draw a row, a column per parameter) and
``calibrated.json`` (its vintage: the record's years and hash, the priors it was fitted under,
the package version, the calibration's settings). A parameter the scenario sets itself (its
value, range or distribution differ from the parameter table's) keeps the scenario's law: the
posterior's column is dropped for it. Read with the standard library and NumPy only.
"""

from __future__ import annotations

import csv
import json
from functools import cache
from pathlib import Path

import numpy as np

from peninsula.scenario.parameters import BY_NAME, NAMES
from peninsula.scenario.schema import PARAMETER_SOURCES

FOLDER = Path(__file__).parents[1] / "data" / "posterior"
DRAWS = FOLDER / "calibrated.csv"
META = FOLDER / "calibrated.json"


@cache
def bundled() -> tuple[np.ndarray, tuple[str, ...]] | None:
    """The bundled draws (draws x k) and their parameter names; None when none is bundled."""
    if not DRAWS.is_file():
        return None
    with DRAWS.open(newline="") as f:
        rows = list(csv.reader(f))
    names = tuple(rows[0])
    unknown = [n for n in names if n not in BY_NAME]
    if unknown:
        raise ValueError(f"{DRAWS}: column(s) {', '.join(unknown)} are no model parameter")
    values = np.array(rows[1:], dtype=np.float64)
    if values.ndim != 2 or values.shape[1] != len(names) or not np.isfinite(values).all():
        raise ValueError(f"{DRAWS}: expected {len(names)} finite numbers in every row")
    return values, names


def metadata() -> dict | None:
    """The bundled posterior's vintage and settings (calibrated.json); None without one."""
    return json.loads(META.read_text()) if META.is_file() else None


def set_by_scenario(name: str, spec: dict) -> bool:
    """Whether the scenario sets parameter ``name`` itself (value, range or distribution other
    than the parameter table's)."""
    p = BY_NAME[name]
    return (float(spec["value"]) != p.value or [float(x) for x in spec["range"]] != [p.low, p.high]
            or spec["distribution"] != p.distribution)


def for_scenario(doc: dict) -> tuple[np.ndarray | None, tuple[int, ...]]:
    """The posterior draws a scenario document's ensembles use, as (draws x k values, their
    NAMES positions), or (None, ()) when it samples from the table: ``parameters = "prior"``,
    point values, no bundle, or every column set by the scenario."""
    scen = doc["scenario"]
    if scen.get("parameters", PARAMETER_SOURCES[0]) != "posterior" or not scen["sample_parameters"]:
        return None, ()
    found = bundled()
    if found is None:
        return None, ()
    values, names = found
    keep = [j for j, n in enumerate(names) if not set_by_scenario(n, doc["parameters"][n])]
    if not keep:
        return None, ()
    return values[:, keep], tuple(NAMES.index(names[j]) for j in keep)
