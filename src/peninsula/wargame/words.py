"""The game's events and state in words for people: actors, CAMEO roots, rungs, levers.

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
