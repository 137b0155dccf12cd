"""Travel-time engines: real roads (``RoadEngine``) and the labelled straight-line estimate (``EstimateEngine``).

Both answer the same questions for points given in British National Grid metres:
:meth:`~TravelEngine.matrix` (origins × destinations), :meth:`~TravelEngine.nearest` (nearest facility
for many points), :meth:`~TravelEngine.within` (points within a limit of any facility) and
:meth:`~TravelEngine.path` (the route between two points as a line). Every result says which method
produced it, and estimates say so in their label.
"""

from __future__ import annotations

import abc
from dataclasses import dataclass
from typing import Sequence

import numpy as np
import pandas as pd
import scipy.sparse as sp
import shapely
from scipy.sparse.csgraph import dijkstra
from scipy.spatial import cKDTree
from scipy.spatial.distance import cdist
from shapely.geometry import LineString
from shapely.geometry.base import BaseGeometry

from geo.shapes import distance_to_boxes, grown_area
from geo.units import METRES_PER_MILE
from routing.network import ReducedEdges, RoadNetwork
from routing.settings import ESTIMATE_BANDS, ESTIMATE_CALIBRATION, MPH_TO_KPH, RoutingSettings

ROAD = "road"
ESTIMATE = "estimate"
ROAD_ZONE_WIDTH_M = 300.0
"""How far either side of a road inside the fee zone the drawn zone reaches, metres."""
_CHUNK_CELLS = 4_000_000  # rows × nodes per Dijkstra batch: bounds memory to ~32 MB per array


@dataclass(frozen=True)
class Snap:
    """Where points join the network: node position, straight distance to it (metres), and a far flag."""

    node: np.ndarray
    distance_m: np.ndarray
    far: np.ndarray


@dataclass(frozen=True)
class TravelMatrix:
    """Origins × destinations travel minutes and miles, with how they were obtained.

    ``minutes`` and ``miles`` are ``inf`` where a destination cannot be reached (or lies beyond the
    cutoff); ``reachable`` says which pairs have a route. Both measures follow the same route: the
    fastest one (``by="time"``) or the shortest (``by="distance"``).
    """

    minutes: np.ndarray
    miles: np.ndarray
    method: str
    by: str
    origin_snap_m: np.ndarray
    destination_snap_m: np.ndarray
    origin_far: np.ndarray
    destination_far: np.ndarray

    @property
    def reachable(self) -> np.ndarray:
        return np.isfinite(self.minutes)


@dataclass(frozen=True)
class RoutePath:
    """The route between two points: a line in BNG with its minutes and miles."""

    line: LineString
    minutes: float
    miles: float
    method: str


def _as_xy(points: np.ndarray | Sequence) -> np.ndarray:
    xy = np.asarray(points, dtype=float)
    if xy.ndim == 1:
        xy = xy.reshape(1, 2)
    if xy.ndim != 2 or xy.shape[1] != 2:
        raise ValueError("Points must be an array of (easting, northing) pairs in metres (BNG).")
    return xy


def _measure(by: str) -> str:
    if by not in ("time", "distance"):
        raise ValueError(f"by must be 'time' or 'distance', not {by!r}")
    return by


def _internal_units(by: str) -> float:
    """Seconds per minute or metres per mile: converts a user limit (minutes or miles) to internal units."""
    return 60.0 if _measure(by) == "time" else METRES_PER_MILE


def _with_virtual_sources(base: sp.csr_matrix, nodes: np.ndarray, legs: np.ndarray) -> sp.csr_matrix:
    """``base`` plus one virtual node per facility (rows n … n+k-1), joined to its road node by its leg.

    Built by appending CSR rows rather than with ``scipy.sparse.bmat``, which would re-sort every edge.
    """
    n, k = base.shape[0], len(nodes)
    data = np.concatenate([base.data, legs])
    indices = np.concatenate([base.indices, nodes.astype(base.indices.dtype)])
    indptr = np.concatenate([base.indptr, base.indptr[-1] + np.arange(1, k + 1)])
    return sp.csr_matrix((data, indices, indptr), shape=(n + k, n + k))


def _sum_to_root(parent: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """For each node of a forest (``parent`` -1 at roots), the sum of ``weight`` from it up to its root."""
    roots = parent < 0
    pointer = np.where(roots, np.arange(len(parent)), parent)
    total = np.where(roots, 0.0, weight)
    while True:
        jumped = pointer[pointer]
        if np.array_equal(jumped, pointer):
            return total
        total = total + total[pointer]  # a root's total is 0, so pointing at a root adds nothing
        pointer = jumped


class TravelEngine(abc.ABC):
    """What every travel-time engine answers, with the same signatures: real roads (:class:`RoadEngine`) or the
    labelled straight-line estimate (:class:`EstimateEngine`). Points are (easting, northing) in BNG metres."""

    method: str = ""
    label: str = ""
    settings: RoutingSettings

    @property
    def is_estimate(self) -> bool:
        """True for the straight-line estimate (its figures must be labelled as estimates)."""
        return self.method == ESTIMATE

    @property
    @abc.abstractmethod
    def token(self) -> str:
        """Text that identifies the engine's results (network and settings), for caching results."""

    @abc.abstractmethod
    def snap(self, xy: np.ndarray) -> Snap:
        """Where points join the network (the estimate joins them where they are)."""

    @abc.abstractmethod
    def matrix(self, origins: np.ndarray, destinations: np.ndarray, *, cutoff: float | None = None,
               by: str = "time", with_other: bool = True) -> TravelMatrix:
        """Travel from each origin to each destination (see :meth:`RoadEngine.matrix`)."""

    @abc.abstractmethod
    def nearest(self, points: np.ndarray, facilities: np.ndarray, *, by: str = "time", direction: str = "to",
                limit: float | None = None, facility_ids: Sequence | None = None,
                with_other: bool = True) -> pd.DataFrame:
        """Nearest facility of every point (see :meth:`RoadEngine.nearest`)."""

    @abc.abstractmethod
    def paths(self, starts: np.ndarray, ends: np.ndarray) -> list[RoutePath]:
        """The route of each (start, end) pair, as a line with its minutes and miles."""

    @abc.abstractmethod
    def distance_from_centres(self, points: np.ndarray, centres: np.ndarray, *,
                              boxes: np.ndarray | None = None) -> pd.DataFrame:
        """Shortest distance from the nearest centre to each point, measured from the centres' points or, when
        ``boxes`` (k × 4: xmin, ymin, xmax, ymax) are given, from anywhere in each centre's box.

        Returns
        -------
        DataFrame
            One row per point: ``miles``, ``minutes`` (along that route), ``centre`` (position, -1 if none),
            ``reachable``, ``far_from_road``, ``method``.
        """

    @abc.abstractmethod
    def zone_shape(self, centres: np.ndarray, *, radius_miles: float,
                   boxes: np.ndarray | None = None) -> tuple[BaseGeometry, str]:
        """The area within ``radius_miles`` of the centres by this engine's distance, and how it was drawn."""

    def path(self, start: np.ndarray, end: np.ndarray) -> RoutePath:
        """The fastest route between two points."""
        return self.paths(_as_xy(start), _as_xy(end))[0]

    def within(self, points: np.ndarray, facilities: np.ndarray, *, minutes: float | None = None,
               miles: float | None = None, direction: str = "to") -> np.ndarray:
        """True for each point within ``minutes`` (by time) or ``miles`` (by distance) of any facility."""
        if (minutes is None) == (miles is None):
            raise ValueError("Give exactly one of minutes or miles.")
        by, limit = ("time", minutes) if minutes is not None else ("distance", miles)
        found = self.nearest(points, facilities, by=by, direction=direction, limit=limit, with_other=False)
        value = found["minutes"] if by == "time" else found["miles"]
        return (value <= limit).to_numpy()

    def _nearest_frame(self, facility: np.ndarray, seconds: np.ndarray, metres: np.ndarray, snap: Snap, *,
                       facility_ids: Sequence | None) -> pd.DataFrame:
        # Either measure may be NaN (not computed); a route exists where the other is finite.
        reachable = (np.isfinite(seconds) | np.isfinite(metres)) & (facility >= 0)
        position = np.where(reachable, facility, -1)
        labels = np.arange(np.max(position, initial=-1) + 1) if facility_ids is None else np.asarray(facility_ids)
        identity = pd.Series(labels[np.clip(position, 0, None)] if len(labels) else position).where(reachable, None)
        return pd.DataFrame({
            "facility": position,
            "facility_id": identity.to_numpy(),
            "minutes": np.where(reachable, seconds / 60.0, np.inf),
            "miles": np.where(reachable, metres / METRES_PER_MILE, np.inf),
            "reachable": reachable,
            "snap_m": snap.distance_m,
            "far_from_road": snap.far,
            "method": self.method,
        })


class RoadEngine(TravelEngine):
    """Shortest paths on a compiled road network with ``scipy.sparse.csgraph.dijkstra``.

    Points join the network at their nearest node; the straight leg to it is added at
    ``settings.access_speed_mph``. Points farther than ``settings.snap_limit_m`` from any node are
    flagged (``far_from_road``), not moved silently.
    """

    method = ROAD

    def __init__(self, network: RoadNetwork, settings: RoutingSettings | None = None, *,
                 description: str | None = None) -> None:
        self.network = network
        self.settings = settings or RoutingSettings()
        self.label = f"Road network: {description or network.description}"
        self._tree = cKDTree(np.column_stack([network.x, network.y]))
        self._access_mps = self.settings.access_speed_mph * MPH_TO_KPH / 3.6

    @property
    def token(self) -> str:
        return f"road|{self.label}|{self.network.digest}|{self.settings.key()}"

    def snap(self, xy) -> Snap:
        xy = _as_xy(xy)
        distance, node = self._tree.query(xy, workers=-1)
        return Snap(node=node.astype(np.int64), distance_m=distance, far=distance > self.settings.snap_limit_m)

    def _edges(self, by: str) -> ReducedEdges:
        return self.network.by_time if _measure(by) == "time" else self.network.by_length

    def _legs(self, snap: Snap, by: str) -> tuple[np.ndarray, np.ndarray]:
        """Access legs as (primary measure, other measure): seconds and metres in the order of ``by``."""
        seconds = snap.distance_m / self._access_mps
        return (seconds, snap.distance_m) if by == "time" else (snap.distance_m, seconds)

    @staticmethod
    def _tree_other(edges: ReducedEdges, predecessors: np.ndarray, reverse: bool,
                    root_other: np.ndarray | None = None) -> np.ndarray:
        """Sum of the other measure along shortest-path trees, by pointer jumping (one row per tree).

        ``predecessors`` may point at virtual source nodes (positions ≥ the edges' node count);
        the edge from virtual node ``n + j`` weighs ``root_other[j]``.
        """
        n = edges.n
        width = predecessors.shape[1]
        nodes = np.broadcast_to(np.arange(width), predecessors.shape)
        has = predecessors >= 0
        weight = np.zeros(predecessors.shape)
        real = has & (predecessors < n) & (nodes < n)
        tails = np.where(reverse, nodes, predecessors)[real]
        heads = np.where(reverse, predecessors, nodes)[real]
        weight[real] = edges.other[edges.lookup(tails, heads)]
        virtual = has & (predecessors >= n)
        if virtual.any():
            weight[virtual] = root_other[predecessors[virtual] - n]
        pointer = np.where(has, predecessors, nodes).astype(np.int64)
        total = weight
        while True:
            jumped = np.take_along_axis(pointer, pointer, axis=1)
            if np.array_equal(jumped, pointer):
                return total
            total = total + np.take_along_axis(total, pointer, axis=1)
            pointer = jumped

    def matrix(self, origins, destinations, *, cutoff: float | None = None, by: str = "time",
               with_other: bool = True) -> TravelMatrix:
        """Travel from each origin to each destination.

        The search covers only the roads within reach: those within ``cutoff`` of an origin, and within a
        bound no origin-destination route can exceed (:meth:`_route_bound`). Its cost grows with that area,
        not with the whole network.

        Parameters
        ----------
        origins, destinations : array of (easting, northing)
            Points in BNG metres.
        cutoff : float, optional
            Ignore routes longer than this many minutes (``by="time"``) or miles (``by="distance"``);
            such pairs come back as ``inf``. Give one whenever longer trips do not matter: it bounds the area
            searched.
        by : {"time", "distance"}
            Fastest or shortest routes; both minutes and miles are measured along the chosen route.
        with_other : bool
            Also measure the other quantity along the route (miles for ``by="time"``); False leaves it NaN.
        """
        by = _measure(by)
        origin_snap, destination_snap = self.snap(origins), self.snap(destinations)
        edges = self._edges(by)
        limit = np.inf if cutoff is None else cutoff * _internal_units(by)
        # Run Dijkstra from whichever side has fewer distinct nodes: from destinations on the reversed
        # graph gives the same origin-to-destination figures.
        reverse = len(np.unique(destination_snap.node)) < len(np.unique(origin_snap.node))
        sources, targets = (destination_snap, origin_snap) if reverse else (origin_snap, destination_snap)
        primary, other = self._rows(edges, sources.node, targets.node, limit=limit, with_other=with_other,
                                    reverse=reverse)
        if reverse:
            primary, other = primary.T, other.T
        origin_primary, origin_other = self._legs(origin_snap, by)
        destination_primary, destination_other = self._legs(destination_snap, by)
        primary = primary + origin_primary[:, None] + destination_primary[None, :]
        other = other + origin_other[:, None] + destination_other[None, :]
        unreachable = ~np.isfinite(primary) | (primary > limit)
        primary[unreachable] = np.inf
        other[unreachable] = np.inf
        seconds, metres = (primary, other) if by == "time" else (other, primary)
        return TravelMatrix(seconds / 60.0, metres / METRES_PER_MILE, self.method, by, origin_snap.distance_m,
                            destination_snap.distance_m, origin_snap.far, destination_snap.far)

    def _route_bound(self, edges: ReducedEdges, sources: np.ndarray, targets: np.ndarray, *, reverse: bool) -> float:
        """A length (internal units) that no shortest route from a source to a target exceeds, or ``inf``.

        Through a hub node h (the node nearest the points' middle), d(s, t) ≤ d(s, h) + d(h, t). Both
        searches from h start at a radius from the points' straight spread and grow fourfold until they
        reach every point, so they cover little more than the points' own area. With ``reverse`` the
        sources and targets are those of the reversed graph.
        """
        network = self.network
        everything = np.concatenate([sources, targets])
        middle = np.column_stack([network.x[everything], network.y[everything]]).mean(axis=0)
        hub = int(self.snap(middle).node[0])
        spread = float(np.hypot(network.x[everything] - middle[0], network.y[everything] - middle[1]).max())
        # A first radius: the straight spread, in metres or in seconds at 60 mph.
        radius = max(spread if edges is network.by_length else spread / 26.8, 1.0)
        forward, backward = (edges.reverse, edges.matrix) if reverse else (edges.matrix, edges.reverse)
        total = 0.0
        for graph, wanted in ((backward, np.unique(sources)), (forward, np.unique(targets))):
            reach = radius
            while True:
                found = dijkstra(graph, directed=True, indices=hub, limit=reach)
                if np.isfinite(found[wanted]).all():
                    total += float(found[wanted].max())
                    break
                if not np.isfinite(reach) or np.isfinite(found).all():
                    return np.inf  # some point cannot reach the hub, or be reached from it
                reach = reach * 4.0 if reach < 1e12 else np.inf
        return total * (1.0 + 1e-9) + 1e-6

    def _rows(self, edges: ReducedEdges, sources: np.ndarray, targets: np.ndarray, *, limit: float, with_other: bool,
              reverse: bool) -> tuple[np.ndarray, np.ndarray]:
        """Shortest paths from each source node to each target node (on the reversed graph if ``reverse``).

        Searches run on the roads within reach only: the union of the balls of radius ``limit`` (or the
        route bound, if smaller) around the sources, found by one multi-source search. Every shortest route no longer
        than that stays inside the union, so the figures are exactly those of the whole network; no array
        as wide as the whole network is made per source.
        """
        unique, inverse = np.unique(sources, return_inverse=True)
        bound = min(limit, self._route_bound(edges, sources, targets, reverse=reverse))
        local, nodes = edges, None
        if np.isfinite(bound):
            reach = dijkstra(edges.reverse if reverse else edges.matrix, directed=True, indices=unique, limit=bound,
                             min_only=True)
            within = np.flatnonzero(np.isfinite(reach))
            if len(within) < 0.6 * edges.n:
                local, nodes = edges.induced(within), within
        if nodes is None:
            local_sources, local_targets = unique, targets
            target_found = np.ones(len(targets), dtype=bool)
        else:
            local_sources = np.searchsorted(nodes, unique)
            position = np.clip(np.searchsorted(nodes, targets), 0, len(nodes) - 1)
            target_found = nodes[position] == targets
            local_targets = np.where(target_found, position, 0)
        graph = local.reverse if reverse else local.matrix
        primary = np.full((len(unique), len(targets)), np.inf)
        other = np.full_like(primary, np.nan)
        step = max(1, _CHUNK_CELLS // max(local.n, 1))
        for start in range(0, len(unique), step):
            rows = slice(start, start + step)
            found = dijkstra(graph, directed=True, indices=local_sources[rows], limit=bound,
                             return_predecessors=with_other)
            distances = found[0] if with_other else found
            primary[rows] = np.where(target_found, distances[:, local_targets], np.inf)
            if with_other:
                along = self._reached_other(local, found[1], roots=local_sources[rows], reverse=reverse,
                                            targets=local_targets)
                other[rows] = np.where(target_found, along, np.nan)
        return primary[inverse], other[inverse]

    @staticmethod
    def _reached_other(edges: ReducedEdges, predecessors: np.ndarray, *, roots: np.ndarray, reverse: bool,
                       targets: np.ndarray) -> np.ndarray:
        """The other measure along each tree's route (rooted at ``roots``) to each target; NaN where the tree did
        not reach it.

        Walks from every reached target up its tree, all (tree, target) pairs in step, so the work is the
        length of the routes asked for, not the size of the network or of the trees.
        """
        rows = np.repeat(np.arange(len(predecessors)), len(targets))
        current = np.tile(targets, len(predecessors)).astype(np.int64)
        reached = (predecessors[rows, current] >= 0) | (current == roots[rows])
        total = np.where(reached, 0.0, np.nan)
        walking = np.flatnonzero(reached & (current != roots[rows]))
        current = current[walking]
        while len(walking):
            parent = predecessors[rows[walking], current].astype(np.int64)
            tails, heads = (current, parent) if reverse else (parent, current)
            total[walking] += edges.other[edges.lookup(tails, heads)]
            going = parent != roots[rows[walking]]
            walking, current = walking[going], parent[going]
        return total.reshape(len(predecessors), len(targets))

    def nearest(self, points, facilities, *, by: str = "time", direction: str = "to", limit: float | None = None,
                facility_ids: Sequence | None = None, with_other: bool = True) -> pd.DataFrame:
        """Nearest facility of every point in one multi-source Dijkstra.

        Parameters
        ----------
        points, facilities : array of (easting, northing)
            BNG metres.
        by : {"time", "distance"}
            Nearest by travel time or by road distance.
        direction : {"to", "from"}
            Travel from each point to the facility (residents going to a care home) or from the
            facility to the point (a carer leaving a base).
        limit : float, optional
            Stop searching beyond this many minutes (or miles); farther points are unreachable.
        facility_ids : sequence, optional
            Labels of the facilities for the ``facility_id`` column (default: their positions).
        with_other : bool
            Also measure the other quantity (miles when ``by="time"``) along each route; False leaves it NaN.

        Returns
        -------
        DataFrame
            One row per point: ``facility`` (position, -1 if none), ``facility_id``, ``minutes``,
            ``miles`` (``inf`` if unreachable), ``reachable``, ``snap_m``, ``far_from_road``, ``method``.
        """
        by = _measure(by)
        if direction not in ("to", "from"):
            raise ValueError(f"direction must be 'to' or 'from', not {direction!r}")
        point_snap, facility_snap = self.snap(points), self.snap(facilities)
        edges = self._edges(by)
        n, k = self.network.n_nodes, len(facility_snap.node)
        base = edges.reverse if direction == "to" else edges.matrix
        facility_primary, facility_other = self._legs(facility_snap, by)
        graph = _with_virtual_sources(base, facility_snap.node, facility_primary)
        bound = np.inf if limit is None else limit * _internal_units(by)
        distances, predecessors, sources = dijkstra(graph, directed=True, indices=np.arange(n, n + k),
                                                    min_only=True, return_predecessors=True, limit=bound)
        if with_other:
            other = self._tree_other(edges, predecessors[None, :], reverse=direction == "to",
                                     root_other=facility_other)[0]
        else:
            other = np.full(n, np.nan)
        point_primary, point_other = self._legs(point_snap, by)
        primary = distances[point_snap.node] + point_primary
        secondary = other[point_snap.node] + point_other
        facility = np.where(sources[point_snap.node] >= n, sources[point_snap.node] - n, -1)
        primary = np.where(primary <= bound, primary, np.inf)
        secondary = np.where(np.isfinite(primary), secondary, np.inf)
        seconds, metres = (primary, secondary) if by == "time" else (secondary, primary)
        return self._nearest_frame(facility, seconds, metres, point_snap, facility_ids=facility_ids)

    def _route_line(self, nodes: list[int], start_xy: np.ndarray, end_xy: np.ndarray, legs_m: float) -> RoutePath:
        """A route through node positions, joined to its end points by straight access legs."""
        if not nodes:
            return RoutePath(LineString([start_xy, end_xy]), np.inf, np.inf, self.method)
        edges = self.network.by_time
        points = [start_xy]
        seconds = metres = 0.0
        if len(nodes) > 1:
            position = edges.lookup(np.array(nodes[:-1]), np.array(nodes[1:]), self.network.n_nodes)
            seconds = float(edges.weight[position].sum())
            metres = float(edges.other[position].sum())
            for raw in edges.raw_index[position]:
                points.extend(self.network.edge_points(int(raw)))
        else:
            points.append((self.network.x[nodes[0]], self.network.y[nodes[0]]))
        points.append(end_xy)
        return RoutePath(LineString(points), (seconds + legs_m / self._access_mps) / 60.0,
                         (metres + legs_m) / METRES_PER_MILE, self.method)

    def paths(self, starts, ends) -> list[RoutePath]:
        """Fastest routes for many (start, end) pairs: one Dijkstra per distinct start, paths read off its tree."""
        starts, ends = _as_xy(starts), _as_xy(ends)
        start_snap, end_snap = self.snap(starts), self.snap(ends)
        unique, inverse = np.unique(start_snap.node, return_inverse=True)
        routes: list[RoutePath | None] = [None] * len(starts)
        step = max(1, _CHUNK_CELLS // max(self.network.n_nodes, 1))
        for first in range(0, len(unique), step):
            chunk = unique[first:first + step]
            _, predecessors = dijkstra(self.network.by_time.matrix, directed=True, indices=chunk,
                                       return_predecessors=True)
            for pair in np.flatnonzero((inverse >= first) & (inverse < first + len(chunk))):
                row = predecessors[inverse[pair] - first]
                origin, target = int(start_snap.node[pair]), int(end_snap.node[pair])
                nodes = [target]
                while nodes[-1] != origin and row[nodes[-1]] >= 0:
                    nodes.append(int(row[nodes[-1]]))
                nodes = nodes[::-1] if nodes[-1] == origin else []
                legs = float(start_snap.distance_m[pair] + end_snap.distance_m[pair])
                routes[pair] = self._route_line(nodes, starts[pair], ends[pair], legs)
        return routes


    def _box_sources(self, centres: np.ndarray, boxes: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
        """Points a distance is measured from: the centres and, with ``boxes``, every road node inside each
        centre's box, with the centre each belongs to."""
        xy, owner = [centres], [np.arange(len(centres))]
        if boxes is not None:
            network = self.network
            for index, (xmin, ymin, xmax, ymax) in enumerate(np.asarray(boxes, dtype=float)):
                inside = (network.x >= xmin) & (network.x <= xmax) & (network.y >= ymin) & (network.y <= ymax)
                xy.append(np.column_stack([network.x[inside], network.y[inside]]))
                owner.append(np.full(int(inside.sum()), index))
        return np.vstack(xy), np.concatenate(owner)

    def distance_from_centres(self, points, centres, *, boxes=None) -> pd.DataFrame:
        """Shortest road distance from the nearest centre to each point (the route a carer drives out)."""
        sources, owner = self._box_sources(_as_xy(centres), boxes)
        found = self.nearest(points, sources, by="distance", direction="from", facility_ids=owner)
        return pd.DataFrame({
            "miles": found["miles"].to_numpy(), "minutes": found["minutes"].to_numpy(),
            "centre": found["facility_id"].fillna(-1).astype(int).to_numpy(), "reachable": found["reachable"].to_numpy(),
            "far_from_road": found["far_from_road"].to_numpy(), "method": self.method,
        })

    def zone_shape(self, centres, *, radius_miles: float, boxes=None) -> tuple[BaseGeometry, str]:
        """Every road whose both ends are within the radius by road, widened by 300 m and merged: a continuous
        zone along the roads."""
        network = self.network
        found = self.distance_from_centres(np.column_stack([network.x, network.y]), centres, boxes=boxes)
        inside = found["reachable"].to_numpy() & (found["miles"].to_numpy() <= radius_miles)
        edges = network.by_time
        kept = inside[edges.tail] & inside[edges.head]
        lines = shapely.simplify(np.array([LineString(network.edge_points(int(raw))) for raw in edges.raw_index[kept]]),
                                 25)
        # Buffering each road then merging is far faster than buffering one multi-line of thousands of roads.
        shape = shapely.union_all(shapely.buffer(lines, ROAD_ZONE_WIDTH_M, quad_segs=2), grid_size=10).simplify(50)
        method = (f"Roads within {radius_miles:g} miles by road of a centre ({int(kept.sum()):,} of {len(kept):,} road "
                  f"segments), each widened by {ROAD_ZONE_WIDTH_M:.0f} m and merged.")
        return shape, method


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
    labelled so, calibrated on Rutland's roads (see :mod:`routing.calibrate`)."""

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

    def snap(self, xy) -> Snap:
        count = len(_as_xy(xy))
        return Snap(node=np.full(count, -1), distance_m=np.zeros(count), far=np.zeros(count, dtype=bool))

    def matrix(self, origins, destinations, *, cutoff: float | None = None, by: str = "time",
               with_other: bool = True) -> TravelMatrix:
        by = _measure(by)
        origins, destinations = _as_xy(origins), _as_xy(destinations)
        shape = (len(origins), len(destinations))
        minutes = np.empty(shape)
        need_miles = with_other or by == "distance"
        miles = np.empty(shape) if need_miles else np.broadcast_to(np.float64(np.nan), shape)
        # A block of origins at a time: a council's postcodes × homes would otherwise take several times the memory
        # of the result in intermediate arrays.
        step = max(1, (1 << 21) // max(len(destinations), 1))
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
        o, d = self.snap(origins), self.snap(destinations)
        return TravelMatrix(minutes, miles, self.method, by, o.distance_m, d.distance_m, o.far, d.far)

    def nearest(self, points, facilities, *, by: str = "time", direction: str = "to", limit: float | None = None,
                facility_ids: Sequence | None = None, with_other: bool = True) -> pd.DataFrame:
        points, facilities = _as_xy(points), _as_xy(facilities)
        straight, facility = cKDTree(facilities).query(points)
        metres, seconds = self.curve.road(straight), self.curve.time(straight)
        if limit is not None:
            beyond = (seconds if _measure(by) == "time" else metres) > limit * _internal_units(by)
            seconds, metres = np.where(beyond, np.inf, seconds), np.where(beyond, np.inf, metres)
        return self._nearest_frame(facility, seconds, metres, self.snap(points), facility_ids=facility_ids)

    def path(self, start, end) -> RoutePath:
        start, end = _as_xy(start)[0], _as_xy(end)[0]
        straight = float(np.hypot(*(end - start)))
        return RoutePath(LineString([start, end]), float(self.curve.time(straight)) / 60.0,
                         float(self.curve.road(straight)) / METRES_PER_MILE, self.method)

    def paths(self, starts, ends) -> list[RoutePath]:
        """Straight segments for many (start, end) pairs (estimates: no roads are followed)."""
        return [self.path(start, end) for start, end in zip(_as_xy(starts), _as_xy(ends))]

    def distance_from_centres(self, points, centres, *, boxes=None) -> pd.DataFrame:
        """Estimated road distance from the nearest centre (or centre box) to each point."""
        points = _as_xy(points)
        if boxes is not None:
            straight, centre = distance_to_boxes(points, np.asarray(boxes, dtype=float))
        else:
            straight, centre = cKDTree(_as_xy(centres)).query(points)
        return pd.DataFrame({"miles": self.curve.road(straight) / METRES_PER_MILE,
                             "minutes": self.curve.time(straight) / 60.0, "centre": centre.astype(int),
                             "reachable": True, "far_from_road": False, "method": self.method})

    def zone_shape(self, centres, *, radius_miles: float, boxes=None) -> tuple[BaseGeometry, str]:
        """Circles of the straight-line radius whose estimated road distance is ``radius_miles``."""
        shrunk = self.curve.straight_for_road(radius_miles * METRES_PER_MILE) / METRES_PER_MILE
        method = (f"Estimate: circles of {shrunk:.2f} miles (the straight distance estimated to be {radius_miles:g} "
                  f"miles by road, {self.curve.describe()}), since no road network is loaded.")
        return grown_area(_as_xy(centres), shrunk * METRES_PER_MILE, boxes=boxes), method
