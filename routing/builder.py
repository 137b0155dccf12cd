"""Build a drive network straight from an OpenStreetMap file into arrays, without networkx.

Two passes over the file with pyosmium: drivable ways first (filtered in C++ to those with a ``highway``
tag, counted as they come so an oversized file is refused early), then the locations of only the nodes
those ways use. Everything after that is numpy and ``scipy.sparse.csgraph``:

1. each way becomes directed edges (both ways unless one-way, reversed for ``oneway=-1``), exactly as
   OSMnx reads it;
2. the largest strongly connected component is kept, so every node can reach every other;
3. chains of degree-2 nodes are contracted into one edge between true endpoints, with OSMnx's rules
   (:func:`osmnx.simplify_graph`): length and travel time are summed along the chain, and the chain's
   points kept as the edge's shape.

Each raw segment is timed with its own way's speed (:mod:`routing.speeds`), so a chain that changes road
type or speed limit part-way is timed segment by segment. :func:`routing.osm.graph_from_osm_file` does
the same through OSMnx and networkx; the two give equal travel times (``tests/test_road_builder.py``).
Peak memory is a few hundred bytes per node reference in a drivable way.
"""

from __future__ import annotations

from array import array
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np
import osmium
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from geo.errors import RoadNetworkError
from geo.units import lonlat_to_bng
from routing.limits import (
    RoadLimits,
    check_connected_part,
    check_file_size,
    check_in_great_britain,
    check_node_count,
    safe_name,
    safe_text,
    too_many_way_nodes,
)
from routing.network import RoadNetwork
from routing.settings import RoutingSettings
from routing.speeds import edge_speed_kph
from routing.tags import SPEED_TAGS, is_drivable, way_direction

Progress = Callable[[str], None]

_TWO_WAY, _BACKWARD = 0, -1
_MAX_CHAIN_STEPS = 1_000_000


KEPT_TAGS = ("highway", "maxspeed", "lanes", "width", "est_width", "oneway", "junction", "access", "motor_vehicle",
             "motorcar", "vehicle", "service", "area", "name", "ref")
"""Way tags kept when drivable ways are copied to an extract: those that decide drivability, direction and speed,
and names for reading the map."""


@dataclass
class DrivableWays:
    """Drivable ways as flat arrays: node references, where each way starts, its direction and speed class
    (and, when asked for, each way's id and :data:`KEPT_TAGS`)."""

    refs: np.ndarray
    starts: np.ndarray
    direction: np.ndarray
    speed_class: np.ndarray
    speeds_kph: np.ndarray
    way_ids: np.ndarray | None = None
    tags: list[dict[str, str]] | None = None

    @property
    def count(self) -> int:
        return len(self.direction)


def read_drivable_ways(path: Path, settings: RoutingSettings, limits: RoadLimits, *,
                       keep_tags: bool = False) -> DrivableWays:
    """First pass: every drivable way's node references, direction and speed (ways counted as read).

    Raises
    ------
    RoadNetworkError
        If the file cannot be read as OpenStreetMap data, or its drivable ways hold more nodes than
        ``limits`` allow for its size (:meth:`RoadLimits.way_node_cap`).
    """
    refs, starts, direction, speed_class = array("q"), array("q", [0]), array("b"), array("i")
    classes: dict[tuple, int] = {}
    speeds: list[float] = []
    way_ids, kept_tags = array("q"), []
    cap = limits.way_node_cap(path.stat().st_size)
    processor = osmium.FileProcessor(str(path), osmium.osm.WAY).with_filter(osmium.filter.KeyFilter("highway"))
    try:
        for way in processor:
            tags = way.tags
            if not is_drivable(tags):
                continue
            nodes = [node.ref for node in way.nodes]
            refs.extend(nodes)
            if len(refs) > cap:
                raise too_many_way_nodes(len(refs), path, limits)
            starts.append(len(refs))
            direction.append(way_direction(tags))
            key = tuple(tags.get(name) for name in SPEED_TAGS)
            if key not in classes:
                classes[key] = len(classes)
                speeds.append(edge_speed_kph({n: v for n, v in zip(SPEED_TAGS, key) if v is not None}, settings))
            speed_class.append(classes[key])
            if keep_tags:
                way_ids.append(way.id)
                kept_tags.append({name: tags.get(name) for name in KEPT_TAGS if name in tags})
    except _FORMAT_ERRORS as error:
        raise _unreadable(path, error) from error
    return DrivableWays(np.frombuffer(refs, dtype=np.int64), np.frombuffer(starts, dtype=np.int64),
                        np.frombuffer(direction, dtype=np.int8), np.frombuffer(speed_class, dtype=np.int32),
                        np.array(speeds, dtype=float), np.frombuffer(way_ids, dtype=np.int64) if keep_tags else None,
                        kept_tags if keep_tags else None)


_FORMAT_ERRORS = (RuntimeError, ValueError, osmium.InvalidLocationError)
"""What osmium raises for a damaged or forged file (bad block, illegal id, coordinate that is not a number)."""


def _unreadable(path: Path, error: Exception) -> RoadNetworkError:
    detail = safe_text(str(error).splitlines()[0] if str(error) else type(error).__name__, limit=120)
    return RoadNetworkError(f"{safe_name(path)!r} is not a readable OpenStreetMap file ({detail}). It may be damaged "
                            f"or another format: download the .osm.pbf extract again.")


def read_node_locations(path: Path, node_ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Second pass: longitude and latitude of each of ``node_ids`` (sorted), NaN where the file lacks the node.

    Every node's location is indexed by osmium in C++ (16 bytes a node; its id filter would cost far more for
    the sparse ids of real extracts); Python only reads back the ones asked for.

    Raises
    ------
    RoadNetworkError
        If a node has a coordinate outside −180…180 / −90…90 (a damaged or forged file) or outside Great Britain.
    """
    coordinates = np.full((len(node_ids), 2), np.nan)
    index = osmium.index.create_map("sparse_mem_array")
    try:
        osmium.apply(str(path), osmium.filter.EntityFilter(osmium.osm.NODE), osmium.NodeLocationsForWays(index))
    except _FORMAT_ERRORS as error:
        raise _unreadable(path, error) from error
    get = index.get
    new = _new_node_locations(path, node_ids) if node_ids.size and node_ids[0] < 0 else {}
    for position, node in enumerate(node_ids.tolist()):
        try:
            location = new[node] if node < 0 else get(node)
        except KeyError:
            continue  # a way reaching beyond the extract
        if not location.valid():
            raise RoadNetworkError(
                f"{safe_name(path)!r}: node {node} has no valid coordinate (longitude must be within −180…180 "
                f"and latitude within −90…90). The file is damaged: download the extract again.")
        coordinates[position] = location.lon, location.lat
    check_in_great_britain(path, node_ids, coordinates[:, 0], coordinates[:, 1])
    return coordinates[:, 0], coordinates[:, 1]


def _new_node_locations(path: Path, node_ids: np.ndarray) -> dict[int, osmium.osm.Location]:
    """Locations of the nodes with negative ids among ``node_ids`` (sorted): objects an editor such as JOSM has
    not yet uploaded. osmium's index holds only positive ids, so these are read in Python, on a pass made only
    for files that have them."""
    wanted = set(node_ids[node_ids < 0].tolist())
    found: dict[int, osmium.osm.Location] = {}
    try:
        for node in osmium.FileProcessor(str(path), osmium.osm.NODE):
            if node.id < 0 and node.id in wanted:
                found[node.id] = osmium.osm.Location(node.location.lon_without_check(),
                                                     node.location.lat_without_check())
    except _FORMAT_ERRORS as error:
        raise _unreadable(path, error) from error
    return found


@dataclass
class RawEdges:
    """Directed segments between consecutive way nodes, in the order OSMnx adds them (its edge keys)."""

    tail: np.ndarray
    head: np.ndarray
    speed_class: np.ndarray


def raw_edges(ways: DrivableWays, node_ids: np.ndarray) -> RawEdges:
    """Every directed segment of the ways, as positions in ``node_ids``.

    OSMnx drops repeated consecutive nodes of a way, adds a way's segments in node order (reversed for
    ``oneway=-1``) and then, for a two-way road, the same segments backwards; that order decides which of
    two parallel segments it keeps inside a contracted chain, so it is kept here.
    """
    lengths = np.diff(ways.starts)
    way_of = np.repeat(np.arange(ways.count), lengths)
    refs = ways.refs
    keep = np.ones(len(refs), dtype=bool)
    keep[1:] = (refs[1:] != refs[:-1]) | (way_of[1:] != way_of[:-1])
    refs, way_of = refs[keep], way_of[keep]
    pair = np.flatnonzero(way_of[1:] == way_of[:-1])
    tail, head, way = refs[pair], refs[pair + 1], way_of[pair]
    sequence = np.arange(len(pair))
    direction = ways.direction[way]
    backward = direction == _BACKWARD
    tail, head = np.where(backward, head, tail), np.where(backward, tail, head)
    sequence = np.where(backward, -sequence, sequence)
    two_way = direction == _TWO_WAY
    all_tail = np.concatenate([tail, head[two_way]])
    all_head = np.concatenate([head, tail[two_way]])
    all_way = np.concatenate([way, way[two_way]])
    phase = np.concatenate([np.zeros(len(tail), dtype=np.int8), np.ones(int(two_way.sum()), dtype=np.int8)])
    order = np.lexsort((np.concatenate([sequence, sequence[two_way]]), phase, all_way))
    return RawEdges(np.searchsorted(node_ids, all_tail[order]), np.searchsorted(node_ids, all_head[order]),
                    ways.speed_class[all_way[order]])


def largest_strong_component(n: int, tail: np.ndarray, head: np.ndarray) -> np.ndarray:
    """Boolean mask of the nodes in the largest strongly connected component."""
    graph = sp.csr_matrix((np.ones(len(tail), dtype=np.int8), (tail, head)), shape=(n, n))
    _, labels = connected_components(graph, directed=True, connection="strong")
    return labels == np.bincount(labels).argmax()


def endpoints(n: int, tail: np.ndarray, head: np.ndarray) -> np.ndarray:
    """True for the nodes OSMnx keeps when simplifying (``osmnx.simplification._is_endpoint``, strict rules).

    A node is kept if it loops to itself, has no way in or no way out, or does not have exactly two
    neighbours with 2 or 4 directed edges (a dead end, a junction, a one-way/two-way change, a parallel edge).
    """
    in_degree = np.bincount(head, minlength=n)
    out_degree = np.bincount(tail, minlength=n)
    self_loop = np.zeros(n, dtype=bool)
    self_loop[tail[tail == head]] = True
    other = tail != head
    pairs = np.unique(np.concatenate([tail[other] * np.int64(n) + head[other], head[other] * np.int64(n) + tail[other]]))
    neighbours = np.bincount(pairs // n, minlength=n)
    degree = in_degree + out_degree
    interstitial = (neighbours == 2) & ((degree == 2) | (degree == 4))
    return self_loop | (in_degree == 0) | (out_degree == 0) | ~interstitial


@dataclass
class Chains:
    """Contracted edges: each is a run of raw edges ``members[offsets[i]:offsets[i + 1]]`` (positions in the
    raw edge arrays), from one endpoint to the next."""

    members: np.ndarray
    offsets: np.ndarray


def contract_chains(n: int, tail: np.ndarray, head: np.ndarray, is_endpoint: np.ndarray) -> Chains:
    """Runs of raw edges between endpoints, found as OSMnx's ``_build_path`` finds them.

    Raw edges are in insertion order. A run starts at each (endpoint, successor) pair with the first edge
    between them, and carries on through interstitial nodes by the first edge that does not turn back; an
    edge between two endpoints is a run of its own (every parallel copy kept).
    """
    count = len(tail)
    edge_index = np.arange(count)
    # Out-edges of each node in insertion order.
    by_tail = np.lexsort((edge_index, tail))
    first_out = np.searchsorted(tail[by_tail], np.arange(n + 1))
    # The continuation of edge u→v through an interstitial v: v's first out-edge whose head is not u
    # (an interstitial node has at most two neighbours, so checking its first two distinct heads suffices).
    next_edge = np.full(count, -1, dtype=np.int64)
    through = ~is_endpoint[head]
    for rank in range(4):  # an interstitial node has at most 2 out-edges (4 directed edges in all)
        slot = first_out[head[through]] + rank
        valid = slot < first_out[head[through] + 1]
        candidate = np.where(valid, by_tail[np.minimum(slot, count - 1)], -1)
        fits = valid & (head[np.maximum(candidate, 0)] != tail[through]) & (next_edge[through] < 0)
        chosen = next_edge[through]
        chosen[fits] = candidate[fits]
        next_edge[through] = chosen

    # Starts: from an endpoint, the first edge to each distinct successor; every endpoint→endpoint edge.
    from_endpoint = is_endpoint[tail]
    into_chain = from_endpoint & ~is_endpoint[head]
    candidates = edge_index[into_chain]
    _, first = np.unique(tail[candidates] * np.int64(n) + head[candidates], return_index=True)
    starts = np.sort(np.concatenate([candidates[first], edge_index[from_endpoint & is_endpoint[head]]]))

    run = np.arange(len(starts))
    run_of, step_of, member = [run], [np.zeros(len(starts), dtype=np.int64)], [starts]
    current = starts
    for step in range(1, _MAX_CHAIN_STEPS):
        following = next_edge[current]
        going = following >= 0
        run, current = run[going], following[going]
        if not len(current):
            break
        run_of.append(run)
        step_of.append(np.full(len(run), step))
        member.append(current)
    run_of, step_of, member = np.concatenate(run_of), np.concatenate(step_of), np.concatenate(member)
    order = np.lexsort((step_of, run_of))
    counts = np.bincount(run_of, minlength=len(starts))
    return Chains(member[order], np.concatenate([[0], np.cumsum(counts)]))


def network_from_osm_file(path: str | Path, settings: RoutingSettings, *, limits: RoadLimits | None = None,
                          description: str | None = None, progress: Progress | None = None) -> RoadNetwork:
    """Drive network from an OpenStreetMap file (``.osm.pbf`` or ``.osm`` XML), straight to arrays.

    Parameters
    ----------
    path : str or Path
    settings : RoutingSettings
        Speeds by road type and the lane factor.
    limits : RoadLimits, optional
        Size ceilings checked before and while reading (default: what this machine's memory allows).
    description : str, optional
        Label of the network (default: the file name).
    progress : callable, optional
        Called with a line of text at each stage.

    Raises
    ------
    RoadNetworkError
        If the file is missing, too large for the limits, damaged, has a node with an invalid coordinate,
        or has no drivable roads.
    """
    path = Path(path)
    limits = limits or RoadLimits.for_machine()
    report = progress or (lambda message: None)
    check_file_size(path, limits)
    report(f"Reading drivable roads from {safe_name(path)}…")
    ways = read_drivable_ways(path, settings, limits)
    if ways.count == 0:
        raise RoadNetworkError(f"{safe_name(path)!r} contains no drivable roads (no highway ways). Is it the right "
                               f"area and a full extract?")
    node_ids = np.unique(ways.refs)
    check_node_count(path, limits)
    report(f"Locating {len(node_ids):,} road nodes of {ways.count:,} drivable ways…")
    lon, lat = read_node_locations(path, node_ids)
    edges = raw_edges(ways, node_ids)
    segment_speed_kph = ways.speeds_kph[edges.speed_class]
    del ways
    located = np.isfinite(lon)
    x, y = lonlat_to_bng(np.where(located, lon, 0.0), np.where(located, lat, 0.0))
    located &= np.isfinite(x) & np.isfinite(y)
    usable = located[edges.tail] & located[edges.head]
    if not usable.any():
        raise RoadNetworkError(f"{safe_name(path)!r} has drivable ways but none of their nodes has a location: it is "
                               f"not a complete extract.")
    tail, head, segment_speed_kph = edges.tail[usable], edges.head[usable], segment_speed_kph[usable]
    report("Keeping connected roads, contracting chains and timing edges…")
    keep = largest_strong_component(len(node_ids), tail, head)
    inside = keep[tail] & keep[head]
    check_connected_part(path, int(keep.sum()), int(np.unique(np.concatenate([tail, head])).size),
                         int(inside.sum()))
    kept = np.flatnonzero(keep)
    renumber = np.full(len(node_ids), -1, dtype=np.int64)
    renumber[kept] = np.arange(len(kept))
    tail, head, segment_speed_kph = renumber[tail[inside]], renumber[head[inside]], segment_speed_kph[inside]
    node_ids, x, y = node_ids[kept], x[kept], y[kept]
    del edges, renumber, keep, inside, kept, located, usable, lon, lat
    return contracted_network(node_ids, x, y, tail, head, segment_speed_kph=segment_speed_kph,
                              description=description or f"OpenStreetMap, {safe_name(path)}")


def contracted_network(node_ids: np.ndarray, x: np.ndarray, y: np.ndarray, tail: np.ndarray, head: np.ndarray, *,
                       segment_speed_kph: np.ndarray, description: str) -> RoadNetwork:
    """A :class:`RoadNetwork` of the endpoints, each edge a contracted chain of raw segments.

    Parameters
    ----------
    node_ids, x, y : ndarray
        Raw nodes (OSM ids; BNG metres).
    tail, head : ndarray
        Raw directed segments as node positions, in insertion order.
    segment_speed_kph : ndarray
        Speed of each segment, km/h.
    """
    n = len(node_ids)
    segment_m = np.hypot(x[head] - x[tail], y[head] - y[tail])
    segment_s = segment_m / (segment_speed_kph / 3.6)
    is_endpoint = endpoints(n, tail, head)
    if not is_endpoint.any():
        raise RoadNetworkError("The road network is a single ring of road with no junction: nothing to route on.")
    chains = contract_chains(n, tail, head, is_endpoint)
    first, last = chains.members[chains.offsets[:-1]], chains.members[chains.offsets[1:] - 1]
    # A chain can stop at an interstitial node only on odd digitisation (OSMnx drops such edges with the node).
    complete = is_endpoint[head[last]]
    length_m = np.add.reduceat(segment_m[chains.members], chains.offsets[:-1])[complete]
    time_s = np.add.reduceat(segment_s[chains.members], chains.offsets[:-1])[complete]
    chain_count = len(first)
    # Shape of each chain: its first tail, then the head of every member.
    points = np.empty(len(chains.members) + chain_count, dtype=np.int64)
    chain_of = np.repeat(np.arange(chain_count), np.diff(chains.offsets))
    points[chains.offsets[:-1] + np.arange(chain_count)] = tail[first]
    points[np.arange(len(chains.members)) + chain_of + 1] = head[chains.members]
    point_offsets = chains.offsets + np.arange(chain_count + 1)
    points = points[np.repeat(complete, np.diff(point_offsets))]
    sizes = np.diff(point_offsets)[complete]
    kept_nodes = np.flatnonzero(is_endpoint)
    position = np.full(n, -1, dtype=np.int64)
    position[kept_nodes] = np.arange(len(kept_nodes))
    edge_tail, edge_head = position[tail[first[complete]]], position[head[last[complete]]]
    # Free the raw segments before the network builds its own indexes (the peak of the whole build).
    del chains, first, last, segment_m, segment_s, position, is_endpoint
    return RoadNetwork(
        node_ids=node_ids[kept_nodes].astype(np.int64), x=x[kept_nodes], y=y[kept_nodes], tail=edge_tail,
        head=edge_head, time_s=time_s, length_m=length_m,
        geometry_offsets=np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64),
        geometry_xy=np.column_stack([x[points], y[points]]), description=description,
    )
