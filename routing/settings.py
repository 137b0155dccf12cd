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
    circuity : float
        Estimate engine: road distance / straight-line distance (calibrated on Rutland, see
        ``bench/routing.py``).
    estimate_speed_mph : float
        Estimate engine: average door-to-door speed (calibrated on Rutland).
    """

    typical_speed_mph: dict[str, float] = field(default_factory=lambda: dict(TYPICAL_SPEED_MPH))
    lane_factor: float = 0.8
    narrow_width_m: float = 4.0
    snap_limit_m: float = 1000.0
    access_speed_mph: float = 10.0
    circuity: float = 1.26
    estimate_speed_mph: float = 35.0

    def speed_key(self) -> str:
        """Short hash of the settings that change a road graph's travel times (for caches)."""
        relevant = {k: v for k, v in asdict(self).items() if k in ("typical_speed_mph", "lane_factor", "narrow_width_m")}
        return hashlib.sha256(json.dumps(relevant, sort_keys=True).encode()).hexdigest()[:12]
