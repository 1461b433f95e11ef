"""The facilitator's turn timer: the minutes a turn is given, and the time left of an open turn.

A clock is for the people in the room only. It changes no move and no future: a turn whose time
runs out is played with the moves committed for it (in the terminal, the move entered so far;
none holds the levers in force), and the game's files record those moves as any others, with
no time of day. So a timed game replays byte for byte like any other (wargame/files.py).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

MAX_TURN_MINUTES = 1440.0  # a day: any longer and the timer is not keeping a room to time
MINUTES_ALLOWED = f"a number of minutes greater than 0 and at most {MAX_TURN_MINUTES:,.0f}"


def turn_minutes(raw: str | float, flag: str = "--turn-minutes") -> float:
    """The minutes per turn as given by ``flag``; ValueError (one line naming the flag and the
    allowed range) for anything but a finite number in (0, MAX_TURN_MINUTES]."""
    try:
        minutes = float(raw)
    except (TypeError, ValueError):
        raise ValueError(f"{flag} {raw}: not a number; allowed: {MINUTES_ALLOWED}") from None
    if not (math.isfinite(minutes) and 0 < minutes <= MAX_TURN_MINUTES):
        raise ValueError(f"{flag} {raw}: out of range; allowed: {MINUTES_ALLOWED}")
    return minutes


def mm_ss(seconds: float) -> str:
    """'m:ss' of a span in seconds (whole seconds, rounded up: 0:00 only once time is up)."""
    whole = max(math.ceil(seconds), 0)
    return f"{whole // 60}:{whole % 60:02d}"


@dataclass(frozen=True)
class TurnClock:
    """``minutes`` for turn ``turn``, from ``started`` (``time.monotonic()`` seconds)."""

    turn: int
    minutes: float
    started: float = field(default_factory=time.monotonic)

    @property
    def deadline(self) -> float:
        return self.started + 60.0 * self.minutes

    def left(self, now: float | None = None) -> float:
        """Seconds left (negative once time is up)."""
        return self.deadline - (time.monotonic() if now is None else now)

    def up(self, now: float | None = None) -> bool:
        return self.left(now) <= 0

    def words(self, now: float | None = None) -> str:
        """'4:32 left' or 'time is up'."""
        left = self.left(now)
        return f"{mm_ss(left)} left" if left > 0 else "time is up"
