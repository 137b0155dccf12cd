"""The first visible sheet of an Excel (.xlsx) or OpenDocument (.ods) workbook as rows of text, read as it unzips.

Uploads do not go through openpyxl or odfpy: odfpy builds the whole document in memory and pandas expands
ODS repeated rows (``table:number-rows-repeated``), so a few kilobytes can stand for a million rows, and
openpyxl widens every row to its last column. Here the sheet's XML is parsed by expat while it is unzipped;
each cell is kept as the text the file stores (never converted through a float, so long ids stay exact);
a row the file repeats is handed over once with its count; and every limit is checked as the data arrives,
so reading stops as soon as a file is too big. Hidden sheets are skipped: the first visible sheet is read.

A number the workbook shows as a date, a time of day, a duration or a percentage (its cell's number format)
comes out as a :class:`FormattedNumber`: text like any other cell, which says how it was shown, so a reader of a
numeric column can refuse 10:30 (stored as 0.4375 of a day) or 25% (stored as 0.25) rather than take the stored
number for hours.
"""

from __future__ import annotations

import datetime
import functools
import io
import posixpath
import re
import zipfile
import zlib
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

_ODS = {
    "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
    "table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
    "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
    "style": "urn:oasis:names:tc:opendocument:xmlns:style:1.0",
}
_CELL_REFERENCE = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d+)$")


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


def workbook_kind(content: bytes) -> str | None:
    """``"xlsx"``, ``"ods"`` or None (not a zipped workbook), from the archive's own table of contents."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            names = set(archive.namelist())
            if "xl/workbook.xml" in names or "[Content_Types].xml" in names and any(n.startswith("xl/") for n in names):
                return "xlsx"
            if "content.xml" in names:
                return "ods"
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError, RuntimeError, NotImplementedError):
        return None
    return None


def read_first_visible_sheet(content: bytes, kind: str, limits: SheetLimits, *,
                             prefer: Callable[[str], bool] | None = None) -> Sheet:
    """The first visible sheet of an ``"xlsx"`` or ``"ods"`` workbook whose name ``prefer`` accepts, else its first
    visible sheet (its rows are read when iterated). CQC's care directory, for one, opens on a README sheet before
    its ``HSCA_Active_Locations``.

    Raises
    ------
    WorkbookProblem
        If the archive or its XML cannot be read, no sheet is visible (or none has one of the names), or a limit
        is passed (also while the rows are iterated).
    """
    archive = zipfile.ZipFile(io.BytesIO(content))
    if kind == "xlsx":
        return _xlsx_sheet(archive, limits, prefer)
    return _ods_sheet(archive, limits, prefer)


READ_ERRORS = (WorkbookProblem, zipfile.BadZipFile, zipfile.LargeZipFile, expat.ExpatError, KeyError, ValueError,
               OSError, EOFError, RuntimeError, NotImplementedError, zlib.error, UnicodeError, IndexError)
"""What opening or reading a broken workbook can raise (encrypted parts raise RuntimeError)."""


# --- Streaming XML ----------------------------------------------------------------------------------------------


def _refuse_doctype(*_) -> None:
    raise WorkbookProblem("its XML declares a document type (DTD), which no spreadsheet program writes")


def _open_part(archive: zipfile.ZipFile, name: str, max_bytes: int):
    try:
        info = archive.getinfo(name)
    except KeyError:
        raise WorkbookProblem(f"the part {name!r} it names is missing") from None
    if info.file_size > max_bytes:
        raise WorkbookTooBig(f"its part {name!r} unpacks to {info.file_size / 2**20:,.1f} MB, more than the "
                              f"{max_bytes / 2**20:,.1f} MB read")
    return archive.open(info)


def _parse(stream, *, start: Callable, end: Callable | None = None, text: Callable | None = None) -> Iterator[None]:
    """Feed a part to expat a chunk at a time, yielding after each chunk so the caller can hand over what the
    handlers collected, or stop. Names arrive as ``"namespace local"``."""
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.StartDoctypeDeclHandler = _refuse_doctype
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
def _local(name: str) -> str:
    """An element's name without its namespace (cached: it runs for every cell)."""
    return name.rpartition(" ")[2]


def _attribute(attributes: dict[str, str], local: str) -> str | None:
    """An attribute by its local name, whatever its namespace (strict and transitional OOXML differ)."""
    for key, value in attributes.items():
        if _local(key) == local:
            return value
    return None


def _small_part(archive: zipfile.ZipFile, name: str, start: Callable) -> None:
    for _ in _parse(_open_part(archive, name, MAX_SMALL_PART_BYTES), start=start):
        pass


def _too_long(limit: int) -> WorkbookTooBig:
    return WorkbookTooBig(f"a cell holds more than {limit:,} characters")


class _Text:
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
            raise _too_long(self.limit)
        self.parts.append(data)

    def value(self) -> str:
        return "".join(self.parts)


class _Cells:
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
            raise _too_long(self.limits.max_cell_chars)
        if column < len(self.cells):
            raise WorkbookProblem("its cells are out of order")
        self.cells.extend([""] * (column - len(self.cells)))
        self.cells.extend([value] * repeat)

    def take(self) -> list[str]:
        cells, self.cells = self.cells, []
        return cells


# --- Number formats ---------------------------------------------------------------------------------------------

_BUILTIN_FORMATS = {9: "percent", 10: "percent", 18: "time", 19: "time", 20: "time", 21: "time", 45: "time",
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


def _xlsx_number_formats(archive: zipfile.ZipFile, part: str, limits: SheetLimits) -> list[str | None]:
    """The :func:`number_format_kind` of each cell style of an XLSX styles part (its ``cellXfs``), by index."""
    custom: dict[int, str] = {}
    styles: list[int] = []
    state = {"cell_styles": False}

    def number(text: str | None) -> int:
        return int(text) if text and text.isdigit() else 0

    def start(tag: str, attributes: dict[str, str]) -> None:
        local = _local(tag)
        if local == "numFmt":
            custom[number(attributes.get("numFmtId"))] = attributes.get("formatCode", "")
        elif local == "cellXfs":
            state["cell_styles"] = True
        elif local == "xf" and state["cell_styles"]:
            styles.append(number(attributes.get("numFmtId")))

    def end(tag: str) -> None:
        if _local(tag) == "cellXfs":
            state["cell_styles"] = False

    for _ in _parse(_open_part(archive, part, limits.max_part_bytes), start=start, end=end):
        pass
    return [number_format_kind(custom[id_]) if id_ in custom else _BUILTIN_FORMATS.get(id_) for id_ in styles]


# --- XLSX -------------------------------------------------------------------------------------------------------


def _xlsx_relationships(archive: zipfile.ZipFile, part: str) -> dict[str, tuple[str, str]]:
    """Relationship id -> (type's last word, target part) of an XLSX part."""
    folder, name = posixpath.split(part)
    rels = posixpath.join(folder, "_rels", f"{name}.rels")
    found: dict[str, tuple[str, str]] = {}

    def start(tag: str, attributes: dict[str, str]) -> None:
        if _local(tag) == "Relationship" and attributes.get("Id") and attributes.get("Target"):
            target = attributes["Target"]
            target = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
            found[attributes["Id"]] = (attributes.get("Type", "").rsplit("/", 1)[-1], target)

    if rels in archive.namelist():
        _small_part(archive, rels, start)
    return found


def _xlsx_sheet(archive: zipfile.ZipFile, limits: SheetLimits, prefer: Callable[[str], bool] | None = None) -> Sheet:
    workbook = "xl/workbook.xml"
    sheets: list[tuple[str, str, str]] = []  # name, state, relationship id

    def start(tag: str, attributes: dict[str, str]) -> None:
        if _local(tag) == "sheet":
            sheets.append((attributes.get("name", ""), attributes.get("state", "visible"), _attribute(attributes, "id")))

    _small_part(archive, workbook, start)
    relationships = _xlsx_relationships(archive, workbook)
    visible = [sheet for sheet in sheets if sheet[1] in ("", "visible")]
    if not visible:
        raise WorkbookProblem("it has no visible sheet")
    name, _, relationship = next((sheet for sheet in visible if prefer is not None and prefer(sheet[0])), visible[0])
    if relationship not in relationships:
        raise WorkbookProblem(f"its sheet {name!r} has no data part")
    shared = next((target for kind, target in relationships.values() if kind == "sharedStrings"), None)
    strings = _xlsx_shared_strings(archive, shared, limits) if shared else []
    styles = next((target for kind, target in relationships.values() if kind == "styles"), None)
    formats = _xlsx_number_formats(archive, styles, limits) if styles in archive.namelist() else []
    rows = _xlsx_rows(archive, relationships[relationship][1], strings, limits, formats)
    return Sheet(name, [sheet[0] for sheet in sheets], [sheet[0] for sheet in sheets if sheet not in visible], rows)


def _xlsx_shared_strings(archive: zipfile.ZipFile, part: str, limits: SheetLimits) -> list[str]:
    """Every shared string, in order (rich text joined; phonetic guides left out)."""
    strings: list[str] = []
    state = {"in_text": False, "phonetic": 0}
    text_of = _Text(limits.max_cell_chars)

    def start(tag: str, attributes: dict[str, str]) -> None:
        local = _local(tag)
        if local == "si":
            text_of.clear()
        elif local == "rPh":
            state["phonetic"] += 1
        elif local == "t" and not state["phonetic"]:
            state["in_text"] = True

    def end(tag: str) -> None:
        local = _local(tag)
        if local == "si":
            if len(strings) >= limits.max_strings:
                raise WorkbookTooBig(f"it holds more than {limits.max_strings:,} different texts")
            strings.append(text_of.value())
        elif local == "rPh":
            state["phonetic"] -= 1
        elif local == "t":
            state["in_text"] = False

    def text(data: str) -> None:
        if state["in_text"]:
            text_of.add(data)

    for _ in _parse(_open_part(archive, part, limits.max_part_bytes), start=start, end=end, text=text):
        pass
    return strings


def _column_number(letters: str) -> int:
    """0-based column of a reference's letters (``"A"`` -> 0, ``"AA"`` -> 26)."""
    number = 0
    for letter in letters.upper():
        number = number * 26 + ord(letter) - 64
    return number - 1


def _number_text(stored: str) -> str:
    """A number as stored in XLSX, as text: integers exactly as written, other numbers to Excel's 15 digits."""
    stored = stored.strip()
    if re.fullmatch(r"-?\d+", stored):
        return stored
    try:
        return format(float(stored), ".15g")
    except ValueError:
        return stored


def _xlsx_rows(archive: zipfile.ZipFile, part: str, strings: list[str], limits: SheetLimits,
               formats: list[str | None]) -> Iterator[Row]:
    cells = _Cells(limits)
    ready: list[Row] = []
    state = {"row": 0, "column": -1, "type": "n", "in": None, "phonetic": 0, "format": None}
    value = _Text(limits.max_cell_chars)

    def start(tag: str, attributes: dict[str, str]) -> None:
        local = _local(tag)
        if local == "row":
            number = attributes.get("r")
            row = int(number) if number and number.isdigit() else state["row"] + 1
            if row <= state["row"]:
                raise WorkbookProblem("its row numbers are out of order")
            if row > MAX_SPREADSHEET_ROWS:
                raise WorkbookTooBig(f"it has rows beyond row {MAX_SPREADSHEET_ROWS:,}, a spreadsheet's last")
            state["row"], state["column"] = row, -1
        elif local == "c":
            cells.count()
            match = _CELL_REFERENCE.match(attributes.get("r", ""))
            state["column"] = _column_number(match.group(1)) if match else state["column"] + 1
            state["type"] = attributes.get("t", "n")
            style = attributes.get("s", "")
            state["format"] = formats[int(style)] if style.isdigit() and int(style) < len(formats) else None
            value.clear()
        elif local == "rPh":
            state["phonetic"] += 1
        elif local in ("v", "t") and not state["phonetic"]:
            state["in"] = local

    def end(tag: str) -> None:
        local = _local(tag)
        if local == "c":
            if value.parts:  # most cells of a bloated sheet are empty: nothing to convert
                text = _xlsx_value(state["type"], value.value(), strings)
                if state["type"] == "n" and text:
                    text = formatted_number(text, state["format"])
                cells.put(state["column"], text)
        elif local == "row":
            ready.append((state["row"], cells.take(), 1))
        elif local == "rPh":
            state["phonetic"] -= 1
        elif local in ("v", "t"):
            state["in"] = None

    def text(data: str) -> None:
        if state["in"]:
            value.add(data)

    for _ in _parse(_open_part(archive, part, limits.max_part_bytes), start=start, end=end, text=text):
        yield from ready
        ready.clear()


def _xlsx_value(kind: str, stored: str, strings: list[str]) -> str:
    if kind == "s":
        if not stored.strip().isdigit() or int(stored) >= len(strings):
            raise WorkbookProblem("a cell refers to a shared text that is not in the file")
        return strings[int(stored)]
    if kind == "b":
        return "TRUE" if stored.strip() == "1" else "FALSE"
    if kind == "n":
        return _number_text(stored) if stored.strip() else ""
    return stored  # str (a formula's text), inlineStr, e (an error such as #N/A), d (ISO date)


# --- ODS --------------------------------------------------------------------------------------------------------


def _ods_name(prefix: str, local: str) -> str:
    return f"{_ODS[prefix]} {local}"


def _ods_sheet(archive: zipfile.ZipFile, limits: SheetLimits, prefer: Callable[[str], bool] | None = None) -> Sheet:
    """The first visible table of content.xml (whose name ``prefer`` accepts, when given and one does). Sheet names
    come from a first pass that stops at the table read; tables before it are skipped unread."""
    table_tag, cell_tags = _ods_name("table", "table"), {_ods_name("table", "table-cell"),
                                                          _ods_name("table", "covered-table-cell")}
    row_tag, style_tag = _ods_name("table", "table-row"), _ods_name("style", "style")
    name_key, style_key = _ods_name("table", "name"), _ods_name("table", "style-name")
    repeat_rows, repeat_columns = _ods_name("table", "number-rows-repeated"), _ods_name("table", "number-columns-repeated")
    display_key = _ods_name("table", "display")
    text_p, annotation = _ods_name("text", "p"), _ods_name("office", "annotation")
    spaces, tab, line_break = _ods_name("text", "s"), _ods_name("text", "tab"), _ods_name("text", "line-break")
    value_type = _ods_name("office", "value-type")

    cells = _Cells(limits)
    ready: list[Row] = []
    hidden_styles: set[str] = set()
    names: list[str] = []
    hidden: list[str] = []
    state = {"style": None, "table_depth": 0, "reading": False, "done": False, "row": 1, "row_repeat": 1,
             "row_elements": 0, "column": 0, "cell_repeat": 1, "stored": None, "paragraphs": 0, "in_paragraph": False,
             "annotation": 0}
    text_of = _Text(limits.max_cell_chars)

    def count(value: str | None, what: str) -> int:
        number = int(value) if value and value.isdigit() else 1
        if number < 1 or number > MAX_SPREADSHEET_ROWS * 16:
            raise WorkbookTooBig(f"it repeats a {what} {value} times")
        return number

    def start(tag: str, attributes: dict[str, str]) -> None:
        if tag == style_tag:
            state["style"] = attributes.get(_ods_name("style", "name"))
        elif _local(tag) == "table-properties" and attributes.get(display_key) == "false" and state["style"]:
            hidden_styles.add(state["style"])
        elif tag == table_tag:
            state["table_depth"] += 1
            if state["table_depth"] == 1:
                names.append(attributes.get(name_key, f"Sheet{len(names) + 1}"))
                if attributes.get(style_key) in hidden_styles:
                    hidden.append(names[-1])
                elif not state["done"] and (prefer is None or prefer(names[-1])):
                    state["reading"] = True
        elif not state["reading"] or state["table_depth"] != 1:
            return
        elif tag == row_tag:
            state["row_elements"] += 1
            if state["row_elements"] > MAX_SPREADSHEET_ROWS:
                raise WorkbookTooBig(f"it has more than {MAX_SPREADSHEET_ROWS:,} rows, a spreadsheet's most")
            state["row_repeat"], state["column"] = count(attributes.get(repeat_rows), "row"), 0
        elif tag in cell_tags:
            cells.count()
            state["cell_repeat"] = count(attributes.get(repeat_columns), "cell")
            state["stored"] = _ods_stored_value(attributes, attributes.get(value_type))
            state["paragraphs"] = 0
            text_of.clear()
        elif tag == annotation:
            state["annotation"] += 1
        elif state["annotation"]:
            return
        elif tag == text_p:
            if state["paragraphs"]:
                text_of.add("\n")
            state["in_paragraph"] = True
        elif tag == spaces and state["in_paragraph"]:
            text_of.add(" " * min(count(attributes.get(_ods_name("text", "c")), "space"), 1000))
        elif tag == tab and state["in_paragraph"]:
            text_of.add("\t")
        elif tag == line_break and state["in_paragraph"]:
            text_of.add("\n")

    def end(tag: str) -> None:
        if tag == table_tag:
            state["table_depth"] -= 1
            if state["table_depth"] == 0 and state["reading"]:
                state["reading"], state["done"] = False, True
            return
        if not state["reading"] or state["table_depth"] != 1:
            return
        if tag == annotation:
            state["annotation"] -= 1
        elif tag == text_p and not state["annotation"] and state["in_paragraph"]:
            state["paragraphs"] += 1
            state["in_paragraph"] = False
        elif tag in cell_tags:
            value = state["stored"] if state["stored"] is not None else text_of.value()
            cells.put(state["column"], value, state["cell_repeat"])
            state["column"] += state["cell_repeat"]
        elif tag == row_tag:
            ready.append((state["row"], cells.take(), state["row_repeat"]))
            state["row"] += state["row_repeat"]

    def text(data: str) -> None:
        if state["reading"] and state["in_paragraph"] and not state["annotation"]:
            text_of.add(data)

    parsing = _parse(_open_part(archive, "content.xml", limits.max_part_bytes), start=start, end=end, text=text)
    # Read up to the first visible table's first rows, so its name is known before the rows are handed over.
    for _ in parsing:
        if state["reading"] or state["done"]:
            break
    if not (state["reading"] or state["done"]):
        if prefer is not None and len(names) > len(hidden):  # no sheet of the name preferred: the first visible one
            return _ods_sheet(archive, limits)
        raise WorkbookProblem("it has no visible sheet" if names else "it has no sheet")

    def rows() -> Iterator[Row]:
        yield from ready
        ready.clear()
        for _ in parsing:
            yield from ready
            ready.clear()
            if state["done"]:
                break

    read = next(name for name in names if name not in hidden and (prefer is None or prefer(name)))
    return Sheet(read, names, hidden, rows())


_ODS_TIME = re.compile(r"-?PT(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d*)?)S)?")


def _ods_stored_value(attributes: dict[str, str], kind: str | None) -> str | None:
    """The value an ODS cell stores for its type (None: use its text, as for strings). Percentages, dates and times
    come as a :class:`FormattedNumber` (LibreOffice writes times of day and durations alike: both are "time")."""
    if kind in ("float", "currency"):
        return attributes.get(_ods_name("office", "value"))
    if kind == "percentage":
        stored = attributes.get(_ods_name("office", "value"))
        return formatted_number(stored, "percent") if stored is not None else None
    if kind == "date":
        stored = attributes.get(_ods_name("office", "date-value"))
        return FormattedNumber(stored, "date", stored) if stored is not None else None
    if kind == "time":
        match = _ODS_TIME.fullmatch(attributes.get(_ods_name("office", "time-value")) or "")
        if match is None:
            return None
        hours, minutes, seconds = (float(part or 0) for part in match.groups())
        cell = formatted_number(format((hours * 3600 + minutes * 60 + seconds) / 86400, ".15g"), "time")
        return FormattedNumber(cell.shown, "time", cell.shown, stored=str(cell))
    if kind == "boolean":
        return "TRUE" if attributes.get(_ods_name("office", "boolean-value")) == "true" else "FALSE"
    return None
