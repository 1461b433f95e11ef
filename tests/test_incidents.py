"""The coded incident series (peninsula.io.incidents): the observable-rung rules applied to the
CSIS provocations table, and the bundled tables built from it."""

import pandas as pd
import pytest

from conftest import SHARED_DATA
from peninsula.io.history import load_table
from peninsula.io.incidents import JUDGEMENTS, code_event, code_incidents, monthly_incidents

CSIS = SHARED_DATA / "nk_provocations_csis" / "north_korea_provocations_1958_present.csv"
# clash months by year, checked by hand against the record: the 1996 Gangneung infiltration
# manhunt (September, November), 1999 and 2002 Yeonpyeong battles, 2009 Daecheong, 2010 Cheonan
# (March) and Yeonpyeong shelling (November), the 2014 NLL and DMZ exchanges (May, October),
# the 2015 mine and artillery exchange (August, one month)
CLASH_MONTHS = {1994: 1, 1996: 2, 1997: 3, 1999: 1, 2001: 2, 2002: 1, 2003: 1, 2009: 1,
                2010: 2, 2014: 2, 2015: 1}


def yearly_clash_months(monthly: pd.DataFrame) -> dict[int, int]:
    by_year = monthly.groupby(monthly["month"].str[:4].astype(int))["clash"].sum()
    return {int(y): int(n) for y, n in by_year.items() if n}


def test_rules_on_single_records():
    def row(event, description, type_="Other Provocation", date="2020-01-01"):
        return {"date": date, "event": event, "description": description, "type": type_}

    assert code_event(row("DMZ Exchange of Fire", "Both sides exchanged fire."))[0] == "armed_clash"
    assert code_event(row("Artillery Fire", "Fired 100 shells into the buffer zone; the ROK "
                                            "fired warning shots."))[0] == "provocation"
    assert code_event(row("Short-range Ballistic Missile Launch", "",
                          "Missile Provocation"))[0] == "provocation"
    # a labelled "exchange" that was fire into the sea is a provocation by judgement
    rung, rule = code_event(row("NLL Exchange of Fire", "exchange of fire", date="2014-03-31"))
    assert rung == "provocation" and rule.startswith("judgement")


def test_bundled_series_shows_the_known_clash_years_and_none_since_2016():
    monthly = load_table("incidents")
    assert monthly["month"].iloc[0] == "1990-01" and monthly["month"].iloc[-1] == "2025-12"
    assert len(monthly) == 36 * 12
    assert yearly_clash_months(monthly) == CLASH_MONTHS
    assert monthly["war"].sum() == 0 and monthly["nuclear_use"].sum() == 0
    assert monthly.loc[monthly["month"].str[:4].astype(int) >= 2016, "clash"].sum() == 0
    # nuclear tests 2006-2017 as the dedicated table has them (six)
    assert monthly["nuclear_tests"].sum() == 6
    events = load_table("incident_events")
    for date, (rung, _) in JUDGEMENTS.items():
        coded = events.loc[events["date"] == date, "rung"]
        assert len(coded) >= 1 and set(coded) == {rung}, date


@pytest.mark.skipif(not CSIS.exists(), reason="source data folder not beside the project")
def test_the_bundled_tables_are_rederived_from_the_source():
    events = code_incidents(pd.read_csv(CSIS))
    bundled = load_table("incident_events")
    pd.testing.assert_frame_equal(events.reset_index(drop=True), bundled, check_dtype=False)
    pd.testing.assert_frame_equal(monthly_incidents(events), load_table("incidents"),
                                  check_dtype=False)
    assert yearly_clash_months(monthly_incidents(events)) == CLASH_MONTHS
