"""Routing benchmark: building, querying and estimating, measured in one run.

Run ``python -m bench.routing`` (pandana, for the comparison, from ``bench/requirements.txt``). Prints:

1. the build: Rutland's PBF to an engine through the streaming builder, cold, in a fresh interpreter (target
   < 2 s), against the OSMnx/networkx path; peak memory per raw node (target < 1.5 KB) on Rutland and on a
   generated 1,000 × 1,000 grid; and the check that both builds give equal travel times (within 1e-6 min);
2. queries: scipy against networkx on Rutland and a ~100k-node grid (one-to-all, 200×200 matrix, nearest of 6);
3. the large graph: Rutland tiled 10 × 10 (~527k nodes): nearest facility for 127k points (target < 0.3 s) and
   a local 200×200 matrix against pandana's contraction hierarchies (target: within 2×);
4. the straight-line estimate's calibration table by distance band.

Ends with ``RESULT speedup_vs_networkx=<x> pbf_load_s=<s> tiled_nearest_s=<s> tiled_matrix_vs_pandana=<x>``:
the speedup is total networkx time / total scipy time over the query tasks of part 2; ``pbf_load_s`` is the cold
build; ``tiled_matrix_vs_pandana`` is our local 200×200 matrix (30-minute cutoff, minutes and miles) / pandana's
200×200 shortest-path lengths in the same run (its contraction is built beforehand and not counted).
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import networkx as nx
import numpy as np
from scipy.sparse.csgraph import dijkstra

from bench.calibrate import band_table, calibrate_bands, sample_trips
from bench.common import best_of, print_table
from geo.council import load_council
from geo.settings import settings
from layers.council_data import load_council_data
from routing import cache
from routing.builder import network_from_osm_file
from routing.engine import RoadEngine
from routing.network import RoadNetwork
from routing.osm import graph_from_osm_file
from routing.settings import ESTIMATE_BANDS, RoutingSettings

NX_GRID_SOURCES = 20  # networkx is timed on 20 of the 200 matrix sources on the grid and scaled ×10
RUTLAND_PBF = settings.data_folder / "osm" / "rutland-latest.osm.pbf"
PBF_NODES, PBF_WAY_NODES = 170_885, 26_340  # raw nodes in the Rutland file; node references of its drivable ways


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
    xy = np.column_stack([xs[np.column_stack([tail, head]).ravel()] * 100.0,
                          ys[np.column_stack([tail, head]).ravel()] * 100.0])
    return RoadNetwork(np.arange(side * side), xs * 100.0, ys * 100.0, tail, head, length / speed, length,
                       offsets, xy, "synthetic grid")


def tiled_network(network: RoadNetwork, copies: int = 10, links: int = 6, seed: int = 0) -> RoadNetwork:
    """``copies`` × ``copies`` side-by-side copies of a network, each joined to its neighbours by ``links`` two-way
    roads (at 40 mph) between nodes near the shared edge."""
    rng = np.random.default_rng(seed)
    width, height = np.ptp(network.x) + 200.0, np.ptp(network.y) + 200.0
    n, points = network.n_nodes, len(network.geometry_xy)
    shifts = [(column * width, row * height) for row in range(copies) for column in range(copies)]
    x = np.concatenate([network.x + dx for dx, _ in shifts])
    y = np.concatenate([network.y + dy for _, dy in shifts])
    east, west = np.argsort(network.x)[-200:], np.argsort(network.x)[:200]
    north, south = np.argsort(network.y)[-200:], np.argsort(network.y)[:200]
    extra_tail, extra_head = [], []
    for tile in range(copies * copies):
        row, column = divmod(tile, copies)
        for ok, near, far, other in ((column + 1 < copies, east, west, tile + 1), (row + 1 < copies, north, south,
                                                                                  tile + copies)):
            if ok:
                a = rng.choice(near, links, replace=False) + tile * n
                b = rng.choice(far, links, replace=False) + other * n
                extra_tail += [a, b]
                extra_head += [b, a]
    link_tail, link_head = np.concatenate(extra_tail), np.concatenate(extra_head)
    link_m = np.hypot(x[link_tail] - x[link_head], y[link_tail] - y[link_head])
    tiles = len(shifts)
    tail = np.concatenate([network.tail + t * n for t in range(tiles)] + [link_tail])
    head = np.concatenate([network.head + t * n for t in range(tiles)] + [link_head])
    offsets = np.concatenate([network.geometry_offsets[:-1] + t * points for t in range(tiles)]
                             + [tiles * points + 2 * np.arange(len(link_tail) + 1)])
    xy = np.concatenate([network.geometry_xy + shift for shift in shifts]
                        + [np.column_stack([x[link_tail], y[link_tail], x[link_head], y[link_head]]).reshape(-1, 2)])
    return RoadNetwork(np.arange(len(x)), x, y, tail, head, np.concatenate([np.tile(network.time_s, tiles),
                                                                            link_m / (40 * 0.44704)]),
                       np.concatenate([np.tile(network.length_m, tiles), link_m]), offsets.astype(np.int64), xy,
                       "Rutland tiled")


def networkx_graph(network: RoadNetwork) -> nx.MultiDiGraph:
    """The network as the MultiDiGraph OSMnx returns (nodes numbered by position), weight ``travel_time``."""
    graph = nx.MultiDiGraph()
    graph.add_nodes_from(range(network.n_nodes))
    graph.add_weighted_edges_from(zip(network.tail.tolist(), network.head.tolist(), network.time_s.tolist()),
                                  weight="travel_time")
    return graph


def compare(name: str, network: RoadNetwork, points: np.ndarray, centres: np.ndarray, nx_sources: int) -> dict:
    """Time scipy and networkx on one-to-all, a 200×200 matrix and nearest-of-6 for ``points``."""
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
    nx_matrix, _ = best_of(lambda: [nx.single_source_dijkstra_path_length(graph, int(s), weight="travel_time")
                                    for s in timed], repeat=1)
    nx_matrix *= len(sample) / nx_sources
    centre_nodes = engine.snap(centres).node
    point_nodes = engine.snap(points).node
    scipy_nearest, _ = best_of(lambda: engine.nearest(points, centres, with_other=False))

    def networkx_nearest():
        reach = nx.multi_source_dijkstra_path_length(reverse, set(centre_nodes.tolist()), weight="travel_time")
        return [reach.get(int(node)) for node in point_nodes]

    nx_nearest, _ = best_of(networkx_nearest, repeat=1)
    return {"name": name, "nodes": network.n_nodes, "one_to_all": (scipy_one, nx_one),
            "matrix_200": (scipy_matrix, nx_matrix), "nearest_6": (scipy_nearest, nx_nearest),
            "nx_scaled": nx_sources < len(sample)}


def _fresh_interpreter(script: str) -> dict[str, float]:
    """Run ``script`` in a new Python (cold imports) and read back the ``NAME value`` lines it prints."""
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(script)], capture_output=True, text=True, check=True)
    return {name: float(value) for name, value in re.findall(r"^(\w+) ([-\d.e+]+)$", done.stdout, re.MULTILINE)}


def cold_build(path: Path) -> dict[str, float]:
    """Seconds from a cold start (imports included) to a ready engine, and the build's peak memory above what the
    imports left in use (MB): the kernel's high-water mark is reset after the imports (``/proc/self/clear_refs``)."""
    return _fresh_interpreter(f"""
        import time
        start = time.perf_counter()
        from routing.builder import network_from_osm_file
        from routing.engine import RoadEngine
        from routing.settings import RoutingSettings

        def status(name):
            return next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith(name)) / 1024

        imported = status("VmRSS:")
        with open("/proc/self/clear_refs", "w") as handle:
            handle.write("5")
        engine = RoadEngine(network_from_osm_file({str(path)!r}, RoutingSettings()))
        print("seconds", time.perf_counter() - start)
        print("imported_mb", imported)
        print("peak_mb", status("VmHWM:"))
        print("nodes", engine.network.n_nodes)
    """)


def grid_pbf(path: Path, side: int) -> int:
    """Write a side × side grid of residential roads as a PBF; return its node count."""
    import osmium

    with osmium.SimpleWriter(str(path)) as writer:
        for row in range(side):
            for column in range(side):
                writer.add_node(osmium.osm.mutable.Node(id=row * side + column + 1,
                                                        location=(-0.7 + column * 1.5e-4, 52.6 + row * 9e-5)))
        for line in range(side):
            writer.add_way(osmium.osm.mutable.Way(id=line + 1, nodes=[line * side + c + 1 for c in range(side)],
                                                  tags={"highway": "residential"}))
            writer.add_way(osmium.osm.mutable.Way(id=side + line + 1, nodes=[r * side + line + 1 for r in range(side)],
                                                  tags={"highway": "residential"}))
    return side * side


def pandana_matrix(network: RoadNetwork, sample: np.ndarray) -> tuple[float, float, np.ndarray] | None:
    """pandana's contraction hierarchies on the same network: (build seconds, 200×200 query seconds, minutes)."""
    try:
        import pandana
        import pandas as pd
    except ImportError:
        return None
    edges = network.by_time
    start = time.perf_counter()
    net = pandana.Network(pd.Series(network.x), pd.Series(network.y), pd.Series(edges.tail), pd.Series(edges.head),
                          pd.DataFrame({"seconds": edges.weight}), twoway=False)
    built = time.perf_counter() - start
    origins, destinations = np.repeat(sample, len(sample)), np.tile(sample, len(sample))
    seconds, found = best_of(lambda: net.shortest_path_lengths(origins, destinations, imp_name="seconds"))
    return built, seconds, np.asarray(found).reshape(len(sample), len(sample)) / 60.0


def main() -> None:  # noqa: PLR0915 (one report, read top to bottom)
    settings = RoutingSettings()
    # 1. Building.
    cold = cold_build(RUTLAND_PBF)
    start = time.perf_counter()
    rutland = network_from_osm_file(RUTLAND_PBF, settings, description="Rutland")
    warm_s = time.perf_counter() - start
    start = time.perf_counter()
    reference = RoadNetwork.from_graph(graph_from_osm_file(RUTLAND_PBF, settings), "Rutland (networkx)")
    networkx_build_s = time.perf_counter() - start
    rng = np.random.default_rng(5)
    chosen = rng.choice(rutland.n_nodes, 200, replace=False)
    xy = np.column_stack([rutland.x[chosen], rutland.y[chosen]])
    difference = np.abs(RoadEngine(rutland).matrix(xy, xy).minutes - RoadEngine(reference).matrix(xy, xy).minutes)
    with tempfile.TemporaryDirectory() as folder:
        grid_path = Path(folder) / "grid.osm.pbf"
        grid_nodes = grid_pbf(grid_path, 1000)
        grid_build = cold_build(grid_path)
        key = cache.cache_key(cache.file_digest(RUTLAND_PBF), settings)
        cache.store(key, rutland, cache_dir=Path(folder))
        start = time.perf_counter()
        RoadEngine(cache.load_cached(key, cache_dir=Path(folder)), settings)
        cache_reload_s = time.perf_counter() - start
    rutland_kb = (cold["peak_mb"] - cold["imported_mb"]) * 1024
    grid_kb = (grid_build["peak_mb"] - grid_build["imported_mb"]) * 1024
    print("Building")
    print_table([
        ("Rutland PBF → engine, cold (imports included)", f"{cold['seconds']:.2f} s", f"{PBF_NODES:,} raw nodes, "
         f"{PBF_WAY_NODES:,} in drivable ways → {rutland.n_nodes:,} junctions, {rutland.n_edges:,} links"),
        ("same, warm (streaming builder)", f"{warm_s:.2f} s", ""),
        ("same through OSMnx and networkx (today's path)", f"{networkx_build_s:.2f} s",
         f"{networkx_build_s / warm_s:.0f}× the streaming builder"),
        ("peak memory of the build above imports, Rutland", f"{rutland_kb / 1024:.0f} MB",
         f"{rutland_kb * 1024 / PBF_NODES:.0f} B per raw node; {rutland_kb * 1024 / PBF_WAY_NODES:.0f} B per way node"),
        ("peak memory of the build above imports, 1000×1000 grid", f"{grid_kb / 1024:.0f} MB",
         f"{grid_kb * 1024 / grid_nodes:.0f} B per raw node ({grid_nodes:,} nodes, {2 * grid_nodes:,} way nodes, "
         f"{grid_build['seconds']:.1f} s cold)"),
        ("equality with today's path, 200×200 Rutland pairs", f"{difference.max():.1e} min", "largest difference"),
        ("cache reload", f"{cache_reload_s * 1000:.0f} ms", ""),
    ], ("task", "figure", "detail"))

    # 2. Queries against networkx.
    data = load_council_data(load_council("rutland"))
    postcodes = np.column_stack([data.postcodes.geometry.x, data.postcodes.geometry.y])
    places = data.places[data.places["kind"].isin(["town", "village"])].sort_values(["kind", "name"],
                                                                                   ascending=[False, True])
    centres = np.column_stack([places.geometry.x, places.geometry.y])[:6]
    rutland_result = compare("Rutland (OSM)", rutland, postcodes, centres, nx_sources=200)
    grid = grid_network()
    grid_points = np.random.default_rng(2).uniform(0, grid.x.max(), size=(20_000, 2))
    grid_centres = np.random.default_rng(3).uniform(0, grid.x.max(), size=(6, 2))
    grid_result = compare("Grid (synthetic)", grid, grid_points, grid_centres, nx_sources=NX_GRID_SOURCES)
    rows = []
    for result in (rutland_result, grid_result):
        for task in ("one_to_all", "matrix_200", "nearest_6"):
            fast, slow = result[task]
            note = " (networkx: 20 sources ×10)" if task == "matrix_200" and result["nx_scaled"] else ""
            rows.append((result["name"], f"{result['nodes']:,}", task, f"{fast * 1000:.1f}", f"{slow * 1000:.1f}{note}",
                         f"{slow / fast:.1f}×"))
    print("\nQueries: scipy against networkx")
    print_table(rows, ("graph", "nodes", "task", "scipy ms", "networkx ms", "speedup"))
    tasks = [result[task] for result in (rutland_result, grid_result) for task in ("one_to_all", "matrix_200", "nearest_6")]
    speedup = sum(slow for _, slow in tasks) / sum(fast for fast, _ in tasks)

    # 3. The large graph.
    tiled = tiled_network(rutland)
    engine = RoadEngine(tiled)
    rng = np.random.default_rng(11)
    points = np.column_stack([rng.uniform(tiled.x.min(), tiled.x.max(), 127_000),
                              rng.uniform(tiled.y.min(), tiled.y.max(), 127_000)])
    facilities = points[rng.choice(len(points), 60, replace=False)]
    nearest_s, _ = best_of(lambda: engine.nearest(points, facilities))
    nearest_minutes_only_s, _ = best_of(lambda: engine.nearest(points, facilities, with_other=False))
    middle = engine.snap(np.array([tiled.x.mean(), tiled.y.mean()])).node[0]
    local = np.flatnonzero(np.hypot(tiled.x - tiled.x[middle], tiled.y - tiled.y[middle]) < 8000)
    sample = rng.choice(local, 200, replace=False)
    sample_xy = np.column_stack([tiled.x[sample], tiled.y[sample]])
    matrix_s, ours = best_of(lambda: engine.matrix(sample_xy, sample_xy, cutoff=30.0))
    matrix_minutes_s, _ = best_of(lambda: engine.matrix(sample_xy, sample_xy, cutoff=30.0, with_other=False))
    matrix_bound_s, unbounded = best_of(lambda: engine.matrix(sample_xy, sample_xy, with_other=False), repeat=1)
    compared = pandana_matrix(tiled, sample)
    print(f"\nLarge graph: Rutland tiled 10 × 10 ({tiled.n_nodes:,} nodes, {tiled.n_edges:,} links)")
    large = [
        ("nearest of 60 for 127,000 points (minutes and miles)", f"{nearest_s:.3f} s", "target < 0.3 s"),
        ("same, minutes only", f"{nearest_minutes_only_s:.3f} s", ""),
        ("local 200×200 matrix, 30-minute cutoff, minutes and miles", f"{matrix_s:.3f} s", ""),
        ("same, minutes only", f"{matrix_minutes_s:.3f} s", ""),
        ("same without a cutoff (bound through a hub), minutes only", f"{matrix_bound_s:.3f} s", ""),
    ]
    if compared is not None:
        built, pandana_s, pandana_minutes = compared
        within = np.isfinite(ours.minutes)
        agree = np.abs(pandana_minutes[within] - ours.minutes[within]).max()
        agree_all = np.nanmax(np.abs(pandana_minutes - unbounded.minutes))
        large += [("pandana 0.8 (contraction hierarchies): 200×200 lengths", f"{pandana_s:.3f} s",
                   f"contraction built in {built:.1f} s beforehand"),
                  ("largest difference from pandana", f"{max(agree, agree_all):.1e} min", "")]
        ratio = matrix_s / pandana_s
    else:
        large.append(("pandana", "not installed", "pip install -r bench/requirements.txt"))
        ratio = float("nan")
    print_table(large, ("task", "time", "note"))

    # 4. The estimate.
    trips = sample_trips(RoadEngine(rutland), postcodes)
    bands = calibrate_bands(trips)
    print(f"\nStraight-line estimate by distance band, calibrated on Rutland ({int(trips['short'].sum()):,} nearest-facility "
          f"trips, {int((~trips['short']).sum()):,} postcode pairs); stored in routing/settings.py as ESTIMATE_BANDS")
    print_table(band_table(bands), ("straight line", "short trips", "pairs", "median km", "circuity (p10–p90)", "mph"))
    stored = all(abs(band.circuity - circuity) < 0.002 and abs(band.speed_mph - mph) < 0.1
                 for band, (_, circuity, mph) in zip(bands, ESTIMATE_BANDS))
    print(f"Stored table {'matches' if stored and len(bands) == len(ESTIMATE_BANDS) else 'DIFFERS FROM'} this run.")
    print(f"\nRESULT speedup_vs_networkx={speedup:.1f} pbf_load_s={cold['seconds']:.2f} tiled_nearest_s={nearest_s:.3f} "
          f"tiled_matrix_vs_pandana={ratio:.2f}")


if __name__ == "__main__":
    main()
