"""Read a user's client list (CSV, Excel or ODS) into validated points, listing every problem row by row.

Nothing is written to disk and nothing is evaluated: the file is parsed as text (workbooks by the streaming
reader of :mod:`layers.workbooks`) and each value is checked. Valid rows are kept; every rejected row is
listed with its row number, column, what is wrong and how to fix it. A value that can be read two ways is
refused with a message saying so, never guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import partial
from typing import Callable, Iterable, Mapping, Sequence

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.errors import InputDataError
from geo.postcode import format_postcode, is_valid_postcode, postcode_key
from geo.units import in_great_britain_bng
from layers.cell_values import AmbiguousNumber, cell_text, decimal_mark, parse_number, point_from_lat_lon, points_frame
from layers.postcodes import postcode_index
from layers.user_files import (
    CLIENT_LIST,
    RowProblem,
    UploadSummary,
    match_columns,
    quote,
    shown_name,
)
from layers.user_tables import read_table
from layers.workbooks import FormattedNumber

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


WHOLE_NUMBERS = frozenset({"calls_per_day", "days_per_week"})
"""Columns that count things: a fraction there is refused rather than cut (2.7 calls a day is not 2)."""
_ID_AS_ROUNDED_NUMBER = re.compile(r"[+-]?\d(\.\d+)?[eE][+-]?\d+")
"""An id a spreadsheet turned into a rounded number (``1.23457E+19``)."""
NUMBER_COLUMNS = ("lat", "lon", "easting", "northing")
"""Location columns whose numbers tell, with the numeric columns, how the file writes decimals."""
DURATION_UNITS = {"hours_per_week": (24.0, "hours"), "minutes_per_call": (24.0 * 60.0, "minutes")}
"""Columns in which a workbook cell formatted as a duration (``[h]:mm``: elapsed time, stored as a fraction of a
day) is read as the time it shows, in the column's unit, and said in a note. A time of day (``hh:mm``), a date or
a percentage there is refused: 10:30 as a time of day is a clock reading, almost surely not meant as hours."""


def read_client_table(
    content: bytes,
    filename: str,
    *,
    postcodes: pd.DataFrame,
    outline: gpd.GeoDataFrame,
    council_name: str,
    numeric: dict[str, tuple[float, float]] | None = None,
    required: Iterable[str] = (),
    one_of: Sequence[Sequence[str]] = (),
    one_of_text: str | None = None,
    checks: Mapping[str, Callable[[str], object]] | None = None,
    example: str = "client_id, postcode, hours_per_week",
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
        Numeric columns to read, each with its allowed (minimum, maximum) range; those in
        :data:`WHOLE_NUMBERS` must be whole numbers.
    required : iterable of str
        Canonical columns that must be present (e.g. ``"hours_per_week"``), and filled on every row.
    one_of : sequence of sequences of str
        Alternative sets of columns of which the file must hold one (the first complete set is then required
        as ``required`` is), e.g. ``[["hours_per_week"], ["minutes_per_call"]]``.
    one_of_text : str, optional
        How to name those alternatives in the message when the file holds none of them (default: the sets joined).
    checks : mapping, optional
        Canonical column -> a function of a non-empty cell's text that raises :class:`InputDataError` when
        the text cannot be used (e.g. call windows). Applied before a row claims its client id.
    example : str
        Column names the messages suggest (what the page or command reading the list uses).

    Raises
    ------
    InputDataError
        When the file as a whole cannot be used (empty, not CSV/Excel/ODS, no header, missing columns,
        too many rows, or no valid row at all); row problems are listed in ``problems``.
    """
    numeric, checks = numeric or {}, checks or {}
    shown = shown_name(filename)
    table = read_table(content, filename, limits=CLIENT_LIST, columns=SYNONYMS)
    frame = table.frame
    if len(table.headers) < 2 or (frame.empty and not table.problems):
        raise InputDataError(f"{shown} has no data rows or only one column. The first row must name the columns "
                             f"(e.g. {example}).")
    columns = match_columns(frame.columns, SYNONYMS)
    wanted = list(required) + next((list(names) for names in one_of if set(names) <= set(columns)), [])
    missing = [name for name in required if name not in columns]
    if one_of and not any(set(names) <= set(columns) for names in one_of):
        missing.append(one_of_text or " or ".join(" + ".join(names) for names in one_of))
    has_location = "postcode" in columns or {"lat", "lon"} <= set(columns) or {"easting", "northing"} <= set(columns)
    if missing or not has_location:
        need = missing + ([] if has_location else ["postcode (or lat and lon, or easting and northing)"])
        raise InputDataError(
            f"{shown} lacks the column(s): {', '.join(need)}. Its columns are: "
            f"{', '.join(quote(header, limit=40) for header in table.headers[:30])}"
            f"{'…' if len(table.headers) > 30 else ''}. Rename them (e.g. {example}) and "
            f"upload again."
        )
    decimal = decimal_mark((value for name in (*numeric, *NUMBER_COLUMNS) if name in columns
                            for value in frame[columns[name]]), default=table.decimal)
    lookup = postcode_index(postcodes)
    px, py = postcodes.geometry.x.to_numpy(), postcodes.geometry.y.to_numpy()
    boundary = outline.union_all().buffer(OUTSIDE_TOLERANCE_M)
    problems: list[RowProblem] = list(table.problems)
    rows = []
    seen_ids: dict[str, int] = {}
    durations: list[str] = []

    def reject(row_number: int, column: str | None, message: str) -> None:
        problems.append(RowProblem(row_number, column, message))

    for row_number, record in zip(frame.index, frame.to_dict("records")):
        get = partial(cell_text, record, columns)
        client_id = get("client_id") or f"row {row_number}"
        if _ID_AS_ROUNDED_NUMBER.fullmatch(client_id):
            reject(row_number, columns.get("client_id"), f"client id {quote(client_id)} is a number too long for a "
                                                         f"spreadsheet to keep exactly (15 digits), so two ids may have "
                                                         f"become one. Format the id column as text, enter the ids again "
                                                         f"and upload.")
            continue
        if client_id in seen_ids:
            reject(row_number, columns.get("client_id"), f"client id {quote(client_id)} is already used on row "
                                                         f"{seen_ids[client_id]}; give each client a unique id.")
            continue
        read_durations: list[str] = []
        values = _numbers(get, columns, numeric, wanted=wanted, decimal=decimal, durations=read_durations)
        if isinstance(values, RowProblem):
            reject(row_number, values.column, values.message)
            continue
        failed = _failed_check(get, columns, checks)
        if failed:
            reject(row_number, failed.column, failed.message)
            continue
        located = _locate(get, columns, lookup, (px, py), council_name, decimal=decimal)
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
        seen_ids[client_id] = row_number  # only a valid row claims its id
        durations += [f"row {row_number}, {duration}" for duration in read_durations]
        rows.append({"row": int(row_number), "client_id": client_id, "name": get("name"), "postcode": postcode,
                     "located_by": how, "windows": get("windows"), **values, "x": x, "y": y})
    problems.sort(key=lambda problem: problem.row or 0)
    if not rows:
        summary = "; ".join(str(p) for p in problems[:5])
        raise InputDataError(f"No usable client in {shown}. First problems: {summary}", [str(p) for p in problems])
    if durations:
        table.notes.append(f"{len(durations):,} cell(s) formatted as durations ([h]:mm) were read as the time they "
                           f"show: {'; '.join(durations[:5])}{'; …' if len(durations) > 5 else ''}.")
    return ClientTable(points_frame(rows), problems, table.notes)


def _numbers(get, columns, numeric, *, wanted, decimal, durations: list[str]) -> dict[str, float] | RowProblem:
    """The row's numeric values, checked against their ranges, or the first problem. A duration read in a column
    of :data:`DURATION_UNITS` is said in ``durations``."""
    values = {}
    for name, (low, high) in numeric.items():
        if name not in columns:
            continue
        raw, label = get(name), name.replace("_", " ")
        try:
            if isinstance(raw, FormattedNumber) and raw.kind == "duration" and name in DURATION_UNITS:
                per_day, unit = DURATION_UNITS[name]
                number = round(float(raw.stored) * per_day, 6)
                durations.append(f"column {quote(columns[name])}: {raw.shown} as {number:g} {unit}")
            else:
                number = parse_number(raw, decimal=decimal)
        except AmbiguousNumber as error:
            return RowProblem(None, columns[name], str(error))
        if number is None:
            if raw == "" and name not in wanted:
                continue
            what = "a whole number" if name in WHOLE_NUMBERS else "a number"
            return RowProblem(None, columns[name], f"{quote(raw)} is not a number; enter {label} as {what} between "
                                                   f"{low:g} and {high:g}.")
        if not low <= number <= high:
            return RowProblem(None, columns[name], f"{number:g} is outside the allowed range {low:g}–{high:g} for "
                                                   f"{label}.")
        if name in WHOLE_NUMBERS and number != int(number):
            return RowProblem(None, columns[name], f"{quote(raw)} is not a whole number: {label} counts, so round it "
                                                   f"to a whole number between {low:g} and {high:g}.")
        values[name] = number
    return values


def _failed_check(get, columns, checks) -> RowProblem | None:
    for name, check in checks.items():
        text = get(name)
        if name not in columns or not text:
            continue
        try:
            check(text)
        except InputDataError as error:
            return RowProblem(None, columns[name], str(error))
    return None


def _locate(get, columns, lookup, postcode_xy, council_name, *, decimal="."):
    """(x, y, how, postcode) of one row, or the RowProblem that prevents it."""
    px, py = postcode_xy
    raw_postcode = get("postcode")
    lat, lon, easting, northing = get("lat"), get("lon"), get("easting"), get("northing")
    if raw_postcode:
        key = postcode_key(raw_postcode)
        if key in lookup.index:
            position = lookup[key]
            return px[position], py[position], "postcode", format_postcode(raw_postcode)
        if not ((lat and lon) or (easting and northing)):
            if not is_valid_postcode(raw_postcode):
                return RowProblem(None, columns["postcode"], f"{quote(raw_postcode)} is not a UK postcode; correct it "
                                                             f"(e.g. 'HR1 2JB') or give lat and lon.")
            return RowProblem(None, columns["postcode"], f"{quote(format_postcode(raw_postcode))} is not a postcode in "
                                                         f"{council_name}; check it, or give lat and lon.")
    shown_postcode = format_postcode(raw_postcode) if raw_postcode else ""
    if lat or lon:
        point = point_from_lat_lon(lat, lon, columns.get("lat"))
        if isinstance(point, RowProblem):
            return point
        return (*point, "lat/lon", shown_postcode)
    if easting or northing:
        try:
            x, y = parse_number(easting, decimal=decimal), parse_number(northing, decimal=decimal)
        except AmbiguousNumber as error:
            return RowProblem(None, columns.get("easting"), str(error))
        if x is None or y is None or not in_great_britain_bng(np.array([x]), np.array([y]))[0]:
            return RowProblem(None, columns.get("easting"), "easting and northing must be British National Grid "
                                                            "metres (e.g. 351258, 239912).")
        return x, y, "easting/northing", shown_postcode
    return RowProblem(None, columns.get("postcode"), "no location: give a postcode, or lat and lon.")
