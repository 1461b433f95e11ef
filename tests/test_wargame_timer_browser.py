"""The turn timer on the dashboard's Wargame page in Chromium: the countdown ticks on its own,
then the page says time is up without committing, and one click commits the levers as set
(skipped without Debian's chromium, as test_browser.py)."""

from __future__ import annotations

import pytest

from test_browser import LOAD_TIMEOUT_MS, dashboard, set_number  # noqa: F401 (a fixture)

pytestmark = pytest.mark.browser


def test_the_countdown_ticks_then_time_is_up_and_one_click_commits(dashboard,  # noqa: F811
                                                                    browser):
    page = browser.new_page(viewport={"width": 1500, "height": 1100})
    page.goto(dashboard, timeout=LOAD_TIMEOUT_MS)
    page.get_by_text("Peninsula: alliance dynamics").wait_for(timeout=LOAD_TIMEOUT_MS)
    page.get_by_role("tab", name="Wargame").click()
    set_number(page, "Futures per branch", 100)
    set_number(page, "Turns", 2)
    set_number(page, "Minutes per turn", 0.2)  # 12 s
    page.get_by_role("button", name="Start a new game").click()
    page.get_by_text("Turn 1 of 2").wait_for(timeout=LOAD_TIMEOUT_MS)
    bar = page.get_by_text("Turn 1: 0:")
    bar.first.wait_for(timeout=LOAD_TIMEOUT_MS)
    shown = set()
    for _ in range(8):
        if bar.count():
            shown.add(bar.first.inner_text())
        page.wait_for_timeout(500)
    assert len(shown) >= 2, shown  # it ticks by itself
    page.get_by_text("Time is up for turn 1").wait_for(timeout=30_000)
    assert page.get_by_text("Turn 1 of 2").count() == 1  # nothing committed by itself
    page.get_by_role("button", name="Commit the levers as set").click()
    page.get_by_text("Turn 2 of 2").wait_for(timeout=LOAD_TIMEOUT_MS)
