"""Type aliases shared by the mechanisms."""

from __future__ import annotations

import numpy as np

Array = np.ndarray  # runs-first array, or a scalar broadcast against one
Params = dict[str, np.ndarray]  # parameter name -> per-run values (runs,)
Flags = dict[str, bool]  # mechanism switch -> on/off
