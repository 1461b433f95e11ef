"""Forced events as a specification: a contained incident (``incident_override``) and a DPRK
nuclear test (``nuclear_test_override``) forced in one month, what the model then does with
them, and nothing else changed: the months before are the same futures bit for bit, and at the
levers' defaults the engine is the engine without them (tests/reference/outcomes.json)."""

from __future__ import annotations

from functools import cache

import numpy as np
import pytest

import peninsula
from peninsula.engine.inputs import parameter_records
from peninsula.engine.simulate import simulate_chunk
from peninsula.io.results import COLUMN, NEVER
from peninsula.model import escalation, nuclear_programme, tension, threat
from peninsula.model.escalation import (
    CALM,
    CLASH,
    CRISIS,
    HOSTILITIES,
    NUCLEAR,
    PROVOCATION,
    RHETORIC,
    WAR,
)
from peninsula.model.events import EVENT_INDEX, GOLDSTEIN, TENSION_EVENTS
from peninsula.model.rates import memory_rate
from peninsula.model.setup import build_setup
from peninsula.scenario.schema import LEVERS

HORIZON, RUNS, SEED = 36, 400, 11
MONTH = 7  # the forced month (0-based)
LEVEL, TENSION, CAPABILITY = (COLUMN[c] for c in ("escalation_level", "tension",
                                                  "dprk_capability"))
CLASH_EVENT, TEST_EVENT = EVENT_INDEX["armed_clash"], EVENT_INDEX["nuclear_test"]


def scenario(**levers):
    sc = peninsula.load_scenario("baseline", [f"scenario.horizon_months={HORIZON}",
                                              f"scenario.seed={SEED}"])
    return sc.with_levers(**levers) if levers else sc


def in_month(lever: str, value: float, month: int = MONTH) -> list[float]:
    values = [LEVERS[lever].default] * HORIZON
    values[month] = value
    return values


@cache
def result(lever: str | None = None, value: float = 0.0, every_month: bool = False):
    if lever is None:
        sc = scenario()
    else:
        sc = scenario(**{lever: [value] * HORIZON if every_month else in_month(lever, value)})
    return simulate_chunk(build_setup(sc), np.arange(RUNS))


# --- the mechanisms ---------------------------------------------------------------------------

@pytest.mark.parametrize(("new", "floor", "override", "rung"), [
    (CRISIS, PROVOCATION, -1.0, CRISIS),  # -1: the model's move
    (CLASH, CRISIS, -1.0, CLASH),
    (PROVOCATION, PROVOCATION, 1.0, CLASH),  # forced: at least the incident rung
    (CALM, CALM, 1.0, CLASH),
    (CRISIS, HOSTILITIES, 1.0, CLASH),  # a ceasefire month with a forced incident
    (HOSTILITIES, CRISIS, 1.0, HOSTILITIES),  # a move above the incident stands
    (WAR, WAR, 1.0, WAR),
    (NUCLEAR, NUCLEAR, 1.0, NUCLEAR),
    (CLASH, CRISIS, 0.0, CRISIS),  # 0: no incident begins
    (HOSTILITIES, CRISIS, 0.0, CRISIS),
    (HOSTILITIES, CLASH, 0.0, HOSTILITIES),  # an incident already under way may still grow
    (CRISIS, PROVOCATION, 0.0, CRISIS),
])
def test_forced_rung_reads_the_override(new, floor, override, rung):
    assert escalation.forced_rung(new, floor, override) == rung


def test_a_nuclear_test_lifts_the_floor_to_provocation_and_no_further():
    assert [escalation.tested_floor(level, 1) for level in range(NUCLEAR + 1)] == \
        [PROVOCATION, PROVOCATION, PROVOCATION, CRISIS, CLASH, HOSTILITIES, WAR, NUCLEAR]
    assert [escalation.tested_floor(level, 0) for level in range(NUCLEAR + 1)] == \
        list(range(NUCLEAR + 1))
    assert [nuclear_programme.forced_tests(x) for x in (0.0, 0.49, 0.5, 1.0)] == [0, 0, 1, 1]


def test_a_nuclear_test_is_coded_as_a_missile_test_is():
    launch = EVENT_INDEX["missile_launch"]
    assert GOLDSTEIN[TEST_EVENT] == GOLDSTEIN[launch] == -7.2
    assert TENSION_EVENTS[TEST_EVENT]


# --- a forced incident -------------------------------------------------------------------------

def test_a_forced_incident_is_an_armed_clash_in_its_month_in_every_run():
    forced = result("incident_override", 1.0)
    assert (forced.events[:, MONTH, CLASH_EVENT] == 1).all()
    assert (forced.monthly[:, MONTH, LEVEL] >= CLASH).all()
    first = forced.first_month["clash"]
    assert (first <= MONTH).all()  # P(clash) within any horizon containing the month is 1
    assert np.mean(first < NEVER) == 1.0


def test_the_months_before_a_forced_incident_are_the_same_futures():
    forced, free = result("incident_override", 1.0), result()
    assert np.array_equal(forced.monthly[:, :MONTH], free.monthly[:, :MONTH])
    assert np.array_equal(forced.events[:, :MONTH], free.events[:, :MONTH])


def test_a_forced_incident_ends_as_a_drawn_one_does_in_hostilities_or_back_in_crisis():
    forced, free = result("incident_override", 1.0), result()
    incident = forced.monthly[:, MONTH, LEVEL] == CLASH
    assert incident.sum() >= RUNS - 5  # only runs already fighting are above the incident
    after = forced.monthly[incident, MONTH + 1, LEVEL]
    assert set(np.unique(after)) <= {CRISIS, HOSTILITIES}
    assert (after == CRISIS).mean() > 0.5  # incidents are contained far more often than not
    # the forced incident feeds tension as the model's incident does: more conflict that month
    rise = forced.monthly[:, MONTH, TENSION] - free.monthly[:, MONTH, TENSION]
    entered = free.monthly[:, MONTH, LEVEL] < CLASH
    assert (rise[entered] >= 0.0).all() and rise[entered].mean() > 0.0


def test_no_incident_begins_in_a_month_whose_override_is_0():
    free = result()
    assert (free.first_month["clash"] < NEVER).sum() > 0  # the model draws some
    calm = result("incident_override", 0.0, every_month=True)
    assert (calm.first_month["clash"] == NEVER).all()
    assert calm.events[:, :, CLASH_EVENT].sum() == 0


# --- a forced nuclear test ---------------------------------------------------------------------

def test_a_forced_nuclear_test_is_in_the_log_in_its_month_only():
    forced, free = result("nuclear_test_override", 1.0), result()
    tests = forced.events[:, :, TEST_EVENT]
    assert (tests[:, MONTH] == 1).all() and tests.sum() == RUNS
    assert free.events[:, :, TEST_EVENT].sum() == 0  # the model draws none


def test_a_forced_nuclear_test_changes_tension_and_the_ladder_and_not_the_capability():
    forced, free = result("nuclear_test_override", 1.0), result()
    assert np.array_equal(forced.monthly[:, :MONTH], free.monthly[:, :MONTH])
    # no capability step: the stock at the test's month is the stock without it
    assert np.array_equal(forced.monthly[:, MONTH, CAPABILITY], free.monthly[:, MONTH, CAPABILITY])
    # the month's other events are the model's own draws, unchanged (the ladder's may differ)
    others = [e for e in range(forced.events.shape[2])
              if e not in (TEST_EVENT, CLASH_EVENT, EVENT_INDEX["war"],
                           EVENT_INDEX["nuclear_use"])]
    assert np.array_equal(forced.events[:, MONTH, others], free.events[:, MONTH, others])
    # tension: one more event of Goldstein -7.2 that month, so its target rises by
    # 7.2 / G_scale * forum cut (tension.py), and tension by that times the month's rate, unless
    # the target is already full tension (1)
    same_ladder = (forced.events[:, MONTH, CLASH_EVENT] == free.events[:, MONTH, CLASH_EVENT])
    rise = (forced.monthly[:, MONTH, TENSION].astype(float)
            - free.monthly[:, MONTH, TENSION])[same_ladder]
    q = parameter_records(forced.params)[same_ladder]
    forum = build_setup(scenario()).plan.values["multilateral_engagement"][MONTH]
    full = np.array([-GOLDSTEIN[TEST_EVENT] * tension.inverse_scale(x) * threat.forum_cut(x, forum)
                     * memory_rate(x.tension_memory_months) for x in q])
    assert (rise >= 0.0).all() and (rise <= full + 1e-6).all()
    exact = np.isclose(rise, full, rtol=0.0, atol=1e-6)
    assert exact.mean() > 0.5  # the rest: months already at full tension's target


def test_a_forced_nuclear_test_moves_the_ladder_from_provocation_that_month():
    forced, free = result("nuclear_test_override", 1.0), result()
    level, level_free = forced.monthly[:, MONTH, LEVEL], free.monthly[:, MONTH, LEVEL]
    # from the provocation floor the month's move is up, a jump, one rung down, or none
    assert (level >= RHETORIC).all()
    assert (level >= PROVOCATION).mean() > (level_free >= PROVOCATION).mean()
    # a run whose floor was already provocation or above moves as it would have; the others
    # could not reach an incident from below provocation: clashes only rise, run by run
    clashes, clashes_free = (r.events[:, MONTH, CLASH_EVENT] for r in (forced, free))
    assert (clashes >= clashes_free).all()
