"""Copy a council's drivable roads into a small OpenStreetMap file: from a large extract, or from a download.

``python -m caremap roads`` prepares each council's network this way: the copy (drivable ways within a few
kilometres of the council, with the tags that decide direction and speed) is what the app builds from,
so any speed setting can be rebuilt from it in seconds, offline.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Callable

import numpy as np
import osmium
import shapely
from shapely.geometry.base import BaseGeometry

from geo.errors import RoadNetworkError
from geo.files import replaced_whole
from geo.units import lonlat_to_bng
from routing.builder import read_drivable_ways, read_node_locations
from routing.limits import RoadLimits, check_file_size, check_node_count, safe_name
from routing.settings import RoutingSettings
from routing.tags import SPEED_TAGS, is_drivable

if TYPE_CHECKING:
    import networkx as nx

Progress = Callable[[str], None]


def _write(target: Path, node_ids: np.ndarray, lon: np.ndarray, lat: np.ndarray, ways) -> None:
    """Write nodes then ways to ``target`` atomically (a half-written file is never left in its place)."""
    with replaced_whole(target) as partial:
        with osmium.SimpleWriter(str(partial)) as writer:
            for node, x, y in zip(node_ids.tolist(), lon.tolist(), lat.tolist()):
                writer.add_node(osmium.osm.mutable.Node(id=node, location=(x, y)))
            for way_id, refs, tags in ways:
                writer.add_way(osmium.osm.mutable.Way(id=way_id, nodes=refs, tags=tags))


def write_drivable_extract(source: str | Path, target: str | Path, *, area_bng: BaseGeometry, limits: RoadLimits,
                           progress: Progress | None = None) -> tuple[int, int]:
    """Copy the drivable ways of ``source`` that reach into ``area_bng`` (BNG polygon), whole, with their nodes.

    Returns
    -------
    tuple of int
        Ways and nodes written.

    Raises
    ------
    RoadNetworkError
        If the source is unreadable, too large for ``limits``, or has no drivable road in the area.
    """
    source, target = Path(source), Path(target)
    report = progress or (lambda message: None)
    check_file_size(source, limits)
    report(f"Reading drivable ways from {safe_name(source)}…")
    ways = read_drivable_ways(source, RoutingSettings(), limits, keep_tags=True)
    node_ids = np.unique(ways.refs)
    check_node_count(source, limits)
    report(f"{ways.count:,} drivable ways; locating their {len(node_ids):,} nodes…")
    lon, lat = read_node_locations(source, node_ids)
    located = np.isfinite(lon)
    x, y = lonlat_to_bng(np.where(located, lon, 0.0), np.where(located, lat, 0.0))
    inside = located & shapely.contains_xy(area_bng, x, y)
    position = np.searchsorted(node_ids, ways.refs)
    way_of = np.repeat(np.arange(ways.count), np.diff(ways.starts))
    reaching = np.zeros(ways.count, dtype=bool)
    reaching[way_of[inside[position]]] = True
    if not reaching.any():
        raise RoadNetworkError(f"{safe_name(source)!r} has no drivable road within the council's area: is it the "
                               f"extract of the right region?")
    used = np.zeros(len(node_ids), dtype=bool)
    used[position[reaching[way_of]]] = True
    used &= located
    chosen = [(int(ways.way_ids[i]), ways.refs[ways.starts[i]:ways.starts[i + 1]].tolist(), ways.tags[i])
              for i in np.flatnonzero(reaching)]
    report(f"Writing {len(chosen):,} ways reaching into the area ({int(used.sum()):,} nodes)…")
    _write(target, node_ids[used], lon[used], lat[used], chosen)
    return len(chosen), int(used.sum())


def write_graph_extract(graph: "nx.MultiDiGraph", target: str | Path) -> tuple[int, int]:
    """Write a raw (unsimplified) OSMnx drive graph as OpenStreetMap data: each directed edge a one-way way of
    two nodes carrying its road's tags, so the builder reads back exactly the same directed graph.

    Returns
    -------
    tuple of int
        Ways and nodes written.
    """
    if graph.graph.get("simplified"):
        raise ValueError("write_graph_extract needs an unsimplified graph")
    node_ids = np.array(sorted(graph.nodes), dtype=np.int64)
    lon = np.array([graph.nodes[node]["x"] for node in node_ids.tolist()], dtype=float)
    lat = np.array([graph.nodes[node]["y"] for node in node_ids.tolist()], dtype=float)
    ways = []
    for number, (u, v, data) in enumerate(graph.edges(data=True), start=1):
        tags = {key: str(data[key]) for key in (*SPEED_TAGS, "access", "service", "area", "name", "ref")
                if key in data and data[key] is not None and not isinstance(data[key], (list, float))}
        tags["oneway"] = "yes"
        tags.pop("junction", None)
        if is_drivable(tags):
            ways.append((number, [int(u), int(v)], tags))
    _write(Path(target), node_ids, lon, lat, ways)
    return len(ways), len(node_ids)


def write_drivable_extracts(sources: list[str | Path], target: str | Path, *, area_bng: BaseGeometry,
                            limits: RoadLimits, progress: Progress | None = None) -> tuple[int, int]:
    """:func:`write_drivable_extract` from several extracts (the Geofabrik regions a council straddles), merged: a way
    or node in two regions (they overlap along their border) is written once.

    Raises
    ------
    RoadNetworkError
        If a source is unreadable or too large, or none has a drivable road in the area.
    """
    report = progress or (lambda message: None)
    target = Path(target)
    nodes: dict[int, tuple[float, float]] = {}
    ways: dict[int, tuple[list[int], dict[str, str]]] = {}
    refusals = []
    with tempfile.TemporaryDirectory(dir=target.parent if target.parent.exists() else None) as folder:
        for number, source in enumerate(sources):
            part = Path(folder) / f"part{number}.osm.pbf"
            try:
                write_drivable_extract(source, part, area_bng=area_bng, limits=limits, progress=report)
            except RoadNetworkError as error:
                if "no drivable road within" not in str(error):
                    raise
                refusals.append(str(error))  # a region that only touches the margin
                continue
            for item in osmium.FileProcessor(str(part)):
                if item.is_node():
                    nodes[item.id] = (item.location.lon, item.location.lat)
                elif item.is_way():
                    ways[item.id] = ([node.ref for node in item.nodes], dict(item.tags))
    if not ways:
        raise RoadNetworkError(" ".join(refusals) or "No drivable road in the extracts.")
    node_ids = np.array(sorted(nodes), dtype=np.int64)
    lon = np.array([nodes[node][0] for node in node_ids.tolist()])
    lat = np.array([nodes[node][1] for node in node_ids.tolist()])
    report(f"Merging {len(sources)} extracts: {len(ways):,} ways and {len(node_ids):,} nodes…")
    _write(target, node_ids, lon, lat, [(way, *ways[way]) for way in sorted(ways)])
    return len(ways), len(node_ids)
