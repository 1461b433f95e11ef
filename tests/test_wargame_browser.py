"""The dashboard's Wargame page in Chromium: start a game, preview and commit two turns, and see
the fan, the preview and the debrief; the turn timer counts down by itself, says when time is
up without committing, and one click commits the levers as set (skipped without Debian's
chromium, as test_browser.py)."""

from __future__ import annotations

import pytest

from test_browser import LOAD_TIMEOUT_MS, dashboard, set_number  # noqa: F401 (a fixture)

pytestmark = pytest.mark.browser


def new_game(browser, url: str, settings: dict[str, float]):
    """A page of the dashboard at ``url`` with a game started from its Wargame tab
    (``settings``: the new-game form's number fields by label); waits for turn 1."""
    page = browser.new_page(viewport={"width": 1500, "height": 1100})
    page.goto(url, timeout=LOAD_TIMEOUT_MS)
    page.get_by_text("Peninsula: alliance dynamics").wait_for(timeout=LOAD_TIMEOUT_MS)
    page.get_by_role("tab", name="Wargame").click()
    for label, value in settings.items():
        set_number(page, label, value)
    page.get_by_role("button", name="Start a new game").click()
    page.get_by_text(f"Turn 1 of {int(settings['Turns'])}").wait_for(timeout=LOAD_TIMEOUT_MS)
    return page


def test_the_wargame_page_plays_two_turns_and_shows_the_debrief(dashboard, browser,  # noqa: F811
                                                                 tmp_path):
    page = new_game(browser, dashboard, {"Futures per branch": 200, "Turns": 2})
    page.get_by_text("What may come next under the levers in force").wait_for(
        timeout=LOAD_TIMEOUT_MS)
    assert page.locator(".js-plotly-plot").count() >= 1  # the fan
    set_number(page, "Joint military exercises", 0.5)
    page.get_by_role("button", name="Preview the move").click()
    page.get_by_text("Preview: under the move, on the same futures").wait_for(
        timeout=LOAD_TIMEOUT_MS)
    page.get_by_text("Paired effect on P(war or worse)").wait_for(timeout=LOAD_TIMEOUT_MS)
    page.screenshot(path=str(tmp_path / "wargame_turn.png"), full_page=True)
    page.get_by_role("button", name="Commit the move").click()
    page.get_by_text("Turn 2 of 2").wait_for(timeout=LOAD_TIMEOUT_MS)
    page.get_by_text("Events of the turn just played").wait_for(timeout=LOAD_TIMEOUT_MS)
    page.get_by_role("button", name="Commit the move").click()
    page.get_by_text("Debrief", exact=True).wait_for(timeout=LOAD_TIMEOUT_MS)
    page.get_by_text("Against the status quo from the start").wait_for(timeout=LOAD_TIMEOUT_MS)
    debrief = page.get_by_role("button", name="Debrief (HTML)")
    debrief.wait_for(timeout=LOAD_TIMEOUT_MS)  # drawn after the text above: wait, not race
    assert debrief.count() == 1
    shot = tmp_path / "wargame_debrief.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 20_000


def test_the_countdown_ticks_then_time_is_up_and_one_click_commits(dashboard,  # noqa: F811
                                                                    browser):
    page = new_game(browser, dashboard, {"Futures per branch": 100, "Turns": 2,
                                         "Minutes per turn": 0.2})  # 12 s a turn
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
