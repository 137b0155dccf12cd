"""The streaming road builder against OSMnx/networkx, the prepared-roads command (download through a stand-in
Overpass server on 127.0.0.1), and the local matrix search against a whole-network search."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote_plus

import networkx as nx
import numpy as np
import osmium
import pytest

from caremap import cli
from geo.council import load_council
from geo.settings import settings
from geo.units import lonlat_to_bng
from routing import sources
from routing.builder import network_from_osm_file
from routing.engine import RoadEngine
from routing.network import RoadNetwork
from routing.settings import RoutingSettings
from routing.tags import is_drivable

RUTLAND_PBF = settings.data_folder / "osm" / "rutland-latest.osm.pbf"


@pytest.fixture(scope="module")
def streamed():
    return network_from_osm_file(RUTLAND_PBF, RoutingSettings(), description="streamed")


def _edges(network: RoadNetwork) -> dict[tuple[int, int], list[tuple[float, float]]]:
    found: dict[tuple[int, int], list[tuple[float, float]]] = {}
    for tail, head, seconds, metres in zip(network.node_ids[network.tail].tolist(), network.node_ids[network.head].tolist(),
                                           network.time_s.tolist(), network.length_m.tolist()):
        found.setdefault((tail, head), []).append((seconds, metres))
    return {key: sorted(value) for key, value in found.items()}


@pytest.mark.slow
def test_streamed_network_equals_the_osmnx_graph(streamed, rutland_graph):
    reference = RoadNetwork.from_graph(rutland_graph, "OSMnx")
    assert streamed.n_nodes == reference.n_nodes == 5275 and streamed.n_edges == reference.n_edges == 11809
    assert set(streamed.node_ids.tolist()) == set(reference.node_ids.tolist())
    mine, theirs = _edges(streamed), _edges(reference)
    assert mine.keys() == theirs.keys()
    for key, values in mine.items():
        np.testing.assert_allclose(values, theirs[key], rtol=1e-9, atol=1e-6)


@pytest.mark.slow
def test_streamed_travel_times_equal_networkx_on_sampled_pairs(streamed, rutland_graph):
    engine = RoadEngine(streamed)
    rng = np.random.default_rng(17)
    nodes = rng.choice(streamed.n_nodes, 40, replace=False)
    xy = np.column_stack([streamed.x[nodes], streamed.y[nodes]])
    matrix = engine.matrix(xy, xy)
    ids = streamed.node_ids
    for row, origin in enumerate(nodes[:10]):
        reference = nx.single_source_dijkstra_path_length(rutland_graph, int(ids[origin]), weight="travel_time")
        np.testing.assert_allclose(matrix.minutes[row], [reference[int(ids[n])] / 60.0 for n in nodes], rtol=0,
                                   atol=1e-6)


def test_one_way_and_reversed_ways_and_chain_contraction(tmp_path):
    # A square of two-way roads A-B-C-D with a one-way B→E→C (oneway=yes) and a reversed one-way D←F←A
    # (oneway=-1 drawn A→F→D): E and F are interstitial and contracted away.
    points = {1: (-0.70, 52.60), 2: (-0.69, 52.60), 3: (-0.69, 52.61), 4: (-0.70, 52.61), 5: (-0.685, 52.605),
              6: (-0.705, 52.605), 7: (-0.68, 52.60)}
    path = tmp_path / "square.osm"
    with osmium.SimpleWriter(str(path)) as writer:
        for node, location in points.items():
            writer.add_node(osmium.osm.mutable.Node(id=node, location=location))
        road = {"highway": "tertiary"}
        writer.add_way(osmium.osm.mutable.Way(id=10, nodes=[1, 2, 3, 4, 1], tags=road))
        writer.add_way(osmium.osm.mutable.Way(id=11, nodes=[2, 5, 3], tags={**road, "oneway": "yes"}))
        writer.add_way(osmium.osm.mutable.Way(id=12, nodes=[4, 6, 1], tags={**road, "oneway": "-1"}))
        writer.add_way(osmium.osm.mutable.Way(id=13, nodes=[2, 7], tags={"highway": "footway"}))
    network = network_from_osm_file(path, RoutingSettings())
    assert sorted(network.node_ids.tolist()) == [1, 2, 3, 4]
    pairs = sorted(zip(network.node_ids[network.tail].tolist(), network.node_ids[network.head].tolist()))
    assert pairs.count((2, 3)) == 2 and (3, 2) in pairs and pairs.count((1, 4)) == 2 and (4, 1) in pairs
    x, y = lonlat_to_bng(np.array([p[0] for p in points.values()]), np.array([p[1] for p in points.values()]))
    via_e = np.hypot(x[4] - x[1], y[4] - y[1]) + np.hypot(x[2] - x[4], y[2] - y[4])
    lengths = sorted(network.length_m[(network.node_ids[network.tail] == 2) & (network.node_ids[network.head] == 3)])
    assert lengths[1] == pytest.approx(via_e, rel=1e-12)
    # 35 mph tertiary: time = length / speed, segment by segment.
    assert network.time_s.sum() == pytest.approx(network.length_m.sum() / (35 * 1.609344 / 3.6), rel=1e-12)


# --- Prepared roads through a stand-in Overpass server -------------------------------------------------------------


def _rutland_cut(west: float, south: float, east: float, north: float) -> dict:
    """Overpass JSON of the drivable ways of the Rutland extract with a node in the box, and all their nodes."""
    locations = {node.id: (node.location.lon, node.location.lat)
                 for node in osmium.FileProcessor(str(RUTLAND_PBF), osmium.osm.NODE)}
    ways = []
    for way in osmium.FileProcessor(str(RUTLAND_PBF), osmium.osm.WAY):
        tags = dict(way.tags)
        refs = [node.ref for node in way.nodes]
        if is_drivable(tags) and any(west <= locations[r][0] <= east and south <= locations[r][1] <= north
                                     for r in refs if r in locations):
            ways.append({"type": "way", "id": way.id, "nodes": refs, "tags": tags})
    used = sorted({ref for way in ways for ref in way["nodes"]})
    nodes = [{"type": "node", "id": ref, "lon": locations[ref][0], "lat": locations[ref][1]} for ref in used]
    return {"version": 0.6, "elements": nodes + ways}


class _Overpass(BaseHTTPRequestHandler):
    answer: bytes = b"{}"
    requests: list[str] = []

    def do_GET(self):  # noqa: N802 (http.server's name)
        type(self).requests.append(f"GET {self.path}")
        status = "Connected as: 1\nCurrent time: 2025-01-01T00:00:00Z\nAnnouncement: none\nRate limit: 2\n" \
                 "2 slots available now.\nCurrently running queries (pid, space limit, time limit, start time):\n"
        self._reply(status.encode(), "text/plain")

    def do_POST(self):  # noqa: N802
        length = int(self.headers.get("Content-Length", 0))
        body = unquote_plus(self.rfile.read(length).decode())
        type(self).requests.append(f"POST {self.path} {body}")
        self._reply(type(self).answer, "application/json")

    def _reply(self, body: bytes, kind: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture()
def overpass_stand_in():
    cut = _rutland_cut(-0.76, 52.64, -0.70, 52.69)  # Oakham and around
    _Overpass.answer = json.dumps(cut).encode()
    _Overpass.requests = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Overpass)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/api", cut
    finally:
        server.shutdown()
        server.server_close()


def test_roads_command_downloads_through_the_configured_endpoint(tmp_path, monkeypatch, overpass_stand_in, capsys):
    import osmnx as ox

    url, cut = overpass_stand_in
    monkeypatch.setenv("CAREMAP_CACHE_DIR", str(tmp_path))
    before = {name: getattr(ox.settings, name) for name in ("overpass_url", "use_cache", "requests_timeout")}
    assert cli.main(["roads", "--council", "rutland", "--overpass-url", url, "--timeout", "600"]) == 0
    printed = capsys.readouterr().out
    assert "127.0.0.1" in printed and "Prepared" in printed
    queries = [request for request in _Overpass.requests if request.startswith("POST /api/interpreter")]
    # OSMnx writes its request timeout into the Overpass query: 600 s as asked, not the 180 s default.
    assert queries and all("[timeout:600]" in query for query in queries)
    # OSMnx's settings were the run's only; neither they nor the tool's settings keep the command's values.
    assert {name: getattr(ox.settings, name) for name in before} == before
    assert settings.requests_timeout == 180.0 and settings.overpass_url == "https://overpass-api.de/api"
    prepared = sources.prepared_extract("rutland", tmp_path)
    assert prepared.is_file() and sources.PREPARED in sources.available_sources(load_council("rutland"), tmp_path)
    # The app's engine reads the prepared roads, and they equal the same cut read locally by the builder.
    engine = sources.build_engine(load_council("rutland"), sources.PREPARED, cache_dir=tmp_path)
    local = tmp_path / "cut.osm"
    with osmium.SimpleWriter(str(local)) as writer:
        for element in cut["elements"]:
            if element["type"] == "node":
                writer.add_node(osmium.osm.mutable.Node(id=element["id"], location=(element["lon"], element["lat"])))
        for element in cut["elements"]:
            if element["type"] == "way":
                writer.add_way(osmium.osm.mutable.Way(id=element["id"], nodes=element["nodes"], tags=element["tags"]))
    reference = network_from_osm_file(local, RoutingSettings())
    assert engine.network.n_nodes == reference.n_nodes > 500
    rng = np.random.default_rng(3)
    chosen = rng.choice(reference.n_nodes, 30, replace=False)
    xy = np.column_stack([reference.x[chosen], reference.y[chosen]])
    np.testing.assert_allclose(engine.matrix(xy, xy).minutes, RoadEngine(reference).matrix(xy, xy).minutes, atol=1e-6)
    assert "prepared" in engine.label and "OpenStreetMap download" in engine.label


def test_download_fails_fast_at_an_unreachable_configured_endpoint(tmp_path, monkeypatch, capsys, closed_port):
    monkeypatch.setenv("CAREMAP_CACHE_DIR", str(tmp_path))
    url = f"http://127.0.0.1:{closed_port}/api"
    assert cli.main(["roads", "--council", "rutland", "--overpass-url", url]) == 2
    error = capsys.readouterr().err
    assert "Cannot reach OpenStreetMap (127.0.0.1)" in error and "Traceback" not in error
    assert not sources.prepared_extract("rutland", tmp_path).exists()


def test_roads_command_from_a_pbf_writes_the_cache_the_app_reads(tmp_path, monkeypatch, capsys, streamed):
    monkeypatch.setenv("CAREMAP_CACHE_DIR", str(tmp_path))
    assert cli.main(["roads", "--council", "rutland", "--pbf", str(RUTLAND_PBF)]) == 0
    assert "99.7% of its 1,274 postcodes" in capsys.readouterr().out
    assert len(list((tmp_path / "networks").glob("*.npz"))) == 1
    engine = sources.build_engine(load_council("rutland"), sources.PREPARED, cache_dir=tmp_path)
    assert engine.network.n_nodes == streamed.n_nodes and engine.network.n_edges == streamed.n_edges
    np.testing.assert_allclose(np.sort(engine.network.time_s), np.sort(streamed.time_s), rtol=1e-12)
    assert sources.available_sources(load_council("rutland"), tmp_path)[:2] == [sources.BUNDLED, sources.PREPARED]


# --- Local search ----------------------------------------------------------------------------------------------------


def test_local_matrix_equals_a_search_of_the_whole_network(rutland_engine):
    network = rutland_engine.network
    rng = np.random.default_rng(8)
    centre = np.array([network.x.mean(), network.y.mean()])
    close = np.flatnonzero(np.hypot(network.x - centre[0], network.y - centre[1]) < 3000)
    nodes = rng.choice(close, 30, replace=False)
    xy = np.column_stack([network.x[nodes], network.y[nodes]])
    for cutoff in (None, 6.0):
        local = rutland_engine.matrix(xy, xy, cutoff=cutoff)
        # Reference: scipy over the whole network, then miles summed along networkx's fastest path.
        graph = nx.DiGraph()
        for tail, head, seconds, metres in zip(network.by_time.tail, network.by_time.head, network.by_time.weight,
                                               network.by_time.other):
            graph.add_edge(int(tail), int(head), seconds=seconds, metres=metres)
        for row, origin in enumerate(nodes[:6]):
            seconds = nx.single_source_dijkstra_path_length(graph, int(origin), weight="seconds")
            expected = np.array([seconds.get(int(n), np.inf) / 60.0 for n in nodes])
            if cutoff is not None:
                expected[expected > cutoff] = np.inf
            np.testing.assert_allclose(local.minutes[row], expected, atol=1e-9)
            for column, target in enumerate(nodes):
                if np.isfinite(expected[column]) and target != origin:
                    path = nx.dijkstra_path(graph, int(origin), int(target), weight="seconds")
                    metres = sum(graph[u][v]["metres"] for u, v in zip(path[:-1], path[1:]))
                    assert local.miles[row, column] == pytest.approx(metres / 1609.344, abs=1e-9)
