"""The engine's kernel (engine/kernel.py): wiring of the mechanisms, checked against itself.

There is one implementation of the model (the mechanism functions, compiled into the kernel), so
the kernel is checked by what must hold of it: its loop run uncompiled gives the compiled loop's
numbers (to rounding), the work it skips when no monthly table is kept changes no outcome, each
mechanism switch reaches the engine, every rung is reachable, and its outcome distributions
equal those recorded before the redesign (tests/test_distribution_reference.py). Bit-identity
across chunks, workers and executors is in test_reproducibility.py, test_dask.py and
test_resume.py; the mechanisms themselves are in test_mechanisms.py.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

import peninsula
from peninsula.cli import app
from peninsula.engine.simulate import resolve_kernel, simulate_chunk
from peninsula.io.results import FIRST_KEYS, MONTHLY_VARS, NEVER
from peninsula.model.compiled import is_compiled
from peninsula.model.setup import build_setup
from peninsula.scenario.schema import LEVEL_NAMES, MECHANISMS

ROOT = Path(__file__).resolve().parents[1]
# rates raised so that clashes, wars and nuclear use happen within three years
HOT = ["parameters.provocation_to_crisis_per_month.value=0.3",
       "parameters.crisis_to_clash_per_month.value=0.2",
       "parameters.incident_to_hostilities_per_month.value=0.5",
       "parameters.clash_to_war_per_month.value=0.5",
       "parameters.war_to_nuclear_per_month.value=0.1"]


def _chunk(scenario="baseline", sets=(), runs=200, horizon=36, **kwargs):
    sc = peninsula.load_scenario(scenario, [f"scenario.horizon_months={horizon}", *sets])
    return simulate_chunk(build_setup(sc), np.arange(runs), **kwargs)


def _outcomes(res) -> dict[str, np.ndarray]:
    out = {f"first_{k}": v for k, v in res.first_month.items()}
    out.update(launches=res.launches_by_year, patrols=res.patrols_by_year,
               days=res.launch_days_by_year)
    out.update({f"yearly_{k}": v for k, v in res.yearly.items()})
    return out


def test_uncompiled_loop_gives_the_compiled_numbers():
    """kernel='python' runs the kernel's own source as Python (the debugging path): its
    discrete outcomes are equal and its values equal to 1e-12 relative on a hot case that
    climbs every rung up to war (both call the same C library's functions)."""
    a = _chunk(sets=HOT, runs=12, horizon=30, kernel="numba")
    level = a.monthly[:, :, MONTHLY_VARS.index("escalation_level")]
    war = LEVEL_NAMES.index("war")
    assert set(np.unique(level).astype(int)) == set(range(war + 1))  # every rung up to war
    b = _chunk(sets=HOT, runs=12, horizon=30, kernel="python")
    np.testing.assert_array_equal(a.events, b.events)
    for k in a.first_month:
        np.testing.assert_array_equal(a.first_month[k], b.first_month[k])
    np.testing.assert_allclose(a.monthly, b.monthly, rtol=2.0**-22, atol=0)
    for k in a.yearly:
        np.testing.assert_allclose(a.yearly[k], b.yearly[k], rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("scenario,sets", [("baseline", HOT), ("detente-2018", []),
                                           ("crisis-2017", [])])
def test_outcomes_do_not_depend_on_keeping_the_monthly_table(scenario, sets):
    """Without the monthly table the kernel skips work only the table needs (DPRK willingness
    when a bound settles the talks draw, GDP loss and polarisation outside year ends): every
    outcome is bit-identical to the run that keeps the table."""
    full = _chunk(scenario, sets, runs=300, record_monthly=True, record_events=True)
    lean = _chunk(scenario, sets, runs=300, record_monthly=False, record_events=False)
    for k, v in _outcomes(full).items():
        np.testing.assert_array_equal(v, _outcomes(lean)[k], err_msg=k)


def test_hot_scenario_reaches_every_rung():
    res = _chunk(sets=HOT, runs=300, horizon=36)
    level = res.monthly[:, :, MONTHLY_VARS.index("escalation_level")]
    assert set(np.unique(level).astype(int)) == set(range(len(LEVEL_NAMES)))
    for k in FIRST_KEYS:
        assert (res.first_month[k] < NEVER).sum() >= 10, k
    # a run's first war month is never before its first hostilities, nor those before its
    # first clash; an incident (the clash rung) lasts one month
    assert np.all(res.first_month["war"] >= res.first_month["hostilities"])
    assert np.all(res.first_month["hostilities"] >= res.first_month["clash"])
    incident = level == LEVEL_NAMES.index("armed_clash")
    assert incident.any() and not (incident[:, 1:] & incident[:, :-1]).any()


@pytest.mark.parametrize("mechanism", sorted(MECHANISMS))
def test_each_mechanism_switch_reaches_the_engine(mechanism):
    """Switching a mechanism off changes the monthly table (the switch is wired), and the
    run still completes with finite values. Pre-emption acts only above its threat threshold,
    so its case lowers the threshold to today's threat."""
    sets = [*HOT, "parameters.preemption_threat_threshold.value=1.0",
            "parameters.preemption_per_month.value=0.5"]
    on = _chunk(sets=sets, runs=150, horizon=36)
    off = _chunk(sets=[*sets, f"mechanisms.{mechanism}=false"], runs=150, horizon=36)
    assert np.isfinite(off.monthly).all()
    assert not np.array_equal(on.monthly, off.monthly)


def test_kernel_choice_is_checked():
    with pytest.raises(ValueError, match="kernel must be one of"):
        resolve_kernel("fortran")
    assert resolve_kernel("auto") == resolve_kernel("numba") == "numba"
    assert resolve_kernel("numpy") == resolve_kernel("python") == "python"  # former name kept


def test_cli_python_kernel_gives_the_compiled_summary():
    """--kernel python (and its former name numpy) through the command line: the same summary
    as the compiled kernel, to the digits it prints."""
    runner = CliRunner()
    out = {}
    for kernel in ("numba", "numpy"):
        res = runner.invoke(app, ["run", "--runs", "8", "--seed", "3", "--json", "-q",
                                  "--set", "scenario.horizon_months=12", "--kernel", kernel])
        assert res.exit_code == 0, res.output
        out[kernel] = json.loads(res.stdout)
    assert out["numba"] == out["numpy"]
    bad = runner.invoke(app, ["run", "--runs", "10", "--kernel", "gpu"])
    assert bad.exit_code == 2 and "--kernel" in bad.output


@pytest.mark.integration
@pytest.mark.skipif(not is_compiled(), reason="a benchmark of compiled code")
def test_compare_kernels_script_runs_and_reports_a_ratio():
    """benchmarks/compare_kernels.py (paired timing of two versions of the package) starts a
    worker per version, checks both give the same outcomes, and prints the ratio."""
    out = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "compare_kernels.py"),
                          "--src", str(ROOT / "src"), "--runs", "20", "--pairs", "2"],
                         capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr
    ratio = re.search(r"B/A median ([0-9.]+)", out.stdout)
    assert ratio and 0.2 < float(ratio.group(1)) < 5.0, out.stdout
