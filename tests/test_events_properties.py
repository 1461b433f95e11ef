"""Properties of the event readers over generated files (Hypothesis, derandomized for CI).

Whatever the bytes, ingest either returns a report in which every row read is accounted for
(used + other actors + rejected) or raises EventFileError with a one-line message naming the
file; valid generated rows round-trip to the dyad-month counts of an independent tally.
"""

import csv
import io
import re
import zipfile
from collections import Counter, defaultdict
from datetime import date
from importlib import resources

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from peninsula.io.events import EventFileError, ingest

SETTINGS = settings(max_examples=60, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow])

# Independent of the reader: the actors as GDELT (ISO) codes and as ICEWS country names.
ISO = {"USA": "USA", "KOR": "ROK", "JPN": "JPN", "PRK": "PRK", "CHN": "CHN", "RUS": "RUS"}
NAMES = {"United States": "USA", "South Korea": "ROK", "Japan": "JPN", "North Korea": "PRK",
         "China": "CHN", "Russian Federation": "RUS"}
OTHER_ISO, OTHER_NAMES = ["FRA", "GBR", ""], ["France", "India", ""]
ICEWS_HEADER = "Event ID\tEvent Date\tSource Country\tCAMEO Code\tTarget Country"


def cameo_weights() -> dict[str, float]:
    """CAMEO code -> Goldstein weight, read straight from the bundled table."""
    text = (resources.files("peninsula.data") / "cameo.csv").read_text(encoding="utf-8")
    return {r["code"]: float(r["goldstein"]) for r in csv.DictReader(io.StringIO(text))}


WEIGHTS = cameo_weights()
CODES = sorted(WEIGHTS)


def gdelt_row(day: date, a1: str, a2: str, code: str, goldstein: str = "1.0") -> str:
    """One row in the 61-column GDELT 2.0 layout."""
    row = [""] * 61
    row[0], row[1], row[7], row[17] = "1", day.strftime("%Y%m%d"), a1, a2
    row[26], row[30], row[31] = code, goldstein, "1"
    return "\t".join(row)


def write(dir_, name: str, data: bytes):
    path = dir_ / name
    path.write_bytes(data)
    return path


def accounted(rep) -> bool:
    return rep.rows_read == rep.rows_used + rep.rows_other_actors + sum(rep.rows_rejected.values())


def ingest_or_clean_error(path):
    """Ingest; the only allowed failure is a one-line EventFileError naming the file."""
    try:
        dyads, rep = ingest([path])
    except EventFileError as exc:
        msg = str(exc)
        assert msg.startswith(str(path)) and "\n" not in msg, msg
        return None
    assert accounted(rep), rep
    return dyads, rep


@pytest.fixture(scope="module")
def work(tmp_path_factory):
    return tmp_path_factory.mktemp("events_props")


@SETTINGS
@given(data=st.binary(max_size=2000))
def test_arbitrary_bytes_give_a_report_or_event_file_error(work, data):
    ingest_or_clean_error(write(work, "any.CSV", data))


LINE_TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=80)


@SETTINGS
@given(first=st.sampled_from([gdelt_row(date(2023, 3, 15), "PRK", "USA", "130"), ICEWS_HEADER,
                              ICEWS_HEADER.replace("\t", ","), ""]),
       lines=st.lists(LINE_TEXT, max_size=30))
def test_arbitrary_text_rows_give_a_report_or_event_file_error(work, first, lines):
    text = "\n".join([first, *lines]) + "\n"
    result = ingest_or_clean_error(write(work, "text.CSV", text.encode("utf-8")))
    if result is not None:  # no row swallowed: one row per non-empty line (CR or LF ends one)
        rows = [r for r in re.split("[\r\n]", text) if r]
        assert result[1].rows_read == len(rows) - first.startswith("Event ID")


@SETTINGS
@given(rows=st.lists(st.text(st.sampled_from('ab1\t,"\r\x00é'), max_size=40), max_size=20),
       flips=st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 255)), max_size=6),
       cut=st.one_of(st.none(), st.integers(0, 10**6)),
       method=st.sampled_from([zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2,
                               zipfile.ZIP_LZMA]))
def test_damaged_zips_give_a_report_or_event_file_error(work, rows, flips, cut, method):
    buf = io.BytesIO()
    body = "\n".join([gdelt_row(date(2023, 3, 15), "PRK", "USA", "130"), *rows]) + "\n"
    with zipfile.ZipFile(buf, "w", method) as zf:
        zf.writestr("e.CSV", body * 20)
    data = bytearray(buf.getvalue())
    for pos, value in flips:
        data[pos % len(data)] = value
    if cut is not None:
        data = data[: cut % (len(data) + 1)]
    ingest_or_clean_error(write(work, "e.zip", bytes(data)))


EVENTS = st.tuples(st.dates(date(1979, 1, 1), date(2030, 12, 31)),
                   st.sampled_from(sorted(ISO) + OTHER_ISO),
                   st.sampled_from(sorted(ISO) + OTHER_ISO),
                   st.sampled_from(CODES))


def expected_cells(events, actor_of):
    """Independent tally: (month, actor, target) -> events, net Goldstein, quads, signs."""
    cells = defaultdict(Counter)
    other = 0
    for day, a1, a2, code in events:
        a, b = actor_of.get(a1), actor_of.get(a2)
        if a is None or b is None or a == b:
            other += 1
            continue
        cell, g, root = cells[(f"{day:%Y-%m}", a, b)], WEIGHTS[code], int(code[:2])
        cell["events"] += 1
        cell["net"] += g
        cell["conflict"] += root >= 9  # CAMEO roots 09-20: verbal and material conflict
        cell["coop"] += root <= 8
        cell["positive"] += g > 0
        cell["negative"] += g < 0
    return cells, other


def check_round_trip(dyads, rep, events, actor_of):
    cells, other = expected_cells(events, actor_of)
    assert rep.rows_read == len(events) and rep.rows_other_actors == other
    assert rep.rows_used == len(events) - other and not rep.rows_rejected
    got = {(r.month, r.actor, r.target): r for r in dyads.itertuples()}
    assert set(got) == set(cells)
    for key, cell in cells.items():
        row = got[key]
        assert row.events == cell["events"]
        assert row.net_goldstein == pytest.approx(cell["net"], abs=1e-9)
        assert row.conflict_events == cell["conflict"]
        assert row.verbal_coop + row.material_coop == cell["coop"]
        # the CAMEO scale puts every conflict code below zero and every positive weight on a
        # cooperation code, so the split by root agrees with the split by Goldstein sign
        assert row.conflict_events <= cell["negative"]
        assert row.verbal_coop + row.material_coop >= cell["positive"]
        assert row.mean_goldstein == pytest.approx(cell["net"] / cell["events"], abs=1e-9)


@SETTINGS
@given(events=st.lists(EVENTS, min_size=1, max_size=60),
       goldstein=st.sampled_from(["-10", "0", "3.4", "1e1", ""]), zipped=st.booleans())
def test_valid_gdelt_rows_round_trip(work, events, goldstein, zipped):
    # the row's own Goldstein field is only checked to be a number: weights come from CAMEO
    goldstein = goldstein or "0"
    text = "".join(gdelt_row(*e, goldstein=goldstein) + "\n" for e in events)
    if zipped:
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
            zf.writestr("a.export.CSV", text)
        path = write(work, "rt.zip", buf.getvalue())
    else:
        path = write(work, "rt.CSV", text.encode())
    dyads, rep = ingest([path])
    check_round_trip(dyads, rep, events, ISO)


ICEWS_EVENTS = st.tuples(st.dates(date(1995, 1, 1), date(2030, 12, 31)),
                         st.sampled_from(sorted(NAMES) + OTHER_NAMES),
                         st.sampled_from(sorted(NAMES) + OTHER_NAMES),
                         st.sampled_from(CODES))


@SETTINGS
@given(events=st.lists(ICEWS_EVENTS, min_size=1, max_size=60), sep=st.sampled_from(["\t", ","]),
       quote=st.booleans())
def test_valid_icews_rows_round_trip(work, events, sep, quote):
    def field(v: str) -> str:
        return f'"{v}"' if quote else v

    lines = [ICEWS_HEADER.replace("\t", sep)]
    lines += [sep.join([str(i), f"{d:%Y-%m-%d}", field(a), field(c), field(b)])
              for i, (d, a, b, c) in enumerate(events)]
    path = write(work, "icews.tab", ("\n".join(lines) + "\n").encode())
    dyads, rep = ingest([path])
    check_round_trip(dyads, rep, events, NAMES)


BAD_GDELT = st.one_of(
    st.just("1\t20230101\tshort row"),
    st.builds(gdelt_row, st.just(date(2023, 1, 1)), st.just("PRK"), st.just("USA"),
              st.sampled_from(["999", "36", "1", "x"])),
    LINE_TEXT.filter(lambda t: "\n" not in t and "\r" not in t and t != ""),
    st.just(gdelt_row(date(2023, 1, 1), "PRK", "USA", "130", goldstein="n/a")),
    st.just(gdelt_row(date(2023, 1, 1), "PRK", "USA", "130").replace("20230101", "20231301")),
)


@SETTINGS
@given(rows=st.lists(st.one_of(EVENTS.map(lambda e: gdelt_row(*e)), BAD_GDELT), max_size=40))
def test_accounting_identity_for_any_mix_of_gdelt_rows(work, rows):
    text = "\n".join([gdelt_row(date(2023, 3, 15), "PRK", "USA", "130"), *rows]) + "\n"
    _, rep = ingest([write(work, "mix.CSV", text.encode())])
    assert rep.rows_read == 1 + len(rows) and accounted(rep)


BAD_ICEWS_FIELD = st.sampled_from(['"North Korea', 'Japan"', "2017-02-30", "036x", "", '""', "\t"])


@SETTINGS
@given(rows=st.lists(st.tuples(ICEWS_EVENTS, st.lists(st.tuples(st.integers(0, 4),
                                                                 BAD_ICEWS_FIELD), max_size=2)),
                     max_size=40),
       sep=st.sampled_from(["\t", ","]))
def test_accounting_identity_for_any_mix_of_icews_rows(work, rows, sep):
    lines = [ICEWS_HEADER.replace("\t", sep)]
    for i, ((d, a, b, c), damage) in enumerate(rows):
        fields = [str(i), f"{d:%Y-%m-%d}", a, c, b]
        for pos, value in damage:
            fields[pos] = value
        lines.append(sep.join(fields))
    path = write(work, "mix.tab", ("\n".join(lines) + "\n").encode())
    _, rep = ingest([path])
    assert rep.rows_read == len(rows) and accounted(rep)
