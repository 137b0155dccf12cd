"""Choose where road travel times come from for a council, and build the engine for it.

The sources, named the same everywhere (the app's sidebar, :func:`caremap.travel_engine`, the commands'
``--roads``; :data:`SOURCES`): ``bundled``, the council's bundled OSM extract (Rutland); ``prepared``, the roads
``python -m caremap roads`` prepared (from a large extract or a download) or the app downloaded; ``upload``, a file
the user supplies (.osm.pbf, .osm, GraphML; outside the app, its path); ``download``, a download from OpenStreetMap
(connected machines only); ``estimate``, the straight-line estimate.
"""

from __future__ import annotations

import json
import os
import tempfile
from datetime import date
from pathlib import Path
from typing import Callable

import geopandas as gpd
import numpy as np

from geo.council import Council
from geo.errors import RoadNetworkError
from geo.settings import settings as tool_settings
from geo.units import WGS84
from routing import cache
from routing.estimate import EstimateEngine
from routing.files import network_from_file, prepared_description, prepared_extract
from routing.limits import RoadLimits, safe_name
from routing.network import RoadNetwork
from routing.road_engine import RoadEngine
from routing.settings import RoutingSettings
from routing.travel import TravelEngine

BUNDLED, PREPARED, UPLOAD, DOWNLOAD, ESTIMATE = "bundled", "prepared", "upload", "download", "estimate"
SOURCES = (BUNDLED, PREPARED, UPLOAD, DOWNLOAD, ESTIMATE)
"""Every source's name: the one vocabulary of travel engines."""
SOURCE_NAMES = {
    BUNDLED: "Bundled OpenStreetMap extract",
    PREPARED: "Prepared OpenStreetMap roads (caremap roads)",
    UPLOAD: "My own file (.osm.pbf, .osm, .graphml)",
    DOWNLOAD: "Download from OpenStreetMap (internet)",
    ESTIMATE: "Straight-line estimate (no roads)",
}
AREA_MARGIN_M = 5000.0
"""Roads this far beyond the council are kept, for trips that cross the border (metres)."""
COVERAGE_WARNING_SHARE = 0.9
"""Share of a council's postcodes near a road (within the snap limit) below which a network is said not to cover the
council, wherever it is used (the app's sidebar, every command's output and export)."""
Progress = Callable[[str], None]


def available_sources(council: Council, cache_dir: Path | None = None) -> list[str]:
    """Sources offered for a council, the default first."""
    bundled = [BUNDLED] if council.osm_extract else []
    prepared = [PREPARED] if prepared_extract(council.slug, cache_dir).is_file() else []
    if bundled or prepared:
        return [*bundled, *prepared, UPLOAD, DOWNLOAD, ESTIMATE]
    return [ESTIMATE, UPLOAD, DOWNLOAD]


def engine_from_upload(content: bytes, name: str, settings: RoutingSettings, *, keep: bool, upload_dir: Path,
                       cache_dir: Path | None = None, progress: Progress | None = None) -> RoadEngine:
    """Engine from a road network file uploaded in the app, with the upload limits.

    The bytes are built from a temporary file that is removed afterwards. Only a file accepted as a road
    network *and* with ``keep`` True stays on disk (:func:`keep_upload`); a refused file leaves nothing
    behind, and its refusal is remembered so a rerun does not read it again.

    Raises
    ------
    RoadNetworkError
        If the file is not a usable road network.
    """
    limits = RoadLimits.for_uploads()
    refusal = cache.failure_key(cache.bytes_digest(content), _file_name(name), settings)
    if (message := cache.known_failure(refusal, limits)) is not None:
        raise RoadNetworkError(message)
    description = f"OpenStreetMap, {safe_name(name)}"
    with tempfile.TemporaryDirectory(prefix="caremap-road-") as folder:
        temporary = Path(folder) / _file_name(name)
        temporary.write_bytes(content)
        network = network_from_file(temporary, settings, description=description, progress=progress,
                                    cache_dir=cache_dir, limits=limits, keep=False)
    if keep:
        keep_upload(content, name, network, settings, upload_dir=upload_dir, cache_dir=cache_dir)
    return RoadEngine(network, settings, description=description)


def _file_name(name: str) -> str:
    """A short, safe file name that keeps the upload's suffix (the suffix says how to read it)."""
    return safe_name(name).replace(" ", "_").replace("…", "_") or "network.osm.pbf"


def keep_upload(content: bytes, name: str, network: RoadNetwork, settings: RoutingSettings, *, upload_dir: Path,
                cache_dir: Path | None = None) -> Path:
    """Keep an accepted upload for next time: the file under ``upload_dir`` (a folder named by its content) and its
    network in the cache. Does nothing more if it is already kept."""
    digest = cache.bytes_digest(content)
    target = upload_dir / digest / _file_name(name)
    if not target.is_file():
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
    key = cache.cache_key(digest, settings)
    if not cache.cached_path(key, cache_dir).is_file():
        cache.store(key, network, cache_dir)
    return target


def kept_uploads(upload_dir: Path) -> dict[str, Path]:
    """Road network files kept from earlier uploads: shown name → path."""
    if not upload_dir.is_dir():
        return {}
    files = sorted(upload_dir.glob("*/*"), key=lambda path: path.stat().st_mtime, reverse=True)
    return {f"{path.name} ({path.parent.name[:6]})": path for path in files if path.is_file()}


def prepare_roads(council: Council, outline: gpd.GeoDataFrame, *, pbf: str | Path | list[Path] | None = None,
                  settings: RoutingSettings | None = None, progress: Progress | None = None,
                  cache_dir: Path | None = None, limits: RoadLimits | None = None,
                  source_text: str | None = None) -> RoadNetwork:
    """Prepare a council's roads: its drivable ways (within :data:`AREA_MARGIN_M` of its outline) from a large
    OpenStreetMap extract (``pbf``; several are merged, as the Geofabrik regions a council straddles) or, without
    one, downloaded with OSMnx; kept as the council's prepared extract and built into the cache the app reads.
    ``source_text`` says where the extracts came from (default: their names).

    Raises
    ------
    RoadNetworkError
        If the extract is unreadable or too large, holds no road near the council, or the download fails.
    """
    from routing.extract import write_drivable_extract, write_drivable_extracts, write_graph_extract

    settings = settings or RoutingSettings()
    limits = limits or RoadLimits.for_machine()
    report = progress or (lambda message: None)
    area = outline.union_all().buffer(AREA_MARGIN_M)
    target = prepared_extract(council.slug, cache_dir)
    if pbf is not None:
        from routing.osm import check_road_file

        extracts = [Path(path) for path in (pbf if isinstance(pbf, list) else [pbf])]
        for path in extracts:
            check_road_file(path, limits)
        if len(extracts) == 1:
            ways, nodes = write_drivable_extract(extracts[0], target, area_bng=area, limits=limits, progress=report)
        else:
            ways, nodes = write_drivable_extracts(extracts, target, area_bng=area, limits=limits, progress=report)
        source = source_text or ", ".join(safe_name(path) for path in extracts)
    else:
        from routing.osm import download_drive_ways

        area_wgs84 = gpd.GeoSeries([area], crs=outline.crs).to_crs(WGS84).iloc[0]
        graph = download_drive_ways(area_wgs84, progress=report)
        report("Writing the downloaded roads…")
        ways, nodes = write_graph_extract(graph, target)
        source = "an OpenStreetMap download"
    target.with_suffix(".json").write_text(json.dumps({"source": source, "date": date.today().isoformat(),
                                                       "ways": ways, "nodes": nodes}), encoding="utf-8")
    report(f"Kept {ways:,} ways and {nodes:,} nodes in {target.name}; building the network…")
    return network_from_file(target, settings, description=prepared_description(council.slug, cache_dir),
                             progress=report, cache_dir=cache_dir, limits=limits)


def geofabrik_extracts(outline: gpd.GeoDataFrame, *, offline: bool = False,
                       progress: Progress | None = None) -> tuple[list[Path], str]:
    """The Geofabrik extracts covering a council and its :data:`AREA_MARGIN_M` margin (downloaded once into the raw
    cache; offline, those cached), and a line saying which they are and how recent.

    Raises
    ------
    PublishersUnreachable
        Within seconds, online, when Geofabrik cannot be reached.
    RefreshError
        When an extract cannot be had (named), or offline, when none is cached.
    """
    from layers.refresh.cache import RawCache
    from layers.refresh.errors import PublishersUnreachable
    from layers.refresh.fetch import Client, endpoint, require_online
    from layers.refresh.sources.base import Context
    from layers.refresh.sources.osm import extracts_covering

    area = gpd.GeoSeries([outline.union_all().buffer(AREA_MARGIN_M)], crs=outline.crs).to_crs(WGS84).iloc[0]
    if not offline:
        try:
            require_online([tool_settings.geofabrik_url])
        except PublishersUnreachable as error:
            raise PublishersUnreachable(
                f"Cannot reach Geofabrik ({endpoint(tool_settings.geofabrik_url)[0]}): this machine seems to be offline. "
                f"Use --offline for the extracts already in the cache, or download the region's .osm.pbf from "
                f"download.geofabrik.de in a browser and give --pbf FILE.") from error
    context = Context(client=Client(), cache=RawCache(), progress=progress or (lambda message: None))
    releases = extracts_covering(area, context, offline=offline)
    return [release.path("extract") for release in releases], "; ".join(release.vintage for release in releases)


def build_engine(council: Council, source: str, *, settings: RoutingSettings | None = None,
                 upload: str | Path | None = None, outline: gpd.GeoDataFrame | None = None,
                 progress: Progress | None = None, cache_dir: Path | None = None,
                 limits: RoadLimits | None = None) -> TravelEngine:
    """The travel engine for a council and a chosen source.

    ``limits`` bound a file given as ``upload`` (default: the machine's, for the command line;
    :meth:`RoadLimits.for_uploads` for a file checked as the app would read it).

    Raises
    ------
    RoadNetworkError
        If the source cannot give a network (no bundled extract, damaged file, offline download).
    """
    settings = settings or RoutingSettings()
    if source == ESTIMATE:
        return EstimateEngine(settings)
    if source == BUNDLED:
        return RoadEngine.bundled(council, settings=settings, cache_dir=cache_dir, progress=progress)
    if source == PREPARED:
        return RoadEngine.prepared(council, settings=settings, cache_dir=cache_dir, progress=progress)
    if source == UPLOAD:
        if upload is None:
            raise RoadNetworkError("No road network file was given: choose an .osm.pbf, .osm or .graphml file.")
        return RoadEngine.from_file(upload, settings=settings, cache_dir=cache_dir, limits=limits, progress=progress)
    if source == DOWNLOAD:
        if outline is None:
            raise RoadNetworkError("Downloading needs the council's outline.")
        network = prepare_roads(council, outline, settings=settings, progress=progress, cache_dir=cache_dir)
        # The same roads may have been cached under another name: label them as prepared now.
        return RoadEngine(network, settings, description=prepared_description(council.slug, cache_dir) or
                          network.description)
    raise RoadNetworkError(f"Unknown road network source {safe_name(source)!r}; use one of {', '.join(SOURCES)}.")


def coverage_share(engine: TravelEngine, points_xy: np.ndarray) -> float:
    """Share of points within the engine's snap limit of a road (1.0 for the estimate)."""
    if len(points_xy) == 0:
        return 1.0
    return float(1.0 - engine.snap(points_xy).far.mean())


def coverage_warning(engine: TravelEngine, points_xy: np.ndarray, council_name: str) -> str | None:
    """The warning to give when a road network covers less than the council: fewer than
    :data:`COVERAGE_WARNING_SHARE` of its postcodes (``points_xy``) near a road (:func:`coverage_share`); None when it
    covers it, or for the estimate."""
    if engine.is_estimate:
        return None
    share = coverage_share(engine, points_xy)
    if share >= COVERAGE_WARNING_SHARE:
        return None
    return (f"Only {share:.0%} of {council_name}'s postcodes are within {engine.settings.snap_limit_m / 1000:g} km of a "
            f"road in this network: it may cover another area, and travel from the rest is measured from roads far "
            f"away.")


def forget_upload(path: Path, upload_dir: Path) -> None:
    """Delete a kept upload (and its folder) from ``upload_dir``."""
    path = Path(path)
    if upload_dir in path.parents:
        path.unlink(missing_ok=True)
        if path.parent != upload_dir and not any(path.parent.iterdir()):
            os.rmdir(path.parent)
