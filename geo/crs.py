"""Coordinates checked where they enter the numeric cores: layers in British National Grid, arrays in metres.

Every distance in the tool is measured in British National Grid (EPSG:27700) metres. Two entries guard that,
as spopt's ``from_geodataframe`` constructors guard their array cores:

* :func:`to_bng` for a GeoDataFrame or GeoSeries: one in another CRS is reprojected, with a
  :class:`~geo.errors.ReprojectedWarning` saying so; one without a CRS is refused, naming the fix.
* :func:`metres` for an array of (x, y) pairs: coordinates that are plainly degrees (every x within ±180 and every
  y within ±90) are refused, since read as metres they would put every point within a few hundred metres of
  the grid's origin, off the Isles of Scilly, and give wrong answers without an error.

:func:`points_xy` takes either and returns the (n × 2) array of BNG metres the cores work on.
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from geo.errors import InputDataError, ReprojectedWarning
from geo.units import BNG

if TYPE_CHECKING:
    import geopandas as gpd

_LIBRARY = tuple(str(Path(__file__).resolve().parent.parent / package) for package in
                 ("geo", "layers", "routing", "analyses", "caremap", "ui", "app_pages"))


def _callers_level() -> int:
    """The ``stacklevel`` that points a warning raised by this module's caller at the first line outside the
    library: the user's own call."""
    frame, level = sys._getframe(2), 2
    while frame.f_back is not None and frame.f_code.co_filename.startswith(_LIBRARY):
        frame, level = frame.f_back, level + 1
    return level


def is_bng(crs: Any) -> bool:
    """True when a CRS is British National Grid."""
    return crs is not None and crs == BNG


def to_bng(frame: "gpd.GeoDataFrame | gpd.GeoSeries", *, name: str) -> "gpd.GeoDataFrame | gpd.GeoSeries":
    """A layer in British National Grid: as it is when it already is, else reprojected with a warning.

    Parameters
    ----------
    frame : GeoDataFrame or GeoSeries
    name : str
        What the layer is, as the caller passed it (``"homes"``), for the messages.

    Raises
    ------
    InputDataError
        If the layer has no CRS: its coordinates could be metres or degrees.

    Warns
    -----
    ReprojectedWarning
        When the layer was in another CRS and has been reprojected.
    """
    if frame.crs is None:
        raise InputDataError(
            f"{name} has no coordinate reference system, so its coordinates cannot be read as metres or degrees. "
            f"Set it first: .set_crs('EPSG:4326') for longitude/latitude, or .set_crs('EPSG:27700') for British "
            f"National Grid metres.")
    if is_bng(frame.crs):
        return frame
    warnings.warn(ReprojectedWarning(
        f"{name} was in {frame.crs.name} ({frame.crs.to_string()}): reprojected to British National Grid "
        f"(EPSG:27700), in which every distance is measured."), stacklevel=_callers_level())
    return frame.to_crs(BNG)


def metres(points: Any, *, name: str = "points") -> np.ndarray:
    """An (n × 2) float array of (easting, northing) in BNG metres, checked.

    A single pair may be given flat (``[x, y]``). Rows that are not finite are left as they are (callers flag
    them); the degrees check looks at the finite rows.

    Raises
    ------
    InputDataError
        If the values are not (x, y) pairs of numbers, or are plainly longitude/latitude degrees.
    """
    try:
        xy = np.asarray(points, dtype=float)
    except (TypeError, ValueError) as error:
        raise InputDataError(f"{name} must be (easting, northing) pairs of numbers in BNG metres: {error}.") from None
    if xy.ndim == 1 and xy.size == 2:
        xy = xy.reshape(1, 2)
    if xy.ndim == 1 and xy.size == 0:
        xy = xy.reshape(0, 2)
    if xy.ndim != 2 or xy.shape[1] != 2:
        raise InputDataError(f"{name} must be an array of (easting, northing) pairs in BNG metres, shape (n, 2); "
                             f"got shape {xy.shape}.")
    finite = np.isfinite(xy).all(axis=1)
    if finite.any() and (np.abs(xy[finite, 0]) <= 180).all() and (np.abs(xy[finite, 1]) <= 90).all():
        raise InputDataError(
            f"{name} look like longitude/latitude degrees (every x within ±180 and y within ±90), but travel is "
            f"measured in British National Grid metres (EPSG:27700). Project them first (geo.units.lonlat_to_bng), "
            f"or pass a GeoDataFrame whose CRS is set.")
    return xy


def points_xy(points: Any, *, name: str = "points") -> np.ndarray:
    """The (n × 2) BNG metres of point locations given as a GeoDataFrame/GeoSeries of points (any CRS, reprojected
    with a warning; see :func:`to_bng`) or as an array of (x, y) pairs in metres (see :func:`metres`).

    Raises
    ------
    InputDataError
        For a layer without a CRS or with geometries other than points, or an array in degrees.
    """
    geometry = getattr(points, "geometry", None)
    if geometry is not None and hasattr(points, "crs"):
        geometry = to_bng(geometry, name=name)
        kinds = set(geometry.geom_type.dropna().unique())
        if kinds - {"Point"}:
            raise InputDataError(f"{name} should hold points, not {', '.join(sorted(kinds - {'Point'}))}: use "
                                 f".representative_point() or .centroid for areas.")
        return np.column_stack([geometry.x.to_numpy(dtype=float), geometry.y.to_numpy(dtype=float)])
    return metres(points, name=name)
