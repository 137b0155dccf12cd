"""Check a GraphML road network element by element before OSMnx loads it.

OSMnx trusts a GraphML file: a node without coordinates, a coordinate that is not a number, an id too big
for 64 bits or an edge shape that is a polygon all fail deep inside the build. This pass reads the file
as a stream (memory stays flat), checks every node and every edge, counts them against the limits, and
refuses the file with a message naming the first offending element.
"""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ElementTree
from pathlib import Path

from geo.errors import RoadNetworkError
from routing.limits import RoadLimits, safe_name, safe_text

_NAMESPACE = re.compile(r"^\{[^}]*\}")
_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?|nan|inf", re.IGNORECASE)
_INT64 = 2**63


def _local(tag: str) -> str:
    return _NAMESPACE.sub("", tag)


def _shown(value: object, limit: int = 40) -> str:
    """A value from the file, reduced to characters safe in a message."""
    return safe_name(str(value), limit=limit) if str(value).strip() else "(empty)"


class _Checker:
    """Collects key names and checks each node and edge as the stream delivers it."""

    def __init__(self, path: Path, limits: RoadLimits) -> None:
        self.name = safe_name(path)
        self.limits = limits
        self.keys: dict[str, str] = {}
        self.nodes = self.edges = 0

    def fail(self, problem: str) -> RoadNetworkError:
        return RoadNetworkError(f"{self.name!r} is not a GraphML road network saved by OSMnx: {problem}. Save the "
                                f"network with osmnx.save_graphml, or load an OpenStreetMap extract (.osm.pbf) instead.")

    def values(self, element: ElementTree.Element) -> dict[str, str]:
        return {self.keys.get(data.get("key", ""), data.get("key", "")): (data.text or "")
                for data in element if _local(data.tag) == "data"}

    def identifier(self, text: str | None, what: str) -> None:
        try:
            value = int(str(text).strip())
        except ValueError:
            raise self.fail(f"{what} {_shown(text)!r} is not a whole number (OSMnx node ids are OSM ids)") from None
        if not -_INT64 <= value < _INT64:
            raise self.fail(f"{what} {_shown(text)} is too large for an OpenStreetMap id")

    def coordinate(self, node: str, data: dict[str, str], key: str, bound: float) -> None:
        what = "longitude" if key == "x" else "latitude"
        if key not in data:
            raise self.fail(f"node {_shown(node)} has no {key} ({what})")
        try:
            value = float(data[key])
        except ValueError:
            raise self.fail(f"node {_shown(node)} has {key} = {_shown(data[key])!r}, not a number") from None
        if not math.isfinite(value) or abs(value) > bound:
            raise self.fail(f"node {_shown(node)} has {key} = {_shown(data[key])}, not a {what} "
                            f"(−{bound:g}…{bound:g} degrees)")

    def node(self, element: ElementTree.Element) -> None:
        self.count()
        self.nodes += 1
        node = element.get("id")
        self.identifier(node, "node id")
        data = self.values(element)
        self.coordinate(node, data, "x", 180.0)
        self.coordinate(node, data, "y", 90.0)

    def edge(self, element: ElementTree.Element) -> None:
        self.count()
        self.edges += 1
        source, target = element.get("source"), element.get("target")
        self.identifier(source, "edge source")
        self.identifier(target, "edge target")
        label = f"edge {_shown(source)}→{_shown(target)}"
        data = self.values(element)
        if "length" not in data:
            raise self.fail(f"{label} has no length")
        try:
            length = float(data["length"])
        except ValueError:
            raise self.fail(f"{label} has length {_shown(data['length'])!r}, not a number") from None
        if not math.isfinite(length) or length < 0:
            raise self.fail(f"{label} has length {_shown(data['length'])}, not a distance in metres")
        if "geometry" in data:
            self.line(label, data["geometry"])

    def line(self, label: str, text: str) -> None:
        shape = text.strip()
        if not shape.upper().startswith("LINESTRING") or "EMPTY" in shape.upper():
            raise self.fail(f"{label} has a {_shown(shape.split('(')[0], 20) or 'blank'} shape; a road is a line "
                            f"(LINESTRING)")
        numbers = [float(value) for value in _NUMBER.findall(shape[len("LINESTRING"):])]
        if len(numbers) < 4 or len(numbers) % 2:
            raise self.fail(f"{label} has a line shape without two or more longitude/latitude points")
        if not all(math.isfinite(value) for value in numbers) or \
                any(abs(lon) > 180 or abs(lat) > 90 for lon, lat in zip(numbers[::2], numbers[1::2])):
            raise self.fail(f"{label} has a shape point that is not a longitude/latitude")

    def count(self) -> None:
        if self.nodes + self.edges >= self.limits.max_way_nodes:
            raise RoadNetworkError(
                f"{self.name!r} has more than {self.limits.max_way_nodes:,} nodes and edges, more than this machine "
                f"can build here. Use an extract of a smaller area, or python -m caremap roads on a larger machine.")


def check_graphml(path: str | Path, limits: RoadLimits) -> tuple[int, int]:
    """Check every node (integer id, finite longitude ``x`` and latitude ``y``) and every edge (integer ends, a
    length, a line shape if any) of a GraphML file; return the counts of nodes and edges.

    Raises
    ------
    RoadNetworkError
        At the first element that breaks a rule, naming it; or if the file is not well-formed XML, is not
        GraphML, or is larger than ``limits`` allow.
    """
    path = Path(path)
    checker = _Checker(path, limits)
    seen_graphml = False
    try:
        for _, element in ElementTree.iterparse(path, events=("end",)):
            tag = _local(element.tag)
            if tag == "key":
                checker.keys[element.get("id", "")] = element.get("attr.name", element.get("id", ""))
            elif tag == "node":
                checker.node(element)
                element.clear()
            elif tag == "edge":
                checker.edge(element)
                element.clear()
            elif tag == "graphml":
                seen_graphml = True
    except ElementTree.ParseError as error:
        raise RoadNetworkError(f"{checker.name!r} is not a GraphML road network saved by OSMnx (not well-formed XML: "
                               f"{safe_text(error, 80)}). Load an OpenStreetMap extract (.osm.pbf) instead.") from error
    if not seen_graphml:
        raise RoadNetworkError(f"{checker.name!r} is not a GraphML road network saved by OSMnx (no graphml element). "
                               f"Load an OpenStreetMap extract (.osm.pbf) instead.")
    if checker.nodes == 0:
        raise checker.fail("it has no nodes")
    if checker.edges == 0:
        raise checker.fail("it has no edges")
    return checker.nodes, checker.edges
