"""Read real event data (GDELT 1.0/2.0 exports, ICEWS-style CAMEO tables) into monthly dyads.

Rows are streamed one at a time (plain files or zip archives), so memory stays flat whatever the
file size; the only state is the monthly dyad table (months x 36 directed dyads at most) and,
when several files (or zip members) are read, 8 bytes per event id of all but the last, so that
an event given twice (the same export twice, or as .CSV and .zip) is counted once.
Every row is counted: used, outside the six actors, or rejected with a reason. CAMEO codes stay
strings (leading zeros matter) and Goldstein weights come from the CAMEO table (GDELT's lookup),
not from the row, so every source is on one scale.

Per month and directed dyad (actor -> target), after Goldstein & Pevehouse (1997):
net_goldstein = sum of G(e); mean_goldstein = net / events; quad counts by CAMEO root
(01-05 verbal cooperation, 06-08 material cooperation, 09-13 verbal conflict, 14-20 material
conflict). Starting tension for a scenario (``tension_from_events``) is
clip(-mean Goldstein of DPRK <-> allies events over the latest months / 5, 0, 1): a mean at the
"demand" level (-5) counts as full tension, a neutral mean as none (judgement).
"""

from __future__ import annotations

import csv
import io
import itertools
import lzma
import struct
import zipfile
import zlib
from array import array
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import BinaryIO

import numpy as np
import pandas as pd

ISO_TO_ACTOR = {"USA": "USA", "KOR": "ROK", "ROK": "ROK", "JPN": "JPN", "PRK": "PRK",
                "CHN": "CHN", "RUS": "RUS"}
NAME_TO_ACTOR = {
    "united states": "USA", "united states of america": "USA", "south korea": "ROK",
    "republic of korea": "ROK", "korea, republic of": "ROK", "japan": "JPN",
    "north korea": "PRK", "democratic people's republic of korea": "PRK",
    "korea, democratic people's republic of": "PRK", "china": "CHN",
    "people's republic of china": "CHN", "russia": "RUS", "russian federation": "RUS",
}
GDELT_LAYOUTS = {57: "gdelt1-historical", 58: "gdelt1", 61: "gdelt2"}
# column indices (0-based) shared by all GDELT layouts up to EventCode
G_DATE, G_ACTOR1_COUNTRY, G_ACTOR2_COUNTRY, G_EVENT_CODE, G_GOLDSTEIN, G_MENTIONS = 1, 7, 17, 26, 30, 31
QUADS = ("verbal_coop", "material_coop", "verbal_conflict", "material_conflict")
ALLIES = ("USA", "ROK", "JPN")


@lru_cache(maxsize=1)
def cameo_goldstein() -> dict[str, float]:
    """CAMEO code (string) -> Goldstein weight, from the bundled CAMEO table."""
    with (resources.files("peninsula.data") / "cameo.csv").open("r", encoding="utf-8") as fh:
        return {row["code"]: float(row["goldstein"]) for row in csv.DictReader(fh)}


def quad_of(code: str) -> int:
    root = int(code[:2])
    return 0 if root <= 5 else 1 if root <= 8 else 2 if root <= 13 else 3


DUPLICATE = "duplicate event id (already read from an earlier file)"


@dataclass
class IngestReport:
    """What happened to every row read."""

    files: list[str] = field(default_factory=list)
    rows_read: int = 0
    rows_used: int = 0
    rows_other_actors: int = 0
    rows_rejected: Counter = field(default_factory=Counter)
    formats: Counter = field(default_factory=Counter)
    # 64-bit hashes of the event ids of the sources (files, zip members) already read, sorted,
    # and of the one being read: 8 bytes a row, where a set of strings would take ~100
    ids_before: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64), repr=False)
    ids_here: array = field(default_factory=lambda: array("q"), repr=False)
    track: bool = field(default=True, repr=False)  # keep this source's ids for later ones

    def duplicate(self, event_id: str) -> bool:
        """True (and counted as rejected) if an earlier source held this event id: the same
        export given twice, or as a .CSV and its .zip, counts each event once. Ids repeated
        within one source are kept (GDELT and ICEWS ids are unique within a file)."""
        event_id = event_id.strip()
        if not event_id:
            return False
        key = hash(event_id)
        if self.ids_before.size:
            at = int(np.searchsorted(self.ids_before, key))
            if at < self.ids_before.size and self.ids_before[at] == key:
                self.rows_rejected[DUPLICATE] += 1
                return True
        if self.track:
            self.ids_here.append(key)
        return False

    def next_source(self) -> None:
        """The ids of the source just read count as seen for the next ones."""
        if len(self.ids_here):
            here = np.frombuffer(self.ids_here, dtype=np.int64)
            self.ids_before = np.unique(np.concatenate([self.ids_before, here]))
            self.ids_here = array("q")

    def as_dict(self, dyad_months: int) -> dict:
        return {"files": self.files, "rows_read": self.rows_read, "rows_used": self.rows_used,
                "rows_other_actors": self.rows_other_actors,
                "rows_rejected": dict(sorted(self.rows_rejected.items())),
                "rows_rejected_total": sum(self.rows_rejected.values()),
                "rows_duplicate": self.rows_rejected.get(DUPLICATE, 0),
                "formats": dict(self.formats), "dyad_months": dyad_months}


class EventFileError(ValueError):
    """A file that cannot be read at all (missing, unreadable, damaged, not UTF-8, unknown format).

    The message names the file (and the zip member and line where known) and says what is
    accepted, so the command line can print it as one line.
    """


# A line longer than this is not an event row (real GDELT/ICEWS rows are under a few kB); it is
# skipped in pieces and rejected, so one damaged line cannot make the reader hold a whole file.
MAX_LINE_BYTES = 1 << 20
TOO_LONG = "line over 1 MiB"
NOT_UTF8 = "not UTF-8 text"


class Rejected(str):
    """A line that cannot be a row, as ``_lines`` yields it: its value is the reason."""
ACCEPTED = ("a GDELT 1.0/2.0 event export (tab-separated, 57/58/61 fields, no header; .CSV or "
            ".zip) or a CAMEO table (tab- or comma-separated, header naming event date, source "
            "country, target country and CAMEO code, as ICEWS .tab files do)")
# What decompressing a damaged or unsupported archive member can raise (zlib, bz2, lzma, CRC).
_READ_ERRORS = (zipfile.BadZipFile, zlib.error, lzma.LZMAError, EOFError, OSError, ValueError,
                NotImplementedError, RuntimeError, OverflowError, struct.error)


def _sources(path: Path) -> Iterator[tuple[str, BinaryIO, bool, bool]]:
    """Yield (label for messages, binary stream, is a zip member, is the file's last source)
    for a file or each zip member."""
    if not path.exists():
        raise EventFileError(f"{path}: cannot read (no such file)")
    if not path.is_file():
        raise EventFileError(f"{path}: cannot read (not a file); give {ACCEPTED}")
    try:
        is_zip = zipfile.is_zipfile(path)
        fh = open(path, "rb")  # noqa: SIM115 - closed by the with block below
    except OSError as exc:
        raise EventFileError(f"{path}: cannot read ({exc.strerror or exc})") from None
    with fh:
        if not is_zip:
            try:
                magic = fh.peek(4)[:4]
            except OSError as exc:
                raise EventFileError(f"{path}: cannot read ({exc.strerror or exc})") from None
            _refuse_other_containers(path, magic)
            yield str(path), fh, False, True
            return
        try:
            zf = zipfile.ZipFile(fh)
            members = [m for m in zf.infolist() if not m.is_dir()]
        except _READ_ERRORS as exc:
            raise EventFileError(f"{path}: damaged zip archive ({_reason(exc)}); expected a "
                                 "complete zip of event files as published (download it again)"
                                 ) from None
        if not members:
            raise EventFileError(f"{path}: zip archive holds no files; expected a zip of "
                                 "GDELT export or CAMEO table files")
        with zf:
            for n, member in enumerate(members, start=1):
                label = f"{path} [{_printable(member.filename)}]"
                try:
                    raw = zf.open(member)
                except _READ_ERRORS as exc:
                    raise EventFileError(f"{label}: cannot unpack ({_reason(exc)}); expected an "
                                         "unencrypted zip (stored, deflate, bzip2 or lzma)"
                                         ) from None
                with io.BufferedReader(raw, 1 << 16) as buffered:
                    yield label, buffered, True, n == len(members)


def _refuse_other_containers(path: Path, magic: bytes) -> None:
    """Name the problem when a file is an archive this reader does not open (or a broken zip)."""
    if magic.startswith(b"PK\x03\x04"):
        raise EventFileError(f"{path}: damaged zip archive (truncated: no central directory); "
                             "expected a complete zip as published (download it again)")
    if magic.startswith(b"\x1f\x8b"):
        raise EventFileError(f"{path}: gzip-compressed, which is not read; give the .CSV/.tab "
                             "file (gunzip it) or a .zip")


def _reason(exc: BaseException) -> str:
    return _printable(str(exc) or type(exc).__name__)


def _printable(text: str) -> str:
    """Text safe for a one-line message: control characters escaped."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def _lines(label: str, raw: BinaryIO, in_zip: bool) -> Iterator[tuple[int, str]]:
    """Yield (line number, text without line end); the text is a ``Rejected`` reason for a line
    over MAX_LINE_BYTES or a line after the first that is not UTF-8.

    Lines are read one at a time with a size cap (memory stays flat) and decoded strictly as
    UTF-8, never silently mangled: a first line that is not UTF-8 means a file in another
    encoding (EventFileError); a later one is a damaged row, counted as rejected, so one stray
    byte cannot void a whole batch. A lone carriage return also ends a row, as it does for the
    csv module.
    """
    n = 0
    while True:
        chunk = _readline(label, raw, in_zip, n)
        if not chunk:
            return
        n += 1
        if len(chunk) > MAX_LINE_BYTES:
            while not chunk.endswith(b"\n"):
                chunk = _readline(label, raw, in_zip, n)
                if not chunk:
                    break
            yield n, Rejected(TOO_LONG)
            continue
        try:
            text = chunk.decode("utf-8")
        except UnicodeDecodeError as exc:
            if n > 1:
                yield n, Rejected(NOT_UTF8)
                continue
            utf16 = chunk[:2] in (b"\xff\xfe", b"\xfe\xff")
            raise EventFileError(
                f"{label} line {n}: not UTF-8 text ("
                + ("UTF-16 byte-order mark" if utf16 else
                   f"byte 0x{chunk[exc.start]:02x} at byte {exc.start + 1} of the line")
                + "); event files must be UTF-8, as GDELT and ICEWS publish them (convert with "
                "e.g. iconv -f <its encoding> -t UTF-8)") from None
        if n == 1 and text.startswith("\ufeff"):
            text = text[1:]
        text = text.removesuffix("\n").removesuffix("\r")
        if "\r" in text:
            for part in text.split("\r"):
                yield n, part
        else:
            yield n, text


def _readline(label: str, raw: BinaryIO, in_zip: bool, done: int) -> bytes:
    try:
        return raw.readline(MAX_LINE_BYTES + 1)
    except _READ_ERRORS as exc:
        what = "damaged zip archive" if in_zip else "read error"
        raise EventFileError(f"{label}: {what}, unreadable from about line {done + 1} "
                             f"({_reason(exc)}); nothing was ingested; expected a complete "
                             "file as published (download it again)") from None


def _month(yyyymmdd: str) -> str | None:
    s = yyyymmdd.strip().replace("-", "")[:8]
    if len(s) != 8 or not (s.isascii() and s.isdigit()):
        return None
    try:
        date(int(s[:4]), int(s[4:6]), int(s[6:8]))
    except ValueError:
        return None
    return f"{s[:4]}-{s[4:6]}"


class DyadTable:
    """Monthly directed-dyad accumulator: (month, actor, target) -> counts and sums."""

    def __init__(self) -> None:
        self.cells: dict[tuple[str, str, str], list[float]] = {}

    def add(self, month: str, a: str, b: str, code: str, g: float) -> None:
        cell = self.cells.setdefault((month, a, b), [0, 0.0, 0, 0, 0, 0])
        cell[0] += 1
        cell[1] += g
        cell[2 + quad_of(code)] += 1

    def frame(self) -> pd.DataFrame:
        rows = [(m, a, b, int(c[0]), c[1], *map(int, c[2:])) for (m, a, b), c in
                sorted(self.cells.items())]
        df = pd.DataFrame(rows, columns=["month", "actor", "target", "events", "net_goldstein",
                                         *QUADS])
        df["mean_goldstein"] = df["net_goldstein"] / df["events"].where(df["events"] > 0)
        df["conflict_events"] = df["verbal_conflict"] + df["material_conflict"]
        return df


def _classify(report, table, month, c1, c2, code, number_fields) -> None:
    goldstein = cameo_goldstein()
    if month is None:
        report.rows_rejected["bad date"] += 1
        return
    if code not in goldstein:
        report.rows_rejected["unknown CAMEO code"] += 1
        return
    for value in number_fields:
        try:
            float(value)
        except ValueError:
            report.rows_rejected["bad number"] += 1
            return
    a, b = c1, c2
    if a is None or b is None or a == b:
        report.rows_other_actors += 1
        return
    report.rows_used += 1
    table.add(month, a, b, code, goldstein[code])


def _gdelt_rows(lines: Iterator[tuple[int, str]], report: IngestReport,
                table: DyadTable) -> None:
    """GDELT rows: tab-separated without quoting (a quote is an ordinary character)."""
    for _, text in lines:
        if text == "":
            continue
        report.rows_read += 1
        if isinstance(text, Rejected):
            report.rows_rejected[str(text)] += 1
            continue
        row = text.split("\t")
        layout = GDELT_LAYOUTS.get(len(row))
        if layout is None:
            report.rows_rejected["wrong field count"] += 1
            continue
        report.formats[layout] += 1
        if report.duplicate(row[0]):
            continue
        _classify(report, table, _month(row[G_DATE]), ISO_TO_ACTOR.get(row[G_ACTOR1_COUNTRY]),
                  ISO_TO_ACTOR.get(row[G_ACTOR2_COUNTRY]), row[G_EVENT_CODE],
                  (row[G_GOLDSTEIN], row[G_MENTIONS] or "0"))


ICEWS_ID = ("event id", "event_id")
ICEWS_COLUMNS = {"date": ("event date", "date"), "source": ("source country", "source_country"),
                 "target": ("target country", "target_country"),
                 "code": ("cameo code", "cameo_code", "cameo")}


def _actor(value: str) -> str | None:
    v = value.strip()
    return ISO_TO_ACTOR.get(v.upper()) or NAME_TO_ACTOR.get(v.lower())


def _unquote(value: str) -> str:
    """Field of a tab-separated table without literal outer quotes.

    ICEWS .tab files are read without quote processing (a quote never spans a tab or a line),
    but some of their values carry literal outer quotes.
    """
    v = value.strip()
    if len(v) >= 2 and v[0] == v[-1] == '"':
        v = v[1:-1].replace('""', '"')
    return v


def _split_csv(text: str) -> list[str]:
    """One comma-separated line as fields; quotes must close on the same line (csv.Error if not)."""
    return next(csv.reader([text], strict=True))


def _icews_rows(lines: Iterator[tuple[int, str]], label: str, header_line: str,
                report: IngestReport, table: DyadTable) -> None:
    """CAMEO-table rows, one per line, located by the header's column names.

    Tab-separated tables (ICEWS .tab) are split on tabs only; comma-separated ones are parsed
    line by line, so an unbalanced quote spoils its own row (rejected) and never the next ones.
    """
    tabbed = "\t" in header_line
    try:
        names = header_line.split("\t") if tabbed else _split_csv(header_line)
    except csv.Error as exc:
        raise EventFileError(f"{label} line 1: unreadable CAMEO table header ({exc}); expected "
                             f"{ACCEPTED}") from None
    header = [h.strip().strip('"').strip().lower() for h in names]
    idx, missing = {}, []
    for key, options in ICEWS_COLUMNS.items():
        found = [header.index(n) for n in options if n in header]
        if found:
            idx[key] = found[0]
        else:
            missing.append(" or ".join(repr(n) for n in options))
    if missing:
        shown = ", ".join(repr(n) for n in names[:30]) + (", ..." if len(names) > 30 else "")
        raise EventFileError(
            f"{label} line 1: CAMEO table header lacks {'; '.join(missing)}; the header must "
            "name the event date, source country, target country and CAMEO code columns (as "
            "ICEWS: 'Event Date', 'Source Country', 'Target Country', 'CAMEO Code'); found "
            f"{shown[:600]}")
    width = len(header)
    id_at = next((header.index(n) for n in ICEWS_ID if n in header), None)
    for _, text in lines:
        if text == "":
            continue
        report.rows_read += 1
        if isinstance(text, Rejected):
            report.rows_rejected[str(text)] += 1
            continue
        if tabbed:
            row = text.split("\t")
        else:
            try:
                row = _split_csv(text)
            except csv.Error:
                report.rows_rejected["unbalanced quote or field over 131,072 characters"] += 1
                continue
        if len(row) != width:
            report.rows_rejected["wrong field count"] += 1
            continue
        report.formats["icews"] += 1
        # no date, country or CAMEO code contains a quote: one left over means a damaged row
        used = {key: _unquote(row[i]) if tabbed else row[i].strip() for key, i in idx.items()}
        if any('"' in v for v in used.values()):
            report.rows_rejected["stray quote"] += 1
            continue
        if id_at is not None and report.duplicate(_unquote(row[id_at]) if tabbed
                                                  else row[id_at].strip()):
            continue
        _classify(report, table, _month(used["date"]), _actor(used["source"]),
                  _actor(used["target"]), used["code"].strip(), ())


def ingest(paths: list[str | Path]) -> tuple[pd.DataFrame, IngestReport]:
    """Read event files and return (monthly dyad table, report).

    Raises EventFileError (naming the file, and the line where known) for a file that cannot be
    read as a whole; nothing is returned then, so no partial table passes for a complete one.
    """
    report, table = IngestReport(), DyadTable()
    for i, p in enumerate(paths):
        path = Path(p)
        report.files.append(str(path))
        for label, raw, in_zip, last in _sources(path):
            report.next_source()
            # ids are kept only while another source follows: one file's memory stays flat
            report.track = not (last and i == len(paths) - 1)
            lines = _lines(label, raw, in_zip)
            first = next(lines, None)
            if first is None:
                continue
            text = first[1]
            if isinstance(text, Rejected):
                raise EventFileError(f"{label} line 1: {TOO_LONG}, not an event row nor a "
                                     f"header; expected {ACCEPTED}")
            lowered = text.lower()
            if "cameo" in lowered and ("country" in lowered or "source" in lowered):
                _icews_rows(lines, label, text, report, table)
            elif text.split("\t", 1)[0].strip().isdigit():
                _gdelt_rows(itertools.chain([first], lines), report, table)
            else:
                raise EventFileError(f"{label} line 1: not an event file (starts {text[:40]!r});"
                                     f" expected {ACCEPTED}")
    report.next_source()
    return table.frame(), report


def tension_from_events(dyads: pd.DataFrame, months: int = 3) -> float:
    """Starting tension (0..1) from the latest ``months`` of DPRK <-> allies events."""
    mask = (((dyads["actor"] == "PRK") & dyads["target"].isin(ALLIES))
            | (dyads["actor"].isin(ALLIES) & (dyads["target"] == "PRK")))
    sub = dyads[mask]
    if sub.empty:
        raise ValueError("no DPRK <-> US/ROK/Japan events in the table")
    latest = sorted(sub["month"].unique())[-months:]
    recent = sub[sub["month"].isin(latest)]
    mean_g = recent["net_goldstein"].sum() / recent["events"].sum()
    return float(min(1.0, max(0.0, -mean_g / 5.0)))


def tension_from_file(path: str | Path, months: int = 3) -> float:
    """Starting tension (``tension_from_events``, to six decimals) from a monthly dyad table
    written by ``peninsula events ingest`` (Parquet); EventFileError naming the file when it
    cannot be read or holds no DPRK <-> allies events."""
    try:
        return round(tension_from_events(pd.read_parquet(path), months), 6)
    except (OSError, ValueError, KeyError) as exc:
        raise EventFileError(f"{path}: cannot set tension from events ({exc})") from None
