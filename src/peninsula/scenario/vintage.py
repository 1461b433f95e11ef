"""The parameter table as of a year: priors built without the data after it.

A back-test cut at year Y must not use the years after Y, in its calibration or in any prior
it samples. Each parameter's ``basis_years`` names the years of data its basis used. For a
vintage Y, a parameter is

- **as tabled** when its basis is judgement alone (``basis_years = []``) or its data end by Y;
- **its vintage prior** when the table gives one (``vintages``) built from data ending by Y:
  the latest such one (a judgement vintage, ``basis_years = []``, ranks below any with data);
- **wide** otherwise: uniform over its range widened by the range's width on each side, within
  its limits (a zero-width range by the value's size, or by 1 at 0), the point value kept. The
  later data set that range's centre, so only its width is blind; the output says so.

A judgement formed while the later record was known cannot be un-known: the table's judgement
rows are used as they are, and the vintage report counts them.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from peninsula.scenario.parameters import REGISTRY, Param, Vintage

KINDS = ("vintage", "wide")  # how a parameter with later data is replaced
AT_TRAIN_END = "train_until"  # a back-test's default vintage: its training window's last year


@dataclass(frozen=True)
class Replaced:
    """A parameter whose tabled basis reaches past the vintage, and the prior used instead."""

    name: str
    kind: str  # one of KINDS
    tabled_years: tuple[int, ...]  # the tabled basis's years
    prior: Param  # the table row with the replacement's value, range, law, basis and years

    def to_dict(self) -> dict:
        p = self.prior
        return {"name": self.name, "kind": self.kind, "tabled_basis_years": list(self.tabled_years),
                "basis_years": list(p.basis_years or ()), "value": p.value,
                "range": [p.low, p.high], "distribution": p.distribution, "basis": p.basis}


def data_end(years: tuple[int, ...] | None) -> int | None:
    """The last year of data a basis used (None: judgement alone, or not stated)."""
    return years[1] if years else None


def reaches_past(p: Param, year: int) -> bool:
    """Whether the parameter's tabled basis used data from after ``year``."""
    end = data_end(p.basis_years)
    return end is not None and end > year


def vintage_of(p: Param, year: int) -> Vintage | None:
    """The latest vintage prior of ``p`` built from data ending by ``year`` (judgement
    vintages rank below those with data), or None."""
    usable = [v for v in p.vintages if (data_end(v.basis_years) or -10**6) <= year]
    return max(usable, key=lambda v: data_end(v.basis_years) or -10**6, default=None)


def wide(p: Param, year: int) -> Param:
    """The stated wide prior: uniform over the range widened by its width on each side."""
    width = p.high - p.low
    if width <= 0.0:
        width = abs(p.value) if p.value != 0.0 else 1.0
    low, high = max(p.limits[0], p.low - width), min(p.limits[1], p.high + width)
    basis = (f"wide prior for a back-test cut at {year}: the tabled basis uses data to "
             f"{data_end(p.basis_years)} ({p.basis}); uniform over its range [{p.low:g}, "
             f"{p.high:g}] widened by its width on each side, within the limits")
    return replace(p, low=low, high=high, distribution="uniform", basis=basis, basis_years=(),
                   vintages=())


def replacement(p: Param, year: int) -> Replaced | None:
    """How ``p`` is replaced in a back-test cut at ``year`` (None: used as tabled)."""
    if not reaches_past(p, year):
        return None
    v = vintage_of(p, year)
    if v is None:
        return Replaced(p.name, "wide", p.basis_years or (), wide(p, year))
    prior = replace(p, value=v.value, low=v.low, high=v.high, distribution=v.distribution,
                    basis=v.basis, basis_years=v.basis_years, vintages=())
    return Replaced(p.name, "vintage", p.basis_years or (), prior)


def as_of(year: int, table: tuple[Param, ...] = REGISTRY) -> dict[str, Replaced]:
    """Every parameter the vintage ``year`` replaces, by name (module docstring)."""
    out = {}
    for p in table:
        r = replacement(p, year)
        if r is not None:
            out[p.name] = r
    return out


def table_as_of(year: int | None, table: tuple[Param, ...] = REGISTRY) -> dict[str, Param]:
    """The whole table by name as of ``year`` (None: today's table)."""
    swapped = {} if year is None else as_of(year, table)
    return {p.name: swapped[p.name].prior if p.name in swapped else p for p in table}


def scenario_priors(year: int, table: tuple[Param, ...] = REGISTRY) -> dict[str, dict]:
    """The replaced parameters as scenario parameter specs (``Scenario.with_parameters``)."""
    return {name: {"value": r.prior.value, "range": [r.prior.low, r.prior.high],
                   "distribution": r.prior.distribution, "basis": r.prior.basis}
            for name, r in as_of(year, table).items()}


def report(year: int | None, table: tuple[Param, ...] = REGISTRY) -> dict:
    """What a back-test's vintage did, for its JSON: the year, each replaced parameter, and
    how many rows are used as tabled (data ending by the year, and judgement alone)."""
    if year is None:
        return {"year": None, "replaced": [],
                "note": "no vintage: every parameter as tabled, whatever years its basis used"}
    swapped = as_of(year, table)
    kept = [p for p in table if p.name not in swapped]
    return {"year": int(year),
            "replaced": [r.to_dict() for r in swapped.values()],
            "n_vintage": sum(r.kind == "vintage" for r in swapped.values()),
            "n_wide": sum(r.kind == "wide" for r in swapped.values()),
            "n_data_by_year": sum(bool(p.basis_years) for p in kept),
            "n_judgement": sum(p.basis_years == () for p in kept),
            "n_undated": sum(p.basis_years is None for p in kept)}
