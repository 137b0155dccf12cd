"""Shared fixtures: council data loaded once per test session; the user's folder kept apart from the real one."""

from __future__ import annotations

import os
import shutil
import socket
import tempfile

import pytest

from geo.council import load_council
from layers.council_data import load_council_data

TESTS_HOME = "CAREMAP_TESTS_HOME"
"""Set beside ``CAREMAP_HOME`` when the tests made the folder, so that parallel workers make their own."""


def pytest_configure(config):
    """Councils set up, caches and downloads of the tests go to a folder of their own, never to the user's;
    commands run as subprocesses inherit it."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    inherited = os.environ.get("CAREMAP_HOME") and os.environ.get("CAREMAP_HOME") == os.environ.get(TESTS_HOME)
    if "CAREMAP_HOME" not in os.environ or (worker and inherited):
        # Each parallel worker (pytest -n) gets its own folder: councils set up by one never appear in another.
        home = tempfile.mkdtemp(prefix=f"caremap-tests-home-{worker}-" if worker else "caremap-tests-home-")
        config._caremap_home = os.environ["CAREMAP_HOME"] = os.environ[TESTS_HOME] = home


def pytest_unconfigure(config):
    home = getattr(config, "_caremap_home", None)
    if home:
        shutil.rmtree(home, ignore_errors=True)
        os.environ.pop("CAREMAP_HOME", None)
        os.environ.pop(TESTS_HOME, None)


@pytest.fixture()
def closed_port():
    """A loopback port that refuses connections: bound by this test (so nothing else can listen on it) but never
    listening. Never a fixed port: something may listen on any one."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as held:
        held.bind(("127.0.0.1", 0))
        yield held.getsockname()[1]


@pytest.fixture(scope="session")
def herefordshire():
    return load_council_data(load_council("herefordshire"))


@pytest.fixture(scope="session")
def rutland():
    return load_council_data(load_council("rutland"))


@pytest.fixture(scope="session")
def all_councils():
    return {slug: load_council_data(load_council(slug))
            for slug in ["herefordshire", "rutland", "worcestershire", "hertfordshire"]}


@pytest.fixture(scope="session")
def rutland_care_homes(rutland):
    """The CQC care homes shipped for Rutland (caremap.care_homes), read once for the session."""
    import caremap

    return caremap.care_homes(rutland)


@pytest.fixture(scope="session")
def rutland_graph():
    """Rutland's drive graph built by OSMnx straight from the bundled PBF (no cache), for networkx references: about
    ten seconds, so the tests that use it are marked slow."""
    from geo.settings import settings
    from routing.osm import graph_from_osm_file
    from routing.settings import RoutingSettings

    return graph_from_osm_file(settings.data_folder / "osm" / "rutland-latest.osm.pbf", RoutingSettings())


@pytest.fixture(scope="session")
def rutland_engine():
    """Rutland's bundled network as the app builds it (the streaming builder, through the tests' cache: the
    notebook's and the commands' runs read it from there); it equals OSMnx's graph
    (tests/test_road_builder.py)."""
    from routing.engine import RoadEngine

    return RoadEngine.bundled(load_council("rutland"))
