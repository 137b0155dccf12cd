"""What every upload shares: the limits of each kind of table, a problem in a row, what an upload result offers the
app, a table read as text, and user text quoted in messages.

Nothing is written to disk and nothing is evaluated: a table is read as text (:mod:`layers.user_tables`: CSV through
:mod:`layers.csv_text`, workbooks by the streaming reader of :mod:`layers.workbooks`), each value is read by
:mod:`layers.cell_values` and checked by the reader of that kind of file (:mod:`layers.clients`,
:mod:`layers.care_homes`). Problems are reported as :class:`RowProblem` with the row number a spreadsheet shows, the
column and what to do.

Every limit is stated once, here, and checked while the file is read, before anything expensive: a file
that is too big is refused after reading at most one row more than the limit.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping, Sequence

import geopandas as gpd
import pandas as pd

from geo.errors import InputDataError
from geo.files import read_bounded
from layers import workbooks

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
"""Largest client list read, bytes."""
MAX_ROWS = 20_000
"""Most data rows read from a client list."""
MAX_CARE_HOME_BYTES = 50 * 1024 * 1024
"""Largest care-home file read, bytes (the national CQC care directory is about a third of this)."""
MAX_CARE_HOME_ROWS = 100_000
"""Most data rows read from a care-home file (the national CQC directory has about 60,000 locations)."""
MAX_COLUMNS = 300
"""Columns with data in any uploaded table."""
CELLS_PER_ROW = 100
"""Workbook cells parsed per allowed row (empty ones included): bounds the work on any workbook."""
MAX_CELL_CHARS = 1_000_000
"""Characters in one workbook cell (Excel itself holds 32,767); CSV fields of any length within the file are read."""
UNPACKED_PER_BYTE = 20
"""A workbook part may unzip to this many times the file's size limit (real workbooks: 5–10 times)."""
MAX_ZIP_PARTS = 10_000
"""Parts in a zipped workbook (real ones have a few dozen)."""
HEADER_SCAN_ROWS = 15
"""Non-blank rows searched for the header (title lines can sit above it)."""
OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
"""The start of an OLE compound file: an old Excel (.xls) workbook, or an encrypted .xlsx."""
ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")
"""The stream an encrypted Office document keeps its workbook in (named in UTF-16 in the compound file's directory)."""


@dataclass(frozen=True)
class TableLimits:
    """The limits of one kind of uploaded table, and its name in messages."""

    what: str
    max_bytes: int
    max_rows: int
    max_columns: int = MAX_COLUMNS

    def describe(self) -> str:
        """The limits in words (for captions and messages)."""
        return (f"up to {self.max_bytes // 2**20} MB, {self.max_rows:,} rows of data and {self.max_columns:,} "
                f"columns")

    def sheet_limits(self) -> workbooks.SheetLimits:
        return workbooks.SheetLimits(max_columns=self.max_columns, max_cells=self.max_rows * CELLS_PER_ROW,
                                     max_cell_chars=MAX_CELL_CHARS, max_part_bytes=self.max_bytes * UNPACKED_PER_BYTE,
                                     max_strings=self.max_rows * 20)


CLIENT_LIST = TableLimits("client list", MAX_UPLOAD_BYTES, MAX_ROWS)
CARE_HOME_LIST = TableLimits("care-home file", MAX_CARE_HOME_BYTES, MAX_CARE_HOME_ROWS)


@dataclass(frozen=True)
class RowProblem:
    """One problem in a user's file: where it is (row as numbered in a spreadsheet, column) and what to do."""

    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = []
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column:
            where.append(f"column {quote(self.column)}")
        return f"{', '.join(where)}: {self.message}" if where else self.message


class UploadSummary:
    """What every upload result offers the app: its valid records, what they are, and the rejected rows."""

    noun = "record"
    records_attribute = ""
    problems: list[RowProblem]

    @property
    def records(self) -> gpd.GeoDataFrame:
        """The valid records."""
        return getattr(self, self.records_attribute)

    @property
    def rejected_rows(self) -> int:
        """How many rows were left out for a problem to fix."""
        return len({problem.row for problem in self.problems if problem.row is not None})

    skip_words: dict[str, str] = {}
    """Words for each reason a reader leaves rows out on purpose (keys of its ``skipped`` counts)."""

    def left_out(self) -> dict[str, int]:
        """Rows left out, by reason in words: those the reader set aside on purpose (its ``skipped`` counts: not
        care homes, far away…) and those with a problem to fix."""
        reasons = {self.skip_words.get(reason, reason): count
                   for reason, count in (getattr(self, "skipped", None) or {}).items() if count}
        if self.rejected_rows:
            reasons["with a problem to fix (each listed)"] = self.rejected_rows
        return reasons

    def outcome(self) -> str:
        """What reading the file gave, in one sentence that agrees with every row left out: the only message of an
        upload (the app's, and the first line the commands print)."""
        kept = f"{len(self.records):,} {self.noun}(s) read"
        left = self.left_out()
        if not left:
            return f"{kept}, no problems found."
        return (f"{kept}; {sum(left.values()):,} row(s) left out: "
                + ", ".join(f"{count:,} {reason}" for reason, count in left.items()) + ".")


@dataclass
class TableText:
    """A user's table as text, before its values are checked.

    Attributes
    ----------
    frame : DataFrame
        The columns the reader asked for (headers as written), every cell as text ("" when empty), indexed by
        the row number a spreadsheet shows. Blank rows and title lines above the header are left out.
    headers : list of str
        Every column header, as written.
    notes : list of str
        How the file was read (sheet, encoding, separator, skipped title lines).
    problems : list of RowProblem
        Rows that could not be split into the header's columns.
    decimal : str
        The decimal mark the file's format suggests: ``","`` for a ``;``-separated CSV, else ``"."``.
    """

    frame: pd.DataFrame
    headers: list[str]
    notes: list[str] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)
    decimal: str = "."


# --- Quoting user text in messages --------------------------------------------------------------------------------


def quote(value: object, *, limit: int = 60) -> str:
    """User text quoted for a message: in quotes, control characters made visible, long text shortened.

    >>> quote("HR1 2JB")
    "'HR1 2JB'"
    """
    text = str(value)
    if len(text) > limit:
        half = max(limit // 2 - 1, 1)
        text = f"{text[:half]}…{text[-half:]} ({len(text):,} characters)"
    return repr(text)


def shown_name(filename: object) -> str:
    """A file's name as messages quote it: shortened and quoted (see :func:`quote`)."""
    return quote(filename)


def normalise_header(text: object) -> str:
    """Header reduced to lower-case words joined by underscores (``'Care homes beds'`` -> ``'care_homes_beds'``)."""
    return re.sub(r"[^a-z0-9]+", "_", str(text).strip().lower()).strip("_")


def match_columns(headers: Sequence[object], synonyms: Mapping[str, Sequence[str]]) -> dict[str, str]:
    """Map each canonical column to the file's own header: the first synonym present wins.

    Parameters
    ----------
    headers : sequence
        The file's column headers, as written.
    synonyms : mapping
        Canonical name -> accepted normalised headers (see :func:`normalise_header`), in order of preference.

    Returns
    -------
    dict
        Canonical name -> the header as written in the file, for the canonical names found.
    """
    by_normal = {}
    for header in headers:
        by_normal.setdefault(normalise_header(header), header)
    found = {}
    for canonical, names in synonyms.items():
        for name in names:
            if name in by_normal:
                found[canonical] = by_normal[name]
                break
    return found


def read_user_file(path: str | os.PathLike, limits: TableLimits) -> bytes:
    """The bytes of a user's table named by its path: the one entry of the command line, the API and ``check``.

    A regular file only (a folder, named pipe, device or socket is refused at once), its size checked before
    reading and at most ``limits.max_bytes + 1`` bytes read (:func:`geo.files.read_bounded`).

    Raises
    ------
    InputDataError
        Naming the file and why it is not read.
    """
    name = Path(path).name
    return read_bounded(path, what=limits.what, max_bytes=limits.max_bytes,
                        check_size=lambda size: check_size(size, name, limits))


def check_size(size: int, filename: str, limits: TableLimits) -> None:
    """Refuse a file of ``size`` bytes that passes the limit, before reading it.

    Raises
    ------
    InputDataError
        Naming the file's size and the limit.
    """
    if size > limits.max_bytes:
        raise InputDataError(f"{shown_name(filename)} is {size / 2**20:.0f} MB; the limit for a {limits.what} is "
                             f"{limits.max_bytes / 2**20:.0f} MB. Split the file (e.g. by locality) or keep only the "
                             f"needed columns.")
