"""The parameter table (``parameters.toml`` beside this module), read once into ``Param`` records.

The TOML file is the single declaration of the model's parameters: value, unit, uncertainty
range, hard limits, basis and the mechanism that uses each. ``REGISTRY`` keeps the file's
order, which is also the column order of every parameter matrix (runs x parameters).

A parameter that sets a strategy's effect names the strategy (``strategy``: one of the four
strategy levers), the value at which the effect is nil (``null_value``) and the side of it that
helps (``benefit``: "above" or "below"). Its prior probability of no benefit is then

    p_no_benefit = F(null)        benefit above the null (F: the prior's CDF)
                 = 1 - F(null)    benefit below it

the mass of the prior at which the strategy does nothing or harms. ``basis_years`` is
[first, last] year of the data a basis used, or [] when the basis is judgement alone.

``vintages`` are the same parameter's priors as they stood with less data: each has its own
value, range, distribution, basis and basis_years, and a back-test cut at a year uses the one
built without later data (scenario/vintage.py).
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass, replace
from pathlib import Path

TABLE = Path(__file__).with_name("parameters.toml")
# logtriangular: triangular on the log scale (mode ln value, support ln low .. ln high; low > 0),
# for hazards whose uncertainty spans orders of magnitude (a posterior's right-skewed spread)
DISTRIBUTIONS = ("triangular", "uniform", "fixed", "logtriangular")
DEFAULT_LIMITS = (0.0, float("inf"))
# the strategy levers whose effects a parameter may set (scenario/schema.py LEVERS)
STRATEGIES = ("open_communication", "flexible_diplomacy", "multilateral_engagement",
              "strategic_clarity")
BENEFIT_SIDES = ("above", "below")  # where a strategy effect helps, relative to null_value


def prior_cdf(x: float, low: float, mode: float, high: float, distribution: str) -> float:
    """F(x) of a parameter's prior law (the law engine/random.py samples; its param_cdf is the
    vectorised form): triangular(low, mode, high), uniform(low, high), logtriangular (triangular
    in ln x), or fixed (a step at the value)."""
    if distribution == "fixed" or high <= low:
        return 1.0 if x >= mode else 0.0
    if distribution == "logtriangular":
        return prior_cdf(math.log(max(x, low)), math.log(low), math.log(mode), math.log(high),
                         "triangular")
    if distribution == "uniform":
        return min(1.0, max(0.0, (x - low) / (high - low)))
    if x <= low:
        return 0.0
    if x >= high:
        return 1.0
    span = high - low
    if x < mode:
        return (x - low) ** 2 / (span * (mode - low))
    return 1.0 - (high - x) ** 2 / (span * (high - mode))


@dataclass(frozen=True)
class Vintage:
    """A parameter's prior built from the data of ``basis_years`` only (an earlier vintage)."""

    value: float
    low: float
    high: float
    distribution: str
    basis: str
    basis_years: tuple[int, ...]


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
    strategy: str | None = None  # the strategy lever whose effect it sets (STRATEGIES)
    null_value: float | None = None  # the value at which that effect is nil
    benefit: str | None = None  # the side of null_value that helps: BENEFIT_SIDES
    basis_years: tuple[int, ...] | None = None  # (first, last) year of data; () judgement
    vintages: tuple[Vintage, ...] = ()  # the priors built with less data (scenario/vintage.py)

    @property
    def p_no_benefit(self) -> float | None:
        """The prior probability that the effect is nil or harmful: F(null) when benefit lies
        above the null, 1 - F(null) when below (None for a parameter with no null value)."""
        if self.null_value is None or self.benefit is None:
            return None
        f = prior_cdf(self.null_value, self.low, self.value, self.high, self.distribution)
        return f if self.benefit == "above" else 1.0 - f


def _param(name: str, entry: dict) -> Param:
    """One table entry as a Param; a malformed entry names the file and the field."""
    fields = {"value", "unit", "range", "basis", "mechanism", "limits", "description",
              "distribution", "strategy", "null_value", "benefit", "basis_years", "vintages"}
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
                  distribution=str(entry.get("distribution", "triangular")),
                  strategy=entry.get("strategy"),
                  null_value=(None if entry.get("null_value") is None
                              else float(entry["null_value"])),
                  benefit=entry.get("benefit"),
                  basis_years=(None if entry.get("basis_years") is None
                               else tuple(int(y) for y in entry["basis_years"])))
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"{TABLE.name}: [{name}] is malformed ({exc!r}); each entry needs "
                         "value, unit, range = [low, high], basis and mechanism") from None
    if not (p.limits[0] <= p.low <= p.value <= p.high <= p.limits[1]):
        raise ValueError(f"{TABLE.name}: [{name}] needs limits[0] <= low <= value <= high <= "
                         f"limits[1], got {p.limits[0]}, {p.low}, {p.value}, {p.high}, "
                         f"{p.limits[1]}")
    if p.distribution not in DISTRIBUTIONS:
        raise ValueError(f"{TABLE.name}: [{name}].distribution must be one of {DISTRIBUTIONS}")
    try:
        p = replace(p, vintages=tuple(_vintage(name, v) for v in entry.get("vintages", ())))
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"{TABLE.name}: {exc}") from None
    _check_effect(name, p)
    return p


def _vintage(name: str, entry: dict) -> Vintage:
    """One entry of a parameter's ``vintages``; a malformed one names the parameter and field."""
    fields = {"value", "range", "distribution", "basis", "basis_years"}
    if not isinstance(entry, dict) or set(entry) != fields:
        got = sorted(entry) if isinstance(entry, dict) else type(entry).__name__
        raise ValueError(f"[{name}].vintages: each entry needs exactly {sorted(fields)}, "
                         f"got {got}")
    low, high = (float(x) for x in entry["range"])
    years = tuple(int(y) for y in entry["basis_years"])
    v = Vintage(value=float(entry["value"]), low=low, high=high,
                distribution=str(entry["distribution"]), basis=str(entry["basis"]),
                basis_years=years)
    if not low <= v.value <= high or v.distribution not in DISTRIBUTIONS:
        raise ValueError(f"[{name}].vintages: needs low <= value <= high and a distribution in "
                         f"{DISTRIBUTIONS}, got {v.value} in [{low}, {high}], {v.distribution}")
    if not (years == () or (len(years) == 2 and years[0] <= years[1])):
        raise ValueError(f"[{name}].vintages: basis_years must be [first, last] or [] "
                         f"(judgement before any data), got {list(years)}")
    return v


def _check_effect(name: str, p: Param) -> None:
    """A strategy effect names its strategy, its null value inside its range and the side that
    helps; basis_years is [] or [first, last]."""
    if p.strategy is not None and p.strategy not in STRATEGIES:
        raise ValueError(f"{TABLE.name}: [{name}].strategy must be one of {STRATEGIES}")
    if p.benefit is not None and p.benefit not in BENEFIT_SIDES:
        raise ValueError(f"{TABLE.name}: [{name}].benefit must be one of {BENEFIT_SIDES}")
    if (p.null_value is None) != (p.benefit is None):
        raise ValueError(f"{TABLE.name}: [{name}] needs both null_value and benefit, or neither")
    if p.strategy is not None and p.null_value is None:
        raise ValueError(f"{TABLE.name}: [{name}] sets a strategy's effect, so it needs "
                         "null_value and benefit")
    if p.null_value is not None and not p.low <= p.null_value <= p.high:
        raise ValueError(f"{TABLE.name}: [{name}].null_value {p.null_value} lies outside its "
                         f"range [{p.low}, {p.high}]")
    years = p.basis_years
    if years is not None and not (years == () or (len(years) == 2 and years[0] <= years[1])):
        raise ValueError(f"{TABLE.name}: [{name}].basis_years must be [] (judgement) or "
                         f"[first, last], got {list(years)}")
    for v in p.vintages:
        if not p.limits[0] <= v.low <= v.high <= p.limits[1]:
            raise ValueError(f"{TABLE.name}: [{name}].vintages: range [{v.low}, {v.high}] "
                             f"outside the limits {list(p.limits)}")
        if years and v.basis_years and v.basis_years[1] >= years[1]:
            raise ValueError(f"{TABLE.name}: [{name}].vintages: a vintage's data must end "
                             f"before the current basis's ({years[1]}), got "
                             f"{list(v.basis_years)}")


def read_table(path: Path = TABLE) -> tuple[Param, ...]:
    """The parameters of a table file, in file order."""
    with open(path, "rb") as fh:
        doc = tomllib.load(fh)
    return tuple(_param(name, entry) for name, entry in doc.items())


REGISTRY: tuple[Param, ...] = read_table()
BY_NAME: dict[str, Param] = {p.name: p for p in REGISTRY}
NAMES: tuple[str, ...] = tuple(p.name for p in REGISTRY)
