"""Read a user's client list (CSV or Excel) into validated points, listing every problem row by row.

Nothing is written to disk and nothing is evaluated: the file is parsed as text (or as a workbook by
openpyxl) and each value is checked. Valid rows are kept; every rejected row is listed with its row
number, column, what is wrong and how to fix it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial
from typing import Iterable

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.errors import InputDataError
from geo.postcode import format_postcode, is_valid_postcode, postcode_key
from geo.units import in_great_britain_bng
from layers.postcodes import postcode_index
from layers.user_files import (
    MAX_ROWS,
    RowProblem,
    UploadSummary,
    cell_text,
    is_blank,
    match_columns,
    parse_number,
    point_from_lat_lon,
    points_frame,
    read_table_bytes,
)

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


def read_client_table(
    content: bytes,
    filename: str,
    *,
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
    columns = match_columns(frame.columns, SYNONYMS)
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
            number = parse_number(raw)
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
        located = _locate(get, columns, lookup, (px, py), council_name)
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
    return ClientTable(points_frame(rows), problems, notes)


def _locate(get, columns, lookup, postcode_xy, council_name):
    """(x, y, how, postcode) of one row, or the RowProblem that prevents it."""
    px, py = postcode_xy
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
        x, y = parse_number(get("easting")), parse_number(get("northing"))
        if x is None or y is None or not in_great_britain_bng(np.array([x]), np.array([y]))[0]:
            return RowProblem(None, columns.get("easting"), "easting and northing must be British National Grid "
                                                            "metres (e.g. 351258, 239912).")
        return x, y, "easting/northing", format_postcode(raw_postcode) if raw_postcode else ""
    return RowProblem(None, columns.get("postcode"), "no location: give a postcode, or lat and lon.")
