"""A CSV file read as rows of text, safely: its encoding (UTF-8, UTF-16 with or without a byte-order mark, or
Windows-1252, said so), its separator (comma, semicolon, tab or bar), fields as long as the file but
``csv.field_size_limit`` never left raised, a quote left open reported, and the row and column limits checked while
it is read."""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import threading
from typing import Iterator

from geo.errors import InputDataError
from layers import workbooks
from layers.user_files import TableLimits


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


def csv_rows(content: bytes, shown: str, limits: TableLimits):
    """The rows of a CSV file (``(row number, cells, 1)``, as :mod:`layers.workbooks` gives a sheet's), how it was read
    (notes), the decimal mark its separator suggests, and how a reading error is put to the user."""
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
