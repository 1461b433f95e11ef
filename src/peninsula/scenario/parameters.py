"""The parameter table (``parameters.toml`` beside this module), read once into ``Param`` records.

The TOML file is the single declaration of the model's parameters: value, unit, uncertainty
range, hard limits, basis and the mechanism that uses each. ``REGISTRY`` keeps the file's
order, which is also the column order of every parameter matrix (runs x parameters).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

TABLE = Path(__file__).with_name("parameters.toml")
# logtriangular: triangular on the log scale (mode ln value, support ln low .. ln high; low > 0),
# for hazards whose uncertainty spans orders of magnitude (a posterior's right-skewed spread)
DISTRIBUTIONS = ("triangular", "uniform", "fixed", "logtriangular")
DEFAULT_LIMITS = (0.0, float("inf"))


@dataclass(frozen=True)
class Param:
    """One model parameter: default value, unit, uncertainty range, hard limits and basis."""

    name: str
    value: float
    unit: str
    low: float
    high: float
    basis: str
    mechanism: str
    limits: tuple[float, float] = DEFAULT_LIMITS
    description: str = ""
    distribution: str = "triangular"  # how ensembles draw it: one of DISTRIBUTIONS


def _param(name: str, entry: dict) -> Param:
    """One table entry as a Param; a malformed entry names the file and the field."""
    fields = {"value", "unit", "range", "basis", "mechanism", "limits", "description",
              "distribution"}
    unknown = set(entry) - fields
    if unknown:
        raise ValueError(f"{TABLE.name}: [{name}] has unknown fields {sorted(unknown)}; "
                         f"allowed: {sorted(fields)}")
    try:
        low, high = (float(x) for x in entry["range"])
        lim = tuple(float(x) for x in entry.get("limits", DEFAULT_LIMITS))
        p = Param(name=name, value=float(entry["value"]), unit=str(entry["unit"]), low=low,
                  high=high, basis=str(entry["basis"]), mechanism=str(entry["mechanism"]),
                  limits=(lim[0], lim[1]), description=str(entry.get("description", "")),
                  distribution=str(entry.get("distribution", "triangular")))
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"{TABLE.name}: [{name}] is malformed ({exc!r}); each entry needs "
                         "value, unit, range = [low, high], basis and mechanism") from None
    if not (p.limits[0] <= p.low <= p.value <= p.high <= p.limits[1]):
        raise ValueError(f"{TABLE.name}: [{name}] needs limits[0] <= low <= value <= high <= "
                         f"limits[1], got {p.limits[0]}, {p.low}, {p.value}, {p.high}, "
                         f"{p.limits[1]}")
    if p.distribution not in DISTRIBUTIONS:
        raise ValueError(f"{TABLE.name}: [{name}].distribution must be one of {DISTRIBUTIONS}")
    return p


def read_table(path: Path = TABLE) -> tuple[Param, ...]:
    """The parameters of a table file, in file order."""
    with open(path, "rb") as fh:
        doc = tomllib.load(fh)
    return tuple(_param(name, entry) for name, entry in doc.items())


REGISTRY: tuple[Param, ...] = read_table()
BY_NAME: dict[str, Param] = {p.name: p for p in REGISTRY}
NAMES: tuple[str, ...] = tuple(p.name for p in REGISTRY)
