"""On-disk cache of road networks, keyed by the source's content and the speed settings.

A built network is stored twice: as GraphML (OSMnx's own format, for use in other tools) and as a
compressed ``.npz`` of the compiled arrays, which is what the app reloads (well under a second).
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path
from typing import Callable

import networkx as nx
import osmnx as ox

from routing.network import RoadNetwork
from routing.settings import RoutingSettings

CACHE_DIR = Path(os.environ.get("CAREMAP_CACHE_DIR", Path(__file__).resolve().parent.parent / "cache"))


def file_digest(path: str | Path, chunk: int = 1 << 20) -> str:
    """SHA-256 of a file's bytes (first 16 hex digits)."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(chunk):
            digest.update(block)
    return digest.hexdigest()[:16]


def cache_key(source_digest: str, settings: RoutingSettings) -> str:
    """Cache key of a network: where it came from and the settings that shaped its travel times."""
    return f"{source_digest}-{settings.speed_key()}"


def cached_path(key: str, cache_dir: Path | None = None) -> Path:
    """Location of the compiled arrays of a cached network."""
    return (cache_dir or CACHE_DIR) / "networks" / f"{key}.npz"


def load_cached(key: str, cache_dir: Path | None = None) -> RoadNetwork | None:
    """The cached network for a key, or None if absent or unreadable (it is then rebuilt)."""
    path = cached_path(key, cache_dir)
    if not path.is_file():
        return None
    try:
        return RoadNetwork.load(path)
    except (OSError, ValueError, KeyError):
        return None


def store(key: str, network: RoadNetwork, graph: nx.MultiDiGraph | None = None, cache_dir: Path | None = None) -> Path:
    """Write a network's arrays (and its graph as GraphML) atomically into the cache."""
    path = cached_path(key, cache_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=path.parent, suffix=".npz", delete=False) as handle:
        temporary = Path(handle.name)
    network.save(temporary)
    os.replace(temporary, path)
    if graph is not None:
        ox.save_graphml(graph, path.with_suffix(".graphml"))
    return path


def load_or_build(key: str, build: Callable[[], tuple[RoadNetwork, nx.MultiDiGraph | None]],
                  cache_dir: Path | None = None) -> RoadNetwork:
    """Reload a network from the cache, or build and store it."""
    network = load_cached(key, cache_dir)
    if network is None:
        network, graph = build()
        store(key, network, graph, cache_dir)
    return network
