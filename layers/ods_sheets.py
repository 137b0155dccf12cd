"""An OpenDocument (.ods) workbook's first visible sheet read as it unzips: sheets hidden by their style skipped,
repeated rows and columns (``table:number-rows-repeated``) handed over once with their count rather than expanded,
and dates, times and percentages kept as :class:`~layers.workbook_parts.FormattedNumber`."""

from __future__ import annotations

import re
import zipfile
from typing import Callable, Iterator

from layers.workbook_parts import (
    MAX_SPREADSHEET_ROWS,
    CellText,
    FormattedNumber,
    Row,
    RowCells,
    Sheet,
    SheetLimits,
    WorkbookProblem,
    WorkbookTooBig,
    formatted_number,
    local_name,
    open_part,
    parse_part,
)

_ODS = {
    "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
    "table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
    "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
    "style": "urn:oasis:names:tc:opendocument:xmlns:style:1.0",
}


def _ods_name(prefix: str, local: str) -> str:
    return f"{_ODS[prefix]} {local}"


def ods_sheet(archive: zipfile.ZipFile, limits: SheetLimits, prefer: Callable[[str], bool] | None = None) -> Sheet:
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

    cells = RowCells(limits)
    ready: list[Row] = []
    hidden_styles: set[str] = set()
    names: list[str] = []
    hidden: list[str] = []
    state = {"style": None, "table_depth": 0, "reading": False, "done": False, "row": 1, "row_repeat": 1,
             "row_elements": 0, "column": 0, "cell_repeat": 1, "stored": None, "paragraphs": 0, "in_paragraph": False,
             "annotation": 0}
    text_of = CellText(limits.max_cell_chars)

    def count(value: str | None, what: str) -> int:
        number = int(value) if value and value.isdigit() else 1
        if number < 1 or number > MAX_SPREADSHEET_ROWS * 16:
            raise WorkbookTooBig(f"it repeats a {what} {value} times")
        return number

    def start(tag: str, attributes: dict[str, str]) -> None:
        if tag == style_tag:
            state["style"] = attributes.get(_ods_name("style", "name"))
        elif local_name(tag) == "table-properties" and attributes.get(display_key) == "false" and state["style"]:
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

    parsing = parse_part(open_part(archive, "content.xml", limits.max_part_bytes), start=start, end=end, text=text)
    # Read up to the first visible table's first rows, so its name is known before the rows are handed over.
    for _ in parsing:
        if state["reading"] or state["done"]:
            break
    if not (state["reading"] or state["done"]):
        if prefer is not None and len(names) > len(hidden):  # no sheet of the name preferred: the first visible one
            return ods_sheet(archive, limits)
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
