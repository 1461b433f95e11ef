"""The dashboard and the policy brief in a real browser: Debian's Chromium driven by Playwright
(conftest.browser; skipped without the chromium package unless PENINSULA_REQUIRE_BROWSER)."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

import peninsula.api as api
from conftest import ROOT

pytestmark = pytest.mark.browser

LOAD_TIMEOUT_MS = 120_000  # a first run compiles nothing (the kernel is cached) but runs 2 ensembles
WAR = "P(war or worse)"  # the headline's label (analysis/registry.py)
RAW_NAME = re.compile(r"\b[a-z0-9]+(?:_[a-z0-9]+)+\b")  # a snake_case code name


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def dashboard(tmp_path):
    """A dashboard server on a free port of 127.0.0.1 (its own process group, stopped after)."""
    port = free_port()
    env = {**os.environ, "HOME": str(tmp_path)}
    proc = subprocess.Popen([sys.executable, "-m", "peninsula.cli", "dashboard", "--port",
                             str(port)], cwd=tmp_path, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                    if r.read().decode().strip() == "ok":
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail("the dashboard did not start within 60 s")
            time.sleep(0.5)
        yield url
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=20)


def set_number(page, label: str, value) -> None:
    """Type into the number input whose label starts with ``label`` and confirm it."""
    box = page.locator(f"input[aria-label^='{label}']").first
    box.fill(str(value))
    box.press("Enter")
    page.wait_for_timeout(500)


def shown_p_war(page) -> str:
    metric = page.locator('[data-testid="stMetric"]').filter(has_text=WAR).first
    metric.wait_for(timeout=LOAD_TIMEOUT_MS)
    return metric.locator('[data-testid="stMetricValue"]').inner_text()


def expected_p_war(exercise: float | None, runs: int, months: int | None) -> str:
    overrides = ([] if months is None else [f"scenario.horizon_months={months}"]) + \
        ([] if exercise is None else [f"levers.exercise_intensity={exercise}"])
    sc = api.scenario_for("baseline", runs=runs, seed=1, overrides=overrides)
    s = api.run(sc, record_events=False).summary()
    h = str(s["final_horizon_years"])
    return f"{100 * s['p_war'][h]:.1f}%"  # as the page shows it: percent, one decimal


def tables_text(page) -> str:
    """The text of every table on the page, the hidden tabs' included."""
    return "\n".join(page.locator('[data-testid="stTable"]').all_text_contents())


def test_dashboard_in_a_browser_change_a_lever_run_and_see_the_numbers_move(
        dashboard, browser, tmp_path):
    page = browser.new_page(viewport={"width": 1500, "height": 1100})
    page.goto(dashboard, timeout=LOAD_TIMEOUT_MS)
    page.get_by_text("Peninsula: alliance dynamics").wait_for(timeout=LOAD_TIMEOUT_MS)
    # the baseline's answer is on screen before any click (the sidebar's 2,000 runs, seed 1)
    assert shown_p_war(page) == expected_p_war(None, 2000, None)
    page.locator(".js-plotly-plot").first.wait_for(timeout=LOAD_TIMEOUT_MS)
    landing = tmp_path / "landing.png"
    page.screenshot(path=str(landing))
    assert landing.stat().st_size > 50_000
    text = tables_text(page)
    assert "Estimate" in text and "90% interval of the mean" in text
    assert not RAW_NAME.findall(text), RAW_NAME.findall(text)  # no code name in any table
    set_number(page, "Runs", 300)
    set_number(page, "Horizon (months)", 60)
    numbers = {}
    for exercise in (2.0, 0.0):
        set_number(page, "Joint military exercises", exercise)
        page.get_by_role("button", name="Run ensemble").click()
        page.locator(".js-plotly-plot").first.wait_for(timeout=LOAD_TIMEOUT_MS)
        expected = expected_p_war(exercise, 300, 60)
        page.wait_for_function(
            "([want, label]) => [...document.querySelectorAll('[data-testid=\"stMetric\"]')]"
            ".some(m => m.innerText.includes(label) && m.innerText.includes(want))",
            arg=[expected, WAR], timeout=LOAD_TIMEOUT_MS)
        numbers[exercise] = shown_p_war(page)
        assert numbers[exercise] == expected  # the API's number for the same settings
    assert page.locator(".js-plotly-plot").count() >= 1  # the fan charts are drawn
    shot = tmp_path / "dashboard.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 50_000


def test_dashboard_in_a_browser_compare_shows_levels_and_differences(dashboard, browser):
    page = browser.new_page(viewport={"width": 1500, "height": 1100})
    page.goto(dashboard, timeout=LOAD_TIMEOUT_MS)
    shown_p_war(page)  # the landing answer first
    set_number(page, "Runs", 300)
    page.get_by_role("tab", name="Compare").click()
    page.get_by_role("button", name="Compare", exact=True).click()
    table = page.locator('[data-testid="stTable"]').filter(has_text="minus status-quo").first
    table.wait_for(timeout=LOAD_TIMEOUT_MS)
    head = table.locator("th").all_inner_texts()
    for name in ("status-quo", "dual-track", "dual-track minus status-quo"):
        assert name in head  # each policy's level, and the difference beside it
    result = api.compare(api.scenario_for("baseline"), ["status-quo", "dual-track",
                                                        "max-deterrence", "restraint"],
                         runs=300, seed=1)
    h = result["final_horizon_years"]
    w = result["policies"]["dual-track"][f"p_war_{h}y"]["mean"]
    d = result["differences"]["dual-track"][f"p_war_{h}y"]["mean"]
    text = table.inner_text()
    assert f"{100 * w:.1f}% [" in text and f"{100 * d:+.1f} pp [" in text
    assert not RAW_NAME.findall(tables_text(page))


def test_the_brief_opens_in_the_browser_with_its_figures_and_numbers(browser, tmp_path):
    from peninsula.analysis import registry
    from peninsula.report.brief import write_brief

    sc = api.scenario_for("baseline", overrides=["scenario.horizon_months=24"])
    html = write_brief(sc, ["status-quo", "dual-track"], runs=200, seed=3,
                       out_html=tmp_path / "brief.html")[0]
    compare = api.compare(sc, ["status-quo", "dual-track"], runs=200, seed=3)
    page = browser.new_page()
    page.route(re.compile(r"^https?://"), lambda route: route.abort())  # no network needed
    page.goto(html.as_uri())
    images = page.locator("img")
    assert images.count() >= 3
    widths = page.eval_on_selector_all("img", "els => els.map(e => e.naturalWidth)")
    assert all(w > 100 for w in widths)  # every embedded figure decoded and drawn
    text = page.inner_text("body").replace("\u2212", "-")  # the brief prints minus signs
    d = compare["differences"]["dual-track"]["p_war_1y"]
    shown = registry.metric("p_war_1y").format_difference(d["mean"]).replace("\u2212", "-")
    assert shown in text  # the difference as the registry words it (percentage points)
    assert str(ROOT) not in text
