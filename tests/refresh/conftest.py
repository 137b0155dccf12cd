"""Fixtures of the refresh tests: stand-in publishers on a loopback port, the tool pointed at them and at the national
pack of their world (Rutland's rows), a home of its own per test, and a client that records its waits instead of
sleeping."""

from __future__ import annotations

import pytest

from geo.settings import settings
from layers.refresh.cache import RawCache
from layers.refresh.fetch import Client
from layers.refresh.sources.base import Context
from tests.refresh.publishers import Publishers, build_rutland_pack
from tests.refresh.standin import StandIn


@pytest.fixture(scope="session")
def rutland_pack(tmp_path_factory):
    """A data folder whose national pack holds Rutland's rows of every table (built by the pack's build script)."""
    return build_rutland_pack(tmp_path_factory.mktemp("rutland-pack"))


@pytest.fixture
def publishers(tmp_path, rutland_pack):
    """The stand-in publishers, with every base URL, the shipped pack and the user's folder pointed at this test's
    own (the pack: Rutland's rows, what the stand-in publishers know)."""
    with StandIn() as server:
        fake = Publishers(server)
        with settings.overridden(home=tmp_path / "home", data_folder=rutland_pack, **fake.settings()):
            yield fake


@pytest.fixture
def waits():
    """The waits the client asked for (it never really sleeps in tests)."""
    return []


@pytest.fixture
def client(waits):
    return Client(retries=3, backoff=0.5, timeout=5, sleep=waits.append)


@pytest.fixture
def context(publishers, client):
    return Context(client=client, cache=RawCache(), progress=lambda message: None)
