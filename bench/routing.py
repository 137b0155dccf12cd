"""Routing benchmark: the scipy engine against networkx on Rutland's roads and a ~100k-node grid.

Run ``python -m bench.routing``. Prints a table, then one line:
``RESULT speedup_vs_networkx=<x> postcodes_nearest_ms=<ms> pbf_load_s=<s> cache_reload_s=<s>``
where the speedup is the whole workload's ratio: total networkx time / total scipy time over the
three tasks (one-to-all, 200×200 matrix, nearest of 6 centres) on both graphs. Each task's own ratio
is in the table. Both sides compute travel times only, on the same graph; networkx runs on the
MultiDiGraph as OSMnx returns it. Targets: ≥ 25×, < 200 ms, < 1 s.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import networkx as nx
import numpy as np
from scipy.sparse.csgraph import dijkstra

from bench.common import best_of, print_table
from geo.council import load_council
from layers.catalog import DATA_DIR
from layers.council_data import load_council_data
from routing import cache
from routing.calibrate import calibrate_estimate
from routing.engine import RoadEngine
from routing.network import RoadNetwork
from routing.osm import graph_from_osm_file
from routing.settings import RoutingSettings

NX_GRID_SOURCES = 20  # networkx is timed on 20 of the 200 matrix sources on the grid and scaled ×10


def grid_network(side: int = 316, seed: int = 0) -> RoadNetwork:
    """A side × side grid of two-way roads 100 m apart with random speeds (≈ side² nodes)."""
    rng = np.random.default_rng(seed)
    index = np.arange(side * side).reshape(side, side)
    pairs = np.vstack([
        np.column_stack([index[:, :-1].ravel(), index[:, 1:].ravel()]),
        np.column_stack([index[:-1, :].ravel(), index[1:, :].ravel()]),
    ])
    tail = np.concatenate([pairs[:, 0], pairs[:, 1]])
    head = np.concatenate([pairs[:, 1], pairs[:, 0]])
    length = np.full(len(tail), 100.0)
    speed = rng.uniform(5.0, 25.0, len(tail))
    ys, xs = np.divmod(np.arange(side * side), side)
    offsets = np.arange(0, 2 * len(tail) + 1, 2)
    xy = np.column_stack([xs[np.repeat(np.column_stack([tail, head]).ravel(), 1)] * 100.0,
                          ys[np.column_stack([tail, head]).ravel()] * 100.0])
    return RoadNetwork(np.arange(side * side), xs * 100.0, ys * 100.0, tail, head, length / speed, length,
                       offsets, xy, "synthetic grid")


def networkx_graph(network: RoadNetwork) -> nx.MultiDiGraph:
    """The network as the MultiDiGraph OSMnx returns (nodes numbered by position), weight ``travel_time``."""
    graph = nx.MultiDiGraph()
    graph.add_nodes_from(range(network.n_nodes))
    graph.add_weighted_edges_from(zip(network.tail.tolist(), network.head.tolist(), network.time_s.tolist()),
                                  weight="travel_time")
    return graph


def compare(name: str, network: RoadNetwork, points: np.ndarray, centres: np.ndarray, nx_sources: int) -> dict:
    """Time scipy and networkx on one-to-all, a 200×200 matrix and nearest-of-6 for ``points``.

    networkx runs on the MultiDiGraph (as OSMnx gives it) with its own Dijkstra; both sides snap the
    points to nodes in the timed nearest-of-6 task.
    """
    engine = RoadEngine(network)
    graph = networkx_graph(network)
    reverse = graph.reverse(copy=True)
    rng = np.random.default_rng(1)
    source = int(rng.integers(network.n_nodes))
    scipy_one, _ = best_of(lambda: dijkstra(network.by_time.matrix, indices=source))
    nx_one, _ = best_of(lambda: nx.single_source_dijkstra_path_length(graph, source, weight="travel_time"), repeat=1)

    sample = rng.choice(network.n_nodes, 200, replace=False)
    xy = np.column_stack([network.x[sample], network.y[sample]])
    scipy_matrix, _ = best_of(lambda: engine.matrix(xy, xy, with_other=False))
    timed = sample[:nx_sources]
    nx_matrix, _ = best_of(lambda: [nx.single_source_dijkstra_path_length(graph, int(s), weight="travel_time") for s in timed],
                           repeat=1)
    nx_matrix *= len(sample) / nx_sources

    centre_nodes = engine.snap(centres).node
    point_nodes = engine.snap(points).node
    scipy_nearest, _ = best_of(lambda: engine.nearest(points, centres, with_other=False))

    def networkx_nearest():
        reach = nx.multi_source_dijkstra_path_length(reverse, set(centre_nodes.tolist()), weight="travel_time")
        return [reach.get(int(node)) for node in point_nodes]

    nx_nearest, _ = best_of(networkx_nearest, repeat=1)
    return {
        "name": name, "nodes": network.n_nodes, "edges": network.n_edges, "points": len(points),
        "one_to_all": (scipy_one, nx_one), "matrix_200": (scipy_matrix, nx_matrix), "nearest_6": (scipy_nearest, nx_nearest),
        "nx_scaled": nx_sources < len(sample),
    }


def main() -> None:
    settings = RoutingSettings()
    pbf = DATA_DIR / "osm" / "rutland-latest.osm.pbf"
    start = time.perf_counter()
    graph = graph_from_osm_file(pbf, settings)
    rutland = RoadNetwork.from_graph(graph, "Rutland")
    pbf_load_s = time.perf_counter() - start

    with tempfile.TemporaryDirectory() as folder:
        key = cache.cache_key(cache.file_digest(pbf), settings)
        cache.store(key, rutland, cache_dir=Path(folder))
        start = time.perf_counter()
        reloaded = cache.load_cached(key, cache_dir=Path(folder))
        RoadEngine(reloaded, settings)
        cache_reload_s = time.perf_counter() - start

    data = load_council_data(load_council("rutland"))
    postcodes = np.column_stack([data.postcodes.geometry.x, data.postcodes.geometry.y])
    places = data.places[data.places["kind"].isin(["town", "village"])].sort_values(["kind", "name"],
                                                                                   ascending=[False, True])
    centres = np.column_stack([places.geometry.x, places.geometry.y])[:6]
    rutland_result = compare("Rutland (OSM)", rutland, postcodes, centres, nx_sources=200)

    grid = grid_network()
    rng = np.random.default_rng(2)
    grid_points = rng.uniform(0, grid.x.max(), size=(20_000, 2))
    grid_centres = rng.uniform(0, grid.x.max(), size=(6, 2))
    grid_result = compare("Grid (synthetic)", grid, grid_points, grid_centres, nx_sources=NX_GRID_SOURCES)

    engine = RoadEngine(rutland, settings)
    calibration = calibrate_estimate(engine, postcodes, sample=300)
    # The classification as the app runs it: minutes and miles along each route.
    postcodes_nearest_s, _ = best_of(lambda: engine.nearest(postcodes, centres), repeat=5)

    rows = []
    for result in (rutland_result, grid_result):
        for task in ("one_to_all", "matrix_200", "nearest_6"):
            fast, slow = result[task]
            note = " (networkx: 20 sources ×10)" if task == "matrix_200" and result["nx_scaled"] else ""
            rows.append((result["name"], f"{result['nodes']:,}", task, f"{fast * 1000:.1f}", f"{slow * 1000:.1f}{note}",
                         f"{slow / fast:.1f}×"))
    print_table(rows, ("graph", "nodes", "task", "scipy ms", "networkx ms", "speedup"))
    print()
    print(f"Rutland: PBF → graph {pbf_load_s:.2f} s ({rutland.n_nodes:,} nodes, {rutland.n_edges:,} edges); "
          f"cache reload {cache_reload_s * 1000:.0f} ms; nearest of 6 centres for {len(postcodes):,} postcodes "
          f"{postcodes_nearest_s * 1000:.1f} ms")
    print(f"Estimate calibration on Rutland ({calibration.pairs:,} postcode pairs over 800 m): circuity "
          f"{calibration.circuity:.3f} (median {calibration.circuity_median:.3f}, 10th–90th percentile "
          f"{calibration.circuity_p10:.2f}–{calibration.circuity_p90:.2f}), equivalent speed "
          f"{calibration.speed_mph:.1f} mph; defaults in use {settings.circuity} and {settings.estimate_speed_mph:g} mph")
    tasks = [result[task] for result in (rutland_result, grid_result) for task in ("one_to_all", "matrix_200", "nearest_6")]
    speedup = sum(slow for _, slow in tasks) / sum(fast for fast, _ in tasks)
    print(f"Smallest single-task ratio: {min(slow / fast for fast, slow in tasks):.1f}×")
    print(f"RESULT speedup_vs_networkx={speedup:.1f} postcodes_nearest_ms={postcodes_nearest_s * 1000:.1f} "
          f"pbf_load_s={pbf_load_s:.2f} cache_reload_s={cache_reload_s:.3f}")


if __name__ == "__main__":
    main()
