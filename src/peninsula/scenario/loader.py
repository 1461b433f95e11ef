"""Load scenarios: read TOML/YAML, resolve ``extends``, apply ``--set`` overrides, fill defaults.

Every problem is collected into one ``ScenarioError`` naming where the value came from (the file,
``--set`` or the ``with_*`` method), the key path, the line and what is allowed. A loaded
``Scenario`` is immutable: ``with_levers`` and friends return a new one.

A parameter given as a bare number (``NAME = 0.8`` in a file, ``--set parameters.NAME=0.8``, a
sweep design column, ``with_parameters(NAME=0.8)``) is fixed at that value in every run; a table
(``{ value = 0.8 }``, ``--set parameters.NAME.value=0.8``) sets only the value (the mode of a
triangular distribution) and keeps the distribution.
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
import stat
import tomllib
from importlib import resources
from pathlib import Path

import tomli_w
import yaml

from peninsula.scenario import schema as S
from peninsula.scenario.errors import Problem, ScenarioError, did_you_mean
from peninsula.scenario.locate import find_line
from peninsula.scenario.parameters import REGISTRY
from peninsula.scenario.validate import (
    check_complete,
    check_document,
    check_horizons,
    parse_month,
)

BUNDLED_DIR = "bundled"
EXTENDS_ONLY_IN_FILES = ("'extends' only works inside a scenario file, where it names the "
                         "scenario that file modifies; write a file with [scenario] extends = "
                         "\"NAME\" and run that file")
MAX_SCENARIO_BYTES = 1 << 20  # a scenario is a few kB; more is not a scenario
MAX_EXTENDS_DEPTH = 32  # files in one 'extends' chain


def bundled_names() -> list[str]:
    """Names of the scenarios shipped with the package."""
    folder = resources.files("peninsula.scenario") / BUNDLED_DIR
    return sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".toml"))


def _read_source(ref: str, base: Path | None, by: tuple[str, int | None] | None = None
                 ) -> tuple[str, str, str]:
    """Return (display name, text, format) for a bundled name or a file path.

    ``by`` is the file (and line) whose ``extends`` names ``ref``: a parent that cannot be read
    is reported against that file, naming both. A leading UTF-8 byte order mark is skipped.
    """
    if ref in bundled_names() and not (base and (base / ref).is_file()):
        folder = resources.files("peninsula.scenario") / BUNDLED_DIR
        return f"<bundled:{ref}>", (folder / f"{ref}.toml").read_text("utf-8-sig"), "toml"
    path = Path(ref) if base is None or Path(ref).is_absolute() else base / ref
    fmt = "yaml" if path.suffix.lower() in (".yaml", ".yml") else "toml"
    try:
        data = _read_regular(path)
    except (OSError, ValueError) as exc:  # ValueError: a NUL in the name
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        known = ", ".join(bundled_names())
        if isinstance(exc, _NotAScenario):
            where = Problem(by[0], "scenario.extends", f"the parent scenario {ref!r} ({path}) "
                            f"{reason}", by[1]) if by is not None else \
                Problem(str(path), "", reason)
            raise ScenarioError([where]) from None
        hint = did_you_mean(ref, bundled_names()) if "/" not in ref and "\\" not in ref else ""
        hint = f";{hint}" if hint else ""
        if by is not None:
            raise ScenarioError([Problem(by[0], "scenario.extends",
                                         f"cannot read the parent scenario {ref!r} ({path}: "
                                         f"{reason}); give a bundled name ({known}) or a path "
                                         f"relative to this file{hint}", by[1])]) from None
        raise ScenarioError([Problem(str(path), "", f"cannot read scenario file ({reason}); "
                                     f"bundled scenarios are: {known}{hint}")]) from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ScenarioError([Problem(str(path), "", f"not UTF-8 text (byte 0x{data[exc.start]:02x} "
                                     "cannot be read); save the file as UTF-8", line)]) from None
    return str(path), text, fmt


class _NotAScenario(ValueError):
    """A path that is not a regular file of scenario size: its message says why."""


def _read_regular(path: Path) -> bytes:
    """The bytes of a regular file of at most MAX_SCENARIO_BYTES (never a FIFO or a device,
    which could block or never end). Raises OSError when it cannot be read."""
    try:
        info = path.stat()
    except OSError:
        return path.read_bytes()  # the read's own error (no such file...) says it best
    if stat.S_ISDIR(info.st_mode):
        return path.read_bytes()  # IsADirectoryError, as before
    if not stat.S_ISREG(info.st_mode):
        kind = ("a FIFO" if stat.S_ISFIFO(info.st_mode) else "a device"
                if stat.S_ISCHR(info.st_mode) or stat.S_ISBLK(info.st_mode) else "a socket"
                if stat.S_ISSOCK(info.st_mode) else "not a file")
        raise _NotAScenario(f"is {kind}, not a regular file; scenarios are read only from "
                            "regular TOML/YAML files")
    limit = f"scenarios are at most {MAX_SCENARIO_BYTES // 1024:,} KiB"
    if info.st_size > MAX_SCENARIO_BYTES:
        raise _NotAScenario(f"is {info.st_size:,} bytes, too large to be a scenario; {limit}")
    with path.open("rb") as fh:
        data = fh.read(MAX_SCENARIO_BYTES + 1)
    if len(data) > MAX_SCENARIO_BYTES:  # it grew after the check
        raise _NotAScenario(f"is too large to be a scenario; {limit}")
    return data


def _yaml_duplicates(text: str) -> tuple[str, int, int] | None:
    """The first key given twice in one YAML table: (key path, its line, the earlier line).

    YAML readers keep the last value silently; TOML refuses, and so does this."""
    root = yaml.compose(text)
    stack: list[tuple[yaml.Node, tuple[str, ...]]] = [(root, ())] if root is not None else []
    seen: set[int] = set()
    while stack:
        node, path = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.SequenceNode):
            stack.extend((item, path) for item in reversed(node.value))
        elif isinstance(node, yaml.MappingNode):
            first: dict[tuple[str, str], int] = {}
            for key, _ in node.value:
                if isinstance(key, yaml.ScalarNode) and key.tag != "tag:yaml.org,2002:merge":
                    line = key.start_mark.line + 1
                    if (key.tag, key.value) in first:
                        return ".".join((*path, key.value)), line, first[(key.tag, key.value)]
                    first[(key.tag, key.value)] = line
            stack.extend((value, (*path, str(getattr(key, "value", "?"))))
                         for key, value in reversed(node.value))
    return None


def _parse(display: str, text: str, fmt: str) -> dict:
    """The document of one file, or a ScenarioError naming the file and line."""
    def fail(message: str, line: int | None = None) -> ScenarioError:
        return ScenarioError([Problem(display, "", " ".join(message.split()), line)])

    try:
        twice = _yaml_duplicates(text) if fmt == "yaml" else None
        if twice is not None:
            key, line, earlier = twice
            raise ScenarioError([Problem(display, key, f"given twice (first on line {earlier}); "
                                         "give each key once", line)])
        doc = yaml.safe_load(text) if fmt == "yaml" else tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = re.search(r"at line (\d+)", str(exc))
        line = getattr(exc, "lineno", None) or (int(found.group(1)) if found else None)
        raise fail(f"not valid TOML: {str(exc).split(' (at line')[0]}", line) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        msg = ", ".join(str(m) for m in (exc.context, exc.problem) if m) or "syntax error"
        raise fail(f"not valid YAML: {msg}", mark.line + 1 if mark else None) from None
    except yaml.reader.ReaderError as exc:
        line = text[: exc.position].count("\n") + 1
        code = exc.character if isinstance(exc.character, int) else ord(exc.character[:1] or " ")
        raise fail(f"not valid YAML: character U+{code:04X} is not allowed", line) from None
    except yaml.YAMLError as exc:
        raise fail(f"not valid YAML: {exc}") from None
    except RecursionError:
        raise fail("nested too deeply to read") from None
    if doc is None:
        doc = {}
    if not isinstance(doc, dict):
        raise fail("expected a table of sections at top level")
    problems = _key_problems(doc, display, lambda k: find_line(text, k, fmt))
    if problems:
        raise ScenarioError(problems)
    return doc


def _key_problems(node: object, display: str, line_of, path: tuple[str, ...] = (),
                  seen: set[int] | None = None) -> list[Problem]:
    """Keys that are not text (YAML reads ``1:`` or ``2027-01-01:`` as a number or a date)."""
    seen = set() if seen is None else seen
    if not isinstance(node, dict | list) or id(node) in seen:
        return []
    seen.add(id(node))
    out: list[Problem] = []
    items = node.items() if isinstance(node, dict) else ((None, v) for v in node)
    for key, value in items:
        if key is None and isinstance(node, list):
            out += _key_problems(value, display, line_of, path, seen)
        elif not isinstance(key, str):
            where = ".".join((*path, str(key)))
            out.append(Problem(display, where, f"keys must be text, got {type(key).__name__} "
                               f"{key!r}; quote it (\"{key}\") or use a known name",
                               line_of(where)))
        else:
            out += _key_problems(value, display, line_of, (*path, key), seen)
    return out


def merge(base: dict, over: dict) -> dict:
    """Deep merge: tables merge key by key; any other value in ``over`` replaces."""
    out = copy.deepcopy(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def fixed_parameter(spec: object) -> object:
    """A parameter spec as stored: a bare number ``v`` means fixed at ``v`` in every run,
    ``{"value": v, "distribution": "fixed"}``; a table (or anything else) is returned as is."""
    if isinstance(spec, int | float) and not isinstance(spec, bool):
        return {"value": spec, "distribution": "fixed"}
    return spec


def _fix_bare_parameters(doc: dict) -> dict:
    params = doc.get("parameters")
    if isinstance(params, dict):
        for name, spec in params.items():
            params[name] = fixed_parameter(spec)
    return doc


class _Origins:
    """Which file (or flag) gave each key path, so a problem found in the merged scenario names
    where its value came from, with the line when it came from a file."""

    def __init__(self, default: str = "<memory>"):
        self.default = default
        self.texts: dict[str, tuple[str, str]] = {}  # display -> (text, format)
        self.by_key: dict[tuple[str, ...], str] = {}

    def record(self, doc: dict, source: str, prefix: tuple[str, ...] = ()) -> None:
        """Mark every key of ``doc`` (under ``prefix``) as given by ``source``."""
        for key, value in doc.items():
            path = (*prefix, str(key))
            self.by_key[path] = source
            if isinstance(value, dict):
                self.record(value, source, path)

    def where(self, key: str) -> tuple[str, int | None]:
        parts = tuple(re.sub(r"\[\d+\]", "", key).split("."))
        source = next((self.by_key[parts[:n]] for n in range(len(parts), 0, -1)
                       if parts[:n] in self.by_key), self.default)
        text = self.texts.get(source)
        return source, (find_line(text[0], key, text[1]) if text else None)


def _load_chain(ref: str, base: Path | None, origins: _Origins, seen: tuple[str, ...] = (),
                by: tuple[str, int | None] | None = None) -> tuple[dict, str]:
    """The merged document of ``ref`` and the scenarios it extends, and its display name."""
    if len(seen) >= MAX_EXTENDS_DEPTH and by is not None:
        raise ScenarioError([Problem(by[0], "scenario.extends", f"'extends' chain deeper than "
                                     f"{MAX_EXTENDS_DEPTH} files (from {seen[0]}); extend a "
                                     "scenario nearer the base", by[1])])
    display, text, fmt = _read_source(ref, base, by)
    if display in seen:
        file, line = by if by else (display, None)
        raise ScenarioError([Problem(file, "scenario.extends", "circular 'extends': "
                                     + " -> ".join((*seen, display)), line)])
    own = _parse(display, text, fmt)
    if not own:
        raise ScenarioError([Problem(display, "", "empty scenario file; start it with [scenario] "
                                     "extends = \"baseline\" (or another bundled name) and give "
                                     "the keys to change")])
    origins.texts[display] = (text, fmt)
    problems = check_document(own, display, lambda k: find_line(text, k, fmt))
    if problems:
        raise ScenarioError(problems)
    own = _fix_bare_parameters(own)
    doc = own
    parent_ref = own.get("scenario", {}).get("extends")
    if parent_ref:
        here = None if display.startswith("<bundled:") else Path(display).parent
        parent, _ = _load_chain(parent_ref, here, origins, (*seen, display),
                                (display, find_line(text, "scenario.extends", fmt)))
        doc = merge(parent, own)
        doc["scenario"].pop("extends", None)
    origins.record(own, display)  # after the parent's: the child's keys win
    return doc, display


def parse_override(item: str) -> tuple[str, object]:
    """'levers.exercise_intensity=2' -> ('levers.exercise_intensity', 2). Values parse as TOML."""
    if "=" not in item:
        raise ScenarioError([Problem("--set", item, "expected KEY.PATH=VALUE")])
    key, raw = item.split("=", 1)
    key, raw = key.strip(), raw.strip()
    try:
        value = tomllib.loads(f"v = {raw}")["v"]
    except (tomllib.TOMLDecodeError, RecursionError):
        value = raw
    return key, value


def known_keys() -> list[str]:
    """Every scalar key a ``--set`` may name, as SECTION.KEY (the last part suggests them)."""
    keys = [f"scenario.{k}" for k in S.SCENARIO_FIELDS if k != "extends"]
    keys += [f"levers.{k}" for k in (*S.LEVERS, "exercise_months")]
    keys += [f"state.{k}" for k in S.STATE_FIELDS]
    keys += [f"mechanisms.{k}" for k in S.MECHANISMS]
    keys += [f"metrics.{k}" for k in (*S.METRIC_FIELDS, "horizons_years")]
    keys += [f"parameters.{p.name}" for p in REGISTRY]
    return keys


def _suggest_key(name: str) -> str:
    """' did you mean levers.NAME?' for a key given without its section, or ''."""
    import difflib

    by_last = {k.rsplit(".", 1)[1]: k for k in known_keys()}
    close = difflib.get_close_matches(name, list(by_last), n=1, cutoff=0.6)
    return f" did you mean {by_last[close[0]]}?" if close else did_you_mean(name, known_keys())


def apply_overrides(doc: dict, overrides: list[str]) -> dict:
    """Apply ``--set`` overrides; a bare number for a parameter fixes it (see ``apply_values``)."""
    return apply_values(doc, [parse_override(item) for item in overrides])


def apply_values(doc: dict, items: list[tuple[str, object]], source: str = "--set",
                 origins: _Origins | None = None) -> dict:
    """Apply (key, value) pairs as ``--set`` does, the values already parsed.

    ``parameters.NAME`` with a number fixes the parameter at that value in every run; with a
    table it updates the parameter's table. ``parameters.NAME.value`` sets only the value (the
    mode). ``scenario.extends`` is refused: it only has a meaning inside a file. Problems name
    ``source``; ``origins`` (if given) records which keys ``source`` set.
    """
    doc = copy.deepcopy(doc)
    given: dict = {}  # the overridden fields alone, checked together once
    for key, value in items:
        parts = str(key).split(".")
        if len(parts) < 2 or not all(parts):
            hint = _suggest_key(parts[0]) if len(parts) == 1 else ""
            raise ScenarioError([Problem(source, str(key), "expected SECTION.KEY[.KEY...]=VALUE"
                                         + (f";{hint}" if hint else ""))])
        if parts[:2] == ["scenario", "extends"]:
            raise ScenarioError([Problem(source, str(key), EXTENDS_ONLY_IN_FILES)])
        if parts[0] == "parameters" and len(parts) == 2:
            value = fixed_parameter(value)
        for tree in (doc, given):
            node = tree
            for part in parts[:-1]:
                if not isinstance(node.get(part, {}), dict):
                    raise ScenarioError([Problem(source, str(key), f"{part} is not a table")])
                node = node.setdefault(part, {})
            old = node.get(parts[-1])
            if parts[0] == "parameters" and len(parts) == 2 and isinstance(value, dict) \
                    and isinstance(old, dict):
                node[parts[-1]] = merge(old, value)  # a table updates the parameter's table
            else:
                node[parts[-1]] = copy.deepcopy(value)
        if origins is not None:
            origins.record(_only(parts, value), source)
    problems = check_document(given, source, lambda k: None) if given else []
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
        spec = fixed_parameter(params.get(p.name, {}))
        value = float(spec.get("value", p.value))
        low, high = spec.get("range", [min(p.low, value), max(p.high, value)])
        params[p.name] = {
            "value": value,
            "unit": p.unit,
            "range": [float(low), float(high)],
            "distribution": spec.get("distribution", p.distribution),
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

    def study(self, key: str):
        """An entry of the scenario's ``[study]`` table (None when it has none)."""
        return copy.deepcopy(self._doc.get("study", {}).get(key))

    def study_path(self, key: str) -> Path | None:
        """A file named in ``[study]``, relative to the scenario file that was loaded."""
        value = self.study(key)
        if value is None:
            return None
        path = Path(value)
        src = Path(self.source)
        return path if path.is_absolute() or not src.is_file() else src.parent / path

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
        """The complete scenario as a TOML file that loads back to the same scenario."""
        header = (f"# Peninsula scenario '{self.name}' (complete: every key shown).\n"
                  "# Copy, edit and run with: peninsula run FILE.toml\n\n")
        return header + tomli_w.dumps(self._doc)

    # --- modified copies -----------------------------------------------------------------------
    def with_overrides(self, overrides: list[str]) -> Scenario:
        """Return a copy with ``--set``-style overrides ('levers.exercise_intensity=2')."""
        return self.with_values([parse_override(item) for item in overrides])

    def with_values(self, items: list[tuple[str, object]], source: str = "--set") -> Scenario:
        """Return a copy with (key, value) overrides, keys and meaning as ``--set`` takes them
        (a number for ``parameters.NAME`` fixes it); problems name ``source``."""
        origins = _Origins(self.source)
        return _complete(apply_values(self._doc, items, source, origins), self.source, origins)

    def with_levers(self, **levers: object) -> Scenario:
        """Return a copy with the given levers replaced (numbers, schedules or monthly lists)."""
        return self._with("levers", levers, "with_levers")

    def with_parameters(self, **values: object) -> Scenario:
        """Return a copy with parameters changed. A number FIXES the parameter at that value in
        every run (distribution "fixed"), as ``--set parameters.NAME=V`` does; a table such as
        ``{"value": 0.8}`` updates only the keys it gives (``value`` alone moves the mode and
        keeps the distribution)."""
        return self._with("parameters", {k: fixed_parameter(v) for k, v in values.items()},
                          "with_parameters")

    def with_mechanisms(self, **flags: bool) -> Scenario:
        """Return a copy with mechanisms switched on or off."""
        return self._with("mechanisms", flags, "with_mechanisms")

    def with_settings(self, **settings: object) -> Scenario:
        """Return a copy with ``[scenario]`` settings replaced (runs, seed, horizon_months...)."""
        if "extends" in settings:
            raise ScenarioError([Problem("with_settings", "scenario.extends",
                                         EXTENDS_ONLY_IN_FILES)])
        return self._with("scenario", settings, "with_settings")

    def _with(self, section: str, values: dict, label: str) -> Scenario:
        """Merge ``{section: values}`` in; problems in those values name ``label``."""
        frag = {section: values}
        problems = check_document(frag, label, lambda k: None)
        if problems:
            raise ScenarioError(problems)
        origins = _Origins(self.source)
        origins.record(frag, label)
        return _complete(merge(self._doc, frag), self.source, origins)

    def __repr__(self) -> str:
        return f"Scenario({self.name!r}, start={self._doc['scenario']['start']}, " \
               f"horizon_months={self.horizon_months}, runs={self.runs})"


def _complete(doc: dict, source: str, origins: _Origins) -> Scenario:
    """Fill defaults and check the whole; each problem names where its value came from."""
    full = fill_defaults(doc)
    problems = check_complete(full, source, lambda k: None, origins.where)
    if ("metrics", "horizons_years") in origins.by_key:  # given, not the default
        problems += check_horizons(full, origins.where)
    if problems:
        raise ScenarioError(problems)
    return Scenario(full, source)


def load_scenario(ref: str | Path = "baseline", overrides: list[str] | None = None) -> Scenario:
    """Load a bundled scenario by name or a TOML/YAML file, with optional ``--set`` overrides."""
    origins = _Origins()
    doc, display = _load_chain(str(ref), None, origins)
    origins.default = display
    items = [parse_override(item) for item in overrides or []]
    return _complete(apply_values(doc, items, "--set", origins), display, origins)
