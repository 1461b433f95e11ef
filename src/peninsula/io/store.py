"""Result folders: atomic files, one writer at a time, no stale leftovers.

A file is written under a temporary name in the target folder (``.NAME.XXXX.tmp``), then
renamed: ``os.replace`` is atomic on POSIX and Windows, so a crash leaves either the old file
or the new one under the final name, never half of one. A kill between the two can leave the
temporary file behind; ``remove_stale_temps`` clears those once the folder is locked again.
``folder_lock`` takes an exclusive lock on a result folder for one command, so two commands
writing to the same folder at once cannot mix their files: the second is refused.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pandas as pd

LOCK_FILE = ".lock"


class FolderBusy(ValueError):
    """Another command is writing to the result folder."""


def atomic_write(path: Path, write) -> None:
    """Call ``write(tmp)`` on a temporary name beside ``path``, then rename it to ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
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

    The lock is an OS file lock on ``folder/.lock`` (``flock`` on POSIX, ``msvcrt`` on
    Windows): it is released when the process ends however it ends, so a killed run never
    leaves the folder locked. Raises FolderBusy at once if another process holds it.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    fh = open(folder / LOCK_FILE, "a+b")  # noqa: SIM115 - held open for the block
    try:
        try:
            _lock(fh)
        except OSError:
            raise FolderBusy(f"{folder}: another peninsula command is writing to this folder; "
                             "wait for it to finish or choose another --out") from None
        yield folder
    finally:
        fh.close()  # closing releases the lock


def _lock(fh) -> None:
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        import msvcrt

        msvcrt.locking(fh.fileno(), msvcrt.LK_NBLCK, 1)
        return
    fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)


def remove_stale_temps(folder: Path) -> int:
    """Delete temporary files that an interrupted write left in ``folder`` (not below it);
    returns how many. Call only while holding the folder's lock."""
    n = 0
    for tmp in Path(folder).glob(".*.tmp"):
        if tmp.is_file():
            tmp.unlink(missing_ok=True)
            n += 1
    return n


def remove_files(folder: Path, names: tuple[str, ...] | list[str]) -> None:
    """Delete the named result files in ``folder`` if present (a fresh run's clean slate, so
    no file of an earlier run can sit beside the new one's)."""
    for name in names:
        (Path(folder) / name).unlink(missing_ok=True)


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
