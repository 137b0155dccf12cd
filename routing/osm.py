"""Build a drive graph (OSMnx MultiDiGraph) from OpenStreetMap data: a GraphML file, a download, or (as the
reference the streaming builder is tested against) an OSM file.

Every source goes through the same steps: keep drivable ways, keep the largest strongly connected
component (so every node can reach every other), measure edges in British National Grid (so road
distances are comparable with straight lines), time each segment at its own way's speed, then simplify
(chains of degree-2 nodes become one edge whose length and time are the sums of its segments).
OpenStreetMap files are built without networkx by :mod:`routing.builder`, which follows the same steps.
"""

from __future__ import annotations

import contextlib
import math
import socket
import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from pathlib import Path
from typing import Callable, Iterator
from urllib.parse import urlsplit

import networkx as nx
import numpy as np
import osmium
import osmnx as ox
from shapely.geometry import LineString

from geo.errors import RoadNetworkError
from geo.settings import settings as tool_settings
from geo.units import BNG, WGS84, lonlat_to_bng
from routing.graphml import check_graphml
from routing.limits import (
    RoadLimits,
    check_connected_part,
    check_file_size,
    check_in_great_britain,
    check_regular_file,
    safe_name,
    safe_text,
)
from routing.settings import RoutingSettings
from routing.speeds import add_travel_times
from routing.tags import DRIVABLE, is_drivable

__all__ = ["DRIVABLE", "is_drivable", "graph_from_osm_file", "graph_from_graphml", "download_drive_graph", "download_drive_ways",
           "prepare_drive_graph", "overpass_reachable", "edge_line_bng", "check_road_file", "is_graphml"]

OSM_SUFFIXES = (".osm.pbf", ".pbf", ".osm", ".osm.xml", ".xml")
GRAPHML_SUFFIXES = (".graphml",)
Progress = Callable[[str], None]


def _suffix(path: Path) -> str:
    name = path.name.lower()
    for suffix in OSM_SUFFIXES + GRAPHML_SUFFIXES:
        if name.endswith(suffix):
            return suffix
    return path.suffix.lower()


def is_graphml(path: str | Path) -> bool:
    """True for a file named as GraphML (``.graphml``)."""
    return _suffix(Path(path)) in GRAPHML_SUFFIXES


def check_road_file(path: str | Path, limits: RoadLimits | None = None) -> None:
    """Refuse, before any reading, a road network file that is missing, empty, of an unknown kind or too large.

    Raises
    ------
    RoadNetworkError
        Naming the file (in characters safe to show) and what to do.
    """
    path = Path(path)
    check_regular_file(path)
    if path.stat().st_size == 0:
        raise RoadNetworkError(f"Road network file {safe_name(path)!r} is empty. Download the extract again.")
    if _suffix(path) not in OSM_SUFFIXES + GRAPHML_SUFFIXES:
        raise RoadNetworkError(
            f"{safe_name(path)!r} is not a road network file this tool reads. Use an OpenStreetMap extract "
            f"(.osm.pbf or .osm, e.g. from download.geofabrik.de) or a GraphML file saved by OSMnx."
        )
    check_file_size(path, limits or RoadLimits.for_machine())




def _write_drivable_xml(source: Path, target: Path) -> int:
    """Copy the drivable ways of an OSM file (PBF or XML), and the nodes they use, to OSM XML."""
    try:
        ways = []
        used_nodes: set[int] = set()
        for way in osmium.FileProcessor(str(source), osmium.osm.WAY):
            tags = dict(way.tags)
            if is_drivable(tags):
                refs = [node.ref for node in way.nodes]
                ways.append(osmium.osm.mutable.Way(id=way.id, nodes=refs, tags=tags))
                used_nodes.update(refs)
        if not ways:
            return 0
        with osmium.SimpleWriter(str(target), overwrite=True) as writer:
            for node in osmium.FileProcessor(str(source), osmium.osm.NODE):
                if node.id in used_nodes:
                    writer.add_node(node)
            for way in ways:
                writer.add_way(way)
        return len(ways)
    except (RuntimeError, ValueError, osmium.InvalidLocationError) as error:  # osmium's format errors
        raise RoadNetworkError(
            f"{safe_name(source)!r} is not a readable OpenStreetMap file ({safe_text(error, 120)}). It may be "
            f"damaged or another format: download the .osm.pbf extract again."
        ) from error


def _measure_in_bng(graph: nx.MultiDiGraph) -> None:
    """Add node ``x_bng``/``y_bng`` and set each edge's ``length`` to its BNG length in metres (along its shape
    where it has one, else straight between its nodes)."""
    nodes = list(graph.nodes)
    lon = np.array([graph.nodes[n]["x"] for n in nodes], dtype=float)
    lat = np.array([graph.nodes[n]["y"] for n in nodes], dtype=float)
    x, y = lonlat_to_bng(lon, lat)
    for node, east, north in zip(nodes, x, y):
        graph.nodes[node]["x_bng"] = float(east)
        graph.nodes[node]["y_bng"] = float(north)
    for u, v, data in graph.edges(data=True):
        geometry = data.get("geometry")
        if geometry is not None:
            coords = np.asarray(geometry.coords)
            ex, ey = lonlat_to_bng(coords[:, 0], coords[:, 1])
            data["length"] = float(np.hypot(np.diff(ex), np.diff(ey)).sum())
        else:
            a, b = graph.nodes[u], graph.nodes[v]
            data["length"] = float(np.hypot(a["x_bng"] - b["x_bng"], a["y_bng"] - b["y_bng"]))


def prepare_drive_graph(graph: nx.MultiDiGraph, settings: RoutingSettings, simplify: bool = True, *,
                        name: str | Path = "the road network") -> nx.MultiDiGraph:
    """Largest strongly connected component (refused when trivial, :func:`routing.limits.check_connected_part`),
    measured in BNG, timed, and simplified.

    An unsimplified graph is timed segment by segment (each at its own way's speed) and then simplified,
    summing lengths and times along each chain. A graph that arrives simplified (GraphML) is timed edge by
    edge from the attributes OSMnx merged. ``name`` names the file in messages.
    """
    if graph.number_of_edges() == 0:
        raise RoadNetworkError("The road network has no drivable roads.")
    all_nodes = graph.number_of_nodes()
    graph = ox.truncate.largest_component(graph, strongly=True)
    check_connected_part(name, graph.number_of_nodes(), all_nodes, graph.number_of_edges())
    _measure_in_bng(graph)
    add_travel_times(graph, settings)
    if simplify and not graph.graph.get("simplified"):
        graph = ox.simplify_graph(graph, edge_attr_aggs={"length": sum, "travel_time": sum})
    graph.graph["crs"] = WGS84
    graph.graph["length_crs"] = BNG
    return graph


def graph_from_osm_file(path: str | Path, settings: RoutingSettings, progress: Progress | None = None, *,
                        limits: RoadLimits | None = None) -> nx.MultiDiGraph:
    """Drive graph from an OpenStreetMap extract through OSMnx and networkx (drivable ways copied to XML by osmium,
    read by ``ox.graph_from_xml``). The app builds OSM files with :func:`routing.builder.network_from_osm_file`
    instead, which gives the same travel times in a fraction of the time and memory; this path is its reference.

    Raises
    ------
    RoadNetworkError
        If the file is missing, empty, damaged, not OSM data, or has no drivable roads.
    """
    path = Path(path)
    check_road_file(path, limits)
    if _suffix(path) in GRAPHML_SUFFIXES:
        return graph_from_graphml(path, settings, limits=limits)
    report = progress or (lambda message: None)
    report(f"Reading drivable roads from {safe_name(path)}…")
    with tempfile.TemporaryDirectory() as folder:
        xml = Path(folder) / "drive.osm"
        if _write_drivable_xml(path, xml) == 0:
            raise RoadNetworkError(f"{safe_name(path)!r} contains no drivable roads (no highway ways). Is it the right "
                                   f"area and a full extract?")
        report("Building the road graph…")
        try:
            graph = ox.graph_from_xml(xml, simplify=False, retain_all=True)
        except Exception as error:  # OSMnx raises several types for unusable data
            raise RoadNetworkError(f"Could not build a road graph from {safe_name(path)!r}: "
                                   f"{safe_text(error, 120)}") from error
        missing = [node for node, data in graph.nodes(data=True) if "x" not in data]
        if missing:
            graph.remove_nodes_from(missing)  # ways reaching beyond the extract
        for node, data in graph.nodes(data=True):
            if not (np.isfinite(data["x"]) and np.isfinite(data["y"]) and abs(data["x"]) <= 180 and abs(data["y"]) <= 90):
                raise RoadNetworkError(f"{safe_name(path)!r}: node {int(node)} has no valid coordinate (longitude must be "
                                       f"within −180…180 and latitude within −90…90). The file is damaged.")
        _check_graph_in_great_britain(path, graph)
    report("Keeping connected roads, simplifying and timing edges…")
    return prepare_drive_graph(graph, settings, name=path)


def graph_from_graphml(path: str | Path, settings: RoutingSettings, *, limits: RoadLimits | None = None) -> nx.MultiDiGraph:
    """Drive graph from a GraphML file saved by OSMnx (``ox.save_graphml``), every node and edge checked first
    (:func:`routing.graphml.check_graphml`).

    Raises
    ------
    RoadNetworkError
        If the file is not GraphML, lacks OSMnx's node coordinates and edge lengths, has an unusable node or
        edge, or is larger than the limits.
    """
    path = Path(path)
    check_road_file(path, limits)
    check_graphml(path, limits or RoadLimits.for_machine())
    try:
        graph = ox.load_graphml(path)
    except Exception as error:
        raise RoadNetworkError(
            f"{safe_name(path)!r} is not a GraphML road network saved by OSMnx ({type(error).__name__}: "
            f"{safe_text(error, 120)}). Load an OpenStreetMap extract (.osm.pbf) instead."
        ) from error
    if not isinstance(graph, nx.MultiDiGraph):
        graph = nx.MultiDiGraph(graph)
    _check_graph_in_great_britain(path, graph)
    return prepare_drive_graph(graph, settings, simplify=False, name=path)


def _check_graph_in_great_britain(path: Path, graph: nx.MultiDiGraph) -> None:
    """:func:`routing.limits.check_in_great_britain` for every node of a graph (coordinates ``x``, ``y``)."""
    nodes = list(graph.nodes)
    check_in_great_britain(path, np.array(nodes, dtype=object), [graph.nodes[n]["x"] for n in nodes],
                           [graph.nodes[n]["y"] for n in nodes])


def overpass_endpoint() -> tuple[str, int]:
    """Host and port of the Overpass API downloads use (``overpass_url`` of :mod:`geo.settings`)."""
    url = urlsplit(tool_settings.overpass_url)
    return url.hostname or "overpass-api.de", url.port or (80 if url.scheme == "http" else 443)


_OSMNX_LOCK = threading.Lock()


@contextlib.contextmanager
def osmnx_settings() -> Iterator[None]:
    """OSMnx's global settings, for one download, taken from :mod:`geo.settings` (the one place the tool keeps its
    Overpass URL and request timeout), and put back afterwards; OSMnx's own response cache is off (the prepared
    extract is the only copy kept). One download at a time holds them."""
    # Whole seconds: OSMnx also writes the timeout into the Overpass query, whose [timeout:…] takes an integer.
    wanted = {"overpass_url": tool_settings.overpass_url, "requests_timeout": math.ceil(tool_settings.requests_timeout),
              "use_cache": False}
    with _OSMNX_LOCK:
        saved = {name: getattr(ox.settings, name) for name in wanted}
        try:
            for name, value in wanted.items():
                setattr(ox.settings, name, value)
            yield
        finally:
            for name, value in saved.items():
                setattr(ox.settings, name, value)


def overpass_reachable(host: str | None = None, port: int | None = None, timeout_s: float = 3.0) -> bool:
    """True when the Overpass API answers a TCP connection within ``timeout_s`` seconds (by default the endpoint
    of :mod:`geo.settings`).

    The name lookup runs in a worker thread because ``getaddrinfo`` ignores socket timeouts and can
    hang for a long time on a machine without network.
    """
    configured_host, configured_port = overpass_endpoint()
    host, port = host or configured_host, port or configured_port
    pool = ThreadPoolExecutor(max_workers=1)
    try:
        addresses = pool.submit(socket.getaddrinfo, host, port, type=socket.SOCK_STREAM).result(timeout=timeout_s)
        family, kind, protocol, _, address = addresses[0]
        with socket.socket(family, kind, protocol) as connection:
            connection.settimeout(timeout_s)
            connection.connect(address)
        return True
    except (OSError, FutureTimeout, IndexError):
        return False
    finally:
        pool.shutdown(wait=False)


def download_drive_ways(polygon_wgs84, *, progress: Progress | None = None) -> nx.MultiDiGraph:
    """Download the raw (unsimplified) drive network inside a polygon (WGS84) from the Overpass API with OSMnx, at
    the Overpass URL and with the request timeout of :mod:`geo.settings` (``settings.overpass_url``,
    ``settings.requests_timeout``, seconds).

    Raises
    ------
    RoadNetworkError
        Within a few seconds when the endpoint cannot be reached (offline machine), or if the download fails.
    """
    report = progress or (lambda message: None)
    host, _ = overpass_endpoint()
    report(f"Checking the connection to OpenStreetMap ({safe_name(host)})…")
    if not overpass_reachable():
        raise RoadNetworkError(
            f"Cannot reach OpenStreetMap ({safe_name(host)}): this machine seems to be offline. Use the bundled "
            "extract, upload an .osm.pbf file (e.g. from download.geofabrik.de), or use the straight-line estimate."
        )
    report("Downloading the drive network (this can take a few minutes for a county)…")
    try:
        with osmnx_settings():
            graph = ox.graph_from_polygon(polygon_wgs84, network_type="drive", simplify=False, retain_all=True)
    except Exception as error:
        raise RoadNetworkError(f"The OpenStreetMap download failed ({safe_text(error, 150)}). Try again later "
                               f"or upload an extract file.") from error
    report(f"Downloaded {graph.number_of_nodes():,} road nodes and {graph.number_of_edges():,} road segments.")
    return graph


def download_drive_graph(polygon_wgs84, settings: RoutingSettings, progress: Progress | None = None) -> nx.MultiDiGraph:
    """Download the drive network inside a polygon (WGS84) and prepare it (:func:`prepare_drive_graph`).

    Raises
    ------
    RoadNetworkError
        Within a few seconds when the Overpass API cannot be reached (offline machine), or if the
        download fails.
    """
    graph = download_drive_ways(polygon_wgs84, progress=progress)
    (progress or (lambda message: None))("Keeping connected roads, timing and simplifying…")
    return prepare_drive_graph(graph, settings)


def edge_line_bng(graph: nx.MultiDiGraph, u: int, v: int, data: dict) -> LineString:
    """The road geometry of one edge in BNG (straight between its nodes if it has no geometry)."""
    geometry = data.get("geometry")
    if geometry is None:
        a, b = graph.nodes[u], graph.nodes[v]
        return LineString([(a["x_bng"], a["y_bng"]), (b["x_bng"], b["y_bng"])])
    coords = np.asarray(geometry.coords)
    x, y = lonlat_to_bng(coords[:, 0], coords[:, 1])
    return LineString(np.column_stack([x, y]))
