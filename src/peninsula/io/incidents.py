"""Observable rungs: coding rules that put public records on the escalation ladder.

Each rung of the ladder (``scenario.schema.LEVEL_NAMES``) has a rule that can be applied to
public records, so that the model's probabilities can be scored against history:

- **calm**: no threat, provocation or use of force in the month.
- **rhetoric**: public threats of force by a state's government or military (CAMEO 13x); not
  coded in the bundled series (event data, e.g. GDELT, code it: ``peninsula events ingest``).
- **provocation**: a military act short of fire at the other side's forces: missile, rocket and
  satellite launches, nuclear tests, artillery or rocket fire into the sea or a buffer zone,
  warning shots by either side, incursions across the MDL or NLL, infiltration (including
  infiltrators shot by the other side without an exchange of fire), drones, balloons, jamming,
  demolitions.
- **crisis**: a publicly declared rise of readiness for combat (e.g. the DPRK's "quasi-state of
  war" of August 2015, a change of US or ROK alert level); not coded in the bundled series (no
  source table of alert levels is bundled).
- **armed clash**: (a) an exchange of fire between the two sides' armed forces or armed
  maritime services (ground, DMZ, NLL, sea), including a DPRK attack on them that the other side
  answered with fire; or (b) a DPRK attack that kills or wounds military personnel (sinkings,
  shellings, mines, shoot-downs). Warning shots and fire into empty sea are provocations, not
  clashes. Several incidents of one episode in a month count as one clash month. A clash is a
  contained incident, a point event of its month (model/escalation.py).
- **hostilities**: sustained combat between the two states' forces: exchanges of fire on at
  least 7 days within 30. None since 1953: the most, five days of firefights in September
  1996 (the Gangneung infiltration manhunt), and the 2010 sinking and shelling were single
  attacks, so incidents.
- **war**: an inter-state war in the Correlates of War sense, at least 1,000 battle deaths
  within twelve months (the war onsets of the rivalry reference class). None since 1953.
- **nuclear use**: a nuclear detonation in anger (tests excluded). None.

``code_incidents`` applies the rules to the CSIS Beyond Parallel database of North Korean
provocations: rule (a) reads the record's label and description for an exchange of fire (the
pattern ``FIRE_EXCHANGE``); the cases the pattern cannot read are listed in ``JUDGEMENTS`` with
the reason (explicit clashes the text does not call an exchange, and a labelled "exchange" that
was fire into the sea). ``tools/build_history.py`` writes the coded events and the monthly
series (tables ``incident_events`` and ``incidents``, 1990-2025) from the source file;
``tests/test_incidents.py`` re-derives known years from it.
"""

from __future__ import annotations

import re

import pandas as pd

FIRST_MONTH, LAST_MONTH = "1990-01", "2025-12"
FIRE_EXCHANGE = re.compile(r"exchanged? (?:of )?(?:gun)?fire|returned fire|exchange of (?:gun)?fire",
                           re.IGNORECASE)
# date -> (rung, reason): the coding of records the pattern cannot read
JUDGEMENTS: dict[str, tuple[str, str]] = {
    "1994-12-17": ("armed_clash", "DPRK forces shot down a US Army helicopter that strayed "
                                  "north of the MDL, killing a crew member (rule b)"),
    "1997-06-05": ("armed_clash", "DPRK patrol boats south of the NLL opened fire on ROK "
                                  "patrol boats (rule a: a DPRK attack on forces)"),
    "1999-06-15": ("armed_clash", "First Battle of Yeonpyeong: ROK and DPRK naval vessels "
                                  "exchanged fire, a DPRK torpedo boat was sunk (rule a)"),
    "2002-06-29": ("armed_clash", "Second Battle of Yeonpyeong: DPRK patrol boats attacked ROK "
                                  "patrol boats, six ROK sailors killed (rule b)"),
    "2009-11-10": ("armed_clash", "Battle of Daecheong: DPRK and ROK patrol boats exchanged "
                                  "fire at the NLL (rule a)"),
    "2010-03-26": ("armed_clash", "Sinking of the ROKS Cheonan by a torpedo, 46 sailors killed "
                                  "(rule b; the multinational investigation's finding)"),
    "2010-11-23": ("armed_clash", "Shelling of Yeonpyeong Island: two ROK marines and two "
                                  "civilians killed, ROK artillery returned fire (rules a, b)"),
    "2014-03-31": ("provocation", "labelled an exchange of fire, but both sides fired into the "
                                  "sea across the NLL during a DPRK live-fire drill, not at "
                                  "each other's forces"),
    "2015-08-04": ("armed_clash", "DPRK mines south of the DMZ wounded two ROK soldiers "
                                  "(rule b)"),
}
# Codings that disagree with the bundled series: months that another reading of rule (a) codes
# as an armed clash although the source database has no record of them. The back-tests score
# the model under the series and under each of these (analysis/backtest.py clash_scores), and
# the strategy evidence re-estimates with them; no test pins one reading.
ALTERNATIVE_CLASH_MONTHS: dict[str, tuple[str, str]] = {
    "guard_post_2020": ("2020-05", "3 May 2020: DPRK fire hit a ROK guard post in the DMZ and "
                                   "ROK troops returned fire (rule a); the CSIS database has "
                                   "no record of it"),
}
EVENT_COLUMNS = ("date", "month", "rung", "category", "csis_type", "csis_event", "rule",
                 "source")
MONTHLY_COLUMNS = ("month", "clash", "clash_incidents", "provocation_incidents",
                   "missile_events", "nuclear_tests", "war", "nuclear_use")


def category(row) -> str:
    """What kind of provocation a record is: missile, nuclear_test or other."""
    if "nuclear test" in str(row["event"]).lower():
        return "nuclear_test"
    return "missile" if row["type"] == "Missile Provocation" else "other"


def code_event(row) -> tuple[str, str]:
    """(rung, rule applied) of one CSIS record."""
    date = str(row["date"])[:10]
    if date in JUDGEMENTS:
        rung, reason = JUDGEMENTS[date]
        return rung, f"judgement: {reason}"
    text = f"{row['event']} {row.get('description', '')}"
    if FIRE_EXCHANGE.search(text):
        return "armed_clash", "rule a: the record reports an exchange of fire"
    return "provocation", "not a clash: no exchange of fire or casualties among forces"


def code_incidents(csis: pd.DataFrame) -> pd.DataFrame:
    """Every CSIS record from FIRST_MONTH to LAST_MONTH with its rung and the rule applied."""
    rows = []
    for _, row in csis.sort_values("date", kind="stable").iterrows():
        date = str(row["date"])[:10]
        if not (FIRST_MONTH <= date[:7] <= LAST_MONTH):
            continue
        rung, rule = code_event(row)
        rows.append({"date": date, "month": date[:7], "rung": rung, "category": category(row),
                     "csis_type": row["type"], "csis_event": row["event"], "rule": rule,
                     "source": "CSIS Beyond Parallel, Database of North Korean Provocations"})
    return pd.DataFrame(rows, columns=list(EVENT_COLUMNS))


def monthly_incidents(events: pd.DataFrame) -> pd.DataFrame:
    """The monthly series FIRST_MONTH..LAST_MONTH: clash months and incident counts by rung."""
    months = pd.period_range(FIRST_MONTH, LAST_MONTH, freq="M").strftime("%Y-%m")
    clash = events[events["rung"] == "armed_clash"].groupby("month").size()
    prov = events[(events["rung"] == "provocation") & (events["category"] == "other")]
    missiles = events[events["category"] == "missile"].groupby("month").size()
    tests = events[events["category"] == "nuclear_test"].groupby("month").size()
    prov = prov.groupby("month").size()
    out = pd.DataFrame({"month": months})
    out["clash_incidents"] = [int(clash.get(m, 0)) for m in months]
    out["clash"] = (out["clash_incidents"] > 0).astype(int)
    out["provocation_incidents"] = [int(prov.get(m, 0)) for m in months]
    out["missile_events"] = [int(missiles.get(m, 0)) for m in months]
    out["nuclear_tests"] = [int(tests.get(m, 0)) for m in months]
    out["war"] = 0  # no war (nor hostilities) between the two sides since 1953
    out["nuclear_use"] = 0
    return out[list(MONTHLY_COLUMNS)]
