"""The kernel reads as the month: run_chunk is a short sequence of phase calls, with no
arithmetic on model quantities, and the yearly snapshot is read from declarations by name.

``python tests/test_kernel_wiring.py`` prints the arithmetic and comparison operators left in
``run_chunk`` and in the phases (engine/phases.py), each with the functions it stands in.
"""

from __future__ import annotations

import ast
import inspect
import textwrap

from peninsula.engine import kernel, phases
from peninsula.io.results import MONTHLY_VARS, YEARLY_KEYS

# the only arithmetic run_chunk may hold: the block loop's bounds
RUN_CHUNK_ARITHMETIC = {"n_runs - b0"}
# the phases' arithmetic: run, entry and record-column indices, the calendar, loop counters and
# the year's counts of events
PHASES_ARITHMETIC = {
    "b0 + k", "N_ACTORS * i", "N_ACTORS * i + j", "i - BLOC_FIRST", "C_ARMS + i", "C_GDP + i",
    "C_RATIO + i", "C_SPENDING + i", "C_TRUST + d", "t + 1", "t % 12", "(t + 1) % 12",
    "t // 12", "(t + 1) // 12", "(t + 1) // 12 - 1", "n_cols - 1", "m += 1", "n_moving += 1",
    "n_moving -= 1", "out_days_y[r, y] += launch_days[k]",
    "out_launches_y[r, y] += event_counts[k, EV_LAUNCH]",
    "out_patrols_y[r, y] += event_counts[k, EV_PATROL]"}
MAX_RUN_CHUNK_LINES = 200
OPERATORS = (ast.BinOp, ast.AugAssign, ast.UnaryOp, ast.Compare)


def operators(function) -> dict[str, set[str]]:
    """The arithmetic, unary and comparison expressions in a function's source (``not`` of a
    flag excepted), each with the functions it stands in."""
    source = textwrap.dedent(inspect.getsource(getattr(function, "py_func", function)))
    found: dict[str, set[str]] = {}
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            continue
        if isinstance(node, OPERATORS):
            found.setdefault(ast.get_source_segment(source, node), set()).add(function.__name__)
    return found


def is_comparison(expr: str) -> bool:
    """Whether an expression found by operators() is a comparison (an augmented assignment,
    a statement, is arithmetic)."""
    statement = ast.parse(expr.strip()).body[0]
    return isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Compare)


def module_operators(module) -> dict[str, set[str]]:
    """operators() of every function defined in a module."""
    found: dict[str, set[str]] = {}
    for _, function in inspect.getmembers(module):
        function = getattr(function, "py_func", function)
        if inspect.isfunction(function) and function.__module__ == module.__name__:
            for expr, names in operators(function).items():
                found.setdefault(expr, set()).update(names)
    return found


def test_run_chunk_is_a_short_sequence_of_phases():
    source = inspect.getsource(kernel.run_chunk.py_func)
    assert len(source.splitlines()) < MAX_RUN_CHUNK_LINES
    called = {node.func.id for node in ast.walk(ast.parse(textwrap.dedent(source)))
              if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)}
    for name in ("threat_phase", "events_phase", "diplomacy_phase", "beliefs_phase",
                 "arms_phase", "ladder_phase", "records_phase"):
        assert name in called, name


def test_run_chunk_holds_only_loop_and_index_arithmetic():
    left = set(operators(kernel.run_chunk))
    assert left <= RUN_CHUNK_ARITHMETIC, left - RUN_CHUNK_ARITHMETIC


def test_phases_hold_only_index_calendar_and_counter_arithmetic():
    """The phases' arithmetic is on indices, the calendar and the year's counts; any other
    (a model quantity's) is a model function's job. Comparisons are wiring (sentinels, draws
    against probabilities, rungs) and are listed by the script, not checked."""
    arithmetic = {expr for expr in module_operators(phases) if not is_comparison(expr)}
    assert arithmetic <= PHASES_ARITHMETIC, arithmetic - PHASES_ARITHMETIC


def test_yearly_keys_come_from_the_record_declaration():
    """Each yearly key is read by name from the run-month's record: a monthly column or one of
    the values kept only at year ends."""
    assert phases.RECORD_FIELDS[:len(MONTHLY_VARS)] == MONTHLY_VARS
    for x, key in enumerate(YEARLY_KEYS):
        assert phases.RECORD_FIELDS[phases.YEARLY_SOURCE[x]] == key


if __name__ == "__main__":
    for title, found in (("run_chunk", operators(kernel.run_chunk)),
                         ("engine/phases.py", module_operators(phases))):
        print(f"{title}:")
        for expr, names in sorted(found.items()):
            print(f"    {' '.join(expr.split())}    [{', '.join(sorted(names))}]")
