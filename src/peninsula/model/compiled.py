"""How the model's functions are compiled: Numba's ``njit`` with the options all of them share.

Every mechanism is a small scalar function decorated with ``mechanism``. The engine's kernel
calls these very functions (Numba compiles them into the kernel and inlines them), and the unit
tests call them too, so a tested mechanism is the engine's mechanism. ``NUMBA_DISABLE_JIT=1``
runs the identical source as plain Python, for debugging and for tests of the source itself.

Options: results cached on disk (``cache``), NumPy's floating-point error model (a division by
zero gives inf or nan, as in NumPy, rather than an exception), no fast-math (no reassociation,
so one build gives the same numbers on every run), and the GIL released.

The cache: Numba keys a cached function on its own source file only, not on the functions it
calls or inlines, so an edit of a mechanism or a phase would leave the kernel compiled from the
old source in the cache. The cache therefore lives in a folder named by a hash of every compiled
source (``model/`` and ``engine/``): any edit starts a fresh cache, and folders of other hashes
are removed once unused for a day (a process of another version may still load from its own).
Under ``NUMBA_CACHE_DIR`` when it is set, else in the package's ``__pycache__``
when it can be written, else in the user's cache folder.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import time
from pathlib import Path

import numba

JIT_OPTIONS = dict(cache=True, error_model="numpy", fastmath=False, nogil=True)
PACKAGE = Path(__file__).resolve().parents[1]
COMPILED_SOURCES = ("model", "engine")  # the folders whose code Numba compiles
CACHE_PREFIX = "numba-"


def source_digest(package: Path = PACKAGE) -> str:
    """A hash of every compiled source file (name and bytes), in a fixed order."""
    h = hashlib.sha256()
    for folder in COMPILED_SOURCES:
        for path in sorted((package / folder).glob("*.py")):
            h.update(f"{folder}/{path.name}".encode())
            h.update(path.read_bytes())
    return h.hexdigest()[:16]


STALE_AFTER_SECONDS = 24 * 3600  # another source's cache folder is removed after a day unused


def _writable(folder: Path) -> bool:
    try:
        folder.mkdir(parents=True, exist_ok=True)
        tempfile.TemporaryFile(dir=folder).close()
        return True
    except OSError:
        return False


def cache_folder(package: Path = PACKAGE) -> Path:
    """The folder of this source's compiled cache (module docstring), with the folders of other
    hashes beside it removed once untouched for STALE_AFTER_SECONDS (best effort): a process of
    another source version that is still running (its workers load from its folder) keeps it."""
    user = os.environ.get("NUMBA_CACHE_DIR")
    if user:
        parent = Path(user) / "peninsula"
    elif _writable(package / "__pycache__"):
        parent = package / "__pycache__"
    else:
        xdg = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
        parent = Path(xdg) / "peninsula"
    folder = parent / f"{CACHE_PREFIX}{source_digest(package)}"
    if parent.is_dir():
        now = time.time()
        for old in parent.glob(f"{CACHE_PREFIX}*"):
            try:
                stale = now - old.stat().st_mtime > STALE_AFTER_SECONDS
            except OSError:  # removed meanwhile
                continue
            if old != folder and stale:
                shutil.rmtree(old, ignore_errors=True)
    return folder


numba.config.CACHE_DIR = str(cache_folder())


def mechanism(function):
    """Compile a model function (scalar in, scalar out) with the model's shared options."""
    return numba.njit(**JIT_OPTIONS)(function)


def is_compiled() -> bool:
    """False when NUMBA_DISABLE_JIT=1: every mechanism then runs as plain Python."""
    return not numba.config.DISABLE_JIT
