"""UK speed limits from OSM ``maxspeed`` tags, and edge speeds and travel times for a drive graph."""

from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING, Any

from routing.settings import MPH_TO_KPH, RoutingSettings

if TYPE_CHECKING:
    import networkx as nx

# Zone and national-limit codes used in Great Britain (and a few in common use elsewhere), in mph.
_CODES_MPH = {
    "gb:nsl_single": 60, "uk:nsl_single": 60, "gb:nsl_dual": 70, "uk:nsl_dual": 70,
    "gb:motorway": 70, "uk:motorway": 70, "gb:urban": 30, "uk:urban": 30,
    "gb:nsl_restricted": 30, "uk:nsl_restricted": 30, "gb:rural": 60, "uk:rural": 60,
}
_NATIONAL_MPH = {"motorway": 70, "motorway_link": 70, "trunk": 60, "trunk_link": 60}
_NUMBER = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(mph|km/h|kmh|kph|knots)?\s*$")


def parse_maxspeed(value: Any, highway: str | None = None) -> float | None:
    """Speed limit in km/h from an OSM ``maxspeed`` value, or None when it gives no usable limit.

    Handles ``"30 mph"``, ``"20mph"``, ``"50"`` (km/h, the OSM default unit), ``"50 km/h"``,
    ``"national"`` (70 mph on motorways, 60 mph elsewhere: dual carriageways are not tagged apart),
    ``"GB:nsl_single"`` (60 mph), ``"GB:nsl_dual"``/``"GB:motorway"`` (70), ``"GB:urban"`` (30),
    lists such as ``"30 mph;40 mph"`` or Python lists from simplified graphs (their mean), and
    returns None for ``"none"``, ``"signals"``, ``"variable"`` and junk.

    Parameters
    ----------
    value : str, list, number or None
        The tag value.
    highway : str, optional
        The OSM ``highway`` type, needed to read ``"national"``.
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, (list, tuple)):
        parsed = [parse_maxspeed(item, highway) for item in value]
    elif isinstance(value, str) and ";" in value:
        parsed = [parse_maxspeed(item, highway) for item in value.split(";")]
    else:
        parsed = None
    if parsed is not None:
        usable = [speed for speed in parsed if speed is not None]
        return sum(usable) / len(usable) if usable else None
    if isinstance(value, (int, float)):
        return float(value) if value > 0 else None
    text = str(value).strip().lower()
    if text in _CODES_MPH:
        return _CODES_MPH[text] * MPH_TO_KPH
    if text in ("national", "gb:national", "uk:national", "nsl"):
        return _NATIONAL_MPH.get(highway or "", 60) * MPH_TO_KPH
    match = _NUMBER.match(text)
    if not match:
        return None
    number, unit = float(match.group(1)), match.group(2)
    if number <= 0:
        return None
    if unit == "mph":
        return number * MPH_TO_KPH
    if unit == "knots":
        return number * 1.852
    return number


def _first(value: Any) -> Any:
    return value[0] if isinstance(value, (list, tuple)) and value else value


def _number(value: Any) -> float | None:
    value = _first(value)
    try:
        return float(str(value).replace("m", "").strip())
    except (TypeError, ValueError):
        return None


def is_narrow_lane(data: dict, limit_kph: float | None, settings: RoutingSettings) -> bool:
    """A narrow rural lane: an unclassified road without an urban limit, or tagged one lane or narrow."""
    highway = _first(data.get("highway"))
    lanes = _number(data.get("lanes"))
    width = _number(data.get("width")) or _number(data.get("est_width"))
    if lanes == 1 or (width is not None and width < settings.narrow_width_m):
        return highway not in ("motorway", "motorway_link", "trunk", "trunk_link")
    urban = limit_kph is not None and limit_kph <= 30 * MPH_TO_KPH + 0.1
    return highway == "unclassified" and not urban


def edge_speed_kph(data: dict, settings: RoutingSettings) -> float:
    """Speed (km/h) of one graph edge: the typical speed of its road type, capped by its limit, slowed on lanes."""
    highway = _first(data.get("highway"))
    typical = settings.typical_speed_mph.get(highway, settings.typical_speed_mph["unclassified"]) * MPH_TO_KPH
    limit = parse_maxspeed(data.get("maxspeed"), highway)
    speed = min(typical, limit) if limit else typical
    if is_narrow_lane(data, limit, settings):
        speed *= settings.lane_factor
    return max(speed, 3.0)


def add_travel_times(graph: "nx.MultiDiGraph", settings: RoutingSettings) -> None:
    """Set ``speed_kph`` and ``travel_time`` (seconds, from ``length`` in metres) on every edge, in place."""
    for _, _, data in graph.edges(data=True):
        speed = edge_speed_kph(data, settings)
        data["speed_kph"] = speed
        data["travel_time"] = data["length"] / (speed / 3.6)
