"""docs/contributing.md's recipes cannot rot: they are applied to a copy of the package and run.

Every fenced block preceded by an ``<!-- apply: ... -->`` comment is applied to a temporary copy
of ``src/``: ``append FILE``, ``create FILE``, or ``after "LINE" in FILE`` (inserted after the one
line of FILE equal to LINE; the line must exist exactly once). The copy must then pass ruff and
the layer rules, and, run as plain Python (NUMBA_DISABLE_JIT=1: nothing to compile), offer the
toy parameter, lever, switch and metric, and draw the toy mechanism's events in a run.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "contributing.md"
STEP = re.compile(r"<!-- apply: (.*?) -->\n```[a-z]*\n(.*?)```", re.S)


def steps(text: str) -> list[tuple[str, str]]:
    return [(m.group(1), m.group(2)) for m in STEP.finditer(text)]


def apply(root: Path, instruction: str, block: str) -> None:
    if instruction.startswith("append "):
        path = root / instruction.removeprefix("append ")
        path.write_text(path.read_text() + block)
    elif instruction.startswith("create "):
        path = root / instruction.removeprefix("create ")
        assert not path.exists(), f"{path} already exists"
        path.write_text(block)
    else:
        m = re.fullmatch(r'after "((?:[^"\\]|\\.)*)" in (\S+)', instruction)
        assert m, f"cannot read the instruction {instruction!r}"
        anchor = m.group(1).replace('\\"', '"')
        path = root / m.group(2)
        lines = path.read_text().splitlines(keepends=True)
        hits = [i for i, line in enumerate(lines) if line.rstrip("\n") == anchor]
        assert len(hits) == 1, f"{path.name}: the line {anchor!r} occurs {len(hits)} times"
        lines.insert(hits[0] + 1, block)
        path.write_text("".join(lines))


@pytest.fixture(scope="module")
def toy(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("recipe")
    shutil.copytree(ROOT / "src", root / "src",
                    ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    shutil.copy(ROOT / "pyproject.toml", root / "pyproject.toml")  # the lint settings
    found = steps(DOC.read_text())
    assert len(found) >= 10, "the recipes lost their applied steps"
    for instruction, block in found:
        apply(root, instruction, block)
    return root


CHECK = r"""
import json, numpy as np, peninsula
from peninsula.analysis.metrics import metric_names
from peninsula.engine.inputs import parameter_record
from peninsula.model import cyber
from peninsula.scenario.parameters import BY_NAME
from peninsula.io.tables import events_table

sc = peninsula.load_scenario("baseline", ["scenario.horizon_months=24"])
on = peninsula.run(sc, runs=6, seed=1, kernel="python")
off = peninsula.run(sc.with_mechanisms(cyber=False), runs=6, seed=1, kernel="python")
ev = on.events()
print(json.dumps({
    "parameter": BY_NAME["cyber_operations_per_year"].value,
    "lever": sc["levers"]["cyber_defense"],
    "rates": [cyber.operations_rate(0.5, 0.4, d) for d in (0.0, 1.0)],
    "cyber_events_on": int(ev.loc[ev.event_type == "cyber_operation", "count"].sum()),
    "cyber_events_off": int(off.events().query("event_type == 'cyber_operation'")["count"].sum()),
    "metric": "mean_tension" in metric_names([1, 2]),
    "summary": on.summary()["mean_tension"]["mean"],
}))
"""


def test_recipes_apply_and_keep_the_code_clean(toy):
    res = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", "src"],
                         capture_output=True, text=True, cwd=toy)
    assert res.returncode == 0, res.stdout + res.stderr


def test_toy_mechanism_runs_from_the_api(toy):
    env = dict(os.environ, PYTHONPATH=str(toy / "src"), NUMBA_DISABLE_JIT="1")
    res = subprocess.run([sys.executable, "-c", CHECK], capture_output=True, text=True,
                         env=env, cwd=toy, timeout=600)
    assert res.returncode == 0, res.stderr[-3000:]
    out = json.loads(res.stdout.strip().splitlines()[-1])
    assert out["parameter"] == 6.0 and out["lever"] == 0.3
    assert out["rates"][0] == pytest.approx(0.45) and out["rates"][1] == pytest.approx(0.225)
    assert out["cyber_events_on"] > 0 and out["cyber_events_off"] == 0
    assert out["metric"] and 0.0 <= out["summary"] <= 1.0


def test_toy_parameter_and_lever_reach_the_command_line(toy):
    env = dict(os.environ, PYTHONPATH=str(toy / "src"), NUMBA_DISABLE_JIT="1")
    res = subprocess.run([sys.executable, "-m", "peninsula.cli", "parameters"],
                         capture_output=True, text=True, env=env, cwd=toy, timeout=600)
    assert res.returncode == 0 and "cyber_operations_per_year" in res.stdout
    res = subprocess.run([sys.executable, "-m", "peninsula.cli", "run", "--runs", "2", "-q",
                          "--set", "scenario.horizon_months=12", "--set",
                          "levers.cyber_defense=3", "--kernel", "python"],
                         capture_output=True, text=True, env=env, cwd=toy, timeout=600)
    assert res.returncode == 2 and "levers.cyber_defense" in res.stderr + res.stdout
