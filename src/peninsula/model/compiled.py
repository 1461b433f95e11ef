"""How the model's functions are compiled: Numba's ``njit`` with the options all of them share.

Every mechanism is a small scalar function decorated with ``mechanism``. The engine's kernel
calls these very functions (Numba compiles them into the kernel and inlines them), and the unit
tests call them too, so a tested mechanism is the engine's mechanism. ``NUMBA_DISABLE_JIT=1``
runs the identical source as plain Python, for debugging and for tests of the source itself.

Options: results cached on disk (``cache``), NumPy's floating-point error model (a division by
zero gives inf or nan, as in NumPy, rather than an exception), no fast-math (no reassociation,
so one build gives the same numbers on every run), and the GIL released.
"""

from __future__ import annotations

import numba

JIT_OPTIONS = dict(cache=True, error_model="numpy", fastmath=False, nogil=True)


def mechanism(function):
    """Compile a model function (scalar in, scalar out) with the model's shared options."""
    return numba.njit(**JIT_OPTIONS)(function)


def is_compiled() -> bool:
    """False when NUMBA_DISABLE_JIT=1: every mechanism then runs as plain Python."""
    return not numba.config.DISABLE_JIT
