"""What the workbook readers share (:mod:`layers.xlsx_sheets`, :mod:`layers.ods_sheets`): the sheet and its rows,
the limits a workbook is read within and the problems that stop it, the cells shown as dates, times or percentages,
and a part's XML streamed through expat as it unzips (no document type, every limit checked as data arrives)."""

from __future__ import annotations

import datetime
import functools
import re
import zipfile
from dataclasses import dataclass, field
from typing import Callable, Iterator
from xml.parsers import expat

CHUNK_BYTES = 1 << 16
MAX_SPREADSHEET_ROWS = 1_048_576
"""Rows of a sheet in Excel and LibreOffice: a row number beyond it is not a real spreadsheet's."""
MAX_SMALL_PART_BYTES = 4 * 2**20
"""Largest workbook.xml or relationships part read (they list sheets: a few kilobytes in real files)."""

Row = tuple[int, list[str], int]
"""(spreadsheet row number, cells as text with trailing blanks dropped, times the file repeats the row)."""


class FormattedNumber(str):
    """A cell, as text, whose number the workbook shows as a date, a time of day, a duration or a percentage.

    The text is what a reader of any other column gets, as before: the stored number for XLSX, the date for an ODS
    date, the time as ``hh:mm`` for an ODS time.

    Attributes
    ----------
    kind : {"date", "time", "duration", "percent"}
        How the cell's number format shows it (``"time"``: a time of day such as 10:30; ``"duration"``: elapsed
        hours such as [h]:mm).
    shown : str
        The value as the spreadsheet shows it (``"10:30"``, ``"25%"``, ``"10 May 2024"``), for messages.
    stored : str
        The number the file stores (a fraction of a day for times and durations), as text.
    """

    kind: str
    shown: str
    stored: str

    def __new__(cls, text: str, kind: str, shown: str, stored: str | None = None) -> "FormattedNumber":
        cell = super().__new__(cls, text)
        cell.kind, cell.shown, cell.stored = kind, shown, text if stored is None else stored
        return cell

    def __getnewargs__(self) -> tuple[str, str, str, str]:  # pickled and copied whole (caches, session state)
        return str(self), self.kind, self.shown, self.stored


class WorkbookProblem(ValueError):
    """Why a workbook cannot be read, in words for the user (the caller adds the file name and what to do)."""


class WorkbookTooBig(WorkbookProblem):
    """A workbook (or table) that passes one of the limits."""


@dataclass(frozen=True)
class SheetLimits:
    """What a workbook may hold before reading stops.

    Attributes
    ----------
    max_columns : int
        Columns with data (a value in a later column refuses the file).
    max_cells : int
        Cell elements parsed in all, empty ones included (bounds the work on any file).
    max_cell_chars : int
        Characters in one cell.
    max_part_bytes : int
        Unzipped size of the sheet, shared-strings or content part, bytes.
    max_strings : int
        Distinct texts in an XLSX shared-strings part.
    """

    max_columns: int
    max_cells: int
    max_cell_chars: int
    max_part_bytes: int
    max_strings: int


@dataclass
class Sheet:
    """The sheet that was read and what the workbook held besides.

    Attributes
    ----------
    name : str
        The sheet's name.
    sheets : list of str
        Every sheet's name, in order.
    hidden : list of str
        Names of the hidden sheets (skipped).
    rows : iterator of Row
        The sheet's rows, read lazily: stop iterating to stop reading.
    """

    name: str
    sheets: list[str]
    hidden: list[str]
    rows: Iterator[Row] = field(repr=False)


# --- Streaming XML ----------------------------------------------------------------------------------------------


def refuse_doctype(*_) -> None:
    raise WorkbookProblem("its XML declares a document type (DTD), which no spreadsheet program writes")


def open_part(archive: zipfile.ZipFile, name: str, max_bytes: int):
    try:
        info = archive.getinfo(name)
    except KeyError:
        raise WorkbookProblem(f"the part {name!r} it names is missing") from None
    if info.file_size > max_bytes:
        raise WorkbookTooBig(f"its part {name!r} unpacks to {info.file_size / 2**20:,.1f} MB, more than the "
                              f"{max_bytes / 2**20:,.1f} MB read")
    return archive.open(info)


def parse_part(stream, *, start: Callable, end: Callable | None = None, text: Callable | None = None) -> Iterator[None]:
    """Feed a part to expat a chunk at a time, yielding after each chunk so the caller can hand over what the
    handlers collected, or stop. Names arrive as ``"namespace local"``."""
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.StartDoctypeDeclHandler = refuse_doctype
    parser.buffer_text = True
    parser.StartElementHandler = start
    if end is not None:
        parser.EndElementHandler = end
    if text is not None:
        parser.CharacterDataHandler = text
    with stream:
        while chunk := stream.read(CHUNK_BYTES):
            parser.Parse(chunk, False)
            yield
        parser.Parse(b"", True)
    yield


@functools.lru_cache(maxsize=512)
def local_name(name: str) -> str:
    """An element's name without its namespace (cached: it runs for every cell)."""
    return name.rpartition(" ")[2]


def attribute(attributes: dict[str, str], local: str) -> str | None:
    """An attribute by its local name, whatever its namespace (strict and transitional OOXML differ)."""
    for key, value in attributes.items():
        if local_name(key) == local:
            return value
    return None


def small_part(archive: zipfile.ZipFile, name: str, start: Callable) -> None:
    for _ in parse_part(open_part(archive, name, MAX_SMALL_PART_BYTES), start=start):
        pass


def too_long(limit: int) -> WorkbookTooBig:
    return WorkbookTooBig(f"a cell holds more than {limit:,} characters")


class CellText:
    """The text of one cell as it arrives in pieces, refused past the limit of characters."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.parts: list[str] = []
        self.chars = 0

    def clear(self) -> None:
        self.parts, self.chars = [], 0

    def add(self, data: str) -> None:
        self.chars += len(data)
        if self.chars > self.limit:
            raise too_long(self.limit)
        self.parts.append(data)

    def value(self) -> str:
        return "".join(self.parts)


class RowCells:
    """The cells of the row being read: keeps blanks pending until a value follows, and checks the limits."""

    def __init__(self, limits: SheetLimits) -> None:
        self.limits = limits
        self.cells: list[str] = []
        self.cells_seen = 0

    def count(self) -> None:
        self.cells_seen += 1
        if self.cells_seen > self.limits.max_cells:
            raise WorkbookTooBig(f"it holds more than {self.limits.max_cells:,} cells")

    def put(self, column: int, value: str, repeat: int = 1) -> None:
        """Place ``value`` at 0-based ``column`` (and the ``repeat - 1`` columns after it)."""
        if not value.strip():
            return
        if column + repeat > self.limits.max_columns:
            raise WorkbookTooBig(f"it has data beyond its first {self.limits.max_columns:,} columns")
        if len(value) > self.limits.max_cell_chars:
            raise too_long(self.limits.max_cell_chars)
        if column < len(self.cells):
            raise WorkbookProblem("its cells are out of order")
        self.cells.extend([""] * (column - len(self.cells)))
        self.cells.extend([value] * repeat)

    def take(self) -> list[str]:
        cells, self.cells = self.cells, []
        return cells


# --- Number formats ---------------------------------------------------------------------------------------------

BUILTIN_FORMATS = {9: "percent", 10: "percent", 18: "time", 19: "time", 20: "time", 21: "time", 45: "time",
                   46: "duration", 47: "time",
                   **{number: "date" for number in (14, 15, 16, 17, 22, *range(27, 37), *range(50, 59))}}
"""Excel's built-in number formats (by id) that show a number as something else."""
_EXCEL_EPOCH = datetime.datetime(1899, 12, 30)


def number_format_kind(code: str) -> str | None:
    """How an Excel number format code shows a number: ``"percent"``, ``"duration"`` (elapsed ``[h]:mm``),
    ``"date"``, ``"time"`` (of day) or None (as a number or text).

    >>> number_format_kind("[h]:mm"), number_format_kind("hh:mm AM/PM"), number_format_kind('0.0" hours"')
    ('duration', 'time', None)
    """
    text = re.sub(r'"[^"]*"|\\.|[_*].', "", code).split(";")[0]  # quoted text, escaped characters, spacing, fill
    elapsed = re.search(r"\[(h+|m+|s+)\]", text, re.IGNORECASE)
    text = re.sub(r"\[[^\]]*\]", "", text).lower().replace("general", "")  # colours, locales, conditions
    if "%" in text:
        return "percent"
    if elapsed:
        return "duration"
    if re.search(r"[yd]", text):
        return "date"
    if re.search(r"[hs]|am/pm|a/p", text):
        return "time"
    return "date" if "m" in text else None


def formatted_number(text: str, kind: str | None) -> str:
    """A stored number as a cell's text: a :class:`FormattedNumber` (with the value as shown) when ``kind`` says
    it is shown as a date, time, duration or percentage."""
    if kind is None:
        return text
    try:
        number = float(text)
        if kind == "percent":
            shown = f"{number * 100:.15g}%"
        elif kind == "date":
            day = _EXCEL_EPOCH + datetime.timedelta(days=number)
            shown = f"{day.day} {day:%B %Y}"
        else:
            minutes = round(number * 24 * 60)
            shown = f"{minutes // 60}:{minutes % 60:02d}" if kind == "duration" else \
                f"{minutes // 60 % 24:02d}:{minutes % 60:02d}"
    except (ValueError, OverflowError):
        shown = text
    return FormattedNumber(text, kind, shown)
