"""Routing: speeds, OSM files, the scipy engine against networkx, the estimate, the cache."""


import geopandas as gpd
import networkx as nx
import numpy as np
import pytest
from shapely.geometry import LineString

from bench.calibrate import calibrate_estimate
from geo.council import load_council
from geo.errors import RoadNetworkError
from geo.settings import settings
from geo.units import METRES_PER_MILE
from routing import cache
from routing.engine import EstimateEngine, RoadEngine
from routing.network import RoadNetwork
from routing.osm import download_drive_graph, graph_from_osm_file, is_drivable
from routing.settings import MPH_TO_KPH, SINGLE_CIRCUITY, SINGLE_SPEED_MPH, RoutingSettings
from routing.sources import build_engine, coverage_share
from routing.speeds import edge_speed_kph, parse_maxspeed

MPH = MPH_TO_KPH


@pytest.mark.parametrize("value, highway, kph", [
    ("30 mph", None, 30 * MPH), ("20mph", None, 20 * MPH), ("50", None, 50.0), ("50 km/h", None, 50.0),
    ("national", "primary", 60 * MPH), ("national", "motorway", 70 * MPH), ("GB:nsl_single", None, 60 * MPH),
    ("GB:nsl_dual", None, 70 * MPH), ("GB:motorway", None, 70 * MPH), ("GB:urban", None, 30 * MPH),
    ("UK:nsl_single", None, 60 * MPH), ("30 mph;40 mph", None, 35 * MPH), (["20 mph", "40 mph"], None, 30 * MPH),
    ("10 knots", None, 18.52), (40, None, 40.0),
    ("none", None, None), ("signals", None, None), ("variable", None, None), ("fast", None, None), ("", None, None),
    (None, None, None), (float("nan"), None, None), ("0", None, None), ("-5 mph", None, None), ("30 mph;junk", None, 30 * MPH),
])
def test_maxspeed_parser(value, highway, kph):
    parsed = parse_maxspeed(value, highway)
    assert parsed == pytest.approx(kph) if kph is not None else parsed is None


def test_edge_speeds_respect_limits_types_and_lanes():
    settings = RoutingSettings(lane_factor=0.5)
    assert edge_speed_kph({"highway": "primary"}, settings) == pytest.approx(45 * MPH)
    assert edge_speed_kph({"highway": "primary", "maxspeed": "30 mph"}, settings) == pytest.approx(30 * MPH)
    assert edge_speed_kph({"highway": "primary", "maxspeed": "70 mph"}, settings) == pytest.approx(45 * MPH)
    # A national-limit lane is far slower than 60 mph; the lane factor slows it further.
    assert edge_speed_kph({"highway": "unclassified", "maxspeed": "national"}, settings) == pytest.approx(15 * MPH)
    assert edge_speed_kph({"highway": "unclassified", "maxspeed": "30 mph"}, settings) == pytest.approx(30 * MPH)
    assert edge_speed_kph({"highway": "tertiary", "lanes": "1"}, settings) == pytest.approx(17.5 * MPH)
    assert edge_speed_kph({"highway": ["secondary", "tertiary"], "width": "3.5"}, settings) == pytest.approx(20 * MPH)


def test_drivable_filter():
    assert is_drivable({"highway": "residential"})
    assert not is_drivable({"highway": "footway"})
    assert not is_drivable({"highway": "service", "service": "parking_aisle"})
    assert not is_drivable({"highway": "unclassified", "access": "private"})
    assert not is_drivable({"highway": "track"})


@pytest.mark.slow
def test_rutland_graph_is_strongly_connected_and_measured_in_bng(rutland_graph):
    assert nx.is_strongly_connected(rutland_graph)
    assert rutland_graph.number_of_nodes() > 4000
    edges = list(rutland_graph.edges(data=True))
    assert all(data["length"] > 0 for _, _, data in edges)
    # Each length is the edge's shape measured in British National Grid metres, projected here independently
    # with GeoPandas (OSMnx itself would give great-circle metres).
    sample = [edges[i] for i in np.random.default_rng(0).choice(len(edges), 300, replace=False)]
    shapes = gpd.GeoSeries([data.get("geometry") or LineString([(rutland_graph.nodes[u]["x"], rutland_graph.nodes[u]["y"]),
                                                                 (rutland_graph.nodes[v]["x"], rutland_graph.nodes[v]["y"])])
                            for u, v, data in sample], crs="EPSG:4326")
    expected = shapes.to_crs("EPSG:27700").length.to_numpy()
    assert np.array([data["length"] for _, _, data in sample]) == pytest.approx(expected, rel=1e-9)


def _sample_points(engine, count, seed):
    rng = np.random.default_rng(seed)
    nodes = rng.choice(engine.network.n_nodes, count, replace=False)
    return nodes, np.column_stack([engine.network.x[nodes], engine.network.y[nodes]])


@pytest.mark.slow
@pytest.mark.parametrize("by, weight", [("time", "travel_time"), ("distance", "length")])
def test_matrix_equals_networkx(rutland_graph, rutland_engine, by, weight):
    nodes, xy = _sample_points(rutland_engine, 25, seed=3)
    matrix = rutland_engine.matrix(xy, xy, by=by)
    ids = rutland_engine.network.node_ids
    scale = 60.0 if by == "time" else METRES_PER_MILE
    for row, origin in enumerate(nodes[:8]):
        reference = nx.single_source_dijkstra_path_length(rutland_graph, int(ids[origin]), weight=weight)
        expected = np.array([reference[int(ids[d])] for d in nodes]) / scale
        found = matrix.minutes[row] if by == "time" else matrix.miles[row]
        np.testing.assert_allclose(found, expected, rtol=0, atol=1e-6)


@pytest.mark.slow
def test_miles_follow_the_fastest_route(rutland_graph, rutland_engine):
    nodes, xy = _sample_points(rutland_engine, 6, seed=4)
    matrix = rutland_engine.matrix(xy, xy)
    ids = rutland_engine.network.node_ids
    for a in range(3):
        for b in range(3, 6):
            path = nx.shortest_path(rutland_graph, int(ids[nodes[a]]), int(ids[nodes[b]]), weight="travel_time")
            metres = sum(min(rutland_graph[u][v].values(), key=lambda d: d["travel_time"])["length"]
                         for u, v in zip(path[:-1], path[1:]))
            assert matrix.miles[a, b] == pytest.approx(metres / METRES_PER_MILE, abs=1e-6)


@pytest.mark.slow
@pytest.mark.parametrize("direction", ["to", "from"])
def test_nearest_equals_networkx_multi_source(rutland_graph, rutland_engine, direction):
    nodes, xy = _sample_points(rutland_engine, 60, seed=5)
    facilities, points = nodes[:6], nodes[6:]
    found = rutland_engine.nearest(xy[6:], xy[:6], direction=direction)
    ids = rutland_engine.network.node_ids
    graph = rutland_graph.reverse(copy=False) if direction == "to" else rutland_graph
    reference = nx.multi_source_dijkstra_path_length(graph, {int(ids[f]) for f in facilities}, weight="travel_time")
    expected = np.array([reference[int(ids[p])] for p in points]) / 60.0
    np.testing.assert_allclose(found["minutes"], expected, rtol=0, atol=1e-6)
    # The facility it names is really that close.
    matrix = rutland_engine.matrix(xy[6:], xy[:6]) if direction == "to" else rutland_engine.matrix(xy[:6], xy[6:])
    chosen = matrix.minutes[np.arange(54), found["facility"]] if direction == "to" else \
        matrix.minutes[found["facility"], np.arange(54)]
    np.testing.assert_allclose(chosen, expected, atol=1e-6)
    np.testing.assert_allclose(found["miles"], matrix.miles[np.arange(54), found["facility"]] if direction == "to"
                               else matrix.miles[found["facility"], np.arange(54)], atol=1e-6)


def test_oakham_to_uppingham(rutland, rutland_engine):
    towns = rutland.places.set_index("name").loc[["Oakham", "Uppingham"]]
    xy = np.column_stack([towns.geometry.x, towns.geometry.y])
    straight = np.hypot(*(xy[0] - xy[1])) / METRES_PER_MILE
    trip = rutland_engine.matrix(xy[:1], xy[1:])
    # The A6003 runs almost straight between the towns: 6.3 miles by road against 5.7 straight
    # (ratio 1.11, below Rutland's measured 1.26 average), about 9 minutes at the assumed speeds.
    assert straight == pytest.approx(5.66, abs=0.01)
    assert 5.9 < trip.miles[0, 0] < 7.0
    assert 7.0 < trip.minutes[0, 0] < 14.0
    route = rutland_engine.path(xy[0], xy[1])
    assert route.minutes == pytest.approx(trip.minutes[0, 0])
    assert route.line.coords[0] == tuple(xy[0]) and route.line.coords[-1] == tuple(xy[1])
    assert route.line.length == pytest.approx(route.miles * METRES_PER_MILE, rel=1e-6)


def test_road_is_never_shorter_than_straight(rutland, rutland_engine):
    rng = np.random.default_rng(7)
    points = np.column_stack([rutland.postcodes.geometry.x, rutland.postcodes.geometry.y])
    a = points[rng.choice(len(points), 120, replace=False)]
    b = points[rng.choice(len(points), 120, replace=False)]
    road = rutland_engine.matrix(a, b, by="distance").miles
    straight = np.hypot(a[:, None, 0] - b[None, :, 0], a[:, None, 1] - b[None, :, 1]) / METRES_PER_MILE
    assert (road >= straight - 1e-9).all()


def test_far_points_are_flagged_not_moved(rutland_engine):
    inside = np.array([[486000.0, 308800.0]])
    far = np.array([[560000.0, 308800.0]])  # 60 km east, in the Fens
    snap = rutland_engine.snap(np.vstack([inside, far]))
    assert list(snap.far) == [False, True] and snap.distance_m[1] > 20_000
    found = rutland_engine.nearest(far, inside)
    assert bool(found["far_from_road"][0]) and found["snap_m"][0] > 20_000


OAKHAM = np.array([486_000.0, 308_000.0])
"""Hand-made networks and points sit at Oakham (BNG metres): arrays near the grid's origin read as degrees."""


def _two_islands() -> RoadNetwork:
    """Two separate one-way pairs: 0→1 and 2→3 (nodes 1 km apart), no way between them."""
    tail, head = np.array([0, 2]), np.array([1, 3])
    xy = np.array([[0, 0], [1000, 0], [5000, 0], [6000, 0]], dtype=float) + OAKHAM
    x, y = xy[:, 0].copy(), xy[:, 1].copy()
    return RoadNetwork(np.arange(4), x, y, tail, head, np.array([60.0, 60.0]), np.array([1000.0, 1000.0]),
                       np.array([0, 2, 4]), xy, "two islands")


def test_unreachable_pairs_are_inf_and_flagged():
    engine = RoadEngine(_two_islands())
    points = np.array([[0.0, 0.0], [1000.0, 0.0], [6000.0, 0.0]]) + OAKHAM
    matrix = engine.matrix(points, points)
    assert matrix.minutes[0, 1] == pytest.approx(1.0)
    assert np.isinf(matrix.minutes[1, 0]) and np.isinf(matrix.miles[0, 2])
    assert matrix.reachable.tolist() == [[True, True, False], [False, True, False], [False, False, True]]
    found = engine.nearest(points[:1], points[2:])
    assert not found["reachable"][0] and found["facility"][0] == -1 and np.isinf(found["minutes"][0])
    assert np.isinf(engine.path(points[0], points[2]).minutes)


def test_engine_tokens_change_with_the_roads_and_every_setting():
    """Results are cached by token: two engines that route differently must never share one."""
    base = RoadEngine(_two_islands())
    same = RoadEngine(_two_islands())
    slower = _two_islands()
    slower = RoadNetwork(slower.node_ids, slower.x, slower.y, slower.tail, slower.head, slower.time_s * 2,
                         slower.length_m, slower.geometry_offsets, slower.geometry_xy, slower.description)
    assert base.token == same.token
    assert base.token != RoadEngine(slower).token  # same name, nodes and links; other times
    assert base.token != RoadEngine(_two_islands(), RoutingSettings(snap_limit_m=50.0)).token
    assert base.token != RoadEngine(_two_islands(), RoutingSettings(access_speed_mph=3.0)).token


def test_cutoff_and_within(rutland_engine):
    _, xy = _sample_points(rutland_engine, 30, seed=9)
    full = rutland_engine.matrix(xy, xy)
    cut = rutland_engine.matrix(xy, xy, cutoff=8.0)
    assert np.array_equal(np.isfinite(cut.minutes), full.minutes <= 8.0)
    within = rutland_engine.within(xy[5:], xy[:5], minutes=8.0)
    assert within.tolist() == (full.minutes[5:, :5].min(axis=1) <= 8.0).tolist()
    limited = rutland_engine.nearest(xy[5:], xy[:5], limit=8.0)
    beyond = full.minutes[5:, :5].min(axis=1) > 8.0
    assert beyond.any() and not limited["reachable"][beyond].any()
    assert np.isinf(limited["miles"][beyond]).all() and np.isfinite(limited["miles"][~beyond]).all()
    near_miles = rutland_engine.within(xy[5:], xy[:5], miles=3.0)
    shortest = rutland_engine.matrix(xy[5:], xy[:5], by="distance").miles.min(axis=1)
    assert near_miles.tolist() == (shortest <= 3.0).tolist()


def test_estimate_engine_is_labelled_and_consistent():
    engine = EstimateEngine(RoutingSettings(circuity=1.25, estimate_speed_mph=30))
    assert engine.is_estimate and engine.label.startswith("ESTIMATE")
    a, b = np.array([[0.0, 0.0]]) + OAKHAM, np.array([[3000.0, 4000.0]]) + OAKHAM
    matrix = engine.matrix(a, b)
    assert matrix.method == "estimate"
    assert matrix.miles[0, 0] == pytest.approx(5000 * 1.25 / METRES_PER_MILE)
    assert matrix.minutes[0, 0] == pytest.approx(matrix.miles[0, 0] / 30 * 60)
    found = engine.nearest(a, np.vstack([b, OAKHAM + [100.0, 0.0]]))
    assert found["facility"][0] == 1 and found["method"][0] == "estimate"
    assert engine.path(a, b).line.length == pytest.approx(5000.0)


def test_single_factor_matches_rutland_pairs(rutland, rutland_engine):
    points = np.column_stack([rutland.postcodes.geometry.x, rutland.postcodes.geometry.y])
    measured = calibrate_estimate(rutland_engine, points, sample=200)
    assert measured.circuity == pytest.approx(SINGLE_CIRCUITY, abs=0.03)
    assert measured.speed_mph == pytest.approx(SINGLE_SPEED_MPH, abs=2.0)
    assert 1.1 < measured.circuity_p10 < measured.circuity_median < measured.circuity_p90 < 1.7


def test_cache_round_trip_and_keys(tmp_path, rutland_engine):
    network = rutland_engine.network
    key = cache.cache_key("abc", RoutingSettings())
    cache.store(key, network, cache_dir=tmp_path)
    reloaded = cache.load_cached(key, cache_dir=tmp_path)  # how fast: python -m bench.routing
    for name in ("node_ids", "x", "y", "tail", "head", "time_s", "length_m", "geometry_offsets", "geometry_xy"):
        assert np.array_equal(getattr(reloaded, name), getattr(network, name))
    assert cache.cache_key("abc", RoutingSettings(lane_factor=1.0)) != key
    (tmp_path / "networks" / f"{key}.npz").write_bytes(b"garbage")
    assert cache.load_cached(key, cache_dir=tmp_path) is None


def test_bundled_rutland_engine_through_the_cache(tmp_path):
    council = load_council("rutland")
    first = build_engine(council, "bundled", cache_dir=tmp_path)
    assert len(list((tmp_path / "networks").glob("*.npz"))) == 1
    again = build_engine(council, "bundled", cache_dir=tmp_path)
    assert again.network.n_nodes == first.network.n_nodes
    assert "OpenStreetMap extract of Rutland" in again.label


def test_councils_without_roads_fall_back_to_the_labelled_estimate(herefordshire):
    council = load_council("herefordshire")
    with pytest.raises(RoadNetworkError, match="has no bundled road network"):
        build_engine(council, "bundled")
    engine = build_engine(council, "estimate")
    assert engine.is_estimate
    points = np.column_stack([herefordshire.postcodes.geometry.x, herefordshire.postcodes.geometry.y])
    assert coverage_share(engine, points) == 1.0


def test_rutland_roads_do_not_cover_herefordshire(herefordshire, rutland_engine):
    from analyses.localities import drive_time_localities

    points = np.column_stack([herefordshire.postcodes.geometry.x, herefordshire.postcodes.geometry.y])[:200]
    assert coverage_share(rutland_engine, points) == 0.0
    # Localities are not re-drawn from a network that misses the council.
    assert drive_time_localities(herefordshire, rutland_engine) is herefordshire


@pytest.mark.parametrize("name, content, message", [
    ("empty.osm.pbf", b"", "is empty"),
    ("corrupt.osm.pbf", b"\x00\x00\x00\x0dOSMHeader" + bytes(range(256)) * 4, "not a readable OpenStreetMap file"),
    ("table.osm.pbf", b"postcode,hours\nHR1 2JB,5\n", "not a readable OpenStreetMap file"),
    ("roads.osm", b"<html><body>not osm</body></html>", "not a readable OpenStreetMap file"),
    ("nothing.osm", b"<?xml version='1.0'?><osm version='0.6'><node id='1' lat='52.6' lon='-0.7'/></osm>",
     "contains no drivable roads"),
    ("clients.csv", b"a,b\n1,2\n", "not a road network file"),
])
def test_bad_osm_files_give_clear_errors(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(RoadNetworkError, match=message):
        graph_from_osm_file(path, RoutingSettings())


def test_missing_file_is_reported(tmp_path):
    with pytest.raises(RoadNetworkError, match="does not exist"):
        graph_from_osm_file(tmp_path / "nowhere.osm.pbf", RoutingSettings())


def test_an_unreachable_overpass_is_refused_before_any_download_with_advice(rutland, closed_port, monkeypatch):
    import osmnx as ox

    monkeypatch.setattr(ox, "graph_from_polygon", lambda *args, **kwargs: pytest.fail("a download was attempted"))
    with settings.overridden(overpass_url=f"http://127.0.0.1:{closed_port}/api"):
        with pytest.raises(RoadNetworkError, match="offline.*bundled extract.*straight-line estimate"):
            download_drive_graph(rutland.outline.to_crs(4326).union_all(), RoutingSettings())


@pytest.mark.slow
def test_pbf_and_xml_give_the_same_graph(tmp_path, rutland_graph):
    import osmium

    xml = tmp_path / "rutland.osm"
    with osmium.SimpleWriter(str(xml)) as writer:
        for item in osmium.FileProcessor(str(settings.data_folder / "osm" / "rutland-latest.osm.pbf")):
            writer.add(item)
    from_xml = graph_from_osm_file(xml, RoutingSettings())
    assert from_xml.number_of_nodes() == rutland_graph.number_of_nodes()
    assert from_xml.number_of_edges() == rutland_graph.number_of_edges()


def test_drive_time_localities_split_rutland_between_two_pcns(rutland, rutland_engine):
    import dataclasses

    from analyses.localities import drive_time_localities

    practices = rutland.practices.copy()
    uppingham = practices["postcode"].str.startswith("LE15 9")
    practices.loc[uppingham, ["pcn_code", "pcn_name"]] = ["U00002", "Uppingham test PCN"]
    data = dataclasses.replace(rutland, practices=practices)
    by_road = drive_time_localities(data, rutland_engine)
    assert sorted(by_road.localities["locality_name"]) == ["Rutland Health PCN", "Uppingham test PCN"]
    assert by_road.localities["n_lsoa"].sum() == 26
    assert by_road.localities["pop_total"].sum() == 40_476
    assert by_road.locality_method == "drive time"
    assert drive_time_localities(data, EstimateEngine()) is data


@pytest.mark.slow
def test_matrix_from_the_smaller_side_gives_the_same_figures(rutland_graph, rutland_engine):
    nodes, xy = _sample_points(rutland_engine, 40, seed=11)
    many_to_few = rutland_engine.matrix(xy, xy[:3])  # computed from the 3 destinations on the reversed graph
    ids = rutland_engine.network.node_ids
    for column, target in enumerate(nodes[:3]):
        reference = nx.single_source_dijkstra_path_length(rutland_graph.reverse(copy=False), int(ids[target]),
                                                          weight="travel_time")
        np.testing.assert_allclose(many_to_few.minutes[:, column], [reference[int(ids[n])] / 60 for n in nodes],
                                   atol=1e-6)
    few_to_many = rutland_engine.matrix(xy[:3], xy)
    full = rutland_engine.matrix(xy, xy)
    np.testing.assert_allclose(many_to_few.miles, full.miles[:, :3], atol=1e-6)
    np.testing.assert_allclose(few_to_many.miles, full.miles[:3], atol=1e-6)
