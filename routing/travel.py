"""What every travel-time engine answers, and the checks made on what it is asked.

:class:`TravelEngine` is the interface of real roads (:class:`routing.road_engine.RoadEngine`) and of the labelled
straight-line estimate (:class:`routing.estimate.EstimateEngine`). Its public methods check their arguments once,
here, and hand arrays to the engine's own ``_matrix``, ``_nearest``, … :

* points are (easting, northing) in British National Grid **metres**, as an (n × 2) array, or a GeoDataFrame /
  GeoSeries of points (any CRS: reprojected with a warning; see :mod:`geo.crs`); arrays that are plainly
  longitude/latitude degrees are refused;
* travel comes back in **minutes** and **miles**; limits are given in the same units;
* ``by``, ``direction`` and the limits are validated before any search.
"""

from __future__ import annotations

import abc
from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np
import pandas as pd
from shapely.geometry import LineString
from shapely.geometry.base import BaseGeometry

from geo.checks import number, one_of
from geo.crs import points_xy
from geo.errors import InputDataError
from geo.units import METRES_PER_MILE
from routing.settings import RoutingSettings

ROAD = "road"
ESTIMATE = "estimate"
"""Methods an engine's results are labelled with (``TravelMatrix.method``, the ``method`` columns)."""
MEASURES = ("time", "distance")
DIRECTIONS = ("to", "from")
Points = Any
"""(easting, northing) pairs in BNG metres (array-like, n × 2 or one flat pair), or a GeoDataFrame/GeoSeries of
points."""


@dataclass(frozen=True)
class Snap:
    """Where points join the network: node position, straight distance to it (metres), and a far flag."""

    node: np.ndarray
    distance_m: np.ndarray
    far: np.ndarray


@dataclass(frozen=True)
class TravelMatrix:
    """Origins × destinations travel minutes and miles, with how they were obtained.

    ``minutes`` and ``miles`` are ``inf`` where a destination cannot be reached (or lies beyond the
    cutoff); ``reachable`` says which pairs have a route. Both measures follow the same route: the
    fastest one (``by="time"``) or the shortest (``by="distance"``).
    """

    minutes: np.ndarray
    miles: np.ndarray
    method: str
    by: str
    origin_snap_m: np.ndarray
    destination_snap_m: np.ndarray
    origin_far: np.ndarray
    destination_far: np.ndarray

    @property
    def reachable(self) -> np.ndarray:
        return np.isfinite(self.minutes)


@dataclass(frozen=True)
class RoutePath:
    """The route between two points: a line in BNG with its minutes and miles."""

    line: LineString
    minutes: float
    miles: float
    method: str


def internal_units(by: str) -> float:
    """Seconds per minute or metres per mile: converts a user limit (minutes or miles) to internal units."""
    return 60.0 if by == "time" else METRES_PER_MILE


def _limit(value: float | None, *, name: str) -> float | None:
    """A cutoff or limit: None, or a number of at least 0 (minutes or miles; ``inf`` for none)."""
    if value is None:
        return None
    checked = number(value, name=name) if not (isinstance(value, (int, float)) and value == np.inf) else np.inf
    if checked < 0:
        raise InputDataError(f"{name} {checked:g} is not allowed: give 0 or more (minutes or miles), or None.")
    return checked


def _boxes(boxes: Any) -> np.ndarray | None:
    """Boxes (k × 4: xmin, ymin, xmax, ymax, BNG metres), or None."""
    if boxes is None:
        return None
    try:
        array = np.asarray(boxes, dtype=float)
    except (TypeError, ValueError):
        array = np.empty((0, 0))
    if array.ndim != 2 or array.shape[1] != 4:
        raise InputDataError("boxes must be an array of (xmin, ymin, xmax, ymax) rows in BNG metres, shape (k, 4).")
    return array


class TravelEngine(abc.ABC):
    """What every travel-time engine answers, with the same signatures: real roads (``RoadEngine``) or the
    labelled straight-line estimate (``EstimateEngine``).

    Points are (easting, northing) in BNG metres, or a GeoDataFrame/GeoSeries of points (see the module's
    docstring); minutes and miles come back.
    """

    method: str = ""
    label: str = ""
    settings: RoutingSettings

    @property
    def is_estimate(self) -> bool:
        """True for the straight-line estimate (its figures must be labelled as estimates)."""
        return self.method == ESTIMATE

    @property
    @abc.abstractmethod
    def token(self) -> str:
        """Text that identifies the engine's results (network and settings), for caching results."""

    # --- The public entries: arguments checked here, once ----------------------------------------------------

    def snap(self, points: Points) -> Snap:
        """Where points join the network (the estimate joins them where they are).

        Parameters
        ----------
        points : array of (easting, northing), BNG metres, or a GeoDataFrame/GeoSeries of points
        """
        return self._snap(points_xy(points, name="points"))

    def matrix(self, origins: Points, destinations: Points, *, cutoff: float | None = None, by: str = "time",
               with_other: bool = True) -> TravelMatrix:
        """Travel from each origin to each destination.

        Parameters
        ----------
        origins, destinations : array of (easting, northing), BNG metres, or GeoDataFrame/GeoSeries of points
            Arrays that are plainly longitude/latitude degrees are refused.
        cutoff : float, optional
            Ignore routes longer than this many minutes (``by="time"``) or miles (``by="distance"``); such pairs
            come back as ``inf``. Give one whenever longer trips do not matter: it bounds the area searched.
        by : {"time", "distance"}
            Fastest or shortest routes; both minutes and miles are measured along the chosen route.
        with_other : bool
            Also measure the other quantity along the route (miles for ``by="time"``); False leaves it NaN.

        Returns
        -------
        TravelMatrix
            ``minutes`` and ``miles``, origins × destinations.

        Raises
        ------
        InputDataError
            For points in degrees or without a CRS, an unknown ``by`` or a negative cutoff.
        """
        return self._matrix(points_xy(origins, name="origins"), points_xy(destinations, name="destinations"),
                            cutoff=_limit(cutoff, name="cutoff"), by=one_of(by, MEASURES, name="by"),
                            with_other=bool(with_other))

    def nearest(self, points: Points, facilities: Points, *, by: str = "time", direction: str = "to",
                limit: float | None = None, facility_ids: Sequence | None = None,
                with_other: bool = True) -> pd.DataFrame:
        """Nearest facility of every point.

        Parameters
        ----------
        points, facilities : array of (easting, northing), BNG metres, or GeoDataFrame/GeoSeries of points
        by : {"time", "distance"}
            Nearest by travel time or by road distance.
        direction : {"to", "from"}
            Travel from each point to the facility (residents going to a care home) or from the
            facility to the point (a carer leaving a base).
        limit : float, optional
            Stop searching beyond this many minutes (or miles); farther points are unreachable.
        facility_ids : sequence, optional
            Labels of the facilities for the ``facility_id`` column (default: their positions).
        with_other : bool
            Also measure the other quantity (miles when ``by="time"``) along each route; False leaves it NaN.

        Returns
        -------
        DataFrame
            One row per point: ``facility`` (position, -1 if none), ``facility_id``, ``minutes``,
            ``miles`` (``inf`` if unreachable), ``reachable``, ``snap_m``, ``far_from_road``, ``method``.
        """
        facilities = points_xy(facilities, name="facilities")
        if facility_ids is not None and len(facility_ids) != len(facilities):
            raise InputDataError(f"facility_ids has {len(facility_ids)} labels for {len(facilities)} facilities: "
                                 f"give one label per facility.")
        return self._nearest(points_xy(points, name="points"), facilities, by=one_of(by, MEASURES, name="by"),
                             direction=one_of(direction, DIRECTIONS, name="direction"),
                             limit=_limit(limit, name="limit"), facility_ids=facility_ids, with_other=bool(with_other))

    def paths(self, starts: Points, ends: Points) -> list[RoutePath]:
        """The fastest route of each (start, end) pair, as a line in BNG with its minutes and miles."""
        starts, ends = points_xy(starts, name="starts"), points_xy(ends, name="ends")
        if len(starts) != len(ends):
            raise InputDataError(f"paths needs as many ends as starts; got {len(starts)} starts and {len(ends)} ends.")
        return self._paths(starts, ends)

    def path(self, start: Points, end: Points) -> RoutePath:
        """The fastest route between two points."""
        return self.paths(start, end)[0]

    def distance_from_centres(self, points: Points, centres: Points, *, boxes: Any = None) -> pd.DataFrame:
        """Shortest distance from the nearest centre to each point, measured from the centres' points or, when
        ``boxes`` (k × 4: xmin, ymin, xmax, ymax, BNG metres) are given, from anywhere in each centre's box.

        Returns
        -------
        DataFrame
            One row per point: ``miles``, ``minutes`` (along that route), ``centre`` (position, -1 if none),
            ``reachable``, ``far_from_road``, ``method``.
        """
        return self._distance_from_centres(points_xy(points, name="points"), points_xy(centres, name="centres"),
                                           boxes=_boxes(boxes))

    def zone_shape(self, centres: Points, *, radius_miles: float, boxes: Any = None) -> tuple[BaseGeometry, str]:
        """The area within ``radius_miles`` of the centres by this engine's distance (a BNG shape), and how it was
        drawn."""
        radius = _limit(radius_miles, name="radius_miles")
        return self._zone_shape(points_xy(centres, name="centres"), radius_miles=radius, boxes=_boxes(boxes))

    def within(self, points: Points, facilities: Points, *, minutes: float | None = None,
               miles: float | None = None, direction: str = "to") -> np.ndarray:
        """True for each point within ``minutes`` (by time) or ``miles`` (by distance) of any facility."""
        if (minutes is None) == (miles is None):
            raise InputDataError("within needs exactly one of minutes or miles.")
        by, limit = ("time", minutes) if minutes is not None else ("distance", miles)
        found = self.nearest(points, facilities, by=by, direction=direction, limit=limit, with_other=False)
        value = found["minutes"] if by == "time" else found["miles"]
        return (value <= limit).to_numpy()

    # --- What each engine implements, on checked arrays of BNG metres ------------------------------------------

    @abc.abstractmethod
    def _snap(self, xy: np.ndarray) -> Snap:
        """:meth:`snap` on an (n × 2) array of BNG metres."""

    @abc.abstractmethod
    def _matrix(self, origins: np.ndarray, destinations: np.ndarray, *, cutoff: float | None, by: str,
                with_other: bool) -> TravelMatrix:
        """:meth:`matrix` on checked arrays."""

    @abc.abstractmethod
    def _nearest(self, points: np.ndarray, facilities: np.ndarray, *, by: str, direction: str, limit: float | None,
                 facility_ids: Sequence | None, with_other: bool) -> pd.DataFrame:
        """:meth:`nearest` on checked arrays."""

    @abc.abstractmethod
    def _paths(self, starts: np.ndarray, ends: np.ndarray) -> list[RoutePath]:
        """:meth:`paths` on checked arrays of the same length."""

    @abc.abstractmethod
    def _distance_from_centres(self, points: np.ndarray, centres: np.ndarray, *,
                               boxes: np.ndarray | None) -> pd.DataFrame:
        """:meth:`distance_from_centres` on checked arrays."""

    @abc.abstractmethod
    def _zone_shape(self, centres: np.ndarray, *, radius_miles: float,
                    boxes: np.ndarray | None) -> tuple[BaseGeometry, str]:
        """:meth:`zone_shape` on a checked array."""

    def _nearest_frame(self, facility: np.ndarray, seconds: np.ndarray, metres: np.ndarray, snap: Snap, *,
                       facility_ids: Sequence | None) -> pd.DataFrame:
        # Either measure may be NaN (not computed); a route exists where the other is finite.
        reachable = (np.isfinite(seconds) | np.isfinite(metres)) & (facility >= 0)
        position = np.where(reachable, facility, -1)
        labels = np.arange(np.max(position, initial=-1) + 1) if facility_ids is None else np.asarray(facility_ids)
        identity = pd.Series(labels[np.clip(position, 0, None)] if len(labels) else position).where(reachable, None)
        return pd.DataFrame({
            "facility": position,
            "facility_id": identity.to_numpy(),
            "minutes": np.where(reachable, seconds / 60.0, np.inf),
            "miles": np.where(reachable, metres / METRES_PER_MILE, np.inf),
            "reachable": reachable,
            "snap_m": snap.distance_m,
            "far_from_road": snap.far,
            "method": self.method,
        })
