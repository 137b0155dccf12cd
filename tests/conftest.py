"""Shared fixtures: council data loaded once per test session; the user's folder kept apart from the real one."""

from __future__ import annotations

import os
import shutil
import tempfile

import pytest

from geo.council import load_council
from layers.council_data import load_council_data


def pytest_configure(config):
    """Councils set up, caches and downloads of the tests go to a folder of their own, never to the user's;
    commands run as subprocesses inherit it."""
    if "CAREMAP_HOME" not in os.environ:
        config._caremap_home = os.environ["CAREMAP_HOME"] = tempfile.mkdtemp(prefix="caremap-tests-home-")


def pytest_unconfigure(config):
    home = getattr(config, "_caremap_home", None)
    if home:
        shutil.rmtree(home, ignore_errors=True)
        os.environ.pop("CAREMAP_HOME", None)


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
def rutland_graph():
    """Rutland's drive graph built straight from the bundled PBF (no cache), for networkx references."""
    from geo.settings import settings
    from routing.osm import graph_from_osm_file
    from routing.settings import RoutingSettings

    return graph_from_osm_file(settings.data_folder / "osm" / "rutland-latest.osm.pbf", RoutingSettings())


@pytest.fixture(scope="session")
def rutland_engine(rutland_graph):
    from routing.engine import RoadEngine
    from routing.network import RoadNetwork

    return RoadEngine(RoadNetwork.from_graph(rutland_graph, "Rutland test network"))
