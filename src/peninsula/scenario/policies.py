"""Policies: named lever sets, bundled (``policies.toml``) or in a TOML file of the same form.

A policy file holds one table per policy: a one-line ``description``, optionally ``extends``
(another policy of the same file or a bundled one, whose levers it starts from) and lever
values, each a number within the lever's range (schema.LEVERS). Levers a policy leaves out
keep the scenario's values. Every problem is reported at once, naming the file, the policy and
the allowed range, as the scenario loader does.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from peninsula.scenario.errors import Problem, ScenarioError, did_you_mean
from peninsula.scenario.schema import LEVERS

BUNDLED_FILE = "policies.toml"
POLICY_KEYS = ("description", "extends")  # the keys of a policy besides its levers


@dataclass(frozen=True)
class Policy:
    """A named lever set: the levers it sets (name -> value) and what it stands for."""

    name: str
    description: str
    levers: dict[str, float] = field(default_factory=dict)
    source: str = ""


def bundled_policies() -> dict[str, Policy]:
    """The bundled policies, in file order."""
    text = (resources.files("peninsula.scenario") / BUNDLED_FILE).read_text(encoding="utf-8")
    return parse_policies(tomllib.loads(text), f"bundled {BUNDLED_FILE}")


def read_policy_file(path: str | Path) -> dict[str, Policy]:
    """Every policy of a TOML policy file, in file order; ScenarioError naming the file."""
    p = Path(path)
    try:
        doc = tomllib.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ScenarioError([Problem(str(p), "", "no such policy file")]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError([Problem(str(p), "", f"cannot read the policy file ({exc})")]) \
            from None
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError([Problem(str(p), "", f"not valid TOML ({exc})")]) from None
    return parse_policies(doc, str(p))


def parse_policies(doc: dict, source: str) -> dict[str, Policy]:
    """Check a policy document (one table per policy) and resolve ``extends``."""
    problems: list[Problem] = []
    if not doc:
        problems.append(Problem(source, "", "holds no policy; give one [NAME] table per policy"))
    for name, table in doc.items():
        if not isinstance(table, dict):
            problems.append(Problem(source, name, "a policy must be a table [NAME] of lever "
                                                  "values and a description"))
            continue
        problems += _check_policy(name, table, source)
    if problems:
        raise ScenarioError(problems)
    bundled = {} if source.startswith("bundled") else bundled_policies()
    out: dict[str, Policy] = {}
    for name in doc:
        out[name] = Policy(name, str(doc[name].get("description", "")),
                           _levers(name, doc, bundled, source, ()), source)
    return out


def _check_policy(name: str, table: dict, source: str) -> list[Problem]:
    problems = []
    for key, value in table.items():
        where = f"{name}.{key}"
        if key in POLICY_KEYS:
            if not isinstance(value, str):
                problems.append(Problem(source, where, f"expected text, got {value!r}"))
            continue
        lever = LEVERS.get(key)
        if lever is None:
            hint = did_you_mean(key, LEVERS)
            problems.append(Problem(source, where, f"unknown lever;{hint} allowed: "
                                                   f"{', '.join(LEVERS)}"))
        elif isinstance(value, bool) or not isinstance(value, int | float):
            problems.append(Problem(source, where, f"expected a number, {lever.describe()}; "
                                                   f"got {value!r}"))
        elif not lever.low <= value <= lever.high:
            problems.append(Problem(source, where, f"{value!r} is out of range: allowed "
                                                   f"{lever.describe()}"))
    return problems


def _levers(name: str, doc: dict, bundled: dict[str, Policy], source: str,
            seen: tuple[str, ...]) -> dict[str, float]:
    """A policy's levers, its ``extends`` chain first (the file's policies, then bundled)."""
    table = doc[name]
    parent = table.get("extends")
    base: dict[str, float] = {}
    if parent is not None:
        if parent in seen or parent == name:
            raise ScenarioError([Problem(source, f"{name}.extends",
                                         f"{parent!r} extends itself in a cycle")])
        if parent in doc:
            base = _levers(parent, doc, bundled, source, (*seen, name))
        elif parent in bundled:
            base = dict(bundled[parent].levers)
        else:
            known = list(doc) + [n for n in bundled if n not in doc]
            raise ScenarioError([Problem(source, f"{name}.extends",
                                         f"unknown policy {parent!r};"
                                         f"{did_you_mean(parent, known)} known: "
                                         f"{', '.join(known)}")])
    return base | {k: float(v) for k, v in table.items() if k not in POLICY_KEYS}


def resolve_policies(refs: list[str]) -> list[Policy]:
    """The policies named by ``refs``: a bundled name, or a TOML file (every policy in it,
    in file order). A policy named twice is an error (its paired difference would be 0)."""
    bundled = bundled_policies()
    chosen: list[Policy] = []
    for ref in refs:
        if ref in bundled:
            chosen.append(bundled[ref])
        elif ref.lower().endswith(".toml") or Path(ref).is_file():
            chosen.extend(read_policy_file(ref).values())
        else:
            hint = did_you_mean(ref, bundled)
            raise ScenarioError([Problem("--policy", ref, "not a bundled policy or a TOML file; "
                                                          f"bundled: {', '.join(bundled)}"
                                                          + (f";{hint}" if hint else ""))])
    names = [p.name for p in chosen]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise ScenarioError([Problem("--policy", n, "given twice") for n in twice])
    return chosen
