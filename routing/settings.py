"""Routing settings: speeds by road type, the rural-lane factor, snapping and the estimate's constants."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field

MPH_TO_KPH = 1.609344

TYPICAL_SPEED_MPH: dict[str, float] = {
    "motorway": 65, "motorway_link": 40,
    "trunk": 55, "trunk_link": 40,
    "primary": 45, "primary_link": 30,
    "secondary": 40, "secondary_link": 30,
    "tertiary": 35, "tertiary_link": 25,
    "unclassified": 30, "road": 25,
    "residential": 22, "living_street": 10, "service": 12,
}
"""Free-flow average speeds by OSM highway type (assumption): speed limits cap them, never raise them."""

ESTIMATE_BANDS: tuple[tuple[float, float, float], ...] = (
    (0.57, 1.859, 23.4), (1.40, 1.562, 26.2), (2.53, 1.433, 28.8), (4.02, 1.398, 30.6), (6.66, 1.367, 34.9),
    (10.18, 1.348, 38.6), (15.63, 1.308, 39.7), (22.12, 1.271, 38.8),
)
"""The straight-line estimate by distance: (median straight km of the band, circuity, speed mph), measured by
``bench/routing.py`` on Rutland's roads over 5,096 nearest-facility trips (every postcode to its nearest of
3, 6, 12 and 24 sampled postcodes) and 90,000 postcode pairs (trips under 100 m left out): road miles of the
fastest route, with the access legs, against straight miles. Short rural trips wind more (×1.86 under 1 km)
and run slower (23 mph) than long ones (×1.27, 39 mph)."""
ESTIMATE_CALIBRATION = ("calibrated on Rutland's roads: nearest-facility trips and postcode pairs, by distance")
ESTIMATE_SPREAD = (1.14, 1.245, 1.49)
"""How far one trip's detour strays from the typical: the 10th percentile, median and 90th percentile of road miles /
straight miles over 86,515 Rutland postcode pairs (the single-factor calibration of ``bench/routing.py``, aggregate
1.257 at 35.2 mph, recorded in the project's routing notes). Eight trips in ten wind between 0.92 and 1.20 times
the median detour: the estimate's readings that depend on single trips (a fee zone by road) are given as that band."""
SINGLE_CIRCUITY, SINGLE_SPEED_MPH = 1.26, 35.0
"""The older single-factor estimate (road/straight 1.26 over postcode pairs, 35 mph), used when a caller gives
``circuity`` or ``estimate_speed_mph``."""


@dataclass(frozen=True)
class RoutingSettings:
    """How roads become travel times.

    Attributes
    ----------
    typical_speed_mph : dict
        Average free-flow speed per OSM ``highway`` type, miles per hour (assumption).
    lane_factor : float
        Multiplier on the speed of narrow rural lanes: unclassified roads without an urban limit, and
        roads tagged one lane or narrower than ``narrow_width_m``. 1.0 turns it off.
    narrow_width_m : float
        Roads tagged narrower than this (metres) count as narrow lanes.
    snap_limit_m : float
        Points farther than this from any road node are flagged as far from the road network.
    access_speed_mph : float
        Speed on the straight leg between a point and its nearest road node (drives, farm tracks).
    estimate_bands : tuple of (km, circuity, mph)
        Estimate engine: circuity and speed by straight-line distance (:data:`ESTIMATE_BANDS`, calibrated on
        Rutland), interpolated between the bands.
    circuity, estimate_speed_mph : float, optional
        Estimate engine: one road/straight factor and one speed for every distance instead of the bands
        (either given: the other defaults to :data:`SINGLE_CIRCUITY` / :data:`SINGLE_SPEED_MPH`).
    """

    typical_speed_mph: dict[str, float] = field(default_factory=lambda: dict(TYPICAL_SPEED_MPH))
    lane_factor: float = 0.8
    narrow_width_m: float = 4.0
    snap_limit_m: float = 1000.0
    access_speed_mph: float = 10.0
    estimate_bands: tuple[tuple[float, float, float], ...] = ESTIMATE_BANDS
    circuity: float | None = None
    estimate_speed_mph: float | None = None

    def estimate_knots(self) -> tuple[tuple[float, float, float], ...]:
        """(straight km, circuity, mph) points the estimate interpolates between: the bands, or one point for a
        single factor."""
        if self.circuity is None and self.estimate_speed_mph is None:
            return self.estimate_bands
        return ((1.0, self.circuity or SINGLE_CIRCUITY, self.estimate_speed_mph or SINGLE_SPEED_MPH),)

    def key(self) -> str:
        """Short hash of every setting (speeds, snapping, access legs, estimate bands), for caches of results."""
        return hashlib.sha256(json.dumps(asdict(self), sort_keys=True, default=str).encode()).hexdigest()[:12]

    def speed_key(self) -> str:
        """Short hash of the settings that change a road graph's travel times (for caches)."""
        relevant = {k: v for k, v in asdict(self).items() if k in ("typical_speed_mph", "lane_factor", "narrow_width_m")}
        return hashlib.sha256(json.dumps(relevant, sort_keys=True).encode()).hexdigest()[:12]
