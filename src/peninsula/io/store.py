"""Result folders: atomic files, one writer at a time, no stale leftovers.

A file is written under a temporary name in the target folder (``.NAME.XXXX.pen.tmp``), then
renamed: ``os.replace`` is atomic on POSIX and Windows, so a crash leaves either the old file
or the new one under the final name, never half of one. A kill between the two can leave the
temporary file behind; ``remove_stale_temps`` clears those (and only those: the ``.pen.tmp``
ending marks them as this package's) once the folder is locked again. ``folder_lock`` takes
an exclusive lock on a result folder for one command, so two commands writing to the same
folder at once cannot mix their files: the second is refused. The lock file is removed when
the lock is released, so a command leaves no ``.lock`` behind.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import shutil
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

import pandas as pd

LOCK_FILE = ".lock"
TEMP_SUFFIX = ".pen.tmp"  # marks a temporary file of this package's atomic writes
DELETING = ".pen-deleting-"  # marks a folder renamed aside to be deleted (remove_tree)
_HELD: dict[str, int] = {}  # folders this process has locked -> nesting depth
_HELD_GUARD = threading.Lock()


class FolderBusy(ValueError):
    """Another command is writing to the result folder."""


def atomic_write(path: Path, write) -> None:
    """Call ``write(tmp)`` on a temporary name beside ``path``, then rename it to ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=TEMP_SUFFIX, dir=path.parent)
    os.close(fd)
    try:
        write(tmp)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@contextlib.contextmanager
def folder_lock(folder: Path) -> Iterator[Path]:
    """Hold an exclusive lock on ``folder`` (created if missing) while the block runs.

    The lock is a POSIX record lock (``lockf``; ``msvcrt`` on Windows) on ``folder/.lock``: the
    OS releases it when the process ends however it ends, so a killed run never leaves the
    folder locked, and a record lock is not inherited by forked pool workers, so it ends with
    the block. Re-entrant within this process (a command may lock a folder that a function it
    calls locks again). Raises FolderBusy at once if another process holds it. On a file
    system without locks (some network mounts) the block runs unlocked. On release the lock
    file is deleted (while still held; a taker checks it locked the file still under that
    name), and the folder too if the block created it and left it empty.
    """
    folder = Path(folder)
    created = not folder.exists()
    folder.mkdir(parents=True, exist_ok=True)
    key = str(folder.resolve())
    with _HELD_GUARD:
        if key in _HELD:
            _HELD[key] += 1
            nested = True
        else:
            nested = False
    if nested:
        try:
            yield folder
        finally:
            with _HELD_GUARD:
                _HELD[key] -= 1
        return
    fh = _take(folder)
    try:
        with _HELD_GUARD:
            _HELD[key] = 1
        try:
            yield folder
        finally:
            with _HELD_GUARD:
                del _HELD[key]
            with contextlib.suppress(OSError):
                (folder / LOCK_FILE).unlink()
    finally:
        fh.close()  # closing releases the lock
    if created:
        with contextlib.suppress(OSError):
            folder.rmdir()  # only if empty: a refused command leaves no folder behind


def _take(folder: Path):
    """The open, locked lock file of ``folder``; FolderBusy if another process holds it."""
    path = folder / LOCK_FILE
    while True:
        try:
            fh = open(path, "a+b")  # noqa: SIM115 - held open for the block
        except FileNotFoundError:  # the folder's last holder removed it as we came
            folder.mkdir(parents=True, exist_ok=True)
            continue
        try:
            _lock(fh)
        except OSError as exc:  # any other errno: no locks on this file system, run unlocked
            fh.close()
            if exc.errno in (errno.EACCES, errno.EAGAIN):
                raise FolderBusy(f"{folder}: another peninsula command is writing to this "
                                 "folder; wait for it to finish or choose another --out"
                                 ) from None
            return open(path, "a+b")  # noqa: SIM115
        try:  # the holder before us may have deleted the file we locked: lock the new one
            same = os.path.samestat(os.fstat(fh.fileno()), os.stat(path))
        except OSError:
            same = False
        if same:
            return fh
        fh.close()


def _lock(fh) -> None:
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        import msvcrt

        try:
            msvcrt.locking(fh.fileno(), msvcrt.LK_NBLCK, 1)
        except OSError as exc:  # Windows reports a held lock as EDEADLOCK
            raise OSError(errno.EACCES, str(exc)) from None
        return
    fcntl.lockf(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)


def remove_stale_temps(folder: Path) -> int:
    """Delete the temporary files of this package's writes that an interrupted write left in
    ``folder`` (not below it); returns how many. Call only while holding the folder's lock."""
    n = 0
    for tmp in Path(folder).glob(f".*{TEMP_SUFFIX}"):
        if tmp.is_file():
            tmp.unlink(missing_ok=True)
            n += 1
    for aside in Path(folder).glob(f"*{DELETING}*"):  # a remove_tree cut short
        if aside.is_dir():
            shutil.rmtree(aside, ignore_errors=True)
            n += 1
    return n


def read_json_object(path: Path) -> dict | None:
    """The JSON object in a file this package wrote (a resume plan, a manifest), None if there
    is no such file; ValueError naming the file when it is damaged (not JSON, not an object)."""
    path = Path(path)
    if not path.is_file():
        return None
    try:
        plan = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ValueError(f"{path}: damaged ({exc})") from None
    if not isinstance(plan, dict):
        raise ValueError(f"{path}: damaged (not a JSON object)")
    return plan


def remove_files(folder: Path, names: tuple[str, ...] | list[str]) -> None:
    """Delete the named files in ``folder`` if present."""
    for name in names:
        (Path(folder) / name).unlink(missing_ok=True)


def remove_tree(folder: Path) -> None:
    """Delete ``folder`` and all below it such that an interruption never leaves a partial
    copy under its name: it is renamed aside first, then deleted."""
    folder = Path(folder)
    if not folder.exists():
        return
    aside = folder.with_name(f"{folder.name}{DELETING}{os.getpid()}-{threading.get_ident()}")
    os.replace(folder, aside)
    shutil.rmtree(aside, ignore_errors=True)


def write_parquet(df: pd.DataFrame, path: Path) -> None:
    atomic_write(Path(path), lambda tmp: df.to_parquet(tmp, index=False))


def write_parquet_stream(frames, path: Path) -> None:
    """Write an iterable of same-schema DataFrames as one Parquet file, one row group each.

    Memory stays bounded by one frame; the file appears under its name only when complete.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    def w(tmp):
        writer = None
        try:
            for df in frames:
                table = pa.Table.from_pandas(df, preserve_index=False)
                if writer is None:
                    writer = pq.ParquetWriter(tmp, table.schema)
                writer.write_table(table)
        finally:
            if writer is not None:
                writer.close()

    atomic_write(Path(path), w)


def write_json(obj, path: Path, indent: int | None = 2) -> None:
    """``obj`` as JSON; ``indent=None`` writes one compact line, with the C encoder (about ten
    times faster, for the many small files of a sweep that only a program reads)."""
    def w(tmp):
        text = json.dumps(obj, indent=indent, allow_nan=False, default=_jsonable)
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(text + "\n")

    atomic_write(Path(path), w)


def write_text(text: str, path: Path) -> None:
    def w(tmp):
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(text)

    atomic_write(Path(path), w)


def _jsonable(x):
    if hasattr(x, "item"):
        return x.item()
    raise TypeError(f"not JSON serialisable: {type(x).__name__}")
