"""An Excel (.xlsx) workbook's first visible sheet read as it unzips: its sheets and relationships, shared strings,
number formats (a number shown as a date, time or percentage comes out as a
:class:`~layers.workbook_parts.FormattedNumber`) and rows, each cell the text the file stores."""

from __future__ import annotations

import posixpath
import re
import zipfile
from typing import Callable, Iterator

from layers.workbook_parts import (
    BUILTIN_FORMATS,
    MAX_SPREADSHEET_ROWS,
    CellText,
    Row,
    RowCells,
    Sheet,
    SheetLimits,
    WorkbookProblem,
    WorkbookTooBig,
    attribute,
    formatted_number,
    local_name,
    number_format_kind,
    open_part,
    parse_part,
    small_part,
)

_CELL_REFERENCE = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d+)$")


def _xlsx_number_formats(archive: zipfile.ZipFile, part: str, limits: SheetLimits) -> list[str | None]:
    """The :func:`number_format_kind` of each cell style of an XLSX styles part (its ``cellXfs``), by index."""
    custom: dict[int, str] = {}
    styles: list[int] = []
    state = {"cell_styles": False}

    def number(text: str | None) -> int:
        return int(text) if text and text.isdigit() else 0

    def start(tag: str, attributes: dict[str, str]) -> None:
        local = local_name(tag)
        if local == "numFmt":
            custom[number(attributes.get("numFmtId"))] = attributes.get("formatCode", "")
        elif local == "cellXfs":
            state["cell_styles"] = True
        elif local == "xf" and state["cell_styles"]:
            styles.append(number(attributes.get("numFmtId")))

    def end(tag: str) -> None:
        if local_name(tag) == "cellXfs":
            state["cell_styles"] = False

    for _ in parse_part(open_part(archive, part, limits.max_part_bytes), start=start, end=end):
        pass
    return [number_format_kind(custom[id_]) if id_ in custom else BUILTIN_FORMATS.get(id_) for id_ in styles]


def _xlsx_relationships(archive: zipfile.ZipFile, part: str) -> dict[str, tuple[str, str]]:
    """Relationship id -> (type's last word, target part) of an XLSX part."""
    folder, name = posixpath.split(part)
    rels = posixpath.join(folder, "_rels", f"{name}.rels")
    found: dict[str, tuple[str, str]] = {}

    def start(tag: str, attributes: dict[str, str]) -> None:
        if local_name(tag) == "Relationship" and attributes.get("Id") and attributes.get("Target"):
            target = attributes["Target"]
            target = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
            found[attributes["Id"]] = (attributes.get("Type", "").rsplit("/", 1)[-1], target)

    if rels in archive.namelist():
        small_part(archive, rels, start)
    return found


def xlsx_sheet(archive: zipfile.ZipFile, limits: SheetLimits, prefer: Callable[[str], bool] | None = None) -> Sheet:
    workbook = "xl/workbook.xml"
    sheets: list[tuple[str, str, str]] = []  # name, state, relationship id

    def start(tag: str, attributes: dict[str, str]) -> None:
        if local_name(tag) == "sheet":
            sheets.append((attributes.get("name", ""), attributes.get("state", "visible"), attribute(attributes, "id")))

    small_part(archive, workbook, start)
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
    text_of = CellText(limits.max_cell_chars)

    def start(tag: str, attributes: dict[str, str]) -> None:
        local = local_name(tag)
        if local == "si":
            text_of.clear()
        elif local == "rPh":
            state["phonetic"] += 1
        elif local == "t" and not state["phonetic"]:
            state["in_text"] = True

    def end(tag: str) -> None:
        local = local_name(tag)
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

    for _ in parse_part(open_part(archive, part, limits.max_part_bytes), start=start, end=end, text=text):
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
    cells = RowCells(limits)
    ready: list[Row] = []
    state = {"row": 0, "column": -1, "type": "n", "in": None, "phonetic": 0, "format": None}
    value = CellText(limits.max_cell_chars)

    def start(tag: str, attributes: dict[str, str]) -> None:
        local = local_name(tag)
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
        local = local_name(tag)
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

    for _ in parse_part(open_part(archive, part, limits.max_part_bytes), start=start, end=end, text=text):
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
