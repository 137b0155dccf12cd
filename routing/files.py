"""Road networks from files, through the cache: a user's OpenStreetMap or GraphML file, a council's bundled extract,
and the roads ``python -m caremap roads`` prepared (kept under the cache folder).

Below the engines (:mod:`routing.road_engine` builds its ``RoadEngine.from_file``, ``.bundled`` and ``.prepared``
on these) and below the choice of sources (:mod:`routing.sources`).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Callable

from geo.errors import RoadNetworkError
from geo.settings import settings as tool_settings
from routing import cache
from routing.limits import RoadLimits, check_regular_file, safe_name
from routing.network import RoadNetwork
from routing.settings import RoutingSettings

Progress = Callable[[str], None]


def prepared_extract(slug: str, cache_dir: Path | None = None) -> Path:
    """Where the council's prepared roads (drivable ways as ``.osm.pbf``) are kept."""
    return (cache_dir or tool_settings.cache_folder) / "roads" / f"{slug}.osm.pbf"


def prepared_description(slug: str, cache_dir: Path | None = None) -> str | None:
    """How the council's prepared roads were made (None if there are none)."""
    path = prepared_extract(slug, cache_dir)
    if not path.is_file():
        return None
    try:
        about = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
        return f"OpenStreetMap roads prepared {about['date']} from {about['source']}"
    except (OSError, ValueError, KeyError, TypeError):
        return "OpenStreetMap roads prepared with caremap roads"


def _build_network(path: Path, settings: RoutingSettings, *, description: str, limits: RoadLimits,
                   progress: Progress | None) -> RoadNetwork:
    """Build without the cache: OpenStreetMap files by the streaming builder, GraphML through OSMnx."""
    from routing.osm import check_road_file, is_graphml

    check_road_file(path, limits)
    if is_graphml(path):
        from routing.osm import graph_from_graphml

        if progress:
            progress(f"Reading the GraphML network {safe_name(path)}…")
        return RoadNetwork.from_graph(graph_from_graphml(path, settings, limits=limits), description)
    from routing.builder import network_from_osm_file

    return network_from_osm_file(path, settings, limits=limits, description=description, progress=progress)


def network_from_file(path: str | Path, settings: RoutingSettings, *, description: str | None = None,
                      progress: Progress | None = None, cache_dir: Path | None = None, limits: RoadLimits | None = None,
                      keep: bool = True) -> RoadNetwork:
    """Road network from an OSM or GraphML file, through the cache (keyed by the file's bytes).

    A file refused once is refused again at once under the same or smaller limits (its content, name and
    settings are remembered for this process).
    ``keep=False`` builds without writing the network to the cache.

    Raises
    ------
    RoadNetworkError
        If the file is missing, too large for ``limits``, damaged or holds no drivable roads.
    """
    path = Path(path)
    check_regular_file(path)
    digest = cache.file_digest(path)
    limits = limits or RoadLimits.for_machine()
    refusal = cache.failure_key(digest, path.name, settings)
    if (message := cache.known_failure(refusal, limits)) is not None:
        raise RoadNetworkError(message)
    key = cache.cache_key(digest, settings)
    description = description or f"OpenStreetMap, {safe_name(path)}"
    try:
        return cache.load_or_build(key, lambda: _build_network(path, settings, description=description, limits=limits,
                                                               progress=progress), cache_dir, keep=keep)
    except RoadNetworkError as error:
        cache.remember_failure(refusal, str(error), limits)
        raise
