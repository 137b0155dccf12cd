"""Geofabrik extracts for the roads command: the regions a council touches, a download checked against Geofabrik's
MD5 and kept in the cache, used again (and offline) without asking."""

from __future__ import annotations

import hashlib
import json

import numpy as np
import pytest
from shapely.geometry import box, mapping, shape

from geo.settings import settings
from layers.refresh.cache import RawCache
from layers.refresh.errors import ChecksumMismatch, PublisherError, SourceCheckFailed
from layers.refresh.sources.base import Context
from layers.refresh.sources.osm import extracts_covering, fetch_extract, regions_covering
from tests.refresh.publishers import PACK
from tests.refresh.standin import Reply, file_reply

PBF = settings.data_folder / "osm" / "rutland-latest.osm.pbf"
EXTRACT = "/geofabrik/europe/united-kingdom/england/rutland-latest.osm.pbf"


def _region(region_id: str, parent: str, bounds: tuple[float, float, float, float], path: str) -> dict:
    return {"type": "Feature", "geometry": mapping(box(*bounds)),
            "properties": {"id": region_id, "parent": parent, "name": region_id.title(),
                           "urls": {"pbf": f"https://download.geofabrik.de/europe/united-kingdom/{path}"}}}


INDEX = {"type": "FeatureCollection", "features": [
    _region("england", "united-kingdom", (-6.4, 49.8, 1.8, 55.9), "england-latest.osm.pbf"),
    _region("rutland", "england", (-0.823, 52.524, -0.428, 52.761), "england/rutland-latest.osm.pbf"),
    _region("leicestershire", "england", (-1.6, 52.39, -0.66, 52.98), "england/leicestershire-latest.osm.pbf"),
    _region("wales", "united-kingdom", (-5.4, 51.3, -2.6, 53.5), "wales-latest.osm.pbf")]}


@pytest.fixture
def geofabrik(publishers):
    content = PBF.read_bytes()
    server = publishers.server
    server.route("/geofabrik/index-v1.json", lambda request: Reply(200, json.dumps(INDEX).encode()))
    server.route(EXTRACT, lambda request: file_reply(content, request, headers={
        "Last-Modified": "Wed, 20 Jul 2022 20:21:00 GMT"}))
    server.route(EXTRACT + ".md5", lambda request: Reply(200, f"{hashlib.md5(content).hexdigest()}  "
                                                              f"rutland-latest.osm.pbf\n".encode()))
    return server


def test_the_most_detailed_regions_touching_a_council_are_chosen():
    rutland = shape(json.loads((PACK / "lad24_buc_england.geojson").read_text())["features"][0]["geometry"])
    assert regions_covering(INDEX, rutland) == ["rutland", "leicestershire"]
    assert regions_covering(INDEX, box(-3.1, 52.0, -2.9, 52.1)) == ["england", "wales"]  # on the Welsh border


def test_an_extract_is_downloaded_checked_kept_and_used_again(geofabrik, context):
    release = fetch_extract("rutland", context)
    assert release.path("extract").read_bytes() == PBF.read_bytes()
    assert release.vintage == "OpenStreetMap via Geofabrik (rutland), Wed, 20 Jul 2022 20:21:00 GMT"
    assert fetch_extract("rutland", context).folder == release.folder
    assert len(geofabrik.requests_to(EXTRACT)) == 1  # the second call found this release in the cache
    asked = len(geofabrik.log)
    assert fetch_extract("rutland", context, offline=True).folder == release.folder and len(geofabrik.log) == asked
    with pytest.raises(PublisherError, match="No OpenStreetMap extract of wales in the cache"):
        fetch_extract("wales", context, offline=True)


def test_an_extract_not_matching_geofabriks_md5_or_not_a_pbf_is_refused(geofabrik, context):
    geofabrik.script(EXTRACT + ".md5", [Reply(200, b"0123456789abcdef0123456789abcdef  rutland-latest.osm.pbf")])
    with pytest.raises(ChecksumMismatch, match="rutland-latest.osm.pbf .* does not match the publisher's MD5"):
        fetch_extract("rutland", context)
    html = b"<html>maintenance</html>"
    geofabrik.script(EXTRACT + ".md5", [Reply(200, hashlib.md5(html).hexdigest().encode())])
    geofabrik.script(EXTRACT, [Reply(200, html)])
    with pytest.raises(SourceCheckFailed, match="not an OpenStreetMap .osm.pbf file"):
        fetch_extract("rutland", context)


def test_the_roads_command_prepares_a_council_from_the_geofabrik_regions_it_touches(geofabrik, capsys):
    """Rutland touches two regions (Rutland and Leicestershire, here served the same extract): both are downloaded,
    kept, and merged into the roads `--pbf` would prepare from the one extract; offline, the cache gives them again."""
    from caremap.cli import main
    from geo.council import load_council
    from routing import sources
    from routing.builder import network_from_osm_file
    from routing.settings import RoutingSettings

    content = PBF.read_bytes()
    leicestershire = EXTRACT.replace("rutland", "leicestershire")
    geofabrik.route(leicestershire, lambda request: file_reply(content, request))
    geofabrik.route(leicestershire + ".md5", lambda request: Reply(200, hashlib.md5(content).hexdigest().encode()))
    assert main(["roads", "--council", "rutland", "--geofabrik"]) == 0
    out = capsys.readouterr().out
    assert "Geofabrik regions covering it: rutland, leicestershire." in out and "Merging 2 extracts" in out
    merged = sources.build_engine(load_council("rutland"), sources.PREPARED).network
    assert "OpenStreetMap via Geofabrik (rutland), Wed, 20 Jul 2022 20:21:00 GMT" in merged.description
    whole = network_from_osm_file(PBF, RoutingSettings())  # what --pbf prepares from Rutland's extract
    assert (merged.n_nodes, merged.n_edges) == (whole.n_nodes, whole.n_edges) and merged.n_nodes > 1000
    np.testing.assert_allclose(np.sort(merged.time_s), np.sort(whole.time_s), rtol=1e-12)
    asked = len(geofabrik.log)
    rutland = shape(json.loads((PACK / "lad24_buc_england.geojson").read_text())["features"][0]["geometry"])
    kept = extracts_covering(rutland, Context(client=None, cache=RawCache(), progress=print), offline=True)
    assert [release.source for release in kept] == ["osm-rutland", "osm-leicestershire"]
    assert len(geofabrik.log) == asked  # the index and both extracts from the cache


def test_the_roads_command_without_internet_says_so_at_once(publishers, capsys):
    from caremap.cli import main
    from tests.refresh.standin import closed_port

    with settings.overridden(geofabrik_url=f"http://127.0.0.1:{closed_port()}/geofabrik"):
        assert main(["roads", "--council", "rutland", "--geofabrik"]) == 2
    error = capsys.readouterr().err
    assert error.startswith("error: Cannot reach Geofabrik (127.0.0.1)") and "--pbf FILE" in error
    assert main(["roads", "--council", "rutland", "--geofabrik", "--offline"]) == 2
    assert "No Geofabrik index in the cache" in capsys.readouterr().err
