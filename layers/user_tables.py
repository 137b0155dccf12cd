"""Reading a user's table (CSV, Excel or ODS) as text: the kind of file told from its bytes (old and encrypted
workbooks refused, naming the fix), the rows of a workbook's sheet or a CSV file, the header found among the first
rows (titles above it skipped), and the wanted columns of every row kept, with notes on how it was read."""

from __future__ import annotations

import csv
import itertools
from typing import Callable, Iterator, Mapping, Sequence

import pandas as pd

from geo.errors import InputDataError
from layers import workbooks
from layers.csv_text import csv_rows
from layers.user_files import (
    ENCRYPTED_PACKAGE,
    HEADER_SCAN_ROWS,
    MAX_ZIP_PARTS,
    OLE_SIGNATURE,
    RowProblem,
    TableLimits,
    TableText,
    check_size,
    normalise_header,
    quote,
    shown_name,
)


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
        rows, notes, decimal, refuse = csv_rows(content, shown, limits)
    try:
        return _collect(_refusing(rows, refuse), shown, limits=limits, columns=columns, notes=notes, decimal=decimal,
                        extra_cells_misalign=content[:4] != b"PK\x03\x04", also_keep=also_keep)
    finally:
        rows.close()


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
