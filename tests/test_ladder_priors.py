"""The ladder's priors derived from the rivalry reference class (analysis/ladder_priors.py):
the command rewrites only its rows' fields, the solver finds a planted root, and the
parameter table holds what the derivation gives today."""

from __future__ import annotations

import math
import shutil
import tomllib

import pytest

from peninsula.analysis import ladder_priors as lp
from peninsula.scenario.parameters import BY_NAME, TABLE


def fake_priors() -> dict:
    """A derivation's result with round numbers (no fit, no simulation)."""
    out = {}
    for i, name in enumerate(lp.DERIVED):
        if BY_NAME[name].limits[0] >= 0:  # a hazard
            low = 0.001 * (i + 1)
            out[name] = lp.DerivedPrior(name, low * 2, low * 3, low * 4, low, low * 5,
                                        f'derived "test" basis {i}', "logtriangular")
        else:  # an elasticity
            out[name] = lp.DerivedPrior(name, -0.2, -0.1, 0.1, -0.4, 0.3,
                                        f'derived "test" basis {i}', "triangular")
    return out


def test_write_rows_replaces_only_the_derived_fields(tmp_path):
    path = tmp_path / "parameters.toml"
    shutil.copy(TABLE, path)
    before = tomllib.loads(path.read_text())
    written = lp.write_rows(path, fake_priors())
    assert written == list(lp.DERIVED)
    after = tomllib.loads(path.read_text())
    assert set(after) == set(before)
    for name in before:
        if name not in lp.DERIVED:
            assert after[name] == before[name], name
    for i, name in enumerate(lp.DERIVED):
        row = after[name]
        assert row["basis"] == f'derived "test" basis {i}'  # quotes escaped and read back
        assert row["range"][0] <= row["value"] <= row["range"][1]
        for key in ("unit", "mechanism", "limits", "description"):  # kept as they were
            assert row[key] == before[name][key]
    text = path.read_text()
    lp.write_rows(path, fake_priors())  # writing the same rows again changes nothing
    assert path.read_text() == text


def test_rounded_row_has_four_digits_and_its_mode_in_its_support():
    p = lp.DerivedPrior("clash_to_war_per_month", 0.1, 0.123456789, 0.2, 0.0512345678,
                        0.4987654321, "b", "logtriangular")
    row = lp.rounded_row(p)
    assert row["value"] == 0.1235 and row["range"] == [0.05123, 0.4988]


def test_solve_finds_a_planted_root_on_the_log_scale():
    root = 0.0237
    x = lp.solve(lambda h: 1.0 - math.exp(-h / root), 1.0 - math.exp(-1.0), 1e-4, 1.0)
    assert x == pytest.approx(root, rel=1e-3)  # 14 halvings of ln(1e4): 5.6e-4 relative
    assert lp.solve(lambda h: h, 5.0, 1e-4, 1.0) == 1.0  # beyond the bracket: its end
    assert lp.solve(lambda h: h, 0.0, 1e-4, 1.0) == 1e-4


@pytest.mark.slow
def test_the_parameter_table_holds_todays_derivation():
    """'peninsula rivalries priors --write' was run after the last change of anything the
    derivation reads (the rivalry table, the fit, the baseline's point values). The hazards
    come from bisections on ensembles, whose last digit moves with any change of the model's
    random draws, so they agree within 3% (a twentieth of their priors' 5-95% width); the
    elasticities and the bases come from the fit alone and agree exactly."""
    from peninsula import api

    res = api.rivalries_ladder_priors()
    for name, row in res["priors"].items():
        p = BY_NAME[name]
        assert row["value"] == pytest.approx(p.value, rel=0.03), name
        assert row["range"] == pytest.approx([p.low, p.high], rel=0.03), name
        assert row["distribution"] == p.distribution, name
        if BY_NAME[name].limits[0] < 0:  # an elasticity
            assert row["value"] == p.value and row["basis"] == p.basis, name
