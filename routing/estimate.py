"""Travel estimated from straight lines (:class:`EstimateEngine`): labelled an ESTIMATE everywhere it is shown.

Straight-line distance × a circuity that depends on the distance, at a speed that does too
(:class:`EstimateCurve`), calibrated on Rutland's roads (``bench/calibrate.py``). The public methods (and the checks
of their arguments) are :class:`routing.travel.TravelEngine`'s.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np
import pandas as pd
from shapely.geometry import LineString
from shapely.geometry.base import BaseGeometry

from geo.shapes import distance_to_boxes, grown_area
from geo.units import METRES_PER_MILE
from routing.settings import ESTIMATE_BANDS, ESTIMATE_CALIBRATION, MPH_TO_KPH, RoutingSettings
from routing.travel import ESTIMATE, RoutePath, Snap, TravelEngine, TravelMatrix, internal_units


def _nearest_of(points: np.ndarray, targets: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Straight-line metres from each point to the nearest target, and which target (a k-d tree: SciPy is loaded
    with the first measure, not with the first map)."""
    from scipy.spatial import cKDTree

    return cKDTree(targets).query(points)


@dataclass(frozen=True)
class EstimateCurve:
    """Road metres and seconds as functions of straight-line metres: piecewise linear through the calibrated points
    (and through zero), extended beyond the last with its circuity and speed. Both rise with distance, so the
    nearest point by straight line is also the nearest by the estimate.

    Attributes
    ----------
    straight_m, road_m, seconds : ndarray
        The curve's points, starting at 0.
    """

    straight_m: np.ndarray
    road_m: np.ndarray
    seconds: np.ndarray

    @classmethod
    def from_knots(cls, knots: Sequence[tuple[float, float, float]]) -> "EstimateCurve":
        """From (straight km, circuity, mph) points; a single point gives one factor and one speed."""
        ordered = sorted(knots)
        straight = np.array([0.0] + [km * 1000.0 for km, _, _ in ordered])
        road = np.maximum.accumulate(np.array([0.0] + [km * 1000.0 * c for km, c, _ in ordered]))
        seconds = np.maximum.accumulate(np.array([0.0] + [km * 1000.0 * c / (mph * MPH_TO_KPH / 3.6)
                                                           for km, c, mph in ordered]))
        return cls(straight, road, seconds)

    def _along(self, values: np.ndarray, straight_m: np.ndarray) -> np.ndarray:
        beyond = straight_m - self.straight_m[-1]
        slope = (values[-1] - values[-2]) / (self.straight_m[-1] - self.straight_m[-2])
        return np.where(beyond > 0, values[-1] + beyond * slope, np.interp(straight_m, self.straight_m, values))

    def road(self, straight_m: np.ndarray) -> np.ndarray:
        """Estimated road metres for straight-line metres."""
        return self._along(self.road_m, np.asarray(straight_m, dtype=float))

    def time(self, straight_m: np.ndarray) -> np.ndarray:
        """Estimated seconds for straight-line metres."""
        return self._along(self.seconds, np.asarray(straight_m, dtype=float))

    def straight_for_road(self, road_m: float) -> float:
        """The straight-line metres whose estimated road distance is ``road_m``."""
        if road_m <= self.road_m[-1]:
            return float(np.interp(road_m, self.road_m, self.straight_m))
        slope = (self.road_m[-1] - self.road_m[-2]) / (self.straight_m[-1] - self.straight_m[-2])
        return float(self.straight_m[-1] + (road_m - self.road_m[-1]) / slope)

    def describe(self) -> str:
        """The curve in words, for labels."""
        circuity = self.road_m[1:] / self.straight_m[1:]
        mph = self.road_m[1:] / self.seconds[1:] * 3.6 / MPH_TO_KPH
        if len(circuity) == 1:
            return f"straight line × {circuity[0]:.2f} at {mph[0]:.0f} mph"
        return (f"straight line × {circuity[0]:.2f} (short trips) to × {circuity[-1]:.2f} (long), at "
                f"{mph.min():.0f}–{mph.max():.0f} mph")


class EstimateEngine(TravelEngine):
    """Straight-line distance × a circuity that depends on the distance, at a speed that does too: an estimate,
    labelled so, calibrated on Rutland's roads (``bench/calibrate.py``)."""

    method = ESTIMATE

    def __init__(self, settings: RoutingSettings | None = None) -> None:
        self.settings = settings or RoutingSettings()
        self.knots = self.settings.estimate_knots()
        self.curve = EstimateCurve.from_knots(self.knots)
        calibrated = f", {ESTIMATE_CALIBRATION}" if self.knots == ESTIMATE_BANDS else ""
        self.label = f"ESTIMATE — {self.curve.describe()}{calibrated}; no road network"

    @property
    def token(self) -> str:
        return f"estimate|{self.knots}"

    def _snap(self, xy: np.ndarray) -> Snap:
        count = len(xy)
        return Snap(node=np.full(count, -1), distance_m=np.zeros(count), far=np.zeros(count, dtype=bool))

    def _matrix(self, origins: np.ndarray, destinations: np.ndarray, *, cutoff: float | None, by: str,
                with_other: bool) -> TravelMatrix:
        shape = (len(origins), len(destinations))
        minutes = np.empty(shape)
        need_miles = with_other or by == "distance"
        miles = np.empty(shape) if need_miles else np.broadcast_to(np.float64(np.nan), shape)
        # A block of origins at a time: a council's postcodes × homes would otherwise take several times the memory
        # of the result in intermediate arrays.
        step = max(1, (1 << 21) // max(len(destinations), 1))
        from scipy.spatial.distance import cdist  # here: SciPy loads with the first measure, not with the first map

        for start in range(0, len(origins), step):
            rows = slice(start, start + step)
            straight = cdist(origins[rows], destinations)
            minutes[rows] = self.curve.time(straight) / 60.0
            if need_miles:
                miles[rows] = self.curve.road(straight) / METRES_PER_MILE
            if cutoff is not None:
                beyond = (minutes[rows] if by == "time" else miles[rows]) > cutoff
                minutes[rows][beyond] = np.inf
                if need_miles:
                    miles[rows][beyond] = np.inf
        o, d = self._snap(origins), self._snap(destinations)
        return TravelMatrix(minutes, miles, self.method, by, o.distance_m, d.distance_m, o.far, d.far)

    def _nearest(self, points: np.ndarray, facilities: np.ndarray, *, by: str, direction: str, limit: float | None,
                 facility_ids: Sequence | None, with_other: bool) -> pd.DataFrame:
        straight, facility = _nearest_of(points, facilities)
        metres, seconds = self.curve.road(straight), self.curve.time(straight)
        if limit is not None:
            beyond = (seconds if by == "time" else metres) > limit * internal_units(by)
            seconds, metres = np.where(beyond, np.inf, seconds), np.where(beyond, np.inf, metres)
        return self._nearest_frame(facility, seconds, metres, self._snap(points), facility_ids=facility_ids)

    def _path(self, start: np.ndarray, end: np.ndarray) -> RoutePath:
        straight = float(np.hypot(*(end - start)))
        return RoutePath(LineString([start, end]), float(self.curve.time(straight)) / 60.0,
                         float(self.curve.road(straight)) / METRES_PER_MILE, self.method)

    def _paths(self, starts: np.ndarray, ends: np.ndarray) -> list[RoutePath]:
        """Straight segments for many (start, end) pairs (estimates: no roads are followed)."""
        return [self._path(start, end) for start, end in zip(starts, ends)]

    def _distance_from_centres(self, points: np.ndarray, centres: np.ndarray, *,
                               boxes: np.ndarray | None) -> pd.DataFrame:
        """Estimated road distance from the nearest centre (or centre box) to each point."""
        if boxes is not None:
            straight, centre = distance_to_boxes(points, boxes)
        else:
            straight, centre = _nearest_of(points, centres)
        return pd.DataFrame({"miles": self.curve.road(straight) / METRES_PER_MILE,
                             "minutes": self.curve.time(straight) / 60.0, "centre": centre.astype(int),
                             "reachable": True, "far_from_road": False, "method": self.method})

    def _zone_shape(self, centres: np.ndarray, *, radius_miles: float,
                    boxes: np.ndarray | None) -> tuple[BaseGeometry, str]:
        """Circles of the straight-line radius whose estimated road distance is ``radius_miles``."""
        shrunk = self.curve.straight_for_road(radius_miles * METRES_PER_MILE) / METRES_PER_MILE
        method = (f"Estimate: circles of {shrunk:.2f} miles (the straight distance estimated to be {radius_miles:g} "
                  f"miles by road, {self.curve.describe()}), since no road network is loaded.")
        return grown_area(centres, shrunk * METRES_PER_MILE, boxes=boxes), method
