"""A drive graph compiled to arrays: the form every query runs on, and the form the cache stores.

Parallel edges are reduced to one per node pair: the fastest for time routing and the shortest for
distance routing. Each reduced edge keeps the other measure of the same physical edge, so a route's
miles and minutes are both measured along the route actually chosen.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import networkx as nx
    import scipy.sparse as sp

NPZ_VERSION = 2  # 2: segments timed at their own way's speed (version 1 timed merged attributes)


@dataclass(frozen=True)
class ReducedEdges:
    """One edge per (tail, head) pair, sorted by tail then head (the order of a CSR matrix's data)."""

    tail: np.ndarray
    head: np.ndarray
    weight: np.ndarray
    other: np.ndarray
    raw_index: np.ndarray
    matrix: sp.csr_matrix
    reverse: sp.csr_matrix

    @classmethod
    def build(cls, n: int, tail: np.ndarray, head: np.ndarray, weight: np.ndarray, other: np.ndarray) -> "ReducedEdges":
        # Sort by (tail, head, weight): the first row of each pair is its minimum.
        order = np.lexsort((weight, head, tail))
        tail, head = tail[order], head[order]
        first = np.ones(len(order), dtype=bool)
        first[1:] = (tail[1:] != tail[:-1]) | (head[1:] != head[:-1])
        keep = order[first]
        return cls._sorted(n, tail[first], head[first], weight=weight[keep], other=other[keep], raw_index=keep)

    @classmethod
    def _sorted(cls, n: int, tail: np.ndarray, head: np.ndarray, *, weight: np.ndarray, other: np.ndarray,
                raw_index: np.ndarray) -> "ReducedEdges":
        """From edges already sorted by (tail, head), one per pair: the CSR matrix is assembled directly."""
        import scipy.sparse as sp  # here: SciPy loads with a road network, not with the first map

        compact = np.int32 if n < 2**31 - 1 and len(tail) < 2**31 - 1 else np.int64
        tail, head, raw_index = tail.astype(compact), head.astype(compact), raw_index.astype(compact)
        indptr = np.searchsorted(tail, np.arange(n + 1)).astype(compact)
        matrix = sp.csr_matrix((weight, head, indptr), shape=(n, n))
        matrix.has_sorted_indices = True
        return cls(tail, head, weight, other, raw_index, matrix, matrix.T.tocsr())

    @property
    def n(self) -> int:
        """Number of nodes."""
        return self.matrix.shape[0]

    def lookup(self, tails: np.ndarray, heads: np.ndarray, n: int | None = None) -> np.ndarray:
        """Position of each (tail, head) pair among the reduced edges (-1 where there is none).

        Scans each tail's few out-edges (road junctions have a handful); a graph with a node of very high
        degree falls back to a binary search over every edge.
        """
        tails, heads = np.asarray(tails, dtype=np.int64), np.asarray(heads, dtype=np.int64)
        indptr, indices = self.matrix.indptr, self.matrix.indices
        degree = indptr[1:] - indptr[:-1]
        widest = int(degree.max(initial=0))
        if widest > 32:
            n = self.n if n is None else n
            keys = self.tail.astype(np.int64) * n + self.head
            wanted = tails * n + heads
            if not len(keys):
                return np.full(len(wanted), -1, dtype=np.int64)
            position = np.clip(np.searchsorted(keys, wanted), 0, len(keys) - 1)
            return np.where(keys[position] == wanted, position, -1)
        start, stop = indptr[tails], indptr[tails + 1]
        found = np.full(len(tails), -1, dtype=np.int64)
        for offset in range(widest):
            slot = start + offset
            hit = (slot < stop) & (found < 0)
            hit[hit] = indices[slot[hit]] == heads[hit]
            found[hit] = slot[hit]
        return found

    def induced(self, nodes: np.ndarray) -> "ReducedEdges":
        """The edges among ``nodes`` (sorted positions), renumbered 0…len(nodes)-1; ``raw_index`` is kept."""
        number = np.full(self.n, -1, dtype=np.int64)
        number[nodes] = np.arange(len(nodes))
        inside = (number[self.tail] >= 0) & (number[self.head] >= 0)
        return ReducedEdges._sorted(len(nodes), number[self.tail[inside]], number[self.head[inside]],
                                    weight=self.weight[inside], other=self.other[inside],
                                    raw_index=self.raw_index[inside])


@dataclass(frozen=True)
class RoadNetwork:
    """A drive network as arrays (nodes in British National Grid metres, times in seconds).

    Attributes
    ----------
    node_ids : ndarray of int64
        OSM node ids.
    x, y : ndarray of float
        Node coordinates, BNG metres.
    tail, head : ndarray of int
        Every directed edge of the graph (parallel edges included), as node positions.
    time_s, length_m : ndarray of float
        Travel time (seconds) and length (metres, BNG) of each edge.
    geometry_offsets, geometry_xy : ndarray
        Edge shapes: the points of edge ``i`` are ``geometry_xy[geometry_offsets[i]:geometry_offsets[i + 1]]``.
    description : str
        Where the network comes from, for labels.
    """

    node_ids: np.ndarray
    x: np.ndarray
    y: np.ndarray
    tail: np.ndarray
    head: np.ndarray
    time_s: np.ndarray
    length_m: np.ndarray
    geometry_offsets: np.ndarray
    geometry_xy: np.ndarray
    description: str = "road network"
    by_time: ReducedEdges = field(init=False, repr=False)
    by_length: ReducedEdges = field(init=False, repr=False)

    def __post_init__(self) -> None:
        n = len(self.node_ids)
        object.__setattr__(self, "by_time", ReducedEdges.build(n, self.tail, self.head, self.time_s, self.length_m))
        object.__setattr__(self, "by_length", ReducedEdges.build(n, self.tail, self.head, self.length_m, self.time_s))

    @property
    def n_nodes(self) -> int:
        return len(self.node_ids)

    @cached_property
    def digest(self) -> str:
        """Short hash of the network's nodes, links and times: two networks with one digest route alike."""
        content = hashlib.sha256()
        for values in (self.x, self.y, self.tail, self.head, self.time_s, self.length_m):
            content.update(np.ascontiguousarray(values).tobytes())
        return content.hexdigest()[:16]

    @property
    def n_edges(self) -> int:
        return len(self.tail)

    def edge_points(self, raw_index: int) -> np.ndarray:
        """BNG points (k × 2) of one edge's shape, from tail to head."""
        start, stop = self.geometry_offsets[raw_index], self.geometry_offsets[raw_index + 1]
        return self.geometry_xy[start:stop]

    def fast_road_lines(self, *, min_speed_mph: float = 40.0, simplify_m: float = 30.0) -> list:
        """Shapes (BNG LineStrings, each drawn once whatever its directions) of the roads whose free-flow speed is at
        least ``min_speed_mph``: the A and B roads a map reader steers by, as the network holds no road class."""
        import shapely

        speed_mph = np.divide(self.length_m, self.time_s, out=np.zeros(len(self.time_s)), where=self.time_s > 0) / 0.44704
        fast = np.flatnonzero(speed_mph >= min_speed_mph)
        pairs = np.sort(np.column_stack([self.tail[fast], self.head[fast]]), axis=1)
        _, first = np.unique(pairs, axis=0, return_index=True)
        lines = [shapely.LineString(self.edge_points(int(raw))) for raw in fast[np.sort(first)]]
        return list(shapely.simplify(np.array(lines, dtype=object), simplify_m)) if lines else []

    @classmethod
    def from_graph(cls, graph: nx.MultiDiGraph, description: str = "road network") -> "RoadNetwork":
        """Compile a prepared drive graph (see :func:`routing.osm.prepare_drive_graph`)."""
        from routing.osm import edge_line_bng

        nodes = list(graph.nodes)
        position = {node: i for i, node in enumerate(nodes)}
        x = np.array([graph.nodes[n]["x_bng"] for n in nodes], dtype=float)
        y = np.array([graph.nodes[n]["y_bng"] for n in nodes], dtype=float)
        tails, heads, times, lengths, offsets, points = [], [], [], [], [0], []
        for u, v, data in graph.edges(data=True):
            tails.append(position[u])
            heads.append(position[v])
            times.append(data["travel_time"])
            lengths.append(data["length"])
            coords = np.asarray(edge_line_bng(graph, u, v, data).coords)
            points.append(coords)
            offsets.append(offsets[-1] + len(coords))
        return cls(
            node_ids=np.array(nodes, dtype=np.int64), x=x, y=y,
            tail=np.array(tails, dtype=np.int64), head=np.array(heads, dtype=np.int64),
            time_s=np.array(times, dtype=float), length_m=np.array(lengths, dtype=float),
            geometry_offsets=np.array(offsets, dtype=np.int64),
            geometry_xy=np.vstack(points) if points else np.empty((0, 2)),
            description=description,
        )

    def save(self, path: str | Path) -> None:
        """Store the arrays in a compressed ``.npz`` file (reloads in well under a second)."""
        np.savez_compressed(
            path, version=NPZ_VERSION, node_ids=self.node_ids, x=self.x, y=self.y, tail=self.tail, head=self.head,
            time_s=self.time_s, length_m=self.length_m, geometry_offsets=self.geometry_offsets,
            geometry_xy=self.geometry_xy, description=np.array(self.description),
        )

    @classmethod
    def load(cls, path: str | Path) -> "RoadNetwork":
        """Reload a network stored by :meth:`save` (no pickled objects are read)."""
        with np.load(path, allow_pickle=False) as stored:
            if int(stored["version"]) != NPZ_VERSION:
                raise ValueError(f"{path} was written by another version of this tool")
            return cls(
                node_ids=stored["node_ids"], x=stored["x"], y=stored["y"], tail=stored["tail"], head=stored["head"],
                time_s=stored["time_s"], length_m=stored["length_m"], geometry_offsets=stored["geometry_offsets"],
                geometry_xy=stored["geometry_xy"], description=str(stored["description"]),
            )
