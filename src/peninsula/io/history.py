"""The bundled historical tables (src/peninsula/data/history): list and load them."""

from __future__ import annotations

from importlib import resources

import pandas as pd

DESCRIPTIONS = {
    "monthly": "2006-2025 by month: DPRK missiles, launch days, satellite launches, nuclear "
               "tests, drills, trilateral drills, summits, talks, UN resolutions, CN-RU patrols",
    "nuclear_tests": "DPRK nuclear tests 2006-2017 with yield estimates",
    "exercises": "US-ROK and trilateral exercises 2008-2025 with status",
    "summits": "summits and leader-level meetings 2006-2025",
    "un_sanctions": "UN Security Council resolutions on the DPRK",
    "cn_ru_joint_patrols": "China-Russia joint strategic air patrols 2019-2025",
    "defence_spending_yearly": "SIPRI military expenditure (constant 2023 USD bn) 2006-2024",
    "cinc_yearly": "COW Composite Index of National Capability 2006-2016",
    "incidents": "1990-2025 by month: armed-clash months and incidents coded on the escalation "
                 "ladder from the CSIS provocations database (rules: docs/model.md)",
    "incident_events": "the CSIS provocation records 1990-2025, each with its rung and the rule "
                       "that coded it",
    "expert_war_estimates_2017": "published expert estimates of the chance of a war with North "
                                 "Korea made in 2017 (a reference, not a target)",
    "programme_announcements": "dated public DPRK weapons-programme decisions (in force from the "
                               "month given until the next entry)",
    "outside_drivers": "dated milestones of the US-China rivalry and the Russia-West "
                       "confrontation with their levels (judgement; in force until the next "
                       "entry)",
    "military_agreement": "the 2018 inter-Korean Comprehensive Military Agreement in force (from "
                          "the month given until the next entry)",
    "defence_spending_training": "SIPRI military expenditure (constant 2023 USD bn) 1996-2005, "
                                 "before the replay's start",
}


def _folder():
    return resources.files("peninsula.data") / "history"


def list_tables() -> dict[str, str]:
    """Table name -> one-line description."""
    return dict(DESCRIPTIONS)


def table_bytes(name: str) -> bytes:
    """One table's file as bytes (for the hash that dates what a calibration saw)."""
    if name not in DESCRIPTIONS:
        raise KeyError(f"unknown table {name!r}; known: {', '.join(DESCRIPTIONS)}")
    return (_folder() / f"{name}.csv").read_bytes()


def load_table(name: str) -> pd.DataFrame:
    """Load one table by name; KeyError names the known tables."""
    if name not in DESCRIPTIONS:
        raise KeyError(f"unknown table {name!r}; known: {', '.join(DESCRIPTIONS)}")
    with (_folder() / f"{name}.csv").open("r", encoding="utf-8") as fh:
        return pd.read_csv(fh, dtype={"month": str, "date": str, "resolution": str},
                           keep_default_na=False, na_values=[""])


def sources() -> str:
    return (_folder() / "SOURCES.md").read_text(encoding="utf-8")


def yearly_launches() -> pd.DataFrame:
    """Missiles launched and launch days per year, 2006-2025 (CNS counting)."""
    m = load_table("monthly")
    m["year"] = m["month"].str[:4].astype(int)
    return m.groupby("year")[["missiles_launched", "launch_days", "satellite_launches",
                              "nuclear_tests"]].sum().reset_index()
