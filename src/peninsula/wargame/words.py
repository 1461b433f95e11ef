"""The game's events, injects and state in words for people: actors, CAMEO roots, rungs, levers.

Labels of metrics, rungs and levers come from analysis/registry.py; an event is worded from
its declared type (model/events.py: actor, target, CAMEO root) and the root's name in the
bundled CAMEO table, so the words say exactly what the model's event log holds.
"""

from __future__ import annotations

import csv
import functools
from importlib import resources

ACTOR_NAMES = {"USA": "the US", "ROK": "South Korea", "JPN": "Japan", "PRK": "the DPRK",
               "CHN": "China", "RUS": "Russia"}


@functools.cache
def cameo_roots() -> dict[str, str]:
    """CAMEO root code -> its name in lower case ('15' -> 'exhibit force posture')."""
    with (resources.files("peninsula.data") / "cameo.csv").open("r", encoding="utf-8") as fh:
        return {row["code"]: row["description"].lower() for row in csv.DictReader(fh)
                if len(row["code"]) == 2}


def event_words(etype, count: int) -> str:
    """One event type's month in words: 'the DPRK -> the US: missile launch x3 (CAMEO 15,
    exhibit force posture)'."""
    times = f" x{count}" if count > 1 else ""
    return (f"{ACTOR_NAMES.get(etype.actor, etype.actor)} -> "
            f"{ACTOR_NAMES.get(etype.target, etype.target)}: {etype.name.replace('_', ' ')}"
            f"{times} (CAMEO {etype.cameo}, {cameo_roots().get(etype.cameo, '')})")


INCIDENT_WORDS = {"exchange_of_fire": "an exchange of fire", "sinking": "a sinking",
                  "shelling": "a shelling"}


def inject_words(inject: dict) -> str:
    """A facilitator's inject (its replay form, moves.Inject.to_dict) in words: 'inject: a
    sinking (an armed clash between the DPRK's and South Korea's forces, a contained
    incident)'."""
    event = inject["event"]
    if event == "missile_launch":
        days = f" on {inject['days']} days" if inject["days"] else ""
        return f"inject: the DPRK launches {inject['missiles']} missiles{days}"
    if event == "armed_clash":
        what = INCIDENT_WORDS.get(inject["kind"], inject["kind"].replace("_", " "))
        return (f"inject: {what} (an armed clash between the DPRK's and South Korea's "
                "forces, a contained incident)")
    if event == "nuclear_test":
        return "inject: the DPRK conducts a nuclear test"
    return "inject: talks are held" if inject["held"] else "inject: talks break off"
