"""Bind the compiled kernel's exp and log to the C library's cores (an explicit, checked step).

glibc's ``exp`` and ``log`` are thin wrappers that call one core routine and then only handle
errors for the old SVID interface; the cores are also exported as ``__exp_finite`` and
``__log_finite``. Numba binds these names to the wrappers, which cost about an eighth of the
kernel's time and change no value. ``bind()`` links the names to the cores, after checking each
core against the C library function (through Python's math module) on a fixed sample of
arguments; any difference, or a C library without these symbols, leaves Numba's binding alone.
It must run before the kernel is compiled or loaded from Numba's cache (that is when names are
bound); the engine calls it once per process before its first chunk. Nothing happens at import.
"""

from __future__ import annotations

import math

import numpy as np

LIBM_CORES = ("exp", "log")  # glibc exports each core as __<name>_finite@GLIBC_2.15
_bound: bool | None = None


def cores() -> dict[str, int]:
    """Addresses of glibc's exp and log cores, when they give the library's values."""
    import ctypes
    import ctypes.util

    try:
        libm = ctypes.CDLL(ctypes.util.find_library("m") or "libm.so.6")
        libc = ctypes.CDLL(None)
        dlvsym = libc.dlvsym
    except (OSError, AttributeError):
        return {}
    dlvsym.restype = ctypes.c_void_p
    dlvsym.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_char_p]
    rng = np.random.default_rng(20261128)
    x = np.concatenate([rng.uniform(-40.0, 40.0, 400), rng.uniform(-700.0, 700.0, 100)])
    pos = np.concatenate([rng.uniform(1e-9, 4.0, 400), np.exp(rng.uniform(-600, 600, 100))])
    cases = {"exp": x, "log": pos}
    ref = {"exp": math.exp, "log": math.log}
    found = {}
    for name in LIBM_CORES:
        addr = dlvsym(libm._handle, f"__{name}_finite".encode(), b"GLIBC_2.15")
        if not addr:
            return {}
        core = ctypes.CFUNCTYPE(ctypes.c_double, ctypes.c_double)(addr)
        for arg in cases[name]:
            try:
                want = ref[name](float(arg))
            except (OverflowError, ValueError):
                continue
            if core(float(arg)) != want:
                return {}
        found[name] = addr
    return found


def bind() -> bool:
    """Link the compiled code's exp and log to the checked cores, once per process; returns
    whether the cores are in use."""
    global _bound
    if _bound is None:
        found = cores()
        if found:
            import llvmlite.binding as ll
            from numba.core.registry import cpu_target

            cpu_target.target_context  # noqa: B018 - installs Numba's own bindings (once)
            for name, addr in found.items():
                ll.add_symbol(name, addr)
        _bound = bool(found)
    return _bound
