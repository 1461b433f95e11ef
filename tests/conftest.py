"""Shared fixtures: small ensembles, cached, with fixed seeds."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np
import pytest

import peninsula
from peninsula.engine.ensemble import run_chunks
from peninsula.io.results import MONTHLY_VARS
from peninsula.model.setup import build_setup

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = ROOT.parent / "shared" / "data"
VAR = {name: k for k, name in enumerate(MONTHLY_VARS)}


@lru_cache(maxsize=64)
def ensemble(sets: tuple[str, ...] = (), runs: int = 2000, seed: int = 7, horizon: int = 120,
             scenario: str = "baseline", fixed: bool = True, monthly: bool = True,
             events: bool = False):
    """Run a cached ensemble; ``fixed`` uses point parameter values (no sampling)."""
    base = [f"scenario.sample_parameters={'false' if fixed else 'true'}",
            f"scenario.horizon_months={horizon}", f"scenario.runs={runs}", f"scenario.seed={seed}"]
    sc = peninsula.load_scenario(scenario, base + list(sets))
    setup = build_setup(sc)
    return setup, run_chunks(setup, runs, record_monthly=monthly, record_events=events)


def series(result, name: str) -> np.ndarray:
    """(runs x months) array of one monthly variable."""
    return result.monthly[:, :, VAR[name]].astype(float)


def pytest_collection_modifyitems(config, items):
    """Files that hold a long test (one with any marker declared in pyproject.toml: slow,
    browser, integration) first, each file's tests together, so that the test processes end
    on short files and finish together (the Makefile hands files out in this order: xdist's
    --no-loadscope-reorder)."""
    long_markers = [line.split(":")[0].strip() for line in config.getini("markers")]
    heavy = {item.path for item in items
             if any(item.get_closest_marker(m) for m in long_markers)}
    items.sort(key=lambda item: item.path not in heavy)  # stable: the files' order is kept


@pytest.fixture(scope="session")
def dask_scheduler():
    """The address of one Dask LocalCluster, started as the Dask executor starts its own (two
    single-threaded worker processes on loopback), that a test process's Dask tests share
    through ``--scheduler``: its workers import the package and load the compiled kernel once,
    where a cluster per command would do both again each time. The executor's own start of a
    cluster is tested on its own (test_dask.py)."""
    pytest.importorskip("dask.distributed")
    from peninsula.engine.executors import DaskExecutor

    executor = DaskExecutor(workers=2)
    try:
        yield executor.cluster.scheduler_address
    finally:
        executor.shutdown()


@pytest.fixture
def tmp_cwd(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return tmp_path


def start_and_kill(args: list[str], folder: Path, pattern: str, at_least: int) -> list[Path]:
    """Start ``peninsula ARGS`` in a process, SIGKILL it once ``at_least`` files match
    ``pattern`` in ``folder``, and return the files finished by then."""
    import os
    import signal
    import subprocess
    import sys
    import time

    proc = subprocess.Popen([sys.executable, "-m", "peninsula.cli", *args],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 120
    while time.time() < deadline and len(list(folder.glob(pattern))) < at_least:
        time.sleep(0.02)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    return sorted(folder.glob(pattern))


def chromium_path() -> str:
    """Debian's Chromium on PATH for the browser tests (Playwright never downloads a browser).
    Without it the browser tests are skipped, unless PENINSULA_REQUIRE_BROWSER is set (CI
    installs the package and sets it), where its absence is a failure."""
    import os
    import shutil

    path = shutil.which("chromium")
    if path is None:
        message = "no 'chromium' on PATH (install Debian's chromium package)"
        if os.environ.get("PENINSULA_REQUIRE_BROWSER"):
            pytest.fail(message)
        pytest.skip(message)
    return path


@pytest.fixture
def browser(tmp_path):
    """A headless Chromium page factory through Playwright: --no-sandbox, a temporary HOME."""
    import os

    executable = chromium_path()
    try:
        from playwright import sync_api
    except ImportError:  # a declared dependency: missing only in a broken environment
        pytest.fail("Playwright for Python is not installed ('pip install -e .[dev]')")
    home = tmp_path / "home"
    home.mkdir()
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=executable, args=["--no-sandbox"],
                              env={**os.environ, "HOME": str(home)})
        try:
            yield b
        finally:
            b.close()
