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
