"""Shared fixtures: council data loaded once per test session."""

from __future__ import annotations

import pytest

from geo.council import load_council
from layers.council_data import load_council_data


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
    from layers.catalog import DATA_DIR
    from routing.osm import graph_from_osm_file
    from routing.settings import RoutingSettings

    return graph_from_osm_file(DATA_DIR / "osm" / "rutland-latest.osm.pbf", RoutingSettings())


@pytest.fixture(scope="session")
def rutland_engine(rutland_graph):
    from routing.engine import RoadEngine
    from routing.network import RoadNetwork

    return RoadEngine(RoadNetwork.from_graph(rutland_graph, "Rutland test network"))
