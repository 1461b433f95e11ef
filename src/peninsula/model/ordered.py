"""Sums in a fixed left-to-right order.

NumPy's reductions (``sum``, ``mean``, ``einsum``, ``@``) may add in pairs, in SIMD lanes or
inside BLAS, so their last bit depends on the build. The model adds its small fixed-length axes
(six actors, three allies, event types) strictly left to right instead, which is also the order
a compiled per-run loop uses (engine/fused.py): both implementations then agree bit for bit
wherever they call the same maths library (NumPy's own exp/log on AVX-512 CPUs may not).
"""

from __future__ import annotations

import numpy as np


def ordered_sum(a: np.ndarray, axis: int = -1) -> np.ndarray:
    """``((a_0 + a_1) + a_2) + ...`` along ``axis`` (a short axis: one NumPy call per element)."""
    a = np.moveaxis(np.asarray(a), axis, 0)
    acc = a[0].copy()
    for k in range(1, a.shape[0]):
        acc += a[k]
    return acc
