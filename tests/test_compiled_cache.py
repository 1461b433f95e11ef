"""The compiled cache is keyed on every compiled source: an edit of any mechanism or phase starts
a fresh cache, so a kernel compiled from old source never runs (model/compiled.py)."""

from __future__ import annotations

import os
import time

import numba

from peninsula.model import compiled


def make_package(root):
    for folder in compiled.COMPILED_SOURCES:
        (root / folder).mkdir(parents=True)
        (root / folder / "a.py").write_text("x = 1\n")
    (root / "other.py").write_text("y = 1\n")
    return root


def test_any_compiled_source_edit_changes_the_key(tmp_path):
    pkg = make_package(tmp_path / "pkg")
    first = compiled.source_digest(pkg)
    (pkg / "other.py").write_text("y = 2\n")  # not compiled: same key
    assert compiled.source_digest(pkg) == first
    (pkg / "engine" / "a.py").write_text("x = 2\n")
    second = compiled.source_digest(pkg)
    assert second != first
    (pkg / "model" / "b.py").write_text("")  # a new module counts too
    assert compiled.source_digest(pkg) not in (first, second)


def test_cache_folder_is_keyed_and_replaces_other_keys(tmp_path, monkeypatch):
    monkeypatch.delenv("NUMBA_CACHE_DIR", raising=False)
    pkg = make_package(tmp_path / "pkg")
    stale = pkg / "__pycache__" / "numba-0000000000000000"
    recent = pkg / "__pycache__" / "numba-1111111111111111"  # another version, still running
    stale.mkdir(parents=True)
    recent.mkdir(parents=True)
    day_ago = time.time() - compiled.STALE_AFTER_SECONDS - 60
    os.utime(stale, (day_ago, day_ago))
    folder = compiled.cache_folder(pkg)
    assert folder == pkg / "__pycache__" / f"numba-{compiled.source_digest(pkg)}"
    assert not stale.exists() and recent.exists()
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(tmp_path / "user"))
    assert compiled.cache_folder(pkg).parent == tmp_path / "user" / "peninsula"


def test_the_package_compiles_into_its_keyed_folder():
    assert numba.config.CACHE_DIR.endswith(f"numba-{compiled.source_digest()}")
