"""Reading a user's table (CSV, Excel or ODS) safely: the part every upload shares.

Nothing is written to disk and nothing is evaluated: the file is parsed as text (workbooks by the streaming
reader of :mod:`layers.workbooks`) and each value is checked by the reader of that kind of file
(:mod:`layers.clients`, :mod:`layers.care_homes`). Problems are reported as :class:`RowProblem` with the row
number a spreadsheet shows, the column and what to do.

Every limit is stated once, here, and checked while the file is read, before anything expensive: a file
that is too big is refused after reading at most one row more than the limit.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import os
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator, Mapping, Sequence

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.errors import InputDataError
from geo.files import read_bounded
from geo.units import BNG, in_great_britain_bng, in_great_britain_lonlat, lonlat_to_bng
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

PLACEHOLDERS = frozenset({"null", "none", "nan", "n/a", "na", "#n/a", "#na", "-", "--", "—", "–", "?", "nil",
                          "missing", "unknown", "not known", "tbc", "#value!", "#ref!", "#num!", "#div/0!", "#null!",
                          "#name?", "0,0", "0.0,0.0", "0, 0", "0 0"})
"""Cell texts that stand for "no value" in a coordinate column (a row is then placed by its postcode)."""
COORDINATE_COLUMNS = ("lat", "lon", "easting", "northing")
ZERO_MEANS_MISSING = ("lat", "easting", "northing")
"""Coordinates that are never 0 in Great Britain (longitude 0 is the Greenwich meridian and is kept)."""


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


# --- Reading a table ----------------------------------------------------------------------------------------------


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


def read_table(content: bytes, filename: str, *, limits: TableLimits, columns: Mapping[str, Sequence[str]],
               also_keep: Callable[[str], bool] | None = None, sheet: Callable[[str], bool] | None = None) -> TableText:
    """Read an uploaded table as text: CSV (any common separator and encoding), Excel (.xlsx) or ODS.

    The header is the row, among the first non-blank ones, that names the most of ``columns``; rows above it
    are titles. Only the columns named in ``columns`` are kept. Workbooks are read from their first visible
    sheet. Reading stops as soon as a limit is passed.

    Parameters
    ----------
    content, filename : bytes, str
        The uploaded file.
    limits : TableLimits
        Size, rows and columns allowed (:data:`CLIENT_LIST`, :data:`CARE_HOME_LIST`).
    columns : mapping
        Canonical column -> accepted normalised headers (as for :func:`match_columns`).
    also_keep : callable, optional
        Keeps other columns whose normalised header it accepts (for headers whose wording varies).
    sheet : callable, optional
        Reads the first visible sheet whose name it accepts, where a workbook has one (CQC's care directory opens
        on a README sheet), else the first visible sheet.

    Raises
    ------
    InputDataError
        For an empty, oversized, binary or malformed file, or one with more rows or columns than allowed.
    """
    shown = shown_name(filename)
    if not content or not content.strip():
        raise InputDataError(f"{shown} is empty. Export the list again with a header row and one row per record.")
    check_size(len(content), filename, limits)
    if content[:8] == OLE_SIGNATURE and ENCRYPTED_PACKAGE in content:
        raise InputDataError(f"{shown} is a password-protected (encrypted) workbook, which the tool cannot open. Open it "
                             f"in Excel, remove the password (File › Info › Protect Workbook › Encrypt with Password: "
                             f"clear it) and save, or save it as CSV (UTF-8); then upload that.")
    if content[:8] == OLE_SIGNATURE:
        raise InputDataError(f"{shown} is an old Excel (.xls) workbook. Save it as CSV (UTF-8) or .xlsx and upload "
                             f"that.")
    if content[:4] == b"PK\x03\x04":
        rows, notes, decimal, refuse = _workbook_rows(content, shown, filename, limits, sheet)
    else:
        rows, notes, decimal, refuse = _csv_rows(content, shown, limits)
    try:
        return _collect(_refusing(rows, refuse), shown, limits=limits, columns=columns, notes=notes, decimal=decimal,
                        extra_cells_misalign=content[:4] != b"PK\x03\x04", also_keep=also_keep)
    finally:
        rows.close()


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


def _refusing(rows: Iterator[workbooks.Row], refuse) -> Iterator[workbooks.Row]:
    """The rows, with a reading error (never an error of the caller) turned into the user's message."""
    try:
        yield from rows
    except (*workbooks.READ_ERRORS, csv.Error) as error:
        raise refuse(error) from error


def _workbook_rows(content: bytes, shown: str, filename: str, limits: TableLimits,
                   prefer: Callable[[str], bool] | None = None):
    def refuse(error: Exception) -> InputDataError:
        if isinstance(error, workbooks.WorkbookTooBig):
            return InputDataError(f"{shown} is too big to read: {error}. A {limits.what} may have {limits.describe()}; "
                                  f"keep only the rows and columns needed, or split the file.")
        return InputDataError(f"{shown} looks like a zipped or spreadsheet file but cannot be read as a workbook "
                              f"({error}). Save it as CSV (UTF-8) and upload that.")

    if content.count(b"PK\x01\x02") > MAX_ZIP_PARTS:
        raise refuse(workbooks.WorkbookTooBig(f"it has more than {MAX_ZIP_PARTS:,} parts"))
    kind = workbooks.workbook_kind(content)
    if kind is None:
        raise refuse(workbooks.WorkbookProblem("it is a zip archive but not an .xlsx or .ods workbook"))
    try:
        sheet = workbooks.read_first_visible_sheet(content, kind, limits.sheet_limits(), prefer=prefer)
    except workbooks.READ_ERRORS as error:
        raise refuse(error) from error
    program = "a LibreOffice" if kind == "ods" else "an Excel"
    notes = []
    if not filename.lower().endswith((".ods",) if kind == "ods" else (".xlsx", ".xlsm")):
        notes.append(f"{shown} is {program} workbook, not CSV: it was read as a workbook.")
    if len(sheet.sheets) > 1 or sheet.hidden:
        hidden = f"; hidden sheet(s) {', '.join(map(quote, sheet.hidden))} skipped" if sheet.hidden else ""
        before = [name for name in sheet.sheets[:sheet.sheets.index(sheet.name)] if name not in sheet.hidden]
        which = (f"the sheet of that name; sheet(s) {', '.join(map(quote, before))} before it not read" if before
                 else "the first visible sheet of the workbook")
        notes.append(f"Sheet {quote(sheet.name)} was read, {which}{hidden}.")
    return sheet.rows, notes, ".", refuse


def _text_of(content: bytes, shown: str) -> tuple[str, str | None]:
    """The encoding of a text file and, if it is not UTF-8, a note saying how it was read.

    Raises
    ------
    InputDataError
        If the file holds binary data.
    """
    if content[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return "utf-16", None
    head = content[:4096]
    even, odd = head[0::2], head[1::2]
    if odd and odd.count(0) > 0.6 * len(odd) and even.count(0) < 0.05 * len(even):
        return "utf-16-le", "The file is UTF-16 without a byte-order mark; it was read as UTF-16 (little-endian)."
    if even and even.count(0) > 0.6 * len(even) and odd.count(0) < 0.05 * len(odd):
        return "utf-16-be", "The file is UTF-16 without a byte-order mark; it was read as UTF-16 (big-endian)."
    if b"\x00" in head:
        raise InputDataError(f"{shown} is not a text file (it contains binary data). Upload a CSV or .xlsx file.")
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        for start in range(0, len(content), 1 << 20):  # checked piece by piece: the text is never held twice
            decoder.decode(content[start:start + (1 << 20)])
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return "cp1252", ("The file is not UTF-8; it was read as Windows-1252 (Excel's usual CSV encoding). Check "
                          "names with accents.")
    return "utf-8-sig", None


def _text_stream(content: bytes, encoding: str) -> io.TextIOWrapper:
    # newline="" leaves line ends to the csv module, which takes \n, \r\n and a lone \r (old Mac files) alike.
    return io.TextIOWrapper(io.BytesIO(content), encoding=encoding, errors="replace" if encoding == "cp1252" else
                            "strict", newline="")


def _separator(sample: str) -> str:
    """The column separator that splits the sample's first records most consistently into several columns."""
    best, best_score = ",", 0
    for candidate in ",;\t|":
        counts = []
        try:
            for record in csv.reader(io.StringIO(sample, newline=""), delimiter=candidate, skipinitialspace=True):
                if any(cell.strip() for cell in record):
                    counts.append(len(record))
                if len(counts) >= 30:
                    break
        except csv.Error:
            continue
        widths = [count for count in counts if count > 1]
        if not widths:
            continue
        mode = max(set(widths), key=widths.count)
        score = widths.count(mode)
        if score > best_score:
            best, best_score = candidate, score
    return best


_END = "\x1e\x1fend of file\x1f\x1e"
"""A last line added after a CSV's text: read as its own record unless a quote left open swallowed it."""
_FIELD_LIMIT = threading.Lock()


def _records(reader: Iterator[list[str]], longest: int) -> Iterator[list[str]]:
    """The records of a ``csv.reader`` whose fields may be as long as ``longest`` characters.

    ``csv.field_size_limit`` is process-wide: it is raised only while this reader parses a record and put back
    before the record is handed on: it is never left raised.
    """
    while True:
        with _FIELD_LIMIT:
            previous = csv.field_size_limit(max(csv.field_size_limit(), longest))
            try:
                record = next(reader, None)
            finally:
                csv.field_size_limit(previous)
        if record is None:
            return
        yield record


def _csv_rows(content: bytes, shown: str, limits: TableLimits):
    encoding, note = _text_of(content, shown)
    with _text_stream(content, encoding) as stream:
        sample = stream.read(65_536)
    cut = max(sample.rfind("\n"), sample.rfind("\r"))
    separator = _separator(sample[:cut] if cut > 0 else sample)
    notes = [note] if note else []
    if separator != ",":
        notes.append(f"Columns were separated by {separator!r}, not commas: read accordingly.")
    state = {"row": 0}

    def refuse(error: Exception) -> InputDataError:
        if isinstance(error, workbooks.WorkbookTooBig):
            return InputDataError(f"{shown} is too big to read: {error}. A {limits.what} may have {limits.describe()}.")
        return InputDataError(f"{shown} is not a well-formed CSV file (row {state['row']}: {error}). Check that quoted "
                              f"text is closed and that every row has the same number of columns.")

    def rows() -> Iterator[workbooks.Row]:
        with _text_stream(content, encoding) as stream:
            lines = itertools.chain(stream, ["\n", _END])
            reader = csv.reader(lines, delimiter=separator, skipinitialspace=True)
            for number, record in enumerate(_records(reader, len(content) + len(_END) + 2), start=1):  # bounded file
                if record == [_END]:
                    return
                state["row"] = number
                if number > workbooks.MAX_SPREADSHEET_ROWS:
                    raise workbooks.WorkbookTooBig(f"it has more than {workbooks.MAX_SPREADSHEET_ROWS:,} lines")
                while record and not record[-1].strip():
                    record.pop()
                if len(record) > limits.max_columns:
                    raise workbooks.WorkbookTooBig(f"row {number} has {len(record):,} columns")
                yield number, record, 1
        raise csv.Error("a quote opened in this row is never closed")

    return rows(), notes, ("," if separator == ";" else "."), refuse


def _header_score(cells: list[str], wanted: dict[str, str]) -> int:
    """How many canonical columns a row's cells name."""
    return len({wanted[name] for name in map(normalise_header, cells) if name in wanted})


def _non_blank(rows: Iterator[workbooks.Row]) -> Iterator[tuple[int, list[str]]]:
    """Each row with text, once per repeat (a repeated blank row costs nothing)."""
    for number, cells, repeat in rows:
        if any(cell.strip() for cell in cells):
            for k in range(repeat):
                yield number + k, cells


def _collect(rows: Iterator[workbooks.Row], shown: str, *, limits: TableLimits, columns: Mapping[str, Sequence[str]],
             notes: list[str], decimal: str, extra_cells_misalign: bool,
             also_keep: Callable[[str], bool] | None = None) -> TableText:
    """Find the header, keep the wanted columns of every non-blank row, and stop past the row limit.

    With ``extra_cells_misalign`` (CSV), a row with more values than the header has columns is a problem: an
    unquoted separator has shifted its values. In a workbook such values sit in columns without a header,
    which no reader uses.
    """
    wanted = {name: canonical for canonical, names in columns.items() for name in names}
    texts = _non_blank(rows)
    leading = list(itertools.islice(texts, HEADER_SCAN_ROWS))
    if not leading:
        raise InputDataError(f"{shown} is empty. Export the list again with a header row and one row per record.")
    scores = [_header_score(cells, wanted) for _, cells in leading]
    at = scores.index(max(scores))
    header_row, header = leading[at]
    headers = [cell.strip() for cell in header]
    positions, seen, repeats = [], {}, {}
    for position, name in enumerate(map(normalise_header, headers)):
        if name in wanted or (also_keep is not None and also_keep(name)):
            if name in seen:
                repeats.setdefault(name, [seen[name]]).append(position)
                continue
            seen[name] = position
            positions.append(position)
    notes += _synonym_notes(headers, positions, wanted, columns)
    differing: dict[str, tuple[int, list[str]]] = {}  # repeated header -> first row where its columns differ
    if at:
        notes.append(f"Row(s) {leading[0][0]}–{leading[at - 1][0]} above the header (row {header_row}) were read as "
                     f"titles and skipped." if at > 1 else f"Row {leading[0][0]} above the header (row {header_row}) "
                                                            f"was read as a title and skipped.")
    index: list[int] = []
    values: list[list[str]] = []
    problems: list[RowProblem] = []
    for number, cells in itertools.chain(leading[at + 1:], texts):
        if len(index) + len(problems) >= limits.max_rows:
            raise InputDataError(f"{shown} has more than {limits.max_rows:,} rows of data; the limit for a "
                                 f"{limits.what} is {limits.max_rows:,}. Split it (e.g. by locality) and upload each "
                                 f"part.")
        if extra_cells_misalign and len(cells) > len(headers) and any(cell.strip() for cell in cells[len(headers):]):
            problems.append(RowProblem(number, None, f"this row has {len(cells)} cells but the header names "
                                                     f"{len(headers)} columns: a value holding the column separator "
                                                     f"must be in quotes. Fix the row."))
            continue
        index.append(number)
        values.append([cells[position] if position < len(cells) else "" for position in positions])
        for name, repeated in repeats.items():
            texts = [cells[position].strip() if position < len(cells) else "" for position in repeated]
            if name not in differing and len(set(texts)) > 1:
                differing[name] = (number, texts)
    notes += _repeated_header_notes(shown, headers, repeats, differing)
    frame = pd.DataFrame(values, columns=[headers[position] for position in positions],
                         index=pd.Index(index, name="row"), dtype=object)
    return TableText(frame, headers, notes, problems, decimal)


def column_letters(position: int) -> str:
    """A spreadsheet's letters for a 0-based column (0 -> ``"A"``, 27 -> ``"AB"``)."""
    letters = ""
    position += 1
    while position:
        position, remainder = divmod(position - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def _repeated_header_notes(shown: str, headers: list[str], repeats: dict[str, list[int]],
                           differing: dict[str, tuple[int, list[str]]]) -> list[str]:
    """Notes on columns that repeat a header the reader uses, all holding the same values (the first is read).

    Raises
    ------
    InputDataError
        When such columns differ on some row: which one is meant cannot be told.
    """
    notes = []
    for name, repeated in repeats.items():
        where = " and ".join(column_letters(position) for position in repeated)
        header = quote(headers[repeated[0]])
        if name in differing:
            row, texts = differing[name]
            raise InputDataError(f"{shown} has {len(repeated)} columns headed {header} (columns {where}) that differ "
                                 f"(first on row {row}: {', '.join(map(quote, texts))}): the tool cannot tell which to "
                                 f"use. Delete or rename the others and upload again.")
        notes.append(f"Columns {where} are {'both' if len(repeated) == 2 else 'all'} headed {header} and hold the same "
                     f"values: column {column_letters(repeated[0])} was read.")
    return notes


def _synonym_notes(headers: list[str], positions: list[int], wanted: Mapping[str, str],
                   columns: Mapping[str, Sequence[str]]) -> list[str]:
    """Notes on canonical columns that more than one header could give: which was read (the first synonym)."""
    present = {normalise_header(headers[position]): position for position in positions}
    notes = []
    for canonical, names in columns.items():
        found = [name for name in names if name in present]
        if len(found) > 1:
            read, *others = (quote(headers[present[name]]) for name in found)
            notes.append(f"Column {read} was read for {canonical.replace('_', ' ')}; {', '.join(others)} could also "
                         f"mean it and {'was' if len(others) == 1 else 'were'} left out. Rename or delete "
                         f"{'it' if len(others) == 1 else 'them'} if that is wrong.")
    return notes


# --- Values -------------------------------------------------------------------------------------------------------


def cell_text(record: dict, columns: Mapping[str, str], name: str) -> str:
    """Stripped text of a record's cell for a canonical column name ("" when absent or empty).

    In a coordinate column, a placeholder (``NULL``, ``#N/A``, ``n/a``, ``-``, ``0,0``; ``0`` where a zero is
    impossible in Great Britain) reads as empty, so the row is placed by its postcode instead.
    """
    value = record.get(columns.get(name, ""), "")
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, workbooks.FormattedNumber):
        return value  # kept as it is, so that a number reader sees how the workbook showed it
    text = str(value).strip()
    if name in COORDINATE_COLUMNS and _is_placeholder(text, zero=name in ZERO_MEANS_MISSING):
        return ""
    return text


def _is_placeholder(text: str, *, zero: bool) -> bool:
    squeezed = " ".join(text.lower().split())
    return squeezed in PLACEHOLDERS or (zero and re.fullmatch(r"[+-]?0+([.,]0*)?", squeezed) is not None)


def is_blank(record: dict) -> bool:
    """True for a row with no text in any cell (blank lines, Excel's empty rows)."""
    return not any(cell_text(record, {key: key}, key) for key in record)


class AmbiguousNumber(ValueError):
    """A number that can be read two ways, refused with a message saying so rather than guessed: ``1,234`` in a
    file whose decimals are written with commas, a workbook cell shown as 10:30 or 25% but stored as 0.4375 or 0.25,
    digits other than 0–9 (full-width ``１０``)."""


_SPACES_IN_NUMBER = re.compile(r"(?<=\d)[ \u00a0\u202f'](?=\d{3}(\D|$))", re.ASCII)
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?", re.ASCII)
_SHOWN_AS = {
    "time": "a time of day in the spreadsheet (stored as {text} of a day), not a number: enter the number itself (e.g. "
            "10.5 for ten and a half hours) in a cell formatted as Number",
    "duration": "a duration in the spreadsheet (stored as {text} of a day), not a number: enter the number itself "
                "in a cell formatted as Number",
    "date": "a date in the spreadsheet, not a number: format the column as Number and enter the value again",
    "percent": "a percentage in the spreadsheet (stored as {text}), not a number: format the column as Number and "
               "enter the value itself (25, not 25%)",
}


def formatted_cell_problem(cell: workbooks.FormattedNumber) -> str:
    """Why a workbook cell shown as a date, time, duration or percentage is not read as a number, and the fix."""
    return f"{quote(cell.shown)} is {_SHOWN_AS[cell.kind].format(text=cell.stored)}."


def parse_number(value: object, *, decimal: str = ".", degrees: bool = False) -> float | None:
    """A finite number from a cell's text, or None when it is not one.

    Thousands separators and decimal commas are understood: ``7,5`` is 7.5, ``1,234.5`` and ``1.234,5`` are
    1234.5. A single separator followed by three digits (``1,234``, ``1.234``) is a thousands separator where
    the file writes decimals with a point (``decimal="."``) and cannot be told apart otherwise.

    Parameters
    ----------
    value : object
        The cell.
    decimal : {".", ",", "mixed"}
        The file's decimal mark (see :func:`decimal_mark`).
    degrees : bool
        The value is an angle (latitude or longitude): never grouped in thousands, so one separator is the
        decimal mark.

    Raises
    ------
    AmbiguousNumber
        For a number that could be read two ways, a workbook cell shown as a date, time, duration or percentage
        (:class:`layers.workbooks.FormattedNumber`), or digits other than 0–9.
    """
    if isinstance(value, workbooks.FormattedNumber):
        raise AmbiguousNumber(formatted_cell_problem(value))
    text = _SPACES_IN_NUMBER.sub("", str(value).strip().replace("\u2212", "-"))
    if not text:
        return None
    if any(char.isdigit() and not char.isascii() for char in text):
        raise AmbiguousNumber(f"{quote(text)} is written with digits other than 0–9 (full-width or another script's): "
                              f"retype it with the digits 0–9.")
    sign = text[0] if text[0] in "+-" else ""
    body, _, exponent = text[len(sign):].partition("e") if "e" in text.lower() else (text[len(sign):], "", "")
    body = body.rstrip("Ee") if exponent else body
    if not re.fullmatch(r"[0-9.,]+", body) or not re.search(r"[0-9]", body):
        return _finite(text) if _PLAIN_NUMBER.fullmatch(text) else None
    plain = _plain_digits(body, decimal=decimal, degrees=degrees, shown=text)
    if plain is None:
        return None
    return _finite(f"{sign}{plain}" + (f"e{exponent}" if exponent else ""))


def _finite(text: str) -> float | None:
    try:
        number = float(text)
    except ValueError:
        return None
    return number if np.isfinite(number) else None


def _plain_digits(body: str, *, decimal: str, degrees: bool, shown: str) -> str | None:
    """``body`` (digits and separators) with thousands separators removed and a point as decimal mark."""
    commas, points = body.count(","), body.count(".")
    if not commas and not points:
        return body
    if commas and points:
        mark = "," if body.rfind(",") > body.rfind(".") else "."
        group = "." if mark == "," else ","
        whole, _, fraction = body.rpartition(mark)
        if mark in whole or not re.fullmatch(rf"\d{{1,3}}(\{group}\d{{3}})+", whole) or not fraction.isdigit():
            return None
        return f"{whole.replace(group, '')}.{fraction}"
    separator = "," if commas else "."
    if commas + points > 1:
        if degrees or not re.fullmatch(rf"\d{{1,3}}(\{separator}\d{{3}})+", body):
            return None
        return body.replace(separator, "")
    whole, fraction = body.split(separator)
    if not fraction.isdigit() and fraction:
        return None
    grouping_possible = not degrees and len(fraction) == 3 and 1 <= len(whole) <= 3 and not whole.startswith("0")
    if not grouping_possible:
        return f"{whole or '0'}.{fraction or '0'}"
    if decimal == ".":
        return f"{whole}.{fraction}" if separator == "." else whole + fraction
    how = "with commas" if decimal == "," else "both with commas and with points"
    raise AmbiguousNumber(f"{quote(shown)} could mean {whole}.{fraction} or {whole}{fraction}: this file writes decimals "
                          f"{how}, and a separator before three digits can also group thousands. Write it without a "
                          f"thousands separator ({whole}{fraction}) or, if it is a decimal, with four decimals "
                          f"({whole}{separator}{fraction}0).")


_COMMA_DECIMAL = re.compile(r"[+-]?(\d*,(\d{1,2}|\d{4,})|0,\d+|\d{4,},\d+|\d{1,3}(\.\d{3})+,\d+)", re.ASCII)
_POINT_DECIMAL = re.compile(r"[+-]?(\d*\.(\d{1,2}|\d{4,})|0\.\d+|\d{4,}\.\d+|\d{1,3}(,\d{3})+\.\d+)", re.ASCII)


def decimal_mark(values: Iterable[object], *, default: str = ".") -> str:
    """The decimal mark a file's numbers use: ``","``, ``"."``, or ``"mixed"`` when they use both.

    Only numbers that can be read one way count (``7,5``, ``7.25``, ``1.234,5``); with none, ``default``
    (the mark the file's format suggests, :attr:`TableText.decimal`).
    """
    comma = point = False
    for value in values:
        text = _SPACES_IN_NUMBER.sub("", str(value).strip())
        comma = comma or _COMMA_DECIMAL.fullmatch(text) is not None
        point = point or _POINT_DECIMAL.fullmatch(text) is not None
        if comma and point:
            return "mixed"
    return "," if comma else "." if point else default


def point_from_lat_lon(lat_text: str, lon_text: str, column: str | None) -> tuple[float, float] | RowProblem:
    """BNG easting and northing of a latitude/longitude in degrees, or the problem with them: not numbers,
    grid metres given as degrees, latitude and longitude swapped, or a place outside Great Britain."""
    try:
        lat, lon = parse_number(lat_text, degrees=True), parse_number(lon_text, degrees=True)
    except AmbiguousNumber as error:
        return RowProblem(None, column, str(error))
    if lat is None or lon is None:
        return RowProblem(None, column, "latitude and longitude must both be numbers in degrees (e.g. 52.056, -2.716).")
    if abs(lat) > 90 or abs(lon) > 180:
        if in_great_britain_bng(np.array([lat]), np.array([lon]))[0] or \
                in_great_britain_bng(np.array([lon]), np.array([lat]))[0]:
            return RowProblem(None, column, "these look like British National Grid metres, not degrees: name the "
                                            "columns easting and northing.")
        return RowProblem(None, column, f"({lat:g}, {lon:g}) are not valid degrees.")
    if not in_great_britain_lonlat(np.array([lon]), np.array([lat]))[0]:
        if in_great_britain_lonlat(np.array([lat]), np.array([lon]))[0]:
            return RowProblem(None, column, "latitude and longitude look swapped (latitude in Britain is about 50–60, "
                                            "longitude about -8–2); swap the columns.")
        return RowProblem(None, column, f"({lat:g}, {lon:g}) is outside Great Britain; check the coordinates.")
    x, y = lonlat_to_bng(np.array([lon]), np.array([lat]))
    return float(x[0]), float(y[0])


def points_frame(rows: list[dict] | pd.DataFrame, *, x: str = "x", y: str = "y", crs: str = BNG) -> gpd.GeoDataFrame:
    """Records with coordinate columns as a point GeoDataFrame (the coordinate columns become the geometry).

    Parameters
    ----------
    rows : list of dict or DataFrame
        One record per point, with columns ``x`` and ``y``.
    x, y : str
        Names of the coordinate columns (metres in ``crs``).
    crs : str
        Coordinate reference system of the coordinates (British National Grid by default).
    """
    table = pd.DataFrame(rows)
    return gpd.GeoDataFrame(table.drop(columns=[x, y]), geometry=gpd.points_from_xy(table[x], table[y]), crs=crs)
