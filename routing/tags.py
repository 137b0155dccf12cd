"""Which OpenStreetMap ways a car can use, which way they run, and the tags that set their speed."""

from __future__ import annotations

from typing import Mapping

DRIVABLE = frozenset({
    "motorway", "motorway_link", "trunk", "trunk_link", "primary", "primary_link", "secondary",
    "secondary_link", "tertiary", "tertiary_link", "unclassified", "residential", "living_street",
    "service", "road",
})
"""OSM ``highway`` types a car can use (as OSMnx's "drive" network)."""

_EXCLUDED_SERVICE = frozenset({"alley", "driveway", "emergency_access", "parking", "parking_aisle", "private"})
_NO_ENTRY = frozenset({"no", "private"})

ONEWAY_VALUES = frozenset({"yes", "true", "1", "-1", "reverse", "T", "F"})
"""``oneway`` values OSMnx reads as one-way (its ``_is_path_one_way``); ``junction=roundabout`` is one-way too."""
REVERSED_VALUES = frozenset({"-1", "reverse", "T"})
"""``oneway`` values whose travel runs against the order of the way's nodes."""

SPEED_TAGS = ("highway", "maxspeed", "lanes", "width", "est_width")
"""The way tags :func:`routing.speeds.edge_speed_kph` reads."""


def is_drivable(tags: Mapping[str, str]) -> bool:
    """True when an OSM way with these tags is part of the public drive network."""
    if tags.get("highway") not in DRIVABLE or tags.get("area") == "yes":
        return False
    if tags.get("service") in _EXCLUDED_SERVICE:
        return False
    for key in ("access", "motor_vehicle", "motorcar", "vehicle"):
        if tags.get(key) in _NO_ENTRY:
            return False
    return True


def way_direction(tags: Mapping[str, str]) -> int:
    """0 for a two-way road, 1 one-way along the way's nodes, -1 one-way against them (``oneway=-1``)."""
    oneway = tags.get("oneway")
    if oneway in ONEWAY_VALUES or tags.get("junction") == "roundabout":
        return -1 if oneway in REVERSED_VALUES else 1
    return 0
