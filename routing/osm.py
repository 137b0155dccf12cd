"""Build a drive graph (OSMnx MultiDiGraph) from OpenStreetMap data: a file or a download.

Every source goes through the same steps: keep drivable ways, keep the largest strongly connected
component (so every node can reach every other), simplify, measure edges in British National Grid
(so road distances are comparable with straight lines) and add travel times.
"""

from __future__ import annotations

import socket
import tempfile
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from pathlib import Path
from typing import Callable

import networkx as nx
import numpy as np
import osmium
import osmnx as ox
from shapely.geometry import LineString

from geo.errors import RoadNetworkError
from geo.units import BNG, WGS84, lonlat_to_bng
from routing.settings import RoutingSettings
from routing.speeds import add_travel_times

DRIVABLE = {
    "motorway", "motorway_link", "trunk", "trunk_link", "primary", "primary_link", "secondary",
    "secondary_link", "tertiary", "tertiary_link", "unclassified", "residential", "living_street",
    "service", "road",
}
"""OSM ``highway`` types a car can use (as OSMnx's "drive" network)."""

_EXCLUDED_SERVICE = {"alley", "driveway", "emergency_access", "parking", "parking_aisle", "private"}
_NO_ENTRY = {"no", "private"}
OSM_SUFFIXES = (".osm.pbf", ".pbf", ".osm", ".osm.xml", ".xml")
GRAPHML_SUFFIXES = (".graphml",)
Progress = Callable[[str], None]


def is_drivable(tags: dict[str, str]) -> bool:
    """True when an OSM way with these tags is part of the public drive network."""
    if tags.get("highway") not in DRIVABLE or tags.get("area") == "yes":
        return False
    if tags.get("service") in _EXCLUDED_SERVICE:
        return False
    for key in ("access", "motor_vehicle", "motorcar", "vehicle"):
        if tags.get(key) in _NO_ENTRY:
            return False
    return True


def _suffix(path: Path) -> str:
    name = path.name.lower()
    for suffix in OSM_SUFFIXES + GRAPHML_SUFFIXES:
        if name.endswith(suffix):
            return suffix
    return path.suffix.lower()


def _check_file(path: Path) -> None:
    if not path.is_file():
        raise RoadNetworkError(f"Road network file {path.name!r} does not exist. Choose an .osm.pbf, .osm or "
                               f".graphml file.")
    if path.stat().st_size == 0:
        raise RoadNetworkError(f"Road network file {path.name!r} is empty. Download the extract again.")
    if _suffix(path) not in OSM_SUFFIXES + GRAPHML_SUFFIXES:
        raise RoadNetworkError(
            f"{path.name!r} is not a road network file this tool reads. Use an OpenStreetMap extract "
            f"(.osm.pbf or .osm, e.g. from download.geofabrik.de) or a GraphML file saved by OSMnx."
        )


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
    except RuntimeError as error:  # osmium reports format errors as RuntimeError
        raise RoadNetworkError(
            f"{source.name!r} is not a readable OpenStreetMap file ({error}). It may be damaged or another "
            f"format: download the .osm.pbf extract again."
        ) from error


def _measure_in_bng(graph: nx.MultiDiGraph) -> None:
    """Add node ``x_bng``/``y_bng`` and set each edge's ``length`` to its BNG length in metres."""
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


def prepare_drive_graph(graph: nx.MultiDiGraph, settings: RoutingSettings, simplify: bool = True) -> nx.MultiDiGraph:
    """Largest strongly connected component, simplified, measured in BNG, with travel times."""
    if graph.number_of_edges() == 0:
        raise RoadNetworkError("The road network has no drivable roads.")
    graph = ox.truncate.largest_component(graph, strongly=True)
    if simplify and not graph.graph.get("simplified"):
        graph = ox.simplify_graph(graph)
    _measure_in_bng(graph)
    add_travel_times(graph, settings)
    graph.graph["crs"] = WGS84
    graph.graph["length_crs"] = BNG
    return graph


def graph_from_osm_file(path: str | Path, settings: RoutingSettings, progress: Progress | None = None) -> nx.MultiDiGraph:
    """Drive graph from an OpenStreetMap extract (``.osm.pbf`` via osmium, ``.osm`` XML via OSMnx).

    Raises
    ------
    RoadNetworkError
        If the file is missing, empty, damaged, not OSM data, or has no drivable roads.
    """
    path = Path(path)
    _check_file(path)
    if _suffix(path) in GRAPHML_SUFFIXES:
        return graph_from_graphml(path, settings)
    report = progress or (lambda message: None)
    report(f"Reading drivable roads from {path.name}…")
    with tempfile.TemporaryDirectory() as folder:
        xml = Path(folder) / "drive.osm"
        if _write_drivable_xml(path, xml) == 0:
            raise RoadNetworkError(f"{path.name!r} contains no drivable roads (no highway ways). Is it the right "
                                   f"area and a full extract?")
        report("Building the road graph…")
        try:
            graph = ox.graph_from_xml(xml, simplify=False, retain_all=True)
        except Exception as error:  # OSMnx raises several types for unusable data
            raise RoadNetworkError(f"Could not build a road graph from {path.name!r}: {error}") from error
    report("Keeping connected roads, simplifying and timing edges…")
    return prepare_drive_graph(graph, settings)


def graph_from_graphml(path: str | Path, settings: RoutingSettings) -> nx.MultiDiGraph:
    """Drive graph from a GraphML file saved by OSMnx (``ox.save_graphml``).

    Raises
    ------
    RoadNetworkError
        If the file is not GraphML or lacks OSMnx's node coordinates and edge lengths.
    """
    path = Path(path)
    _check_file(path)
    try:
        graph = ox.load_graphml(path)
    except Exception as error:
        raise RoadNetworkError(
            f"{path.name!r} is not a GraphML road network saved by OSMnx ({type(error).__name__}: {error}). "
            f"Load an OpenStreetMap extract (.osm.pbf) instead."
        ) from error
    missing = _missing_osmnx_attributes(graph)
    if missing:
        raise RoadNetworkError(
            f"{path.name!r} is a graph but not an OSMnx road network: {missing}. Save it with "
            f"osmnx.save_graphml, or load an OpenStreetMap extract (.osm.pbf) instead."
        )
    if not isinstance(graph, nx.MultiDiGraph):
        graph = nx.MultiDiGraph(graph)
    return prepare_drive_graph(graph, settings, simplify=False)


def _missing_osmnx_attributes(graph: nx.Graph) -> str | None:
    if graph.number_of_nodes() == 0:
        return "it has no nodes"
    node = next(iter(graph.nodes(data=True)))[1]
    if not {"x", "y"} <= set(node):
        return "its nodes have no x/y (longitude/latitude) attributes"
    if graph.number_of_edges() == 0:
        return "it has no edges"
    edge = next(iter(graph.edges(data=True)))[2]
    if "length" not in edge:
        return "its edges have no length"
    try:
        lon, lat = float(node["x"]), float(node["y"])
    except (TypeError, ValueError):
        return "its node coordinates are not numbers"
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        return "its node coordinates are not longitude/latitude"
    return None


def overpass_reachable(host: str = "overpass-api.de", port: int = 443, timeout_s: float = 3.0) -> bool:
    """True when the OpenStreetMap Overpass API answers a TCP connection within ``timeout_s`` seconds.

    The name lookup runs in a worker thread because ``getaddrinfo`` ignores socket timeouts and can
    hang for a long time on a machine without network.
    """
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


def download_drive_graph(polygon_wgs84, settings: RoutingSettings, timeout_s: float = 180.0,
                         progress: Progress | None = None) -> nx.MultiDiGraph:
    """Download the drive network inside a polygon (WGS84) from OpenStreetMap with OSMnx.

    Raises
    ------
    RoadNetworkError
        Within a few seconds when the Overpass API cannot be reached (offline machine), or if the
        download fails.
    """
    report = progress or (lambda message: None)
    report("Checking the connection to OpenStreetMap…")
    if not overpass_reachable():
        raise RoadNetworkError(
            "Cannot reach OpenStreetMap (overpass-api.de): this machine seems to be offline. Use the bundled "
            "extract, upload an .osm.pbf file (e.g. from download.geofabrik.de), or use the straight-line estimate."
        )
    report("Downloading the drive network (this can take a few minutes for a county)…")
    previous = ox.settings.requests_timeout
    ox.settings.requests_timeout = timeout_s
    try:
        graph = ox.graph_from_polygon(polygon_wgs84, network_type="drive", simplify=True, retain_all=True)
    except Exception as error:
        raise RoadNetworkError(f"The OpenStreetMap download failed ({error}). Try again later or upload an "
                               f"extract file.") from error
    finally:
        ox.settings.requests_timeout = previous
    report("Keeping connected roads and timing edges…")
    return prepare_drive_graph(graph, settings, simplify=False)


def edge_line_bng(graph: nx.MultiDiGraph, u: int, v: int, data: dict) -> LineString:
    """The road geometry of one edge in BNG (straight between its nodes if it has no geometry)."""
    geometry = data.get("geometry")
    if geometry is None:
        a, b = graph.nodes[u], graph.nodes[v]
        return LineString([(a["x_bng"], a["y_bng"]), (b["x_bng"], b["y_bng"])])
    coords = np.asarray(geometry.coords)
    x, y = lonlat_to_bng(coords[:, 0], coords[:, 1])
    return LineString(np.column_stack([x, y]))
