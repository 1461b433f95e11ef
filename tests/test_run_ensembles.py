"""Several ensembles submitted together (engine/ensemble.py run_ensembles, used by the
explanation) give each ensemble's numbers bit for bit, on one process or a pool."""

from __future__ import annotations

import numpy as np
import pytest

from peninsula import api
from peninsula.engine.ensemble import run_chunks, run_ensembles
from peninsula.model.setup import build_setup


@pytest.mark.integration
@pytest.mark.parametrize("workers", [1, 2])
def test_ensembles_together_equal_each_alone(workers):
    sc = api.scenario_for("baseline", overrides=["scenario.horizon_months=36"])
    setups = {"today": build_setup(sc),
              "heavy drills": build_setup(sc.with_levers(exercise_intensity=2.0))}
    together = run_ensembles(setups, 300, chunk_runs=128, workers=workers,
                             record_monthly=False, record_events=False)
    for name, s in setups.items():
        alone = run_chunks(s, 300, chunk_runs=300, record_monthly=False, record_events=False)
        for key in alone.first_month:
            assert np.array_equal(together[name].first_month[key], alone.first_month[key])
        assert np.array_equal(together[name].launches_by_year, alone.launches_by_year)
    assert not np.array_equal(together["today"].launches_by_year,
                              together["heavy drills"].launches_by_year)
