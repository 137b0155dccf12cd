"""Units and coordinate reference systems used throughout the project."""

from __future__ import annotations

from functools import cache

import numpy as np
from pyproj import Transformer

BNG = "EPSG:27700"
"""British National Grid: every layer and every distance computation uses it (metres)."""

WGS84 = "EPSG:4326"
"""Longitude/latitude: only for maps and for user files given in degrees."""

METRES_PER_MILE = 1609.344

# Generous box around Great Britain in BNG metres; points outside it cannot be British addresses.
GB_EASTING_RANGE = (-10_000.0, 700_000.0)
GB_NORTHING_RANGE = (-10_000.0, 1_250_000.0)
GB_LON_RANGE = (-8.8, 2.0)
GB_LAT_RANGE = (49.8, 61.0)


@cache
def _to_bng() -> Transformer:
    """WGS84 → BNG, made when first used (not at import)."""
    return Transformer.from_crs(WGS84, BNG, always_xy=True)


def lonlat_to_bng(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Project WGS84 longitude/latitude (degrees) to BNG easting/northing (metres)."""
    x, y = _to_bng().transform(np.asarray(lon, dtype=float), np.asarray(lat, dtype=float))
    return np.asarray(x), np.asarray(y)



def in_great_britain_lonlat(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """True where a longitude/latitude pair falls in a box around Great Britain."""
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    return (
        (lon >= GB_LON_RANGE[0]) & (lon <= GB_LON_RANGE[1]) & (lat >= GB_LAT_RANGE[0]) & (lat <= GB_LAT_RANGE[1])
    )


def in_great_britain_bng(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """True where an easting/northing pair falls in a box around Great Britain."""
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    return (
        (x >= GB_EASTING_RANGE[0]) & (x <= GB_EASTING_RANGE[1]) & (y >= GB_NORTHING_RANGE[0]) & (y <= GB_NORTHING_RANGE[1])
    )
