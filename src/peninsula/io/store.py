"""Atomic result files: write under a temporary name in the target folder, then rename.

``os.replace`` is atomic on POSIX and Windows, so a crash leaves either the old file or the new
one under the final name, never half of one.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import pandas as pd


def _atomic(path: Path, write) -> None:
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


def write_parquet(df: pd.DataFrame, path: Path) -> None:
    _atomic(Path(path), lambda tmp: df.to_parquet(tmp, index=False))


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

    _atomic(Path(path), w)


def write_json(obj, path: Path, indent: int | None = 2) -> None:
    """``obj`` as JSON; ``indent=None`` writes one compact line, with the C encoder (about ten
    times faster, for the many small files of a sweep that only a program reads)."""
    def w(tmp):
        text = json.dumps(obj, indent=indent, allow_nan=False, default=_jsonable)
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(text + "\n")

    _atomic(Path(path), w)


def write_text(text: str, path: Path) -> None:
    def w(tmp):
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(text)

    _atomic(Path(path), w)


def _jsonable(x):
    if hasattr(x, "item"):
        return x.item()
    raise TypeError(f"not JSON serialisable: {type(x).__name__}")
