"""The record as the model's inputs: the January 2006 start and the historical levers.

Replay: the model starts in January 2006 and is driven month by month by the historical levers
from the bundled tables: drill intensity (US-ROK exercises plus 0.3 per trilateral drill),
sanctions pressure stepped up with each UN Security Council resolution, talks held when the
record shows them (``talks_override``), flexible diplomacy high while talks run, trilateral
summitry from 2023 (Camp David), and the DPRK's publicly announced weapons programmes in force
(``programme_announcement`` from the ``programme_announcements`` table: the 2013 byungjin line
to the April 2018 test suspension, and from January 2020 the end of the suspension and the
2021-2025 five-year defence development plan), and the outside drivers ``us_china_rivalry``
and ``russia_west_confrontation`` stepped at their dated milestones (``outside_drivers`` table).
Everything else is the model's own dynamics.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from peninsula.io.history import load_table, yearly_launches
from peninsula.scenario.loader import load_scenario
from peninsula.scenario.schema import OUTSIDE_DRIVERS
from peninsula.scenario.vintage import scenario_priors

FIRST_YEAR, LAST_YEAR = 2006, 2025
# Sanctions pressure after each UN resolution (judgement: each broadened the regime; 2016-17
# resolutions capped coal, oil and labour exports, hence the larger steps).
SANCTIONS_STEPS = {"2006-01": 0.1, "2006-07": 0.2, "2006-10": 0.3, "2009-06": 0.4, "2013-01": 0.45,
                   "2013-03": 0.5, "2016-03": 0.6, "2016-11": 0.7, "2017-06": 0.72,
                   "2017-08": 0.8, "2017-09": 0.85, "2017-12": 0.9}
# 2006 starting sizes: SIPRI constant-2023 USD bn (defence_spending_yearly table) and GDP from the
# SIPRI share; DPRK spending and capability (a few devices' worth of plutonium) are judgement.
START_2006 = {"USA": 843.9, "ROK": 27.0, "JPN": 38.1, "CHN": 87.3, "RUS": 39.3}


def stepwise(months: list[str], steps: dict[str, float], start: float) -> list[float]:
    """A monthly series that holds each step's value from its month until the next step."""
    out, level = [], start
    for month in months:
        level = steps.get(month, level)
        out.append(level)
    return out


def historical_levers(train_until: int | None = None) -> dict:
    """Monthly lever lists for 2006-01..2025-12 from the bundled tables."""
    m = load_table("monthly")
    drill = np.clip(m["drill_intensity"] + 0.3 * m["trilateral_drills"], 0.0, 2.0)
    months = list(m["month"])
    sanctions = stepwise(months, SANCTIONS_STEPS, 0.1)
    talks = m["talks_active"].astype(float)
    summits = [0.3 if month < "2023-08" else 1.0 for month in months]
    announced = load_table("programme_announcements")
    programme = stepwise(months, dict(zip(announced["month"],
                                          announced["in_force"].astype(float), strict=True)), 0.0)
    agreement = load_table("military_agreement")
    in_force = stepwise(months, dict(zip(agreement["month"], agreement["in_force"].astype(float),
                                         strict=True)), 0.0)
    drivers = load_table("outside_drivers")
    outside = {name: stepwise(months, dict(zip(rows["month"], rows["level"].astype(float),
                                               strict=True)), float(rows["level"].iloc[0]))
               for name, rows in drivers.groupby("driver")}
    return {
        **outside,
        "exercise_intensity": [float(x) for x in drill],
        "exercise_months": list(range(1, 13)),
        "sanctions_pressure": sanctions,
        "talks_override": [float(x) for x in talks],
        "flexible_diplomacy": [0.6 if t else 0.15 for t in talks],
        "summit_frequency_per_year": summits,
        "programme_announcement": programme,
        "military_agreement": in_force,
    }


def history_scenario(horizon_months: int = 240, sets: list[str] | None = None,
                     vintage: int | None = None):
    """The 2006 start, driven by historical levers, as a Scenario; with ``vintage`` every
    parameter whose basis used data after that year gets its prior as of the year
    (scenario/vintage.py)."""
    gdp = {a: START_2006[a] / s for a, s in (("USA", 0.0404), ("ROK", 0.0230), ("JPN", 0.00903),
                                              ("CHN", 0.0187), ("RUS", 0.0325))}
    over = [
        'scenario.name="history-2006"', 'scenario.start="2006-01"',
        f"scenario.horizon_months={horizon_months}",
        "actors.PRK.nuclear_capability=5", "actors.PRK.defence_spending_usd_bn=3",
        "actors.PRK.gdp_usd_bn=20", "state.cohesion=0.5", "state.alignment=0.3",
        "state.tension=0.4", 'state.escalation_level="rhetoric"', "state.talks_active=false",
        # calibration and the replay's filter weigh each run's own parameter draw
        "metrics.runs_per_parameter_draw=1",
        # the table's priors, never the bundled posterior, which has seen every year
        'scenario.parameters="prior"',
    ]
    for actor, spend in START_2006.items():
        over += [f"actors.{actor}.defence_spending_usd_bn={spend}",
                 f"actors.{actor}.gdp_usd_bn={round(gdp[actor], 1)}"]
    levers = historical_levers()
    # the outside drivers at the start: the 2006 state is at rest under 2006's drivers
    over += [f"state.{name}={levers[name][0]}" for name in OUTSIDE_DRIVERS]
    sc = load_scenario("baseline", over + list(sets or []))
    if vintage is not None:
        sc = sc.with_parameters(**scenario_priors(vintage))
    return sc.with_levers(**levers)


def observed() -> pd.DataFrame:
    y = yearly_launches()
    return y[(y.year >= FIRST_YEAR) & (y.year <= LAST_YEAR)].reset_index(drop=True)


def observed_months() -> pd.DataFrame:
    """The monthly record: missiles, launch days, drills (the replay's lever) and talks."""
    m = load_table("monthly")
    levers = historical_levers()
    return pd.DataFrame({
        "month": m["month"], "missiles": m["missiles_launched"].astype(int),
        "launch_days": m["launch_days"].astype(int),
        "drill": levers["exercise_intensity"], "talks": m["talks_active"].astype(int),
    })


def month_label(index: int) -> str:
    """'YYYY-MM' of the month ``index`` months after January FIRST_YEAR."""
    return f"{FIRST_YEAR + index // 12}-{index % 12 + 1:02d}"


def month_number(label: str) -> int:
    """Months from January FIRST_YEAR to ``label`` ('YYYY-MM')."""
    year, month = (int(x) for x in label.split("-"))
    return (year - FIRST_YEAR) * 12 + month - 1
