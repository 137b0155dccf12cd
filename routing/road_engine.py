"""Travel on real roads: shortest paths on a compiled road network (:class:`RoadEngine`).

Built from a network (``RoadEngine(network)``), a file (:meth:`RoadEngine.from_file`), a council's bundled extract
(:meth:`RoadEngine.bundled`) or the roads ``python -m caremap roads`` prepared (:meth:`RoadEngine.prepared`). The
public methods (and the checks of their arguments) are :class:`routing.travel.TravelEngine`'s.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Callable, Sequence

import numpy as np
import pandas as pd
import shapely
from shapely.geometry import LineString
from shapely.geometry.base import BaseGeometry

from geo.errors import RoadNetworkError
from geo.units import METRES_PER_MILE
from routing.files import network_from_file, prepared_description, prepared_extract
from routing.limits import RoadLimits, safe_name
from routing.network import ReducedEdges, RoadNetwork
from routing.settings import MPH_TO_KPH, RoutingSettings
from routing.travel import ROAD, RoutePath, Snap, TravelEngine, TravelMatrix, internal_units

if TYPE_CHECKING:
    import scipy.sparse as sp

    from geo.council import Council

ROAD_ZONE_WIDTH_M = 300.0
"""How far either side of a road inside the fee zone the drawn zone reaches, metres."""
_CHUNK_CELLS = 4_000_000  # rows × nodes per Dijkstra batch: bounds memory to ~32 MB per array
Progress = Callable[[str], None]


def _with_virtual_sources(base: sp.csr_matrix, nodes: np.ndarray, legs: np.ndarray) -> sp.csr_matrix:
    """``base`` plus one virtual node per facility (rows n … n+k-1), joined to its road node by its leg.

    Built by appending CSR rows rather than with ``scipy.sparse.bmat``, which would re-sort every edge.
    """
    import scipy.sparse as sp

    n, k = base.shape[0], len(nodes)
    data = np.concatenate([base.data, legs])
    indices = np.concatenate([base.indices, nodes.astype(base.indices.dtype)])
    indptr = np.concatenate([base.indptr, base.indptr[-1] + np.arange(1, k + 1)])
    return sp.csr_matrix((data, indices, indptr), shape=(n + k, n + k))


def dijkstra(graph: sp.csr_matrix, **options):
    """:func:`scipy.sparse.csgraph.dijkstra`, SciPy loaded when a road is first measured (not with the app's first
    map, which measures none)."""
    from scipy.sparse.csgraph import dijkstra as search

    return search(graph, **options)


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
        from scipy.spatial import cKDTree

        self._tree = cKDTree(np.column_stack([network.x, network.y]))
        self._access_mps = self.settings.access_speed_mph * MPH_TO_KPH / 3.6

    @classmethod
    def from_file(cls, path: str | Path, *, settings: RoutingSettings | None = None, description: str | None = None,
                  cache_dir: Path | None = None, limits: RoadLimits | None = None,
                  progress: Progress | None = None) -> "RoadEngine":
        """The engine of an OpenStreetMap extract (``.osm.pbf``, ``.osm``) or a GraphML file saved by OSMnx, built
        through the cache (a file built once loads in milliseconds).

        Parameters
        ----------
        path : str or Path
        settings : RoutingSettings, optional
            Speeds and limits (default :class:`RoutingSettings`).
        description : str, optional
            How the network is labelled (default: the file's name).
        cache_dir : Path, optional
            Where built networks are cached (default ``settings.cache_folder`` of :mod:`geo.settings`).
        limits : RoadLimits, optional
            Largest file and network read (default: what this machine's memory allows).
        progress : callable, optional
            Called with a message at each step of a build.

        Raises
        ------
        RoadNetworkError
            If the file is missing, too large, damaged or holds no drivable roads.
        """
        settings = settings or RoutingSettings()
        description = description or f"OpenStreetMap, {safe_name(path)}"
        network = network_from_file(path, settings, description=description, progress=progress, cache_dir=cache_dir,
                                    limits=limits)
        return cls(network, settings, description=description)  # the file may be cached under another name

    @classmethod
    def bundled(cls, council: "Council", *, settings: RoutingSettings | None = None, cache_dir: Path | None = None,
                progress: Progress | None = None) -> "RoadEngine":
        """The engine of the OpenStreetMap extract bundled with a council (Rutland's).

        Raises
        ------
        RoadNetworkError
            If the council has no bundled extract.
        """
        if not council.osm_extract:
            raise RoadNetworkError(f"{council.name} has no bundled road network. Upload an OpenStreetMap extract, "
                                   f"download one, or use the straight-line estimate.")
        description = f"OpenStreetMap extract of {council.name}" + (
            f" ({council.osm_extract_date})" if council.osm_extract_date else "")
        return cls.from_file(council.data_dir / council.osm_extract, settings=settings, description=description,
                             cache_dir=cache_dir, progress=progress)

    @classmethod
    def prepared(cls, council: "Council", *, settings: RoutingSettings | None = None, cache_dir: Path | None = None,
                 progress: Progress | None = None) -> "RoadEngine":
        """The engine of the roads ``python -m caremap roads`` prepared for a council.

        Raises
        ------
        RoadNetworkError
            If no roads have been prepared for it.
        """
        description = prepared_description(council.slug, cache_dir)
        if description is None:
            raise RoadNetworkError(f"No roads have been prepared for {council.name}: run python -m caremap roads "
                                   f"--council {council.slug} on a connected machine (or with --pbf FILE).")
        return cls.from_file(prepared_extract(council.slug, cache_dir), settings=settings, description=description,
                             cache_dir=cache_dir, progress=progress)

    @property
    def token(self) -> str:
        return f"road|{self.label}|{self.network.digest}|{self.settings.key()}"

    def _snap(self, xy: np.ndarray) -> Snap:
        distance, node = self._tree.query(xy, workers=-1)
        return Snap(node=node.astype(np.int64), distance_m=distance, far=distance > self.settings.snap_limit_m)

    def _edges(self, by: str) -> ReducedEdges:
        return self.network.by_time if by == "time" else self.network.by_length

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

    def _matrix(self, origins: np.ndarray, destinations: np.ndarray, *, cutoff: float | None, by: str,
                with_other: bool) -> TravelMatrix:
        """Travel from each origin to each destination (see :meth:`TravelEngine.matrix`).

        The search covers only the roads within reach: those within ``cutoff`` of an origin, and within a
        bound no origin-destination route can exceed (:meth:`_route_bound`). Its cost grows with that area,
        not with the whole network.
        """
        origin_snap, destination_snap = self._snap(origins), self._snap(destinations)
        edges = self._edges(by)
        limit = np.inf if cutoff is None else cutoff * internal_units(by)
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
        hub = int(self._snap(middle.reshape(1, 2)).node[0])
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

    def _nearest(self, points: np.ndarray, facilities: np.ndarray, *, by: str, direction: str, limit: float | None,
                 facility_ids: Sequence | None, with_other: bool) -> pd.DataFrame:
        """Nearest facility of every point in one multi-source Dijkstra (see :meth:`TravelEngine.nearest`): one
        virtual source node per facility, joined to its road node by its access leg, searched with
        ``min_only=True``; the other measure is summed along the trees by pointer jumping.
        """
        point_snap, facility_snap = self._snap(points), self._snap(facilities)
        edges = self._edges(by)
        n, k = self.network.n_nodes, len(facility_snap.node)
        base = edges.reverse if direction == "to" else edges.matrix
        facility_primary, facility_other = self._legs(facility_snap, by)
        graph = _with_virtual_sources(base, facility_snap.node, facility_primary)
        bound = np.inf if limit is None else limit * internal_units(by)
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

    def _paths(self, starts: np.ndarray, ends: np.ndarray) -> list[RoutePath]:
        """Fastest routes for many (start, end) pairs: one Dijkstra per distinct start, paths read off its tree."""
        start_snap, end_snap = self._snap(starts), self._snap(ends)
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

    def _distance_from_centres(self, points: np.ndarray, centres: np.ndarray, *,
                               boxes: np.ndarray | None) -> pd.DataFrame:
        """Shortest road distance from the nearest centre to each point (the route a carer drives out)."""
        sources, owner = self._box_sources(centres, boxes)
        found = self._nearest(points, sources, by="distance", direction="from", limit=None, facility_ids=owner,
                              with_other=True)
        return pd.DataFrame({
            "miles": found["miles"].to_numpy(), "minutes": found["minutes"].to_numpy(),
            "centre": found["facility_id"].fillna(-1).astype(int).to_numpy(), "reachable": found["reachable"].to_numpy(),
            "far_from_road": found["far_from_road"].to_numpy(), "method": self.method,
        })

    def _zone_shape(self, centres: np.ndarray, *, radius_miles: float,
                    boxes: np.ndarray | None) -> tuple[BaseGeometry, str]:
        """Every road whose both ends are within the radius by road, widened by 300 m and merged: a continuous
        zone along the roads."""
        network = self.network
        found = self._distance_from_centres(np.column_stack([network.x, network.y]), centres, boxes=boxes)
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
