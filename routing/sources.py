"""Choose where road travel times come from for a council, and build the engine for it.

Sources: the council's bundled OSM extract (Rutland), a file the user supplies (.osm.pbf, .osm,
GraphML), a download from OpenStreetMap (connected machines only), or the straight-line estimate.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Callable

import geopandas as gpd
import numpy as np

from geo.council import Council
from geo.errors import RoadNetworkError
from geo.units import WGS84
from layers.catalog import DATA_DIR
from routing import cache
from routing.engine import EstimateEngine, RoadEngine, TravelEngine
from routing.network import RoadNetwork
from routing.osm import download_drive_graph, graph_from_osm_file
from routing.settings import RoutingSettings

BUNDLED, UPLOAD, DOWNLOAD, ESTIMATE = "bundled", "upload", "download", "estimate"
SOURCE_NAMES = {
    BUNDLED: "Bundled OpenStreetMap extract",
    UPLOAD: "My own file (.osm.pbf, .osm, .graphml)",
    DOWNLOAD: "Download from OpenStreetMap (internet)",
    ESTIMATE: "Straight-line estimate (no roads)",
}
Progress = Callable[[str], None]


def available_sources(council: Council) -> list[str]:
    """Sources offered for a council, the default first."""
    sources = [UPLOAD, DOWNLOAD, ESTIMATE]
    return [BUNDLED, *sources] if council.osm_extract else [ESTIMATE, UPLOAD, DOWNLOAD]


def network_from_file(path: str | Path, settings: RoutingSettings, *, description: str | None = None,
                      progress: Progress | None = None, cache_dir: Path | None = None) -> RoadNetwork:
    """Road network from an OSM or GraphML file, through the cache (keyed by the file's bytes)."""
    path = Path(path)
    if not path.is_file():
        raise RoadNetworkError(f"Road network file {path.name!r} does not exist.")
    key = cache.cache_key(cache.file_digest(path), settings)

    def build():
        graph = graph_from_osm_file(path, settings, progress)
        return RoadNetwork.from_graph(graph, description or f"OpenStreetMap, {path.name}"), graph

    return cache.load_or_build(key, build, cache_dir)


def network_download(outline: gpd.GeoDataFrame, settings: RoutingSettings, *, description: str,
                     progress: Progress | None = None, cache_dir: Path | None = None) -> RoadNetwork:
    """Download (once) the drive network inside a council's outline, buffered by 5 km for edge trips."""
    area = outline.buffer(5000).to_crs(WGS84).union_all()
    digest = hashlib.sha256(area.wkb).hexdigest()[:16]
    key = cache.cache_key(f"download-{digest}", settings)

    def build():
        graph = download_drive_graph(area, settings, progress=progress)
        return RoadNetwork.from_graph(graph, description), graph

    return cache.load_or_build(key, build, cache_dir)


def build_engine(council: Council, source: str, *, settings: RoutingSettings | None = None,
                 upload: str | Path | None = None, outline: gpd.GeoDataFrame | None = None,
                 progress: Progress | None = None, cache_dir: Path | None = None) -> TravelEngine:
    """The travel engine for a council and a chosen source.

    Raises
    ------
    RoadNetworkError
        If the source cannot give a network (no bundled extract, damaged file, offline download).
    """
    settings = settings or RoutingSettings()
    if source == ESTIMATE:
        return EstimateEngine(settings)
    if source == BUNDLED:
        if not council.osm_extract:
            raise RoadNetworkError(f"{council.name} has no bundled road network. Upload an OpenStreetMap extract, "
                                   f"download one, or use the straight-line estimate.")
        description = f"OpenStreetMap extract of {council.name}" + (
            f" ({council.osm_extract_date})" if council.osm_extract_date else "")
        network = network_from_file(DATA_DIR / council.osm_extract, settings, description=description,
                                    progress=progress, cache_dir=cache_dir)
    elif source == UPLOAD:
        if upload is None:
            raise RoadNetworkError("No road network file was given: choose an .osm.pbf, .osm or .graphml file.")
        description = f"OpenStreetMap, {Path(upload).name}"
        network = network_from_file(upload, settings, description=description, progress=progress,
                                    cache_dir=cache_dir)
    elif source == DOWNLOAD:
        if outline is None:
            raise RoadNetworkError("Downloading needs the council's outline.")
        description = f"OpenStreetMap download for {council.name}"
        network = network_download(outline, settings, description=description, progress=progress,
                                   cache_dir=cache_dir)
    else:
        raise RoadNetworkError(f"Unknown road network source {source!r}; use one of {', '.join(SOURCE_NAMES)}.")
    # The same file may have been cached under another name: label it as the user chose it.
    return RoadEngine(network, settings, description=description)


def coverage_share(engine: TravelEngine, points_xy: np.ndarray) -> float:
    """Share of points within the engine's snap limit of a road (1.0 for the estimate)."""
    if len(points_xy) == 0:
        return 1.0
    return float(1.0 - engine.snap(points_xy).far.mean())
