"""Peninsula: an ensemble simulator of alliance dynamics and stability on the Korean Peninsula."""

__version__ = "0.1.0"

from peninsula.api import Ensemble, run  # noqa: E402
from peninsula.scenario.errors import ScenarioError  # noqa: E402
from peninsula.scenario.loader import Scenario, bundled_names, load_scenario  # noqa: E402

__all__ = ["Ensemble", "Scenario", "ScenarioError", "bundled_names", "load_scenario", "run",
           "__version__"]
