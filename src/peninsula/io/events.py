"""Read real event data (GDELT 1.0/2.0 exports, ICEWS-style CAMEO tables) into monthly dyads.

Rows are streamed one at a time (plain files or zip archives), so memory stays flat whatever the
file size; the only state is the monthly dyad table (months x 36 directed dyads at most).
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
import zipfile
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from importlib import resources
from pathlib import Path

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


@dataclass
class IngestReport:
    """What happened to every row read."""

    files: list[str] = field(default_factory=list)
    rows_read: int = 0
    rows_used: int = 0
    rows_other_actors: int = 0
    rows_rejected: Counter = field(default_factory=Counter)
    formats: Counter = field(default_factory=Counter)

    def as_dict(self, dyad_months: int) -> dict:
        return {"files": self.files, "rows_read": self.rows_read, "rows_used": self.rows_used,
                "rows_other_actors": self.rows_other_actors,
                "rows_rejected": dict(sorted(self.rows_rejected.items())),
                "rows_rejected_total": sum(self.rows_rejected.values()),
                "formats": dict(self.formats), "dyad_months": dyad_months}


class EventFileError(ValueError):
    """A file that cannot be read at all (missing, unreadable, unknown format)."""


def _open_texts(path: Path) -> Iterator[io.TextIOBase]:
    if not path.is_file():
        raise EventFileError(f"{path}: cannot read (no such file)")
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as zf:
            members = [m for m in zf.namelist() if not m.endswith("/")]
            for member in members:
                with zf.open(member) as raw:
                    yield io.TextIOWrapper(raw, encoding="utf-8", errors="replace", newline="")
        return
    with open(path, encoding="utf-8", errors="replace", newline="") as fh:
        yield fh


def _month(yyyymmdd: str) -> str | None:
    s = yyyymmdd.strip().replace("-", "")[:8]
    if len(s) != 8 or not s.isdigit():
        return None
    try:
        date(int(s[:4]), int(s[4:6]), int(s[6:8]))
    except ValueError:
        return None
    return f"{s[:4]}-{s[4:6]}"


class DyadTable:
    """Monthly directed-dyad accumulator: (month, actor, target) -> counts and sums."""

    def __init__(self):
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


def _gdelt_rows(fh, report, table) -> None:
    for row in csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE):
        if not row or row == [""]:
            continue
        report.rows_read += 1
        layout = GDELT_LAYOUTS.get(len(row))
        if layout is None:
            report.rows_rejected["wrong field count"] += 1
            continue
        report.formats[layout] += 1
        _classify(report, table, _month(row[G_DATE]), ISO_TO_ACTOR.get(row[G_ACTOR1_COUNTRY]),
                  ISO_TO_ACTOR.get(row[G_ACTOR2_COUNTRY]), row[G_EVENT_CODE],
                  (row[G_GOLDSTEIN], row[G_MENTIONS] or "0"))


ICEWS_COLUMNS = {"date": ("event date", "date"), "source": ("source country", "source_country"),
                 "target": ("target country", "target_country"),
                 "code": ("cameo code", "cameo_code", "cameo")}


def _actor(value: str) -> str | None:
    v = value.strip()
    return ISO_TO_ACTOR.get(v.upper()) or NAME_TO_ACTOR.get(v.lower())


def _icews_rows(fh, header_line: str, report, table) -> None:
    delim = "\t" if "\t" in header_line else ","
    reader = csv.reader(fh, delimiter=delim)
    header = [h.strip().lower() for h in next(reader)]
    idx = {}
    for key, names in ICEWS_COLUMNS.items():
        found = [header.index(n) for n in names if n in header]
        if not found:
            raise EventFileError(f"missing column {names[0]!r} in the CAMEO table header")
        idx[key] = found[0]
    width = len(header)
    for row in reader:
        if not row:
            continue
        report.rows_read += 1
        if len(row) != width:
            report.rows_rejected["wrong field count"] += 1
            continue
        report.formats["icews"] += 1
        _classify(report, table, _month(row[idx["date"]]), _actor(row[idx["source"]]),
                  _actor(row[idx["target"]]), row[idx["code"]].strip(), ())


def ingest(paths: list[str | Path]) -> tuple[pd.DataFrame, IngestReport]:
    """Read event files and return (monthly dyad table, report)."""
    report, table = IngestReport(), DyadTable()
    for p in paths:
        path = Path(p)
        report.files.append(str(path))
        for fh in _open_texts(path):
            first = fh.readline()
            if not first:
                continue
            lowered = first.lower()
            if "cameo" in lowered and ("country" in lowered or "source" in lowered):
                _icews_rows(_chain(first, fh), first, report, table)
            elif first.split("\t", 1)[0].strip().isdigit():
                _gdelt_rows(_chain(first, fh), report, table)
            else:
                raise EventFileError(f"{path}: not a GDELT export (tab-separated, 57/58/61 "
                                     "fields) nor a CAMEO table with a header naming source "
                                     "country, target country, CAMEO code and date")
    return table.frame(), report


def _chain(first: str, rest) -> Iterator[str]:
    yield first
    yield from rest


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
