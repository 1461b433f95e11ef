"""Peninsula: an ensemble simulator of alliance dynamics and stability on the Korean Peninsula.

The names below are imported on first use (PEP 562), so that ``import peninsula`` and the
command line's help start without loading the numerical stack.
"""

from importlib import import_module

from peninsula._version import __version__

_LAZY = {"Ensemble": "peninsula.api", "run": "peninsula.api",
         "ScenarioError": "peninsula.scenario.errors", "Scenario": "peninsula.scenario.loader",
         "bundled_names": "peninsula.scenario.loader", "load_scenario": "peninsula.scenario.loader"}

__all__ = ["Ensemble", "Scenario", "ScenarioError", "bundled_names", "load_scenario", "run",
           "__version__"]


def __getattr__(name: str):
    if name in _LAZY:
        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'peninsula' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
