"""Peninsula: an ensemble simulator of alliance dynamics and stability on the Korean Peninsula."""

from peninsula._version import __version__
from peninsula.api import Ensemble, run
from peninsula.scenario.errors import ScenarioError
from peninsula.scenario.loader import Scenario, bundled_names, load_scenario

__all__ = ["Ensemble", "Scenario", "ScenarioError", "bundled_names", "load_scenario", "run",
           "__version__"]
