"""The bundled rivalry reference-class tables (src/peninsula/data/rivalries): load and check.

``rivalry_years.csv`` (built by tools/build_rivalries.py from the public rivalry, dispute, war,
capability and alliance tables; see SOURCES.md beside it) has one row per rivalry-year, with the
dyad's dispute history for twenty years before each rivalry's first year (``in_window`` 0).
Readers take whatever years the table holds.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pandas is loaded by the readers, so the labels below load nothing heavy
    import pandas as pd

OUTCOMES = ("mid_onset", "fatal_mid_onset", "war_onset")
OUTCOME_LABELS = {"mid_onset": "new militarized dispute", "fatal_mid_onset": "new fatal dispute",
                  "war_onset": "war onset"}  # the outcomes in words, for every face
KOREA_RIVALRY = (731, 732)  # COW codes of the DPRK and the ROK, the rivalry the model is about
TYPES = ("positional", "spatial", "ideological", "interventionary")
COLUMNS = ("rivalry_id", "rivalry", "ccode1", "ccode2", "year", "in_window", "ongoing",
           *OUTCOMES, "nuclear_sides", "protected_sides", "cinc_weaker_to_stronger", *TYPES)
BINARY = ("in_window", "ongoing", *OUTCOMES, *TYPES)
COUNTS_0_2 = ("nuclear_sides", "protected_sides")


def _folder():
    return resources.files("peninsula.data") / "rivalries"


def load_rivalry_years(path: str | Path | None = None) -> pd.DataFrame:
    """The rivalry-year table (the bundled one, or ``path``), checked: every column present,
    flags 0/1, side counts 0-2, the capability ratio in [0, 1] or empty, one row per
    rivalry and year. A bad table raises ValueError naming the file, column and allowed range."""
    import pandas as pd

    if path is None:
        with (_folder() / "rivalry_years.csv").open("r", encoding="utf-8") as fh:
            table, name = pd.read_csv(fh), "rivalry_years.csv (bundled)"
    else:
        try:
            table, name = pd.read_csv(path), str(path)
        except (OSError, pd.errors.ParserError, UnicodeDecodeError) as exc:
            raise ValueError(f"{path}: cannot be read as a CSV table ({exc})") from None
    return check_rivalry_years(table, name)


def check_rivalry_years(table: pd.DataFrame, name: str) -> pd.DataFrame:
    """``table`` if it is a valid rivalry-year table, else ValueError (see load_rivalry_years)."""
    import pandas as pd

    missing = [c for c in COLUMNS if c not in table.columns]
    if missing:
        raise ValueError(f"{name}: missing column(s) {', '.join(missing)}")
    if table.empty:
        raise ValueError(f"{name}: the table has no rows")
    for col, allowed in [*((c, (0, 1)) for c in BINARY), *((c, (0, 1, 2)) for c in COUNTS_0_2)]:
        bad = ~table[col].isin(allowed)
        if bad.any():
            row = int(bad.idxmax())
            raise ValueError(f"{name}: column {col} must be one of {allowed}; row {row + 2} has "
                             f"{table.loc[row, col]!r}")
    ratio = pd.to_numeric(table["cinc_weaker_to_stronger"], errors="coerce")
    bad = (ratio.notna() & ~ratio.between(0, 1)) | \
        (ratio.isna() & table["cinc_weaker_to_stronger"].notna())
    if bad.any():
        row = int(bad.idxmax())
        raise ValueError(f"{name}: column cinc_weaker_to_stronger must be in [0, 1] or empty; "
                         f"row {row + 2} has {table.loc[row, 'cinc_weaker_to_stronger']!r}")
    if table.duplicated(["rivalry_id", "year"]).any():
        raise ValueError(f"{name}: more than one row for a rivalry and year (rivalry_id, year)")
    table = table.copy()
    table["cinc_weaker_to_stronger"] = ratio
    return table.sort_values(["rivalry_id", "year"], kind="stable").reset_index(drop=True)


def korean_rivalry(table: pd.DataFrame) -> dict:
    """The Korean rivalry's id and name in the table: ``{"rivalry_id", "rivalry"}``."""
    lo, hi = sorted(KOREA_RIVALRY)
    rows = table[(table["ccode1"] == lo) & (table["ccode2"] == hi)]
    if rows.empty:
        raise ValueError(f"the rivalry table has no rivalry between {lo} and {hi}")
    return {"rivalry_id": int(rows["rivalry_id"].iat[0]), "rivalry": str(rows["rivalry"].iat[0])}
