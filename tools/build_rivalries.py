"""Build the package's rivalry reference-class tables (src/peninsula/data/rivalries/) from the
public rivalry, dispute, war, capability and alliance tables.

Usage: python tools/build_rivalries.py DATA_DIR
DATA_DIR holds the files named in src/peninsula/data/rivalries/SOURCES.md (Thompson-Sakuwa-Suhas
rivalries, COW MID 5.0 dyad-years, COW inter-state wars, COW NMC, ATOP rival-dyad alliances).
Facts are drawn from them (one row per rivalry-year: onsets, nuclear and alliance status,
capability ratio); the files are not copied. Two hand-coded tables are written out here with the
source of every row: first nuclear tests, and defence pacts with a nuclear power.

The tables hold whatever years the sources hold; the package reads what is there.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import pandas as pd

from peninsula.io.rivalries import COLUMNS  # the table's layout, declared once

OUT = Path(__file__).resolve().parents[1] / "src" / "peninsula" / "data" / "rivalries"
FIRST_YEAR = 1946  # the reference class: rivalry-years from 1946 on
HISTORY_YEARS = 20  # dispute history kept before a rivalry's first year (recency terms)

# First nuclear test by state (COW code, year). Sources: Arms Control Association, "The Nuclear
# Testing Tally" (2023); CTBTO, "Nuclear testing 1945-2017". States with weapons but no test
# (Israel; South Africa's devices) are not coded as nuclear: the table codes tests, not arsenals.
NUCLEAR_FIRST_TESTS = [
    (2, "USA", 1945, "Trinity, 16 July 1945"),
    (365, "USSR/Russia", 1949, "RDS-1, 29 August 1949"),
    (200, "United Kingdom", 1952, "Hurricane, 3 October 1952"),
    (220, "France", 1960, "Gerboise Bleue, 13 February 1960"),
    (710, "China", 1964, "596, 16 October 1964"),
    (750, "India", 1974, "Smiling Buddha, 18 May 1974"),
    (770, "Pakistan", 1998, "Chagai-I, 28 May 1998"),
    (731, "North Korea", 2006, "9 October 2006"),
]

# Defence pacts with a nuclear power (patron), by member and years in force (inclusive). The
# ATOP table in DATA_DIR covers only dyads that are rivals; these are the alliance systems that
# extend a nuclear power's protection to others, from the treaties' own dates (ATOP 5 codes each
# as a defence obligation). Members joining later or leaving are coded by year.
_NATO = [(c, 1949, 2000) for c in (20, 210, 211, 212, 235, 325, 385, 390, 395)] + [
    (350, 1952, 2000), (640, 1952, 2000), (260, 1955, 1990), (255, 1990, 2000),
    (230, 1982, 2000), (290, 1999, 2000), (310, 1999, 2000), (316, 1999, 2000)]
_RIO = [(c, 1948, 2000) for c in (41, 42, 70, 90, 91, 92, 93, 94, 95, 100, 101, 130, 135, 140,
                                  145, 150, 155, 160, 165)] + [(40, 1948, 1962), (52, 1967, 2000)]
_WARSAW = [(c, 1955, 1991) for c in (290, 310, 315, 355, 360)] + [(265, 1955, 1990),
                                                                   (339, 1955, 1968)]
_CST = [(c, 1992, 2000) for c in (371, 702, 703, 705)] + [(370, 1993, 2000), (372, 1994, 1999),
                                                          (373, 1994, 1999), (704, 1992, 1999)]
DEFENCE_PACTS = (
    [("North Atlantic Treaty (1949)", p, c, a, b) for p in (2, 200, 220) for c, a, b in _NATO]
    + [("North Atlantic Treaty (1949)", 2, 200, 1949, 2000),
       ("North Atlantic Treaty (1949)", 2, 220, 1949, 2000),
       ("North Atlantic Treaty (1949)", 200, 220, 1949, 2000)]
    + [("Inter-American Treaty of Reciprocal Assistance (Rio, 1947)", 2, c, a, b) for c, a, b in _RIO]
    + [("ANZUS (1951)", 2, 900, 1951, 2000), ("ANZUS (1951)", 2, 920, 1951, 1986),
       ("US-Japan Security Treaty (1951; 1960)", 2, 740, 1951, 2000),
       ("US-Philippines Mutual Defense Treaty (1951)", 2, 840, 1951, 2000),
       ("US-ROK Mutual Defense Treaty (1953)", 2, 732, 1953, 2000),
       ("US-ROC Mutual Defense Treaty (1954-1979)", 2, 713, 1954, 1979),
       ("Southeast Asia Collective Defense Treaty (Manila, 1954)", 2, 800, 1954, 2000),
       ("Southeast Asia Collective Defense Treaty (Manila, 1954)", 2, 770, 1954, 1972),
       ("US-Iran Agreement of Cooperation (1959-1979)", 2, 630, 1959, 1979),
       ("Baghdad Pact / CENTO (1955-1979)", 200, 630, 1955, 1979),
       ("Baghdad Pact / CENTO (1955-1979)", 200, 645, 1955, 1958),
       ("Baghdad Pact / CENTO (1955-1979)", 200, 770, 1955, 1979),
       ("Anglo-Malayan Defence Agreement (1957-1971)", 200, 820, 1957, 1971),
       ("Anglo-Jordanian Treaty (1948-1957)", 200, 663, 1948, 1957)]
    + [("Warsaw Pact (1955-1991)", 365, c, a, b) for c, a, b in _WARSAW]
    + [("Collective Security Treaty (Tashkent, 1992)", 365, c, a, b) for c, a, b in _CST]
    + [("Sino-Soviet Treaty of Friendship, Alliance and Mutual Assistance (1950-1980)", 365, 710, 1950, 1980),
       ("Sino-Soviet Treaty of Friendship, Alliance and Mutual Assistance (1950-1980)", 710, 365, 1950, 1980),
       ("Soviet-Mongolian treaties of mutual assistance (1946; 1966)", 365, 712, 1946, 1991),
       ("Soviet-DPRK Treaty of Friendship, Co-operation and Mutual Assistance (1961-1996)",
        365, 731, 1961, 1996),
       ("Sino-DPRK Treaty of Friendship, Co-operation and Mutual Assistance (1961)", 710, 731, 1961, 2000)]
    + [("French defence agreements with African states (accords de defense)", 220, c, a, 2000)
       for c, a in ((433, 1960), (437, 1961), (471, 1960), (481, 1960), (482, 1960), (461, 1963),
                    (522, 1977))]
)



def main(data: Path) -> None:
    """Write rivalry_years.csv, nuclear_first_tests.csv and nuclear_defence_pacts.csv."""
    OUT.mkdir(parents=True, exist_ok=True)
    _write(OUT / "nuclear_first_tests.csv", [
        {"ccode": c, "state": s, "first_test_year": y, "test": t} for c, s, y, t in NUCLEAR_FIRST_TESTS])
    _write(OUT / "nuclear_defence_pacts.csv", [
        {"pact": n, "patron": p, "member": m, "first_year": a, "last_year": b}
        for n, p, m, a, b in DEFENCE_PACTS])
    rows = rivalry_years(data)
    rows.to_csv(OUT / "rivalry_years.csv", index=False, lineterminator="\n")
    print(f"{len(rows)} rows, {rows.rivalry_id.nunique()} rivalries, years "
          f"{rows.year.min()}-{rows.year.max()}")


def rivalry_years(data: Path) -> pd.DataFrame:
    """One row per rivalry-year of the TSS rivalries alive from 1946 on, with the dyad's
    dispute history for HISTORY_YEARS before (``in_window`` 0 there)."""
    tss = pd.read_csv(data / "tss_rivalries.csv")
    mids = _dyad(pd.read_csv(data / "cow_mid5_dyad_years.csv"))
    wars = _dyad(pd.read_csv(data / "cow_interstate_war_dyad_years.csv"))
    nmc = pd.read_csv(data / "cow_nmc_country_years.csv").set_index(["ccode", "year"])["cinc"]
    last_year = int(max(mids.year.max(), nmc.index.get_level_values(1).max()))
    onset = mids[mids.cowmidonset == 1].copy()
    onset["fatal"] = (onset[["fatality1", "fatality2"]].max(axis=1) >= 1).astype(int)
    onset["war5"] = (onset.hostlev == 5).astype(int)
    mid_by = onset.groupby(["lo", "hi", "year"]).agg(mid=("fatal", "size"), fatal=("fatal", "max"),
                                                     war5=("war5", "max"))
    war_by = wars[wars.cowinteronset == 1].groupby(["lo", "hi", "year"]).size()
    pacts = _pacts(data)
    out = []
    for r in tss.itertuples():
        end = last_year if pd.isna(r.end) else int(r.end)
        first = max(int(r.start), FIRST_YEAR)
        if end < FIRST_YEAR:
            continue
        lo, hi = sorted((int(r.ccode1), int(r.ccode2)))
        for year in range(first - HISTORY_YEARS, end + 1):
            key = (lo, hi, year)
            mid = key in mid_by.index
            war = int(key in war_by.index or (mid and mid_by.loc[key, "war5"] == 1))
            fatal = int(war or (mid and mid_by.loc[key, "fatal"] == 1))
            c1, c2 = nmc.get((lo, year - 1)), nmc.get((hi, year - 1))
            ratio = (min(c1, c2) / max(c1, c2)) if c1 and c2 and max(c1, c2) > 0 else float("nan")
            nuclear = [_nuclear(c, year) for c in (lo, hi)]
            protected = [int(not nuclear[i] and _protected(pacts, c, (lo, hi)[1 - i], year))
                         for i, c in enumerate((lo, hi))]
            out.append({
                "rivalry_id": int(r.tssr_id), "rivalry": r.rivalry, "ccode1": lo, "ccode2": hi,
                "year": year, "in_window": int(year >= first), "ongoing": int(pd.isna(r.end)),
                "mid_onset": int(mid or war), "fatal_mid_onset": fatal, "war_onset": war,
                "nuclear_sides": sum(nuclear), "protected_sides": sum(protected),
                "cinc_weaker_to_stronger": round(ratio, 6) if ratio == ratio else "",
                **{k: int(getattr(r, k) == 1) for k in ("positional", "spatial", "ideological",
                                                        "interventionary")}})
    return pd.DataFrame(out, columns=list(COLUMNS))


def _dyad(df: pd.DataFrame) -> pd.DataFrame:
    """Rows keyed by the unordered dyad (lo, hi); directed duplicates are dropped later by
    grouping."""
    df = df.copy()
    df["lo"] = df[["ccode1", "ccode2"]].min(axis=1)
    df["hi"] = df[["ccode1", "ccode2"]].max(axis=1)
    return df


def _nuclear(ccode: int, year: int) -> int:
    """1 if the state had tested a nuclear device before the year began."""
    return int(any(c == ccode and y < year for c, _, y, _ in NUCLEAR_FIRST_TESTS))


def _pacts(data: Path) -> set[tuple[int, int, int]]:
    """(member, patron, year) with a defence pact in force: the hand-coded systems above and the
    ATOP defence obligations of the rival dyads."""
    have = {(m, p, y) for _, p, m, a, b in DEFENCE_PACTS for y in range(a, b + 1)}
    atop = pd.read_csv(data / "atop_alliance_rival_dyad_years.csv")
    for r in atop[atop.atop_defense == 1].itertuples():
        have.add((int(r.ccode1), int(r.ccode2), int(r.year)))
        have.add((int(r.ccode2), int(r.ccode1), int(r.year)))
    return have


def _protected(pacts: set, ccode: int, rival: int, year: int) -> bool:
    """A defence pact in force last year with a nuclear power other than the rival."""
    return any((ccode, p, year - 1) in pacts and _nuclear(p, year)
               for p, *_ in NUCLEAR_FIRST_TESTS if p not in (ccode, rival))


def _write(path: Path, rows: list[dict]) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(Path(sys.argv[1]))
