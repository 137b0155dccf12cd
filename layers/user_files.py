"""Reading a user's table (CSV, Excel or ODS) safely: the part every upload shares.

Nothing is written to disk and nothing is evaluated: the file is parsed as text (or as a workbook by
openpyxl/odfpy) and each value is checked by the reader of that kind of file (:mod:`layers.clients`,
:mod:`layers.care_homes`). Problems are reported as :class:`RowProblem` with the row number a
spreadsheet shows, the column and what to do.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from typing import Mapping, Sequence

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.errors import InputDataError
from geo.units import BNG, in_great_britain_bng, in_great_britain_lonlat, lonlat_to_bng

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
"""Largest client list read, bytes."""
MAX_ROWS = 20_000
"""Most data rows read from a client list."""


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
            where.append(f"column {self.column!r}")
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
        """How many rows were left out."""
        return len({problem.row for problem in self.problems if problem.row is not None})


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


def _decode(content: bytes) -> tuple[str, str | None]:
    """Text of a CSV file and, if it was not UTF-8, a note saying how it was read."""
    if content[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return content.decode("utf-16"), None
    try:
        return content.decode("utf-8-sig"), None
    except UnicodeDecodeError:
        return content.decode("cp1252", errors="replace"), (
            "The file is not UTF-8; it was read as Windows-1252 (Excel's usual CSV encoding). Check names with accents."
        )


def read_table_bytes(content: bytes, filename: str, *, max_bytes: int = MAX_UPLOAD_BYTES,
                     sheet: str | int = 0) -> tuple[pd.DataFrame, list[str]]:
    """Parse an uploaded table as text columns: CSV (any common delimiter and encoding), Excel or ODS.

    Returns the table and notes on how it was read. Raises :class:`InputDataError` for empty, oversized,
    binary or malformed files.
    """
    notes: list[str] = []
    if not content or not content.strip():
        raise InputDataError(f"{filename!r} is empty. Export the list again with a header row and one row per "
                             f"record.")
    if len(content) > max_bytes:
        raise InputDataError(f"{filename!r} is {len(content) / 2**20:.0f} MB; the limit is {max_bytes / 2**20:.0f} MB. "
                             f"Split the file (e.g. by locality) or keep only the needed columns.")
    if content[:4] == b"PK\x03\x04":
        engine = "odf" if b"opendocument.spreadsheet" in content[:200] else "openpyxl"
        try:
            frame = pd.read_excel(io.BytesIO(content), sheet_name=sheet, dtype=str, engine=engine)
        except Exception as error:
            raise InputDataError(f"{filename!r} looks like a zipped or spreadsheet file but cannot be read as a "
                                 f"workbook ({error}). Save it as CSV (UTF-8) and upload that.") from error
        expected = (".ods",) if engine == "odf" else (".xlsx", ".xlsm")
        if not filename.lower().endswith(expected):
            kind = "a LibreOffice" if engine == "odf" else "an Excel"
            which = "first sheet" if sheet == 0 else f"sheet {sheet!r}"
            notes.append(f"{filename!r} is {kind} workbook, not CSV: its {which} was read.")
        return frame, notes
    if content[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise InputDataError(f"{filename!r} is an old Excel (.xls) workbook. Save it as CSV (UTF-8) or .xlsx and "
                             f"upload that.")
    if b"\x00" in content[:4096] and content[:2] not in (b"\xff\xfe", b"\xfe\xff"):
        raise InputDataError(f"{filename!r} is not a text file (it contains binary data). Upload a CSV or .xlsx "
                             f"file.")
    text, note = _decode(content)
    if note:
        notes.append(note)
    sample = text[:20_000]
    try:
        delimiter = csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
    except csv.Error:
        delimiter = ","
    try:
        frame = pd.read_csv(io.StringIO(text), sep=delimiter, dtype=str, keep_default_na=False, skipinitialspace=True,
                            on_bad_lines="error", engine="python")
    except (pd.errors.ParserError, csv.Error, ValueError) as error:
        raise InputDataError(f"{filename!r} is not a well-formed CSV file ({error}). Check that every row has the "
                             f"same number of columns and that quoted text is closed.") from error
    if delimiter != ",":
        notes.append(f"Columns were separated by {delimiter!r}, not commas: read accordingly.")
    return frame, notes


def cell_text(record: dict, columns: Mapping[str, str], name: str) -> str:
    """Stripped text of a record's cell for a canonical column name ("" when absent or empty)."""
    value = record.get(columns.get(name, ""), "")
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    return str(value).strip()


def is_blank(record: dict) -> bool:
    """True for a row with no text in any cell (blank lines, Excel's empty rows)."""
    return not any(cell_text(record, {key: key}, key) for key in record)


def parse_number(value: object) -> float | None:
    """A finite number from a cell's text (thousands separators allowed), or None."""
    text = str(value).strip().replace(",", "")
    if not text:
        return None
    try:
        number = float(text)
    except ValueError:
        return None
    return number if np.isfinite(number) else None


def point_from_lat_lon(lat_text: str, lon_text: str, column: str | None) -> tuple[float, float] | RowProblem:
    """BNG easting and northing of a latitude/longitude in degrees, or the problem with them: not numbers,
    grid metres given as degrees, latitude and longitude swapped, or a place outside Great Britain."""
    lat, lon = parse_number(lat_text), parse_number(lon_text)
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
