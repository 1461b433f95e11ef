"""Scenario input problems, collected so the user sees every one of them at once."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One problem: where (file, key path, line if known) and what is allowed."""

    file: str
    key: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        file, key, message = (_one_line(str(x)) for x in (self.file, self.key, self.message))
        where = f"{file}:{self.line}" if self.line else file
        return f"{where}: {key}: {message}" if key else f"{where}: {message}"


def _one_line(text: str) -> str:
    """Text as printed on one line: control characters (a newline in a key) are escaped."""
    return text if text.isprintable() else text.encode("unicode_escape").decode("ascii")


class ScenarioError(ValueError):
    """Raised with every problem found in a scenario; str() gives one line per problem."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


def did_you_mean(name: object, choices, n: int = 1) -> str:
    """' did you mean X?' for the closest of ``choices`` to ``name``, or '' when none is close."""
    import difflib

    close = difflib.get_close_matches(str(name), [str(c) for c in choices], n=n, cutoff=0.6)
    return f" did you mean {' or '.join(close)}?" if close else ""


def first_few(items: list[str], shown: int = 5) -> str:
    """The first ``shown`` items joined, and how many more there are ('and 1,195 more')."""
    head = ", ".join(items[:shown])
    rest = len(items) - shown
    return f"{head} and {rest:,} more" if rest > 0 else head
