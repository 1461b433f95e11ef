"""Properties of the scenario loader, checked on generated input (Hypothesis).

Whatever the input (a file's text or bytes, a document of known and unknown keys, an override),
loading ends in a ``Scenario`` or a ``ScenarioError``, never another exception; an in-range
override loads and survives ``to_toml`` and reloading; an out-of-range value is rejected with a
message naming the field and the allowed range. Derandomized and bounded, so CI stays
deterministic and takes a few seconds.
"""

import math

import pytest
import tomli_w
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import peninsula
from peninsula.scenario import schema as S
from peninsula.scenario.errors import ScenarioError
from peninsula.scenario.parameters import DISTRIBUTIONS, REGISTRY

FAST = settings(derandomize=True, max_examples=60, deadline=None,
                suppress_health_check=[HealthCheck.too_slow])
PARAMS = list(REGISTRY)
FINITE = {"allow_nan": False, "allow_infinity": False}
ACTOR_FIELDS = dict(S.ACTOR_FIELDS)
STATE_FLOATS = {k: f for k, f in S.STATE_FIELDS.items() if f.kind == "float"}


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return tmp_path_factory.mktemp("props")


def _load(path, overrides=()):
    """Load, returning the Scenario or the ScenarioError (any other exception fails the test)."""
    try:
        return peninsula.load_scenario(str(path), list(overrides))
    except ScenarioError as exc:
        assert exc.problems and all(str(p).isprintable() for p in exc.problems), str(exc)
        return exc


def _round_trips(sc, folder) -> None:
    path = folder / "round.toml"
    path.write_text(sc.to_toml())
    assert peninsula.load_scenario(str(path)).hash() == sc.hash()


def _in(field):
    return st.floats(field.low, min(field.high, 1e9), **FINITE)


# --- in-range overrides load and round-trip --------------------------------------------------

@st.composite
def in_range_override(draw):
    """A ``KEY=VALUE`` override of a known lever, parameter, state or actor field, in range."""
    kind = draw(st.sampled_from(["lever", "parameter", "parameter.value", "state", "actor"]))
    if kind == "lever":
        name = draw(st.sampled_from(sorted(S.LEVERS)))
        return f"levers.{name}", draw(_in(S.LEVERS[name]))
    if kind.startswith("parameter"):
        p = draw(st.sampled_from(PARAMS))
        lo, hi = p.limits
        value = draw(st.floats(lo, min(hi, 1e6), **FINITE))
        return ("parameters." + p.name + (".value" if kind.endswith("value") else "")), value
    if kind == "state":
        name = draw(st.sampled_from(sorted(STATE_FLOATS)))
        return f"state.{name}", draw(_in(STATE_FLOATS[name]))
    actor = draw(st.sampled_from(S.ACTORS))
    name = draw(st.sampled_from(sorted(ACTOR_FIELDS)))
    return f"actors.{actor}.{name}", draw(_in(ACTOR_FIELDS[name]))


@FAST
@given(over=st.lists(in_range_override(), min_size=1, max_size=4,
                     unique_by=lambda kv: kv[0].removesuffix(".value")))
def test_in_range_overrides_load_and_round_trip(folder, over):
    sc = peninsula.load_scenario("baseline", [f"{k}={v!r}" for k, v in over])
    for key, value in over:
        section, *path = key.removesuffix(".value").split(".")
        node = sc[section]
        for part in path:
            node = node[part]
        if section != "parameters":
            assert node == value
            continue
        assert node["value"] == value
        assert (node["distribution"] == "fixed") == (not key.endswith(".value"))
    _round_trips(sc, folder)


# --- anything in: a Scenario or a ScenarioError out -----------------------------------------

KEYS = st.sampled_from([*S.SECTIONS, *S.SCENARIO_FIELDS, *S.LEVERS, "exercise_months",
                        *S.STATE_FIELDS, *S.ACTOR_FIELDS, *S.ACTORS, "trust",
                        *S.PARAMETER_KEYS, "launch_drill_effect", "deterrence_elasticity",
                        *S.MECHANISMS, "horizons_years", "stability_weights", "war",
                        "2026-06", "2030-01", "1949-12"]) | st.text(max_size=6)
SCALARS = (st.booleans() | st.integers(-2**70, 2**70) | st.floats()
           | st.sampled_from(["2026-01", "baseline", "triangular", "fixed", "calm", ""])
           | st.text(max_size=8))
VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=5)
                      | st.dictionaries(KEYS, inner, max_size=4), max_leaves=20)


NUMBERS = st.floats(-1, 3) | st.integers(-5, 130) | st.floats()
MONTHS = st.sampled_from(["2026-01", "2026-06", "2030-12", "1949-12", "2026-13", "soon"])
LEVER_VALUES = (NUMBERS | st.lists(st.floats(0, 2), max_size=150)
                | st.dictionaries(MONTHS, NUMBERS, max_size=3) | VALUES)
PARAM_SPECS = NUMBERS | st.fixed_dictionaries({}, optional={
    "value": NUMBERS, "range": st.lists(NUMBERS, max_size=3), "basis": SCALARS,
    "distribution": st.sampled_from([*DISTRIBUTIONS, "normal"]), "unit": SCALARS}) | VALUES
ACTOR_SPECS = st.fixed_dictionaries({}, optional={
    **{k: NUMBERS for k in S.ACTOR_FIELDS},
    "trust": st.dictionaries(st.sampled_from(S.ACTORS), NUMBERS, max_size=3)})


def _section(keys, values):
    """A section of mostly known keys (five in six), now and then an unknown one."""
    known = st.sampled_from(keys)
    return st.dictionaries(st.one_of(*[known] * 5, st.text(max_size=4)), values, max_size=5)


SECTION_DOCS = {
    "scenario": _section([k for k in S.SCENARIO_FIELDS if k != "extends"], NUMBERS | SCALARS),
    "levers": _section([*S.LEVERS, "exercise_months"], LEVER_VALUES),
    "state": _section(list(S.STATE_FIELDS), NUMBERS | SCALARS),
    "mechanisms": _section(list(S.MECHANISMS), st.booleans() | SCALARS),
    "metrics": _section([*S.METRIC_FIELDS, "horizons_years", "stability_weights"], VALUES),
    "parameters": _section([p.name for p in PARAMS[:12]], PARAM_SPECS),
    "actors": _section(list(S.ACTORS), ACTOR_SPECS | VALUES),
}


@st.composite
def documents(draw):
    """A scenario document near a valid one: mostly extends baseline, then sections of mostly
    known keys with values of roughly the right kind, and now and then anything."""
    names = draw(st.lists(st.sampled_from([*S.SECTIONS, "other"]), unique=True, max_size=4))
    doc = {name: draw(SECTION_DOCS.get(name, st.dictionaries(KEYS, VALUES, max_size=3)))
           for name in names}
    if draw(st.integers(0, 3)):
        scen = doc.setdefault("scenario", {})
        scen.update(extends="baseline", name="fuzz")
        if draw(st.booleans()):
            scen["horizon_months"] = draw(st.integers(1, 200))
    return doc


@FAST
@given(doc=documents(), fmt=st.sampled_from(["toml", "yaml"]))
def test_any_document_loads_or_is_a_scenario_error(folder, doc, fmt):
    path = folder / f"doc.{fmt}"
    path.write_text(tomli_w.dumps(doc) if fmt == "toml" else yaml.safe_dump(doc))
    result = _load(path)
    if isinstance(result, peninsula.Scenario):
        _round_trips(result, folder)


@FAST
@given(data=st.binary(max_size=200) | st.text(max_size=200).map(str.encode),
       fmt=st.sampled_from(["toml", "yaml"]), bom=st.booleans())
def test_any_file_content_loads_or_is_a_scenario_error(folder, data, fmt, bom):
    path = folder / f"raw.{fmt}"
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)
    _load(path)


@FAST
@given(key=KEYS.map(lambda k: f"levers.{k}") | st.sampled_from(
    ["scenario.extends", "scenario.horizon_months", "parameters.launch_drill_effect",
     "parameters.launch_drill_effect.value", "parameters.launch_drill_effect.range",
     "state.escalation_level", "actors.PRK.trust.USA", "metrics.horizons_years"])
    | st.text(max_size=12),
    raw=st.text(max_size=30) | SCALARS.map(repr)
    | st.lists(st.floats(0, 2), max_size=200).map(repr))
def test_any_override_loads_or_is_a_scenario_error(key, raw):
    _load("baseline", [f"{key}={raw}"])


# --- out of range: rejected, naming the field and the range ---------------------------------

def _outside(field):
    below = st.floats(max_value=field.low, exclude_max=True, **FINITE)
    if math.isinf(field.high):
        return below
    return below | st.floats(min_value=field.high, exclude_min=True, **FINITE)


@st.composite
def out_of_range(draw):
    """(key, value, field) with the value outside the field's allowed range."""
    kind = draw(st.sampled_from(["lever", "parameter", "state", "actor"]))
    if kind == "lever":
        name = draw(st.sampled_from(sorted(S.LEVERS)))
        field, key = S.LEVERS[name], f"levers.{name}"
    elif kind == "parameter":
        p = draw(st.sampled_from(PARAMS))
        field, key = S.Field("float", *p.limits), f"parameters.{p.name}"
        key += draw(st.sampled_from(["", ".value"]))
    elif kind == "state":
        name = draw(st.sampled_from(sorted(STATE_FLOATS)))
        field, key = STATE_FLOATS[name], f"state.{name}"
    else:
        name = draw(st.sampled_from(sorted(ACTOR_FIELDS)))
        field = ACTOR_FIELDS[name]
        key = f"actors.{draw(st.sampled_from(S.ACTORS))}.{name}"
    return key, draw(_outside(field)), field


@FAST
@given(case=out_of_range(), where=st.sampled_from(["set", "file"]))
def test_out_of_range_values_are_rejected_naming_field_and_range(folder, case, where):
    key, value, field = case
    if where == "set":
        result = _load("baseline", [f"{key}={value!r}"])
        source = "--set"
    else:
        path = folder / "range.toml"
        section, rest = key.split(".", 1)
        path.write_text('[scenario]\nextends = "baseline"\nname = "r"\n'
                        + tomli_w.dumps({section: _nest(rest.split("."), value)}))
        result = _load(path)
        source = str(path)
    assert isinstance(result, ScenarioError)
    (problem,) = result.problems
    assert problem.file == source and problem.key.startswith(key)
    assert "out of range" in problem.message and field.describe() in problem.message


def _nest(parts, value):
    return {parts[0]: _nest(parts[1:], value)} if len(parts) > 1 else {parts[0]: value}
