"""Read a user's client list (CSV or Excel) into validated points, listing every problem row by row.

Nothing is written to disk and nothing is evaluated: the file is parsed as text (or as a workbook by
openpyxl) and each value is checked. Valid rows are kept; every rejected row is listed with its row
number, column, what is wrong and how to fix it.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from functools import partial
from typing import Iterable

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.errors import InputDataError
from geo.postcode import format_postcode, is_valid_postcode, postcode_key
from geo.units import BNG, in_great_britain_bng, in_great_britain_lonlat, lonlat_to_bng
from layers.postcodes import postcode_index

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_ROWS = 20_000
OUTSIDE_TOLERANCE_M = 2_000.0
"""Points this close outside the council's outline still count as inside (generalised boundaries)."""

SYNONYMS: dict[str, tuple[str, ...]] = {
    "client_id": ("client_id", "id", "client", "client_ref", "reference", "ref", "client_number", "person_id"),
    "name": ("name", "client_name", "full_name"),
    "postcode": ("postcode", "post_code", "postal_code", "pcode", "zip"),
    "lat": ("lat", "latitude"),
    "lon": ("lon", "lng", "long", "longitude"),
    "easting": ("easting", "eastings", "x", "bng_x"),
    "northing": ("northing", "northings", "y", "bng_y"),
    "hours_per_week": ("hours_per_week", "hours", "weekly_hours", "hours_week", "hrs_per_week", "hours_pw"),
    "calls_per_day": ("calls_per_day", "calls", "visits_per_day", "daily_calls"),
    "minutes_per_call": ("minutes_per_call", "call_minutes", "visit_minutes", "minutes", "call_length"),
    "windows": ("windows", "call_times", "times", "time_windows", "visit_times"),
    "days_per_week": ("days_per_week", "days", "days_week"),
}


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


@dataclass
class ClientTable(UploadSummary):
    """The valid clients of a file and everything that was wrong with it.

    Attributes
    ----------
    clients : GeoDataFrame
        One row per valid client in BNG: ``row`` (spreadsheet row), ``client_id``, ``name``, ``postcode``,
        ``located_by`` ("postcode", "lat/lon" or "easting/northing"), the numeric columns that were asked
        for, and ``geometry``.
    problems : list of RowProblem
        Every rejected row (and any file-level note), in row order.
    notes : list of str
        Things the reader did that the user should know (e.g. "read the workbook's first sheet").
    """

    clients: gpd.GeoDataFrame
    problems: list[RowProblem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    noun = "client"
    records_attribute = "clients"


def normalise_header(text: object) -> str:
    """Header reduced to lower-case words joined by underscores (``'Care homes beds'`` -> ``'care_homes_beds'``)."""
    return re.sub(r"[^a-z0-9]+", "_", str(text).strip().lower()).strip("_")


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


def read_table_bytes(content: bytes, filename: str, max_bytes: int = MAX_UPLOAD_BYTES,
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
                             f"client list.")
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


def _columns(frame: pd.DataFrame) -> dict[str, str]:
    """Map canonical column names to the file's own headers."""
    headers = {normalise_header(column): column for column in frame.columns}
    found = {}
    for canonical, names in SYNONYMS.items():
        for name in names:
            if name in headers:
                found[canonical] = headers[name]
                break
    return found


def cell_text(record: dict, columns: dict[str, str], name: str) -> str:
    """Stripped text of a record's cell for a canonical column name ("" when absent or empty)."""
    value = record.get(columns.get(name, ""), "")
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    return str(value).strip()


def is_blank(record: dict) -> bool:
    """True for a row with no text in any cell (blank lines, Excel's empty rows)."""
    return not any(cell_text(record, {key: key}, key) for key in record)


def _number(value: str) -> float | None:
    text = str(value).strip().replace(",", "")
    if not text:
        return None
    try:
        number = float(text)
    except ValueError:
        return None
    return number if np.isfinite(number) else None


def read_client_table(
    content: bytes,
    filename: str,
    postcodes: pd.DataFrame,
    outline: gpd.GeoDataFrame,
    council_name: str,
    numeric: dict[str, tuple[float, float]] | None = None,
    required: Iterable[str] = (),
) -> ClientTable:
    """Validate a client list and locate each client.

    Parameters
    ----------
    content, filename : bytes, str
        The uploaded file.
    postcodes : DataFrame
        The council's postcodes (``postcode_key`` and point ``geometry`` in BNG).
    outline : GeoDataFrame
        The council's outline (BNG): clients more than 2 km outside it are rejected.
    council_name : str
        For messages.
    numeric : dict, optional
        Numeric columns to read, each with its allowed (minimum, maximum) range.
    required : iterable of str
        Canonical columns that must be present (e.g. ``"hours_per_week"``).

    Raises
    ------
    InputDataError
        When the file as a whole cannot be used (empty, not CSV/Excel, no header, missing columns,
        too many rows, or no valid row at all); row problems are listed in ``problems``.
    """
    numeric = numeric or {}
    frame, notes = read_table_bytes(content, filename)
    if frame.shape[1] < 2 or frame.empty:
        raise InputDataError(f"{filename!r} has no data rows or only one column. The first row must name the columns "
                             f"(e.g. client_id, postcode, hours_per_week).")
    if len(frame) > MAX_ROWS:
        raise InputDataError(f"{filename!r} has {len(frame):,} rows; the limit is {MAX_ROWS:,}. Split it by locality.")
    columns = _columns(frame)
    wanted = list(required)
    missing = [name for name in wanted if name not in columns]
    has_location = "postcode" in columns or {"lat", "lon"} <= set(columns) or {"easting", "northing"} <= set(columns)
    if missing or not has_location:
        need = missing + ([] if has_location else ["postcode (or lat and lon, or easting and northing)"])
        raise InputDataError(
            f"{filename!r} lacks the column(s): {', '.join(need)}. Its columns are: "
            f"{', '.join(map(str, frame.columns))}. Rename them (e.g. client_id, postcode, hours_per_week) and upload "
            f"again."
        )
    lookup = postcode_index(postcodes)
    px, py = postcodes.geometry.x.to_numpy(), postcodes.geometry.y.to_numpy()
    boundary = outline.union_all().buffer(OUTSIDE_TOLERANCE_M)
    problems: list[RowProblem] = []
    rows = []
    seen_ids: dict[str, int] = {}

    def reject(row_number: int, column: str | None, message: str) -> None:
        problems.append(RowProblem(row_number, column, message))

    for position, record in enumerate(frame.to_dict("records")):
        row_number = position + 2  # spreadsheet row: the header is row 1
        get = partial(cell_text, record, columns)
        if is_blank(record):
            continue
        client_id = get("client_id") or f"row {row_number}"
        if client_id in seen_ids:
            reject(row_number, columns.get("client_id"), f"client id {client_id!r} is already used on row "
                                                         f"{seen_ids[client_id]}; give each client a unique id.")
            continue
        values, bad = {}, False
        for name, (low, high) in numeric.items():
            if name not in columns:
                continue
            raw = get(name)
            number = _number(raw)
            if number is None:
                if raw == "" and name not in wanted:
                    continue
                reject(row_number, columns[name], f"{raw!r} is not a number; enter {name.replace('_', ' ')} as a "
                                                  f"number between {low:g} and {high:g}.")
                bad = True
                break
            if not low <= number <= high:
                reject(row_number, columns[name], f"{number:g} is outside the allowed range {low:g}–{high:g} for "
                                                  f"{name.replace('_', ' ')}.")
                bad = True
                break
            values[name] = number
        if bad:
            continue
        located = _locate(get, columns, lookup, px, py, council_name)
        if isinstance(located, RowProblem):
            reject(row_number, located.column, located.message)
            continue
        x, y, how, postcode = located
        if not boundary.contains(gpd.points_from_xy([x], [y])[0]):
            distance_km = boundary.distance(gpd.points_from_xy([x], [y])[0]) / 1000 + OUTSIDE_TOLERANCE_M / 1000
            reject(row_number, columns.get("postcode") or columns.get("lat") or columns.get("easting"),
                   f"the location is outside {council_name} (about {distance_km:.0f} km beyond its boundary); check "
                   f"the address or remove the client.")
            continue
        seen_ids[client_id] = row_number
        rows.append({"row": row_number, "client_id": client_id, "name": get("name"), "postcode": postcode,
                     "located_by": how, "windows": get("windows"), **values, "x": x, "y": y})
    if not rows:
        summary = "; ".join(str(p) for p in problems[:5])
        raise InputDataError(f"No usable client in {filename!r}. First problems: {summary}", [str(p) for p in problems])
    table = pd.DataFrame(rows)
    clients = gpd.GeoDataFrame(table.drop(columns=["x", "y"]), geometry=gpd.points_from_xy(table["x"], table["y"]),
                               crs=BNG)
    return ClientTable(clients, problems, notes)


def point_from_lat_lon(lat_text: str, lon_text: str, column: str | None) -> tuple[float, float] | RowProblem:
    """BNG easting and northing of a latitude/longitude in degrees, or the problem with them: not numbers,
    grid metres given as degrees, latitude and longitude swapped, or a place outside Great Britain."""
    lat, lon = _number(lat_text), _number(lon_text)
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


def _locate(get, columns, lookup, px, py, council_name):
    """(x, y, how, postcode) of one row, or the RowProblem that prevents it."""
    raw_postcode = get("postcode")
    if raw_postcode:
        key = postcode_key(raw_postcode)
        if key in lookup.index:
            position = lookup[key]
            return px[position], py[position], "postcode", format_postcode(raw_postcode)
        has_coordinates = (get("lat") and get("lon")) or (get("easting") and get("northing"))
        if not has_coordinates:
            if not is_valid_postcode(raw_postcode):
                return RowProblem(None, columns["postcode"], f"{raw_postcode!r} is not a UK postcode; correct it "
                                                             f"(e.g. 'HR1 2JB') or give lat and lon.")
            return RowProblem(None, columns["postcode"], f"{format_postcode(raw_postcode)!r} is not a postcode in "
                                                         f"{council_name}; check it, or give lat and lon.")
    if get("lat") or get("lon"):
        point = point_from_lat_lon(get("lat"), get("lon"), columns.get("lat"))
        if isinstance(point, RowProblem):
            return point
        return (*point, "lat/lon", format_postcode(raw_postcode) if raw_postcode else "")
    if get("easting") or get("northing"):
        x, y = _number(get("easting")), _number(get("northing"))
        if x is None or y is None or not in_great_britain_bng(np.array([x]), np.array([y]))[0]:
            return RowProblem(None, columns.get("easting"), "easting and northing must be British National Grid "
                                                            "metres (e.g. 351258, 239912).")
        return x, y, "easting/northing", format_postcode(raw_postcode) if raw_postcode else ""
    return RowProblem(None, columns.get("postcode"), "no location: give a postcode, or lat and lon.")
