"""OpenStreetMap extracts from Geofabrik, for the ``roads`` command.

Geofabrik cuts England into ceremonial counties (``europe/united-kingdom/england/<county>-latest.osm.pbf``), not
councils, and a council near Wales needs ``wales-latest`` too: :func:`regions_covering` picks, from Geofabrik's
``index-v1.json``, the most detailed regions that touch a council's outline (with its buffer). Each extract is
downloaded resumably, checked against Geofabrik's ``.md5`` and its PBF header, and kept in the raw cache (source
``osm-<region>``), so a second run, or ``--offline``, uses the copy already there. The index is kept too (source
``osm-index``), so the regions are known offline. :func:`extracts_covering` does it all for the ``roads`` command.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from geo.settings import settings
from layers.refresh.cache import Release
from layers.refresh.errors import PublisherError, SourceCheckFailed
from layers.refresh.sources.base import Context, today

INDEX_SOURCE = "osm-index"


def geofabrik_index(context: Context, *, offline: bool = False) -> dict[str, Any]:
    """Geofabrik's index of extracts (GeoJSON: each region's id, parent, outline and download addresses), kept in
    the raw cache; offline, the copy kept last.

    Raises
    ------
    PublisherError
        When Geofabrik cannot give it (or, offline, none is cached).
    """
    if offline:
        cached, _ = context.cache.latest(INDEX_SOURCE)
        if cached is None:
            raise PublisherError("No Geofabrik index in the cache: run once with internet (or give --pbf FILE).")
        return json.loads(cached.path("index").read_text(encoding="utf-8"))
    url = f"{settings.geofabrik_url.rstrip('/')}/index-v1.json"
    answer = context.client.get(url)
    try:
        index = json.loads(answer.content)
    except ValueError:
        index = None
    if not isinstance(index, dict) or not isinstance(index.get("features"), list):
        raise PublisherError("Geofabrik's index-v1.json holds no list of regions.", url=settings.geofabrik_url)
    staging = context.cache.stage(INDEX_SOURCE)
    staging.write("index", "index-v1.json", answer.content, url=answer.url)
    staging.commit(today(), vintage=f"Geofabrik index, retrieved {today()}")
    return index


def regions_covering(index: dict[str, Any], outline_wgs84: BaseGeometry) -> list[str]:
    """Ids of the most detailed regions that touch an outline (a region is left out when one of its sub-regions
    touches it too), in the index's order."""
    touching = [feature for feature in index["features"]
                if feature.get("geometry") and shape(feature["geometry"]).intersects(outline_wgs84)]
    parents = {feature["properties"].get("parent") for feature in touching}
    return [feature["properties"]["id"] for feature in touching if feature["properties"]["id"] not in parents]


def extract_url(index: dict[str, Any], region: str) -> str:
    """The region's ``.osm.pbf`` address, on the configured Geofabrik (a mirror keeps Geofabrik's paths)."""
    feature = next((f for f in index["features"] if f["properties"].get("id") == region), None)
    if feature is None:
        raise PublisherError(f"Geofabrik has no region {region!r}.", status=404, url=settings.geofabrik_url)
    listed = feature["properties"].get("urls", {}).get("pbf")
    if not listed:
        raise PublisherError(f"Geofabrik lists no .osm.pbf for {region!r}.", url=settings.geofabrik_url)
    return settings.geofabrik_url.rstrip("/") + urlsplit(listed).path


def check_pbf(path: Path) -> None:
    """Refuse a file that does not start like an OpenStreetMap PBF (a size, then the ``OSMHeader`` block)."""
    with open(path, "rb") as stream:
        head = stream.read(64)
    if b"OSMHeader" not in head:
        raise SourceCheckFailed(f"{path.name} is not an OpenStreetMap .osm.pbf file (no OSMHeader block at its start).")


def fetch_extract(region: str, context: Context, *, offline: bool = False,
                  index: dict[str, Any] | None = None) -> Release:
    """The region's current extract, from the cache when it holds that release (or, offline, the newest there).
    ``index``: Geofabrik's, when already read.

    Raises
    ------
    PublisherError, TruncatedDownload
        When Geofabrik cannot give it (and, offline, when the cache has none).
    ChecksumMismatch
        When the download does not match Geofabrik's MD5.
    """
    source = f"osm-{region}"
    if offline:
        cached, skipped = context.cache.latest(source)
        if cached is None:
            raise PublisherError(f"No OpenStreetMap extract of {region} in the cache"
                                 f"{' (damaged copies skipped)' if skipped else ''}: run once with internet.")
        return cached
    url = extract_url(index or geofabrik_index(context), region)
    md5 = context.client.get(f"{url}.md5").text.split()[0].strip().lower()
    cached = context.cache.find(source, md5[:16])
    if cached is not None:
        context.progress(f"OpenStreetMap {region}: this release is already in the cache.")
        return cached
    staging, download = context.download_file(source, "extract", url, Path(urlsplit(url).path).name, md5=md5)
    try:
        check_pbf(download.path)
    except SourceCheckFailed:
        staging.discard()
        raise
    modified = download.headers.get("Last-Modified", "")
    return staging.commit(md5[:16], vintage=f"OpenStreetMap via Geofabrik ({region}){', ' + modified if modified else ''}")


def extracts_covering(outline_wgs84: BaseGeometry, context: Context, *, offline: bool = False) -> list[Release]:
    """The Geofabrik extracts of every region an outline touches (a council with its margin), each downloaded once
    and kept in the cache (offline: the cached ones only).

    Raises
    ------
    PublisherError, TruncatedDownload, ChecksumMismatch, SourceCheckFailed
        When an extract cannot be had (the message names the region).
    """
    index = geofabrik_index(context, offline=offline)
    regions = regions_covering(index, outline_wgs84)
    if not regions:
        raise PublisherError("Geofabrik's index has no region covering the council: give --pbf FILE.",
                             url=settings.geofabrik_url)
    context.progress(f"Geofabrik regions covering it: {', '.join(regions)}.")
    return [fetch_extract(region, context, offline=offline, index=index) for region in regions]
