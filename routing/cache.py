"""On-disk cache of road networks, keyed by the source's content and the speed settings.

A built network is stored as a compressed ``.npz`` of its arrays, which the app reloads in milliseconds.
Failed builds are remembered in memory (by the file's content, name and settings, with the limits they were
refused under), so a file that was refused is not read again on every rerun of the page, while the same file
under larger limits is read afresh.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Callable

from geo.settings import settings
from routing.limits import RoadLimits
from routing.network import RoadNetwork
from routing.settings import RoutingSettings

_FAILURES: OrderedDict[str, tuple[RoadLimits, str]] = OrderedDict()
_FAILURES_LOCK = threading.Lock()
_MAX_FAILURES = 256


def file_digest(path: str | Path, chunk: int = 1 << 20) -> str:
    """SHA-256 of a file's bytes (first 16 hex digits)."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(chunk):
            digest.update(block)
    return digest.hexdigest()[:16]


def bytes_digest(content: bytes) -> str:
    """SHA-256 of some bytes (first 16 hex digits): the same as :func:`file_digest` of a file holding them."""
    return hashlib.sha256(content).hexdigest()[:16]


def cache_key(source_digest: str, settings: RoutingSettings) -> str:
    """Cache key of a network: where it came from and the settings that shaped its travel times."""
    return f"{source_digest}-{settings.speed_key()}"


def cached_path(key: str, cache_dir: Path | None = None) -> Path:
    """Location of the compiled arrays of a cached network."""
    return (cache_dir or settings.cache_folder) / "networks" / f"{key}.npz"


def load_cached(key: str, cache_dir: Path | None = None) -> RoadNetwork | None:
    """The cached network for a key, or None if absent or unreadable (it is then rebuilt)."""
    path = cached_path(key, cache_dir)
    if not path.is_file():
        return None
    try:
        return RoadNetwork.load(path)
    except (OSError, ValueError, KeyError):
        return None


def store(key: str, network: RoadNetwork, cache_dir: Path | None = None) -> Path:
    """Write a network's arrays atomically into the cache."""
    path = cached_path(key, cache_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=path.parent, suffix=".npz", delete=False) as handle:
        temporary = Path(handle.name)
    try:
        network.save(temporary)
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
    return path


def load_or_build(key: str, build: Callable[[], RoadNetwork], cache_dir: Path | None = None, *,
                  keep: bool = True) -> RoadNetwork:
    """Reload a network from the cache, or build it (and store it unless ``keep`` is False)."""
    network = load_cached(key, cache_dir)
    if network is None:
        network = build()
        if keep:
            store(key, network, cache_dir)
    return network


def failure_key(source_digest: str, name: str, settings: RoutingSettings) -> str:
    """Key of a refusal: what its message depends on (content, shown name, settings); the limits are kept beside
    it (:func:`remember_failure`)."""
    return f"{cache_key(source_digest, settings)}|{name}"


def remember_failure(key: str, message: str, limits: RoadLimits) -> None:
    """Remember (in memory, for this process) why a build (:func:`failure_key`) under ``limits`` was refused."""
    with _FAILURES_LOCK:
        _FAILURES[key] = (limits, message)
        _FAILURES.move_to_end(key)
        while len(_FAILURES) > _MAX_FAILURES:
            _FAILURES.popitem(last=False)


def known_failure(key: str, limits: RoadLimits) -> str | None:
    """Why the build with this :func:`failure_key` was refused before, if it was under limits no smaller than
    ``limits`` (a file refused under small limits is read afresh under larger ones), else None."""
    with _FAILURES_LOCK:
        refused = _FAILURES.get(key)
    return refused[1] if refused is not None and limits.within(refused[0]) else None
