"""The sensitivity methods share one interface and are found by name in one registry."""

from __future__ import annotations

import pytest

from peninsula.analysis import morris, sobol
from peninsula.analysis.sensitivity import MAIN_INDEX, METHODS, design_size
from peninsula.analysis.sensitivity_methods import REGISTRY, Method, method_of


def test_every_method_is_registered_under_its_name():
    assert METHODS == ("sobol", "morris", "delta")
    assert all(isinstance(m, Method) and m.name == name for name, m in REGISTRY.items())
    assert MAIN_INDEX == {"sobol": "ST", "morris": "mu_star", "delta": "delta"}


def test_design_sizes_come_from_each_methods_module():
    assert design_size("sobol", 3, 8) == sobol.design_size(3, 8, False)
    assert design_size("sobol", 3, 8, second_order=True) == sobol.design_size(3, 8, True)
    assert design_size("morris", 3, 5, levels=4) == morris.design_size(3, 5, 4)
    assert design_size("delta", 3, 8) == 1


def test_an_unknown_method_is_refused_with_the_allowed_ones():
    with pytest.raises(ValueError, match=r"^--method: 'fast' is not one of: sobol, morris, "
                                         r"delta$"):
        method_of("fast")
    with pytest.raises(ValueError, match="needs no design"):
        method_of("delta").sample(3, 8, 0, False, 4)
