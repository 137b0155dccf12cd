"""Hostile road network files: every node and edge checked, size limits before the expensive step, bombs within
memory caps, refusals remembered, and nothing an upload refused (or not kept) left on disk."""

from __future__ import annotations

import dataclasses
import os
import re
import subprocess
import sys
import tempfile
import textwrap
import zlib
from pathlib import Path

import networkx as nx
import osmium
import osmnx as ox
import pytest

from geo.errors import RoadNetworkError
from geo.settings import settings
from routing import cache, limits, sources
from routing.builder import network_from_osm_file
from routing.limits import RoadLimits, pbf_declared_size
from routing.osm import graph_from_graphml, graph_from_osm_file
from routing.settings import RoutingSettings

BAD = Path(__file__).parent / "bad_inputs"
RUTLAND_PBF = settings.data_folder / "osm" / "rutland-latest.osm.pbf"
MARKUP = re.compile(r"[<>\[\]!`]")


@pytest.mark.parametrize("name, message", [
    ("road_node_nan.osm", r"not a readable OpenStreetMap file \(wrong format for coordinate: 'nan'\)"),
    ("road_node_inf.osm", r"not a readable OpenStreetMap file \(wrong format for coordinate: 'inf'\)"),
    ("road_node_latitude_95.osm", r"node 3 has no valid coordinate"),
    ("road_node_without_coordinates.osm", r"node 3 has no valid coordinate"),
    # osmium reads 1e400 as 0 without complaint: the node lands off West Africa, outside Great Britain.
    ("road_node_exponent.osm", r"node 3 lies at latitude 0\.0000, longitude -0\.7000, outside Great Britain"),
    ("road_huge_node_id.osm", r"illegal id"),
    ("road_huge_way_ref.osm", r"illegal id"),
])
def test_osm_files_with_a_bad_last_node_are_refused_by_both_builders(name, message):
    # Node 3 is the last node: the first two are fine, so only a check of every node catches it.
    with pytest.raises(RoadNetworkError, match=message) as refused:
        network_from_osm_file(BAD / name, RoutingSettings())
    assert not MARKUP.search(str(refused.value))
    with pytest.raises(RoadNetworkError):
        graph_from_osm_file(BAD / name, RoutingSettings())


def test_negative_ids_from_an_editor_are_read_like_any_other(tmp_path):
    """JOSM saves objects not yet uploaded with negative ids; osmium's location index holds only positive ones."""
    xml = BAD / "road_josm_negative_ids.osm"
    pbf = tmp_path / "josm.osm.pbf"
    with osmium.SimpleWriter(str(pbf)) as writer:
        for kind in (osmium.osm.NODE, osmium.osm.WAY):
            for item in osmium.FileProcessor(str(xml), kind):
                (writer.add_node if kind == osmium.osm.NODE else writer.add_way)(item)
    reference = graph_from_osm_file(xml, RoutingSettings())
    for path in (xml, pbf):
        network = network_from_osm_file(path, RoutingSettings())
        # A cross of two ways through node -102: five junctions and ends, every link both ways.
        assert sorted(network.node_ids.tolist()) == sorted(reference.nodes) == [-104, -102, -101, 3, 5]
        assert network.n_edges == reference.number_of_edges() == 8


@pytest.fixture(scope="module")
def graphml_text(tmp_path_factory) -> str:
    """A valid OSMnx GraphML of a small network (several nodes, edges with and without line shapes)."""
    path = tmp_path_factory.mktemp("graphml") / "osm.osm"
    with osmium.SimpleWriter(str(path)) as writer:
        for node, lon in enumerate((-0.70, -0.69, -0.68, -0.67), start=1):
            writer.add_node(osmium.osm.mutable.Node(id=node, location=(lon, 52.60 + 0.001 * node)))
        writer.add_node(osmium.osm.mutable.Node(id=5, location=(-0.69, 52.61)))
        writer.add_way(osmium.osm.mutable.Way(id=10, nodes=[1, 2, 3, 4], tags={"highway": "tertiary"}))
        writer.add_way(osmium.osm.mutable.Way(id=11, nodes=[2, 5, 3], tags={"highway": "residential"}))
    graph = ox.graph_from_xml(path, simplify=True, retain_all=True)
    target = path.with_suffix(".graphml")
    ox.save_graphml(graph, target)
    text = target.read_text()
    assert graph_from_graphml(target, RoutingSettings()).number_of_nodes() >= 2
    return text


def test_graphml_of_roads_outside_great_britain_is_refused(tmp_path, graphml_text):
    x = _key(graphml_text, "x", "node")
    node_x = re.search(rf'<data key="{x}">[^<]*</data>', graphml_text[_last(graphml_text, "node")[0]:]).group(0)
    path = tmp_path / "roads.graphml"
    path.write_text(_edit_last(graphml_text, "node", node_x, f'<data key="{x}">15.5</data>'))  # Austria
    with pytest.raises(RoadNetworkError, match=r"longitude 15\.5000, outside Great Britain \(1 road node"):
        graph_from_graphml(path, RoutingSettings())


def _last(text: str, tag: str) -> tuple[int, int]:
    start = text.rindex(f"<{tag} ")
    return start, text.index(f"</{tag}>", start)


def _key(text: str, name: str, domain: str) -> str:
    return re.search(rf'<key id="(d\d+)" for="{domain}" attr\.name="{name}"', text).group(1)


def _edit_last(text: str, tag: str, old: str, new: str) -> str:
    start, end = _last(text, tag)
    element = text[start:end]
    assert old in element, (old, element)
    return text[:start] + element.replace(old, new, 1) + text[end:]


def _graphml_cases(text: str) -> dict[str, tuple[str, str]]:
    x, length, geometry = _key(text, "x", "node"), _key(text, "length", "edge"), _key(text, "geometry", "edge")
    node_x = re.search(rf'<data key="{x}">[^<]*</data>', text[_last(text, "node")[0]:]).group(0)
    edge_length = re.search(rf'<data key="{length}">[^<]*</data>', text[_last(text, "edge")[0]:]).group(0)
    last_node_id = re.search(r'<node id="(\d+)"', text[_last(text, "node")[0]:]).group(1)
    with_shape = text.rindex(f'<data key="{geometry}">')
    edge_start = text.rindex("<edge ", 0, with_shape)
    shape = re.search(rf'<data key="{geometry}">[^<]*</data>', text[edge_start:]).group(0)
    point = text[:edge_start] + text[edge_start:].replace(shape, f'<data key="{geometry}">POINT (-0.69 52.6)</data>', 1)
    polygon = text[:edge_start] + text[edge_start:].replace(
        shape, f'<data key="{geometry}">POLYGON ((-0.69 52.6, -0.68 52.6, -0.68 52.61, -0.69 52.6))</data>', 1)
    return {
        "x missing": (_edit_last(text, "node", node_x, ""), "has no x"),
        "x not finite": (_edit_last(text, "node", node_x, f'<data key="{x}">nan</data>'), "not a longitude"),
        "x out of range": (_edit_last(text, "node", node_x, f'<data key="{x}">512.5</data>'), "not a longitude"),
        "x not a number": (_edit_last(text, "node", node_x, f'<data key="{x}">&lt;b&gt;east</data>'), "not a number"),
        "huge node id": (text.replace(f'"{last_node_id}"', '"123456789012345678901234567890"'), "too large"),
        "length infinite": (_edit_last(text, "edge", edge_length, f'<data key="{length}">inf</data>'), "not a distance"),
        "length missing": (_edit_last(text, "edge", edge_length, ""), "has no length"),
        "point shape": (point, "a road is a line"),
        "polygon shape": (polygon, "a road is a line"),
    }


@pytest.mark.parametrize("case", ["x missing", "x not finite", "x out of range", "x not a number", "huge node id",
                                  "length infinite", "length missing", "point shape", "polygon shape"])
def test_graphml_with_one_bad_node_or_edge_is_refused(tmp_path, graphml_text, case):
    text, message = _graphml_cases(graphml_text)[case]
    path = tmp_path / "roads.graphml"
    path.write_text(text)
    with pytest.raises(RoadNetworkError, match=message) as refused:
        graph_from_graphml(path, RoutingSettings())
    assert "not a GraphML road network saved by OSMnx" in str(refused.value)
    assert not MARKUP.search(str(refused.value))


def test_graphml_from_another_tool_names_the_problem(tmp_path):
    foreign = nx.DiGraph()
    foreign.add_edge("a", "b", weight=3)
    path = tmp_path / "network.graphml"
    nx.write_graphml(foreign, path)
    with pytest.raises(RoadNetworkError, match="node id 'a' is not a whole number"):
        graph_from_graphml(path, RoutingSettings())


def test_a_very_long_file_name_is_shortened_in_messages_and_never_used_on_disk(tmp_path):
    name = "<b>roads[link](x)" + "x" * 220 + ".osm.pbf"
    path = tmp_path / name
    path.write_bytes(b"not osm at all")
    with pytest.raises(RoadNetworkError) as refused:
        network_from_osm_file(path, RoutingSettings())
    assert len(str(refused.value)) < 400 and "…" in str(refused.value) and not MARKUP.search(str(refused.value))
    with pytest.raises(RoadNetworkError):
        sources.engine_from_upload(b"not osm" + b"x" * 5000, "y" * 5000 + ".osm.pbf", RoutingSettings(), keep=True,
                                   upload_dir=tmp_path / "uploads", cache_dir=tmp_path / "cache")
    assert not (tmp_path / "uploads").exists()


# --- Size limits and bombs --------------------------------------------------------------------------------------------


def _zlib_bomb(path: Path, blocks: int) -> None:
    """A PBF-framed file whose blocks each declare (and hold, zlib-compressed) 32 MB of zeros."""
    def field(number: int, kind: int, payload: bytes | int) -> bytes:
        def varint(value: int) -> bytes:
            out = bytearray()
            while True:
                out.append((value & 0x7F) | (0x80 if value > 0x7F else 0))
                value >>= 7
                if not value:
                    return bytes(out)
        key = varint(number << 3 | kind)
        return key + (varint(payload) if kind == 0 else varint(len(payload)) + payload)

    raw = 32 * 1024 * 1024
    packed = zlib.compress(bytes(raw), 9)
    blob = field(2, 0, raw) + field(3, 2, packed)
    with open(path, "wb") as handle:
        for number in range(blocks):
            header = field(1, 2, b"OSMHeader" if number == 0 else b"OSMData") + field(3, 0, len(blob))
            handle.write(len(header).to_bytes(4, "big") + header + blob)


def test_a_decompression_bomb_is_refused_before_decompressing_and_the_refusal_remembered(tmp_path, monkeypatch):
    bomb = tmp_path / "bomb.osm.pbf"
    _zlib_bomb(bomb, 40)
    assert bomb.stat().st_size < 2_000_000
    assert pbf_declared_size(bomb) == (40, 40 * 32 * 1024 * 1024)
    calls = []
    original = limits.pbf_declared_size
    monkeypatch.setattr(limits, "pbf_declared_size", lambda path: calls.append(path) or original(path))
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    content = bomb.read_bytes()
    for _ in range(3):
        with pytest.raises(RoadNetworkError, match=r"expands to 1,280 MB .* more than the 1,024 MB limit"):
            sources.engine_from_upload(content, "bomb.osm.pbf", RoutingSettings(), keep=True,
                                       upload_dir=tmp_path / "uploads", cache_dir=tmp_path / "cache")
    assert len(calls) == 1  # the two reruns were answered from memory
    assert not (tmp_path / "uploads").exists() and not (tmp_path / "cache").exists()
    assert list((tmp_path / "tmp").iterdir()) == []


def _run_capped(script: str, tmp_path: Path) -> tuple[str, float]:
    """Run a script in a fresh interpreter; return its output and the peak memory (MB) of that interpreter (how fast:
    python -m bench.routing).

    The peak is the child's own (:func:`hostile_files.peak_memory_mb`): ``ru_maxrss`` would report pytest's size
    too, since Linux folds the parent's high-water mark into a child started with vfork and exec."""
    code = textwrap.dedent("""
        from hostile_files import peak_memory_mb
        from routing.builder import network_from_osm_file
        from routing.limits import RoadLimits
        from routing.settings import RoutingSettings
        try:
    """)
    code += textwrap.indent(textwrap.dedent(script), "    ") + textwrap.dedent("""
        except Exception as error:
            print(type(error).__name__, error)
        print("PEAK_MB", peak_memory_mb())
    """)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, cwd=tmp_path,
                          env={**os.environ, "PYTHONPATH": str(Path(__file__).parent)})
    assert done.returncode == 0, done.stderr
    peak = float(re.search(r"PEAK_MB ([\d.]+)", done.stdout).group(1))
    return done.stdout, peak


def _grid_pbf(path: Path, side: int, *, repeat_ways: int = 1) -> None:
    """A dense grid of residential roads 10 m apart: ``side`` rows and columns of nodes; with ``repeat_ways`` above 1
    each way runs there and back that many times (a way may list its nodes again and again)."""

    def listed(refs: list[int]) -> list[int]:
        return refs if repeat_ways == 1 else (refs + refs[-2::-1]) * repeat_ways

    with osmium.SimpleWriter(str(path)) as writer:
        for row in range(side):
            for column in range(side):
                writer.add_node(osmium.osm.mutable.Node(id=row * side + column + 1,
                                                        location=(-0.7 + column * 1.5e-4, 52.6 + row * 9e-5)))
        tags = {"highway": "residential"}
        for row in range(side):
            refs = [row * side + column + 1 for column in range(side)]
            writer.add_way(osmium.osm.mutable.Way(id=row + 1, nodes=listed(refs), tags=tags))
        for column in range(side):
            refs = [row * side + column + 1 for row in range(side)]
            writer.add_way(osmium.osm.mutable.Way(id=side + column + 1, nodes=listed(refs), tags=tags))


@pytest.mark.slow
def test_a_dense_grid_within_the_limits_is_built_within_a_memory_cap(tmp_path):
    grid = tmp_path / "grid.osm.pbf"
    _grid_pbf(grid, 400)
    output, peak = _run_capped(f"""
        network = network_from_osm_file({str(grid)!r}, RoutingSettings(), limits=RoadLimits(max_way_nodes=3_000_000))
        print("NODES", network.n_nodes, "EDGES", network.n_edges)
    """, tmp_path)
    # Every node is a junction except the 4 corners (two neighbours: contracted), so 2 × 2 × 399 × 400 segments
    # less one per corner and direction.
    assert "NODES 159996 EDGES 638392" in output
    assert peak < 1000


def test_an_upload_packing_many_road_nodes_into_few_bytes_is_refused_early(tmp_path):
    grid = tmp_path / "grid.osm.pbf"
    _grid_pbf(grid, 400)  # 320,000 node references in 15 KB: 22 a byte, where real extracts take 10 bytes one
    with pytest.raises(RoadNetworkError, match=r"'grid.osm.pbf' is 14 KB but its drivable ways hold more than 100,000 "
                                               r"road nodes \(counted 100,400 before stopping\)"):
        network_from_osm_file(grid, RoutingSettings(), limits=RoadLimits.for_uploads())
    # Rutland's real extract (1.6 MB, 30,949 references: 52 bytes each) keeps the whole count limit.
    uploads = RoadLimits.for_uploads()
    assert uploads.way_node_cap(RUTLAND_PBF.stat().st_size) == uploads.max_way_nodes


@pytest.mark.slow
def test_a_grid_bomb_is_refused_while_counting_ways_within_a_memory_cap(tmp_path):
    bomb = tmp_path / "grid_bomb.osm.pbf"
    _grid_pbf(bomb, 200, repeat_ways=40)  # 400 ways of 16,000 node references each: 6.4 million
    assert bomb.stat().st_size < 400_000
    output, peak = _run_capped(f"""
        network_from_osm_file({str(bomb)!r}, RoutingSettings(), limits=RoadLimits.for_uploads())
    """, tmp_path)
    assert "RoadNetworkError" in output and re.search(r"more than [\d,]+ road nodes", output), output
    assert peak < 800, output


# --- Uploads leave nothing on disk unless accepted and kept ----------------------------------------------------------


@pytest.fixture()
def private_temp(tmp_path, monkeypatch):
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


@pytest.mark.parametrize("name, content", [
    ("clients.osm.pbf", b"client_id,postcode,hours_per_week\nC1,LE15 6NT,5\n"),
    ("clients.csv", b"client_id,postcode,hours_per_week\nC1,LE15 6NT,5\n"),
    ("roads.osm", (BAD / "road_node_nan.osm").read_bytes()),
])
def test_a_refused_road_upload_leaves_nothing_on_disk(tmp_path, private_temp, name, content):
    with pytest.raises(RoadNetworkError):
        sources.engine_from_upload(content, name, RoutingSettings(), keep=True, upload_dir=tmp_path / "uploads",
                                   cache_dir=tmp_path / "cache")
    assert not (tmp_path / "uploads").exists() and not (tmp_path / "cache").exists()
    assert list(private_temp.iterdir()) == []
    refusal = cache.failure_key(cache.bytes_digest(content), sources._file_name(name), RoutingSettings())
    assert cache.known_failure(refusal, RoadLimits.for_uploads()) is not None
    # Remembered for those limits and smaller ones, not for larger ones (the command line's).
    smaller = dataclasses.replace(RoadLimits.for_uploads(), max_way_nodes=1_000, max_way_nodes_per_byte=1.0)
    assert cache.known_failure(refusal, smaller) is not None
    assert cache.known_failure(refusal, RoadLimits()) is None


def test_an_accepted_upload_stays_only_when_kept(tmp_path, private_temp):
    content = RUTLAND_PBF.read_bytes()
    engine = sources.engine_from_upload(content, "rutland.osm.pbf", RoutingSettings(), keep=False,
                                        upload_dir=tmp_path / "uploads", cache_dir=tmp_path / "cache")
    assert engine.network.n_nodes == 5275 and "rutland.osm.pbf" in engine.label
    assert not (tmp_path / "uploads").exists() and not (tmp_path / "cache").exists()
    assert list(private_temp.iterdir()) == []
    sources.engine_from_upload(content, "rutland.osm.pbf", RoutingSettings(), keep=True,
                               upload_dir=tmp_path / "uploads", cache_dir=tmp_path / "cache")
    kept = sources.kept_uploads(tmp_path / "uploads")
    assert [path.read_bytes() == content for path in kept.values()] == [True]
    assert len(list((tmp_path / "cache" / "networks").glob("*.npz"))) == 1
    sources.forget_upload(next(iter(kept.values())), tmp_path / "uploads")
    assert sources.kept_uploads(tmp_path / "uploads") == {}


def test_uploads_are_limited_below_the_command_line():
    upload, machine = RoadLimits.for_uploads(), RoadLimits.for_machine()
    assert upload.max_way_nodes <= 3_000_000 < machine.max_way_nodes or machine.max_way_nodes <= 3_000_000
    assert upload.max_decompressed_bytes < machine.max_decompressed_bytes


def test_nodes_are_counted_before_their_locations_are_indexed():
    assert limits.pbf_node_count(RUTLAND_PBF, 10**9) == 170_885
    with pytest.raises(RoadNetworkError, match=r"holds more than 100,000 nodes \(counted 1\d\d,\d\d\d before stopping\)"):
        network_from_osm_file(RUTLAND_PBF, RoutingSettings(), limits=RoadLimits(max_file_nodes=100_000))
