"""Check a scenario document: unknown keys, wrong types, values out of range, bad months.

``check_document`` checks one file's own content (so each problem names the file it is in);
``check_complete`` checks the merged result (every actor present, parameter values inside their
ranges, lever lists as long as the horizon). Both return a list of problems rather than raising,
so the user sees all of them.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable

from peninsula.scenario import schema as S
from peninsula.scenario.errors import Problem, did_you_mean, first_few
from peninsula.scenario.parameters import BY_NAME as PARAMS
from peninsula.scenario.parameters import DISTRIBUTIONS

MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")
REQUIRED_ACTOR_FIELDS = ("defence_spending_usd_bn", "gdp_usd_bn")


def parse_month(text: object) -> tuple[int, int] | None:
    """'YYYY-MM' -> (year, month) with 1950 <= year <= 2100, or None."""
    if not isinstance(text, str):
        return None
    m = MONTH_RE.match(text.strip())
    if not m:
        return None
    year, month = int(m.group(1)), int(m.group(2))
    if not (1950 <= year <= 2100 and 1 <= month <= 12):
        return None
    return year, month


def _brief(value: object, limit: int = 120) -> str:
    """repr() of a value, cut short when long (a list of 1,200 values) so a message stays
    readable on one line."""
    text = repr(value)
    if len(text) <= limit:
        return text
    size = f" ({len(value):,} items)" if isinstance(value, list | dict | tuple) else ""
    return text[: limit - 20] + "..." + size


Where = Callable[[str], tuple[str, int | None]]  # key path -> (file or flag, line)


class _Checker:
    def __init__(self, file: str, line_of: Callable[[str], int | None], where: Where | None = None):
        self.file, self.line_of, self.where, self.problems = file, line_of, where, []

    def add(self, key: str, message: str) -> None:
        file, line = self.where(key) if self.where else (self.file, self.line_of(key))
        self.problems.append(Problem(file, key, message, line))

    def scalar(self, key: str, value: object, field: S.Field) -> None:
        kind = field.kind
        if kind == "bool":
            if not isinstance(value, bool):
                self.add(key, f"expected true or false, got {_brief(value)}")
            return
        if kind == "str":
            if not isinstance(value, str):
                self.add(key, f"expected text, got {_brief(value)}")
            elif field.choices and value not in field.choices:
                self.add(key, f"expected {field.describe()}, got {_brief(value)}")
            return
        if kind == "month":
            if parse_month(value) is None:
                self.add(key, f"expected a month 'YYYY-MM' (1950-01 to 2100-12), got {_brief(value)}")
            return
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.add(key, f"expected {field.describe()}, got {_brief(value)}")
            return
        if kind == "int" and isinstance(value, float) and not value.is_integer():
            self.add(key, f"expected a whole number ({field.describe()}), got {_brief(value)}")
            return
        # ints are compared exactly: float() of a huge int would overflow
        if (isinstance(value, float) and not math.isfinite(value)) or not (
                field.low <= value <= field.high):
            self.add(key, f"{value!r} is out of range: allowed {field.describe()}")

    def table(self, key: str, value: object) -> bool:
        if not isinstance(value, dict):
            self.add(key, f"expected a table, got {_brief(value)}")
            return False
        return True

    def unknown(self, key: str, allowed) -> None:
        names = ", ".join(sorted(allowed))
        hint = did_you_mean(key.rsplit(".", 1)[-1], allowed)
        self.add(key, f"unknown key;{hint} allowed: {names}" if hint else
                 f"unknown key; allowed: {names}")


def check_document(doc: dict, file: str, line_of: Callable[[str], int | None]) -> list[Problem]:
    """Problems in one file's own content (partial documents are fine)."""
    c = _Checker(file, line_of)
    for section, body in doc.items():
        if section not in S.SECTIONS:
            c.unknown(section, S.SECTIONS)
            continue
        if not c.table(section, body):
            continue
        {
            "scenario": _check_scenario,
            "actors": _check_actors,
            "state": _check_state,
            "parameters": _check_parameters,
            "levers": _check_levers,
            "mechanisms": _check_mechanisms,
            "metrics": _check_metrics,
            "study": _check_study,
        }[section](c, body)
    return c.problems


def _check_scenario(c: _Checker, body: dict) -> None:
    for key, value in body.items():
        field = S.SCENARIO_FIELDS.get(key)
        if field is None:
            c.unknown(f"scenario.{key}", S.SCENARIO_FIELDS)
        elif key == "extends" and isinstance(value, str) and not value.strip():
            c.add("scenario.extends", "empty; expected a bundled scenario name or a path to a "
                  "scenario file, relative to this one")
        else:
            c.scalar(f"scenario.{key}", value, field)


def _check_actors(c: _Checker, body: dict) -> None:
    for actor, fields in body.items():
        path = f"actors.{actor}"
        if actor not in S.ACTORS:
            c.add(path, f"unknown actor; allowed: {', '.join(S.ACTORS)}")
            continue
        if not c.table(path, fields):
            continue
        for key, value in fields.items():
            if key == "trust":
                _check_trust(c, f"{path}.trust", actor, value)
            elif key in S.ACTOR_FIELDS:
                c.scalar(f"{path}.{key}", value, S.ACTOR_FIELDS[key])
            else:
                c.unknown(f"{path}.{key}", [*S.ACTOR_FIELDS, "trust"])


def _check_trust(c: _Checker, path: str, actor: str, value: object) -> None:
    if not c.table(path, value):
        return
    others = [a for a in S.ACTORS if a != actor]
    for other, belief in value.items():
        if other not in others:
            c.add(f"{path}.{other}", f"unknown actor; allowed: {', '.join(others)}")
        else:
            c.scalar(f"{path}.{other}", belief, S.TRUST_FIELD)


def _check_state(c: _Checker, body: dict) -> None:
    for key, value in body.items():
        path = f"state.{key}"
        if key not in S.STATE_FIELDS:
            c.unknown(path, S.STATE_FIELDS)
        elif key == "escalation_level" and isinstance(value, str):
            if value not in S.LEVEL_NAMES:
                c.add(path, f"unknown level {value!r}; allowed: 0..{S.TOP_LEVEL} or "
                             f"{', '.join(S.LEVEL_NAMES)}")
        else:
            c.scalar(path, value, S.STATE_FIELDS[key])


def _check_parameters(c: _Checker, body: dict) -> None:
    for name, spec in body.items():
        path = f"parameters.{name}"
        param = PARAMS.get(name)
        if param is None:
            hint = did_you_mean(name, PARAMS)
            c.add(path, f"unknown parameter;{hint or ''} 'peninsula parameters' lists the known "
                  "ones")
            continue
        if isinstance(spec, int | float) and not isinstance(spec, bool):
            spec = {"value": spec}  # a bare number: the fixed value
        if not isinstance(spec, dict):
            c.add(path, f"expected a number (the value, fixed in every run) or a table of "
                  f"{', '.join(S.PARAMETER_KEYS)}, got {spec!r}")
            continue
        lo, hi = param.limits
        limit_field = S.Field("float", lo, hi)
        for key, value in spec.items():
            kpath = f"{path}.{key}"
            if key == "value":
                c.scalar(kpath, value, limit_field)
            elif key == "range":
                ok = isinstance(value, list) and len(value) == 2
                if not ok:
                    c.add(kpath, f"expected [low, high] within [{lo:g}, {hi:g}], got {_brief(value)}")
                    continue
                for v in value:
                    c.scalar(kpath, v, limit_field)
                if all(isinstance(v, int | float) for v in value) and value[0] > value[1]:
                    c.add(kpath, f"low {value[0]} is above high {value[1]}")
            elif key == "distribution":
                if value not in DISTRIBUTIONS:
                    c.add(kpath, f"expected one of {', '.join(DISTRIBUTIONS)}, got {_brief(value)}")
            elif key == "basis":
                c.scalar(kpath, value, S.Field("str"))
            elif key == "unit":
                if value != param.unit:
                    c.add(kpath, f"unit of {name} is {param.unit!r}, got {_brief(value)}")
            else:
                c.unknown(kpath, S.PARAMETER_KEYS)


def _check_levers(c: _Checker, body: dict) -> None:
    for name, value in body.items():
        path = f"levers.{name}"
        if name == "exercise_months":
            ok = isinstance(value, list) and all(
                isinstance(m, int) and not isinstance(m, bool) and 1 <= m <= 12 for m in value
            )
            if not ok:
                c.add(path, f"expected a list of months of the year (1..12), got {_brief(value)}")
            continue
        field = S.LEVERS.get(name)
        if field is None:
            c.unknown(path, [*S.LEVERS, "exercise_months"])
        elif isinstance(value, dict):
            for month, v in value.items():
                if parse_month(month) is None:
                    c.add(f"{path}.{month}", "schedule keys must be months 'YYYY-MM'")
                else:
                    c.scalar(f"{path}.{month}", v, field)
        elif isinstance(value, list):
            if not value:
                c.add(path, f"an empty list; give a number, a schedule {{ \"YYYY-MM\" = value }} "
                      f"or a list with one value per month of the horizon ({field.describe()})")
            _check_list(c, path, value, field)
        else:
            c.scalar(path, value, field)


def _check_list(c: _Checker, path: str, values: list, field: S.Field) -> None:
    """A monthly lever list: one problem for one bad value, else one line summing them up."""
    each = _Checker(c.file, c.line_of, c.where)
    for i, v in enumerate(values):
        each.scalar(f"{path}[{i}]", v, field)
    if len(each.problems) <= 1:
        c.problems += each.problems
        return
    bad = [f"{p.key[len(path):]} = {v!r}" for p, v in
           ((p, values[int(p.key[len(path) + 1:-1])]) for p in each.problems)]
    c.add(path, f"{len(bad):,} of {len(values):,} values are not allowed ({first_few(bad)}); "
          f"allowed: {field.describe()}")


def _check_mechanisms(c: _Checker, body: dict) -> None:
    for name, value in body.items():
        if name not in S.MECHANISMS:
            c.unknown(f"mechanisms.{name}", S.MECHANISMS)
        else:
            c.scalar(f"mechanisms.{name}", value, S.Field("bool"))


def _check_metrics(c: _Checker, body: dict) -> None:
    for key, value in body.items():
        path = f"metrics.{key}"
        if key == "horizons_years":
            ok = isinstance(value, list) and value and all(
                isinstance(v, int) and not isinstance(v, bool) and 1 <= v <= 100 for v in value
            )
            if not ok:
                c.add(path, f"expected a list of whole years in [1, 100], got {_brief(value)}")
        elif key == "stability_weights":
            if not c.table(path, value):
                continue
            for comp, w in value.items():
                if comp not in S.STABILITY_COMPONENTS:
                    c.unknown(f"{path}.{comp}", S.STABILITY_COMPONENTS)
                else:
                    c.scalar(f"{path}.{comp}", w, S.Field("float", 0.0, 100.0))
        elif key in S.METRIC_FIELDS:
            c.scalar(path, value, S.METRIC_FIELDS[key])
        else:
            c.unknown(path, [*S.METRIC_FIELDS, "horizons_years", "stability_weights"])


def _check_study(c: _Checker, body: dict) -> None:
    for key, value in body.items():
        path = f"study.{key}"
        if key in S.STUDY_LISTS:
            ok = isinstance(value, list) and value and all(
                isinstance(v, str) and v.strip() for v in value)
            if not ok:
                c.add(path, f"expected a non-empty list of texts ({S.STUDY_LISTS[key]}), "
                      f"got {_brief(value)}")
        elif key in S.STUDY_FIELDS:
            if not isinstance(value, str) or not value.strip():
                c.add(path, f"expected a file path (text), got {_brief(value)}")
        else:
            c.unknown(path, [*S.STUDY_LISTS, *S.STUDY_FIELDS])


def check_horizons(doc: dict, where: Where) -> list[Problem]:
    """Given metrics.horizons_years must lie within the run: 1..horizon_months/12 years.

    The default list (which a complete scenario file repeats) is cut to the run instead, so a
    short run's ``scenario show`` output loads back."""
    c = _Checker("", lambda k: None, where)
    horizons = doc.get("metrics", {}).get("horizons_years", [])
    months = doc.get("scenario", {}).get("horizon_months")
    if not isinstance(months, int) or isinstance(months, bool) \
            or horizons == list(S.DEFAULT_HORIZONS):
        return []
    years = months // 12
    beyond = [h for h in horizons if isinstance(h, int) and h > years]
    if beyond:
        allowed = (f"allowed 1..{years} (scenario.horizon_months / 12 = {months} / 12)"
                   if years >= 1 else f"a {months}-month run reaches no whole year")
        c.add("metrics.horizons_years", f"{first_few([str(h) for h in beyond])} "
              f"{'is' if len(beyond) == 1 else 'are'} beyond the run: {allowed}; lengthen "
              "scenario.horizon_months or give shorter horizons")
    return c.problems


def check_complete(doc: dict, file: str, line_of: Callable[[str], int | None],
                   where: Where | None = None) -> list[Problem]:
    """Problems of the merged scenario as a whole (run after defaults are filled).

    ``where`` maps a key path to the file (or flag) that gave it, and its line, so a problem in
    a merged value names its source; without it every problem names ``file``."""
    c = _Checker(file, line_of, where)
    scen = doc.get("scenario", {})
    for key in ("name", "start"):
        if key not in scen:
            c.add(f"scenario.{key}", f"missing; expected {S.SCENARIO_FIELDS[key].describe()}")
    actors = doc.get("actors", {})
    for actor in S.ACTORS:
        if actor not in actors:
            c.add(f"actors.{actor}", "missing actor: all six (USA, ROK, JPN, PRK, CHN, RUS) "
                  "need a starting state")
            continue
        for key in REQUIRED_ACTOR_FIELDS:
            if key not in actors[actor]:
                c.add(f"actors.{actor}.{key}", f"missing; expected {S.ACTOR_FIELDS[key].describe()}")
    for name, spec in doc.get("parameters", {}).items():
        value, (low, high) = spec["value"], spec["range"]
        if spec.get("distribution") != "fixed" and not (low <= value <= high):  # fixed: unused
            c.add(f"parameters.{name}.value",
                  f"{value:g} lies outside its range [{low:g}, {high:g}]")
        elif spec.get("distribution") == "logtriangular" and not low > 0:
            c.add(f"parameters.{name}.range",
                  f"a logtriangular distribution needs a range above 0, got [{low:g}, {high:g}]")
    horizon = doc.get("scenario", {}).get("horizon_months")
    for name, value in doc.get("levers", {}).items():
        if name in S.LEVERS and isinstance(value, list) and isinstance(horizon, int | float) \
                and len(value) < horizon:
            c.add(f"levers.{name}",
                  f"a list of {len(value)} values is shorter than the horizon: one value per "
                  f"month needs {int(horizon)} (scenario.horizon_months = {int(horizon)}); or "
                  f"give a number or a schedule {{ \"YYYY-MM\" = value }}")
    if sum(doc.get("metrics", {}).get("stability_weights", {}).values()) <= 0:
        c.add("metrics.stability_weights", "weights must not all be zero")
    return c.problems
