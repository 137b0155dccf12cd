"""A user's cells read as values: text with placeholders of coordinates read as empty, numbers with thousands
separators and decimal commas (refused, with the reason, where they could be read two ways or a workbook shows them
as a date, time or percentage), the decimal mark a file uses, and latitude/longitude checked and turned into
British National Grid points."""

from __future__ import annotations

import re
from typing import Iterable, Mapping

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.units import BNG, in_great_britain_bng, in_great_britain_lonlat, lonlat_to_bng
from layers import workbooks
from layers.user_files import RowProblem, quote

PLACEHOLDERS = frozenset({"null", "none", "nan", "n/a", "na", "#n/a", "#na", "-", "--", "—", "–", "?", "nil",
                          "missing", "unknown", "not known", "tbc", "#value!", "#ref!", "#num!", "#div/0!", "#null!",
                          "#name?", "0,0", "0.0,0.0", "0, 0", "0 0"})
"""Cell texts that stand for "no value" in a coordinate column (a row is then placed by its postcode)."""
COORDINATE_COLUMNS = ("lat", "lon", "easting", "northing")
ZERO_MEANS_MISSING = ("lat", "easting", "northing")
"""Coordinates that are never 0 in Great Britain (longitude 0 is the Greenwich meridian and is kept)."""


def cell_text(record: dict, columns: Mapping[str, str], name: str) -> str:
    """Stripped text of a record's cell for a canonical column name ("" when absent or empty).

    In a coordinate column, a placeholder (``NULL``, ``#N/A``, ``n/a``, ``-``, ``0,0``; ``0`` where a zero is
    impossible in Great Britain) reads as empty, so the row is placed by its postcode instead.
    """
    value = record.get(columns.get(name, ""), "")
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, workbooks.FormattedNumber):
        return value  # kept as it is, so that a number reader sees how the workbook showed it
    text = str(value).strip()
    if name in COORDINATE_COLUMNS and _is_placeholder(text, zero=name in ZERO_MEANS_MISSING):
        return ""
    return text


def _is_placeholder(text: str, *, zero: bool) -> bool:
    squeezed = " ".join(text.lower().split())
    return squeezed in PLACEHOLDERS or (zero and re.fullmatch(r"[+-]?0+([.,]0*)?", squeezed) is not None)


def is_blank(record: dict) -> bool:
    """True for a row with no text in any cell (blank lines, Excel's empty rows)."""
    return not any(cell_text(record, {key: key}, key) for key in record)


class AmbiguousNumber(ValueError):
    """A number that can be read two ways, refused with a message saying so rather than guessed: ``1,234`` in a
    file whose decimals are written with commas, a workbook cell shown as 10:30 or 25% but stored as 0.4375 or 0.25,
    digits other than 0–9 (full-width ``１０``)."""


_SPACES_IN_NUMBER = re.compile(r"(?<=\d)[ \u00a0\u202f'](?=\d{3}(\D|$))", re.ASCII)
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?", re.ASCII)
_SHOWN_AS = {
    "time": "a time of day in the spreadsheet (stored as {text} of a day), not a number: enter the number itself (e.g. "
            "10.5 for ten and a half hours) in a cell formatted as Number",
    "duration": "a duration in the spreadsheet (stored as {text} of a day), not a number: enter the number itself "
                "in a cell formatted as Number",
    "date": "a date in the spreadsheet, not a number: format the column as Number and enter the value again",
    "percent": "a percentage in the spreadsheet (stored as {text}), not a number: format the column as Number and "
               "enter the value itself (25, not 25%)",
}


def formatted_cell_problem(cell: workbooks.FormattedNumber) -> str:
    """Why a workbook cell shown as a date, time, duration or percentage is not read as a number, and the fix."""
    return f"{quote(cell.shown)} is {_SHOWN_AS[cell.kind].format(text=cell.stored)}."


def parse_number(value: object, *, decimal: str = ".", degrees: bool = False) -> float | None:
    """A finite number from a cell's text, or None when it is not one.

    Thousands separators and decimal commas are understood: ``7,5`` is 7.5, ``1,234.5`` and ``1.234,5`` are
    1234.5. A single separator followed by three digits (``1,234``, ``1.234``) is a thousands separator where
    the file writes decimals with a point (``decimal="."``) and cannot be told apart otherwise.

    Parameters
    ----------
    value : object
        The cell.
    decimal : {".", ",", "mixed"}
        The file's decimal mark (see :func:`decimal_mark`).
    degrees : bool
        The value is an angle (latitude or longitude): never grouped in thousands, so one separator is the
        decimal mark.

    Raises
    ------
    AmbiguousNumber
        For a number that could be read two ways, a workbook cell shown as a date, time, duration or percentage
        (:class:`layers.workbooks.FormattedNumber`), or digits other than 0–9.
    """
    if isinstance(value, workbooks.FormattedNumber):
        raise AmbiguousNumber(formatted_cell_problem(value))
    text = _SPACES_IN_NUMBER.sub("", str(value).strip().replace("\u2212", "-"))
    if not text:
        return None
    if any(char.isdigit() and not char.isascii() for char in text):
        raise AmbiguousNumber(f"{quote(text)} is written with digits other than 0–9 (full-width or another script's): "
                              f"retype it with the digits 0–9.")
    sign = text[0] if text[0] in "+-" else ""
    body, _, exponent = text[len(sign):].partition("e") if "e" in text.lower() else (text[len(sign):], "", "")
    body = body.rstrip("Ee") if exponent else body
    if not re.fullmatch(r"[0-9.,]+", body) or not re.search(r"[0-9]", body):
        return _finite(text) if _PLAIN_NUMBER.fullmatch(text) else None
    plain = _plain_digits(body, decimal=decimal, degrees=degrees, shown=text)
    if plain is None:
        return None
    return _finite(f"{sign}{plain}" + (f"e{exponent}" if exponent else ""))


def _finite(text: str) -> float | None:
    try:
        number = float(text)
    except ValueError:
        return None
    return number if np.isfinite(number) else None


def _plain_digits(body: str, *, decimal: str, degrees: bool, shown: str) -> str | None:
    """``body`` (digits and separators) with thousands separators removed and a point as decimal mark."""
    commas, points = body.count(","), body.count(".")
    if not commas and not points:
        return body
    if commas and points:
        mark = "," if body.rfind(",") > body.rfind(".") else "."
        group = "." if mark == "," else ","
        whole, _, fraction = body.rpartition(mark)
        if mark in whole or not re.fullmatch(rf"\d{{1,3}}(\{group}\d{{3}})+", whole) or not fraction.isdigit():
            return None
        return f"{whole.replace(group, '')}.{fraction}"
    separator = "," if commas else "."
    if commas + points > 1:
        if degrees or not re.fullmatch(rf"\d{{1,3}}(\{separator}\d{{3}})+", body):
            return None
        return body.replace(separator, "")
    whole, fraction = body.split(separator)
    if not fraction.isdigit() and fraction:
        return None
    grouping_possible = not degrees and len(fraction) == 3 and 1 <= len(whole) <= 3 and not whole.startswith("0")
    if not grouping_possible:
        return f"{whole or '0'}.{fraction or '0'}"
    if decimal == ".":
        return f"{whole}.{fraction}" if separator == "." else whole + fraction
    how = "with commas" if decimal == "," else "both with commas and with points"
    raise AmbiguousNumber(f"{quote(shown)} could mean {whole}.{fraction} or {whole}{fraction}: this file writes decimals "
                          f"{how}, and a separator before three digits can also group thousands. Write it without a "
                          f"thousands separator ({whole}{fraction}) or, if it is a decimal, with four decimals "
                          f"({whole}{separator}{fraction}0).")


_COMMA_DECIMAL = re.compile(r"[+-]?(\d*,(\d{1,2}|\d{4,})|0,\d+|\d{4,},\d+|\d{1,3}(\.\d{3})+,\d+)", re.ASCII)
_POINT_DECIMAL = re.compile(r"[+-]?(\d*\.(\d{1,2}|\d{4,})|0\.\d+|\d{4,}\.\d+|\d{1,3}(,\d{3})+\.\d+)", re.ASCII)


def decimal_mark(values: Iterable[object], *, default: str = ".") -> str:
    """The decimal mark a file's numbers use: ``","``, ``"."``, or ``"mixed"`` when they use both.

    Only numbers that can be read one way count (``7,5``, ``7.25``, ``1.234,5``); with none, ``default``
    (the mark the file's format suggests, :attr:`TableText.decimal`).
    """
    comma = point = False
    for value in values:
        text = _SPACES_IN_NUMBER.sub("", str(value).strip())
        comma = comma or _COMMA_DECIMAL.fullmatch(text) is not None
        point = point or _POINT_DECIMAL.fullmatch(text) is not None
        if comma and point:
            return "mixed"
    return "," if comma else "." if point else default


def point_from_lat_lon(lat_text: str, lon_text: str, column: str | None) -> tuple[float, float] | RowProblem:
    """BNG easting and northing of a latitude/longitude in degrees, or the problem with them: not numbers,
    grid metres given as degrees, latitude and longitude swapped, or a place outside Great Britain."""
    try:
        lat, lon = parse_number(lat_text, degrees=True), parse_number(lon_text, degrees=True)
    except AmbiguousNumber as error:
        return RowProblem(None, column, str(error))
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
