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

The readers are :mod:`layers.xlsx_sheets` and :mod:`layers.ods_sheets`, on what they share
(:mod:`layers.workbook_parts`); the names below are what the rest of the tool uses.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from typing import Callable
from xml.parsers import expat

from layers.ods_sheets import ods_sheet
from layers.workbook_parts import (
    MAX_SPREADSHEET_ROWS,
    FormattedNumber,
    Row,
    Sheet,
    SheetLimits,
    WorkbookProblem,
    WorkbookTooBig,
    formatted_number,
    number_format_kind,
)
from layers.xlsx_sheets import xlsx_sheet

__all__ = ["MAX_SPREADSHEET_ROWS", "READ_ERRORS", "FormattedNumber", "Row", "Sheet", "SheetLimits", "WorkbookProblem",
           "WorkbookTooBig", "formatted_number", "number_format_kind", "read_first_visible_sheet", "workbook_kind"]


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
        return xlsx_sheet(archive, limits, prefer)
    return ods_sheet(archive, limits, prefer)


READ_ERRORS = (WorkbookProblem, zipfile.BadZipFile, zipfile.LargeZipFile, expat.ExpatError, KeyError, ValueError,
               OSError, EOFError, RuntimeError, NotImplementedError, zlib.error, UnicodeError, IndexError)
"""What opening or reading a broken workbook can raise (encrypted parts raise RuntimeError)."""
