"""Load scenarios: read TOML/YAML, resolve ``extends``, apply ``--set`` overrides, fill defaults.

Every problem is collected into one ``ScenarioError`` naming file, key path, line and allowed
range. A loaded ``Scenario`` is immutable: ``with_levers`` and friends return a new one.
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
import tomllib
from importlib import resources
from pathlib import Path

import tomli_w
import yaml

from peninsula.model.parameters import REGISTRY
from peninsula.scenario import schema as S
from peninsula.scenario.errors import Problem, ScenarioError
from peninsula.scenario.locate import find_line
from peninsula.scenario.validate import check_complete, check_document, parse_month

BUNDLED_DIR = "bundled"


def bundled_names() -> list[str]:
    """Names of the scenarios shipped with the package."""
    folder = resources.files("peninsula.scenario") / BUNDLED_DIR
    return sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".toml"))


def _read_source(ref: str, base: Path | None) -> tuple[str, str, str]:
    """Return (display name, text, format) for a bundled name or a file path."""
    if ref in bundled_names() and not (base and (base / ref).is_file()):
        folder = resources.files("peninsula.scenario") / BUNDLED_DIR
        return f"<bundled:{ref}>", (folder / f"{ref}.toml").read_text("utf-8"), "toml"
    path = Path(ref) if base is None or Path(ref).is_absolute() else base / ref
    fmt = "yaml" if path.suffix.lower() in (".yaml", ".yml") else "toml"
    try:
        text = path.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        known = ", ".join(bundled_names())
        raise ScenarioError([Problem(str(path), "", f"cannot read scenario file ({reason}); "
                                     f"bundled scenarios are: {known}")]) from None
    return str(path), text, fmt


def _parse(display: str, text: str, fmt: str) -> dict:
    try:
        doc = yaml.safe_load(text) if fmt == "yaml" else tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = re.search(r"at line (\d+)", str(exc))
        line = getattr(exc, "lineno", None) or (int(found.group(1)) if found else None)
        msg = str(exc).split(" (at line")[0]
        raise ScenarioError([Problem(display, "", f"not valid TOML: {msg}", line)]) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else None
        msg = getattr(exc, "problem", None) or str(exc)
        raise ScenarioError([Problem(display, "", f"not valid YAML: {msg}", line)]) from None
    if doc is None:
        doc = {}
    if not isinstance(doc, dict):
        raise ScenarioError([Problem(display, "", "expected a table of sections at top level")])
    return doc


def merge(base: dict, over: dict) -> dict:
    """Deep merge: tables merge key by key; any other value in ``over`` replaces."""
    out = copy.deepcopy(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def _load_chain(ref: str, base: Path | None, seen: tuple[str, ...] = ()) -> tuple[dict, str, list]:
    display, text, fmt = _read_source(ref, base)
    if display in seen:
        raise ScenarioError([Problem(display, "scenario.extends", "circular 'extends'")])
    doc = _parse(display, text, fmt)
    problems = check_document(doc, display, lambda k: find_line(text, k, fmt))
    parent_ref = doc.get("scenario", {}).get("extends") if isinstance(doc.get("scenario"), dict) \
        else None
    if problems:
        raise ScenarioError(problems)
    if parent_ref:
        here = None if display.startswith("<bundled:") else Path(display).parent
        parent, _, _ = _load_chain(parent_ref, here, (*seen, display))
        doc = merge(parent, doc)
        doc["scenario"].pop("extends", None)
    return doc, display, [text, fmt]


def parse_override(item: str) -> tuple[str, object]:
    """'levers.exercise_intensity=2' -> ('levers.exercise_intensity', 2). Values parse as TOML."""
    if "=" not in item:
        raise ScenarioError([Problem("--set", item, "expected KEY.PATH=VALUE")])
    key, raw = item.split("=", 1)
    key, raw = key.strip(), raw.strip()
    try:
        value = tomllib.loads(f"v = {raw}")["v"]
    except tomllib.TOMLDecodeError:
        value = raw
    return key, value


def apply_overrides(doc: dict, overrides: list[str]) -> dict:
    """Apply ``--set`` overrides; a number given for a parameter sets its value."""
    return apply_values(doc, [parse_override(item) for item in overrides])


def apply_values(doc: dict, items: list[tuple[str, object]]) -> dict:
    """Apply (key, value) pairs as ``--set`` does, the values already parsed."""
    doc = copy.deepcopy(doc)
    given: dict = {}  # the overridden fields alone, checked together once
    for key, value in items:
        parts = key.split(".")
        if len(parts) < 2 or not all(parts):
            raise ScenarioError([Problem("--set", key, "expected SECTION.KEY[.KEY...]=VALUE")])
        if parts[0] == "parameters" and len(parts) == 2:
            parts.append("value")
        node = doc
        for part in parts[:-1]:
            if not isinstance(node.get(part, {}), dict):
                raise ScenarioError([Problem("--set", key, f"{part} is not a table")])
            node = node.setdefault(part, {})
        node[parts[-1]] = value
        frag = given
        for part in parts[:-1]:
            frag = frag.setdefault(part, {})
        frag[parts[-1]] = value
    problems = check_document(given, "--set", lambda k: None) if given else []
    if problems:
        raise ScenarioError(problems)
    return doc


def _only(parts: list[str], value: object) -> dict:
    out: dict = {}
    node = out
    for part in parts[:-1]:
        node = node.setdefault(part, {})
    node[parts[-1]] = value
    return out


def fill_defaults(doc: dict) -> dict:
    """Complete a document with defaults for every omitted key (parameters from the registry)."""
    doc = copy.deepcopy(doc)
    scen = doc.setdefault("scenario", {})
    for key, field in S.SCENARIO_FIELDS.items():
        if field.default is not None and key != "extends":
            scen.setdefault(key, field.default)
    for actor in doc.get("actors", {}).values():
        for key, field in S.ACTOR_FIELDS.items():
            if field.default is not None:
                actor.setdefault(key, field.default)
        actor.setdefault("trust", {})
    state = doc.setdefault("state", {})
    for key, field in S.STATE_FIELDS.items():
        state.setdefault(key, field.default)
    if isinstance(state["escalation_level"], str):
        state["escalation_level"] = S.LEVEL_NAMES.index(state["escalation_level"])
    levers = doc.setdefault("levers", {})
    for key, field in S.LEVERS.items():
        levers.setdefault(key, field.default)
    levers.setdefault("exercise_months", list(S.EXERCISE_MONTHS_DEFAULT))
    mech = doc.setdefault("mechanisms", {})
    for key in S.MECHANISMS:
        mech.setdefault(key, True)
    metrics = doc.setdefault("metrics", {})
    metrics.setdefault("horizons_years", list(S.DEFAULT_HORIZONS))
    weights = metrics.setdefault("stability_weights", {})
    for key, w in S.DEFAULT_WEIGHTS.items():
        weights.setdefault(key, w)
    for key, field in S.METRIC_FIELDS.items():
        metrics.setdefault(key, field.default)
    params = doc.setdefault("parameters", {})
    for p in REGISTRY:
        spec = params.get(p.name, {})
        if not isinstance(spec, dict):
            spec = {"value": spec}
        value = float(spec.get("value", p.value))
        low, high = spec.get("range", [min(p.low, value), max(p.high, value)])
        params[p.name] = {
            "value": value,
            "unit": p.unit,
            "range": [float(low), float(high)],
            "distribution": spec.get("distribution", "triangular"),
            "basis": spec.get("basis", p.basis),
        }
    return doc


class Scenario:
    """A validated, complete scenario. Treat as immutable; use the ``with_*`` methods."""

    def __init__(self, doc: dict, source: str = "<memory>"):
        self._doc = doc
        self.source = source

    # --- views ---------------------------------------------------------------------------------
    @property
    def name(self) -> str:
        return self._doc["scenario"]["name"]

    @property
    def doc(self) -> dict:
        """A deep copy of the complete scenario document."""
        return copy.deepcopy(self._doc)

    def __getitem__(self, section: str):
        return copy.deepcopy(self._doc[section])

    @property
    def start(self) -> tuple[int, int]:
        return parse_month(self._doc["scenario"]["start"])

    @property
    def horizon_months(self) -> int:
        return int(self._doc["scenario"]["horizon_months"])

    @property
    def runs(self) -> int:
        return int(self._doc["scenario"]["runs"])

    @property
    def seed(self) -> int:
        return int(self._doc["scenario"]["seed"])

    def hash(self) -> str:
        """SHA-256 of the canonical JSON form of the complete document."""
        blob = json.dumps(self._doc, sort_keys=True, separators=(",", ":")).encode()
        return hashlib.sha256(blob).hexdigest()

    def to_toml(self) -> str:
        header = (f"# Peninsula scenario '{self.name}' (complete: every key shown).\n"
                  "# Copy, edit and run with: peninsula run FILE.toml\n\n")
        return header + tomli_w.dumps(self._doc)

    # --- modified copies -----------------------------------------------------------------------
    def with_overrides(self, overrides: list[str]) -> Scenario:
        """Return a copy with ``--set``-style overrides ('levers.exercise_intensity=2')."""
        return _finish(apply_overrides(self._doc, overrides), self.source)

    def with_values(self, items: list[tuple[str, object]]) -> Scenario:
        """Return a copy with (key, value) overrides, keys as ``--set`` takes them."""
        return _finish(apply_values(self._doc, items), self.source)

    def with_levers(self, **levers) -> Scenario:
        """Return a copy with the given levers replaced (numbers or schedules)."""
        return _finish(merge(self._doc, {"levers": levers}), self.source, check=True)

    def with_parameters(self, **values) -> Scenario:
        """Return a copy with parameter values replaced (a number sets ``value``)."""
        upd = {k: (v if isinstance(v, dict) else {"value": v}) for k, v in values.items()}
        return _finish(merge(self._doc, {"parameters": upd}), self.source, check=True)

    def with_mechanisms(self, **flags: bool) -> Scenario:
        """Return a copy with mechanisms switched on or off."""
        return _finish(merge(self._doc, {"mechanisms": flags}), self.source, check=True)

    def with_settings(self, **settings) -> Scenario:
        """Return a copy with ``[scenario]`` settings replaced (runs, seed, horizon_months...)."""
        return _finish(merge(self._doc, {"scenario": settings}), self.source, check=True)

    def __repr__(self) -> str:
        return f"Scenario({self.name!r}, start={self._doc['scenario']['start']}, " \
               f"horizon_months={self.horizon_months}, runs={self.runs})"


def _finish(doc: dict, source: str, check: bool = False) -> Scenario:
    if check:
        problems = check_document(doc, source, lambda k: None)
        if problems:
            raise ScenarioError(problems)
    full = fill_defaults(doc)
    problems = check_complete(full, source, lambda k: None)
    if problems:
        raise ScenarioError(problems)
    return Scenario(full, source)


def load_scenario(ref: str | Path = "baseline", overrides: list[str] | None = None) -> Scenario:
    """Load a bundled scenario by name or a TOML/YAML file, with optional ``--set`` overrides."""
    doc, display, (text, fmt) = _load_chain(str(ref), None)
    doc = apply_overrides(doc, list(overrides or []))
    full = fill_defaults(doc)
    problems = check_complete(full, display, lambda k: find_line(text, k, fmt))
    if problems:
        raise ScenarioError(problems)
    return Scenario(full, display)
